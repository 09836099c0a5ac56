"""``settings.toml``: what is set once for the whole workbook.

- ``as_of``: the date the data describes (a TOML date, ``2024-09-24``): the default
  date of every price look-up and the workbook's document date; it is set by hand,
  never derived from the newest row of a data file, so a build is reproducible and
  the report's figures keep their date;
- ``rating_scale``: the scale the key-stocks table is rated on (an id or alias of a
  stock scale in ``rating_scales.toml``; default ``tianfeng``): the published
  ratings in ``coverage.csv`` must be its labels, and the implied ratings use it;
- ``benchmark_return``: the benchmark's expected return over that scale's horizon
  (a fraction, 0.05 = 5 %; default 0), which the implied ratings subtract from the
  upside, and ``benchmark_return_date``, the day it was set (required with it; by
  default the as-of date);
- ``source``, ``author``, ``institution``: the project's provenance, shown on
  ``核对``, in the document properties and on the published copy (optional text; a
  build without ``source`` says what to add), and ``disclaimer``, printed on the
  published copy (optional text);
- ``extra_columns``: columns of ``coverage.csv`` of the analyst's own (``sector``,
  ``analyst``) that pass through to the key-stocks table as typed (a list of
  names; default none);
- ``max_close_age_days``: the build report lists the stocks whose close is older
  than this many calendar days before ``as_of`` (a whole number >= 0; default 7);
- ``price_exports``: the folder the "Update prices" button imports terminal
  exports from (a path relative to ``settings.toml``; optional).

Adding a setting: one entry in :data:`SETTINGS` (its rule) and a field of
:class:`Settings`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Callable, Mapping

from workbook.dataset.coverage import builtin_column
from workbook.dataset.errors import Collector, DataError
from workbook.dataset.rating_scales import DEFAULT_SCALE, RatingScale, find_scale, scale_ids
from workbook.dataset.reader import (EXCEL_FIRST_DATE, EXCEL_MAX_TEXT, excel_length, nearest,
                                     read_text)
from workbook.dataset.toml_file import read_toml

SETTINGS_FILE = "settings.toml"

_KEY_RE = re.compile(r"\s*([A-Za-z0-9_\-]+)\s*[.=]")  # key = ... or dotted key.x = ...
_TABLE_RE = re.compile(r"\s*\[+\s*([A-Za-z0-9_\-]+)")  # [table] or [[table]] or [t.x]


@dataclass(frozen=True)
class Settings:
    """The validated settings: ``as_of``, the date the data describes; the id of the
    scale the table is rated on; the benchmark's expected return over that scale's
    horizon (a fraction) and the date it was set."""

    as_of: dt.date
    rating_scale: str = DEFAULT_SCALE
    benchmark_return: float = 0.0
    benchmark_return_date: dt.date | None = None
    #: Provenance (``None``: not given): the line naming where the numbers come from,
    #: who made them and for which firm, and the published copy's disclaimer.
    source: str | None = None
    author: str | None = None
    institution: str | None = None
    disclaimer: str | None = None
    #: Columns of ``coverage.csv`` that pass through to the key-stocks table.
    extra_columns: tuple[str, ...] = ()
    #: Closes older than this many calendar days before ``as_of`` are listed by the
    #: build report (issue 22's default: a week).
    max_close_age_days: int = 7
    #: The drop folder of terminal exports, as written (relative to settings.toml).
    price_exports: str | None = None


def _date(value: Any, key: str = "as_of") -> tuple[dt.date | None, str]:
    """A TOML local date (``as_of = 2024-09-24``, no quotes), else why not."""
    if isinstance(value, dt.datetime):
        return None, f"a date without a time: {key} = 2024-09-24"
    if isinstance(value, dt.date):
        if value < EXCEL_FIRST_DATE:
            return None, f"{value} is before 1900-01-01, the first date Excel shows"
        return value, ""
    if isinstance(value, str):
        return None, f"{value!r} is text; write the date without quotes: {key} = 2024-09-24"
    return None, f"{value!r} is not a date; write {key} = 2024-09-24"


def _scale_name(value: Any) -> tuple[str | None, str]:
    """The text naming a scale (checked against ``rating_scales.toml`` later)."""
    if isinstance(value, str) and value.strip():
        return value.strip(), ""
    return None, f"{value!r} is not a scale id; write rating_scale = \"{DEFAULT_SCALE}\""


def _fraction(value: Any) -> tuple[float | None, str]:
    """An expected return as a fraction: a TOML number above -1 and below 1."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        hint = " (no % sign: 0.05 for 5%)" if isinstance(value, str) and "%" in value else ""
        return None, f"{value!r} is not a number{hint}; write benchmark_return = 0.05 for 5%"
    try:
        number = float(value)
    except OverflowError:  # an int beyond float range (400 nines)
        number = math.inf if value > 0 else -math.inf
    if not math.isfinite(number) or number <= -1 or number >= 1e6:
        return None, f"{_shown(value)} is not a return (a fraction above -1, 0.05 = 5%)"
    if number >= 1:
        return None, f"{value} is {number:.0%}: the return is a fraction, 0.05 for 5%"
    return number, ""


