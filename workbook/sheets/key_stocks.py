"""Sheet ``重点标的``: the key-stocks table as the report prints it, P/E by ``=PE()``,
and what an analyst's coverage table adds to it.

Columns: code, name, close (CNY), close date, rating, one EPS column per fiscal year
(CNY per share), then one P/E column per fiscal year (the report's 60 P/E cells keep
their addresses). To the right of the P/E block: when ``coverage.csv`` has a
``target_price`` column, the target price, ``=UPSIDE()``, ``=IMPLIED_RATING()`` and a
check of the published rating against the implied one; when the table has an actual
and a later estimate year, ``=EPS_CAGR()`` from the last actual to the last estimate
year and ``=PEG()`` of the first estimate year's P/E over that growth. A last row
averages each numeric column (``NM``, ``n.a.`` skipped); notes below the table say
how each added column is computed. The implied ratings read the scale and the
benchmark's expected return from two input cells above the target columns, filled
from ``settings.toml``.

Two layouts of the P/E block, same cells and same cached values:

- up to :data:`ARRAY_THRESHOLD` stocks, one ``=PE(<close>,<EPS>)`` per cell of its own
  row, as an analyst would type it;
- above it, one dynamic array formula per fiscal year, ``=PE(C4:C5003,F4:F5003)``,
  spilling down the column, and likewise one per added column. In Excel each scalar
  UDF call is a round trip from VBA to the Python COM server (milliseconds; xlwings
  issue #1976), so 5,000 stocks x 4 years of scalar cells take minutes to recalculate
  and the array layout takes 4 calls. The build computes each column's cached values
  with one call of the same UDF.
"""

from __future__ import annotations

import statistics
from functools import partial
from dataclasses import dataclass, replace
from statistics import fmean
from typing import Any, Callable, Mapping

from udfs._excel import MISSING
from udfs.ratings import IMPLIED_RATING, implied_rating_value
from udfs.valuation import (EPS_CAGR, PE, PEG, UPSIDE, eps_cagr_value, pe_value, peg_value,
                            upside_value)
from workbook.dataset import Dataset, FiscalYear, scale_ids
from workbook.model import (CHART_PREFIX, LIST_ROWS, MAX_CHART_SERIES, Borders, CachedColumn,
                            Chart, ConditionalFormat, ErrorValue, PrintSetup, Sheet, Validation,
                            a1, array_formula, excel_string, fits_list, formula, text_width,
                            value, typed_input)

