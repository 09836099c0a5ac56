"""The shared reader of the data files: encodings, CSV records, header checks, and
the number and date rules every file uses.

A loader of one data file (``coverage.py``, ``token_prices.py`` ...) calls
:func:`read_csv` (or :func:`~workbook.dataset.toml_file.read_toml` for TOML) and then :func:`number_cell` /
:func:`date_cell` for each cell, which record problems in its
:class:`~workbook.dataset.errors.Collector`.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import math
import re
import unicodedata
from collections import Counter
from itertools import chain, islice
from pathlib import Path
from typing import Iterable, Iterator

from xlsxwriter.utility import xl_col_to_name

from workbook.dataset.errors import Collector, DataError

#: Encodings tried in order: UTF-8 (with or without BOM), then GB18030, the superset
#: of GBK that Excel on a Chinese-locale Windows uses for "CSV".
ENCODINGS = ("utf-8-sig", "gb18030")
#: A plain decimal as analysts type it; no thousands separators, no dashes for n.a.
NUMBER_RE = re.compile(r"[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][+-]?[0-9]+)?")
#: Dates: ISO ``2024-09-23``, or ``2024/9/23`` as Excel on a Chinese-locale Windows
#: re-saves a date cell (its short date format). Year first, so never ambiguous.
DATE_RE = re.compile(r"([0-9]{4})[-/]([0-9]{1,2})[-/]([0-9]{1,2})")
#: Excel's delimiter hint, a first line ``sep=;`` (Excel writes and reads it; it is
#: not a header).
SEP_LINE_RE = re.compile(r"\s*sep=(.?)\s*", re.IGNORECASE)
#: Delimiters Excel writes instead of commas: ``;`` as the list separator of locales
#: with a decimal comma, tabs for "Text (Tab delimited)". Refused, never guessed at.
OTHER_DELIMITERS = {";": "';'", "\t": "tabs"}
#: What to do about a file that is not comma-delimited.
COMMA_CSV_FIX = "save it as 'CSV UTF-8 (Comma delimited)' with ',' between the columns"
#: Longest text an Excel cell holds (UTF-16 code units); XlsxWriter would cut longer
#: text silently (``write_string`` returns -2), so the loader rejects it instead.
EXCEL_MAX_TEXT = 32767


def excel_length(text: str) -> int:
    """The length of *text* as Excel counts it: UTF-16 code units (a character beyond
    the Basic Multilingual Plane, such as most emoji, counts 2)."""
    if len(text) * 2 <= EXCEL_MAX_TEXT:  # cannot be too long: skip the encoding
        return len(text)
    return len(text.encode("utf-16-le")) // 2


#: The problem of a text cell longer than :data:`EXCEL_MAX_TEXT`.
TOO_LONG = f"longer than {EXCEL_MAX_TEXT} characters, the most an Excel cell holds"


def nearest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate *name* is most likely a typo of (case-insensitive), or ``None``.

    difflib's ratio with its usual cutoff 0.6: ``clsoe`` -> ``close``, ``Code`` ->
    ``code``; names sharing too little (``price`` vs ``close``) get no suggestion.
    """
    lowered = {c.lower(): c for c in candidates}
    match = difflib.get_close_matches(name.strip().lower(), list(lowered), n=1, cutoff=0.6)
    return lowered[match[0]] if match else None


def column_letter(index: int) -> str:
    """Excel's letter of the zero-based column *index*: 0 -> ``A``, 27 -> ``AB``."""
    return xl_col_to_name(index)


def _line_of(raw: bytes, offset: int) -> int:
    """Line number (1-based) of byte *offset* in *raw*."""
    return raw.count(b"\n", 0, offset) + 1


