"""The demos and the example case files ship in the wheel: built from this checkout and
installed into a fresh venv outside it, `fem-spin examples`, `fem-spin demos` and `fem-spin
demos run cpp_bilayer` work from any folder.

The venv has no pip and no dependencies of its own: a .pth file appends the site-packages of
the running interpreter (DOLFINx, PETSc, gmsh, ...), where fem_spin is only an editable
install, whose finder that plain path line does not activate; the wheel is installed with
``--no-deps`` and is the only fem_spin the venv imports.
"""

import json
import os
import shutil
import site
import subprocess
import sys
import tomllib
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
SOURCES = ("pyproject.toml", "README.md", "fem_spin", "demos", "examples")


def test_package_list_is_complete():
    """pyproject.toml lists the packages explicitly (the demos/examples mapping needs it):
    every package under fem_spin/ must be in the list."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    found = {".".join(p.relative_to(ROOT).parts[:-1])
             for p in (ROOT / "fem_spin").rglob("__init__.py")}
    listed = set(config["packages"])
    assert found <= listed, f"add {sorted(found - listed)} to [tool.setuptools] packages"
    assert config["package-dir"] == {"fem_spin.demos": "demos", "fem_spin.examples": "examples"}
    assert {"fem_spin.demos", "fem_spin.examples"} <= listed


def run(cmd, cwd, env, timeout=300):
    out = subprocess.run([str(c) for c in cmd], cwd=cwd, env=env, capture_output=True,
                         text=True, timeout=timeout)
    assert out.returncode == 0, f"{cmd}: exit {out.returncode}\n{out.stdout}\n{out.stderr}"
    return out.stdout


@pytest.mark.serial
def test_wheel_ships_demos_and_examples(tmp_path):
    # build the wheel from a copy of the sources (no build/ or *.egg-info in the checkout)
    src = tmp_path / "src"
    src.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name,
                            ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "output"))
        else:
            shutil.copy2(ROOT / name, src / name)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "FEM_SPIN_DEMOS",
                                                            "FEM_SPIN_EXAMPLES")}
    dist = tmp_path / "dist"
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation",
         "--no-index", "--quiet", "-w", dist, src], tmp_path, env)
    wheel = next(dist.glob("fem_spin-*.whl"))
    import zipfile

    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("fem_spin/demos/cpp_bilayer.py", "fem_spin/examples/cpp_bilayer.toml",
                 "fem_spin/examples/README.md", "fem_spin/paper/parameters.py"):
        assert name in names, name

    # a venv without pip, the heavy dependencies from the running interpreter's site-packages
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", venv], tmp_path, env)
    python = venv / "bin" / "python"
    purelib = run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                  tmp_path, env).strip()
    (Path(purelib) / "fem_spin_deps.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    run([sys.executable, "-m", "pip", "--python", python, "install", "--no-deps", "--no-index",
         "--quiet", wheel], tmp_path, env)

    # from an empty folder: the installed package and its data, not this checkout
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    # shared libraries that wheels install into the prefix (MPICH's libmpi), which mpi4py
    # looks for in sys.prefix/lib
    env["LD_LIBRARY_PATH"] = os.pathsep.join(
        [str(Path(sys.prefix) / "lib"), *filter(None, [env.get("LD_LIBRARY_PATH")])])
    where = run([python, "-c", "import fem_spin; print(fem_spin.__file__)"], cwd, env)
    assert where.startswith(str(venv)), where
    fem_spin = venv / "bin" / "fem-spin"
    examples = run([fem_spin, "examples"], cwd, env)
    assert "cpp_bilayer" in examples and "switching_pillar" in examples
    assert f"{purelib}/fem_spin/examples/cpp_bilayer.toml" in examples
    demos = run([fem_spin, "demos"], cwd, env)
    assert "Spin accumulation in a CPP bilayer with non-collinear magnetizations" in demos
    assert "pillar_3d" in demos and "switching_pillar" in demos
    out = tmp_path / "cpp"
    run([fem_spin, "demos", "run", "cpp_bilayer", "--h-max", "1.0", "--samples", "201",
         "--out", out], cwd, env)
    summary = json.loads((out / "summary.json").read_text())
    assert summary["solve"]["reason"].startswith("CONVERGED")
    assert 0.3 < summary["results"]["peak_m_perp"] < 0.6
    with open(out / "profile.csv") as f:
        header = f.readline().strip().split(",")
    data = np.loadtxt(out / "profile.csv", delimiter=",", skiprows=1)
    assert data.shape[0] == 201 and {"x", "mx", "my", "mz"} <= set(header)
    np.testing.assert_allclose(data[0, [header.index(c) for c in ("mx", "my", "mz")]],
                               [0.0, 0.0, -1.0], atol=1e-8)
    assert (out / "profile.png").read_bytes().startswith(b"\x89PNG")
    assert not list(cwd.iterdir())  # nothing written where it ran
