"""``settings.toml``: what is set once for the whole workbook.

Today one key, ``as_of``: the date the data describes (a TOML date, ``2024-09-24``).
It is the default date of every price look-up and the workbook's document date; it
is set by hand, never derived from the newest row of a data file, so a build is
reproducible and the report's figures keep their date.

Adding a setting: one entry in :data:`SETTINGS` (its rule) and a field of
:class:`Settings`.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from workbook.dataset.errors import Collector, DataError
from workbook.dataset.reader import EXCEL_FIRST_DATE, nearest, read_text

SETTINGS_FILE = "settings.toml"

_KEY_RE = re.compile(r"\s*([A-Za-z0-9_\-]+)\s*=")


@dataclass(frozen=True)
class Settings:
    """The validated settings: ``as_of``, the date the data describes."""

    as_of: dt.date


def _date(value: Any) -> tuple[dt.date | None, str]:
    """A TOML local date (``as_of = 2024-09-24``, no quotes), else why not."""
    if isinstance(value, dt.datetime):
        return None, "a date without a time: as_of = 2024-09-24"
    if isinstance(value, dt.date):
        if value < EXCEL_FIRST_DATE:
            return None, f"{value} is before 1900-01-01, the first date Excel shows"
        return value, ""
    if isinstance(value, str):
        return None, f"{value!r} is text; write the date without quotes: as_of = 2024-09-24"
    return None, f"{value!r} is not a date; write as_of = 2024-09-24"


#: Every setting: its rule (value -> (parsed value or None, problem)) and, for a
#: missing key, the line to add.
SETTINGS: dict[str, tuple[Callable[[Any], tuple[Any, str]], str]] = {
    "as_of": (_date, "as_of = 2024-09-24 (the date the data describes)"),
}


def _key_lines(text: str) -> dict[str, int]:
    """Line of each top-level ``key = value`` (tomllib gives no positions)."""
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if line.lstrip().startswith("["):
            break  # a table: its keys are not top-level settings
        if match := _KEY_RE.match(line):
            lines.setdefault(match.group(1), number)
    return lines


def load_settings(path: Path, errors: list[DataError]) -> Settings | None:
    """The settings from ``settings.toml``; ``None`` (with the problems recorded) if
    the file is missing or invalid. Unknown keys are errors (with the nearest known
    key as a hint): a misspelt setting would otherwise be ignored silently."""
    text = read_text(path, errors)
    if text is None:
        return None
    out = Collector(path.name, errors)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        at = re.search(r"at line (\d+)", str(exc))
        out.add(int(at.group(1)) if at else None, None, f"not valid TOML: {exc}")
        return None
    lines = _key_lines(text)
    start = len(errors)
    for key in doc:
        if key not in SETTINGS:
            guess = nearest(key, SETTINGS)
            out.add(lines.get(key), key, "unknown setting; " + (
                f"did you mean {guess!r}?" if guess else f"known: {', '.join(SETTINGS)}"))
    values = {}
    for key, (rule, example) in SETTINGS.items():
        if key not in doc:
            out.add(None, key, f"missing; add the line {example}")
            continue
        values[key], problem = rule(doc[key])
        if problem:
            out.add(lines.get(key), key, problem)
    if len(errors) > start:
        return None
    return Settings(**values)
