"""``coverbook addin build``: write ``coverbook.xlam``.

The add-in is written by the same XlsxWriter path as the workbook
(``workbook.writers.xlsx.write_workbook``) with the packager of
``workbook/package.py`` given the add-in's ribbon and the macro-enabled add-in content
type. Same inputs, same bytes: the document date is ``SOURCE_DATE_EPOCH`` if set, else
:data:`ADDIN_DATE`; XlsxWriter fixes every zip entry's time. The file is written to a
temporary file beside the target and moved over it in one step.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from xlsxwriter.exceptions import XlsxWriterException

from workbook import __version__
from workbook.addin import ADDIN_CUSTOM_UI, DEFAULT_ADDIN, AddinError
from workbook.locations import PROJECT_NAME
from workbook.model import Sheet, value
from workbook.package import ADDIN_CONTENT_TYPE, ribbon_workbook
from workbook.replacing import Replacement
from workbook.vba.vba_sources import ADDIN_VBA_PROJECT_BIN
from workbook.writers.xlsx import write_workbook

#: The add-in's document date without ``SOURCE_DATE_EPOCH`` (any fixed date keeps
#: builds identical; this one is the shipped data's as-of date).
ADDIN_DATE = dt.datetime(2024, 9, 24)
#: The add-in's one sheet. Not named ``coverbook.conf``: xlwings' custom-add-in module
#: reads a sheet of that name in the add-in as settings that override the user's file.
INFO_SHEET = "coverbook"
#: Where the add-in's VBA reads its settings (``workbook.locations.user_config_file``),
#: as text: the same on every build machine.
SETTINGS_WINDOWS = r"%USERPROFILE%\.coverbook\coverbook.conf"
SETTINGS_MACOS = "~/Library/Containers/com.microsoft.Excel/Data/coverbook.conf"


def _document_date() -> dt.datetime:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if not epoch:
        return ADDIN_DATE
    try:
        moment = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    except (ValueError, OverflowError, OSError) as exc:
        raise AddinError(f"SOURCE_DATE_EPOCH={epoch!r} is not a time in seconds since 1970; "
                         "unset it or give one") from exc
    if moment.year < 1980:
        raise AddinError(f"SOURCE_DATE_EPOCH={epoch!r} is before 1980 (the zip format's "
                         "earliest date)")
    return moment.replace(tzinfo=None)


def info_sheet() -> Sheet:
    """The add-in's one sheet: what it is, its version, where its settings live."""
    sheet = Sheet(INFO_SHEET, col_widths={0: 22, 1: 70})
    rows = [
        ("coverbook add-in", f"version {__version__}"),
        ("UDFs", "PE, UPSIDE, EPS_CAGR, PEG, RATING, INDUSTRY_RATING, IMPLIED_RATING, "
                 "TOKEN_PRICE, TOKEN_COST, COST_RATIO, FX, AH_PREMIUM"),
        ("ribbon", "Coverbook Add-in: Refresh, Check data, Status (active workbook)"),
        ("settings (Windows)", SETTINGS_WINDOWS),
        ("settings (macOS)", SETTINGS_MACOS),
        ("data folder", "COVERBOOK_DATA, else that key in the settings file, "
                        "else the data shipped with coverbook"),
    ]
    sheet.add(0, 0, [[value(k, "header" if i == 0 else None), value(v)]
                     for i, (k, v) in enumerate(rows)])
    return sheet


def check_addin_target(output: Path, *, force: bool = False,
                       again: str = "build again") -> None:
    """Raise :class:`AddinError` unless *output* ends in ``.xlam`` and may be replaced:
    the build's rules (``workbook.build.check_replaceable``: not read-only, no lock
    file ``~$NAME`` beside it; *force* skips those two). *again*: what the message
    tells the user to do once Excel has let go of the file."""
    from workbook.build import BuildError, check_replaceable

    if output.suffix.lower() != ".xlam":
        raise AddinError(f"{output}: an add-in must end in .xlam (Excel decides by the "
                         "extension whether it loads a file as an add-in); choose "
                         f"another --output, e.g. {output.with_suffix('.xlam').name}")
    if not force:
        try:
            check_replaceable(output, again=again)
        except BuildError as exc:
            raise AddinError(str(exc)) from exc


def replacing_addin(output: Path, again: str = "build again") -> Replacement:
    """The :class:`~workbook.replacing.Replacement` of the add-in *output*: write it
    with :func:`write_addin_file` to ``tmp``, then :func:`commit_addin`. Its errors
    are :class:`AddinError`; *again* as for :func:`check_addin_target`."""
    return Replacement(output, error=AddinError, again=again)


def write_addin_file(tmp: Path, output: Path) -> None:
    """Write the complete add-in for *output* to *tmp* (a temporary file: see
    :func:`replacing_addin`). Raises :class:`AddinError` (the previous file is
    unchanged)."""
    workbook_class = ribbon_workbook(ADDIN_CUSTOM_UI.read_bytes(), ADDIN_CONTENT_TYPE)
    properties = {"title": "coverbook add-in", "author": "coverbook",
                  "subject": "coverbook UDFs and ribbon for any workbook",
                  "keywords": f"coverbook {__version__}; xlwings project {PROJECT_NAME}",
                  "created": _document_date()}
    try:
        write_workbook(tmp, [info_sheet()], properties=properties,
                       custom_properties={"coverbook version": __version__},
                       vba_project=ADDIN_VBA_PROJECT_BIN, workbook_class=workbook_class)
    except (OSError, XlsxWriterException) as exc:
        raise AddinError(f"{output}: cannot write ({exc}); the previous file is "
                         "unchanged") from exc


def commit_addin(new: Replacement) -> None:
    """Move the finished add-in over its target in one step (keeping the target's
    mode). Raises :class:`AddinError` (the previous file is unchanged)."""
    try:
        new.commit()
    except OSError as exc:
        raise AddinError(f"{new.path}: cannot write ({exc}); the previous file is "
                         "unchanged") from exc


def build_addin(output: Path | str = DEFAULT_ADDIN, *, force: bool = False) -> Path:
    """Write the add-in to *output* (an ``.xlam``) atomically; return its path. A
    read-only *output* or one with Excel's lock file beside it is refused unless
    *force*, as the build refuses its workbook; the new file keeps the old one's mode."""
    output = Path(output)
    check_addin_target(output, force=force)
    with replacing_addin(output) as new:
        write_addin_file(new.tmp, output)
        commit_addin(new)
    return output
