"""Every attribute of the sheet model has a row in the writers' one table
(``workbook/writers/mapping.py``), and the values-only transform keeps every attribute
but the formulas (issue 20 item 10). The writers themselves: ``test_file_writer_fields.py``
and ``test_live_writer_fields.py``, on the model of ``tests/every_attribute.py``."""

from __future__ import annotations

from dataclasses import fields

from helpers.every_attribute import (MODEL_CLASSES, NAME, all_fields, defaults, every_attribute,
                             field_names, instances)
from workbook.model import PrintSetup, Sheet, Style
from workbook.writers.mapping import PAGE_MAPPING, RENDERING, STYLE_MAPPING
from workbook.writers.values import values_only, values_sheet


def test_the_model_sets_every_field_away_from_its_default(every_style):
    held = instances(every_attribute())
    for cls in MODEL_CLASSES:
        objects = held[cls.__name__]
        assert objects, cls.__name__
        for name, default in defaults(cls).items():
            assert any(getattr(o, name) != default for o in objects), f"{cls.__name__}.{name}"


def test_every_field_has_a_row_in_the_writers_table():
    assert set(STYLE_MAPPING) == field_names(Style)
    assert set(PAGE_MAPPING) == field_names(PrintSetup)
    mapped = {f"{cls}.{name}" for cls, table in RENDERING.items() for name in table}
    mapped |= {f"Style.{n}" for n in STYLE_MAPPING} | {f"PrintSetup.{n}" for n in PAGE_MAPPING}
    assert mapped == all_fields()


def test_the_values_only_model_keeps_every_attribute_but_the_formulas(every_style):
    sheet = every_attribute()
    published = values_sheet(sheet, "banner")
    for f in fields(Sheet):
        if f.name != "blocks":
            assert getattr(published, f.name) == getattr(sheet, f.name), f.name
    cells = published.cell_map()
    expected = {(0, 0): (NAME, "title"), (1, 2): ("Double", "header"),
                (3, 1): (120.5, "price"), (4, 2): (260.5, "every"),  # =B5*2's cached value
                (3, 4): (361.5, "price"), (4, 4): (390.75, "price"),  # spilled, anchor's style
                (7, 0): (5, "input_int"), (8, 2): ("CNY", "text")}
    for (r, c), (v, style) in expected.items():
        assert (cells[(r, c)].value, cells[(r, c)].style) == (v, style), (r, c)
    model_cells = {(r, c) for r, c, _ in sheet.cells()} | {(3, 4), (4, 4)}
    assert model_cells <= set(cells)
    assert not any(cell.is_formula for cell in cells.values())
    # An unpublished sheet (published=False) is left out; a published one kept.
    assert values_only([sheet], "banner") == []
    sheet.published = True
    assert [s.name for s in values_only([sheet], "banner")] == [NAME]
