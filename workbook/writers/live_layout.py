"""Frozen panes and print setup for the live writer, where xlwings has no call for them.

xlwings has ``Sheet.freeze_panes`` on its remote engine and xlwings Lite only (its
Windows and macOS engines raise ``NotImplementedError``), and of Excel's page setup
only ``print_area`` on any engine. So, per platform, as ``live._remove_autofilter``:

- **frozen panes**: xlwings' ``freeze_panes.freeze_at`` where it has one; else the
  sheet's window through the platform object (Windows' COM ``ActiveWindow``, macOS'
  AppleScript ``active window``: ``SplitRow``, ``SplitColumn``, ``FreezePanes``),
  which only works on the active sheet, so the sheet is activated for it and the
  sheet that was active is activated again;
- **print setup**: Excel's ``PageSetup`` object through Windows' COM
  (``Sheet.page_setup.api``), from :data:`~workbook.writers.mapping.PAGE_MAPPING`.
  Neither macOS' AppleScript dictionary (xlwings' ``mac_dict.py`` has no paper
  sizes) nor the remote engine (whose ``api`` is the client's payload) has one: there
  the sheet keeps the print setup it has (the build's, when it came from
  ``coverbook build``).

A model left at its default (no frozen panes) leaves the sheet's own as it is, as for
row heights and column widths the model does not set.
"""

from __future__ import annotations

from workbook.model import PrintSetup
from workbook.model.refs import a1
from workbook.writers.mapping import excel_page_setup


def freeze_range(freeze: tuple[int, int]) -> str:
    """The cells Excel keeps in view for *freeze* (rows, columns), as xlwings'
    ``freeze_at`` (Office.js ``freezeAt``) takes them: ``$A$1:$B$3`` for (3, 2),
    ``$1:$3`` for rows only, ``$A:$B`` for columns only."""
    rows, cols = freeze
    if rows and cols:
        return f"$A$1:{a1(rows - 1, cols - 1, absolute=True)}"
    if rows:
        return f"$1:${rows}"
    column = a1(0, cols - 1).rstrip("0123456789")
    return f"${column}:${column}" if cols == 1 else f"$A:${column}"


def write_freeze(xl_sheet, freeze: tuple[int, int] | None) -> None:
    """Freeze *freeze* (rows, columns) of *xl_sheet* (an ``xlwings.Sheet``); nothing
    for ``None`` or (0, 0)."""
    if not freeze or not any(freeze):
        return
    try:
        panes = xl_sheet.freeze_panes
    except NotImplementedError:  # xlwings' Windows and macOS engines
        panes = None
    if panes is not None:
        panes.freeze_at(freeze_range(freeze))
        return
    _freeze_window(xl_sheet, *freeze)


def _freeze_window(xl_sheet, rows: int, cols: int) -> None:
    try:
        app = xl_sheet.book.app.api
    except NotImplementedError:
        return
    if not hasattr(app, "ActiveWindow") and not hasattr(app, "active_window"):
        return
    active = xl_sheet.book.sheets.active
    xl_sheet.activate()
    try:
        if hasattr(app, "ActiveWindow"):  # Windows (COM)
            window = app.ActiveWindow
            if window is None:  # Excel without a window (hidden): nothing to freeze
                return
            window.FreezePanes = False
            window.ScrollRow, window.ScrollColumn = 1, 1  # split at the sheet's top left
            window.SplitRow, window.SplitColumn = rows, cols
            window.FreezePanes = True
        else:  # macOS (appscript)
            window = app.active_window
            window.freeze_panes.set(False)
            window.scroll_row.set(1)
            window.scroll_column.set(1)
            window.split_row.set(rows)
            window.split_column.set(cols)
            window.freeze_panes.set(True)
    finally:
        active.activate()


def write_page_setup(xl_sheet, page: PrintSetup) -> None:
    """Set *page* on *xl_sheet* through Excel's ``PageSetup`` where the platform has
    it (Windows' COM); elsewhere the sheet keeps its print setup (module docstring)."""
    try:
        page_setup = xl_sheet.page_setup.api
    except NotImplementedError:
        return
    if not hasattr(page_setup, "PaperSize"):  # macOS, the remote engine
        return
    excel_page_setup(page_setup, xl_sheet.api,
                     lambda row: xl_sheet.range((row + 1, 1)).api, page)
