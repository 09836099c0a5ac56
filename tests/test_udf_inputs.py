"""What the UDFs do with every kind of value Excel can hand them (the table in
``udfs/_excel.py``), properties over all floats (hypothesis), and the same results
in the UDF and in the built file's cached values."""

from __future__ import annotations

import datetime as dt
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from udfs import COST_RATIO, INDUSTRY_RATING, PE, RATING, TOKEN_COST, TOKEN_PRICE
from udfs.valuation import (EPS_CAGR, PEG, UPSIDE, eps_cagr_value, pe_value, peg_value,
                            upside_value)
from udfs._excel import COM_ERRORS
from workbook.build import build
from workbook.sheets import key_stocks

#: Stock scale labels from highest to lowest (the report's 投资评级声明).
STOCK_LABELS = ["买入", "增持", "持有", "卖出"]
INDUSTRY_LABELS = ["强于大市", "中性", "弱于大市"]
#: Token prices of the shipped table, USD per 1M tokens (input, output), from the
#: report's price table: the test's own copy, not read from the code.
PRICES = {"gpt-4o": (5.0, 15.0), "gpt-4o-mini": (0.15, 0.6), "o1-preview": (15.0, 60.0),
          "o1-mini": (3.0, 12.0)}

SPILL = -2146826243  # #SPILL! as a COM error integer (0x800A07FD)
CALC = -2146826238  # #CALC! (0x800A0802)

deterministic = settings(derandomize=True, database=None, max_examples=300)


# --- each kind of cell value ----------------------------------------------------------

# (value as it reaches Python, PE(value, 2) i.e. as close, RATING(value), TOKEN_COST input)
EXCEL_VALUES = [
    ("empty cell", None, "n.a.", "n.a.", 0.0),
    ("empty string", "", "n.a.", "n.a.", 0.0),
    ("missing-figure marker", "n.a.", "n.a.", "n.a.", 0.0),
    ("number", 20.0, 10.0, "买入", 20 * 5.0 / 1e6),
    ("number stored as text", "20", "#VALUE!", "#VALUE!", "#VALUE!"),
    ("text", "abc", "#VALUE!", "#VALUE!", "#VALUE!"),
    ("TRUE", True, "#VALUE!", "#VALUE!", "#VALUE!"),
    ("FALSE", False, "#VALUE!", "#VALUE!", "#VALUE!"),
    ("date", dt.datetime(2024, 9, 23), "#VALUE!", "#VALUE!", "#VALUE!"),
    ("time", dt.time(10, 30), "#VALUE!", "#VALUE!", "#VALUE!"),
    ("#N/A as text", "#N/A", "#N/A", "#N/A", "#N/A"),
    ("#DIV/0! as COM integer", -2146826281, "#DIV/0!", "#DIV/0!", "#DIV/0!"),
    ("#SPILL! as COM integer", SPILL, "#SPILL!", "#SPILL!", "#SPILL!"),
    ("#CALC! as COM integer", CALC, "#CALC!", "#CALC!", "#CALC!"),
    ("NaN", math.nan, "#NUM!", "#NUM!", "#NUM!"),
    ("+inf", math.inf, "#NUM!", "#NUM!", "#NUM!"),
    ("-inf", -math.inf, "#NUM!", "#NUM!", "#NUM!"),
    ("int beyond float range", 10 ** 400, "#NUM!", "#NUM!", "#NUM!"),
    ("huge", 1e300, 5e299, "买入", 5e300 / 1e6),
    ("tiny", 1e-300, 5e-301, "持有", 5e-300 / 1e6),
]


@pytest.mark.parametrize("value,pe,rating,cost", [v[1:] for v in EXCEL_VALUES],
                         ids=[v[0] for v in EXCEL_VALUES])
def test_each_kind_of_excel_value_has_its_documented_result(value, pe, rating, cost):
    assert PE(value, 2.0) == pe
    assert RATING(value) == rating
    out = TOKEN_COST("gpt-4o", value, 0)
    assert out == (pytest.approx(cost, rel=1e-12) if isinstance(cost, float) else cost)


