"""Where coverbook looks on an analyst's machine: the data folder and ``coverbook.conf``.

**The data folder rule**, the one place it is decided (:func:`resolve_data`; the
commands, the UDFs in ``udfs/_reference.py``, the ribbon macros in ``macros/`` and
``coverbook doctor`` all call it), most specific first:

1. ``--data`` given on the command line;
2. the folder recorded in the workbook in question (its ``xlwings.conf`` sheet, row
   ``COVERBOOK_DATA``, written by the build: :func:`record_text`); a recorded folder
   that no longer exists is an error (:class:`DataFolderError`), never a fall-back;
3. the environment variable ``COVERBOOK_DATA``, if set and not empty;
4. the project the current folder is in (``coverbook.toml``; command line only);
5. the key ``COVERBOOK_DATA`` in the user's ``coverbook.conf``
   (:func:`user_config_file`), the file the add-in reads its settings from;
6. the shipped example, ``workbook/data``.

:func:`locate_data` is rules 3, 5 and 6: what a UDF called without a workbook uses.

**coverbook.conf** is xlwings' config format for a custom add-in whose
``PROJECT_NAME`` is ``coverbook`` (``xlwings_custom_addin.bas``, ``GetConfigFilePath``):
one ``"KEY","VALUE"`` line per setting, read by VBA's ``Input #`` and compared
case-insensitively. Its place per platform is where that VBA looks for it.
"""

from __future__ import annotations

import locale
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Mapping

from workbook import DATA_DIR

if TYPE_CHECKING:
    from workbook.project import Project

#: The add-in's xlwings ``PROJECT_NAME``: settings come from ``coverbook.conf``.
PROJECT_NAME = "coverbook"
#: Environment variable and config key naming the data folder.
DATA_KEY = "COVERBOOK_DATA"
#: xlwings' setting that puts the active workbook's folder (and the add-in's) first on
#: Python's path (``ADD_WORKBOOK_TO_PYTHONPATH``, default true in its VBA). ``coverbook
#: addin install`` sets it false: a ``udfs.py``, ``macros.py`` or ``workbook.py``
#: beside the analyst's workbook would otherwise shadow coverbook's packages.
ADD_WORKBOOK_KEY = "ADD_WORKBOOK_TO_PYTHONPATH"

_QUOTED = re.compile(r'"[^"]*"')


def user_config_file(platform: str | None = None, home: Path | None = None) -> Path:
    """The ``coverbook.conf`` the add-in reads (xlwings' ``GetConfigFilePath`` with
    ``PROJECT_NAME = "coverbook"``): ``%USERPROFILE%\\.coverbook\\coverbook.conf`` on
    Windows, ``~/Library/Containers/com.microsoft.Excel/Data/coverbook.conf`` on macOS
    (Excel's sandbox home), ``~/.coverbook/coverbook.conf`` elsewhere (the same layout
    as xlwings' ``USER_CONFIG_FILE`` off macOS)."""
    platform = sys.platform if platform is None else platform
    if home is None:
        home = Path(os.environ.get("USERPROFILE") or Path.home()) \
            if platform.startswith("win") else Path.home()
    if platform == "darwin":
        return home / "Library" / "Containers" / "com.microsoft.Excel" / "Data" / \
            f"{PROJECT_NAME}.conf"
    return home / f".{PROJECT_NAME}" / f"{PROJECT_NAME}.conf"


def config_encoding(platform: str | None = None) -> str:
    """The text encoding of ``coverbook.conf``: on Windows the ANSI code page (VBA's
    ``Input #`` reads the file in it, and it is what xlwings' own
    ``update_user_config`` writes with ``open(..., "w")``), else UTF-8."""
    platform = sys.platform if platform is None else platform
    if platform.startswith("win"):
        getencoding = getattr(locale, "getencoding", None)  # Python 3.11+
        return getencoding() if getencoding else locale.getpreferredencoding(False)
    return "utf-8"


def parse_config_line(line: str) -> tuple[str, str] | None:
    """``(KEY, value)`` of one ``"KEY","VALUE"`` line (key upper-cased, as the VBA
    compares it case-insensitively), or ``None`` for a line without two quoted
    fields. The same parsing as xlwings' ``read_user_config``."""
    values = _QUOTED.findall(line)
    if len(values) < 2:
        return None
    return values[0].strip('"').upper(), values[1].strip('"')


def read_config(path: Path) -> dict[str, str]:
    """The settings in the config file *path* (``{}`` if it does not exist or cannot be
    read); the first line of a key wins, as in the VBA reader; ``%VAR%``/``$VAR`` in
    values are expanded as xlwings does."""
    try:
        text = Path(path).read_bytes().decode(config_encoding(), errors="replace")
    except OSError:
        return {}
    settings: dict[str, str] = {}
    for line in text.splitlines():
        parsed = parse_config_line(line)
        if parsed and parsed[0] not in settings:
            settings[parsed[0]] = os.path.expandvars(parsed[1])
    return settings


@dataclass(frozen=True)
class DataLocation:
    """The data folder in use and which step of the rule chose it (for Status and
    ``coverbook doctor``: ``"COVERBOOK_DATA environment variable"``, ``"COVERBOOK_DATA
    in <config file>"``, ``"shipped data"``, ``"--data"``, ``"recorded in <workbook>"``,
``"project <coverbook.toml>"``)."""

    path: Path
    source: str

    def line(self) -> str:
        """The line every command prints: ``data: my/data (recorded in my.xlsm)``."""
        return f"data: {self.path} ({self.source})"


