"""``token_prices.csv``: LLM API list prices in USD per 1M tokens, one row per model."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path

from workbook.dataset.errors import Collector, DataError
from workbook.dataset.reader import date_cell, number_cell, read_csv

TOKEN_PRICES_FILE = "token_prices.csv"
#: Model ids are also written inside formulas, so they are kept to safe characters.
MODEL_RE = re.compile(r"[a-z0-9][a-z0-9.\-]*")
TOKEN_COLUMNS = (
    "model", "display_name", "input_usd_per_1m", "output_usd_per_1m",
    "context_window_tokens", "knowledge_cutoff", "as_of", "source",
)


@dataclass(frozen=True)
class TokenPrice:
    """One LLM's API list price, USD per 1M tokens, input and output."""

    model: str
    display_name: str
    input_usd_per_1m: float
    output_usd_per_1m: float
    context_window_tokens: int
    knowledge_cutoff: str
    as_of: dt.date
    source: str


def load_token_prices(path: Path, errors: list[DataError],
                      model_ids: list[str] | None = None) -> tuple[TokenPrice, ...]:
    """The LLM price table from ``token_prices.csv`` (USD per 1M tokens).

    *model_ids*, if given, receives the model id of every row, valid or not, so that
    claims naming a model whose row has an error are not reported a second time.
    """
    parsed = read_csv(path, TOKEN_COLUMNS, errors)
    if parsed is None:
        return ()
    _, header, rows = parsed
    out = Collector(path.name, errors)
    prices = []
    seen: dict[str, int] = {}
    complete = all(name in header for name in TOKEN_COLUMNS)
    for line, row in rows:
        start = len(errors)
        row = {name: row.get(name) for name in TOKEN_COLUMNS}
        model = (row["model"] or "").lower()
        if model_ids is not None and model:
            model_ids.append(model)
        if row["model"] is None:
            pass
        elif not MODEL_RE.fullmatch(model):
            out.add(line, "model", f"{row['model']!r} is not a model id "
                    "(lower-case letters, digits, '.', '-')" if model
                    else "empty; a model id such as gpt-4o is required")
        else:
            out.unique(seen, line, "model", model)
        numbers = {}
        for column, rule in (("input_usd_per_1m", "non_negative"),
                             ("output_usd_per_1m", "non_negative"),
                             ("context_window_tokens", "positive")):
            if row[column] is not None:
                numbers[column] = number_cell(out, line, column, row[column], **{rule: True})
        price_in = numbers.get("input_usd_per_1m")
        price_out = numbers.get("output_usd_per_1m")
        window = numbers.get("context_window_tokens")
        if window is not None and window != int(window):
            out.add(line, "context_window_tokens", "must be a whole number of tokens")
        as_of = date_cell(out, line, "as_of", row["as_of"]) if row["as_of"] is not None else None
        if complete and len(errors) == start:
            prices.append(TokenPrice(model, row["display_name"] or model, price_in,
                                     price_out, int(window), row["knowledge_cutoff"],
                                     as_of, row["source"]))
    if not rows:
        out.add(None, None, "no models; add one row per model")
    return tuple(prices)

