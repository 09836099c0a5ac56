"""Valuation UDFs: ``=PE(close, eps)``, ``=UPSIDE(target, close)``, ``=EPS_CAGR()`` and
``=PEG()``."""

from __future__ import annotations

import math
from itertools import chain
from math import inf as _INF, isfinite
from operator import itemgetter

from udfs import _xl as xw

from udfs._excel import (COM_ERRORS, MISSING, Blank, as_2d, as_number, broadcast,
                         broadcast_shape, finite, first_error, gc_paused, is_blank,
                         is_range)

#: Text shown for a P/E that is not meaningful (EPS <= 0). Text, not an error, so
#: that ``AVERAGE`` over a P/E column skips loss-makers instead of failing.
NOT_MEANINGFUL = "NM"
#: Below this many result cells the scalar loop is as fast as the checks of the
#: one-pass path (:func:`pe_array`).
FAST_PATH_MIN_CELLS = 64
_PLAIN = frozenset((float, int, type(None)))


def pe_value(close, eps, fx_rate=None):
    """P/E of one close price and one EPS (scalars), the EPS converted at *fx_rate*
    (units of the close's currency per unit of the EPS's; blank: none): see
    :func:`PE` for the rules."""
    error = first_error(close, eps, fx_rate)
    if error:
        return error
    c = as_number(close)
    e = as_number(eps)
    r = 1.0 if is_blank(fx_rate) else as_number(fx_rate)
    for v in (c, e, r):
        if isinstance(v, str):
            return v
    if c is Blank or e is Blank or r is Blank:
        return MISSING
    if r <= 0:
        return "#NUM!"
    if e <= 0:
        return NOT_MEANINGFUL
    if c < 0:
        return "#NUM!"
    return finite(c / e) if is_blank(fx_rate) else finite(c / (e * r))


@xw.func(category="coverbook")
@xw.arg("close_price", ndim=2, err_to_str=True,
        doc="Close price per share (listing currency): a cell, or a column of close prices.")
@xw.arg("eps", ndim=2, err_to_str=True,
        doc="Earnings per share for one fiscal year: a cell, or a block "
            "(one column per year) as tall as the close column.")
@xw.arg("fx_rate", ndim=2, err_to_str=True,
        doc="Optional: units of the close's currency per unit of the EPS's, e.g. "
            "FX(\"CNY\",\"HKD\",D4); a cell or a column. Blank: the same currency.")
def PE(close_price, eps, fx_rate=None):
    """Price/earnings ratio: close price / EPS (the report's P/E = 收盘价/EPS).

    With *fx_rate*: close / (EPS × fx_rate), the EPS converted into the close's
    currency (``=PE(C4,H4,FX("CNY","HKD",E4))`` for an H share reporting in CNY).

    The argument is ``close_price``, not ``close``: ``Close`` is a reserved word in
    VBA, and xlwings names the VBA wrapper's parameters after the Python ones.

    Shapes: two scalars give a scalar. Ranges broadcast: a close column (n x 1) with
    an EPS block (n x k) gives n x k in one call, which spills as an array formula.
    Units: close and EPS in the same currency, or *fx_rate* converting the EPS's
    currency into the close's (``FX``, units per unit); the result is a multiple.

    Results other than a number, cell by cell:
    - EPS <= 0: the text ``NM`` (not meaningful; AVERAGE skips it);
    - a blank close or EPS (or the missing-figure marker ``n.a.`` in one): ``n.a.``,
      the missing-figure marker (text: AVERAGE skips it; LibreOffice shows it);
    - text (also numbers stored as text), a boolean or a date: ``#VALUE!``;
    - an Excel error in an argument: that error (``#N/A`` stays ``#N/A``);
    - a negative close, NaN or infinity, or a P/E beyond Excel's largest number
      (about 1.8e308, e.g. a tiny EPS): ``#NUM!``; an *fx_rate* ≤ 0: ``#NUM!``;
    - an *fx_rate* that is the missing-figure marker ``n.a.``: ``n.a.``;
    - ranges whose shapes do not fit: ``#VALUE!``.
    Errors are returned as their text: xlwings cannot return Excel error values.
    """
    if fx_rate is not None:
        return broadcast(pe_value, close_price, eps, fx_rate)
    if is_range(close_price) or is_range(eps):
        fast = pe_array(close_price, eps, min_cells=FAST_PATH_MIN_CELLS)
        if fast is not None:
            return fast
    return broadcast(pe_value, close_price, eps)


