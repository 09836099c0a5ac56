"""Errors that tell the truth: a file that is not comma-delimited gets one line naming
the delimiter and the fix (never a guess); "no stocks" only for a file without data
rows; at most 50 problem lines, then "… and N more", and always the count line; a
ticker's exchange suffix checked against its first two digits; ``coverbook sample``
within those ranges and its exact capacity."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from conftest import cli_build, previous_copy
from helpers.build_cli import assert_rejected
from helpers.data_files import edit
from workbook.cli import cli
from workbook.dataset import EXCHANGE_BY_PREFIX, load_dataset
from workbook.sample import CAPACITY, CODE_RANGES, write_sample

FIX = "save it as 'CSV UTF-8 (Comma delimited)' with ',' between the columns"


@pytest.fixture
def previous(shipped, tmp_path):
    """conftest's previous workbook, from one layout only (these cases do not depend
    on it)."""
    return previous_copy(shipped, tmp_path)


def as_excel_semicolon_csv(folder, file="coverage.csv"):
    """*file* as Excel saves it where the decimal mark is a comma: ';' between cells,
    ',' in numbers."""
    path = folder / file
    lines = path.read_text(encoding="utf-8").splitlines()
    out = [lines[0].replace(",", ";")] + [
        ";".join(cell.replace(".", ",") if re.fullmatch(r"-?[0-9.]+", cell) else cell
                 for cell in line.split(",")) for line in lines[1:]]
    path.write_text("\r\n".join(out) + "\r\n", encoding="utf-8")


def test_semicolon_delimited_is_one_line_naming_the_delimiter(data_copy, previous):
    as_excel_semicolon_csv(data_copy)
    assert_rejected(data_copy, previous, [(
        "coverage.csv", 1, None,
        "the columns are separated by ';', not ',' (Excel writes ';' where the decimal mark "
        f"is a comma); coverbook reads comma-delimited files only: {FIX}")])
    result = cli_build(data_copy, previous[0])
    assert "no stocks" not in result.stderr
    assert len(result.stderr.splitlines()) == 2  # the problem and the count


def test_sep_hint_line_with_semicolons(data_copy, previous):
    as_excel_semicolon_csv(data_copy)
    path = data_copy / "coverage.csv"
    path.write_text("sep=;\r\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    assert_rejected(data_copy, previous, [(
        "coverage.csv", 1, None,
        "the first line 'sep=;' is Excel's delimiter hint: the columns are separated by "
        f"';', not ','; coverbook reads comma-delimited files only: {FIX}")])


def test_sep_hint_line_with_commas(data_copy, previous):
    path = data_copy / "token_prices.csv"
    path.write_text("sep=,\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    assert_rejected(data_copy, previous, [(
        "token_prices.csv", 1, None,
        f"the first line 'sep=,' is Excel's delimiter hint, not the header; delete that "
        f"line, or {FIX}")])


def test_tab_delimited(data_copy, previous):
    path = data_copy / "claims.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",", "\t"), encoding="utf-8")
    assert_rejected(data_copy, previous, [(
        "claims.csv", 1, None,
        "the columns are separated by tabs, not ',' (Excel's 'Text (Tab delimited)'); "
        f"coverbook reads comma-delimited files only: {FIX}")])


def test_no_stocks_only_when_there_are_no_data_rows(data_copy, previous):
    # Every row fails the field count: each row is named, and "no stocks" is not said.
    path = data_copy / "coverage.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([lines[0]] + [l.rsplit(",", 1)[0] for l in lines[1:]]) + "\n",
                    encoding="utf-8")
    (data_copy / "report_pe.csv").unlink()
    assert_rejected(data_copy, previous, [
        ("coverage.csv", n, None, "8 fields, the header has 9; a comma between two of its cells is "
         "missing, or its EPS 2026E cell is left out: keep a comma for each cell, empty or not")
        for n in range(2, 17)])
    # A header and nothing else: that is "no stocks".
    path.write_text(lines[0] + "\n", encoding="utf-8")
    assert_rejected(data_copy, previous, [
        ("coverage.csv", None, None, "no stocks; add one row per ticker")])


def test_at_most_50_problem_lines_then_the_rest_counted(data_copy, previous):
    # 10,000 bad header columns used to print 10,016 lines.
    path = data_copy / "coverage.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    bad = [f"x{i}" for i in range(10_000)]
    path.write_text("\n".join([lines[0] + "," + ",".join(bad)]
                              + [l + "," * 10_000 for l in lines[1:]]) + "\n",
                    encoding="utf-8")
    result = cli_build(data_copy, previous[0])
    assert result.exit_code == 2
    shown = result.stderr.splitlines()
    assert len(shown) == 52
    assert shown[0] == (f"{data_copy / 'coverage.csv'}:1:x0: unknown column; a year column "
                        "is named like 'EPS 2024E' (A = actual, E = estimate); the other "
                        "columns are code, name, close, close_date, rating and, optionally, "
                        "target_price, currency, eps_currency, pair, fy_end; or, to carry your own column into the key-stocks "
                        'table, declare it in settings.toml: extra_columns = ["x0"]')
    assert all(l.startswith(f"{data_copy / 'coverage.csv'}:1:x") for l in shown[:50])
    assert shown[50] == "… and 9950 more"
    assert shown[51] == "10000 problem(s) in the data; nothing was written."
    assert previous[0].read_bytes() == previous[1]


def test_export_errors_have_the_build_format(data_copy, tmp_path):
    path = data_copy / "coverage.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace(",2024-09-23,", ",23/09/2024,"), encoding="utf-8")
    pdf = tmp_path / "t.pdf"
    result = CliRunner().invoke(cli, ["export", "--data", str(data_copy), "--pdf", str(pdf)])
    assert result.exit_code == 2
    shown = result.stderr.splitlines()
    assert shown[-1] == "15 problem(s) in the data; nothing was written."
    assert shown[0] == (f"{data_copy / 'coverage.csv'}:2:close_date: '23/09/2024' is not a "
                        "date YYYY-MM-DD")
    assert len(shown) == 16
    assert not pdf.exists()


@pytest.mark.parametrize("code,message", [
    ("600941.SZ", "'600941.SZ': codes starting with 60 are listed in Shanghai, not Shenzhen: "
                  "write 600941.SH"),
    ("000063.SH", "'000063.SH': codes starting with 00 are listed in Shenzhen, not Shanghai: "
                  "write 000063.SZ"),
    ("300308.BJ", "'300308.BJ': codes starting with 30 are listed in Shenzhen, not Beijing: "
                  "write 300308.SZ"),
    ("830799.SH", "'830799.SH': codes starting with 83 are listed in Beijing, not Shanghai: "
                  "write 830799.BJ"),
    ("510300.SH", "'510300.SH': no A-share stock code starts with 51 (stock codes start with "
                  "Shanghai 60, 68, 90; Shenzhen 00, 20, 30; Beijing 43, 83, 87, 92)"),
])
def test_exchange_suffix_must_fit_the_first_two_digits(code, message, data_copy, previous):
    edit(data_copy, "coverage.csv", "000063.SZ,", f"{code},")
    assert_rejected(data_copy, previous, [("coverage.csv", 7, "code", message)])


def test_every_supported_prefix_loads_with_its_exchange(data_copy):
    # One stock per prefix, with the suffix of its exchange (the shipped codes too).
    path = data_copy / "coverage.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    rows = [f"{prefix}0001.{x},名{prefix},10.00,2024-09-23,买入,1,1,1,1"
            for prefix, x in EXCHANGE_BY_PREFIX.items()]
    path.write_text("\n".join(lines + rows) + "\n", encoding="utf-8")
    (data_copy / "report_pe.csv").unlink()
    codes = [s.code for s in load_dataset(data_copy).coverage.stocks]
    assert codes[-10:] == ["600001.SH", "680001.SH", "900001.SH", "000001.SZ", "200001.SZ",
                           "300001.SZ", "430001.BJ", "830001.BJ", "870001.BJ", "920001.BJ"]


def test_sample_capacity_is_exactly_what_its_ranges_hold(tmp_path):
    assert CAPACITY == 99_999
    assert CAPACITY == sum(b - a for ranges in CODE_RANGES.values() for a, b in ranges)
    data = load_dataset(write_sample(tmp_path / "full", CAPACITY, 1, seed=3))
    codes = [s.code for s in data.coverage.stocks]
    assert len(set(codes)) == 99_999  # every code loads: its suffix fits its digits
    assert {c[:2] for c in codes} == set(EXCHANGE_BY_PREFIX)
    with pytest.raises(ValueError, match="at most 99,999 stocks"):
        write_sample(tmp_path / "over", CAPACITY + 1, 1)


def test_sample_command_documents_and_enforces_the_capacity(tmp_path):
    runner = CliRunner()
    assert "at most 99,999" in runner.invoke(cli, ["sample", "--help"]).output
    result = runner.invoke(cli, ["sample", "--stocks", "100000", "--out", str(tmp_path / "s")])
    assert result.exit_code == 2
    assert "100000 is not in the range 1<=x<=99999" in result.output
    assert not (tmp_path / "s").exists()


def test_an_unreadable_record_names_its_line_and_the_rows_above_are_still_checked(
        data_copy, previous):
    # The csv module refuses a field over its limit (131,072 characters): that record
    # ends the rows; the problems of the rows read before it are still given.
    path = data_copy / "coverage.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace(",买入,", ",Buy!,", 1) if ",买入," in lines[2] else \
        lines[2].replace(",增持,", ",Buy!,", 1)
    assert ",Buy!," in lines[2]
    code = lines[9].split(",")[0]
    lines[9] = f'{code},"{"x" * 140_000}",' + lines[9].split(",", 2)[2]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert_rejected(data_copy, previous, [
        ("coverage.csv", 3, "rating", "'Buy!' is not a rating of the tianfeng scale"),
        ("coverage.csv", 10, None, "not readable as CSV: field larger than field limit "
                                   "(131072); a cell this long is most likely a quote (\") "
                                   "opened in this row and never closed, which runs on to the "
                                   "end of the file: close it or delete it; the rows below it "
                                   "were not checked")])


def test_a_short_row_names_the_cells_it_lacks_and_the_lost_comma(data_copy, previous):
    # Three cells short, and all four EPS cells short (first … last named).
    path = data_copy / "coverage.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines[1] = lines[1].rsplit(",", 3)[0]
    lines[2] = lines[2].rsplit(",", 4)[0]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert_rejected(data_copy, previous, [
        ("coverage.csv", 2, None, "6 fields, the header has 9; commas between its cells "
         "are missing, or its last 3 cells (EPS 2024E, EPS 2025E, EPS 2026E) are left "
         "out: keep a comma for each cell, empty or not"),
        ("coverage.csv", 3, None, "5 fields, the header has 9; commas between its cells "
         "are missing, or its last 4 cells (EPS 2023A … EPS 2026E) are left out")])


def test_a_column_given_twice_says_to_keep_one(data_copy, previous):
    """It said "the first one is used", then wrote nothing: the data is refused."""
    path = data_copy / "coverage.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    lines = [line + ("," + line.split(",")[-1]) for line in lines]  # EPS 2026E again
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert_rejected(data_copy, previous, [
        ("coverage.csv", 1, "EPS 2026E",
         "column appears more than once; keep one of them and delete the other")])
