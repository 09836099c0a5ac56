"""The Update prices button: import the terminal exports of the drop folder into the
price history, then refresh.

Run by the workbook's ribbon callback ``CoverbookUpdatePricesClicked`` as
``RunPython "import macros.update_prices; macros.update_prices.main()"`` and by the
add-in's ``CoverbookAddinUpdatePricesClicked`` with ``add_config_sheet=False``.

1. The data folder of the workbook (``macros/location.py``, as Refresh finds it).
2. The drop folder: ``price_exports`` in that folder's ``settings.toml``, a path
   relative to it. Every file in it (not hidden, not Excel's ``~$`` lock files) is
   imported as ``coverbook prices import FILE...`` would, without its options: an
   export that needs ``--date`` or ``--unadjusted`` is refused with the reason, and
   the command is the way to import it.
3. Any refusal: one dialog listing every reason; ``prices.csv`` and the workbook are
   unchanged. Otherwise Refresh runs and its dialog starts with what was imported.

Never a traceback: an unexpected failure is one line (``macros/messages.py``).
"""

from __future__ import annotations

from pathlib import Path

import xlwings as xw

from macros import refresh
from macros.location import book_location
from macros.messages import show_failure
from workbook.locations import DataFolderError

TITLE = "Coverbook Update prices"
#: Problems listed in the dialog before "... and N more".
MAX_SHOWN = 25


def export_files(folder: Path) -> list[Path]:
    """The export files of the drop folder *folder*, by name: every file that is not
    hidden (``.name``) and not an Excel lock file (``~$name``)."""
    return sorted(p for p in folder.iterdir()
                  if p.is_file() and not p.name.startswith((".", "~$")))


def drop_folder(data_dir: Path) -> tuple[Path | None, str]:
    """The drop folder ``settings.toml`` names (``price_exports``, relative to it), or
    ``None`` and why not (unset, invalid settings, not a folder)."""
    from workbook.dataset import SETTINGS_FILE, load_settings, problem_lines

    errors: list = []
    settings = load_settings(data_dir / SETTINGS_FILE, errors)
    if settings is None:
        return None, (f"{data_dir / SETTINGS_FILE} has problems:\n"
                      + "\n".join(problem_lines(errors)))
    if not settings.price_exports:
        return None, (f"no drop folder is set: add the line price_exports = \"exports\" to "
                      f"{data_dir / SETTINGS_FILE} (a folder relative to it), save the "
                      "terminal's exports there and click Update prices again")
    folder = data_dir / settings.price_exports
    if not folder.is_dir():
        return None, (f"{folder}: the drop folder (price_exports in {SETTINGS_FILE}) does "
                      "not exist; create it and save the terminal's exports there")
    return folder, ""


def main(book=None, *, add_config_sheet: bool = True) -> str:
    """Import the drop folder's exports into the workbook's data folder, then refresh
    *book* (default: the calling workbook); returns the message shown."""
    from workbook.prices.importer import ImportRefused, import_exports

    book = book if book is not None else xw.Book.caller()
    app = book.app
    try:
        try:
            location = book_location(book)
        except DataFolderError as exc:
            message = f"{exc}. Nothing was imported."
            app.alert(message, title=TITLE, mode="critical")
            return message
        folder, why = drop_folder(location.path)
        if folder is None:
            app.alert(why, title=TITLE, mode="critical")
            return why
        files = export_files(folder)
        if not files:
            message = f"{folder}: no export files; save the terminal's exports there first."
            app.alert(message, title=TITLE, mode="info")
            return message
        try:
            result = import_exports(location.path, files)
        except ImportRefused as exc:
            shown = exc.problems[:MAX_SHOWN]
            more = len(exc.problems) - len(shown)
            message = (f"Nothing was imported ({len(exc.problems)} problem(s)); prices.csv "
                       "and the workbook are unchanged.\n\n" + "\n".join(shown)
                       + (f"\n... and {more} more" if more else "")
                       + "\n\nFor an export that needs --date or --unadjusted, run "
                       "coverbook prices import in a terminal.")
            app.alert(message, title=TITLE, mode="critical")
            return message
        return refresh.main(book, add_config_sheet=add_config_sheet,
                            lead=result.report() + "\n\n")
    except Exception as exc:  # noqa: BLE001 - shown to the analyst, not raised into VBA
        return show_failure(app, TITLE, "Update prices", exc)
