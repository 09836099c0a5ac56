"""The add-in's Check data button: validate the data folder, list the problems,
change nothing.

Run by ``CoverbookAddinCheckClicked`` as ``RunPython "import macros.check; macros.check.main()"``.
The folder is the one the workbook's UDFs and Refresh use (``macros/location.py``:
the folder the workbook records, else ``COVERBOOK_DATA`` ...).
"""

from __future__ import annotations

import xlwings as xw

from macros.messages import show_failure, status
from workbook.dataset import DataErrors, load_dataset, problem_lines
from macros.location import book_location
from workbook.locations import DataFolderError, DataLocation

TITLE = "Coverbook Check data"


def check_text(location: DataLocation) -> tuple[bool, str]:
    """``(valid, message)`` for the data folder at *location*: the problems one line
    each (``file:row:column: message``), or what the valid folder holds."""
    try:
        data = load_dataset(location.path)
    except DataErrors as exc:
        return False, (f"{len(exc.errors)} problem(s) in {location.path} "
                       f"({location.source}). Nothing was changed.\n\n"
                       + "\n".join(problem_lines(exc.errors)))
    return True, (f"{location.path} ({location.source}) is valid: "
                  f"{len(data.coverage.stocks)} stocks, {len(data.prices.models)} models, "
                  f"{len(data.claims)} claims. Nothing was changed.")


def main(book=None) -> str:
    """Check the data folder and show the result in a message box; returns it."""
    book = book if book is not None else xw.Book.caller()
    app = book.app
    status(app, "Coverbook: checking the data files ...")
    try:
        try:
            valid, message = check_text(book_location(book))
        except DataFolderError as exc:
            valid, message = False, f"{exc}. Nothing was changed."
        app.alert(message, title=TITLE, mode="info" if valid else "critical")
        return message
    except Exception as exc:  # noqa: BLE001 - shown to the analyst, not raised into VBA
        return show_failure(app, TITLE, "Check data", exc)
    finally:
        status(app, False)
