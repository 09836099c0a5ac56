"""The file writer writes row by row (XlsxWriter's ``constant_memory``): blocks in any
order, overlapping blocks and spill areas land where the model puts them, rows with
only a height keep it, text is inline, charts keep their cached data, and a failure
midway (a full disk) leaves nothing behind. Read back with openpyxl, python-calamine
and the chart XML."""

from __future__ import annotations

import errno
import re
import subprocess
import sys
import zipfile
import xml.etree.ElementTree as ET

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from workbook import DATA_DIR
from workbook.build import BuildError, build, sheet_stats
from workbook.model import CHART_PREFIX, Chart, ErrorValue, Sheet, array_formula, formula, value
from workbook.writers import xlsx_cells
from workbook.writers.xlsx import write_workbook

C = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}


def _scrambled() -> Sheet:
    """Blocks listed out of row order, overlapping, with spills crossing other blocks."""
    sheet = Sheet("乱序 Order")
    sheet.add(10, 0, [[value("late block")]])
    sheet.add(2, 1, [[array_formula("=SEQUENCE(4)", [[1.0], [2.0], [3.0], [4.0]], "int")]])
    sheet.add(0, 0, [[value("title", "title")]])
    sheet.add(3, 0, [[value("中文 text"), None, value("NM", "pe")],
                     [value(2.5), None, formula("=PE(1,0)", "n.a.", "pe")]])
    sheet.add(4, 3, [[formula("=1/0", ErrorValue("#DIV/0!"))]])
    sheet.add(1, 0, [[value("overwritten")]])
    sheet.add(1, 0, [[value("the later block wins")]])
    # a wide spill whose area a later block covers in part: the later block wins
    sheet.add(6, 0, [[array_formula("=X()", [[1.0, 2.0], [3.0, 4.0]])]])
    sheet.add(7, 1, [[value("over the spill")]])
    sheet.row_heights[8] = 30.0  # a row with a height and no cell
    return sheet


def test_cells_land_where_the_model_puts_them_in_any_block_order(tmp_path):
    path = tmp_path / "o.xlsx"
    sheet = _scrambled()
    stats = write_workbook(path, [sheet])
    assert stats == sheet_stats([sheet]) == (18, 4, 2)  # a spill area counts each cell
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("乱序 Order").to_python(
        skip_empty_area=False)
    got = {(r, c): v for r, row in enumerate(rows) for c, v in enumerate(row) if v != ""}
    assert got == {
        (0, 0): "title", (1, 0): "the later block wins",
        (2, 1): 1.0, (3, 1): 2.0, (4, 1): 3.0, (5, 1): 4.0,
        (3, 0): "中文 text", (3, 2): "NM", (4, 0): 2.5, (4, 2): "n.a.",
        (6, 0): 1.0, (6, 1): 2.0, (7, 0): 3.0, (7, 1): "over the spill",
        (10, 0): "late block"}
    ws = openpyxl.load_workbook(path)["乱序 Order"]
    assert ws["B3"].value.text == "=_xlfn.SEQUENCE(4)" and ws["B3"].value.ref == "B3:B6"
    assert ws["A7"].value.ref == "A7:B8"
    assert ws.row_dimensions[9].height == 30.0  # the row with only a height
    cached = openpyxl.load_workbook(path, data_only=True)["乱序 Order"]
    assert cached["D5"].value == "#DIV/0!"  # calamine reads a formula's error as ""
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
        assert "xl/sharedStrings.xml" not in z.namelist()
    assert '<c r="A4" t="inlineStr"><is><t>中文 text</t></is></c>' in xml
    # the text result of a formula stays a formula with a text cached value
    assert re.search(r'<c r="C5" s="\d+" t="str"><f>PE\(1,0\)</f><v>n\.a\.</v></c>', xml)
    assert re.search(r'<c r="D5" t="e"><f>1/0</f><v>#DIV/0!</v></c>', xml)
    rows_in_file = [int(r) for r in re.findall(r'<row r="(\d+)"', xml)]
    assert rows_in_file == sorted(rows_in_file) and len(set(rows_in_file)) == len(rows_in_file)


def test_two_writes_of_the_same_model_are_byte_identical(tmp_path):
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    write_workbook(a, [_scrambled()])
    write_workbook(b, [_scrambled()])
    assert a.read_bytes() == b.read_bytes()


def test_chart_caches_hold_every_point_including_the_last_row(tmp_path):
    sheet = Sheet("图 Chart")
    sheet.add(0, 0, [[value("x", "header"), value("P/E", "header")]])
    sheet.add(1, 0, [[value("a"), value(10.0)], [value("b"), formula("=PE(1,0)", "NM", "pe")],
                     [value("c"), value(12.0)], [value("d"), value(13.0)]])
    sheet.charts.append(Chart(CHART_PREFIX + "t", "column", "t", (0, 1, 4, 1), 0, (6, 0)))
    path = tmp_path / "c.xlsx"
    write_workbook(path, [sheet])
    with zipfile.ZipFile(path) as z:
        chart = ET.fromstring(z.read("xl/charts/chart1.xml"))
    values = chart.find(".//c:val//c:numCache", C)
    assert values.find("c:ptCount", C).get("val") == "4"
    points = {p.get("idx"): p.find("c:v", C).text for p in values.findall("c:pt", C)}
    # the text result "NM" is no point; the points after it keep their places
    assert points == {"0": "10", "2": "12", "3": "13"}
    names = chart.find(".//c:cat//c:strCache", C)
    assert [p.find("c:v", C).text for p in names.findall("c:pt", C)] == ["a", "b", "c", "d"]


def test_a_full_disk_while_rows_are_written_is_a_message_and_leaves_nothing(tmp_path,
                                                                            monkeypatch):
    out = tmp_path / "out" / "book.xlsm"
    build(DATA_DIR, out)
    before = out.read_bytes()
    calls = {"n": 0}
    real = xlsx_cells.Worksheet._write_single_row

    def full(self, current_row_num=0):
        calls["n"] += 1
        if calls["n"] > 5:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(self, current_row_num)

    monkeypatch.setattr(xlsx_cells.Worksheet, "_write_single_row", full)
    with pytest.raises(BuildError, match="No space left on device.*previous file is unchanged"):
        build(DATA_DIR, out)
    assert out.read_bytes() == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["book.xlsm"]  # no temp folder


def test_a_full_disk_in_a_real_process_prints_no_traceback(tmp_path):
    # The same failure in a whole process: stderr holds the message only (no
    # "Exception ignored" from a file XlsxWriter left open).
    out = tmp_path / "book.xlsm"
    script = (
        "import errno, sys\n"
        "from workbook.writers import xlsx_cells\n"
        "real = xlsx_cells.Worksheet._write_single_row\n"
        "n = [0]\n"
        "def full(self, current_row_num=0):\n"
        "    n[0] += 1\n"
        "    if n[0] > 5:\n"
        "        raise OSError(errno.ENOSPC, 'No space left on device')\n"
        "    real(self, current_row_num)\n"
        "xlsx_cells.Worksheet._write_single_row = full\n"
        "from workbook.cli import main\n"
        f"sys.argv = ['coverbook', 'build', '--output', {str(out)!r}]\n"
        "main()\n")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert proc.returncode != 0
    assert "No space left on device" in proc.stderr
    assert "Traceback" not in proc.stderr and "Exception ignored" not in proc.stderr
    assert list(tmp_path.iterdir()) == []
