"""Sheet ``Token场景``: what a task costs on each model on a date, and what multiple of a
benchmark model (GPT-4o) that is, beside the list-price multiple.

A price per token does not decide what a task costs: a reasoning model bills hidden
reasoning tokens at its output price, and cached input is billed at a discount. The
sheet prices whole tasks (``workloads.csv``, plus one the analyst types) on every
model, at the prices in force on a date:

- **Inputs** (shaded, kept by Refresh; at fixed cells above everything that grows
  with the data): the date (default: the data's as-of date), the benchmark model
  (a dropdown of the models; default ``gpt-4o``), the currency (USD or one
  ``fx.csv`` has), and the custom workload's token counts.
- **Workloads**: input tokens, the cached share of them, visible output tokens and
  reasoning tokens per visible output token; the custom one first (its cells are
  inputs), then the data's.
- **One block per workload**, one row per model (in launch order): reasoning tokens
  (visible output x reasoning ratio, for reasoning models only: ``reasoning`` in
  ``token_prices.csv``), cost per task and per 1,000 tasks (``=TOKEN_COST()``), the
  cost as a multiple of the benchmark's cost for the same task, and the input and
  output list-price multiples (``=COST_RATIO()``) beside it.

Every figure is a formula over the input cells, so a typed date or workload
recomputes in Excel; the cached values are computed from what is in the input cells
(the defaults, or on Refresh what was typed: ``inputs``).
"""

from __future__ import annotations

import datetime as dt
from functools import partial
from typing import Any, Mapping

from xlsxwriter.utility import xl_range_abs, xl_rowcol_to_cell

from udfs._excel import MISSING, as_date, excel_serial, is_error
from udfs.tokens import COST_RATIO, TOKEN_COST
from workbook.dataset import Dataset, Workload
from workbook.model import (ErrorValue, Sheet, Validation, a1, excel_string, formula,
                            typed_input, value)

NAME = "Token场景"

#: The input cells (zero-based row, column): fixed, above everything data-sized.
INPUTS_HEADER = 5
DATE_CELL, BENCHMARK_CELL, CURRENCY_CELL = (6, 1), (7, 1), (8, 1)
#: The workloads table: its header row; the custom (typed) workload is the first row
#: below it, its four figures in columns B-E are input cells.
WORKLOADS_HEADER = 10
CUSTOM_ROW = WORKLOADS_HEADER + 1
INPUT_TOKENS, CACHED_SHARE, OUTPUT_TOKENS, REASONING_RATIO = 1, 2, 3, 4
#: The custom workload's defaults: an o1-style request with half of a long prompt
#: cached (illustrative; the analyst overwrites them).
CUSTOM_DEFAULT = Workload("custom", "自定义 Custom (type your own)", 10_000, 0.5, 2_000, 4,
                          "typed on this sheet")
DEFAULT_BENCHMARK = "gpt-4o"
#: A figure that cannot be computed (the model or the benchmark has no cost on the
#: date): the missing-figure marker every UDF reads as a blank.
NOT_AVAILABLE = MISSING
#: How the reasoning-model column reads (the formulas test it).
YES, NO = "yes", "no"
#: Columns of a result block.
MODEL, MODEL_NAME, FIRST_PRICED, IS_REASONING, REASONING_TOKENS, COST, COST_1000, MULTIPLE, \
    INPUT_X, OUTPUT_X = range(10)


def _is_num(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool)


def _excel_operand(v: Any) -> float | str:
    """A cell value as Excel's ``*`` takes it: empty 0, TRUE/FALSE 1/0, a date its
    serial, numeric text its number; an error passes on; other text ``#VALUE!``."""
    if v is None:
        return 0.0
    if isinstance(v, bool):
        return float(v)
    if isinstance(v, (int, float)):
        return float(v)
    if isinstance(v, dt.date):  # a datetime too
        return float(excel_serial(v))
    if isinstance(v, str):
        if is_error(v):
            return v.split(" ", 1)[0]
        try:
            return float(v)
        except ValueError:
            return "#VALUE!"
    return "#VALUE!"


def excel_product(a: Any, b: Any) -> Any:
    """What Excel's ``=a*b`` gives for two cell values (see :func:`_excel_operand`),
    an error as its text: the cached values of ``cached tokens = input x share`` and
    ``reasoning = output x ratio`` over what is typed in the input cells."""
    x, y = _excel_operand(a), _excel_operand(b)
    for v in (x, y):
        if isinstance(v, str):
            return v
    return x * y


