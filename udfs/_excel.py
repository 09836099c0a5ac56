"""How Excel values arrive in a UDF and how results go back.

xlwings hands a UDF argument over as a scalar or, with ``ndim=2``, as a list of
rows. With ``err_to_str=True`` (set on every coverbook UDF argument) an Excel error
such as ``#N/A`` arrives as the string ``"#N/A"`` instead of ``None``, so a UDF can
pass it on rather than mistake it for an empty cell.

xlwings cannot return a true Excel error value from a COM UDF (xlwings issue
#776), so coverbook returns the error's text (``"#VALUE!"``). The headless build
stores the same text, as text, as the formula's cached value: what a recipient sees
in the file (in Excel, LibreOffice, openpyxl or pandas) and what Excel shows after a
live recalculation are the same characters of the same type.

Every kind of cell value, what a numeric argument becomes (:func:`as_number`) and
so what every UDF returns for it; no case yields a number that is wrong:

==============================  ===========================  ==========================
cell in Excel                   arrives in Python as         numeric argument gives
==============================  ===========================  ==========================
empty                           ``None`` (``""`` from some   blank: ``PE``/``RATING``
                                paths)                       return ``n.a.``; a token
                                                             count counts 0
``n.a.`` (:data:`MISSING`,      ``str``                      blank, as above: a
a UDF's missing figure)                                      missing figure stays one
number                          ``float``                    the number
number stored as text           ``str`` (``"108.90"``)       ``#VALUE!``
other text, ``""`` from a       ``str``                      ``#VALUE!`` (``""`` and
formula excepted                                             ``n.a.`` are blank)
TRUE / FALSE                    ``bool``                     ``#VALUE!``
date or time (a cell passed     ``datetime``                 ``#VALUE!``
by reference)
date in an array result or      ``float`` (the serial        the number
from DATE()/TODAY()             number)
error (#N/A, #DIV/0!, ...)      text with ``err_to_str``;    that error, passed on
                                a COM error integer
                                otherwise; newer errors
                                (#SPILL!, #CALC!) always
                                as COM integers
NaN, ±inf (only from Python)    ``float``                    ``#NUM!``
huge or tiny number             ``float``                    the number; a result
                                                             beyond ±1.8e308 is
                                                             ``#NUM!`` (as in Excel)
==============================  ===========================  ==========================

A **date argument** (the ``as_of`` of the token UDFs) takes what Excel hands over
for a date (:func:`as_date`): a date cell arrives as ``datetime`` (its day is used,
the time of day ignored); an Excel serial number such as ``DATE(2024,9,24)`` or
``TODAY()`` give (45559; a fraction of a day is ignored) is that day in Excel's 1900
date system; text ``2024-09-24`` (ISO, exactly ``YYYY-MM-DD``) is that day; blank is
"not given" (the UDF's default), and so is ``n.a.``. Other text and TRUE/FALSE give
``#VALUE!`` with the reason; a serial below 1 or above 2958465 (9999-12-31), 60
(1900-02-29, a day Excel counts but that never was), NaN or ±inf give ``#NUM!``; an
Excel error passes on.

The headless build never meets the rows below "number": the data loader rejects
such cells in the data files (file, row, column and a hint), so a cached value
in the file is always what the UDF returns for a valid number or a blank.
"""

from __future__ import annotations

import datetime as dt
import gc
import math
import numbers
import re
import sys
from contextlib import contextmanager
from typing import Any, Callable, Iterator, Sequence

#: COM error integers as they reach Python when a cell holding an error is passed
#: without ``err_to_str``: ``0x800A0000 + code`` (as a signed 32-bit integer), the
#: codes being Excel's ``XlCVError`` enumeration (Microsoft's VBA reference: xlErrNull
#: 2000 ... xlErrCalc 2050). xlwings' ``_xlwindows.cell_errors`` turns the first
#: seven into text; the newer ones (dynamic arrays, data types) reach the UDF as
#: these integers even with ``err_to_str``, so coverbook maps them itself.
_XL_ERR_BASE = -2146828288  # 0x800A0000 as a signed 32-bit integer
COM_ERRORS = {
    _XL_ERR_BASE + code: text for code, text in (
        (2000, "#NULL!"), (2007, "#DIV/0!"), (2015, "#VALUE!"), (2023, "#REF!"),
        (2029, "#NAME?"), (2036, "#NUM!"), (2042, "#N/A"), (2043, "#GETTING_DATA"),
        (2045, "#SPILL!"), (2046, "#CONNECT!"), (2047, "#BLOCKED!"), (2048, "#UNKNOWN!"),
        (2049, "#FIELD!"), (2050, "#CALC!"),
    )
}

