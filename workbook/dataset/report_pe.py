"""``report_pe.csv``: the report's printed P/E grid (code, then ``P/E <year>A|E``
columns), used only by the checks, never as an input. Optional."""

from __future__ import annotations

import re
from pathlib import Path

from workbook.dataset.errors import Collector, DataError
from workbook.dataset.reader import number_cell, read_csv

REPORT_PE_FILE = "report_pe.csv"


def load_report_pe(path: Path, errors: list[DataError]) -> dict[tuple[str, str], float]:
    """The report's printed P/E grid, ``{(code, "2024E"): 20.43}``; empty if absent."""
    if not path.exists():
        return {}
    parsed = read_csv(path, None, errors)
    if parsed is None:
        return {}
    header_line, header, rows = parsed
    out = Collector(path.name, errors)
    columns = {}
    for name in header[1:]:
        match = re.fullmatch(r"P/E ([0-9]{4}[AE])", name)
        if not match:
            out.add(header_line, name, "expected 'P/E <year>A|E'")
        else:
            columns[name] = match.group(1)
    grid = {}
    seen: dict[str, int] = {}
    for line, row in rows:
        if not out.unique(seen, line, header[0], row[header[0]]):
            continue
        for name, label in columns.items():
            value = number_cell(out, line, name, row[name], blank_ok=True)
            if value is not None:
                grid[(row[header[0]], label)] = value
    return grid

