"""Shared fixtures: one headless build of the shipped data, read back by readers
other than the writer (openpyxl for formulas, python-calamine for cached values)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

# Plain helpers live in tests/helpers/; these two stay importable from here too.
from helpers.build_cli import cli_build, previous_copy  # noqa: F401
from workbook import DATA_DIR
from workbook.dataset import SHIPPED_SCALES
from workbook.build import build
from workbook.sheets.key_stocks import ARRAY_THRESHOLD

TESTS_DIR = Path(__file__).resolve().parent


#: The fixture that starts xlwings' remote engine (``xlwings.pro``, PolyForm
#: Noncommercial); every test using it is marked ``xlwings_pro`` (see pyproject.toml).
XLWINGS_PRO_FIXTURES = ("remote",)


def pytest_collection_modifyitems(config, items):
    """Mark every test that uses an ``xlwings.pro`` fixture ``xlwings_pro``, wherever
    the fixture is defined, so ``pytest -m "not xlwings_pro"`` deselects them."""
    for item in items:
        if any(name in XLWINGS_PRO_FIXTURES for name in getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.xlwings_pro)


@pytest.fixture
def remote(monkeypatch):
    """xlwings' remote engine, registered under xlwings.pro's noncommercial licence key
    (set for the test only); books of it come from :func:`helpers.remote_book.open_book`.
    Afterwards the UDFs' dataset is reset (Refresh sets it)."""
    import xlwings as xw

    from udfs._reference import set_dataset

    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    if "remote" not in xw.engines.engines_by_name:
        # xlwings registers the engine at import time only if a key was set then.
        from xlwings.pro import _xlremote

        xw.engines.add(xw.main.Engine(impl=_xlremote.engine))
    yield
    set_dataset(None)


@pytest.fixture
def every_style(monkeypatch):
    """``STYLES["every"]``: the style that sets every field of ``Style``, which the
    cells of ``tests/every_attribute.py``'s sheet name."""
    from helpers.every_attribute import EVERY
    from workbook.model import STYLES

    monkeypatch.setitem(STYLES, "every", EVERY)


#: Both layouts of the key-stocks P/E block: one =PE() per cell (the shipped 15
#: stocks are below the default threshold) and one array formula per year column
#: (threshold 0). Every test of the built file runs on both.
LAYOUTS = {"scalar": ARRAY_THRESHOLD, "array": 0}


@pytest.fixture(scope="session", params=list(LAYOUTS))
def layout(request):
    """``"scalar"`` or ``"array"``: the P/E layout of the :func:`built` workbook."""
    return request.param


@pytest.fixture(scope="session")
def built(tmp_path_factory, layout):
    """The build result of the shipped data, written to a temporary folder."""
    out = tmp_path_factory.mktemp(f"build-{layout}") / "coverbook.xlsm"
    return build(DATA_DIR, out, array_threshold=LAYOUTS[layout])


@pytest.fixture(scope="session")
def formulas_wb(built):
    """The built file as openpyxl sees it: formulas as text."""
    return openpyxl.load_workbook(built.path, data_only=False)


@pytest.fixture(scope="session")
def cached_wb(built):
    """The built file as openpyxl sees it: cached values instead of formulas."""
    return openpyxl.load_workbook(built.path, data_only=True)


@pytest.fixture(scope="session")
def calamine_sheets(built):
    """``{sheet name: rows of cached values}`` as python-calamine reads the file."""
    wb = CalamineWorkbook.from_path(str(built.path))
    return {name: wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
            for name in wb.sheet_names}


@pytest.fixture
def data_copy(tmp_path):
    """A writable copy of the shipped data folder."""
    folder = tmp_path / "data"
    shutil.copytree(DATA_DIR, folder)
    return folder


@pytest.fixture
def own_scales(data_copy):
    """*data_copy* with a rating_scales.toml of its own: a copy of the scales coverbook
    ships (it replaces each of them by id, with the same content), for tests of a
    project's own scales file and its errors."""
    shutil.copyfile(SHIPPED_SCALES, data_copy / "rating_scales.toml")
    return data_copy


@pytest.fixture(scope="session")
def shipped(tmp_path_factory):
    """One build of the shipped data in the default layout (its path), for tests whose
    cases do not depend on the P/E layout."""
    return build(DATA_DIR, tmp_path_factory.mktemp("shipped") / "coverbook.xlsm").path


@pytest.fixture
def previous(built, tmp_path):
    """A workbook from an earlier build (:func:`previous_copy`), in each layout."""
    return previous_copy(built.path, tmp_path)


#: Where the search tool's ``fetch`` puts XlsxWriter's repository (a bare git
#: directory); ``XLSXWRITER_MIRROR`` names another. Its comparison suite holds files
#: Excel saved (``xlsxwriter/test/comparison/xlsx_files/``): the Excel-made
#: references of tests that need one. They are read from there, never committed.
XLSXWRITER_MIRROR = Path(os.environ.get("XLSXWRITER_MIRROR",
                                        "/work/.mirror/jmcnamara+XlsxWriter/repo"))
XLSXWRITER_EXCEL_FILES = "xlsxwriter/test/comparison/xlsx_files"


@pytest.fixture(scope="session")
def excel_made():
    """``excel_made(name)``: the bytes of the Excel-made file *name* (e.g.
    ``vbaProject01.bin``) of XlsxWriter's comparison suite, read with git from
    :data:`XLSXWRITER_MIRROR`; the test is skipped where that mirror is absent."""
    if shutil.which("git") is None or not (XLSXWRITER_MIRROR / "HEAD").exists():
        pytest.skip(f"no XlsxWriter mirror at {XLSXWRITER_MIRROR} (Excel-made references)")

    def read(name: str) -> bytes:
        proc = subprocess.run(["git", f"--git-dir={XLSXWRITER_MIRROR}", "show",
                               f"HEAD:{XLSXWRITER_EXCEL_FILES}/{name}"], capture_output=True)
        if proc.returncode != 0:
            pytest.skip(f"{name} is not in the XlsxWriter mirror: {proc.stderr[-200:]!r}")
        return proc.stdout

    return read


#: Every command that writes a file (the targets of workbook/replacing.py): the
#: extension it writes and its arguments for an output *out*.
#: The shipped data is named (--data), so a workbook already at *out* that records
#: another folder does not change what is built.
WRITERS = {
    "build": (".xlsm", lambda out: ["build", "--data", str(DATA_DIR), "--output", str(out)]),
    "build .xlsx": (".xlsx", lambda out: ["build", "--data", str(DATA_DIR),
                                          "--output", str(out)]),
    "publish": (".xlsx", lambda out: ["publish", "--data", str(DATA_DIR),
                                      "--output", str(out)]),
    "addin build": (".xlam", lambda out: ["addin", "build", "--output", str(out)]),
    "export": (".pdf", lambda out: ["export", "--data", str(DATA_DIR), "--pdf", str(out)]),
}
needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None,
                                   reason="LibreOffice (soffice) is not installed")


def writer_params(*names: str) -> list:
    """*names* of :data:`WRITERS` (default: all) as pytest parameters, ``export``
    marked to skip without LibreOffice."""
    return [pytest.param(name, marks=needs_soffice) if name == "export" else name
            for name in names or WRITERS]


def run_writer(name: str, out: Path, *extra: str):
    """Command *name* of :data:`WRITERS` writing *out*, in-process: the click result."""
    from click.testing import CliRunner

    from workbook.cli import cli

    return CliRunner().invoke(cli, [*WRITERS[name][1](out), *extra])
