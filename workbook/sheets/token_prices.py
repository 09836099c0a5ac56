"""Sheet ``Token价格``: LLM API list prices in force on the data's as-of date, price-ratio
matrices, a cost calculator, every price period, and a step chart of output prices.

Blocks, top to bottom:

1. the as-of date (``settings.toml``) every formula of the sheet looks prices up on;
2. the prices in force on that date, one row per model priced then (models launched
   later are not in it), in the row's currency and in USD (``=TOKEN_PRICE()``);
3. input and output price-ratio matrices over those models (``=COST_RATIO()``);
4. a cost calculator (``=TOKEN_COST()``) for one request;
5. the price history: every row of ``token_prices.csv`` by model and date, with the
   last day each was in force;
6. a step chart of the output price over time (USD per 1M tokens, every model and
   period), drawn from a table below it: for every date a price or an FX rate
   changed, one row with each model's price the day before and one with its price
   from that day, so the XY scatter with straight lines steps at each change. A model
   not priced on a date (or without an FX rate then) has an empty cell there (a gap
   in its line, not a zero).
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from dataclasses import replace
from typing import Any, Mapping

from xlsxwriter.utility import xl_rowcol_to_cell

from udfs._excel import MAX_DATE_SERIAL, excel_serial
from udfs.tokens import COST_RATIO, TOKEN_COST, price_value
from workbook.dataset import Dataset, TokenPrice
from workbook.model import (CHART_PREFIX, MAX_CHART_SERIES, Chart, Sheet, Validation, a1,
                            excel_string, formula, value, typed_input)

NAME = "Token价格"
#: The source column of the price tables: long citations wrap within this width
#: (characters); the model names wrap within theirs.
SOURCE_COL, SOURCE_WIDTH = 12, 50
NAME_COL, NAME_WIDTH = 1, 24

#: The calculator's default request: token counts an analyst overwrites in Excel.
#: A typical o1 reasoning request (illustrative, not from the report).
CALCULATOR_TOKENS = (("输入 Input tokens", 10_000), ("输出 Output tokens", 2_000),
                     ("推理 Reasoning tokens", 8_000), ("缓存 Cached input tokens", 0))
#: Where the as-of date is: every formula of the sheet reads it.
AS_OF_ROW, AS_OF_COL = 1, 1
#: The step chart's size in points and the rows kept free for it.
CHART_SIZE = (720.0, 380.0)
CHART_ROWS = 27
#: Days of margin on each side of the step chart's date axis.
CHART_MARGIN_DAYS = 20


def _num(x):
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _steps(data: Dataset) -> list[tuple[dt.date, dt.date]]:
    """``(date shown, date priced)`` of the step table's rows: for each date a price
    or an FX rate took effect (a price in another currency moves in USD with its
    rate), the day before (if any model was priced then) and the day itself."""
    dates = sorted({p.in_force_from for p in data.token_prices} | {r.date for r in data.fx})
    rows = []
    for day in dates:
        before = day - dt.timedelta(days=1)
        if any(data.prices.in_force(m, before) for m in data.prices.models):
            rows.append((day, before))
        rows.append((day, day))
    return rows


def build(data: Dataset, inputs: Mapping[tuple[int, int], Any] | None = None) -> Sheet:
    """The sheet model of ``Token价格`` for *data*. The cost calculator's token counts
    and models are input cells (dropdowns: whole numbers >= 0, the models of the price
    table); *inputs*, what is typed there in the open workbook (Refresh,
    ``{(row, col): value}``), gives their cached costs; empty cells take the defaults.
    """
    inputs = inputs or {}

    typed = partial(typed_input, inputs)
    day = data.as_of
    history = data.prices
    current = [history.in_force(m, day) for m in history.models]
    current = [p for p in current if p is not None]
    models = [p.model for p in current]
    sheet = Sheet(NAME, col_widths={0: 24, NAME_COL: NAME_WIDTH, 2: 12, 3: 9, 4: 11, 5: 11,
                                    6: 11, 7: 12, 8: 11, 9: 9, 10: 12, 11: 10,
                                    SOURCE_COL: SOURCE_WIDTH})
    date_ref = a1(AS_OF_ROW, AS_OF_COL, absolute=True)  # $B$2
    sheet.add(0, 0, [[value("Token价格 LLM API prices per 1M tokens, in force on the "
                            "as-of date", "title")],
                     [value("价格日期 Prices as of", "header"), value(day, "date"),
                      value("settings.toml as_of: every formula on this sheet looks "
                            "prices up on this date", "note")]])

    header = ["模型 Model", "名称 Name", "生效 In force from", "币种 Currency",
              "输入 Input /1M", "缓存输入 Cached input /1M", "输出 Output /1M",
              "输入 Input USD/1M", "输出 Output USD/1M", "推理 Reasoning",
              "上下文 Context (tokens)", "知识截止 Cutoff", "来源 Source"]
    first = 4
    rows = [[value(h, "header") for h in header]]
    for i, p in enumerate(current):
        model_ref = xl_rowcol_to_cell(first + i, 0, col_abs=True)  # $A5
        rows.append([
            value(p.model, "text"), value(p.display_name, "text_wrap"),
            value(p.in_force_from, "date"), value(p.currency, "text_center"),
            value(p.input_per_1m, "usd"), value(p.cached_input_per_1m, "usd"),
            value(p.output_per_1m, "usd"),
            formula(f'=TOKEN_PRICE({model_ref},"input",{date_ref})',
                    price_value(p.model, "input", day), "usd"),
            formula(f'=TOKEN_PRICE({model_ref},"output",{date_ref})',
                    price_value(p.model, "output", day), "usd"),
            value("yes" if p.reasoning else "no", "text_center"),
            value(p.context_window_tokens, "int"), value(p.knowledge_cutoff, "text_center"),
            value(p.source, "text_wrap")])
    sheet.add(first - 1, 0, rows)
    row = first + len(current) + 1
    sheet.fit_rows(first - 1, row)

    for side, title in (("input", "输入价格倍数 Input price ratio"),
                        ("output", "输出价格倍数 Output price ratio")):
        sheet.add(row, 0, [[value(f"{title}: row model / column model, on the as-of date",
                                  "title")]])
        head = row + 1
        block = [[value("=COST_RATIO(row, column)", "header")]
                 + [value(m, "header") for m in models]]
        for i, a in enumerate(models):
            r = head + 1 + i
            cells = [value(a, "text")]
            for j, b in enumerate(models):
                ref_a = xl_rowcol_to_cell(r, 0, col_abs=True)  # $A5: the row's model
                ref_b = xl_rowcol_to_cell(head, 1 + j, row_abs=True)  # B$4: the column's
                cells.append(formula(
                    f"=COST_RATIO({ref_a},{ref_b},{excel_string(side)},{date_ref})",
                    COST_RATIO(a, b, side, day), "ratio"))
            block.append(cells)
        sheet.add(head, 0, block)
        sheet.fit_rows(head, head)
        row = head + 1 + len(models) + 1

    sheet.add(row, 0, [[value("成本计算 Cost per request (USD): =TOKEN_COST(model, input, "
                              "output, reasoning, cached, date); reasoning billed at the "
                              "output price, cached input at the cached price", "title")]])
    counts_row = row + 1
    sheet.add(counts_row, 0, [[value(label, "header")] for label, _ in CALCULATOR_TOKENS])
    sheet.add_inputs(counts_row, 1, [[value(n, "input_int")] for _, n in CALCULATOR_TOKENS])
    last_count = counts_row + len(CALCULATOR_TOKENS) - 1
    sheet.validations.append(Validation(counts_row, 1, last_count, 1, "whole", minimum=0))
    sheet.fit_rows(counts_row, counts_row + len(CALCULATOR_TOKENS))
    refs = [a1(counts_row + i, 1, absolute=True) for i in range(len(CALCULATOR_TOKENS))]
    n_in, n_out, n_reason, n_cached = (typed((counts_row + i, 1), n)
                                       for i, (_, n) in enumerate(CALCULATOR_TOKENS))
    calc = counts_row + len(CALCULATOR_TOKENS) + 1
    sheet.add(calc, 0, [[value("模型 Model", "header"), value("成本 Cost USD", "header")]])
    chosen = [typed((calc + 1 + i, 0), m) for i, m in enumerate(models)]
    if models:
        sheet.add_inputs(calc + 1, 0, [[value(m, "input_text")] for m in models])
        sheet.validations.append(Validation(calc + 1, 0, calc + len(models), 0, "list",
                                            source=(first, 0, first + len(models) - 1, 0)))
        sheet.add(calc + 1, 1, [
            [formula(f"=TOKEN_COST({a1(calc + 1 + i, 0)},{','.join(refs)},{date_ref})",
                     TOKEN_COST(m, n_in, n_out, n_reason, n_cached, day), "usd_cost")]
            for i, m in enumerate(chosen)])
    row = calc + 1 + len(models) + 1

    price_chart_row = row
    row = _price_chart(sheet, first - 1, len(current), row)
    row = _history(sheet, data, row)
    _step_chart(sheet, data, row)
    # Each chart starts a printed page, so that neither is cut in two.
    sheet.page = replace(sheet.page, row_breaks=(price_chart_row, row))
    return sheet


#: The price chart: its size (points) and the rows kept free for it (15 points a row).
PRICE_CHART_SIZE = (720.0, 300.0)
PRICE_CHART_ROWS = 21
#: The columns of the prices table the price chart draws: USD input and output.
USD_INPUT_COL, USD_OUTPUT_COL = 7, 8


def _price_chart(sheet: Sheet, header_row: int, n_models: int, row: int) -> int:
    """A column chart at *row* of the input and output price per model on the as-of
    date (USD per 1M tokens), pointing at the prices table (header at *header_row*,
    then *n_models* rows), so it follows the table. Returns the first row below it."""
    if n_models:
        sheet.charts.append(Chart(
            name=CHART_PREFIX + "input and output price per model", kind="column",
            title="输入/输出价格 Input and output price, USD per 1M tokens",
            data=(header_row, USD_INPUT_COL, header_row + n_models, USD_OUTPUT_COL),
            categories_col=0, anchor=(row, 0), size=PRICE_CHART_SIZE,
            y_title="USD per 1M tokens", y_format="0"))
    return row + PRICE_CHART_ROWS


def _history(sheet: Sheet, data: Dataset, row: int) -> int:
    """The price-history table from *row*; returns the first row after it."""
    history = data.prices
    sheet.add(row, 0, [[value("价格历史 Price history: every period of every model, per 1M "
                              "tokens in its currency (a price is in force from its date "
                              "until the day before the model's next row)", "title")]])
    # The columns of the prices table above, with until and days for the USD prices.
    header = ["模型 Model", "名称 Name", "生效 In force from", "币种 Currency",
              "输入 Input /1M", "缓存输入 Cached input /1M", "输出 Output /1M",
              "至 Until (blank: still in force)", "天数 Days in force", "推理 Reasoning",
              "上下文 Context (tokens)", "知识截止 Cutoff", "来源 Source"]
    periods: list[TokenPrice] = [p for m in history.models for p in history.periods(m)]
    rows = [[value(h, "header") for h in header]]
    for p in periods:
        until = history.until(p)
        rows.append([
            value(p.model, "text"), value(p.display_name, "text_wrap"),
            value(p.in_force_from, "date"), value(p.currency, "text_center"),
            value(p.input_per_1m, "usd"), value(p.cached_input_per_1m, "usd"),
            value(p.output_per_1m, "usd"), value(until, "date"),
            value((until - p.in_force_from).days + 1 if until else None, "int"),
            value("yes" if p.reasoning else "no", "text_center"),
            value(p.context_window_tokens, "int"), value(p.knowledge_cutoff, "text_center"),
            value(p.source, "text_wrap")])
    sheet.add(row + 1, 0, rows)
    end = row + 2 + len(periods)
    sheet.fit_rows(row + 1, end)
    return end + 1


def _step_chart(sheet: Sheet, data: Dataset, row: int) -> None:
    """The step chart at *row* and, below the rows it covers, the table it draws: a
    series per model, so above Excel's :data:`~workbook.model.MAX_CHART_SERIES`
    series per chart one chart per 255 models, one below the other, each titled with
    the models it draws (no model is left out)."""
    models = list(data.prices.models)
    parts = [(k, min(k + MAX_CHART_SERIES, len(models)))
             for k in range(0, max(len(models), 1), MAX_CHART_SERIES)]
    table = row + CHART_ROWS * len(parts)
    steps = _steps(data)
    head = table + 1
    sheet.add(table, 0, [[value("输出价格阶梯 Output price in force, USD per 1M tokens (the "
                                "chart's data): each date a price changed, the day before "
                                "and from that day", "title")]])
    rows = [[value("日期 Date", "header")] + [value(m, "header") for m in models]]
    for i, (shown, priced) in enumerate(steps):
        r = head + 1 + i
        date_cell = xl_rowcol_to_cell(r, 0, col_abs=True)  # $A80
        when = date_cell if shown == priced else f"{date_cell}-1"
        cells = [value(shown, "date")]
        for j, m in enumerate(models):
            cached = price_value(m, "output", priced)
            if _num(cached):
                col_head = xl_rowcol_to_cell(head, 1 + j, row_abs=True)
                cells.append(formula(f'=TOKEN_PRICE({col_head},"output",{when})', cached,
                                     "usd"))
            else:  # not priced (or no FX rate) then: an empty cell, a gap in the line
                cells.append(value(None))
        rows.append(cells)
    sheet.add(head, 0, rows)
    sheet.fit_rows(head, head)
    last = head + len(steps)
    # The axis runs CHART_MARGIN_DAYS either side of the dates, within Excel's calendar
    # (serials 1 to 9999-12-31): a price dated from 9999-12-12 on has less margin.
    x_min = max(1, excel_serial(steps[0][0]) - CHART_MARGIN_DAYS)
    x_max = min(MAX_DATE_SERIAL, excel_serial(steps[-1][0]) + CHART_MARGIN_DAYS)
    for i, (k0, k1) in enumerate(parts):
        which = f", models {k0 + 1:,}–{k1:,} of {len(models):,}" if len(parts) > 1 else ""
        sheet.charts.append(Chart(
            name=CHART_PREFIX + "output price steps" + (f" {i + 1}" if i else ""),
            kind="scatter",
            title=f"输出价格 Output price per 1M tokens (USD), in force over time{which}",
            data=(head, 1 + k0, last, max(k1, 1)), categories_col=0,
            anchor=(row + i * CHART_ROWS, 0), size=CHART_SIZE,
            x_title="生效日期 In force from", y_title="USD per 1M output tokens",
            x_format="yyyy-mm", y_format="0", x_min=x_min, x_max=x_max))
