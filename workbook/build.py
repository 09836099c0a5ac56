"""The headless build: data folder -> validated dataset -> sheet models -> file.

Nothing is written before the data has validated, and the target is replaced in one
step (write to a temporary file in the same folder, then ``os.replace``), so a failed
build leaves the previous workbook byte for byte as it was.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator

from xlsxwriter.exceptions import XlsxWriterException

from udfs._excel import gc_paused
from workbook import DATA_DIR, DEFAULT_OUTPUT, PACKAGE_DIR
from workbook.checks import Check, Finding, findings_summary, rating_findings, summary
from workbook.dataset import Dataset, ScaleSet, load_dataset, scales_note
from workbook.locations import record_text
from workbook.model import Sheet
from workbook.provenance import custom_properties, document_date, properties, source_note
from workbook.replacing import Replacement, lock_exists, replace_refused
from workbook.sheets import OWNED, build_sheets, config
from workbook.sheets.key_stocks import ARRAY_THRESHOLD
from workbook.writers.xlsx import WriteError, write_workbook
from workbook.writers.xlsx_rows import WriteStats


def sheet_stats(sheets: list[Sheet]) -> WriteStats:
    """What writing *sheets* writes (:class:`WriteStats`), counted from the models."""
    cells = formulas = arrays = 0
    for sheet in sheets:
        for _, _, c in sheet.cells():
            cells += c.spill[0] * c.spill[1] if c.spill else 1
            formulas += c.formula is not None
            arrays += c.spill is not None
    return WriteStats(cells, formulas, arrays)


#: The stages of a build, in order, as reported to ``timings`` and ``progress``:
#: read + validate the data, sheet models with every cached value, the file writer,
#: and what happens to the written file before it replaces the target.
STAGES = ("load", "compute", "write", "post")


@contextmanager
def _stage(name: str, timings: dict[str, float] | None,
           progress: Callable[[str], None] | None) -> Iterator[None]:
    """Report stage *name* to *progress* as it starts and add its seconds to *timings*.

    The cyclic garbage collector is paused meanwhile (see ``udfs._excel.gc_paused``):
    a stage allocates one small object per cell, none of them in cycles.
    """
    if progress is not None:
        progress(name)
    start = time.perf_counter()
    try:
        with gc_paused():
            yield
    finally:
        if timings is not None:
            timings[name] = timings.get(name, 0.0) + time.perf_counter() - start


#: The VBA project every .xlsm build embeds (xlwings' module, UDF wrappers, ribbon
#: callbacks), generated from ``workbook/vba/*.bas|cls`` by ``tools/make_vba.py``.
VBA_PROJECT = PACKAGE_DIR / "vba" / "vbaProject.bin"


class BuildError(Exception):
    """A build that cannot go on; the message says what to do. Nothing was written."""


#: The extensions a build writes, and whether the file carries the VBA project and the
#: ribbon: Excel refuses to open a file whose extension does not match its content
#: (an .xlsx holding macros, xlsx bytes named .xls, .csv or .ods). The add-in (.xlam)
#: is written by its own command, with the add-in's content type.
WORKBOOK_SUFFIXES = {".xlsm": True, ".xlsx": False}


def check_output_name(path: Path, suffixes: dict[str, bool] | tuple[str, ...] =
                      tuple(WORKBOOK_SUFFIXES)) -> None:
    """Raise :class:`BuildError` unless *path* ends in one of *suffixes* (any case)."""
    if path.suffix.lower() not in suffixes:
        allowed = " or ".join(suffixes)
        given = f"'{path.suffix}'" if path.suffix else "no extension"
        raise BuildError(
            f"{path}: coverbook writes {allowed} files, and Excel refuses to open a "
            f"workbook whose extension does not match its content ({given} here): "
            f"choose an --output ending in {allowed}; nothing was written")


def check_replaceable(path: Path, *, opened_in: str = "Excel",
                      again: str = "build again") -> None:
    """Raise :class:`BuildError` (:func:`replace_refused`, with *opened_in* and
    *again*) if *path* exists and is read-only (its mode has no write bit, or this
    user may not write it; checked on the mode because root may write anything) or
    Excel's lock file is beside it.

    On Windows ``os.replace`` refuses both; on Linux and macOS it would replace the
    file silently (renaming needs only the folder's permission), so the build asks
    first, on every OS. ``--force`` skips this (a stale lock file left by a crash).
    Every command that replaces a file the user may have open (``build``, ``publish``
    and its PDF, ``export``, ``addin build``) asks this.
    """
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    except OSError:  # e.g. a parent that is a file: the write reports it
        return
    read_only = not (mode & 0o222) or not os.access(path, os.W_OK)
    # A link is written through (workbook/replacing.py): Excel's lock file is beside
    # the file it opened, which may be the link's target.
    linked = path.is_symlink() and lock_exists(path.resolve())
    if read_only or lock_exists(path) or linked:
        raise BuildError(replace_refused(path, opened_in=opened_in, again=again))


@dataclass
class BuildResult:
    """What a build wrote and what it found."""

    path: Path
    data: Dataset
    sheets: list[Sheet]
    checks: list[Check]
    #: What the writer counted as it wrote; ``None`` before anything was written
    #: (the counts are then taken from the sheet models).
    written: WriteStats | None = None

    def _stats(self) -> WriteStats:
        if self.written is None:
            self.written = sheet_stats(self.sheets)
        return self.written

    @property
    def n_cells(self) -> int:
        """Cells written, every cell of an array formula's spill area included."""
        return self._stats().cells

    @property
    def n_formulas(self) -> int:
        """Formulas written; an array formula counts once (it is one formula)."""
        return self._stats().formulas

    @property
    def n_array_formulas(self) -> int:
        return self._stats().array_formulas

    @property
    def ok(self) -> bool:
        """Every check passed; findings do not count (see ``workbook/checks.py``)."""
        return all(c.passed for c in self.checks)

    @property
    def findings(self) -> list[Finding]:
        """Published ratings other than the one their target price implies."""
        return rating_findings(self.data)

    def notes(self) -> list[str]:
        """One line each for what the analyst may want to know about the data folder:
        settings without a ``source`` (what to add), the scales its own
        ``rating_scales.toml`` replaces or adds, and the stocks whose close is older
        than ``max_close_age_days``. Not problems: the exit code ignores them."""
        own = ScaleSet(self.data.scales, self.data.replaced_scales, self.data.added_scales)
        return [n for n in (source_note(self.data), scales_note(own),
                            stale_closes_note(self.data)) if n]

    def report(self) -> str:
        """The summary the command prints: sheets, cells, formulas, the checks, the
        findings and the :meth:`notes`."""
        names = ", ".join(s.name for s in self.sheets)
        findings = self.findings
        arrays = (f" ({self.n_array_formulas} array formulas)" if self.n_array_formulas
                  else "")
        return "\n".join([
            f"wrote {self.path}",
            f"sheets {len(self.sheets)} ({names}); cells {self.n_cells}; "
            f"formulas {self.n_formulas}{arrays}",
            summary(self.checks),
            findings_summary(self.data, findings) + ("; listed on 核对" if findings else ""),
            *self.notes()])


#: Stale stocks named in the build report before "… and N more".
STALE_SHOWN = 10


def stale_closes_note(data: Dataset) -> str | None:
    """The report line listing the stocks whose close date is more than
    ``max_close_age_days`` (settings.toml) calendar days before ``as_of``
    (``closes older than 7 days before as_of 2024-09-24: 300308.SZ 2024-09-02``), or
    ``None`` when every close is recent enough."""
    limit = data.settings.max_close_age_days
    stale = [s for s in data.coverage.stocks if (data.as_of - s.close_date).days > limit]
    if not stale:
        return None
    shown = ", ".join(f"{s.code} {s.close_date}" for s in stale[:STALE_SHOWN])
    more = f" … and {len(stale) - STALE_SHOWN} more" if len(stale) > STALE_SHOWN else ""
    return (f"closes older than {limit} days before as_of {data.as_of} "
            f"({len(stale)} stock{'s' * (len(stale) != 1)}): {shown}{more}; import newer "
            "closes (coverbook prices import) or set max_close_age_days in settings.toml")


def existing_user_sheets(path: Path) -> list[str]:
    """Names of sheets in the workbook at *path* that coverbook does not own."""
    from python_calamine import CalamineWorkbook

    try:
        names = CalamineWorkbook.from_path(str(path)).sheet_names
    except Exception as exc:  # a file calamine cannot read is not ours to overwrite
        raise BuildError(f"{path}: exists but cannot be read as a workbook ({exc}); "
                         "move it away or pass --force to overwrite it") from exc
    return [n for n in names if n not in OWNED]


def workbook_parts(path: Path, data: Dataset) -> dict[str, Any]:
    """What a workbook named *path* holds besides its sheets, as keyword arguments of
    ``write_workbook``: the document properties of *data* and, for an .xlsm, the VBA
    project and the ribbon (macros live only in .xlsm: Excel refuses an .xlsx that
    holds a VBA project)."""
    macro_enabled = WORKBOOK_SUFFIXES.get(path.suffix.lower(), False)
    return {"properties": properties(data), "custom_properties": custom_properties(data),
            "vba_project": VBA_PROJECT if macro_enabled else None, "ribbon": macro_enabled}


def write_atomic(path: Path, sheets: list[Sheet], data: Dataset, *,
                 timings: dict[str, float] | None = None,
                 progress: Callable[[str], None] | None = None) -> WriteStats:
    """Write the workbook to a temporary file beside *path*, then replace *path*;
    return what was written. *timings*/*progress*: see :func:`build`.

    The replace is one ``os.replace`` (atomic on POSIX and on NTFS), done only after
    the writer has closed a complete file; on any failure the temporary files are
    removed and *path* is left as it was (:class:`workbook.replacing.Replacement`,
    which also says where temporary files go and how a killed build's are cleaned
    up). Failures the user can act on (a locked or read-only target, a full disk)
    raise :class:`BuildError` saying what to do.
    """
    try:
        with Replacement(path, error=BuildError) as new:
            with _stage("write", timings, progress):
                stats = write_workbook(new.tmp, sheets, **workbook_parts(path, data))
            with _stage("post", timings, progress):
                new.commit()
    except WriteError as exc:
        raise BuildError(f"{path}: not written: {exc}; the previous file is "
                         "unchanged") from exc
    except (OSError, XlsxWriterException) as exc:
        raise BuildError(f"{path}: cannot write ({exc}); the previous file is unchanged; "
                         "free some disk space or choose another --output and build again"
                         ) from exc
    return stats


def load_for(output: Path, data_dir: Path | str, *, force: bool = False,
             timings: dict[str, float] | None = None,
             progress: Callable[[str], None] | None = None) -> Dataset:
    """The validated dataset of *data_dir*, once it is clear that a workbook written
    from it may replace *output*: the checks every command that writes a workbook
    makes before writing anything (see :func:`build`): valid data, no sheets of the
    user's in *output*, not read-only and no Excel lock file beside it (unless
    *force*). Raises ``DataErrors`` or :class:`BuildError`."""
    with _stage("load", timings, progress):
        data = load_dataset(data_dir)
    try:
        document_date(data)  # a bad SOURCE_DATE_EPOCH stops the build before writing
    except ValueError as exc:
        raise BuildError(str(exc)) from exc
    if output.exists() and not force:
        foreign = existing_user_sheets(output)
        if foreign:
            raise BuildError(
                f"{output}: holds sheets coverbook does not own ({', '.join(foreign)}); "
                "a build would drop them. Move them to another workbook, use Refresh in "
                "Excel (it keeps them), or pass --force to overwrite.")
        check_replaceable(output)
    return data


def workbook_sheets(data: Dataset, data_dir: Path | str, output: Path,
                    array_threshold: int = ARRAY_THRESHOLD) -> tuple[list[Sheet], list[Check]]:
    """The sheet models and checks of the workbook *output* built from *data* (read
    from *data_dir*): what ``build`` writes and ``build --check`` compares, its
    ``xlwings.conf`` recording *data_dir* relative to *output* and holding the
    ``PYTHONPATH`` row only in the checkout's own workbook."""
    return build_sheets(data, array_threshold=array_threshold,
                        recorded=record_text(data_dir, output),
                        python_path=config.in_checkout(output))


def build(data_dir: Path | str = DATA_DIR, output: Path | str = DEFAULT_OUTPUT, *,
          force: bool = False, array_threshold: int = ARRAY_THRESHOLD,
          timings: dict[str, float] | None = None,
          progress: Callable[[str], None] | None = None) -> BuildResult:
    """Build the workbook at *output* from the data files in *data_dir*.

    Raises ``DataErrors`` (every problem with file, row and column, including data
    Excel's limits cannot hold) or :class:`BuildError`; in both cases nothing is
    written. *output* must end in ``.xlsm`` or ``.xlsx``. An existing *output* that
    holds sheets coverbook does not own, is read-only or has Excel's lock file beside
    it is refused unless *force* (the headless build rewrites the whole file; Refresh
    in Excel keeps user sheets).

    Key-stocks tables of more than *array_threshold* stocks are written as one
    array formula per year column (0: always). *timings*, if given, receives the
    seconds spent in each of :data:`STAGES`; *progress* is called with each stage's
    name as it starts (the command's progress bar; the library prints nothing).

    The workbook records *data_dir* on its ``xlwings.conf`` sheet, relative to its own
    folder where possible (``workbook.locations.record_text``).
    """
    output = Path(output)
    check_output_name(output)
    data = load_for(output, data_dir, force=force, timings=timings, progress=progress)
    with _stage("compute", timings, progress):
        sheets, checks = workbook_sheets(data, data_dir, output, array_threshold)
    written = write_atomic(output, sheets, data, timings=timings, progress=progress)
    return BuildResult(output, data, sheets, checks, written)
