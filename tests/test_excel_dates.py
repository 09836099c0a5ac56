"""Excel serial dates: one helper (``udfs._excel.excel_serial``) for every place a date
becomes a serial, checked against openpyxl's ``to_excel`` (Excel's 1900 system, with
its 1900-02-29), and dates at both ends of Excel's calendar in every dated data file:
the build never raises, and the price chart's axis stays within the calendar."""

from __future__ import annotations

import datetime as dt
import re
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl.utils.datetime import from_excel, to_excel

from helpers.build_cli import assert_rejected
from helpers.data_files import edit
from udfs._excel import MAX_DATE_SERIAL, excel_serial, serial_date
from workbook.dataset import load_dataset
from workbook.sheets import token_prices, token_scenarios
from workbook.writers import live

from conftest import cli_build

excel_days = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(9999, 12, 31))


def test_the_first_days_of_1900_as_excel_and_openpyxl_count_them():
    # Typed from Excel's 1900 system: 1900-01-01 is 1, 1900-02-28 is 59, Excel's
    # 1900-02-29 is 60, 1900-03-01 is 61; 2024-09-24 is 45559; 9999-12-31 2958465.
    for day, serial in [((1900, 1, 1), 1), ((1900, 1, 2), 2), ((1900, 2, 28), 59),
                        ((1900, 3, 1), 61), ((2024, 9, 24), 45559), ((9999, 12, 31), 2958465)]:
        assert excel_serial(dt.date(*day)) == serial == to_excel(dt.date(*day))
    for offset in range(-2, 70):  # every day around Excel's 1900-02-29
        day = dt.date(1900, 1, 1) + dt.timedelta(days=offset)
        assert excel_serial(day) == to_excel(day), day


@settings(derandomize=True, database=None, max_examples=300)
@given(day=excel_days, seconds=st.integers(0, 86399), micro=st.integers(0, 999999))
def test_excel_serial_is_openpyxls_to_excel(day, seconds, micro):
    moment = dt.datetime.combine(day, dt.time()) + dt.timedelta(seconds=seconds,
                                                                microseconds=micro)
    assert excel_serial(day) == to_excel(day)
    assert excel_serial(moment) == pytest.approx(to_excel(moment), abs=1e-9)
    assert serial_date(excel_serial(day)) == day  # and back
    assert from_excel(excel_serial(day)).date() == day


def test_every_place_that_makes_a_serial_counts_1900_as_excel_does():
    # Each of these said 2 (days since 1899-12-30) for 1900-01-01, where Excel says 1.
    assert live.excel_serial(dt.date(1900, 1, 1)) == 1
    assert live.literal(dt.date(1900, 1, 1)) == 1
    assert live.literal(dt.datetime(1900, 2, 28, 12)) == 59.5
    assert token_scenarios._excel_operand(dt.date(1900, 1, 1)) == 1.0
    assert token_scenarios._excel_operand(dt.datetime(1900, 1, 1, 18)) == 1.75


def test_the_price_charts_axis_counts_1900_as_excel_does(data_copy):
    # A price from 1900-02-15 (serial 46): the axis starts 20 days before, at 26.
    edit(data_copy, "token_prices.csv", "2024-05-13", "1900-02-15")
    (chart,) = [c for c in token_prices.build(load_dataset(data_copy)).charts
                if c.x_min is not None]  # the step chart: a date axis
    assert chart.x_min == 46 - token_prices.CHART_MARGIN_DAYS == 26


# --- the ends of Excel's calendar in every dated file ------------------------------


def chart_axis(path):
    """``(min, max)`` of the date axis of the price step chart in the built file (the
    one chart with a fixed axis range)."""
    with zipfile.ZipFile(path) as z:
        charts = [z.read(n).decode() for n in z.namelist()
                  if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
    (xml,) = [x for x in charts if "<c:min val=" in x]
    return (float(re.search(r'<c:min val="([^"]+)"/>', xml).group(1)),
            float(re.search(r'<c:max val="([^"]+)"/>', xml).group(1)))


@pytest.mark.parametrize("file,old", [("token_prices.csv", "2024-05-13"),
                                      ("fx.csv", "2024-09-25")])
@pytest.mark.parametrize("day", ["9999-12-12", "9999-12-31"])
def test_a_price_or_rate_dated_at_the_end_of_excels_calendar_builds(data_copy, tmp_path,
                                                                     file, old, day):
    edit(data_copy, file, old, day)
    out = tmp_path / "book.xlsm"
    result = cli_build(data_copy, out)
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    assert result.exit_code in (0, 1), result.output  # 1: the report's figures differ
    assert "Traceback" not in result.output
    # The axis ends at 9999-12-31 (serial 2958465), not 20 days beyond it.
    assert chart_axis(out)[1] == MAX_DATE_SERIAL == 2958465


def test_a_price_dated_1900_01_01_starts_the_axis_at_serial_1(data_copy, tmp_path):
    edit(data_copy, "token_prices.csv", "2024-05-13", "1900-01-01")
    out = tmp_path / "book.xlsm"
    assert cli_build(data_copy, out).exit_code == 0
    assert chart_axis(out)[0] == 1  # not 20 days before Excel's first day


@pytest.mark.parametrize("edits", [
    [("claims.csv", "2024-09-24", "9999-12-31")],
    [("coverage.csv", "2024-09-23", "9999-12-31")],
    [("settings.toml", "as_of = 2024-09-24", "as_of = 9999-12-31")],
    [("settings.toml", "as_of = 2024-09-24", "as_of = 9999-12-31"),
     ("settings.toml", "benchmark_return_date = 2024-09-24",
      "benchmark_return_date = 9999-12-31")],
    [("token_prices.csv", "2024-05-13", "9999-12-31"), ("fx.csv", "2024-09-25", "9999-12-31"),
     ("settings.toml", "as_of = 2024-09-24", "as_of = 9999-12-31")],
], ids=["claims", "coverage-close-date", "as-of", "as-of-and-benchmark-date", "all-at-once"])
def test_the_last_day_of_excels_calendar_in_any_dated_file_never_raises(data_copy, tmp_path,
                                                                         edits):
    for file, old, new in edits:
        edit(data_copy, file, old, new)
    result = cli_build(data_copy, tmp_path / "book.xlsm")
    assert result.exception is None or isinstance(result.exception, SystemExit), \
        result.exception
    assert result.exit_code in (0, 1, 2), result.output


def test_dates_before_excels_first_date_are_errors(data_copy, previous):
    edit(data_copy, "coverage.csv", "24.90,2024-09-23", "24.90,0001-01-01")
    assert_rejected(data_copy, previous, [
        ("coverage.csv", 7, "close_date", "before 1900-01-01")])
