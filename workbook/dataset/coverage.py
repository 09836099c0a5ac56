"""``coverage.csv``: the key-stocks table (ticker, name, close, close date, rating,
an optional target price, one EPS column per fiscal year). See docs/data-files.md
for what an analyst types.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from workbook.dataset.errors import Collector, DataError
from workbook.dataset.rating_scales import RatingScale
from workbook.dataset.reader import date_cell, nearest, number_cell, read_csv
from workbook.exchanges import (A_SHARE_SUFFIXES, CODE_RE, EXCHANGE_BY_PREFIX,
                                EXCHANGE_NAMES, SEGMENTS, listing_currency_of_code,
                                segment_of)
from workbook.dataset.fx import BASE_CURRENCY, FX_FILE, FxRate, currency_problem, rate_in_force
from workbook.prices import PRICES_FILE
from workbook.prices.history import format_close

if TYPE_CHECKING:
    from workbook.prices.history import CloseHistory

COVERAGE_FILE = "coverage.csv"

#: Tickers in their general form: ASCII digits or capitals, a dot, the suffix of an
#: exchange of ``workbook.exchanges.SEGMENTS`` (``000063.SZ``, ``0941.HK``,
#: ``AAPL.O``); whether the part before the dot fits the suffix is then checked
#: (:func:`exchange_problem`). ``[0-9]``, not ``\d``: ``\d`` also matches full-width
#: digits (０００６３), which an IME can type.
TICKER_RE = CODE_RE
#: Fiscal-year columns: ``EPS 2024E`` (E = estimate) or ``EPS 2023A`` (A = actual).
EPS_COLUMN_RE = re.compile(r"EPS ([0-9]{4})([AE])")
#: Near misses of a year column (``eps2024e``, ``EPS 2024 E``), for the hint.
EPS_COLUMN_LOOSE_RE = re.compile(r"EPS\s*([0-9]{4})\s*([AE])", re.IGNORECASE)

COVERAGE_FIXED = ("code", "name", "close", "close_date", "rating")
#: Columns a table may have or leave out: ``target_price`` (CNY per share; a blank
#: cell is a stock without a target).
#: ``currency`` (ISO code of the close and the target price; blank or no column: the
#: exchange's, ``workbook.exchanges.SEGMENTS``) and ``eps_currency`` (ISO code the EPS
#: is reported in; blank or no column: the row's currency). See docs/markets.md.
#: ``pair``: the code of the same company's other listing (an A share's H share or
#: the reverse), which must be a row of the table too.
#: ``fy_end``: the month (1-12) the stock's fiscal year ends in; blank or no column: 12.
COVERAGE_OPTIONAL = ("target_price", "currency", "eps_currency", "pair", "fy_end")
#: Names kept for columns coverbook may add: no own column (``extra_columns``) may
#: take them, nor the optional columns above. None left: all four names the issue
#: reserved (currency, eps_currency, pair, fy_end) are optional columns now.
COVERAGE_RESERVED: tuple[str, ...] = ()
#: Month names for the notes (``fy_end``).
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
#: The currencies of an A/H pair: the A share's close and the H share's.
PAIR_CURRENCIES = ("CNY", "HKD")
#: An own column's cell that becomes a number: a plain decimal with an optional minus.
#: No ``+`` (Excel takes a typed ``+1`` for a formula), no exponent, no leading zero
#: before another digit (``000063`` is a code: it stays text, zeros and all).
OWN_NUMBER_RE = re.compile(r"-?((0|[1-9][0-9]*)(\.[0-9]+)?|\.[0-9]+)")
#: Significant digits Excel keeps of a number: a longer figure (an ID) stays text.
EXCEL_DIGITS = 15


@dataclass(frozen=True)
class FiscalYear:
    """A fiscal-year column: ``year`` and ``kind`` ``"A"`` (actual) or ``"E"`` (estimate)."""

    year: int
    kind: str

    @property
    def label(self) -> str:
        """``"2024E"``: how the report heads the column."""
        return f"{self.year}{self.kind}"


@dataclass(frozen=True, slots=True)
class Stock:
    """One covered stock. ``close`` (and ``target_price``) in ``currency``; ``eps``
    in ``eps_currency`` per share, one per fiscal
    year in the order of :attr:`Coverage.years`, ``None`` where the cell is blank.
    Slotted: no per-instance dict (a 99,999-stock table holds 13 MB less)."""

    code: str
    name: str
    close: float
    close_date: dt.date
    rating: str
    eps: tuple[float | None, ...]
    #: In ``currency`` per share; ``None`` for a blank cell or a table without the column.
    target_price: float | None = None
    #: The own columns' cells (:attr:`Coverage.extra_columns` order), see
    #: :func:`own_value`.
    extra: tuple[float | str | None, ...] = ()
    #: ISO code of the close and the target price (the listing currency): the
    #: ``currency`` column, else the exchange's (:func:`listing_currency`).
    currency: str = "CNY"
    #: ISO code the EPS is reported in: the ``eps_currency`` column, else ``currency``.
    eps_currency: str = "CNY"
    #: The month (1-12) the fiscal year ends in (``fy_end``; default 12). EPS 2024E
    #: of a stock with ``fy_end`` 3 is its fiscal year 2024 as its own reports label
    #: it: the P/E columns stay per fiscal year, not calendarised.
    fy_end: int = 12


@dataclass(frozen=True)
class Coverage:
    """The key-stocks table: fiscal years (column order) and stocks (row order);
    ``has_targets`` when ``coverage.csv`` has a ``target_price`` column."""

    years: tuple[FiscalYear, ...]
    stocks: tuple[Stock, ...]
    has_targets: bool = False
    #: The analyst's own columns (``settings.toml`` ``extra_columns``), passed through
    #: to the key-stocks table as typed.
    extra_columns: tuple[str, ...] = ()
    #: The A/H pairs (``pair`` column): ``(A share's code, H share's code)``, in the
    #: order of their first row.
    pairs: tuple[tuple[str, str], ...] = ()

    @cached_property
    def currencies(self) -> tuple[str, ...]:
        """Every currency the stocks' closes and EPS are in, in row order."""
        return tuple(dict.fromkeys(c for s in self.stocks for c in (s.currency,
                                                                    s.eps_currency)))

    @cached_property
    def listing_currencies(self) -> dict[str, str]:
        """``{code: currency of its close}`` of every stock (made once)."""
        return {s.code: s.currency for s in self.stocks}

    @cached_property
    def converts(self) -> bool:
        """Whether any stock's EPS is in another currency than its close (its P/E
        converts the EPS at ``fx.csv``'s rates)."""
        return any(s.eps_currency != s.currency for s in self.stocks)


