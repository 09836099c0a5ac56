"""The VBA modules of the workbook's VBA project, read from ``workbook/vba/``.

Sources are kept as the VBA editor exports them (``.bas``: ``Attribute VB_Name``
first; ``.cls``: a ``VERSION``/``BEGIN``/``END`` header, then attributes), ASCII only.
A module's *stored code* is what VBA keeps in the module stream of
``vbaProject.bin``: everything after the ``VERSION ... END`` header, with CRLF line
ends. The document modules (``ThisWorkbook`` and one per sheet, named like
XlsxWriter's default code names ``Sheet1``, ``Sheet2``, ...) carry no code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from workbook import PACKAGE_DIR
from workbook.sheets import OWNED

VBA_DIR = PACKAGE_DIR / "vba"
#: The committed, generated VBA project the build embeds.
VBA_PROJECT_BIN = VBA_DIR / "vbaProject.bin"
#: Name of the VBA project (Excel's default).
PROJECT_NAME = "VBAProject"
#: Source files in project order: xlwings' standalone module and the class it needs
#: on macOS (both copied unchanged from the pinned xlwings package), the generated
#: UDF wrappers, the generated function-wizard help, the ribbon callbacks.
SOURCE_FILES = ("xlwings.bas", "Dictionary.cls", "xlwings_udfs.bas",
                "coverbook_udf_help.bas", "coverbook_ribbon.bas")
#: The generated UDF wrapper module (output of ``python -m workbook.vba.make_vba``).
UDF_WRAPPERS = VBA_DIR / "xlwings_udfs.bas"
#: The generated module registering the UDFs' help (``RegisterUdfHelp``), also
#: written by ``python -m workbook.vba.make_vba``.
UDF_HELP = VBA_DIR / "coverbook_udf_help.bas"

_NAME = re.compile(r'^Attribute VB_Name = "([A-Za-z][A-Za-z0-9_]*)"\r?$', re.M)


@dataclass(frozen=True)
class Module:
    """One VBA module: its name, kind (``"module"``, ``"class"``, ``"document"``) and
    stored code (CRLF line ends, starting with ``Attribute VB_Name``)."""

    name: str
    kind: str
    code: str

    @property
    def body(self) -> str:
        """The code after the ``Attribute VB_Name`` line (what LibreOffice is given;
        its exporter writes the ``VB_Name`` line itself)."""
        return self.code.split("\r\n", 1)[1] if "\r\n" in self.code else ""


def stored_code(text: str) -> str:
    """The module-stream code of an exported source *text* (header dropped, CRLF)."""
    text = text.replace("\r\n", "\n")
    if text.startswith("VERSION "):
        end = text.index("\nEND\n")
        text = text[end + len("\nEND\n"):]
    return text.replace("\n", "\r\n")


def read_module(path: Path) -> Module:
    """The :class:`Module` of one source file; raises ``ValueError`` for a file that is
    not ASCII or has no ``Attribute VB_Name``."""
    raw = path.read_bytes()
    try:
        text = raw.decode("ascii")
    except UnicodeDecodeError as exc:
        raise ValueError(f"{path}: VBA source must be ASCII ({exc})") from exc
    code = stored_code(text)
    match = _NAME.match(code)
    if not match:
        raise ValueError(f"{path}: first code line must be Attribute VB_Name = \"...\"")
    kind = "class" if path.suffix == ".cls" else "module"
    return Module(match.group(1), kind, code)


def document_module_names(n_sheets: int = len(OWNED)) -> list[str]:
    """``ThisWorkbook`` and the code names XlsxWriter's ``set_vba_name()`` gives the
    built workbook's sheets (``Sheet1`` ... in sheet order)."""
    return ["ThisWorkbook"] + [f"Sheet{i}" for i in range(1, n_sheets + 1)]


def modules() -> list[Module]:
    """Every module of the project: code modules, then the empty document modules."""
    found = [read_module(VBA_DIR / name) for name in SOURCE_FILES]
    found += [Module(name, "document", f'Attribute VB_Name = "{name}"\r\n')
              for name in document_module_names()]
    return found
