"""Terminal exports written by the tests from the header strings documented in
docs/prices.md (Wind, Choice, iFinD; sources in ../shared/reference/terminal-exports.md).
No terminal file exists on this machine: these are the layouts as the sources show
them, written with openpyxl (workbooks) or the csv module (text)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import openpyxl

WIND_FIXED = "收盘价\n[交易日期] 2024-09-20\n[复权方式] 不复权\n[单位] 元"
WIND_SPACES = "收盘价 [交易日期]2024-09-24 [复权方式]不复权 [单位]元"
WIND_CR = "收盘价_x000D_\n[交易日期] 2024-09-24_x000D_\n[复权方式] 不复权_x000D_\n[单位] 元"
WIND_LATEST = "收盘价\n[交易日期] 最新收盘日\n[复权方式] 不复权\n[单位] 元"
WIND_FORWARD = "收盘价\n[交易日期] 2024-09-24\n[复权方式] 前复权\n[单位] 元"
WIND_UNTAGGED = "收盘价\n[交易日期] 2024-09-24\n[单位] 元"
CHOICE = "收盘价\n[交易日期]2024-09-24\n[复权方式]不复权"


def xlsx(path: Path, rows: list[list]) -> Path:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def wind_rows(header: str, body: list[list]) -> list[list]:
    """A Wind EDE cross-section: 证券代码, 证券简称, the value column, the footer."""
    return [["证券代码", "证券简称", header], *body, [], ["数据来源：Wind"]]


def text_file(path: Path, rows: list[list], encoding: str, delimiter: str = ",") -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def ifind_rows(days: list[tuple[str, list]]) -> list[list]:
    """An iFinD time series of 601728.SH and 600050.SH closes (four header rows)."""
    return [["代码名称", "601728.SH 中国电信", "600050.SH 中国联通"],
            ["日期", "收盘价", "收盘价"],
            ["Date", "Close", "Close"],
            ["同花顺iFinD", "中国电信", "中国联通"],
            *[[day, *values] for day, values in days]]
