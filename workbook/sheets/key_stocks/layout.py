"""Where things are on ``重点标的``: rows, and the column of every entry of
:data:`~workbook.sheets.key_stocks.columns.COLUMNS` (:class:`Layout`), so the sheet and
other sheets (``核对``, Excel's limits) point at the same cells."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from workbook.dataset import Dataset, FiscalYear, scale_ids
from workbook.model import LIST_ROWS, fits_list
from workbook.sheets.key_stocks.columns import COLUMNS, Column

NAME = "重点标的"
TITLE_ROW, NOTE_ROW, HEADER_ROW = 0, 1, 2
FIRST_DATA_ROW = 3
#: Tables with more stocks than this get the array layout (one =PE() per year
#: column). 200 x 4 years is 800 scalar calls, a few seconds of recalculation in
#: Excel; below it the per-cell formulas are easier to read and to edit.
ARRAY_THRESHOLD = 200
#: What the row above the table holds right of the rating check column: the
#: benchmark return's horizon (a note running over empty cells). A column of its own
#: at the sheet's right edge when no table column is there.
HORIZON_NOTE = "the benchmark's horizon note"


@dataclass(frozen=True)
class Growth:
    """The span of the EPS growth columns: the fiscal-year indexes of the first EPS
    (the last actual year) and the last (the last estimate year), the years between,
    and the year whose P/E the PEG uses (the first estimate year after the first)."""

    first: int
    last: int
    years: int
    pe: int


def growth_span(years: tuple[FiscalYear, ...]) -> Growth | None:
    """The :class:`Growth` of a table with these fiscal years, or ``None`` without an
    actual year and a later estimate year."""
    actual = [k for k, y in enumerate(years) if y.kind == "A"]
    if not actual:
        return None
    first = actual[-1]
    later = [k for k, y in enumerate(years) if y.kind == "E" and y.year > years[first].year]
    if not later:
        return None
    return Growth(first, later[-1], years[later[-1]].year - years[first].year, later[0])


@dataclass(frozen=True)
class Layout:
    """Where things are on the sheet, so other sheets can point at them. The columns
    are :data:`COLUMNS` that the table has (each entry's ``count``), left to right."""

    n_stocks: int
    n_years: int
    #: True when the computed columns are one spilled array formula each.
    array: bool = False
    #: True when the table has target prices (the target, upside, implied-rating and
    #: rating-check columns are there).
    has_targets: bool = False
    growth: Growth | None = None
    #: True when the scale input's dropdown (the stock scales' ids) is too long for a
    #: literal list: the ids are written below the notes (``Sheet.add_list``).
    scale_list: bool = False
    #: The analyst's own columns (``settings.toml`` ``extra_columns``), right of
    #: every computed column.
    extra: tuple[str, ...] = ()
    #: True when a stock's close is not in CNY or its EPS is in another currency than
    #: its close: the currency and EPS-currency columns are there (``with_currencies``).
    currencies: bool = False
    #: True when the table has A/H pairs: the A/H premium column is there.
    pairs: bool = False
    #: True when a stock's fiscal year does not end in December: the FY-end column
    #: and its note are there.
    fiscal: bool = False

    @cached_property
    def columns(self) -> tuple[tuple[int, Column, int], ...]:
        """``(sheet column, declared column, k)`` of every table column, left to right
        (*k*: the place in its family, the fiscal year's index for a per-year column)."""
        placed = [(c, k) for c in COLUMNS for k in range(c.count(self))]
        return tuple((col, c, k) for col, (c, k) in enumerate(placed))

    @cached_property
    def _cols(self) -> dict[tuple[str, int], int]:
        return {(c.key, k): col for col, c, k in self.columns}

    def col(self, key: str, k: int = 0) -> int | None:
        """The zero-based column of the declared column *key* (the *k*-th of its
        family), ``None`` if the table has none."""
        return self._cols.get((key, k))

    def row_of(self, index: int) -> int:
        """Zero-based sheet row of the *index*-th stock."""
        return FIRST_DATA_ROW + index

    def eps_col(self, year_index: int) -> int:
        return self._cols[("eps", year_index)]

    def pe_col(self, year_index: int) -> int:
        return self._cols[("pe", year_index)]

    def source(self, col: int, years: tuple[FiscalYear, ...]) -> str | None:
        """The ``coverage.csv`` column the table's column *col* shows or comes from
        (a P/E: its EPS column), ``None`` for one computed from other columns or
        beyond the table."""
        if not 0 <= col < len(self.columns):
            return None
        _, column, k = self.columns[col]
        return column.source_column(self, years, k)

    @property
    def n_notes(self) -> int:
        """Lines of notes below the table: one per column family with a note."""
        return sum(1 for c in COLUMNS if c.note is not None and c.count(self))

    @property
    def mean_row(self) -> int:
        """The mean row below the table; the median row follows it."""
        return FIRST_DATA_ROW + self.n_stocks

    @property
    def notes_row(self) -> int:
        """The first row of the notes below the mean and median rows."""
        return self.mean_row + 3

    @property
    def scale_list_row(self) -> int:
        """Where the stock scales' ids go when they are too long for a literal list
        (:attr:`scale_list`): right below the notes."""
        return self.notes_row + self.n_notes

    @property
    def chart_row(self) -> int:
        """Where the P/E chart's top-left corner is: below the notes (and the scales'
        list, if written)."""
        return self.scale_list_row + (LIST_ROWS if self.scale_list else 0) + 1

    @property
    def horizon_note_col(self) -> int | None:
        """The column of the benchmark's horizon note in the row above the table
        (right of the rating check), if the table has target prices."""
        return self.target_cols()[3] + 1 if self.has_targets else None

    @property
    def n_cols(self) -> int:
        """Columns the sheet uses: the table's, and the horizon note's beyond them."""
        note = self.horizon_note_col
        return max(len(self.columns), note + 1 if note is not None else 0)

    def right_of_pe(self) -> tuple[str, ...]:
        """What the sheet puts in the columns right of the P/E block, one name per
        column (``target price``, ``upside`` ...; the benchmark's horizon note when
        no table column is there): what the fiscal-year limit leaves room for
        (``workbook/sheets/limits.py``)."""
        last_pe = self.pe_col(self.n_years - 1)
        names = [c.name for col, c, _ in self.columns if col > last_pe]
        return tuple(names) + (HORIZON_NOTE,) * (self.n_cols - len(self.columns))

    @property
    def target_col(self) -> int | None:
        """The target price column, if any; the upside, implied rating and rating
        check follow it."""
        return self.col("target_price")

    def target_cols(self) -> tuple[int, int, int, int]:
        """Target price, upside, implied rating and rating check columns."""
        cols = tuple(self.col(key) for key in
                     ("target_price", "upside", "implied_rating", "rating_check"))
        assert None not in cols
        return cols  # type: ignore[return-value]

    @property
    def cagr_col(self) -> int | None:
        """The EPS CAGR column (the PEG column follows it), if the table has one."""
        return self.col("eps_cagr")

    @property
    def scale_input(self) -> tuple[int, int]:
        """The input cell of the implied ratings' scale (above the upside column)."""
        return NOTE_ROW, self.target_cols()[1]

    @property
    def benchmark_input(self) -> tuple[int, int]:
        """The input cell of the benchmark's expected return (above the check column)."""
        return NOTE_ROW, self.target_cols()[3]


#: The report's fixed columns, left of the fiscal years, where an all-CNY table has
#: them. A table with currency columns moves those right of the close: code that
#: points at a table's cells asks its own layout (``Layout.col("rating")``).
_FIXED = Layout(0, 1)
CODE, STOCK_NAME, CLOSE, CLOSE_DATE, RATING = (
    _FIXED.col(key) for key in ("code", "name", "close", "close_date", "rating"))
#: The first EPS column; the P/E block follows the EPS block.
FIRST_EPS_COL: int = _FIXED.col("eps")  # type: ignore[assignment]


def added_columns_right(has_targets: bool, has_growth: bool, extra: tuple[str, ...] = ()
                        ) -> tuple[str, ...]:
    """:meth:`Layout.right_of_pe` of a table with or without target prices and
    growth columns, and with the own columns *extra* (any number of fiscal years)."""
    growth = Growth(0, 1, 1, 1) if has_growth else None
    return Layout(0, 1, has_targets=has_targets, growth=growth, extra=extra).right_of_pe()


def layout(data: Dataset, array_threshold: int = ARRAY_THRESHOLD) -> Layout:
    """Where the table of *data* goes; array layout above *array_threshold* stocks."""
    cov = data.coverage
    n = len(cov.stocks)
    return Layout(n, len(cov.years), array=n > array_threshold,
                  has_targets=cov.has_targets, growth=growth_span(cov.years),
                  scale_list=cov.has_targets and n > 0
                  and not fits_list(stock_scale_ids(data)), extra=cov.extra_columns,
                  currencies=cov.converts or any(c != "CNY" for c in cov.currencies),
                  pairs=bool(cov.pairs), fiscal=any(s.fy_end != 12 for s in cov.stocks))


def stock_scale_ids(data: Dataset) -> tuple[str, ...]:
    """The ids of the stock scales, in file order: the scale input's dropdown."""
    return tuple(scale_ids(data.scales, "stock"))
