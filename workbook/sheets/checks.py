"""Sheet ``核对``: every recomputable figure of the report, printed vs computed.

The computed column points at the workbook's own cells (a P/E check reads the
``重点标的`` cell) or calls the UDFs (claims), so the sheet proves the workbook, not
a copy of it. The result column is an Excel formula; its cached value is the
Python check's verdict.
"""

from __future__ import annotations

from workbook.checks import SAVING_WORKLOAD, Check
from workbook.dataset import Dataset
from workbook.model import Sheet, a1, excel_string, formula, sheet_ref, value
from workbook.provenance import provenance
from workbook.sheets import key_stocks

NAME = "核对"
PASS, FAIL = "PASS", "FAIL"


def _computed_formula(check: Check, layout: key_stocks.Layout) -> str | None:
    if check.at is not None:
        i, k = check.at
        return "=" + sheet_ref(key_stocks.NAME, a1(layout.row_of(i), layout.pe_col(k)))
    c = check.claim
    if c is None:
        return None
    a, b = excel_string(c.model_a), excel_string(c.model_b)
    day = f"DATE({c.date.year},{c.date.month},{c.date.day})"  # the claim's date
    if c.metric == "ratio":
        return f"=COST_RATIO({a},{b},{excel_string(c.side)},{day})"
    n_in, n_out = SAVING_WORKLOAD
    return (f"=1-TOKEN_COST({a},{n_in},{n_out},0,0,{day})"
            f"/TOKEN_COST({b},{n_in},{n_out},0,0,{day})")


def build(data: Dataset, checks: list[Check]) -> Sheet:
    """The sheet model of ``核对`` for *data* and its *checks*."""
    layout = key_stocks.layout(data)
    sheet = Sheet(NAME, col_widths={0: 8, 1: 48, 2: 12, 3: 12, 4: 10, 5: 8}, freeze=(4, 0))
    passed = sum(c.passed for c in checks)
    sheet.add(0, 0, [[value("核对 Checks against the report", "title")],
                     [value(provenance(data).banner(), "note")],
                     [value(f"{passed}/{len(checks)} figures agree within the tolerance "
                            "(half a unit of the last printed digit)", "note")]])
    header = ["类别 Kind", "项目 Item", "报告值 Printed", "计算值 Computed", "容差 Tolerance",
              "结果 Result"]
    rows = [[value(h, "header") for h in header]]
    first = 4
    for n, check in enumerate(checks):
        r = first + n
        computed = _computed_formula(check, layout)
        style = "pct" if check.claim is not None and check.claim.metric == "saving" else "ratio"
        rows.append([
            value(check.kind, "text"),
            value(check.item, "text"),
            value(check.printed, style),
            formula(computed, check.computed, style) if computed else value(check.computed),
            value(check.tolerance),
            formula(f'=IF(ISNUMBER({a1(r, 3)}),IF(ABS({a1(r, 3)}-{a1(r, 2)})<={a1(r, 4)}'
                    f'+1E-9,"{PASS}","{FAIL}"),"{FAIL}")',
                    PASS if check.passed else FAIL, "check"),
        ])
    sheet.add(first - 1, 0, rows)
    return sheet
