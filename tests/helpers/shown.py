"""The text Excel or LibreOffice shows for a cell: its cached value in its number
format, for the number formats coverbook writes."""

from __future__ import annotations

import datetime as dt
import re
from decimal import ROUND_HALF_UP, Decimal


def fixed(v: float, places: int) -> str:
    """*v* with *places* decimals, as LibreOffice shows it."""
    # LibreOffice rounds the shortest decimal form of the stored number half away
    # from zero (7.124999999999999 -> 7.12, 2.675 -> 2.68).
    q = Decimal(repr(v)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    text = f"{q:.{places}f}"
    return "0" + text[2:] if text.startswith("-0") and Decimal(text) == 0 else text


def shown(cell) -> str:
    """The text Excel or LibreOffice shows for an openpyxl cell (cached value, type
    and number format), for the number formats coverbook writes."""
    v, fmt = cell.value, cell.number_format
    if v is None:
        return ""
    if cell.data_type in ("s", "e", "str") or isinstance(v, str):
        return str(v)
    if isinstance(v, bool):
        return "TRUE" if v else "FALSE"
    if isinstance(v, dt.datetime):
        assert fmt == "yyyy-mm-dd", fmt
        return v.strftime("%Y-%m-%d")
    if fmt == "General":
        return repr(v) if isinstance(v, float) and not v.is_integer() else str(int(v))
    m = re.fullmatch(r"0(?:\.(0+))?(%?)", fmt)
    if m:
        places = len(m.group(1) or "")
        return fixed(v * 100 if m.group(2) else v, places) + m.group(2)
    if fmt == "#,##0":
        return f"{int(Decimal(repr(v)).quantize(Decimal(1), rounding=ROUND_HALF_UP)):,}"
    m = re.fullmatch(r'0\.(0+)"(.)"', fmt)  # a multiple: 0.00"×" -> 15.50×
    if m:
        return fixed(v, len(m.group(1))) + m.group(2)
    raise AssertionError(f"number format {fmt!r} has no rule here")
