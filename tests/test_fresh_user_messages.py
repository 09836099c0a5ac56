"""Messages a fresh user of a project met (issue 19, follow-up): the token UDFs on an
equity-only folder, one mistake in settings.toml reported once (not again as unknown
columns of coverage.csv), an empty source, a malformed coverbook.toml, and the source
and author on every published page (read back with openpyxl, and from the PDF with
pdftotext)."""

from __future__ import annotations

import re
import shutil
import subprocess

import openpyxl
import pytest
from click.testing import CliRunner

from helpers.build_cli import assert_rejected
from helpers.data_files import edit, line_of
from helpers.own_columns import add_own_columns
from udfs import COST_RATIO, TOKEN_COST, TOKEN_PRICE
from workbook.cli import cli
from workbook.project import ProjectError, load_project
from workbook.publish import publish

SETTINGS = "settings.toml"
NO_PRICES = "#N/A no token prices in this data folder (token_prices.csv)"


def test_token_udfs_on_an_equity_only_folder_say_there_are_no_prices(data_copy,
                                                                      monkeypatch):
    for name in ("token_prices.csv", "workloads.csv", "claims.csv", "report_pe.csv"):
        (data_copy / name).unlink()
    monkeypatch.setenv("COVERBOOK_DATA", str(data_copy))
    assert TOKEN_PRICE("gpt-4o", "input") == NO_PRICES
    assert TOKEN_COST("gpt-4o", 1000, 500) == NO_PRICES
    assert COST_RATIO("gpt-4o", "o1-mini", "output") == NO_PRICES


def test_with_token_prices_an_unknown_model_still_lists_the_known(data_copy, monkeypatch):
    monkeypatch.setenv("COVERBOOK_DATA", str(data_copy))
    assert TOKEN_PRICE("gpt-9", "input").startswith("#N/A unknown model 'gpt-9'; known: ")
    assert "gpt-4o" in TOKEN_PRICE("gpt-9", "input")


@pytest.mark.parametrize("declared, line, fragment", [
    # a name listed twice: the settings say so, coverage.csv's sector is not "unknown"
    ('["sector", "analyst", "sector"]', "extra_columns", "'sector' is listed twice"),
    # not TOML at all (the list itself is fine, the next line is not)
    ('["sector", "analyst"]\ninstitution = "Acme', 'institution = "Acme', "not valid TOML"),
])
def test_unreadable_extra_columns_are_not_also_unknown_columns(data_copy, previous,
                                                               declared, line, fragment):
    add_own_columns(data_copy, declared)
    row = line_of(data_copy, SETTINGS, line)
    column = "extra_columns" if line == "extra_columns" else None
    assert_rejected(data_copy, previous, [(SETTINGS, row, column, fragment)])


def test_an_undeclared_column_is_still_unknown_when_the_settings_are_broken(
        data_copy, previous):
    add_own_columns(data_copy, '["sector", "sector"]')  # analyst is not listed
    row = line_of(data_copy, SETTINGS, "extra_columns")
    assert_rejected(data_copy, previous, [
        (SETTINGS, row, "extra_columns", "'sector' is listed twice"),
        ("coverage.csv", 1, "analyst", "unknown column")])


def test_an_empty_source_says_it_is_empty(data_copy, previous):
    edit(data_copy, SETTINGS, "\nsource = ", '\nsource = ""\n_old_source = ')
    edit(data_copy, SETTINGS, "_old_source = ", "# ")
    row = line_of(data_copy, SETTINGS, 'source = ""')
    assert_rejected(data_copy, previous, [
        (SETTINGS, row, "source",
         'empty; write the text between the quotes (source = "..."), or delete the line')])


def test_a_malformed_project_file_gives_an_example_not_a_description(tmp_path):
    file = tmp_path / "coverbook.toml"
    file.write_text('# my project\ndata = "data\nworkbook = "my.xlsm"\n', encoding="utf-8")
    with pytest.raises(ProjectError) as err:
        load_project(file)
    message = str(err.value)
    assert message.startswith(f"{file}:2: ")
    assert message.endswith('; a coverbook.toml holds two lines, e.g. data = "data" and '
                            'workbook = "coverbook.xlsm"')
    assert "it holds" not in message


