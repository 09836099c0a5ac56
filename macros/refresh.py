"""The Refresh button: rebuild the sheets coverbook owns from the data files.

Run by the workbook's ribbon callback ``CoverbookRefreshClicked`` as
``RunPython "import macros.refresh; macros.refresh.main()"`` and by the add-in's
``CoverbookAddinRefreshClicked`` as ``macros.refresh.main(add_config_sheet=False)`` on the
active workbook (xlwings' custom-add-in module calls Python with the active workbook).

1. Reload and validate every data file of the workbook's data folder: the one it
   records on its ``xlwings.conf`` sheet, else ``COVERBOOK_DATA`` ... (see
   ``macros/location.py``). Any problem, or a recorded folder that no longer exists: a
   message box says so (file, row, column) and nothing in the workbook changes.
2. Hand the fresh data to the UDFs' cache of that folder, so live recalculation
   agrees with the cached values just computed (other workbooks, recording other
   folders, keep theirs).
3. Rewrite only the sheets in ``workbook.sheets.OWNED`` from the same sheet models the
   headless build writes (``workbook.writers.live``: one call per block), adding any
   that are missing (``workbook.sheets.sheet_names``: the token sheets only when the
   data has token prices, so an equity-only workbook gets no empty token sheets).
   Sheets the user added are never read or written. From the
   add-in, the ``xlwings.conf`` sheet is rewritten only where it already exists (the
   standalone workbook): it configures the xlwings module embedded in that workbook,
   which an analyst's own workbook does not have, and it would change how the
   xlwings add-in treats that workbook. The recorded data folder is written back as
   it was.
   Input cells (``Token场景``'s date, benchmark, currency and typed workload) are
   never cleared or overwritten: what is typed there is read first and the cached
   values are computed from it, as Excel will recalculate them.
4. Report what changed (``300308.SZ P/E 2025E 12.15 → 11.87``); progress goes to
   Excel's status bar.
"""

from __future__ import annotations

from typing import Any

import xlwings as xw

from macros.location import book_location
from macros.messages import show_failure, status
from udfs._reference import remember_dataset
from workbook.dataset import Dataset, DataErrors, load_dataset, problem_lines
from workbook.locations import DataFolderError, DataLocation
from workbook.sheets import OWNED, build_sheets, config
from workbook.writers import live

TITLE = "Coverbook Refresh"
#: Changed values listed in the report before "... and N more".
MAX_REPORTED = 25


def _status(app, text: str | bool) -> None:
    status(app, text)


def error_text(exc: DataErrors, location: DataLocation) -> str:
    """The message box text for invalid data in the folder at *location*: one line
    per problem (at most ``MAX_SHOWN``, then ``… and N more``)."""
    return (f"{len(exc.errors)} problem(s) in {location.path} ({location.source}); the "
            "workbook was not changed.\n\n" + "\n".join(problem_lines(exc.errors)))


def report(lines: list[str]) -> str:
    """The closing message: the changed values, at most :data:`MAX_REPORTED`."""
    if not lines:
        return "Refreshed: no values changed."
    shown = lines[:MAX_REPORTED]
    more = len(lines) - len(shown)
    return (f"Refreshed: {len(lines)} value(s) changed.\n\n" + "\n".join(shown)
            + (f"\n... and {more} more" if more else ""))


def owned_values(book) -> dict[str, dict[tuple[int, int], Any]]:
    """``{sheet name: {(row, col): value}}`` of the owned sheets *book* has (one read
    per sheet): what the change report compares with, and what is typed in input
    cells (``Token场景``'s date, benchmark, currency and workload)."""
    existing = {s.name: s for s in book.sheets}
    return {name: live.read_values(existing[name]) for name in OWNED if name in existing}


def refresh(book, data: Dataset, sheets: list | None = None, *,
            add_config_sheet: bool = True,
            before: dict[str, dict[tuple[int, int], Any]] | None = None) -> list[str]:
    """Rewrite the owned sheets of *book* (an ``xlwings.Book``) from *data* (or its
    sheet models *sheets*, if already built), adding the missing ones (the
    ``xlwings.conf`` sheet only if *add_config_sheet*); return the change lines.
    Raises ``DataErrors`` for data beyond Excel's limits, before writing anything.

    *before*: :func:`owned_values` of *book* (read here if not given). What is typed
    in input cells is kept and the cached values written are computed from it; build
    *sheets* with ``inputs=before`` for the same reason.
    """
    if before is None:
        before = owned_values(book)
    if sheets is None:
        sheets, _ = build_sheets(data, inputs=before,
                                 recorded=config.recorded_in(before.get(config.NAME, {})),
                                 python_path=config.has_python_path(
                                     before.get(config.NAME, {})))
    existing = {s.name: s for s in book.sheets}
    if not add_config_sheet:
        sheets = [s for s in sheets if s.name != config.NAME or s.name in existing]
    changed: list[str] = []
    for sheet in sheets:
        changed += live.changes(sheet, before.get(sheet.name, {}))

    def progress(i: int, n: int, name: str) -> None:
        _status(book.app, f"Coverbook: writing {name} ({i}/{n})")

    live.write_book(book, sheets, progress)
    return changed


def main(book=None, *, add_config_sheet: bool = True, lead: str = "") -> str:
    """Refresh the calling workbook (or *book*); returns the message shown. Any failure
    other than invalid data is shown as one line (never a traceback). *lead*: text
    shown above the refresh's own message, in the same dialog (Update prices puts
    what it imported there)."""
    book = book if book is not None else xw.Book.caller()
    app = book.app
    _status(app, "Coverbook: reading and checking the data files ...")
    try:
        before = owned_values(book)
        recorded = config.recorded_in(before.get(config.NAME, {}))
        try:
            location = book_location(book, before.get(config.NAME, {}))
        except DataFolderError as exc:
            message = f"{lead}{exc}. The workbook was not changed."
            app.alert(message, title=TITLE, mode="critical")
            return message
        try:
            data = load_dataset(location.path)
            # also checks Excel's limits; the cached values follow the typed inputs;
            # the recorded data folder is written back as it was
            sheets, _ = build_sheets(data, inputs=before, recorded=recorded,
                                     python_path=config.has_python_path(
                                         before.get(config.NAME, {})))
        except DataErrors as exc:
            message = lead + error_text(exc, location)
            app.alert(message, title=TITLE, mode="critical")
            return message
        remember_dataset(location.path, data)
        message = lead + report(refresh(book, data, sheets,
                                        add_config_sheet=add_config_sheet, before=before))
        app.alert(message, title=TITLE, mode="info")
        return message
    except Exception as exc:  # noqa: BLE001 - shown to the analyst, not raised into VBA
        return show_failure(app, TITLE, "Refresh", exc)
    finally:
        _status(app, False)