def locate_data(environ: Mapping[str, str] | None = None,
                config_file: Path | None = None) -> DataLocation:
    """Apply the data folder rule (module docstring). A relative folder in the
    config file is relative to the config file's folder."""
    environ = os.environ if environ is None else environ
    folder = environ.get(DATA_KEY, "")
    if folder:
        return DataLocation(Path(folder), f"{DATA_KEY} environment variable")
    config_file = user_config_file() if config_file is None else Path(config_file)
    folder = read_config(config_file).get(DATA_KEY, "")
    if folder:
        return DataLocation(config_file.parent / folder, f"{DATA_KEY} in {config_file}")
    return DataLocation(DATA_DIR, "shipped data")


# --- The folder a workbook records (rule 2) ---------------------------------------

#: The sheet xlwings reads a workbook's own settings from (``workbook/sheets/config.py``).
CONFIG_SHEET = "xlwings.conf"
#: The key of the row on that sheet naming the workbook's data folder.
RECORD_KEY = DATA_KEY

#: ``{absolute workbook path: ((mtime_ns, size), recorded text or None)}``.
_recorded: dict[str, tuple[tuple[int, int], str | None]] = {}


class DataFolderError(Exception):
    """The data folder a workbook records does not exist; the message names it, the
    workbook and the way out (``--data``)."""


def record_text(data_dir: Path | str, workbook: Path | str) -> str:
    """What a workbook written to *workbook* records for the data folder *data_dir*:
    the path relative to the workbook's own folder whenever one exists (on Windows a
    folder on another drive has none: then the absolute path), with forward slashes,
    so the same two paths give the same bytes on every OS and moving the workbook
    together with its data keeps the link (``"data"``, ``"../my-data"``)."""
    folder = os.path.abspath(data_dir)
    base = os.path.dirname(os.path.abspath(workbook))
    try:
        text = os.path.relpath(folder, base)
    except ValueError:  # Windows: another drive
        text = folder
    return text.replace(os.sep, "/").replace("\\", "/")


def recorded_text(workbook: Path | str) -> str | None:
    """The data folder recorded in the saved workbook *workbook* (row
    :data:`RECORD_KEY` of its ``xlwings.conf`` sheet, as written), or ``None``: no such
    file, not a workbook, no such sheet or row. Read with python-calamine and cached
    by path, modification time and size, so a sheet full of UDFs reads the file once
    per save."""
    path = os.path.abspath(workbook)
    try:
        st = os.stat(path)
    except OSError:
        return None
    stamp = (st.st_mtime_ns, st.st_size)
    cached = _recorded.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    text = None
    try:
        from python_calamine import CalamineWorkbook

        book = CalamineWorkbook.from_path(path)
        if CONFIG_SHEET in book.sheet_names:
            for row in book.get_sheet_by_name(CONFIG_SHEET).to_python():
                if len(row) >= 2 and str(row[0]).strip().upper() == RECORD_KEY:
                    text = str(row[1]).strip() or None
                    break
    except Exception:  # not a workbook calamine reads: it records nothing
        text = None
    _recorded[path] = (stamp, text)
    return text


def recorded_folder(workbook: Path | str, text: str | None = None) -> DataLocation | None:
    """The data folder *workbook* records (*text*, read from the saved file if not
    given), resolved against the workbook's folder; ``None`` if it records none.
    Raises :class:`DataFolderError` if that folder does not exist."""
    text = recorded_text(workbook) if text is None else text
    if not text:
        return None
    folder = Path(text)
    if not folder.is_absolute():
        folder = Path(os.path.normpath(Path(workbook).parent / folder))
    if not folder.is_dir():
        raise DataFolderError(
            f"{folder}: the data folder recorded in {workbook} ({RECORD_KEY} = {text!r} "
            f"on its {CONFIG_SHEET} sheet) does not exist; put it back beside the "
            "workbook, or build with --data FOLDER (the workbook then records that one)")
    return DataLocation(folder, f"recorded in {workbook}")


def synced_file(fullname: str) -> Path:
    """The local file of a OneDrive/SharePoint workbook whose full name (Excel's
    ``FullName``) is the URL *fullname*, mapped as xlwings maps it
    (``xlwings.utils.fullname_url_to_local_path``). Raises ``ValueError`` with
    xlwings' reason when it cannot (not synced here, or not such a URL)."""
    try:
        from xlwings.utils import fullname_url_to_local_path

        return Path(fullname_url_to_local_path(fullname))
    except Exception as exc:  # noqa: BLE001 - xlwings says why in its message
        raise ValueError(str(exc) or type(exc).__name__) from exc


def resolve_data(option: Path | str | None = None, workbook: Path | str | None = None,
                 project: "Project | None" = None, *,
                 environ: Mapping[str, str] | None = None,
                 config_file: Path | None = None,
                 recorded: str | None = None) -> DataLocation:
    """The data folder and why (the rule in the module docstring): *option* is
    ``--data``; *workbook* the workbook in question (its recorded folder, or
    *recorded*, the text read from an open workbook); *project* the project the
    command stands in (``None`` from Excel). Raises :class:`DataFolderError` for a
    recorded folder that does not exist."""
    if option is not None:
        return DataLocation(Path(option), "--data")
    if workbook is not None:
        found = recorded_folder(workbook, recorded)
        if found is not None:
            return found
    environ = os.environ if environ is None else environ
    if environ.get(DATA_KEY, ""):
        return locate_data(environ, config_file)
    if project is not None:
        return DataLocation(project.data, f"project {project.file}")
    return locate_data(environ, config_file)


def installed_as_package() -> bool:
    """coverbook runs from an installed package (a wheel in site-packages), not from a
    source checkout (``pyproject.toml`` beside the ``workbook`` package, as in a clone
    or an editable install): a command then never defaults to writing inside it."""
    from workbook import PACKAGE_DIR

    return not (PACKAGE_DIR.parent / "pyproject.toml").is_file()
