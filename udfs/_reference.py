"""The reference tables the UDFs look up: token prices, FX rates, the as-of date of the
settings, rating scales.

They come from the data folder of the rule in ``workbook.locations``: a UDF called
from a workbook (xlwings hands it the calling cell as its ``caller`` argument) uses
the folder that workbook records (read from its saved file, never from its cells
during a calculation: :func:`caller_workbook`), else ``COVERBOOK_DATA``, else that
key in ``coverbook.conf``, else the shipped data; a direct call (no caller) starts
at ``COVERBOOK_DATA``. Each folder is loaded as a whole and cached: it is read again
only when one of its data files changes (modification time, size or file replaced),
and a folder that fails validation is cached the same way, so a sheet full of UDFs
over broken data reads the files once, not once per cell.

UDFs never raise: while the folder is invalid, :func:`dataset_or_error` gives the
error value every UDF that needs data returns, naming the first problem
(``#N/A data: rating_scales.toml:43:upper: …``).

The build installs the dataset it has just validated with :func:`use_dataset`, so
cached values and live values come from the same files; the Refresh macro hands its
fresh dataset to the cache of its folder (:func:`remember_dataset`), so UDFs of other
workbooks, recording other folders, are not affected.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from workbook.dataset import DATA_FILES, SHIPPED_SCALES, Dataset, DataErrors, load_dataset
from workbook.locations import DataFolderError, DataLocation, resolve_data, synced_file

#: A dataset installed by the build (or a test); wins over every folder while set.
_active: Dataset | None = None
#: The last load of each data folder: {folder: (signature of its files, the dataset
#: or the errors it raised)}.
_cached: dict[Path, tuple[tuple, Dataset | DataErrors]] = {}
#: The folder of the last load whose errors :func:`data_error` may name.
_last_folder: Path | None = None


def _signature(folder: Path) -> tuple:
    """What tells a changed data file from an unchanged one, for every file the loader
    reads (the data folder's :data:`DATA_FILES`, then the rating scales coverbook
    ships, which are not in the folder): modification time (ns), size and inode;
    ``None`` for a missing file."""
    signature = []
    for path in (*(folder / name for name in DATA_FILES), SHIPPED_SCALES):
        try:
            st = os.stat(path)
        except OSError:
            signature.append(None)
        else:
            signature.append((st.st_mtime_ns, st.st_size, st.st_ino))
    return tuple(signature)


def caller_workbook(caller) -> Path | None:
    """The saved file of the workbook *caller* (the calling cell xlwings passes, an
    ``xlwings.Range``) is in: its full name (``caller.sheet.book.fullname``, the one
    thing read from it), a OneDrive/SharePoint URL mapped to the synced local file by
    xlwings' own ``fullname_url_to_local_path``; ``None`` without a caller, for a
    workbook never saved, or a URL xlwings cannot map (the UDF then uses the next
    rule: ``COVERBOOK_DATA``)."""
    if caller is None:
        return None
    try:
        fullname = str(caller.sheet.book.fullname)
    except Exception:  # an engine or object without a full name
        return None
    return workbook_file(fullname)


def workbook_file(fullname: str) -> Path | None:
    """The local file of a workbook whose full name (Excel's ``FullName``) is
    *fullname*: itself if it is an absolute path; a OneDrive/SharePoint URL mapped to
    the synced file by xlwings' ``fullname_url_to_local_path``; ``None`` for a name
    without a folder (a workbook never saved; xlwings' remote engine) or a URL xlwings
    cannot map."""
    if "://" in fullname:
        try:
            return synced_file(fullname)
        except ValueError:  # not synced, or not a OneDrive/SharePoint URL
            return None
    path = Path(fullname)
    return path if path.is_absolute() else None


def locate(caller=None) -> DataLocation:
    """The data folder a UDF called from *caller* uses, and why (``resolve_data``
    without ``--data`` or a project). Raises ``DataFolderError`` for a recorded folder
    that does not exist."""
    return resolve_data(None, caller_workbook(caller))


def _load(caller=None) -> Dataset | DataErrors | str:
    """The installed dataset, else the data folder's dataset or its errors, read again
    only if a data file changed since the last read; the error value for a recorded
    folder that does not exist."""
    global _last_folder
    if _active is not None:
        return _active
    try:
        folder = locate(caller).path
    except DataFolderError as exc:
        return f"#N/A data: {exc}"
    signature = _signature(folder)
    cached = _cached.get(folder)
    if cached is None or cached[0] != signature:
        try:
            result: Dataset | DataErrors = load_dataset(folder)
        except DataErrors as exc:
            result = exc
        cached = _cached[folder] = (signature, result)
    _last_folder = folder
    return cached[1]


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
        return f"#N/A data: {_last_folder or 'the data folder'}: {first.message}"
    return (f"#N/A data: {first}"
            + (f" (and {more} more problem(s); coverbook build lists them)" if more else ""))


def dataset_or_error(caller=None) -> Dataset | str:
    """The dataset a UDF called from *caller* (xlwings' calling cell; ``None`` for a
    direct call) uses now, or, while that data folder is invalid or a recorded one
    does not exist, the error value to return (see :func:`data_error`). Never
    raises."""
    result = _load(caller)
    return data_error(result) if isinstance(result, DataErrors) else result


def set_dataset(data: Dataset | None) -> None:
    """Make *data* the UDFs' dataset for every workbook; ``None`` goes back to the
    data folders, read afresh on next use."""
    global _active
    _active = data
    _cached.clear()


def remember_dataset(folder: Path | str, data: Dataset) -> None:
    """Cache *data* as what *folder* holds now (Refresh has just loaded it), so the
    UDFs of the workbooks using *folder* recalculate from it without reading the
    files again."""
    folder = Path(folder)
    _cached[folder] = (_signature(folder), data)


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
