"""Output files: VTX folders and CSV, written by every rank / rank 0, atomically."""

import dolfinx.io
import dolfinx.mesh
import numpy as np
import pytest

import fem_spin as fs  # before adios2 (tests.helpers.bp): PyPI adios2 after dolfinx
from fem_spin.errors import OutputError
from fem_spin.output import s1_output_fields, write_csv, write_fields
from tests.helpers.bp import assert_complete_bp, bp_read, bp_steps, bp_variables


def linear_m(x):
    return np.stack([x[0], 2 * x[1], x[0] + x[1]])


def problem_2d(comm):
    """m set to a linear field (no solve): J = -Dt grad m is constant and known."""
    mesh = dolfinx.mesh.create_unit_square(comm, 3, 3)
    problem = fs.SteadySpinDiffusion(mesh, fs.Material(D=2.0, tau=1.0, lam=0.5, m0=0.1),
                                     M=(0.0, 0.0, 1.0), H_ext=(0.0, 0.0, 1.5))
    problem.m.interpolate(linear_m)
    problem.m.x.scatter_forward()
    return problem


def expected_j_2d():
    a, D = 1.0 * (1.5 + 0.5), 2.0  # tau |B + lam M|, field along z
    Dt = D / (1 + a**2) * np.array([[1, a, 0], [-a, 1, 0], [0, 0, 1 + a**2]])
    grad = np.array([[1.0, 0.0, 0.0], [0.0, 2.0, 0.0], [1.0, 1.0, 0.0]])  # d_j m^p, j = z: 0
    return -Dt @ grad


def assert_no_partial(folder):
    assert not list(folder.glob("*.partial")), list(folder.glob("*"))


def test_write_fields_vtx(comm, shared_tmp):
    problem = problem_2d(comm)
    fields = s1_output_fields(problem)
    assert [f.name for f in fields] == ["m", "H", "m_eq", "M", "J"]
    target = write_fields(comm, shared_tmp / "out" / "fields.bp", fields)
    assert target == shared_tmp / "out" / "fields.bp"
    assert_complete_bp(target)
    assert_complete_bp(shared_tmp / "out" / "fields_J.bp")
    assert_no_partial(shared_tmp / "out")
    assert sorted(p.name for p in (shared_tmp / "out").iterdir()) == ["fields.bp", "fields_J.bp"]

    assert {"m", "H", "m_eq", "M", "geometry"} <= bp_variables(target)
    assert {"J", "geometry"} <= bp_variables(shared_tmp / "out" / "fields_J.bp")

    x = bp_read(target, "geometry")
    m, H = bp_read(target, "m"), bp_read(target, "H")
    assert x.shape == m.shape == H.shape and x.shape[1] == 3
    np.testing.assert_allclose(m, linear_m(x.T).T, atol=1e-13)
    np.testing.assert_allclose(H, np.tile([0.0, 0.0, 2.0], (len(H), 1)), atol=1e-14)
    np.testing.assert_allclose(bp_read(target, "m_eq"), 0.1 * bp_read(target, "M"), atol=1e-14)
    # J is written as 3x3 (flow z column zero), so ParaView reads a row-major tensor
    J = bp_read(shared_tmp / "out" / "fields_J.bp", "J")
    assert J.shape[1] == 9
    expected = np.broadcast_to(expected_j_2d(), (len(J), 3, 3))
    np.testing.assert_allclose(J.reshape(-1, 3, 3), expected, atol=1e-12)


def test_write_fields_1d_and_3d_problem_without_fields(comm, shared_tmp):
    """No M and no B: H and m_eq are the zero literal (no mesh in the expression)."""
    from fem_spin.geometry.interval import layered_interval

    geo = layered_interval(comm, np.linspace(0.0, 1.0, 9), [("bulk", 1.0)])
    mesh3 = dolfinx.mesh.create_unit_cube(comm, 2, 2, 2)
    for name, mesh in (("line", geo.mesh), ("cube", mesh3)):
        problem = fs.SteadySpinDiffusion(mesh, fs.Material(D=1.0, tau=1.0))
        problem.m.interpolate(linear_m)
        fields = s1_output_fields(problem)
        assert [f.name for f in fields] == ["m", "H", "m_eq", "J"]
        for f in fields[1:3]:
            assert np.all(f.x.array == 0.0)
        target = write_fields(comm, shared_tmp / f"{name}.bp", fields, t=1.5)
        assert_complete_bp(target)
        assert_complete_bp(shared_tmp / f"{name}_J.bp")
        J = bp_read(shared_tmp / f"{name}_J.bp", "J").reshape(-1, 3, 3)
        grad = np.array([[1.0, 0.0, 0.0], [0.0, 2.0, 0.0], [1.0, 1.0, 0.0]])
        gdim = mesh.geometry.dim
        grad[:, gdim:] = 0.0  # d/dy, d/dz do not exist on a line
        np.testing.assert_allclose(J, np.broadcast_to(-grad, J.shape), atol=1e-12)
    assert_no_partial(shared_tmp)


