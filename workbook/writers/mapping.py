"""One table from the sheet model to each writer, as pandas' ``_XlsxStyler.STYLE_MAPPING``.

- :data:`STYLE_MAPPING`: each field of :class:`~workbook.model.Style` -> the
  XlsxWriter format properties (file writer) and the xlwings ``Range`` property
  (live writer) that render it. :func:`format_props` and :func:`apply_style` are the
  only readers of a style; a field left at its default is not written by either.
- :data:`PAGE_MAPPING`: each field of :class:`~workbook.model.PrintSetup` -> the
  XlsxWriter worksheet call and the Excel ``PageSetup`` properties (Excel's object
  model, reached through ``Sheet.page_setup.api``: xlwings itself exposes only
  ``print_area``). :func:`page_calls` and :func:`excel_page_setup` read it.
- :data:`RENDERING`: every other field of the model (``Sheet``, ``Block``, ``Cell``,
  ``Chart``, ``Validation``, ``ConditionalFormat``, ``Borders``) -> where each writer
  renders it, or why it does not. ``tests/test_writer_coverage.py`` fails when a
  field of the model has no entry here, and writes a model that sets every field
  through both writers to see each one arrive.

Where an engine has no call for a field, the live writer skips it there (see
``docs/developers.md``, "What Refresh renders").
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any, Callable, NamedTuple

from workbook.model import PrintSetup, Style

#: Stands for the field's value in :data:`STYLE_MAPPING`'s XlsxWriter properties.
VALUE = object()


class StyleRule(NamedTuple):
    """How one :class:`Style` field is written: ``xlsx``, the XlsxWriter format
    properties (:data:`VALUE` is replaced by the field's value); ``xlwings``, the
    ``Range`` property path set to the value (``"font.bold"``: ``rng.font.bold``)."""

    xlsx: dict[str, Any]
    xlwings: str


#: Style field -> its XlsxWriter format properties and its xlwings Range property.
#: Pattern 1 is XlsxWriter's solid fill (a fill colour needs it). Alignments are the
#: same words in both (``left``, ``center``, ``right``).
STYLE_MAPPING: dict[str, StyleRule] = {
    "num_format": StyleRule({"num_format": VALUE}, "number_format"),
    "bold": StyleRule({"bold": VALUE}, "font.bold"),
    "italic": StyleRule({"italic": VALUE}, "font.italic"),
    "fill": StyleRule({"bg_color": VALUE, "pattern": 1}, "color"),
    "wrap": StyleRule({"text_wrap": VALUE}, "wrap_text"),
    "align": StyleRule({"align": VALUE}, "horizontal_alignment"),
}

_STYLE_DEFAULTS = {f.name: f.default for f in fields(Style)}


def _set_fields(style: Style) -> list[tuple[str, Any]]:
    """``(field, value)`` of every field of *style* not at its default, in table order."""
    return [(name, getattr(style, name)) for name in STYLE_MAPPING
            if getattr(style, name) != _STYLE_DEFAULTS[name]]


def format_props(style: Style) -> dict[str, Any]:
    """The XlsxWriter format properties of *style* (``Workbook.add_format``)."""
    props: dict[str, Any] = {}
    for name, v in _set_fields(style):
        for key, prop in STYLE_MAPPING[name].xlsx.items():
            props[key] = v if prop is VALUE else prop
    return props


def apply_style(rng, style: Style) -> None:
    """Set *style* on the xlwings range *rng*, one property per field not at its
    default (xlwings sends each as one call to Excel)."""
    for name, v in _set_fields(style):
        *path, attr = STYLE_MAPPING[name].xlwings.split(".")
        target = rng
        for step in path:
            target = getattr(target, step)
        setattr(target, attr, v)


#: Paper sizes: the index of Excel's paper-size list, the same numbers in
#: XlsxWriter's ``set_paper`` and Excel's ``XlPaperSize`` (xlPaperLetter = 1,
#: xlPaperA4 = 9; Microsoft's VBA reference).
PAPER = {"A4": 9, "Letter": 1}
#: The footer of every printed page: sheet name left (``&A``), "page / pages" centred
#: (``&P / &N``), Excel's header and footer codes; XlsxWriter takes the sections as
#: one text (``&L``, ``&C``), Excel's object model as one property each.
FOOTER_LEFT, FOOTER_CENTER = "&A", "&P / &N"
PAGE_FOOTER = f"&L{FOOTER_LEFT}&C{FOOTER_CENTER}"
#: Excel's ``XlPageOrientation``: xlPortrait = 1, xlLandscape = 2.
ORIENTATION = {False: 1, True: 2}


def _title_rows(rows: tuple[int, int] | None) -> str:
    """Excel's ``PrintTitleRows`` of the zero-based rows (first, last): ``$4:$4``."""
    return "" if rows is None else f"${rows[0] + 1}:${rows[1] + 1}"


class PageRule(NamedTuple):
    """How one :class:`PrintSetup` field is written: ``xlsx``, the XlsxWriter
    worksheet calls for a value (``(method, *args)``); ``excel``, Excel's ``PageSetup``
    properties for it (the live writer sets them through Excel's object model)."""

    xlsx: Callable[[Any], list[tuple]]
    excel: Callable[[Any], dict[str, Any]]


#: PrintSetup field -> XlsxWriter worksheet calls and Excel PageSetup properties.
#: ``row_breaks`` has no PageSetup property: Excel keeps them in the sheet's
#: ``HPageBreaks`` (:func:`excel_page_setup` adds them there).
PAGE_MAPPING: dict[str, PageRule] = {
    "paper": PageRule(lambda v: [("set_paper", PAPER[v])],
                      lambda v: {"PaperSize": PAPER[v]}),
    "landscape": PageRule(lambda v: [("set_landscape",) if v else ("set_portrait",)],
                          lambda v: {"Orientation": ORIENTATION[bool(v)]}),
    "repeat_rows": PageRule(lambda v: [] if v is None else [("repeat_rows", *v)],
                            lambda v: {"PrintTitleRows": _title_rows(v)}),
    "page_numbers": PageRule(lambda v: [("set_footer", PAGE_FOOTER)] if v else [],
                             lambda v: {"LeftFooter": FOOTER_LEFT if v else "",
                                        "CenterFooter": FOOTER_CENTER if v else ""}),
    # XlsxWriter breaks below its row n, so zero-based row n starts a page.
    "row_breaks": PageRule(lambda v: [("set_h_pagebreaks", sorted(v))] if v else [],
                           lambda v: {}),
}

#: Every sheet prints one page wide and as many pages tall as it needs (not a field:
#: always). XlsxWriter: ``fit_to_pages(1, 0)``; Excel: these PageSetup properties.
FIT_XLSX = ("fit_to_pages", 1, 0)
FIT_EXCEL = {"Zoom": False, "FitToPagesWide": 1, "FitToPagesTall": False}


def page_calls(page: PrintSetup) -> list[tuple]:
    """The XlsxWriter worksheet calls (``(method, *args)``) that render *page*."""
    calls = [call for name, rule in PAGE_MAPPING.items()
             for call in rule.xlsx(getattr(page, name))]
    return calls + [FIT_XLSX]


def excel_page_setup(page_setup, sheet_api, range_api: Callable[[int], Any],
                     page: PrintSetup) -> None:
    """Render *page* through Excel's object model (Windows' COM): the ``PageSetup``
    properties on *page_setup*, then the row breaks on *sheet_api* (its ``HPageBreaks``,
    reset first), each before the COM range ``range_api(row)`` of zero-based *row*."""
    for name, rule in PAGE_MAPPING.items():
        for prop, v in rule.excel(getattr(page, name)).items():
            setattr(page_setup, prop, v)
    for prop, v in FIT_EXCEL.items():
        setattr(page_setup, prop, v)
    sheet_api.ResetAllPageBreaks()
    for row in sorted(page.row_breaks):
        sheet_api.HPageBreaks.Add(range_api(row))


class Rendering(NamedTuple):
    """Where a field of the model is rendered: by the file writer (``xlsx``) and by
    the live writer (``xlwings``), in each one's terms, or why not."""

    xlsx: str
    xlwings: str


#: Model class name -> field -> its rendering in each writer. Style and PrintSetup
#: fields are in :data:`STYLE_MAPPING` and :data:`PAGE_MAPPING`.
RENDERING: dict[str, dict[str, Rendering]] = {
    "Sheet": {
        "name": Rendering("add_worksheet(name)", "Sheets: the sheet of that name, else add"),
        "blocks": Rendering("write_* per cell, row by row", "Range.formula per block"),
        "col_widths": Rendering("set_column", "Range.column_width"),
        "row_heights": Rendering("set_row", "Range.row_height"),
        "freeze": Rendering("freeze_panes", "Sheet.freeze_panes.freeze_at; else the "
                            "window's SplitRow/SplitColumn/FreezePanes"),
        "page": Rendering("PAGE_MAPPING", "PAGE_MAPPING"),
        "published": Rendering("not rendered: values.py leaves the sheet out",
                               "not rendered: values.py leaves the sheet out"),
        "validations": Rendering("data_validation", "Range.data_validation"),
        "charts": Rendering("add_chart + insert_chart", "Sheet.charts.add"),
        "borders": Rendering("a border format per cell", "Range.borders.set"),
        "conditional_formats": Rendering("conditional_format",
                                         "Range.conditional_formats.add_custom"),
        "autofilter": Rendering("autofilter", "Range.autofilter"),
        "merged": Rendering("merge_range", "Range.merge"),
    },
    "Block": {
        "row": Rendering("cell positions", "Range position"),
        "col": Rendering("cell positions", "Range position"),
        "rows": Rendering("write_* per cell", "Range.formula per block"),
        "input": Rendering("as any cell (the default is written)",
                           "kept: written only where the cell is empty"),
    },
    "Cell": {
        "value": Rendering("write_string/number/...", "Range.formula ('text)"),
        "formula": Rendering("write_formula", "Range.formula"),
        "cached": Rendering("write_formula(..., value)",
                            "not written: Excel calculates it"),
        "style": Rendering("STYLE_MAPPING", "STYLE_MAPPING"),
        "spill": Rendering("write_dynamic_array_formula", "Range.formula2"),
    },
    "Chart": {name: Rendering("add_chart/add_series/set_*", "Sheet.charts.add + Chart.*")
              for name in ("name", "kind", "title", "data", "categories_col", "anchor",
                           "size", "x_title", "y_title", "x_format", "y_format", "x_min",
                           "x_max", "by_rows", "categories_row")},
    "Validation": {name: Rendering("data_validation", "Range.data_validation.set_*")
                   for name in ("first_row", "first_col", "last_row", "last_col", "kind",
                                "values", "source", "minimum", "maximum")},
    "ConditionalFormat": {name: Rendering("conditional_format",
                                          "Range.conditional_formats.add_custom")
                          for name in ("first_row", "first_col", "last_row", "last_col",
                                       "formula", "fill", "font_color", "bold")},
    "Borders": {name: Rendering("border format", "Range.borders.set")
                for name in ("first_row", "first_col", "last_row", "last_col")},
}
