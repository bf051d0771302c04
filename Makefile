# fem_spin: `make demo` and `make test` build .venv on a fresh machine (finding a Python >= 3.12).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
export PATH := $(CURDIR)/$(VENV)/bin:$(PATH)
export FEM_SPIN_JIT_CACHE ?= $(CURDIR)/.cache/jit
export OMP_NUM_THREADS ?= 1
export PYVISTA_OFF_SCREEN ?= true
export MPLBACKEND ?= Agg
NP ?= 2

.PHONY: venv demo test test-serial test-mpi test-ranks lint docker-smoke clean

venv:
	@scripts/bootstrap.sh test

demo: venv
	$(PY) demos/cpp_bilayer.py

test: lint test-serial test-mpi test-ranks

# static check of the Dockerfile (hadolint from PyPI, in the test extra)
lint: venv
	$(VENV)/bin/hadolint docker/Dockerfile

# two pytest processes (pytest-xdist): the cores the MPI pass uses; 520 instead of 774-910 s
# on a fresh clone of a 2-core machine (issue 16, eleventh session). Work stealing keeps both
# busy to the end (the tests take 0.01-35 s): 705 s against 752 s with xdist's default
# scheduling, both from an empty JIT cache (issue 16, eighteenth session)
test-serial: venv
	$(PY) -m pytest -n 2 --dist worksteal

# -m mpi4py: an exception on one rank aborts all ranks instead of hanging them. Tests marked
# serial are left out: serial-only ones, and those whose parallel path another test of this
# pass runs (each names it): on a 2-core machine 629 -> 463 s (issue 16, eighteenth session).
test-mpi: venv
	timeout 900 $(VENV)/bin/mpiexec -n $(NP) $(PY) -m mpi4py -m pytest -m "not serial" -p no:cacheprovider

# rank-count bugs: the MPI-capable run-guard and parallel-equivalence tests at 3 and 4 ranks
# (oversubscribed on a small machine; about 1-2 min each)
test-ranks: venv
	for n in 3 4; do timeout 900 $(VENV)/bin/mpiexec -n $$n $(PY) -m mpi4py -m pytest -m "not serial" -p no:cacheprovider -q tests/unit/test_run_guards.py tests/verification/test_parallel.py || exit 1; done

# builds the image with podman + runc from a debootstrap base and runs a demo under MPI
# inside it (root; ~5 min the first time; too heavy for CI)
docker-smoke:
	docker/smoke-test.sh

clean:
	rm -rf $(VENV) .cache output
