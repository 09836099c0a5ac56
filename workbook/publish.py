"""``coverbook publish``: the workbook for recipients without Python.

Same data, checks and sheet models as :func:`workbook.build.build`, rendered by the
values-only engine (``workbook/writers/values.py``) and written by the same file
writer under the same rules: nothing is written unless the data validates and the
target may be replaced (:func:`workbook.build.load_for`), and the file replaces the
target in one step (:func:`workbook.build.write_atomic`). With *pdf*, LibreOffice
prints the published file (never a workbook with formulas) to a PDF, which replaces
its target in one step as well.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from workbook import DATA_DIR
from workbook.build import BuildError, BuildResult, _stage, load_for, write_atomic
from workbook.provenance import provenance
from workbook.sheets import build_sheets
from workbook.sheets.key_stocks import ARRAY_THRESHOLD
from workbook.writers.values import values_only

#: Where ``coverbook publish`` writes unless told otherwise (the current folder).
DEFAULT_PUBLISHED = Path("coverbook-values.xlsx")
#: The stages of a publish, as reported to ``timings`` and ``progress``: the build's,
#: then the PDF (only with *pdf*).
STAGES = ("load", "compute", "write", "post", "pdf")


@dataclass
class PublishResult(BuildResult):
    """What a publish wrote (``path``, the ``.xlsx``; ``pdf`` if asked) and the checks."""

    pdf: Path | None = None

    def report(self) -> str:
        return super().report() + (f"\nwrote {self.pdf}" if self.pdf else "")


def publish(data_dir: Path | str = DATA_DIR, output: Path | str = DEFAULT_PUBLISHED, *,
            pdf: Path | str | None = None, force: bool = False,
            array_threshold: int = ARRAY_THRESHOLD,
            timings: dict[str, float] | None = None,
            progress: Callable[[str], None] | None = None) -> PublishResult:
    """Write the values-only workbook of the data in *data_dir* to *output* (an
    ``.xlsx``) and, with *pdf*, its PDF (needs LibreOffice). The settings'
    ``disclaimer``, if any, is printed at the foot of every sheet of both.

    Raises ``DataErrors`` or :class:`~workbook.build.BuildError` (nothing written;
    also for an *output* not ending in ``.xlsx``, or a *pdf* not ending in ``.pdf``,
    whose folder is a file, or that is read-only or has a lock file beside it unless
    *force*), ``ExportError`` when *pdf* is asked and LibreOffice is not found
    (nothing written: the analyst asked for both files), or ``ExportError`` with
    ``written`` True when LibreOffice fails on the conversion (the ``.xlsx`` is
    written then, the PDF is not). *array_threshold*, *timings* and *progress* as
    for :func:`~workbook.build.build`; the layout of the models does not change the
    published file.
    """
    output = Path(output)
    if output.suffix.lower() != ".xlsx":
        raise BuildError(f"{output}: the published workbook must be an .xlsx file (no "
                         "macros, so mail filters let it through); choose a name ending "
                         "in .xlsx, or use 'coverbook build' for the live .xlsm")
    pdf = Path(pdf) if pdf is not None else None
    if pdf is not None:
        from workbook.export import ExportError, check_pdf_target, soffice

        # Name, folder and (unless --force) read-only or locked, all before anything
        # is written, the .xlsx included.
        check_pdf_target(pdf, force=force, again="publish again")
        try:
            soffice()  # LibreOffice missing: refused before anything is written
        except ExportError as exc:
            raise ExportError(f"{exc}; nothing was written (publish without --pdf "
                              "writes the workbook alone)") from exc
    data = load_for(output, data_dir, force=force, timings=timings, progress=progress)
    with _stage("compute", timings, progress):
        sheets, checks = build_sheets(data, array_threshold=array_threshold)
        published = values_only(sheets, provenance(data).values_banner(),
                                data.settings.disclaimer)
    written = write_atomic(output, published, data, timings=timings, progress=progress)
    result = PublishResult(output, data, published, checks, written)
    if pdf is not None:
        with _stage("pdf", timings, progress):
            from workbook.export import print_pdf

            try:
                result.pdf = print_pdf(output, pdf)
            except ExportError as exc:
                exc.written = output
                raise
    return result
