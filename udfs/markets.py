"""Currency UDFs of the key-stocks table: ``=FX(from, to, [as_of])``, the rate
between two currencies, and ``=AH_PREMIUM(a_close, h_close, [as_of])``, the premium
of an A share over its H share.

Rates come from ``fx.csv`` (units of a currency per USD, each in force from its date
until the currency's next row; USD is 1), through :func:`udfs._reference.dataset_or_error`
once per call: while the data folder is invalid every UDF here returns its
``#N/A data: file:row:column: …`` error value. The date of a look-up is the
``as_of`` argument, by default the data's as-of date (``settings.toml``), never the
clock. UDFs never raise.
"""

from __future__ import annotations

from typing import Any

from udfs import _xl as xw

from udfs._excel import MISSING, Blank, as_number, broadcast, finite, first_error
from udfs._reference import dataset_or_error
from udfs.tokens import _currency, _day, convert
from workbook.dataset import Dataset


def fx_value(from_currency: Any, to_currency: Any, as_of: Any = None,
             data: Dataset | str | None = None) -> float | str:
    """One :func:`FX` look-up (scalars): units of *to_currency* per unit of
    *from_currency* in force on *as_of*, or the error text. *data*: the dataset or
    its error value (default: the UDFs' current one)."""
    error = first_error(from_currency, to_currency, as_of)
    if error:
        return error
    if data is None:
        data = dataset_or_error()
    if isinstance(data, str):
        return data
    day = _day(data, as_of)
    if isinstance(day, str):
        return day
    codes = [_currency(data, c, MISSING) for c in (from_currency, to_currency)]
    for c in codes:
        if c == MISSING or c.startswith("#"):
            return c
    return convert(data, 1.0, *codes, day)


_DATE_DOC = ("Date of the rates: a date cell (the close date), DATE(2024,9,23) or text "
             "2024-09-23; blank = the data's as-of date (settings.toml).")
_CURRENCY_ARG = ("ISO code, e.g. \"CNY\", \"HKD\", \"USD\" (USD or a currency of "
                 "fx.csv): a cell or a column.")


@xw.func(category="coverbook")
@xw.arg("from_currency", ndim=2, err_to_str=True, doc="Currency converted from: " + _CURRENCY_ARG)
@xw.arg("to_currency", ndim=2, err_to_str=True, doc="Currency converted to: " + _CURRENCY_ARG)
@xw.arg("as_of", ndim=2, err_to_str=True, doc=_DATE_DOC)
def FX(from_currency, to_currency, as_of=None, caller=None):
    """Exchange rate: units of *to_currency* that one unit of *from_currency* buys, at
    the rates in force on *as_of* (blank: the data's as-of date).

    ``fx.csv`` holds units per USD, so FX = (units of *to_currency* per USD) / (units
    of *from_currency* per USD), each the latest row dated on or before *as_of*; USD
    is 1; a currency to itself is exactly 1. ``FX("CNY","HKD")`` with CNY 7.0644 and
    HKD 7.80 per USD is 7.80 / 7.0644 = 1.10413. Shapes: scalars give a scalar;
    ranges broadcast as in :func:`~udfs.valuation.PE` (a currency column with a date
    column gives a column, which spills), so ``=PE(C4:C300,H4:K300,FX(G4:G300,D4:D300,
    E4:E300))`` stays one formula.

    Errors, cell by cell: an unknown currency ``#N/A unknown currency ...`` naming the
    known ones; no rate of a currency on or before the date ``#N/A no HKD rate on or
    before <date> in fx.csv`` naming its first; a blank currency ``n.a.``; a date that
    is not one ``#VALUE!``/``#NUM!``; an Excel error passes through; shapes that do not
    fit ``#VALUE!``; while the data folder is invalid ``#N/A data: ...`` naming its first
    problem. ``caller``: the calling cell, filled in by xlwings (Excel does not show
    it): the rates come from the folder its workbook records (``udfs/_reference.py``).
    """
    data = dataset_or_error(caller)
    return broadcast(lambda f, t, d: fx_value(f, t, d, data), from_currency, to_currency,
                     as_of)


def ah_premium_value(a_close: Any, h_close: Any, as_of: Any = None,
                     data: Dataset | str | None = None) -> float | str:
    """One :func:`AH_PREMIUM` (scalars), or the error text."""
    error = first_error(a_close, h_close, as_of)
    if error:
        return error
    a, h = as_number(a_close), as_number(h_close)
    for v in (a, h):
        if isinstance(v, str):
            return v
    if a is Blank or h is Blank:
        return MISSING
    if a < 0 or h <= 0:
        return "#NUM!"
    rate = fx_value("HKD", "CNY", as_of, data)
    if isinstance(rate, str):
        return rate
    return finite(a / (h * rate) - 1)


@xw.func(category="coverbook")
@xw.arg("a_close", ndim=2, err_to_str=True,
        doc="Close of the A share in CNY (600941.SH): a cell or a column.")
@xw.arg("h_close", ndim=2, err_to_str=True,
        doc="Close of the same company's H share in HKD (0941.HK): a cell or a column.")
@xw.arg("as_of", ndim=2, err_to_str=True, doc=_DATE_DOC)
def AH_PREMIUM(a_close, h_close, as_of=None, caller=None):
    """A/H premium: a_close / (h_close × FX("HKD","CNY",as_of)) − 1, a fraction (0.25:
    the A share costs 25 % more than the H share in the same currency; negative: a
    discount). The convention of the Hang Seng China AH Premium Index (the A/H price
    ratio × 100), as a fraction.

    Shapes: scalars give a scalar; ranges broadcast as in :func:`FX`. Errors, cell by
    cell: a blank close (or ``n.a.``) ``n.a.``; an H close ≤ 0 or a negative A close
    ``#NUM!``; text, booleans and dates ``#VALUE!``; no HKD or CNY rate on or before
    the date ``#N/A no ... rate ...``; an Excel error passes through; while the data
    folder is invalid ``#N/A data: ...``. ``caller`` as in :func:`FX`.
    """
    data = dataset_or_error(caller)
    return broadcast(lambda a, h, d: ah_premium_value(a, h, d, data), a_close, h_close,
                     as_of)