def models_by_launch(data: Dataset) -> list[str]:
    """Every model, by its first priced date (ties: file order): on any date the
    models priced then come first."""
    order = {m: i for i, m in enumerate(data.prices.models)}
    return sorted(data.prices.models,
                  key=lambda m: (data.prices.first(m).in_force_from, order[m]))


def build(data: Dataset, inputs: Mapping[tuple[int, int], Any] | None = None) -> Sheet:
    """The sheet model of ``Token场景`` for *data*; *inputs* are the values in the
    input cells of the open workbook (``{(row, col): value}``, Refresh), which the
    cached values are computed from; missing or empty cells take the defaults."""
    inputs = inputs or {}

    typed = partial(typed_input, inputs)

    models = models_by_launch(data)
    default_bench = DEFAULT_BENCHMARK if DEFAULT_BENCHMARK in models else models[0]
    day = typed(DATE_CELL, data.as_of)
    bench = typed(BENCHMARK_CELL, default_bench)
    currency = typed(CURRENCY_CELL, "USD")
    custom = [typed((CUSTOM_ROW, c), d) for c, d in (
        (INPUT_TOKENS, CUSTOM_DEFAULT.input_tokens), (CACHED_SHARE, CUSTOM_DEFAULT.cached_share),
        (OUTPUT_TOKENS, CUSTOM_DEFAULT.output_tokens),
        (REASONING_RATIO, CUSTOM_DEFAULT.reasoning_per_output))]

    sheet = Sheet(NAME, col_widths={0: 30, 1: 22, 2: 11, 3: 12, 4: 13, 5: 13, 6: 13, 7: 12,
                                    8: 12, 9: 12})
    first_price = min(p.in_force_from for p in data.token_prices)
    sheet.add(0, 0, [
        [value("Token场景 Task scenarios: what a task costs on each model, on a date",
               "title")],
        [value("Cost per task = ((input − cached) × input price + cached × cached price "
               "+ (visible output + reasoning) × output price) / 1,000,000", "note")],
        [value("Reasoning tokens = visible output × reasoning per output token, for "
               "reasoning models only; cached input is billed at the input price while "
               "no cached price is in force.", "note")],
        [value("Shaded cells are inputs (a date, the benchmark, the currency, your own "
               "workload): Refresh keeps what you type there.", "note")]])
    sheet.add(INPUTS_HEADER, 0, [[value(h, "header")
                                  for h in ("输入 Input", "值 Value", "说明 Note")]])
    sheet.add(DATE_CELL[0], 0, [
        [value("日期 Date", "text")], [value("基准模型 Benchmark", "text")],
        [value("币种 Currency", "text")]])
    sheet.add_inputs(DATE_CELL[0], DATE_CELL[1], [
        [value(day, "input_date")], [value(bench, "input_text")],
        [value(currency, "input_text")]])
    sheet.add(DATE_CELL[0], 2, [
        [value(f"prices in force on this day (default: settings.toml as_of "
               f"{data.as_of.isoformat()}; first price {first_price.isoformat()})", "note")],
        [value("the multiples divide by this model's cost for the same task", "note")],
        [value(f"{' or '.join(data.currencies())}; other currencies convert at fx.csv's "
               "rate in force on the date", "note")]])

    date_ref, bench_ref, currency_ref = (a1(*c, absolute=True) for c in (
        DATE_CELL, BENCHMARK_CELL, CURRENCY_CELL))
    header = ["任务 Workload", "输入 Input tokens", "缓存占比 Cached share",
              "可见输出 Visible output tokens", "推理/输出 Reasoning per output token",
              "依据 Basis"]
    sheet.add(WORKLOADS_HEADER, 0, [[value(h, "header") for h in header]])
    sheet.add(CUSTOM_ROW, 0, [[value(CUSTOM_DEFAULT.name, "text")]])
    sheet.add_inputs(CUSTOM_ROW, INPUT_TOKENS, [[
        value(custom[0], "input_int"), value(custom[1], "input_pct"),
        value(custom[2], "input_int"), value(custom[3], "input_num")]])
    sheet.add(CUSTOM_ROW, 5, [[value(CUSTOM_DEFAULT.basis, "note")]])
    workloads = list(data.workloads)
    # The basis is a note: it runs over the empty cells to its right.
    sheet.add(CUSTOM_ROW + 1, 0, [
        [value(w.name, "text_wrap"), value(w.input_tokens, "int"),
         value(w.cached_share, "pct"), value(w.output_tokens, "int"),
         value(w.reasoning_per_output, "num1"), value(w.basis, "note")] for w in workloads])
    sheet.fit_rows(WORKLOADS_HEADER, CUSTOM_ROW + len(workloads))
    # (row on the sheet, figures) of each workload priced below: the data's, then custom
    priced = [(CUSTOM_ROW + 1 + i, w.name,
               [w.input_tokens, w.cached_share, w.output_tokens, w.reasoning_per_output])
              for i, w in enumerate(workloads)] + [(CUSTOM_ROW, CUSTOM_DEFAULT.name, custom)]

    sheet.validations += [
        Validation(*DATE_CELL, *DATE_CELL, "date", minimum=first_price),
        Validation(CUSTOM_ROW, INPUT_TOKENS, CUSTOM_ROW, INPUT_TOKENS, "whole", minimum=0),
        Validation(CUSTOM_ROW, CACHED_SHARE, CUSTOM_ROW, CACHED_SHARE, "decimal",
                   minimum=0, maximum=1),
        Validation(CUSTOM_ROW, OUTPUT_TOKENS, CUSTOM_ROW, OUTPUT_TOKENS, "whole", minimum=0),
        Validation(CUSTOM_ROW, REASONING_RATIO, CUSTOM_ROW, REASONING_RATIO, "decimal",
                   minimum=0),
    ]

    row = CUSTOM_ROW + 1 + len(workloads) + 1
    first_block = None
    for w_row, name, figures in priced:
        first_block = row + 2 if first_block is None else first_block
        row = _block(sheet, data, row, w_row, name, figures, models, day, bench, currency,
                     date_ref, bench_ref, currency_ref)
    # The benchmark's dropdown lists the model column of the first block.
    sheet.validations.append(Validation(
        *BENCHMARK_CELL, *BENCHMARK_CELL, "list",
        source=(first_block, MODEL, first_block + len(models) - 1, MODEL)))
    # The currencies: a literal list, or (too many for one) a list below the blocks.
    sheet.add_list(*CURRENCY_CELL, *CURRENCY_CELL, data.currencies(), spare=(row, 0),
                   label=f"币种 Currencies: what the currency cell "
                         f"{a1(*CURRENCY_CELL)} takes (its dropdown)")
    return sheet


