"""Verification: exact and manufactured solutions with rates, the paper's equations, rotation
covariance, the dynamics against analytic results, serial == MPI, the iterative solvers."""
