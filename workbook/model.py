"""The sheet model: what a sheet holds, independent of the library that writes it.

A :class:`Sheet` is a list of :class:`Block` s (rectangles of :class:`Cell` s anchored
at a zero-based row and column) plus layout (column widths, frozen panes). A cell is
either a literal ``value`` or a ``formula`` with the ``cached`` value the build
computed for it by calling the same Python function Excel calls. Both writers (the
XlsxWriter file writer and the xlwings live writer) take this model and nothing else,
so adding a sheet never means touching a writer.

Strings in ``value`` are always literal text, even when they begin with ``=``: only
``formula`` is ever written as a formula (no formula injection from data).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterator, NamedTuple

from xlsxwriter.utility import xl_rowcol_to_cell


@dataclass(frozen=True)
class Style:
    """Cell formatting both writers understand: an Excel number format and emphasis."""

    num_format: str | None = None
    bold: bool = False
    italic: bool = False
    fill: str | None = None  # "#RRGGBB"
    wrap: bool = False
    align: str | None = None  # "left" | "center" | "right"


#: The styles sheets may name. Number formats are Excel's own codes.
STYLES: dict[str, Style] = {
    "title": Style(bold=True),
    "note": Style(italic=True),
    "header": Style(bold=True, fill="#DDEBF7", wrap=True, align="center"),
    "text": Style(num_format="@"),
    "date": Style(num_format="yyyy-mm-dd"),
    "price": Style(num_format="0.00"),  # CNY per share, as the report prints it
    "eps": Style(num_format="0.00"),  # CNY per share
    "pe": Style(num_format="0.00", align="right"),  # multiple; "NM" for loss-makers
    "ratio": Style(num_format="0.00"),
    "pct": Style(num_format="0%"),
    "pct1": Style(num_format="0.0%"),
    "usd": Style(num_format="0.000"),  # USD per 1M tokens
    "usd_cost": Style(num_format="0.000000"),  # USD per request
    "int": Style(num_format="#,##0"),
    "bool": Style(align="center"),
    "check": Style(bold=True, align="center"),
}


class ErrorValue(NamedTuple):
    """A true Excel error value (``ErrorValue("#DIV/0!")``) as a cell's value or a
    formula's cached value, e.g. what ``AVERAGE`` gives over a column without a number.

    A plain string is always text, even ``"#NUM!"``: that is how a coverbook UDF
    returns an error (xlwings cannot return error values), so live Excel shows it
    as text and the file stores it as text. Only an :class:`ErrorValue` is written as
    an error cell.
    """

    code: str

    def __str__(self) -> str:
        return self.code


class Cell(NamedTuple):
    """One cell: a literal ``value``, or a ``formula`` (``"=PE(C4,F4)"``) with its
    ``cached`` value; ``style`` names an entry of :data:`STYLES`.

    A formula with ``spill=(height, width)`` is a dynamic array formula anchored here
    whose result spills over that area; its ``cached`` is then a list of rows of that
    shape (every spilled cell's cached value).

    Immutable. A named tuple rather than a frozen dataclass: a 50,000-stock sheet has
    650,000 cells, and a tuple is built 3x faster and takes half the memory.
    """

    value: Any = None
    formula: str | None = None
    cached: Any = None
    style: str | None = None
    spill: tuple[int, int] | None = None

    @property
    def is_formula(self) -> bool:
        return self.formula is not None


def formula(text: str, cached: Any, style: str | None = None) -> Cell:
    """A formula cell; *cached* is what the formula evaluates to (never omitted)."""
    if not text.startswith("="):
        raise ValueError(f"formula must start with '=': {text!r}")
    return Cell(formula=text, cached=cached, style=style)


def array_formula(text: str, cached: list[list[Any]], style: str | None = None) -> Cell:
    """A dynamic array formula whose result (*cached*, a list of rows) spills from here."""
    if not text.startswith("="):
        raise ValueError(f"formula must start with '=': {text!r}")
    height, width = len(cached), len(cached[0]) if cached else 0
    if not height or not width or any(len(r) != width for r in cached):
        raise ValueError("an array formula's cached value must be a non-empty rectangle")
    return Cell(formula=text, cached=cached, style=style, spill=(height, width))


def value(v: Any, style: str | None = None) -> Cell:
    """A literal cell (text stays text, even if it starts with '=')."""
    return Cell(value=v, style=style)


@dataclass
class Block:
    """A rectangle of cells whose top-left corner is (``row``, ``col``), zero-based.
    ``rows`` may be ragged; a ``None`` entry leaves that cell untouched."""

    row: int
    col: int
    rows: list[list[Cell | None]]

    @property
    def height(self) -> int:
        return len(self.rows)

    @property
    def width(self) -> int:
        return max((len(r) for r in self.rows), default=0)

    def cells(self) -> Iterator[tuple[int, int, Cell]]:
        """``(row, col, cell)`` of every cell, absolute zero-based coordinates."""
        for i, cells in enumerate(self.rows):
            for j, cell in enumerate(cells):
                if cell is not None:
                    yield self.row + i, self.col + j, cell


@dataclass
class Sheet:
    """One worksheet coverbook owns: its name, blocks and layout."""

    name: str
    blocks: list[Block] = field(default_factory=list)
    col_widths: dict[int, float] = field(default_factory=dict)
    row_heights: dict[int, float] = field(default_factory=dict)  # points
    freeze: tuple[int, int] | None = None  # (rows, cols) kept in view
    landscape: bool = False  # print orientation; every sheet prints one page wide

    def add(self, row: int, col: int, rows: list[list[Cell | None]]) -> Block:
        """Add a block at (*row*, *col*) and return it."""
        block = Block(row, col, rows)
        self.blocks.append(block)
        return block

    def cells(self) -> Iterator[tuple[int, int, Cell]]:
        """Every cell of every block, in block order."""
        for block in self.blocks:
            yield from block.cells()

    def cell_map(self) -> dict[tuple[int, int], Cell]:
        """``{(row, col): cell}``; a later block wins where blocks overlap."""
        return {(r, c): cell for r, c, cell in self.cells()}


def a1(row: int, col: int, *, absolute: bool = False) -> str:
    """A1 reference of a zero-based cell: (3, 2) -> ``C4``; absolute -> ``$C$4``."""
    return xl_rowcol_to_cell(row, col, absolute, absolute)


def sheet_ref(sheet: str, ref: str) -> str:
    """``'重点标的'!C4``: a reference into another sheet. The name is always quoted
    (valid in Excel for any name; some formula parsers need it for non-ASCII names)."""
    return "'" + sheet.replace("'", "''") + "'!" + ref


def excel_string(text: str) -> str:
    """A string literal inside a formula: ``"o1-mini"`` with inner quotes doubled."""
    return '"' + text.replace('"', '""') + '"'
