"""The sheet model: what a sheet holds, independent of the library that writes it.

A :class:`Sheet` is a list of :class:`Block` s (rectangles of :class:`Cell` s anchored
at a zero-based row and column) plus layout (column widths, row heights, frozen
panes, :class:`PrintSetup`), data validations (:class:`Validation`) and native charts
(:class:`Chart`). Row 0 of every sheet is its title row: the title in ``A1`` and
nothing else, so a writer may put a banner beside it (the published workbook does)
without moving any cell. A cell is
either a literal ``value`` or a ``formula`` with the ``cached`` value the build
computed for it by calling the same Python function Excel calls. Both writers (the
XlsxWriter file writer and the xlwings live writer) take this model and nothing else,
so adding a sheet never means touching a writer.

**Input cells.** A block added with :meth:`Sheet.add_inputs` holds cells an analyst
types into (a date, a model, token counts). Its values are defaults: the file writer
writes them; the live writer (Refresh) never clears an input cell and writes the
default only where the cell is empty, so what was typed stays. A sheet builder that
has input cells takes what is typed there (``inputs``: ``{(row, col): value}`` read
from the open workbook) and computes every cached value from it, so the values
Refresh writes agree with what Excel then recalculates. Keep input blocks at fixed
positions (above anything whose size depends on the data), so a typed value is
still at its cell after the data grows.

Strings in ``value`` are always literal text, even when they begin with ``=``: only
``formula`` is ever written as a formula (no formula injection from data).
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Iterable, Iterator, NamedTuple

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


#: Fill of the cells an analyst types into (the colour of Excel's "Input" style).
INPUT_FILL = "#FFF2CC"

#: The styles sheets may name. Number formats are Excel's own codes.
STYLES: dict[str, Style] = {
    "title": Style(bold=True),
    "note": Style(italic=True),
    # A row label right-aligned so that it runs leftwards over empty cells (the mean
    # row's label ends beside the first mean).
    "label": Style(italic=True, align="right"),
    "banner": Style(bold=True, italic=True),
    "header": Style(bold=True, fill="#DDEBF7", wrap=True, align="center"),
    "text": Style(num_format="@"),
    "text_wrap": Style(num_format="@", wrap=True),  # long text: give the row its height
    "text_center": Style(num_format="@", align="center"),
    # Formula results that are text: no "@" format (Excel would take a formula
    # typed into a text-formatted cell as text).
    "center": Style(align="center"),
    "date": Style(num_format="yyyy-mm-dd", align="center"),
    "price": Style(num_format="0.00"),  # CNY per share, as the report prints it
    "eps": Style(num_format="0.00"),  # CNY per share
    "pe": Style(num_format="0.00", align="right"),  # multiple; "NM" for loss-makers
    # Right-aligned like the numbers, so a text result (NM, n.a., #DIV/0!) lines up
    # with them and keeps its distance from the text column to its left.
    "ratio": Style(num_format="0.00", align="right"),
    "pct": Style(num_format="0%", align="right"),
    # Upside and growth rates: fractions shown as a percentage with one decimal.
    "pct1": Style(num_format="0.0%", align="right"),
    # Two decimals: the rating edge examples 0.0999 and 0.10 read 9.99% and 10.00%.
    "pct2": Style(num_format="0.00%"),
    "usd": Style(num_format="0.000"),  # USD per 1M tokens
    "usd_cost": Style(num_format="0.000000"),  # USD per request
    "int": Style(num_format="#,##0"),
    "num1": Style(num_format="0.0"),
    "multiple": Style(num_format='0.00"×"', align="right"),  # of a benchmark: 15.50×
    # Input cells (Sheet.add_inputs) carry the fill of Excel's "Input" cell style.
    "input_date": Style(num_format="yyyy-mm-dd", fill=INPUT_FILL, align="center"),
    "input_text": Style(num_format="@", fill=INPUT_FILL),
    "input_int": Style(num_format="#,##0", fill=INPUT_FILL),
    "input_pct": Style(num_format="0%", fill=INPUT_FILL),
    "input_num": Style(num_format="0.0", fill=INPUT_FILL),
    "check": Style(bold=True, align="center"),
    # Cells an analyst types into (the scale and the benchmark return the implied
    # ratings use): the input fill of a broker's model.
    "input_pct1": Style(num_format="0.0%", fill=INPUT_FILL, align="right"),
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


#: Height in points of one line of text in the default font (Calibri 11), Excel's
#: default row height.
LINE_HEIGHT = 15.0


@dataclass(frozen=True)
class PrintSetup:
    """How a sheet prints (rendered by the file writers; LibreOffice's PDF export
    follows it): ``paper`` (``"A4"``), orientation, every sheet scaled to one page
    wide and as many pages tall as it needs, the zero-based rows ``repeat_rows``
    (first, last) printed at the top of every page, page numbers in the footer, and
    ``row_breaks``: zero-based rows that start a new page (above a chart, so that it
    is not cut in two)."""

    paper: str = "A4"
    landscape: bool = True
    repeat_rows: tuple[int, int] | None = None
    page_numbers: bool = True
    row_breaks: tuple[int, ...] = ()


#: Validation kinds: a list of allowed values, whole numbers, decimals, dates.
VALIDATION_KINDS = ("list", "whole", "decimal", "date")
#: Excel's limit on a list validation typed as values (``"USD,CNY"``): 255
#: characters, separators included; a longer list must be a range reference.
MAX_LIST_CHARS = 255


@dataclass(frozen=True)
class Validation:
    """A data-validation rule on the rectangle (``first_row``, ``first_col``) to
    (``last_row``, ``last_col``), zero-based and inclusive.

    ``kind`` ``"list"``: a dropdown of ``values`` (literal texts; joined with commas
    at most :data:`MAX_LIST_CHARS` characters, none holding a comma) or of the cells
    ``source`` (``(first_row, first_col, last_row, last_col)`` on the same sheet, one
    row or one column: the list follows the sheet, whatever its length). ``"whole"``,
    ``"decimal"``, ``"date"``: a value at least ``minimum`` and/or at most ``maximum``
    (numbers; dates for ``"date"``). Raises ``ValueError`` for a rule Excel would
    refuse.
    """

    first_row: int
    first_col: int
    last_row: int
    last_col: int
    kind: str
    values: tuple[str, ...] = ()
    source: tuple[int, int, int, int] | None = None
    minimum: Any = None
    maximum: Any = None

    def __post_init__(self) -> None:
        if self.kind not in VALIDATION_KINDS:
            raise ValueError(f"validation kind {self.kind!r}: one of {VALIDATION_KINDS}")
        if self.first_row > self.last_row or self.first_col > self.last_col:
            raise ValueError("validation rectangle: first row/column after the last")
        if self.kind == "list":
            if bool(self.values) == (self.source is not None):
                raise ValueError("a list validation takes either values or a source range")
            if self.values:
                if any("," in v for v in self.values):
                    raise ValueError("list values cannot hold a comma; use a source range")
                if len(",".join(self.values)) > MAX_LIST_CHARS:
                    raise ValueError(f"list of {len(','.join(self.values))} characters: "
                                     f"above Excel's {MAX_LIST_CHARS}; use a source range")
            else:
                r0, c0, r1, c1 = self.source
                if r0 > r1 or c0 > c1 or (r0 != r1 and c0 != c1):
                    raise ValueError("a list's source range must be one row or one column")
        elif self.minimum is None and self.maximum is None:
            raise ValueError(f"a {self.kind} validation needs a minimum or a maximum")

    @property
    def operator(self) -> str:
        """xlwings' name of the comparison: ``between``, ``greater_than_or_equal``
        or ``less_than_or_equal`` (not for lists)."""
        if self.minimum is not None and self.maximum is not None:
            return "between"
        return "greater_than_or_equal" if self.minimum is not None else "less_than_or_equal"


#: Chart kinds: lines over categories, clustered columns, and XY scatter with
#: straight lines and no markers (a step chart: two points per date, before and after).
CHART_KINDS = ("line", "column", "scatter")
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

    @property
    def value_rows(self) -> tuple[int, int]:
        """First and last row of the values (below the header row)."""
        return self.data[0] + 1, self.data[2]


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


#: A wrapped text (a header) up to this wide fits its column on one line; a wider one
#: takes two.
ONE_LINE_WRAPPED = 12.0
#: Styles whose text is meant to run over empty neighbouring cells.
_OVERFLOWING = frozenset(("title", "note", "label", "banner"))
_FIXED_FORMAT_RE = re.compile(r'0(?:\.(0+))?(%?)(?:"(.*)")?')


def shown_width(v: Any, style: str | None) -> float:
    """The width of *v* as a cell of *style* shows it (:func:`text_width`): a number
    in the style's number format (``0.00``, ``0.0%``, ``#,##0``, dates as
    ``yyyy-mm-dd``), text as it is, a blank as nothing."""
    if v is None or v == "":
        return 0.0
    if isinstance(v, (dt.date, dt.datetime)):
        return 10.0
    if isinstance(v, ErrorValue):
        return text_width(v.code)
    if isinstance(v, bool):
        return 5.0
    if isinstance(v, (int, float)):
        fmt = STYLES[style].num_format if style else None
        m = _FIXED_FORMAT_RE.fullmatch(fmt) if fmt else None
        if m:
            places = len(m.group(1) or "")
            shown = f"{v * 100 if m.group(2) else v:.{places}f}{m.group(2)}{m.group(3) or ''}"
        elif fmt == "#,##0":
            shown = f"{v:,.0f}"
        else:
            shown = f"{v:.10g}"
        return text_width(shown)
    return text_width(str(v))


#: Excel's width of a column that sets none (characters of the default font).
DEFAULT_COL_WIDTH = 8.43


def text_width(text: str) -> float:
    """Width of *text* in Excel column-width units (widths of ``0`` in the default
    font): 1 per character, 2 per East Asian wide or full-width character (汉字)."""
    if text.isascii():
        return float(len(text))
    return _wide_text_width(text)


@lru_cache(maxsize=65_536)
def _wide_text_width(text: str) -> float:
    return float(sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text))


def wrapped_lines(text: str, width: float) -> int:
    """Lines *text* takes wrapped in a column *width* wide (greedy at spaces; a word
    wider than the column breaks anywhere; half a character of cell padding). Wide
    characters count 2, as in Excel on Windows (LibreOffice draws them narrower, so
    the estimate errs towards a taller row, never an overlap)."""
    room = max(1.0, width - 0.5)
    lines, used = 1, 0.0
    for word in text.split():
        w = text_width(word)
        need = w if used == 0 else used + 1 + w
        if need <= room:
            used = need
            continue
        if used:
            lines += 1
        lines += max(0, math.ceil(w / room) - 1)
        used = w - (math.ceil(w / room) - 1) * room
    return lines


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
