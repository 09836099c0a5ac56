"""Sheet ``重点标的``: the key-stocks table as the report prints it, P/E by ``=PE()``.

Columns: code, name, close (CNY), close date, rating, one EPS column per fiscal year
(CNY per share), then one P/E column per fiscal year. A last row averages each P/E
column (loss-makers' ``NM`` skipped).

Two layouts of the P/E block, same cells and same cached values:

- up to :data:`ARRAY_THRESHOLD` stocks, one ``=PE(<close>,<EPS>)`` per cell of its own
  row, as an analyst would type it;
- above it, one dynamic array formula per fiscal year, ``=PE(C4:C5003,F4:F5003)``,
  spilling down the column. In Excel each scalar UDF call is a round trip from VBA to
  the Python COM server (milliseconds; xlwings issue #1976), so 5,000 stocks x 4 years
  of scalar cells take minutes to recalculate and the array layout takes 4 calls. The
  build computes each column's cached values with one call of the same UDF.
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import fmean

from udfs._excel import MISSING
from udfs.valuation import PE, pe_value
from workbook.dataset import Dataset
from workbook.model import (ErrorValue, PrintSetup, Sheet, a1, array_formula, formula,
                            value)

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


@dataclass(frozen=True)
class Layout:
    """Where things are on the sheet, so other sheets can point at them."""

    n_stocks: int
    n_years: int
    #: True when the P/E block is one spilled array formula per year column.
    array: bool = False

    def row_of(self, index: int) -> int:
        """Zero-based sheet row of the *index*-th stock."""
        return FIRST_DATA_ROW + index

    def eps_col(self, year_index: int) -> int:
        return FIRST_EPS_COL + year_index

    def pe_col(self, year_index: int) -> int:
        return FIRST_EPS_COL + self.n_years + year_index

    @property
    def mean_row(self) -> int:
        return FIRST_DATA_ROW + self.n_stocks


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
    n = len(data.coverage.stocks)
    return Layout(n, len(data.coverage.years), array=n > array_threshold)


def build(data: Dataset, array_threshold: int = ARRAY_THRESHOLD) -> Sheet:
    """The sheet model of ``重点标的`` for *data*; array layout above *array_threshold*
    stocks (0: always)."""
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
        rows.append(cells)
    sheet.add(FIRST_DATA_ROW, 0, rows)
    if lay.array and cov.stocks:
        first, last = lay.row_of(0), lay.row_of(lay.n_stocks - 1)
        sheet.add(first, lay.pe_col(0), [[
            array_formula(f"=PE({a1(first, CLOSE)}:{a1(last, CLOSE)},"
                          f"{a1(first, lay.eps_col(k))}:{a1(last, lay.eps_col(k))})",
                          [[v] for v in pe_columns[k]], "pe")
            for k in range(lay.n_years)]])

    if cov.stocks:
        mean = [value(f"平均 Mean (P/E; NM, {MISSING} excluded)", "label")]
        for k in range(lay.n_years):
            col = lay.pe_col(k)
            first, last = a1(lay.row_of(0), col), a1(lay.row_of(lay.n_stocks - 1), col)
            cached = average(pe_columns[k])
            mean.append(formula(f"=AVERAGE({first}:{last})", cached, "pe"))
        sheet.add(lay.mean_row, lay.pe_col(0) - 1, [mean])

    sheet.col_widths = {CODE: 12, STOCK_NAME: 12, CLOSE: 13, CLOSE_DATE: 12, RATING: 11}
    for k in range(lay.n_years):
        sheet.col_widths[lay.eps_col(k)] = 10
        sheet.col_widths[lay.pe_col(k)] = 10
    sheet.fit_rows(HEADER_ROW, HEADER_ROW)  # Chinese and English header: two lines
    return sheet
