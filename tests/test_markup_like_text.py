"""Text that reads like a rich string's XML (``<r>A&B</r>``) is written as the text
it is, wherever it comes from: a stock's name, a token model's display name, a rating
label. XlsxWriter 3.3.1 writes such a string unescaped in
``constant_memory`` mode (see ``workbook/writers/xlsx_cells.py``); the workbook was
not well-formed and LibreOffice dropped the rows from there on.

Read back with openpyxl and python-calamine (not the writer), every XML part checked
with a strict parser, and once through LibreOffice where it is installed."""

from __future__ import annotations

import csv
import shutil
import zipfile
from xml.etree import ElementTree

import openpyxl
import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from helpers.data_files import edit
from workbook.build import build
from workbook.publish import publish
from workbook.writers.xlsx_cells import Worksheet

MARKUP = "<r>A&B</r>"


def assert_well_formed(path):
    """Every XML part of the package *path* parses (``ElementTree`` is strict)."""
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if name.endswith((".xml", ".rels", ".vml")):
                ElementTree.fromstring(z.read(name))  # raises ParseError if not


def all_texts_openpyxl(path):
    wb = openpyxl.load_workbook(path, data_only=True)
    return {c.value for ws in wb.worksheets for row in ws.iter_rows() for c in row
            if isinstance(c.value, str)}


def all_texts_calamine(path):
    wb = CalamineWorkbook.from_path(str(path))
    return {v for name in wb.sheet_names
            for row in wb.get_sheet_by_name(name).to_python() for v in row
            if isinstance(v, str)}


def write_column(path, texts):
    """*texts* in column A of a one-sheet workbook written as coverbook writes (row by
    row, coverbook's worksheet class), then a last row ``end``."""
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("s", Worksheet)
    for i, text in enumerate(texts):
        ws.write_string(i, 0, text)
    ws.write_string(len(texts), 0, "end")
    wb.close()


#: Text an analyst can type: no control characters (the loaders refuse them) and no
#: ``_xHHHH_`` (openpyxl does not undo that escape in any text; see the report).
typed = st.text(st.characters(blacklist_categories=("Cc", "Cs"),
                              blacklist_characters="\ufffe\uffff"), min_size=1, max_size=12)
markup_like = st.builds(lambda a, b, c: a + "<r>" + b + "</r>" + c,
                        st.sampled_from(["", " "]), typed, st.sampled_from(["", " "]))


@settings(derandomize=True, database=None, max_examples=60, deadline=None)
@given(texts=st.lists(markup_like | typed, min_size=1, max_size=4))
def test_text_reads_back_exactly_as_typed(tmp_path_factory, texts):
    path = tmp_path_factory.mktemp("t") / "t.xlsx"
    write_column(path, texts)
    assert_well_formed(path)
    ws = openpyxl.load_workbook(path)["s"]
    assert [ws.cell(row=i + 1, column=1).value for i in range(len(texts) + 1)] == \
        texts + ["end"]
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("s").to_python(
        skip_empty_area=False)
    assert [r[0] for r in rows] == texts + ["end"]


def test_a_real_rich_string_is_still_written_as_runs(tmp_path):
    path = tmp_path / "rich.xlsx"
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    ws = wb.add_worksheet("s", Worksheet)
    ws.write_rich_string(0, 0, "a", wb.add_format({"bold": True}), "b")
    ws.write_string(1, 0, MARKUP)
    wb.close()
    xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
    assert "<is><r><t>a</t></r><r><rPr><b/>" in xml
    assert "<is><t>&lt;r&gt;A&amp;B&lt;/r&gt;</t></is>" in xml
    assert openpyxl.load_workbook(path)["s"]["A1"].value == "ab"


@pytest.fixture
def markup_data(own_scales):
    """The shipped data with ``<r>A&B</r>``-like text in a stock's name, a token
    model's display name and a rating label of a scale the table is not rated on (in
    the folder's own copy of the shipped scales). The settings' source stands inside
    the 核对 banner, never at the start of a cell, so it cannot look like runs."""
    data_copy = own_scales
    edit(data_copy, "coverage.csv", ",中际旭创,", f",{MARKUP},")
    edit(data_copy, "token_prices.csv", ",GPT-4o,", ",<r>GPT-4o</r>,")
    edit(data_copy, "rating_scales.toml", 'label = "强于大市"', 'label = "<r>强于大市</r>"')
    return data_copy


EXPECTED = {MARKUP, "<r>GPT-4o</r>", "<r>强于大市</r>"}


def test_the_built_and_the_published_workbook_keep_such_text(markup_data, tmp_path):
    out = tmp_path / "book.xlsm"
    build(markup_data, out)
    published = publish(markup_data, tmp_path / "values.xlsx").path
    for path in (out, published):
        assert_well_formed(path)
        for texts in (all_texts_openpyxl(path), all_texts_calamine(path)):
            assert EXPECTED <= texts, path
    # The stock's row and the rows below it are all there (LibreOffice dropped them).
    names = [r[1] for r in CalamineWorkbook.from_path(str(out))
             .get_sheet_by_name("重点标的").to_python()[3:18]]
    assert names[0] == MARKUP and len(names) == 15 and "中兴通讯" in names


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_libreoffice_reads_every_row_of_such_a_workbook(markup_data, tmp_path):
    from workbook.export import export_csv

    published = publish(markup_data, tmp_path / "values.xlsx").path
    files = export_csv(published, tmp_path / "csv")
    with open(files["重点标的"], encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[3][:2] == ["300308.SZ", MARKUP]
    assert rows[8][:2] == ["000063.SZ", "中兴通讯"]  # a row below it is still there
