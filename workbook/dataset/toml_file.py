"""Reading a TOML file: ``settings.toml`` and ``rating_scales.toml`` of the data folder,
and the project's ``coverbook.toml``. Every TOML file goes through :func:`parse_toml`.

Python's ``tomllib`` raises three kinds of exception on a file it cannot read, and
only the first names a line:

- ``tomllib.TOMLDecodeError``, a syntax error, "… (at line 3, column 7)";
- ``ValueError`` for an integer of more than 4,300 digits (``value = 999…9``):
  Python refuses to turn such text into an int (its guard against quadratic-time
  conversion, python/cpython#95778), and tomllib lets the error through;
- ``RecursionError`` for lists or inline tables nested about a thousand deep
  (``[[[[…]]]]``): tomllib reads nesting by recursion.

:func:`parse_toml` turns each into one :class:`TomlProblem` with the line it is on
(found in the text for the last two) and what to do.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path
from typing import Any

from workbook.dataset.errors import Collector, DataError
from workbook.dataset.reader import read_text

#: What to do about a TOML syntax error, by the start of tomllib's message (Python
#: 3.11's ``tomllib/_parser.py`` wording). tomllib says what it met, not what to type.
TOML_HINTS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("Cannot overwrite a value", "Cannot declare", "Duplicate inline table key",
      "Cannot redefine", "Cannot mutate"),
     "a key or a [table] is given twice: keep one of them"),
    (("Invalid value",),
     'a value is a number (0.15), a date (2024-09-24), true or false, or text in double '
     'quotes ("买入")'),
    (("Expected newline or end of document",),
     "something follows the value on this line: one key = value per line, text in double "
     "quotes, a date as YYYY-MM-DD, a comment after #"),
    (("Illegal character '\\n'", "Unterminated string"),
     "a text value's closing double quote is missing"),
    (("Unclosed array",), "a list [ … ] lacks its closing ]"),
    (("Unclosed inline table",), "an inline table { … } lacks its closing }"),
    (("Expected '=' after a key",), "write key = value"),
    (("Invalid statement", "Invalid initial character for a key part", "Expected ']"),
     "each line is key = value, a [table] or [[table]] header, or a # comment"),
    (("Invalid date or datetime",), "a date is YYYY-MM-DD, such as 2024-09-24"),
)

#: Python's limit on the digits of an int read from text (``sys.get_int_max_str_digits``
#: default, python/cpython#95778).
INT_MAX_DIGITS = 4300
#: Text in double or single quotes on one line, and a comment: skipped when looking
#: for a long number or for brackets.
_QUOTED_RE = re.compile(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'|#.*')
#: An integer too long for Python: decimal digits (with TOML's ``_`` separators), or
#: hexadecimal, octal or binary digits after ``0x``/``0o``/``0b``.
_LONG_INT_RE = re.compile(r"(?:0[xob])?[0-9A-Fa-f_]{%d,}" % (INT_MAX_DIGITS + 1))


class TomlProblem(ValueError):
    """A TOML file that cannot be read: the line it is on (``None``: not known, or the
    end of the file) and the message (what is wrong, then what to do)."""

    def __init__(self, line: int | None, message: str):
        super().__init__(message)
        self.line = line
        self.message = message


def toml_problem(exc: Exception) -> tuple[int | None, str]:
    """The line (``None`` at the end of the document) and the message of a TOML
    syntax error *exc* (``tomllib.TOMLDecodeError``): tomllib's words, then what to do
    (:data:`TOML_HINTS`)."""
    text = str(exc)
    at = re.search(r"at line (\d+)", text)
    hint = next((h for starts, h in TOML_HINTS if text.startswith(starts)),
                "compare the line with the same file in workbook/data, which coverbook ships")
    return (int(at.group(1)) if at else None), f"not valid TOML: {text}; {hint}"


def _unquoted_lines(text: str) -> list[tuple[int, str]]:
    """``(line number, line without its quoted text and comment)`` of *text*."""
    return [(number, _QUOTED_RE.sub('""', line))
            for number, line in enumerate(text.splitlines(), start=1)]


def long_number_line(text: str) -> tuple[int | None, int]:
    """The line of the first integer of more than :data:`INT_MAX_DIGITS` digits in
    *text* and its length in characters; ``(None, 0)`` if none is found."""
    for number, line in _unquoted_lines(text):
        if match := _LONG_INT_RE.search(line):
            return number, len(match.group())
    return None, 0


def deepest_line(text: str) -> tuple[int | None, int]:
    """The line where the brackets (``[`` and ``{``) of *text* are nested deepest
    (the first such line) and that depth; ``(None, 0)`` for text without any."""
    depth, deepest, where = 0, 0, None
    for number, line in _unquoted_lines(text):
        for char in line:
            if char in "[{":
                depth += 1
                if depth > deepest:
                    deepest, where = depth, number
            elif char in "]}":
                depth = max(depth - 1, 0)
    return where, deepest


def parse_toml(text: str) -> dict[str, Any]:
    """The document of the TOML *text*; raises :class:`TomlProblem` (line and message)
    for a syntax error, an integer of more than 4,300 digits or nesting tomllib
    cannot follow (see the module docstring), never another exception."""
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise TomlProblem(*toml_problem(exc)) from None
    except ValueError:  # an int of more than INT_MAX_DIGITS digits
        line, length = long_number_line(text)
        size = f"{length:,} digits" if length else f"more than {INT_MAX_DIGITS:,} digits"
        raise TomlProblem(line, (
            f"not valid TOML: a number of {size}, more than Python reads "
            f"({INT_MAX_DIGITS:,}; Excel keeps 15 significant digits); write the value "
            "with at most 15 digits, such as 0.05")) from None
    except RecursionError:
        line, depth = deepest_line(text)
        raise TomlProblem(line, (
            f"not valid TOML: lists or inline tables nested {depth:,} deep, more than "
            "Python's TOML reader follows; no coverbook file nests more than 2 deep: "
            "compare the line with the same file in workbook/data")) from None


def read_toml(path: Path, errors: list[DataError], label: str | None = None
              ) -> tuple[str, dict[str, Any]] | None:
    """The text and the document of the data file *path*; ``None``, with the problem
    recorded in *errors* as ``file:line`` (the file named *label*, default its name),
    if it is missing, cannot be decoded (:func:`~workbook.dataset.reader.read_text`)
    or is not TOML (:func:`parse_toml`)."""
    text = read_text(path, errors)
    if text is None:
        return None
    try:
        return text, parse_toml(text)
    except TomlProblem as exc:
        Collector(label or path.name, errors).add(exc.line, None, exc.message)
        return None