NAME = "重点标的"
TITLE_ROW, NOTE_ROW, HEADER_ROW = 0, 1, 2
FIRST_DATA_ROW = 3
CODE, STOCK_NAME, CLOSE, CLOSE_DATE, RATING = range(5)
FIRST_EPS_COL = 5
#: Tables with more stocks than this get the array layout (one =PE() per year
#: column). 200 x 4 years is 800 scalar calls, a few seconds of recalculation in
#: Excel; below it the per-cell formulas are easier to read and to edit.
ARRAY_THRESHOLD = 200
#: The note lists the close dates up to this many, else their range and count.
MAX_NOTE_DATES = 5
#: What the rating check column shows: the published rating is the one the target
#: price implies, or another one. A missing implied rating (no target: n.a.) or an
#: error text is shown as it is.
RATING_SAME, RATING_DIFFERS = "一致", "不一致"


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
    """Where things are on the sheet, so other sheets can point at them."""

    n_stocks: int
    n_years: int
    #: True when the P/E block is one spilled array formula per year column.
    array: bool = False
    #: True when the table has target prices (the target, upside, implied-rating and
    #: rating-check columns are there).
    has_targets: bool = False
    growth: Growth | None = None
    #: True when the scale input's dropdown (the stock scales' ids) is too long for a
    #: literal list: the ids are written below the notes (``Sheet.add_list``).
    scale_list: bool = False

    def row_of(self, index: int) -> int:
        """Zero-based sheet row of the *index*-th stock."""
        return FIRST_DATA_ROW + index

    def eps_col(self, year_index: int) -> int:
        return FIRST_EPS_COL + year_index

    def pe_col(self, year_index: int) -> int:
        return FIRST_EPS_COL + self.n_years + year_index

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
        return self.notes_row + (2 if self.has_targets else 0) + (1 if self.growth else 0)

    @property
    def chart_row(self) -> int:
        """Where the P/E chart's top-left corner is: below the notes (and the scales'
        list, if written)."""
        return self.scale_list_row + (LIST_ROWS if self.scale_list else 0) + 1

    @property
    def n_cols(self) -> int:
        """Columns the sheet uses: the fixed ones, an EPS and a P/E column per fiscal
        year, then :func:`added_columns_right`."""
        return (FIRST_EPS_COL + 2 * self.n_years
                + len(added_columns_right(self.has_targets, self.growth is not None)))

    @property
    def target_col(self) -> int | None:
        """The first column right of the P/E block: the target price, if any; the
        upside, implied rating and rating check follow it."""
        return FIRST_EPS_COL + 2 * self.n_years if self.has_targets else None

    def target_cols(self) -> tuple[int, int, int, int]:
        """Target price, upside, implied rating and rating check columns."""
        assert self.target_col is not None
        return tuple(self.target_col + j for j in range(4))  # type: ignore[return-value]

    @property
    def cagr_col(self) -> int | None:
        """The EPS CAGR column (the PEG column follows it), if the table has one."""
        if self.growth is None:
            return None
        return FIRST_EPS_COL + 2 * self.n_years + (4 if self.has_targets else 0)

    @property
    def scale_input(self) -> tuple[int, int]:
        """The input cell of the implied ratings' scale (above the upside column)."""
        return NOTE_ROW, self.target_cols()[1]

    @property
    def benchmark_input(self) -> tuple[int, int]:
        """The input cell of the benchmark's expected return (above the check column)."""
        return NOTE_ROW, self.target_cols()[3]


def added_columns_right(has_targets: bool, has_growth: bool) -> tuple[str, ...]:
    """What the sheet puts in the columns right of the P/E block, one name per column:
    with target prices the target, upside, implied rating and rating check (and, in
    the row above them, the benchmark's horizon note right of the check column, which
    the EPS CAGR column covers when there is one); with a growth span EPS CAGR and PEG.
    The one place the sheet's width beyond the P/E block is decided (the layout's
    columns and the fiscal-year limit, ``workbook/sheets/limits.py``, follow it)."""
    names: list[str] = []
    if has_targets:
        names += ["target price", "upside", "implied rating", "rating check"]
    if has_growth:
        names += ["EPS CAGR", "PEG"]
    elif has_targets:
        names += ["the benchmark's horizon note"]
    return tuple(names)


def average(values: list) -> float | ErrorValue:
    """What Excel's ``AVERAGE`` gives over a P/E column: the mean of the numbers, text
    skipped (``NM``, ``n.a.`` and a UDF's error result such as ``#NUM!``, which is
    text in live Excel and in the file alike); the error ``#DIV/0!`` with no number;
    ``#NUM!`` when the sum overflows."""
    numbers = [v for v in values if isinstance(v, float)]
    if not numbers:
        return ErrorValue("#DIV/0!")
    try:
        return fmean(numbers)
    except OverflowError:
        return ErrorValue("#NUM!")


def layout(data: Dataset, array_threshold: int = ARRAY_THRESHOLD) -> Layout:
    """Where the table of *data* goes; array layout above *array_threshold* stocks."""
    cov = data.coverage
    n = len(cov.stocks)
    return Layout(n, len(cov.years), array=n > array_threshold,
                  has_targets=cov.has_targets, growth=growth_span(cov.years),
                  scale_list=cov.has_targets and n > 0
                  and not fits_list(stock_scale_ids(data)))


def stock_scale_ids(data: Dataset) -> tuple[str, ...]:
    """The ids of the stock scales, in file order: the scale input's dropdown."""
    return tuple(scale_ids(data.scales, "stock"))


