"""The file writer renders every attribute of the sheet model (issue 20 item 10): the
every-attribute sheet (``tests/every_attribute.py``) and a sheet of defaults written
with XlsxWriter, read back with openpyxl and from the zip's drawing and chart XML, one
check per field (``FILE_CHECKS``)."""

from __future__ import annotations

import re
import zipfile
import xml.etree.ElementTree as ET
from types import SimpleNamespace

import openpyxl
import pytest

from helpers.every_attribute import NAME, all_fields, every_attribute, failures
from workbook.model import Sheet, value
from workbook.writers.xlsx import write_workbook

C = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}


@pytest.fixture
def written(tmp_path, every_style):
    """The every-attribute sheet and a sheet of defaults written by the file writer:
    ``(sheet, defaults sheet, cached values sheet, charts XML, drawing XML)``."""
    path = tmp_path / "every.xlsx"
    defaults_sheet = Sheet("Defaults")
    defaults_sheet.add(0, 0, [[value("Defaults", "title")]])
    write_workbook(path, [every_attribute(), defaults_sheet])
    book = openpyxl.load_workbook(path)
    cached = openpyxl.load_workbook(path, data_only=True)[NAME]
    with zipfile.ZipFile(path) as z:
        charts = [ET.fromstring(z.read(n)) for n in sorted(
            n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n))]
        drawing = ET.fromstring(z.read("xl/drawings/drawing1.xml"))
    return SimpleNamespace(ws=book[NAME], dflt=book["Defaults"], cached=cached,
                           charts=charts, drawing=drawing, names=book.sheetnames)


def _refs(chart) -> list[str]:
    return [f.text.split("!")[1] for f in chart.iter(f"{{{C['c']}}}f")]


def _text(node) -> str:
    return "".join(t.text or "" for t in node.iter() if t.tag.endswith("}t"))


def _anchors(drawing) -> list[tuple[tuple[int, ...], tuple[int, ...], str]]:
    """``(from (col, colOff, row, rowOff), to (...), name)`` of each drawn chart."""
    out = []
    for anchor in drawing:
        ends = [tuple(int(anchor.find(end)[i].text) for i in range(4))
                for end in ("{*}from", "{*}to")]
        name = next(e.get("name") for e in anchor.iter() if e.tag.endswith("}cNvPr"))
        out.append((ends[0], ends[1], name))
    return out


def _validations(ws) -> dict[str, object]:
    return {str(v.sqref): v for v in ws.data_validations.dataValidation}


