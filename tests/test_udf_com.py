"""Each UDF called the way Excel's COM path calls it (xlwings ``udfs.call_udf``):
xlwings' own decorator metadata and ``xlwings.conversion`` pipeline, COM-shaped
arguments (tuples of tuples for ranges, ``None`` for empty cells, COM error integers),
``-2147352572`` for an omitted optional argument.

The only stand-in is the engine ``conversion.read`` asks to clean COM values: it
mirrors ``xlwings._xlwindows.Engine`` (which needs pywin32) line for line.
Expected values come from the data files and the report, not from the UDF code.
"""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from workbook.vba.xlwings_meta import (MISSING, call_like_excel, decorated_udfs,
                                        register_com_engine)
from workbook import DATA_DIR

NA = -2146826246  # #N/A as a COM error integer


@pytest.fixture(scope="module")
def udfs():
    register_com_engine()
    with decorated_udfs() as module:
        yield module


def call_udf(udfs, name, *args):
    """``xlwings.udfs.call_udf`` without a caller range (see ``call_like_excel``)."""
    return call_like_excel(getattr(udfs, name), *args)


def one(result):
    """The value of a 1 x 1 result: ``conversion.write`` hands Excel every result as a
    list of rows, a scalar as ``[[x]]``."""
    assert isinstance(result, list) and len(result) == 1 and len(result[0]) == 1, result
    return result[0][0]


def coverage():
    with open(DATA_DIR / "coverage.csv", encoding="utf-8") as f:
        return {row["code"]: row for row in csv.DictReader(f)}


def test_pe_scalar_cells(udfs):
    row = coverage()["300308.SZ"]
    close, eps = float(row["close"]), float(row["EPS 2024E"])
    result = one(call_udf(udfs, "PE", close, eps))
    assert result == pytest.approx(close / eps)
    assert result == pytest.approx(20.43, abs=0.005)  # the report's printed P/E


def test_pe_ranges_spill_with_errors_and_blanks(udfs):
    rows = coverage()
    a, b = rows["300308.SZ"], rows["000063.SZ"]
    close = ((float(a["close"]),), (float(b["close"]),))
    eps = ((float(a["EPS 2024E"]), NA), (float(b["EPS 2024E"]), None))
    result = call_udf(udfs, "PE", close, eps)
    assert result[0][0] == pytest.approx(float(a["close"]) / float(a["EPS 2024E"]))
    assert result[0][1] == "#N/A"
    assert result[1][0] == pytest.approx(11.58, abs=0.005)
    assert result[1][1] == "n.a."


def test_pe_text_and_non_positive_eps(udfs):
    assert call_udf(udfs, "PE", "108.90", 5.33) == [["#VALUE!"]]
    assert call_udf(udfs, "PE", 10.0, -1.0) == [["NM"]]


def test_rating_with_missing_optionals(udfs):
    assert call_udf(udfs, "RATING", 0.2, MISSING, MISSING) == [["买入"]]
    assert call_udf(udfs, "RATING", 0.0999, MISSING, MISSING) == [["持有"]]
    assert call_udf(udfs, "RATING", -0.1, "stock", True) == [["Sell"]]
    assert call_udf(udfs, "INDUSTRY_RATING", 0.05, MISSING) == [["强于大市"]]
    assert call_udf(udfs, "RATING", NA, MISSING, MISSING) == [["#N/A"]]
    # a column of returns spills a column of ratings
    assert call_udf(udfs, "RATING", ((0.25,), (0.15,), (None,)), MISSING, MISSING) == [
        ["买入"], ["增持"], ["n.a."]]


def test_token_udfs(udfs):
    # o1-mini on the report's date 2024-09-24 (the default date): 3.00 / 12.00 USD per
    # 1M tokens, the report's Fig. 3; omitted optionals arrive as COM's MISSING
    assert one(call_udf(udfs, "TOKEN_PRICE", "o1-mini", "input", MISSING, MISSING)) == 3.00
    cost = one(call_udf(udfs, "TOKEN_COST", "o1-mini", 1000.0, 500.0, MISSING, MISSING,
                        MISSING, MISSING))
    assert cost == pytest.approx((1000 * 3.00 + 500 * 12.00) / 1e6)
    assert one(call_udf(udfs, "TOKEN_COST", "o1-mini", None, None, None, None, None,
                        None)) == 0
    # the report: o1-preview input costs 3x gpt-4o's
    assert one(call_udf(udfs, "COST_RATIO", "o1-preview", "gpt-4o", "input", MISSING)) == \
        pytest.approx(3.0)
    assert one(call_udf(udfs, "TOKEN_PRICE", "gpt-5", "input", MISSING, MISSING)).startswith(
        "#N/A unknown model")
    assert call_udf(udfs, "TOKEN_PRICE", NA, "input", MISSING, MISSING) == [["#N/A"]]


def test_token_udfs_take_dates_as_com_passes_them(udfs):
    # o1-mini was cut to 1.10 / 4.40 on 2025-01-31 (langfuse PR #5335; llm-prices.md)
    date_cell = dt.datetime(2025, 3, 1)  # a date cell: COM hands a datetime over
    serial = 45717.0                     # DATE(2025,3,1) inside the formula: a number
    for as_of in (date_cell, serial, "2025-03-01"):
        assert one(call_udf(udfs, "TOKEN_PRICE", "o1-mini", "input", as_of, MISSING)) == \
            pytest.approx(1.10)
    # a request half cached on 2024-11-01 on gpt-4o-mini (0.15 / 0.075 / 0.60)
    cost = one(call_udf(udfs, "TOKEN_COST", "gpt-4o-mini", 10000.0, 1000.0, MISSING, 5000.0,
                        dt.datetime(2024, 11, 1), MISSING))
    assert cost == pytest.approx((5000 * 0.15 + 5000 * 0.075 + 1000 * 0.60) / 1e6)
    # an error in the date cell passes through
    assert call_udf(udfs, "TOKEN_PRICE", "o1-mini", "input", NA, MISSING) == [["#N/A"]]


def test_long_pe_column_through_xlwings_takes_the_vectorised_path(udfs):
    # 100 rows: above the fast-path size; COM hands ranges over as row tuples.
    assert udfs.PE.__xlfunc__["args"][0]["options"] == {"ndim": 2, "err_to_str": True}
    closes, eps = ((108.90,),) * 100, ((1.94,), (0.0,)) * 50
    assert call_udf(udfs, "PE", closes, eps) == [[108.90 / 1.94], ["NM"]] * 50