def rating_check(implied, published: str) -> str:
    """What the rating check column shows (:data:`RATING_SAME` or
    :data:`RATING_DIFFERS`; an implied rating that is text starting with ``#``, an
    error, or ``n.a.`` as it is): the Python twin of :func:`rating_check_formula`."""
    if implied.startswith("#") or implied == MISSING:
        return implied
    return RATING_SAME if implied == published else RATING_DIFFERS


def rating_check_formula(implied: str, published: str) -> str:
    """``=IF(...)`` comparing the implied rating (a cell or a column) with the
    published one, with built-in functions only."""
    return (f'=IF(LEFT({implied},1)="#",{implied},IF({implied}={excel_string(MISSING)},'
            f'{implied},IF({implied}={published},{excel_string(RATING_SAME)},'
            f'{excel_string(RATING_DIFFERS)})))')


def rating_inputs(data: Dataset, inputs: Mapping[tuple[int, int], Any] | None = None
                  ) -> tuple[Any, Any]:
    """The scale and the benchmark return the implied ratings use: what is typed in
    their input cells (*inputs*, ``{(row, col): value}`` read by Refresh), else the
    settings'. Typed values are taken as they are (Excel recalculates with them)."""
    lay = layout(data)
    inputs = inputs or {}
    s = data.settings
    if not lay.has_targets:
        return s.rating_scale, s.benchmark_return

    typed = partial(typed_input, inputs)
    return (typed(lay.scale_input, s.rating_scale),
            typed(lay.benchmark_input, s.benchmark_return))


def build(data: Dataset, array_threshold: int = ARRAY_THRESHOLD,
          inputs: Mapping[tuple[int, int], Any] | None = None) -> Sheet:
    """The sheet model of ``重点标的`` for *data*; array layout above *array_threshold*
    stocks (0: always). *inputs*: the values in its input cells (the implied ratings'
    scale and benchmark return) of the open workbook (Refresh), which the cached
    values are computed from; empty cells take the settings'."""
    cov = data.coverage
    lay = layout(data, array_threshold)
    sheet = Sheet(NAME, freeze=(FIRST_DATA_ROW, 2),
                  page=PrintSetup(repeat_rows=(HEADER_ROW, HEADER_ROW)))
    dates = sorted({s.close_date.isoformat() for s in cov.stocks})
    if len(dates) > MAX_NOTE_DATES:  # the note must fit one cell (32,767 characters)
        dates = [f"{dates[0]} … {dates[-1]} ({len(dates)} dates)"]
    sheet.add(TITLE_ROW, 0, [[value("重点标的 Key stocks", "title")]])
    sheet.add(NOTE_ROW, 0, [[value(
        f"收盘价 Close: CNY, {', '.join(dates)}; EPS: CNY/share; "
        f"P/E = 收盘价/EPS via =PE(); NM = EPS ≤ 0 (not meaningful); {MISSING} = no EPS",
        "note")]])
    header = ["代码 Code", "名称 Name", "收盘价 Close (CNY)", "收盘日 Close date", "评级 Rating"]
    header += [f"EPS {y.label}" for y in cov.years] + [f"P/E {y.label}" for y in cov.years]
    sheet.add(HEADER_ROW, 0, [[value(h, "header") for h in header]])

    # P/E per year column: one UDF call on the whole column (array layout) or on
    # each cell; both give the same values (PE broadcasts pe_value).
    if lay.array and cov.stocks:
        closes = [[s.close] for s in cov.stocks]
        pe_columns = [[r[0] for r in PE(closes, [[s.eps[k]] for s in cov.stocks])]
                      for k in range(lay.n_years)]
    else:
        pe_columns = [[pe_value(s.close, s.eps[k]) for s in cov.stocks]
                      for k in range(lay.n_years)]

    added = added_columns(data, lay, pe_columns, rating_inputs(data, inputs))
    rows = []
    for i, stock in enumerate(cov.stocks):
        r = lay.row_of(i)
        cells = [value(stock.code, "text"), value(stock.name, "text"),
                 value(stock.close, "price"), value(stock.close_date, "date"),
                 value(stock.rating, "text_center")]
        cells += [value(e, "eps") for e in stock.eps]
        if not lay.array:
            cells += [formula(f"=PE({a1(r, CLOSE)},{a1(r, lay.eps_col(k))})",
                              pe_columns[k][i], "pe") for k in range(lay.n_years)]
        elif added:
            cells += [None] * lay.n_years  # spilled over by the P/E array formulas
        for column in added:
            if column.cell is None:
                cells.append(value(column.cached[i], column.style))
            elif not lay.array:
                cells.append(formula(column.cell(r), column.cached[i], column.style))
            else:
                cells.append(None)  # spilled over by the column's array formula
        rows.append(cells)
    sheet.add(FIRST_DATA_ROW, 0, rows)
    if lay.array and cov.stocks:
        first, last = lay.row_of(0), lay.row_of(lay.n_stocks - 1)
        sheet.add(first, lay.pe_col(0), [[
            array_formula(f"=PE({a1(first, CLOSE)}:{a1(last, CLOSE)},"
                          f"{a1(first, lay.eps_col(k))}:{a1(last, lay.eps_col(k))})",
                          CachedColumn(pe_columns[k]), "pe")
            for k in range(lay.n_years)]])
        for column in added:
            if column.spill is not None:
                sheet.add(first, column.col, [[array_formula(
                    column.spill, CachedColumn(column.cached), column.style)]])
    if added:
        sheet.add(HEADER_ROW, added[0].col, [[value(c.header, "header") for c in added]])
        if lay.has_targets:
            add_rating_inputs(sheet, data, lay)

    if cov.stocks:
        summary_rows(sheet, lay, pe_columns, added)
        notes = column_notes(data, lay)
        if notes:
            sheet.add(lay.notes_row, 0, [[value(n, "note")] for n in notes])
        chart(sheet, data, lay)
        table_format(sheet, data, lay, added)

    table_cols = list(range(lay.pe_col(0) + lay.n_years + len(added)))
    sheet.fit_columns(HEADER_ROW, lay.row_of(lay.n_stocks - 1), table_cols, minimum=7,
                      maximum=30)
    if lay.has_targets:  # the input labels above: right-aligned, they must fit
        target, _, implied, _ = lay.target_cols()
        for col, label in ((target, SCALE_LABEL), (implied, BENCHMARK_LABEL)):
            sheet.col_widths[col] = max(sheet.col_widths[col], text_width(label) + 1)
    sheet.fit_rows(HEADER_ROW, HEADER_ROW)  # Chinese and English header: two lines
    return sheet


