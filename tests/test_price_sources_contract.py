"""One contract over every price source: whatever yields
:class:`~workbook.prices.quote.Quote` records (tushare ``daily``, each terminal export
layout) passes the same assertions, offline (pytest-socket blocks every socket here).

Adding a source is one line in :data:`SOURCES`: its name, a function ``(tmp_path) ->
list[Quote]`` that runs the source on a fixture built in the test (no network), and the
text every ``source`` it writes must contain (the provider, or the file's name).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import pytest
import responses

from helpers.prices_exports import CHOICE, WIND_FIXED, ifind_rows, text_file, wind_rows, xlsx
from helpers.tushare_answers import REPORT_DAY, report_answer, report_closes
from workbook.dataset import ticker_problem
from workbook.prices.quote import Quote

pytestmark = pytest.mark.disable_socket


@dataclass(frozen=True)
class PriceSource:
    """A source under the contract: ``quotes(tmp_path)`` runs it offline; ``names`` is
    what each quote's ``source`` names (``"tushare daily"``, ``"EDE20251103.xlsx"``)."""

    quotes: Callable[[Path], list[Quote]]
    names: str


def tushare_daily(tmp_path: Path) -> list[Quote]:
    """tushare ``daily`` of the shipped coverage on 2024-09-23, answered by hand."""
    from workbook.prices.fetch import API_URL, fetch_closes

    codes = list(report_closes())
    with responses.RequestsMock() as served:
        served.post(API_URL, json=report_answer())
        return list(fetch_closes(codes, REPORT_DAY, token="test").quotes)


def export_layout(name: str, make: Callable[[Path], Path], **options) -> Callable:
    """The quotes ``coverbook prices import`` reads from the export *make(tmp_path)*
    writes (a fixture built from the documented header strings, tests/prices_exports.py)."""

    def quotes(tmp_path: Path) -> list[Quote]:
        from workbook.prices.exports import read_export

        return list(read_export(make(tmp_path), **options).quotes)

    quotes.__name__ = name
    return quotes


ROWS = [["300308.SZ", "中际旭创", 105.5], ["300502.SZ", "新易盛", "1,093.20"],
        ["600941.SH", "中国移动", "——"]]

#: Every price source: name -> PriceSource. One line each.
SOURCES: dict[str, PriceSource] = {
    "tushare daily": PriceSource(tushare_daily, "tushare daily"),
    "Wind xlsx": PriceSource(export_layout("wind", lambda t: xlsx(
        t / "EDE20240920.xlsx", wind_rows(WIND_FIXED, ROWS))), "EDE20240920.xlsx"),
    "Wind csv GBK": PriceSource(export_layout("wind_csv", lambda t: text_file(
        t / "wind.csv", wind_rows(WIND_FIXED, ROWS), "gbk")), "wind.csv"),
    "Choice xlsx": PriceSource(export_layout("choice", lambda t: xlsx(
        t / "choice.xlsx", [["证券代码", "证券名称", CHOICE], ["000063.SZ", "中兴通讯", 25.3],
                            ["数据来源：东方财富Choice数据"]])), "choice.xlsx"),
    "iFinD series": PriceSource(export_layout("ifind", lambda t: xlsx(
        t / "ifind.xlsx", ifind_rows([("2024-09-20", [5.5, 4.9]), ("2024-09-23", [5.6, None])])),
        unadjusted=True), "ifind.xlsx"),
}

#: Days the Shanghai and Shenzhen exchanges were closed although a weekday (the
#: exchanges' holiday notices: National Day 2024, 1-7 Oct; 2025, 1-8 Oct), so that a
#: fixture dated on one fails here.
CLOSED_WEEKDAYS = frozenset(
    [dt.date(2024, 10, d) for d in range(1, 8)] + [dt.date(2025, 10, d) for d in range(1, 9)])


@pytest.fixture(params=list(SOURCES))
def source(request) -> tuple[PriceSource, list[Quote]]:
    entry = SOURCES[request.param]
    return entry, entry.quotes(request.getfixturevalue("tmp_path"))


def test_quotes_are_quote_records(source):
    _, quotes = source
    assert quotes, "a source under the contract must yield at least one quote"
    assert all(type(q) is Quote for q in quotes)


def test_codes_are_coverbook_tickers(source):
    for quote in source[1]:
        assert ticker_problem(quote.code) is None, (quote, ticker_problem(quote.code))


def test_dates_are_trading_days(source):
    for quote in source[1]:
        assert type(quote.date) is dt.date, quote  # not a datetime, not text
        assert quote.date.weekday() < 5 and quote.date not in CLOSED_WEEKDAYS, quote


def test_closes_are_finite_prices(source):
    for quote in source[1]:
        assert type(quote.close) is float, quote
        assert math.isfinite(quote.close) and quote.close > 0, quote


def test_sources_name_the_provider_or_file(source):
    entry, quotes = source
    for quote in quotes:
        assert isinstance(quote.source, str) and quote.source.strip(), quote
        assert entry.names in quote.source, quote


def test_one_close_per_code_and_day(source):
    keys = [(q.code, q.date) for q in source[1]]
    assert len(keys) == len(set(keys))


def test_the_contract_catches_a_bad_source():
    """The assertions above refuse what they should: a datetime, text, a close of 0."""
    bad = [Quote("300308.SZ", dt.datetime(2024, 9, 23), 108.9, "x"),
           Quote("300308.sz", dt.date(2024, 9, 23), 108.9, "x"),
           Quote("300308.SZ", dt.date(2024, 9, 21), 108.9, "x"),
           Quote("300308.SZ", dt.date(2024, 9, 23), 0.0, "x")]
    checks = [test_dates_are_trading_days, test_codes_are_coverbook_tickers,
              test_dates_are_trading_days, test_closes_are_finite_prices]
    for quote, check in zip(bad, checks):
        with pytest.raises(AssertionError):
            check((SOURCES["tushare daily"], [quote]))
