"""Cells and blocks: :class:`ErrorValue`, :class:`Cell` (made with :func:`formula`,
:func:`array_formula`, :func:`value`) and :class:`Block`, a rectangle of cells.

"The module docstring" below means :mod:`workbook.model`'s (input cells, literal text).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Iterator, NamedTuple


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
    shape (every spilled cell's cached value), or a :class:`CachedColumn` that reads
    as one.

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


class CachedColumn(Sequence):
    """The cached values of a one-column array formula as its rows (``[v]`` each),
    over a flat list of the values, which it keeps without copying.

    ``array_formula(text, [[v] for v in values])`` would hold one list per row: at
    99,999 stocks and twelve spilled columns that is 1.2 million one-element lists,
    96 MB more than the values themselves. A row is made when it is asked for.
    Compares as that list of rows does: equal to a list of the same one-element
    lists (``[[1.5], ["NM"]]``), or to a CachedColumn of the same values.
    """

    __slots__ = ("values",)

    def __init__(self, values: list[Any]) -> None:
        self.values = values

    def __len__(self) -> int:
        return len(self.values)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [[v] for v in self.values[index]]
        return [self.values[index]]

    def __iter__(self) -> Iterator[list[Any]]:
        return ([v] for v in self.values)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, CachedColumn):
            return self.values == other.values
        if not isinstance(other, list):
            return NotImplemented  # as a list: never equal to a tuple or a text
        # [v] == row as the list of rows compares its rows (one NaN object equals itself there).
        return len(other) == len(self.values) and all(
            [v] == row for row, v in zip(other, self.values))

    __hash__ = None  # type: ignore[assignment]  # mutable values, like a list

    def __repr__(self) -> str:
        return f"CachedColumn({self.values!r})"


def formula(text: str, cached: Any, style: str | None = None) -> Cell:
    """A formula cell; *cached* is what the formula evaluates to (never omitted)."""
    if not text.startswith("="):
        raise ValueError(f"formula must start with '=': {text!r}")
    return Cell(formula=text, cached=cached, style=style)


def array_formula(text: str, cached: list[list[Any]] | CachedColumn,
                  style: str | None = None) -> Cell:
    """A dynamic array formula whose result (*cached*, a list of rows, or a
    :class:`CachedColumn` for one column) spills from here."""
    if not text.startswith("="):
        raise ValueError(f"formula must start with '=': {text!r}")
    if isinstance(cached, CachedColumn):
        if not cached.values:
            raise ValueError("an array formula's cached value must be a non-empty rectangle")
        return Cell(formula=text, cached=cached, style=style, spill=(len(cached.values), 1))
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
    ``rows`` may be ragged; a ``None`` entry leaves that cell untouched. ``input``:
    the cells are input cells (see the module docstring); their values are defaults."""

    row: int
    col: int
    rows: list[list[Cell | None]]
    input: bool = False

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
