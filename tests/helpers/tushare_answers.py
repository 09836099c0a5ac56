"""tushare answers written by hand, for tests that never touch the network.

The shape is tushare's documented HTTP answer ("通过HTTP调取数据", tushare.pro document
130; the same the SDK's ``DataApi.query`` reads): ``{"code": 0, "msg": ..., "data":
{"fields": [...], "items": [[...], ...]}}``, a refusal being a code other than 0
(``2002``: no permission). The rows are ``daily``'s (document 27).

The figures are known without coverbook: ``DOC_ROWS`` are the rows of document 27's
printed sample (000001.SZ, July 2018); ``REPORT_CLOSES`` are the closes of 2024-09-23
the shipped report printed (``workbook/data/coverage.csv``, read with the csv module).
"""

from __future__ import annotations

import csv
import datetime as dt

from workbook import DATA_DIR

#: tushare document 27's sample of ``daily``: (ts_code, trade_date, close).
DOC_ROWS = [("000001.SZ", "20180718", 8.70), ("000001.SZ", "20180717", 8.72),
            ("000001.SZ", "20180716", 8.73)]
#: The day of the shipped report's closes.
REPORT_DAY = dt.date(2024, 9, 23)
FIELDS = ["ts_code", "trade_date", "close"]


def report_closes() -> dict[str, float]:
    """``{ticker: close}`` of the shipped ``coverage.csv`` (the report's 2024-09-23
    closes), read with the csv module, not with coverbook's reader."""
    with open(DATA_DIR / "coverage.csv", encoding="utf-8", newline="") as f:
        return {row["code"]: float(row["close"]) for row in csv.DictReader(f)}


def answer(items: list[list], fields: list[str] = FIELDS) -> dict:
    """tushare's answer holding *items* (rows in *fields* order)."""
    return {"request_id": "hand-written", "code": 0, "msg": "",
            "data": {"fields": fields, "items": items, "has_more": False}}


def refusal(code: int, msg: str) -> dict:
    """tushare's answer refusing a request."""
    return {"request_id": "hand-written", "code": code, "msg": msg, "data": None}


def report_answer(codes: list[str] | None = None) -> dict:
    """``daily``'s answer for 2024-09-23 with the report's closes of *codes* (all)."""
    closes = report_closes()
    codes = list(closes) if codes is None else codes
    return answer([[code, "20240923", closes[code]] for code in codes])
