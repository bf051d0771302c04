"""Paper-style line plots of spin-accumulation profiles, and GIF animations (matplotlib only).

Everything here takes numpy data (no DOLFINx objects) and uses matplotlib's object API
(:class:`matplotlib.figure.Figure` on the Agg canvas, no pyplot state), so it is safe to call on
rank 0 only. The figures follow the paper's (Sec. VI, Figs. 6-15): a component of ``m`` in the
global frame against the position in nm, one curve per parameter value of a case family.

- :func:`family_figure`: one panel per component (m_x, m_y, m_z), one curve per case, one row
  per family (:func:`family_axes` draws one row into given axes).
- :func:`profile_axes`: the three components of one profile on one axes;
  :func:`bilayer_profile_figure`: one bilayer profile, whole and near the spacer.
- :func:`scan_figure`: a scalar (e.g. the peak transverse accumulation) against a parameter.
- :func:`animate_profiles`: a GIF, one frame per case (``matplotlib.animation.PillowWriter``);
  :func:`gif_frame` writes one of its frames to a PNG; :func:`write_gif` assembles picture files
  (:mod:`~fem_spin.plotting.animation`).
- :func:`switching_traces_figure`, :func:`switching_time_figure`: magnetization dynamics under
  a drive sweep (traces of ``<M> . p``, the torque and ``<m>``; switching time against drive).
"""

from fem_spin.plotting.animation import (
    CompactPillowWriter,
    animate_profiles,
    gif_frame,
    write_gif,
)
from fem_spin.plotting.figures import (
    COMPONENTS,
    Curve,
    bilayer_profile_figure,
    family_axes,
    family_figure,
    profile_axes,
    save,
    scan_figure,
    switching_time_figure,
    switching_traces_figure,
)

__all__ = [
    "COMPONENTS",
    "CompactPillowWriter",
    "Curve",
    "animate_profiles",
    "bilayer_profile_figure",
    "family_axes",
    "family_figure",
    "gif_frame",
    "profile_axes",
    "save",
    "scan_figure",
    "switching_time_figure",
    "switching_traces_figure",
    "write_gif",
]
