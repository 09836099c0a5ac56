"""Read and validate the data files into domain records.

Stages: read text (encoding) -> parse rows -> validate -> records. Every problem is
collected as a :class:`DataError` naming file, row (the line number in the file, the
header being row 1) and column (the header's name), and :func:`load_dataset` raises
one :class:`DataErrors` holding all of them, before anything is written anywhere.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import math
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from xlsxwriter.utility import xl_col_to_name

from workbook import DATA_DIR

COVERAGE_FILE = "coverage.csv"
TOKEN_PRICES_FILE = "token_prices.csv"
RATING_SCALES_FILE = "rating_scales.toml"
CLAIMS_FILE = "claims.csv"
REPORT_PE_FILE = "report_pe.csv"
#: Every file coverbook reads from a data folder.
DATA_FILES = (COVERAGE_FILE, TOKEN_PRICES_FILE, RATING_SCALES_FILE, CLAIMS_FILE, REPORT_PE_FILE)

#: Encodings tried in order: UTF-8 (with or without BOM), then GB18030, the superset
#: of GBK that Excel on a Chinese-locale Windows uses for "CSV".
ENCODINGS = ("utf-8-sig", "gb18030")

#: Tickers: six ASCII digits and the exchange suffix Shanghai (.SH), Shenzhen (.SZ)
#: or Beijing (.BJ), the A-share markets this product supports. ``[0-9]``, not
#: ``\d``: ``\d`` also matches full-width digits (０００６３), which an IME can type.
TICKER_RE = re.compile(r"[0-9]{6}\.(SH|SZ|BJ)")
#: Fiscal-year columns: ``EPS 2024E`` (E = estimate) or ``EPS 2023A`` (A = actual).
EPS_COLUMN_RE = re.compile(r"EPS ([0-9]{4})([AE])")
#: Near misses of a year column (``eps2024e``, ``EPS 2024 E``), for the hint.
EPS_COLUMN_LOOSE_RE = re.compile(r"EPS\s*([0-9]{4})\s*([AE])", re.IGNORECASE)
#: A plain decimal as analysts type it; no thousands separators, no dashes for n.a.
NUMBER_RE = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
#: Model ids are also written inside formulas, so they are kept to safe characters.
MODEL_RE = re.compile(r"[a-z0-9][a-z0-9.\-]*")
#: Dates: ISO ``2024-09-23``, or ``2024/9/23`` as Excel on a Chinese-locale Windows
#: re-saves a date cell (its short date format). Year first, so never ambiguous.
DATE_RE = re.compile(r"([0-9]{4})[-/]([0-9]{1,2})[-/]([0-9]{1,2})")
#: Longest text an Excel cell holds (UTF-16 code units); XlsxWriter would cut longer
#: text silently (``write_string`` returns -2), so the loader rejects it instead.
EXCEL_MAX_TEXT = 32767

COVERAGE_FIXED = ("code", "name", "close", "close_date", "rating")
TOKEN_COLUMNS = (
    "model", "display_name", "input_usd_per_1m", "output_usd_per_1m",
    "context_window_tokens", "knowledge_cutoff", "as_of", "source",
)
CLAIM_COLUMNS = ("id", "model_a", "model_b", "metric", "side", "printed", "statement")
CLAIM_METRICS = {
    "ratio": ("input", "output"),
    "saving": ("input+output",),
}


@dataclass(frozen=True)
class DataError:
    """One problem in a data file: ``file:row:column: message``."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f":{self.row}"
        if self.column is not None:
            where += f":{self.column}"
        return f"{where}: {self.message}"


class DataErrors(Exception):
    """All the problems found in the data files; ``str()`` gives one line each."""

    def __init__(self, errors: Iterable[DataError]):
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


@dataclass(frozen=True)
class FiscalYear:
    """A fiscal-year column: ``year`` and ``kind`` ``"A"`` (actual) or ``"E"`` (estimate)."""

    year: int
    kind: str

    @property
    def label(self) -> str:
        """``"2024E"``: how the report heads the column."""
        return f"{self.year}{self.kind}"


