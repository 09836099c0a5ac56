"""LibreOffice's VBA export and import, driven through UNO (run with /usr/bin/python3).

Debian's ``python3-uno`` is importable from the system Python only, so this script
runs there and talks JSON with its caller (``python -m workbook.vba.make_vba`` and the tests):

``export``: stdin ``{"project": NAME, "modules": [{"name", "kind", "body"}],
"output": PATH}``. A new Calc document in VBA compatibility mode gets a library
named after the project, each module (kind ``module``, ``class`` or ``document``;
``ThisWorkbook`` is bound to the workbook), and is stored with the filter
``Calc MS Excel 2007 VBA XML``; ``xl/vbaProject.bin`` of that file is written to
PATH.

``import``: stdin ``{"input": PATH}``. LibreOffice opens the workbook; stdout is
``{"project", "sheets", "code_names", "modules": [{"name", "kind", "source"}]}``
as LibreOffice imported them.

A private user profile and pipe per run keep parallel runs apart; soffice is ended
in every case.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile

import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.script import ModuleInfo

KINDS = {"module": 1, "class": 2, "document": 4}  # css.script.ModuleType
KIND_NAMES = {v: k for k, v in KINDS.items()}
VBA_FILTER = "Calc MS Excel 2007 VBA XML"


def _pv(name, value):
    prop = PropertyValue()
    prop.Name, prop.Value = name, value
    return prop


class Office:
    """A headless soffice with its own profile, ended on exit."""

    def __enter__(self):
        self.profile = tempfile.mkdtemp(prefix="coverbook-lo-")
        pipe = f"coverbook{os.getpid()}"
        self.proc = subprocess.Popen(
            ["soffice", "--headless", "--invisible", "--norestore", "--nologo",
             "--nodefault", f"-env:UserInstallation={uno.systemPathToFileUrl(self.profile)}",
             f"--accept=pipe,name={pipe};urp;"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.monotonic() + 60
        while True:
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.__exit__(None, None, None)
                    raise RuntimeError("soffice did not start")
                time.sleep(0.2)
        self.ctx = ctx
        self.desktop = ctx.ServiceManager.createInstanceWithContext(
            "com.sun.star.frame.Desktop", ctx)
        return self

    def __exit__(self, *exc):
        try:
            if getattr(self, "desktop", None) is not None:
                self.desktop.terminate()
        except Exception:  # the bridge drops when soffice quits
            pass
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        shutil.rmtree(self.profile, ignore_errors=True)


def _vba_workbook(office, doc):
    """LibreOffice's VBA ``Workbook`` object of *doc* (ooo.vba.excel.Workbook)."""
    return office.ctx.ServiceManager.createInstanceWithArgumentsAndContext(
        "ooo.vba.excel.Workbook", (None, doc), office.ctx)


def export(request: dict) -> dict:
    with Office() as office:
        doc = office.desktop.loadComponentFromURL("private:factory/scalc", "_blank", 0,
                                                  (_pv("Hidden", True),))
        try:
            libs = doc.BasicLibraries
            libs.VBACompatibilityMode = True
            project = request["project"]
            if not libs.hasByName(project):
                libs.createLibrary(project)
            libs.ProjectName = project
            # Windows-1252: the project's code page as Excel writes it for Western
            # locales; sources are ASCII, so every code page reads them the same.
            libs.setPropertyValue("VBATextEncoding", 1)  # RTL_TEXTENCODING_MS_1252
            lib = libs.getByName(project)
            workbook = _vba_workbook(office, doc)
            for module in request["modules"]:
                info = ModuleInfo()
                info.ModuleType = KINDS[module["kind"]]
                if module["name"] == "ThisWorkbook":
                    # The exporter writes the workbook's VB_Base only for a module
                    # bound to the workbook object.
                    info.ModuleObject = workbook
                lib.insertModuleInfo(module["name"], info)
                # LibreOffice turns each "\n" into CRLF on export.
                lib.insertByName(module["name"], module["body"].replace("\r\n", "\n"))
            out = os.path.join(office.profile, "vba.xlsm")
            doc.storeToURL(uno.systemPathToFileUrl(out), (_pv("FilterName", VBA_FILTER),))
        finally:
            doc.close(True)
        with zipfile.ZipFile(out) as z:
            data = z.read("xl/vbaProject.bin")
    with open(request["output"], "wb") as f:
        f.write(data)
    return {"bytes": len(data)}


def import_(request: dict) -> dict:
    with Office() as office:
        url = uno.systemPathToFileUrl(os.path.abspath(request["input"]))
        doc = office.desktop.loadComponentFromURL(
            url, "_blank", 0, (_pv("Hidden", True), _pv("MacroExecutionMode", 0)))
        try:
            libs = doc.BasicLibraries
            project = libs.ProjectName
            lib = libs.getByName(project)
            modules = []
            for name in lib.getElementNames():
                info = lib.getModuleInfo(name) if lib.hasModuleInfo(name) else None
                modules.append({"name": name,
                                "kind": KIND_NAMES.get(info.ModuleType, "other") if info else None,
                                "source": lib.getByName(name)})
            sheets = doc.Sheets
            names = list(sheets.getElementNames())
            code_names = [sheets.getByName(n).CodeName for n in names]
            return {"project": project, "vba_mode": libs.VBACompatibilityMode,
                    "sheets": names, "code_names": code_names, "modules": modules}
        finally:
            doc.close(True)


def main() -> None:
    request = json.load(sys.stdin)
    result = export(request) if sys.argv[1] == "export" else import_(request)
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
