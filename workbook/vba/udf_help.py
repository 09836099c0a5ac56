"""The ``coverbook_udf_help`` VBA module: the UDFs' function-wizard help.

xlwings' ``import_udfs`` (Windows, "Import Functions") registers each UDF's help
with ``Application.MacroOptions`` after importing the wrappers. The workbook ships the
wrappers pre-generated, so nothing would call ``MacroOptions``: this module's
``RegisterUdfHelp`` does, from the ribbon's ``onLoad`` callback
(``CoverbookRibbonLoaded`` in ``coverbook_ribbon.bas``).

The texts come from the same xlwings decorator metadata ``import_udfs`` reads
(``__xlfunc__``, see ``workbook/vba/xlwings_meta.py``):

- Description: the first paragraph of ``ret["doc"]`` (the docstring), whitespace
  collapsed, at most :data:`MAX_HELP` characters (Excel's limit; xlwings cuts the
  whole docstring at the same length);
- Category: ``category`` (``"coverbook"``);
- ArgumentDescriptions: each argument's ``doc`` (arguments with a ``vba`` override
  are left out, as xlwings does; so is ``caller``, which xlwings' wrapper generator
  gives the override ``Nothing``), each at most :data:`MAX_HELP` characters.

VBA sources stay ASCII: every other character is written as ``ChrW(&HXXXX)`` (one
UTF-16 code unit each; VBA strings are UTF-16). Long texts are built over several
statements (``d = d & ...``) so no line nears VBA's 1023-character limit.
"""

from __future__ import annotations

import re
from typing import Any

from workbook.vba.xlwings_meta import decorated_udfs

#: Excel's limit on a MacroOptions description and on each argument description.
MAX_HELP = 255
MODULE_NAME = "coverbook_udf_help"
#: Width the generator keeps statement lines under (VBA allows 1023).
LINE_WIDTH = 100


def udf_metadata(module_name: str = "udfs") -> list[dict[str, Any]]:
    """The ``__xlfunc__`` dict of every UDF in *module_name*, in ``dir()`` order
    (the order xlwings' ``import_udfs`` registers them)."""
    import importlib

    with decorated_udfs() as module:
        if module_name != "udfs":
            module = importlib.import_module(module_name)
        return [getattr(module, name).__xlfunc__ for name in dir(module)
                if hasattr(getattr(module, name), "__xlfunc__")]


def short_description(doc: str) -> str:
    """The first paragraph of the docstring *doc* as plain text (reST literals
    ````x```` and emphasis ``*x*`` unmarked: the wizard shows no markup), whitespace
    collapsed, cut at :data:`MAX_HELP` characters."""
    first = re.split(r"\n\s*\n", doc.strip(), maxsplit=1)[0]
    first = re.sub(r"``(.+?)``", r"\1", first, flags=re.S)
    first = re.sub(r"(?<![\w*])\*(\w[^*]*?)\*(?![\w*])", r"\1", first)
    return " ".join(first.split())[:MAX_HELP]


def shown(arg: dict[str, Any]) -> bool:
    """The argument appears in Excel's argument list: no ``vba`` override, and not the
    ``caller`` argument xlwings fills in itself (``xlwings/udfs.py``,
    ``generate_vba_wrapper`` passes ``Nothing`` for it and ``call_udf`` the calling
    cell)."""
    return not arg["vba"] and arg["name"] != "caller"


def help_texts(xlfunc: dict[str, Any]) -> tuple[str, Any, list[str]]:
    """``(description, category, argument descriptions)`` of one UDF's metadata."""
    args = [arg["doc"][:MAX_HELP] for arg in xlfunc["args"] if shown(arg)]
    return short_description(xlfunc["ret"]["doc"]), xlfunc["category"], args


