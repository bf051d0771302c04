"""Regression: the paper's applications against numbers from earlier runs
(reference_values.toml says where each number came from)."""