#: Excel stores a column width of n characters as n plus 5 pixels of padding at 7
#: pixels per character (Calibri 11), cut to 1/256: 12 -> 12.7109375, 10 -> 10.7109375.
FILE_CHECKS = {
    "Sheet.name": lambda w: NAME in w.names,
    "Sheet.blocks": lambda w: w.ws["A3"].value == "300308.SZ",
    "Sheet.col_widths": lambda w: (w.ws.column_dimensions["A"].width,
                                   w.ws.column_dimensions["B"].width) == (12.7109375, 10.7109375),
    "Sheet.row_heights": lambda w: w.ws.row_dimensions[2].height == 33.0,
    "Sheet.freeze": lambda w: w.ws.freeze_panes == "B3" and w.dflt.freeze_panes is None,
    "Sheet.page": lambda w: int(w.ws.page_setup.paperSize) == 1,
    # Not the file writer's: the values-only transform leaves the sheet out.
    "Sheet.published": lambda w: NAME in w.names,
    "Sheet.validations": lambda w: len(w.ws.data_validations.dataValidation) == 5,
    "Sheet.charts": lambda w: len(w.charts) == 2,
    "Sheet.borders": lambda w: w.ws["B3"].border.left.style == "thin",
    "Sheet.conditional_formats": lambda w: [str(cf.sqref) for cf in
                                            w.ws.conditional_formatting] == ["B3:B5"],
    "Sheet.autofilter": lambda w: w.ws.auto_filter.ref == "A2:C5",
    "Sheet.merged": lambda w: [str(r) for r in w.ws.merged_cells.ranges] == ["A1:C1"],
    "Block.row": lambda w: w.ws["A2"].value == "Ticker" and w.ws["A1"].value == NAME,
    "Block.col": lambda w: w.ws["D3"].value is None and w.ws["E3"].value is not None,
    "Block.rows": lambda w: [w.ws.cell(5, c).value for c in (1, 2, 3)] == [
        "000063.SZ", 130.25, "=B5*2"],
    "Block.input": lambda w: w.ws["A8"].value == 5,  # the default, written
    "Cell.value": lambda w: w.ws["B4"].value == 120.5,
    "Cell.formula": lambda w: w.ws["C3"].value == "=B3*2",
    "Cell.cached": lambda w: w.cached["C3"].value == 217.8,
    "Cell.style": lambda w: w.ws["B3"].number_format == "0.00",
    "Cell.spill": lambda w: w.ws["E3"].value.ref == "E3:E5" and w.cached["E5"].value == 390.75,
    "Style.num_format": lambda w: w.ws["C3"].number_format == "0.000",
    "Style.bold": lambda w: w.ws["C3"].font.b is True,
    "Style.italic": lambda w: w.ws["C3"].font.i is True,
    "Style.fill": lambda w: (w.ws["C3"].fill.fill_type, w.ws["C3"].fill.fgColor.rgb) == (
        "solid", "FF123456"),
    "Style.wrap": lambda w: w.ws["C3"].alignment.wrap_text is True,
    "Style.align": lambda w: w.ws["C3"].alignment.horizontal == "center",
    # Excel's paper sizes: 1 Letter, 9 A4 (the defaults sheet).
    "PrintSetup.paper": lambda w: (int(w.ws.page_setup.paperSize),
                                   int(w.dflt.page_setup.paperSize)) == (1, 9),
    "PrintSetup.landscape": lambda w: (w.ws.page_setup.orientation,
                                       w.dflt.page_setup.orientation) == ("portrait",
                                                                          "landscape"),
    "PrintSetup.repeat_rows": lambda w: w.ws.print_title_rows == "$2:$2",
    "PrintSetup.page_numbers": lambda w: (
        w.ws.oddFooter.center.text is None and
        (w.dflt.oddFooter.left.text, w.dflt.oddFooter.center.text) == ("&A", "&P / &N")),
    # Break after Excel's row 10: the zero-based row 10 (Excel's 11) starts a page.
    "PrintSetup.row_breaks": lambda w: [b.id for b in w.ws.row_breaks.brk] == [10],
    "Chart.name": lambda w: [a[2] for a in _anchors(w.drawing)] == ["coverbook xy",
                                                                     "coverbook rows"],
    "Chart.kind": lambda w: (w.charts[0].find(".//c:scatterChart", C) is not None and
                             w.charts[1].find(".//c:barChart/c:barDir", C).get("val") == "col"),
    "Chart.title": lambda w: _text(w.charts[0].find("c:chart/c:title", C)) == "Double by close",
    "Chart.data": lambda w: "$C$2" in _refs(w.charts[0]) and "$C$3:$C$5" in _refs(w.charts[0]),
    "Chart.categories_col": lambda w: "$B$3:$B$5" in _refs(w.charts[0]),
    "Chart.anchor": lambda w: [a[0] for a in _anchors(w.drawing)] == [(4, 0, 10, 0),
                                                                      (4, 0, 27, 0)],
    # 480 x 240 points are 640 x 320 pixels at 96 dpi: 10 columns of Excel's default 64
    # pixels and 16 rows of its default 20.
    "Chart.size": lambda w: _anchors(w.drawing)[0][1] == (14, 0, 26, 0),
    "Chart.x_title": lambda w: _text(w.charts[0].findall(".//c:valAx", C)[0]
                                     .find("c:title", C)) == "Close",
    "Chart.y_title": lambda w: _text(w.charts[0].findall(".//c:valAx", C)[1]
                                     .find("c:title", C)) == "Double",
    "Chart.x_format": lambda w: w.charts[0].findall(".//c:valAx", C)[0].find(
        "c:numFmt", C).get("formatCode") == "0.0",
    "Chart.y_format": lambda w: w.charts[0].findall(".//c:valAx", C)[1].find(
        "c:numFmt", C).get("formatCode") == "0.00",
    "Chart.x_min": lambda w: float(w.charts[0].findall(".//c:valAx", C)[0].find(
        "c:scaling/c:min", C).get("val")) == 100.0,
    "Chart.x_max": lambda w: float(w.charts[0].findall(".//c:valAx", C)[0].find(
        "c:scaling/c:max", C).get("val")) == 140.0,
    "Chart.by_rows": lambda w: [r for r in _refs(w.charts[1]) if r.startswith("$A")] == [
        "$A$3", "$A$4", "$A$5"] and "$B$3:$C$3" in _refs(w.charts[1]),
    "Chart.categories_row": lambda w: "$B$2:$C$2" in _refs(w.charts[1]),
    "Validation.first_row": lambda w: "D3:D5" in _validations(w.ws),
    "Validation.first_col": lambda w: "D3:D5" in _validations(w.ws),
    "Validation.last_row": lambda w: "D3:D5" in _validations(w.ws),
    "Validation.last_col": lambda w: "D3:D5" in _validations(w.ws),
    "Validation.kind": lambda w: [_validations(w.ws)[r].type for r in
                                  ("D3:D5", "B8", "A8", "C8", "D8")] == [
        "list", "list", "decimal", "date", "whole"],
    "Validation.values": lambda w: _validations(w.ws)["D3:D5"].formula1 == '"买入,持有"',
    "Validation.source": lambda w: _validations(w.ws)["B8"].formula1 == "$B$9:$C$9",
    # 2024-01-02 is Excel's serial 45293 (days since 1899-12-30).
    "Validation.minimum": lambda w: (_validations(w.ws)["A8"].formula1,
                                     _validations(w.ws)["C8"].formula1) == ("0", "45293"),
    "Validation.maximum": lambda w: (_validations(w.ws)["A8"].formula2,
                                     _validations(w.ws)["D8"].formula1) == ("100", "10"),
}


