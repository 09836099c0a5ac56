"""The analyst's own columns (``extra_columns`` in settings.toml) and the autofilter on
the key-stocks header.

A copy of the shipped data gets two own columns, ``sector`` and ``analyst``, whose
cells are typed to catch every way a value could change on its way to Excel: text
that looks like a formula (``=1+1``, ``@x``, ``+1``), a code with leading zeros, a
figure longer than Excel's 15 digits, a blank, plain decimals. What each cell must
hold is written out here by hand, and the built, refreshed and published workbooks
are read back with python-calamine, openpyxl and LibreOffice, never with the writer.
The expected addresses are counted by hand: the shipped table has 5 report columns,
4 EPS, 4 P/E and 2 growth columns (A:O), so the own ones are P and Q; the header is
row 3 and the 15 stocks rows 4 to 18.
"""

from __future__ import annotations

import shutil

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from conftest import cli_build
from helpers.build_cli import assert_rejected
from helpers.own_columns import OTHERS, add_own_columns
from helpers.remote_book import open_book
from workbook import DATA_DIR
from workbook.build import build
from workbook.dataset import load_dataset
from workbook.model import Block, Sheet, value
from workbook.publish import publish
from workbook.sheets import build_sheets
from workbook.writers import live
from workbook.writers.values import values_only
from workbook.writers.xlsx import write_workbook

KEY = "重点标的"
SETTINGS = "settings.toml"
#: What the workbook must hold for them: text stays text, exactly as typed (a
#: formula-looking text too, a code keeps its zeros, a 17-digit figure is not
#: rounded to Excel's 15 digits); a plain decimal is a number; a blank is empty.
HELD = {
    "300308.SZ": ("光模块", "张三"),
    "300502.SZ": ("=1+1", "@x"),
    "300394.SZ": ("+1", -2.5),
    "688498.SH": ("000063", "12345678901234567"),
    "002463.SZ": ("", 3.0),
}
#: Hand-counted: header row 3, stocks rows 4-18; A:O the shipped table, P:Q own.
OWN_COLS = ("P", "Q")
FILTER = "A3:Q18"


@pytest.fixture(scope="module")
def own_data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("own") / "data"
    shutil.copytree(DATA_DIR, folder)
    add_own_columns(folder)
    return folder


@pytest.fixture(scope="module", params=["scalar", "array"])
def own_build(request, own_data, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"own-{request.param}") / "coverbook.xlsm"
    return build(own_data, out, array_threshold=200 if request.param == "scalar" else 0)


@pytest.fixture(scope="module")
def own_published(own_data, tmp_path_factory):
    return publish(own_data, tmp_path_factory.mktemp("own-pub") / "values.xlsx").path


def key_rows(path):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(KEY).to_python(
        skip_empty_area=False)


def assert_own_cells(path):
    """The own columns of *path* hold :data:`HELD` (python-calamine), with headers."""
    rows = key_rows(path)
    assert rows[2][15:17] == ["sector", "analyst"]
    assert len(rows[2]) == 17  # nothing right of them in the header
    for row in rows[3:18]:
        assert tuple(row[15:17]) == HELD.get(row[0], OTHERS), row[0]


def test_own_columns_follow_every_computed_column(own_build, built):
    assert_own_cells(own_build.path)
    # The report's 60 P/E cells (J4:M18) and everything left of the own columns are
    # those of the shipped build (either layout: the same figures to 1e-12).
    own, shipped = key_rows(own_build.path), key_rows(built.path)
    for r in range(2, 18):
        for got, want in zip(own[r][:15], shipped[r][:15], strict=True):
            assert got == (pytest.approx(want, rel=1e-12) if isinstance(want, float)
                           else want)


def test_formula_looking_text_is_stored_as_text_never_as_a_formula(own_build):
    ws = openpyxl.load_workbook(own_build.path)[KEY]
    assert ws["P5"].value == "=1+1" and ws["P5"].data_type == "s"
    assert ws["Q5"].value == "@x" and ws["Q5"].data_type == "s"
    assert ws["P6"].value == "+1" and ws["P6"].data_type == "s"
    assert ws["Q6"].value == -2.5 and ws["Q6"].data_type == "n"
    assert ws["P8"].value is None  # blank stays blank
    own_cells = [ws[f"{c}{r}"] for c in OWN_COLS for r in range(3, 19)]
    assert not [c.coordinate for c in own_cells if c.data_type == "f"]
    # Text keeps Excel's text format (what is typed over it stays text); numbers the
    # general one.
    assert ws["P4"].number_format == "@" and ws["Q6"].number_format == "General"


