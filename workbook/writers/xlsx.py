"""The headless file writer: sheet models -> an .xlsx/.xlsm file, with XlsxWriter.

XlsxWriter writes each formula's cached value (``write_formula(..., value)``), which
openpyxl cannot; that is why writing uses XlsxWriter and reading back (in tests and
``--check``) uses other libraries. A cached value that is text is stored as text,
even when it reads like an error (``"#NUM!"``, a UDF's error result); only an
:class:`~workbook.model.ErrorValue` is stored as an error (see
``workbook/writers/xlsx_cells.py``).
"""

from __future__ import annotations

import datetime as dt
import io
import os
import tempfile
from pathlib import Path
from typing import Any, BinaryIO, Iterable

import xlsxwriter
from xlsxwriter.utility import xl_range_abs, xl_rowcol_to_cell

from workbook.model import (BORDER_COLOR, STYLES, Cell, Chart, ConditionalFormat, ErrorValue,
                            PrintSetup, Sheet, Validation)
from workbook.package import ribbon_workbook
from workbook.writers.mapping import format_props, page_calls
from workbook.writers.xlsx_cells import Worksheet
from workbook.writers.xlsx_rows import WriteStats, write_rows

#: Calculation-engine id Excel 2019/2021/365 writes into workbooks it saves
#: (``<calcPr calcId="191029"/>``); an equal or newer id means "already calculated".
EXCEL_CALC_ID = 191029


#: XlsxWriter options of every workbook written (bench/ writes its floor with them too).
#: Text is never reinterpreted as a formula, number or URL.
WORKBOOK_OPTIONS = {"strings_to_formulas": False, "strings_to_numbers": False,
                    "strings_to_urls": False}


class WriteError(Exception):
    """XlsxWriter refused part of a sheet (a ``write_*`` or ``set_*`` call returned a
    negative code): the file would lack it, so it must not be used."""


#: What XlsxWriter's negative return codes mean (its documentation of ``write()``):
#: -1 outside the worksheet (beyond row 1,048,576 or column XFD: nothing is written),
#: -2 a string longer than 32,767 characters (it is cut), -3/-4 URL problems.
RETURN_CODES = {-1: "beyond Excel's last row (1,048,576) or column (XFD)",
                -2: "text longer than 32,767 characters, the most an Excel cell holds "
                    "(XlsxWriter would cut it)",
                -3: "a URL longer than Excel's limit", -4: "a URL Excel cannot store"}


def _checked(code: int | None, sheet: str, row: int, col: int) -> None:
    """Raise :class:`WriteError` if XlsxWriter returned a failure *code* for the cell."""
    if code is not None and code < 0:
        raise WriteError(f"sheet '{sheet}' cell {xl_rowcol_to_cell(row, col)}: "
                         f"{RETURN_CODES.get(code, f'XlsxWriter refused it (code {code})')}")


def _write_value(ws: Worksheet, row: int, col: int, v: Any, fmt) -> int:
    if v is None:
        return ws.write_blank(row, col, None, fmt)
    if isinstance(v, ErrorValue):
        return ws.write_error(row, col, v.code, fmt)
    if isinstance(v, bool):
        return ws.write_boolean(row, col, v, fmt)
    if isinstance(v, (int, float)):
        return ws.write_number(row, col, v, fmt)
    if isinstance(v, (dt.date, dt.datetime)):
        return ws.write_datetime(row, col, v, fmt)
    # write_string, never write(): text such as "=HYPERLINK(...)" or "000063.SZ"
    # stays literal text.
    return ws.write_string(row, col, str(v), fmt)


def _write_formula(ws: Worksheet, row: int, col: int, cell: Cell, fmt) -> int:
    cached = cell.cached
    if cached is None:
        cached = ""  # XlsxWriter would store 0 for a missing value
    if isinstance(cached, ErrorValue):
        return ws.write_formula(row, col, cell.formula, fmt, cached.code)
    if isinstance(cached, str) and cached:
        # Text stays text, "#NUM!" included (a UDF's error result).
        return ws.write_formula_text(row, col, cell.formula, fmt, cached)
    return ws.write_formula(row, col, cell.formula, fmt, cached)


def _write_cell(ws: Worksheet, row: int, col: int, cell: Cell, fmt) -> None:
    """Write one model cell that is not an array formula (those: ``xlsx_rows``); every
    XlsxWriter return code is checked (:func:`_checked`)."""
    if cell.formula is not None:
        code = _write_formula(ws, row, col, cell, fmt)
    else:
        v = cell.value
        kind = type(v)
        if kind is float or kind is int:
            code = ws.write_number(row, col, v, fmt)
        elif kind is str:  # write_string, never write(): "=HYPERLINK(...)" stays text
            code = ws.write_string(row, col, v, fmt)
        else:
            code = _write_value(ws, row, col, v, fmt)
    if code:
        _checked(code, ws.name, row, col)


