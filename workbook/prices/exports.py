"""Reading the close-price exports of the analyst's terminal (Wind, Choice, iFinD).

The layouts (``docs/prices.md``; sources in ``docs/sources.md``):

- **cross-section** (Wind EDE / Excel plug-in, Choice): a header row with the code
  column ``证券代码`` and a value column whose header holds the indicator and tags,
  ``收盘价\\n[交易日期] 2022-01-27\\n[复权方式] 不复权\\n[单位] 元``; the tags may be
  separated by line breaks, by spaces, or by ``_x000D_`` (Excel's escape of a
  carriage return); one row per security; a footer row ``数据来源：…`` below;
- **time series** (iFinD): row 1 the securities (``300308.SZ 中际旭创``, one column
  each), row 2 the Chinese indicator names (``收盘价``), row 3 the English ones, row
  4 ``同花顺iFinD``; dates in column A from row 5. It carries no adjustment tag.

The vendor and the layout are told from the content, never from the extension:
``.xlsx``/``.xls`` workbooks are read with python-calamine, anything else (a
``.csv``, or a ``.xls`` that is tab-separated text as 东方财富's client writes it) as
text in UTF-8 or GBK with the csv module.

Everything found wrong is an :class:`ExportProblem` naming the file (and the row and
column where there is one); nothing is guessed: no date from a file name, no
adjustment from silence, no currency from a unit.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from workbook.prices.quote import CODE_RE, Quote

#: Cells that mean "no close" (a suspended stock): skipped and counted.
BLANKS = {"", "——", "--", "—", "-"}
#: The header cell of the code column in a cross-section.
CODE_HEADERS = ("证券代码", "代码")
#: The indicator a P/E needs: the close (``收盘价``; English ``Close``).
CLOSE_INDICATORS = ("收盘价",)
UNADJUSTED, ADJUSTED = "不复权", ("前复权", "后复权")
#: A header date that names no date (Wind's macro for the latest close).
LATEST_MACROS = ("最新收盘日", "最新交易日", "最新")
DATE_IN_NAME_RE = re.compile(r"(?<![0-9])(20[0-9]{2})-?([01][0-9])-?([0-3][0-9])(?![0-9])")
TAG_RE = re.compile(r"\[([^\]]+)\]\s*([^\[\n]*)")
#: The layouts known, as an unknown layout's message lists them.
KNOWN_LAYOUTS = (
    "Wind/Choice cross-section: a header row with 证券代码 and a column headed "
    "'收盘价 [交易日期] YYYY-MM-DD [复权方式] 不复权'",
    "iFinD time series: row 1 the securities, row 2 收盘价, row 4 同花顺iFinD, dates in "
    "column A from row 5")


class ExportProblem(Exception):
    """An export that cannot be imported; the message names file, row and column
    where known, and what to do."""


@dataclass
class ExportRead:
    """What one export gave: its quotes, and the counts of what was skipped."""

    file: str
    vendor: str
    layout: str
    quotes: list[Quote] = field(default_factory=list)
    blanks: int = 0
    footer_rows: int = 0


def read_grid(path: Path) -> list[list]:
    """The cells of *path*'s first sheet as rows of values (text, numbers, dates,
    ``None``): a workbook (told by its first bytes: a zip or a compound file) read
    with python-calamine, anything else read as CSV text (UTF-8 or GBK; tabs when the
    first line has a tab and no comma)."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ExportProblem(f"{path.name}: cannot be read ({exc.strerror or exc})") from exc
    if raw[:4] == b"PK\x03\x04" or raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        from python_calamine import CalamineWorkbook

        try:
            book = CalamineWorkbook.from_filelike(io.BytesIO(raw))
            return book.get_sheet_by_index(0).to_python(skip_empty_area=False)
        except Exception as exc:  # noqa: BLE001 - any reader failure is one message
            raise ExportProblem(f"{path.name}: looks like a workbook but cannot be read "
                                f"({' '.join(str(exc).split())}); open it in Excel and "
                                "save it again as .xlsx") from exc
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ExportProblem(f"{path.name}: neither a workbook nor text in UTF-8 or GBK; "
                            "export it again as .xlsx")
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first and "," not in first else ","
    return [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


def _text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _header(cell) -> str:
    """A header cell with its line breaks made ``\\n`` (``_x000D_`` included)."""
    text = _text(cell).replace("_x000D_", "\n").replace("\r\n", "\n").replace("\r", "\n")
    return text.replace("_x000A_", "\n")


def parse_header(text: str) -> tuple[str, dict[str, str]]:
    """The indicator and the tags of a value header: ``("收盘价", {"交易日期":
    "2022-01-27", "复权方式": "不复权", "单位": "元"})``, whether the tags are
    separated by line breaks or spaces."""
    head = _header(text)
    indicator = head.split("[", 1)[0].strip()
    tags = {name.strip(): value.strip() for name, value in TAG_RE.findall(head)}
    return indicator, tags


def _number(cell) -> float | None | str:
    """A close from a cell: a float, ``None`` for a blank, or the text itself when it
    is not a number (the caller reports it). Text numbers may have thousands
    separators (``1,211.50``)."""
    if isinstance(cell, bool):
        return _text(cell)
    if isinstance(cell, (int, float)):
        return float(cell)
    text = _text(cell)
    if text in BLANKS:
        return None
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return text


def _date(cell) -> dt.date | None:
    if isinstance(cell, dt.datetime):
        return cell.date()
    if isinstance(cell, dt.date):
        return cell
    text = _text(cell)
    match = re.fullmatch(r"([0-9]{4})[-/]?([0-9]{1,2})[-/]?([0-9]{1,2})(\s.*)?", text)
    if match:
        try:
            return dt.date(int(match[1]), int(match[2]), int(match[3]))
        except ValueError:
            return None
    return None


def _footer(row: list) -> bool:
    return any("数据来源" in _text(c) for c in row)


def _col(i: int) -> str:
    from workbook.dataset.reader import column_letter

    return column_letter(i)


def read_export(path: Path, *, date: dt.date | None = None, unadjusted: bool = False
                ) -> ExportRead:
    """The quotes of the export *path* (see the module docstring). *date*: the trading
    day for a header that names none (``--date``); *unadjusted*: the analyst asserts
    that an export without an adjustment tag holds unadjusted closes
    (``--unadjusted``). Raises :class:`ExportProblem`."""
    grid = read_grid(path)
    for r, row in enumerate(grid[:20]):
        cells = [_text(c) for c in row]
        if any(c in CODE_HEADERS for c in cells):
            return _cross_section(path, grid, r, date, unadjusted)
    if len(grid) >= 4 and ("iFinD" in _text(grid[3][0] if grid[3] else "")
                           or _text(grid[0][0] if grid[0] else "") == "代码名称"):
        return _time_series(path, grid, date, unadjusted)
    shown = " | ".join(_header(c).replace("\n", " ") for c in (grid[0] if grid else [])
                       if _text(c)) or "(nothing)"
    raise ExportProblem(f"{path.name}: unknown layout; its first row holds {shown}. "
                        f"Known layouts: {'; '.join(KNOWN_LAYOUTS)}")


def _adjustment_problem(path: Path, header: str, tags: dict[str, str],
                        unadjusted: bool) -> str | None:
    way = tags.get("复权方式")
    shown = header.replace("\n", " ")
    if way is None:
        if unadjusted:
            return None
        return (f"{path.name}: the header {shown!r} does not say the closes are unadjusted "
                "(no [复权方式] 不复权 tag); export them with 复权方式 不复权, or, if you know "
                "they are, import with --unadjusted")
    if way != UNADJUSTED:
        return (f"{path.name}: the header {shown!r} says {way}: an adjusted close changes "
                "every P/E; export the closes again with 复权方式 不复权 (unadjusted)")
    return None


def _header_date(path: Path, header: str, tags: dict[str, str], date: dt.date | None
                 ) -> dt.date:
    raw = tags.get("交易日期", "").strip()
    shown = header.replace("\n", " ")
    named = _date(raw) if raw and raw not in LATEST_MACROS else None
    if named is not None:
        if date is not None and date != named:
            raise ExportProblem(f"{path.name}: the header {shown!r} gives the trading day "
                                f"{named}, --date gives {date}; drop --date or export "
                                "the day you mean")
        return named
    if date is not None:
        return date
    what = f"says {raw!r}, which names no date" if raw else "has no [交易日期] tag"
    hint = ""
    found = DATE_IN_NAME_RE.search(path.stem)
    if found:
        hint = (f"; the file name holds {found[1]}-{found[2]}-{found[3]}: if that is the "
                f"trading day, give --date {found[1]}-{found[2]}-{found[3]}")
    raise ExportProblem(f"{path.name}: the header {shown!r} {what}; give the trading day "
                        f"with --date YYYY-MM-DD{hint}")


def _cross_section(path: Path, grid: list[list], r: int, date: dt.date | None,
                   unadjusted: bool) -> ExportRead:
    headers = [_header(c) for c in grid[r]]
    code_col = next(i for i, h in enumerate(headers) if h in CODE_HEADERS)
    names = {h for h in headers}
    vendor = "Choice" if "证券名称" in names else "Wind"
    if any("Choice" in _text(c) or "东方财富" in _text(c) for row in grid[r + 1:]
           for c in row if _footer(row)):
        vendor = "Choice"
    value_cols = [i for i, h in enumerate(headers)
                  if parse_header(h)[0] in CLOSE_INDICATORS]
    if len(value_cols) != 1:
        shown = " | ".join(h.replace("\n", " ") for h in headers if h)
        many = "several close columns" if value_cols else "no close column (收盘价)"
        raise ExportProblem(f"{path.name}:{r + 1}: {many}; its header row holds {shown}. "
                            f"Known layouts: {'; '.join(KNOWN_LAYOUTS)}")
    col = value_cols[0]
    header = headers[col]
    _, tags = parse_header(header)
    problem = _adjustment_problem(path, header, tags, unadjusted)
    if problem:
        raise ExportProblem(problem)
    day = _header_date(path, header, tags, date)
    read = ExportRead(path.name, vendor, "cross-section")
    source = f"{vendor} {path.name}"
    for i in range(r + 1, len(grid)):
        row = grid[i]
        if _footer(row):
            read.footer_rows += 1
            continue
        code = _text(row[code_col]) if code_col < len(row) else ""
        value = _number(row[col]) if col < len(row) else None
        if not code:
            if value is None:
                continue
            raise ExportProblem(f"{path.name}:{i + 1}:{_col(code_col)}: a close without a "
                                "code; delete the row or give its code")
        if not CODE_RE.fullmatch(code):
            raise ExportProblem(f"{path.name}:{i + 1}:{_col(code_col)}: {code!r} is not a "
                                "code like 300308.SZ")
        _add(read, path, i, col, code, day, value, source)
    return read


def _add(read: ExportRead, path: Path, i: int, col: int, code: str, day: dt.date,
         value, source: str) -> None:
    if value is None:
        read.blanks += 1
        return
    if isinstance(value, str) or not value > 0 or value == float("inf"):
        raise ExportProblem(f"{path.name}:{i + 1}:{_col(col)}: {value!r} is not a close "
                            "(a number greater than 0, or —— / -- for none)")
    read.quotes.append(Quote(code, day, value, source))


def _time_series(path: Path, grid: list[list], date: dt.date | None,
                 unadjusted: bool) -> ExportRead:
    if not unadjusted:
        raise ExportProblem(f"{path.name}: an iFinD time series, whose header does not say "
                            "whether the closes are adjusted; export them 不复权 and import "
                            "with --unadjusted to say so")
    if date is not None:
        raise ExportProblem(f"{path.name}: an iFinD time series dates every row itself "
                            "(column A); import it without --date")
    width = max(len(row) for row in grid[:4])
    columns = []
    for c in range(1, width):
        indicator = _text(grid[1][c]) if c < len(grid[1]) else ""
        if indicator not in CLOSE_INDICATORS:
            continue
        token = (_text(grid[0][c]) if c < len(grid[0]) else "").split()
        if not token or not CODE_RE.fullmatch(token[0]):
            raise ExportProblem(f"{path.name}:1:{_col(c)}: {' '.join(token)!r} does not start "
                                "with a code like 300308.SZ")
        columns.append((c, token[0]))
    if not columns:
        row2 = " | ".join(_text(x) for x in grid[1] if _text(x))
        raise ExportProblem(f"{path.name}:2: no column of 收盘价 (row 2 holds {row2}). "
                            f"Known layouts: {'; '.join(KNOWN_LAYOUTS)}")
    read = ExportRead(path.name, "iFinD", "time series")
    source = f"iFinD {path.name}"
    for i in range(4, len(grid)):
        row = grid[i]
        if _footer(row):
            read.footer_rows += 1
            continue
        if not row or not _text(row[0]):
            continue
        day = _date(row[0])
        if day is None:
            raise ExportProblem(f"{path.name}:{i + 1}:A: {_text(row[0])!r} is not a date "
                                "YYYY-MM-DD")
        for c, code in columns:
            _add(read, path, i, c, code, day, _number(row[c]) if c < len(row) else None,
                 source)
    return read
