"""The read-only material in ../shared: used where present, required under CI."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

SHARED = Path(__file__).resolve().parents[3] / "shared"


def under_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def shared_path(*parts: str) -> Path:
    """A path inside ../shared; skips (or, under CI, fails) the test if it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        message = f"../shared/{'/'.join(parts)} is absent (a newcomer's clone has no ../shared)"
        if under_ci():
            pytest.fail(f"CI=true: {message}")
        pytest.skip(message)
    return path
