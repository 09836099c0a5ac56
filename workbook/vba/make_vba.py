"""Regenerate the VBA parts of the workbook and of the add-in in one run:

    .venv/bin/python -m workbook.vba.make_vba

Run it after changing a UDF (signature or docstring) or a VBA source, and commit
``workbook/vba/`` and ``workbook/addin/vba/``. Needs LibreOffice
(``libreoffice-calc-nogui``) and ``python3-uno`` on the system Python, and the test
extra (``pip install -e '.[test]'``: olefile, pycfb); ``coverbook build`` and
``coverbook addin build`` do not: they embed the committed ``vbaProject.bin`` files.

1. ``workbook/vba/xlwings_udfs.bas`` and ``workbook/addin/vba/xlwings_udfs.bas``:
   xlwings' own ``generate_vba_wrapper`` run on the ``udfs`` package, once for the
   workbook and once for an ``.xlam`` (see ``workbook/vba/xlwings_meta.py``).
2. ``workbook/vba/coverbook_udf_help.bas`` (both projects): ``RegisterUdfHelp``, the
   ``Application.MacroOptions`` calls ``import_udfs`` would make, from the same
   metadata (see ``workbook/vba/udf_help.py``).
3. ``workbook/addin/vba/xlwings.bas``: the pinned package's ``xlwings_custom_addin.bas``
   with ``PROJECT_NAME`` set to ``coverbook`` (:func:`custom_addin_module`).
4. Each ``vbaProject.bin``: LibreOffice's VBA export (``workbook/vba/lo_vba.py
   export``) of the project's modules (``workbook/vba/vba_sources.PROJECTS``); class
   modules are handed over with the attribute lines VBA itself stores
   (``vba_sources.class_attributes``), which LibreOffice writes as given.
5. :func:`as_excel_saves_it` then mends what LibreOffice's exporter writes unlike
   Excel (compared record by record with the Excel-made ``vbaProject*.bin`` of
   XlsxWriter's comparison suite, and with xlwings' shipped add-ins, which xlwings
   re-saves with Aspose.Cells; see ``docs/excel-parts.md``): the ``PROJECT`` stream
   lists every module in the order of the ``dir`` stream with its kind (LibreOffice
   leaves out ``Class=`` lines, so neither Excel nor LibreOffice could tell a class
   from a document module), has one window record per module as Excel writes one for
   a window never opened (``NAME=0, 0, 0, 0, C``) and ends with that line's CRLF, as
   Excel ends it; ``_VBA_PROJECT``'s Reserved3 is ``01 00`` as Excel writes it. olefile can rewrite a stream only at its old size, so the
   compound file is written anew by pycfb (MIT) from the mended streams, and its
   unused directory entries are then given the ``NOSTREAM`` sibling and child IDs
   MS-CFB 2.6.3 requires (pycfb 0.0.3 leaves them 0; ``workbook/vba/compound_file.py``).

LibreOffice's export holds a random project ID and random seeds in the
protection-state values ``CMG``, ``DPB`` and ``GC``; :func:`project_stream` replaces
them by fixed ones (the ID a UUID-5 of the project's name, the three values decrypted
and encrypted again with MS-OVBA 2.4.3's data encryption under that ID and a seed
from it), so two runs with the same modules give the same bytes, and a regenerated
file changes only where its modules did.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # the repository (for messages)

import olefile

from workbook.vba.compound_file import with_unused_entries_nostream
from workbook.vba.udf_help import udf_help_module
from workbook.vba.vba_sources import (ADDIN_UDF_WRAPPERS, ADDIN_XLWINGS, PROJECTS, UDF_HELP,
                                      UDF_WRAPPERS, Module)
from workbook.vba.xlwings_meta import udf_wrapper_module

#: The line of ``xlwings_custom_addin.bas`` naming the project (and so its config
#: file and config sheet), and what the add-in's copy says instead.
CUSTOM_ADDIN_NAME_LINE = b'Public Const PROJECT_NAME As String = "myaddin"'
COVERBOOK_NAME_LINE = b'Public Const PROJECT_NAME As String = "coverbook"'

#: Debian's python3-uno is importable from the system interpreter only.
SYSTEM_PYTHON = "/usr/bin/python3"
LO_SCRIPT = Path(__file__).resolve().parent / "lo_vba.py"


def lo_available() -> bool:
    """Whether :func:`run_lo` can run here: LibreOffice (``soffice``) on the path and
    Debian's ``python3-uno`` importable by :data:`SYSTEM_PYTHON`. A machine with
    LibreOffice but without ``python3-uno`` has no UNO bridge: ``False``."""
    if shutil.which("soffice") is None or not Path(SYSTEM_PYTHON).exists():
        return False
    return subprocess.run([SYSTEM_PYTHON, "-c", "import uno"],
                          capture_output=True).returncode == 0


def run_lo(command: str, request: dict, timeout: float = 300) -> dict:
    """Run ``workbook/vba/lo_vba.py COMMAND`` with *request* (JSON) and return its answer."""
    proc = subprocess.run([SYSTEM_PYTHON, str(LO_SCRIPT), command], input=json.dumps(request),
                          capture_output=True, text=True, timeout=timeout)
    if proc.returncode != 0:
        raise RuntimeError(f"lo_vba.py {command} failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout)


def custom_addin_module() -> bytes:
    """xlwings' ``xlwings_custom_addin.bas`` of the installed (pinned) package with only
    its ``PROJECT_NAME`` line changed to ``coverbook``."""
    import xlwings

    source = (Path(xlwings.__file__).parent / "xlwings_custom_addin.bas").read_bytes()
    if source.count(CUSTOM_ADDIN_NAME_LINE) != 1:
        raise ValueError("xlwings_custom_addin.bas: expected one PROJECT_NAME line "
                         f"{CUSTOM_ADDIN_NAME_LINE!r}; did xlwings change it?")
    return source.replace(CUSTOM_ADDIN_NAME_LINE, COVERBOOK_NAME_LINE)


#: The ``PROJECT`` stream line of each module kind (MS-OVBA 2.3.1.3 to 2.3.1.5).
_MODULE_LINE = {"module": "Module={}", "class": "Class={}", "document": "Document={}/&H00000000"}
_MODULE_KEYS = ("Module=", "Class=", "Document=", "Package=", "BaseClass=")


#: The namespace of the projects' fixed IDs (UUID-5 of ``coverbook VBA project <name>``).
PROJECT_ID_NAMESPACE = uuid.NAMESPACE_URL
#: The protection-state properties of the ``PROJECT`` stream (MS-OVBA 2.3.1.15-17),
#: each data encrypted with a seed (2.4.3).
_ENCRYPTED_KEYS = ("CMG", "DPB", "GC")


def project_id(project_name: str) -> str:
    """The fixed ``ID`` of the project *project_name*: ``{XXXXXXXX-...}`` in capitals,
    as LibreOffice and Excel write it, a UUID-5 of its name (not random)."""
    return "{" + str(uuid.uuid5(PROJECT_ID_NAMESPACE,
                                f"coverbook VBA project {project_name}")).upper() + "}"


def _project_key(pid: str) -> int:
    """ProjKey of MS-OVBA 2.4.3.2: the sum of the bytes of the project ID, mod 256."""
    return sum(pid.encode("cp1252")) & 0xFF


def decrypt(value: str, pid: str) -> bytes:
    """The data of an encrypted ``PROJECT`` property (hex *value*; MS-OVBA 2.4.3.3)
    under the project ID *pid*; ``ValueError`` if its version is not 2 or its project
    key is not *pid*'s."""
    enc = bytes.fromhex(value)
    seed, version_enc, key_enc = enc[:3]
    if seed ^ version_enc != 2 or seed ^ key_enc != _project_key(pid):
        raise ValueError(f"encrypted value {value}: not version 2 under ID {pid}")
    u1, e1, e2 = seed ^ key_enc, key_enc, version_enc
    plain = []
    for byte_enc in enc[3:]:
        byte = byte_enc ^ ((e2 + u1) & 0xFF)
        plain.append(byte)
        e2, e1, u1 = e1, byte_enc, byte
    ignored = (seed & 6) // 2
    length = int.from_bytes(bytes(plain[ignored:ignored + 4]), "little")
    data = bytes(plain[ignored + 4:])
    if len(data) != length:
        raise ValueError(f"encrypted value {value}: {len(data)} bytes, length says {length}")
    return data