def pe_array(close, eps, *, min_cells: int = 0):
    """:func:`PE` of ranges of plain numbers in one pass; ``None`` when the inputs need
    the scalar rules (text, booleans, dates, errors, NaN, infinities, ragged or
    non-broadcastable shapes) or give fewer than *min_cells* cells.

    Same shapes and results as ``broadcast(pe_value, close, eps)``, value for value
    (the same float division; ints are made floats first, as :func:`as_number` does):
    blanks (``None``) give ``n.a.``, EPS <= 0 gives ``NM``, a negative close or a
    ratio beyond float range ``#NUM!``.

    The checks run once per range (on the types present, then finiteness) and the
    division in one comprehension: 4-10 M cells/s, more than numpy would give once its
    import (about 0.1 s, more than a 50,000-stock column takes here) is counted.
    """
    grids = [as_2d(close), as_2d(eps)]
    shape = broadcast_shape(grids)
    if shape is None or shape[0] * shape[1] < min_cells:
        return None
    with gc_paused():  # one list per result row comes and goes
        return _pe_array(grids, *shape)


def _flat_plain(grid, n_rows: int, n_cols: int):
    """*grid*'s values broadcast to *n_rows* x *n_cols*, row-major, as floats and
    ``None``s; ``None`` if any value needs the scalar rules."""
    width = len(grid[0])
    flat = list(map(itemgetter(0), grid)) if width == 1 else list(chain.from_iterable(grid))
    types = set(map(type, flat))
    if not _PLAIN.issuperset(types):  # type() is exact: a bool is not an int
        return None
    if int in types:
        # An int may be a COM error code (a cell holding #DIV/0! without err_to_str).
        if any(type(v) is int and v in COM_ERRORS for v in flat):
            return None
        try:
            flat = [float(v) if type(v) is int else v for v in flat]
        except OverflowError:  # beyond float range: #NUM! by the scalar rules
            return None
    numbers = flat if type(None) not in types else [v for v in flat if v is not None]
    if not all(map(isfinite, numbers)):  # NaN and infinities: the scalar rules
        return None
    if len(grid) == n_rows and width == n_cols:
        return flat
    if width == n_cols:  # one row, repeated down
        return flat * n_rows
    if len(grid) == n_rows:  # one column, repeated across
        return [v for v in flat for _ in range(n_cols)]
    return flat * (n_rows * n_cols)  # one cell


def _pe_array(grids, n_rows: int, n_cols: int):
    close = _flat_plain(grids[0], n_rows, n_cols)
    eps = _flat_plain(grids[1], n_rows, n_cols) if close is not None else None
    if eps is None:
        return None
    # pe_value's rules in its order: blank, EPS <= 0, negative close, overflow.
    out = [MISSING if c is None or e is None else NOT_MEANINGFUL if e <= 0
           else "#NUM!" if c < 0 else r if (r := c / e) != _INF else "#NUM!"
           for c, e in zip(close, eps)]
    if n_cols == 1:
        return [[v] for v in out]
    return [out[i:i + n_cols] for i in range(0, n_rows * n_cols, n_cols)]


def upside_value(target_price, close_price):
    """Upside of one target price over one close price (scalars): see :func:`UPSIDE`."""
    error = first_error(target_price, close_price)
    if error:
        return error
    t = as_number(target_price)
    c = as_number(close_price)
    for v in (t, c):
        if isinstance(v, str):
            return v
    if t is Blank or c is Blank:
        return MISSING
    if c == 0:
        return "#DIV/0!"
    if c < 0 or t < 0:
        return "#NUM!"
    return finite(t / c - 1)


@xw.func(category="coverbook")
@xw.arg("target_price", ndim=2, err_to_str=True,
        doc="Target price per share in the listing currency: a cell, or a column. "
            "Blank: no target (n.a.).")
