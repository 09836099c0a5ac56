"""Text comes through unchanged: Excel-saved encodings, leading zeros, and strings
that look like formulas (written as literal text, never as formulas).

Read back with python-calamine, pandas and openpyxl (not the writer), and in the
sheet XML itself.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from python_calamine import CalamineWorkbook

from workbook.build import build
from workbook.dataset import load_dataset
from workbook.sheets import key_stocks

EXCEL_DIR = Path(__file__).resolve().parent / "data" / "excel"
NAME_COL, CODE_COL = 1, 0  # columns of the key-stocks sheet (zero-based)
FIRST = key_stocks.FIRST_DATA_ROW


def sheet_rows(path, name=key_stocks.NAME):
    wb = CalamineWorkbook.from_path(str(path))
    return wb.get_sheet_by_name(name).to_python(skip_empty_area=False)


def pandas_table(path):
    """The key-stocks table as pandas reads it (header row 3, text kept as text)."""
    return pd.read_excel(path, sheet_name=key_stocks.NAME, header=key_stocks.HEADER_ROW,
                         engine="calamine")


def cell_xml(path, sheet_index, ref):
    """The ``<c r="REF" ...>...</c>`` element of a cell in the sheet XML."""
    with zipfile.ZipFile(path) as z:
        xml = z.read(f"xl/worksheets/sheet{sheet_index}.xml").decode("utf-8")
    match = re.search(rf'<c r="{ref}"[^>]*?(/>|>.*?</c>)', xml)
    assert match, ref
    return match.group(0)


# --- encodings --------------------------------------------------------------


@pytest.mark.parametrize("fixture", ["coverage_gbk.csv", "coverage_utf8_bom.csv"])
def test_excel_saved_coverage_builds_with_names_unchanged(fixture, data_copy, tmp_path):
    raw = (EXCEL_DIR / fixture).read_bytes()
    if fixture == "coverage_gbk.csv":
        with pytest.raises(UnicodeDecodeError):  # the fixture really is not UTF-8
            raw.decode("utf-8")
        assert "中兴通讯".encode("gbk") in raw and b"2024/9/23" in raw
    else:
        assert raw.startswith(b"\xef\xbb\xbf") and raw.split(b"\r\n")[0].endswith(b",,")
    shutil.copyfile(EXCEL_DIR / fixture, data_copy / "coverage.csv")
    out = tmp_path / "book.xlsm"
    result = build(data_copy, out)

    shipped = load_dataset().coverage.stocks
    assert [s.name for s in result.data.coverage.stocks] == [s.name for s in shipped]
    assert [s.close_date for s in result.data.coverage.stocks] == [s.close_date for s in shipped]
    assert [s.eps for s in result.data.coverage.stocks] == [s.eps for s in shipped]

    rows = sheet_rows(out)
    names = [r[NAME_COL] for r in rows[FIRST:FIRST + len(shipped)]]
    assert "中兴通讯" in names and names == [s.name for s in shipped]
    table = pandas_table(out)
    assert table["名称 Name"].iloc[:len(shipped)].tolist() == names
    assert result.ok  # the 60 P/E figures still agree with the report


# --- leading zeros ------------------------------------------------------------


def test_leading_zeros_stay_text_in_load_sheet_and_pandas(built):
    codes = [s.code for s in built.data.coverage.stocks]
    assert "000063.SZ" in codes and all(isinstance(c, str) for c in codes)
    i = codes.index("000063.SZ")
    row = FIRST + i

    ws = openpyxl.load_workbook(built.path)[key_stocks.NAME]
    cell = ws.cell(row=row + 1, column=CODE_COL + 1)
    assert (cell.value, cell.data_type, cell.number_format) == ("000063.SZ", "s", "@")
    xml = cell_xml(built.path, 1, f"A{row + 1}")
    # Text is stored in its cell (the writer's row-by-row mode): a string, no formula.
    assert 't="inlineStr"' in xml and "<t>000063.SZ</t>" in xml and "<f>" not in xml

    table = pandas_table(built.path)
    column = table["代码 Code"]
    assert column.iloc[i] == "000063.SZ"
    assert column.iloc[:len(codes)].tolist() == codes
    assert all(isinstance(v, str) for v in column.iloc[:len(codes)])

    as_text = pd.read_excel(built.path, sheet_name=key_stocks.NAME,
                            header=key_stocks.HEADER_ROW, engine="openpyxl")
    assert as_text["代码 Code"].iloc[i] == "000063.SZ"


# --- formula injection ------------------------------------------------------------

INJECTIONS = ['=HYPERLINK("http://example.invalid","x")', "+1", "-1", "@SUM(A1)",
              "=1+1", "=cmd|' /C calc'!A0"]


def _csv_field(text):
    return '"' + text.replace('"', '""') + '"'


def test_strings_that_look_like_formulas_are_written_as_literal_text(data_copy, tmp_path):
    path = data_copy / "coverage.csv"
    lines = path.read_text(encoding="utf-8").split("\n")
    for k, text in enumerate(INJECTIONS):  # the names of the first stocks
        fields = lines[1 + k].split(",")
        fields[1] = _csv_field(text)
        lines[1 + k] = ",".join(fields)
    path.write_text("\n".join(lines), encoding="utf-8")
    tp = data_copy / "token_prices.csv"
    tp.write_text(tp.read_text(encoding="utf-8").replace(",GPT-4o,", ",=2+2,", 1),
                  encoding="utf-8")
    out = tmp_path / "book.xlsm"
    result = build(data_copy, out)

    ws = openpyxl.load_workbook(out)[key_stocks.NAME]
    rows = sheet_rows(out)
    for k, text in enumerate(INJECTIONS):
        cell = ws.cell(row=FIRST + k + 1, column=NAME_COL + 1)
        assert (cell.value, cell.data_type) == (text, "s")
        xml = cell_xml(out, 1, f"B{FIRST + k + 1}")
        assert 't="inlineStr"' in xml and "<f>" not in xml
        assert rows[FIRST + k][NAME_COL] == text
    assert pandas_table(out)["名称 Name"].iloc[:len(INJECTIONS)].tolist() == INJECTIONS
    token_ws = openpyxl.load_workbook(out)["Token价格"]
    assert (token_ws["B5"].value, token_ws["B5"].data_type) == ("=2+2", "s")

    # Only the cells the sheet models declare as formulas are formulas in the file.
    wb = openpyxl.load_workbook(out)
    n_formulas = 0
    for sheet in result.sheets:
        declared = {(r, c) for r, c, cell in sheet.cells() if cell.is_formula}
        found = {(cell.row - 1, cell.column - 1) for row in wb[sheet.name].iter_rows()
                 for cell in row if cell.data_type == "f"}
        assert found == declared, sheet.name
        n_formulas += len(found)
    assert n_formulas == result.n_formulas > 0
