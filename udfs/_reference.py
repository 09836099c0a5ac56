"""The reference tables the UDFs look up: token prices, FX rates, the as-of date of the
settings, rating scales.

By default they come from the data folder of ``workbook.locations.data_folder()``
(``COVERBOOK_DATA``, else that key in ``coverbook.conf``, else the shipped data). The build and the
Refresh macro install the dataset they have just validated with :func:`use_dataset`,
so cached values and live values come from the same files.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from workbook.dataset import Dataset, load_dataset
from workbook.locations import data_folder

_active: Dataset | None = None


def dataset() -> Dataset:
    """The dataset the UDFs use now (loaded on first use; raises ``DataErrors``)."""
    global _active
    if _active is None:
        _active = load_dataset(data_folder())
    return _active


def set_dataset(data: Dataset | None) -> None:
    """Make *data* the UDFs' dataset; ``None`` reloads from the data folder on next use."""
    global _active
    _active = data


@contextmanager
def use_dataset(data: Dataset) -> Iterator[Dataset]:
    """Within the block the UDFs use *data*; the previous dataset is restored after."""
    global _active
    previous = _active
    _active = data
    try:
        yield data
    finally:
        _active = previous