@xw.arg("close_price", ndim=2, err_to_str=True,
        doc="Close price per share, same currency: a cell, or a column as tall.")
def UPSIDE(target_price, close_price):
    """Upside to the target price: target / close − 1, as a fraction (0.25 = 25 %).

    Shapes: scalars give a scalar; ranges broadcast as in :func:`PE` (a target column
    with a close column gives a column, which spills). Units: both prices in the same
    currency (the listing currency: HKD for an H share); the result is a fraction
    (format the cell as %), over the target's
    horizon (a broker's 6- or 12-month target).

    Results other than a number, cell by cell: a blank target or close (or ``n.a.``,
    the missing-figure marker) gives ``n.a.``; a close of 0 ``#DIV/0!``; a negative
    price ``#NUM!``; text, booleans and dates ``#VALUE!``; an Excel error passes
    through; shapes that do not fit ``#VALUE!``.
    """
    return broadcast(upside_value, target_price, close_price)


def eps_cagr_value(eps_first, eps_last, years):
    """EPS growth rate of one pair of EPS (scalars): see :func:`EPS_CAGR`."""
    error = first_error(eps_first, eps_last, years)
    if error:
        return error
    values = [as_number(v) for v in (eps_first, eps_last, years)]
    for v in values:
        if isinstance(v, str):
            return v
    if any(v is Blank for v in values):
        return MISSING
    first, last, n = values
    if n <= 0:
        return "#NUM!"
    if first <= 0 or last <= 0:
        return NOT_MEANINGFUL
    try:
        return finite((last / first) ** (1 / n) - 1)
    except OverflowError:
        return "#NUM!"


@xw.func(category="coverbook")
@xw.arg("eps_first", ndim=2, err_to_str=True,
        doc="EPS of the first year (CNY per share), e.g. the last actual year: a cell "
            "or a column.")
@xw.arg("eps_last", ndim=2, err_to_str=True,
        doc="EPS of the last year (CNY per share), e.g. the last estimate year: a cell "
            "or a column as tall.")
@xw.arg("years", ndim=2, err_to_str=True,
        doc="Years between the two EPS (2026E over 2023A: 3); greater than 0.")
def EPS_CAGR(eps_first, eps_last, years):
    """EPS compound annual growth rate: (last / first)^(1 / years) − 1, a fraction.

    0.25 = 25 % a year (format the cell as %). On the key-stocks sheet: from the last
    actual year's EPS to the last estimate year's. Shapes: scalars give a scalar;
    ranges broadcast as in :func:`PE` (two EPS columns and one ``years`` give a
    column, which spills). EPS in the same currency (CNY per share).

    Results other than a number, cell by cell: ``NM`` (not meaningful) when either EPS
    is ≤ 0 (a growth rate from or to a loss has no meaning); ``n.a.`` when an EPS or
    ``years`` is blank (or ``n.a.``); ``#NUM!`` for ``years`` ≤ 0 or a result beyond
    Excel's range; text, booleans and dates ``#VALUE!``; an Excel error passes
    through; shapes that do not fit ``#VALUE!``.
    """
    fast = plain_broadcast(_eps_cagr_plain, (eps_first, eps_last, years))
    return fast if fast is not None else broadcast(eps_cagr_value, eps_first, eps_last, years)


def _eps_cagr_plain(first, last, n):
    """:func:`eps_cagr_value` of plain values (finite floats, ints, ``None``)."""
    if first is None or last is None or n is None:
        return MISSING
    if n <= 0:
        return "#NUM!"
    if first <= 0 or last <= 0:
        return NOT_MEANINGFUL
    try:  # as floats, as eps_cagr_value reads them (int / int is exact, not a float's)
        return finite((float(last) / float(first)) ** (1 / float(n)) - 1)
    except OverflowError:
        return "#NUM!"


def _peg_input(v):
    """A PEG argument: ``NM`` stays ``NM`` (a P/E or CAGR that is not meaningful),
    anything else as :func:`~udfs._excel.as_number` reads it."""
    return NOT_MEANINGFUL if isinstance(v, str) and v == NOT_MEANINGFUL else as_number(v)


