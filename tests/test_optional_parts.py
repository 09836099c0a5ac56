"""Optional parts of a project (issue 19, item 5): an equity-only workbook without the
token files, a build without report_pe.csv and claims.csv that checks nothing and
says so, the brokers' rating scales shipped with coverbook, and a project's own
scales file that adds a scale or replaces one by id.

Sheet names are read back with python-calamine; expected ratings come from the
bands typed into the scales files here."""

from __future__ import annotations

import pytest
from python_calamine import CalamineWorkbook

import macros.refresh as refresh
from conftest import cli_build
from test_bad_inputs import assert_rejected, line_of
from test_refresh import USER_SHEET, actions, open_book
from udfs import RATING
from udfs._reference import use_dataset
from workbook.build import build
from workbook.dataset import SHIPPED_SCALES, DataErrors, load_dataset
from workbook.provenance import data_hash
from workbook.publish import publish

TOKEN_FILES = ("token_prices.csv", "workloads.csv", "fx.csv")
REPORT_FILES = ("report_pe.csv", "claims.csv")

#: A project's own Tianfeng scale with wider bands: 买入 30% and above, 增持 15-30%,
#: 持有 -15% to 15%, 卖出 below -15% (upper edges included in the band below them).
OWN_TIANFENG = """
[tianfeng]
kind = "stock"
aliases = ["stock"]
broker = "天风证券"
title = "股票投资评级 (house variant)"
benchmark = "沪深300指数"
horizon_months = 6
source = "Acme Research house rules, 2025-01-01"
labels_en = "conventional"
{bands}
"""
BANDS = [("买入", 0.30, "inf"), ("增持", 0.15, 0.30), ("持有", -0.15, 0.15),
         ("卖出", "-inf", -0.15)]

#: A scale only this project has: Buy above 10%, Hold -10% to 10%, Sell below.
OWN_ACME = """
[acme]
kind = "stock"
broker = "Acme Research"
title = "Acme stock rating"
benchmark = "CSI 300"
horizon_months = 12
source = "Acme Research house rules, 2025-01-01"
labels_en = "conventional"
{bands}
"""
ACME_BANDS = [("Buy", 0.10, "inf"), ("Hold", -0.10, 0.10), ("Sell", "-inf", -0.10)]


def bands(scale, rows):
    """``[[scale.bands]]`` tables from (label, lower, upper): lower edges open except
    the lowest band's, upper edges closed except the highest band's."""
    out = []
    for label, lower, upper in rows:
        out.append(f'[[{scale}.bands]]\nlabel = "{label}"\nlower = {lower}\n'
                   f"lower_inclusive = false\nupper = {upper}\n"
                   f"upper_inclusive = {'false' if upper == 'inf' else 'true'}\n")
    return "\n".join(out)


def remove(folder, names):
    for name in names:
        (folder / name).unlink()
    return folder


def sheet_names(path):
    return CalamineWorkbook.from_path(str(path)).sheet_names


def test_an_equity_only_project_builds_without_token_sheets(data_copy, tmp_path):
    remove(data_copy, TOKEN_FILES + REPORT_FILES)
    path = build(data_copy, tmp_path / "equity.xlsm").path
    assert sheet_names(path) == ["重点标的", "评级说明", "核对", "xlwings.conf"]
    published = publish(data_copy, tmp_path / "equity.xlsx").path
    assert sheet_names(published) == ["重点标的", "评级说明", "核对"]


def test_token_prices_in_usd_need_no_fx_file(data_copy, tmp_path):
    # Only the CNY rows need a rate: without them, fx.csv may go.
    path = data_copy / "token_prices.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(line for line in lines if ",CNY," not in line), encoding="utf-8")
    remove(data_copy, ("fx.csv", "claims.csv"))
    assert "Token价格" in sheet_names(build(data_copy, tmp_path / "usd.xlsm").path)


def test_workloads_without_token_prices_is_an_error(data_copy, previous):
    remove(data_copy, ("token_prices.csv", "claims.csv"))
    assert_rejected(data_copy, previous, [
        ("workloads.csv", None, None, "its tasks are priced with token_prices.csv, which "
         "this folder does not have")])


def test_without_report_and_claims_the_build_checks_nothing_and_says_so(data_copy,
                                                                       tmp_path):
    remove(data_copy, REPORT_FILES)
    out = tmp_path / "none.xlsm"
    result = cli_build(data_copy, out)
    assert result.exit_code == 0, result.output
    said = ("checks: none; the data folder has no report_pe.csv or claims.csv (a report's "
            "printed figures), so nothing is compared with a report")
    assert said in result.stdout.splitlines()
    checks_sheet = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("核对").to_python()
    assert checks_sheet[2][0] == said
    assert "FAIL" not in result.output


