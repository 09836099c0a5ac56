"""A sheet model's cells in row order, as XlsxWriter's ``constant_memory`` mode takes them.

In that mode XlsxWriter holds one row and writes it out when a cell of a later row
comes; a cell of an earlier row is refused (``-1``). A :class:`~workbook.model.Sheet`
lists its cells block by block (a block is any rectangle, and a dynamic array
formula's cached values spill over rows below its anchor), so the cells are merged
here into row order, without gathering the sheet first: each block, and each spill
area once its anchor is met, is a source of rows, and every row takes its cells from
the sources over it.

What a cell ends up holding is what the block order gives (as ``Sheet.cell_map``:
a later block wins where blocks overlap): within one row XlsxWriter keeps the last
write of a cell, and the sources of a row are written in block order, a spill area
just before the cells of its own block (which were written after the anchor's
spilled values when the block was written cell by cell).
"""

from __future__ import annotations

from bisect import insort
from typing import Any, Callable, NamedTuple

from workbook.model import CachedColumn, Sheet


class WriteStats(NamedTuple):
    """What a writer wrote: ``cells`` (every cell of an array formula's spill area
    included), ``formulas`` (an array formula counts once), ``array_formulas``."""

    cells: int = 0
    formulas: int = 0
    array_formulas: int = 0

    def __add__(self, other: "WriteStats") -> "WriteStats":  # type: ignore[override]
        return WriteStats(*(a + b for a, b in zip(self, other)))


def write_rows(ws, sheet: Sheet, fmt_for: Callable[[Any, int, int], Callable[[Any], Any]],
               write_cell: Callable, write_value: Callable) -> WriteStats:
    """Write every cell of *sheet* to the worksheet *ws* in row order.

    *fmt_for(block, index)* gives the block's ``format_of(cell, row, col)`` function
    (the XlsxWriter format of one of its cells). *write_cell(ws, row, col, cell, fmt)*
    writes a model cell that is not an array formula, *write_value(ws, row, col, v,
    fmt)* one spilled value; both raise on a refused cell. An array formula's anchor is
    written with ``write_dynamic_array_formula`` (the area's cached values follow, row
    by row). Rows with a height (``sheet.row_heights``) but no cell are visited
    (:meth:`~workbook.writers.xlsx_cells.Worksheet.visit_row`) so that they keep it.
    """
    from workbook.writers.xlsx import _checked

    pending = sorted(((b.row, i) for i, b in enumerate(sheet.blocks) if b.rows), reverse=True)
    heights = sorted(sheet.row_heights, reverse=True)
    # A source: [key, last_row, first_row, kind, payload...], kept sorted by key
    # (kind 0: a block's rows; 1: a spill area's rows; 2: a one-column spill's values):
    # (block index, 1) for a block's own rows, (block index, 0, n) for the n-th spill
    # area met in that block.
    active: list[list] = []
    cells = formulas = arrays = 0
    spills = 0
    row = -1
    while pending or active:
        row = row + 1 if active else max(row + 1, pending[-1][0])
        while heights and heights[-1] < row:
            ws.visit_row(heights.pop())
        while pending and pending[-1][0] == row:
            _, index = pending.pop()
            block = sheet.blocks[index]
            insort(active, [(index, 1), block.row + block.height - 1, block.row, 0,
                            block, fmt_for(block, index)])
        started: list[list] = []
        ended = False
        for source in active:
            if source[3] == 0:
                block, format_of = source[4], source[5]
                first_col = block.col
                for j, cell in enumerate(block.rows[row - source[2]]):
                    if cell is None:
                        continue
                    col = first_col + j
                    fmt = format_of(cell, row, col)
                    cells += 1
                    if cell.spill is None:
                        if cell.formula is not None:
                            formulas += 1
                        write_cell(ws, row, col, cell, fmt)
                        continue
                    height, width = cell.spill
                    cached = cell.cached
                    cells += height * width - 1
                    formulas += 1
                    arrays += 1
                    _checked(ws.write_dynamic_array_formula(
                        row, col, row + height - 1, col + width - 1, cell.formula, fmt,
                        cached[0][0]), ws.name, row + height - 1, col + width - 1)
                    for k in range(1, width):
                        write_value(ws, row, col + k, cached[0][k], fmt)
                    if height > 1:
                        spills += 1
                        # A one-column spill's values are read from its flat list
                        # (no row list is made for each of its cells).
                        flat = type(cached) is CachedColumn
                        started.append([(source[0][0], 0, spills), row + height - 1, row,
                                        2 if flat else 1, col,
                                        cached.values if flat else cached, fmt])
            elif source[3] == 2:
                write_value(ws, row, source[4], source[5][row - source[2]], source[6])
            else:
                col, cached, fmt = source[4], source[5], source[6]
                for k, v in enumerate(cached[row - source[2]]):
                    write_value(ws, row, col + k, v, fmt)
            if source[1] == row:
                ended = True
        if ended:
            active = [s for s in active if s[1] > row]
        for source in started:
            insort(active, source)
    while heights:
        ws.visit_row(heights.pop())
    return WriteStats(cells, formulas, arrays)
