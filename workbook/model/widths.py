"""Measuring text as Excel shows it: :func:`text_width`, :func:`shown_width` (a value in
its number format), :func:`wrapped_lines`, and the default column width and row height
(what :meth:`Sheet.fit_columns <workbook.model.Sheet.fit_columns>` and
:meth:`Sheet.fit_rows <workbook.model.Sheet.fit_rows>` use)."""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from functools import lru_cache
from typing import Any

from workbook.model.cells import ErrorValue
from workbook.model.styles import STYLES


#: Height in points of one line of text in the default font (Calibri 11), Excel's
#: default row height.
LINE_HEIGHT = 15.0


#: A wrapped text (a header) up to this wide fits its column on one line; a wider one
#: takes two.
ONE_LINE_WRAPPED = 12.0
#: Styles whose text is meant to run over empty neighbouring cells.
_OVERFLOWING = frozenset(("title", "note", "label", "banner"))
_FIXED_FORMAT_RE = re.compile(r'0(?:\.(0+))?(%?)(?:"(.*)")?')


def shown_width(v: Any, style: str | None) -> float:
    """The width of *v* as a cell of *style* shows it (:func:`text_width`): a number
    in the style's number format (``0.00``, ``0.00%``, ``#,##0``, dates as
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
