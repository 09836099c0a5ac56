"""The members of a spilled dynamic array are stored as Excel stores them: values
without a formula, a text result as ``t="str"`` (a formula's text result), never a
constant ``inlineStr``/shared string. Read back with openpyxl and python-calamine,
and compared with Excel-made files of XlsxWriter's comparison suite where its mirror
is on this machine."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
from python_calamine import CalamineWorkbook

from workbook.build import build
from workbook.model import ErrorValue, Sheet, array_formula
from workbook.staleness import check
from workbook.writers.xlsx import write_workbook

CELL = re.compile(r'<c r="([A-Z]+\d+)"([^>]*?)(?:/>|>(.*?)</c>)')


def cells(xml: str) -> dict[str, tuple[str, str]]:
    """``{reference: (attributes, content)}`` of every ``<c>`` of a sheet's XML."""
    return {ref: (attrs, body or "") for ref, attrs, body in CELL.findall(xml)}


def spill_members(xml: str) -> dict[str, tuple[str, str]]:
    """The cells of every array formula's ``ref`` area but its anchor."""
    from openpyxl.utils.cell import range_boundaries, get_column_letter

    found = cells(xml)
    out = {}
    for anchor, ref in re.findall(r'<c r="([A-Z]+\d+)"[^>]*><f t="array" ref="([^"]+)"', xml):
        c0, r0, c1, r1 = range_boundaries(ref)
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                key = f"{get_column_letter(c)}{r}"
                if key != anchor and key in found:
                    out[key] = found[key]
    return out


def test_text_in_a_spill_is_a_formula_result_not_a_constant(tmp_path):
    sheet = Sheet("Spill")
    sheet.add(0, 0, [[array_formula("=PE(B1:B6,C1:C6)",
                                    [[12.5], ["NM"], ["n.a."], [ErrorValue("#N/A")],
                                     ["A&B <r>x</r>"], [20.0]], "pe")]])
    path = tmp_path / "s.xlsx"
    write_workbook(path, [sheet])
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    members = spill_members(xml)
    assert sorted(members) == ["A2", "A3", "A4", "A5", "A6"]
    assert re.fullmatch(r' s="\d+" t="str"', members["A2"][0]) and members["A2"][1] == "<v>NM</v>"
    assert members["A3"][1] == "<v>n.a.</v>" and members["A3"][0].endswith(' t="str"')
    assert members["A5"][1] == "<v>A&amp;B &lt;r&gt;x&lt;/r&gt;</v>"
    assert members["A4"][0].endswith(' t="e"') and members["A4"][1] == "<v>#N/A</v>"
    assert re.fullmatch(r' s="\d+"', members["A6"][0]) and members["A6"][1] == "<v>20</v>"
    assert "inlineStr" not in xml and "<f>" not in "".join(b for _, b in members.values())
    # Two other readers see the text as text.
    ws = openpyxl.load_workbook(path, data_only=True)["Spill"]
    assert [ws[f"A{r}"].value for r in range(1, 7)] == \
        [12.5, "NM", "n.a.", "#N/A", "A&B <r>x</r>", 20]
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("Spill").to_python()
    assert [r[0] for r in rows][:3] == [12.5, "NM", "n.a."] and rows[4][0] == "A&B <r>x</r>"


def test_an_nm_pe_inside_the_array_layouts_spill(data_copy, tmp_path):
    # 300502.SZ (row 5 of 重点标的) with a negative 2023A EPS: its P/E 2023A is NM
    # (the UDFs' text for a P/E of a loss), inside the spill of J4.
    path = data_copy / "coverage.csv"
    text = path.read_text(encoding="utf-8")
    assert "300502.SZ,新易盛,95.25,2024-09-23,买入,0.97," in text
    path.write_text(text.replace("300502.SZ,新易盛,95.25,2024-09-23,买入,0.97,",
                                 "300502.SZ,新易盛,95.25,2024-09-23,买入,-0.97,"),
                    encoding="utf-8")
    out = build(data_copy, tmp_path / "array.xlsm", array_threshold=0).path
    with zipfile.ZipFile(out) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    members = spill_members(xml)
    assert members["J5"][1] == "<v>NM</v>" and members["J5"][0].endswith(' t="str"')
    assert all("inlineStr" not in a and "<f>" not in b for a, b in members.values())
    assert openpyxl.load_workbook(out, data_only=True)["重点标的"]["J5"].value == "NM"
    # --check reads the stored spill back as the data builds it
    difference, _ = check(data_copy, out, array_threshold=0)
    assert difference is None


def test_members_are_stored_as_in_excel_made_spills(tmp_path, excel_made):
    """Excel-made spills (XlsxWriter's comparison suite; Excel 365 saved them): every
    member is a value without a formula, as ours are; a number is a bare ``<v>``."""
    ours = Sheet("Sheet1")
    ours.add(0, 0, [[array_formula("=LEN(B1:B3)", [[0.0], [0.0], [0.0]])]])
    path = tmp_path / "ours.xlsx"
    write_workbook(path, [ours])
    with zipfile.ZipFile(path) as z:
        mine = spill_members(z.read("xl/worksheets/sheet1.xml").decode())
    for name in ("embed_image05.xlsx", "array_formula01.xlsx", "autofit12.xlsx"):
        with zipfile.ZipFile(io.BytesIO(excel_made(name))) as z:
            members = spill_members(z.read("xl/worksheets/sheet1.xml").decode())
        assert members, name
        for ref, (attrs, body) in members.items():
            assert "<f" not in body and re.fullmatch(r"<v>[^<]*</v>", body), (name, ref)
            assert "t=" not in attrs, (name, ref)  # numbers: no type, as ours
    assert mine == {"A2": ("", "<v>0</v>"), "A3": ("", "<v>0</v>")}
    # Excel's own spill anchor (embed_image05): cm="1" and t="array" with its ref, as
    # XlsxWriter's write_dynamic_array_formula writes ours.
    with zipfile.ZipFile(io.BytesIO(excel_made("embed_image05.xlsx"))) as z:
        excel_xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert '<c r="A1" cm="1"><f t="array" ref="A1:A3">LEN(B1:B3)</f>' in excel_xml
