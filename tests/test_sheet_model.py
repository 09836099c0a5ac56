"""The sheet model's charts, data validations and input cells, written by the file
writer and read back by other readers (openpyxl for validations, the chart parts'
XML for charts), and the live writer's clearing around input cells."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
import xml.etree.ElementTree as ET

import openpyxl
import pytest

from workbook.model import (CHART_PREFIX, MAX_LIST_CHARS, Chart, Sheet, Validation, formula,
                            value)
from workbook.writers.live import complement
from workbook.writers.xlsx import write_workbook

C = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}


def test_a_literal_list_within_excels_limit_or_a_range():
    ok = tuple(f"m{i:03d}" for i in range(63))  # 63 x 4 + 62 commas = 314 > 255
    assert len(",".join(ok[:51])) == 254
    Validation(0, 0, 0, 0, "list", values=ok[:51])
    with pytest.raises(ValueError, match="more than Excel's 255 characters"):
        Validation(0, 0, 0, 0, "list", values=ok)
    assert MAX_LIST_CHARS == 255
    with pytest.raises(ValueError, match="comma"):
        Validation(0, 0, 0, 0, "list", values=("a,b",))
    with pytest.raises(ValueError, match="one row or one column"):
        Validation(0, 0, 0, 0, "list", source=(1, 1, 3, 2))
    with pytest.raises(ValueError, match="either values or a source"):
        Validation(0, 0, 0, 0, "list")
    with pytest.raises(ValueError, match="needs a minimum or a maximum"):
        Validation(0, 0, 0, 0, "whole")


def test_a_chart_is_named_as_coverbook_s():
    with pytest.raises(ValueError, match="must start with"):
        Chart("My chart", "line", "t", (0, 1, 3, 1), 0, (5, 0))
    with pytest.raises(ValueError, match="chart kind"):
        Chart(CHART_PREFIX + "x", "pie", "t", (0, 1, 3, 1), 0, (5, 0))


def _sheet() -> Sheet:
    sheet = Sheet("数据 Data")
    sheet.add(0, 0, [[value("date", "header"), value("a", "header"), value("b", "header")]]
              + [[value(dt.date(2024, 1, 1 + i), "date"), value(float(i)), value(2.0 * i)]
                 for i in range(4)])
    sheet.add_inputs(6, 1, [[value("a", "input_text")], [value(3, "input_int")]])
    sheet.add(6, 0, [[value("pick")], [value("count")]])
    sheet.add(9, 0, [[value("total"), formula("=SUM(B2:B5)", 6.0)]])
    sheet.validations += [
        Validation(6, 1, 6, 1, "list", source=(0, 1, 0, 2)),
        Validation(7, 1, 7, 1, "whole", minimum=0, maximum=10),
        Validation(8, 1, 8, 1, "list", values=("USD", "CNY")),
        Validation(8, 2, 8, 2, "date", minimum=dt.date(2024, 5, 13)),
    ]
    for kind in ("line", "column", "scatter"):
        sheet.charts.append(Chart(CHART_PREFIX + kind, kind, f"{kind} chart", (0, 1, 4, 2), 0,
                                  (12, 0), x_format="yyyy-mm", y_title="value"))
    return sheet


def test_the_file_writer_writes_validations_excel_reads(tmp_path):
    path = tmp_path / "v.xlsx"
    write_workbook(path, [_sheet()])
    ws = openpyxl.load_workbook(path)["数据 Data"]
    rules = {str(v.sqref): v for v in ws.data_validations.dataValidation}
    assert (rules["B7"].type, rules["B7"].formula1) == ("list", "$B$1:$C$1")
    # "between" is the schema's default operator: written as no attribute at all
    assert (rules["B8"].type, rules["B8"].operator, rules["B8"].formula1,
            rules["B8"].formula2) == ("whole", None, "0", "10")
    assert (rules["B9"].type, rules["B9"].formula1) == ("list", '"USD,CNY"')
    assert rules["C9"].type == "date" and rules["C9"].operator == "greaterThanOrEqual"
    assert float(rules["C9"].formula1) == (dt.date(2024, 5, 13) - dt.date(1899, 12, 30)).days
    # input cells are ordinary cells in the file, with their defaults
    assert (ws["B7"].value, ws["B8"].value) == ("a", 3)


def test_the_file_writer_writes_native_charts_over_sheet_ranges(tmp_path):
    path = tmp_path / "c.xlsx"
    write_workbook(path, [_sheet()])
    with zipfile.ZipFile(path) as z:
        charts = sorted(n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d\.xml", n))
        xml = [ET.fromstring(z.read(n)) for n in charts]
        drawing = z.read("xl/drawings/drawing1.xml").decode()
    assert len(xml) == 3
    line, column, scatter = xml
    assert line.find(".//c:lineChart", C) is not None
    assert column.find(".//c:barChart/c:barDir", C).get("val") == "col"
    assert scatter.find(".//c:scatterChart", C) is not None
    for chart in xml:
        series = chart.findall(".//c:ser", C)
        assert len(series) == 2  # one per value column
        refs = [f.text.replace("'", "") for f in series[1].findall(".//c:f", C)]
        assert "数据 Data!$C$1" in refs          # the name: the header cell
        assert "数据 Data!$A$2:$A$5" in refs     # categories / x values
        assert "数据 Data!$C$2:$C$5" in refs     # values
    titles = ["".join(t.text for t in chart.find("c:chart/c:title", C).iter()
                      if t.tag.endswith("}t")) for chart in xml]
    assert titles == ["line chart", "column chart", "scatter chart"]
    for kind in ("line", "column", "scatter"):
        assert f'name="{CHART_PREFIX}{kind}"' in drawing


def test_the_live_writer_clears_around_input_cells():
    # a 10 x 6 used range with inputs at B4:C9 clears four rectangles around them
    assert complement((0, 0, 9, 5), [(3, 1, 8, 2)]) == [
        (0, 0, 2, 5), (3, 0, 8, 0), (3, 3, 8, 5), (9, 0, 9, 5)]
    assert complement((0, 0, 9, 5), []) == [(0, 0, 9, 5)]
    # inputs beyond the used range are clipped; two holes side by side in one band
    assert complement((0, 0, 4, 5), [(2, 1, 2, 1), (2, 4, 20, 9)]) == [
        (0, 0, 1, 5), (2, 0, 2, 0), (2, 2, 2, 3), (3, 0, 4, 3)]
    # every cell of the area is cleared once or kept: nothing twice, nothing missed
    area, holes = (0, 0, 11, 7), [(1, 1, 3, 2), (2, 5, 6, 6), (9, 0, 11, 0)]
    cleared = [(r, c) for r0, c0, r1, c1 in complement(area, holes)
               for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)]
    kept = {(r, c) for r0, c0, r1, c1 in holes for r in range(r0, r1 + 1)
            for c in range(c0, c1 + 1)}
    assert len(cleared) == len(set(cleared))
    assert set(cleared) | kept == {(r, c) for r in range(12) for c in range(8)}
    assert not set(cleared) & kept


def test_input_cells_are_listed_by_the_model():
    assert _sheet().input_cells() == {(6, 1), (7, 1)}


def test_cached_column_reads_as_the_rows_of_a_one_column_spill():
    from workbook.model import CachedColumn, array_formula
    flat = [1.5, "NM", None, 2.0]
    column = CachedColumn(flat)
    assert column.values is flat  # kept, not copied
    assert len(column) == 4
    assert column[0] == [1.5] and column[-1] == [2.0] and column[1:3] == [["NM"], [None]]
    assert list(column) == [[1.5], ["NM"], [None], [2.0]]
    assert column == [[1.5], ["NM"], [None], [2.0]] == column
    assert column == CachedColumn([1.5, "NM", None, 2.0])
    assert column != [[1.5], ["NM"], [None]] and column != [[1.5, 0], ["NM"], [None], [2.0]]
    assert column != [[1.5], ["NM"], [None], [2.5]] and column != "1.5"
    cell = array_formula("=PE(C4:C7,F4:F7)", column, "pe")
    assert cell.spill == (4, 1) and cell.cached[3][0] == 2.0
    # The same cell as a list of rows gives the same spill.
    assert array_formula("=PE(C4:C7,F4:F7)", [[v] for v in flat], "pe") == cell
    with pytest.raises(ValueError, match="non-empty rectangle"):
        array_formula("=PE(C4:C4,F4:F4)", CachedColumn([]))


def test_cached_column_compares_exactly_as_its_list_of_rows():
    # A CachedColumn stands in for [[v] for v in values]: it must equal exactly what
    # that list of rows equals (no flat list of one-character texts, no tuple rows,
    # and a NaN row equal to itself as lists compare it).
    from workbook.model import CachedColumn
    nan = float("nan")
    for flat, other in [(["N", "M"], ["N", "M"]), ([1.5], [(1.5,)]), ([1.5], ([1.5],)),
                        ([nan], [[nan]]), ([1.5, "NM"], [[1.5], ["NM"]]), ([1.0], [[1]]),
                        ([1.5], [[1.5], [2.0]]), ([1.5], [[1.5, 0]])]:
        rows = [[v] for v in flat]
        assert (CachedColumn(flat) == other) is (rows == other), (flat, other)
        assert (other == CachedColumn(flat)) is (other == rows), (flat, other)
        assert (CachedColumn(flat) != other) is (rows != other), (flat, other)