def listing_currency(code: str, coverage: Coverage | None = None) -> str | None:
    """The currency *code*'s close prices are in: its row's ``currency`` in
    *coverage* (``coverage.csv``'s column, or the exchange's default when blank), else
    the exchange's default (``workbook.exchanges.SEGMENTS``: CNY for A shares, USD for
    900xxx.SH and US codes, HKD for 200xxx.SZ and .HK); ``None`` for a code of no
    known exchange. For any table of prices keyed by ticker (a price history's rows
    carry it)."""
    if coverage is not None and code in coverage.listing_currencies:
        return coverage.listing_currencies[code]
    return listing_currency_of_code(code)



def ticker_problem(code: str) -> str | None:
    """Why *code* is not a supported ticker (with a hint), or ``None`` if it is one.

    A code is never repaired: ``63`` is not padded to ``000063`` and ``000063.sz``
    is not upper-cased, because a guess that is wrong looks right in the workbook.
    """
    if TICKER_RE.fullmatch(code):
        return exchange_problem(code)
    if not code:
        return "empty; a ticker such as 000063.SZ is required"
    base = f"{code!r} is not a ticker like 000063.SZ (6 digits, then .SH, .SZ or .BJ)"
    others = "; Hong Kong and US codes are written 0941.HK, AAPL.O (Nasdaq), IBM.N (NYSE)"
    normal = unicodedata.normalize("NFKC", code).upper()
    if normal != code.upper() and TICKER_RE.fullmatch(normal):
        return f"{base}; full-width characters: type {normal}"
    if TICKER_RE.fullmatch(code.upper()):
        return f"{base}; write the exchange in capitals: {code.upper()}"
    if re.fullmatch(r"[0-9]{1,5}(\.(SH|SZ|BJ))?", code, re.IGNORECASE):
        return (f"{base}; fewer than 6 digits: leading zeros were lost (Excel drops "
                "them from a number cell); type all 6 digits in a text cell")
    if re.fullmatch(r"[0-9]{6}", code):
        return f"{base}; add the exchange: .SH (Shanghai), .SZ (Shenzhen) or .BJ (Beijing)"
    swapped = re.fullmatch(r"(SH|SZ|BJ)\.?([0-9]{6})", code, re.IGNORECASE)
    if swapped:
        return (f"{base}; the exchange goes after the digits: "
                f"{swapped.group(2)}.{swapped.group(1).upper()}")
    return base + others


