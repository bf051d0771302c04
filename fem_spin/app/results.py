"""What a run produces, as plain numpy data the same on every rank (:class:`Results`), and the
line profiles of a case (:func:`sample_lines`), shared by the steady and dynamics runs."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

import dolfinx.fem as fem
import numpy as np

from fem_spin.app.schema import Case
from fem_spin.observables import sample_line

__all__ = ["Results", "sample_lines"]

log = logging.getLogger(__name__)


@dataclass
class Results:
    """What a run produced, as plain data (the same on every rank)."""

    mesh: dict[str, Any] = field(default_factory=dict)
    solve: dict[str, Any] = field(default_factory=dict)
    regions: dict[str, Any] = field(default_factory=dict)
    lines: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)
    grid: Any = None
    timings: dict[str, float] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # a dynamics run: traces, grids


def sample_lines(case: Case, m: fem.Function, M) -> dict[str, dict]:
    """The columns (s, coordinates, m and M components) of each line of ``case.lines``."""
    gdim = m.function_space.mesh.geometry.dim
    out = {}
    for line in case.lines:
        s_all, pts_all, m_all, M_all = [], [], [], []
        offset = 0.0
        for i, (p0, p1) in enumerate(zip(line.points[:-1], line.points[1:], strict=True)):
            s, pts, mv = sample_line(m, p0, p1, line.samples)
            Mv = sample_line(M, p0, p1, line.samples)[2] if M is not None else None
            start = 0 if i == 0 else 1
            s_all.append(s[start:] + offset)
            pts_all.append(pts[start:])
            m_all.append(mv[start:])
            if Mv is not None:
                M_all.append(Mv[start:])
            offset += float(np.linalg.norm(np.subtract(p1, p0)))
        pts = np.concatenate(pts_all)
        mv = np.concatenate(m_all)
        columns = {"s": np.concatenate(s_all)}
        columns.update({"xyz"[k]: pts[:, k] for k in range(max(gdim, len(line.points[0])))})
        columns.update({f"m{c}": mv[:, k] for k, c in enumerate("xyz")})
        if M_all:
            Mv = np.concatenate(M_all)
            columns.update({f"M{c}": Mv[:, k] for k, c in enumerate("xyz")})
        outside = int(np.count_nonzero(np.isnan(mv[:, 0])))
        if outside:
            log.warning("line %r: %d of %d points lie outside the mesh (NaN in the CSV)",
                        line.name, outside, len(mv))
        out[line.name] = columns
    return out