def median(values: list) -> float | str:
    """What ``=IF(COUNT(range),MEDIAN(range),"n.a.")`` gives over a column: the median
    of the numbers, text skipped, the missing-figure marker with no number (MEDIAN
    itself would give an error: #NUM! in Excel, #VALUE! in LibreOffice)."""
    numbers = [v for v in values if isinstance(v, float)]
    return statistics.median(numbers) if numbers else MISSING


def summary_rows(sheet: Sheet, lay: Layout, pe_columns: list[list],
                 added: list["AddedColumn"]) -> None:
    """The mean and the median row below the table: each P/E column's, and the
    upside's, EPS CAGR's and PEG's (``NM`` and ``n.a.`` skipped)."""
    first, last = lay.row_of(0), lay.row_of(lay.n_stocks - 1)
    columns = [(lay.pe_col(k), pe_columns[k], "pe") for k in range(lay.n_years)]
    columns += [(c.col, c.cached, c.style) for c in added if c.mean]
    label_col = lay.pe_col(0) - 1
    sheet.add(lay.mean_row, label_col, [
        [value(f"平均 Mean (NM, {MISSING} excluded)", "label")],
        [value(f"中位数 Median (NM, {MISSING} excluded)", "label")]])
    for col, cached, style in columns:
        rng = f"{a1(first, col)}:{a1(last, col)}"
        sheet.add(lay.mean_row, col, [
            [formula(f"=AVERAGE({rng})", average(cached), style)],
            [formula(f'=IF(COUNT({rng}),MEDIAN({rng}),{excel_string(MISSING)})',
                     median(cached), style)]])