# --- provenance on every published page ------------------------------------------------


@pytest.fixture
def own_source(data_copy):
    """*data_copy* with the analyst's own source, author and institution."""
    text = "".join(line for line in (data_copy / SETTINGS).read_text(encoding="utf-8")
                   .splitlines(keepends=True)
                   if not line.startswith(("source =", "author =", "institution =")))
    (data_copy / SETTINGS).write_text(
        text + '\nsource = "Own estimates of Acme Research"\nauthor = "Jane Doe"\n'
        'institution = "Example Capital"\n', encoding="utf-8")
    return data_copy


def test_the_values_banner_names_source_and_author_on_every_sheet(own_source, tmp_path):
    out = publish(own_source, tmp_path / "values.xlsx").path
    book = openpyxl.load_workbook(out)
    assert len(book.sheetnames) == 5
    for sheet in book:
        banner = next(c.value for c in sheet[1]
                      if isinstance(c.value, str) and c.value.startswith("仅数值"))
        assert "来源 Source: Own estimates of Acme Research" in banner, sheet.title
        assert "作者 Author: Jane Doe (Example Capital)" in banner, sheet.title


@pytest.mark.skipif(not ((shutil.which("soffice") or shutil.which("libreoffice"))
                         and shutil.which("pdftotext")),
                    reason="needs LibreOffice and pdftotext")
def test_the_exported_pdf_names_source_and_author(own_source, tmp_path):
    pdf = tmp_path / "ks.pdf"
    result = CliRunner().invoke(cli, ["export", "--data", str(own_source), "--pdf", str(pdf)])
    assert result.exit_code == 0, result.output
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    text = re.sub(r"\s+", " ", text)
    assert "Source: Own estimates of Acme Research" in text
    assert "Author: Jane Doe (Example Capital)" in text


def _ticker_height(pdf, code="300308.SZ") -> float:
    """The printed height (points) of *code*'s first occurrence (pdftotext -bbox)."""
    text = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    m = re.search(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">' + re.escape(code) + "<",
                  text)
    return float(m.group(2)) - float(m.group(1))


@pytest.mark.skipif(not ((shutil.which("soffice") or shutil.which("libreoffice"))
                         and shutil.which("pdftotext")),
                    reason="needs LibreOffice and pdftotext")
def test_a_long_source_wraps_and_does_not_shrink_the_printed_table(own_source, tmp_path):
    short = tmp_path / "short.pdf"
    assert CliRunner().invoke(cli, ["export", "--data", str(own_source), "--pdf",
                                    str(short)]).exit_code == 0
    long_source = "Own estimates of Acme Research " + "with a very long remark " * 9
    edit(own_source, SETTINGS, 'source = "Own estimates of Acme Research"',
         f'source = "{long_source.strip()}"')
    long = tmp_path / "long.pdf"
    result = CliRunner().invoke(cli, ["export", "--data", str(own_source), "--pdf", str(long)])
    assert result.exit_code == 0, result.output
    # the same type size: the page was not scaled down to fit a 500-character line
    assert _ticker_height(long) == pytest.approx(_ticker_height(short), rel=0.02)
    text = re.sub(r"\s+", " ", subprocess.run(["pdftotext", str(long), "-"],
                                             capture_output=True, text=True).stdout)
    assert "with a very long remark with a very long remark" in text
    assert "live workbook: coverbook build" in text  # the banner's end, not cut off


def test_a_long_banner_is_merged_over_the_table_in_a_taller_title_row(own_source,
                                                                       tmp_path):
    edit(own_source, SETTINGS, 'source = "Own estimates of Acme Research"',
         'source = "' + "a long remark " * 17 + '"')
    sheet = openpyxl.load_workbook(publish(own_source, tmp_path / "v.xlsx").path)["重点标的"]
    merged = [str(r) for r in sheet.merged_cells.ranges if r.min_row == 1]
    assert len(merged) == 1 and sheet[merged[0].split(":")[0]].value.startswith("仅数值")
    assert sheet.row_dimensions[1].height >= 30  # two lines of 15 points or more
