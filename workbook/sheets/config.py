"""Sheet ``xlwings.conf``: the settings xlwings reads from the workbook itself.

xlwings' VBA (``GetConfigFromSheet``) reads this sheet's columns A (key) and B
(value, the cell's *value*, so a formula's result counts) and these keys win over
the user's and the folder's ``xlwings.conf`` files:

- ``UDF Modules``: the Python package whose decorated functions are the UDFs.
- ``PYTHONPATH`` (the checkout's own workbook only, :func:`in_checkout`): the
  repository root, so that a clone of the repository works in place (``udfs``, ``macros`` and ``workbook`` import from the clone, not from some
  other installed copy). xlwings passes the value to ``sys.path`` unchanged: a
  relative path would be relative to the Python process's working directory, which
  is Excel's or the interpreter's folder, never the workbook's. So the value is a
  formula that Excel evaluates where the file is: ``CELL("filename")`` gives
  ``<folder><sep>[coverbook.xlsm]xlwings.conf``; everything before ``[`` plus
  ``..`` is the parent of the workbook's folder (``workbook/`` -> repository root),
  with the right separator on Windows and macOS. The cached value is ``""``: the
  build machine's path is never stored. ``CELL`` is volatile, and Excel recalculates
  volatile cells when it opens a workbook even though the file does not ask for a
  full recalculation (which would recompute every UDF); not in manual calculation
  mode, so the ribbon's ``onLoad`` (``coverbook_ribbon.bas``, ``CalculateConfigSheet``)
  calculates this sheet as the workbook opens, before a first UDF call makes xlwings
  read the value. A workbook not saved yet, or one on a web location, gives ``""``
  and xlwings falls back to the installed packages (after ``pip install -e .``, the
  same clone).
- ``COVERBOOK_DATA``: the data folder the workbook was built from, relative to the
  workbook's own folder (``workbook.locations.record_text``). xlwings ignores the key;
  coverbook reads it from the saved file (``workbook.locations.recorded_text``) for
  the UDFs, Refresh, Check data, Status and every command given this workbook.
  Refresh keeps it as it is.
- ``ADD_WORKBOOK_TO_PYTHONPATH`` ``false``: xlwings would otherwise put the
  workbook's own folder (the ``workbook`` package folder) on ``sys.path``, where its
  modules (``build``, ``model``, ``checks`` ...) would shadow top-level packages.
"""

from __future__ import annotations

from pathlib import Path

from workbook.locations import CONFIG_SHEET, RECORD_KEY
from workbook.model import Sheet, formula, value

NAME = CONFIG_SHEET
#: The importable module holding the UDFs (the top-level ``udfs`` package).
UDF_MODULES = "udfs"
#: The parent folder of the workbook's folder, computed by Excel (see above).
PYTHONPATH_FORMULA = ('=IFERROR(LEFT(CELL("filename",A1),'
                      'FIND("[",CELL("filename",A1))-1)&"..","")')


def settings(recorded: str | None = None, python_path: bool = True
             ) -> list[tuple[str, str]]:
    """The (key, value) pairs written to the sheet, in order; a value starting with
    ``=`` is written as a formula (cached value ``""``). *recorded*: the data folder
    the workbook records (``record_text``), if any. *python_path*: write the
    ``PYTHONPATH`` row, for the checkout's own workbook only (:func:`in_checkout`):
    anywhere else the folder above the workbook is no coverbook clone, and whatever
    ``udfs`` or ``workbook`` package stood there would come first on Python's path."""
    rows = [("UDF Modules", UDF_MODULES),
            *([("PYTHONPATH", PYTHONPATH_FORMULA)] if python_path else []),
            ("ADD_WORKBOOK_TO_PYTHONPATH", "false")]
    if recorded:
        rows.append((RECORD_KEY, recorded))
    return rows


def recorded_in(values: dict[tuple[int, int], object]) -> str | None:
    """The recorded data folder among *values* (``{(row, col): value}`` of this sheet
    as read from an open workbook), or ``None``."""
    for (row, col), key in values.items():
        if col == 0 and isinstance(key, str) and key.strip().upper() == RECORD_KEY:
            text = values.get((row, 1))
            return (str(text).strip() or None) if text is not None else None
    return None


def in_checkout(workbook: Path) -> bool:
    """*workbook* is the source checkout's own (``workbook/`` of a clone, not of an
    installed package): the one workbook whose ``PYTHONPATH`` row makes sense."""
    from workbook import PACKAGE_DIR
    from workbook.locations import installed_as_package

    return not installed_as_package() and Path(workbook).absolute().parent == PACKAGE_DIR


def has_python_path(values: dict[tuple[int, int], object]) -> bool:
    """The sheet read from an open workbook (``{(row, col): value}``) has a
    ``PYTHONPATH`` row (Refresh keeps it, or keeps it away)."""
    return any(col == 0 and isinstance(key, str) and key.strip().upper() == "PYTHONPATH"
               for (row, col), key in values.items())


def build(recorded: str | None = None, python_path: bool = True) -> Sheet:
    """The sheet model of ``xlwings.conf`` (*recorded*, *python_path*: see
    :func:`settings`)."""
    sheet = Sheet(NAME, col_widths={0: 28, 1: 40}, published=False)
    rows = [[value(k, "text"), formula(v, "", "text") if v.startswith("=") else value(v, "text")]
            for k, v in settings(recorded, python_path)]
    sheet.add(0, 0, rows)
    return sheet
