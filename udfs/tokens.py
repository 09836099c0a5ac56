"""Token-price UDFs: LLM API list prices, costs and price ratios (USD)."""

from __future__ import annotations

from udfs import _xl as xw

from udfs._excel import Blank, as_number, as_text, finite, first_error, unknown_name
from udfs._reference import dataset_or_error

#: Tokens per price unit: prices are quoted in USD per 1M tokens.
TOKENS_PER_UNIT = 1_000_000
#: Sides a price is quoted for. Reasoning tokens are billed as output tokens
#: (OpenAI's o1 pricing, as tabulated in the seed report's price table).
SIDES = ("input", "output", "reasoning")


def _price(model, side, data=None):
    """USD per 1M tokens of *model* on *side*, or the error text to return. *data*:
    the dataset or its error value (default: the UDFs' current one)."""
    error = first_error(model, side)
    if error:
        return error
    if data is None:
        data = dataset_or_error()
    if isinstance(data, str):  # the data folder is invalid: its first problem
        return data
    name = as_text(model)
    row = data.token_price(name) if name else None
    if row is None:
        return unknown_name("model", model, [p.model for p in data.token_prices])
    wanted = as_text(side)
    wanted = wanted.lower() if wanted else wanted
    if wanted not in SIDES:
        return unknown_name("side", side, SIDES)
    return row.input_usd_per_1m if wanted == "input" else row.output_usd_per_1m


def _tokens(count):
    """A token count as a float (blank = 0), or the error text to return."""
    n = as_number(count)
    if n is Blank:
        return 0.0
    if isinstance(n, float) and n < 0:
        return "#NUM!"
    return n


@xw.func(category="coverbook")
@xw.arg("model", err_to_str=True, doc="Model id as in the price table, e.g. \"o1-mini\".")
@xw.arg("side", err_to_str=True,
        doc="\"input\", \"output\" or \"reasoning\" (billed as output).")
def TOKEN_PRICE(model, side):
    """List price of *model* in USD per 1M tokens on *side* (scalar).

    Source: ``workbook/data/token_prices.csv`` (OpenAI list prices as tabulated in the
    seed report, as of 2024-09-24). An unknown model or side gives
    ``#N/A unknown model ...`` naming the known ones.

    While the data folder is invalid: ``#N/A data: ...`` naming its first problem
    (file:row:column).
    """
    return _price(model, side)


@xw.func(category="coverbook")
@xw.arg("model", err_to_str=True, doc="Model id as in the price table, e.g. \"gpt-4o\".")
@xw.arg("input_tokens", err_to_str=True, doc="Input (prompt) tokens; blank = 0.")
@xw.arg("output_tokens", err_to_str=True, doc="Visible output (completion) tokens; blank = 0.")
@xw.arg("reasoning_tokens", err_to_str=True,
        doc="Hidden reasoning tokens (o1 models), billed at the output price; default 0.")
def TOKEN_COST(model, input_tokens, output_tokens, reasoning_tokens=0):
    """Cost in USD of one request: (input x input price + (output + reasoning) x
    output price) / 1,000,000, prices in USD per 1M tokens (scalars).

    Token counts: blank = 0; negative -> ``#NUM!``; text, boolean or date ->
    ``#VALUE!``; an Excel error passes through; NaN or infinity, or a cost beyond
    Excel's largest number -> ``#NUM!``. Unknown model -> ``#N/A unknown model ...``
    naming the known ones; invalid data folder -> ``#N/A data: ...`` naming its
    first problem. Linear in each token count (prices are per token).
    """
    error = first_error(model, input_tokens, output_tokens, reasoning_tokens)
    if error:
        return error
    data = dataset_or_error()
    price_in = _price(model, "input", data)
    if isinstance(price_in, str):
        return price_in
    price_out = _price(model, "output", data)
    counts = [_tokens(t) for t in (input_tokens, output_tokens, reasoning_tokens)]
    for c in counts:
        if isinstance(c, str):
            return c
    n_in, n_out, n_reason = counts
    return finite((n_in * price_in + (n_out + n_reason) * price_out) / TOKENS_PER_UNIT)


@xw.func(category="coverbook")
@xw.arg("model_a", err_to_str=True, doc="Model whose price is the numerator, e.g. \"o1-preview\".")
@xw.arg("model_b", err_to_str=True, doc="Model whose price is the denominator, e.g. \"gpt-4o\".")
@xw.arg("side", err_to_str=True, doc="\"input\", \"output\" or \"reasoning\".")
def COST_RATIO(model_a, model_b, side):
    """Price of *model_a* / price of *model_b* on *side*: a multiple (3 = three times
    as expensive), scalar. A zero price of *model_b* gives ``#DIV/0!``; unknown models
    or sides give ``#N/A unknown ...`` naming the known ones.

    While the data folder is invalid: ``#N/A data: ...`` naming its first problem.
    """
    error = first_error(model_a, model_b, side)
    if error:
        return error
    data = dataset_or_error()
    a = _price(model_a, side, data)
    if isinstance(a, str):
        return a
    b = _price(model_b, side, data)
    if isinstance(b, str):
        return b
    if b == 0:
        return "#DIV/0!"
    return finite(a / b)
