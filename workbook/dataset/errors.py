"""The error collector of the data loader: every problem as ``file:row:column: message``.

Each file's loader keeps going after a bad cell and records the problem here, so one
run lists every problem in every file; :func:`workbook.dataset.load_dataset` raises
them together as one :class:`DataErrors`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable

#: Problem lines shown before "… and N more": enough to see what is wrong with a
#: file (a file in the wrong format gives a problem per cell), few enough to read.
MAX_SHOWN = 50


@dataclass(frozen=True)
class DataError:
    """One problem in a data file: ``file:row:column: message``."""

    file: str
    row: int | None
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.file
        if self.row is not None:
            where += f":{self.row}"
        if self.column is not None:
            where += f":{self.column}"
        return f"{where}: {self.message}"


class DataErrors(Exception):
    """All the problems found in the data files; ``str()`` gives one line each."""

    def __init__(self, errors: Iterable[DataError]):
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))


class Collector:
    """Collects the errors of one file (into the list shared by every file), so each
    stage can go on after a bad cell."""

    def __init__(self, file: str, errors: list[DataError]):
        self.file = file
        self.errors = errors

    def add(self, row: int | None, column: str | None, message: str) -> None:
        self.errors.append(DataError(self.file, row, column, message))

    def unique(self, seen: dict[str, int], line: int, column: str, key: str) -> bool:
        """Record that *key* (a ticker, model or id) is on *line*; ``False``, with an
        error naming the first row, if it was already seen."""
        if key in seen:
            self.add(line, column, f"{key} already appears on row {seen[key]}")
            return False
        seen[key] = line
        return True



def problem_lines(errors: list[DataError], where: Callable[[DataError], str] = str,
                  limit: int = MAX_SHOWN) -> list[str]:
    """The lines a person reads for *errors*: the first *limit* as ``where(error)``
    (default ``file:row:column: message``), then ``… and N more`` if there are more.
    Callers add the count line themselves (what was or was not written)."""
    lines = [where(e) for e in errors[:limit]]
    if len(errors) > limit:
        lines.append(f"… and {len(errors) - limit} more")
    return lines
