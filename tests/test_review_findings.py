"""Defects a tester found by trying to break coverbook, one test each."""

from __future__ import annotations

import csv
import os
import shutil

import numpy as np
import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from conftest import cli_build
from helpers.build_cli import assert_rejected
from helpers.data_files import band_key_line, edit
from udfs import COST_RATIO, PE, RATING, TOKEN_COST
from workbook import PACKAGE_DIR
from workbook.build import build
from workbook.model import ErrorValue
from workbook.sheets.key_stocks import average

NA = -2146826246


def test_the_vba_project_files_mode_does_not_change_the_bytes(tmp_path, monkeypatch):
    # A clone under umask 002 checks the bin out as 664, under 022 as 644.
    import workbook.build as build_module

    outs = []
    for mode in (0o644, 0o664):
        bin_copy = tmp_path / f"{mode:o}" / "vbaProject.bin"
        bin_copy.parent.mkdir()
        shutil.copyfile(PACKAGE_DIR / "vba" / "vbaProject.bin", bin_copy)
        os.chmod(bin_copy, mode)
        monkeypatch.setattr(build_module, "VBA_PROJECT", bin_copy)
        outs.append(build(data_dir=PACKAGE_DIR / "data",
                          output=tmp_path / f"{mode:o}" / "coverbook.xlsm").path.read_bytes())
    assert outs[0] == outs[1]


def test_a_zero_price_fails_the_saving_claim_instead_of_crashing(data_copy, tmp_path):
    edit(data_copy, "token_prices.csv", "o1-preview,OpenAI o1-preview,2024-09-12,15.00,,60.00,",
         "o1-preview,OpenAI o1-preview,2024-09-12,0,,0,")
    result = cli_build(data_copy, tmp_path / "b.xlsm")
    assert result.exit_code == 1, result.output
    assert "FAIL o1m-cheaper-than-o1p" in result.stderr and "#DIV/0!" in result.stderr


def test_a_price_table_without_models_is_an_error(data_copy, previous):
    path = data_copy / "token_prices.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    assert_rejected(data_copy, previous, [("token_prices.csv", None, None, "no models")])


def test_mean_row_follows_excels_average():
    assert average([10.0, "NM", "n.a.", 20.0]) == 15.0
    # A UDF's error result is text, in live Excel and in the file: AVERAGE skips it.
    assert average([10.0, "#NUM!", 20.0]) == 15.0
    assert average(["NM", "n.a."]) == ErrorValue("#DIV/0!")
    assert average([1.5e308, 1.5e308]) == ErrorValue("#NUM!")  # the sum overflows


def test_an_overflowing_pe_is_error_text_that_the_mean_skips(data_copy, tmp_path):
    edit(data_copy, "coverage.csv", "108.90,2024-09-23,买入,1.94,",
         "108.90,2024-09-23,买入,1e-310,")
    out = build(data_copy, tmp_path / "b.xlsm").path
    ws = openpyxl.load_workbook(out, data_only=True)["重点标的"]
    header = [c.value for c in ws[3]]
    col = header.index("P/E 2023A") + 1
    p_e = ws.cell(4, col)  # 108.90 / 1e-310 overflows
    assert (p_e.value, p_e.data_type) == ("#NUM!", "s")  # text, as xlwings returns it
    # The mean of the other 14 stocks' P/E 2023A, from the data file.
    with open(data_copy / "coverage.csv", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))[1:]
    others = [float(r["close"]) / float(r["EPS 2023A"]) for r in rows]
    assert ws.cell(19, col).value == pytest.approx(sum(others) / len(others), rel=1e-12)
    calamine = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("重点标的").to_python()
    assert calamine[3][col - 1] == "#NUM!"  # not "" (calamine reads error cells as "")


def test_check_on_a_file_that_is_not_a_workbook(tmp_path):
    out = tmp_path / "x.xlsm"
    out.write_text("hi")
    result = cli_build(PACKAGE_DIR / "data", out, "--check")
    assert result.exit_code == 1
    assert "is stale: cannot be read: File is not a zip file" in result.stderr


def test_sample_beyond_the_ticker_capacity_is_a_usage_error(tmp_path):
    from click.testing import CliRunner

    from workbook.cli import cli

    # The ranges hold 99,999 codes (see test_csv_dialects: every one of them loads).
    result = CliRunner().invoke(cli, ["sample", "--stocks", "100000", "--out", str(tmp_path)])
    assert result.exit_code == 2 and "1<=x<=99999" in result.output