@dataclass(frozen=True)
class Stock:
    """One covered stock. ``close`` in CNY; ``eps`` in CNY per share, one per fiscal
    year in the order of :attr:`Coverage.years`, ``None`` where the cell is blank."""

    code: str
    name: str
    close: float
    close_date: dt.date
    rating: str
    eps: tuple[float | None, ...]


@dataclass(frozen=True)
class Coverage:
    """The key-stocks table: fiscal years (column order) and stocks (row order)."""

    years: tuple[FiscalYear, ...]
    stocks: tuple[Stock, ...]


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


@dataclass(frozen=True)
class Band:
    """One rating band of a scale: label and its edges (fractions, ±inf at the ends)."""

    label: str
    label_en: str
    lower: float
    lower_inclusive: bool
    upper: float
    upper_inclusive: bool

    def contains(self, x: float) -> bool:
        """True if the fraction *x* lies in this band, edges as stated."""
        above = x > self.lower or (self.lower_inclusive and x == self.lower)
        below = x < self.upper or (self.upper_inclusive and x == self.upper)
        return above and below


@dataclass(frozen=True)
class RatingScale:
    """A broker rating scale: bands from highest to lowest, and what they measure."""

    key: str
    title: str
    title_en: str
    benchmark: str
    benchmark_en: str
    horizon_months: int
    measure: str
    bands: tuple[Band, ...]


@dataclass(frozen=True)
class Claim:
    """A price claim printed in the report, to be recomputed from the token prices.

    ``metric`` ``"ratio"``: price of model_a / price of model_b on ``side``;
    ``"saving"``: 1 - cost(model_a) / cost(model_b) for 1M input plus 1M output tokens.
    ``printed`` is the report's figure (a multiple, or a fraction for savings).
    """

    id: str
    model_a: str
    model_b: str
    metric: str
    side: str
    printed: float
    statement: str


@dataclass(frozen=True)
class Dataset:
    """Everything the workbook is built from, validated."""

    folder: Path
    coverage: Coverage
    token_prices: tuple[TokenPrice, ...]
    scales: dict[str, RatingScale]
    claims: tuple[Claim, ...]
    #: The report's printed P/E per (code, fiscal-year label); used by checks only.
    report_pe: dict[tuple[str, str], float] = field(default_factory=dict)

    def token_price(self, model: str) -> TokenPrice | None:
        """The price row of *model* (case-insensitive), or ``None``."""
        wanted = model.strip().lower()
        return next((p for p in self.token_prices if p.model == wanted), None)


# --- reading ----------------------------------------------------------------


class _Collector:
    """Collects errors of one file, so each stage can go on after a bad cell."""

    def __init__(self, file: str, errors: list[DataError]):
        self.file = file
        self.errors = errors

    def add(self, row: int | None, column: str | None, message: str) -> None:
        self.errors.append(DataError(self.file, row, column, message))

    def unique(self, seen: dict[str, int], line: int, column: str, key: str) -> bool:
        """Record that *key* (a ticker, model or id) is on *line*; ``False``, with an
        error naming the first row, if it was already seen."""
        if key in seen:
            self.add(line, column, f"{key} already appears on row {seen[key]}")
            return False
        seen[key] = line
        return True


def _nearest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate *name* is most likely a typo of (case-insensitive), or ``None``.

    difflib's ratio with its usual cutoff 0.6: ``clsoe`` -> ``close``, ``Code`` ->
    ``code``; names sharing too little (``price`` vs ``close``) get no suggestion.
    """
    lowered = {c.lower(): c for c in candidates}
    match = difflib.get_close_matches(name.strip().lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[match[0]] if match else None


def _column_letter(index: int) -> str:
    """Excel's letter of the zero-based column *index*: 0 -> ``A``, 27 -> ``AB``."""
    return xl_col_to_name(index)


def _line_of(raw: bytes, offset: int) -> int:
    """Line number (1-based) of byte *offset* in *raw*."""
    return raw.count(b"\n", 0, offset) + 1