def read_text(path: Path, errors: list[DataError]) -> str | None:
    """The text of *path*, decoded with the first of :data:`ENCODINGS` that fits.

    A file none of them decodes gets one error naming the encodings tried and the
    line where each failed (the row is where the last one, GB18030, failed).
    """
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        errors.append(DataError(path.name, None, None, f"file not found in {path.parent}"))
        return None
    except OSError as exc:
        errors.append(DataError(path.name, None, None, f"cannot read: {exc.strerror}"))
        return None
    failures: list[tuple[str, int]] = []
    for encoding in ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError as exc:
            failures.append((encoding, exc.start))
    names = {"utf-8-sig": "UTF-8 (with or without BOM)", "gb18030": "GB18030 (GBK)"}
    tried = "; ".join(f"{names.get(enc, enc)} fails at line {_line_of(raw, at)}"
                      for enc, at in failures)
    what = ""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        what = "it is UTF-16 (Excel's 'Unicode Text'); "
    errors.append(DataError(
        path.name, _line_of(raw, failures[-1][1]), None,
        f"cannot decode the text ({tried}); {what}save it as UTF-8 (Excel: 'CSV UTF-8') "
        "or GB18030/GBK (Excel on a Chinese Windows: 'CSV')",
    ))
    return None


class _Unreadable(Exception):
    """The csv module could not read a record (recorded in the file's collector)."""


def _csv_records(text: str, out: Collector) -> Iterator[tuple[int, list[str]]]:
    """``(line, fields)`` of every record that is not blank, as they are read; *line*
    is where the record starts in the file (a quoted field may span lines), counting
    the header as line 1. A record the csv module cannot read is recorded in *out*
    and ends the records (:class:`_Unreadable` is raised)."""
    reader = csv.reader(io.StringIO(text, newline=""))
    start = 1
    try:
        for record in reader:
            if any(cell.strip() for cell in record):
                yield start, record
            start = reader.line_num + 1
    except csv.Error as exc:
        why = ("; a cell this long is most likely a quote (\") opened in this row and never "
               "closed, which runs on to the end of the file: close it or delete it"
               if "field larger than field limit" in str(exc) else "")
        out.add(start, None, f"not readable as CSV: {exc}{why}; the rows below it were not "
                "checked")
        raise _Unreadable from None


def delimiter_problem(line: str) -> str | None:
    """Why the first non-blank *line* of a CSV file says it is not comma-delimited,
    or ``None``: an Excel ``sep=`` hint line, or a header holding no comma but
    semicolons or tabs (see :data:`OTHER_DELIMITERS`). The delimiter is never guessed:
    a file read with the wrong one would load other numbers than the analyst typed."""
    hint = SEP_LINE_RE.fullmatch(line)
    if hint:
        if hint.group(1) == ",":
            return (f"the first line {line.strip()!r} is Excel's delimiter hint, not the "
                    f"header; delete that line, or {COMMA_CSV_FIX}")
        return (f"the first line {line.strip()!r} is Excel's delimiter hint: the columns "
                f"are separated by {hint.group(1)!r}, not ','; coverbook reads "
                f"comma-delimited files only: {COMMA_CSV_FIX}")
    if "," in line:
        return None
    found = [d for d in OTHER_DELIMITERS if d in line]
    if not found:
        return None
    delimiter = max(found, key=line.count)
    why = ("Excel writes ';' where the decimal mark is a comma" if delimiter == ";"
           else "Excel's 'Text (Tab delimited)'")
    return (f"the columns are separated by {OTHER_DELIMITERS[delimiter]}, not ',' ({why}); "
            f"coverbook reads comma-delimited files only: {COMMA_CSV_FIX}")


