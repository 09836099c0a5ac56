"""Read and validate the data files into domain records.

Stages: read text (encoding) -> parse rows -> validate -> records. Every problem is
collected as a :class:`DataError` naming file, row (the line number in the file, the
header being row 1) and column (the header's name), and :func:`load_dataset` raises
one :class:`DataErrors` holding all of them, before anything is written anywhere.

One module per data file holds that file's rules and records; they share one reader
and one error collector:

=====================  ============================================================
``settings.py``        ``settings.toml``: the data's as-of date, the table's rating
                       scale, the benchmark's expected return
``coverage.py``        ``coverage.csv``: tickers, close, rating, EPS per fiscal year,
                       the analyst's own columns
``fx.py``              ``fx.csv``: units of a currency per USD, by date (optional:
                       needed only for token prices in another currency than USD)
``token_prices.py``    ``token_prices.csv``: prices per 1M tokens per model and period
                       (optional: without it the workbook has no token sheets)
``workloads.py``       ``workloads.csv``: tasks in tokens, for Token场景 (optional)
``rating_scales.py``   ``rating_scales.toml``: brokers' rating scales, bands that
                       tile the real line
``scale_sources.py``   the scales coverbook ships, plus the data folder's own
                       ``rating_scales.toml`` (optional), which adds and replaces
``claims.py``          ``claims.csv``: the report's price claims (optional)
``report_pe.py``       ``report_pe.csv``: the report's printed P/E (optional)
``prices.csv``         the close-price history (optional; read by
                       :mod:`workbook.prices.history`): each stock's close is the
                       latest on or before ``as_of``
``reader.py``          encodings, CSV records, header checks, number and date cells
``errors.py``          :class:`DataError`, :class:`DataErrors` and the collector
=====================  ============================================================

Adding a data file: a module like the ones above, a field of :class:`Dataset` naming
the file, and one line in :func:`load_dataset`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from functools import cached_property
from pathlib import Path

from workbook import DATA_DIR
from workbook.dataset.claims import CLAIM_COLUMNS, CLAIM_METRICS, CLAIMS_FILE, Claim, load_claims
from workbook.dataset.coverage import (COVERAGE_FILE, COVERAGE_FIXED, COVERAGE_OPTIONAL,
                                       EPS_COLUMN_LOOSE_RE, EPS_COLUMN_RE, EXCHANGE_BY_PREFIX,
                                       TICKER_RE, Coverage, FiscalYear, Stock, load_coverage,
                                       ticker_problem)
from workbook.dataset.errors import MAX_SHOWN, DataError, DataErrors, problem_lines
from workbook.dataset.fx import (BASE_CURRENCY, FX_COLUMNS, FX_FILE, FxRate, load_fx,
                                 rate_in_force)
from workbook.dataset.rating_scales import (DEFAULT_SCALE, INDUSTRY_SUFFIX,
                                            RATING_SCALES_FILE, Band, RatingScale,
                                            find_scale, load_scales, scale_ids, scale_names)
from workbook.dataset.reader import (DATE_RE, ENCODINGS, EXCEL_FIRST_DATE, EXCEL_MAX_TEXT,
                                     NUMBER_RE, parse_date, parse_number, read_csv, read_text)
from workbook.dataset.report_pe import REPORT_PE_FILE, load_report_pe
from workbook.dataset.scale_sources import (SHIPPED_SCALES, ScaleSet, load_rating_scales,
                                            scales_note)
from workbook.dataset.settings import (SETTINGS_FILE, Settings, listed_columns, load_settings,
                                       resolve_scale)
from workbook.dataset.token_prices import (MODEL_RE, TOKEN_COLUMNS, TOKEN_PRICES_FILE,
                                           PriceHistory, TokenPrice, load_token_prices)
from workbook.dataset.workloads import (WORKLOAD_COLUMNS, WORKLOADS_FILE, Workload,
                                        load_workloads)
from workbook.prices import PRICES_FILE
from workbook.prices.history import CloseHistory, load_price_history


def _from(file: str, **kwargs):
    """A :class:`Dataset` field read from the data file *file* (listed in DATA_FILES)."""
    return field(metadata={"file": file}, **kwargs)


@dataclass(frozen=True)
class Dataset:
    """Everything the workbook is built from, validated."""

    folder: Path
    settings: Settings = _from(SETTINGS_FILE)
    coverage: Coverage = _from(COVERAGE_FILE)
    #: Every price row (model and period), in file order; look-ups: :attr:`prices`.
    #: Empty without ``token_prices.csv``: an equity-only project (no token sheets).
    token_prices: tuple[TokenPrice, ...] = _from(TOKEN_PRICES_FILE)
    #: The shipped scales with the data folder's own added (``rating_scales.toml``,
    #: optional; see :mod:`.scale_sources`).
    scales: dict[str, RatingScale] = _from(RATING_SCALES_FILE)
    claims: tuple[Claim, ...] = _from(CLAIMS_FILE)
    #: The report's printed P/E per (code, fiscal-year label); used by checks only.
    report_pe: dict[tuple[str, str], float] = _from(REPORT_PE_FILE, default_factory=dict)
    fx: tuple[FxRate, ...] = _from(FX_FILE, default=())
    workloads: tuple[Workload, ...] = _from(WORKLOADS_FILE, default=())
    #: The close-price history (``prices.csv``, optional: empty without it).
    closes: CloseHistory = _from(PRICES_FILE, default_factory=CloseHistory.empty)
    #: Ids of the scales the data folder's ``rating_scales.toml`` replaces (shipped
    #: ids it redefines) and adds.
    replaced_scales: tuple[str, ...] = ()
    added_scales: tuple[str, ...] = ()

    @property
    def has_tokens(self) -> bool:
        """Whether the data prices LLM tokens (``token_prices.csv``): the workbook then
        has the sheets ``Token价格`` and ``Token场景``; else it is equity-only."""
        return bool(self.token_prices)

    @property
    def has_checks(self) -> bool:
        """Whether there is anything to check against a report: printed P/E
        (``report_pe.csv``) or price claims (``claims.csv``)."""
        return bool(self.report_pe or self.claims)

    @property
    def as_of(self) -> dt.date:
        """The date the data describes (``settings.toml``): the default date of every
        price look-up and the workbook's document date."""
        return self.settings.as_of

    @cached_property
    def prices(self) -> PriceHistory:
        """The price history indexed by model and date (built once per dataset)."""
        return PriceHistory(self.token_prices)

    def price_on(self, model: str, day: dt.date) -> TokenPrice | None:
        """The price row of *model* (case-insensitive) in force on *day*, or ``None``
        if the model is unknown or not priced yet on *day*."""
        return self.prices.in_force(model.strip().lower(), day)

    def fx_rate(self, currency: str, day: dt.date) -> FxRate | None:
        """The rate of *currency* in force on *day* (see :func:`rate_in_force`); USD
        has none (its rate is 1 by definition)."""
        return rate_in_force(self.fx, currency, day)

    def currencies(self) -> tuple[str, ...]:
        """USD, then every currency ``fx.csv`` has a rate for, in file order."""
        return tuple(dict.fromkeys((BASE_CURRENCY, *(r.currency for r in self.fx))))

    @property
    def table_scale(self) -> RatingScale:
        """The scale the key-stocks table is rated on (``settings.toml``)."""
        return self.scales[self.settings.rating_scale]

    def scale(self, name: str) -> RatingScale | None:
        """The rating scale with id or alias *name* (case-insensitive), or ``None``."""
        return find_scale(self.scales, name)