def exchange_problem(code: str) -> str | None:
    """Why *code* (of the general form ``<digits or capitals>.<suffix>``,
    :data:`TICKER_RE`) fits none of its suffix's shapes in
    ``workbook.exchanges.SEGMENTS``, naming the expected shape (and, for an A share,
    the right suffix); ``None`` if it fits."""
    if segment_of(code) is not None:
        return None
    base, _, suffix = code.rpartition(".")
    if suffix in A_SHARE_SUFFIXES and re.fullmatch(r"[0-9]{6}", base):
        right = EXCHANGE_BY_PREFIX.get(base[:2])
        if right is None:
            known = "; ".join(
                f"{EXCHANGE_NAMES[x]} "
                f"{', '.join(p for p, e in EXCHANGE_BY_PREFIX.items() if e == x)}"
                for x in A_SHARE_SUFFIXES)
            return (f"{code!r}: no A-share stock code starts with {base[:2]} (stock codes "
                    f"start with {known})")
        return (f"{code!r}: codes starting with {base[:2]} are listed in "
                f"{EXCHANGE_NAMES[right]}, not {EXCHANGE_NAMES[suffix]}: write {base}.{right}")
    prefixes = [s.prefix for s in SEGMENTS if s.suffix == suffix and s.prefix]
    shape = (f"6 digits starting with {', '.join(prefixes)} ({prefixes[0]}0001.{suffix})"
             if prefixes else next(s.shape_text for s in SEGMENTS if s.suffix == suffix))
    hint = ""
    if suffix in A_SHARE_SUFFIXES and re.fullmatch(r"[0-9]{4,5}", base):
        hint = (f"; a Hong Kong code is written {base}.HK; or leading zeros were lost "
                "(Excel drops them from a number cell): type all 6 digits in a text cell")
    elif suffix in A_SHARE_SUFFIXES and re.fullmatch(r"[0-9]{1,3}", base):
        hint = ("; leading zeros were lost (Excel drops them from a number cell): type all "
                "6 digits in a text cell")
    elif suffix == "HK" and re.fullmatch(r"[0-9]{6}", base):
        hint = "; a 6-digit code is an A share: .SH, .SZ or .BJ"
    return (f"{code!r} does not fit its exchange: a .{suffix} ({EXCHANGE_NAMES[suffix]}) "
            f"code is {shape}{hint}")


def own_value(text: str) -> float | str | None:
    """What an own column's cell holds: a number for a plain decimal
    (:data:`OWN_NUMBER_RE`, at most :data:`EXCEL_DIGITS` significant digits), ``None``
    for a blank cell, else the text as typed (``=1+1`` and ``@x`` included: the
    workbook stores it as literal text, never as a formula)."""
    if text == "":
        return None
    if OWN_NUMBER_RE.fullmatch(text):
        digits = text.lstrip("-").replace(".", "").lstrip("0")
        if len(digits) <= EXCEL_DIGITS:
            return float(text)
    return text


