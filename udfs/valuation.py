"""Valuation UDFs: ``=PE(close, eps)``."""

from __future__ import annotations

import xlwings as xw

from udfs._excel import BLANK, Blank, as_number, broadcast

#: Text shown for a P/E that is not meaningful (EPS <= 0). Text, not an error, so
#: that ``AVERAGE`` over a P/E column skips loss-makers instead of failing.
NOT_MEANINGFUL = "NM"


def pe_value(close, eps):
    """P/E of one close price and one EPS (scalars): see :func:`PE` for the rules."""
    c = as_number(close)
    e = as_number(eps)
    for v in (c, e):
        if isinstance(v, str):
            return v
    if c is Blank or e is Blank:
        return BLANK
    if e <= 0:
        return NOT_MEANINGFUL
    if c < 0:
        return "#NUM!"
    return c / e


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
    - a blank close or EPS: ``""`` (the cell stays blank);
    - text (also numbers stored as text), a boolean or a date: ``#VALUE!``;
    - an Excel error in an argument: that error (``#N/A`` stays ``#N/A``);
    - a negative close, NaN or infinity: ``#NUM!``;
    - ranges whose shapes do not fit: ``#VALUE!``.
    Errors are returned as their text: xlwings cannot return Excel error values.
    """
    return broadcast(pe_value, close_price, eps)
