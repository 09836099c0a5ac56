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
  the banner goes in the first column the title no longer covers).

Nothing here can be recalculated: no reader (Excel without Python, LibreOffice,
openpyxl, python-calamine, pandas) has anything to compute.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Iterable

from udfs._excel import is_error
from workbook.model import (DEFAULT_COL_WIDTH, Cell, ErrorValue, Sheet, text_width,
                            value)
from workbook.writers.xlsx_cells import ERROR_VALUES

#: The sheet row that holds the title (and, here, the banner).
TITLE_ROW = 0


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


def values_sheet(sheet: Sheet, banner: str) -> Sheet:
    """The values-only model of *sheet*, with *banner* in its title row.

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
    cells[(TITLE_ROW, banner_col(sheet))] = value(banner, "banner")
    out = replace(sheet, blocks=[], col_widths=dict(sheet.col_widths),
                  row_heights=dict(sheet.row_heights))
    rows: dict[int, dict[int, Cell]] = {}
    for (r, c), cell in cells.items():
        rows.setdefault(r, {})[c] = cell
    for r in sorted(rows):
        row = rows[r]
        first, last = min(row), max(row)
        out.add(r, first, [[row.get(c) for c in range(first, last + 1)]])
    return out


def values_only(sheets: Iterable[Sheet], banner: str) -> list[Sheet]:
    """The values-only models of the published *sheets* (``Sheet.published``), each
    with *banner* beside its title, in the same order."""
    return [values_sheet(s, banner) for s in sheets if s.published]
