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

Both cells go through XlsxWriter's own table and XML writer; only the ``<c>``
element of these two kinds is written here (the cell reference, the format index
and the type, in XlsxWriter's attribute order). Cells of every other kind are
XlsxWriter's own. Row and column default formats are not applied to these two
kinds (coverbook gives every such cell its own format).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from xlsxwriter.utility import xl_rowcol_to_cell
from xlsxwriter.worksheet import Worksheet as _XlsxWorksheet

#: The error values coverbook writes as error cells: Excel's seven classic errors,
#: the same seven XlsxWriter recognises in ``write_formula`` (newer ones such as
#: ``#SPILL!`` exist only in live Excel and stay text).
ERROR_VALUES = ("#DIV/0!", "#N/A", "#NAME?", "#NULL!", "#NUM!", "#REF!", "#VALUE!")


class _TextFormula(NamedTuple):
    formula: str
    format: Any
    value: str


class _Error(NamedTuple):
    format: Any
    error: str


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

    def _write_cell(self, row: int, col: int, cell) -> None:
        kind = type(cell)
        if kind is not _TextFormula and kind is not _Error:
            super()._write_cell(row, col, cell)
            return
        attributes = [("r", xl_rowcol_to_cell(row, col))]
        if cell.format:
            attributes.append(("s", cell.format._get_xf_index()))
        if kind is _TextFormula:
            attributes.append(("t", "str"))
            self._xml_formula_element(cell.formula, cell.value, attributes)
        else:
            attributes.append(("t", "e"))
            self._xml_start_tag("c", attributes)
            self._xml_data_element("v", cell.error)
            self._xml_end_tag("c")
