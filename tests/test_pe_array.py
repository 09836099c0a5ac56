"""The vectorised P/E (numpy) gives exactly what the scalar rules give, cell by cell."""

from __future__ import annotations

import datetime as dt
import math

from hypothesis import given, settings, strategies as st

from udfs._excel import broadcast
from udfs.valuation import FAST_PATH_MIN_CELLS, PE, pe_array, pe_value

# Values as xlwings hands them over (floats, None for blanks, error text, text,
# booleans, dates) plus what a Python caller may pass (ints, huge ints, NaN).
plain = st.one_of(st.floats(allow_nan=False, allow_infinity=False), st.none(),
                  st.integers(-10**6, 10**6), st.sampled_from([0.0, -0.0, 1e-300, 1e300]))
anything = st.one_of(plain, st.floats(), st.integers(), st.booleans(),
                     st.sampled_from(["", "n.a.", "#N/A", "#DIV/0!", "1.5", "NM", "x"]),
                     st.dates(dt.date(1990, 1, 1), dt.date(2030, 1, 1)),
                     st.just(10**400), st.sampled_from([-2146826281, -2146826246]))


def same(a, b) -> bool:
    """Equal value and type, recursively (so 1.0 vs True or 1 vs 1.0 count as different)."""
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return a == b or (isinstance(a, float) and math.copysign(1, a) == math.copysign(1, b))


@st.composite
def block(draw, cells):
    """(close, EPS) as ranges: a close column with an EPS block as tall, a row, or a cell."""
    n = draw(st.integers(1, 12))
    k = draw(st.integers(1, 4))
    close = [[draw(cells)] for _ in range(n)]
    eps = [[draw(cells) for _ in range(k)] for _ in range(n)]
    kind = draw(st.sampled_from(["column", "single close", "row eps", "same shape"]))
    if kind == "single close":
        close = [[close[0][0]]]
    elif kind == "row eps":
        eps = [eps[0]]
    elif kind == "same shape":
        close = [[draw(cells) for _ in range(k)] for _ in range(n)]
    return close, eps


@settings(max_examples=400, deadline=None)
@given(block(plain))
def test_fast_path_equals_scalar_rules_on_plain_numbers(args):
    close, eps = args
    fast = pe_array(close, eps)
    assert fast is not None  # plain numbers always take the fast path
    assert same(fast, broadcast(pe_value, close, eps))


@settings(max_examples=400, deadline=None)
@given(block(anything))
def test_fast_path_declines_or_agrees_on_any_excel_values(args):
    close, eps = args
    fast = pe_array(close, eps)
    scalar = broadcast(pe_value, close, eps)
    assert fast is None or same(fast, scalar)
    assert same(PE(close, eps), scalar)


def test_fast_path_declines_what_needs_the_scalar_rules():
    assert pe_array([[True]], [[1.0]]) is None  # a boolean close is #VALUE!, not 1
    assert pe_array([["10"]], [[2.0]]) is None
    assert pe_array([[float("nan")]], [[2.0]]) is None  # NaN is #NUM!, not blank
    assert pe_array([[10.0], [11.0]], [[1.0], [2.0], [3.0]]) is None  # shapes do not fit
    assert pe_array([[10.0]], [[2.0]], min_cells=2) is None
    assert pe_array([[1.0]], [[-2146826281]]) is None  # COM integer of #DIV/0!


def test_a_large_column_takes_the_fast_path_with_the_report_rules():
    n = FAST_PATH_MIN_CELLS * 4
    close = [[108.90]] * n
    eps = [[1.94], [0.0], [-0.5], [None]] * (n // 4)
    result = PE(close, eps)
    assert result[:4] == [[108.90 / 1.94], ["NM"], ["NM"], ["n.a."]]
    assert result[0][0] == pe_value(108.90, 1.94)
    assert PE([[-1.0]] * n, [[2.0]] * n)[0] == ["#NUM!"]
    assert PE([[None]] * n, [[-2.0]] * n)[0] == ["n.a."]  # blank wins over NM, as scalar
