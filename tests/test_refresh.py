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

import xlwings as xw

import macros.check as macros_check
import macros.refresh as refresh
import macros.status as macros_status
from helpers.remote_book import CLIENT, USER_SHEET, actions, open_book, recorded_cell
from workbook.dataset import load_dataset
from workbook.model import Block, Cell, Sheet, array_formula, formula, value
from workbook.sheets import OWNED, build_sheets
from workbook.writers import live


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
    # One write per block, never cell by cell; input blocks whose cells all hold
    # something (here: the built defaults) are not written at all.
    # The built file's xlwings.conf records its data folder; Refresh writes it back.
    sheets, _ = build_sheets(load_dataset(data_copy), recorded=recorded_cell(built.path),
                             python_path=False)  # built outside the checkout: no row
    blocks = [b for s in sheets for b in s.blocks if b.height and b.width and not b.input]
    writes = [a for a in done if a["func"] == "setFormula"]
    assert len(writes) == len(blocks)
    assert sum(a["row_count"] * a["column_count"] for a in writes) == \
        sum(b.height * b.width for b in blocks)
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
    payload = {"client": CLIENT, "version": xw.__version__,
               "book": {"name": "my model.xlsx", "active_sheet_index": 0, "selection": "A1"},
               "names": [], "sheets": [{"name": USER_SHEET, "values": [["EPS", 1.5]],
                                        "pictures": [], "tables": [], "charts": []}]}
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
    # A new sheet: every block is written, input blocks (empty so far) included.
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
    assert "(shipped data) is valid: 15 stocks, 13 models, 5 claims" in message
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


# --- input cells, validations and charts -------------------------------------------


def _covers(action, row, col):
    """Whether a range action of the remote engine covers the zero-based cell."""
    r0, c0 = action.get("start_row"), action.get("start_column")
    if r0 is None:
        return False
    return (r0 <= row < r0 + action["row_count"] and c0 <= col < c0 + action["column_count"])


def test_refresh_keeps_what_was_typed_in_input_cells_and_prices_with_it(remote, built):
    from workbook.sheets import token_scenarios as ts

    book = open_book(built.path)
    sheet_api = next(s for s in book.api["sheets"] if s["name"] == ts.NAME)
    values = sheet_api["values"]
    values[ts.DATE_CELL[0]][ts.DATE_CELL[1]] = 45717.0  # typed 2025-03-01 (a serial)
    values[ts.CUSTOM_ROW][ts.INPUT_TOKENS] = 3000.0
    values[ts.CURRENCY_CELL[0]][ts.CURRENCY_CELL[1]] = ""  # deleted by the analyst
    lines = refresh.refresh(book, load_dataset())

    position = [s.name for s in book.sheets].index(ts.NAME)
    done = [a for a in actions(book) if a["sheet_position"] == position]
    kept = [ts.DATE_CELL, ts.BENCHMARK_CELL] + [(ts.CUSTOM_ROW, c) for c in range(1, 5)]
    for cell in kept:
        touching = [a["func"] for a in done if a["func"] in ("setFormula", "rangeClear",
                                                               "sheetClear")
                    and _covers(a, *cell)]
        assert touching == [], (cell, touching)
    # the emptied input cell gets its default back, in one write of that cell
    writes = [a for a in done if a["func"] == "setFormula" and _covers(a, *ts.CURRENCY_CELL)]
    assert [(w["row_count"], w["column_count"], w["values"]) for w in writes] == \
        [(1, 1, [["'USD"]])]
    # the values written are computed with the typed date: o1-mini on 2025-03-01
    # (1.10 input, 4.40 output), chat turn 1,500 input, 400 + 800 reasoning output
    new = (1_500 * 1.10 + 1_200 * 4.40) / 1e6
    assert f"Token场景: o1-mini 每任务 Cost per task 0.02 \u2192 {new:.6g}" in lines
    # the typed custom workload: gpt-4o that day, 3,000 input half cached, 2,000 output
    gpt = (1_500 * 2.50 + 1_500 * 1.25 + 2_000 * 10.00) / 1e6
    assert f"Token场景: gpt-4o 每任务 Cost per task 0.08 \u2192 {gpt:.2f}" in lines
    # no input cell is reported as changed, the emptied one excepted
    assert not [line for line in lines if "日期 Date" in line or "Benchmark" in line]


