"""The every-attribute sheet model the writer tests write (issue 20 item 10).

:func:`every_attribute` sets every field of ``Sheet``, ``Block``, ``Cell``, ``Style``,
``PrintSetup``, ``Chart``, ``Validation``, ``ConditionalFormat`` and ``Borders``
(:data:`MODEL_CLASSES`) away from its default; its cells of style ``every`` need
:data:`EVERY` in ``STYLES`` (the ``every_style`` fixture of ``conftest.py``). Each
writer's test has one check per field (:func:`all_fields`), run by :func:`failures`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import MISSING, fields, is_dataclass

from workbook.model import (STYLES, Block, Borders, Cell, Chart, ConditionalFormat, PrintSetup,
                            Sheet, Style, Validation, array_formula, formula, value)

NAME = "Every attribute"
#: A style that sets every field of Style away from its default.
EVERY = Style(num_format="0.000", bold=True, italic=True, fill="#123456", wrap=True,
              align="center")
MODEL_CLASSES = (Sheet, Block, Cell, Style, PrintSetup, Chart, Validation,
                 ConditionalFormat, Borders)


def field_names(cls) -> set[str]:
    return {f.name for f in fields(cls)} if is_dataclass(cls) else set(cls._fields)


def every_attribute() -> Sheet:
    """A sheet whose every field, and every field of what it holds, is not the default.

    A2:C5 a table (header, tickers, close prices, a formula of style ``every``) with
    borders and an autofilter, A1:C1 merged (the title), E3:E5 an array formula, A8
    an input cell; charts at E11
    and E28 (columns E onwards and rows 11 onwards keep Excel's default sizes)."""
    sheet = Sheet(NAME, col_widths={0: 12.0, 1: 10.0}, row_heights={1: 33.0},
                  freeze=(2, 1), published=False, autofilter=(1, 0, 4, 2),
                  merged=[(0, 0, 0, 2)],
                  page=PrintSetup(paper="Letter", landscape=False, repeat_rows=(1, 1),
                                  page_numbers=False, row_breaks=(10,)))
    sheet.add(0, 0, [[value(NAME, "title")]])
    sheet.add(1, 0, [[value("Ticker", "header"), value("Close", "header"),
                      value("Double", "header")]]
              + [[value(t, "text"), value(close, "price"),
                  formula(f"=B{r}*2", close * 2, "every")]
                 for r, (t, close) in enumerate((("300308.SZ", 108.9), ("600519.SH", 120.5),
                                                 ("000063.SZ", 130.25)), start=3)])
    sheet.add(2, 4, [[array_formula("=B3:B5*3", [[326.7], [361.5], [390.75]], "price")]])
    sheet.add_inputs(7, 0, [[value(5, "input_int")]])
    sheet.add(8, 1, [[value("USD", "text"), value("CNY", "text")]])
    sheet.validations += [
        Validation(2, 3, 4, 3, "list", values=("买入", "持有")),
        Validation(7, 1, 7, 1, "list", source=(8, 1, 8, 2)),
        Validation(7, 0, 7, 0, "decimal", minimum=0, maximum=100),
        Validation(7, 2, 7, 2, "date", minimum=dt.date(2024, 1, 2)),
        Validation(7, 3, 7, 3, "whole", maximum=10),
    ]
    sheet.conditional_formats.append(ConditionalFormat(2, 1, 4, 1, "=B3>120", fill="#FFC7CE",
                                                       font_color="#9C0006", bold=True))
    sheet.borders.append(Borders(1, 0, 4, 2))
    sheet.charts += [
        Chart("coverbook xy", "scatter", "Double by close", (1, 2, 4, 2), 1, (10, 4),
              size=(480.0, 240.0), x_title="Close", y_title="Double", x_format="0.0",
              y_format="0.00", x_min=100.0, x_max=140.0),
        Chart("coverbook rows", "column", "Per ticker", (2, 0, 4, 2), 0, (27, 4),
              by_rows=True, categories_row=1),
    ]
    return sheet


def instances(sheet: Sheet) -> dict[str, list]:
    """Every object of each model class that *sheet* holds, by class name."""
    cells = [cell for _, _, cell in sheet.cells()]
    return {"Sheet": [sheet], "Block": sheet.blocks, "Cell": cells,
            "Style": [STYLES[c.style] for c in cells if c.style], "PrintSetup": [sheet.page],
            "Chart": sheet.charts, "Validation": sheet.validations,
            "ConditionalFormat": sheet.conditional_formats, "Borders": sheet.borders}


def defaults(cls) -> dict[str, object]:
    """``{field: default}`` of the fields of *cls* that have one."""
    if not is_dataclass(cls):
        return dict(cls._field_defaults)
    out = {}
    for f in fields(cls):
        if f.default_factory is not MISSING:
            out[f.name] = f.default_factory()
        elif f.default is not MISSING:
            out[f.name] = f.default
    return out


def all_fields() -> set[str]:
    return {f"{cls.__name__}.{name}" for cls in MODEL_CLASSES for name in field_names(cls)}


def failures(checks: dict, rendered) -> list[str]:
    """The fields whose check fails (or cannot read what it looks for) on *rendered*."""
    out = []
    for name, check in sorted(checks.items()):
        try:
            ok = check(rendered)
        except (AttributeError, KeyError, IndexError, TypeError, StopIteration) as exc:
            ok, name = False, f"{name} ({type(exc).__name__}: {exc})"
        if not ok:
            out.append(name)
    return out
