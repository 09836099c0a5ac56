"""Shared fixtures: one headless build of the shipped data, read back by readers
other than the writer (openpyxl for formulas, python-calamine for cached values)."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from workbook import DATA_DIR
from workbook.build import build
from workbook.sheets.key_stocks import ARRAY_THRESHOLD

TESTS_DIR = Path(__file__).resolve().parent


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


@pytest.fixture(scope="session")
def shipped(tmp_path_factory):
    """One build of the shipped data in the default layout (its path), for tests whose
    cases do not depend on the P/E layout."""
    return build(DATA_DIR, tmp_path_factory.mktemp("shipped") / "coverbook.xlsm").path


def previous_copy(workbook: Path, tmp_path: Path) -> tuple[Path, bytes]:
    """*workbook* copied to ``out/coverbook.xlsm`` under *tmp_path* (a folder holding
    nothing else), and its bytes: what a failed build must leave exactly as it was."""
    folder = tmp_path / "out"
    folder.mkdir()
    path = folder / "coverbook.xlsm"
    shutil.copyfile(workbook, path)
    return path, path.read_bytes()


@pytest.fixture
def previous(built, tmp_path):
    """A workbook from an earlier build (:func:`previous_copy`), in each layout."""
    return previous_copy(built.path, tmp_path)


def cli_build(data, output, *extra):
    """``coverbook build --data DATA --output OUTPUT`` in-process: the click result
    (``exit_code``, ``stdout``, ``stderr``)."""
    from click.testing import CliRunner

    from workbook.cli import cli

    return CliRunner().invoke(cli, ["build", "--data", str(data), "--output", str(output),
                                    *extra])


#: Every command that writes a file (the targets of workbook/replacing.py): the
#: extension it writes and its arguments for an output *out*.
WRITERS = {
    "build": (".xlsm", lambda out: ["build", "--output", str(out)]),
    "build .xlsx": (".xlsx", lambda out: ["build", "--output", str(out)]),
    "publish": (".xlsx", lambda out: ["publish", "--output", str(out)]),
    "addin build": (".xlam", lambda out: ["addin", "build", "--output", str(out)]),
    "export": (".pdf", lambda out: ["export", "--pdf", str(out)]),
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
