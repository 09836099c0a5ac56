"""The build with a price history: each stock's close is the latest on or before
as_of (prices.csv and coverage.csv's own close together), P/E = close / EPS from it;
disagreements and missing closes are refused at their row; stale closes are listed."""

from __future__ import annotations

import datetime as dt

import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from helpers.prices_exports import WIND_SPACES, ifind_rows, wind_rows, xlsx
from workbook.build import build
from workbook.cli import cli
from workbook.dataset import DataErrors, load_dataset

HEADER = "code,date,close,currency,source"


@pytest.fixture
def data(data_copy, monkeypatch):
    """A copy of the shipped data folder, with no COVERBOOK_DATA to override it."""
    monkeypatch.delenv("COVERBOOK_DATA", raising=False)
    return data_copy


def key_rows(path):
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("重点标的").to_python()
    header = rows[2]
    return header, {r[0]: r for r in rows[3:] if r and r[0]}


def test_the_build_takes_the_latest_close_on_or_before_as_of(data, tmp_path):
    runner = CliRunner()
    wind = xlsx(tmp_path / "w.xlsx", wind_rows(WIND_SPACES, [["300308.SZ", "中际旭创", 110.2]]))
    ifind = xlsx(tmp_path / "i.xlsx", ifind_rows([
        ("2024-09-20", [5.9, 4.3]), ("2024-09-24", [6.12, "--"]), ("2024-09-25", [6.5, 4.7])]))
    for args in ([wind], [ifind, "--unadjusted"]):
        result = runner.invoke(cli, ["prices", "import", *map(str, args), "--data", str(data)])
        assert result.exit_code == 0, result.output
    out = tmp_path / "out.xlsx"
    result = build(data, out)
    header, rows = key_rows(out)
    close, date, pe24 = (header.index(h) for h in
                         ("收盘价 Close (CNY)", "收盘日 Close date", "P/E 2024E"))
    # 300308.SZ: Wind's 2024-09-24 close is later than coverage.csv's 108.90 of 09-23.
    assert rows["300308.SZ"][close] == 110.2
    assert rows["300308.SZ"][date] == dt.date(2024, 9, 24)
    assert rows["300308.SZ"][pe24] == pytest.approx(110.2 / 5.33)
    # 601728.SH: iFinD's 09-24 close; the 09-25 row is after as_of and not taken.
    assert rows["601728.SH"][close] == 6.12
    assert rows["601728.SH"][pe24] == pytest.approx(6.12 / 0.36)
    # 600050.SH: iFinD's 09-20 close is older than coverage.csv's 4.49 of 09-23.
    assert rows["600050.SH"][close] == 4.49
    assert rows["600050.SH"][date] == dt.date(2024, 9, 23)
    assert "closes older" not in result.report()


def test_a_blank_close_in_coverage_takes_the_history(data):
    text = (data / "coverage.csv").read_text(encoding="utf-8")
    text = text.replace("300308.SZ,中际旭创,108.90,2024-09-23,", "300308.SZ,中际旭创,,,")
    (data / "coverage.csv").write_text(text, encoding="utf-8")
    (data / "prices.csv").write_text(f"{HEADER}\n300308.SZ,2024-09-20,107.5,CNY,typed\n"
                                     "300308.SZ,2024-09-23,108.9,CNY,typed\n",
                                     encoding="utf-8")
    stock = load_dataset(data).coverage.stocks[0]
    assert (stock.code, stock.close, stock.close_date) == ("300308.SZ", 108.9,
                                                           dt.date(2024, 9, 23))


def test_no_close_at_all_is_refused_at_its_row(data):
    text = (data / "coverage.csv").read_text(encoding="utf-8")
    (data / "coverage.csv").write_text(
        text.replace("300502.SZ,新易盛,95.25,2024-09-23,", "300502.SZ,新易盛,,,"),
        encoding="utf-8")
    with pytest.raises(DataErrors) as caught:
        load_dataset(data)
    assert [str(e).split(": ")[0] for e in caught.value.errors] == ["coverage.csv:3:close"]
    assert "no prices.csv" in str(caught.value)


