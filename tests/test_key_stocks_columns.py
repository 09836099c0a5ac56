"""The key-stocks columns right of the P/E block: target price, upside, implied rating,
rating check, EPS CAGR and PEG, for the shipped data (no targets) and a copy with
target prices, in both layouts; the findings on 核对. Every expected value is worked
out here from coverage.csv with hand formulas (decimal arithmetic for the upside and
the banding), never with the UDFs under test."""

from __future__ import annotations

import csv
import importlib
import math
from decimal import Decimal

import openpyxl
import pytest
from openpyxl.worksheet.formula import ArrayFormula
from python_calamine import CalamineWorkbook

from conftest import cli_build
from helpers.data_files import TARGETS, with_targets
from helpers.recompute import mismatches
from workbook import DATA_DIR
from workbook.build import build
from workbook.sheets import key_stocks

KEY = "重点标的"
COLUMNS = ["目标价 Target (CNY)", "上行空间 Upside", "隐含评级 Implied rating",
           "评级核对 Rating check", "EPS CAGR 2023A–2026E", "PEG 2024E"]


def tianfeng(x: Decimal) -> str:
    """Tianfeng's stock scale as the seed report prints it: 买入 20%以上, 增持 10%-20%,
    持有 -10%-10%, 卖出 -10%以下 (an edge goes to the band further from zero)."""
    if x >= Decimal("0.2"):
        return "买入"
    if x >= Decimal("0.1"):
        return "增持"
    return "持有" if x > Decimal("-0.1") else "卖出"


