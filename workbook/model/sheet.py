"""One worksheet: :class:`Sheet`, its blocks, layout, validations, charts and formats.

"The module docstring" below means :mod:`workbook.model`'s (input cells).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Iterator, Mapping

from workbook.model.cells import Block, Cell, value
from workbook.model.charts import Chart
from workbook.model.formats import Borders, ConditionalFormat
from workbook.model.page import PrintSetup
from workbook.model.styles import STYLES
from workbook.model.validations import Validation, fits_list
from workbook.model.widths import (DEFAULT_COL_WIDTH, LINE_HEIGHT, ONE_LINE_WRAPPED, _OVERFLOWING,
                                   shown_width, text_width, wrapped_lines)


@dataclass
class Sheet:
    """One worksheet coverbook owns: its name, blocks and layout."""

    name: str
    blocks: list[Block] = field(default_factory=list)
    col_widths: dict[int, float] = field(default_factory=dict)
    row_heights: dict[int, float] = field(default_factory=dict)  # points
    freeze: tuple[int, int] | None = None  # (rows, cols) kept in view
    page: PrintSetup = field(default_factory=PrintSetup)
    #: False for a sheet only Excel with xlwings needs (``xlwings.conf``): the
    #: values-only workbook for recipients leaves it out.
    published: bool = True
    validations: list[Validation] = field(default_factory=list)
    charts: list[Chart] = field(default_factory=list)
    borders: list[Borders] = field(default_factory=list)
    conditional_formats: list[ConditionalFormat] = field(default_factory=list)
    #: Filter and sort buttons on a table's header: the rectangle (first row, first
    #: column, last row, last column), zero-based and inclusive, whose first row is the
    #: header and the rows below it the records. One per sheet (Excel's rule); not an
    #: Excel table (XlsxWriter writes none in its constant-memory mode, and Excel
    #: refuses spilled arrays inside one).
    autofilter: tuple[int, int, int, int] | None = None
    #: Rectangles (first row, first column, last row, last column) shown as one cell,
    #: its value the first cell's: the published banner's, wrapped within the table's
    #: width (``workbook/writers/values.py``). The file writer writes rows in order
    #: (constant-memory mode), so a merged range lies in the sheet's first row.
    merged: list[tuple[int, int, int, int]] = field(default_factory=list)

    def add(self, row: int, col: int, rows: list[list[Cell | None]]) -> Block:
        """Add a block at (*row*, *col*) and return it."""
        block = Block(row, col, rows)
        self.blocks.append(block)
        return block

    def add_inputs(self, row: int, col: int, rows: list[list[Cell | None]]) -> Block:
        """Add a block of input cells (their values are the defaults; see the module
        docstring) at (*row*, *col*) and return it."""
        block = Block(row, col, rows, input=True)
        self.blocks.append(block)
        return block

    def add_list(self, first_row: int, first_col: int, last_row: int, last_col: int,
                 values: Iterable[str], spare: tuple[int, int], label: str) -> bool:
        """A dropdown of *values* on the rectangle: a literal list when it fits
        (:func:`fits_list`), else the values are written at *spare* (``(row, col)``:
        *label*, a note, and in the row below one value a cell from *col* rightwards:
        :data:`LIST_ROWS` rows) and the dropdown points at those cells, which have no
        length limit. Returns whether the values were written."""
        values = tuple(values)
        if fits_list(values):
            self.validations.append(Validation(first_row, first_col, last_row, last_col,
                                               "list", values=values))
            return False
        row, col = spare
        self.add(row, col, [[value(label, "note")], [value(v, "text") for v in values]])
        self.validations.append(Validation(first_row, first_col, last_row, last_col, "list",
                                           source=(row + 1, col, row + 1,
                                                   col + len(values) - 1)))
        return True

    def input_cells(self) -> set[tuple[int, int]]:
        """``(row, col)`` of every input cell."""
        return {(r, c) for b in self.blocks if b.input for r, c, _ in b.cells()}

    def cells(self) -> Iterator[tuple[int, int, Cell]]:
        """Every cell of every block, in block order."""
        for block in self.blocks:
            yield from block.cells()

    def cell_map(self) -> dict[tuple[int, int], Cell]:
        """``{(row, col): cell}``; a later block wins where blocks overlap."""
        return {(r, c): cell for r, c, cell in self.cells()}

    def fit_rows(self, first: int, last: int) -> None:
        """Give rows *first* to *last* the height their wrapped cells need (styles
        with ``wrap``; column widths as set): Excel and LibreOffice keep a row at
        one line unless the file gives its height, and a taller text then prints
        over the row above."""
        for r, c, cell in self.cells():
            if first <= r <= last and cell.style and STYLES[cell.style].wrap \
                    and isinstance(cell.value, str):
                width = self.col_widths.get(c, DEFAULT_COL_WIDTH)
                lines = wrapped_lines(cell.value, width)
                if lines > 1:
                    self.row_heights[r] = max(self.row_heights.get(r, LINE_HEIGHT),
                                              lines * LINE_HEIGHT)


    def fit_columns(self, first_row: int, last_row: int, cols: Iterable[int], *,
                    minimum: float = 6.0, maximum: float = 40.0) -> None:
        """Give each column of *cols* the width its cells in rows *first_row* to
        *last_row* need, within *minimum* and *maximum* (characters of the default
        font): the widest text as its number format shows it (:func:`shown_width`),
        plus one for the cell's padding; a wrapped cell (a header) one line up to
        :data:`ONE_LINE_WRAPPED` characters, else two lines (and its longest word). Titles, notes and labels run over empty neighbours by
        design and do not count, nor do cells beyond the rows given."""
        wanted = set(cols)
        need: dict[int, float] = {}
        numbers: dict[int, tuple[float, float, str | None]] = {}  # min, max, style
        for r, c, cell in self.cells():
            if c not in wanted or not first_row <= r <= last_row or \
                    cell.style in _OVERFLOWING:
                continue
            if cell.spill is not None:
                values = [v for row in cell.cached for v in row]
            else:
                values = [cell.cached if cell.formula is not None else cell.value]
            wrap = cell.style is not None and STYLES[cell.style].wrap
            for v in values:
                t = type(v)
                if t is float or t is int:
                    lo, hi, _ = numbers.get(c, (v, v, cell.style))
                    if v < lo or v > hi:
                        numbers[c] = (min(lo, v), max(hi, v), cell.style)
                    elif c not in numbers:
                        numbers[c] = (lo, hi, cell.style)
                    continue
                if t is str and wrap and text_width(v) > ONE_LINE_WRAPPED:
                    words = [text_width(w) for w in v.split()] or [0.0]
                    width = max(max(words), (text_width(v) + 1) / 2)
                else:
                    width = shown_width(v, cell.style)
                if width > need.get(c, 0.0):
                    need[c] = width
        for c, (lo, hi, style) in numbers.items():
            need[c] = max(need.get(c, 0.0), shown_width(lo, style), shown_width(hi, style))
        for c in wanted:
            self.col_widths[c] = min(maximum, max(minimum, need.get(c, 0.0) + 1))


def typed_input(inputs: Mapping[tuple[int, int], Any], cell: tuple[int, int],
                default: Any) -> Any:
    """What is typed in the input cell *cell* (``(row, col)``) of an open workbook
    (*inputs*, as Refresh reads them), or *default* when the cell is missing or
    empty."""
    v = inputs.get(cell)
    return default if v is None or v == "" else v