def read_text(path: Path, errors: list[DataError]) -> str | None:
    """The text of *path*, decoded with the first of :data:`ENCODINGS` that fits.

    A file none of them decodes gets one error naming the encodings tried and the
    line where each failed (the row is where the last one, GB18030, failed).
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        errors.append(DataError(path.name, None, None, f"file not found in {path.parent}"))
        return None
    except OSError as exc:
        errors.append(DataError(path.name, None, None, f"cannot read: {exc.strerror}"))
        return None
    failures: list[tuple[str, int]] = []
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError as exc:
            failures.append((encoding, exc.start))
    names = {"utf-8-sig": "UTF-8 (with or without BOM)", "gb18030": "GB18030 (GBK)"}
    tried = "; ".join(f"{names.get(enc, enc)} fails at line {_line_of(raw, at)}"
                      for enc, at in failures)
    what = ""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        what = "it is UTF-16 (Excel's 'Unicode Text'); "
    errors.append(DataError(
        path.name, _line_of(raw, failures[-1][1]), None,
        f"cannot decode the text ({tried}); {what}save it as UTF-8 (Excel: 'CSV UTF-8') "
        "or GB18030/GBK (Excel on a Chinese Windows: 'CSV')",
    ))
    return None


def _csv_records(text: str, out: _Collector) -> list[tuple[int, list[str]]] | None:
    """``(line, fields)`` of every record; *line* is where the record starts in the
    file (a quoted field may span lines), counting the header as line 1."""
    reader = csv.reader(io.StringIO(text, newline=""))
    records = []
    start = 1
    try:
        for record in reader:
            records.append((start, record))
            start = reader.line_num + 1
    except csv.Error as exc:
        out.add(start, None, f"not readable as CSV: {exc}")
        return None
    return records


def read_csv(path: Path, expected: tuple[str, ...] | None, errors: list[DataError],
             ) -> tuple[int, list[str], list[tuple[int, dict[str, str]]]] | None:
    """The header's line, the header and ``(line, {column: text})`` rows of a CSV
    file; cells are stripped; lines are the file's line numbers.

    The header is the first non-blank line. With *expected*, it must hold exactly
    those columns (any order); missing, unknown (with the nearest expected name as a
    hint) and repeated columns are errors. Blank lines are skipped. Blank columns to
    the right of the last named one, which Excel writes for a formerly used range,
    are ignored when they are empty; a value there is an error.

    Rows are returned even when the header has errors (callers compare the error
    count): the returned header holds each named column once, and a row holds only
    those columns. ``None`` only when the file cannot be read at all.
    """
    text = read_text(path, errors)
    if text is None:
        return None
    out = _Collector(path.name, errors)
    records = _csv_records(text, out)
    if records is None:
        return None
    records = [(line, r) for line, r in records if any(cell.strip() for cell in r)]
    if not records:
        out.add(1, None, "file is empty; expected a header row")
        return None
    header_line, raw_header = records[0]
    header = [h.strip() for h in raw_header]
    while header and header[-1] == "":
        header.pop()
    for i, name in enumerate(header):
        if name == "":
            out.add(header_line, f"column {_column_letter(i)}",
                    "the header cell is empty; name the column or delete it")
    for name in sorted({h for h in header if h and header.count(h) > 1}):
        out.add(header_line, name, "column appears more than once; the first one is used")
    if expected is not None:
        missing = [name for name in expected if name not in header]
        claimed = set()
        for name in header:
            if name and name not in expected:
                guess = _nearest(name, [m for m in missing if m not in claimed])
                if guess:
                    claimed.add(guess)
                    out.add(header_line, name, f"unknown column; did you mean {guess!r}?")
                else:
                    out.add(header_line, name,
                            f"unknown column; expected columns: {', '.join(expected)}")
        for name in missing:
            if name not in claimed:
                out.add(header_line, name,
                        f"missing column; expected columns: {', '.join(expected)}")
    # Rows are still read under a faulty header, so their errors are reported in the
    # same run; the columns that are there are checked, the others are not.
    width = len(header)
    rows = []
    for line, record in records[1:]:
        beyond = [i for i in range(width, len(record)) if record[i].strip()]
        if beyond:
            out.add(line, f"column {_column_letter(beyond[0])}",
                    f"{record[beyond[0]].strip()!r} is right of the last column "
                    f"{header[-1]!r}; a comma too many in this row?")
            continue
        record = record[:width]
        if len(record) < width:
            hint = ("; a quote (\") opened in this row is never closed"
                    if any("\n" in cell for cell in record) else
                    f"; missing: {', '.join(header[len(record):])} (keep a comma for "
                    "each empty cell)")
            out.add(line, None, f"{len(record)} fields, the header has {width}{hint}")
            continue
        cells = {}
        for name, cell in zip(header, record):
            if not name or name in cells:
                continue
            cell = cell.strip()
            if len(cell.encode("utf-16-le")) // 2 > EXCEL_MAX_TEXT:
                out.add(line, name, f"longer than {EXCEL_MAX_TEXT} characters, the most "
                        "an Excel cell holds")
                cell = cell[:40]
            cells[name] = cell
        rows.append((line, cells))
    return header_line, list(dict.fromkeys(h for h in header if h)), rows


def parse_number(text: str) -> float | None:
    """A finite float from a plain decimal (``"108.90"``, ``"-0.5"``), else ``None``."""
    if not NUMBER_RE.fullmatch(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


#: What analysts type for "no figure"; a blank cell is the way to say it.
_NO_FIGURE = {"-", "--", "—", "——", "–", "n.a.", "n.a", "na", "n/a", "#n/a", "nm", "none",
              "null", "nan", "/"}


def _number_hint(text: str, blank_ok: bool) -> str:
    """Why *text* is not a plain decimal, and what to type instead."""
    normal = unicodedata.normalize("NFKC", text)
    if normal != text and parse_number(normal.replace(" ", "")) is not None:
        return f"full-width characters; type {normal.replace(' ', '')}"
    if text.lower() in _NO_FIGURE:
        return ("leave the cell empty when there is no figure" if blank_ok
                else "a figure is required here")
    if "," in text:
        return "no commas: a decimal point (1.94) and no thousands separators (1234)"
    if text.endswith("%"):
        return "no % sign: type the number itself"
    if text.startswith("#"):
        return "an Excel error value: fix the formula in the source workbook"
    if NUMBER_RE.fullmatch(text):
        return "out of range"
    return "use a plain decimal such as 1.94"


def _number(out: _Collector, line: int, column: str, text: str, *, blank_ok: bool = False,
            positive: bool = False, non_negative: bool = False) -> float | None:
    if text == "":
        if not blank_ok:
            out.add(line, column, "empty; a number is required")
        return None
    value = parse_number(text)
    if value is None:
        out.add(line, column, f"{text!r} is not a number ({_number_hint(text, blank_ok)})")
    elif positive and value <= 0:
        out.add(line, column, f"{text} must be greater than 0")
    elif non_negative and value < 0:
        out.add(line, column, f"{text} must not be negative")
    else:
        return value
    return None


def parse_date(text: str) -> dt.date | None:
    """A date from ``2024-09-23`` or ``2024/9/23`` (see :data:`DATE_RE`), else ``None``."""
    match = DATE_RE.fullmatch(text)
    if not match:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


#: Excel's dates start on 1900-01-01 (serial 1); an earlier date shows as #####.
EXCEL_FIRST_DATE = dt.date(1900, 1, 1)


def _date(out: _Collector, line: int, column: str, text: str) -> dt.date | None:
    day = parse_date(text)
    if day is None:
        out.add(line, column, f"{text!r} is not a date YYYY-MM-DD" if text
                else "empty; a date YYYY-MM-DD is required")
    elif day < EXCEL_FIRST_DATE:
        out.add(line, column, f"{text} is before 1900-01-01, the first date Excel shows")
        return None
    return day


def ticker_problem(code: str) -> str | None:
    """Why *code* is not a supported ticker (with a hint), or ``None`` if it is one.

    A code is never repaired: ``63`` is not padded to ``000063`` and ``000063.sz``
    is not upper-cased, because a guess that is wrong looks right in the workbook.
    """
    if TICKER_RE.fullmatch(code):
        return None
    if not code:
        return "empty; a ticker such as 000063.SZ is required"
    base = f"{code!r} is not a ticker like 000063.SZ (6 digits, then .SH, .SZ or .BJ)"
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
    return base


def _year_column_hint(name: str, fixed_missing: list[str]) -> tuple[str, str | None]:
    """The hint for an unknown coverage column, and the missing fixed column it is
    taken for (so that column is not also reported missing), if any."""
    loose = EPS_COLUMN_LOOSE_RE.fullmatch(name.strip())
    if loose:
        return f"did you mean 'EPS {loose.group(1)}{loose.group(2).upper()}'?", None
    guess = _nearest(name, fixed_missing)
    if guess:
        return f"did you mean {guess!r}?", guess
    return ("a year column is named like 'EPS 2024E' (A = actual, E = estimate); "
            f"the other columns are {', '.join(COVERAGE_FIXED)}"), None


def load_coverage(path: Path, scale: RatingScale | None, errors: list[DataError]
                  ) -> Coverage | None:
    """The key-stocks table from ``coverage.csv`` (see the README for its columns).

    *scale* is the stock rating scale whose labels the ``rating`` column must use
    (``None`` when the scale itself is invalid: ratings are then not checked).
    """
    parsed = read_csv(path, None, errors)
    if parsed is None:
        return None
    header_line, header, rows = parsed
    out = _Collector(path.name, errors)
    years: list[FiscalYear] = []
    eps_columns: list[str] = []
    start_errors = len(errors)
    ok = True
    missing = [name for name in COVERAGE_FIXED if name not in header]
    claimed: set[str] = set()
    for name in header:
        if name in COVERAGE_FIXED:
            continue
        match = EPS_COLUMN_RE.fullmatch(name)
        if not match:
            hint, guess = _year_column_hint(name, [m for m in missing if m not in claimed])
            if guess:
                claimed.add(guess)
            out.add(header_line, name, f"unknown column; {hint}")
            ok = False
            continue
        year = FiscalYear(int(match.group(1)), match.group(2))
        if any(y.year == year.year for y in years):
            out.add(header_line, name, f"fiscal year {year.year} appears twice")
            ok = False
        elif years and year.year < years[-1].year:
            out.add(header_line, name, "year columns must be in increasing order")
            ok = False
        years.append(year)
        eps_columns.append(name)
    for name in missing:
        if name not in claimed:
            out.add(header_line, name, "missing column; coverage.csv needs "
                    + ", ".join(COVERAGE_FIXED) + " and one column 'EPS <year>A|E' per year")
            ok = False
    if not eps_columns and ok:
        out.add(header_line, None, "no EPS columns; add at least one such as 'EPS 2024E'")
        ok = False
    ok = ok and len(errors) == start_errors
    labels = [b.label for b in scale.bands] if scale else []
    english = {b.label_en.lower(): b.label for b in scale.bands} if scale else {}
    seen: dict[str, int] = {}
    stocks = []
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
        close = _number(out, line, "close", row["close"], positive=True) \
            if "close" in row else None
        close_date = _date(out, line, "close_date", row["close_date"]) \
            if "close_date" in row else None
        rating = row.get("rating")
        if labels and rating is not None and rating not in labels:
            if rating.lower() in english:
                hint = f"that is the English label of {english[rating.lower()]}; " \
                       f"write {english[rating.lower()]}"
            else:
                hint = f"known: {', '.join(labels)}"
            out.add(line, "rating", f"{rating!r} is not a rating of the stock scale; {hint}"
                    if rating else f"empty; a rating is required ({', '.join(labels)})")
        eps = tuple(_number(out, line, c, row[c], blank_ok=True) for c in eps_columns)
        if ok and len(errors) == start:
            stocks.append(Stock(code, row["name"], close, close_date, rating, eps))
    if not rows:
        out.add(None, None, "no stocks; add one row per ticker")
    return Coverage(tuple(years), tuple(stocks)) if ok else None


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
    out = _Collector(path.name, errors)
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
                numbers[column] = _number(out, line, column, row[column], **{rule: True})
        price_in = numbers.get("input_usd_per_1m")
        price_out = numbers.get("output_usd_per_1m")
        window = numbers.get("context_window_tokens")
        if window is not None and window != int(window):
            out.add(line, "context_window_tokens", "must be a whole number of tokens")
        as_of = _date(out, line, "as_of", row["as_of"]) if row["as_of"] is not None else None
        if complete and len(errors) == start:
            prices.append(TokenPrice(model, row["display_name"] or model, price_in,
                                     price_out, int(window), row["knowledge_cutoff"],
                                     as_of, row["source"]))
    if not rows:
        out.add(None, None, "no models; add one row per model")
    return tuple(prices)


_TOML_TABLE_RE = re.compile(r"\s*\[\s*([A-Za-z0-9_\-]+)\s*\]\s*(#.*)?")
_TOML_BANDS_RE = re.compile(r"\s*\[\[\s*([A-Za-z0-9_\-]+)\s*\.\s*bands\s*\]\]\s*(#.*)?")
_TOML_KEY_RE = re.compile(r"\s*([A-Za-z0-9_\-]+)\s*=")


def _toml_lines(text: str) -> dict[str, dict]:
    """Where things are in a scales file: ``{scale: {"": line of [scale], key: line,
    "bands": [{"": line of [[scale.bands]], key: line}, ...]}}``.

    tomllib gives values, not positions; this scan of the usual layout (one table
    header per line, ``key = value`` lines) finds them, so errors can name a line.
    Anything it does not recognise just has no line.
    """
    found: dict[str, dict] = {}
    current: dict | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        table, bands = _TOML_TABLE_RE.fullmatch(line), _TOML_BANDS_RE.fullmatch(line)
        if table:
            current = found.setdefault(table.group(1), {"bands": []})
            current[""] = number
        elif bands:
            scale = found.setdefault(bands.group(1), {"bands": []})
            current = {"": number}
            scale["bands"].append(current)
        elif line.lstrip().startswith("["):
            current = None
        elif current is not None and (key := _TOML_KEY_RE.match(line)):
            current.setdefault(key.group(1), number)
    return found


def _is_number(v: object) -> bool:
    """A TOML number a band edge can be: a float (inf included, NaN not) or an int
    within float range."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return False
    if isinstance(v, int):
        return abs(v) < 2 ** 1023
    return not math.isnan(v)


