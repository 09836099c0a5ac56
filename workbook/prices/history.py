"""``prices.csv``: the price history of the data folder, one row per code and trading
day, in the long format ``code,date,close,currency,source``.

- ``code``: the ticker as coverbook writes it (``300308.SZ``; with ``--all``, any
  code an export gives, ``1772.HK``);
- ``date``: the trading day, ``YYYY-MM-DD``;
- ``close``: the unadjusted (不复权) close in ``currency``, greater than 0;
- ``currency``: the stock's listing currency (:func:`listing_currency`), three
  capital letters, never read from a unit in an export header;
- ``source``: where the close came from (``Wind EDE20251103.xlsx``).

The rows are sorted by code, then date (one row per pair), so adding a trading day
inserts one line per stock and a git diff shows exactly those lines. The file is
only ever extended (``coverbook prices import``), or one row replaced on request
(``--replace``); the build reads it and never writes it.

The file is read with pandas (vectorised: a year of daily closes of 5,000 stocks,
about 1.25 million rows, is validated in about a second); a problem names its line,
which is the row's line as coverbook writes the file (one line per row, no quoted
line breaks).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from workbook.prices import PRICES_FILE  # noqa: F401 - the file this module reads

if TYPE_CHECKING:  # imported where used: workbook.dataset imports this module
    from workbook.dataset.errors import Collector, DataError

PRICE_COLUMNS = ("code", "date", "close", "currency", "source")
#: A security code in the history: digits or capitals, a dot, the market
#: (``300308.SZ``, ``0941.HK``, ``AAPL.O``).
CODE_RE = re.compile(r"[0-9A-Z]{1,10}\.[A-Z]{1,3}")
CURRENCY_RE = re.compile(r"[A-Z]{3}")
#: Problems listed per kind before the rest is counted (a file in the wrong format
#: would otherwise give a million lines).
_PER_KIND = 10


def listing_currency(stock) -> str:
    """The listing currency of *stock* (a coverage :class:`~workbook.dataset.Stock`),
    written in the history's ``currency`` column: CNY for every A share. The one place
    that decides it: the ``currency`` column of ``coverage.csv`` (HK, US and B shares)
    replaces this body when it lands."""
    return "CNY"


@dataclass(frozen=True)
class Close:
    """One dated close of the history: the close, its currency and source."""

    date: dt.date
    close: float
    currency: str
    source: str


class CloseHistory:
    """The validated rows of ``prices.csv`` by code, for look-ups by code and day.

    Per code, the days are kept as sorted ordinal numbers (``date.toordinal()``) with
    the closes beside them; rows are materialised as :class:`Close` only when asked.
    """

    def __init__(self, codes, days, closes, currencies, sources):
        import numpy as np

        self._days, self._closes = days, closes
        self._currencies, self._sources = currencies, sources
        self._span: dict[str, tuple[int, int]] = {}
        if len(codes):
            starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
            ends = np.r_[starts[1:], len(codes)]
            self._span = {str(codes[s]): (int(s), int(e)) for s, e in zip(starts, ends)}
        self.rows = len(codes)

    @classmethod
    def empty(cls) -> CloseHistory:
        import numpy as np

        nothing = np.array([], dtype=object)
        return cls(nothing, np.array([], dtype=np.int64), np.array([], dtype=float),
                   nothing, nothing)

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(self._span)

    def _row(self, i: int) -> Close:
        return Close(dt.date.fromordinal(int(self._days[i])), float(self._closes[i]),
                     str(self._currencies[i]), str(self._sources[i]))

    def on_or_before(self, code: str, day: dt.date) -> Close | None:
        """The latest close of *code* dated *day* or earlier, or ``None``."""
        import numpy as np

        span = self._span.get(code)
        if span is None:
            return None
        s, e = span
        i = s + int(np.searchsorted(self._days[s:e], day.toordinal(), side="right"))
        return self._row(i - 1) if i > s else None

    def on(self, code: str, day: dt.date) -> Close | None:
        """The close of *code* on exactly *day*, or ``None``."""
        found = self.on_or_before(code, day)
        return found if found is not None and found.date == day else None

    def all(self, code: str) -> list[Close]:
        """Every close of *code*, by date."""
        s, e = self._span.get(code, (0, 0))
        return [self._row(i) for i in range(s, e)]


def load_price_history(path: Path, errors: list[DataError]) -> CloseHistory:
    """The validated history of *path* (see the module docstring); an empty history
    when the file does not exist (it is optional). Problems, each with line and
    column: a wrong header, a code that is not one, a date that is not
    ``YYYY-MM-DD``, a close that is not a number greater than 0, a currency that is
    not three capital letters, an empty source, and rows out of order or twice for
    one code and day (the file must stay sorted by code, then date)."""
    from workbook.dataset.errors import Collector
    from workbook.dataset.reader import read_text

    if not path.exists():
        return CloseHistory.empty()
    text = read_text(path, errors)
    if text is None:
        return CloseHistory.empty()
    out = Collector(path.name, errors)
    first = text.split("\n", 1)[0].strip().lstrip("\ufeff")
    header = [h.strip() for h in first.split(",")]
    if tuple(header) != PRICE_COLUMNS:
        out.add(1, None, f"the header is {first!r}; it must be {','.join(PRICE_COLUMNS)} "
                "(the file coverbook prices import writes)")
        return CloseHistory.empty()
    return _validated(text, out)


def _validated(text: str, out: Collector) -> CloseHistory:
    import numpy as np
    import pandas as pd

    try:
        frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False,
                            na_filter=False, skip_blank_lines=False, engine="c")
    except (ValueError, pd.errors.ParserError) as exc:
        out.add(None, None, f"not readable as CSV: {' '.join(str(exc).split())}")
        return CloseHistory.empty()
    if list(frame.columns) != list(PRICE_COLUMNS):
        out.add(1, None, f"expected the columns {','.join(PRICE_COLUMNS)}")
        return CloseHistory.empty()
    lines = np.arange(len(frame)) + 2  # the header is line 1
    start = len(out.errors)

    def report(bad, column: str, why) -> None:
        where = np.flatnonzero(bad)
        for i in where[:_PER_KIND]:
            out.add(int(lines[i]), column, why(int(i)))
        if len(where) > _PER_KIND:
            out.add(None, column, f"… and {len(where) - _PER_KIND} more rows like these")

    codes = frame["code"].to_numpy(dtype=object)
    unique = pd.unique(codes)
    bad_codes = {c for c in unique if not CODE_RE.fullmatch(c)}
    if bad_codes:
        report(np.isin(codes, list(bad_codes)), "code",
               lambda i: f"{codes[i]!r} is not a code like 300308.SZ" if codes[i]
               else "empty; a code such as 300308.SZ is required")
    raw_dates = frame["date"]
    stamps = pd.to_datetime(raw_dates, format="%Y-%m-%d", errors="coerce")
    bad_date = (stamps.isna() | (raw_dates.str.len() != 10)).to_numpy()
    report(bad_date, "date", lambda i: f"{raw_dates.iat[i]!r} is not a date YYYY-MM-DD")
    days = (stamps.to_numpy(dtype="datetime64[D]").astype(np.int64)
            + dt.date(1970, 1, 1).toordinal())
    raw_close = frame["close"]
    closes = pd.to_numeric(raw_close, errors="coerce").to_numpy(dtype=float)
    bad_close = ~np.isfinite(closes) | (closes <= 0)
    report(bad_close, "close", lambda i: f"{raw_close.iat[i]!r} is not a close greater "
           "than 0 (a plain decimal such as 108.9)")
    currencies = frame["currency"].to_numpy(dtype=object)
    bad_cur = {c for c in pd.unique(currencies) if not CURRENCY_RE.fullmatch(c)}
    if bad_cur:
        report(np.isin(currencies, list(bad_cur)), "currency",
               lambda i: f"{currencies[i]!r} is not a currency code such as CNY")
    sources = frame["source"].to_numpy(dtype=object)
    report(sources == "", "source", lambda i: "empty; say where the close comes from")
    if len(out.errors) == start and len(codes) > 1:
        same = codes[1:] == codes[:-1]
        # Sorted by code (as Python compares text), then by date within a code.
        order = np.r_[False, (codes[1:] < codes[:-1])
                      | (same & (days[1:] <= days[:-1]))]
        report(order, "date", lambda i: (
            f"{codes[i]} {raw_dates.iat[i]} is already on line {lines[i] - 1}; one row "
            "per code and day" if codes[i] == codes[i - 1] and days[i] == days[i - 1] else
            f"{codes[i]} {raw_dates.iat[i]} comes after {codes[i - 1]} "
            f"{raw_dates.iat[i - 1]}; the rows are sorted by code, then date (coverbook "
            "prices import keeps them so)"))
    if len(out.errors) > start:
        return CloseHistory.empty()
    return CloseHistory(codes, days, closes, currencies, sources)


def format_close(close: float) -> str:
    """*close* as the history writes it: the shortest decimal that reads back as the
    same float (``108.9``, ``1211379763.0`` -> ``1211379763``)."""
    text = repr(float(close))
    return text[:-2] if text.endswith(".0") else text


def row_line(code: str, day: dt.date, close: float, currency: str, source: str) -> str:
    """One line of ``prices.csv`` (without its line break); a source holding a comma
    or a quote is quoted as the csv module does."""
    if any(ch in source for ch in ',"\n\r'):
        source = '"' + source.replace('"', '""') + '"'
    return f"{code},{day.isoformat()},{format_close(close)},{currency},{source}"
