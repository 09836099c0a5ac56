"""XlsxWriter's worksheet plus the two kinds of cell coverbook writes that its API lacks.

- **A formula whose cached value is text that reads like an error** (``"#NUM!"``).
  A coverbook UDF returns an error as text (xlwings cannot return error values,
  xlwings issue #776), and Excel saves a formula with a text result as
  ``<c t="str"><f>PE(C4,F4)</f><v>#NUM!</v></c>``. XlsxWriter's ``write_formula``
  stores any of the seven classic error codes as an error (``t="e"``) instead;
  LibreOffice recalculates such a cell on load (and, without the UDFs, shows
  ``#NAME?``/``#VALUE!``), python-calamine reads it as ``""``, and ``AVERAGE``
  over it fails in the file while it skips the text in live Excel.
- **An error value without a formula**, ``<c t="e"><v>#DIV/0!</v></c>``: what Excel
  saves for an error pasted as a value (the published, values-only workbook).
  XlsxWriter itself can only write an error as a formula (``nan_inf_to_errors``
  writes ``=#NUM!``).

- **Text inside a spill area** (a dynamic array formula's cells below or right of
  its anchor), ``<c t="str"><v>NM</v></c>``: Excel stores every member of a spill as
  a formula result without a formula (a number as ``<c><v>1000</v></c>``, text as
  ``t="str"``, the type of a formula's text result; see ``docs/excel-parts.md``).
  XlsxWriter's ``write_string`` would store a constant (``t="inlineStr"`` in this
  mode), which is not what a spill holds.

These cells go through XlsxWriter's own table and XML writer; only the ``<c>``
element of these kinds is written here (the cell reference, the format index
and the type, in XlsxWriter's attribute order). Cells of every other kind are
XlsxWriter's own. Row and column default formats are not applied to these two
kinds (coverbook gives every such cell its own format).

**Row by row** (XlsxWriter's ``constant_memory`` mode, which coverbook writes in):
XlsxWriter keeps the cells of one row and writes that row out when a cell of a
later row comes (``_write_single_row``), so the two kinds above work unchanged.
Two things of that mode are added here:

- :meth:`Worksheet.visit_row` writes out the rows before a row that has a height
  but no cell (XlsxWriter only writes the row it holds, so such a row would lose
  its height);
- a chart's cached data (the ``numCache``/``strCache`` Excel shows until it reads
  the cells) comes from XlsxWriter's cell table, which this mode empties row by
  row; :meth:`Worksheet.keep_for_charts` keeps the cells of the ranges charts point
  at as their rows are written, and ``_get_range_data`` reads them as XlsxWriter
  reads its table. A formula's text result or an error value there is no point
  of the series (XlsxWriter's own table would skip the cell, shifting the points
  after it).

**Text that reads like rich-string XML stays text.** In this mode XlsxWriter 3.3.1's
``_write_cell`` writes any string that starts with ``<r>`` and ends with ``</r>``
unescaped, as the XML of a rich string (it cannot tell ``write_string`` text from
``write_rich_string`` runs there): a name ``<r>A&B</r>`` in ``coverage.csv`` made
``sheet1.xml`` not well-formed (LibreOffice dropped that row and the rows below,
openpyxl refused the file). :meth:`Worksheet._xml_rich_inline_string` writes such a
``String`` cell as the plain in-line text it is, escaped; a real rich string
(``RichString`` cell) is written as XlsxWriter writes it.

**Formula text, faster, same bytes.** XlsxWriter's ``_prepare_formula`` runs 29
regular-expression substitutions on every formula to prefix Excel 365's functions
with ``_xlfn.`` (about 170 us a formula: most of a 15-stock build's write stage,
which has about a thousand formulas). :meth:`Worksheet._prepare_formula` first
searches once for any of the names those substitutions match
(:data:`XLFN_FUNCTIONS`); where none occurs, the substitutions could change nothing,
and the formula is returned as XlsxWriter returns it; otherwise, and whenever future
functions are to be expanded, XlsxWriter's own method runs.
``tests/test_prepare_formula.py`` checks the name list against XlsxWriter's source
and the result against XlsxWriter's for every formula coverbook writes.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from xlsxwriter.utility import _preserve_whitespace, xl_rowcol_to_cell
from xlsxwriter.worksheet import CellStringTuple as _String
from xlsxwriter.worksheet import Worksheet as _XlsxWorksheet

#: The error values coverbook writes as error cells: Excel's seven classic errors,
#: the same seven XlsxWriter recognises in ``write_formula`` (newer ones such as
#: ``#SPILL!`` exist only in live Excel and stay text).
ERROR_VALUES = ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!")


#: The functions XlsxWriter 3.3.1's ``_prepare_formula`` prefixes with ``_xlfn.`` when
#: future functions are not expanded (the dynamic-array functions), as its patterns
#: match them: ``\bNAME\(``, and its ``\SINGLE\(`` (any non-space character, then
#: ``INGLE(``) as written there.
XLFN_FUNCTIONS = ("ANCHORARRAY", "BYCOL", "BYROW", "CHOOSECOLS", "CHOOSEROWS", "DROP",
                  "EXPAND", "FILTER", "HSTACK", "LAMBDA", "MAKEARRAY", "MAP", "RANDARRAY",
                  "REDUCE", "SCAN", "SEQUENCE", "SORT", "SORTBY", "SWITCH", "TAKE",
                  "TEXTSPLIT", "TOCOL", "TOROW", "UNIQUE", "VSTACK", "WRAPCOLS", "WRAPROWS",
                  "XLOOKUP")
_XLFN_SEARCH = re.compile(r"\b(?:" + "|".join(XLFN_FUNCTIONS) + r")\(|\SINGLE\(")


class _TextFormula(NamedTuple):
    formula: str
    format: Any
    value: str


class _Error(NamedTuple):
    format: Any
    error: str


class _SpilledText(NamedTuple):
    format: Any
    string: str


#: The longest text an Excel cell holds (XlsxWriter's ``write_string`` limit).
MAX_STRING = 32767


class Worksheet(_XlsxWorksheet):
    """An ``xlsxwriter`` worksheet with :meth:`write_formula_text` and
    :meth:`write_error`; pass it to ``Workbook.add_worksheet(name, Worksheet)``."""

    def write_formula_text(self, row: int, col: int, formula: str, cell_format=None,
                           text: str = "") -> int:
        """``write_formula`` whose cached value *text* is stored as text (``t="str"``)
        even when it reads like an error. Returns XlsxWriter's codes (0, -1 out of
        range, -2 ...)."""
        result = self.write_formula(row, col, formula, cell_format, text)
        stored = self.table.get(row, {}).get(col)
        if result == 0 and type(stored).__name__ == "Formula":
            self.table[row][col] = _TextFormula(stored.formula, stored.format, text)
        return result

    def write_error(self, row: int, col: int, error: str, cell_format=None) -> int:
        """An error value without a formula (*error* one of :data:`ERROR_VALUES`).
        Returns 0, or -1 if the cell is outside the worksheet (as XlsxWriter does)."""
        if error not in ERROR_VALUES:
            raise ValueError(f"not an Excel error value: {error!r}")
        # write_number does XlsxWriter's range checks and bookkeeping (used range,
        # rows to write); the placeholder is then replaced by the error cell.
        result = self.write_number(row, col, 0, cell_format)
        if result == 0:
            self.table[row][col] = _Error(cell_format, error)
        return result

    def write_spilled_text(self, row: int, col: int, text: str, cell_format=None) -> int:
        """The text *text* as a member of a spill area: a formula's text result
        without a formula (``t="str"``), as Excel stores it. Returns 0, -1 if the
        cell is outside the worksheet, -2 if *text* is longer than 32,767 characters
        (nothing is written: XlsxWriter's codes)."""
        if len(text) > MAX_STRING:
            return -2
        result = self.write_number(row, col, 0, cell_format)  # range checks, bookkeeping
        if result == 0:
            self.table[row][col] = _SpilledText(cell_format, text)
        return result

    def _prepare_formula(self, formula: str, expand_future_functions: bool = False) -> str:
        """XlsxWriter's ``_prepare_formula``, without its substitutions where none of
        their names occurs (see the module docstring)."""
        if not expand_future_functions and not self.use_future_functions:
            text = formula[1:] if formula.startswith("{") else formula
            if text.startswith("="):
                text = text[1:]
            if text.endswith("}"):
                text = text[:-1]
            if "_xlfn." in text or not _XLFN_SEARCH.search(text):
                return text
        return super()._prepare_formula(formula, expand_future_functions)

    def _initialize(self, init_data) -> None:
        super()._initialize(init_data)
        if self.constant_memory:
            # XlsxWriter opens its row file for reading and writing ("w+"); a text file
            # open for reading resets its decoder at every write (about 0.5 us, and
            # XlsxWriter writes once or more per cell). Until the workbook is closed it
            # is only written: open it for writing only. _opt_reopen below closes it
            # before XlsxWriter reopens it to read it back.
            self.row_data_fh.close()
            self.row_data_fh = open(self.row_data_filename, "w", encoding="utf-8")  # noqa: SIM115
            self.fh = self.row_data_fh

    def _opt_reopen(self) -> None:
        if not self.row_data_fh_closed:
            self.row_data_fh.close()
            self.row_data_fh_closed = True
        super()._opt_reopen()

    def visit_row(self, row: int) -> None:
        """Row *row* (one with a height, perhaps without a cell) comes next: write
        the row held so far, as XlsxWriter's own ``write_*`` do before a later row."""
        if self.constant_memory and row > self.previous_row:
            self._write_single_row(row)

    def keep_for_charts(self, ranges: list[tuple[int, int, int, int]]) -> None:
        """Keep the cells of *ranges* (first row, first column, last row, last column;
        zero-based, inclusive) as they are written: the data of this sheet's charts."""
        self._chart_ranges = list(ranges)
        self._chart_rows = {r for r0, _, r1, _ in ranges for r in range(r0, r1 + 1)}
        self._chart_cells: dict[tuple[int, int], Any] = {}

    def _write_single_row(self, current_row_num: int = 0) -> None:
        row = self.previous_row
        if row in getattr(self, "_chart_rows", ()):
            cells = self.table.get(row)
            if cells:
                for r0, c0, r1, c1 in self._chart_ranges:
                    if r0 <= row <= r1:
                        for col, cell in cells.items():
                            if c0 <= col <= c1:
                                self._chart_cells[row, col] = cell
        super()._write_single_row(current_row_num)

    def _get_range_data(self, row_start, col_start, row_end, col_end):
        if not self.constant_memory:
            return super()._get_range_data(row_start, col_start, row_end, col_end)
        # The rows written out, and the row still held (the last one: XlsxWriter
        # writes it out after it has read the charts' data).
        kept = {**getattr(self, "_chart_cells", {}),
                **{(self.previous_row, col): cell
                   for col, cell in (self.table.get(self.previous_row) or {}).items()}}
        data: list[Any] = []
        columns = range(col_start, col_end + 1)
        for row in range(row_start, row_end + 1):
            if not any((row, col) in kept for col in columns):
                data.append(None)  # as XlsxWriter: one None for a row without cells
                continue
            for col in columns:
                cell = kept.get((row, col))
                kind = type(cell).__name__
                if kind in ("Number", "Datetime"):
                    data.append(f"{cell.number:.16g}")
                elif kind in ("String", "_SpilledText"):  # the text itself
                    data.append(cell.string)
                elif kind in ("Formula", "ArrayFormula"):
                    data.append(0 if cell.value is None else cell.value)
                elif kind == "Blank":
                    data.append("")
                else:  # no cell, a text result (_TextFormula) or an error value
                    data.append(None)
        return data

    #: True while XlsxWriter writes a ``String`` cell (plain text) whose text starts
    #: with ``<r>``: see :meth:`_xml_rich_inline_string`.
    _text_like_rich = False

    def _xml_rich_inline_string(self, string, attributes=[]) -> None:  # noqa: B006
        """XlsxWriter's writer of a rich string's runs, unescaped; for plain text that
        merely reads like them (``<r>A&B</r>``) the escaped in-line text instead, as
        XlsxWriter writes any other text (*string* already has XlsxWriter's
        ``_xHHHH_`` escapes of control characters)."""
        if self._text_like_rich:
            self._xml_inline_string(string, _preserve_whitespace(string), attributes)
        else:
            super()._xml_rich_inline_string(string, attributes)

    def _write_cell(self, row: int, col: int, cell) -> None:
        kind = type(cell)
        if kind is not _TextFormula and kind is not _Error and kind is not _SpilledText:
            if kind is _String and cell.string.startswith("<r>"):
                self._text_like_rich = True
                try:
                    _base_write_cell(self, row, col, cell)
                finally:
                    self._text_like_rich = False
                return
            _base_write_cell(self, row, col, cell)  # XlsxWriter's (no super() per cell)
            return
        attributes = [("r", xl_rowcol_to_cell(row, col))]
        if cell.format:
            attributes.append(("s", cell.format._get_xf_index()))
        if kind is _SpilledText:
            attributes.append(("t", "str"))
            self._xml_start_tag("c", attributes)
            self._xml_data_element("v", cell.string)
            self._xml_end_tag("c")
        elif kind is _TextFormula:
            attributes.append(("t", "str"))
            self._xml_formula_element(cell.formula, cell.value, attributes)
        else:
            attributes.append(("t", "e"))
            self._xml_start_tag("c", attributes)
            self._xml_data_element("v", cell.error)
            self._xml_end_tag("c")


_base_write_cell = _XlsxWorksheet._write_cell