#: At most this many stocks get a chart of each stock's P/E (a cluster of bars per
#: stock); a larger table's chart shows the mean and median P/E per fiscal year.
CHART_MAX_STOCKS = 20
CHART_SIZE = (720.0, 300.0)  # points
SCALE_LABEL, BENCHMARK_LABEL = "评级体系 Scale", "基准 Benchmark"


def chart(sheet: Sheet, data: Dataset, lay: Layout) -> None:
    """The P/E chart below the notes, pointing at the table's cells: for up to
    :data:`CHART_MAX_STOCKS` stocks a column chart of every stock's P/E per fiscal
    year (categories: the names; a series per fiscal year, so at most Excel's
    :data:`~workbook.model.MAX_CHART_SERIES` years; a P/E that is NM or n.a. has no
    bar), else a line chart of the mean and median rows over the fiscal years (two
    series, whatever the number of stocks and years)."""
    last = lay.row_of(lay.n_stocks - 1)
    last_pe = lay.pe_col(lay.n_years - 1)
    if lay.n_stocks <= CHART_MAX_STOCKS and lay.n_years <= MAX_CHART_SERIES:
        sheet.charts.append(Chart(
            name=CHART_PREFIX + "P/E by stock", kind="column",
            title="市盈率 P/E by fiscal year (NM, n.a.: no bar)",
            data=(HEADER_ROW, lay.pe_col(0), last, last_pe), categories_col=STOCK_NAME,
            anchor=(lay.chart_row, 0), size=CHART_SIZE, y_title="P/E (×)", y_format="0"))
    else:
        # The table spans pages: the chart starts its own, so it is not cut in two.
        sheet.page = replace(sheet.page, row_breaks=(lay.chart_row,))
        sheet.charts.append(Chart(
            name=CHART_PREFIX + "P/E mean and median", kind="line",
            title=f"市盈率 P/E by fiscal year: mean and median of {lay.n_stocks:,} stocks",
            data=(lay.mean_row, lay.pe_col(0) - 1, lay.mean_row + 1, last_pe),
            categories_col=0, anchor=(lay.chart_row, 0), size=CHART_SIZE,
            y_title="P/E (×)", y_format="0", by_rows=True, categories_row=HEADER_ROW))


#: Conditional-format colours of the rating columns, by a band's place on its scale:
#: A-share screens show rises red and falls green, so the bands above the neutral one
#: are red (the best the strongest), those below it green; the neutral band keeps the
#: cell's own format. (fill, font colour)
RATING_ABOVE = (("#FFC7CE", "#9C0006"), ("#FCE4D6", "#833C0B"))
RATING_BELOW = (("#C6EFCE", "#006100"), ("#E2EFDA", "#375623"))
#: The rating check where the published rating is not the implied one.
DIFFERS_FORMAT = ("#FFEB9C", "#9C5700")


def rating_colours(scale) -> list[tuple[str, str, str]]:
    """``(label, fill, font colour)`` of each band of *scale* but the neutral one (the
    band holding 0): above it red, the best the strongest; below it green, the worst
    the strongest."""
    bands = list(scale.bands)
    neutral = next(i for i, b in enumerate(bands) if b.contains(0.0))
    out = []
    for i, band in enumerate(bands):
        if i < neutral:  # above: i = 0 is the best
            fill, font = RATING_ABOVE[min(i, len(RATING_ABOVE) - 1)]
        elif i > neutral:
            fill, font = RATING_BELOW[min(len(bands) - 1 - i, len(RATING_BELOW) - 1)]
        else:
            continue
        out.append((band.label, fill, font))
    return out