def builtin_column(name: str) -> str | None:
    """Why *name* cannot be an own column (``extra_columns``): the built-in column of
    ``coverage.csv`` it is (compared ignoring case), or ``None``."""
    lowered = name.strip().lower()
    if lowered in COVERAGE_FIXED + COVERAGE_OPTIONAL:
        return f"{name!r} is the built-in column {lowered} of coverage.csv"
    if lowered in COVERAGE_RESERVED:
        return f"{name!r} is reserved for the column {lowered} coverbook adds to coverage.csv"
    if EPS_COLUMN_LOOSE_RE.fullmatch(name.strip()):
        return f"{name!r} is a fiscal-year column name of coverage.csv (EPS <year>A|E)"
    return None


def _year_column_hint(name: str, fixed_missing: list[str]) -> tuple[str, str | None]:
    """The hint for an unknown coverage column, and the missing fixed column it is
    taken for (so that column is not also reported missing), if any."""
    loose = EPS_COLUMN_LOOSE_RE.fullmatch(name.strip())
    if loose:
        return f"did you mean 'EPS {loose.group(1)}{loose.group(2).upper()}'?", None
    guess = nearest(name, fixed_missing)
    if guess:
        return f"did you mean {guess!r}?", guess
    return ("a year column is named like 'EPS 2024E' (A = actual, E = estimate); "
            f"the other columns are {', '.join(COVERAGE_FIXED)} and, optionally, "
            f"{', '.join(COVERAGE_OPTIONAL)}"), None