def test_every_com_error_integer_passes_through_as_its_text():
    assert len(COM_ERRORS) == 14
    # Independent of the code's table: xlwings' _xlwindows.cell_errors for the first
    # seven, 0x800A0000 + Microsoft's XlCVError codes (xlErrSpill 2045, xlErrCalc 2050)
    # for the newer ones, typed here.
    assert {-2146826281: "#DIV/0!", -2146826246: "#N/A", -2146826259: "#NAME?",
            -2146826288: "#NULL!", -2146826252: "#NUM!", -2146826265: "#REF!",
            -2146826273: "#VALUE!", SPILL: "#SPILL!", CALC: "#CALC!"}.items() \
        <= COM_ERRORS.items()
    for code, text in COM_ERRORS.items():
        assert text.startswith("#")
        assert PE(code, 1.0) == PE(10.0, code) == text
        assert RATING(code) == INDUSTRY_RATING(code) == text
        assert TOKEN_COST("gpt-4o", 1, code) == text
        assert TOKEN_PRICE(code, "input") == text


def test_errors_in_the_option_arguments_are_not_taken_for_defaults():
    # Without err_to_str an error would arrive as None and mean "default".
    assert RATING(0.3, "#N/A") == "#N/A"
    assert RATING(0.3, "stock", "#REF!") == "#REF!"
    assert INDUSTRY_RATING(0.3, -2146826246) == "#N/A"
    assert TOKEN_PRICE("gpt-4o", "#VALUE!") == "#VALUE!"
    assert COST_RATIO("gpt-4o", "o1-mini", -2146826265) == "#REF!"


def test_results_beyond_excels_largest_number_are_num_errors():
    assert PE(1e308, 1e-10) == "#NUM!"
    assert PE(1.0, 5e-324) == "#NUM!"
    assert TOKEN_COST("o1-preview", 1e308, 1e308) == "#NUM!"
    assert PE(1.7e308, 1.0) == 1.7e308  # the largest numbers themselves are fine


#: Ints a Python caller (or the build) may pass: within float range but whose product
#: with 100 is not (2**1022), beyond float range (10**400), and small and huge floats.
HUGE = [2 ** 1022, 2 ** 1023 - 1, 10 ** 400, -(2 ** 1022), 1e-300, 1e308, 3, 0.25]


@pytest.mark.parametrize("udf, scalar, extra", [
    (PEG, peg_value, ()), (EPS_CAGR, eps_cagr_value, (3,)), (UPSIDE, upside_value, ()),
    (PE, pe_value, ())])
def test_ranges_of_huge_ints_give_a_result_never_an_exception(udf, scalar, extra):
    # A range of plain values takes the fast path; every cell must be what the scalar
    # rule gives, a number or an Excel error text, and nothing may raise.
    for a in HUGE:
        for b in HUGE:
            got = udf([[a], [1.0]], [[b], [b]], *extra)
            assert got == [[scalar(a, b, *extra)], [scalar(1.0, b, *extra)]], (a, b)
            assert all(isinstance(v, float) or v in ("NM", "#NUM!") for r in got for v in r)


def test_peg_of_a_huge_int_growth_is_a_number_not_an_exception():
    # 1 / (2**1022 x 100): growth x 100 is beyond Excel's numbers, so the PEG is 0
    # (the float quotient), as peg_value gives; it used to raise OverflowError.
    assert PEG([[1.0], [10.0]], [[2 ** 1022], [2 ** 1022]]) == [[0.0], [0.0]]
    assert PEG([[10 ** 400]], [[0.25]]) == [["#NUM!"]]


# --- properties over all floats ---------------------------------------------------------

positive = st.floats(min_value=1e-300, max_value=1e300, allow_nan=False, allow_infinity=False)
real = st.floats(allow_nan=False, allow_infinity=False)


