"""The bare XlsxWriter script ``bench/run.py`` times beside ``coverbook build``.

    python bench/replay.py SPEC.pickle OUT.xlsm

SPEC holds the cells of a workbook ``coverbook build`` wrote, read back from that file
beforehand (``bench/run.py``, ``child_spec``): every value, formula with its cached
value and dynamic array formula with its spill range, the cell formats and the VBA
project. This script writes them again with nothing but XlsxWriter, in the order the
file holds them (row by row), as anyone would who had the cells already: no coverbook
import, no data loading, no computing. Layout (column widths, row heights, frozen
panes, print setup), charts, data validations, the ribbon part and the document
properties are left out (not cells: a few calls each). Like the build, it pauses the cyclic garbage
collector (coverbook's build does per stage): the ratio compares writing, not
collecting.
"""

from __future__ import annotations

import gc
import io
import pickle
import sys

import xlsxwriter


def replay(spec_path: str, out: str) -> None:
    gc.disable()
    with open(spec_path, "rb") as f:
        spec = pickle.load(f)
    wb = xlsxwriter.Workbook(out)
    if spec["vba"]:
        wb.add_vba_project(io.BytesIO(spec["vba"]), is_stream=True)
    formats = [wb.add_format(props) if props else None for props in spec["formats"]]
    for name, cells in spec["sheets"]:
        ws = wb.add_worksheet(name)
        for row, col, kind, v, style in cells:
            fmt = formats[style]
            if kind == "n":
                ws.write_number(row, col, v, fmt)
            elif kind == "s":
                ws.write_string(row, col, v, fmt)
            elif kind == "f":
                ws.write_formula(row, col, v[0], fmt, v[1])
            elif kind == "a":
                last_row, last_col, text, cached = v
                ws.write_dynamic_array_formula(row, col, last_row, last_col, text, fmt, cached)
            elif kind == "d":
                ws.write_datetime(row, col, v, fmt)
            elif kind == "b":
                ws.write_boolean(row, col, v, fmt)
            else:
                ws.write_blank(row, col, None, fmt)
    wb.close()


if __name__ == "__main__":
    replay(sys.argv[1], sys.argv[2])
