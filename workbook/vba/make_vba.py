"""Regenerate the workbook's VBA parts: ``workbook/vba/xlwings_udfs.bas``,
``workbook/vba/coverbook_udf_help.bas`` and ``workbook/vba/vbaProject.bin``. Run after changing a UDF or a VBA source:

    .venv/bin/python -m workbook.vba.make_vba

Needs LibreOffice (``libreoffice-calc-nogui``) and ``python3-uno`` on the system
Python; ``coverbook build`` does not: it embeds the committed ``vbaProject.bin``.

1. ``xlwings_udfs.bas``: xlwings' own ``generate_vba_wrapper`` run on the ``udfs``
   package (see ``workbook/vba/xlwings_meta.py``).
2. ``coverbook_udf_help.bas``: ``RegisterUdfHelp``, the ``Application.MacroOptions``
   calls ``import_udfs`` would make, from the same metadata
   (see ``workbook/vba/udf_help.py``).
3. ``vbaProject.bin``: LibreOffice's VBA export (``workbook/vba/lo_vba.py export``) of every
   module in ``workbook/vba/vba_sources.modules()``.
4. LibreOffice's exporter lists procedural and document modules in the ``PROJECT``
   stream but not class modules (MS-OVBA 2.3.1.3 wants ``Class=NAME``); without
   the line Excel and LibreOffice cannot tell ``Dictionary`` from a document module.
   :func:`declare_classes` adds the lines. olefile can only rewrite a stream at its
   old size, so optional ``[Workspace]`` window records (which the VBA editor
   rewrites on save anyway) give up the bytes, and the padding goes into window
   coordinates, keeping the stream valid MS-OVBA text.

The export holds a random project ID and random protection-state seeds, so two runs
give different bytes with the same modules; the tests compare modules, not bytes.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository (for messages)

import olefile

from workbook.vba.udf_help import udf_help_module
from workbook.vba.vba_sources import (PROJECT_NAME, UDF_HELP, UDF_WRAPPERS, VBA_PROJECT_BIN,
                                      Module, modules)
from workbook.vba.xlwings_meta import udf_wrapper_module

#: Debian's python3-uno is importable from the system interpreter only.
SYSTEM_PYTHON = "/usr/bin/python3"
LO_SCRIPT = Path(__file__).resolve().parent / "lo_vba.py"


def run_lo(command: str, request: dict, timeout: float = 300) -> dict:
    """Run ``workbook/vba/lo_vba.py COMMAND`` with *request* (JSON) and return its answer."""
    proc = subprocess.run([SYSTEM_PYTHON, str(LO_SCRIPT), command], input=json.dumps(request),
                          capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"lo_vba.py {command} failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout)


def _window(name: str, pad: int) -> tuple[str, int]:
    """A document module's window record ``NAME=0, 0, 0, 0, C`` with up to 16 bytes of
    padding put into its four coordinates (``0`` -> ``10``, ``100`` ...)."""
    coords = []
    for _ in range(4):
        extra = min(pad, 4)
        coords.append("1" + "0" * extra if extra else "0")
        pad -= extra
    return f"{name}={', '.join(coords)}, C", pad


def declare_classes(project: bytes, classes: list[str]) -> bytes:
    """The ``PROJECT`` stream *project* with a ``Class=NAME`` line per class module,
    at exactly the same length (see the module docstring)."""
    text = project.decode("cp1252")
    head, workspace = text.split("[Workspace]\r\n", 1)
    lines = head.split("\r\n")
    last_module = max(i for i, line in enumerate(lines)
                      if line.startswith(("Module=", "Document=", "ID=")))
    first_doc = next((i for i, line in enumerate(lines) if line.startswith("Document=")),
                     last_module + 1)
    lines[first_doc:first_doc] = [f"Class={name}" for name in classes]
    head = "\r\n".join(lines)
    records = [r for r in workspace.split("\r\n") if r]
    keep = [r for r in records if r.split("=", 1)[0] not in classes]
    docs = [i for i, r in enumerate(keep) if r.endswith(", C")]

    def assemble(recs):
        return head + "[Workspace]\r\n" + "".join(r + "\r\n" for r in recs)

    while len(assemble(keep).encode("cp1252")) > len(project):
        if not docs:
            raise ValueError("PROJECT stream: no optional records left to make room")
        del keep[docs.pop()]
    pad = len(project) - len(assemble(keep).encode("cp1252"))
    for i in docs:
        if not pad:
            break
        keep[i], pad = _window(keep[i].split("=", 1)[0], pad)
    out = assemble(keep).encode("cp1252")
    if len(out) != len(project):
        raise ValueError(f"PROJECT stream: cannot pad {len(project) - len(out)} bytes")
    return out


def build_vba_project(mods: list[Module], output: Path) -> None:
    """Write the ``vbaProject.bin`` of *mods* to *output* (LibreOffice + class fix)."""
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "vbaProject.bin"
        run_lo("export", {"project": PROJECT_NAME, "output": str(raw),
                          "modules": [{"name": m.name, "kind": m.kind, "body": m.body}
                                      for m in mods]})
        classes = [m.name for m in mods if m.kind == "class"]
        if classes:
            with olefile.OleFileIO(str(raw), write_mode=True) as ole:
                project = ole.openstream("PROJECT").read()
                ole.write_stream("PROJECT", declare_classes(project, classes))
        output.write_bytes(raw.read_bytes())


def main() -> None:
    UDF_WRAPPERS.write_bytes(udf_wrapper_module().encode("ascii"))
    UDF_HELP.write_bytes(udf_help_module().encode("ascii"))
    build_vba_project(modules(), VBA_PROJECT_BIN)
    written = (UDF_WRAPPERS, UDF_HELP, VBA_PROJECT_BIN)
    print("wrote " + ", ".join(str(p.relative_to(ROOT)) for p in written))


if __name__ == "__main__":
    main()
