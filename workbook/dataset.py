"""Read and validate the data files into domain records.

Stages: read text (encoding) -> parse rows -> validate -> records. Every problem is
collected as a :class:`DataError` naming file, row (the line number in the file, the
header being row 1) and column (the header's name), and :func:`load_dataset` raises
one :class:`DataErrors` holding all of them, before anything is written anywhere.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

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

#: Tickers: six digits and the exchange suffix Shanghai (.SH), Shenzhen (.SZ) or
#: Beijing (.BJ), the A-share markets this product supports.
TICKER_RE = re.compile(r"^\d{6}\.(SH|SZ|BJ)$")
#: Fiscal-year columns: ``EPS 2024E`` (E = estimate) or ``EPS 2023A`` (A = actual).
EPS_COLUMN_RE = re.compile(r"^EPS (\d{4})([AE])$")
#: A plain decimal as analysts type it; no thousands separators, no dashes for n.a.
NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
#: Model ids are also written inside formulas, so they are kept to safe characters.
MODEL_RE = re.compile(r"^[a-z0-9][a-z0-9.\-]*$")

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


def read_text(path: Path, errors: list[DataError]) -> str | None:
    """The text of *path*, decoded with the first of :data:`ENCODINGS` that fits."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        errors.append(DataError(path.name, None, None, f"file not found in {path.parent}"))
        return None
    except OSError as exc:
        errors.append(DataError(path.name, None, None, f"cannot read: {exc.strerror}"))
        return None
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    errors.append(DataError(
        path.name, None, None,
        f"cannot decode; tried {', '.join(ENCODINGS)}: save it as UTF-8 or GB18030/GBK",
    ))
    return None


def read_csv(path: Path, expected: tuple[str, ...] | None, errors: list[DataError],
             ) -> tuple[list[str], list[tuple[int, dict[str, str]]]] | None:
    """Header and ``(row number, {column: text})`` rows of a CSV file.

    With *expected*, the header must hold exactly those columns (any order); missing,
    unknown and repeated columns are errors. Blank lines are skipped.
    """
    text = read_text(path, errors)
    if text is None:
        return None
    out = _Collector(path.name, errors)
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        out.add(1, None, "file is empty; expected a header row")
        return None
    bad_header = False
    for name in sorted({h for h in header if header.count(h) > 1}):
        out.add(1, name, "column appears more than once")
        bad_header = True
    if expected is not None:
        for name in expected:
            if name not in header:
                out.add(1, name, f"missing column; expected columns: {', '.join(expected)}")
                bad_header = True
        for name in header:
            if name not in expected:
                out.add(1, name, f"unknown column; expected columns: {', '.join(expected)}")
                bad_header = True
    if bad_header:
        return None
    rows = []
    for record in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            out.add(line, None, f"{len(record)} fields, header has {len(header)}")
            continue
        rows.append((line, {h: c.strip() for h, c in zip(header, record)}))
    return header, rows