def _write_spilled(ws: Worksheet, row: int, col: int, v: Any, fmt) -> None:
    """Store the cached value *v* of one cell of an array formula's spill area, as
    Excel stores a spill's members: values without a formula, text as a formula's
    text result (``t="str"``, :meth:`Worksheet.write_spilled_text`), not a constant."""
    kind = type(v)
    if kind is float:
        code = ws.write_number(row, col, v, fmt)
    elif kind is str:
        code = ws.write_spilled_text(row, col, v, fmt)
    else:
        code = _write_value(ws, row, col, v, fmt)
    if code:
        _checked(code, ws.name, row, col)


def _block_formats(wb, sheet: Sheet, plain: dict[str | None, Any]):
    """``fmt_for(block, index)`` of :func:`~workbook.writers.xlsx_rows.write_rows`:
    a cell gets its style's format (*plain*), with the grid's border added inside
    ``sheet.borders`` (XlsxWriter formats are per cell; each bordered variant is made
    once, when first needed). A block inside a grid, or clear of every grid, is
    decided once; only a block a grid's edge crosses is decided cell by cell."""
    bordered: dict[str | None, Any] = {}

    def border_format(style: str | None):
        if style not in bordered:
            props = format_props(STYLES[style]) if style else {}
            bordered[style] = wb.add_format({**props, **BORDER})
        return bordered[style]

    def plain_format(cell: Cell, row: int, col: int):
        return plain[cell.style]

    def inside_format(cell: Cell, row: int, col: int):
        return border_format(cell.style)

    def crossing_format(cell: Cell, row: int, col: int):
        if any(b.holds(row, col) for b in sheet.borders):
            return border_format(cell.style)
        return plain[cell.style]

    def fmt_for(block, index: int):
        if not sheet.borders:
            return plain_format
        r0, c0 = block.row, block.col
        r1, c1 = r0 + block.height - 1, c0 + block.width - 1
        if any(b.holds(r0, c0) and b.holds(r1, c1) for b in sheet.borders):
            return inside_format
        if any(b.first_row <= r1 and r0 <= b.last_row and b.first_col <= c1 and
               c0 <= b.last_col for b in sheet.borders):
            return crossing_format
        return plain_format

    return fmt_for


def _chart_ranges(c: Chart) -> list[tuple[int, int, int, int]]:
    """The cells chart *c*'s series point at (names, categories, values), as
    rectangles (first row, first column, last row, last column)."""
    header, first_col, last, last_col = c.data
    if c.by_rows:
        return [(header, first_col, last, last_col),
                (c.categories_row, first_col + 1, c.categories_row, last_col)]
    return [(header, first_col, last, last_col),
            (header + 1, c.categories_col, last, c.categories_col)]


#: XlsxWriter's ``validate`` type of each validation kind of the model.
_VALIDATE = {"list": "list", "whole": "integer", "decimal": "decimal", "date": "date"}
#: XlsxWriter's ``criteria`` of each xlwings operator name the model gives.
_CRITERIA = {"between": "between", "greater_than_or_equal": ">=", "less_than_or_equal": "<="}


def _write_validation(ws: Worksheet, v: Validation) -> None:
    options: dict[str, Any] = {"validate": _VALIDATE[v.kind]}
    if v.kind == "list":
        if v.values:
            options["source"] = list(v.values)
        else:
            r0, c0, r1, c1 = v.source
            options["source"] = "=" + xl_range_abs(r0, c0, r1, c1)
    else:
        options["criteria"] = _CRITERIA[v.operator]
        if v.operator == "between":
            options["minimum"], options["maximum"] = v.minimum, v.maximum
        else:
            options["value"] = v.minimum if v.minimum is not None else v.maximum
    _checked(ws.data_validation(v.first_row, v.first_col, v.last_row, v.last_col, options),
             ws.name, v.first_row, v.first_col)


#: XlsxWriter's chart type of each chart kind of the model (scatter: straight lines,
#: no markers).
_CHART_TYPE = {"line": {"type": "line"}, "column": {"type": "column"},
               "scatter": {"type": "scatter", "subtype": "straight"}}
#: Pixels per point at Excel's 96 dpi (XlsxWriter sizes charts in pixels).
_PX_PER_PT = 96 / 72


