"""UPSIDE, IMPLIED_RATING, EPS_CAGR and PEG: hand-computed values, every kind of Excel
input (the table in ``udfs/_excel.py``), ranges, and the calls through xlwings' COM
conversion. Expected numbers are written out here, never taken from the UDFs."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from helpers.rating_table import hand_rating

from udfs import EPS_CAGR, IMPLIED_RATING, PEG, RATING, UPSIDE
from workbook.vba.xlwings_meta import MISSING, call_like_excel, decorated_udfs, \
    register_com_engine

NA = -2146826246  # #N/A as a COM error integer
SPILL = -2146826243  # #SPILL!


class TestUpside:
    def test_hand_computed(self):
        assert UPSIDE(130.68, 108.90) == pytest.approx(0.2)  # 130.68 / 108.90 - 1
        assert UPSIDE(90, 100) == pytest.approx(-0.1)
        assert UPSIDE(0, 100) == -1.0  # a target of 0: the whole price lost
        assert UPSIDE(120, 100) == 120 / 100 - 1  # the binary 0.19999999999999996

    @pytest.mark.parametrize("target,close", [(None, 100), ("", 100), ("n.a.", 100),
                                              (120, None), (120, "n.a.")])
    def test_a_blank_price_gives_the_missing_figure_marker(self, target, close):
        assert UPSIDE(target, close) == "n.a."

    def test_prices_that_are_not_prices(self):
        assert UPSIDE(120, 0) == "#DIV/0!"
        assert UPSIDE(120, -1) == UPSIDE(-1, 100) == "#NUM!"

    def test_ranges_spill_like_pe(self):
        assert UPSIDE([[120], [None], [45]], [[100], [50], [50]]) == [
            [120 / 100 - 1], ["n.a."], [45 / 50 - 1]]
        assert UPSIDE([[1], [2], [3]], [[1], [2]]) == "#VALUE!"


class TestImpliedRating:
    def test_upside_banded_on_the_scale(self):
        # 130.68 / 108.90 - 1 = 20.00 %: Tianfeng's 买入 edge (20%以上)
        assert IMPLIED_RATING(130.68, 108.90) == "买入"
        assert IMPLIED_RATING(120, 100) == "买入"  # 0.19999999999999996 rounds to 0.2
        assert IMPLIED_RATING(119.99, 100) == "增持"
        assert IMPLIED_RATING(112, 100) == "增持"  # 12 %
        assert IMPLIED_RATING(89, 100) == "卖出"  # -11 %

    def test_relative_to_the_benchmark_return(self):
        # 20 % upside, benchmark expected to return 5 % over 6 months: 15 % relative.
        assert IMPLIED_RATING(120, 100, 0.05) == "增持"
        assert IMPLIED_RATING(120, 100, -0.05) == "买入"
        # 112 / 100 - 1 - 0.02 = 0.10000000000000009 -> 0.1: 增持 (10%-20%)
        assert IMPLIED_RATING(112, 100, 0.02) == "增持"
        assert IMPLIED_RATING(112, 100, None) == IMPLIED_RATING(112, 100, "") == "增持"

    def test_on_each_brokers_scale(self):
        # 16 % upside: Tianfeng 增持 (10-20 %), Huatai 买入 (15%以上), GTJA 增持 (its top)
        assert [IMPLIED_RATING(116, 100, 0, s) for s in ("tianfeng", "huatai", "gtja",
                                                         "industrial", "stock")] == [
            "增持", "买入", "增持", "买入", "增持"]
        assert IMPLIED_RATING(115, 100, 0, "industrial") == "增持"  # 大于15%: strict
        assert IMPLIED_RATING(116, 100, 0, "bond").startswith("#N/A unknown scale 'bond'")

    def test_equals_rating_of_upside_minus_benchmark(self):
        for target in (80, 89.99, 90, 100, 105, 109.99, 110, 120, 150):
            for bench in (0, 0.03, -0.04):
                for scale in ("tianfeng", "huatai", "csc", "industrial"):
                    assert IMPLIED_RATING(target, 100, bench, scale) == \
                        RATING((target / 100 - 1) - bench, scale)
                    # and the label from the hand table of each scale's edges, not
                    # through the banding the UDFs share
                    assert IMPLIED_RATING(target, 100, bench, scale) == \
                        hand_rating(scale, (target / 100 - 1) - bench)

    def test_non_numbers(self):
        assert IMPLIED_RATING(None, 100) == "n.a."
        assert IMPLIED_RATING(120, 0) == "#DIV/0!"
        assert IMPLIED_RATING(120, 100, "5%") == "#VALUE!"
        assert IMPLIED_RATING(120, 100, True) == "#VALUE!"
        assert IMPLIED_RATING("#N/A", 100) == "#N/A"
        assert IMPLIED_RATING(120, 100, NA) == "#N/A"
        assert IMPLIED_RATING(120, 100, 0, "#REF!") == "#REF!"

    def test_ranges(self):
        assert IMPLIED_RATING([[130], [100], [None]], [[100], [100], [100]], 0.0) == [
            ["买入"], ["持有"], ["n.a."]]


class TestEpsCagr:
    def test_hand_computed(self):
        # 300308.SZ, 2023A 1.94 -> 2026E 11.18 over 3 years: (11.18/1.94)^(1/3) - 1
        assert EPS_CAGR(1.94, 11.18, 3) == pytest.approx(0.79286129, abs=1e-8)
        assert EPS_CAGR(1.0, 1.21, 2) == pytest.approx(0.1)
        assert EPS_CAGR(2.0, 1.0, 1) == pytest.approx(-0.5)
        assert EPS_CAGR(1.0, 1.0, 5) == 0.0

    @pytest.mark.parametrize("first,last", [(0, 1), (-1, 1), (1, 0), (1, -2), (-1, -2)])
    def test_not_meaningful_from_or_to_a_loss(self, first, last):
        assert EPS_CAGR(first, last, 3) == "NM"

    def test_blanks_years_and_overflow(self):
        assert EPS_CAGR(None, 1, 3) == EPS_CAGR(1, "n.a.", 3) == EPS_CAGR(1, 2, None) == "n.a."
        assert EPS_CAGR(1, 2, 0) == EPS_CAGR(1, 2, -1) == "#NUM!"
        assert EPS_CAGR(1e-300, 1e300, 0.001) == "#NUM!"  # beyond Excel's numbers

    def test_ranges(self):
        out = EPS_CAGR([[1.0], [1.0], [None]], [[1.21], [-1.0], [2.0]], 2)
        assert out[0][0] == pytest.approx(0.1) and out[1:] == [["NM"], ["n.a."]]


class TestPeg:
    def test_lynch_convention(self):
        assert PEG(20, 0.25) == pytest.approx(0.8)  # 20 / 25
        assert PEG(10, 0.05) == pytest.approx(2.0)  # 10 / 5
        # 300308.SZ: P/E 2024E 108.90/5.33 over the CAGR 2023A-2026E
        cagr = (11.18 / 1.94) ** (1 / 3) - 1
        assert PEG(108.90 / 5.33, cagr) == pytest.approx(108.90 / 5.33 / (cagr * 100))

    def test_not_meaningful(self):
        assert PEG(20, 0) == PEG(20, -0.1) == "NM"  # no growth
        assert PEG("NM", 0.2) == PEG(20, "NM") == "NM"  # from PE or EPS_CAGR
        assert PEG(-5, 0.2) == PEG(0, 0.2) == "NM"

    def test_blanks_and_errors(self):
        assert PEG(None, 0.2) == PEG(20, "n.a.") == PEG("NM", None) == "n.a."
        assert PEG("nm", 0.2) == "#VALUE!"  # only PE's own NM means not meaningful
        assert PEG("#NUM!", 0.2) == "#NUM!" and PEG(20, NA) == "#N/A"

    def test_ranges(self):
        assert PEG([[20], ["NM"]], [[0.25], [0.25]]) == [[pytest.approx(0.8)], ["NM"]]


# (value, UPSIDE(value, 100) as target, EPS_CAGR(1, value, 1) as last EPS, PEG(value, 0.25))
EXCEL_VALUES = [
    ("empty cell", None, "n.a.", "n.a.", "n.a."),
    ("missing-figure marker", "n.a.", "n.a.", "n.a.", "n.a."),
    ("number", 150.0, 0.5, 149.0, 6.0),
    ("number stored as text", "150", "#VALUE!", "#VALUE!", "#VALUE!"),
    ("TRUE", True, "#VALUE!", "#VALUE!", "#VALUE!"),
    ("date", dt.datetime(2024, 9, 23), "#VALUE!", "#VALUE!", "#VALUE!"),
    ("#N/A as text", "#N/A", "#N/A", "#N/A", "#N/A"),
    ("#SPILL! as COM integer", SPILL, "#SPILL!", "#SPILL!", "#SPILL!"),
    ("NaN", math.nan, "#NUM!", "#NUM!", "#NUM!"),
    ("-inf", -math.inf, "#NUM!", "#NUM!", "#NUM!"),
]


@pytest.mark.parametrize("value,upside,cagr,peg", [v[1:] for v in EXCEL_VALUES],
                         ids=[v[0] for v in EXCEL_VALUES])
def test_each_kind_of_excel_value(value, upside, cagr, peg):
    assert UPSIDE(value, 100.0) == (pytest.approx(upside) if isinstance(upside, float)
                                    else upside)
    assert EPS_CAGR(1.0, value, 1) == (pytest.approx(cagr) if isinstance(cagr, float)
                                       else cagr)
    assert PEG(value, 0.25) == (pytest.approx(peg) if isinstance(peg, float) else peg)


# --- through xlwings, as Excel calls them --------------------------------------------


@pytest.fixture(scope="module")
def com_udfs():
    register_com_engine()
    with decorated_udfs() as module:
        yield module


def test_through_xlwings_com_conversion(com_udfs):
    def call(name, *args):
        return call_like_excel(getattr(com_udfs, name), *args)

    assert call("UPSIDE", 130.68, 108.90)[0][0] == pytest.approx(0.2)
    assert call("IMPLIED_RATING", 130.68, 108.90, MISSING, MISSING) == [["买入"]]
    assert call("IMPLIED_RATING", 116.0, 100.0, MISSING, "huatai") == [["买入"]]
    assert call("IMPLIED_RATING", 116.0, 100.0, 0.07, MISSING) == [["持有"]]  # 16% - 7%
    assert call("EPS_CAGR", 1.0, 1.21, 2.0)[0][0] == pytest.approx(0.1)
    assert call("PEG", 20.0, 0.25)[0][0] == pytest.approx(0.8)
    # Columns as COM hands them over (tuples of tuples), blanks as None.
    assert call("UPSIDE", ((120.0,), (None,)), ((100.0,), (50.0,))) == [
        [120 / 100 - 1], ["n.a."]]
    assert call("PEG", (("NM",), (20.0,)), ((0.25,), (NA,))) == [["NM"], ["#N/A"]]


def test_the_plain_value_path_gives_what_the_full_rules_give():
    """EPS_CAGR and PEG over ranges of plain values take a trimmed loop; on every mix
    of numbers, blanks, the markers, signs and extremes it must give the same value of
    the same type as the scalar rules cell by cell."""
    import random

    from udfs._excel import broadcast
    from udfs.valuation import eps_cagr_value, peg_value

    rng = random.Random(11)
    picks = [None, 0.0, -1.0, 1e-300, 1e300, 2.5, 0.3, 7, -3, 10 ** 5]
    for _ in range(3000):
        def column(extra=()):
            return [[rng.choice(picks + list(extra) + [rng.uniform(-5, 20)])] for _ in range(6)]
        first, last = column(), column()
        years = rng.choice([3, 1, 0.5, 2.0, 0.001, None, 0, -1])
        fast, full = EPS_CAGR(first, last, years), broadcast(eps_cagr_value, first, last, years)
        assert [(type(v), v) for r in fast for v in r] == [(type(v), v) for r in full for v in r]
        pe, growth = column(("NM", "n.a.")), column(("NM", "n.a."))
        fast, full = PEG(pe, growth), broadcast(peg_value, pe, growth)
        assert [(type(v), v) for r in fast for v in r] == [(type(v), v) for r in full for v in r]
    # anything else (text, a boolean, an error, NaN) takes the full rules
    assert PEG([["x"], [20.0]], [[0.2], [0.2]])[0] == ["#VALUE!"]
    assert EPS_CAGR([[True]], [[2.0]], 1) == [["#VALUE!"]]
    assert EPS_CAGR([[math.nan]], [[2.0]], 1) == [["#NUM!"]]
    assert PEG([[NA]], [[0.2]]) == [["#N/A"]]