def test_write_fields_overwrites_previous_output(comm, shared_tmp):
    problem = problem_2d(comm)
    fields = s1_output_fields(problem)
    path = shared_tmp / "fields.bp"
    write_fields(comm, path, fields, t=0.0)
    write_fields(comm, path, fields, t=1.0)
    assert_complete_bp(path)
    assert_no_partial(shared_tmp)
    assert bp_steps(path) == 1  # replaced, not appended


@pytest.mark.parametrize("previous", [False, True])
def test_write_fields_failure_leaves_no_complete_output(comm, shared_tmp, monkeypatch, previous):
    """The second folder (J) fails midway: neither target appears (or the previous output
    stays as it was), and no *.partial folder is left."""
    problem = problem_2d(comm)
    fields = s1_output_fields(problem)
    path, path_j = shared_tmp / "fields.bp", shared_tmp / "fields_J.bp"
    before = {}
    if previous:
        write_fields(comm, path, fields)
        before = {p: p.read_bytes() for folder in (path, path_j) for p in folder.iterdir()}

    real_write = dolfinx.io.VTXWriter.write
    calls = []

    def failing_write(self, t):
        calls.append(t)
        real_write(self, t)  # the data are written ...
        if len(calls) == 2:
            raise RuntimeError("disk full (simulated)")  # ... but the writer fails

    monkeypatch.setattr(dolfinx.io.VTXWriter, "write", failing_write)
    with pytest.raises(RuntimeError, match="simulated"):
        write_fields(comm, path, fields, t=2.0)
    comm.barrier()  # rank 0 cleans up after the failure
    assert len(calls) == 2
    assert_no_partial(shared_tmp)
    if previous:
        after = {p: p.read_bytes() for folder in (path, path_j) for p in folder.iterdir()}
        assert after == before
    else:
        assert not path.exists() and not path_j.exists()


def test_write_csv(comm, shared_tmp, read_csv):
    s = np.linspace(0.0, 2.0, 7)
    m = np.stack([np.sin(s), np.cos(s), s**2 / 3], axis=1)
    # each rank passes different data: the file holds rank 0's
    columns = {"x": s, "mx": m[:, 0] + comm.rank, "my": m[:, 1], "mz": m[:, 2]}
    path = write_csv(comm, shared_tmp / "sub" / "line.csv", columns)
    assert path == shared_tmp / "sub" / "line.csv"
    assert len(path.read_text().splitlines()) == 1 + len(s)
    header, data = read_csv(path)
    assert header == ["x", "mx", "my", "mz"]
    np.testing.assert_allclose(data, np.column_stack([s, m]), rtol=1e-9, atol=1e-12)
    assert_no_partial(path.parent)


def test_write_csv_from_sample_line(comm, shared_tmp, read_csv):
    from fem_spin.observables.sampling import sample_line

    problem = problem_2d(comm)
    _, points, values = sample_line(problem.m, (0.0, 0.5), (1.0, 0.5), 5)
    columns = {"x": points[:, 0], "mx": values[:, 0], "my": values[:, 1], "mz": values[:, 2]}
    path = write_csv(comm, shared_tmp / "m.csv", columns)
    header, data = read_csv(path)
    assert header == ["x", "mx", "my", "mz"]
    np.testing.assert_allclose(data[:, 0], np.linspace(0.0, 1.0, 5))
    np.testing.assert_allclose(data[:, 1:], linear_m(points.T).T, atol=1e-9)


@pytest.mark.parametrize("previous", [False, True])
def test_write_csv_failure_is_atomic(comm, shared_tmp, monkeypatch, previous):
    path = shared_tmp / "line.csv"
    if previous and comm.rank == 0:
        path.write_text("x,mx\n0,1\n")
    comm.barrier()

    def failing_savetxt(fname, data, **kwargs):
        with open(fname, "w") as f:
            f.write(kwargs.get("header", "") + "\n1,2,3\n")  # a header and a partial row ...
        raise OSError("No space left on device (simulated)")  # ... then the disk is full

    monkeypatch.setattr(np, "savetxt", failing_savetxt)
    # rank 0 raises the OSError, the other ranks an OutputError (an OSError) quoting it
    with pytest.raises(OSError, match="simulated") as info:
        write_csv(comm, path, {"x": [0.0, 1.0], "mx": [1.0, 2.0]})
    if comm.rank > 0:
        assert info.type is OutputError and "rank 0 failed to write" in str(info.value)
    comm.barrier()
    assert_no_partial(shared_tmp)
    if previous:
        assert path.read_text() == "x,mx\n0,1\n"
    else:
        assert not path.exists()


def test_write_rejects_bad_input(comm, shared_tmp):
    with pytest.raises(fs.InputError, match="equal length"):
        write_csv(comm, shared_tmp / "bad.csv", {"x": [0.0, 1.0], "mx": [1.0]})
    with pytest.raises(fs.InputError, match="non-empty list of DOLFINx Functions"):
        write_fields(comm, shared_tmp / "bad.bp", [])
    comm.barrier()
    assert not list(shared_tmp.glob("bad*"))
