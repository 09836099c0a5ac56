"""References and literals inside formulas: :func:`a1`, :func:`sheet_ref`,
:func:`excel_string`."""

from __future__ import annotations

from xlsxwriter.utility import xl_rowcol_to_cell


def a1(row: int, col: int, *, absolute: bool = False) -> str:
    """A1 reference of a zero-based cell: (3, 2) -> ``C4``; absolute -> ``$C$4``."""
    return xl_rowcol_to_cell(row, col, absolute, absolute)


def sheet_ref(sheet: str, ref: str) -> str:
    """``'重点标的'!C4``: a reference into another sheet. The name is always quoted
    (valid in Excel for any name; some formula parsers need it for non-ASCII names)."""
    return "'" + sheet.replace("'", "''") + "'!" + ref


def excel_string(text: str) -> str:
    """A string literal inside a formula: ``"o1-mini"`` with inner quotes doubled."""
    return '"' + text.replace('"', '""') + '"'
