"""``fx.csv``: exchange rates against the US dollar, one row per currency and date.

A row says how many units of *currency* one US dollar bought on *date*
(``CNY,7.0644,2024-09-20``: 1 USD = 7.0644 CNY, the CFETS central parity of that
day). A rate is in force from its date until the next row of the same currency; a
price in another currency converts at the rate in force on the day of the price
look-up (:func:`rate_in_force`). USD has no row: it is the base, its rate is 1.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from workbook.dataset.errors import Collector, DataError
from workbook.dataset.reader import date_cell, number_cell, read_csv

FX_FILE = "fx.csv"
FX_COLUMNS = ("currency", "units_per_usd", "date", "source")
#: The currency every price converts through; it needs no rate.
BASE_CURRENCY = "USD"
#: An ISO 4217 code as the data must spell it.
CURRENCY_RE = re.compile(r"[A-Z]{3}")
#: What analysts write for a currency instead of its ISO code, and the code meant.
CURRENCY_ALIASES = {"RMB": "CNY", "CNH": "CNY", "¥": "CNY", "￥": "CNY", "元": "CNY",
                    "人民币": "CNY", "$": "USD", "US$": "USD", "美元": "USD"}


@dataclass(frozen=True)
class FxRate:
    """Units of ``currency`` per 1 USD, in force from ``date``; ``source`` names where
    the figure comes from."""

    currency: str
    units_per_usd: float
    date: dt.date
    source: str


def currency_problem(text: str) -> str | None:
    """Why *text* is not a currency code as the data files write it (``USD``,
    ``CNY``), with the code meant where it is clear; ``None`` if it is one."""
    if not text:
        return "empty; a currency code such as USD or CNY is required"
    meant = CURRENCY_ALIASES.get(text.upper()) or CURRENCY_ALIASES.get(text)
    if meant:
        return f"unknown currency {text!r}; write its ISO code {meant}"
    if CURRENCY_RE.fullmatch(text):
        return None
    if CURRENCY_RE.fullmatch(text.upper()):
        return f"unknown currency {text!r}; write the code in capitals: {text.upper()}"
    return f"unknown currency {text!r}; write a three-letter ISO code such as USD or CNY"


def rate_in_force(rates: Iterable[FxRate], currency: str, day: dt.date) -> FxRate | None:
    """The rate of *currency* in force on *day*: the latest row dated on or before it,
    or ``None`` when the currency has no row that early."""
    rows = sorted((r for r in rates if r.currency == currency), key=lambda r: r.date)
    i = bisect_right([r.date for r in rows], day)
    return rows[i - 1] if i else None


def load_fx(path: Path, errors: list[DataError]) -> tuple[FxRate, ...]:
    """The exchange rates from ``fx.csv`` (see the module docstring), in file order.

    Problems: a currency that is not a code (or is USD), a rate that is not a number
    greater than 0, a missing or invalid date, two rows of one currency with the same
    date and an empty source. The file is optional: without it (or without rows)
    every price must be in USD, which ``token_prices.csv``'s loader checks.
    """
    if not path.exists():
        return ()
    parsed = read_csv(path, FX_COLUMNS, errors)
    if parsed is None:
        return ()
    _, header, rows = parsed
    out = Collector(path.name, errors)
    complete = all(name in header for name in FX_COLUMNS)
    seen: dict[str, int] = {}
    rates = []
    for line, row in rows:
        start = len(errors)
        row = {name: row.get(name) for name in FX_COLUMNS}
        currency = row["currency"]
        if currency is not None:
            problem = currency_problem(currency)
            if problem:
                out.add(line, "currency", problem)
            elif currency == BASE_CURRENCY:
                out.add(line, "currency", "USD is the base currency (its rate is 1); "
                        "delete this row")
        rate = (number_cell(out, line, "units_per_usd", row["units_per_usd"], positive=True)
                if row["units_per_usd"] is not None else None)
        day = date_cell(out, line, "date", row["date"]) if row["date"] is not None else None
        if row["source"] == "":
            out.add(line, "source", "empty; say where the rate comes from")
        if currency and day is not None and len(errors) == start:
            out.unique(seen, line, "date", f"{currency} {day.isoformat()}")
        if complete and len(errors) == start:
            rates.append(FxRate(currency, rate, day, row["source"]))
    return tuple(rates)
