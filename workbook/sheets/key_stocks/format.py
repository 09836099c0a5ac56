"""How ``重点标的`` looks beyond its cells: a broker's table (a grid, the rating
columns coloured by band, a contradicted rating flagged, dropdowns on the input
cells) and the P/E chart below the notes."""

from __future__ import annotations

from dataclasses import replace

from workbook.dataset import Dataset
from workbook.model import (CHART_PREFIX, MAX_CHART_SERIES, Borders, Chart, ConditionalFormat,
                            Sheet, Validation, a1, excel_string)
from workbook.sheets.key_stocks.columns import RATING_DIFFERS
from workbook.sheets.key_stocks.layout import HEADER_ROW, Layout, stock_scale_ids

#: At most this many stocks get a chart of each stock's P/E (a cluster of bars per
#: stock); a larger table's chart shows the mean and median P/E per fiscal year.
CHART_MAX_STOCKS = 20
CHART_SIZE = (720.0, 300.0)  # points
SCALE_LABEL, BENCHMARK_LABEL = "评级体系 Scale", "基准 Benchmark"

#: Conditional-format colours of the rating columns, by a band's place on its scale:
#: A-share screens show rises red and falls green, so the bands above the neutral one
#: are red (the best the strongest), those below it green; the neutral band keeps the
#: cell's own format. (fill, font colour)
RATING_ABOVE = (("#FFC7CE", "#9C0006"), ("#FCE4D6", "#833C0B"))
RATING_BELOW = (("#C6EFCE", "#006100"), ("#E2EFDA", "#375623"))
#: The rating check where the published rating is not the implied one.
DIFFERS_FORMAT = ("#FFEB9C", "#9C5700")


def chart(sheet: Sheet, data: Dataset, lay: Layout) -> None:
    """The P/E chart below the notes, pointing at the table's cells: for up to
    :data:`CHART_MAX_STOCKS` stocks a column chart of every stock's P/E per fiscal
    year (categories: the names; a series per fiscal year, so at most Excel's
    :data:`~workbook.model.MAX_CHART_SERIES` years; a P/E that is NM or n.a. has no
    bar), else a line chart of the mean and median rows over the fiscal years (two
    series, whatever the number of stocks and years)."""
    last = lay.row_of(lay.n_stocks - 1)
    last_pe = lay.pe_col(lay.n_years - 1)
    if lay.n_stocks <= CHART_MAX_STOCKS and lay.n_years <= MAX_CHART_SERIES:
        sheet.charts.append(Chart(
            name=CHART_PREFIX + "P/E by stock", kind="column",
            title="市盈率 P/E by fiscal year (NM, n.a.: no bar)",
            data=(HEADER_ROW, lay.pe_col(0), last, last_pe),
            categories_col=lay.col("name"),  # type: ignore[arg-type]
            anchor=(lay.chart_row, 0), size=CHART_SIZE, y_title="P/E (×)", y_format="0"))
    else:
        # The table spans pages: the chart starts its own, so it is not cut in two.
        sheet.page = replace(sheet.page, row_breaks=(lay.chart_row,))
        sheet.charts.append(Chart(
            name=CHART_PREFIX + "P/E mean and median", kind="line",
            title=f"市盈率 P/E by fiscal year: mean and median of {lay.n_stocks:,} stocks",
            data=(lay.mean_row, lay.pe_col(0) - 1, lay.mean_row + 1, last_pe),
            categories_col=0, anchor=(lay.chart_row, 0), size=CHART_SIZE,
            y_title="P/E (×)", y_format="0", by_rows=True, categories_row=HEADER_ROW))


def rating_colours(scale) -> list[tuple[str, str, str]]:
    """``(label, fill, font colour)`` of each band of *scale* but the neutral one (the
    band holding 0): above it red, the best the strongest; below it green, the worst
    the strongest."""
    bands = list(scale.bands)
    neutral = next(i for i, b in enumerate(bands) if b.contains(0.0))
    out = []
    for i, band in enumerate(bands):
        if i < neutral:  # above: i = 0 is the best
            fill, font = RATING_ABOVE[min(i, len(RATING_ABOVE) - 1)]
        elif i > neutral:
            fill, font = RATING_BELOW[min(len(bands) - 1 - i, len(RATING_BELOW) - 1)]
        else:
            continue
        out.append((band.label, fill, font))
    return out


def table_format(sheet: Sheet, data: Dataset, lay: Layout) -> None:
    """A broker's table: a grid over the header and the stocks, the rating columns
    (``banded`` in the declaration) coloured by band, a published rating the target
    contradicts flagged, and dropdowns on the input cells."""
    first, last = lay.row_of(0), lay.row_of(lay.n_stocks - 1)
    sheet.borders.append(Borders(HEADER_ROW, 0, last, len(lay.columns) - 1))
    for col in (col for col, c, _ in lay.columns if c.banded):
        top = a1(first, col)
        for label, fill, font in rating_colours(data.table_scale):
            sheet.conditional_formats.append(ConditionalFormat(
                first, col, last, col, f"={top}={excel_string(label)}", fill=fill,
                font_color=font))
    if lay.has_targets:
        check = lay.target_cols()[3]
        fill, font = DIFFERS_FORMAT
        sheet.conditional_formats.append(ConditionalFormat(
            first, check, last, check, f"={a1(first, check)}={excel_string(RATING_DIFFERS)}",
            fill=fill, font_color=font, bold=True))
        sheet.add_list(*lay.scale_input, *lay.scale_input, stock_scale_ids(data),
                       spare=(lay.scale_list_row, 0),
                       label=f"{SCALE_LABEL}: the stock scales the input cell above the "
                             "upside takes (its dropdown; too many for a list typed in "
                             "the validation)")
        sheet.validations.append(Validation(*lay.benchmark_input, *lay.benchmark_input,
                                            "decimal", minimum=-0.99, maximum=0.99))
