"""Every formula in the built workbook, recomputed by an independent formula engine.

The `formulas` package parses each cell's formula text and evaluates it with its own
implementations of Excel's functions (AVERAGE, IF, ABS, ...); coverbook's UDFs are
registered with it under their Excel names. Each result must equal the cached value
the build stored, so a formula that points at the wrong cell fails here even when
its cached value is right.
"""

from __future__ import annotations

from helpers.recompute import mismatches


def test_every_formula_recomputes_to_its_cached_value(built):
    bad, n_formulas = mismatches(built.path, built.data)
    assert n_formulas == built.n_formulas
    assert not bad, bad[:10]


def test_a_formula_pointing_at_the_wrong_row_is_caught(built, tmp_path):
    # Same cached value as the real J4, but the formula reads row 5's close.
    from workbook.model import Sheet, formula, value
    from workbook.writers.xlsx import write_workbook

    sheet = Sheet("重点标的")
    sheet.add(0, 0, [[value(108.90), value(1.94), formula("=PE(A2,B1)", 108.90 / 1.94)],
                     [value(95.25), value(0.97)]])
    path = tmp_path / "wrong.xlsx"
    write_workbook(path, [sheet])
    bad, n_formulas = mismatches(path, built.data)
    assert n_formulas == 1
    assert [(b[1], round(b[4], 2)) for b in bad] == [("C1", 49.10)]
