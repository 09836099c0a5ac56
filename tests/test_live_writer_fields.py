"""The live writer (Refresh) renders every attribute of the sheet model (issue 20 item
10): the every-attribute sheet (``tests/every_attribute.py``) written on xlwings'
remote engine (the actions an Office.js client would carry out) and, for what that
engine has no call for (print setup; frozen panes where xlwings has none), on a
recording stand-in for Excel's COM objects; one check per field (``LIVE_CHECKS``).
What a stand-in cannot show, Excel's own answer to those COM calls, stays unproven
here (docs/developers.md)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import xlwings as xw

from helpers.every_attribute import NAME, all_fields, every_attribute, failures
from workbook.model import PrintSetup
from workbook.writers import live
from workbook.writers.live_layout import write_freeze, write_page_setup


class _ComSheet:
    """A stand-in for an ``xlwings.Sheet`` on Windows: ``freeze_panes`` raises as
    xlwings' Windows engine does, and ``api``, ``page_setup.api`` and the app's
    ``ActiveWindow`` record what is set on them, as Excel's COM objects would take it."""

    def __init__(self, log: list[str]):
        self.log = log
        self.page = SimpleNamespace(PaperSize=None)
        self.page_setup = SimpleNamespace(api=self.page)
        self.breaks: list = []
        self.api = SimpleNamespace(ResetAllPageBreaks=self.breaks.clear,
                                   HPageBreaks=SimpleNamespace(Add=self.breaks.append))
        self.window = SimpleNamespace()
        other = SimpleNamespace(activate=lambda: log.append("activate the analyst's sheet"))
        self.book = SimpleNamespace(app=SimpleNamespace(api=SimpleNamespace(
            ActiveWindow=self.window)), sheets=SimpleNamespace(active=other))

    @property
    def freeze_panes(self):
        raise NotImplementedError()

    def activate(self):
        self.log.append("activate")

    def range(self, cell):
        return SimpleNamespace(api=("range",) + tuple(cell))


@pytest.fixture
def refreshed(remote, every_style):
    """The every-attribute sheet written by the live writer into a remote-engine book
    whose A8 (an input cell) holds 7, typed by the analyst; and the print setup and
    frozen panes it sets through Excel's COM objects (``com``; ``com_default``: a
    default PrintSetup)."""
    values = [[None] * 5 for _ in range(9)]
    values[7][0] = 7.0
    payload = {"client": "Office.js", "version": xw.__version__,
               "book": {"name": "every.xlsm", "active_sheet_index": 0, "selection": "A1"},
               "names": [], "sheets": [
                   {"name": "Other", "values": [["x"]], "pictures": [], "tables": [],
                    "charts": []},
                   {"name": NAME, "values": values, "pictures": [], "tables": [],
                    "charts": []}]}
    book = xw.Book(json=payload)
    sheet = every_attribute()
    live.write_book(book, [sheet])
    log: list[str] = []
    com, com_default = _ComSheet(log), _ComSheet([])
    write_page_setup(com, sheet.page)
    write_page_setup(com_default, PrintSetup())
    write_freeze(com, sheet.freeze)
    return SimpleNamespace(actions=book.json()["actions"], com=com, com_default=com_default,
                           log=log)


def _acts(r, func: str) -> list[dict]:
    return [a for a in r.actions if a["func"] == func]


def _at(a) -> tuple:
    return a["start_row"], a["start_column"], a["row_count"], a["column_count"]


def _written(r) -> dict[tuple, list]:
    """``{(row, col, rows, cols): values}`` of every cell write."""
    return {_at(a): a["values"] for a in _acts(r, "setFormula")}


def _on_c3_c5(r, func: str, *args) -> bool:
    """Whether *func* was sent with *args* for C3:C5 (the cells of style ``every``)."""
    return any(_at(a) == (2, 2, 3, 1) and a["args"] == list(args) for a in _acts(r, func))


def _chart(r, index: int) -> list:
    return _acts(r, "addChart")[index]["args"]


def _axis(r, index: int, axis: str, key: str):
    return next(a["args"][2][key] for a in _acts(r, "setChartAxis")
                if a["args"][:2] == [index, axis] and key in a["args"][2])


def _rules(r) -> dict[tuple, dict]:
    return {_at(a): a["args"][0] for a in r.actions if a["func"].startswith("setDataValidation")}


