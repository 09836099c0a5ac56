"""The reference tables the UDFs look up: token prices, FX rates, the as-of date of the
settings, rating scales.

By default they come from the data folder of ``workbook.locations.data_folder()``
(``COVERBOOK_DATA``, else that key in ``coverbook.conf``, else the shipped data). The
folder is loaded as a whole and cached: it is read again only when one of its data
files changes (modification time, size or file replaced), and a folder that fails
validation is cached the same way, so a sheet full of UDFs over broken data reads
the files once, not once per cell.

UDFs never raise: while the folder is invalid, :func:`dataset_or_error` gives the
error value every UDF that needs data returns, naming the first problem
(``#N/A data: rating_scales.toml:43:upper: …``).

The build and the Refresh macro install the dataset they have just validated with
:func:`use_dataset` / :func:`set_dataset`, so cached values and live values come from
the same files.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from workbook.dataset import DATA_FILES, Dataset, DataErrors, load_dataset
from workbook.locations import data_folder

#: A dataset installed by the build or Refresh; wins over the folder while set.
_active: Dataset | None = None
#: The last load of the data folder: (folder, signature of its files, the dataset or
#: the errors it raised).
_cached: tuple[Path, tuple, Dataset | DataErrors] | None = None


def _signature(folder: Path) -> tuple:
    """What tells a changed data file from an unchanged one, for every file the loader
    reads: modification time (ns), size and inode; ``None`` for a missing file."""
    signature = []
    for name in DATA_FILES:
        try:
            st = os.stat(folder / name)
        except OSError:
            signature.append(None)
        else:
            signature.append((st.st_mtime_ns, st.st_size, st.st_ino))
    return tuple(signature)


def _load() -> Dataset | DataErrors:
    """The installed dataset, else the data folder's dataset or its errors, read again
    only if a data file changed since the last read."""
    global _cached
    if _active is not None:
        return _active
    folder = data_folder()
    signature = _signature(folder)
    if _cached is None or _cached[0] != folder or _cached[1] != signature:
        try:
            result: Dataset | DataErrors = load_dataset(folder)
        except DataErrors as exc:
            result = exc
        _cached = (folder, signature, result)
    return _cached[2]


#: The longest text a cell holds (Excel's limit, in characters): a data error value is
#: cut to it (a problem quoting a 40,000-character value would not fit a cell).
CELL_TEXT_LIMIT = 32767


def data_error(exc: DataErrors) -> str:
    """The UDF result while the data folder is invalid: ``#N/A data: `` and the first
    problem as ``file:row:column: message``, with the count of the others; at most
    :data:`CELL_TEXT_LIMIT` characters (cut with ``…``)."""
    text = _data_error(exc)
    return text if len(text) <= CELL_TEXT_LIMIT else text[:CELL_TEXT_LIMIT - 1] + "…"


def _data_error(exc: DataErrors) -> str:
    if not exc.errors:
        return "#N/A data: the data folder is invalid"
    first = exc.errors[0]
    more = len(exc.errors) - 1
    if not first.file:  # a problem of the folder itself: name it
        return f"#N/A data: {_cached[0] if _cached else 'the data folder'}: {first.message}"
    return (f"#N/A data: {first}"
            + (f" (and {more} more problem(s); coverbook build lists them)" if more else ""))


def dataset_or_error() -> Dataset | str:
    """The dataset the UDFs use now, or, while the data folder is invalid, the error
    value to return (see :func:`data_error`). Never raises ``DataErrors``."""
    result = _load()
    return data_error(result) if isinstance(result, DataErrors) else result


def dataset() -> Dataset:
    """The dataset the UDFs use now (loaded on first use; raises ``DataErrors`` while
    the data folder is invalid: UDFs call :func:`dataset_or_error` instead)."""
    result = _load()
    if isinstance(result, DataErrors):
        raise result
    return result


def set_dataset(data: Dataset | None) -> None:
    """Make *data* the UDFs' dataset; ``None`` goes back to the data folder, read
    afresh on next use."""
    global _active, _cached
    _active = data
    _cached = None


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
