"""Locating a stale workbook's first difference (:func:`first_difference`): the
first differing cell in workbook order, read as openpyxl reads it, as streams, part
by part (see :mod:`workbook.staleness`)."""

from __future__ import annotations

import io
import re
import sys
import zipfile
from pathlib import Path
from types import ModuleType
from typing import BinaryIO, Callable, Iterator, NamedTuple

#: Bytes read and compared at a time.
CHUNK = 1 << 20
#: With more shared strings changed than this, a sheet's equal bytes are not skipped
#: (each changed string is searched for in them; an insertion changes them all).
MAX_CHANGED_STRINGS = 32
_SHEET_DATA = re.compile(rb"<sheetData\s*>")
_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_VALUE = f"{{{_MAIN_NS}}}v"


class _Array(NamedTuple):
    """An array formula as comparable text: openpyxl's ``ArrayFormula`` has no equality
    (two equal ones compare unequal), which made every array anchor "differ"."""

    text: str
    ref: str

    def __repr__(self) -> str:
        return f"array formula {self.text!r} over {self.ref}"


def _comparable(value: object) -> object:
    from openpyxl.worksheet.formula import ArrayFormula

    if isinstance(value, ArrayFormula):
        return _Array(str(value.text), str(value.ref))
    return value


def _openpyxl() -> ModuleType:
    """openpyxl, imported without numpy if nothing has imported numpy yet.

    openpyxl imports numpy when it can (``openpyxl.compat.numbers``), only to accept
    numpy numbers in cells it *writes*; reading never needs it, and numpy's import
    costs more time and memory than openpyxl's own (0.15 s and 13 MB here, most of a
    small stale ``--check``). An entry of ``None`` in ``sys.modules`` makes ``import
    numpy`` fail for that moment. In this process openpyxl then writes no numpy
    values; ``--check`` writes nothing, and a process that imported openpyxl or
    numpy before is left as it was."""
    if "openpyxl" not in sys.modules and "numpy" not in sys.modules:
        sys.modules["numpy"] = None  # type: ignore[assignment]
        try:
            import openpyxl
        finally:
            del sys.modules["numpy"]
    import openpyxl

    return openpyxl


class _SharedStrings:
    """A workbook's shared-string table, each string read when first asked for (a
    stale check needs a handful), as openpyxl's ``read_string_table`` reads it.

    The table's XML is split at each ``<si>`` when that is unambiguous (as many
    ``<si>`` as ``</si>``, no other element ending in ``si>``, no comment, CDATA or
    DTD: what XlsxWriter and Excel write), so the raw bytes of every string can be
    compared between two tables without parsing them; a table that is not split
    that way is read whole with openpyxl. Each string is read with openpyxl's
    ``Text`` (plain text, rich-text runs; phonetic guides left out)."""

    def __init__(self, xml: bytes):
        self.raw: list[bytes] | None = None
        self.text: dict[int, str] = {}
        n = xml.count(b"<si>")
        if n == xml.count(b"</si>") and xml.count(b"si>") == 2 * n and b"<!" not in xml:
            self.raw = [item[:item.rindex(b"</si>")] for item in xml.split(b"<si>")[1:]]
        else:
            self.text = dict(enumerate(_read_all_strings(xml)))
        self.size = len(self.raw) if self.raw is not None else len(self.text)

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, index: int) -> str:
        if index < 0 or index >= self.size:
            raise IndexError(index)
        if index not in self.text:
            from xml.etree.ElementTree import fromstring

            from openpyxl.cell.text import Text

            node = fromstring(b'<si xmlns="' + _MAIN_NS.encode() + b'">'
                              + self.raw[index] + b"</si>")
            self.text[index] = Text.from_tree(node).content.replace("x005F_", "")
        return self.text[index]

    def changed(self, other: _SharedStrings) -> set[str]:
        """The indices (as text, as cells refer to them) whose string may differ
        between this table and *other*: equal raw bytes are equal strings."""
        size = max(self.size, other.size)
        if self.raw is not None and other.raw is not None:
            pairs = zip(self.raw, other.raw)
            return ({str(i) for i, (a, b) in enumerate(pairs) if a != b}
                    | {str(i) for i in range(min(self.size, other.size), size)})
        return {str(i) for i in range(size)
                if i >= self.size or i >= other.size or self[i] != other[i]}


def _read_all_strings(xml: bytes) -> list[str]:
    """Every string of a shared-string table, with openpyxl's own reader."""
    from openpyxl.reader.strings import read_string_table

    return read_string_table(io.BytesIO(xml))


