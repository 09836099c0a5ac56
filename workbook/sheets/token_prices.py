"""Sheet ``Token价格``: LLM API list prices, price-ratio matrices and a cost calculator."""

from __future__ import annotations

from xlsxwriter.utility import xl_rowcol_to_cell

from udfs.tokens import COST_RATIO, TOKEN_COST
from workbook.dataset import Dataset
from workbook.model import Sheet, a1, excel_string, formula, value

NAME = "Token价格"
#: The source column: long citations wrap within this width (characters).
SOURCE_COL, SOURCE_WIDTH = 7, 50

#: The calculator's default request: token counts an analyst overwrites in Excel.
#: A typical o1 reasoning request (illustrative, not from the report).
CALCULATOR_TOKENS = (("输入 Input tokens", 10_000), ("输出 Output tokens", 2_000),
                     ("推理 Reasoning tokens", 8_000))


def build(data: Dataset) -> Sheet:
    """The sheet model of ``Token价格`` for *data*."""
    prices = data.token_prices
    models = [p.model for p in prices]
    sheet = Sheet(NAME, col_widths={0: 22, 1: 18, 2: 14, 3: 14, 4: 16, 5: 12, 6: 12,
                                    SOURCE_COL: SOURCE_WIDTH})
    sheet.add(0, 0, [[value("Token价格 LLM API prices (USD per 1M tokens)", "title")]])
    header = ["模型 Model", "名称 Name", "输入 Input USD/1M", "输出 Output USD/1M",
              "上下文 Context (tokens)", "知识截止 Cutoff", "截至 As of", "来源 Source"]
    sheet.add(2, 0, [[value(h, "header") for h in header]] + [
        [value(p.model, "text"), value(p.display_name, "text"),
         value(p.input_usd_per_1m, "usd"), value(p.output_usd_per_1m, "usd"),
         value(p.context_window_tokens, "int"), value(p.knowledge_cutoff, "text_center"),
         value(p.as_of, "date"), value(p.source, "text_wrap")] for p in prices])
    row = 2 + 1 + len(prices) + 1
    sheet.fit_rows(2, row)

    for side, title in (("input", "输入价格倍数 Input price ratio"),
                        ("output", "输出价格倍数 Output price ratio")):
        sheet.add(row, 0, [[value(f"{title}: row model / column model", "title")]])
        head = row + 1
        block = [[value("=COST_RATIO(row, column)", "header")]
                 + [value(m, "header") for m in models]]
        for i, a in enumerate(models):
            r = head + 1 + i
            cells = [value(a, "text")]
            for j, b in enumerate(models):
                ref_a = xl_rowcol_to_cell(r, 0, col_abs=True)  # $A5: the row's model
                ref_b = xl_rowcol_to_cell(head, 1 + j, row_abs=True)  # B$4: the column's
                cells.append(formula(f"=COST_RATIO({ref_a},{ref_b},{excel_string(side)})",
                                     COST_RATIO(a, b, side), "ratio"))
            block.append(cells)
        sheet.add(head, 0, block)
        sheet.fit_rows(head, head)
        row = head + 1 + len(models) + 1

    sheet.add(row, 0, [[value("成本计算 Cost per request (USD): =TOKEN_COST(model, input, "
                              "output, reasoning); reasoning billed at the output price",
                              "title")]])
    counts_row = row + 1
    sheet.add(counts_row, 0, [[value(label, "header"), value(n, "int")]
                              for label, n in CALCULATOR_TOKENS])
    refs = [a1(counts_row + i, 1, absolute=True) for i in range(len(CALCULATOR_TOKENS))]
    n_in, n_out, n_reason = (n for _, n in CALCULATOR_TOKENS)
    first = counts_row + len(CALCULATOR_TOKENS) + 1
    sheet.add(first, 0, [[value("模型 Model", "header"), value("成本 Cost USD", "header")]] + [
        [value(m, "text"),
         formula(f"=TOKEN_COST({a1(first + 1 + i, 0)},{','.join(refs)})",
                 TOKEN_COST(m, n_in, n_out, n_reason), "usd_cost")]
        for i, m in enumerate(models)])
    return sheet
