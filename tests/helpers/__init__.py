"""Helpers shared by the test folders (import as ``tests.helpers.<module>``)."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
"""The repository root (README.md, examples/, demos/)."""

EXAMPLES = ROOT / "examples"
