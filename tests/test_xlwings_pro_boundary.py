"""xlwings.pro stays out of the product and marked in the tests.

xlwings' remote engine lives in ``xlwings.pro`` (PolyForm Noncommercial). The
Refresh tests use it under the noncommercial key; they carry the ``xlwings_pro``
marker so that a commercial user deselects them with ``pytest -m "not xlwings_pro"``.
No product module (``workbook/``, ``udfs/``, ``macros/``) may import it.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PRODUCT_PACKAGES = ("workbook", "udfs", "macros")


def _collected(*args: str) -> set[str]:
    """Node ids pytest collects from the tests folder with *args*."""
    proc = subprocess.run([sys.executable, "-m", "pytest", "--collect-only", "-q",
                           "-p", "no:cacheprovider", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode in (0, 5), proc.stdout[-3000:] + proc.stderr[-3000:]
    return {line.split("[")[0] for line in proc.stdout.splitlines() if "::" in line}


def _tests_using_remote() -> set[str]:
    """Every test function of the tests folder that takes the ``remote`` fixture,
    found by reading the test files' source (not through pytest)."""
    found = set()
    for path in sorted((ROOT / "tests").glob("test_*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_") and \
                    "remote" in [a.arg for a in node.args.args]:
                found.add(f"tests/{path.name}::{node.name}")
    return found


def test_remote_engine_tests_are_marked_and_deselectable():
    files = ["tests/test_refresh.py", "tests/test_table_format.py"]
    remote = {t for t in _tests_using_remote() if t.split("::")[0] in files}
    # test_refresh.py's tests take it, and test_table_format.py's Refresh test does.
    assert len(remote) >= 12 and any("test_table_format" in t for t in remote)
    marked = _collected("-m", "xlwings_pro", *files)
    kept = _collected("-m", "not xlwings_pro", *files)
    assert marked == remote
    assert kept and not kept & remote
    assert marked | kept == _collected(*files)


def xlwings_pro_imports(source: str) -> list[int]:
    """Line numbers of *source* that import ``xlwings.pro`` (or a module in it), in
    any spelling: ``import xlwings.pro``, ``from xlwings.pro import x``, ``from
    xlwings import pro``, ``importlib.import_module("xlwings.pro...")``."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            module = node.module or ""
            names = [module] + [f"{module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            names = [node.value] if re.fullmatch(r"xlwings\.pro(\.\w+)*", node.value) else []
        else:
            continue
        if any(n == "xlwings.pro" or n.startswith("xlwings.pro.") for n in names):
            lines.append(node.lineno)
    return lines


def test_the_import_finder_sees_every_spelling():
    assert xlwings_pro_imports("import xlwings.pro") == [1]
    assert xlwings_pro_imports("x = 1\nfrom xlwings.pro import _xlremote") == [2]
    assert xlwings_pro_imports("from xlwings import pro") == [1]
    assert xlwings_pro_imports("import importlib\nimportlib.import_module('xlwings.pro')") == [2]
    assert xlwings_pro_imports("import xlwings\nfrom xlwings import main, process") == []


def test_no_product_module_imports_xlwings_pro():
    offenders = []
    for package in PRODUCT_PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            for line in xlwings_pro_imports(path.read_text(encoding="utf-8")):
                offenders.append(f"{path.relative_to(ROOT)}:{line}")
    assert len(list((ROOT / "workbook").rglob("*.py"))) > 20  # the walk found the code
    assert offenders == []
