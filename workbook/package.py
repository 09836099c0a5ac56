"""Parts XlsxWriter has no API for: the ribbon (customUI) of the built workbook, and
the add-in content type of ``coverbook.xlam``.

XlsxWriter lets a caller replace its packager (``Workbook._get_packager``: "This
allows the default packager to be over-ridden"). :class:`RibbonPackager` lets
XlsxWriter lay out its parts as usual, then

- adds the part ``customUI/customUI14.xml`` (Office 2010+ ribbon XML, namespace
  ``http://schemas.microsoft.com/office/2009/07/customui``);
- adds its relationship to the package root (``_rels/.rels``), type
  :data:`UI_EXTENSIBILITY` (the Office 2010 type for ``customUI14.xml``);
- adds a content-type override for it to ``[Content_Types].xml``;
- for the add-in, gives ``/xl/workbook.xml`` the macro-enabled add-in content type
  (:data:`ADDIN_CONTENT_TYPE`) instead of the macro-enabled workbook's.

XlsxWriter then zips everything once, with its own fixed timestamps and order (the
ribbon part last), so builds stay byte-identical and nothing is compressed twice.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from xml.etree import ElementTree as ET

import xlsxwriter
from xlsxwriter.packager import Packager

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

#: Content type of the workbook part of a macro-enabled workbook (XlsxWriter's) and of
#: a macro-enabled add-in (what Excel writes into an .xlam).
XLSM_CONTENT_TYPE = "application/vnd.ms-excel.sheet.macroEnabled.main+xml"
ADDIN_CONTENT_TYPE = "application/vnd.ms-excel.addin.macroEnabled.main+xml"

_RELS_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
_TYPES_NS = "http://schemas.openxmlformats.org/package/2006/content-types"


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


def _add_override(types: bytes, main_content_type: str | None = None) -> bytes:
    root = ET.fromstring(types)
    ET.SubElement(root, f"{{{_TYPES_NS}}}Override", {
        "PartName": "/" + CUSTOM_UI_PART, "ContentType": CUSTOM_UI_CONTENT_TYPE})
    if main_content_type is not None:
        main = [o for o in root if o.get("PartName") == "/xl/workbook.xml"]
        if len(main) != 1 or main[0].get("ContentType") != XLSM_CONTENT_TYPE:
            raise ValueError("[Content_Types].xml: no macro-enabled workbook part to change")
        main[0].set("ContentType", main_content_type)
    return _xml(root, _TYPES_NS)


def check_custom_ui(custom_ui: bytes) -> bytes:
    """*custom_ui* if it is a ``customUI`` element of the 2009/07 namespace, else
    ``ValueError``."""
    if ET.fromstring(custom_ui).tag != f"{{{CUSTOM_UI_NS}}}customUI":
        raise ValueError(f"ribbon XML must be a customUI element in {CUSTOM_UI_NS}")
    return custom_ui


class RibbonPackager(Packager):
    """XlsxWriter's packager plus the ribbon part, its root relationship and its
    content-type override (and *main_content_type* for the workbook part, if given)."""

    def __init__(self, custom_ui: bytes, main_content_type: str | None = None):
        super().__init__()
        self.custom_ui = check_custom_ui(custom_ui)
        self.main_content_type = main_content_type

    def _create_package(self):
        files = super()._create_package()
        edits = {"_rels/.rels": _add_relationship,
                 "[Content_Types].xml": lambda t: _add_override(t, self.main_content_type)}
        for target, name, is_binary in files:
            if name in edits:
                _rewrite(target, edits[name])
        if self.in_memory:
            files.append((io.BytesIO(self.custom_ui), CUSTOM_UI_PART, True))
        else:
            fd, path = tempfile.mkstemp(dir=self.tmpdir)
            with os.fdopen(fd, "wb") as f:
                f.write(self.custom_ui)
            files.append((path, CUSTOM_UI_PART, True))
        return files


def _rewrite(target, edit) -> None:
    """Apply *edit* (bytes -> bytes) to one part XlsxWriter has laid out: a temporary
    file (its default) or a ``StringIO`` (``in_memory`` mode)."""
    if isinstance(target, io.StringIO):
        text = edit(target.getvalue().encode("utf-8")).decode("utf-8")
        target.seek(0)
        target.truncate()
        target.write(text)
    else:
        path = Path(target)
        path.write_bytes(edit(path.read_bytes()))


def ribbon_workbook(custom_ui: bytes | None = None, main_content_type: str | None = None
                    ) -> type[xlsxwriter.Workbook]:
    """An ``xlsxwriter.Workbook`` class whose files carry the ribbon *custom_ui*
    (default: :data:`CUSTOM_UI`) and, if given, *main_content_type* for the workbook
    part (:data:`ADDIN_CONTENT_TYPE` for an add-in; the file must hold a VBA project)."""
    ui = CUSTOM_UI.read_bytes() if custom_ui is None else custom_ui
    check_custom_ui(ui)

    class RibbonWorkbook(xlsxwriter.Workbook):
        def _get_packager(self):
            return RibbonPackager(ui, main_content_type)

    return RibbonWorkbook
