"""A book of xlwings' *remote* engine built from a workbook's cached values (read with
python-calamine), with a user sheet among coverbook's: what Refresh runs against in
tests. Its writes are recorded as the actions an Excel client would carry out
(:func:`actions`). The engine itself is started by the ``remote`` fixture
(tests/conftest.py), under xlwings.pro's noncommercial licence."""

from __future__ import annotations

import datetime as dt

import xlwings as xw
from python_calamine import CalamineWorkbook

from workbook.dataset import load_dataset
from workbook.sheets import build_sheets
from workbook.writers import live

USER_SHEET = "My notes 我的笔记"
#: The remote engine's client: Office.js, the one whose callbacks include data
#: validation (xlwings' remote engine refuses validation actions for the others).
CLIENT = "Office.js"


def _plain(v):
    if isinstance(v, (dt.date, dt.datetime)):
        return live.excel_serial(v)
    return v


def open_book(built_path, user_position=2, name="coverbook.xlsm"):
    """A remote-engine book holding the built sheets' cached values, with a user sheet
    inserted among them. *name*: the book's name, which the remote engine also gives
    as its full name (a full path makes it a saved workbook in that folder)."""
    wb = CalamineWorkbook.from_path(str(built_path))
    charts = {n: [{"name": c.name, "chart_type": "XYScatterLinesNoMarkers", "left": 0,
                   "top": 0, "width": c.size[0], "height": c.size[1]} for c in s.charts]
              for n, s in ((s.name, s) for s in build_sheets(load_dataset())[0])}
    sheets = [{"name": n, "values": [[_plain(v) for v in row] for row in
                                     wb.get_sheet_by_name(n).to_python(skip_empty_area=False)],
               "pictures": [], "tables": [], "charts": charts.get(n, [])}
              for n in wb.sheet_names]
    sheets.insert(user_position, {"name": USER_SHEET,
                                  "values": [["=not a formula", 42.0]],
                                  "pictures": [], "tables": [],
                                  "charts": [{"name": "My chart", "chart_type": "Line",
                                              "left": 0, "top": 0, "width": 100,
                                              "height": 100}]})
    payload = {"client": CLIENT, "version": xw.__version__,
               "book": {"name": str(name), "active_sheet_index": 0, "selection": "A1"},
               "names": [], "sheets": sheets}
    return xw.Book(json=payload)


def recorded_cell(path):
    """Column B of the ``COVERBOOK_DATA`` row of *path*'s xlwings.conf sheet, read with
    python-calamine (``None`` without one)."""
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("xlwings.conf").to_python()
    return next((r[1] for r in rows if r[0] == "COVERBOOK_DATA"), None)

def actions(book):
    """The actions the remote engine recorded for *book*, in order (dicts with
    ``func``, ``args``, ``sheet_position``, ``start_row``, ...)."""
    return book.json()["actions"]
