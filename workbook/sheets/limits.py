"""Excel's limits: does the data fit the sheets?

XlsxWriter writes nothing for a cell beyond Excel's last row or column (its ``write_*``
returns -1), cuts a longer text (-2) and stores a formula of any length, which Excel
then refuses to load; the live writer would fail half-way through a Refresh. So every
limit the data can reach is checked before anything is written, and each problem is
reported like any other data problem, at the data file's row and column that causes
it (``coverage.csv:1:EPS 9999E: ...``), naming the limit:

- :func:`check_extent`, on the dataset, before the sheet models are built: the sizes
  that grow with the data (stocks and fiscal years on ``重点标的``, models on
  ``Token价格``, printed figures and claims on ``核对``; the other sizes, such as
  ``Token场景``'s blocks, are far from a limit and covered by :func:`check_cells`). A table too large for a
  sheet is never built.
- :func:`check_cells`, on the finished sheet models: every cell (and every cell an
  array formula spills over) inside the grid, every text within :data:`MAX_TEXT`
  characters, every formula within :data:`MAX_FORMULA`.

The file writer checks XlsxWriter's return codes as well (``workbook/writers/xlsx.py``),
so a case missed here still fails the build instead of writing a file that lacks it.

Source of the limits: Microsoft, "Excel specifications and limits" (worksheet size
1,048,576 rows by 16,384 columns; 32,767 characters in a cell; formula contents 8,192
characters). XlsxWriter's ``xls_rowmax``, ``xls_colmax`` and ``xls_strmax`` are the
first three.
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator, NamedTuple

from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from workbook.checks import Check
from workbook.dataset import (CLAIMS_FILE, COVERAGE_FILE, EXCEL_MAX_TEXT,
                              RATING_SCALES_FILE, REPORT_PE_FILE, TOKEN_COLUMNS,
                              TOKEN_PRICES_FILE, DataError, DataErrors, Dataset, read_csv,
                              read_text)
from workbook.dataset.rating_scales import toml_lines
from workbook.dataset.reader import excel_length
from workbook.model import Cell, Sheet
from workbook.sheets import checks as checks_sheet
from workbook.sheets import key_stocks, ratings, token_prices

#: Rows of a worksheet.
MAX_ROWS = 1_048_576
#: Columns of a worksheet (A to XFD).
MAX_COLS = 16_384
#: Characters (UTF-16 code units) in one cell.
MAX_TEXT = EXCEL_MAX_TEXT
#: Characters of a formula, counted with its leading ``=``.
MAX_FORMULA = 8_192

LAST_COL = xl_col_to_name(MAX_COLS - 1)  # XFD


class Overflow(NamedTuple):
    """One cell of a sheet model beyond a limit (zero-based row and column)."""

    sheet: str
    row: int
    col: int
    what: str  # "row", "column", "text" or "formula"
    length: int = 0  # characters, for "text" and "formula"

    @property
    def ref(self) -> str:
        return xl_rowcol_to_cell(self.row, self.col)

    def describe(self) -> str:
        """The limit in words: ``sheet 核对 cell B5 would hold 32,801 characters, more
        than the 32,767 an Excel cell holds``."""
        at = f"sheet {self.sheet} cell {self.ref}"
        if self.what == "row":
            return f"{at} would be beyond row {MAX_ROWS:,}, Excel's last row"
        if self.what == "column":
            return f"{at} would be beyond column {LAST_COL} ({MAX_COLS:,}), Excel's last column"
        if self.what == "text":
            return (f"{at} would hold {self.length:,} characters, more than the "
                    f"{MAX_TEXT:,} an Excel cell holds")
        return (f"{at} would hold a formula of {self.length:,} characters, more than the "
                f"{MAX_FORMULA:,} Excel allows")


# --- before the models: sizes that grow with the data --------------------------------


def _data_lines(folder: Path, file: str, cache: dict | None = None) -> list[int]:
    """The file line of every data row of *file* (a validated CSV), in order: the
    records of the dataset come from these rows one to one. Read again (only when a
    problem is reported), since the records do not keep their lines."""
    if cache is not None and file in cache:
        return cache[file]
    parsed = read_csv(folder / file, None, [])
    lines = [line for line, _ in parsed[2]] if parsed else []
    if cache is not None:
        cache[file] = lines
    return lines


def _report_pe_cells(folder: Path) -> list[tuple[int, str]]:
    """``(line, column)`` of every printed P/E, in the order of ``Dataset.report_pe``."""
    parsed = read_csv(folder / REPORT_PE_FILE, None, [])
    if not parsed:
        return []
    _, header, rows = parsed
    return [(line, name) for line, row in rows for name in header[1:] if row.get(name)]


def max_fiscal_years(has_targets: bool, has_growth: bool,
                     left: int = key_stocks.FIRST_EPS_COL, pairs: bool = False) -> int:
    """The most fiscal years sheet ``重点标的`` holds in Excel's columns: its *left*
    columns (the fixed ones; more with the currency and fiscal-year columns of
    docs/markets.md), an EPS and a P/E column per year, and the columns right of the
    P/E block (``key_stocks.added_columns_right``, from the column declaration, and
    the A/H premium column with *pairs*): 8,188
    for the usual table (growth columns, no targets), 8,186 with target prices, 8,189
    / 8,187 without growth columns."""
    right = len(key_stocks.added_columns_right(has_targets, has_growth)) + int(pairs)
    return (MAX_COLS - left - right) // 2


def extent_problems(data: Dataset, names: tuple[str, ...] | None = None
                    ) -> list[DataError]:
    """What of *data* would fall beyond Excel's last row or column on the sheets named
    *names* (default: all), see the module doc."""
    problems: list[DataError] = []
    if names is not None and key_stocks.NAME not in names:
        return problems + _other_extents(data, names)
    cov = data.coverage
    lay = key_stocks.layout(data)
    max_stocks = MAX_ROWS - 1 - key_stocks.FIRST_DATA_ROW  # the mean row is the last
    if lay.n_stocks > max_stocks:
        line = _data_lines(data.folder, COVERAGE_FILE)[max_stocks]
        problems.append(DataError(
            COVERAGE_FILE, line, "code",
            f"stock {max_stocks + 1:,} is one too many: sheet {key_stocks.NAME} has "
            f"{key_stocks.FIRST_DATA_ROW} header rows, a row per stock and the mean row, "
            f"so it holds at most {max_stocks:,} stocks in Excel's {MAX_ROWS:,} rows"))
    left = lay.eps_col(0)
    max_years = max_fiscal_years(lay.has_targets, lay.growth is not None, left, lay.pairs)
    if lay.n_years > max_years:
        right = key_stocks.added_columns_right(lay.has_targets, lay.growth is not None) \
            + (("A/H premium",) if lay.pairs else ())
        then = (f", then {len(right)} column(s) right of the P/E block ({', '.join(right)})"
                if right else "")
        problems.append(DataError(
            COVERAGE_FILE, 1, f"EPS {cov.years[max_years].label}",
            f"fiscal year {max_years + 1:,} is one too many: sheet {key_stocks.NAME} has "
            f"{left} columns, an EPS and a P/E column per fiscal "
            f"year{then}, so it holds at most {max_years:,} fiscal years in Excel's "
            f"{MAX_COLS:,} columns (A to {LAST_COL}; {lay.n_years:,} here): delete the "
            f"EPS columns of the earliest {lay.n_years - max_years:,} year(s)"))
    elif len(lay.columns) > MAX_COLS:  # the own columns, right of the others, overflow
        before = len(lay.columns) - len(lay.extra)
        k = MAX_COLS - before
        problems.append(DataError(
            COVERAGE_FILE, 1, lay.extra[k],
            f"own column {k + 1:,} of extra_columns is one too many: sheet "
            f"{key_stocks.NAME} has {before:,} columns before the own ones here, so it "
            f"holds at most {k:,} own columns in Excel's {MAX_COLS:,} columns (A to "
            f"{LAST_COL}): take the last {len(lay.extra) - k:,} out of extra_columns in "
            "settings.toml"))
    return problems + _other_extents(data, names)


def _other_extents(data: Dataset, names: tuple[str, ...] | None) -> list[DataError]:
    """:func:`extent_problems` of ``Token价格`` and ``核对``."""
    problems = []
    # the ratio matrices and the step chart's table: row labels, then a column per model
    max_models = MAX_COLS - 1
    models = data.prices.models
    if (names is None or token_prices.NAME in names) and len(models) > max_models:
        # the records are the file's data rows one to one: the first row of that model
        first = next(i for i, p in enumerate(data.token_prices) if p.model == models[max_models])
        line = _data_lines(data.folder, TOKEN_PRICES_FILE)[first]
        problems.append(DataError(
            TOKEN_PRICES_FILE, line, "model",
            f"model {max_models + 1:,} is one too many: the price-ratio matrices and the "
            f"output-price table on sheet {token_prices.NAME} have a column per model after "
            f"the row labels, so they hold at most {max_models:,} models in Excel's "
            f"{MAX_COLS:,} columns"))
    n_checks = len(data.report_pe) + len(data.claims)
    max_checks = MAX_ROWS - checks_sheet.FIRST_ROW
    if (names is None or checks_sheet.NAME in names) and n_checks > max_checks:
        where = (_report_pe_cells(data.folder)[max_checks]
                 if max_checks < len(data.report_pe) else
                 (_data_lines(data.folder, CLAIMS_FILE)[max_checks - len(data.report_pe)],
                  "id"))
        file = REPORT_PE_FILE if max_checks < len(data.report_pe) else CLAIMS_FILE
        problems.append(DataError(
            file, where[0], where[1],
            f"figure {max_checks + 1:,} is one too many: sheet {checks_sheet.NAME} lists "
            f"every printed P/E ({REPORT_PE_FILE}) and every claim ({CLAIMS_FILE}) on a row "
            f"of its own below {checks_sheet.FIRST_ROW} title rows, so it holds at most "
            f"{max_checks:,} in Excel's {MAX_ROWS:,} rows ({n_checks:,} here)"))
    return problems


def check_extent(data: Dataset, names: tuple[str, ...] | None = None) -> None:
    """Raise ``DataErrors`` if *data* does not fit the rows and columns of the sheets
    named *names* (default: all)."""
    problems = extent_problems(data, names)
    if problems:
        raise DataErrors(problems)


# --- the finished models: every cell ---------------------------------------------------


#: A text or formula no longer than this cannot be too long whatever its characters
#: (each counts at most 2 UTF-16 units): the scan skips measuring it.
_SHORT_TEXT = MAX_TEXT // 2
_SHORT_FORMULA = MAX_FORMULA // 2


def _long_texts(cell: Cell) -> Iterator[int]:
    """The Excel length of each text of *cell* (value, cached value, spilled cached
    values) that could be too long."""
    for v in (cell.value, cell.cached):
        if v.__class__ is str and len(v) > _SHORT_TEXT:
            yield excel_length(v)
    if cell.spill is not None:
        for row in cell.cached:
            for v in row:
                if v.__class__ is str and len(v) > _SHORT_TEXT:
                    yield excel_length(v)


def overflows(sheets: list[Sheet]) -> Iterator[Overflow]:
    """Every cell of *sheets* beyond one of Excel's limits (grid, text, formula)."""
    for sheet in sheets:
        for block in sheet.blocks:
            inside = (block.row + block.height <= MAX_ROWS
                      and block.col + block.width <= MAX_COLS)
            for i, cells in enumerate(block.rows):
                for j, cell in enumerate(cells):
                    if cell is None:
                        continue
                    v, f, cached, _, spill = cell  # a Cell is a tuple: unpacking is quick
                    if not inside or spill is not None:
                        r, c = block.row + i, block.col + j
                        last_r = r + (spill[0] - 1 if spill else 0)
                        last_c = c + (spill[1] - 1 if spill else 0)
                        if last_r >= MAX_ROWS:
                            yield Overflow(sheet.name, MAX_ROWS, c, "row")
                            continue
                        if last_c >= MAX_COLS:
                            yield Overflow(sheet.name, r, MAX_COLS, "column")
                            continue
                    if f is not None and len(f) > _SHORT_FORMULA:
                        n = excel_length(f)
                        if n > MAX_FORMULA:
                            yield Overflow(sheet.name, block.row + i, block.col + j,
                                           "formula", n)
                    if ((v.__class__ is str and len(v) > _SHORT_TEXT)
                            or (cached.__class__ is str and len(cached) > _SHORT_TEXT)
                            or spill is not None):
                        for n in _long_texts(cell):
                            if n > MAX_TEXT:
                                yield Overflow(sheet.name, block.row + i, block.col + j,
                                               "text", n)
                                break


