"""The sheet model of ``重点标的`` (:func:`build`), made from the column declaration
(``columns.py``): title and units, the header, a row per stock, the mean and median
rows, the notes, the rating inputs above the target columns, the chart."""

from __future__ import annotations

import statistics
from functools import partial
from statistics import fmean
from typing import Any, Mapping

from udfs._excel import MISSING
from workbook.dataset import Dataset
from workbook.model import (CachedColumn, ErrorValue, PrintSetup, Sheet, array_formula,
                            excel_string, formula, text_width, typed_input, value)
from workbook.sheets.key_stocks.columns import Table
from workbook.sheets.key_stocks.format import (BENCHMARK_LABEL, SCALE_LABEL, chart,
                                               table_format)
from workbook.sheets.key_stocks.layout import (ARRAY_THRESHOLD, FIRST_DATA_ROW, HEADER_ROW, NAME,
                                               NOTE_ROW, TITLE_ROW, Layout, layout)

#: The note lists the close dates up to this many, else their range and count.
MAX_NOTE_DATES = 5


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


def median(values: list) -> float | str:
    """What ``=IF(COUNT(range),MEDIAN(range),"n.a.")`` gives over a column: the median
    of the numbers, text skipped, the missing-figure marker with no number (MEDIAN
    itself would give an error: #NUM! in Excel, #VALUE! in LibreOffice)."""
    numbers = [v for v in values if isinstance(v, float)]
    return statistics.median(numbers) if numbers else MISSING


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
    units = ("收盘价 Close: in each row's currency (币种)" if lay.currencies else
             "收盘价 Close: CNY")
    eps = "EPS: per share in its EPS currency" if lay.currencies else "EPS: CNY/share"
    sheet.add(NOTE_ROW, 0, [[value(
        f"{units}, {', '.join(dates)}; {eps}; "
        f"P/E = 收盘价/EPS via =PE(); NM = EPS ≤ 0 (not meaningful); {MISSING} = no EPS",
        "note")]])
    table = Table(data, lay, rating_inputs(data, inputs))
    sheet.add(HEADER_ROW, 0, [[value(c.header_text(table, k), "header")
                               for _, c, k in lay.columns]])
    if not cov.stocks:
        return sheet
    stock_rows(sheet, table)
    if lay.has_targets:
        add_rating_inputs(sheet, data, lay)
    summary_rows(sheet, table)
    notes = [c.note(table) for c in dict.fromkeys(c for _, c, _ in lay.columns) if c.note]
    if notes:
        sheet.add(lay.notes_row, 0, [[value(n, "note")] for n in notes])
    chart(sheet, data, lay)
    table_format(sheet, data, lay)
    # Filter and sort buttons on the header, over the stocks and every column (the
    # mean and median rows below stay out of a sort).
    sheet.autofilter = (HEADER_ROW, 0, table.last, len(lay.columns) - 1)
    fit_widths(sheet, lay)
    sheet.fit_rows(HEADER_ROW, HEADER_ROW)  # Chinese and English header: two lines
    return sheet


def stock_rows(sheet: Sheet, t: Table) -> None:
    """A row per stock: each typed column's value, each computed column's formula
    with its cached value (per cell), or nothing where a column's array formula, added
    above the first stock's cell, spills (array layout)."""
    lay = t.lay
    rows_of = range(t.first, t.last + 1)
    cells: list[list] = []
    families: dict[str, list[int]] = {}
    for col, c, k in lay.columns:
        families.setdefault(c.key, []).append(col)
        if c.literal is not None:
            style_of = c.style_of
            cells.append([value(v, c.style) for v in t.cached(c.key, k)] if style_of is None
                         else [value(v, style_of(v)) for v in t.cached(c.key, k)])
            continue
        assert c.values is not None and c.cell is not None
        t.values[(c.key, k)] = cached = c.values(t, k)
        if lay.array and not c.per_cell:
            cells.append([None] * lay.n_stocks)
        else:
            cells.append([formula(f, v, c.style) if (f := c.cell(t, k, r)) is not None
                          else value(v, c.style) for r, v in zip(rows_of, cached)])
    sheet.add(FIRST_DATA_ROW, 0, [list(row) for row in zip(*cells)])
    if not lay.array:
        return
    for key, cols in families.items():  # one block per family (the P/E years side by side)
        _, c, _ = lay.columns[cols[0]]
        if c.spill is not None:
            sheet.add(t.first, cols[0], [[
                array_formula(c.spill(t, k), CachedColumn(t.values[(key, k)]), c.style)
                for k in range(len(cols))]])


def summary_rows(sheet: Sheet, t: Table) -> None:
    """The mean and the median row below the table: each column's the declaration
    marks ``mean`` (the P/E columns, upside, EPS CAGR, PEG; ``NM`` and ``n.a.``
    skipped)."""
    lay = t.lay
    label_col = lay.pe_col(0) - 1
    sheet.add(lay.mean_row, label_col, [
        [value(f"平均 Mean (NM, {MISSING} excluded)", "label")],
        [value(f"中位数 Median (NM, {MISSING} excluded)", "label")]])
    for col, c, k in lay.columns:
        if not c.mean:
            continue
        cached = t.values[(c.key, k)]
        rng = t.rng(c.key, k)
        sheet.add(lay.mean_row, col, [
            [formula(f"=AVERAGE({rng})", average(cached), c.style)],
            [formula(f'=IF(COUNT({rng}),MEDIAN({rng}),{excel_string(MISSING)})',
                     median(cached), c.style)]])


def fit_widths(sheet: Sheet, lay: Layout) -> None:
    """Each table column as wide as its header and stock cells need, within its
    declared width; the target and implied-rating columns also as wide as the input
    labels above them (right-aligned, they must fit)."""
    by_width: dict[tuple[float, float], list[int]] = {}
    for col, c, _ in lay.columns:
        by_width.setdefault(c.width, []).append(col)
    for (least, most), cols in by_width.items():
        sheet.fit_columns(HEADER_ROW, lay.row_of(lay.n_stocks - 1), cols, minimum=least,
                          maximum=most)
    if lay.has_targets:
        target, _, implied, _ = lay.target_cols()
        for col, label in ((target, SCALE_LABEL), (implied, BENCHMARK_LABEL)):
            sheet.col_widths[col] = max(sheet.col_widths[col], text_width(label) + 1)


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
    sheet.add(NOTE_ROW, lay.horizon_note_col, [[value(
        f"{scale.horizon_text} months, set {s.benchmark_return_date.isoformat()}", "note")]])