def _pieces(text: str) -> list[str]:
    """*text* as VBA string-expression pieces: quoted ASCII words (with their
    trailing spaces) and ``ChrW(&HXXXX)`` per UTF-16 code unit of anything else."""
    pieces: list[str] = []
    for run in re.findall(r"[\x20-\x7e]+|[^\x20-\x7e]", text):
        if len(run) == 1 and not " " <= run <= "~":
            units = run.encode("utf-16-le")
            pieces += [f"ChrW(&H{int.from_bytes(units[i:i + 2], 'little'):04X})"
                       for i in range(0, len(units), 2)]
        else:
            pieces += ['"' + w.replace('"', '""') + '"' for w in re.findall(r"\S*\s*", run) if w]
    return pieces


def _merge(pieces: list[str]) -> list[str]:
    """Adjacent quoted literals joined into one (``"a " & "b"`` -> ``"a b"``)."""
    out: list[str] = []
    for piece in pieces:
        if out and out[-1].endswith('"') and piece.startswith('"'):
            out[-1] = out[-1][:-1] + piece[1:]
        else:
            out.append(piece)
    return out


def assign(target: str, text: str, indent: str = "    ") -> list[str]:
    """VBA statements giving *target* (a String or Variant) the value *text*."""
    lines: list[str] = []
    current: list[str] = []
    for piece in _pieces(text) or ['""']:
        head = f"{target} = " if not lines else f"{target} = {target} & "
        candidate = _merge(current + [piece])
        if current and len(indent + head + " & ".join(candidate)) > LINE_WIDTH:
            lines.append(indent + head + " & ".join(_merge(current)))
            current = [piece]
        else:
            current.append(piece)
    head = f"{target} = " if not lines else f"{target} = {target} & "
    lines.append(indent + head + " & ".join(_merge(current)))
    return lines


def _vba_value(value: Any) -> str:
    if isinstance(value, int):  # one of Excel's built-in categories (1..14)
        return str(value)
    return '"' + str(value).replace('"', '""') + '"'


def udf_help_module(module_name: str = "udfs") -> str:
    """The text of the ``coverbook_udf_help`` VBA module (CRLF line ends, ASCII)."""
    out = [
        f'Attribute VB_Name = "{MODULE_NAME}"',
        "'Generated by python -m workbook.vba.make_vba from the UDFs' xlwings metadata:",
        "'changes will be lost with the next run.",
        "Option Explicit",
        "",
        "' Registers each UDF's description, category and argument help for Excel's",
        "' function wizard, as xlwings' import_udfs does after \"Import Functions\".",
        "' Called from the ribbon's onLoad. MacroOptions marks the workbook changed, so",
        "' Saved is put back; errors are ignored so that an Excel which refuses",
        "' MacroOptions never shows an error while the workbook opens.",
        "Public Sub RegisterUdfHelp()",
        "    Dim wasSaved As Boolean",
        "    Dim book As String",
        "    Dim d As String",
        "    Dim a() As Variant",
        "    On Error Resume Next",
        "    wasSaved = ThisWorkbook.Saved",
        "    book = \"'\" & Replace(ThisWorkbook.Name, \"'\", \"''\") & \"'!\"",
    ]
    for xlfunc in udf_metadata(module_name):
        name = xlfunc["name"]
        description, category, args = help_texts(xlfunc)
        arg_names = [a["name"] for a in xlfunc["args"] if shown(a)]
        out += ["", f"    ' {name}({', '.join(arg_names)})"]
        out += assign("d", description)
        call = (f'    Application.MacroOptions Macro:=book & "{name}", Description:=d, '
                f"Category:={_vba_value(category)}")
        if args:
            out.append(f"    ReDim a(0 To {len(args) - 1})")
            for i, doc in enumerate(args):
                out += assign(f"a({i})", doc)
            call += ", _\n        ArgumentDescriptions:=a"
        out.append(call)
    out += ["", "    ThisWorkbook.Saved = wasSaved", "End Sub", ""]
    text = "\r\n".join("\n".join(out).split("\n"))
    text.encode("ascii")  # every non-ASCII character went through ChrW
    return text
