"""Sheet ``xlwings.conf``: the settings xlwings reads from the workbook itself.

``UDF Modules`` names the Python package whose decorated functions become the
workbook's UDFs. xlwings reads this sheet's columns A (key) and B (value).
"""

from __future__ import annotations

from workbook.model import Sheet, value

NAME = "xlwings.conf"
#: The importable module holding the UDFs (the top-level ``udfs`` package).
UDF_MODULES = "udfs"


def settings() -> list[tuple[str, str]]:
    """The (key, value) pairs written to the sheet, in order."""
    return [("UDF Modules", UDF_MODULES)]


def build() -> Sheet:
    """The sheet model of ``xlwings.conf``."""
    sheet = Sheet(NAME, col_widths={0: 18, 1: 40})
    sheet.add(0, 0, [[value(k, "text"), value(v, "text")] for k, v in settings()])
    return sheet