def _rule(w):
    return next(iter(w.ws.conditional_formatting)).rules[0]


FILE_CHECKS.update({
    "ConditionalFormat.first_row": lambda w: FILE_CHECKS["Sheet.conditional_formats"](w),
    "ConditionalFormat.first_col": lambda w: FILE_CHECKS["Sheet.conditional_formats"](w),
    "ConditionalFormat.last_row": lambda w: FILE_CHECKS["Sheet.conditional_formats"](w),
    "ConditionalFormat.last_col": lambda w: FILE_CHECKS["Sheet.conditional_formats"](w),
    "ConditionalFormat.formula": lambda w: _rule(w).formula == ["B3>120"],
    "ConditionalFormat.fill": lambda w: _rule(w).dxf.fill.bgColor.rgb == "FFFFC7CE",
    "ConditionalFormat.font_color": lambda w: _rule(w).dxf.font.color.rgb == "FF9C0006",
    "ConditionalFormat.bold": lambda w: _rule(w).dxf.font.b is True,
    "Borders.first_row": lambda w: (w.ws["B2"].border.top.style == "thin" and
                                    w.ws["B1"].border.bottom.style is None),
    "Borders.first_col": lambda w: (w.ws["A3"].border.left.style == "thin" and
                                    w.ws["A3"].border.left.color.rgb == "FFA6A6A6"),
    "Borders.last_row": lambda w: (w.ws["B5"].border.bottom.style == "thin" and
                                   w.ws["B6"].border.top.style is None),
    "Borders.last_col": lambda w: (w.ws["C3"].border.right.style == "thin" and
                                   w.ws["D3"].border.left.style is None),
})


def test_every_field_has_a_file_check():
    assert set(FILE_CHECKS) == all_fields()


def test_the_file_writer_renders_every_field(written):
    assert failures(FILE_CHECKS, written) == []
