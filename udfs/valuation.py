"""Valuation UDFs: ``=PE(close, eps)``."""

from __future__ import annotations

from itertools import chain
from math import inf as _INF, isfinite
from operator import itemgetter

from udfs import _xl as xw

from udfs._excel import (COM_ERRORS, MISSING, Blank, as_2d, as_number, broadcast,
                         broadcast_shape, finite, first_error, gc_paused, is_range)

#: Text shown for a P/E that is not meaningful (EPS <= 0). Text, not an error, so
#: that ``AVERAGE`` over a P/E column skips loss-makers instead of failing.
NOT_MEANINGFUL = "NM"
#: Below this many result cells the scalar loop is as fast as the checks of the
#: one-pass path (:func:`pe_array`).
FAST_PATH_MIN_CELLS = 64
_PLAIN = frozenset((float, int, type(None)))


def pe_value(close, eps):
    """P/E of one close price and one EPS (scalars): see :func:`PE` for the rules."""
    error = first_error(close, eps)
    if error:
        return error
    c = as_number(close)
    e = as_number(eps)
    for v in (c, e):
        if isinstance(v, str):
            return v
    if c is Blank or e is Blank:
        return MISSING
    if e <= 0:
        return NOT_MEANINGFUL
    if c < 0:
        return "#NUM!"
    return finite(c / e)


@xw.func(category="coverbook")
@xw.arg("close_price", ndim=2, err_to_str=True,
        doc="Close price per share in CNY: a cell, or a column of close prices.")
@xw.arg("eps", ndim=2, err_to_str=True,
        doc="Earnings per share in CNY for one fiscal year: a cell, or a block "
            "(one column per year) as tall as the close column.")
def PE(close_price, eps):
    """Price/earnings ratio: close price / EPS (the report's P/E = 收盘价/EPS).

    The argument is ``close_price``, not ``close``: ``Close`` is a reserved word in
    VBA, and xlwings names the VBA wrapper's parameters after the Python ones.

    Shapes: two scalars give a scalar. Ranges broadcast: a close column (n x 1) with
    an EPS block (n x k) gives n x k in one call, which spills as an array formula.
    Units: close and EPS in the same currency (CNY); the result is a multiple.

    Results other than a number, cell by cell:
    - EPS <= 0: the text ``NM`` (not meaningful; AVERAGE skips it);
    - a blank close or EPS (or the missing-figure marker ``n.a.`` in one): ``n.a.``,
      the missing-figure marker (text: AVERAGE skips it; LibreOffice shows it);
    - text (also numbers stored as text), a boolean or a date: ``#VALUE!``;
    - an Excel error in an argument: that error (``#N/A`` stays ``#N/A``);
    - a negative close, NaN or infinity, or a P/E beyond Excel's largest number
      (about 1.8e308, e.g. a tiny EPS): ``#NUM!``;
    - ranges whose shapes do not fit: ``#VALUE!``.
    Errors are returned as their text: xlwings cannot return Excel error values.
    """
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