def coverage_rows(folder):
    with open(folder / "coverage.csv", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def expected(folder):
    """``{code: {column header: value}}`` by hand from coverage.csv."""
    out = {}
    for row in coverage_rows(folder):
        close = Decimal(row["close"])
        e23, e24, e26 = (float(row[f"EPS {y}"]) for y in ("2023A", "2024E", "2026E"))
        cagr = math.exp(math.log(e26 / e23) / 3) - 1  # (e26/e23)^(1/3) - 1
        pe24 = float(row["close"]) / e24
        values = {"EPS CAGR 2023A–2026E": cagr, "PEG 2024E": pe24 / (cagr * 100)}
        if "target_price" in row:
            target = row["target_price"]
            if target:
                upside = Decimal(target) / close - 1  # exact: 130.68/108.90 - 1 = 0.2
                implied = tianfeng(upside)
                values.update({"目标价 Target (CNY)": float(target), "上行空间 Upside": upside,
                               "隐含评级 Implied rating": implied,
                               "评级核对 Rating check": "一致" if implied == row["rating"]
                               else "不一致"})
            else:
                values.update({"目标价 Target (CNY)": None, "上行空间 Upside": "n.a.",
                               "隐含评级 Implied rating": "n.a.",
                               "评级核对 Rating check": "n.a."})
        out[row["code"]] = values
    return out


@pytest.fixture(scope="module")
def targets_data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("targets") / "data"
    import shutil
    shutil.copytree(DATA_DIR, folder)
    with_targets(folder, TARGETS)
    return folder


@pytest.fixture(scope="module", params=["scalar", "array"])
def targets_build(request, targets_data, tmp_path_factory):
    out = tmp_path_factory.mktemp(f"targets-{request.param}") / "coverbook.xlsm"
    return build(targets_data, out, array_threshold=200 if request.param == "scalar" else 0)


def sheet_rows(path, name=KEY):
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python(
        skip_empty_area=False)


def table(path):
    rows = sheet_rows(path)
    header = rows[2]
    return header, {r[0]: dict(zip(header, r)) for r in rows[3:18]}


def assert_values(got, want, code):
    for column, v in want.items():
        g = got[column]
        if isinstance(v, (float, Decimal)):
            assert isinstance(g, float), (code, column, g)
            assert g == pytest.approx(float(v), rel=1e-12, abs=1e-15), (code, column)
        elif v is None:
            assert g in ("", None), (code, column, g)
        else:
            assert g == v, (code, column)


def test_the_shipped_table_gets_growth_columns_and_no_target_columns(built):
    header, rows = table(built.path)
    assert header[9:13] == ["P/E 2023A", "P/E 2024E", "P/E 2025E", "P/E 2026E"]
    assert header[13:] == ["EPS CAGR 2023A–2026E", "PEG 2024E"]
    want = expected(DATA_DIR)
    for code, got in rows.items():
        assert_values(got, want[code], code)
    assert "findings: none (no target prices, so no rating check)" in built.report()


def test_target_columns_right_of_the_pe_block(targets_build, targets_data):
    header, rows = table(targets_build.path)
    assert header[9:13] == ["P/E 2023A", "P/E 2024E", "P/E 2025E", "P/E 2026E"]
    assert header[13:] == COLUMNS
    want = expected(targets_data)
    for code, got in rows.items():
        assert_values(got, want[code], code)
    # The edges as a reader expects them, though 130.68/108.90 - 1 is 0.19999999999999996.
    assert rows["300308.SZ"]["隐含评级 Implied rating"] == "买入"
    assert rows["300394.SZ"]["隐含评级 Implied rating"] == "增持"
    assert rows["600941.SH"]["隐含评级 Implied rating"] == "卖出"
    # The settings' inputs above the columns, which the formulas read.
    inputs = sheet_rows(targets_build.path)[1][13:18]
    assert inputs[:4] == ["评级体系 Scale", "tianfeng", "基准 Benchmark", 0.0]
    assert inputs[4] == "6 months, set 2024-09-24"


def test_the_reports_pe_cells_keep_their_addresses_and_checks(targets_build):
    ws = openpyxl.load_workbook(targets_build.path)[KEY]
    if isinstance(ws["J4"].value, ArrayFormula):
        assert ws["J4"].value.ref == "J4:J18" and ws["M4"].value.text == "=PE(C4:C18,I4:I18)"
    else:
        assert ws["J4"].value == "=PE(C4,F4)" and ws["M18"].value == "=PE(C18,I18)"
    assert targets_build.ok
    assert "P/E 60/60 match the report; claims 5/5" in targets_build.report()


def test_formulas_per_cell_or_one_spilled_formula_per_column(targets_build):
    ws = openpyxl.load_workbook(targets_build.path)[KEY]
    array = isinstance(ws["J4"].value, ArrayFormula)
    texts = {c: ws[f"{c}4"].value for c in "OPQRS"}
    if array:
        assert {c: (v.ref, v.text) for c, v in texts.items()} == {
            "O": ("O4:O18", "=UPSIDE(N4:N18,C4:C18)"),
            "P": ("P4:P18", "=IMPLIED_RATING(N4:N18,C4:C18,$Q$2,$O$2)"),
            "Q": ("Q4:Q18", '=IF(LEFT(P4:P18,1)="#",P4:P18,IF(P4:P18="n.a.",P4:P18,'
                            'IF(P4:P18=E4:E18,"一致","不一致")))'),
            "R": ("R4:R18", "=EPS_CAGR(F4:F18,I4:I18,3)"),
            "S": ("S4:S18", "=PEG(K4:K18,R4:R18)")}
        # The spilled cells hold values only (Excel stores them so).
        assert all(ws[f"{c}{r}"].data_type != "f" for c in "OPQRS" for r in range(5, 19))
    else:
        assert texts == {"O": "=UPSIDE(N4,C4)", "P": "=IMPLIED_RATING(N4,C4,$Q$2,$O$2)",
                         "Q": '=IF(LEFT(P4,1)="#",P4,IF(P4="n.a.",P4,IF(P4=E4,"一致",'
                              '"不一致")))',
                         "R": "=EPS_CAGR(F4,I4,3)", "S": "=PEG(K4,R4)"}
        assert ws["S18"].value == "=PEG(K18,R18)"
    assert ws["N4"].value == 130.68 and ws["N10"].value is None  # 601728.SH: no target
    # The mean row averages upside, CAGR and PEG (text skipped).
    assert [ws[f"{c}19"].value for c in "ORS"] == [
        "=AVERAGE(O4:O18)", "=AVERAGE(R4:R18)", "=AVERAGE(S4:S18)"]


def test_every_new_formula_recomputes_to_its_cached_value(targets_build):
    bad, n = mismatches(targets_build.path, targets_build.data)
    assert n == targets_build.n_formulas
    assert not bad, bad[:5]


def test_one_udf_call_per_column_above_the_threshold(targets_data, monkeypatch):
    from workbook.dataset import load_dataset
    from workbook.sheets import build_sheets

    calls = {}
    for name in ("UPSIDE", "IMPLIED_RATING", "EPS_CAGR", "PEG"):
        original = getattr(key_stocks.columns, name)

        def counted(*args, _f=original, _n=name):
            calls[_n] = calls.get(_n, 0) + 1
            return _f(*args)
        monkeypatch.setattr(key_stocks.columns, name, counted)
    build_sheets(load_dataset(targets_data), array_threshold=0)
    assert calls == {"UPSIDE": 1, "IMPLIED_RATING": 1, "EPS_CAGR": 1, "PEG": 1}


def test_rating_disagreements_are_findings_on_the_checks_sheet(targets_build, targets_data):
    want = expected(targets_data)
    differs = [code for code, v in want.items()
               if v.get("评级核对 Rating check") == "不一致"]
    assert differs == ["300502.SZ", "688498.SH", "600941.SH"]
    rows = sheet_rows(targets_build.path, "核对")
    title = next(i for i, r in enumerate(rows) if str(r[0]).startswith("发现 Findings"))
    assert rows[title + 1][0] == ("findings: 3 of 6 published ratings differ from the rating "
                                  "their target implies (tianfeng, benchmark 0.00%)")
    listed = rows[title + 3:title + 6]
    assert [r[1].split()[0] for r in listed] == differs
    by_code = {r["code"]: r for r in coverage_rows(targets_data)}
    for r in listed:
        code = r[1].split()[0]
        assert r[2] == by_code[code]["rating"] and r[3] == want[code]["隐含评级 Implied rating"]
        assert r[4] == pytest.approx(float(want[code]["上行空间 Upside"]))
        assert r[5] == "不一致"
    # Each finding points at its row of the key-stocks sheet (600941.SH: row 12).
    ws = openpyxl.load_workbook(targets_build.path)["核对"]
    assert [ws.cell(title + 6, c).value for c in range(3, 7)] == [
        "='重点标的'!E12", "='重点标的'!P12", "='重点标的'!O12", "='重点标的'!Q12"]
    assert targets_build.report().splitlines()[-2:] == [
        "P/E 60/60 match the report; claims 5/5",
        "findings: 3 of 6 published ratings differ from the rating their target implies "
        "(tianfeng, benchmark 0.00%); listed on 核对"]


def test_findings_do_not_fail_the_build(targets_data, tmp_path):
    result = cli_build(targets_data, tmp_path / "book.xlsm")
    assert result.exit_code == 0, result.output
    assert "findings: 3 of 6" in result.stdout


def test_the_benchmark_return_and_scale_come_from_the_settings(targets_data, tmp_path):
    import shutil
    folder = tmp_path / "data"
    shutil.copytree(targets_data, folder)
    path = folder / "settings.toml"
    text = path.read_text(encoding="utf-8").replace("benchmark_return = 0.0",
                                                    "benchmark_return = 0.05")
    path.write_text(text.replace('rating_scale = "tianfeng"', 'rating_scale = "huatai"'),
                    encoding="utf-8")
    result = build(folder, tmp_path / "b.xlsx")
    _, rows = table(result.path)
    # Huatai: 买入 15%以上, 增持 5%-15%, 持有 -15%-5%, 卖出 弱于基准15%以上; minus 5%.
    implied = {c: r["隐含评级 Implied rating"] for c, r in rows.items() if c in TARGETS}
    assert implied == {"300308.SZ": "买入", "300502.SZ": "增持", "300394.SZ": "增持",
                       "688498.SH": "持有", "000063.SZ": "买入", "600941.SH": "卖出",
                       "601728.SH": "n.a."}
    assert sheet_rows(result.path)[1][14:17] == ["huatai", "基准 Benchmark", 0.05]
    assert "(huatai, benchmark 5.00%)" in result.report()


def test_every_computed_percentage_shows_two_decimals(targets_build):
    # One format for upside, EPS CAGR, the benchmark input, the findings' upside and
    # the scale's edge examples: 0.00%, so 688498.SH's 9.996% upside (持有, under the
    # 10% edge) reads 10.00% and 300502.SZ's 15.49% upside reads 15.49%, not 15.5%.
    wb = openpyxl.load_workbook(targets_build.path)
    ws = wb[KEY]
    header = [c.value for c in ws[3]]
    upside = header.index("上行空间 Upside") + 1
    cagr = header.index("EPS CAGR 2023A–2026E") + 1
    cells = [ws.cell(r, c) for r in range(4, 21) for c in (upside, cagr)]  # 15 + mean, median
    cells.append(ws.cell(2, header.index("评级核对 Rating check") + 1))  # benchmark input
    assert ws.cell(2, header.index("评级核对 Rating check") + 1).value == 0
    checks = wb["核对"]
    head = next(c for row in checks.iter_rows() for c in row if c.value == "上行空间 Upside")
    found = [checks.cell(r, head.column) for r in range(head.row + 1, head.row + 4)]
    assert all(c.value.startswith("=") for c in found)  # the 3 findings' upside
    assert checks.cell(head.row + 4, head.column).value is None
    cells += found
    assert len(cells) == 17 * 2 + 1 + 3  # 15 stocks, mean and median rows
    assert {c.number_format for c in cells} == {"0.00%"}
    ratings = wb["评级说明"]  # the x column of the =RATING(x, scale) examples
    x = next(c for c in ratings["A"] if c.value == "x")
    examples = [c for c in ratings["A"][x.row:] if isinstance(c.value, (int, float))]
    assert 0.0999 in [c.value for c in examples]
    assert {c.number_format for c in examples} == {"0.00%"}


def test_implied_rating_on_an_industry_scale_is_a_clear_error():
    # A target price is one stock's; an industry scale bands an industry index's
    # return against CSI 300. IMPLIED_RATING refuses it for every cell, naming the
    # stock scales, where it used to band the stock's upside on 强于大市/中性/弱于大市.
    from udfs.ratings import IMPLIED_RATING

    stock = "cmsc, csc, gtja, huatai, industrial, nesc, tianfeng"
    for name in ("tianfeng-industry", "industry", "CSC-Industry"):
        want = (f"#VALUE! {name!r} is an industry scale (it rates an industry index); a "
                f"target price implies a stock rating: use a stock scale: {stock}")
        assert IMPLIED_RATING(120, 100, 0, name) == want
        assert IMPLIED_RATING([[120], [None]], [[100], [100]], 0, name) == [[want], [want]]
    assert IMPLIED_RATING(120, 100, 0, "stock") == "买入"  # the stock alias still works
    assert IMPLIED_RATING("#N/A", 100, 0, "industry") == "#N/A"  # an error passes first
    # The rating check shows the error as it is, and it is no finding.
    assert key_stocks.rating_check(IMPLIED_RATING(120, 100, 0, "industry"), "买入") \
        .startswith("#VALUE! 'industry' is an industry scale")


@pytest.mark.parametrize("threshold", [200, 0])
def test_a_new_column_is_one_entry_of_the_declaration(monkeypatch, threshold):
    """One entry appended to the declaration gives the header, the formulas (both
    layouts), the mean rows, the note, the grid, the autofilter, the width and the
    column limit's count, with nothing else touched."""
    from udfs._reference import use_dataset
    from workbook.dataset import load_dataset
    from workbook.model import CachedColumn
    from workbook.sheets import limits
    from workbook.sheets.key_stocks import columns

    # (key_stocks.layout is the function; the module is found by its full name)
    layout = importlib.import_module("workbook.sheets.key_stocks.layout")

    twice = columns.Column(
        "twice_close", "twice the close", "2× 收盘价", "price",
        values=lambda t, k: [2 * c for c in t.closes],
        cell=lambda t, k, r: f"=2*{t.at(r, 'close')}",
        spill=lambda t, k: f"=2*{t.rng('close')}", mean=True,
        note=lambda t: "2× 收盘价 = twice the close")
    declared = columns.COLUMNS + (twice,)
    for module in (columns, layout):
        monkeypatch.setattr(module, "COLUMNS", declared)
    data = load_dataset(DATA_DIR)
    with use_dataset(data):
        sheet = key_stocks.build(data, threshold)
    cells = sheet.cell_map()
    # The shipped table ends at O (PEG): the new column is P (15), rows 4-18 (3-17).
    assert cells[(2, 15)].value == "2× 收盘价"
    if threshold:
        assert cells[(3, 15)].formula == "=2*C4" and cells[(17, 15)].formula == "=2*C18"
        assert cells[(3, 15)].cached == pytest.approx(217.8)  # 2 x 108.90, 300308.SZ
    else:
        assert cells[(3, 15)].formula == "=2*C4:C18"
        assert isinstance(cells[(3, 15)].cached, CachedColumn)
        assert cells[(3, 15)].cached[0] == [pytest.approx(217.8)]
    closes = [float(r["close"]) for r in coverage_rows(DATA_DIR)]
    assert cells[(18, 15)].formula == "=AVERAGE(P4:P18)"
    assert cells[(18, 15)].cached == pytest.approx(2 * sum(closes) / len(closes))
    notes = [cells[(r, 0)].value for r in range(21, 24) if (r, 0) in cells]
    assert notes[-1] == "2× 收盘价 = twice the close"
    assert sheet.borders[0].last_col == 15 and sheet.autofilter == (2, 0, 17, 15)
    assert 15 in sheet.col_widths
    assert key_stocks.added_columns_right(False, True) == ("EPS CAGR", "PEG", "twice the close")
    assert limits.max_fiscal_years(False, True) == (16_384 - 5 - 3) // 2