def load_scales(path: Path, errors: list[DataError]) -> dict[str, RatingScale]:
    """The rating scales from ``rating_scales.toml``; bands must tile the real line.

    Each error's row is the line of the key at fault (found by :func:`_toml_lines`),
    its column the key's name.
    """
    text = read_text(path, errors)
    if text is None:
        return {}
    out = _Collector(path.name, errors)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        at = re.search(r"at line (\d+)", str(exc))
        out.add(int(at.group(1)) if at else None, None, f"not valid TOML: {exc}")
        return {}
    lines = _toml_lines(text)
    scales = {}
    broken: set[str] = set()
    for key, table in doc.items():
        start = len(errors)
        where = lines.get(key, {})
        if not isinstance(table, dict):
            out.add(None, key, "expected a table [name] with [[name.bands]]")
            broken.add(key)
            continue
        for name in ("title", "benchmark", "horizon_months", "bands"):
            if name not in table:
                out.add(where.get(""), name, f"[{key}]: missing")
        months = table.get("horizon_months", 6)
        if not isinstance(months, int) or isinstance(months, bool) or months <= 0:
            out.add(where.get("horizon_months"), "horizon_months",
                    f"[{key}]: must be a whole number of months")
        raw_bands = table.get("bands", [])
        if not isinstance(raw_bands, list) or not all(isinstance(b, dict) for b in raw_bands):
            out.add(where.get("bands"), "bands", f"[{key}]: write each band as [[{key}.bands]]")
            raw_bands = []
        bands = []
        for i, b in enumerate(raw_bands):
            band_lines = where["bands"][i] if i < len(where.get("bands", [])) else {}
            name = f"[{key}] band {i + 1}"
            band_ok = True
            for field_name, check, wants in (
                    ("label", lambda v: isinstance(v, str) and v.strip(), "text"),
                    ("lower", _is_number, "a number (fraction; -inf for the lowest band)"),
                    ("lower_inclusive", lambda v: isinstance(v, bool), "true or false"),
                    ("upper", _is_number, "a number (fraction; inf for the highest band)"),
                    ("upper_inclusive", lambda v: isinstance(v, bool), "true or false")):
                if field_name not in b:
                    out.add(band_lines.get(""), field_name, f"{name}: missing")
                    band_ok = False
                elif not check(b[field_name]):
                    out.add(band_lines.get(field_name, band_lines.get("")), field_name,
                            f"{name}: {b[field_name]!r} must be {wants}")
                    band_ok = False
            if band_ok:
                bands.append(Band(b["label"], str(b.get("label_en", b["label"])),
                                  float(b["lower"]), b["lower_inclusive"],
                                  float(b["upper"]), b["upper_inclusive"]))
        if len(errors) == start:
            _check_bands(out, key, bands, where.get("bands", []), where.get(""))
        if len(errors) == start:
            scales[key] = RatingScale(
                key, str(table["title"]), str(table.get("title_en", table["title"])),
                str(table["benchmark"]), str(table.get("benchmark_en", table["benchmark"])),
                int(table["horizon_months"]), str(table.get("measure", "")), tuple(bands))
        else:
            broken.add(key)
    for key in ("stock", "industry"):
        if key not in scales and key not in broken:
            out.add(None, f"[{key}]", "scale missing; coverbook needs 'stock' and 'industry'")
    return scales