#: Excel's error values as text (what xlwings' ``err_to_str`` and coverbook return).
EXCEL_ERRORS = tuple(sorted(COM_ERRORS.values()))

VALUE_ERROR = "#VALUE!"
NUM_ERROR = "#NUM!"
#: The result of a UDF whose input figure is blank (a stock without an EPS
#: estimate): the brokers' own ``n.a.``. Text, never ``""``: LibreOffice
#: recalculates on load every formula whose cached value is empty (and, without
#: coverbook's UDFs, shows an error), while it keeps non-blank cached text; and
#: ``AVERAGE`` skips text. Every UDF reads it back as a blank input
#: (:func:`as_number`), so ``=PE(C4,J4)`` over a missing P/E is missing too.
MISSING = "n.a."


class Blank:
    """Marker for an empty cell (``None`` or ``""`` from Excel)."""


def is_error(value: Any) -> bool:
    """True if *value* is an Excel error: its text (``"#N/A"``), a coverbook error
    with a reason after the code (``"#N/A unknown model ..."``) or a COM error integer."""
    if isinstance(value, str):
        return value.split(" ", 1)[0] in EXCEL_ERRORS
    return _is_integer(value) and int(value) in COM_ERRORS


def _is_bool(value: Any) -> bool:
    """A boolean, Python's or numpy's. numpy is not imported for this: a numpy value
    can only exist once something else has imported numpy."""
    if isinstance(value, bool):
        return True
    np = sys.modules.get("numpy")
    return np is not None and isinstance(value, np.bool_)


def _is_numpy_number(value: Any) -> bool:
    """A numpy number (numpy is not imported for this, as in :func:`_is_bool`)."""
    np = sys.modules.get("numpy")
    return np is not None and isinstance(value, np.number)


def _is_integer(value: Any) -> bool:
    """An integer (numpy's too), not a boolean."""
    return isinstance(value, numbers.Integral) and not _is_bool(value)


def error_text(value: Any) -> str:
    """The text of an Excel error given as text or COM integer (see :func:`is_error`)."""
    return value if isinstance(value, str) else COM_ERRORS[int(value)]


def first_error(*values: Any) -> str | None:
    """The text of the first Excel error among the scalar *values*, else ``None``.

    UDFs check this before anything else, so an error in any argument is passed on
    (as Excel's own functions do) rather than hidden by a complaint about another
    argument.
    """
    for value in values:
        if is_error(value):
            return error_text(value)
    return None


#: The longest argument :func:`shown` quotes in an error value.
SHOWN_CHARS = 60


def shown(value: Any) -> str:
    """*value* as an error value quotes it: its ``repr``, cut to :data:`SHOWN_CHARS`
    characters. Never raises: an int of more than 4,300 digits (Python's limit on
    int-to-text conversion, python/cpython#95778), alone or inside a list, is named
    by its kind instead."""
    try:
        text = repr(value)
    except Exception:  # noqa: BLE001 -- any object a Python caller passes
        return f"a {type(value).__name__} too large to show"
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS - 1] + "…"


def unknown_name(kind: str, given: Any, names: Sequence[str]) -> str:
    """The ``#N/A`` result for an unknown model or scale, naming the known ones."""
    return f"#N/A unknown {kind} {shown(given)}; known: {', '.join(names)}"


