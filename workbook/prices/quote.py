"""One dated close of one security, as every price source yields it."""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple


class Quote(NamedTuple):
    """An unadjusted (不复权) daily close: the ticker as coverbook writes it
    (``300308.SZ``), the trading day, the close in the listing's currency (a finite
    float > 0), and where it came from (``"Wind EDE20251103.xlsx"``,
    ``"tushare daily 2025-11-03"``), the history's ``source`` column."""

    code: str
    date: dt.date
    close: float
    source: str
