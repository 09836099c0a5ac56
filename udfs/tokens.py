"""Token-price UDFs: LLM API list prices on a date, the cost of a request, price ratios.

Prices come from ``token_prices.csv`` (one row per model and price period, in force
from its date inclusive until the model's next row), in the row's currency per 1M
tokens; a price in another currency than the one asked for converts through
``fx.csv`` at the rate in force on the same date (:func:`convert`). Every look-up
has a date: the ``as_of`` argument, by default the data's as-of date from
``settings.toml`` (shipped: 2024-09-24, the seed report's date), never the clock, so
a workbook recalculates to the same figures on any day.

All data comes through :func:`udfs._reference.dataset_or_error`, once per call; while
the data folder is invalid every UDF here returns its ``#N/A data: file:row:column: …``
error value (UDFs never raise).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from udfs import _xl as xw

from udfs._excel import (NUM_ERROR, Blank, as_date, as_number, as_text, finite, first_error,
                         is_blank, unknown_name)
from udfs._reference import dataset_or_error
from workbook.dataset import BASE_CURRENCY, FX_FILE, TOKEN_PRICES_FILE, Dataset

#: Tokens per price unit: prices are quoted per 1M tokens.
TOKENS_PER_UNIT = 1_000_000
#: Sides a price is quoted for. ``cached_input``: the cached-input price where one is
#: in force, else the input price (cached tokens are then billed as input).
#: ``reasoning``: the output price (reasoning tokens are billed as output: OpenAI's
#: reasoning guide, platform.openai.com/docs/guides/reasoning; DeepSeek bills
#: deepseek-reasoner's chain of thought as output).
SIDES = ("input", "cached_input", "output", "reasoning")

#: Argument help (Excel's function wizard; each at most 255 characters). The currency
#: argument is ``currency_code``: ``Currency`` is a VBA data type, so not a parameter name.
_DATE_DOC = ("Date of the price: a date cell, DATE(2024,9,24), TODAY() or text "
             "2024-09-24; blank = the data's as-of date (settings.toml).")
_CURRENCY_DOC = ("Currency of the result: \"USD\" (default) or \"CNY\"; other currencies "
                 "convert at fx.csv's rate in force on the date.")


def _day(data: Dataset, as_of: Any) -> dt.date | str:
    """The look-up date of an ``as_of`` argument (blank: the data's as-of date), or
    the error text to return."""
    day = as_date(as_of)
    return data.as_of if day is Blank else day


def _currency(data: Dataset, currency: Any, blank: str = BASE_CURRENCY) -> str:
    """The ISO code of a currency argument (``"hkd"`` is ``HKD``; a blank: *blank*,
    USD unless said), or the error text ``#N/A unknown currency ...`` naming the known
    ones (USD and ``fx.csv``'s)."""
    if is_blank(currency):
        return blank
    code = as_text(currency)
    known = data.currencies()
    if code is None or code.upper() not in known:
        return unknown_name("currency", currency, known)
    return code.upper()


def _rate(data: Dataset, currency: str, day: dt.date) -> float | str:
    """Units of *currency* per USD in force on *day*, or the ``#N/A`` text naming the
    first date ``fx.csv`` has a rate of it."""
    if currency == BASE_CURRENCY:
        return 1.0
    rate = data.fx_rate(currency, day)
    if rate is not None:
        return rate.units_per_usd
    first = min(r.date for r in data.fx if r.currency == currency)
    return (f"#N/A no {currency} rate on or before {day.isoformat()} in {FX_FILE}; "
            f"its first rate is dated {first.isoformat()}")


def convert(data: Dataset, amount: float, from_currency: str, to_currency: str,
            day: dt.date) -> float | str:
    """*amount* in *from_currency* expressed in *to_currency*, through USD at the
    rates of *data* in force on *day* (``fx.csv``: units per USD); unchanged when the
    two are the same. Returns the ``#N/A`` text of :func:`_rate` when a rate is
    missing."""
    if from_currency == to_currency:
        return amount
    rate_from = _rate(data, from_currency, day)
    if isinstance(rate_from, str):
        return rate_from
    rate_to = _rate(data, to_currency, day)
    if isinstance(rate_to, str):
        return rate_to
    return finite(amount / rate_from * rate_to)


#: What the token UDFs return on a data folder without ``token_prices.csv``.
NO_TOKEN_PRICES = f"#N/A no token prices in this data folder ({TOKEN_PRICES_FILE})"


def _row(data: Dataset, model: Any, day: dt.date):
    """The price row of *model* in force on *day*, or the ``#N/A`` text: no token
    prices in the data folder at all (an equity-only folder, no ``token_prices.csv``),
    an unknown model (naming the known ones) or a date before its first price (naming
    it)."""
    if not data.has_tokens:
        return NO_TOKEN_PRICES
    name = as_text(model)
    key = name.lower() if name else None
    if key is None or not data.prices.periods(key):
        return unknown_name("model", model, data.prices.models)
    row = data.prices.in_force(key, day)
    if row is None:
        first = data.prices.first(key).in_force_from
        return f"#N/A no price for {key} before {first.isoformat()}, its first priced date"
    return row


def _side(side: Any) -> str:
    """The side name of a ``side`` argument (case-insensitive), or the error text."""
    wanted = as_text(side)
    wanted = wanted.lower() if wanted else wanted
    if wanted not in SIDES:
        return unknown_name("side", side, SIDES)
    return wanted


def _native_price(row, side: str) -> float:
    """The price of *row* on *side* in the row's own currency per 1M tokens."""
    if side == "input":
        return row.input_per_1m
    if side == "cached_input":
        return row.input_per_1m if row.cached_input_per_1m is None else row.cached_input_per_1m
    return row.output_per_1m  # output and reasoning


def price_value(model: Any, side: Any, as_of: Any = None, currency: Any = None,
                data: Dataset | str | None = None) -> float | str:
    """:func:`TOKEN_PRICE` without the error pass-through of its arguments: the price
    per 1M tokens, or the error text. *data*: the dataset or its error value (default:
    the UDFs' current one)."""
    if data is None:
        data = dataset_or_error()
    if isinstance(data, str):  # the data folder is invalid: its first problem
        return data
    day = _day(data, as_of)
    if isinstance(day, str):
        return day
    row = _row(data, model, day)
    if isinstance(row, str):
        return row
    wanted = _side(side)
    if wanted not in SIDES:
        return wanted
    target = _currency(data, currency)
    if target.startswith("#"):
        return target
    return convert(data, _native_price(row, wanted), row.currency, target, day)


def _tokens(count):
    """A token count as a float (blank = 0), or the error text to return."""
    n = as_number(count)
    if n is Blank:
        return 0.0
    if isinstance(n, float) and n < 0:
        return NUM_ERROR
    return n


@xw.func(category="coverbook")
@xw.arg("model", err_to_str=True, doc="Model id as in the price table, e.g. \"o1-mini\".")
@xw.arg("side", err_to_str=True,
        doc="\"input\", \"cached_input\" (the input price when no cached price is in "
            "force), \"output\" or \"reasoning\" (billed as output).")
@xw.arg("as_of", err_to_str=True, doc=_DATE_DOC)
@xw.arg("currency_code", err_to_str=True, doc=_CURRENCY_DOC)
def TOKEN_PRICE(model, side, as_of=None, currency_code=None, caller=None):
    """List price of *model* on *side* per 1M tokens, in force on *as_of*, in
    *currency_code* (USD by default); scalar arguments, scalar result.

    Source: ``workbook/data/token_prices.csv`` (each row cites its own: the seed
    report's price table for 2024-09-24, OpenAI and DeepSeek notices after); the
    row in force is the latest dated on or before *as_of*. A price in another
    currency converts through ``fx.csv`` (units per USD) at the rate in force on
    *as_of*. ``cached_input`` gives the input price while no cached price is in force.

    Errors: a data folder without ``token_prices.csv`` (equity-only) gives ``#N/A no
    token prices in this data folder (token_prices.csv)``, for every UDF here; an
    unknown model, side or currency gives ``#N/A unknown ...`` naming the
    known ones; a date before the model's first price ``#N/A no price for ... before``
    that date; no FX rate on or before the date ``#N/A no CNY rate ...`` naming the
    first; a date that is not one ``#VALUE!``/``#NUM!`` (see ``udfs/_excel.py``); an
    Excel error in any argument passes through; while the data folder is invalid,
    ``#N/A data: ...`` naming its first problem (file:row:column).
    ``caller``: filled in by xlwings with the calling cell (Excel does not show it);
    the data come from the folder the calling workbook records (see
    ``udfs/_reference.py``). Leave it out in a direct call.
    """
    error = first_error(model, side, as_of, currency_code)
    if error:
        return error
    return price_value(model, side, as_of, currency_code, dataset_or_error(caller))


@xw.func(category="coverbook")
@xw.arg("model", err_to_str=True, doc="Model id as in the price table, e.g. \"gpt-4o\".")
@xw.arg("input_tokens", err_to_str=True,
        doc="Input (prompt) tokens, cached ones included; blank = 0.")
@xw.arg("output_tokens", err_to_str=True, doc="Visible output (completion) tokens; blank = 0.")
@xw.arg("reasoning_tokens", err_to_str=True,
        doc="Hidden reasoning tokens (o1 models), billed at the output price; default 0.")
@xw.arg("cached_input_tokens", err_to_str=True,
        doc="How many of the input tokens are a cached prefix, billed at the cached "
            "price where one is in force; default 0; more than the input gives #NUM!.")
@xw.arg("as_of", err_to_str=True, doc=_DATE_DOC)
@xw.arg("currency_code", err_to_str=True, doc=_CURRENCY_DOC)
def TOKEN_COST(model, input_tokens, output_tokens, reasoning_tokens=0, cached_input_tokens=0,
               as_of=None, currency_code=None, caller=None):
    """Cost of one request in *currency_code* (USD by default) at the prices in force
    on *as_of*; scalar arguments, scalar result:

    ((input - cached) x input price + cached x cached price + (output + reasoning)
    x output price) / 1,000,000, prices per 1M tokens (``TOKEN_PRICE``). Cached
    tokens are part of the input; without a cached price in force they are billed
    at the input price. The cost is computed in the model's currency and converted
    once (``fx.csv``, rate in force on *as_of*).

    Token counts: blank = 0; negative -> ``#NUM!``; more cached than input tokens ->
    ``#NUM!``; text, boolean or date -> ``#VALUE!``; an Excel error passes through;
    NaN or infinity, or a cost beyond Excel's largest number -> ``#NUM!``. Unknown
    model or currency, a date before the model's first price or without an FX rate
    -> ``#N/A ...`` with the reason (see ``TOKEN_PRICE``); an invalid data folder ->
    ``#N/A data: ...``. Linear in each token count. ``caller`` as in ``TOKEN_PRICE``.
    """
    error = first_error(model, input_tokens, output_tokens, reasoning_tokens,
                        cached_input_tokens, as_of, currency_code)
    if error:
        return error
    data = dataset_or_error(caller)
    if isinstance(data, str):
        return data
    day = _day(data, as_of)
    if isinstance(day, str):
        return day
    row = _row(data, model, day)
    if isinstance(row, str):
        return row
    target = _currency(data, currency_code)
    if target.startswith("#"):
        return target
    counts = [_tokens(t) for t in (input_tokens, output_tokens, reasoning_tokens,
                                   cached_input_tokens)]
    for c in counts:
        if isinstance(c, str):
            return c
    n_in, n_out, n_reason, n_cached = counts
    if n_cached > n_in:
        return (f"{NUM_ERROR} {n_cached:g} cached input tokens are more than the "
                f"{n_in:g} input tokens; cached tokens are part of the input")
    cost = ((n_in - n_cached) * _native_price(row, "input")
            + n_cached * _native_price(row, "cached_input")
            + (n_out + n_reason) * _native_price(row, "output")) / TOKENS_PER_UNIT
    cost = finite(cost)
    if isinstance(cost, str):
        return cost
    return convert(data, cost, row.currency, target, day)


@xw.func(category="coverbook")
@xw.arg("model_a", err_to_str=True, doc="Model whose price is the numerator, e.g. \"o1-preview\".")
@xw.arg("model_b", err_to_str=True, doc="Model whose price is the denominator, e.g. \"gpt-4o\".")
@xw.arg("side", err_to_str=True,
        doc="\"input\", \"cached_input\", \"output\" or \"reasoning\".")
@xw.arg("as_of", err_to_str=True, doc=_DATE_DOC)
def COST_RATIO(model_a, model_b, side, as_of=None, caller=None):
    """Price of *model_a* / price of *model_b* on *side*, both in force on *as_of*
    (default: the data's as-of date): a multiple (3 = three times as expensive),
    scalar. Prices in different currencies are compared in *model_b*'s currency
    (``fx.csv``, rate in force on *as_of*).

    A zero price of *model_b* gives ``#DIV/0!``; unknown models or sides, dates before
    a model's first price or without an FX rate give ``#N/A ...`` with the reason (see
    ``TOKEN_PRICE``); an Excel error in any argument passes through; an invalid data
    folder gives ``#N/A data: ...``. ``caller`` as in ``TOKEN_PRICE``.
    """
    error = first_error(model_a, model_b, side, as_of)
    if error:
        return error
    data = dataset_or_error(caller)
    if isinstance(data, str):
        return data
    day = _day(data, as_of)
    if isinstance(day, str):
        return day
    row_b = _row(data, model_b, day)
    currency = None if isinstance(row_b, str) else row_b.currency
    b = row_b if isinstance(row_b, str) else price_value(model_b, side, day, currency, data)
    a = price_value(model_a, side, day, currency, data)
    if isinstance(a, str):
        return a
    if isinstance(b, str):
        return b
    if b == 0:
        return "#DIV/0!"
    return finite(a / b)


__all__ = ["TOKEN_PRICE", "TOKEN_COST", "COST_RATIO", "SIDES", "TOKENS_PER_UNIT",
           "price_value", "convert"]
