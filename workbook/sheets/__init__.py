"""The sheets coverbook owns, one module each; :func:`build_sheets` orders them.

Adding a sheet means adding a module with ``NAME`` and ``build()`` here and its name
to :data:`OWNED`; the writers take whatever models this returns. Which sheets a
workbook has depends on its data: the token sheets only with token prices
(:func:`sheet_names`). A sheet with input
cells (``Sheet.add_inputs``) takes what is typed in them as ``build(data, inputs)``.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from udfs._reference import use_dataset
from workbook.checks import Check, all_checks
from workbook.dataset import Dataset
from workbook.model import Sheet
from workbook.sheets import (checks, config, key_stocks, limits, ratings, token_prices,
                             token_scenarios)

#: Names of the sheets coverbook owns (rewritten by build and Refresh); any other
#: sheet in a workbook is the user's and is left alone. A workbook has those of
#: :func:`sheet_names`.
OWNED = (key_stocks.NAME, ratings.NAME, token_prices.NAME, token_scenarios.NAME,
         checks.NAME, config.NAME)
#: The sheets only data with token prices (``token_prices.csv``) has.
TOKEN_SHEETS = (token_prices.NAME, token_scenarios.NAME)


def sheet_names(data: Dataset) -> tuple[str, ...]:
    """The sheets a workbook of *data* has, in order: all of :data:`OWNED`, without
    :data:`TOKEN_SHEETS` for an equity-only project (no ``token_prices.csv``): no
    empty shells, and Refresh adds none."""
    return tuple(n for n in OWNED if data.has_tokens or n not in TOKEN_SHEETS)


def build_sheets(data: Dataset, *, array_threshold: int = key_stocks.ARRAY_THRESHOLD,
                 inputs: Mapping[str, Mapping[tuple[int, int], Any]] | None = None,
                 recorded: str | None = None, python_path: bool = True
                 ) -> tuple[list[Sheet], list[Check]]:
    """The sheet models for *data*, in workbook order, and the checks they show.

    The UDFs compute every cached value against *data* (not the shipped files).
    Raises ``DataErrors`` for data beyond one of Excel's limits (:mod:`.limits`),
    before anything is written.
    Key-stocks tables of more than *array_threshold* stocks get the array layout
    (see :mod:`workbook.sheets.key_stocks`). *inputs*: ``{sheet name: {(row, col):
    value}}`` read from an open workbook (Refresh); the sheets with input cells
    compute their cached values from what is typed there (defaults otherwise).
    *recorded*: the data folder the workbook records on its ``xlwings.conf`` sheet
    (``workbook.locations.record_text``; ``None``: no row); *python_path*: whether
    it has the ``PYTHONPATH`` row (``config.settings``).
    """
    inputs = inputs or {}
    limits.check_extent(data)  # raises DataErrors: a table too large is never built
    with use_dataset(data):
        results = all_checks(data)
        builders: dict[str, Callable[[], Sheet]] = {
            key_stocks.NAME: lambda: key_stocks.build(data, array_threshold,
                                                      inputs.get(key_stocks.NAME)),
            ratings.NAME: lambda: ratings.build(data),
            token_prices.NAME: lambda: token_prices.build(data, inputs.get(token_prices.NAME)),
            token_scenarios.NAME: lambda: token_scenarios.build(
                data, inputs.get(token_scenarios.NAME)),
            checks.NAME: lambda: checks.build(
                data, results, key_stocks.rating_inputs(data, inputs.get(key_stocks.NAME))),
            config.NAME: lambda: config.build(recorded, python_path),
        }
        sheets = [builders[name]() for name in sheet_names(data)]
    limits.check_cells(data, sheets, results)  # every cell within Excel's limits
    return sheets, results