class _Book:
    """One workbook as openpyxl (read-only) opens it: sheet names and parts, shared
    strings, the styles that are dates, and openpyxl's cell reader for its cells."""

    def __init__(self, source: Path | BinaryIO):
        _openpyxl()
        from openpyxl.reader.excel import SHARED_STRINGS, ExcelReader
        from openpyxl.worksheet._reader import WorkSheetParser

        class Reader(ExcelReader):
            def read_strings(self) -> None:  # as ExcelReader's, read lazily
                part = self.package.find(SHARED_STRINGS)
                self.shared_strings = _SharedStrings(
                    b"" if part is None else self.archive.read(part.PartName[1:]))

        reader = Reader(source, read_only=True)
        reader.read()  # what openpyxl.load_workbook(source, read_only=True) does
        self.wb = reader.wb
        self.sheets = {ws.title: ws for ws in self.wb.worksheets}
        self.strings: _SharedStrings = reader.shared_strings
        self.dates = (self.wb.epoch, set(self.wb._date_formats),
                      set(self.wb._timedelta_formats))
        self.parser = WorkSheetParser(None, self.strings, epoch=self.wb.epoch,
                                      date_formats=self.wb._date_formats,
                                      timedelta_formats=self.wb._timedelta_formats)

    def open(self, sheet: str) -> BinaryIO:
        """The sheet's XML part, as a stream."""
        return self.wb._archive.open(self.sheets[sheet]._worksheet_path)

    def read(self, element) -> tuple[object, object]:
        """``(value or formula, cached value)`` of a ``<c>`` element."""
        self.parser.data_only = False
        formula = _comparable(self.parser.parse_cell(element)["value"])
        self.parser.data_only = True
        return formula, self.parser.parse_cell(element)["value"]

    def close(self) -> None:
        self.wb.close()



class _Part:
    """A sheet's XML part as a stream: the *head* up to and including ``<sheetData>``
    (no cells), then the *body*, read in chunks of :data:`CHUNK`."""

    def __init__(self, stream: BinaryIO):
        self.stream = stream
        first = stream.read(CHUNK)
        found = _SHEET_DATA.search(first)
        if found is None:  # no rows (<sheetData/>), or a head beyond one chunk
            self.head, self.pending = None, first
        else:
            self.head, self.pending = first[:found.end()], first[found.end():]

    def chunks(self) -> Iterator[bytes]:
        """The body (the whole part if it has no head), :data:`CHUNK` bytes at a time."""
        pending, self.pending = self.pending, b""
        if pending:
            yield pending
        while chunk := self.stream.read(CHUNK):
            yield chunk


def _mismatch(a: bytes, b: bytes) -> int:
    """Index of the first byte where *a* and *b* differ (they do), by halving."""
    lo, hi = 0, min(len(a), len(b))
    if a[:hi] == b[:hi]:
        return hi
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if a[lo:mid] == b[lo:mid]:
            lo = mid
        else:
            hi = mid
    return lo


def _equal_rows(old: _Part, new: _Part, changed: re.Pattern | None
                ) -> tuple[bytes, bytes] | None:
    """Skip the rows two sheet bodies have in common: ``None`` if the bodies are equal
    and refer to no *changed* shared string, else the bytes read of each from the
    start of the first row that may differ: the row holding the first differing byte
    or an earlier one referring to a changed string (``<v>index</v>``; a number cell
    may match too, which only starts the comparison earlier). The parts' streams go
    on after those bytes. Raises :class:`_Restart` if that row began more than a chunk
    before the difference."""
    previous = b""  # the last chunk read, equal in both
    a_iter, b_iter = old.chunks(), new.chunks()
    while True:
        a, b = next(a_iter, b""), next(b_iter, b"")
        if not a and not b:
            return None
        window_a, window_b = previous + a, previous + b
        at = None if a == b else len(previous) + _mismatch(a, b)
        if changed is not None:
            hit = changed.search(window_a, 0, len(window_a) if at is None else at)
            if hit is not None:
                at = hit.start()
        if at is not None:
            row = window_a.rfind(b"<row ", 0, at + len(b"<row "))
            if row < 0:
                raise _Restart
            return window_a[row:], window_b[row:]
        previous = a


def _cells(chunks: Iterator[bytes]) -> Iterator[tuple[tuple[int, int], object]]:
    """``((row, column), element)`` of every ``<c>`` in the XML *chunks*, in document
    order; each row is dropped once it has been handled."""
    from xml.etree.ElementTree import XMLPullParser

    from openpyxl.utils.cell import coordinate_to_tuple
    from openpyxl.xml.constants import SHEET_MAIN_NS

    cell_tag, row_tag = f"{{{SHEET_MAIN_NS}}}c", f"{{{SHEET_MAIN_NS}}}row"
    data_tag = f"{{{SHEET_MAIN_NS}}}sheetData"
    parser = XMLPullParser(events=("start", "end"))
    rows = None  # the sheetData element, emptied after each row
    row_index = col_index = 0
    for chunk in chunks:
        parser.feed(chunk)
        for event, element in parser.read_events():
            if element.tag == row_tag:
                if event == "start":
                    r = element.get("r")
                    row_index = int(r) if r else row_index + 1
                    col_index = 0
                elif rows is not None:
                    del rows[:]
            elif element.tag == data_tag and event == "start":
                rows = element
            elif element.tag == cell_tag and event == "end":
                ref = element.get("r")
                if ref:
                    row_index, col_index = coordinate_to_tuple(ref)
                else:
                    col_index += 1
                yield (row_index, col_index), element
    parser.close()


def _raw(element) -> tuple:
    """A ``<c>`` element as comparable data (attributes and children, nested)."""
    return (element.attrib, [(child.tag, child.attrib, child.text, _raw(child)[1])
                             for child in element])


