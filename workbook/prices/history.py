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
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from workbook.prices.quote import CODE_RE

if TYPE_CHECKING:  # imported where used: workbook.dataset imports this module
    from workbook.dataset.errors import Collector, DataError

PRICE_COLUMNS = ("code", "date", "close", "currency", "source")
CURRENCY_RE = re.compile(r"[A-Z]{3}")
#: The problem of a history that is not UTF-8 (re-saved by Excel as "CSV" on a
#: Chinese Windows, in GBK): coverbook writes it in UTF-8 and reads it so.
NOT_UTF8 = ("not UTF-8 text; coverbook writes prices.csv in UTF-8: save it as 'CSV UTF-8' "
            "(or restore it from git)")
#: Problems listed per kind before the rest is counted (a file in the wrong format
#: would otherwise give a million lines).
_PER_KIND = 10


def listing_currency(stock, code: str) -> str | None:
    """The currency of the closes of *code*, written in the history's ``currency``
    column: its coverage row's listing currency (*stock*, a
    :class:`~workbook.dataset.Stock`: ``coverage.csv``'s ``currency`` or its
    exchange's), else, for a code outside the coverage (``--all``), its exchange's
    (``workbook.exchanges``); ``None`` for a code of no exchange coverbook knows."""
    if stock is not None:
        return stock.currency
    from workbook.exchanges import listing_currency_of_code

    return listing_currency_of_code(code)


@dataclass(frozen=True)
class Close:
    """One dated close of the history: the close, its currency and source."""

    date: dt.date
    close: float
    currency: str
    source: str


class Labels:
    """A text column as pandas reads it into a category: an integer label per row
    and the distinct texts (a million rows of 5,000 codes hold 5,000 strings)."""

    def __init__(self, labels, names):
        self.labels, self.names = labels, names

    def __getitem__(self, i: int) -> str:
        return str(self.names[self.labels[i]])

    def __len__(self) -> int:
        return len(self.labels)


class CloseHistory:
    """The validated rows of ``prices.csv`` by code, for look-ups by code and day.

    Per code, the days are kept as sorted ordinal numbers (``date.toordinal()``) with
    the closes beside them; rows are materialised as :class:`Close` only when asked.
    """

    def __init__(self, codes: Labels, days, closes, currencies: Labels, sources: Labels):
        self._days, self._closes = days, closes
        self._currencies, self._sources = currencies, sources
        self._span: dict[str, tuple[int, int]] = {}
        labels = codes.labels
        if len(labels):
            import numpy as np

            starts = np.flatnonzero(np.r_[True, labels[1:] != labels[:-1]])
            ends = np.r_[starts[1:], len(labels)]
            self._span = {codes[s]: (int(s), int(e)) for s, e in zip(starts, ends)}
        self.rows = len(labels)

    @classmethod
    def empty(cls) -> CloseHistory:
        """No history (no ``prices.csv``): built without numpy, which a build without
        a history never imports."""
        nothing = Labels((), ())
        return cls(nothing, (), (), nothing, nothing)

    def _row(self, i: int) -> Close:
        return Close(dt.date.fromordinal(int(self._days[i])), float(self._closes[i]),
                     self._currencies[i], self._sources[i])

    def on_or_before(self, code: str, day: dt.date) -> Close | None:
        """The latest close of *code* dated *day* or earlier, or ``None``."""
        span = self._span.get(code)
        if span is None:
            return None
        import numpy as np

        s, e = span
        i = s + int(np.searchsorted(self._days[s:e], day.toordinal(), side="right"))
        return self._row(i - 1) if i > s else None

    def on(self, code: str, day: dt.date) -> Close | None:
        """The close of *code* on exactly *day*, or ``None``."""
        found = self.on_or_before(code, day)
        return found if found is not None and found.date == day else None


def load_price_history(path: Path, errors: list[DataError]) -> CloseHistory:
    """The validated history of *path* (see the module docstring); an empty history
    when the file does not exist (it is optional). Problems, each with line and
    column: a wrong header, a code that is not one, a date that is not
    ``YYYY-MM-DD``, a close that is not a number greater than 0, a currency that is
    not three capital letters, an empty source, and rows out of order or twice for
    one code and day (the file must stay sorted by code, then date)."""
    from workbook.dataset.errors import Collector

    if not path.exists():
        return CloseHistory.empty()
    out = Collector(path.name, errors)
    try:
        with path.open("rb") as f:
            first = f.readline().decode("utf-8-sig")
    except UnicodeDecodeError:
        out.add(1, None, NOT_UTF8)
        return CloseHistory.empty()
    except OSError as exc:
        out.add(None, None, f"cannot read: {exc.strerror or exc}")
        return CloseHistory.empty()
    header = [h.strip() for h in first.strip().split(",")]
    if tuple(header) != PRICE_COLUMNS:
        out.add(1, None, f"the header is {first.strip()!r}; it must be "
                f"{','.join(PRICE_COLUMNS)} (the file coverbook prices import writes)")
        return CloseHistory.empty()
    return _validated(path, out, errors)


