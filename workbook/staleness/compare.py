"""The check itself: render the workbook in memory as ``coverbook build`` does and
compare its bytes with the file on disk as they are handed over (:func:`check`); when
they differ, :mod:`workbook.staleness.locate` names the first differing cell. See
:mod:`workbook.staleness`."""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO, Callable

from xlsxwriter.exceptions import XlsxWriterException

from workbook.build import (BuildError, BuildResult, _stage, check_output_name, load_for,
                            workbook_parts, workbook_sheets)
from workbook.sheets.key_stocks import ARRAY_THRESHOLD
from workbook.staleness.locate import CHUNK, first_difference
from workbook.writers.xlsx import WriteError, write_workbook

#: The stages of a check, as reported to ``timings`` and ``progress``: load and
#: compute as in a build, write = render the workbook and compare it with the file
#: on disk, locate = find the first differing cell (only when the file is stale).
STAGES = ("load", "compute", "write", "locate")


class _Comparer:
    """A binary sink that compares what is written to it with the file *disk*, chunk
    by chunk, and stops comparing at the first difference. What it was given is kept
    (the object itself, not a copy) to locate the difference afterwards."""

    def __init__(self, disk: BinaryIO):
        self.disk = disk
        self.equal = True
        self.written: bytes | memoryview | None = None

    def write(self, data) -> int:
        view = memoryview(data)
        pos = 0
        while self.equal and pos < len(view):
            chunk = view[pos:pos + CHUNK]
            if self.disk.read(len(chunk)) != chunk:
                self.equal = False
            pos += len(chunk)
        self.written = data
        return len(view)

    def same(self) -> bool:
        """Everything written equals the file, and the file holds nothing more."""
        return self.equal and self.disk.read(1) == b""


def check(data_dir: Path | str, path: Path | str, *,
          array_threshold: int = ARRAY_THRESHOLD,
          timings: dict[str, float] | None = None,
          progress: Callable[[str], None] | None = None) -> tuple[str | None, BuildResult]:
    """``(None, result)`` if *path* equals what a build from *data_dir* would write,
    else ``(difference, result)``; *result* holds the checks against the report
    (for a stale file no sheet models: they are released before locating).
    Writes nothing beside the workbook. Raises what :func:`workbook.build.build` raises before writing
    (``DataErrors``, :class:`~workbook.build.BuildError`). *timings*/*progress*: as for
    ``build``, over :data:`STAGES`."""
    path = Path(path)
    check_output_name(path)  # named as the user gave it
    data = load_for(path, data_dir, force=True, timings=timings, progress=progress)
    with _stage("compute", timings, progress):
        sheets, checks = workbook_sheets(data, data_dir, path, array_threshold)
    result = BuildResult(path, data, sheets, checks)
    if not path.exists():
        return f"{path} does not exist", result
    try:
        disk = open(path, "rb")
    except OSError as exc:
        return f"{path} is not a readable workbook ({exc})", result
    with disk:
        sink = _Comparer(disk)
        try:
            with _stage("write", timings, progress):
                result.written = write_workbook(sink, sheets, **workbook_parts(path, data))
                if sink.same():
                    return None, result
        except (WriteError, XlsxWriterException) as exc:
            raise BuildError(f"{path}: the data cannot be built ({exc}); nothing was "
                             "written") from exc
        except OSError as exc:
            raise BuildError(f"{path}: cannot check ({exc}); free some disk space (the "
                             "writer needs temporary files) and check again") from exc
    assert sink.written is not None
    # Locating compares the two files, not the models: the sheet models (most of a
    # large build's memory) are released first, before the fresh bytes are copied,
    # so a stale check stays within a build's memory. The result keeps the checks
    # and the written counts.
    result.sheets = []
    del sheets
    written, sink.written = sink.written, None
    # A BytesIO made from bytes shares them until written to: no second copy of the
    # workbook (the writer hands over bytes, see write_workbook).
    fresh = io.BytesIO(written if isinstance(written, bytes) else bytes(written))
    del written
    with _stage("locate", timings, progress):
        return locate(path, fresh), result


#: What reading a damaged workbook raises: not a zip (or cut short), a part missing,
#: compressed data that does not inflate (``zlib.error``) or ends early
#: (``EOFError``), XML that is not well-formed (``ParseError``, a ``SyntaxError``), a value that is not
#: what its cell type says (``ValueError``), a file that cannot be read (``OSError``).
DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, SyntaxError, KeyError, ValueError,
           OSError)


def locate(path: Path, fresh: BinaryIO) -> str:
    """Where the workbook at *path* (known to differ from *fresh*) first differs, in
    words: :func:`~workbook.staleness.locate.first_difference`, else why not.

    A damaged file is "cannot be read: <why>". Locating reads cells with openpyxl's
    private reader (``staleness/locate.py``; openpyxl is pinned exactly in
    ``pyproject.toml`` for it); if another openpyxl changed that reader, the answer is
    the plain "stale" one, without the cell, rather than a traceback."""
    try:
        return first_difference(path, fresh)
    except DAMAGED as exc:
        if isinstance(exc, zlib.error):
            why = f"its compressed data is damaged ({exc})"
        elif isinstance(exc, SyntaxError):
            why = f"an XML part is damaged or cut short ({exc})"
        else:
            why = str(exc) or type(exc).__name__
        return f"cannot be read: {why}"
    except Exception as exc:  # noqa: BLE001 - openpyxl's internals, see above
        return ("its bytes differ from what the data builds (the first differing cell "
                f"could not be located: {type(exc).__name__}: {exc})")
