"""Native Excel charts: :class:`Chart`, its kinds and Excel's series limit."""

from __future__ import annotations

from dataclasses import dataclass


#: Chart kinds: lines over categories, clustered columns, and XY scatter with
#: straight lines and no markers (a step chart: two points per date, before and after).
CHART_KINDS = ("line", "column", "scatter")
#: Excel's limit of data series in one chart ("Excel specifications and limits",
#: Microsoft: "Data series in one chart: 255"); XlsxWriter warns and drops the rest.
MAX_CHART_SERIES = 255
#: Every chart coverbook writes is named with this prefix: Refresh deletes the charts
#: of an owned sheet whose names start with it and adds the model's anew (so a chart
#: follows its table when the number of rows changes); other charts are left alone.
CHART_PREFIX = "coverbook "


@dataclass(frozen=True)
class Chart:
    """A native Excel chart whose series point at sheet cells.

    ``data`` is (``header_row``, ``first_col``, ``last_row``, ``last_col``): one
    series per column, named by its cell in ``header_row``, values in the rows below;
    every series shares the x values (scatter) or categories (line, column) in
    column ``categories_col`` over the same rows. The chart's top-left corner is at
    the cell ``anchor``; ``size`` is (width, height) in points. ``x_format`` /
    ``y_format`` are the axes' number formats, ``x_min`` / ``x_max`` an optional
    x-axis range (numbers; Excel serials for dates). ``name`` must start with
    :data:`CHART_PREFIX`.
    """

    name: str
    kind: str
    title: str
    data: tuple[int, int, int, int]
    categories_col: int
    anchor: tuple[int, int]
    size: tuple[float, float] = (540.0, 300.0)
    x_title: str | None = None
    y_title: str | None = None
    x_format: str | None = None
    y_format: str | None = None
    x_min: float | None = None
    x_max: float | None = None
    #: Series in rows instead of columns: ``data`` is then (``first_row``,
    #: ``names_col``, ``last_row``, ``last_col``), one series per row named by its cell
    #: in ``names_col`` with values in the columns right of it, the categories the
    #: cells of row ``categories_row`` over those columns (``categories_col`` unused).
    by_rows: bool = False
    categories_row: int | None = None

    def __post_init__(self) -> None:
        if self.kind not in CHART_KINDS:
            raise ValueError(f"chart kind {self.kind!r}: one of {CHART_KINDS}")
        if not self.name.startswith(CHART_PREFIX):
            raise ValueError(f"chart name {self.name!r} must start with {CHART_PREFIX!r}")
        header, c0, last, c1 = self.data
        if self.by_rows:
            if self.categories_row is None or last < header or c1 <= c0:
                raise ValueError("chart by rows: a categories row, at least one series "
                                 "row, a names column and a value column")
        elif last <= header or c1 < c0:
            raise ValueError("chart data: a header row, at least one value row and column")
        if self.n_series > MAX_CHART_SERIES:  # a sheet model must choose a form that fits
            raise ValueError(f"chart {self.name!r}: {self.n_series:,} series, more than the "
                             f"{MAX_CHART_SERIES} Excel draws in one chart")

    @property
    def n_series(self) -> int:
        """How many series the chart has: one per column of ``data`` (per row with
        ``by_rows``)."""
        header, c0, last, c1 = self.data
        return last - header + 1 if self.by_rows else c1 - c0 + 1

    @property
    def value_rows(self) -> tuple[int, int]:
        """First and last row of the values (below the header row)."""
        return self.data[0] + 1, self.data[2]