LIVE_CHECKS = {
    "Sheet.name": lambda r: {a["sheet_position"] for a in r.actions} == {1},
    "Sheet.blocks": lambda r: _written(r)[(1, 0, 4, 3)][1][0] == "'300308.SZ",
    "Sheet.col_widths": lambda r: [(_at(a)[1], a["args"]) for a in _acts(r, "setColumnWidth")]
    == [(0, [12.0]), (1, [10.0])],
    "Sheet.row_heights": lambda r: [(_at(a)[0], a["args"]) for a in _acts(r, "setRowHeight")]
    == [(1, [33.0])],
    "Sheet.freeze": lambda r: [a["args"] for a in _acts(r, "freezePaneAtRange")] == [
        ["$A$1:$A$2"]],
    "Sheet.page": lambda r: r.com.page.PaperSize == 1,
    # Not the live writer's: Refresh writes unpublished sheets (xlwings.conf) too.
    "Sheet.published": lambda r: bool(_written(r)),
    "Sheet.validations": lambda r: len(_rules(r)) == 5,
    "Sheet.charts": lambda r: len(_acts(r, "addChart")) == 2,
    "Sheet.borders": lambda r: any(_at(a) == (1, 0, 4, 3) for a in _acts(r, "setBorderProperty")),
    "Sheet.conditional_formats": lambda r: len(_acts(r, "addConditionalFormat")) == 1,
    "Sheet.autofilter": lambda r: [_at(a) for a in _acts(r, "applyAutoFilterRange")] == [
        (1, 0, 4, 3)] and len(_acts(r, "clearAutoFilterRange")) == 1,
    "Sheet.merged": lambda r: [_at(a) for a in _acts(r, "rangeMerge")] == [(0, 0, 1, 3)],
    "Block.row": lambda r: (1, 0, 4, 3) in _written(r),
    "Block.col": lambda r: (2, 4, 1, 1) in _written(r),
    "Block.rows": lambda r: _written(r)[(1, 0, 4, 3)][3] == ["'000063.SZ", 130.25, "=B5*2"],
    # The analyst's 7 in A8 stays: the input cell's default (5) is not written.
    "Block.input": lambda r: not any(k[:2] == (7, 0) for k in _written(r)),
    "Cell.value": lambda r: _written(r)[(1, 0, 4, 3)][2][1] == 120.5,
    "Cell.formula": lambda r: _written(r)[(1, 0, 4, 3)][1][2] == "=B3*2",
    # Not written: Excel calculates a formula's value itself.
    "Cell.cached": lambda r: all(217.8 not in row for v in _written(r).values() for row in v),
    "Cell.style": lambda r: any(_at(a) == (2, 1, 3, 1) and a["args"] == ["0.00"]
                                for a in _acts(r, "setNumberFormat")),
    # Only the anchor is written; the array spills over E4:E5 itself.
    "Cell.spill": lambda r: _written(r)[(2, 4, 1, 1)] == [["=B3:B5*3"]],
    "Style.num_format": lambda r: _on_c3_c5(r, "setNumberFormat", "0.000"),
    "Style.bold": lambda r: _on_c3_c5(r, "setFontProperty", "bold", True),
    "Style.italic": lambda r: _on_c3_c5(r, "setFontProperty", "italic", True),
    "Style.fill": lambda r: _on_c3_c5(r, "setRangeColor", "#123456"),
    "Style.wrap": lambda r: _on_c3_c5(r, "setWrapText", True),
    "Style.align": lambda r: _on_c3_c5(r, "setHorizontalAlignment", "Center"),
    # Excel's XlPaperSize: xlPaperLetter 1, xlPaperA4 9.
    "PrintSetup.paper": lambda r: (r.com.page.PaperSize, r.com_default.page.PaperSize) == (1, 9),
    # XlPageOrientation: xlPortrait 1, xlLandscape 2.
    "PrintSetup.landscape": lambda r: (r.com.page.Orientation,
                                       r.com_default.page.Orientation) == (1, 2),
    "PrintSetup.repeat_rows": lambda r: (r.com.page.PrintTitleRows,
                                         r.com_default.page.PrintTitleRows) == ("$2:$2", ""),
    "PrintSetup.page_numbers": lambda r: (
        (r.com.page.LeftFooter, r.com.page.CenterFooter) == ("", "") and
        (r.com_default.page.LeftFooter, r.com_default.page.CenterFooter) == ("&A", "&P / &N")),
    # A break before Excel's row 11 (the zero-based row 10), in column A.
    "PrintSetup.row_breaks": lambda r: r.com.breaks == [("range", 11, 1)]
    and r.com_default.breaks == [],
    "Chart.name": lambda r: [_chart(r, i)[0] for i in (0, 1)] == ["coverbook xy",
                                                                  "coverbook rows"],
    "Chart.kind": lambda r: [_chart(r, i)[1] for i in (0, 1)] == ["XYScatterLinesNoMarkers",
                                                                  "ColumnClustered"],
    "Chart.title": lambda r: [a["args"] for a in _acts(r, "setChartTitle")] == [
        [0, "Double by close"], [1, "Per ticker"]],
    "Chart.data": lambda r: [_chart(r, i)[3] for i in (0, 1)] == ["$C$2:$C$5", "$A$3:$C$5"],
    "Chart.categories_col": lambda r: _acts(r, "setChartXAxisValues")[0]["args"][2]
    == "$B$3:$B$5",
    "Chart.anchor": lambda r: [_chart(r, i)[9] for i in (0, 1)] == ["$E$11", "$E$28"],
    "Chart.size": lambda r: _chart(r, 0)[6:8] == [480.0, 240.0],
    "Chart.x_title": lambda r: _axis(r, 0, "category", "title") == "Close",
    "Chart.y_title": lambda r: _axis(r, 0, "value", "title") == "Double",
    "Chart.x_format": lambda r: _axis(r, 0, "category", "number_format") == "0.0",
    "Chart.y_format": lambda r: _axis(r, 0, "value", "number_format") == "0.00",
    "Chart.x_min": lambda r: _axis(r, 0, "category", "minimum_scale") == 100.0,
    "Chart.x_max": lambda r: _axis(r, 0, "category", "maximum_scale") == 140.0,
    "Chart.by_rows": lambda r: [_chart(r, i)[8] for i in (0, 1)] == ["Columns", "Rows"],
    "Chart.categories_row": lambda r: _acts(r, "setChartXAxisValues")[1]["args"][2]
    == "$B$2:$C$2",
    "Validation.first_row": lambda r: (2, 3, 3, 1) in _rules(r),
    "Validation.first_col": lambda r: (2, 3, 3, 1) in _rules(r),
    "Validation.last_row": lambda r: (2, 3, 3, 1) in _rules(r),
    "Validation.last_col": lambda r: (2, 3, 3, 1) in _rules(r),
    "Validation.kind": lambda r: [_rules(r)[k]["type"] for k in (
        (2, 3, 3, 1), (7, 1, 1, 1), (7, 0, 1, 1), (7, 2, 1, 1), (7, 3, 1, 1))] == [
        "literal", "range", "decimal", "date", "whole_number"],
    "Validation.values": lambda r: _rules(r)[(2, 3, 3, 1)]["values"] == ["买入", "持有"],
    "Validation.source": lambda r: _at(_rules(r)[(7, 1, 1, 1)]) == (8, 1, 1, 2),
    "Validation.minimum": lambda r: (_rules(r)[(7, 0, 1, 1)]["formula1"],
                                     _rules(r)[(7, 2, 1, 1)]["formula1"]) == (
        "=0", "=DATE(2024,1,2)"),
    "Validation.maximum": lambda r: (_rules(r)[(7, 0, 1, 1)]["formula2"],
                                     _rules(r)[(7, 3, 1, 1)]["formula1"]) == ("=100", "=10"),
    "ConditionalFormat.first_row": lambda r: _at(_acts(r, "addConditionalFormat")[0])
    == (2, 1, 3, 1),
    "ConditionalFormat.formula": lambda r: _cf(r)["formula"] == "=B3>120",
    "ConditionalFormat.fill": lambda r: _cf(r)["fill_color"].upper() == "#FFC7CE",
    "ConditionalFormat.font_color": lambda r: _cf(r)["font_color"].upper() == "#9C0006",
    "ConditionalFormat.bold": lambda r: _cf(r)["font_bold"] is True,
    "Borders.first_row": lambda r: _border_rect(r) == (1, 0, 4, 3),
}
for _name in ("first_col", "last_row", "last_col"):
    LIVE_CHECKS[f"ConditionalFormat.{_name}"] = LIVE_CHECKS["ConditionalFormat.first_row"]
    LIVE_CHECKS[f"Borders.{_name}"] = LIVE_CHECKS["Borders.first_row"]