def as_number(value: Any) -> float | str | type[Blank]:
    """Coerce one Excel cell value for arithmetic.

    Returns a finite ``float``; :class:`Blank` for ``None``, ``""`` or the
    missing-figure marker :data:`MISSING` (``n.a.``); or the text of an Excel error
    to return instead of a number:

    - an Excel error (text or COM integer) passes through unchanged (``"#N/A"``);
    - text, including numbers stored as text (``"108.90"``), booleans and dates or
      times give ``"#VALUE!"``: each is a typing mistake in a close price or an EPS,
      and a wrong number is worse than a visible error;
    - NaN and infinities give ``"#NUM!"`` (Excel has no such numbers).
    """
    if value is None or (isinstance(value, str) and value in ("", MISSING)):
        return Blank
    if is_error(value):
        return error_text(value)
    if isinstance(value, (str, dt.date, dt.time, dt.timedelta)) or _is_bool(value):
        return VALUE_ERROR
    if isinstance(value, (int, float)) or hasattr(value, "__float__"):
        try:
            number = float(value)
        except OverflowError:  # an int beyond float range (only from Python)
            return NUM_ERROR
        except (TypeError, ValueError):
            return VALUE_ERROR
        if not math.isfinite(number):
            return NUM_ERROR
        return number
    return VALUE_ERROR


#: Day 0 of Excel's 1900 date system for serials from 61 (1900-03-01) on: serial n is
#: this date + n days. Serials 1-59 are 1900-01-01 to 1900-02-28 (one day later than
#: that rule), 60 is Excel's 1900-02-29 (Lotus 1-2-3's leap-year bug, which Excel
#: keeps for compatibility).
EXCEL_EPOCH = dt.date(1899, 12, 30)
#: The last serial Excel shows as a date: 9999-12-31.
MAX_DATE_SERIAL = 2958465
#: A date typed as text: ISO 8601, year first, so never ambiguous.
ISO_DATE_RE = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})")
_DATE_HINT = "a date cell, DATE(2024,9,24), TODAY() or the text 2024-09-24"


def serial_date(serial: float) -> dt.date | str:
    """The day of an Excel serial date number (fraction of a day dropped), or
    ``"#NUM!"`` for a number that is no day Excel shows (below 1, 60, beyond
    9999-12-31). 45559 -> 2024-09-24."""
    day = math.floor(serial)
    if day < 1 or day > MAX_DATE_SERIAL or day == 60:
        return f"{NUM_ERROR} {serial:g} is not an Excel date serial ({_DATE_HINT})"
    if day < 60:
        return dt.date(1899, 12, 31) + dt.timedelta(days=day)
    return EXCEL_EPOCH + dt.timedelta(days=day)


def excel_serial(value: dt.date | dt.datetime) -> int | float:
    """Excel's serial number of *value* in the 1900 date system, the inverse of
    :func:`serial_date`: 1900-01-01 is 1, 1900-02-28 is 59, 1900-03-01 is 61 (60 is
    Excel's 1900-02-29), 2024-09-24 is 45559, 9999-12-31 is 2958465
    (:data:`MAX_DATE_SERIAL`). A date gives an int; a datetime a float, its time of
    day added as a fraction of a day (12:00 is .5; a time zone is ignored).

    The one place coverbook turns a date into a serial (the build's cells and chart
    axes, Refresh's cells, the scenario sheet's arithmetic). Same values as
    openpyxl's ``openpyxl.utils.datetime.to_excel`` (``tests/test_excel_dates.py``
    compares them), which is not imported here: UDF modules stay light to import.
    """
    if isinstance(value, dt.datetime):
        seconds = value.hour * 3600 + value.minute * 60 + value.second \
            + value.microsecond / 1e6
        return excel_serial(value.date()) + seconds / 86400
    days = (value - EXCEL_EPOCH).days
    if 0 < days <= 60:  # 1900-01-01 to 1900-02-28: before Excel's 1900-02-29
        days -= 1
    return days


def as_date(value: Any) -> dt.date | str | type[Blank]:
    """Coerce one Excel value for a date argument (see the module docstring).

    Returns a ``date``; :class:`Blank` for an empty cell (``None``, ``""``) or the
    missing-figure marker :data:`MISSING`; or the text of the Excel error to return:
    an error passes through, text that is not ``YYYY-MM-DD`` and booleans give
    ``#VALUE!`` with the reason, numbers that are no day give ``#NUM!``
    (:func:`serial_date`).
    """
    if value is None or (isinstance(value, str) and value in ("", MISSING)):
        return Blank
    if is_error(value):
        return error_text(value)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        match = ISO_DATE_RE.fullmatch(value.strip())
        if match:
            try:
                return dt.date(*(int(g) for g in match.groups()))
            except ValueError:
                pass
        return f"{VALUE_ERROR} {shown(value)} is not a date ({_DATE_HINT})"
    if _is_bool(value) or not (isinstance(value, (int, float)) or _is_numpy_number(value)):
        return f"{VALUE_ERROR} {shown(value)} is not a date ({_DATE_HINT})"
    try:
        number = float(value)
    except OverflowError:  # an int beyond float range (only from Python): no day
        return f"{NUM_ERROR} a number beyond ±1.8e308 is not an Excel date serial ({_DATE_HINT})"
    if not math.isfinite(number):
        return NUM_ERROR
    return serial_date(number)


