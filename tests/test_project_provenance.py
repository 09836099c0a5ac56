"""A project's own provenance (issue 19, item 4): the settings' source, author and
institution on ``核对``, in the document properties and on the published PDF's last
page; the disclaimer on the published copy; one line for settings without a source.

Every file is read back with a reader other than the writer (python-calamine,
openpyxl, the zip's XML, pdftotext); the expected texts are the ones typed into the
settings here."""

from __future__ import annotations

import shutil
import subprocess
import zipfile
from xml.etree import ElementTree

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from conftest import cli_build
from workbook import DATA_DIR
from workbook.build import build
from workbook.publish import publish

SOURCE = "Acme Research estimates, 2024-09-24; closes from the exchanges"
AUTHOR = "Li Wei"
INSTITUTION = "Acme Research"
DISCLAIMER = ("For professional investors only. Not an offer to buy or sell any security. "
              "本报告仅供专业投资者参考。")


def settings_with(folder, **keys):
    """Replace the shipped ``source`` line of *folder*'s settings.toml by *keys*
    (``None``: no line)."""
    path = folder / "settings.toml"
    lines = [line for line in path.read_text(encoding="utf-8").splitlines()
             if not line.startswith("source =")]
    lines += [f'{key} = "{text}"' for key, text in keys.items() if text is not None]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def sheet_rows(path, name):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def test_banner_and_properties_name_the_settings_source_author_and_institution(
        data_copy, tmp_path):
    settings_with(data_copy, source=SOURCE, author=AUTHOR, institution=INSTITUTION)
    path = build(data_copy, tmp_path / "own.xlsm").path
    banner = sheet_rows(path, "核对")[1][0]
    assert f"来源 Source: {SOURCE} · " in banner
    assert f"作者 Author: {AUTHOR} ({INSTITUTION})" in banner
    assert "Tianfeng" not in banner
    wb = openpyxl.load_workbook(path, read_only=True)
    assert wb.properties.creator == AUTHOR
    assert SOURCE in wb.properties.description  # "comments" in Excel's dialog
    custom = {p.name: p.value for p in wb.custom_doc_props.props}
    assert (custom["source"], custom["author"], custom["institution"]) == (
        SOURCE, AUTHOR, INSTITUTION)
    with zipfile.ZipFile(path) as z:  # the company is an extended property (app.xml)
        app = ElementTree.fromstring(z.read("docProps/app.xml"))
    company = [e.text for e in app if e.tag.endswith("}Company")]
    assert company == [INSTITUTION]


def test_the_shipped_example_keeps_its_banner_and_its_figures(shipped):
    banner = sheet_rows(shipped, "核对")[1][0]
    # The seed report's title, as it stood in workbook/provenance.py before issue 19.
    assert ("来源 Source: Tianfeng Securities telecom sector note, 2024-09-24 (key stocks, "
            "rating definitions, OpenAI price table); later token prices and FX rates: each "
            "row's source in token_prices.csv and fx.csv · coverbook ") in banner
    assert "作者 Author" not in banner
    assert openpyxl.load_workbook(shipped, read_only=True).properties.creator == "coverbook"


def test_the_shipped_example_reports_60_pe_and_5_claims_and_no_note(tmp_path):
    result = cli_build(DATA_DIR, tmp_path / "b.xlsm")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == f"data: {DATA_DIR} (--data)"
    assert lines[3] == "P/E 60/60 match the report; claims 5/5"
    # data, wrote, sheets, checks, findings: no note about source/scales
    assert len(lines) == 5, lines


def test_settings_without_a_source_give_one_line_and_the_same_exit_code(data_copy,
                                                                         tmp_path):
    settings_with(data_copy)
    result = cli_build(data_copy, tmp_path / "old.xlsm")
    assert result.exit_code == 0, result.output
    said = [line for line in result.output.splitlines() if "source line" in line]
    assert said == ['settings.toml: no source line; add one such as source = "Our '
                    'estimates, Acme Research, 2025-06-30" (it shows on 核对, in the '
                    'document properties and on the published copy)']
    banner = sheet_rows(tmp_path / "old.xlsm", "核对")[1][0]
    assert "来源 Source: not given (settings.toml has no source line)" in banner


def test_no_tianfeng_title_in_the_code():
    # The seed report's title lives in the shipped settings (and as the source of the
    # Tianfeng scale in the shipped scales), not in code that every project runs.
    root = DATA_DIR.parent
    hits = [str(p.relative_to(root)) for p in root.rglob("*.py")
            if "telecom sector note" in p.read_text(encoding="utf-8")]
    assert hits == []


def test_the_published_copy_shows_the_disclaimer_on_every_sheet(data_copy, tmp_path):
    settings_with(data_copy, source=SOURCE, disclaimer=DISCLAIMER)
    path = publish(data_copy, tmp_path / "values.xlsx").path
    wb = CalamineWorkbook.from_path(str(path))
    assert wb.sheet_names == ["重点标的", "评级说明", "Token价格", "Token场景", "核对"]
    for name in wb.sheet_names:
        rows = wb.get_sheet_by_name(name).to_python()
        # the rows below the sheet's content, column A: the disclaimer's lines
        tail = [r[0] for r in rows if r and isinstance(r[0], str) and r[0]][-2:]
        assert DISCLAIMER in tail or " ".join(tail) == DISCLAIMER, (name, tail)
    # the live workbook has no disclaimer: it is for the published copy
    built = build(data_copy, tmp_path / "live.xlsm").path
    for name in CalamineWorkbook.from_path(str(built)).sheet_names:
        assert not any("professional investors" in str(v) for r in sheet_rows(built, name)
                       for v in r)


def test_a_long_disclaimer_wraps_within_the_page(data_copy, tmp_path):
    words = " ".join(f"clause{i:03d}" for i in range(60))  # 60 x 9 + 59 = 599 characters
    settings_with(data_copy, source=SOURCE, disclaimer=words)
    path = publish(data_copy, tmp_path / "values.xlsx").path
    rows = sheet_rows(path, "核对")
    lines = [r[0] for r in rows if r and isinstance(r[0], str) and r[0].startswith("clause")]
    assert " ".join(lines) == words and len(lines) >= 4  # at most 160 characters a line
    assert all(len(line) <= 160 for line in lines)


@pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftotext") is None,
                    reason="LibreOffice (soffice) or pdftotext is not installed")
def test_the_pdf_shows_the_source_on_its_last_page_and_the_disclaimer(data_copy, tmp_path):
    settings_with(data_copy, source=SOURCE, author=AUTHOR, disclaimer=DISCLAIMER)
    pdf = tmp_path / "values.pdf"
    publish(data_copy, tmp_path / "values.xlsx", pdf=pdf)
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    last_page = text.rstrip("\f").split("\f")[-1]
    assert SOURCE in last_page and AUTHOR in last_page
    assert "For professional investors only" in last_page
    assert "Tianfeng" not in text.split("评级说明")[0]  # key stocks: no one else's name