def test_a_coverage_close_that_disagrees_with_the_history_is_refused(data):
    (data / "prices.csv").write_text(f"{HEADER}\n300308.SZ,2024-09-23,109.1,CNY,Wind x.xlsx\n",
                                     encoding="utf-8")
    with pytest.raises(DataErrors) as caught:
        load_dataset(data)
    message = str(caught.value)
    assert message.startswith("coverage.csv:2:close: 108.9 on 2024-09-23 differs")
    assert "109.1" in message and "Wind x.xlsx" in message


@pytest.mark.parametrize("rows, where", [
    ("300308.SZ,2024-09-20,1,CNY,a\n300308.SZ,2024-09-19,1,CNY,a\n", "prices.csv:3:date"),
    ("300308.SZ,2024-09-20,1,CNY,a\n300308.SZ,2024-09-20,1,CNY,a\n", "prices.csv:3:date"),
    ("300308.SZ,2024-09-20,-1,CNY,a\n", "prices.csv:2:close"),
    ("300308.SZ,2024/09/20,1,CNY,a\n", "prices.csv:2:date"),
    ("300308.SZ,2024-09-20,1,cny,a\n", "prices.csv:2:currency"),
    ("300308.SZ,2024-09-20,1,CNY,\n", "prices.csv:2:source"),
    ("300308,2024-09-20,1,CNY,a\n", "prices.csv:2:code"),
])
def test_history_rows_are_validated_with_line_and_column(data, rows, where):
    (data / "prices.csv").write_text(HEADER + "\n" + rows, encoding="utf-8")
    with pytest.raises(DataErrors) as caught:
        load_dataset(data)
    assert str(caught.value.errors[0]).startswith(where + ":")


def test_the_report_lists_closes_older_than_max_close_age_days(data, tmp_path):
    settings = data / "settings.toml"
    settings.write_text(settings.read_text(encoding="utf-8").replace(
        "as_of = 2024-09-24", "as_of = 2024-10-08\nmax_close_age_days = 10"), encoding="utf-8")
    (data / "prices.csv").write_text(f"{HEADER}\n300308.SZ,2024-10-08,120,CNY,typed\n",
                                     encoding="utf-8")
    report = build(data, tmp_path / "o.xlsx").report()
    # 2024-09-23 is 15 days before 2024-10-08: 14 stocks; 300308.SZ is current.
    assert "closes older than 10 days before as_of 2024-10-08 (14 stocks): " \
           "300502.SZ 2024-09-23" in report
    assert "300308.SZ 2024-09-23" not in report and "… and 4 more" in report


@pytest.mark.parametrize("line, problem", [
    ('max_close_age_days = "7"', "'7' is not a whole number of days"),
    ("max_close_age_days = -1", "-1 is not a whole number of days"),
    ("price_exports = 3", "3 is not text"),
])
def test_the_new_settings_are_checked(data, line, problem):
    settings = data / "settings.toml"
    settings.write_text(settings.read_text(encoding="utf-8") + line + "\n", encoding="utf-8")
    with pytest.raises(DataErrors) as caught:
        load_dataset(data)
    assert problem in str(caught.value) and "settings.toml" in str(caught.value)


def test_a_build_without_history_does_not_import_numpy():
    import subprocess
    import sys

    # A history-less build (the shipped example) must not pay numpy's import.
    code = ("import sys; from workbook.dataset import load_dataset; load_dataset(); "
            "print('numpy' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.strip() == "False", done.stderr


def test_a_history_re_saved_in_gbk_is_refused_not_ignored(data):
    (data / "prices.csv").write_bytes(
        f"{HEADER}\n300308.SZ,2024-09-24,110,CNY,万得\n".encode("gbk"))
    with pytest.raises(DataErrors) as caught:
        load_dataset(data)
    assert str(caught.value).startswith("prices.csv: not UTF-8 text")
