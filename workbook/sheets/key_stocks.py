"""Sheet ``重点标的``: the key-stocks table as the report prints it, P/E by ``=PE()``.

Columns: code, name, close (CNY), close date, rating, one EPS column per fiscal year
(CNY per share), then one P/E column per fiscal year, each cell ``=PE(<close>,<EPS>)``
of its own row. A last row averages each P/E column (loss-makers' ``NM`` skipped).
"""

from __future__ import annotations

from dataclasses import dataclass
from statistics import fmean

from udfs.valuation import pe_value
from workbook.dataset import Dataset
from workbook.model import Sheet, a1, formula, value

NAME = "重点标的"
TITLE_ROW, NOTE_ROW, HEADER_ROW = 0, 1, 2
FIRST_DATA_ROW = 3
CODE, STOCK_NAME, CLOSE, CLOSE_DATE, RATING = range(5)
FIRST_EPS_COL = 5


@dataclass(frozen=True)
class Layout:
    """Where things are on the sheet, so other sheets can point at them."""

    n_stocks: int
    n_years: int

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


def layout(data: Dataset) -> Layout:
    return Layout(len(data.coverage.stocks), len(data.coverage.years))


def build(data: Dataset) -> Sheet:
    """The sheet model of ``重点标的`` for *data*."""
    cov = data.coverage
    lay = layout(data)
    sheet = Sheet(NAME, freeze=(FIRST_DATA_ROW, 2), landscape=True)
    dates = sorted({s.close_date.isoformat() for s in cov.stocks})
    sheet.add(TITLE_ROW, 0, [[value("重点标的 Key stocks", "title")]])
    sheet.add(NOTE_ROW, 0, [[value(
        f"收盘价 Close: CNY, {', '.join(dates)}; EPS: CNY/share; "
        "P/E = 收盘价/EPS via =PE(); NM = EPS ≤ 0 (not meaningful)", "note")]])
    header = ["代码 Code", "名称 Name", "收盘价 Close (CNY)", "收盘日 Close date", "评级 Rating"]
    header += [f"EPS {y.label}" for y in cov.years] + [f"P/E {y.label}" for y in cov.years]
    sheet.add(HEADER_ROW, 0, [[value(h, "header") for h in header]])

    rows = []
    for i, stock in enumerate(cov.stocks):
        r = lay.row_of(i)
        cells = [value(stock.code, "text"), value(stock.name, "text"),
                 value(stock.close, "price"), value(stock.close_date, "date"),
                 value(stock.rating, "text")]
        cells += [value(e, "eps") for e in stock.eps]
        for k, eps in enumerate(stock.eps):
            cells.append(formula(f"=PE({a1(r, CLOSE)},{a1(r, lay.eps_col(k))})",
                                 pe_value(stock.close, eps), "pe"))
        rows.append(cells)
    sheet.add(FIRST_DATA_ROW, 0, rows)

    if cov.stocks:
        mean = [value("平均 Mean (P/E, NM excluded)", "note")]
        for k in range(lay.n_years):
            col = lay.pe_col(k)
            numbers = [c.cached for c in (row[col] for row in rows)
                       if isinstance(c.cached, float)]
            first, last = a1(lay.row_of(0), col), a1(lay.row_of(lay.n_stocks - 1), col)
            cached = fmean(numbers) if numbers else "#DIV/0!"
            mean.append(formula(f"=AVERAGE({first}:{last})", cached, "pe"))
        sheet.add(lay.mean_row, lay.pe_col(0) - 1, [mean])

    sheet.row_heights = {HEADER_ROW: 30}  # two lines: Chinese and English header
    sheet.col_widths = {CODE: 12, STOCK_NAME: 12, CLOSE: 11, CLOSE_DATE: 12, RATING: 9}
    for k in range(lay.n_years):
        sheet.col_widths[lay.eps_col(k)] = 10
        sheet.col_widths[lay.pe_col(k)] = 10
    return sheet