@deterministic
@given(close=positive, eps=positive)
def test_pe_of_positive_inputs_is_close_over_eps(close, eps):
    expected = close / eps
    assert PE(close, eps) == (expected if math.isfinite(expected) else "#NUM!")


@deterministic
@given(close=positive, eps=st.floats(max_value=0.0, allow_nan=False, allow_infinity=False))
def test_pe_of_non_positive_eps_is_not_meaningful(close, eps):
    assert PE(close, eps) == "NM"


@deterministic
@given(x=real, y=real)
def test_rating_is_total_and_monotone_over_the_real_line(x, y):
    lo, hi = sorted((x, y))
    for labels, rate in ((STOCK_LABELS, RATING), (INDUSTRY_LABELS, INDUSTRY_RATING)):
        r_lo, r_hi = rate(lo), rate(hi)
        assert r_lo in labels and r_hi in labels  # total: every float has a rating
        # labels run from highest to lowest: a larger input never gets a lower rating
        assert labels.index(r_hi) <= labels.index(r_lo)


@pytest.mark.parametrize("x", [math.inf, -math.inf, math.nan])
def test_rating_of_non_finite_input_is_num(x):
    assert RATING(x) == INDUSTRY_RATING(x) == "#NUM!"


counts = st.floats(min_value=0, max_value=1e12, allow_nan=False, allow_infinity=False)


@deterministic
@given(model=st.sampled_from(sorted(PRICES)), a=counts, b=counts, n_in=counts, n_out=counts,
       n_reason=counts, which=st.integers(0, 2))
def test_token_cost_is_linear_in_each_token_count(model, a, b, n_in, n_out, n_reason, which):
    def cost(k):
        args = [n_in, n_out, n_reason]
        args[which] = k
        return TOKEN_COST(model, *args)

    # Written as sums of costs (all >= 0), so float cancellation cannot hide or fake
    # a difference: cost(a + b) - cost(0) = (cost(a) - cost(0)) + (cost(b) - cost(0)).
    assert cost(a + b) + cost(0) == pytest.approx(cost(a) + cost(b), rel=1e-12, abs=1e-300)
    assert cost(3 * a) + 2 * cost(0) == pytest.approx(3 * cost(a), rel=1e-12, abs=1e-300)
    price_in, price_out = PRICES[model]
    expected = (n_in * price_in + (n_out + n_reason) * price_out) / 1e6
    assert TOKEN_COST(model, n_in, n_out, n_reason) == pytest.approx(expected, rel=1e-12)


# --- the same result in the UDF and in the build ---------------------------------------


def test_cached_values_in_the_file_are_what_the_udf_returns(data_copy, tmp_path):
    """Blank and non-positive EPS, the only non-number inputs the data allows, give
    the same result in the built file as a call of the UDF with those values."""
    path = data_copy / "coverage.csv"
    text = path.read_text(encoding="utf-8")
    text = text.replace(",1.95,2.15,2.38,2.61", ",,-0.5,0,2.61")  # 000063.SZ
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "book.xlsm"
    result = build(data_copy, out)
    stocks = [s.code for s in result.data.coverage.stocks]
    row = key_stocks.FIRST_DATA_ROW + stocks.index("000063.SZ")
    n_years = len(result.data.coverage.years)
    pe_first = key_stocks.FIRST_EPS_COL + n_years
    rows = CalamineWorkbook.from_path(str(out)).get_sheet_by_name(key_stocks.NAME) \
        .to_python(skip_empty_area=False)
    cached = rows[row][pe_first:pe_first + 4]
    assert cached == [PE(24.90, None), PE(24.90, -0.5), PE(24.90, 0), PE(24.90, 2.61)]
    assert cached[:3] == ["n.a.", "NM", "NM"] and cached[3] == pytest.approx(24.90 / 2.61)


