"""sync/ decides and does no I/O: no web framework, database, network or crypto-service import."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SYNC_DIR = Path(__file__).resolve().parents[2] / "sync"
FORBIDDEN = {
    "flask", "sqlalchemy", "marshmallow", "webauthn", "pywebpush", "psycopg", "psycopg2",
    "socket", "sqlite3", "requests", "urllib", "http", "server",
}
MODULES = sorted(SYNC_DIR.glob("*.py"))


def imported_roots(path: Path) -> set[str]:
    """Return the top-level package of everything a module imports."""
    roots: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots.add(node.module.split(".")[0])
        elif isinstance(node, ast.Call) and getattr(node.func, "id", None) == "__import__":
            roots.add("__import__")
    return roots


def test_the_sync_package_has_modules_to_check() -> None:
    assert {"engine.py", "merge.py", "ops.py", "hlc.py"} <= {p.name for p in MODULES}


@pytest.mark.parametrize("path", MODULES, ids=[p.name for p in MODULES])
def test_module_imports_nothing_that_does_io(path: Path) -> None:
    bad = imported_roots(path) & (FORBIDDEN | {"__import__", "importlib"})
    assert not bad, f"sync/{path.name} imports {sorted(bad)}"


def test_the_scan_catches_a_forbidden_import(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("import os\nfrom sqlalchemy.orm import Session\nimport urllib.request as r\n")
    assert imported_roots(sample) == {"os", "sqlalchemy", "urllib"}
