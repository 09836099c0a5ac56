"""Sheet ``评级说明``: every broker's rating scale as a table, and RATING() at the edges."""

from __future__ import annotations

import math

from xlsxwriter.utility import xl_rowcol_to_cell

from udfs.ratings import rating_value
from workbook.dataset import DEFAULT_SCALE, INDUSTRY_SUFFIX, Band, Dataset, RatingScale
from workbook.model import Borders, Sheet, excel_string, formula, value

NAME = "评级说明"
#: How an edge's inclusion reads in the "incl." columns.
INCLUDED, EXCLUDED = "是 yes", "否 no"
#: The edge examples' x column is this wide; each scale's column as wide as the next.
X_WIDTH, SCALE_WIDTH = 12, 12
#: The x a scale's edge examples start from beside the edges themselves: the largest
#: and smallest returns shown, and zero.
OUTER_EXAMPLES = (0.25, 0.0, -0.25)
#: How far inside an edge (towards zero) the second example of each edge lies.
INSIDE = 0.0001
#: The example computed in binary: 120 / 100 - 1 is 0.19999999999999996, which RATING
#: rounds to 10 decimal places, so it lands on the 20% edge.
BINARY_EXAMPLE = ("=120/100-1", 120 / 100 - 1)
#: The sheet's notes below its title, one line each.
NOTES = ("x = expected return relative to the benchmark over the scale's horizon, as a "
         "fraction (0.2 = 20%).",
         "Edges follow each broker's wording: 以上/以下 include the number, 大于/小于 "
         "exclude it;",
         "an edge the wording leaves open belongs to the band further from zero. RATING() "
         "bands x rounded to 10 decimal places.")


def band_text(band: Band) -> str:
    """``"x ≥ 20%"``, ``"10% ≤ x < 20%"``, ``"x ≤ -10%"``: a band's edges in words."""
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


def examples(data: Dataset) -> list[float]:
    """Expected relative returns shown against every scale, highest first: each edge
    of every scale, a value just inside it (towards zero), and :data:`OUTER_EXAMPLES`."""
    edges = {e for s in data.scales.values() for b in s.bands for e in (b.lower, b.upper)
             if math.isfinite(e)}
    xs = set(OUTER_EXAMPLES) | edges | {
        round(e - math.copysign(INSIDE, e), 10) for e in edges if e}
    return sorted(xs, reverse=True)


def scale_heading(scale: RatingScale) -> str:
    """``天风证券 Tianfeng Securities · 股票投资评级 Stock rating · tianfeng (stock)``."""
    names = scale.key + (f" ({', '.join(scale.aliases)})" if scale.aliases else "")
    return f"{scale.broker} {scale.broker_en} · {scale.title} {scale.title_en} · {names}"


def scale_notes(scale: RatingScale) -> list[str]:
    """What the scale measures, against what and over how long; where its text and
    its English labels come from: one line each."""
    english = (f"English labels: {scale.labels_en_source}" if scale.labels_en == "disclosure"
               else "English labels: conventional (no English disclosure found)")
    return [f"{scale.measure}: vs {scale.benchmark} ({scale.benchmark_en}), "
            f"{scale.horizon_text} months", f"来源 Source: {scale.source}", english]


def _edge(x: float):
    return value(None if math.isinf(x) else x, "pct")


def _included(flag: bool):
    """An edge's inclusion as words: TRUE/FALSE cells read TRUE, 1 or 0 depending on
    the reader and the cell's number format."""
    return value(INCLUDED if flag else EXCLUDED, "text_center")


def build(data: Dataset) -> Sheet:
    """The sheet model of ``评级说明`` for *data*: one table per scale, then the edge
    examples, one ``=RATING(x, scale)`` column per scale."""
    scales = list(data.scales.values())
    sheet = Sheet(NAME, col_widths={0: X_WIDTH, 1: 14, 2: 24, 3: 11, 4: 11, 5: 11, 6: 11,
                                    7: 18})
    sheet.add(0, 0, [[value("评级说明 Rating definitions", "title")]]
              + [[value(line, "note")] for line in NOTES])
    row = 2 + len(NOTES)
    header = ["评级", "Rating", "原文 Wording", "下限 Lower", "含下限 incl.", "上限 Upper",
              "含上限 incl.", "区间 Band"]
    for scale in scales:
        notes = scale_notes(scale)
        bands = [[value(b.label, "text"), value(b.label_en, "text"),
                  value(b.wording or None, "text"), _edge(b.lower),
                  _included(b.lower_inclusive), _edge(b.upper),
                  _included(b.upper_inclusive), value(band_text(b), "text")]
                 for b in scale.bands]
        sheet.add(row, 0, [[value(scale_heading(scale), "title")]]
                  + [[value(line, "note")] for line in notes]
                  + [[value(h, "header") for h in header]] + bands)
        head = row + 1 + len(notes)
        sheet.fit_rows(head, head)
        sheet.borders.append(Borders(head, 0, head + len(scale.bands), len(header) - 1))
        row = head + 1 + len(scale.bands) + 1

    sheet.add(row, 0, [[value("边界示例 Edge examples: =RATING(x, scale) on every scale, "
                              "=INDUSTRY_RATING(x) and English labels", "title")]])
    brokers_row, ids_row = row + 1, row + 2
    english = [("=RATING(x,\"stock\",TRUE)", lambda x: rating_value(x, "stock", True),
                lambda ref: f"=RATING({ref},{excel_string('stock')},TRUE)"),
               ("=INDUSTRY_RATING(x)", lambda x: rating_value(
                   x, DEFAULT_SCALE + INDUSTRY_SUFFIX),
                lambda ref: f"=INDUSTRY_RATING({ref})"),
               ("=INDUSTRY_RATING(x,TRUE)", lambda x: rating_value(
                   x, DEFAULT_SCALE + INDUSTRY_SUFFIX, True),
                lambda ref: f"=INDUSTRY_RATING({ref},TRUE)")]
    sheet.add(brokers_row, 0, [
        [value("=RATING(x, scale)", "header")] + [value(s.broker, "header") for s in scales]
        + [value(None, "header") for _ in english],
        [value("x", "header")] + [value(s.key, "header") for s in scales]
        + [value(title, "header") for title, _, _ in english]])
    rows = []
    xs = [(None, x) for x in examples(data)] + [BINARY_EXAMPLE]
    for i, (x_formula, x) in enumerate(xs):
        r = ids_row + 1 + i
        ref = xl_rowcol_to_cell(r, 0, col_abs=True)  # $A12: the row's x
        cells = [formula(x_formula, x, "pct2") if x_formula else value(x, "pct2")]
        for j, scale in enumerate(scales):
            key_ref = xl_rowcol_to_cell(ids_row, 1 + j, row_abs=True)  # B$11: the scale id
            cells.append(formula(f"=RATING({ref},{key_ref})", rating_value(x, scale.key),
                                 "center"))
        cells += [formula(make(ref), compute(x), "center") for _, compute, make in english]
        rows.append(cells)
    sheet.add(ids_row + 1, 0, rows)
    sheet.borders.append(Borders(brokers_row, 0, ids_row + len(rows),
                                 len(scales) + len(english)))
    for j in range(len(scales) + len(english)):
        sheet.col_widths[1 + j] = max(sheet.col_widths.get(1 + j, 0), SCALE_WIDTH)
    for j in range(len(english)):  # the English columns' headers are formulas as text
        sheet.col_widths[1 + len(scales) + j] = 18
    sheet.fit_rows(brokers_row, ids_row)
    return sheet
