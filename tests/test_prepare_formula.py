"""The writer's faster formula preparation gives XlsxWriter's own result: the names it
searches for are exactly the ones XlsxWriter's substitutions match (read from
XlsxWriter's source), and for every formula coverbook writes, in both P/E layouts, and
for formulas that do use those functions, the text is XlsxWriter's."""

from __future__ import annotations

import inspect
import re

import pytest
from xlsxwriter.worksheet import Worksheet as XlsxWorksheet

from workbook.dataset import load_dataset
from workbook.sheets import build_sheets
from workbook.writers.xlsx_cells import XLFN_FUNCTIONS, Worksheet


def xlsxwriter_patterns() -> set[str]:
    """The patterns of the substitutions XlsxWriter's ``_prepare_formula`` always runs
    (before its future-functions branch), from its source."""
    source = inspect.getsource(XlsxWorksheet._prepare_formula)
    always = source.split("# Expand dynamic formulas.")[1].split(
        "if not self.use_future_functions")[0]
    return set(re.findall(r're\.sub\(r"([^"]+)"', always))


def test_the_names_searched_are_the_ones_xlsxwriter_substitutes():
    patterns = xlsxwriter_patterns()
    assert len(patterns) == 29
    assert patterns == {rf"\b{name}\(" for name in XLFN_FUNCTIONS} | {r"\SINGLE\("}


def written_formulas() -> set[str]:
    data = load_dataset()
    texts = set()
    for threshold in (200, 0):  # the shipped layout and the array layout
        sheets, _ = build_sheets(data, array_threshold=threshold)
        texts |= {cell.formula for sheet in sheets for _, _, cell in sheet.cells()
                  if cell.formula is not None}
    return texts


#: Formulas that use the substituted functions, near misses of them, and the forms
#: XlsxWriter strips (``{...}`` array braces, the leading ``=``).
USING = ["=SORT(A1:A9)", "=SORTBY(A1:A9,B1:B9)", "=FILTER(A1:A9,B1:B9>0)",
         "=UNIQUE(A1:A9)", "=XLOOKUP(1,A1:A9,B1:B9)", "=SINGLE(A1:A9)", "=@SINGLE(A1)",
         "=MINGLE(A1)", "=_xlfn.SORT(A1:A9)", "{=SEQUENCE(3)}", "{=SUM(A1:A3)}",
         "=LAMBDA(x,x+1)(2)", "=MAP(A1:A3,LAMBDA(x,x))", "=SORTED(A1)", "=XSORT(A1)",
         "=IF(A1,SORT(B1:B3),0)", "=PE(C4,F4)", "SUM(A1)", "=\"SORT(\"", "=TAKE(A1:A9,2)"]


@pytest.mark.parametrize("future", [False, True])
def test_every_formula_prepares_as_xlsxwriter_prepares_it(future):
    ours, theirs = Worksheet(), XlsxWorksheet()
    ours.use_future_functions = theirs.use_future_functions = future
    formulas = sorted(written_formulas()) + USING
    assert len(formulas) > 100
    for text in formulas:
        for expand in (False, True):
            assert ours._prepare_formula(text, expand) == \
                theirs._prepare_formula(text, expand), (text, expand)
    # Where the names occur, the text is changed (the search found them).
    assert ours._prepare_formula("=SORT(A1:A9)") == "_xlfn._xlws.SORT(A1:A9)"
    assert ours._prepare_formula("=MINGLE(A1)") == "_xlfn.SINGLE(A1)"  # XlsxWriter's \S