def test_the_shipped_scales_serve_a_folder_without_a_scales_file(data_copy):
    assert not (data_copy / "rating_scales.toml").exists()
    data = load_dataset(data_copy)
    with use_dataset(data):
        # 天风 stock scale: 买入 20% and above (the report's 投资评级声明)
        assert RATING(0.2) == "买入" and RATING(0.19) == "增持"
    assert data.replaced_scales == data.added_scales == ()


def test_a_project_scale_replaces_a_shipped_one_by_id(data_copy, tmp_path):
    (data_copy / "rating_scales.toml").write_text(
        OWN_TIANFENG.format(bands=bands("tianfeng", BANDS)), encoding="utf-8")
    data = load_dataset(data_copy)
    with use_dataset(data):
        assert RATING(0.2) == "增持"     # shipped: 买入; here 买入 starts above 30%
        assert RATING(0.31) == "买入"
        assert RATING(0.15) == "持有"    # the edge belongs to the band below
        assert RATING(-0.16) == "卖出"
        assert RATING(0.05, "huatai") == "增持"  # the other shipped scales stay
    result = cli_build(data_copy, tmp_path / "own.xlsm")
    assert result.exit_code == 0, result.output
    assert ("rating scales: the data folder's rating_scales.toml replaces the shipped "
            "tianfeng") in result.stdout.splitlines()


def test_a_project_scale_adds_a_scale(data_copy, tmp_path):
    (data_copy / "rating_scales.toml").write_text(
        OWN_ACME.format(bands=bands("acme", ACME_BANDS)), encoding="utf-8")
    data = load_dataset(data_copy)
    with use_dataset(data):
        assert RATING(0.11, "acme") == "Buy"
        assert RATING(0.10, "acme") == "Hold"
        assert RATING(-0.2, "acme") == "Sell"
        assert RATING(0.2) == "买入"  # the shipped default is untouched
    result = cli_build(data_copy, tmp_path / "own.xlsm")
    assert ("rating scales: the data folder's rating_scales.toml adds acme"
            in result.stdout.splitlines())


def test_an_error_in_a_project_scale_names_its_file_and_line(data_copy, previous):
    gap = [("Buy", 0.12, "inf"), ("Hold", -0.10, 0.10), ("Sell", "-inf", -0.10)]
    (data_copy / "rating_scales.toml").write_text(
        OWN_ACME.format(bands=bands("acme", gap)), encoding="utf-8")
    row = line_of(data_copy, "rating_scales.toml", "upper = 0.1")
    assert_rejected(data_copy, previous, [
        ("rating_scales.toml", row, "upper",
         "[acme] bands 'Buy'/'Hold': gap between 0.1 and 0.12")])


def test_the_data_hash_covers_the_shipped_scales_and_a_project_s_own(data_copy, tmp_path):
    before = data_hash(data_copy)
    changed = tmp_path / "shipped.toml"
    changed.write_text(SHIPPED_SCALES.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert data_hash(data_copy, changed) != before
    (data_copy / "rating_scales.toml").write_text(
        OWN_ACME.format(bands=bands("acme", ACME_BANDS)), encoding="utf-8")
    assert data_hash(data_copy) != before


@pytest.mark.parametrize("missing", [("coverage.csv",), ("settings.toml",)])
def test_coverage_and_settings_stay_required(data_copy, missing):
    remove(data_copy, missing)
    with pytest.raises(DataErrors) as caught:
        load_dataset(data_copy)
    assert [e.file for e in caught.value.errors][:1] == [missing[0]]


def test_refresh_of_an_equity_only_workbook_adds_no_token_sheets(remote, data_copy,
                                                                 tmp_path, monkeypatch):
    remove(data_copy, TOKEN_FILES + REPORT_FILES)
    path = build(data_copy, tmp_path / "equity.xlsm").path
    monkeypatch.setenv("COVERBOOK_DATA", str(data_copy))
    book = open_book(path)
    before = [s.name for s in book.sheets]
    message = refresh.main(book)
    assert message.startswith("Refreshed"), message
    assert [s.name for s in book.sheets] == before
    assert before == ["重点标的", "评级说明", USER_SHEET, "核对", "xlwings.conf"]
    added = [a for a in actions(book) if a["func"] == "addSheet"]
    assert added == []


def test_doctor_says_an_equity_only_folder_has_no_token_prices(data_copy, tmp_path):
    from workbook.doctor import check_data

    remove(data_copy, TOKEN_FILES + REPORT_FILES)
    finding = check_data({"COVERBOOK_DATA": str(data_copy)}, tmp_path / "none.conf")
    assert finding.line().endswith(
        f"{data_copy} (COVERBOOK_DATA environment variable): 15 stocks, no token prices "
        "(equity-only)")