def test_own_columns_are_fitted_to_their_widest_cell(own_build):
    ws = openpyxl.load_workbook(own_build.path)[KEY]
    # analyst: "12345678901234567", 17 digits of width 1 each, plus 1 of padding;
    # sector: "=1+1"/"000063" are narrower than the least width, 7.
    # (XlsxWriter stores a width w as w + 5/7 px rounding: between w and w + 1.)
    assert 18 <= ws.column_dimensions["Q"].width < 19
    assert 7 <= ws.column_dimensions["P"].width < 8


def test_autofilter_covers_the_header_stocks_and_every_column(own_build, built):
    assert openpyxl.load_workbook(own_build.path)[KEY].auto_filter.ref == FILTER
    # Shipped table: 15 columns (A:O), no own ones.
    assert openpyxl.load_workbook(built.path)[KEY].auto_filter.ref == "A3:O18"


def test_published_copy_keeps_own_columns_and_the_autofilter(own_published):
    assert_own_cells(own_published)
    ws = openpyxl.load_workbook(own_published)[KEY]
    assert ws["P5"].value == "=1+1" and ws["P5"].data_type == "s"
    assert ws.auto_filter.ref == FILTER


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_reads_the_autofilter_and_the_literal_text(own_build, tmp_path):
    from workbook.export import convert

    # LibreOffice opens the file and saves its own .xlsx: what it understood.
    (saved,) = convert(own_build.path, "xlsx", tmp_path)
    ws = openpyxl.load_workbook(saved)[KEY]
    assert ws.auto_filter.ref == FILTER
    assert ws["P5"].value == "=1+1" and ws["P5"].data_type == "s"


def test_refresh_writes_own_columns_as_text_and_sets_the_autofilter(remote, own_build,  # noqa: F811
                                                                    own_data):
    book = open_book(own_build.path)
    sheets, _ = build_sheets(load_dataset(own_data))
    live.write_book(book, [s for s in sheets if s.name == KEY])
    done = book.json()["actions"]
    rows = next(a for a in done if a["func"] == "setFormula" and a["start_row"] == 3
                and a["start_column"] == 0)["values"]
    by_code = {r[0]: r[15:17] for r in rows}
    # Text goes with Excel's text prefix ', so Excel never takes it for a formula.
    assert by_code["'300502.SZ"] == ["'=1+1", "'@x"]
    assert by_code["'300394.SZ"] == ["'+1", -2.5]
    assert by_code["'002463.SZ"] == ["", 3.0]
    # Filter buttons on A3:Q18 (zero-based row 2, 16 rows, 17 columns), no criterion
    # left: the one set on the first column to switch them on is cleared.
    filters = [(a["func"], a["args"], a["start_row"], a["start_column"], a["row_count"],
                a["column_count"]) for a in done if "AutoFilter" in a["func"]]
    assert filters == [
        ("applyAutoFilterRange",
         [1, {"type": "comparison", "operator": "not_equal_to", "value1": None}], 2, 0, 16, 17),
        ("clearAutoFilterRange", [1], 2, 0, 16, 17)]


def test_every_writer_renders_a_models_autofilter(tmp_path):
    sheet = Sheet("S", autofilter=(1, 1, 3, 2))
    sheet.add(0, 0, [[value("title", "title")]])
    sheet.add(1, 1, [[value("a", "header"), value("b", "header")], [value(1.0), value("x")],
                     [value(2.0), value("y")]])
    write_workbook(tmp_path / "f.xlsx", [sheet])
    assert openpyxl.load_workbook(tmp_path / "f.xlsx")["S"].auto_filter.ref == "B2:C4"
    write_workbook(tmp_path / "v.xlsx", values_only([sheet], "banner"))
    assert openpyxl.load_workbook(tmp_path / "v.xlsx")["S"].auto_filter.ref == "B2:C4"
    plain = Sheet("T", blocks=[Block(0, 0, [[value("t", "title")]])])
    write_workbook(tmp_path / "n.xlsx", [plain])
    assert openpyxl.load_workbook(tmp_path / "n.xlsx")["T"].auto_filter.ref is None