def encrypt(data: bytes, pid: str, seed: int) -> str:
    """*data* encrypted as MS-OVBA 2.4.3.2 under the project ID *pid* with the given
    *seed* (0-255) instead of a random one, its ignored bytes 0: hex in capitals."""
    key = _project_key(pid)
    version_enc, key_enc = seed ^ 2, seed ^ key
    out = [seed, version_enc, key_enc]
    u1, e1, e2 = key, key_enc, version_enc
    plain = [0] * ((seed & 6) // 2) + list(len(data).to_bytes(4, "little")) + list(data)
    for byte in plain:
        byte_enc = byte ^ ((e2 + u1) & 0xFF)
        out.append(byte_enc)
        e2, e1, u1 = e1, byte_enc, byte
    return bytes(out).hex().upper()


def fixed_protection(lines: list[str], pid: str) -> list[str]:
    """*lines* of the ``PROJECT`` stream (``ID=`` first) with the ID replaced by *pid*
    and ``CMG``/``DPB``/``GC`` holding the same data encrypted under it, each with a
    seed taken from a hash of the ID and the key (not random)."""
    old = lines[0][len('ID="'):-1]
    out = [f'ID="{pid}"']
    for line in lines[1:]:
        match = re.fullmatch(r'(CMG|DPB|GC)="([0-9A-Fa-f]+)"', line)
        if match:
            key, value = match.groups()
            seed = hashlib.sha256(f"{pid} {key}".encode()).digest()[0]
            line = f'{key}="{encrypt(decrypt(value, old), pid, seed)}"'
        out.append(line)
    return out


def project_stream(project: bytes, mods: list[Module], pid: str | None = None) -> bytes:
    """The ``PROJECT`` stream *project* (as LibreOffice wrote it) as Excel writes it:
    ``ID`` (*pid*, with ``CMG``/``DPB``/``GC`` encrypted under it again: see
    :func:`fixed_protection`; ``None``: LibreOffice's), one line per module of *mods*
    in their order (the ``dir`` stream's), the other properties and ``[Host Extender
    Info]`` as they were, then ``[Workspace]`` with ``NAME=0, 0, 0, 0, C`` per module,
    the last line ended by CRLF and nothing after it (as in Excel-made files; xlwings'
    Aspose-saved add-ins add an empty line)."""
    text = project.decode("cp1252")
    head, _workspace = text.split("\r\n[Workspace]\r\n", 1)
    lines = head.split("\r\n")
    if not lines[0].startswith('ID="'):
        raise ValueError(f"PROJECT stream: first line {lines[0]!r} is not ID=")
    if pid is not None:
        lines = fixed_protection(lines, pid)
    props = [line for line in lines[1:] if not line.startswith(_MODULE_KEYS)]
    out = [lines[0]] + [_MODULE_LINE[m.kind].format(m.name) for m in mods] + props
    out += ["[Workspace]"] + [f"{m.name}=0, 0, 0, 0, C" for m in mods] + [""]
    return "\r\n".join(out).encode("cp1252")


def vba_project_stream(stream: bytes) -> bytes:
    """``_VBA_PROJECT`` (MS-OVBA 2.3.4.1) with Reserved3 ``01 00``, as Excel writes it
    (and xlwings' shipped add-ins hold); LibreOffice writes ``00 00``. The stream stays
    the 7-byte form without a performance cache (Version ``FFFF``; as in xlwings'
    add-ins, while Excel itself writes a cache), so Excel compiles from source."""
    if len(stream) != 7 or stream[:5] != bytes.fromhex("cc61ffff00"):
        raise ValueError(f"_VBA_PROJECT: unexpected stream {stream.hex()}")
    return stream[:5] + b"\x01\x00"


def as_excel_saves_it(raw: bytes, mods: list[Module], pid: str | None = None) -> bytes:
    """The compound file *raw* (LibreOffice's ``vbaProject.bin``) with its ``PROJECT``
    and ``_VBA_PROJECT`` streams mended (:func:`project_stream`,
    :func:`vba_project_stream`), written anew by pycfb with every other stream and
    storage as it was, in the same order; *pid*: the project ID to give it
    (:func:`project_stream`)."""
    from pycfb import CFBWriter

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "raw.bin"
        path.write_bytes(raw)
        with olefile.OleFileIO(str(path)) as ole:
            entries = ole.listdir(streams=True, storages=True)
            paths, data = [], []
            for entry in entries:
                name = "/".join(entry)
                paths.append(name)
                if ole.get_type(entry) == olefile.STGTY_STORAGE:
                    data.append(None)
                    continue
                stream = ole.openstream(entry).read()
                if name == "PROJECT":
                    stream = project_stream(stream, mods, pid)
                elif name == "VBA/_VBA_PROJECT":
                    stream = vba_project_stream(stream)
                data.append(stream)
    written = bytes(CFBWriter(stream_paths=paths, stream_data=data,
                              root_clsid=uuid.UUID(int=0)).data)
    # pycfb 0.0.3 leaves the unused directory entries' sibling and child IDs 0;
    # MS-CFB 2.6.3 requires NOSTREAM there (workbook/vba/compound_file.py).
    return with_unused_entries_nostream(written)


def build_vba_project(project_name: str, mods: list[Module], output: Path) -> None:
    """Write the ``vbaProject.bin`` of *mods* named *project_name* to *output*
    (LibreOffice's export, then :func:`as_excel_saves_it`)."""
    with tempfile.TemporaryDirectory() as tmp:
        raw = Path(tmp) / "vbaProject.bin"
        run_lo("export", {"project": project_name, "output": str(raw),
                          "modules": [{"name": m.name, "kind": m.kind, "body": m.body}
                                      for m in mods]})
        output.write_bytes(as_excel_saves_it(raw.read_bytes(), mods, project_id(project_name)))


def main() -> None:
    UDF_WRAPPERS.write_bytes(udf_wrapper_module().encode("ascii"))
    ADDIN_UDF_WRAPPERS.write_bytes(
        udf_wrapper_module(workbook_name="coverbook.xlam").encode("ascii"))
    UDF_HELP.write_bytes(udf_help_module().encode("ascii"))
    ADDIN_XLWINGS.write_bytes(custom_addin_module())
    written = [UDF_WRAPPERS, ADDIN_UDF_WRAPPERS, UDF_HELP, ADDIN_XLWINGS]
    for project in PROJECTS:
        build_vba_project(project.name, project.modules(), project.bin)
        written.append(project.bin)
    print("wrote " + ", ".join(str(p.relative_to(ROOT)) for p in written))


if __name__ == "__main__":
    main()
