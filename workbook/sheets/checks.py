"""Sheet ``核对``: every recomputable figure of the report, printed vs computed, and
the findings: published ratings other than the one their target price implies.

The computed column points at the workbook's own cells (a P/E check reads the
``重点标的`` cell) or calls the UDFs (claims), so the sheet proves the workbook, not
a copy of it. The result column is an Excel formula; its cached value is the
Python check's verdict. Each finding's cells point at the key-stocks row (published
rating, implied rating, upside, rating check); findings are not failures.
"""

from __future__ import annotations

from workbook.checks import (NOTHING_CHECKED, SAVING_WORKLOAD, Check, Finding,
                            findings_summary, rating_findings)
from workbook.dataset import Dataset
from workbook.model import (Borders, PrintSetup, Sheet, a1, excel_string, formula, sheet_ref,
                            text_width, value)
from workbook.provenance import provenance
from workbook.sheets import key_stocks

NAME = "核对"
PASS, FAIL = "PASS", "FAIL"
#: Least and greatest width of the item column (characters).
ITEM_WIDTH = (30, 70)
#: Zero-based row of the first check (title, banner, note and header above it).
FIRST_ROW = 4


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
    cost_a, cost_b = (f"TOKEN_COST({m},{n_in},{n_out},0,0,{day})" for m in (a, b))
    # A model b priced 0 gives the text "#DIV/0!", as a UDF would, not Excel's error
    # value: LibreOffice recalculates a cached error on load (without the UDFs: an
    # error of its own), while it keeps cached text.
    return f'=IF({cost_b}=0,"#DIV/0!",1-{cost_a}/{cost_b})'


def _item_width(checks: list[Check]) -> float:
    """The item column as wide as its longest text, within :data:`ITEM_WIDTH`
    (longer items wrap)."""
    need = max((text_width(c.item) + 1 for c in checks), default=0)
    return min(max(need, ITEM_WIDTH[0]), ITEM_WIDTH[1])


def build(data: Dataset, checks: list[Check], rating_basis: tuple | None = None) -> Sheet:
    """The sheet model of ``核对`` for *data* and its *checks*; the findings compare
    the published ratings with the implied ones on *rating_basis* (the scale and
    benchmark return the key-stocks sheet uses; default: the settings')."""
    layout = key_stocks.layout(data)
    header_row = FIRST_ROW - 1
    # The title, the provenance banner and the header print atop every page, so the
    # PDF's last page (this sheet is the last one printed) names the source too.
    sheet = Sheet(NAME, col_widths={0: 8, 1: _item_width(checks), 2: 12, 3: 12, 4: 10, 5: 8},
                  freeze=(header_row + 1, 0),
                  page=PrintSetup(repeat_rows=(0, header_row)))
    passed = sum(c.passed for c in checks)
    agree = (f"{passed}/{len(checks)} figures agree within the tolerance (half a unit "
             "of the last printed digit)" if checks else NOTHING_CHECKED)
    sheet.add(0, 0, [[value("核对 Checks against the report", "title")],
                     [value(provenance(data).banner(), "note")],
                     [value(agree, "note")]])
    header = ["类别 Kind", "项目 Item", "报告值 Printed", "计算值 Computed", "容差 Tolerance",
              "结果 Result"]
    rows = [[value(h, "header") for h in header]]
    first = FIRST_ROW
    for n, check in enumerate(checks):
        r = first + n
        computed = _computed_formula(check, layout)
        style = "pct" if check.claim is not None and check.claim.metric == "saving" else "ratio"
        rows.append([
            value(check.kind, "text"),
            value(check.item, "text_wrap"),
            value(check.printed, style),
            formula(computed, check.computed, style) if computed else value(check.computed),
            value(check.tolerance),
            formula(f'=IF(ISNUMBER({a1(r, 3)}),IF(ABS({a1(r, 3)}-{a1(r, 2)})<={a1(r, 4)}'
                    f'+1E-9,"{PASS}","{FAIL}"),"{FAIL}")',
                    PASS if check.passed else FAIL, "check"),
        ])
    sheet.add(first - 1, 0, rows)
    sheet.borders.append(Borders(first - 1, 0, first - 1 + len(checks), len(header) - 1))
    sheet.fit_rows(header_row, first + len(checks))
    basis = rating_basis or ()
    findings_section(sheet, data, rating_findings(data, *basis), layout,
                     first + len(checks) + 1, basis)
    return sheet


def findings_section(sheet: Sheet, data: Dataset, findings: list[Finding],
                     layout: key_stocks.Layout, row: int, basis: tuple = ()) -> None:
    """The findings from *row* down: a title, the summary line, and one row per
    finding whose cells point at its key-stocks row (*basis*: the scale and benchmark
    return of the implied ratings, see :func:`workbook.checks.rating_findings`)."""
    sheet.add(row, 0, [[value("发现 Findings: published rating vs the rating the target "
                              "price implies (not a failed check)", "title")],
                       [value(findings_summary(data, findings, *basis), "note")]])
    if not findings:
        return
    _, upside, implied, check = layout.target_cols()
    header = ["类别 Kind", "项目 Item", "发布评级 Published", "隐含评级 Implied",
              "上行空间 Upside", "结果 Result"]
    rows = [[value(h, "header") for h in header]]
    for f in findings:
        r = layout.row_of(f.index)

        def at(col: int) -> str:
            return "=" + sheet_ref(key_stocks.NAME, a1(r, col))
        rows.append([
            value("rating", "text"),
            value(f"{f.code} {f.name}: target {f.target_price:.2f}", "text_wrap"),
            formula(at(layout.col("rating")), f.published, "center"),
            formula(at(implied), f.implied, "center"),
            formula(at(upside), f.upside, "pct2"),
            formula(at(check), key_stocks.rating_check(f.implied, f.published), "check"),
        ])
    sheet.add(row + 2, 0, rows)
    sheet.borders.append(Borders(row + 2, 0, row + 2 + len(findings), len(header) - 1))
    sheet.fit_rows(row + 2, row + 2 + len(findings))