def _scale_key_line(data: Dataset, text: str) -> tuple[int | None, str | None]:
    """Line and key of the data folder's ``rating_scales.toml`` whose text the 评级说明
    cell *text* shows (the longest of a scale's texts it contains). Only the folder's
    own scales are looked at: the shipped ones are known to fit."""
    source = read_text(data.folder / RATING_SCALES_FILE, [])
    lines = toml_lines(source) if source else {}
    best: tuple[int, int | None, str | None] = (-1, None, None)
    own = (*data.replaced_scales, *data.added_scales)
    for key, scale in ((k, s) for k, s in data.scales.items() if k in own):
        for name, value in (("title", scale.title), ("title_en", scale.title_en),
                            ("benchmark", scale.benchmark),
                            ("benchmark_en", scale.benchmark_en), ("measure", scale.measure),
                            ("broker", scale.broker), ("broker_en", scale.broker_en),
                            ("source", scale.source),
                            ("labels_en_source", scale.labels_en_source)):
            if value and value in text and len(value) > best[0]:
                where = lines.get(key, {})
                best = (len(value), where.get(name, where.get("")), name)
    return best[1], best[2]


def _source(data: Dataset, checks: list[Check], cell: Cell | None, o: Overflow,
            cache: dict) -> tuple[str, int | None, str | None]:
    """The data file, row and column behind the cell of overflow *o* (*cache*: the
    data lines read so far, see :func:`_data_lines`)."""
    if o.sheet == key_stocks.NAME:
        lay = key_stocks.layout(data)
        i = o.row - key_stocks.FIRST_DATA_ROW
        column = lay.source(o.col, data.coverage.years)  # None: a computed column
        if 0 <= i < lay.n_stocks:
            return COVERAGE_FILE, _data_lines(data.folder, COVERAGE_FILE, cache)[i], column
        return COVERAGE_FILE, None, column
    if o.sheet == checks_sheet.NAME and 0 <= o.row - checks_sheet.FIRST_ROW < len(checks):
        check = checks[o.row - checks_sheet.FIRST_ROW]
        if check.at is not None:  # the item names the stock: code, name, year
            line = _data_lines(data.folder, COVERAGE_FILE, cache)[check.at[0]]
            return COVERAGE_FILE, line, "name"
        if check.claim is not None:
            index = data.claims.index(check.claim)
            line = _data_lines(data.folder, CLAIMS_FILE, cache)[index]
            if o.what == "formula":  # the formula quotes both model ids
                c = check.claim
                return CLAIMS_FILE, line, ("model_a" if len(c.model_a) >= len(c.model_b)
                                           else "model_b")
            return CLAIMS_FILE, line, "statement"
        return REPORT_PE_FILE, None, None
    if o.sheet == ratings.NAME:
        text = cell.value if cell is not None and isinstance(cell.value, str) else ""
        line, key = _scale_key_line(data, text)
        return RATING_SCALES_FILE, line, key
    if o.sheet == token_prices.NAME:
        i = o.row - 3  # the price table: title, blank, header, then a row per model
        if 0 <= i < len(data.token_prices) and o.col < len(TOKEN_COLUMNS):
            line = _data_lines(data.folder, TOKEN_PRICES_FILE, cache)[i]
            return TOKEN_PRICES_FILE, line, TOKEN_COLUMNS[o.col]
        return TOKEN_PRICES_FILE, None, None
    return "", None, None


def cell_problems(data: Dataset, sheets: list[Sheet], checks: list[Check]
                  ) -> list[DataError]:
    """Every overflow of *sheets* (built from *data*, showing *checks*) as a problem
    of the data file, row and column behind it; one per data cell."""
    problems: dict[tuple, DataError] = {}
    by_name = {s.name: s for s in sheets}
    maps: dict[str, dict] = {}
    cache: dict[str, list[int]] = {}
    for o in overflows(sheets):
        if o.sheet not in maps:
            maps[o.sheet] = by_name[o.sheet].cell_map()
        file, line, column = _source(data, checks, maps[o.sheet].get((o.row, o.col)), o,
                                     cache)
        problems.setdefault((file, line, column), DataError(file, line, column, o.describe()))
    return list(problems.values())


def check_cells(data: Dataset, sheets: list[Sheet], checks: list[Check]) -> None:
    """Raise ``DataErrors`` if a cell of *sheets* is beyond one of Excel's limits."""
    problems = cell_problems(data, sheets, checks)
    if problems:
        raise DataErrors(problems)
