"""The reference tables the UDFs look up: token prices and rating scales.

By default they come from the data folder named by the environment variable
``COVERBOOK_DATA`` or, without it, the shipped ``workbook/data``. The build and the
Refresh macro install the dataset they have just validated with :func:`use_dataset`,
so cached values and live values come from the same files.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from typing import Iterator

from workbook.dataset import Dataset, load_dataset

_active: Dataset | None = None


def dataset() -> Dataset:
    """The dataset the UDFs use now (loaded on first use; raises ``DataErrors``)."""
    global _active
    if _active is None:
        folder = os.environ.get("COVERBOOK_DATA")
        _active = load_dataset(folder) if folder else load_dataset()
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