@pytest.mark.parametrize("epoch", ["abc", "-99999999999", "99999999999999", "0"])
def test_a_bad_source_date_epoch_is_a_message(epoch, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    result = cli_build(PACKAGE_DIR / "data", tmp_path / "b.xlsm")
    assert result.exit_code == 2 and "SOURCE_DATE_EPOCH" in result.stderr
    assert not (tmp_path / "b.xlsm").exists()


def test_a_huge_toml_integer_edge_is_an_error(data_copy, previous, own_scales):
    edit(data_copy, "rating_scales.toml", "upper = 0.20", "upper = " + "9" * 400)
    row = band_key_line(data_copy, "tianfeng", "增持", "upper")
    assert_rejected(data_copy, previous, [
        ("rating_scales.toml", row, "upper", "must be a number")])


def test_dates_before_excels_first_date_are_errors(data_copy, previous):
    edit(data_copy, "coverage.csv", "24.90,2024-09-23", "24.90,0001-01-01")
    assert_rejected(data_copy, previous, [
        ("coverage.csv", 7, "close_date", "before 1900-01-01")])


def test_a_duplicate_code_in_the_printed_pe_grid_is_an_error(data_copy, previous):
    path = data_copy / "report_pe.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines + [lines[1]]) + "\n", encoding="utf-8")
    assert_rejected(data_copy, previous, [
        ("report_pe.csv", 17, "code", "300308.SZ already appears on row 2")])


class TestUdfEdges:
    def test_numpy_booleans_are_not_numbers(self):
        assert PE(np.True_, 2.0) == "#VALUE!"
        assert RATING(np.True_) == "#VALUE!"

    def test_numpy_com_error_integers_pass_through(self):
        assert PE(10.0, np.int64(NA)) == "#N/A"

    def test_ragged_ranges_are_value_errors(self):
        assert PE([[1.0, 2.0], [3.0]], 2.0) == "#VALUE!"

    def test_a_range_as_scale_names_no_scale(self):
        assert RATING(0.05, ["industry"]).startswith("#N/A unknown scale")

    def test_an_error_in_any_argument_wins(self):
        assert TOKEN_COST("gpt-4o", -1, "#N/A") == "#N/A"
        assert PE("abc", "#N/A") == "#N/A"
        assert COST_RATIO("nope", "#DIV/0!", "input") == "#DIV/0!"


def test_a_duplicate_claim_id_is_an_error(data_copy, previous):
    edit(data_copy, "claims.csv", "o1p-output-vs-4o,", "o1p-input-vs-4o,")
    assert_rejected(data_copy, previous, [
        ("claims.csv", 3, "id", "o1p-input-vs-4o already appears on row 2")])


def test_sample_copies_every_reference_file_and_counts_in_english(tmp_path):
    # The sample is a whole data folder: the shipped fx.csv and workloads.csv come
    # with it byte for byte (Token场景 needs both), and "1 stock x 1 fiscal year".
    from click.testing import CliRunner

    from workbook import DATA_DIR
    from workbook.cli import cli
    from workbook.dataset import load_dataset

    out = tmp_path / "one"
    result = CliRunner().invoke(cli, ["sample", "--stocks", "1", "--years", "1", "--out",
                                      str(out)])
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {out}: 1 stock x 1 fiscal year (seed 0)\n"
    for name in ("fx.csv", "workloads.csv", "token_prices.csv", "claims.csv"):
        assert (out / name).read_bytes() == (DATA_DIR / name).read_bytes(), name
    shipped = (DATA_DIR / "settings.toml").read_text(encoding="utf-8").splitlines()
    sample = (out / "settings.toml").read_text(encoding="utf-8").splitlines()
    # the shipped settings, but the report's source line is replaced: random figures
    assert sample[:-1] == [line for line in shipped if not line.startswith("source =")]
    assert sample[-1] == 'source = "coverbook sample (seed 0): synthetic figures, not estimates"'
    data = load_dataset(out)
    assert len(data.coverage.stocks) == 1 and len(data.coverage.years) == 1
    assert data.workloads and data.fx
    result = CliRunner().invoke(cli, ["sample", "--stocks", "1200", "--years", "3",
                                      "--out", str(tmp_path / "many")])
    assert result.output == f"wrote {tmp_path / 'many'}: 1,200 stocks x 3 fiscal years (seed 0)\n"