def _block(sheet: Sheet, data: Dataset, row: int, w_row: int, name: str, figures: list,
           models: list[str], day: Any, bench: Any, currency: Any, date_ref: str,
           bench_ref: str, currency_ref: str) -> int:
    """One workload's result block from *row*; returns the first row after it."""
    n_in, share, n_out, ratio = figures
    ref = {c: a1(w_row, c, absolute=True) for c in (INPUT_TOKENS, CACHED_SHARE,
                                                     OUTPUT_TOKENS, REASONING_RATIO)}
    first, last = row + 2, row + 1 + len(models)
    costs_rng = xl_range_abs(first, COST, last, COST)
    models_rng = xl_range_abs(first, MODEL, last, MODEL)
    bench_cost_ref = a1(row, OUTPUT_X, absolute=True)
    n_cached = excel_product(n_in, share)
    rows, costs = [], {}
    for i, m in enumerate(models):
        r = first + i
        p = _shown_row(data, m, day)
        reasoning = excel_product(n_out, ratio) if p.reasoning else 0
        # a product over a typed text is Excel's error value in the cell, its text in
        # the UDF argument (err_to_str)
        if not_yet_priced(data, m, day):  # a missing figure, not an error: see below
            cost = NOT_AVAILABLE
        else:
            cost = TOKEN_COST(m, n_in, n_out, reasoning, n_cached, day, currency)
        costs[m] = cost
        model_ref = xl_rowcol_to_cell(r, MODEL, col_abs=True)
        rows.append((r, m, p, reasoning, cost, model_ref))
    bench_cost = _lookup(bench, costs)
    cells = []
    na = excel_string(NOT_AVAILABLE)
    for r, m, p, reasoning, cost, model_ref in rows:
        cost_ref = a1(r, COST)
        reasoning_ref = a1(r, REASONING_TOKENS)
        cells.append([
            value(m, "text"), value(p.display_name, "text_wrap"),
            value(data.prices.first(m).in_force_from, "date"),
            value(YES if p.reasoning else NO, "text_center"),
            formula(f"=IF({a1(r, IS_REASONING)}={excel_string(YES)},"
                    f"{ref[OUTPUT_TOKENS]}*{ref[REASONING_RATIO]},0)",
                    ErrorValue(reasoning) if isinstance(reasoning, str) else reasoning,
                    "int"),
            formula(f"=IF(AND(ISNUMBER({date_ref}),{date_ref}<{a1(r, FIRST_PRICED)}),{na},"
                    f"TOKEN_COST({model_ref},{ref[INPUT_TOKENS]},{ref[OUTPUT_TOKENS]},"
                    f"{reasoning_ref},{ref[INPUT_TOKENS]}*{ref[CACHED_SHARE]},{date_ref},"
                    f"{currency_ref}))", cost, "usd_cost"),
            formula(f"=IF(ISNUMBER({cost_ref}),{cost_ref}*1000,{na})",
                    cost * 1000 if _is_num(cost) else NOT_AVAILABLE, "usd"),
            formula(f"=IF(AND(ISNUMBER({cost_ref}),ISNUMBER({bench_cost_ref})),"
                    f"IF({bench_cost_ref}=0,{na},{cost_ref}/{bench_cost_ref}),{na})",
                    _multiple(cost, bench_cost), "multiple"),
        ] + [formula(f'=IF(ISNUMBER({cost_ref}),COST_RATIO({model_ref},{bench_ref},'
                     f'{excel_string(side)},{date_ref}),{na})',
                     COST_RATIO(m, bench, side, day) if _is_num(cost) else NOT_AVAILABLE,
                     "multiple") for side in ("input", "output")])
    sheet.add(row, 0, [[value(f"任务 Workload: {name}", "title")] + [None] * 7 + [
        value("基准 Benchmark", "label"),
        formula(f"=INDEX({costs_rng},MATCH({bench_ref},{models_rng},0))", bench_cost,
                "usd_cost")]])
    header = ["模型 Model", "名称 Name", "首次定价 First priced", "推理模型 Reasoning model",
              "推理 Reasoning tokens",
              "每任务 Cost per task", "每千任务 Cost per 1,000 tasks",
              "任务成本倍数 Task cost × benchmark", "输入价倍数 Input price × benchmark",
              "输出价倍数 Output price × benchmark"]
    sheet.add(row + 1, 0, [[value(h, "header") for h in header]] + cells)
    sheet.fit_rows(row + 1, last)
    return last + 2


