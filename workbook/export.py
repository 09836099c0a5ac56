"""Exports through LibreOffice headless: a PDF of the key-stocks table, CSV per sheet.

A PDF is always printed from a values-only workbook (``workbook/writers/values.py``),
never from one with formulas: LibreOffice recalculates on load every array formula
and every formula whose cached value is empty or an error, and it has no coverbook
UDFs, so a workbook with formulas could print ``#NAME?``. LibreOffice is Debian's
``libreoffice-calc-nogui``.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from udfs._reference import use_dataset
from workbook.dataset import Dataset
from workbook.provenance import custom_properties, properties, provenance
from workbook.sheets import key_stocks, limits
from workbook.writers.values import values_only
from workbook.writers.xlsx import WriteError, write_workbook

#: LibreOffice's CSV filter options: comma, double quote, UTF-8 (76), from line 1,
#: default cell format, no language, quoted text not as text, detect special numbers,
#: cells "as shown" (number formats applied: P/E as 56.13), no formulas, keep spaces,
#: every sheet to its own file (-1).
CSV_FILTER = "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,true,false,false,-1"
#: Seconds one LibreOffice conversion may take before it is stopped.
TIMEOUT = 180


class ExportError(Exception):
    """LibreOffice is missing or a conversion failed; the message says which."""


def soffice() -> str:
    """Path of the LibreOffice executable, or :class:`ExportError` saying how to install."""
    for name in ("soffice", "libreoffice"):
        path = shutil.which(name)
        if path:
            return path
    raise ExportError("LibreOffice not found: install it (Debian/Ubuntu: "
                      "apt-get install libreoffice-calc-nogui)")


def convert(source: Path, target_format: str, outdir: Path) -> list[Path]:
    """Convert *source* with LibreOffice headless into *outdir*; returns the new files."""
    outdir.mkdir(parents=True, exist_ok=True)
    before = set(outdir.iterdir())
    with tempfile.TemporaryDirectory(prefix="coverbook-lo-") as profile:
        # A private profile: conversions do not collide with a running LibreOffice.
        cmd = [soffice(), "--headless", "--norestore", "--nolockcheck",
               f"-env:UserInstallation={Path(profile).as_uri()}",
               "--convert-to", target_format, "--outdir", str(outdir), str(source)]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT,
                                  env={**os.environ, "SAL_USE_VCLPLUGIN": "svp"})
        except subprocess.TimeoutExpired as exc:
            raise ExportError(f"LibreOffice took over {TIMEOUT}s converting {source}") from exc
    made = sorted(set(outdir.iterdir()) - before)
    if proc.returncode != 0 or not made:
        raise ExportError(f"LibreOffice could not convert {source} to {target_format}: "
                          f"{(proc.stderr or proc.stdout).strip()}")
    return made


def export_csv(workbook: Path, outdir: Path) -> dict[str, Path]:
    """One CSV per sheet of *workbook*, values as shown: ``{sheet name: path}``."""
    made = convert(workbook, CSV_FILTER, outdir)
    prefix = workbook.stem + "-"
    return {p.stem[len(prefix):]: p for p in made if p.stem.startswith(prefix)}


def print_pdf(workbook: Path, pdf: Path) -> Path:
    """Print every sheet of *workbook* (a values-only ``.xlsx``) to *pdf* with
    LibreOffice, replacing *pdf* in one step. Raises ``ExportError``."""
    try:
        pdf.parent.mkdir(parents=True, exist_ok=True)
        # Converted in the target's folder, so the final move is one rename.
        with tempfile.TemporaryDirectory(prefix=".coverbook-pdf-", dir=pdf.parent) as tmp:
            made = convert(workbook, "pdf", Path(tmp))[0]
            os.replace(made, pdf)
    except OSError as exc:
        raise ExportError(f"{pdf}: cannot write the PDF ({exc.strerror or exc}); close "
                          "it in any PDF viewer that locks it, or choose another --pdf"
                          ) from exc
    return pdf


def export_pdf(data: Dataset, output: Path) -> Path:
    """A PDF of the key-stocks table built from *data* (values only, with the banner
    of the published workbook), replacing *output* in one step. Raises ``DataErrors``
    for a table beyond Excel's limits, :class:`ExportError` when LibreOffice is
    missing or fails."""
    limits.check_extent(data, (key_stocks.NAME,))
    with use_dataset(data):  # only this sheet, with the UDFs on *data*
        table = key_stocks.build(data)
    limits.check_cells(data, [table], [])
    sheets = values_only([table], provenance(data).values_banner())
    with tempfile.TemporaryDirectory(prefix="coverbook-pdf-") as tmp:
        source = Path(tmp) / (output.stem + ".xlsx")
        try:
            write_workbook(source, sheets, properties=properties(data),
                           custom_properties=custom_properties(data))
        except WriteError as exc:
            raise ExportError(f"{output}: not written: {exc}") from exc
        return print_pdf(source, output)