def peg_value(pe, growth):
    """PEG of one P/E and one growth rate (scalars): see :func:`PEG`."""
    error = first_error(pe, growth)
    if error:
        return error
    values = [_peg_input(pe), _peg_input(growth)]
    for v in values:
        if isinstance(v, str) and v != NOT_MEANINGFUL:
            return v
    if any(v is Blank for v in values):
        return MISSING
    if NOT_MEANINGFUL in values:
        return NOT_MEANINGFUL
    p, g = values
    if g <= 0 or p <= 0:
        return NOT_MEANINGFUL
    return finite(p / (g * 100))


@xw.func(category="coverbook")
@xw.arg("pe", ndim=2, err_to_str=True,
        doc="P/E (a multiple), e.g. of the first estimate year: a cell or a column; "
            "NM (from =PE()) gives NM.")
@xw.arg("growth", ndim=2, err_to_str=True,
        doc="EPS growth rate as a fraction (0.25 = 25% a year), e.g. =EPS_CAGR(): a cell "
            "or a column as tall.")
def PEG(pe, growth):
    """PEG ratio: P/E ÷ (growth × 100), growth a fraction (Lynch's convention).

    A P/E of 20 with EPS growing 25 % a year (growth 0.25) gives 20 / 25 = 0.8. On the
    key-stocks sheet: the P/E of the first estimate year over the EPS CAGR from the
    last actual year to the last estimate year. Shapes: scalars give a scalar; ranges
    broadcast as in :func:`PE`. The result is a multiple.

    Results other than a number, cell by cell: ``NM`` when growth ≤ 0 or the P/E is
    not a number that means something (``NM`` from :func:`PE` or from
    :func:`EPS_CAGR`, or a P/E ≤ 0); ``n.a.`` for a blank P/E or growth (or ``n.a.``);
    other text, booleans and dates ``#VALUE!``; an Excel error passes through; shapes
    that do not fit ``#VALUE!``.
    """
    fast = plain_broadcast(_peg_plain, (pe, growth), texts=(MISSING, NOT_MEANINGFUL))
    return fast if fast is not None else broadcast(peg_value, pe, growth)


def _peg_plain(pe, growth):
    """:func:`peg_value` of plain values (finite floats, ints, ``None``, ``n.a.``,
    ``NM``)."""
    if pe is None or growth is None or pe == MISSING or growth == MISSING:
        return MISSING
    if pe == NOT_MEANINGFUL or growth == NOT_MEANINGFUL or growth <= 0 or pe <= 0:
        return NOT_MEANINGFUL
    # As floats, as peg_value reads them: an int growth near 2**1023 times 100 is an
    # int beyond float range, and dividing by it raised OverflowError.
    return finite(float(pe) / (float(growth) * 100))


def _plain(v, texts: tuple[str, ...]) -> bool:
    """A value the scalar rules read as itself: a finite float, an int within float
    range that is no COM error code, ``None`` (blank), or one of *texts*."""
    t = type(v)
    if t is float:
        return math.isfinite(v)
    if v is None:
        return True
    if t is int:
        return v not in COM_ERRORS and abs(v) < 2 ** 1023
    return t is str and v in texts


def plain_broadcast(func, args: tuple, *, texts: tuple[str, ...] = ()):
    """``broadcast(func_value, *args)`` for ranges of plain values (:func:`_plain`),
    calling the trimmed *func* on each cell without the per-argument checks a cell of
    any kind needs: ``None`` when an argument is no range, holds anything else, or the
    shapes do not fit (the caller then takes the full rules). Same values, cell for
    cell: *func* is the scalar rule restricted to these inputs."""
    if not any(is_range(a) for a in args):
        return None
    grids = [as_2d(a) for a in args]
    shape = broadcast_shape(grids)
    if shape is None:
        return None
    for g in grids:
        for row in g:
            if not all(_plain(v, texts) for v in row):
                return None
    n_rows, n_cols = shape
    with gc_paused():
        return [[func(*(g[i if len(g) > 1 else 0][j if len(g[0]) > 1 else 0] for g in grids))
                 for j in range(n_cols)] for i in range(n_rows)]