def not_yet_priced(data: Dataset, model: str, day: Any) -> bool:
    """Whether *day* (the date input's value) is a date before *model*'s first price:
    its cost that day is a missing figure (``n.a.``, as everywhere in the product; the
    row's 首次定价 column says from when it is priced), not the error TOKEN_COST
    returns for it (``#N/A no price for ... before ...``). A day that is no date keeps
    TOKEN_COST's result: an error stays an error. The twin of the cost formula's
    ``IF(AND(ISNUMBER(date),date<first priced),"n.a.",TOKEN_COST(...))``: a date cell
    or a serial number is a number there, a text (even ``2024-09-24``) is not."""
    if isinstance(day, (str, bool)):
        return False
    when = as_date(day)
    return isinstance(when, dt.date) and when < data.prices.first(model).in_force_from


def _shown_row(data: Dataset, model: str, day: Any):
    """The price row whose name and reasoning flag the block shows for *model*: the
    one in force on *day* if it is a date and the model is priced then, else the
    model's first."""
    when = as_date(day)
    row = data.prices.in_force(model, when) if isinstance(when, dt.date) else None
    return row or data.prices.first(model)


def _lookup(bench: Any, costs: dict[str, Any]) -> Any:
    """What ``INDEX(costs, MATCH(bench, models, 0))`` gives: the benchmark's cost (MATCH
    compares text case-insensitively), or Excel's ``#N/A`` error value when it is not
    in the list."""
    if isinstance(bench, str):
        for m, cost in costs.items():
            if m.lower() == bench.lower():
                return cost
    return ErrorValue("#N/A")


def _multiple(cost: Any, bench_cost: Any) -> Any:
    """The cached value of the task-cost multiple formula."""
    if not (_is_num(cost) and _is_num(bench_cost)):
        return NOT_AVAILABLE
    return NOT_AVAILABLE if bench_cost == 0 else cost / bench_cost
