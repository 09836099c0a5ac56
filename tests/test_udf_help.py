"""The UDFs' function-wizard help: ``coverbook_udf_help.RegisterUdfHelp`` and the
ribbon's ``onLoad`` that calls it.

The VBA is read back with oletools from the built workbook and its string
expressions are evaluated by a small interpreter written here (quoted literals,
``""`` escapes, ``ChrW(&HXXXX)``, ``&``), independent of the generator; the
expected texts come from xlwings' own decorator metadata of the UDFs.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from oletools.olevba import VBA_Parser

from workbook.package import CUSTOM_UI_NS, CUSTOM_UI_PART
from workbook.vba import vba_sources
from workbook.vba.udf_help import udf_help_module
from workbook.vba.xlwings_meta import decorated_udfs

UDF_NAMES = ["AH_PREMIUM", "COST_RATIO", "EPS_CAGR", "FX", "IMPLIED_RATING",
             "INDUSTRY_RATING", "PE", "PEG", "RATING", "TOKEN_COST", "TOKEN_PRICE", "UPSIDE"]


def embedded_code(path: Path) -> dict[str, str]:
    """``{module: code}`` of the VBA project in the workbook at *path* (olevba, LF)."""
    parser = VBA_Parser(str(path))
    try:
        return {stream.split("/")[-1]: code.replace("\r\n", "\n")
                for _, stream, _, code in parser.extract_macros()}
    finally:
        parser.close()


_TOKEN = re.compile(r'\s*(?:("(?:[^"]|"")*")|ChrW\(&H([0-9A-F]{1,4})\)|([A-Za-z]\w*(?:\(\d+\))?))\s*')


def evaluate(expr: str, env: dict[str, str]) -> str:
    """The value of a VBA string expression: ``"..."``, ``ChrW(&HXXXX)`` and variables
    of *env*, joined by ``&``. Anything else fails the test."""
    parts, pos = [], 0
    while True:
        m = _TOKEN.match(expr, pos)
        assert m, f"not a string expression at {expr[pos:]!r}"
        literal, code, name = m.groups()
        if literal is not None:
            parts.append(literal[1:-1].replace('""', '"'))
        elif code is not None:
            parts.append(chr(int(code, 16) & 0xFFFF))  # &H8000.. are negative Integers
        else:
            parts.append(env[name])
        pos = m.end()
        if pos == len(expr):
            break
        assert expr[pos] == "&", expr[pos:]
        pos += 1
    return "".join(parts).encode("utf-16", "surrogatepass").decode("utf-16")


def registrations(code: str) -> list[dict]:
    """Run ``RegisterUdfHelp``'s statements over strings only: one dict per
    ``Application.MacroOptions`` call (macro, description, category, arguments)."""
    body = code.split("Public Sub RegisterUdfHelp()\n", 1)[1].split("\nEnd Sub", 1)[0]
    lines = body.replace(" _\n", " ").split("\n")
    env: dict[str, str] = {"book": "'coverbook.xlsm'!"}
    arrays: dict[str, list] = {}
    calls = []
    for line in (s.strip() for s in lines):
        if not line or line.startswith(("'", "Dim ", "On Error Resume Next")) or \
                line in ("wasSaved = ThisWorkbook.Saved", "ThisWorkbook.Saved = wasSaved") or \
                line.startswith("book = "):
            continue
        if m := re.fullmatch(r"ReDim (\w+)\(0 To (\d+)\)", line):
            arrays[m.group(1)] = [None] * (int(m.group(2)) + 1)
            for i in range(len(arrays[m.group(1)])):
                env.pop(f"{m.group(1)}({i})", None)
        elif line.startswith("Application.MacroOptions "):
            named = dict(re.findall(r"(\w+):=((?:\"(?:[^\"]|\"\")*\"|[^,])+)",
                                    line[len("Application.MacroOptions "):]))
            call = {"macro": evaluate(named.pop("Macro"), env),
                    "description": evaluate(named.pop("Description"), env),
                    "category": evaluate(named.pop("Category"), env)}
            if "ArgumentDescriptions" in named:
                array = named.pop("ArgumentDescriptions").strip()
                call["arguments"] = [env[f"{array}({i})"] for i in range(len(arrays[array]))]
            assert not named, named
            calls.append(call)
        elif m := re.fullmatch(r"(\w+(?:\(\d+\))?) = (.+)", line):
            env[m.group(1)] = evaluate(m.group(2), env)
        else:
            pytest.fail(f"unexpected statement in RegisterUdfHelp: {line!r}")
    return calls


def expected_help() -> dict[str, tuple[str, str, list[str]]]:
    """``{UDF: (description, category, argument docs)}`` from xlwings' metadata."""
    out = {}
    with decorated_udfs() as module:
        for name in UDF_NAMES:
            meta = getattr(module, name).__xlfunc__
            paragraph = meta["ret"]["doc"].strip().split("\n\n")[0]
            # The wizard shows plain text: no reST markup (none of the first
            # paragraphs uses a literal asterisk or double backquote).
            paragraph = paragraph.replace("``", "").replace("*", "")
            # ``caller`` is not in Excel's argument list: xlwings' import_udfs runs
            # generate_vba_wrapper first, which sets its "vba" to "Nothing", and then
            # registers the docs of the arguments without a "vba" override only.
            out[name] = (" ".join(paragraph.split())[:255], meta["category"],
                         [arg["doc"][:255] for arg in meta["args"]
                          if arg["name"] != "caller"])
    return out