def _check_bands(out: _Collector, key: str, bands: list[Band], lines: list[dict],
                 table_line: int | None) -> None:
    """Bands listed from highest to lowest must neither overlap nor leave a gap, and
    must reach from -inf to inf: then every real number has exactly one rating."""
    def at(i: int, field_name: str) -> int | None:
        band = lines[i] if i < len(lines) else {}
        return band.get(field_name, band.get(""))

    if not bands:
        out.add(table_line, "bands", f"[{key}]: no bands; add [[{key}.bands]] tables")
        return
    labels = [b.label for b in bands]
    for i, b in enumerate(bands):
        if labels.index(b.label) != i:
            out.add(at(i, "label"), "label", f"[{key}] band '{b.label}' appears twice")
        if not b.lower < b.upper:
            out.add(at(i, "lower"), "lower",
                    f"[{key}] band '{b.label}': lower {b.lower} must be below upper {b.upper}")
    if len(bands) > 1 and bands[0].upper < bands[-1].upper:
        out.add(at(0, ""), None,
                f"[{key}]: list the bands from highest to lowest (the highest band first)")
        return
    if bands[0].upper != math.inf:
        out.add(at(0, "upper"), "upper",
                f"[{key}] band '{bands[0].label}': the highest band must reach upper = inf")
    if bands[-1].lower != -math.inf:
        out.add(at(len(bands) - 1, "lower"), "lower",
                f"[{key}] band '{bands[-1].label}': the lowest band must reach lower = -inf")
    for i in range(len(bands) - 1):
        hi, lo = bands[i], bands[i + 1]
        pair = f"[{key}] bands '{hi.label}'/'{lo.label}'"
        if hi.lower > lo.upper:
            out.add(at(i + 1, "upper"), "upper",
                    f"{pair}: gap between {lo.upper} and {hi.lower}; a value there has "
                    f"no rating; {lo.label}'s upper must equal {hi.label}'s lower")
        elif hi.lower < lo.upper:
            out.add(at(i + 1, "upper"), "upper",
                    f"{pair}: overlap between {hi.lower} and {lo.upper}; a value there has "
                    f"two ratings; {lo.label}'s upper must equal {hi.label}'s lower")
        elif hi.lower_inclusive == lo.upper_inclusive:
            state = "both include" if hi.lower_inclusive else "neither includes"
            out.add(at(i + 1, "upper_inclusive"), "upper_inclusive",
                    f"{pair}: {state} the shared edge {hi.lower}; exactly one must")