def _sheet_difference(sheet: str, old: _Book, new: _Book, skip: bool,
                      changed: set[str]) -> tuple[str | None, str | None]:
    """The first cell of *sheet* whose value or formula differs and the first whose
    cached value does (either ``None``), as messages."""
    from openpyxl.utils import get_column_letter

    with old.open(sheet) as a_stream, new.open(sheet) as b_stream:
        a_part, b_part = _Part(a_stream), _Part(b_stream)
        a_chunks: Iterator[bytes]
        b_chunks: Iterator[bytes]
        if skip and a_part.head is not None and b_part.head is not None:
            pattern = (re.compile(rb"<v>(?:" + b"|".join(i.encode() for i in changed)
                                  + rb")</v>") if changed else None)
            found = _equal_rows(a_part, b_part, pattern)
            if found is None:
                return None, None
            a_rest, b_rest = found
            a_chunks = _chain(a_part.head, a_rest, a_part.chunks())
            b_chunks = _chain(b_part.head, b_rest, b_part.chunks())
        else:
            a_chunks = _chain(a_part.head or b"", b"", a_part.chunks())
            b_chunks = _chain(b_part.head or b"", b"", b_part.chunks())
        return _compare_cells(sheet, old, new, _cells(a_chunks), _cells(b_chunks),
                              changed, get_column_letter)


class _Restart(Exception):
    """The rows could not be skipped: compare the sheet from its first row."""


def _chain(head: bytes, rest: bytes, more: Iterator[bytes]) -> Iterator[bytes]:
    if head:
        yield head
    if rest:
        yield rest
    yield from more


def _compare_cells(sheet: str, old: _Book, new: _Book, a_cells, b_cells, changed: set[str],
                   column_letter: Callable[[int], str]) -> tuple[str | None, str | None]:
    """The first value-or-formula and the first cached-value difference (messages, or
    ``None``) between two streams of ``((row, column), <c> element)`` in row order.
    Cells whose XML is equal are equal unless they refer to a *changed* shared string;
    the others are read by openpyxl. A cell only one side has is compared with an
    empty one (so a styled blank equals no cell, as openpyxl reads both)."""
    end = (1 << 30, 1 << 30)
    a, b = next(a_cells, (end, None)), next(b_cells, (end, None))
    cached: str | None = None
    while a[0] != end or b[0] != end:
        key = min(a[0], b[0])
        ea = a[1] if a[0] == key else None
        eb = b[1] if b[0] == key else None
        if ea is None or eb is None or _raw(ea) != _raw(eb) or (
                ea.get("t") == "s" and ea.findtext(_VALUE) in changed):
            va = old.read(ea) if ea is not None else (None, None)
            vb = new.read(eb) if eb is not None else (None, None)
            ref = column_letter(key[1]) + str(key[0])
            if va[0] != vb[0]:
                return (f"sheet '{sheet}' cell {ref}: value or formula on disk {va[0]!r}, "
                        f"from the data {vb[0]!r}"), cached
            if cached is None and va[1] != vb[1]:
                cached = (f"sheet '{sheet}' cell {ref}: cached value on disk {va[1]!r}, "
                          f"from the data {vb[1]!r}")
        if ea is not None:
            a = next(a_cells, (end, None))
        if eb is not None:
            b = next(b_cells, (end, None))
    return None, cached


def first_difference(on_disk: Path | BinaryIO, fresh: Path | BinaryIO) -> str:
    """Where *on_disk* first differs from *fresh*, in words (see the module doc)."""
    old, new = _Book(on_disk), _Book(fresh)
    try:
        if list(old.sheets) != list(new.sheets):
            return f"sheets differ: on disk {list(old.sheets)}, from the data {list(new.sheets)}"
        # Equal bytes are equal cells only where both files read dates alike, and
        # except where a shared string they point to changed.
        changed = old.strings.changed(new.strings)
        skip = old.dates == new.dates and len(changed) <= MAX_CHANGED_STRINGS
        first_cached = None
        for sheet in new.sheets:
            try:
                formula, cached = _sheet_difference(sheet, old, new, skip, changed)
            except _Restart:
                formula, cached = _sheet_difference(sheet, old, new, False, changed)
            if formula:
                return formula
            first_cached = first_cached or cached
        if first_cached:
            return first_cached
    finally:
        old.close()
        new.close()
    return _part_difference(on_disk, fresh)


def _part_difference(on_disk: Path | BinaryIO, fresh: Path | BinaryIO) -> str:
    with zipfile.ZipFile(on_disk) as za, zipfile.ZipFile(fresh) as zb:
        names_a, names_b = za.namelist(), zb.namelist()
        if names_a != names_b:
            return f"package parts differ: on disk {names_a}, from the data {names_b}"
        for name in names_b:
            with za.open(name) as a, zb.open(name) as b:
                while True:
                    chunk_a, chunk_b = a.read(CHUNK), b.read(CHUNK)
                    if chunk_a != chunk_b:
                        return f"cells agree, but package part {name} differs"
                    if not chunk_a:
                        break
    return "the zip containers differ (same parts, same contents)"
