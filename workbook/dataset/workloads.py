"""``workloads.csv``: the tasks the ``Token场景`` sheet prices, one row per workload.

A workload is what one task sends and gets back, in tokens: ``input_tokens`` (the
whole prompt), ``cached_share`` (the fraction of the input that is a cached prefix,
0 to 1), ``output_tokens`` (the visible answer) and ``reasoning_per_output``
(hidden reasoning tokens per visible output token, for reasoning models only).
``basis`` says where the figures come from (measured, or an assumption).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from workbook.dataset.errors import Collector, DataError
from workbook.dataset.reader import number_cell, read_csv

WORKLOADS_FILE = "workloads.csv"
WORKLOAD_COLUMNS = ("id", "name", "input_tokens", "cached_share", "output_tokens",
                    "reasoning_per_output", "basis")
#: Workload ids: short, safe in formulas and lists (like model ids).
WORKLOAD_ID_RE = re.compile(r"[a-z0-9][a-z0-9.\-]*")


@dataclass(frozen=True)
class Workload:
    """One task's tokens: input (cached share of it, a fraction 0-1), visible output,
    reasoning tokens per visible output token (reasoning models), and the basis."""

    id: str
    name: str
    input_tokens: float
    cached_share: float
    output_tokens: float
    reasoning_per_output: float
    basis: str

    @property
    def cached_tokens(self) -> float:
        """Input tokens billed at the cached price: input x cached share."""
        return self.input_tokens * self.cached_share


def load_workloads(path: Path, errors: list[DataError]) -> tuple[Workload, ...]:
    """The workloads of ``workloads.csv`` in file order. Optional: without the file
    the scenario sheet prices only the workload typed on it.

    Problems: an id that is not one or appears twice, token counts that are not whole
    numbers >= 0, a cached share outside 0-1, a negative reasoning ratio, an empty
    name or basis.
    """
    if not path.exists():
        return ()
    parsed = read_csv(path, WORKLOAD_COLUMNS, errors)
    if parsed is None:
        return ()
    _, header, rows = parsed
    out = Collector(path.name, errors)
    complete = all(name in header for name in WORKLOAD_COLUMNS)
    seen: dict[str, int] = {}
    workloads = []
    for line, row in rows:
        start = len(errors)
        row = {name: row.get(name) for name in WORKLOAD_COLUMNS}
        if row["id"] is None:
            pass
        elif not WORKLOAD_ID_RE.fullmatch(row["id"]):
            out.add(line, "id", f"{row['id']!r} is not a workload id (lower-case letters, "
                    "digits, '.', '-')" if row["id"] else "empty; give the workload a short id")
        else:
            out.unique(seen, line, "id", row["id"])
        numbers: dict[str, float | None] = {}
        for column in ("input_tokens", "output_tokens", "cached_share",
                       "reasoning_per_output"):
            if row[column] is None:
                continue
            value = number_cell(out, line, column, row[column], non_negative=True)
            if value is not None and column.endswith("_tokens") and value != int(value):
                out.add(line, column, "must be a whole number of tokens")
                value = None
            if value is not None and column == "cached_share" and value > 1:
                out.add(line, column, f"{row[column]} is above 1; the cached share is a "
                        "fraction of the input (0.25 = a quarter)")
                value = None
            numbers[column] = value
        for column, what in (("name", "name the workload"),
                             ("basis", "say where the figures come from (measured or assumed)")):
            if row[column] == "":
                out.add(line, column, f"empty; {what}")
        if complete and len(errors) == start:
            workloads.append(Workload(row["id"], row["name"], numbers["input_tokens"],
                                      numbers["cached_share"], numbers["output_tokens"],
                                      numbers["reasoning_per_output"], row["basis"]))
    return tuple(workloads)