def load_claims(path: Path, models: Iterable[str], errors: list[DataError]) -> tuple[Claim, ...]:
    """The report's price claims from ``claims.csv`` (see :class:`Claim`); *models*
    are the model ids of the price table the claims must name. Like ``report_pe.csv``
    the file only feeds checks: absent, there are no claims to check."""
    if not path.exists():
        return ()
    parsed = read_csv(path, CLAIM_COLUMNS, errors)
    if parsed is None:
        return ()
    _, header, rows = parsed
    out = _Collector(path.name, errors)
    known = sorted(set(models))
    seen: dict[str, int] = {}
    claims = []
    complete = all(name in header for name in CLAIM_COLUMNS)
    for line, row in rows:
        start = len(errors)
        row = {name: row.get(name, "") for name in CLAIM_COLUMNS}
        if "id" not in header:
            pass
        elif not row["id"]:
            out.add(line, "id", "empty; give the claim a short id")
        else:
            out.unique(seen, line, "id", row["id"])
        for column in ("model_a", "model_b"):
            if known and column in header and row[column].lower() not in known:
                guess = _nearest(row[column], known)
                hint = f"did you mean {guess!r}?" if guess else f"known: {', '.join(known)}"
                out.add(line, column, f"unknown model {row[column]!r} (not in "
                        f"{TOKEN_PRICES_FILE}); {hint}")
        sides = CLAIM_METRICS.get(row["metric"])
        if "metric" not in header:
            pass
        elif sides is None:
            out.add(line, "metric", f"{row['metric']!r} is not one of {', '.join(CLAIM_METRICS)}")
        elif "side" in header and row["side"] not in sides:
            out.add(line, "side", f"{row['side']!r}: metric {row['metric']} takes {' or '.join(sides)}")
        printed = _number(out, line, "printed", row["printed"]) if "printed" in header else None
        if complete and len(errors) == start:
            claims.append(Claim(row["id"], row["model_a"].lower(), row["model_b"].lower(),
                                row["metric"], row["side"], printed, row["statement"]))
    return tuple(claims)