def load_coverage(path: Path, scale: RatingScale | None, errors: list[DataError],
                  as_of: dt.date | None = None, extra: tuple[str, ...] = (),
                  history: CloseHistory | None = None, need_close: bool = True,
                  listed: tuple[str, ...] = (), fx: tuple[FxRate, ...] | None = ()
                  ) -> Coverage | None:
    """The key-stocks table from ``coverage.csv`` (see docs/data-files.md for its columns).

    *scale* is the rating scale the table is rated on, whose labels the ``rating``
    column must use (``None`` when the scale itself is invalid: ratings are then not
    checked). *as_of* (the settings' date the data describes): no close date may be
    after it (``None``: not checked, the settings being invalid). *extra*: the own
    columns ``settings.toml`` declares (``extra_columns``), each required in the
    header and carried as typed (:func:`own_value`); any other unknown column is
    refused, saying how to declare it. *listed*: names written in ``extra_columns``
    of settings that could not be read (``settings.listed_columns``); a column of
    that name is not reported as unknown (the settings' own error says what is wrong).

    *history*: the validated ``prices.csv``. Each stock's close and close date are
    those of the latest observation on or before *as_of*: the history's rows and the
    row's own ``close``/``close_date`` (which may be left empty when the history has
    one). A row's close that differs from the history's close of the same day is
    refused at that row; so is a stock with no close at all, unless not
    *need_close* (``coverbook prices import`` reads the codes before there is one:
    such a stock then has the close ``nan``).

    *fx*: ``fx.csv``'s rates; a row whose EPS is in another currency than its close
    needs a rate of both (but USD) in force on its close date (:func:`currency_cells`).
    """
    parsed = read_csv(path, None, errors, empty="no stocks; add one row per ticker")
    if parsed is None:
        return None
    header_line, header, rows = parsed
    out = Collector(path.name, errors)
    years: list[FiscalYear] = []
    eps_columns: list[str] = []
    start_errors = len(errors)
    ok = True
    missing = [name for name in COVERAGE_FIXED if name not in header]
    # A near miss of an optional column gets its hint, but it is never "missing".
    absent = [name for name in COVERAGE_OPTIONAL if name not in header]
    claimed: set[str] = set()
    seen_years: set[int] = set()
    own, in_header = set(extra), set(header)
    missing_own = [name for name in extra if name not in in_header]
    for name in header:
        if name in COVERAGE_FIXED or name in COVERAGE_OPTIONAL or name in own:
            continue
        if name in listed:
            ok = False  # declared, but the settings that declare it are invalid
            continue
        match = EPS_COLUMN_RE.fullmatch(name)
        if not match:
            hint, guess = _year_column_hint(
                name, [m for m in missing + absent + missing_own if m not in claimed])
            if guess:
                claimed.add(guess)
            if builtin_column(name) is None:
                hint += (f"; or, to carry your own column into the key-stocks table, "
                         f"declare it in settings.toml: extra_columns = [{_quoted(name)}]")
            out.add(header_line, name, f"unknown column; {hint}")
            ok = False
            continue
        year = FiscalYear(int(match.group(1)), match.group(2))
        if year.year in seen_years:
            out.add(header_line, name, f"fiscal year {year.year} appears twice")
            ok = False
        elif years and year.year < years[-1].year:
            out.add(header_line, name, "year columns must be in increasing order")
            ok = False
        years.append(year)
        seen_years.add(year.year)
        eps_columns.append(name)
    for name in missing:
        if name not in claimed:
            out.add(header_line, name, "missing column; coverage.csv needs "
                    + ", ".join(COVERAGE_FIXED) + " and one column 'EPS <year>A|E' per year")
            ok = False
    for name in missing_own:
        if name not in claimed:
            out.add(header_line, name, "missing column; settings.toml declares it in "
                    "extra_columns: add the column to coverage.csv, or take it out of "
                    "extra_columns")
            ok = False
    if not eps_columns and ok:
        out.add(header_line, None, "no EPS columns; add at least one such as 'EPS 2024E'")
        ok = False
    ok = ok and len(errors) == start_errors
    labels = [b.label for b in scale.bands] if scale else []
    english = {b.label_en.lower(): b.label for b in scale.bands} if scale else {}
    seen: dict[str, int] = {}
    stocks = []
    paired: list[tuple[int, str, str]] = []  # (line, code, the pair cell)
    # fx.csv with problems of its own (None): its rates are not checked against here,
    # so its one mistake is not also a "no rate" line on every converting row.
    rates_known = fx is not None
    fx = fx or ()
    known = known_currencies(fx)
    for line, row in rows:
        start = len(errors)
        code = row.get("code")
        problem = ticker_problem(code) if code is not None else None
        if problem:
            out.add(line, "code", problem)
        elif code is not None:
            out.unique(seen, line, "code", code)
        if row.get("name") == "":
            out.add(line, "name", "empty; a company name is required")
        close = number_cell(out, line, "close", row["close"], positive=True,
                            blank_ok=True) if "close" in row else None
        close_date = None
        if "close_date" in row and (row["close_date"] or row.get("close")):
            close_date = date_cell(out, line, "close_date", row["close_date"])
        if close is None and close_date is not None and row.get("close") == "":
            out.add(line, "close", f"empty, but close_date says {close_date}: give the "
                    "close of that day, or leave both empty to take the latest close of "
                    f"{PRICES_FILE}")
        if close_date is not None and as_of is not None and close_date > as_of:
            out.add(line, "close_date", f"{close_date} is after as_of {as_of} in "
                    "settings.toml, the date the data describes: a close cannot be later; "
                    "correct the close date, or set as_of to the day the data describes")
        rating = row.get("rating")
        if labels and rating is not None and rating not in labels:
            if rating.lower() in english:
                hint = f"that is the English label of {english[rating.lower()]}; " \
                       f"write {english[rating.lower()]}"
            else:
                hint = f"known: {', '.join(labels)}"
            out.add(line, "rating", f"{rating!r} is not a rating of the {scale.key} scale "
                    f"({scale.broker} {scale.title}); {hint}"
                    if rating else f"empty; a rating is required ({', '.join(labels)})")
        target = number_cell(out, line, "target_price", row["target_price"], blank_ok=True,
                             positive=True) if "target_price" in row else None
        eps = tuple(number_cell(out, line, c, row[c], blank_ok=True) for c in eps_columns)
        if code is not None and not problem and row.get("close") is not None \
                and len(errors) == start:
            close, close_date = _resolve_close(out, line, code, close, close_date, history,
                                               as_of, need_close)
        currencies = currency_cells(out, line, row, code if not problem else None,
                                    close_date, fx, known, rates_known)
        fy_end = fy_end_cell(out, line, row.get("fy_end") or "")
        if row.get("pair") and not problem:
            paired.append((line, code, row["pair"]))
        if ok and len(errors) == start:
            own = tuple(own_value(row[c]) for c in extra) if extra else ()
            stocks.append(Stock(code, row["name"], close, close_date, rating, eps, target,
                                own, *currencies, fy_end))
    pairs = check_pairs(out, paired, {s.code: s for s in stocks}) if ok else ()
    return (Coverage(tuple(years), tuple(stocks), "target_price" in header, extra, pairs)
            if ok else None)