def _frame(path: Path, close_type: str):
    import pandas as pd

    types = {name: "category" for name in PRICE_COLUMNS}
    types["close"] = close_type
    return pd.read_csv(path, encoding="utf-8-sig", dtype=types, keep_default_na=False,
                       na_filter=False, engine="c")


def _validated(path: Path, out: Collector, errors: list[DataError]) -> CloseHistory:
    import numpy as np
    import pandas as pd

    try:
        try:
            frame = _frame(path, "float64")  # every close a number: parsed in C
            raw_close = None
        except ValueError:  # some close is not a number: find which, row by row
            frame = _frame(path, "str")
            raw_close = frame["close"].astype(str)
    except UnicodeDecodeError as exc:
        out.add(None, None, f"{NOT_UTF8} (byte {exc.start:,} is not UTF-8)")
        return CloseHistory.empty()
    except (ValueError, pd.errors.ParserError) as exc:
        out.add(None, None, f"not readable as CSV: {' '.join(str(exc).split())}")
        return CloseHistory.empty()
    if list(frame.columns) != list(PRICE_COLUMNS):
        out.add(1, None, f"expected the columns {','.join(PRICE_COLUMNS)}")
        return CloseHistory.empty()
    start = len(out.errors)

    def column(name: str) -> Labels:
        cat = frame[name].array
        return Labels(np.asarray(cat.codes, dtype=np.int64),
                      np.asarray(cat.categories.astype(str), dtype=object))

    def report(bad, name: str, why) -> None:
        where = np.flatnonzero(bad)
        for i in where[:_PER_KIND]:
            out.add(int(i) + 2, name, why(int(i)))  # the header is line 1
        if len(where) > _PER_KIND:
            out.add(None, name, f"… and {len(where) - _PER_KIND} more rows like these")

    def check(col: Labels, name: str, ok, why) -> None:
        """Report the rows whose text fails *ok* (checked once per distinct text)."""
        bad = np.array([not ok(t) for t in col.names], dtype=bool)
        if bad.any():
            report(bad[col.labels], name, lambda i: why(col[i]))

    codes, dates = column("code"), column("date")
    currencies, sources = column("currency"), column("source")
    check(codes, "code", CODE_RE.fullmatch, lambda t: f"{t!r} is not a code like 300308.SZ"
          if t else "empty; a code such as 300308.SZ is required")
    ordinals = np.array([_ordinal(t) for t in dates.names], dtype=np.int64)
    check(dates, "date", lambda t: _ordinal(t) > 0,
          lambda t: f"{t!r} is not a date YYYY-MM-DD")
    days = ordinals[dates.labels] if len(ordinals) else np.array([], dtype=np.int64)
    if raw_close is None:
        closes = frame["close"].to_numpy(dtype=float)
    else:
        closes = pd.to_numeric(raw_close, errors="coerce").to_numpy(dtype=float)
    bad_close = ~np.isfinite(closes) | (closes <= 0)
    shown = raw_close if raw_close is not None else frame["close"]
    report(bad_close, "close", lambda i: f"{str(shown.iat[i])!r} is not a close greater "
           "than 0 (a plain decimal such as 108.9)")
    check(currencies, "currency", CURRENCY_RE.fullmatch,
          lambda t: f"{t!r} is not a currency code such as CNY")
    check(sources, "source", bool, lambda t: "empty; say where the close comes from")
    if len(out.errors) == start and len(days) > 1:
        # Sorted by code (as Python compares text), then by date within a code.
        rank = np.empty(len(codes.names), dtype=np.int64)
        rank[sorted(range(len(codes.names)), key=lambda k: codes.names[k])] = \
            np.arange(len(codes.names))
        ranks = rank[codes.labels]
        same = ranks[1:] == ranks[:-1]
        order = np.r_[False, (ranks[1:] < ranks[:-1]) | (same & (days[1:] <= days[:-1]))]

        def why(i: int) -> str:
            if ranks[i] == ranks[i - 1] and days[i] == days[i - 1]:
                return (f"{codes[i]} {dates[i]} is already on line {i + 1}; one row per "
                        "code and day")
            return (f"{codes[i]} {dates[i]} comes after {codes[i - 1]} {dates[i - 1]}; the "
                    "rows are sorted by code, then date (coverbook prices import keeps "
                    "them so)")

        report(order, "date", why)
    if len(out.errors) > start:
        return CloseHistory.empty()
    return CloseHistory(codes, days, closes, currencies, sources)


def _ordinal(text: str) -> int:
    """``date.toordinal()`` of a ``YYYY-MM-DD`` text, or 0 if it is not one."""
    if len(text) != 10 or text[4] != "-" or text[7] != "-":
        return 0
    try:
        return dt.date.fromisoformat(text).toordinal()
    except ValueError:
        return 0


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