def load_report_pe(path: Path, errors: list[DataError]) -> dict[tuple[str, str], float]:
    """The report's printed P/E grid, ``{(code, "2024E"): 20.43}``; empty if absent."""
    if not path.exists():
        return {}
    parsed = read_csv(path, None, errors)
    if parsed is None:
        return {}
    header_line, header, rows = parsed
    out = _Collector(path.name, errors)
    columns = {}
    for name in header[1:]:
        match = re.fullmatch(r"P/E ([0-9]{4}[AE])", name)
        if not match:
            out.add(header_line, name, "expected 'P/E <year>A|E'")
        else:
            columns[name] = match.group(1)
    grid = {}
    seen: dict[str, int] = {}
    for line, row in rows:
        if not out.unique(seen, line, header[0], row[header[0]]):
            continue
        for name, label in columns.items():
            value = _number(out, line, name, row[name], blank_ok=True)
            if value is not None:
                grid[(row[header[0]], label)] = value
    return grid


def load_dataset(folder: Path | str = DATA_DIR) -> Dataset:
    """Read and validate every data file in *folder*.

    Raises :class:`DataErrors` listing every problem (file, row, column) if any file
    is missing or invalid; returns the validated :class:`Dataset` otherwise.
    """
    folder = Path(folder)
    errors: list[DataError] = []
    scales = load_scales(folder / RATING_SCALES_FILE, errors)
    coverage = load_coverage(folder / COVERAGE_FILE, scales.get("stock"), errors)
    model_ids: list[str] = []
    prices = load_token_prices(folder / TOKEN_PRICES_FILE, errors, model_ids)
    claims = load_claims(folder / CLAIMS_FILE, model_ids, errors)
    report_pe = load_report_pe(folder / REPORT_PE_FILE, errors)
    if errors:
        # File by file in the order read, each file's errors by line (file-level first).
        files = list(dict.fromkeys(e.file for e in errors))
        errors.sort(key=lambda e: (files.index(e.file), e.row or 0))
        raise DataErrors(errors)
    assert coverage is not None
    return Dataset(folder, coverage, prices, scales, claims, report_pe)