def _shown(number: int | float) -> str:
    """*number* as a message shows it: as written, or, beyond 15 digits, its first
    digits and its length (an int of 400 nines is no return to quote in full)."""
    text = repr(number)  # a TOML int has at most 4,300 digits, which repr takes
    if len(text) <= 20:
        return text
    return f"{text[:6]}… ({len(text.lstrip('-')):,} digits)"


def _text(key: str) -> Callable[[Any], tuple[str | None, str]]:
    """The rule of an optional one-line text setting *key* (``source = "..."``)."""

    def rule(value: Any) -> tuple[str | None, str]:
        if isinstance(value, str) and value.strip():
            if len(value) > EXCEL_MAX_TEXT:
                return None, (f"{len(value):,} characters; a cell holds at most "
                              f"{EXCEL_MAX_TEXT:,}: shorten it")
            return value.strip(), ""
        if isinstance(value, str):
            return None, (f'empty; write the text between the quotes ({key} = "..."), '
                          "or delete the line")
        return None, f'{value!r} is not text; write {key} = "..." (in double quotes)'

    return rule


def _names(value: Any) -> tuple[tuple[str, ...] | None, str]:
    """A list of column names (``extra_columns = ["sector", "analyst"]``): distinct,
    non-empty texts. Whether each is a column of ``coverage.csv`` and not a built-in
    one is checked with that file."""
    example = 'write extra_columns = ["sector", "analyst"]'
    if not isinstance(value, list):
        return None, f"{value!r} is not a list of column names; {example}"
    names: list[str] = []
    for item in value:
        if not isinstance(item, str) or not item.strip():
            return None, f"{item!r} is not a column name (text in double quotes); {example}"
        if item.strip() in names:
            return None, f"{item.strip()!r} is listed twice; keep one"
        names.append(item.strip())
    return tuple(names), ""


def _own_problem(name: str) -> str | None:
    """Why *name*, listed in ``extra_columns``, cannot be an own column of the
    key-stocks table (a built-in column of ``coverage.csv``, or a header Excel cannot
    hold), or ``None``."""
    why = builtin_column(name)
    if why:
        return (f"{why}: an own column needs a name of its own; take it out of "
                "extra_columns (or rename your column, in coverage.csv and here)")
    if excel_length(name) > EXCEL_MAX_TEXT:
        return (f"a column name of {excel_length(name):,} characters; the header cell "
                f"holds at most {EXCEL_MAX_TEXT:,}: shorten it (in coverage.csv and here)")
    return None


def _days(value: Any) -> tuple[int | None, str]:
    """A whole number of calendar days, 0 or more (``max_close_age_days = 7``)."""
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 36500:
        return None, f"{value!r} is not a whole number of days; write max_close_age_days = 7"
    return value, ""


#: Every setting: its rule (value -> (parsed value or None, problem)) and, for a
#: missing key, the line to add, or ``None`` when the key may be left out (the field's
#: default applies).
SETTINGS: dict[str, tuple[Callable[[Any], tuple[Any, str]], str | None]] = {
    "as_of": (_date, "as_of = 2024-09-24 (the date the data describes)"),
    "rating_scale": (_scale_name, None),
    "benchmark_return": (_fraction, None),
    "benchmark_return_date": (lambda v: _date(v, "benchmark_return_date"), None),
    "source": (_text("source"), None),
    "author": (_text("author"), None),
    "institution": (_text("institution"), None),
    "disclaimer": (_text("disclaimer"), None),
    "extra_columns": (_names, None),
    "max_close_age_days": (_days, None),
    "price_exports": (_text("price_exports"), None),
}


def _key_lines(text: str) -> dict[str, int]:
    """Line of each top-level key (tomllib gives no positions): of ``key = value`` or
    a dotted ``key.x = value`` before the first table, and of a table's header
    (``[key]``), whose name is a top-level key too."""
    lines: dict[str, int] = {}
    in_table = False
    for number, line in enumerate(text.splitlines(), start=1):
        if match := _TABLE_RE.match(line):
            in_table = True  # the keys below are the table's, not top-level settings
            lines.setdefault(match.group(1), number)
        elif not in_table and (match := _KEY_RE.match(line)):
            lines.setdefault(match.group(1), number)
    return lines


_LISTED_RE = re.compile(r"^[ \t]*extra_columns[ \t]*=[ \t]*\[([^\]]*)", re.M)
_NAME_RE = re.compile(r'"([^"\\\n]*)"|\'([^\'\n]*)\'')