def table_format(sheet: Sheet, data: Dataset, lay: Layout, added: list["AddedColumn"]
                 ) -> None:
    """A broker's table: a grid over the header and the stocks, the rating columns
    coloured by band, a published rating the target contradicts flagged, and
    dropdowns on the input cells."""
    first, last = lay.row_of(0), lay.row_of(lay.n_stocks - 1)
    last_col = lay.pe_col(lay.n_years - 1) + len(added)
    sheet.borders.append(Borders(HEADER_ROW, 0, last, last_col))
    rating_cols = [RATING] + ([lay.target_cols()[2]] if lay.has_targets else [])
    for col in rating_cols:
        top = a1(first, col)
        for label, fill, font in rating_colours(data.table_scale):
            sheet.conditional_formats.append(ConditionalFormat(
                first, col, last, col, f"={top}={excel_string(label)}", fill=fill,
                font_color=font))
    if lay.has_targets:
        check = lay.target_cols()[3]
        fill, font = DIFFERS_FORMAT
        sheet.conditional_formats.append(ConditionalFormat(
            first, check, last, check, f"={a1(first, check)}={excel_string(RATING_DIFFERS)}",
            fill=fill, font_color=font, bold=True))
        sheet.add_list(*lay.scale_input, *lay.scale_input, stock_scale_ids(data),
                       spare=(lay.scale_list_row, 0),
                       label=f"{SCALE_LABEL}: the stock scales the input cell above the "
                             "upside takes (its dropdown; too many for a list typed in "
                             "the validation)")
        sheet.validations.append(Validation(*lay.benchmark_input, *lay.benchmark_input,
                                            "decimal", minimum=-0.99, maximum=0.99))


@dataclass(frozen=True)
class AddedColumn:
    """A column right of the P/E block: its header and style, the cached value of
    each stock, the formula of row *r* (``cell``; ``None`` for a column of plain
    values), the array formula spilling down the column (array layout), and whether
    the mean and median rows summarise it."""

    col: int
    header: str
    style: str
    cached: list
    cell: Callable[[int], str] | None = None
    spill: str | None = None
    mean: bool = False


def _values(array: bool, udf, scalar, *args) -> list:
    """The cached values of one added column: one call of the UDF *udf* on whole
    columns (array layout), else *scalar* once per stock (per-cell formulas). Each of
    *args* is a list (one value per stock) or one value for every stock."""
    n = max(len(a) for a in args if isinstance(a, list))
    if array:
        result = udf(*[[[v] for v in a] if isinstance(a, list) else a for a in args])
        return [row[0] for row in result]
    return [scalar(*[a[i] if isinstance(a, list) else a for a in args]) for i in range(n)]


def added_columns(data: Dataset, lay: Layout, pe_columns: list[list],
                  rating_basis: tuple[Any, Any]) -> list[AddedColumn]:
    """The columns right of the P/E block for *data* (none without stocks), with their
    cached values: the UDFs' results for the data, as the P/E columns'; the implied
    ratings on *rating_basis*, the (scale, benchmark return) of :func:`rating_inputs`."""
    stocks = data.coverage.stocks
    if not stocks:
        return []
    first, last = lay.row_of(0), lay.row_of(lay.n_stocks - 1)

    def col_range(c: int) -> str:
        return f"{a1(first, c)}:{a1(last, c)}"

    closes = [s.close for s in stocks]
    out: list[AddedColumn] = []
    if lay.has_targets:
        target, upside, implied, check = lay.target_cols()
        scale, bench = (a1(*lay.scale_input, absolute=True),
                        a1(*lay.benchmark_input, absolute=True))
        targets = [s.target_price for s in stocks]
        upsides = _values(lay.array, UPSIDE, upside_value, targets, closes)
        scale_value, benchmark_value = rating_basis
        implied_values = _values(lay.array, IMPLIED_RATING, implied_rating_value, targets,
                                 closes, benchmark_value, scale_value)
        checks = [rating_check(v, s.rating) for v, s in zip(implied_values, stocks)]
        out += [
            AddedColumn(target, "目标价 Target (CNY)", "price", targets),
            AddedColumn(upside, "上行空间 Upside", "pct2", upsides,
                        lambda r: f"=UPSIDE({a1(r, target)},{a1(r, CLOSE)})",
                        f"=UPSIDE({col_range(target)},{col_range(CLOSE)})", mean=True),
            AddedColumn(implied, "隐含评级 Implied rating", "center", implied_values,
                        lambda r: f"=IMPLIED_RATING({a1(r, target)},{a1(r, CLOSE)},"
                                  f"{bench},{scale})",
                        f"=IMPLIED_RATING({col_range(target)},{col_range(CLOSE)},"
                        f"{bench},{scale})"),
            AddedColumn(check, "评级核对 Rating check", "center", checks,
                        lambda r: rating_check_formula(a1(r, implied), a1(r, RATING)),
                        rating_check_formula(col_range(implied), col_range(RATING))),
        ]
    if lay.growth is not None and lay.cagr_col is not None:
        g, years = lay.growth, data.coverage.years
        cagr, peg = lay.cagr_col, lay.cagr_col + 1
        e_first, e_last = lay.eps_col(g.first), lay.eps_col(g.last)
        cagrs = _values(lay.array, EPS_CAGR, eps_cagr_value, [s.eps[g.first] for s in stocks],
                        [s.eps[g.last] for s in stocks], g.years)
        pe = lay.pe_col(g.pe)
        pegs = _values(lay.array, PEG, peg_value, pe_columns[g.pe], cagrs)
        out += [
            AddedColumn(cagr, f"EPS CAGR {years[g.first].label}–{years[g.last].label}",
                        "pct2", cagrs,
                        lambda r: f"=EPS_CAGR({a1(r, e_first)},{a1(r, e_last)},{g.years})",
                        f"=EPS_CAGR({col_range(e_first)},{col_range(e_last)},{g.years})",
                        mean=True),
            AddedColumn(peg, f"PEG {years[g.pe].label}", "ratio", pegs,
                        lambda r: f"=PEG({a1(r, pe)},{a1(r, cagr)})",
                        f"=PEG({col_range(pe)},{col_range(cagr)})", mean=True),
        ]
    return out


