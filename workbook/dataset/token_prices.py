"""``token_prices.csv``: LLM API list prices per 1M tokens, one row per model and
price period.

A row is in force from its ``in_force_from`` date (inclusive) until the next row of
the same model (the day before that row's date); the last row of a model stays in
force. Prices are in the row's ``currency`` per 1M tokens: ``input`` (uncached
input; DeepSeek's "cache miss"), ``cached_input`` (blank: no cached price in that
period, cached tokens are then billed at the input price) and ``output`` (visible
output; reasoning tokens are billed at the output price too). ``reasoning`` says
whether the model is a reasoning model (bills hidden reasoning tokens); it is a fact
of the model, the same on every row of it.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from workbook.dataset.errors import Collector, DataError
from workbook.dataset.fx import BASE_CURRENCY, FX_FILE, currency_problem
from workbook.dataset.reader import date_cell, number_cell, read_csv

TOKEN_PRICES_FILE = "token_prices.csv"
#: Model ids are also written inside formulas, so they are kept to safe characters.
MODEL_RE = re.compile(r"[a-z0-9][a-z0-9.\-]*")
TOKEN_COLUMNS = (
    "model", "display_name", "in_force_from", "input_per_1m", "cached_input_per_1m",
    "output_per_1m", "currency", "reasoning", "context_window_tokens", "knowledge_cutoff",
    "source",
)
#: How ``reasoning`` is written (case-insensitive): yes/no, or TRUE/FALSE as Excel
#: re-saves a boolean cell.
_YES, _NO = ("yes", "true", "是"), ("no", "false", "否")


@dataclass(frozen=True)
class TokenPrice:
    """One price period of one LLM: prices per 1M tokens in ``currency``, in force
    from ``in_force_from`` until the model's next row. ``cached_input_per_1m`` is
    ``None`` when there was no cached-input price; ``context_window_tokens`` is
    ``None`` when not known."""

    model: str
    display_name: str
    in_force_from: dt.date
    input_per_1m: float
    cached_input_per_1m: float | None
    output_per_1m: float
    currency: str
    reasoning: bool
    context_window_tokens: int | None
    knowledge_cutoff: str
    source: str


class PriceHistory:
    """The price rows of every model, for look-ups by model and date.

    ``models`` lists the model ids in the order they first appear in the file;
    :meth:`periods` gives a model's rows by date.
    """

    def __init__(self, prices: Iterable[TokenPrice]):
        self.rows = tuple(prices)
        by_model: dict[str, list[TokenPrice]] = {}
        for row in self.rows:
            by_model.setdefault(row.model, []).append(row)
        self._periods = {m: sorted(rows, key=lambda r: r.in_force_from)
                         for m, rows in by_model.items()}
        self._dates = {m: [r.in_force_from for r in rows] for m, rows in self._periods.items()}
        self.models = tuple(by_model)

    def periods(self, model: str) -> list[TokenPrice]:
        """The rows of *model* (lower-case id) by date; empty if unknown."""
        return self._periods.get(model, [])

    def in_force(self, model: str, day: dt.date) -> TokenPrice | None:
        """The row of *model* in force on *day* (the latest dated on or before it), or
        ``None`` if *model* is unknown or *day* is before its first price."""
        dates = self._dates.get(model)
        if not dates:
            return None
        i = bisect_right(dates, day)
        return self._periods[model][i - 1] if i else None

    def until(self, row: TokenPrice) -> dt.date | None:
        """The last day *row* is in force (the day before the model's next row), or
        ``None`` for the model's latest row (still in force)."""
        rows = self._periods[row.model]
        i = rows.index(row)
        return rows[i + 1].in_force_from - dt.timedelta(days=1) if i + 1 < len(rows) else None

    def first(self, model: str) -> TokenPrice | None:
        """The first row of *model*, or ``None`` if unknown."""
        rows = self._periods.get(model)
        return rows[0] if rows else None

    def latest(self, model: str) -> TokenPrice | None:
        """The latest row of *model*, or ``None`` if unknown."""
        rows = self._periods.get(model)
        return rows[-1] if rows else None


def _reasoning(out: Collector, line: int, text: str) -> bool | None:
    if text.lower() in _YES:
        return True
    if text.lower() in _NO:
        return False
    out.add(line, "reasoning", (f"{text!r} is not yes or no" if text else "empty")
            + "; yes for a reasoning model (hidden reasoning tokens billed as output), "
            "else no")
    return None


def load_token_prices(path: Path, errors: list[DataError],
                      model_ids: list[str] | None = None,
                      fx_currencies: Iterable[str] | None = ()) -> tuple[TokenPrice, ...]:
    """The LLM price history from ``token_prices.csv`` (see the module docstring).

    *fx_currencies*: the currencies ``fx.csv`` has rates for; a price in any other
    currency than USD is an error (``None``: fx.csv has problems of its own, reported
    there, and this check is left out). *model_ids*, if given, receives the model id of
    every row, valid or not, so that claims naming a model whose row has an error are
    not reported a second time.

    Problems, each with its row and column: a model id that is not one, two rows of
    one model with the same date, a missing or invalid date, a negative or missing
    price, a cached-input price above the input price, an unknown currency or one
    without a rate in ``fx.csv``, ``reasoning`` not yes/no or different on two rows
    of one model, a context window that is not a whole number above 0, an empty
    source, and a file without rows.
    """
    parsed = read_csv(path, TOKEN_COLUMNS, errors,
                      empty="no models; add one row per model and price period")
    if parsed is None:
        return ()
    _, header, rows = parsed
    out = Collector(path.name, errors)
    known_currencies = {BASE_CURRENCY, *(fx_currencies or ())}
    prices = []
    seen: dict[str, int] = {}
    reasoning_of: dict[str, tuple[bool, int]] = {}
    complete = all(name in header for name in TOKEN_COLUMNS)
    for line, row in rows:
        start = len(errors)
        row = {name: row.get(name) for name in TOKEN_COLUMNS}
        model = (row["model"] or "").lower()
        if model_ids is not None and model:
            model_ids.append(model)
        model_ok = False
        if row["model"] is None:
            pass
        elif not MODEL_RE.fullmatch(model):
            out.add(line, "model", f"{row['model']!r} is not a model id "
                    "(lower-case letters, digits, '.', '-')" if model
                    else "empty; a model id such as gpt-4o is required")
        else:
            model_ok = True
        since = (date_cell(out, line, "in_force_from", row["in_force_from"])
                 if row["in_force_from"] is not None else None)
        if model_ok and since is not None:
            key = f"{model} {since.isoformat()}"
            if key in seen:
                out.add(line, "in_force_from", f"{model} already has a price in force from "
                        f"{since.isoformat()} on row {seen[key]}; one row per model and date")
            else:
                seen[key] = line
        numbers: dict[str, float | None] = {}
        for column in ("input_per_1m", "cached_input_per_1m", "output_per_1m"):
            if row[column] is not None:
                numbers[column] = number_cell(out, line, column, row[column],
                                              non_negative=True,
                                              blank_ok=column == "cached_input_per_1m")
        price_in, cached = numbers.get("input_per_1m"), numbers.get("cached_input_per_1m")
        if price_in is not None and cached is not None and cached > price_in:
            out.add(line, "cached_input_per_1m", f"{row['cached_input_per_1m']} is above the "
                    f"input price {row['input_per_1m']}; cached input is billed at a "
                    "discount (leave it blank when there is no cached price)")
        currency = row["currency"]
        if currency is not None:
            problem = currency_problem(currency)
            if problem:
                out.add(line, "currency", problem)
            elif fx_currencies is not None and currency not in known_currencies:
                out.add(line, "currency", f"{currency} has no rate in {FX_FILE}; add a row "
                        f"{currency},<units per USD>,<date>,<source> there")
        reasoning = _reasoning(out, line, row["reasoning"]) if row["reasoning"] is not None \
            else None
        if model_ok and reasoning is not None:
            first = reasoning_of.setdefault(model, (reasoning, line))
            if first[0] != reasoning:
                out.add(line, "reasoning", f"{model} is {'' if first[0] else 'not '}a reasoning "
                        f"model on row {first[1]}; whether a model bills reasoning tokens is "
                        "a fact of the model, the same on every row")
        window = None
        if row["context_window_tokens"]:
            window = number_cell(out, line, "context_window_tokens",
                                 row["context_window_tokens"], positive=True)
            if window is not None and window != int(window):
                out.add(line, "context_window_tokens", "must be a whole number of tokens")
        if row["source"] == "":
            out.add(line, "source", "empty; say where the price comes from")
        if complete and len(errors) == start:
            prices.append(TokenPrice(
                model, row["display_name"] or model, since, price_in, cached,
                numbers["output_per_1m"], currency, reasoning,
                int(window) if window is not None else None, row["knowledge_cutoff"],
                row["source"]))
    return tuple(prices)