def _cf(r) -> dict:
    return _acts(r, "addConditionalFormat")[0]["args"][0]


def _border_rect(r) -> tuple | None:
    """The one rectangle given thin grey lines on every edge and inside."""
    rects = {_at(a) for a in _acts(r, "setBorderProperty")}
    sides = {a["args"][0] for a in _acts(r, "setBorderProperty")
             if a["args"][1:] == ["line_style", "continuous"]}
    return rects.pop() if len(rects) == 1 and len(sides) == 6 else None


def test_the_live_writer_renders_every_field(refreshed):
    assert failures(LIVE_CHECKS, refreshed) == []


def test_frozen_panes_go_through_the_window_where_xlwings_has_no_call(refreshed):
    # Excel's Window: SplitRow/SplitColumn count the rows/columns kept in view.
    window = refreshed.com.window
    assert (window.SplitRow, window.SplitColumn, window.FreezePanes) == (2, 1, True)
    assert (window.ScrollRow, window.ScrollColumn) == (1, 1)
    # The window freezes the active sheet: activated first, the analyst's after.
    assert refreshed.log == ["activate", "activate the analyst's sheet"]


def test_a_sheet_without_frozen_panes_keeps_the_analysts():
    log: list[str] = []
    com = _ComSheet(log)
    write_freeze(com, None)
    write_freeze(com, (0, 0))
    assert log == [] and vars(com.window) == {}  # no sheet activated, nothing set


def test_every_field_has_a_live_check():
    assert set(LIVE_CHECKS) == all_fields()