def test_ranges_of_huge_ints_by_hand():
    # The same fast path against values worked out by hand (not by the scalar rules):
    # P/E 2**1022 over 300% growth is 2**1022 / 300; 10**400 is beyond float range;
    # 3 / 0.25 - 1 = 11; (1e308 / 1e-300) ** (1/3) overflows, (8 / 1) ** (1/3) - 1 = 1.
    assert PEG([[2 ** 1022], [1.0]], [[3], [3]]) == [
        [pytest.approx(4.49423283715579e307 / 300)], [pytest.approx(1 / 300)]]
    assert PE([[10 ** 400], [1.0]], [[3], [3]]) == [["#NUM!"], [pytest.approx(1 / 3)]]
    assert UPSIDE([[3], [1.0]], [[0.25], [0.25]]) == [[11.0], [3.0]]
    assert EPS_CAGR([[1e-300], [1.0]], [[1e308], [8.0]], 3) == [["#NUM!"], [pytest.approx(1.0)]]


# --- every UDF, every argument, any value a Python caller can pass --------------------


def _all_udfs() -> dict:
    """Every UDF of the ``udfs`` package, found by walking its modules (so a UDF added
    later is covered without touching this test): the public functions named in
    capitals, as every Excel function is."""
    import importlib
    import inspect
    import pkgutil

    import udfs

    found = {}
    for info in pkgutil.iter_modules(udfs.__path__):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"udfs.{info.name}")
        for name, obj in vars(module).items():
            if (inspect.isfunction(obj) and obj.__module__ == module.__name__
                    and name.isupper() and not name.startswith("_")):
                found[name] = obj
    return found


UDFS = _all_udfs()


def test_the_udf_walk_finds_every_exported_udf():
    import udfs

    assert set(udfs.__all__) <= set(UDFS)
    assert {"PE", "TOKEN_PRICE", "TOKEN_COST", "COST_RATIO", "IMPLIED_RATING"} <= set(UDFS)


#: Values Excel never passes but a Python caller (a script, a notebook) can: ragged
#: and nested lists, ints beyond float range (10**400) and beyond Python's 4,300-digit
#: text limit (10**5000), numpy arrays and scalars, None, booleans, dates, long text.
def _odd_values():
    scalars = st.one_of(
        st.none(), st.booleans(), st.just(np.bool_(True)),
        st.integers(), st.builds(pow, st.just(10), st.sampled_from([400, 5000])),
        st.just(2 ** 1023), st.just(-(10 ** 400)),
        st.floats(), st.builds(np.float64, st.floats()),
        st.builds(np.int64, st.integers(-2 ** 63, 2 ** 63 - 1)),
        st.dates(), st.datetimes(), st.times(),
        st.text(max_size=5), st.just("x" * 40_000),
        st.sampled_from(["gpt-4o", "o1-mini", "input", "output", "USD", "CNY", "tianfeng",
                         "2024-09-24", "#N/A", "n.a.", "", "NM"]),
    )
    arrays = st.one_of(
        st.builds(np.array, st.lists(st.floats(), max_size=3)),
        st.builds(np.array, st.lists(st.lists(st.integers(-5, 5), min_size=2, max_size=2),
                                     max_size=3)),
        st.builds(np.array, st.lists(st.text(max_size=3), max_size=3)),
    )
    return st.recursive(st.one_of(scalars, arrays),
                        lambda inner: st.lists(inner, max_size=3)
                        | st.tuples(inner, inner), max_leaves=6)


#: Excel's limit on a cell's text (a result longer than this would not fit a cell).
CELL_TEXT_LIMIT = 32_767


def _is_cell_result(value) -> bool:
    if isinstance(value, str):
        return 0 < len(value) <= CELL_TEXT_LIMIT
    return type(value) is float and math.isfinite(value)


def _is_udf_result(result) -> bool:
    """A scalar cell result (text or a finite float), or a non-empty list of equally
    long rows of such (an array Excel spills)."""
    if isinstance(result, list):
        return (len(result) > 0 and all(isinstance(r, list) and r for r in result)
                and len({len(r) for r in result}) == 1
                and all(_is_cell_result(v) for r in result for v in r))
    return _is_cell_result(result)


