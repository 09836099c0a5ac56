"""Refresh and the live writer against real xlwings objects.

Without Excel, the xlwings objects are those of xlwings' *remote* engine: a
``xw.Book(json=...)`` built from the payload an Excel client sends, whose writes are
recorded as the actions the client would carry out. That engine lives in
``xlwings.pro`` (PolyForm Noncommercial), so it is used here only, in tests, under the
noncommercial licence key set inside the fixture; the product never imports it.
The payload's cell values are the cached values of a real headless build, read back
with python-calamine.
"""

from __future__ import annotations

import csv
import datetime as dt

import pytest
import xlwings as xw
from python_calamine import CalamineWorkbook

import macros.check as macros_check
import macros.refresh as refresh
import macros.status as macros_status
from udfs._reference import set_dataset
from workbook.dataset import load_dataset
from workbook.model import Block, Cell, Sheet, array_formula, formula, value
from workbook.sheets import OWNED, build_sheets
from workbook.writers import live

USER_SHEET = "My notes 我的笔记"


def _plain(v):
    if isinstance(v, (dt.date, dt.datetime)):
        return live.excel_serial(v)
    return v


@pytest.fixture
def remote(monkeypatch):
    monkeypatch.setenv("XLWINGS_LICENSE_KEY", "noncommercial")
    if "remote" not in xw.engines.engines_by_name:
        # xlwings registers the engine at import time only if a key was set then.
        from xlwings.pro import _xlremote

        xw.engines.add(xw.main.Engine(impl=_xlremote.engine))
    yield
    set_dataset(None)


def open_book(built_path, user_position=2):
    """A remote-engine book holding the built sheets' cached values, with a user sheet
    inserted among them."""
    wb = CalamineWorkbook.from_path(str(built_path))
    sheets = [{"name": n, "values": [[_plain(v) for v in row] for row in
                                     wb.get_sheet_by_name(n).to_python(skip_empty_area=False)],
               "pictures": [], "tables": []} for n in wb.sheet_names]
    sheets.insert(user_position, {"name": USER_SHEET,
                                  "values": [["=not a formula", 42.0]],
                                  "pictures": [], "tables": []})
    payload = {"client": "Microsoft Office Scripts", "version": xw.__version__,
               "book": {"name": "coverbook.xlsm", "active_sheet_index": 0, "selection": "A1"},
               "names": [], "sheets": sheets}
    return xw.Book(json=payload)


def actions(book):
    return book.json()["actions"]


def test_block_grid_keeps_text_literal_and_spills_at_the_anchor():
    block = Block(0, 0, [
        [value("=HYPERLINK(\"x\")"), value("000063.SZ"), value("1.94"), value(None)],
        [value(2.5), value(True), value(dt.date(2024, 9, 23)), formula("=PE(A2,B2)", 1.0)],
        [array_formula("=PE(A1:A2,B1:B2)", [[1.0, 2.0], [3.0, 4.0]]), None],
    ])
    grid, spill = live.block_grid(block)
    assert spill is True
    assert grid[0] == ["'=HYPERLINK(\"x\")", "'000063.SZ", "'1.94", ""]
    assert grid[1] == [2.5, True, 45558.0, "=PE(A2,B2)"]  # 2024-09-23 is serial 45558
    assert grid[2] == ["=PE(A1:A2,B1:B2)", "", "", ""]


