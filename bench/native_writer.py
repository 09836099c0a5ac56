"""Issue 14's native-writer assessment: the cells ``bench/replay.py`` writes with
XlsxWriter, written with a Rust writer's Python binding instead, whole process.

    pip install rvgsrust-xlsxwriter          # not a coverbook dependency
    python bench/native_writer.py SPEC.pickle OUT.xlsm

SPEC is ``bench/replay.py``'s (``bench/run.py --keep DIR`` leaves none behind; make
one with ``python bench/run.py --child spec BUILT.xlsm SPEC.pickle``).
rvgsrust-xlsxwriter 0.3.5 (MIT, built on rust_xlsxwriter) is the binding with a
per-cell API and a VBA project; what it lacks decides what is written here instead:

- a formula's cached value: ``write_formula`` takes none (every formula is stored
  without its value: Excel without Python would show nothing computed);
- a dynamic array formula: the anchor is written as an ordinary formula (its spilled
  cells are written as the values they are in the file);
- the VBA project from bytes: it takes a path (the spec's project is written to a
  temporary file first);
- a custom part (the ribbon) and custom document properties: none (nothing written).

So it writes as many cells as the replay, with less in them: a lower bound of what
the binding would cost if it did all that coverbook needs. See docs/native-writer.md.
"""

from __future__ import annotations

import gc
import os
import pickle
import sys
import tempfile


def main(spec_path: str, out: str) -> None:
    import rvgsrust_xlsxwriter as rx

    gc.disable()
    with open(spec_path, "rb") as f:
        spec = pickle.load(f)
    wb = rx.Workbook()
    vba = None
    if spec["vba"]:
        fd, vba = tempfile.mkstemp(suffix=".bin")
        os.write(fd, spec["vba"])
        os.close(fd)
        wb.add_vba_project(vba)
    formats = [None]
    for props in spec["formats"][1:]:
        fmt = rx.Format()
        if "num_format" in props:
            fmt = fmt.set_num_format(props["num_format"])
        if props.get("bold"):
            fmt = fmt.set_bold()
        if props.get("italic"):
            fmt = fmt.set_italic()
        if "bg_color" in props:
            fmt = fmt.set_background_color(props["bg_color"]).set_pattern("solid")
        if props.get("text_wrap"):
            fmt = fmt.set_text_wrap()
        if "align" in props:
            fmt = fmt.set_align(props["align"])
        formats.append(fmt)
    for name, cells in spec["sheets"]:
        ws = wb.add_worksheet(name)
        for row, col, kind, v, style in cells:
            fmt = formats[style]
            if kind in ("f", "a"):
                ws.write_formula(row, col, v[0] if kind == "f" else v[2], fmt)
            elif kind == "d":
                ws.write_datetime_py(row, col, v, fmt)
            elif kind == "blank":
                ws.write(row, col, None, fmt)
            else:
                ws.write(row, col, v, fmt)
    wb.close(out)
    if vba:
        os.unlink(vba)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
