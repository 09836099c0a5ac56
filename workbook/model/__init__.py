"""The sheet model: what a sheet holds, independent of the library that writes it.

A :class:`Sheet` is a list of :class:`Block` s (rectangles of :class:`Cell` s anchored
at a zero-based row and column) plus layout (column widths, row heights, frozen
panes, :class:`PrintSetup`), data validations (:class:`Validation`), native charts
(:class:`Chart`) and an autofilter on a table's header (``Sheet.autofilter``). Row 0
of every sheet is its title row: the title in ``A1`` and nothing else, so a writer may put a banner beside it (the published workbook does)
without moving any cell. A cell is
either a literal ``value`` or a ``formula`` with the ``cached`` value the build
computed for it by calling the same Python function Excel calls. Both writers (the
XlsxWriter file writer and the xlwings live writer) take this model and nothing else,
so adding a sheet never means touching a writer.

**Input cells.** A block added with :meth:`Sheet.add_inputs` holds cells an analyst
types into (a date, a model, token counts). Its values are defaults: the file writer
writes them; the live writer (Refresh) never clears an input cell and writes the
default only where the cell is empty, so what was typed stays. A sheet builder that
has input cells takes what is typed there (``inputs``: ``{(row, col): value}`` read
from the open workbook) and computes every cached value from it, so the values
Refresh writes agree with what Excel then recalculates. Keep input blocks at fixed
positions (above anything whose size depends on the data), so a typed value is
still at its cell after the data grows.

Strings in ``value`` are always literal text, even when they begin with ``=``: only
``formula`` is ever written as a formula (no formula injection from data).

**Where things are** (every name below is importable from ``workbook.model``):

- ``styles.py``: :class:`Style`, :data:`STYLES`, :data:`INPUT_FILL`;
- ``cells.py``: :class:`ErrorValue`, :class:`Cell`, :func:`formula`,
  :func:`array_formula`, :class:`CachedColumn`, :func:`value`, :class:`Block`;
- ``sheet.py``: :class:`Sheet` (blocks, inputs, dropdowns, fitting rows and columns);
- ``page.py``: :class:`PrintSetup`;
- ``validations.py``: :class:`Validation`, :func:`fits_list`, :data:`MAX_LIST_CHARS`,
  :data:`LIST_ROWS`, :data:`VALIDATION_KINDS`;
- ``charts.py``: :class:`Chart`, :data:`CHART_PREFIX`, :data:`MAX_CHART_SERIES`,
  :data:`CHART_KINDS`;
- ``formats.py``: :class:`Borders`, :data:`BORDER_COLOR`, :class:`ConditionalFormat`;
- ``widths.py``: :func:`text_width`, :func:`shown_width`, :func:`wrapped_lines`,
  :data:`DEFAULT_COL_WIDTH`, :data:`LINE_HEIGHT`, :data:`ONE_LINE_WRAPPED`;
- ``refs.py``: :func:`a1`, :func:`sheet_ref`, :func:`excel_string` (references and
  string literals inside formulas).
"""

from __future__ import annotations

from workbook.model.cells import (Block, CachedColumn, Cell, ErrorValue, array_formula, formula,
                                  value)
from workbook.model.charts import CHART_KINDS, CHART_PREFIX, MAX_CHART_SERIES, Chart
from workbook.model.formats import BORDER_COLOR, Borders, ConditionalFormat
from workbook.model.page import PrintSetup
from workbook.model.refs import a1, excel_string, sheet_ref
from workbook.model.sheet import Sheet, typed_input
from workbook.model.styles import INPUT_FILL, STYLES, Style
from workbook.model.validations import (LIST_ROWS, MAX_LIST_CHARS, VALIDATION_KINDS, Validation,
                                        fits_list)
from workbook.model.widths import (DEFAULT_COL_WIDTH, LINE_HEIGHT, ONE_LINE_WRAPPED, shown_width,
                                   text_width, wrapped_lines)

__all__ = [
    "BORDER_COLOR", "Block", "Borders", "CachedColumn", "CHART_KINDS", "CHART_PREFIX", "Cell",
    "Chart",
    "ConditionalFormat", "DEFAULT_COL_WIDTH", "ErrorValue", "INPUT_FILL", "LINE_HEIGHT",
    "LIST_ROWS", "MAX_CHART_SERIES", "MAX_LIST_CHARS", "ONE_LINE_WRAPPED", "PrintSetup",
    "STYLES", "Sheet", "Style", "VALIDATION_KINDS", "Validation", "a1", "array_formula",
    "excel_string", "fits_list", "formula", "sheet_ref", "shown_width", "text_width",
    "typed_input", "value", "wrapped_lines",
]