def test_committed_help_module_is_what_the_generator_writes_now():
    """Fails when a UDF's docs change and ``python -m workbook.vba.make_vba`` was not run."""
    committed = vba_sources.UDF_HELP.read_bytes().decode("ascii")
    assert committed == udf_help_module(), \
        "UDF docs changed: run .venv/bin/python -m workbook.vba.make_vba and commit workbook/vba/"
    assert "coverbook_udf_help.bas" in vba_sources.SOURCE_FILES


def test_olevba_reads_the_help_module_back_from_the_built_workbook(built):
    code = embedded_code(built.path)["coverbook_udf_help"]
    assert code == vba_sources.UDF_HELP.read_bytes().decode("ascii").replace("\r\n", "\n")


def test_registered_help_is_the_xlwings_metadata(built):
    calls = registrations(embedded_code(built.path)["coverbook_udf_help"])
    expected = expected_help()
    assert [c["macro"] for c in calls] == [f"'coverbook.xlsm'!{n}" for n in UDF_NAMES]
    wrappers = vba_sources.UDF_WRAPPERS.read_text("ascii")
    for call, name in zip(calls, UDF_NAMES):
        description, category, arguments = expected[name]
        assert call["description"] == description, name
        assert call["category"] == category == "coverbook", name
        assert call["arguments"] == arguments, name
        signature = re.search(rf"^Function {name}\((.*)\)\r?$", wrappers, re.M).group(1)
        assert len(call["arguments"]) == len(signature.split(",")), name
        assert len(call["description"]) <= 255
        assert all(0 < len(a) <= 255 for a in call["arguments"])
    by_name = dict(zip(UDF_NAMES, calls))
    # Literal texts, read from the UDFs' source, not from the generator:
    assert by_name["PE"]["description"] == \
        "Price/earnings ratio: close price / EPS (the report's P/E = 收盘价/EPS)."
    assert by_name["RATING"]["description"] == \
        "The rating a broker's scale gives an expected relative return."
    assert by_name["RATING"]["arguments"][1] == (
        'Scale id: "tianfeng" (default; alias "stock"), "huatai", "gtja", "csc", '
        '"industrial", "cmsc", "nesc"; industry: "tianfeng-industry" (alias "industry"), '
        '"csc-industry".')
    assert by_name["TOKEN_COST"]["arguments"][3] == \
        "Hidden reasoning tokens (o1 models), billed at the output price; default 0."


def test_register_udf_help_keeps_saved_and_ignores_errors():
    code = vba_sources.UDF_HELP.read_text("ascii").replace("\r\n", "\n")
    body = code.split("Public Sub RegisterUdfHelp()\n", 1)[1].split("\nEnd Sub", 1)[0]
    statements = [s.strip() for s in body.split("\n") if s.strip() and
                  not s.strip().startswith(("'", "Dim "))]
    first_call = next(i for i, s in enumerate(statements) if "MacroOptions" in s)
    assert statements[:2] == ["On Error Resume Next", "wasSaved = ThisWorkbook.Saved"]
    assert first_call > 1
    assert statements[-1] == "ThisWorkbook.Saved = wasSaved"
    assert "On Error GoTo" not in body  # errors stay ignored to the end
    assert max(len(line) for line in code.split("\n")) < 1023  # VBA's line limit


def test_ribbon_onload_calls_register_udf_help(built):
    with zipfile.ZipFile(built.path) as z:
        ui = ET.fromstring(z.read(CUSTOM_UI_PART))
    assert ui.tag == f"{{{CUSTOM_UI_NS}}}customUI"
    assert ui.get("onLoad") == "CoverbookRibbonLoaded"
    code = embedded_code(built.path)
    homes = [name for name, c in code.items() if re.search(
        r"^(Public )?Sub CoverbookRibbonLoaded\(ribbon As IRibbonUI\)$", c, re.M | re.I)]
    assert homes == ["coverbook_ribbon"]
    body = code["coverbook_ribbon"].split("Sub CoverbookRibbonLoaded(", 1)[1].split("End Sub", 1)[0]
    assert [s.strip() for s in body.split("\n")[1:] if s.strip()] == \
        ["CalculateConfigSheet", "RegisterUdfHelp"]
    # The xlwings.conf sheet (PYTHONPATH formula, empty cached value) is computed as
    # the workbook opens, before xlwings can read it for a first UDF call.
    calc = code["coverbook_ribbon"].split("Private Sub CalculateConfigSheet()", 1)[1]
    calc = [s.strip() for s in calc.split("End Sub", 1)[0].split("\n") if s.strip()]
    assert 'ThisWorkbook.Worksheets("xlwings.conf").Calculate' in calc
    assert calc[-1] == "ThisWorkbook.Saved = wasSaved"
    targets = [name for name, c in code.items()
               if re.search(r"^Public Sub RegisterUdfHelp\(\)$", c, re.M)]
    assert targets == ["coverbook_udf_help"]