#: Every file coverbook reads from a data folder (what the data hash covers), in the
#: order of the :class:`Dataset` fields that hold them.
DATA_FILES = tuple(f.metadata["file"] for f in fields(Dataset) if "file" in f.metadata)


def load_dataset(folder: Path | str = DATA_DIR) -> Dataset:
    """Read and validate every data file in *folder*.

    Raises :class:`DataErrors` listing every problem (file, row, column) if any file
    is missing or invalid; returns the validated :class:`Dataset` otherwise.
    """
    folder = Path(folder)
    if not folder.is_dir():
        # One line for the folder, not one "file not found" per data file in it.
        what = "is a file, not a data folder" if folder.exists() else "no such data folder"
        files = ", ".join((SETTINGS_FILE, COVERAGE_FILE))
        raise DataErrors([DataError(
            "", None, None,
            f"{what}; give the folder that holds {files} and the other data files (the "
            "shipped one is workbook/data; `coverbook sample` makes one)")])
    errors: list[DataError] = []
    # One line per data file, in reading order: a file's rules may use what an earlier
    # file gave (ratings are checked against the table's scale, prices against the FX
    # currencies, claims against the models and dated by the settings).
    valid_settings: dict = {}
    settings = load_settings(folder / SETTINGS_FILE, errors, valid_settings)
    scale_set = load_rating_scales(folder, errors)
    scales = scale_set.scales
    # The settings' scale is checked against a valid scales file only (a broken
    # scale's own error says what is wrong; "unknown scale" would only repeat it).
    if settings is not None and not errors:
        settings = resolve_scale(folder / SETTINGS_FILE, settings, scales, errors)
    if settings is not None:
        table_scale = scales.get(settings.rating_scale)
        as_of = settings.as_of
        extra = settings.extra_columns
    else:
        # Settings with problems of their own: the other files are still checked
        # against what of them is valid (a bad as_of must not hide bad ratings).
        named = valid_settings.get("rating_scale")
        found = find_scale(scales, named) if isinstance(named, str) else None
        table_scale = found if found is not None and found.kind == "stock" else None
        as_of = valid_settings.get("as_of")
        extra = valid_settings.get("extra_columns", ())
    closes = load_price_history(folder / PRICES_FILE, errors)
    # Settings whose extra_columns cannot be read (not TOML, a name listed twice): the
    # names written there are not also "unknown" in coverage.csv.
    listed = () if "extra_columns" in valid_settings or settings is not None \
        else listed_columns(folder / SETTINGS_FILE)
    # fx.csv is read first (coverage.csv's currencies need its rates), its problems
    # listed after coverage.csv's as before.
    fx_errors: list[DataError] = []
    fx = load_fx(folder / FX_FILE, fx_errors)
    coverage = load_coverage(folder / COVERAGE_FILE, table_scale, errors, as_of, extra,
                             closes, listed=listed, fx=None if fx_errors else fx)
    errors.extend(fx_errors)
    model_ids: list[str] = []
    prices: tuple[TokenPrice, ...] = ()
    if (folder / TOKEN_PRICES_FILE).exists():
        prices = load_token_prices(folder / TOKEN_PRICES_FILE, errors, model_ids,
                                   fx_currencies=None if fx_errors else
                                   [r.currency for r in fx])
    workloads = load_workloads(folder / WORKLOADS_FILE, errors)
    if workloads and not (folder / TOKEN_PRICES_FILE).exists():
        errors.append(DataError(
            WORKLOADS_FILE, None, None,
            f"its tasks are priced with {TOKEN_PRICES_FILE}, which this folder does not "
            f"have: add {TOKEN_PRICES_FILE}, or delete {WORKLOADS_FILE} for an "
            "equity-only workbook"))
    claims = load_claims(folder / CLAIMS_FILE, model_ids, errors, as_of)
    report_pe = load_report_pe(folder / REPORT_PE_FILE, errors)
    if errors:
        # File by file in the order read, each file's errors by line (file-level first).
        files = list(dict.fromkeys(e.file for e in errors))
        errors.sort(key=lambda e: (files.index(e.file), e.row or 0))
        raise DataErrors(errors)
    assert coverage is not None and settings is not None
    return Dataset(folder, settings, coverage, prices, scales, claims, report_pe, fx,
                   workloads, closes, scale_set.replaced, scale_set.added)


