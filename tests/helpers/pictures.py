"""Checks of written pictures."""

from pathlib import Path


def assert_picture(path: Path, min_bytes: int = 20_000, min_std: float = 0.02):
    """A PNG that is not blank: large enough and with varying pixels."""
    from matplotlib.image import imread

    data = path.read_bytes()
    assert data.startswith(b"\x89PNG"), path
    assert len(data) > min_bytes, (path, len(data))
    pixels = imread(path)[..., :3]
    assert pixels.std() > min_std, (path, pixels.std())
