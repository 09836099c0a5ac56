"""Sheet ``重点标的``: the key-stocks table as the report prints it, P/E by ``=PE()``,
and what an analyst's coverage table adds to it.

Columns (declared once, in ``columns.py``): code, name, close (CNY), close date,
rating, one EPS column per fiscal year (CNY per share), then one P/E column per fiscal
year (the report's 60 P/E cells keep their addresses). To the right of the P/E block:
when ``coverage.csv`` has a ``target_price`` column, the target price, ``=UPSIDE()``,
``=IMPLIED_RATING()`` and a check of the published rating against the implied one;
when the table has an actual and a later estimate year, ``=EPS_CAGR()`` from the last
actual to the last estimate year and ``=PEG()`` of the first estimate year's P/E over
that growth. A last row averages each numeric column (``NM``, ``n.a.`` skipped);
notes below the table say how each added column is computed. The implied ratings
read the scale and the benchmark's expected return from two input cells above the
target columns, filled from ``settings.toml``.

Two layouts of the computed columns, same cells and same cached values: up to
:data:`ARRAY_THRESHOLD` stocks one ``=PE(<close>,<EPS>)`` per cell of its own row, as
an analyst would type it; above it one dynamic array formula per column,
``=PE(C4:C5003,F4:F5003)``, spilling down (see ``columns.py`` for why).

Where things are:

- ``columns.py``: :data:`COLUMNS`, the declaration (header, style, width, the
  formulas and cached values, mean rows, notes of every column);
- ``layout.py``: :class:`Layout`, rows and each declared column's position;
- ``sheet.py``: :func:`build`, the sheet model from the declaration;
- ``format.py``: the grid, the rating colours, the dropdowns and the P/E chart.
"""

from __future__ import annotations

from workbook.sheets.key_stocks.columns import (COLUMNS, RATING_DIFFERS, RATING_SAME, Column,
                                                Table, rating_check, rating_check_formula)
from workbook.sheets.key_stocks.format import (BENCHMARK_LABEL, CHART_MAX_STOCKS, CHART_SIZE,
                                               DIFFERS_FORMAT, RATING_ABOVE, RATING_BELOW,
                                               SCALE_LABEL, rating_colours)
from workbook.sheets.key_stocks.layout import (ARRAY_THRESHOLD, CLOSE, CLOSE_DATE, CODE,
                                               FIRST_DATA_ROW, FIRST_EPS_COL, HEADER_ROW, NAME,
                                               NOTE_ROW, RATING, STOCK_NAME, TITLE_ROW, Growth,
                                               Layout, added_columns_right, growth_span, layout,
                                               stock_scale_ids)
from workbook.sheets.key_stocks.sheet import (MAX_NOTE_DATES, average, build, median,
                                              rating_inputs)

__all__ = [
    "ARRAY_THRESHOLD", "BENCHMARK_LABEL", "CHART_MAX_STOCKS", "CHART_SIZE", "CLOSE",
    "CLOSE_DATE", "CODE", "COLUMNS", "Column", "DIFFERS_FORMAT", "FIRST_DATA_ROW",
    "FIRST_EPS_COL", "Growth", "HEADER_ROW", "Layout", "MAX_NOTE_DATES", "NAME", "NOTE_ROW",
    "RATING", "RATING_ABOVE", "RATING_BELOW", "RATING_DIFFERS", "RATING_SAME", "SCALE_LABEL",
    "STOCK_NAME", "TITLE_ROW", "Table", "added_columns_right", "average", "build",
    "growth_span", "layout", "median", "rating_check", "rating_check_formula",
    "rating_colours", "rating_inputs", "stock_scale_ids",
]
