"""One dated close of one security, as every price source yields it."""

from __future__ import annotations

import datetime as dt
import re
from typing import NamedTuple

#: A security code as every source gives it once read: digits or capitals, a dot, the
#: market (``300308.SZ``, ``0941.HK``, ``AAPL.O``).
CODE_RE = re.compile(r"[0-9A-Z]{1,10}\.[A-Z]{1,3}")


class Quote(NamedTuple):
    """An unadjusted (不复权) daily close: the ticker as coverbook writes it
    (``300308.SZ``), the trading day, the close in the listing's currency (a finite
    float > 0), and where it came from (``"Wind EDE20251103.xlsx"``,
    ``"tushare daily 2025-11-03"``), the history's ``source`` column."""

    code: str
    date: dt.date
    close: float
    source: str