def read_csv(path: Path, expected: tuple[str, ...] | None, errors: list[DataError],
             empty: str | None = None,
             ) -> tuple[int, list[str], Iterator[tuple[int, dict[str, str]]]] | None:
    """The header's line, the header and ``(line, {column: text})`` rows of a CSV
    file; cells are stripped; lines are the file's line numbers.

    The rows come as they are read (an iterator, to be read once): a large table is
    never held as text, records and rows at once. A row whose fields do not fit the
    header is recorded as a problem when it is reached and not given; so is a record
    the csv module cannot read, which ends the rows.

    The header is the first non-blank line. With *expected*, it must hold exactly
    those columns (any order); missing, unknown (with the nearest expected name as a
    hint) and repeated columns are errors. Blank lines are skipped. Blank columns to
    the right of the last named one, which Excel writes for a formerly used range,
    are ignored when they are empty; a value there is an error.

    Rows are given even when the header has errors (callers compare the error
    count): the returned header holds each named column once, and a row holds only
    those columns. ``None`` when the file cannot be read at all, or is not
    comma-delimited (one error, see :func:`delimiter_problem`).

    *empty*, if given, is the file-level error for a file without a single data
    record below the header (a record that fails its own checks still counts).
    """
    text = read_text(path, errors)
    if text is None:
        return None
    out = Collector(path.name, errors)
    records = _csv_records(text, out)
    try:
        header_line, raw_header = next(records, (None, None))
        if header_line is None:
            out.add(1, None, "file is empty; expected a header row")
            return None
        first_row = next(records, None)
    except _Unreadable:
        return None
    # The header record's first line, split as the csv module splits lines.
    first = next(islice(io.StringIO(text, newline=""), header_line - 1, None))
    problem = delimiter_problem(first.rstrip("\r\n"))
    if problem:
        out.add(header_line, None, problem)
        return None
    if empty is not None and first_row is None:
        out.add(None, None, empty)
    header = [h.strip() for h in raw_header]
    while header and header[-1] == "":
        header.pop()
    for i, name in enumerate(header):
        if name == "":
            out.add(header_line, f"column {column_letter(i)}",
                    "the header cell is empty; name the column or delete it")
    counts = Counter(header)  # not header.count(): quadratic in a wide header
    for name in sorted(h for h, n in counts.items() if h and n > 1):
        out.add(header_line, name,
                "column appears more than once; keep one of them and delete the other")
    if expected is not None:
        missing = [name for name in expected if name not in header]
        claimed = set()
        for name in header:
            if name and name not in expected:
                guess = nearest(name, [m for m in missing if m not in claimed])
                if guess:
                    claimed.add(guess)
                    out.add(header_line, name, f"unknown column; did you mean {guess!r}?")
                else:
                    out.add(header_line, name,
                            f"unknown column; expected columns: {', '.join(expected)}")
        for name in missing:
            if name not in claimed:
                out.add(header_line, name,
                        f"missing column; expected columns: {', '.join(expected)}")
    # Rows are still read under a faulty header, so their errors are reported in the
    # same run; the columns that are there are checked, the others are not.
    rest = chain([first_row], records) if first_row is not None else iter(())
    return header_line, list(dict.fromkeys(h for h in header if h)), \
        _rows(rest, header, out)


def _short_row_hint(missing: list[str]) -> str:
    """What to do about a row whose cells end before the header's *missing* columns:
    a comma is lost somewhere in the row (the cells after it have moved left), or the
    last cells were left out."""
    names = ", ".join(missing) if len(missing) <= 3 else f"{missing[0]} … {missing[-1]}"
    if len(missing) == 1:
        lost = f"a comma between two of its cells is missing, or its {names} cell is"
    else:
        lost = (f"commas between its cells are missing, or its last {len(missing)} cells "
                f"({names}) are")
    return f"; {lost} left out: keep a comma for each cell, empty or not"


def _rows(records: Iterator[tuple[int, list[str]]], header: list[str], out: Collector
          ) -> Iterator[tuple[int, dict[str, str]]]:
    """:func:`read_csv`'s rows: ``(line, {column: stripped text})`` of each record that
    fits *header*; the problem of one that does not is recorded in *out*."""
    width = len(header)
    try:
        for line, record in records:
            beyond = [i for i in range(width, len(record)) if record[i].strip()]
            if beyond:
                out.add(line, f"column {column_letter(beyond[0])}",
                        f"{record[beyond[0]].strip()!r} is right of the last column "
                        f"{header[-1]!r}; a comma too many in this row?")
                continue
            record = record[:width]
            if len(record) < width:
                hint = ("; a quote (\") opened in this row is never closed: close it or delete it"
                        if any("\n" in cell for cell in record) else
                        _short_row_hint(header[len(record):]))
                out.add(line, None, f"{len(record)} fields, the header has {width}{hint}")
                continue
            cells = {}
            for name, cell in zip(header, record):
                if not name or name in cells:
                    continue
                cell = cell.strip()
                if excel_length(cell) > EXCEL_MAX_TEXT:
                    out.add(line, name, TOO_LONG)
                    cell = cell[:40]
                cells[name] = cell
            yield line, cells
    except _Unreadable:
        return


