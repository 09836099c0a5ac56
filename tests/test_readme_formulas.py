"""Every formula the README or a docs page shows for a cell of 重点标的 is the formula
of that cell in a built workbook, read back with openpyxl: the shipped table (no
target prices) in both layouts, and a copy with target prices. An edit of the text or
a layout change that lets them drift fails here."""

from __future__ import annotations

import shutil

import openpyxl
import pytest
from openpyxl.worksheet.formula import ArrayFormula

from conftest import TESTS_DIR
from helpers.data_files import TARGETS, with_targets
from workbook import DATA_DIR
from workbook.build import build

ROOT = TESTS_DIR.parent

#: (the page, what it shows, the cell, which build): "plain" is the shipped data,
#: "targets" a copy with a target_price column; "-array" the array layout, where the
#: text's 5,000-stock ranges (row 5003) are the shipped 15 stocks' (row 18).
SHOWN = [
    ("README.md", "UDF (`=PE(C4,F4)`)", "J4", "plain"),
    ("docs/large-tables.md", "instead of one `=PE(C4,F4)` per cell", "J4", "plain"),
    ("README.md", "`=PE(C4,G4)` → 20.43", "K4", "plain"),
    ("README.md", "`=PE(C9,G9)` → 11.58", "K9", "plain"),
    ("docs/workbook.md", "`=IF(COUNT(J4:J18),MEDIAN(J4:J18),\"n.a.\")`", "J20", "plain"),
    ("docs/workbook.md", "(`=EPS_CAGR(F4,I4,3)`, `=PEG(K4,N4)`)", "N4 O4", "plain"),
    ("docs/udfs.md", "so `=PEG(K4,N4)` (the shipped table's PEG 2024E)", "O4", "plain"),
    ("docs/workbook.md", "| `=UPSIDE(N4,C4)` |", "O4", "targets"),
    ("docs/workbook.md", "| `=IMPLIED_RATING(N4,C4,$Q$2,$O$2)` |", "P4", "targets"),
    ("docs/workbook.md", "| `=EPS_CAGR(F4,I4,3)` |", "R4", "targets"),
    ("docs/workbook.md", "| `=PEG(K4,R4)` |", "S4", "targets"),
    ("docs/large-tables.md", "`=PE(C4:C5003,F4:F5003)`, that spills", "J4", "plain-array"),
    ("docs/large-tables.md",
     "(`=EPS_CAGR(F4:F5003,I4:I5003,3)`, `=PEG(K4:K5003,N4:N5003)` without target prices",
     "N4 O4", "plain-array"),
]


@pytest.fixture(scope="module")
def sheets(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("readme")
    shutil.copytree(DATA_DIR, tmp / "targets")
    with_targets(tmp / "targets", TARGETS)
    out = {}
    for name, data, threshold in (("plain", DATA_DIR, 200), ("plain-array", DATA_DIR, 0),
                                  ("targets", tmp / "targets", 200)):
        path = build(data, tmp / f"{name}.xlsm", array_threshold=threshold).path
        out[name] = openpyxl.load_workbook(path)["重点标的"]
    return out


def formulas(text: str) -> list[str]:
    """The formulas in backticks in *text* (without a result after an arrow)."""
    import re
    return re.findall(r"`(=[^`]*)`", text)


@pytest.mark.parametrize("page, shown, cells, which", SHOWN)
def test_a_formula_the_docs_show_is_the_built_cells(sheets, page, shown, cells, which):
    text = (ROOT / page).read_text(encoding="utf-8")
    assert text.count(shown) == 1, f"{page} no longer shows {shown!r}"
    ws = sheets[which]
    got = []
    for cell in cells.split():
        v = ws[cell].value
        got.append(v.text if isinstance(v, ArrayFormula) else v)
    want = [f.replace("5003", "18") for f in formulas(shown)]
    assert got == want
    # the implied rating's inputs are where docs/workbook.md says: O2 the scale, Q2 the return
    if which == "targets":
        assert (ws["O2"].value, ws["Q2"].value) == ("tianfeng", 0)