def test_refresh_rewrites_owned_sheets_only_and_reports_changes(remote, built, data_copy,
                                                                 monkeypatch):
    # The analyst updates 300308.SZ's close price in the data file.
    path = data_copy / "coverage.csv"
    rows = list(csv.reader(path.open(encoding="utf-8")))
    header = rows[0]
    row = next(r for r in rows if r[0] == "300308.SZ")
    old_close = float(row[header.index("close")])
    eps_2025 = float(row[header.index("EPS 2025E")])
    row[header.index("close")] = "120.00"
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    monkeypatch.setenv("COVERBOOK_DATA", str(data_copy))

    book = open_book(built.path)
    message = refresh.main(book)

    done = actions(book)
    user_index = [s.name for s in book.sheets].index(USER_SHEET)
    assert all(a["sheet_position"] != user_index for a in done), "user sheet touched"
    written = {a["sheet_position"] for a in done if a["sheet_position"] is not None}
    names = [s.name for s in book.sheets]
    assert {names[i] for i in written} == set(OWNED)
    # One write per block, never cell by cell.
    sheets, _ = build_sheets(load_dataset(data_copy))
    n_blocks = sum(1 for s in sheets for b in s.blocks if b.height and b.width)
    writes = [a for a in done if a["func"] == "setFormula"]
    assert len(writes) == n_blocks
    assert sum(a["row_count"] * a["column_count"] for a in writes) == \
        sum(b.height * b.width for s in sheets for b in s.blocks if b.height and b.width)
    # The new close price is in the written values; P/E formulas are formulas.
    key = next(a for a in writes if a["sheet_position"] == names.index(OWNED[0])
               and any(r and r[0] == "'300308.SZ" for r in a["values"]))
    line = next(r for r in key["values"] if r[0] == "'300308.SZ")
    assert 120.0 in line
    assert any(isinstance(v, str) and v.startswith("=PE(") for r in key["values"] for v in r)
    # The change report names the stock, the column and old -> new values.
    assert f"300308.SZ P/E 2025E {old_close / eps_2025:.2f} \u2192 {120 / eps_2025:.2f}" \
        in message
    assert f"{old_close:.2f} \u2192 120.00" in message
    alerts = [a for a in done if a["func"] == "alert"]
    assert len(alerts) == 1 and alerts[0]["args"][3] == "info"


def test_invalid_data_changes_nothing_and_names_file_row_column(remote, built, data_copy,
                                                                  monkeypatch):
    path = data_copy / "coverage.csv"
    text = path.read_text(encoding="utf-8").replace("108.90", "abc", 1)
    path.write_text(text, encoding="utf-8")
    monkeypatch.setenv("COVERBOOK_DATA", str(data_copy))

    book = open_book(built.path)
    message = refresh.main(book)

    done = actions(book)
    assert [a["func"] for a in done] == ["alert"]
    assert done[0]["args"][3] == "critical"
    assert "coverage.csv:" in message and ":close:" in message
    assert "not changed" in message


def test_refresh_adds_a_missing_owned_sheet_at_the_end(remote, built):
    book = open_book(built.path)
    live.write_book(book, [Sheet("New owned", blocks=[Block(0, 0, [[value("x")]])])])
    assert [s.name for s in book.sheets][-1] == "New owned"
    assert [a["func"] for a in actions(book)][-2:] == ["sheetClear", "setFormula"]


def test_changes_labels_cells_by_row_and_header():
    sheet = Sheet("S")
    sheet.add(0, 0, [[value("代码", "header"), value("P/E 2025E", "header")],
                     [value("300308.SZ"), Cell(formula="=PE(1,2)", cached=11.87)]])
    lines = live.changes(sheet, {(0, 0): "代码", (0, 1): "P/E 2025E",
                                 (1, 0): "300308.SZ", (1, 1): 12.15})
    assert lines == ["S: 300308.SZ P/E 2025E 12.15 \u2192 11.87"]


# --- the add-in's buttons on an analyst's own workbook -----------------------------


def analyst_book():
    """A remote-engine book that is an analyst's own model: one sheet, no coverbook
    sheets, no xlwings.conf."""
    payload = {"client": "Microsoft Office Scripts", "version": xw.__version__,
               "book": {"name": "my model.xlsx", "active_sheet_index": 0, "selection": "A1"},
               "names": [], "sheets": [{"name": USER_SHEET, "values": [["EPS", 1.5]],
                                        "pictures": [], "tables": []}]}
    return xw.Book(json=payload)


