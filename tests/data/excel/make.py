"""Regenerate the Excel-saved copies of the shipped coverage.csv kept here.

They imitate what Excel writes when an analyst opens ``coverage.csv``, edits it and
saves it again, so the loader is tested on those bytes and not only on our own:

- ``coverage_gbk.csv``: Excel on a Chinese (zh-CN) Windows, "CSV (逗号分隔)": the
  ANSI code page 936 (GBK; GB18030 is its superset), CRLF line ends, no BOM; date
  cells re-written in the locale's short date format (2024/9/23); numbers as the
  "General" format shows them (108.90 -> 108.9).
- ``coverage_utf8_bom.csv``: "CSV UTF-8 (逗号分隔)": a UTF-8 BOM, CRLF, and two empty
  columns at the right of every row, as Excel writes when cells right of the table
  were once used (its used range is wider than the table).

Run ``python tests/data/excel/make.py`` after changing the shipped coverage.csv.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHIPPED = HERE.parents[2] / "workbook" / "data" / "coverage.csv"


def _general(text: str) -> str:
    """A number as Excel's General format displays it: no trailing zeros."""
    try:
        return f"{float(text):.15g}"
    except ValueError:
        return text


def main() -> None:
    rows = list(csv.reader(io.StringIO(SHIPPED.read_text(encoding="utf-8"), newline="")))
    header, body = rows[0], rows[1:]
    date_col = header.index("close_date")
    gbk = [header]
    for row in body:
        y, m, d = row[date_col].split("-")
        gbk.append([f"{y}/{int(m)}/{int(d)}" if i == date_col else
                    _general(c) if i >= header.index("close") and i != header.index("rating")
                    else c for i, c in enumerate(row)])
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(gbk)
    (HERE / "coverage_gbk.csv").write_bytes(out.getvalue().encode("gbk"))

    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(r + ["", ""] for r in rows)
    (HERE / "coverage_utf8_bom.csv").write_bytes(out.getvalue().encode("utf-8-sig"))


if __name__ == "__main__":
    main()
