"""The report's printed figures, recomputed by the built workbook."""

from __future__ import annotations

import csv
import re

import openpyxl
import pytest
from openpyxl.worksheet.formula import ArrayFormula
from python_calamine import CalamineWorkbook

from helpers.build_cli import cli_build
from helpers.data_files import edit
from workbook import DATA_DIR
from workbook.build import build
from workbook.model import ErrorValue
from workbook.sheets.key_stocks import average

KEY = "重点标的"

# A few of the report's printed P/E values, typed here from the report itself, so
# that the reference file cannot drift together with the code.
SPOT_CHECKS = {
    ("300308.SZ", "2023A"): 56.13,
    ("688498.SH", "2023A"): 377.09,
    ("688498.SH", "2024E"): 147.00,
    ("000063.SZ", "2026E"): 9.54,
    ("300738.SZ", "2026E"): 22.53,
}


def report_pe():
    with open(DATA_DIR / "report_pe.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    return {(r["code"], col.split()[1]): float(v)
            for r in rows for col, v in r.items() if col != "code"}


def key_table(calamine_sheets):
    rows = calamine_sheets[KEY]
    header_index = next(i for i, r in enumerate(rows) if r and r[0] == "代码 Code")
    header = rows[header_index]
    data = [r for r in rows[header_index + 1:] if r[0] and re.match(r"^\d{6}\.", str(r[0]))]
    return header, data, header_index


def test_reference_grid_is_the_reports():
    grid = report_pe()
    assert len(grid) == 60
    for key, printed in SPOT_CHECKS.items():
        assert grid[key] == printed


def test_all_60_pe_cells_match_the_report(calamine_sheets):
    header, data, _ = key_table(calamine_sheets)
    grid = report_pe()
    seen = 0
    for row in data:
        for col, title in enumerate(header):
            if title.startswith("P/E "):
                printed = grid[(row[0], title.split()[1])]
                assert isinstance(row[col], float), (row[0], title, row[col])
                assert row[col] == pytest.approx(printed, abs=0.005 + 1e-9), (row[0], title)
                seen += 1
    assert seen == 60


def test_codes_stay_text_with_leading_zeros(calamine_sheets):
    _, data, _ = key_table(calamine_sheets)
    codes = [r[0] for r in data]
    assert "000063.SZ" in codes and "002463.SZ" in codes
    assert len(codes) == 15 and all(isinstance(c, str) for c in codes)


def test_pe_formulas_point_at_their_own_row_and_year(formulas_wb, layout):
    ws = formulas_wb[KEY]
    header_row = next(r for r in range(1, 10) if ws.cell(r, 1).value == "代码 Code")
    headers = {c: ws.cell(header_row, c).value for c in range(1, ws.max_column + 1)}
    close_col = next(c for c, h in headers.items() if h and h.startswith("收盘价"))
    eps_cols = {h.split()[1]: c for c, h in headers.items() if h and h.startswith("EPS ")}
    first, last = header_row + 1, header_row + 15
    checked = 0
    for c, h in headers.items():
        if not (h and h.startswith("P/E ")):
            continue
        close_letter = ws.cell(1, close_col).column_letter
        eps_letter = ws.cell(1, eps_cols[h.split()[1]]).column_letter
        if layout == "array":
            # One spilled formula per year column: the whole close and EPS columns.
            anchor = ws.cell(first, c).value
            assert isinstance(anchor, ArrayFormula), anchor
            letter = ws.cell(1, c).column_letter
            assert anchor.ref == f"{letter}{first}:{letter}{last}"
            assert anchor.text == (f"=PE({close_letter}{first}:{close_letter}{last},"
                                   f"{eps_letter}{first}:{eps_letter}{last})")
            # The spilled cells hold values only (Excel stores them so).
            assert all(not isinstance(ws.cell(r, c).value, (str, ArrayFormula))
                       for r in range(first + 1, last + 1))
            checked += last - first + 1
            continue
        for r in range(first, last + 1):
            f = ws.cell(r, c).value
            m = re.fullmatch(r"=PE\(([A-Z]+)(\d+),([A-Z]+)(\d+)\)", f)
            assert m, f
            assert (m.group(1), int(m.group(2))) == (close_letter, r)
            assert (m.group(3), int(m.group(4))) == (eps_letter, r)
            checked += 1
    assert checked == 60