def test_addin_refresh_adds_coverbooks_sheets_to_an_analysts_workbook(remote):
    from workbook.sheets import config

    book = analyst_book()
    message = refresh.main(book, add_config_sheet=False)

    names = [s.name for s in book.sheets]
    assert names == [USER_SHEET] + [n for n in OWNED if n != config.NAME]
    done = actions(book)
    assert all(a["sheet_position"] != 0 for a in done if a["func"] != "alert"), \
        "the analyst's sheet was touched"
    sheets, _ = build_sheets(load_dataset())
    n_blocks = sum(1 for s in sheets if s.name != config.NAME
                   for b in s.blocks if b.height and b.width)
    assert len([a for a in done if a["func"] == "setFormula"]) == n_blocks
    # Every value is new: the report lists them (row and column labels), capped.
    assert message.startswith("Refreshed: ") and "300308.SZ" in message
    assert [a["args"][3] for a in done if a["func"] == "alert"] == ["info"]


def test_addin_refresh_keeps_an_existing_config_sheet_current(remote, built):
    from workbook.sheets import config

    book = open_book(built.path)  # the standalone workbook, opened with the add-in
    refresh.main(book, add_config_sheet=False)
    names = [s.name for s in book.sheets]
    written = {names[a["sheet_position"]] for a in actions(book)
               if a["func"] == "setFormula"}
    assert config.NAME in written and USER_SHEET not in written


def test_check_data_lists_problems_and_changes_nothing(remote, data_copy, monkeypatch):
    path = data_copy / "coverage.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("108.90", "abc", 1),
                    encoding="utf-8")
    monkeypatch.setenv("COVERBOOK_DATA", str(data_copy))
    book = analyst_book()
    message = macros_check.main(book)
    assert [a["func"] for a in actions(book)] == ["alert"]
    assert actions(book)[0]["args"][3] == "critical"
    assert f"1 problem(s) in {data_copy} (COVERBOOK_DATA environment variable)" in message
    assert "coverage.csv:" in message and ":close:" in message


def test_check_data_on_valid_data(remote, monkeypatch):
    monkeypatch.delenv("COVERBOOK_DATA", raising=False)
    monkeypatch.setattr("workbook.locations.user_config_file",
                        lambda *a, **k: __import__("pathlib").Path("/nonexistent.conf"))
    book = analyst_book()
    message = macros_check.main(book)
    assert "(shipped data) is valid: 15 stocks, 4 models, 5 claims" in message
    assert actions(book)[0]["args"][3] == "info"


def test_status_shows_versions_and_data_folder(remote, data_copy, monkeypatch):
    import sys

    from workbook import __version__

    monkeypatch.setenv("COVERBOOK_DATA", str(data_copy))
    book = analyst_book()
    message = macros_status.main("0.37.8", book)
    lines = message.split("\n")
    assert lines[0].startswith("Python ") and lines[0].endswith(sys.executable)
    assert lines[1] == f"xlwings {xw.__version__} (Python package)"
    assert lines[2] == "xlwings 0.37.8 (add-in's VBA module): agrees"
    assert f"coverbook {__version__}" in lines
    assert f"data folder: {data_copy} (COVERBOOK_DATA environment variable)" in lines
    assert "DIFFERS" in macros_status.status_text("0.30.0")


def test_a_failure_is_one_line_without_a_traceback(remote, monkeypatch):
    def broken(*args, **kwargs):
        raise OSError(13, "Permission denied")

    monkeypatch.setattr(refresh, "refresh", broken)
    monkeypatch.setenv("COVERBOOK_DATA", str(__import__("workbook").DATA_DIR))
    book = analyst_book()
    message = refresh.main(book, add_config_sheet=False)
    assert message.startswith("Refresh failed: [Errno 13] Permission denied (PermissionError)")
    assert "Traceback" not in message and "coverbook doctor" in message
    assert [a["args"][3] for a in actions(book) if a["func"] == "alert"] == ["critical"]