def parse_number(text: str) -> float | None:
    """A finite float from a plain decimal (``"108.90"``, ``"-0.5"``), else ``None``."""
    if not NUMBER_RE.fullmatch(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


#: What analysts type for "no figure"; a blank cell is the way to say it.
_NO_FIGURE = {"-", "--", "—", "——", "–", "n.a.", "n.a", "na", "n/a", "#n/a", "nm", "none",
              "null", "nan", "/"}


def _number_hint(text: str, blank_ok: bool, fraction: bool = False) -> str:
    """Why *text* is not a plain decimal, and what to type instead (for a *fraction*
    column, ``50%`` is 0.5)."""
    normal = unicodedata.normalize("NFKC", text)
    if normal != text and parse_number(normal.replace(" ", "")) is not None:
        return f"full-width characters; type {normal.replace(' ', '')}"
    if text.lower() in _NO_FIGURE:
        return ("leave the cell empty when there is no figure" if blank_ok
                else "a figure is required here")
    if "," in text:
        return "no commas: a decimal point (1.94) and no thousands separators (1234)"
    if text.endswith("%"):
        number = parse_number(text[:-1].strip())
        if fraction:
            example = f"{number / 100:g}" if number is not None else "0.5"
            return f"a fraction, no % sign: {example} for {text}"
        return "no % sign: type the number itself"
    if text.startswith("#"):
        return "an Excel error value: fix the formula in the source workbook"
    if NUMBER_RE.fullmatch(text):
        return "out of range"
    return "use a plain decimal such as 1.94"


def number_cell(out: Collector, line: int, column: str, text: str, *, blank_ok: bool = False,
                positive: bool = False, non_negative: bool = False,
                fraction: bool = False) -> float | None:
    """The number in the cell *text* at *line*/*column*, or ``None`` with the problem
    recorded in *out* (with a hint, see :func:`_number_hint`). *blank_ok*: an empty
    cell is ``None`` without a problem; *positive* / *non_negative*: the sign rule;
    *fraction*: the column holds a fraction (a percentage typed as ``50%`` gets the
    hint 0.5)."""
    if text == "":
        if not blank_ok:
            out.add(line, column, "empty; a number is required")
        return None
    value = parse_number(text)
    if value is None:
        out.add(line, column,
                f"{text!r} is not a number ({_number_hint(text, blank_ok, fraction)})")
    elif positive and value <= 0:
        out.add(line, column, f"{text} must be greater than 0")
    elif non_negative and value < 0:
        out.add(line, column, f"{text} must not be negative")
    else:
        return value
    return None


def parse_date(text: str) -> dt.date | None:
    """A date from ``2024-09-23`` or ``2024/9/23`` (see :data:`DATE_RE`), else ``None``."""
    match = DATE_RE.fullmatch(text)
    if not match:
        return None
    try:
        return dt.date(*(int(g) for g in match.groups()))
    except ValueError:
        return None


#: Excel's dates start on 1900-01-01 (serial 1); an earlier date shows as #####.
EXCEL_FIRST_DATE = dt.date(1900, 1, 1)


def date_cell(out: Collector, line: int, column: str, text: str) -> dt.date | None:
    """The date in the cell *text* (see :func:`parse_date`), or ``None`` with the problem
    recorded in *out*: not a date, empty, or before :data:`EXCEL_FIRST_DATE`."""
    day = parse_date(text)
    if day is None:
        out.add(line, column, f"{text!r} is not a date YYYY-MM-DD" if text
                else "empty; a date YYYY-MM-DD is required")
    elif day < EXCEL_FIRST_DATE:
        out.add(line, column, f"{text} is before 1900-01-01, the first date Excel shows")
        return None
    return day

