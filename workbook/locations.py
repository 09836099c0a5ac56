"""Where coverbook looks on an analyst's machine: the data folder and ``coverbook.conf``.

**The data folder rule**, the one place it is decided (the UDFs in
``udfs/_reference.py``, the ribbon macros in ``macros/`` and ``coverbook doctor`` all
call :func:`data_folder`):

1. the environment variable ``COVERBOOK_DATA``, if set and not empty;
2. else the key ``COVERBOOK_DATA`` in the user's ``coverbook.conf``
   (:func:`user_config_file`), the file the add-in reads its settings from;
3. else the shipped data, ``workbook/data``.

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
from typing import Mapping

from workbook import DATA_DIR

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
    in <config file>"`` or ``"shipped data"``)."""

    path: Path
    source: str


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


def data_folder(environ: Mapping[str, str] | None = None,
                config_file: Path | None = None) -> Path:
    """The data folder coverbook uses on this machine (see the module docstring)."""
    return locate_data(environ, config_file).path
