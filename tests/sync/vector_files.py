"""The shared vector files in tests/vectors, and what their generator scripts would write now."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

VECTORS = Path(__file__).resolve().parents[1] / "vectors"


def freshly_written(script: str) -> Any:
    """Run `build()` of a generator in tests/vectors (e.g. "write_compact.py") and return what it makes."""
    spec = importlib.util.spec_from_file_location(script.removesuffix(".py"), VECTORS / script)
    assert spec is not None and spec.loader is not None
    writer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(writer)
    return writer.build()
