"""Valuation UDFs: ``=PE(close, eps)``."""

from __future__ import annotations

from itertools import chain
from operator import itemgetter

import xlwings as xw

from udfs._excel import (COM_ERRORS, MISSING, Blank, as_2d, as_number, broadcast,
                         broadcast_shape, finite, first_error, gc_paused, is_range)

#: Text shown for a P/E that is not meaningful (EPS <= 0). Text, not an error, so
#: that ``AVERAGE`` over a P/E column skips loss-makers instead of failing.
NOT_MEANINGFUL = "NM"
#: Below this many result cells the scalar loop is as fast as setting up numpy.
FAST_PATH_MIN_CELLS = 64
_PLAIN = frozenset((float, int, type(None)))
#: pe_array's results that are not numbers: blank, EPS <= 0, negative close.
_SPECIAL = (MISSING, NOT_MEANINGFUL, "#NUM!")


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
    """:func:`PE` of ranges of plain numbers, vectorised with numpy; ``None`` when the
    inputs need the scalar rules (text, booleans, dates, errors, NaN, infinities,
    ragged or non-broadcastable shapes) or give fewer than *min_cells* cells.

    Same shapes and results as ``broadcast(pe_value, close, eps)``, value for value
    (IEEE division is the same in numpy and Python): blanks (``None``) give ``n.a.``,
    EPS <= 0 gives ``NM``, a negative close ``#NUM!``; floats are Python floats.
    """
    grids = [as_2d(close), as_2d(eps)]
    shape = broadcast_shape(grids)
    if shape is None or shape[0] * shape[1] < min_cells:
        return None
    with gc_paused():  # one list per result row comes and goes
        return _pe_array(grids, *shape)


def _pe_array(grids, n_rows: int, n_cols: int):
    import numpy as np

    arrays, blanks = [], []
    for g in grids:
        width = len(g[0])
        flat = list(map(itemgetter(0), g)) if width == 1 else list(chain.from_iterable(g))
        types = set(map(type, flat))
        if not _PLAIN.issuperset(types):  # type() is exact: a bool is not an int
            return None
        # An int may be a COM error code (a cell holding #DIV/0! without err_to_str).
        if int in types and any(type(v) is int and v in COM_ERRORS for v in flat):
            return None
        n_blank = flat.count(None)
        try:
            a = np.array(flat, dtype=np.float64)
        except (OverflowError, TypeError, ValueError):
            return None
        missing = np.isnan(a)
        # None became NaN; any other NaN (or an infinity) is a real one: scalar rules.
        if int(missing.sum()) != n_blank or np.isinf(a).any():
            return None
        shape = (len(g), width)
        arrays.append(np.broadcast_to(a.reshape(shape), (n_rows, n_cols)).ravel())
        blanks.append(np.broadcast_to(missing.reshape(shape), (n_rows, n_cols)).ravel())
    c, e = arrays
    blank = blanks[0] | blanks[1]
    with np.errstate(all="ignore"):
        ratio = c / e
    # A negative close, or a ratio beyond float range (Excel shows #NUM!): kind 2.
    special = blank | (e <= 0) | (c < 0) | ~np.isfinite(ratio)
    out = ratio.tolist()
    # The cells that are not a number, in the order pe_value tests them.
    kinds = np.where(blank, 0, np.where(e <= 0, 1, 2))
    for i, kind in zip(np.flatnonzero(special).tolist(), kinds[special].tolist()):
        out[i] = _SPECIAL[kind]
    if n_cols == 1:
        return [[v] for v in out]
    return [out[i:i + n_cols] for i in range(0, n_rows * n_cols, n_cols)]
