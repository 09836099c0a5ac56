"""Table formatting over rectangles: :class:`Borders` (a grid) and
:class:`ConditionalFormat`."""

from __future__ import annotations

from dataclasses import dataclass


#: The line colour of a table's grid (:class:`Borders`): mid grey, as broker tables.
BORDER_COLOR = "#A6A6A6"


@dataclass(frozen=True)
class Borders:
    """Thin borders around and between the cells of the rectangle (``first_row``,
    ``first_col``) to (``last_row``, ``last_col``), zero-based and inclusive: a table's
    grid. The file writer gives each model cell in the rectangle the border (a table
    has a cell, if only an empty one, wherever it should have a border)."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int

    def __post_init__(self) -> None:
        if self.first_row > self.last_row or self.first_col > self.last_col:
            raise ValueError("borders rectangle: first row/column after the last")

    def holds(self, row: int, col: int) -> bool:
        return self.first_row <= row <= self.last_row and self.first_col <= col <= self.last_col


@dataclass(frozen=True)
class ConditionalFormat:
    """A conditional format on the rectangle (``first_row``, ``first_col``) to
    (``last_row``, ``last_col``): where ``formula`` is TRUE the cell gets ``fill``,
    ``font_color`` (``"#RRGGBB"``) and/or bold. The formula is Excel's, written for
    the rectangle's top-left cell, which Excel shifts to every other cell (relative
    references): ``=E4="买入"`` on E4:E18 tests each row's own cell. Rules on one cell
    apply in the order listed, the first first."""

    first_row: int
    first_col: int
    last_row: int
    last_col: int
    formula: str
    fill: str | None = None
    font_color: str | None = None
    bold: bool = False

    def __post_init__(self) -> None:
        if not self.formula.startswith("=") or len(self.formula) < 2:
            raise ValueError(f"conditional format formula {self.formula!r}: must start with =")
        if self.first_row > self.last_row or self.first_col > self.last_col:
            raise ValueError("conditional format rectangle: first row/column after the last")
        if self.fill is None and self.font_color is None and not self.bold:
            raise ValueError("a conditional format needs a fill, a font colour or bold")