def parse_number(text: str) -> float | None:
    """A finite float from a plain decimal (``"108.90"``, ``"-0.5"``), else ``None``."""
    if not NUMBER_RE.match(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def _number(out: _Collector, line: int, column: str, text: str, *, blank_ok: bool = False,
            positive: bool = False, non_negative: bool = False) -> float | None:
    if text == "":
        if not blank_ok:
            out.add(line, column, "empty; a number is required")
        return None
    value = parse_number(text)
    if value is None:
        out.add(line, column, f"{text!r} is not a number (use a plain decimal such as 1.94)")
    elif positive and value <= 0:
        out.add(line, column, f"{text} must be greater than 0")
    elif non_negative and value < 0:
        out.add(line, column, f"{text} must not be negative")
    else:
        return value
    return None


def _date(out: _Collector, line: int, column: str, text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        out.add(line, column, f"{text!r} is not a date YYYY-MM-DD")
        return None


def load_coverage(path: Path, stock_labels: Iterable[str], errors: list[DataError]
                  ) -> Coverage | None:
    """The key-stocks table from ``coverage.csv`` (see the README for its columns)."""
    parsed = read_csv(path, None, errors)
    if parsed is None:
        return None
    header, rows = parsed
    out = _Collector(path.name, errors)
    years: list[FiscalYear] = []
    eps_columns: list[str] = []
    ok = True
    for name in COVERAGE_FIXED:
        if name not in header:
            out.add(1, name, "missing column; coverage.csv needs "
                    + ", ".join(COVERAGE_FIXED) + " and one column 'EPS <year>A|E' per year")
            ok = False
    for name in header:
        if name in COVERAGE_FIXED:
            continue
        match = EPS_COLUMN_RE.match(name)
        if not match:
            out.add(1, name, "unknown column; a year column is named like 'EPS 2024E' "
                    "(A = actual, E = estimate)")
            ok = False
            continue
        year = FiscalYear(int(match.group(1)), match.group(2))
        if any(y.year == year.year for y in years):
            out.add(1, name, f"fiscal year {year.year} appears twice")
            ok = False
        elif years and year.year < years[-1].year:
            out.add(1, name, "year columns must be in increasing order")
            ok = False
        years.append(year)
        eps_columns.append(name)
    if not eps_columns and ok:
        out.add(1, None, "no EPS columns; add at least one such as 'EPS 2024E'")
        ok = False
    if not ok:
        return None
    labels = set(stock_labels)
    seen: dict[str, int] = {}
    stocks = []
    for line, row in rows:
        start = len(errors)
        code = row["code"]
        if not TICKER_RE.match(code):
            hint = " (keep leading zeros: the cell must be text)" if code.isdigit() else ""
            out.add(line, "code", f"{code!r} is not a ticker like 000063.SZ "
                    f"(6 digits, then .SH, .SZ or .BJ){hint}")
        elif code in seen:
            out.add(line, "code", f"{code} already appears on row {seen[code]}")
        else:
            seen[code] = line
        if not row["name"]:
            out.add(line, "name", "empty; a company name is required")
        close = _number(out, line, "close", row["close"], positive=True)
        close_date = _date(out, line, "close_date", row["close_date"])
        if labels and row["rating"] not in labels:
            out.add(line, "rating", f"{row['rating']!r} is not a rating of the stock scale; "
                    f"known: {', '.join(sorted(labels))}")
        eps = tuple(_number(out, line, c, row[c], blank_ok=True) for c in eps_columns)
        if len(errors) == start:
            stocks.append(Stock(code, row["name"], close, close_date, row["rating"], eps))
    if not rows:
        out.add(None, None, "no stocks; add one row per ticker")
    return Coverage(tuple(years), tuple(stocks))


def load_token_prices(path: Path, errors: list[DataError]) -> tuple[TokenPrice, ...]:
    """The LLM price table from ``token_prices.csv`` (USD per 1M tokens)."""
    parsed = read_csv(path, TOKEN_COLUMNS, errors)
    if parsed is None:
        return ()
    _, rows = parsed
    out = _Collector(path.name, errors)
    prices = []
    seen: dict[str, int] = {}
    for line, row in rows:
        start = len(errors)
        model = row["model"].lower()
        if not MODEL_RE.match(model):
            out.add(line, "model", f"{row['model']!r} is not a model id "
                    "(lower-case letters, digits, '.', '-')")
        elif model in seen:
            out.add(line, "model", f"{model} already appears on row {seen[model]}")
        else:
            seen[model] = line
        price_in = _number(out, line, "input_usd_per_1m", row["input_usd_per_1m"],
                           non_negative=True)
        price_out = _number(out, line, "output_usd_per_1m", row["output_usd_per_1m"],
                            non_negative=True)
        window = _number(out, line, "context_window_tokens", row["context_window_tokens"],
                         positive=True)
        if window is not None and window != int(window):
            out.add(line, "context_window_tokens", "must be a whole number of tokens")
        as_of = _date(out, line, "as_of", row["as_of"])
        if len(errors) == start:
            prices.append(TokenPrice(model, row["display_name"] or model, price_in,
                                     price_out, int(window), row["knowledge_cutoff"],
                                     as_of, row["source"]))
    return tuple(prices)


def load_scales(path: Path, errors: list[DataError]) -> dict[str, RatingScale]:
    """The rating scales from ``rating_scales.toml``; bands must tile the real line."""
    text = read_text(path, errors)
    if text is None:
        return {}
    out = _Collector(path.name, errors)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        out.add(getattr(exc, "lineno", None), None, f"not valid TOML: {exc}")
        return {}
    scales = {}
    for key, table in doc.items():
        where = f"[{key}]"
        if not isinstance(table, dict):
            out.add(None, key, "expected a table [name] with [[name.bands]]")
            continue
        missing = [k for k in ("title", "benchmark", "horizon_months", "bands") if k not in table]
        if missing:
            out.add(None, where, f"missing {', '.join(missing)}")
            continue
        bands = []
        for i, b in enumerate(table["bands"], start=1):
            try:
                bands.append(Band(str(b["label"]), str(b.get("label_en", b["label"])),
                                  float(b["lower"]), bool(b["lower_inclusive"]),
                                  float(b["upper"]), bool(b["upper_inclusive"])))
            except (KeyError, TypeError, ValueError) as exc:
                out.add(None, f"{where} band {i}", f"needs label, lower, lower_inclusive, "
                        f"upper, upper_inclusive ({exc})")
        if len(bands) != len(table["bands"]):
            continue
        start = len(errors)
        _check_bands(out, where, bands)
        if len(errors) == start:
            scales[key] = RatingScale(
                key, str(table["title"]), str(table.get("title_en", table["title"])),
                str(table["benchmark"]), str(table.get("benchmark_en", table["benchmark"])),
                int(table["horizon_months"]), str(table.get("measure", "")), tuple(bands))
    for key in ("stock", "industry"):
        if key not in scales and not any(e.column and key in e.column for e in errors):
            out.add(None, f"[{key}]", "scale missing; coverbook needs 'stock' and 'industry'")
    return scales


def _check_bands(out: _Collector, where: str, bands: list[Band]) -> None:
    """Bands listed from highest to lowest must neither overlap nor leave a gap."""
    if not bands:
        out.add(None, where, "no bands")
        return
    if bands[0].upper != math.inf:
        out.add(None, f"{where} band '{bands[0].label}'", "the highest band must reach upper = inf")
    if bands[-1].lower != -math.inf:
        out.add(None, f"{where} band '{bands[-1].label}'", "the lowest band must reach lower = -inf")
    for b in bands:
        if not b.lower < b.upper:
            out.add(None, f"{where} band '{b.label}'", f"lower {b.lower} must be below upper {b.upper}")
    for hi, lo in zip(bands, bands[1:]):
        name = f"{where} bands '{hi.label}'/'{lo.label}'"
        if hi.lower > lo.upper:
            out.add(None, name, f"gap between {lo.upper} and {hi.lower}")
        elif hi.lower < lo.upper:
            out.add(None, name, f"overlap between {hi.lower} and {lo.upper}")
        elif hi.lower_inclusive == lo.upper_inclusive:
            state = "both include" if hi.lower_inclusive else "neither includes"
            out.add(None, name, f"{state} the shared edge {hi.lower}: exactly one must")


def load_claims(path: Path, models: Iterable[str], errors: list[DataError]) -> tuple[Claim, ...]:
    """The report's price claims from ``claims.csv`` (see :class:`Claim`)."""
    parsed = read_csv(path, CLAIM_COLUMNS, errors)
    if parsed is None:
        return ()
    _, rows = parsed
    out = _Collector(path.name, errors)
    known = sorted(models)
    claims = []
    for line, row in rows:
        start = len(errors)
        for column in ("model_a", "model_b"):
            if known and row[column].lower() not in known:
                out.add(line, column, f"unknown model {row[column]!r}; known: {', '.join(known)}")
        sides = CLAIM_METRICS.get(row["metric"])
        if sides is None:
            out.add(line, "metric", f"{row['metric']!r} is not one of {', '.join(CLAIM_METRICS)}")
        elif row["side"] not in sides:
            out.add(line, "side", f"{row['side']!r}: metric {row['metric']} takes {' or '.join(sides)}")
        printed = _number(out, line, "printed", row["printed"])
        if len(errors) == start:
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
    header, rows = parsed
    out = _Collector(path.name, errors)
    columns = {}
    for name in header[1:]:
        match = re.match(r"^P/E (\d{4}[AE])$", name)
        if not match:
            out.add(1, name, "expected 'P/E <year>A|E'")
        else:
            columns[name] = match.group(1)
    grid = {}
    for line, row in rows:
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
    stock_labels = [b.label for b in scales["stock"].bands] if "stock" in scales else []
    coverage = load_coverage(folder / COVERAGE_FILE, stock_labels, errors)
    prices = load_token_prices(folder / TOKEN_PRICES_FILE, errors)
    claims = load_claims(folder / CLAIMS_FILE, [p.model for p in prices], errors)
    report_pe = load_report_pe(folder / REPORT_PE_FILE, errors)
    if errors:
        raise DataErrors(errors)
    assert coverage is not None
    return Dataset(folder, coverage, prices, scales, claims, report_pe)