@pytest.mark.parametrize("name", sorted(UDFS))
@settings(derandomize=True, database=None, max_examples=150, deadline=None)
@given(data=st.data())
def test_every_udf_returns_a_cell_result_for_any_arguments(name, data):
    import inspect

    udf = UDFS[name]
    params = list(inspect.signature(udf).parameters.values())
    # Each argument is either one of the odd values or omitted (its default), so
    # every argument meets every kind of value next to valid-looking ones.
    args = []
    for p in params:
        value = data.draw(_odd_values(), label=p.name)
        args.append(value)
    n = data.draw(st.integers(min_value=sum(p.default is inspect.Parameter.empty
                                            for p in params), max_value=len(params)))
    result = udf(*args[:n])
    assert _is_udf_result(result), (name, result)


@pytest.mark.parametrize("name", sorted(UDFS))
@pytest.mark.parametrize("odd", [
    [[108.9], 2], [2, [108.9]], [[1.0, 2.0], [3.0]], [[[1.0]]], [], [[]], 10 ** 400,
    10 ** 5000, None, True, dt.date(2024, 9, 24)],
    ids=["ragged", "ragged-last", "short-row", "nested", "empty", "empty-row", "10**400",
         "10**5000", "None", "True", "date"])
def test_every_udf_gives_a_cell_result_for_each_odd_value_in_each_argument(name, odd):
    import inspect

    udf = UDFS[name]
    params = list(inspect.signature(udf).parameters)
    for position in range(len(params)):
        for value in (odd, np.array([1.0, 2.0]), np.array([["USD"]])):
            args = [odd if i == position else 1.0 for i in range(len(params))]
            args[position] = value
            result = udf(*args)
            assert _is_udf_result(result), (name, params[position], value, result)


@pytest.mark.parametrize("udf", [TOKEN_PRICE, TOKEN_COST, COST_RATIO])
def test_a_date_beyond_floats_is_a_num_error(udf):
    args = {TOKEN_PRICE: ("gpt-4o", "input", 10 ** 400),
            TOKEN_COST: ("gpt-4o", 1, 1, 0, 0, 10 ** 400),
            COST_RATIO: ("gpt-4o", "o1-mini", "input", 10 ** 400)}[udf]
    assert udf(*args).startswith("#NUM! ")


def test_a_ragged_range_is_a_value_error_and_a_numpy_currency_is_unknown():
    assert PE([[108.9], 2], 5.33) == "#VALUE!"
    # A one-row range whose second cell is itself a list: that cell is no number.
    assert PE(5.33, [2, [108.9]]) == [[pytest.approx(2.665), "#VALUE!"]]
    assert PE([[1.0], [2.0]], [[]]) == "#VALUE!"  # an empty row fits no shape
    assert TOKEN_PRICE("gpt-4o", "input", None, np.array(["USD", "CNY"])).startswith(
        "#N/A unknown currency array(")


# --- numpy values, ragged ranges and error arguments --------------------------------------

NA = -2146826246  # #N/A as a COM error integer (0x800A07FA)


def test_numpy_booleans_are_not_numbers():
    assert PE(np.True_, 2.0) == "#VALUE!"
    assert RATING(np.True_) == "#VALUE!"


def test_numpy_com_error_integers_pass_through():
    assert PE(10.0, np.int64(NA)) == "#N/A"


def test_ragged_ranges_are_value_errors():
    assert PE([[1.0, 2.0], [3.0]], 2.0) == "#VALUE!"


def test_a_range_as_scale_names_no_scale():
    assert RATING(0.05, ["industry"]).startswith("#N/A unknown scale")


def test_an_error_in_any_argument_wins():
    assert TOKEN_COST("gpt-4o", -1, "#N/A") == "#N/A"
    assert PE("abc", "#N/A") == "#N/A"
    assert COST_RATIO("nope", "#DIV/0!", "input") == "#DIV/0!"
