"""The values-only engine: sheet models -> the workbook for recipients without Python.

The third writer behind the same sheet models (beside the XlsxWriter file writer and
the xlwings live writer). It renders each model as a model without formulas, which
the file writer (``workbook/writers/xlsx.py``) then writes as a plain ``.xlsx``:

- every formula cell holds its cached value: numbers stay numbers, text (``NM``, the
  missing-figure marker ``n.a.``, ratings, PASS/FAIL) stays text, and an error,
  whether a UDF's error text (``"#NUM!"``) or a built-in formula's error value
  (``AVERAGE`` over no number), becomes an error cell;
- each cell an array formula spills over becomes a plain value with the anchor's
  format;
- sheets only Excel with xlwings needs (``Sheet.published`` false: ``xlwings.conf``)
  are left out, and the file writer adds no VBA project and no ribbon to an ``.xlsx``;
- every other cell, number format, width, height, frozen pane, print setting and
  autofilter is the model's, so the published sheets match the built ones cell for cell, apart
  from one banner per sheet in its title row (row 0 holds only the title in ``A1``;
  the banner goes in the first column the title no longer covers; one wider than the
  table wraps in a cell merged over its columns: :func:`_place_banner`) and, when the
  project's settings give a ``disclaimer``, the disclaimer at the foot of every
  sheet (:func:`disclaimer_rows`), so every printed sheet of the PDF carries it.

Nothing here can be recalculated: no reader (Excel without Python, LibreOffice,
openpyxl, python-calamine, pandas) has anything to compute.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Iterable

from udfs._excel import is_error
from workbook.model import (DEFAULT_COL_WIDTH, Cell, ErrorValue, Sheet, text_width,
                            value)
from workbook.model.widths import LINE_HEIGHT
from workbook.writers.xlsx_cells import ERROR_VALUES

#: The sheet row that holds the title (and, here, the banner).
TITLE_ROW = 0
#: Narrowest width (column-width units) the published banner wraps within, when it
#: does not fit beside the title on one line.
BANNER_MIN_WIDTH = 60.0
#: Narrowest and widest line of the disclaimer (column-width units): the width of
#: the sheet's used columns, within these bounds.
DISCLAIMER_WIDTH = (60.0, 160.0)


def published_value(cached: Any) -> Any:
    """What a former formula cell holds in the values-only workbook: *cached*, with
    an error's text (``"#NUM!"``, ``"#N/A unknown model ..."``) as the error value
    (:class:`ErrorValue`) and an empty result as an empty cell."""
    if isinstance(cached, str):
        if cached == "":
            return None
        if is_error(cached):
            code = cached.split(" ", 1)[0]
            # Errors only live Excel knows (#SPILL!, #CALC!) have no error cell in an
            # .xlsx written here; they stay text (the build never produces them).
            return ErrorValue(code) if code in ERROR_VALUES else cached
    return cached


def banner_col(sheet: Sheet) -> int:
    """The first column of the title row that the title text (in ``A1``) does not
    run into, so the banner neither covers nor cuts it. Raises ``ValueError`` if the
    title row holds anything else (a sheet model breaking the title-row rule)."""
    row = [(c, cell) for r, c, cell in sheet.cells() if r == TITLE_ROW]
    if [c for c, _ in row] not in ([], [0]):
        raise ValueError(f"sheet {sheet.name!r}: the title row must hold only the title "
                         "in A1 (the published banner goes beside it)")
    title = row[0][1].value if row else ""
    need = text_width(str(title or "")) * 1.1 + 1  # the title is bold: a tenth wider
    col, covered = 1 if row else 0, 0.0
    if row:
        covered = sheet.col_widths.get(0, DEFAULT_COL_WIDTH)
        while covered < need:
            covered += sheet.col_widths.get(col, DEFAULT_COL_WIDTH)
            col += 1
    return col


def wrap_text(text: str, width: float) -> list[str]:
    """*text* cut into lines at most *width* wide (:func:`text_width`: a 汉字 counts
    2), at spaces where a line has them, else between characters (Chinese has no
    spaces); a line break in *text* starts a new line."""
    lines: list[str] = []
    for paragraph in text.splitlines() or [""]:
        line = ""
        for word in paragraph.split(" "):
            candidate = f"{line} {word}" if line else word
            if text_width(candidate) <= width:
                line = candidate
                continue
            if line:
                lines.append(line)
                line = ""
            for ch in word:  # a word wider than a line: cut it between characters
                if text_width(line + ch) > width and line:
                    lines.append(line)
                    line = ""
                line += ch
        lines.append(line)
    return lines


def _foot_row(sheet: Sheet) -> int:
    """The first row below everything on *sheet*: its cells, spills and charts (a
    chart's height counted in rows of the sheet's heights)."""
    last = -1
    for r, _, cell in sheet.cells():
        last = max(last, r + (cell.spill[0] - 1 if cell.spill else 0))
    for chart in sheet.charts:
        row, height = chart.anchor[0], chart.size[1]
        while height > 0:
            height -= sheet.row_heights.get(row, LINE_HEIGHT)
            row += 1
        last = max(last, row - 1)
    return last + 1


def disclaimer_rows(sheet: Sheet, disclaimer: str) -> tuple[int, list[list[Cell]]]:
    """Where (the row one blank row below :func:`_foot_row`) and as which cells (one
    line a row, in column A, style ``note``) *disclaimer* goes on *sheet*: wrapped to
    the width of the sheet's used columns (:data:`DISCLAIMER_WIDTH`), so it prints
    within the page, which is one page wide."""
    cols = {c for _, c, _ in sheet.cells()}
    used = sum(sheet.col_widths.get(c, DEFAULT_COL_WIDTH) for c in range(max(cols, default=0)
                                                                          + 1))
    width = min(max(used, DISCLAIMER_WIDTH[0]), DISCLAIMER_WIDTH[1])
    return _foot_row(sheet) + 1, [[value(line, "note")] for line in wrap_text(disclaimer,
                                                                              width)]


def _place_banner(sheet: Sheet, col: int, last: int, banner: str) -> Cell:
    """The banner's cell at (title row, *col*). On one line when it fits within the
    sheet's used columns (up to *last*); else wrapped in a cell merged over them (at
    least :data:`BANNER_MIN_WIDTH` wide) in a title row tall enough for its lines, so
    a long source never widens the printed page (which is one page wide) and so
    never shrinks the table on it."""
    widths = [sheet.col_widths.get(c, DEFAULT_COL_WIDTH) for c in range(col, last + 1)]
    need = text_width(banner) * 1.1 + 1  # bold: a tenth wider, as the title
    if sum(widths) >= need:
        return value(banner, "banner")
    while sum(widths) < BANNER_MIN_WIDTH:
        widths.append(sheet.col_widths.get(col + len(widths), DEFAULT_COL_WIDTH))
    # Wrapped a little narrower than the cell: renderers measure text their own way.
    lines = len(wrap_text(banner, sum(widths) / 1.15 - 2))
    sheet.row_heights[TITLE_ROW] = max(sheet.row_heights.get(TITLE_ROW, LINE_HEIGHT),
                                       lines * LINE_HEIGHT)
    if len(widths) > 1:
        sheet.merged.append((TITLE_ROW, col, TITLE_ROW, col + len(widths) - 1))
    return value(banner, "banner_wrap")


def values_sheet(sheet: Sheet, banner: str, disclaimer: str | None = None) -> Sheet:
    """The values-only model of *sheet*, with *banner* in its title row and
    *disclaimer* (if any) at its foot (:func:`disclaimer_rows`).

    Its blocks are the sheet's rows, top to bottom, each cell at its address: the
    same cells give the same file whichever layout (per-cell or array) the model had.
    """
    cells: dict[tuple[int, int], Cell] = {}
    for r, c, cell in sheet.cells():
        if cell.spill is not None:
            for i, cached_row in enumerate(cell.cached):
                for j, v in enumerate(cached_row):
                    cells[(r + i, c + j)] = value(published_value(v), cell.style)
        elif cell.is_formula:
            cells[(r, c)] = value(published_value(cell.cached), cell.style)
        else:
            cells[(r, c)] = cell
    col = banner_col(sheet)
    out = replace(sheet, blocks=[], col_widths=dict(sheet.col_widths),
                  row_heights=dict(sheet.row_heights), merged=list(sheet.merged))
    cells[(TITLE_ROW, col)] = _place_banner(out, col, max(c for _, c in cells), banner)
    if disclaimer:
        first, lines = disclaimer_rows(sheet, disclaimer)
        for i, (line,) in enumerate(lines):
            cells[(first + i, 0)] = line
    rows: dict[int, dict[int, Cell]] = {}
    for (r, c), cell in cells.items():
        rows.setdefault(r, {})[c] = cell
    for r in sorted(rows):
        row = rows[r]
        first, last = min(row), max(row)
        out.add(r, first, [[row.get(c) for c in range(first, last + 1)]])
    return out


def values_only(sheets: Iterable[Sheet], banner: str, disclaimer: str | None = None
                ) -> list[Sheet]:
    """The values-only models of the published *sheets* (``Sheet.published``), each
    with *banner* beside its title and *disclaimer* (the settings', if any) at its
    foot, in the same order."""
    return [values_sheet(s, banner, disclaimer) for s in sheets if s.published]
