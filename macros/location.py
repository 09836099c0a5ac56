"""The data folder a ribbon macro (Refresh, Check data, Status) uses for a workbook.

The rule of ``workbook.locations`` without the command-line steps: the folder the
workbook records on its ``xlwings.conf`` sheet (read from the open workbook: a macro,
unlike a UDF, may read cells), resolved against the workbook's own folder; else
``COVERBOOK_DATA``, else that key in ``coverbook.conf``, else the shipped data. A
workbook whose folder is unknown (never saved, or a OneDrive/SharePoint address
xlwings cannot map to a local file) has no recorded folder to go by: the next rule
applies, and ``coverbook doctor WORKBOOK`` says so.
"""

from __future__ import annotations

from typing import Any

from udfs._reference import workbook_file
from workbook.locations import DataLocation, resolve_data
from workbook.sheets import config


def recorded_value(book, values: dict[tuple[int, int], Any] | None = None) -> str | None:
    """The data folder *book* (an open ``xlwings.Book``) records, as written on its
    ``xlwings.conf`` sheet (*values*: that sheet's ``{(row, col): value}`` if already
    read), or ``None``."""
    if values is None:
        from workbook.writers import live

        sheets = {s.name: s for s in book.sheets}
        if config.NAME not in sheets:
            return None
        values = live.read_values(sheets[config.NAME])
    return config.recorded_in(values)


def book_location(book, values: dict[tuple[int, int], Any] | None = None) -> DataLocation:
    """The data folder for *book* and why; raises ``workbook.locations.DataFolderError``
    if the folder it records does not exist."""
    path = None
    try:
        path = workbook_file(str(book.fullname))
    except Exception:  # an engine without a full name: as a workbook never saved
        path = None
    if path is None:
        return resolve_data()
    return resolve_data(None, path, recorded=recorded_value(book, values) or "")