# --- refusals: one line at file:row:column, exit 2, nothing written ---------------------


def settings_line(folder, start):
    lines = (folder / SETTINGS).read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines, start=1) if line.startswith(start))


def test_an_undeclared_own_column_is_refused_saying_how_to_declare_it(data_copy, previous):
    add_own_columns(data_copy, declared='["sector"]')
    assert_rejected(data_copy, previous, [
        ("coverage.csv", 1, "analyst", "unknown column; a year column is named like "
         "'EPS 2024E'"),
    ])
    result = cli_build(data_copy, previous[0])
    assert 'declare it in settings.toml: extra_columns = ["analyst"]' in result.stderr


def test_a_near_miss_keeps_its_did_you_mean(data_copy, previous):
    add_own_columns(data_copy, declared='["sector", "analyst"]')
    text = (data_copy / "coverage.csv").read_text(encoding="utf-8")
    (data_copy / "coverage.csv").write_text(text.replace("close_date", "clsoe_date", 1),
                                            encoding="utf-8")
    assert_rejected(data_copy, previous, [
        ("coverage.csv", 1, "clsoe_date", "unknown column; did you mean 'close_date'?; or, "
         "to carry your own column into the key-stocks table, declare it in "
         'settings.toml: extra_columns = ["clsoe_date"]')])


@pytest.mark.parametrize("name,fragment", [
    ("close", "'close' is the built-in column close of coverage.csv: an own column needs "
              "a name of its own; take it out of extra_columns"),
    ("Target_Price", "'Target_Price' is the built-in column target_price"),
    ("EPS 2024E", "'EPS 2024E' is a fiscal-year column name of coverage.csv"),
    ("currency", "'currency' is the built-in column currency of coverage.csv"),
    ("eps_currency", "built-in column eps_currency"), ("pair", "built-in column pair"), ("fy_end", "built-in column fy_end"),
])
def test_a_built_in_name_is_refused_at_the_extra_columns_line(data_copy, previous, name,
                                                               fragment):
    add_own_columns(data_copy, declared=f'["sector", "analyst", "{name}"]')
    assert_rejected(data_copy, previous, [
        (SETTINGS, settings_line(data_copy, "extra_columns"), "extra_columns", fragment)])


def test_a_declared_column_missing_from_coverage_is_refused(data_copy, previous):
    add_own_columns(data_copy, declared='["sector", "analyst", "region"]')
    assert_rejected(data_copy, previous, [
        ("coverage.csv", 1, "region", "missing column; settings.toml declares it in "
         "extra_columns: add the column to coverage.csv, or take it out of extra_columns")])


def test_an_own_cell_longer_than_excel_holds_is_refused(data_copy, previous):
    add_own_columns(data_copy)
    text = (data_copy / "coverage.csv").read_text(encoding="utf-8")
    (data_copy / "coverage.csv").write_text(text.replace("光模块", "x" * 32_768, 1),
                                            encoding="utf-8")
    assert_rejected(data_copy, previous, [
        ("coverage.csv", 2, "sector", "longer than 32767 characters")])



def test_own_columns_beyond_excels_last_column_are_refused_at_the_first_one(own_data,
                                                                            monkeypatch):
    from workbook.sheets import limits

    # A sheet 16 columns wide: the shipped table's 15 (A:O) leave room for one own
    # column, so the second, analyst, is one too many.
    monkeypatch.setattr(limits, "MAX_COLS", 16)
    (problem,) = limits.extent_problems(load_dataset(own_data))
    assert (problem.file, problem.row, problem.column) == ("coverage.csv", 1, "analyst")
    assert problem.message.startswith(
        "own column 2 of extra_columns is one too many: sheet 重点标的 has 15 columns "
        "before the own ones here, so it holds at most 1 own columns in Excel's 16 columns")
    assert problem.message.endswith("take the last 1 out of extra_columns in settings.toml")
