"""Parts XlsxWriter cannot write: the ribbon (customUI) of the built workbook.

XlsxWriter has no customUI API, so after it has closed the file this module adds,
with the standard library only:

- the part ``customUI/customUI14.xml`` (Office 2010+ ribbon XML, namespace
  ``http://schemas.microsoft.com/office/2009/07/customui``);
- its relationship from the package root (``_rels/.rels``), type
  :data:`UI_EXTENSIBILITY` (the Office 2010 type for ``customUI14.xml``);
- a content-type override for it in ``[Content_Types].xml``.

The zip is rewritten the way XlsxWriter writes it, so two builds stay byte-identical:
entries in their original order (the new part last), every timestamp 1980-01-01
00:00:00, deflate compression at the default level.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

from workbook import PACKAGE_DIR

#: The ribbon XML the build embeds.
CUSTOM_UI = PACKAGE_DIR / "customui" / "customUI14.xml"
#: Where the ribbon part lives inside the package.
CUSTOM_UI_PART = "customUI/customUI14.xml"
CUSTOM_UI_NS = "http://schemas.microsoft.com/office/2009/07/customui"
#: Relationship type of a ``customUI14.xml`` part (Office 2010 and later).
UI_EXTENSIBILITY = "http://schemas.microsoft.com/office/2007/relationships/ui/extensibility"
#: Content type of the ribbon part (plain XML: Office defines none of its own).
CUSTOM_UI_CONTENT_TYPE = "application/xml"
#: Id of the ribbon's root relationship (XlsxWriter numbers its own rId1, rId2, ...).
RIBBON_REL_ID = "rIdCoverbookRibbon"

_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
#: XlsxWriter's zip timestamp: the earliest a zip can hold, the same for every build.
ZIP_DATE = (1980, 1, 1, 0, 0, 0)


def _xml(root: ET.Element, namespace: str) -> bytes:
    ET.register_namespace("", namespace)
    out = io.BytesIO()
    ET.ElementTree(root).write(out, encoding="UTF-8", xml_declaration=True)
    return out.getvalue()


def _add_relationship(rels: bytes) -> bytes:
    root = ET.fromstring(rels)
    for rel in root:
        if rel.get("Type") == UI_EXTENSIBILITY:
            raise ValueError("_rels/.rels: already holds a ribbon relationship")
    ET.SubElement(root, f"{{{_RELS_NS}}}Relationship", {
        "Id": RIBBON_REL_ID, "Type": UI_EXTENSIBILITY, "Target": CUSTOM_UI_PART})
    return _xml(root, _RELS_NS)


def _add_override(types: bytes) -> bytes:
    root = ET.fromstring(types)
    ET.SubElement(root, f"{{{_TYPES_NS}}}Override", {
        "PartName": "/" + CUSTOM_UI_PART, "ContentType": CUSTOM_UI_CONTENT_TYPE})
    return _xml(root, _TYPES_NS)


def add_ribbon(path: Path, custom_ui: bytes | None = None) -> None:
    """Add the ribbon part *custom_ui* (default: :data:`CUSTOM_UI`) to the closed
    workbook at *path*, rewriting it in place (callers write a temporary file first).

    Raises ``ValueError`` if the XML is not a ``customUI`` of the 2009/07 namespace or
    the package already has a ribbon, ``OSError`` if the file cannot be rewritten.
    """
    custom_ui = CUSTOM_UI.read_bytes() if custom_ui is None else custom_ui
    if ET.fromstring(custom_ui).tag != f"{{{CUSTOM_UI_NS}}}customUI":
        raise ValueError(f"ribbon XML must be a customUI element in {CUSTOM_UI_NS}")
    with zipfile.ZipFile(path) as z:
        entries = [(info.filename, z.read(info)) for info in z.infolist()]
    names = [name for name, _ in entries]
    if CUSTOM_UI_PART in names:
        raise ValueError(f"{path}: already holds {CUSTOM_UI_PART}")
    edit = {"_rels/.rels": _add_relationship, "[Content_Types].xml": _add_override}
    entries = [(name, edit[name](data) if name in edit else data) for name, data in entries]
    entries.append((CUSTOM_UI_PART, custom_ui))
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data in entries:
            info = zipfile.ZipInfo(name, ZIP_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