__all__ = [
    "load_dataset", "Dataset", "DataError", "DataErrors", "DATA_FILES", "problem_lines",
    "MAX_SHOWN", "DEFAULT_SCALE", "INDUSTRY_SUFFIX", "find_scale", "scale_ids", "scale_names",
    # records
    "Coverage", "FiscalYear", "Stock", "TokenPrice", "PriceHistory", "Band", "RatingScale",
    "Claim", "Settings", "FxRate", "Workload",
    # file names and their columns
    "SETTINGS_FILE", "COVERAGE_FILE", "TOKEN_PRICES_FILE", "RATING_SCALES_FILE",
    "CLAIMS_FILE", "REPORT_PE_FILE", "FX_FILE", "PRICES_FILE", "WORKLOADS_FILE", "COVERAGE_FIXED",
    "COVERAGE_OPTIONAL", "TOKEN_COLUMNS", "CLAIM_COLUMNS", "CLAIM_METRICS", "FX_COLUMNS",
    "WORKLOAD_COLUMNS", "BASE_CURRENCY",
    # the shared reader's rules
    "ENCODINGS", "TICKER_RE", "EXCHANGE_BY_PREFIX", "EPS_COLUMN_RE", "EPS_COLUMN_LOOSE_RE",
    "NUMBER_RE",
    "MODEL_RE", "DATE_RE", "EXCEL_MAX_TEXT", "EXCEL_FIRST_DATE",
    # per-file loaders and parsers
    "load_settings", "load_coverage", "load_fx", "load_token_prices", "load_workloads",
    "load_scales", "load_claims", "load_report_pe", "rate_in_force",
    "load_rating_scales", "ScaleSet", "SHIPPED_SCALES", "scales_note",
    "read_text", "read_csv", "parse_number", "parse_date", "ticker_problem",
]