def finite(result: float) -> float | str:
    """*result*, or ``"#NUM!"`` if it overflowed to an infinity (Excel's numbers end at
    about ±1.8e308; Excel itself shows ``#NUM!`` for results beyond)."""
    return result if math.isfinite(result) else NUM_ERROR


def is_blank(value: Any) -> bool:
    """True for an empty cell (``None`` or ``""``); never compares anything else with
    ``""`` (a numpy array, which only a Python caller can pass, would compare
    element-wise)."""
    return value is None or (isinstance(value, str) and value == "")


def as_text(value: Any) -> str | None:
    """Strip a text argument; ``None`` for anything that is not non-empty text."""
    if isinstance(value, str) and value.strip() and not is_error(value):
        return value.strip()
    return None


def is_range(value: Any) -> bool:
    """True if *value* is a range as xlwings passes it (a list or tuple of rows or values)."""
    return isinstance(value, (list, tuple))


def as_2d(value: Any) -> Sequence[Sequence[Any]]:
    """A scalar, a 1-D list (one row) or a 2-D list (rows) as a sequence of rows.
    The rows are *value*'s own (not copied): callers only read them."""
    if not is_range(value):
        return [[value]]
    if len(value) == 0:
        return [[None]]
    if not is_range(value[0]):
        return [value]
    return value


def broadcast_shape(grids: Sequence[Sequence[Sequence[Any]]]) -> tuple[int, int] | None:
    """The common ``(rows, columns)`` of 2-D *grids* under :func:`broadcast`'s rule
    (each dimension 1 or the common size), or ``None`` for ragged rows or shapes that
    do not fit. Rows that are not all ranges of one non-zero length (``[[108.9], 2]``,
    a row and a scalar; ``[[]]``, an empty row: only a Python caller passes these)
    are ragged too."""
    for g in grids:
        if not all(is_range(r) for r in g) or len(lengths := {len(r) for r in g}) != 1 \
                or 0 in lengths:  # ragged or empty rows
            return None
    n_rows = max(len(g) for g in grids)
    n_cols = max(len(g[0]) for g in grids)
    for g in grids:
        if len(g) not in (1, n_rows) or len(g[0]) not in (1, n_cols):
            return None
    return n_rows, n_cols


def broadcast(func: Callable[..., Any], *args: Any) -> Any:
    """Apply the scalar *func* element-wise over scalars and 2-D ranges.

    Shapes follow Excel's array arithmetic restricted to what is unambiguous: every
    argument's row count is either 1 or the common row count, likewise columns (a
    close-price column with an EPS block of the same height gives the block's shape).
    All-scalar arguments give a scalar; otherwise a list of rows, which Excel spills.
    Shapes that do not fit give the scalar ``"#VALUE!"``.
    """
    if not any(is_range(a) for a in args):
        return func(*args)
    grids = [as_2d(a) for a in args]
    shape = broadcast_shape(grids)
    if shape is None:
        return VALUE_ERROR
    n_rows, n_cols = shape
    return [
        [
            func(*(g[i if len(g) > 1 else 0][j if len(g[0]) > 1 else 0] for g in grids))
            for j in range(n_cols)
        ]
        for i in range(n_rows)
    ]


@contextmanager
def gc_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector within the block.

    Building one small object per cell (rows, cells, result lists, none of them in
    cycles) triggers collections that re-scan every live object: about half the time
    of a 50,000-stock build or a 200,000-row P/E column. Reference counting still
    frees memory as usual; the collector resumes (if it was on) afterwards.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
