"""Start-up: each command loads only what its work needs. ``coverbook --help`` loads
click and the CLI module; ``build`` and ``--check`` load neither pandas, numpy nor
xlwings (the UDFs are called as plain functions); only a stale ``--check`` loads
openpyxl, to name the first differing cell. Observed as ``sys.modules`` of a fresh
interpreter running the real command line."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from workbook import DATA_DIR

#: Imports a command must not pay for unless its work needs them.
HEAVY = ("numpy", "pandas", "xlwings", "pywintypes", "win32com")


#: Runs ``python -m workbook ARGS`` in a fresh interpreter, then writes the names of
#: the modules it has loaded (``sys.modules`` at exit) to the file named first.
_RUN_AND_LIST = """
import json, runpy, sys
out, sys.argv = sys.argv[1], ["coverbook", *sys.argv[2:]]
code = 0
try:
    runpy.run_module("workbook", run_name="__main__", alter_sys=True)
except SystemExit as exc:
    code = exc.code
with open(out, "w") as f:
    json.dump(sorted(m for m, v in sys.modules.items() if v is not None), f)
sys.exit(code)
"""


def _imported(*args: str) -> tuple[set[str], subprocess.CompletedProcess]:
    """The modules ``python -m workbook ARGS`` has loaded when it ends, and the run."""
    with tempfile.TemporaryDirectory() as tmp:
        listing = Path(tmp) / "modules.json"
        proc = subprocess.run([sys.executable, "-c", _RUN_AND_LIST, str(listing), *args],
                              capture_output=True, text=True)
        modules = set(json.loads(listing.read_text()))
    return modules, proc


def _top(modules: set[str]) -> set[str]:
    return {m.split(".")[0] for m in modules}


def test_help_imports_click_and_nothing_of_the_work():
    modules, proc = _imported("--help")
    assert proc.returncode == 0 and "Usage:" in proc.stdout
    assert not _top(modules) & (set(HEAVY) | {"xlsxwriter", "openpyxl", "udfs"})
    assert "importlib.metadata" not in modules  # the version is read only for --version
    # (workbook.__main__ runs as the script, not as an import)
    assert {m for m in modules if m.startswith("workbook")} == {
        "workbook", "workbook.cli", "workbook.exchanges", "workbook.addin",
        "workbook.addin.commands"}


@pytest.mark.parametrize("threshold", ["200", "0"], ids=["scalar", "array"])
def test_build_and_check_import_no_pandas_numpy_or_xlwings(threshold, tmp_path, data_copy):
    out = tmp_path / "book.xlsm"
    base = ["--data", str(data_copy), "--output", str(out), "--array-threshold", threshold]
    modules, proc = _imported("build", *base)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert not _top(modules) & set(HEAVY)
    assert "udfs.valuation" in modules and "xlsxwriter" in _top(modules)
    modules, proc = _imported("build", "--check", *base)
    assert proc.returncode == 0 and "is current" in proc.stdout
    assert not _top(modules) & (set(HEAVY) | {"openpyxl"})  # nothing to locate
    (data_copy / "coverage.csv").write_text((data_copy / "coverage.csv").read_text(
        encoding="utf-8").replace("108.90,", "109.90,"), encoding="utf-8")
    modules, proc = _imported("build", "--check", *base)
    assert proc.returncode == 1 and "cell C4" in proc.stderr
    assert not _top(modules) & set(HEAVY)  # openpyxl reads, without numpy
    assert "openpyxl" in _top(modules)


def test_the_shipped_workbook_builds_without_xlwings_in_this_process(tmp_path):
    # The build calls the UDFs as plain functions; they give the committed bytes.
    # The workbook records its data folder relative to itself ("data" beside the
    # committed one), so the copy is laid out the same way.
    shutil.copytree(DATA_DIR, tmp_path / "data")
    code = ("import sys; from workbook.build import build; "
            f"build({str(tmp_path / 'data')!r}, {str(tmp_path / 'b.xlsm')!r}); "
            "print(sorted(m for m in sys.modules if m.split('.')[0] in "
            f"{HEAVY!r}))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"
    # The same bytes as a build in this process, where xlwings is imported (the
    # committed workbook differs by its PYTHONPATH row, the checkout's only).
    without_xlwings = (tmp_path / "b.xlsm").read_bytes()
    import xlwings  # noqa: F401
    from workbook.build import build

    build(tmp_path / "data", tmp_path / "b.xlsm")
    assert (tmp_path / "b.xlsm").read_bytes() == without_xlwings


def test_the_version_is_the_installed_packages():
    # workbook/__init__.py holds it as a literal (no importlib.metadata at start-up);
    # pyproject.toml reads it from there.
    from importlib.metadata import version

    import workbook

    assert version("coverbook") == workbook.__version__