def add_rating_inputs(sheet: Sheet, data: Dataset, lay: Layout) -> None:
    """The row above the target columns: the scale and the benchmark's expected
    return the implied ratings read, each after its label, then the benchmark return's
    horizon. The two values are input cells (defaults from ``settings.toml``; what an
    analyst types there stays through Refresh). They sit right of the P/E block, so
    they move (and take the settings' values again) when the number of fiscal years
    changes."""
    s, scale = data.settings, data.table_scale
    target, upside, implied, check = lay.target_cols()
    sheet.add(NOTE_ROW, target, [[value(SCALE_LABEL, "label")]])
    sheet.add_inputs(*lay.scale_input, [[value(s.rating_scale, "input_text")]])
    sheet.add(NOTE_ROW, implied, [[value(BENCHMARK_LABEL, "label")]])
    sheet.add_inputs(*lay.benchmark_input, [[value(s.benchmark_return, "input_pct2")]])
    sheet.add(NOTE_ROW, check + 1, [[value(
        f"{scale.horizon_text} months, set {s.benchmark_return_date.isoformat()}", "note")]])


def column_notes(data: Dataset, lay: Layout) -> list[str]:
    """The notes below the table: how each added column is computed."""
    notes = []
    if lay.has_targets:
        scale = data.table_scale
        notes.append(
            "上行空间 Upside = 目标价 / 收盘价 − 1 (=UPSIDE()); 隐含评级 Implied rating = "
            "RATING(upside − benchmark return, scale) (=IMPLIED_RATING()), on the scale in "
            "the input cell above it")
        notes.append(
            f"基准 Benchmark: the expected return of the scale's benchmark over the scale's "
            f"horizon ({scale.key}: {scale.benchmark_en}, {scale.horizon_text} months), "
            f"a fraction; 评级核对: {RATING_DIFFERS} = the published rating is not the "
            "implied one (listed on 核对)")
    if lay.growth is not None:
        g, years = lay.growth, data.coverage.years
        notes.append(
            f"EPS CAGR = (EPS {years[g.last].label} / EPS {years[g.first].label})^(1/"
            f"{g.years}) − 1 (=EPS_CAGR()), NM if an EPS ≤ 0; PEG = P/E "
            f"{years[g.pe].label} ÷ (CAGR × 100) (=PEG(), Lynch), NM if growth ≤ 0")
    return notes
