"""The add-in's Status button: which Python, xlwings and coverbook answer, and the
data folder in use.

Run by ``CoverbookAddinStatusClicked`` as
``RunPython "import macros.status; macros.status.main('<XLWINGS_VERSION>')"``: the
VBA passes its own module's version constant, so a mismatch between the add-in's VBA
and the Python package shows here. When Python cannot start at all, the VBA callback
says why before calling this (see ``workbook/addin/vba/coverbook_addin_ribbon.bas``).
"""

from __future__ import annotations

import platform
import sys

import xlwings as xw

from macros.messages import show_failure
from workbook import __version__
from macros.location import book_location
from workbook.locations import DataFolderError, DataLocation, locate_data, user_config_file

TITLE = "Coverbook Status"


def status_text(vba_xlwings_version: str | None = None,
                location: DataLocation | str | None = None) -> str:
    """The lines the Status box shows; *location*: the data folder of the workbook
    (``macros.location.book_location``), or the error naming a recorded folder that
    does not exist (default: the folder of UDFs called without a workbook)."""
    location = locate_data() if location is None else location
    lines = [
        f"Python {platform.python_version()}: {sys.executable}",
        f"xlwings {xw.__version__} (Python package)",
    ]
    if vba_xlwings_version is not None:
        agree = "agrees" if vba_xlwings_version == xw.__version__ else \
            "DIFFERS: run 'coverbook addin install' again from this coverbook folder"
        lines.append(f"xlwings {vba_xlwings_version} (add-in's VBA module): {agree}")
    lines += [
        f"coverbook {__version__}",
        f"data folder: {location.path} ({location.source})"
        if isinstance(location, DataLocation) else f"data folder: {location}",
        f"settings file: {user_config_file()}",
    ]
    return "\n".join(lines)


def main(vba_xlwings_version: str | None = None, book=None) -> str:
    """Show :func:`status_text` in a message box; returns it."""
    book = book if book is not None else xw.Book.caller()
    app = book.app
    try:
        try:
            location: DataLocation | str = book_location(book)
        except DataFolderError as exc:
            location = str(exc)
        message = status_text(vba_xlwings_version, location)
        app.alert(message, title=TITLE, mode="info")
        return message
    except Exception as exc:  # noqa: BLE001 - shown to the analyst, not raised into VBA
        return show_failure(app, TITLE, "Status", exc)