def listed_columns(path: Path) -> tuple[str, ...]:
    """The names written in ``extra_columns = [...]`` of the settings file *path*, read
    leniently from its raw text (each quoted name, once, in order): what coverage.csv's
    check takes as declared when the settings cannot be read (a TOML syntax error, a
    name listed twice), so one mistake there is not also reported as "unknown column"
    for every name it lists. ``()`` when the file or the line is not there."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig", errors="replace")
    except OSError:
        return ()
    match = _LISTED_RE.search(text)
    if match is None:
        return ()
    names = (a or b for a, b in _NAME_RE.findall(match.group(1)))
    return tuple(dict.fromkeys(n.strip() for n in names if n.strip()))


def load_settings(path: Path, errors: list[DataError],
                  valid: dict[str, Any] | None = None) -> Settings | None:
    """The settings from ``settings.toml``; ``None`` (with the problems recorded) if
    the file is missing or invalid. Unknown keys are errors (with the nearest known
    key as a hint): a misspelt setting would otherwise be ignored silently.

    ``rating_scale`` is kept as written; :func:`resolve_scale` checks it against the
    scales file and replaces it by the scale's id.

    *valid*, if given, receives the settings that are valid even when others are not
    (``rating_scale`` as written, or its default when the file, valid TOML, leaves it
    out; ``as_of``): the other files are checked against them, so a problem in the
    settings does not hide theirs. It stays empty when the file is missing or not TOML.
    """
    read = read_toml(path, errors)
    if read is None:
        return None
    text, doc = read
    out = Collector(path.name, errors)
    lines = _key_lines(text)
    start = len(errors)
    for key in doc:
        if key not in SETTINGS:
            guess = nearest(key, SETTINGS)
            table = " (a table; the settings are top-level keys)" if isinstance(
                doc[key], (dict, list)) else ""
            out.add(lines.get(key), key, f"unknown setting{table}; " + (
                f"did you mean {guess!r}?" if guess else f"known: {', '.join(SETTINGS)}"))
    values = {}
    for key, (rule, example) in SETTINGS.items():
        if key not in doc:
            if example is not None:
                out.add(None, key, f"missing; add the line {example}")
            continue
        values[key], problem = rule(doc[key])
        if problem:
            out.add(lines.get(key), key, problem)
        elif valid is not None:
            valid[key] = values[key]
    if values.get("extra_columns"):
        # Checked name by name: the own columns that are fine still pass to
        # coverage.csv's check (*valid*), so a refused one is not also "unknown" there.
        own = []
        for name in values["extra_columns"]:
            problem = _own_problem(name)
            if problem:
                out.add(lines.get("extra_columns"), "extra_columns", problem)
            else:
                own.append(name)
        values["extra_columns"] = tuple(own)
        if valid is not None:
            valid["extra_columns"] = tuple(own)
    if valid is not None and "rating_scale" not in doc:
        valid["rating_scale"] = DEFAULT_SCALE
    if "benchmark_return" in doc and "benchmark_return_date" not in doc:
        out.add(lines.get("benchmark_return"), "benchmark_return_date",
                "missing; say when the benchmark return was set: "
                "benchmark_return_date = 2024-09-24")
    as_of, set_on = values.get("as_of"), values.get("benchmark_return_date")
    if as_of is not None and set_on is not None and set_on > as_of:
        out.add(lines.get("benchmark_return_date"), "benchmark_return_date",
                f"{set_on} is after as_of {as_of}, the date the data describes: the "
                "benchmark return must have been set by then; correct the date, or set "
                "as_of to the day the data describes")
    if len(errors) > start:
        return None
    if "benchmark_return_date" not in values:
        values["benchmark_return_date"] = values["as_of"]
    return Settings(**values)


def resolve_scale(path: Path, settings: Settings, scales: Mapping[str, RatingScale],
                  errors: list[DataError]) -> Settings | None:
    """*settings* with ``rating_scale`` replaced by the id of the stock scale of
    *scales* (the validated ``rating_scales.toml``) it names; ``None``, with the
    problem recorded at its line of *path*, if it names no scale or an industry one."""
    name = settings.rating_scale
    scale = find_scale(scales, name)
    if scale is not None and scale.kind == "stock":
        return replace(settings, rating_scale=scale.key)
    text = read_text(path, [])
    line = _key_lines(text).get("rating_scale") if text else None
    stock_scales = ", ".join(sorted(scale_ids(scales, "stock")))
    Collector(path.name, errors).add(
        line, "rating_scale",
        f"unknown scale {name!r}; the stock scales in rating_scales.toml: {stock_scales}"
        if scale is None else
        f"{name!r} is an industry scale; the key-stocks table is rated on a stock scale: "
        + stock_scales)
    return None
