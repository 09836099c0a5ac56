"""Every formula of a workbook recomputed by an independent formula engine: the
`formulas` package parses each cell's formula text and evaluates it with its own
implementations of Excel's functions, coverbook's UDFs registered with it under their
Excel names (:func:`recompute`); :func:`mismatches` lists the formula cells whose
recomputed value is not the cached one the build stored.

Importing this module skips the importing test module where `formulas` is absent."""

from __future__ import annotations

import math

import numpy as np
import openpyxl
import pytest
from openpyxl.utils import coordinate_to_tuple, get_column_letter
from openpyxl.worksheet.formula import ArrayFormula

formulas = pytest.importorskip("formulas")
import schedula  # noqa: E402  (formulas' own dependency; its EMPTY marks blank cells)
from formulas.tokens.operand import XlError  # noqa: E402

import udfs  # noqa: E402
from udfs._reference import use_dataset  # noqa: E402

UDF_NAMES = ("PE", "UPSIDE", "EPS_CAGR", "PEG", "RATING", "INDUSTRY_RATING", "IMPLIED_RATING",
             "TOKEN_PRICE", "TOKEN_COST", "COST_RATIO")


def _from_engine(arg):
    """A `formulas` argument as xlwings would pass it: scalar or list of rows."""
    if isinstance(arg, formulas.ranges.Ranges):
        arg = arg.value
    if isinstance(arg, np.ndarray) and arg.ndim == 0:  # a function's scalar (DATE())
        return _from_engine(arg.item())
    if isinstance(arg, np.ndarray):
        rows = [[_from_engine(v) for v in row] for row in arg.tolist()]
        return rows[0][0] if len(rows) == 1 and len(rows[0]) == 1 else rows
    if isinstance(arg, XlError):
        return str(arg)
    if arg is schedula.EMPTY or (isinstance(arg, str) and arg == ""):
        return None
    if isinstance(arg, np.generic):
        return arg.item()
    return arg


def _to_engine(result):
    return np.array(result, dtype=object) if isinstance(result, list) else result


def _adapter(func):
    def call(*args):
        return _to_engine(func(*(_from_engine(a) for a in args)))
    call.__name__ = func.__name__
    return call


def recompute(path, data):
    """``{(SHEET, "J4"): value}`` for every cell, as the `formulas` engine computes."""
    registry = formulas.get_functions()
    saved = {n: registry.get(n) for n in UDF_NAMES}
    for name in UDF_NAMES:
        registry[name] = _adapter(getattr(udfs, name))
    try:
        with use_dataset(data):
            solution = formulas.ExcelModel().loads(str(path)).finish().calculate()
    finally:
        for name, f in saved.items():
            if f is None:
                registry.pop(name, None)
            else:
                registry[name] = f
    out = {}
    for key, ranges in solution.items():
        if "]" not in key:  # constants and intermediate nodes, not cells
            continue
        sheet, cell = key.split("]", 1)[1].rsplit("!", 1)  # "重点标的'!J4" or "!O4:O18"
        sheet = sheet.rstrip("'").upper()
        value = ranges.value if hasattr(ranges, "value") else ranges
        if ":" in cell and isinstance(value, np.ndarray):
            # A range (an array formula's spill area, or a range another formula
            # reads): each of its cells, unless computed on its own.
            (r0, c0), _ = (coordinate_to_tuple(p) for p in cell.split(":"))
            for i, row in enumerate(value.tolist()):
                for j, v in enumerate(row):
                    out.setdefault((sheet, get_column_letter(c0 + j) + str(r0 + i)),
                                   _from_engine(v))
            continue
        if isinstance(value, np.ndarray):
            value = value.tolist()[0][0]
        out[(sheet, cell)] = _from_engine(value)
    return out


def _formula_cells(path, *, spilled=False):
    """``(sheet, cell, formula, cached value)`` of every formula cell; with *spilled*,
    also every cell an array formula spills over (its formula: the anchor's)."""
    wb = openpyxl.load_workbook(path, data_only=False)
    cached = openpyxl.load_workbook(path, data_only=True)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type != "f":
                    continue
                yield ws.title, c.coordinate, c.value, cached[ws.title][c.coordinate].value
                if spilled and isinstance(c.value, ArrayFormula):
                    for spill_row in ws[c.value.ref]:
                        for s in spill_row:
                            if s.coordinate != c.coordinate:
                                yield (ws.title, s.coordinate, c.value,
                                       cached[ws.title][s.coordinate].value)


def _same(recomputed, cached):
    if isinstance(cached, (int, float)) and not isinstance(cached, bool):
        return (isinstance(recomputed, (int, float)) and not isinstance(recomputed, bool)
                and math.isclose(recomputed, cached, rel_tol=1e-9, abs_tol=1e-12))
    return recomputed == cached


def mismatches(path, data):
    """Formula cells whose recomputed value differs from the cached one, and a count."""
    values = recompute(path, data)
    cells = list(_formula_cells(path, spilled=True))
    bad = [(sheet, coord, text, cached, values.get((sheet.upper(), coord), "<none>"))
           for sheet, coord, text, cached in cells
           if not _same(values.get((sheet.upper(), coord), "<none>"), cached)]
    return bad, sum(1 for _, _, text, _ in cells if not isinstance(text, ArrayFormula)) + \
        len({(s, text.ref) for s, _, text, _ in cells if isinstance(text, ArrayFormula)})
