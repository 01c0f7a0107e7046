"""The package's layers hold: import-linter's contracts from pyproject.toml, run as CI runs them."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def test_import_contracts_are_kept() -> None:
    exe = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    assert exe is not None, "import-linter is a test dependency: pip install -e '.[test]'"
    result = subprocess.run([exe, "--no-cache"], cwd=REPO, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_no_library_module_hides_an_import_of_its_own_package_in_a_function() -> None:
    """A function-level import may defer a heavy library, never dodge a cycle inside vsledger."""
    import ast

    hidden = []
    for path in sorted((REPO / "vsledger").rglob("*.py")):
        if "cli" in path.relative_to(REPO / "vsledger").parts[:1]:
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                for inner in ast.walk(node):
                    if isinstance(inner, ast.ImportFrom) and (inner.level > 0 or (inner.module or "").startswith("vsledger")):
                        hidden.append(f"{path.relative_to(REPO)}:{inner.lineno}")
    assert hidden == []
