"""The test suite's own layout: test files share helpers through tests/helpers/ (plain
functions) and tests/conftest.py (fixtures), never by importing another test file,
which would run that file's module-level code (and skips) for the importer too, and
tie one behaviour's tests to another's file."""

from __future__ import annotations

import ast

from conftest import TESTS_DIR


def imports_of_test_modules(source: str) -> list[tuple[int, str]]:
    """``(line, module)`` of every import of a ``test_*`` module in *source*, at any
    depth (inside functions too), as ``import test_x`` or ``from test_x import ...``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names = [node.module]
        else:
            continue
        found += [(node.lineno, name) for name in names
                  if name.split(".")[-1].startswith("test_")]
    return found


def test_the_finder_sees_every_form_of_import():
    source = ("import test_a\nfrom test_b import x\nimport os, test_c as c\n"
              "def f():\n    from test_d import y\nfrom helpers.test_e import z\n"
              "from helpers.data_files import edit\nimport pytest\n")
    assert sorted(imports_of_test_modules(source)) == [
        (1, "test_a"), (2, "test_b"), (3, "test_c"), (5, "test_d"), (6, "helpers.test_e")]


def test_no_test_file_imports_another_test_file():
    files = sorted(TESTS_DIR.rglob("*.py"))
    assert TESTS_DIR / "conftest.py" in files and TESTS_DIR / "helpers" / "data_files.py" in files
    offenders = [f"{path.relative_to(TESTS_DIR)}:{line}: imports {module}"
                 for path in files
                 for line, module in imports_of_test_modules(path.read_text(encoding="utf-8"))]
    assert offenders == [], "\n".join(offenders) + \
        "\nmove what is shared to tests/helpers/ (functions) or tests/conftest.py (fixtures)"
