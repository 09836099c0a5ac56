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

Only the sheets passed in are touched: the sheet is cleared, then rewritten. Any
other sheet in the workbook (the user's) is never read or written.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from typing import Any, Callable, Iterable

from workbook.model import STYLES, Block, Sheet

#: Excel's day zero for serial dates (the 1900 system, with its 1900-02-29).
EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def excel_serial(value: dt.date | dt.datetime) -> float:
    """An Excel serial date-time of *value* (days since 1899-12-30)."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    delta = value - EXCEL_EPOCH
    return delta.days + delta.seconds / 86400


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


def _apply_style(rng, name: str) -> None:
    style = STYLES[name]
    if style.num_format:
        rng.number_format = style.num_format
    if style.bold:
        rng.font.bold = True
    if style.italic:
        rng.font.italic = True
    if style.fill:
        rng.color = style.fill
    if style.wrap:
        rng.wrap_text = True


def write_sheet(xl_sheet, sheet: Sheet) -> int:
    """Clear *xl_sheet* (an ``xlwings.Sheet``) and write the model *sheet* into it.
    Returns the number of block writes (one per block)."""
    xl_sheet.clear()
    writes = 0
    for block in sheet.blocks:
        if not block.height or not block.width:
            continue
        grid, has_spill = block_grid(block)
        rng = xl_sheet.range((block.row + 1, block.col + 1),
                             (block.row + block.height, block.col + block.width))
        if has_spill:
            rng.formula2 = grid
        else:
            rng.formula = grid
        writes += 1
        for style, col, first, last in _style_runs(block):
            _apply_style(xl_sheet.range((first + 1, col + 1), (last + 1, col + 1)), style)
    for col, width in sorted(sheet.col_widths.items()):
        xl_sheet.range((1, col + 1)).column_width = width
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
    workbook before the rewrite), in row-major order."""
    after = model_values(sheet)
    label = _labeller(sheet, after)
    lines = []
    for key in sorted(set(after) | set(before)):
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