def _write_chart(wb, ws: Worksheet, sheet_name: str, c: Chart) -> None:
    chart = wb.add_chart({**_CHART_TYPE[c.kind], "name": c.name})
    header, first_col, last, last_col = c.data
    first = header + 1
    if c.by_rows:  # data: first series row, names column, last series row, last column
        for row in range(header, last + 1):
            chart.add_series({"name": [sheet_name, row, first_col],
                              "categories": [sheet_name, c.categories_row, first_col + 1,
                                             c.categories_row, last_col],
                              "values": [sheet_name, row, first_col + 1, row, last_col]})
    else:
        for col in range(first_col, last_col + 1):
            chart.add_series({"name": [sheet_name, header, col],
                              "categories": [sheet_name, first, c.categories_col, last,
                                             c.categories_col],
                              "values": [sheet_name, first, col, last, col]})
    chart.set_title({"name": c.title})
    x_axis: dict[str, Any] = {}
    if c.x_title:
        x_axis["name"] = c.x_title
    if c.x_format:
        x_axis["num_format"] = c.x_format
    if c.x_min is not None:
        x_axis["min"] = c.x_min
    if c.x_max is not None:
        x_axis["max"] = c.x_max
    chart.set_x_axis(x_axis)
    y_axis: dict[str, Any] = {"major_gridlines": {"visible": True}}
    if c.y_title:
        y_axis["name"] = c.y_title
    if c.y_format:
        y_axis["num_format"] = c.y_format
    chart.set_y_axis(y_axis)
    chart.set_legend({"position": "right"})
    chart.show_blanks_as("gap")  # a series without a price on a date has no point there
    width, height = c.size
    chart.set_size({"width": round(width * _PX_PER_PT), "height": round(height * _PX_PER_PT)})
    _checked(ws.insert_chart(c.anchor[0], c.anchor[1], chart), ws.name, *c.anchor)


#: The line of a table's grid (``Sheet.borders``): thin, in the model's colour.
BORDER = {"border": 1, "border_color": BORDER_COLOR}


def _write_conditional_format(wb, ws: Worksheet, f: ConditionalFormat) -> None:
    props: dict[str, Any] = {}
    if f.fill:
        props["bg_color"] = f.fill
    if f.font_color:
        props["font_color"] = f.font_color
    if f.bold:
        props["bold"] = True
    _checked(ws.conditional_format(f.first_row, f.first_col, f.last_row, f.last_col,
                                   {"type": "formula", "criteria": f.formula,
                                    "format": wb.add_format(props)}),
             ws.name, f.first_row, f.first_col)


def _page_setup(ws: Worksheet, page: PrintSetup) -> None:
    """Render *page* with the worksheet calls :data:`~workbook.writers.mapping.PAGE_MAPPING`
    gives."""
    for method, *args in page_calls(page):
        getattr(ws, method)(*args)


def write_workbook(path: Path | BinaryIO, sheets: Iterable[Sheet], *,
                   properties: dict[str, Any] | None = None,
                   custom_properties: dict[str, str] | None = None,
                   vba_project: Path | None = None,
                   ribbon: bool = False,
                   workbook_class: type[xlsxwriter.Workbook] | None = None) -> WriteStats:
    """Write *sheets* to *path* (overwritten) as one workbook; return what was
    written (cells, formulas, array formulas). *path* may also be a
    binary file object, which receives the finished bytes (a ``bytes``) in one ``write`` call
    (``coverbook build --check`` compares them with the file on disk as they come).

    *properties*: document properties for XlsxWriter's ``set_properties`` (a fixed
    ``created`` date makes the output reproducible); *custom_properties*: text
    properties shown under File > Properties > Custom. *ribbon*: add the Coverbook
    ribbon tab (``workbook/package.py``). *vba_project*: a
    ``vbaProject.bin`` to embed (the file must then end in ``.xlsm``).
    *workbook_class*: the XlsxWriter class to write with instead (the add-in passes
    one with its own ribbon and content type, see ``workbook/addin/package.py``).
    Raises ``OSError`` when the file cannot be written and :class:`WriteError` when
    XlsxWriter refuses a cell (nothing is written then).

    XlsxWriter assembles the zip in memory and the finished bytes go to *path* in one
    write: a full disk then fails that write, which raises here, instead of failing
    inside XlsxWriter's open ``ZipFile``, whose clean-up at garbage collection prints
    an ``Exception ignored in ZipFile.__del__`` traceback.

    Cells are written row by row (XlsxWriter's ``constant_memory`` mode,
    ``workbook/writers/xlsx_rows.py``): XlsxWriter holds one row at a time, not the
    whole cell table, and text is stored in its cell (``t="inlineStr"``) rather than
    in a shared-string table. That mode, like XlsxWriter's default, lays the parts
    out in temporary files before zipping them: they go to a private folder beside
    *path* (the same disk the workbook goes to; the system's temporary folder for a
    file object), removed afterwards whatever happens.
    """
    if workbook_class is None:
        workbook_class = ribbon_workbook() if ribbon else xlsxwriter.Workbook
    folder = Path(path).parent if isinstance(path, (str, os.PathLike)) else None
    with tempfile.TemporaryDirectory(prefix=".coverbook-", dir=folder,
                                     ignore_cleanup_errors=True) as tmpdir:
        buffer = io.BytesIO()
        wb = workbook_class(buffer, {**WORKBOOK_OPTIONS, "constant_memory": True,
                                     "tmpdir": tmpdir})
        try:
            stats = _write(wb, sheets, properties, custom_properties, vba_project)
        finally:
            for ws in wb.worksheets():  # the row files of a failed write, before removal
                fh = getattr(ws, "row_data_fh", None)
                if fh is not None and not fh.closed:
                    try:
                        fh.close()
                    except OSError:
                        pass
    if not isinstance(path, (str, os.PathLike)):
        # bytes, not a view: getvalue() hands over the buffer without copying it,
        # and the receiver may keep them (--check does, to locate a difference).
        path.write(buffer.getvalue())
        return stats
    with open(path, "wb") as f:
        f.write(buffer.getbuffer())
        f.flush()
        os.fsync(f.fileno())  # a full disk some file systems report only here
    return stats