def test_refresh_sets_the_validations_of_the_model(remote, built):
    from workbook.sheets import token_scenarios as ts

    book = open_book(built.path)
    refresh.refresh(book, load_dataset())
    position = [s.name for s in book.sheets].index(ts.NAME)
    done = [a for a in actions(book) if a["sheet_position"] == position]
    funcs = [a["func"] for a in done if "DataValidation" in a["func"]]
    assert funcs[0] == "deleteDataValidation"  # the old rules go first
    rules = {(a["start_row"], a["start_column"]): a["args"] for a in done
             if a["func"] in ("setDataValidationList", "setDataValidationRule")}
    assert rules[ts.CURRENCY_CELL] == [{"type": "literal", "values": ["USD", "CNY", "HKD"]}, True]
    source = rules[ts.BENCHMARK_CELL][0]
    assert source["type"] == "range" and source["column_count"] == 1
    assert source["row_count"] == len(load_dataset().prices.models)
    assert rules[ts.DATE_CELL][0]["formula1"] == "=DATE(2024,5,13)"
    assert rules[(ts.CUSTOM_ROW, ts.CACHED_SHARE)][0] == {
        "type": "decimal", "operator": "between", "formula1": "=0", "formula2": "=1"}


def test_refresh_recreates_the_owned_chart_over_the_grown_table(remote, built, data_copy):
    from workbook.sheets import token_prices as tp

    # A new model with a new price date: one more series, two more step rows, one more
    # history row (everything below it one row lower).
    path = data_copy / "token_prices.csv"
    path.write_text(path.read_text(encoding="utf-8") + "gpt-5,GPT-5,2025-08-07,1.25,0.125,"
                    "10.00,USD,yes,400000,2024-09,test row\n", encoding="utf-8")
    book = open_book(built.path)
    position = [s.name for s in book.sheets].index(tp.NAME)
    sheet_api = book.api["sheets"][position]
    sheet_api["charts"].append({"name": "My own chart", "chart_type": "Line", "left": 0,
                                "top": 0, "width": 100, "height": 100})
    before = [c["name"] for c in sheet_api["charts"]]
    assert before == ["coverbook input and output price per model",
                      "coverbook output price steps", "My own chart"]
    refresh.refresh(book, load_dataset(data_copy))

    done = [a for a in actions(book) if a["sheet_position"] == position]
    # coverbook's two charts go, the last first (the remote engine deletes by index)
    assert [a["args"] for a in done if a["func"] == "deleteChart"] == [[1], [0]]
    added = [a["args"] for a in done if a["func"] == "addChart"]
    assert len(added) == 2
    assert [a[:3] for a in added] == [
        ["coverbook input and output price per model", "ColumnClustered", tp.NAME],
        ["coverbook output price steps", "XYScatterLinesNoMarkers", tp.NAME]]
    # the price chart: the USD input and output columns (H:I) of the prices table on
    # the as-of date, header row 4 and 5 models (gpt-5 is priced from 2025-08-07 only)
    assert added[0][3] == "$H$4:$I$9"
    # the steps: shipped header row 119, values B120:N168 (13 models); now 14 models
    # (to O), the history one row longer and the 2025-08-07 step two rows: B120:O171
    assert added[1][3] == "$B$120:$O$171"
    x_values = [a["args"] for a in done if a["func"] == "setChartXAxisValues"]
    assert x_values == [[1, tp.NAME, "$A$5:$A$9"], [2, tp.NAME, "$A$121:$A$171"]]
    assert [c["name"] for c in book.sheets[position].api["charts"]] == \
        ["My own chart", "coverbook input and output price per model",
         "coverbook output price steps"]