def _resolve_close(out: Collector, line: int, code: str, close: float | None,
                   close_date: dt.date | None, history: CloseHistory | None,
                   as_of: dt.date | None, need_close: bool
                   ) -> tuple[float | None, dt.date | None]:
    """The close and close date of *code*: the later of the row's own (*close* on
    *close_date*, if given) and the history's latest on or before *as_of*; a problem
    at *line* if the two disagree on one day or there is no close at all."""
    if history is not None and close_date is not None:
        same_day = history.on(code, close_date)
        if same_day is not None and same_day.close != close:
            out.add(line, "close", f"{format_close(close)} on {close_date} differs from "
                    f"{PRICES_FILE}'s {format_close(same_day.close)} for the same day "
                    f"(source {same_day.source}); "
                    f"correct one of them, or empty close and close_date here to take "
                    f"{PRICES_FILE}'s")
            return None, None
    latest = (history.on_or_before(code, as_of)
              if history is not None and as_of is not None else None)
    if latest is not None and (close_date is None or latest.date > close_date):
        return latest.close, latest.date
    if close is None:
        if need_close:
            held = (f"{PRICES_FILE} has no close of {code} on or before as_of {as_of}"
                    if history is not None and history.rows else f"there is no {PRICES_FILE}")
            out.add(line, "close", f"empty and {held}: type the close and its close_date, "
                    "or import an export that has it (coverbook prices import FILE)")
        return (None, None) if need_close else (float("nan"), as_of)
    return close, close_date


def fy_end_cell(out: Collector, line: int, text: str) -> int:
    """A row's fiscal year-end month: 12 for a blank cell, else 1 to 12 as typed
    (``3``, ``03``); anything else is refused at the ``fy_end`` cell."""
    if not text:
        return 12
    if re.fullmatch(r"[0-9]{1,2}", text) and 1 <= int(text) <= 12:
        return int(text)
    out.add(line, "fy_end", f"{text!r} is not a month: write the month the fiscal year "
            "ends in as a number, 1 to 12 (3 for a year ending in March; blank: 12)")
    return 12