def _write(wb, sheets: Iterable[Sheet], properties, custom_properties, vba_project
           ) -> WriteStats:
    """:func:`write_workbook`'s work on the open workbook *wb*, up to ``close``."""
    # Open with the cached values, not a full recalculation: XlsxWriter's default
    # (fullCalcOnLoad, an old calcId) makes Excel recalculate every UDF on open,
    # which shows errors to a recipient without Python. Excel recalculates a file
    # whose calcId is older than its engine's, so state the current one.
    wb.set_calc_mode("auto", calc_id=EXCEL_CALC_ID)
    wb.calc_on_load = False
    if properties:
        wb.set_properties(properties)
    for name, text in (custom_properties or {}).items():
        wb.set_custom_property(name, text)
    if vba_project is not None:
        # As bytes, not a path: XlsxWriter copies a path with its file mode into
        # the zip entry, so the same bin checked out with another umask would
        # give other bytes.
        # XlsxWriter names the workbook's code module ThisWorkbook and the sheets'
        # Sheet1, Sheet2 ..., the document modules of workbook/vba/vbaProject.bin.
        wb.add_vba_project(io.BytesIO(Path(vba_project).read_bytes()), is_stream=True)
    plain: dict[str | None, Any] = {name: wb.add_format(format_props(style))
                                    for name, style in STYLES.items()}
    plain[None] = None
    stats = WriteStats()
    for sheet in sheets:
        ws = wb.add_worksheet(sheet.name, Worksheet)
        for col, width in sorted(sheet.col_widths.items()):
            _checked(ws.set_column(col, col, width), sheet.name, 0, col)
        for row, height in sorted(sheet.row_heights.items()):
            _checked(ws.set_row(row, height), sheet.name, row, 0)
        if sheet.freeze:
            ws.freeze_panes(*sheet.freeze)
        _page_setup(ws, sheet.page)
        if sheet.charts:
            ws.keep_for_charts([r for c in sheet.charts for r in _chart_ranges(c)])
        formats = _block_formats(wb, sheet, plain)
        for first_row, first_col, last_row, last_col in sheet.merged:
            # Before the rows (constant-memory mode writes row by row): the range's
            # blank cells; write_rows then writes its first cell's value in place.
            style = next((cell.style for r, c, cell in sheet.cells()
                          if (r, c) == (first_row, first_col)), None)
            _checked(ws.merge_range(first_row, first_col, last_row, last_col, "",
                                    plain[style]),
                     sheet.name, first_row, first_col)
        stats += write_rows(ws, sheet, formats, _write_cell,
                            _write_spilled)
        for rule in sheet.conditional_formats:
            _write_conditional_format(wb, ws, rule)
        for validation in sheet.validations:
            _write_validation(ws, validation)
        for chart in sheet.charts:
            _write_chart(wb, ws, sheet.name, chart)
        if sheet.autofilter is not None:
            _checked(ws.autofilter(*sheet.autofilter), ws.name, *sheet.autofilter[:2])
    # Only a complete workbook is closed (packaged): after a failure above nothing is.
    wb.close()
    return stats
