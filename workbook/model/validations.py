"""Data validations (dropdowns, number and date limits): :class:`Validation`,
:func:`fits_list` and Excel's list limits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable


#: Validation kinds: a list of allowed values, whole numbers, decimals, dates.
VALIDATION_KINDS = ("list", "whole", "decimal", "date")
#: Excel's limit on a list validation typed as values (``"USD,CNY"``): 255
#: characters, separators included; a longer list must be a range reference.
MAX_LIST_CHARS = 255
#: Rows a dropdown's list takes on the sheet when it does not fit a literal list
#: (``Sheet.add_list``): its label, then the values.
LIST_ROWS = 2


def fits_list(values: Iterable[str]) -> bool:
    """Whether *values* can be a dropdown's literal list: Excel stores it as one quoted
    text of the values joined by commas, at most :data:`MAX_LIST_CHARS` characters
    (UTF-16 units; Microsoft, "Excel specifications and limits"; XlsxWriter refuses a
    longer one), so no value may hold a comma or a double quote."""
    values = list(values)
    joined = ",".join(values)
    return (bool(values) and not any("," in v or '"' in v for v in values)
            and len(joined.encode("utf-16-le")) // 2 <= MAX_LIST_CHARS)


@dataclass(frozen=True)
class Validation:
    """A data-validation rule on the rectangle (``first_row``, ``first_col``) to
    (``last_row``, ``last_col``), zero-based and inclusive.

    ``kind`` ``"list"``: a dropdown of ``values`` (literal texts; joined with commas
    at most :data:`MAX_LIST_CHARS` characters, none holding a comma) or of the cells
    ``source`` (``(first_row, first_col, last_row, last_col)`` on the same sheet, one
    row or one column: the list follows the sheet, whatever its length). ``"whole"``,
    ``"decimal"``, ``"date"``: a value at least ``minimum`` and/or at most ``maximum``
    (numbers; dates for ``"date"``). Raises ``ValueError`` for a rule Excel would
    refuse.
    """

    first_row: int
    first_col: int
    last_row: int
    last_col: int
    kind: str
    values: tuple[str, ...] = ()
    source: tuple[int, int, int, int] | None = None
    minimum: Any = None
    maximum: Any = None

    def __post_init__(self) -> None:
        if self.kind not in VALIDATION_KINDS:
            raise ValueError(f"validation kind {self.kind!r}: one of {VALIDATION_KINDS}")
        if self.first_row > self.last_row or self.first_col > self.last_col:
            raise ValueError("validation rectangle: first row/column after the last")
        if self.kind == "list":
            if bool(self.values) == (self.source is not None):
                raise ValueError("a list validation takes either values or a source range")
            if self.values:
                if not fits_list(self.values):
                    raise ValueError(f"list {','.join(self.values)[:60]!r}…: a comma or a "
                                     "double quote in a value, or more than Excel's "
                                     f"{MAX_LIST_CHARS} characters; use a source range "
                                     "(Sheet.add_list chooses)")
            else:
                r0, c0, r1, c1 = self.source
                if r0 > r1 or c0 > c1 or (r0 != r1 and c0 != c1):
                    raise ValueError("a list's source range must be one row or one column")
        elif self.minimum is None and self.maximum is None:
            raise ValueError(f"a {self.kind} validation needs a minimum or a maximum")

    @property
    def operator(self) -> str:
        """xlwings' name of the comparison: ``between``, ``greater_than_or_equal``
        or ``less_than_or_equal`` (not for lists)."""
        if self.minimum is not None and self.maximum is not None:
            return "between"
        return "greater_than_or_equal" if self.minimum is not None else "less_than_or_equal"