def check_pairs(out: Collector, paired: list[tuple[int, str, str]],
                stocks: dict[str, Stock]) -> tuple[tuple[str, str], ...]:
    """The A/H pairs the ``pair`` cells declare (*paired*: line, code, cell), each
    ``(A code, H code)`` once; problems at the ``pair`` cell: a code not in the table
    (*stocks*, the valid rows), the row's own code, a pair whose closes are not CNY
    and HKD (:data:`PAIR_CURRENCIES`), two rows disagreeing, a listing in two pairs."""
    named = {code: other for _, code, other in paired}
    pairs: list[tuple[str, str]] = []
    partner: dict[str, str] = {}
    for line, code, other in paired:
        if other == code:
            out.add(line, "pair", f"{other!r} is this row's own code; name the other "
                    "listing's code (600941.SH and 0941.HK name each other), or clear it")
            continue
        if other not in stocks:
            out.add(line, "pair", f"{other!r} is not covered: a pair names the other "
                    "listing's code, which must be a row of coverage.csv too; add its row, "
                    "or clear the cell")
            continue
        if named.get(other, code) != code:
            out.add(line, "pair", f"{other} names {named[other]} as its pair, not {code}: "
                    "a listing has one other listing")
            continue
        if code not in stocks:
            continue  # the row's own problems are reported at their cells
        mine, theirs = stocks[code].currency, stocks[other].currency
        if {mine, theirs} != set(PAIR_CURRENCIES) or mine == theirs:
            out.add(line, "pair", f"an A/H pair joins an A share in CNY and its H share "
                    f"in HKD: {code} is in {mine}, {other} in {theirs}")
            continue
        a, h = (code, other) if mine == "CNY" else (other, code)
        for x in (a, h):
            if partner.get(x, (h if x == a else a)) != (h if x == a else a):
                out.add(line, "pair", f"{x} is already paired with {partner[x]}")
                break
        else:
            if (a, h) not in pairs:
                pairs.append((a, h))
                partner[a], partner[h] = h, a
    return tuple(pairs)


def known_currencies(fx: tuple[FxRate, ...]) -> frozenset[str]:
    """The currencies a row may name: USD, the exchanges' and ``fx.csv``'s."""
    return frozenset({BASE_CURRENCY, *(s.currency for s in SEGMENTS),
                      *(r.currency for r in fx)})


def currency_cells(out: Collector, line: int, row: dict[str, str], code: str | None,
                   close_date: dt.date | None, fx: tuple[FxRate, ...],
                   known: frozenset[str] | None = None, rates_known: bool = True
                   ) -> tuple[str, str]:
    """A row's ``(currency, eps_currency)``: its cells, blank (or no column) taking
    the exchange's currency of *code* and the row's currency. Problems, each at its
    cell: not an ISO code; a code neither USD, nor an exchange's currency, nor in
    ``fx.csv`` (unknown); EPS in another currency than the close while ``fx.csv``
    has no rate of one of them (USD needs none) in force on *close_date* (the
    column named is the one that states the currency, ``code`` for a default).
    Without *rates_known* (``fx.csv`` has problems of its own, reported there) the
    two checks against ``fx.csv`` are left out."""
    known = known_currencies(fx) if known is None else known
    found: dict[str, tuple[str, str]] = {}  # what: (currency, the column stating it)
    default = listing_currency_of_code(code) if code else None
    if not row.get("currency") and not row.get("eps_currency"):  # the usual row
        return default or "CNY", default or "CNY"
    for column, fallback in (("currency", (default, "code")),
                             ("eps_currency", None)):
        text = row.get(column) or ""
        if not text:
            found[column] = fallback or found["currency"]
            continue
        problem = currency_problem(text)
        if problem is None and rates_known and text not in known:
            problem = (f"unknown currency {text!r}: {FX_FILE} has no rate of it; add its "
                       f"rates (units per USD) to {FX_FILE}, or write one of "
                       f"{', '.join(sorted(known))}")
        if problem:
            out.add(line, column, problem)
            found[column] = (None, column)
        else:
            found[column] = (text, column)
    (price, price_at), (eps, eps_at) = found["currency"], found["eps_currency"]
    if price and eps and price != eps and close_date is not None and rates_known:
        for currency, at in ((price, price_at), (eps, eps_at)):
            if currency != BASE_CURRENCY and rate_in_force(fx, currency, close_date) is None:
                out.add(line, at, f"no {currency} rate in {FX_FILE} on or before the close "
                        f"date {close_date}: the EPS in {eps} converts into {price} at the "
                        f"rates in force then; add a {currency} row (units per USD) dated "
                        f"on or before it to {FX_FILE}")
    return price or "CNY", eps or price or "CNY"


def _quoted(name: str) -> str:
    """*name* as a TOML string in double quotes."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'

