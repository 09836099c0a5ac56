"""The live writer: sheet models -> the sheets of an open workbook, through xlwings.

Used by the Refresh button (``macros/refresh.py``) on the workbook Excel has open.
Same models as the file writer (``workbook/writers/xlsx.py``); what differs is how
cells reach Excel:

- Each :class:`~workbook.model.Block` is written in **one** call (a 2-D list of
  formulas and values to ``Range.formula``, or ``Range.formula2`` when the block holds
  a dynamic array formula), never cell by cell: every COM call costs a round trip.
- Literal text is written with a leading apostrophe, Excel's text prefix: text that
  looks like a formula (``=...``, ``+``, ``-``, ``@``), a number (``"1.94"``) or a
  date stays the literal text the model holds (no formula injection from data).
- A dynamic array formula (``Cell.spill``) is written once, at its anchor, through
  ``formula2``; the cells it spills over are left empty (anything there would be a
  ``#SPILL!``).
- Dates are written as Excel serial numbers with the cell's date number format.
- **Styles** and **print setup** go through the one table both writers read
  (``workbook/writers/mapping.py``); row heights through ``Range.row_height``;
  **frozen panes** and **print setup**, where xlwings has no call, through the
  platform's object (``workbook/writers/live_layout.py``).
- **Input cells** (``Sheet.add_inputs``) are never cleared: the rest of the sheet is
  cleared around them, and an input cell gets the model's default only where it is
  empty, so what an analyst typed (a value or a formula) stays as it was.
- **Data validations** and **conditional formats** of the model replace those on the
  sheet's used range; **borders** (a table's grid) are set on their rectangles.
- **Autofilter** (``Sheet.autofilter``): the sheet's autofilter is taken away and
  put on the model's rectangle with no criterion (:func:`_write_autofilter`).
- **Charts**: the charts of the sheet whose names start with
  :data:`~workbook.model.CHART_PREFIX` (coverbook's) are deleted and the model's added
  anew, pointing at the rewritten cells, so a chart follows its table when the number
  of rows changes; any other chart is left alone.

Only the sheets passed in are touched: the sheet is cleared (but for its input
cells), then rewritten. Any other sheet in the workbook (the user's) is never read
or written.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from typing import Any, Callable, Iterable

from udfs._excel import excel_serial
from workbook.model import BORDER_COLOR, CHART_PREFIX, STYLES, Block, Chart, Sheet, Validation
from workbook.writers.live_layout import write_freeze, write_page_setup
from workbook.writers.mapping import apply_style

def literal(value: Any) -> Any:
    """What to write for a literal cell value: numbers and booleans as they are,
    dates as serial numbers, text with Excel's text prefix ``'``, ``None`` as empty."""
    if value is None:
        return ""
    if isinstance(value, bool) or isinstance(value, (int, float)):
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return excel_serial(value)
    return "'" + str(value)


def block_grid(block: Block) -> tuple[list[list[Any]], bool]:
    """The 2-D list written for *block* (``height`` x ``width``; empty cells ``""``)
    and whether it holds a dynamic array formula (then it goes to ``formula2``)."""
    grid: list[list[Any]] = [["" for _ in range(block.width)] for _ in range(block.height)]
    has_spill = False
    for i, cells in enumerate(block.rows):
        for j, cell in enumerate(cells):
            if cell is None:
                continue
            if cell.is_formula:
                grid[i][j] = cell.formula
                has_spill = has_spill or cell.spill is not None
            else:
                grid[i][j] = literal(cell.value)
    return grid, has_spill


def _style_runs(block: Block) -> Iterable[tuple[str, int, int, int]]:
    """``(style, column, first row, last row)``: runs of one style down a column,
    absolute zero-based, so formats go out in few calls."""
    for j in range(block.width):
        run_style, start = None, 0
        for i in range(block.height + 1):
            cells = block.rows[i] if i < block.height else []
            cell = cells[j] if j < len(cells) else None
            style = cell.style if cell is not None else None
            if style != run_style:
                if run_style is not None:
                    yield run_style, block.col + j, block.row + start, block.row + i - 1
                run_style, start = style, i


Rect = tuple[int, int, int, int]  # (first_row, first_col, last_row, last_col), zero-based


def _rng(xl_sheet, rect: Rect):
    r0, c0, r1, c1 = rect
    return xl_sheet.range((r0 + 1, c0 + 1), (r1 + 1, c1 + 1))


def block_rect(block: Block) -> Rect:
    return block.row, block.col, block.row + block.height - 1, block.col + block.width - 1


def complement(area: Rect, holes: list[Rect]) -> list[Rect]:
    """Rectangles covering *area* except *holes* (all inclusive, zero-based): the
    area cut into bands at every hole's top and bottom edge, each band into the runs
    of columns no hole covers. What the live writer clears around input cells."""
    r0, c0, r1, c1 = area
    holes = [(max(a, r0), max(b, c0), min(c, r1), min(d, c1)) for a, b, c, d in holes]
    holes = [h for h in holes if h[0] <= h[2] and h[1] <= h[3]]
    cuts = sorted({r0, r1 + 1} | {h[0] for h in holes} | {h[2] + 1 for h in holes})
    out = []
    for top, next_top in zip(cuts, cuts[1:]):
        if top > r1:
            break
        covered = sorted((h[1], h[3]) for h in holes if h[0] <= top <= h[2])
        col = c0
        for left, right in covered + [(c1 + 1, c1 + 1)]:
            if left > col:
                out.append((top, col, next_top - 1, min(left - 1, c1)))
            col = max(col, right + 1)
    return out


def _used_rect(xl_sheet) -> Rect:
    used = xl_sheet.used_range
    rows, cols = used.shape
    return used.row - 1, used.column - 1, used.row + rows - 2, used.column + cols - 2


def _typed(xl_sheet, blocks: list[Block]) -> set[tuple[int, int]]:
    """Cells of the input *blocks* that hold something now (one read per block)."""
    filled = set()
    for block in blocks:
        rows = _rng(xl_sheet, block_rect(block)).options(ndim=2).value or []
        for i, row in enumerate(rows):
            for j, v in enumerate(row):
                if v not in (None, ""):
                    filled.add((block.row + i, block.col + j))
    return filled


def _write_grid(xl_sheet, rect: Rect, grid: list[list[Any]], has_spill: bool) -> None:
    rng = _rng(xl_sheet, rect)
    if has_spill:
        rng.formula2 = grid
    else:
        rng.formula = grid


def _write_validation(xl_sheet, v: Validation) -> None:
    dv = _rng(xl_sheet, (v.first_row, v.first_col, v.last_row, v.last_col)).data_validation
    if v.kind == "list":
        dv.set_list(list(v.values) if v.values else _rng(xl_sheet, v.source))
        return
    args = (v.minimum, v.maximum) if v.operator == "between" else (
        v.minimum if v.minimum is not None else v.maximum,)
    setter = {"whole": dv.set_whole_number, "decimal": dv.set_decimal,
              "date": dv.set_date}[v.kind]
    setter(v.operator, *args)


#: xlwings' chart type of each chart kind of the model.
CHART_TYPES = {"line": "line", "column": "column_clustered",
               "scatter": "xy_scatter_lines_no_markers"}


def _write_chart(xl_sheet, c: Chart) -> None:
    header, first_col, last, last_col = c.data
    width, height = c.size
    chart = xl_sheet.charts.add(
        chart_type=CHART_TYPES[c.kind], source=_rng(xl_sheet, c.data),
        plot_by="rows" if c.by_rows else "columns",
        name=c.name, anchor=xl_sheet.range((c.anchor[0] + 1, c.anchor[1] + 1)),
        width=width, height=height)
    if c.by_rows:
        assert c.categories_row is not None
        chart.set_x_axis_values(_rng(xl_sheet, (c.categories_row, first_col + 1,
                                                c.categories_row, last_col)))
    else:
        chart.set_x_axis_values(_rng(xl_sheet, (header + 1, c.categories_col, last,
                                                c.categories_col)))
    chart.title = c.title
    if c.x_title:
        chart.category_axis.title = c.x_title
    if c.x_format:
        chart.category_axis.number_format = c.x_format
    if c.x_min is not None:
        chart.category_axis.minimum_scale = c.x_min
    if c.x_max is not None:
        chart.category_axis.maximum_scale = c.x_max
    if c.y_title:
        chart.value_axis.title = c.y_title
    if c.y_format:
        chart.value_axis.number_format = c.y_format


def _remove_autofilter(xl_sheet) -> None:
    """Take *xl_sheet*'s autofilter away (Excel's ``AutoFilterMode = False``), so the
    new one may cover other rows: xlwings has no call for it, so it goes through the
    platform object, Windows' COM worksheet or macOS' AppleScript one. An engine
    with neither (xlwings Server's remote engine: its ``api`` is the payload) skips
    it; there the new filter's range replaces the old one in the client."""
    api = getattr(xl_sheet, "api", None)
    if hasattr(api, "AutoFilterMode"):  # Windows (COM)
        if api.AutoFilterMode:
            api.AutoFilterMode = False
    elif hasattr(api, "autofilter_mode"):  # macOS (appscript)
        if api.autofilter_mode.get():
            api.autofilter_mode.set(False)


def _write_autofilter(xl_sheet, rect: Rect) -> None:
    """Filter and sort buttons on the first row of *rect*, nothing filtered. xlwings'
    ``Range.autofilter`` (0.37.5+) applies criteria but has no call that only shows
    the buttons: a criterion every row passes would still mark its column filtered,
    so the first column gets one (non-blank) and loses it again (``clear``), which
    leaves the buttons with no criterion, on every engine xlwings has."""
    _remove_autofilter(xl_sheet)
    autofilter = _rng(xl_sheet, rect).autofilter
    autofilter.apply_comparison(1, "not_equal_to", None)
    autofilter.clear(1)


def write_sheet(xl_sheet, sheet: Sheet) -> int:
    """Clear *xl_sheet* (an ``xlwings.Sheet``) but for its input cells, and write the
    model *sheet* into it: cells, styles, column widths, row heights, validations,
    charts, frozen panes, print setup (see the module docstring). Returns the number
    of block writes (one per block; an input block whose cells all hold something is
    not written, one with some filled cells is written cell by cell where empty, each
    cell counting one)."""
    inputs = [b for b in sheet.blocks if b.input and b.height and b.width]
    typed = _typed(xl_sheet, inputs) if inputs else set()
    if inputs:
        for rect in complement(_used_rect(xl_sheet), [block_rect(b) for b in inputs]):
            _rng(xl_sheet, rect).clear()
    else:
        xl_sheet.clear()
    writes = 0
    for block in sheet.blocks:
        if not block.height or not block.width:
            continue
        grid, has_spill = block_grid(block)
        kept = {(r, c) for r, c in typed if block.input and
                block.row <= r < block.row + block.height and
                block.col <= c < block.col + block.width}
        if not kept:
            _write_grid(xl_sheet, block_rect(block), grid, has_spill)
            writes += 1
        else:
            for r, c, _ in block.cells():
                if (r, c) not in kept:
                    _write_grid(xl_sheet, (r, c, r, c),
                                [[grid[r - block.row][c - block.col]]], False)
                    writes += 1
        for style, col, first, last in _style_runs(block):
            apply_style(xl_sheet.range((first + 1, col + 1), (last + 1, col + 1)),
                        STYLES[style])
    for col, width in sorted(sheet.col_widths.items()):
        xl_sheet.range((1, col + 1)).column_width = width
    for row, height in sorted(sheet.row_heights.items()):
        xl_sheet.range((row + 1, 1)).row_height = height
    for b in sheet.borders:  # a table's grid: every edge and inside line, thin grey
        _rng(xl_sheet, (b.first_row, b.first_col, b.last_row, b.last_col)).borders.set(
            "all", line_style="continuous", weight="thin", color=BORDER_COLOR)
    if sheet.conditional_formats:
        xl_sheet.used_range.conditional_formats.clear()  # the old rules go first
        for rule in sheet.conditional_formats:
            _rng(xl_sheet, (rule.first_row, rule.first_col, rule.last_row, rule.last_col)) \
                .conditional_formats.add_custom(rule.formula, fill_color=rule.fill,
                                                font_color=rule.font_color,
                                                font_bold=True if rule.bold else None)
    if sheet.validations:
        xl_sheet.used_range.data_validation.delete()
        for validation in sheet.validations:
            _write_validation(xl_sheet, validation)
    # Last first: a chart's place in the collection may be how it is found (xlwings'
    # remote engine deletes by index), so deleting one must not move the others.
    for chart in reversed(list(xl_sheet.charts)):
        if chart.name.startswith(CHART_PREFIX):
            chart.delete()
    for chart in sheet.charts:
        _write_chart(xl_sheet, chart)
    if sheet.autofilter is not None:
        _write_autofilter(xl_sheet, sheet.autofilter)
    for rect in sheet.merged:  # after the cells: a merged range shows its first cell
        _rng(xl_sheet, rect).merge()
    write_freeze(xl_sheet, sheet.freeze)
    write_page_setup(xl_sheet, sheet.page)
    return writes


def write_book(book, sheets: list[Sheet],
               progress: Callable[[int, int, str], None] | None = None) -> None:
    """Rewrite each model in *sheets* into the sheet of the same name in *book* (an
    ``xlwings.Book``), adding it at the end if missing. Other sheets are untouched.
    *progress* is called with (index, count, sheet name) before each sheet."""
    existing = {s.name: s for s in book.sheets}
    for index, sheet in enumerate(sheets, start=1):
        if progress:
            progress(index, len(sheets), sheet.name)
        xl_sheet = existing.get(sheet.name)
        if xl_sheet is None:
            xl_sheet = book.sheets.add(sheet.name, after=book.sheets[len(book.sheets) - 1])
        write_sheet(xl_sheet, sheet)


def model_values(sheet: Sheet) -> dict[tuple[int, int], Any]:
    """``{(row, col): value}`` the model puts in each cell after recalculation: the
    literal, or the formula's cached value (every spilled cell of an array formula)."""
    out: dict[tuple[int, int], Any] = {}
    for r, c, cell in sheet.cells():
        if cell.spill is not None:
            for i, row in enumerate(cell.cached):
                for j, v in enumerate(row):
                    out[(r + i, c + j)] = v
        else:
            out[(r, c)] = cell.cached if cell.is_formula else cell.value
    return out


def _labeller(sheet: Sheet, values: dict[tuple[int, int], Any]
              ) -> Callable[[int, int], str]:
    """``label(row, col)``: a human label for a cell, the row's first text cell and the
    column's nearest header above (``300308.SZ P/E 2025E``). The header cells are
    indexed once per sheet, so labelling every cell of a large table stays linear."""
    header_rows: dict[int, list[int]] = {}
    for r, c, cell in sheet.cells():
        if cell.style == "header" and isinstance(values.get((r, c)), str):
            header_rows.setdefault(c, []).append(r)
    for rows in header_rows.values():
        rows.sort()

    def label(row: int, col: int) -> str:
        row_label = next((values[(row, c)] for c in range(col)
                          if isinstance(values.get((row, c)), str) and values[(row, c)]), "")
        above = header_rows.get(col, [])
        i = bisect_left(above, row)
        header = values[(above[i - 1], col)] if i else ""
        return " ".join(str(x) for x in (row_label, header) if x) or f"R{row + 1}C{col + 1}"

    return label


def _show(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:.2f}" if abs(v) >= 0.01 or v == 0 else f"{v:.6g}"
    return "(empty)" if v in (None, "") else str(v)


def _same(a: Any, b: Any) -> bool:
    if a in (None, "") and b in (None, ""):
        return True
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and \
            not isinstance(a, bool) and not isinstance(b, bool):
        return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
    if isinstance(a, (dt.date, dt.datetime)) and isinstance(b, (int, float)):
        return _same(excel_serial(a), b)
    if isinstance(b, (dt.date, dt.datetime)) and isinstance(a, (int, float)):
        return _same(a, excel_serial(b))
    if isinstance(a, dt.datetime) and isinstance(b, dt.date):
        return a.date() == (b.date() if isinstance(b, dt.datetime) else b)
    return a == b


def changes(sheet: Sheet, before: dict[tuple[int, int], Any]) -> list[str]:
    """Lines ``<row label> <column header> <old> -> <new>`` for the cells whose value
    the model changes, compared with *before* (``{(row, col): value}`` read from the
    workbook before the rewrite), in row-major order. An input cell that holds
    something is kept by :func:`write_sheet`, so it never changes and is not listed."""
    after = model_values(sheet)
    label = _labeller(sheet, after)
    kept = {(r, c) for b in sheet.blocks if b.input for r, c, _ in b.cells()
            if before.get((r, c)) not in (None, "")}
    lines = []
    for key in sorted((set(after) | set(before)) - kept):
        old, new = before.get(key), after.get(key)
        if not _same(old, new):
            lines.append(f"{sheet.name}: {label(*key)} "
                         f"{_show(old)} \u2192 {_show(new)}")
    return lines


def read_values(xl_sheet) -> dict[tuple[int, int], Any]:
    """``{(row, col): value}`` of the used range of *xl_sheet*, read in one call."""
    used = xl_sheet.used_range
    rows = used.options(ndim=2).value
    top, left = used.row - 1, used.column - 1
    return {(top + i, left + j): v for i, row in enumerate(rows or [])
            for j, v in enumerate(row) if v not in (None, "")}