def test_pandas_reads_the_cached_pe(built):
    import pandas as pd

    df = pd.read_excel(built.path, sheet_name=KEY, header=2, dtype={"代码 Code": str},
                       engine="calamine")
    row = df[df["代码 Code"] == "000063.SZ"].iloc[0]
    assert row["名称 Name"] == "中兴通讯"
    assert row["P/E 2023A"] == pytest.approx(12.77, abs=0.005)
    assert row["P/E 2026E"] == pytest.approx(9.54, abs=0.005)


def test_mean_row_is_the_average_of_the_pe_column(calamine_sheets):
    header, data, start = key_table(calamine_sheets)
    rows = calamine_sheets[KEY]
    col = header.index("P/E 2023A")
    mean_row = rows[start + 1 + len(data)]
    values = [r[col] for r in data]
    assert mean_row[col] == pytest.approx(sum(values) / len(values))


def test_checks_sheet_shows_every_figure_passing(calamine_sheets):
    rows = calamine_sheets["核对"]
    results = [r for r in rows if r and r[0] in ("P/E", "claim")]
    assert len([r for r in results if r[0] == "P/E"]) == 60
    claims = [r for r in results if r[0] == "claim"]
    assert len(claims) == 5
    assert all(r[5] == "PASS" for r in results)
    by_id = {r[1].split(":")[0]: (r[2], r[3]) for r in claims}
    assert by_id["o1p-input-vs-4o"] == (3, pytest.approx(3.0))
    assert by_id["o1p-output-vs-4o"] == (4, pytest.approx(4.0))
    assert by_id["o1m-input-vs-4omini"][1] == pytest.approx(20.0)
    assert by_id["o1m-output-vs-4omini"][1] == pytest.approx(20.0)
    assert by_id["o1m-cheaper-than-o1p"][1] == pytest.approx(0.80)


def test_every_formula_cell_has_a_cached_value(formulas_wb, cached_wb):
    # xlwings.conf's PYTHONPATH is the workbook's location, known only where Excel
    # opens the file: its cached value is deliberately empty (no build-machine path).
    empty_ok = {("xlwings.conf", "B2")}
    for ws in formulas_wb.worksheets:
        cached = cached_wb[ws.title]
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    v = cached[cell.coordinate].value
                    assert v is not None or (ws.title, cell.coordinate) in empty_ok, (
                        ws.title, cell.coordinate, cell.value)


def test_mean_row_follows_excels_average():
    assert average([10.0, "NM", "n.a.", 20.0]) == 15.0
    # A UDF's error result is text, in live Excel and in the file: AVERAGE skips it.
    assert average([10.0, "#NUM!", 20.0]) == 15.0
    assert average(["NM", "n.a."]) == ErrorValue("#DIV/0!")
    assert average([1.5e308, 1.5e308]) == ErrorValue("#NUM!")  # the sum overflows


def test_an_overflowing_pe_is_error_text_that_the_mean_skips(data_copy, tmp_path):
    edit(data_copy, "coverage.csv", "108.90,2024-09-23,买入,1.94,",
         "108.90,2024-09-23,买入,1e-310,")
    out = build(data_copy, tmp_path / "b.xlsm").path
    ws = openpyxl.load_workbook(out, data_only=True)["重点标的"]
    header = [c.value for c in ws[3]]
    col = header.index("P/E 2023A") + 1
    p_e = ws.cell(4, col)  # 108.90 / 1e-310 overflows
    assert (p_e.value, p_e.data_type) == ("#NUM!", "s")  # text, as xlwings returns it
    # The mean of the other 14 stocks' P/E 2023A, from the data file.
    with open(data_copy / "coverage.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))[1:]
    others = [float(r["close"]) / float(r["EPS 2023A"]) for r in rows]
    assert ws.cell(19, col).value == pytest.approx(sum(others) / len(others), rel=1e-12)
    calamine = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("重点标的").to_python()
    assert calamine[3][col - 1] == "#NUM!"  # not "" (calamine reads error cells as "")


def test_a_zero_price_fails_the_saving_claim_instead_of_crashing(data_copy, tmp_path):
    edit(data_copy, "token_prices.csv", "o1-preview,OpenAI o1-preview,2024-09-12,15.00,,60.00,",
         "o1-preview,OpenAI o1-preview,2024-09-12,0,,0,")
    result = cli_build(data_copy, tmp_path / "b.xlsm")
    assert result.exit_code == 1, result.output
    assert "FAIL o1m-cheaper-than-o1p" in result.stderr and "#DIV/0!" in result.stderr
