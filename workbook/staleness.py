"""``coverbook build --check``: is the workbook on disk what the data builds today?

A fresh build goes to a temporary folder and is compared byte for byte with the
file on disk (builds are reproducible, so equal inputs give equal bytes). When they
differ, the first differing sheet and cell is named, read back with openpyxl
(formulas, then cached values); if every cell agrees, the first differing part of
the zip package is named instead.
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path
from typing import NamedTuple

import openpyxl
from openpyxl.worksheet.formula import ArrayFormula

from workbook.build import BuildResult, build, check_output_name
from workbook.sheets.key_stocks import ARRAY_THRESHOLD


class _Array(NamedTuple):
    """An array formula as comparable text: openpyxl's ``ArrayFormula`` has no equality
    (two equal ones compare unequal), which made every array anchor "differ"."""

    text: str
    ref: str

    def __repr__(self) -> str:
        return f"array formula {self.text!r} over {self.ref}"


def _comparable(value: object) -> object:
    if isinstance(value, ArrayFormula):
        return _Array(str(value.text), str(value.ref))
    return value


def _cells(path: Path, data_only: bool) -> dict[str, dict[tuple[int, int], object]]:
    wb = openpyxl.load_workbook(path, data_only=data_only, read_only=True)
    try:
        return {ws.title: {(c.row, c.column): _comparable(c.value) for row in ws.iter_rows()
                           for c in row if c.value is not None and hasattr(c, "column")}
                for ws in wb.worksheets}
    finally:
        wb.close()


def first_difference(on_disk: Path, fresh: Path) -> str:
    """Where *on_disk* first differs from *fresh*, in words."""
    for data_only, what in ((False, "value or formula"), (True, "cached value")):
        old, new = _cells(on_disk, data_only), _cells(fresh, data_only)
        if list(old) != list(new):
            return f"sheets differ: on disk {list(old)}, from the data {list(new)}"
        for sheet in new:
            keys = sorted(set(old[sheet]) | set(new[sheet]))
            for key in keys:
                a, b = old[sheet].get(key), new[sheet].get(key)
                if a != b:
                    ref = openpyxl.utils.get_column_letter(key[1]) + str(key[0])
                    return (f"sheet '{sheet}' cell {ref}: {what} on disk {a!r}, "
                            f"from the data {b!r}")
    with zipfile.ZipFile(on_disk) as za, zipfile.ZipFile(fresh) as zb:
        names_a, names_b = za.namelist(), zb.namelist()
        if names_a != names_b:
            return f"package parts differ: on disk {names_a}, from the data {names_b}"
        for name in names_b:
            if za.read(name) != zb.read(name):
                return f"cells agree, but package part {name} differs"
    return "the zip containers differ (same parts, same contents)"


def check(data_dir: Path | str, path: Path | str, *,
          array_threshold: int = ARRAY_THRESHOLD) -> tuple[str | None, BuildResult]:
    """``(None, result)`` if *path* equals a fresh build from *data_dir*, else
    ``(difference, result)``. Raises what :func:`workbook.build.build` raises."""
    path = Path(path)
    check_output_name(path)  # named as the user gave it, not as the temporary copy
    with tempfile.TemporaryDirectory(prefix="coverbook-check-") as tmp:
        fresh = Path(tmp) / path.name
        result = build(data_dir, fresh, force=True, array_threshold=array_threshold)
        if not path.exists():
            return f"{path} does not exist", result
        if path.read_bytes() == fresh.read_bytes():
            return None, result
        try:
            return first_difference(path, fresh), result
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            return f"{path} is not a readable workbook ({exc})", result
