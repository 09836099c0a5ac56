"""Sheet ``评级说明``: the broker's rating scales as tables, and RATING() at the edges."""

from __future__ import annotations

import math

from udfs.ratings import rating_value
from workbook.dataset import Band, Dataset
from workbook.model import Sheet, a1, excel_string, formula, value

NAME = "评级说明"
#: How an edge's inclusion reads in the "incl." columns.
INCLUDED, EXCLUDED = "是 yes", "否 no"

#: Expected relative returns (fractions) shown against both scales: every edge of
#: the shipped scales and a value on each side of it.
EXAMPLES = (-0.15, -0.1, -0.0999, -0.05, -0.0499, 0.0, 0.0499, 0.05, 0.0999, 0.1,
            0.1999, 0.2, 0.25)


def band_text(band: Band) -> str:
    """``"≥ 20%"``, ``"10% ≤ x < 20%"``, ``"≤ -10%"``: a band's edges in words."""
    def pct(x: float) -> str:
        return f"{x * 100:g}%"
    lower = "" if band.lower == -math.inf else (
        f"{pct(band.lower)} {'≤' if band.lower_inclusive else '<'} ")
    upper = "" if band.upper == math.inf else (
        f" {'≤' if band.upper_inclusive else '<'} {pct(band.upper)}")
    if not lower:
        return f"x{upper}"
    if not upper:
        return f"x {'≥' if band.lower_inclusive else '>'} {pct(band.lower)}"
    return f"{lower}x{upper}"


def _edge(x: float):
    return value(None if math.isinf(x) else x, "pct")


def _included(flag: bool):
    """An edge's inclusion as words: TRUE/FALSE cells read TRUE, 1 or 0 depending on
    the reader and the cell's number format."""
    return value(INCLUDED if flag else EXCLUDED, "text_center")


def build(data: Dataset) -> Sheet:
    """The sheet model of ``评级说明`` for *data*."""
    sheet = Sheet(NAME, col_widths={0: 12, 1: 14, 2: 14, 3: 14, 4: 14, 5: 14, 6: 18})
    sheet.add(0, 0, [[value("评级说明 Rating definitions", "title")],
                     [value("x = expected return relative to the benchmark over the horizon, "
                            "as a fraction (0.2 = 20%). An edge value belongs to the band "
                            "further from zero (以上/以下 include the number).", "note")]])
    row = 3
    header = ["评级", "Rating", "下限 Lower", "含下限 incl.", "上限 Upper", "含上限 incl.",
              "区间 Band"]
    for scale in data.scales.values():
        sheet.add(row, 0, [
            [value(f"{scale.title} {scale.title_en}", "title")],
            [value(f"{scale.measure}: vs {scale.benchmark} ({scale.benchmark_en}), "
                   f"{scale.horizon_months} months", "note")],
            [value(h, "header") for h in header],
        ] + [[value(b.label, "text"), value(b.label_en, "text"), _edge(b.lower),
              _included(b.lower_inclusive), _edge(b.upper),
              _included(b.upper_inclusive), value(band_text(b), "text")]
             for b in scale.bands])
        sheet.fit_rows(row + 2, row + 2)
        row += 3 + len(scale.bands) + 1

    sheet.add(row, 0, [[value("边界示例 Edge examples: =RATING() and =INDUSTRY_RATING()",
                              "title")]])
    row += 1
    sheet.add(row, 0, [[value(h, "header") for h in (
        "x", "=RATING(x)", "=RATING(x,\"stock\",TRUE)", "=INDUSTRY_RATING(x)",
        "=INDUSTRY_RATING(x,TRUE)")]])
    rows = []
    for i, x in enumerate(EXAMPLES):
        ref = a1(row + 1 + i, 0)
        rows.append([
            value(x, "pct2"),
            formula(f"=RATING({ref})", rating_value(x), "center"),
            formula(f"=RATING({ref},{excel_string('stock')},TRUE)",
                    rating_value(x, "stock", True), "center"),
            formula(f"=INDUSTRY_RATING({ref})", rating_value(x, "industry"), "center"),
            formula(f"=INDUSTRY_RATING({ref},TRUE)", rating_value(x, "industry", True),
                    "center"),
        ])
    sheet.add(row + 1, 0, rows)
    sheet.fit_rows(row, row)
    return sheet
