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
import signal
import subprocess
import sys
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
#: Where ``coverbook export`` writes unless told otherwise (the current folder).
DEFAULT_PDF = Path("coverbook-key-stocks.pdf")


class ExportError(Exception):
    """LibreOffice is missing or a conversion failed; the message says which.
    ``written``: a file that was written all the same (``coverbook publish``'s
    workbook when only its PDF failed), else ``None``."""

    written: Path | None = None


#: Where LibreOffice's installers put ``soffice`` when it is not on ``PATH``: the
#: Windows installer's default folder under each Program Files folder (the 64-bit
#: one, the 32-bit one, and the 64-bit one as a 32-bit Python sees it), and the
#: macOS application bundle.
WINDOWS_SOFFICE = ("ProgramFiles", "ProgramFiles(x86)", "ProgramW6432")
MACOS_SOFFICE = Path("/Applications/LibreOffice.app/Contents/MacOS/soffice")


def soffice_candidates(platform: str | None = None,
                       environ: dict[str, str] | None = None) -> list[Path]:
    """The standard install places of LibreOffice's ``soffice`` on *platform*
    (default: this one), looked at when it is not on ``PATH``."""
    platform = sys.platform if platform is None else platform
    environ = os.environ if environ is None else environ
    if platform.startswith("win"):
        folders = dict.fromkeys(environ[v] for v in WINDOWS_SOFFICE if environ.get(v))
        return [Path(f) / "LibreOffice" / "program" / "soffice.exe" for f in folders]
    if platform == "darwin":
        return [MACOS_SOFFICE]
    return []


def soffice(platform: str | None = None, environ: dict[str, str] | None = None) -> str:
    """Path of the LibreOffice executable: ``soffice`` (or ``libreoffice``) on ``PATH``,
    else the first of :func:`soffice_candidates` that exists; else
    :class:`ExportError` saying where it looked and how to install it."""
    environ = os.environ if environ is None else environ
    for name in ("soffice", "libreoffice"):
        path = shutil.which(name, path=environ.get("PATH"))
        if path:
            return path
    candidates = soffice_candidates(platform, environ)
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK):
            return str(path)
    looked = ["soffice and libreoffice on PATH"] + [str(p) for p in candidates]
    raise ExportError("LibreOffice not found (looked for " + ", ".join(looked) + "): "
                      "install it (Debian/Ubuntu: apt-get install libreoffice-calc-nogui; "
                      "Windows and macOS: libreoffice.org) or put soffice on PATH")


def check_pdf_target(pdf: Path, *, force: bool = False, again: str = "export again"
                     ) -> None:
    """Raise ``BuildError`` unless *pdf* ends in ``.pdf`` and may be replaced: the
    rules of the build's own target (``workbook.build.check_replaceable``: not
    read-only, no lock file ``~$NAME`` beside it; *force* skips those two), and its
    folder can be made (no file stands where a folder of its path should be), checked
    before anything is written."""
    from workbook.build import BuildError, check_replaceable
    from workbook.replacing import not_a_folder

    if pdf.suffix.lower() != ".pdf":
        given = f"'{pdf.suffix}'" if pdf.suffix else "no extension"
        raise BuildError(f"{pdf}: --pdf must name a file ending in .pdf ({given} here): "
                         "a PDF under another name does not open as one, and the file "
                         "there would be replaced; choose a name ending in .pdf; nothing "
                         "was written")
    blocker = not_a_folder(pdf.parent)
    if blocker is not None:
        raise BuildError(f"{pdf}: cannot create its folder {pdf.parent}: {blocker} is a "
                         "file, not a folder; choose another --pdf; nothing was written")
    if not force:
        check_replaceable(pdf, opened_in="a PDF viewer", again=again)


def _run_soffice(cmd: list[str]) -> subprocess.CompletedProcess:
    """Run LibreOffice (*cmd*) in a process group of its own and wait for it; if the
    wait ends any other way (its time-out, Ctrl+C, SIGTERM turned into an exception by
    the command), the whole group is killed before the exception goes on: ``soffice``
    is a launcher whose ``soffice.bin`` would otherwise outlive it, still writing in
    the profile folder that is about to be removed."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "SAL_USE_VCLPLUGIN": "svp"},
                            start_new_session=hasattr(os, "killpg"))
    try:
        out, err = proc.communicate(timeout=TIMEOUT)
    except BaseException:
        if hasattr(os, "killpg"):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
        proc.kill()
        proc.wait()
        raise
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def convert(source: Path, target_format: str, outdir: Path,
            profile_in: Path | None = None) -> list[Path]:
    """Convert *source* with LibreOffice headless into *outdir*; returns the new files.
    LibreOffice gets a private profile folder (conversions do not collide with a
    running LibreOffice) in *profile_in* (default: the system's temporary folder),
    removed afterwards; :func:`print_pdf` puts it in its work folder beside the
    target, so a command killed outright leaves it where the next one removes it."""
    outdir.mkdir(parents=True, exist_ok=True)
    before = set(outdir.iterdir())
    with tempfile.TemporaryDirectory(prefix="coverbook-lo-", dir=profile_in) as profile:
        cmd = [soffice(), "--headless", "--norestore", "--nolockcheck",
               f"-env:UserInstallation={Path(profile).absolute().as_uri()}",
               "--convert-to", target_format, "--outdir", str(outdir), str(source)]
        try:
            proc = _run_soffice(cmd)
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
    LibreOffice, replacing *pdf* in one step (keeping its mode, as the build does:
    :class:`workbook.replacing.Replacement`). Check the target first with
    :func:`check_pdf_target`. Raises ``ExportError``."""
    from workbook.replacing import Replacement

    try:
        # Converted in the work folder beside the target, so the final move is one
        # rename.
        with Replacement(pdf, error=ExportError, option="--pdf", opened_in="a PDF viewer",
                         again="export again") as new:
            # LibreOffice is given a copy under a short name: it fails to save a PDF
            # whose name is near the file system's limit (a longer temporary name of
            # its own), and the PDF is named after its source.
            source = new.tmp.parent / ("source" + workbook.suffix)
            shutil.copyfile(workbook, source)
            made = convert(source, "pdf", new.tmp.parent, profile_in=new.tmp.parent)[0]
            os.replace(made, new.tmp)
            new.commit()
    except ExportError:
        raise
    except OSError as exc:
        raise ExportError(f"{pdf}: cannot write the PDF ({exc.strerror or exc}); the "
                          "previous file is unchanged; free some disk space or choose "
                          "another --pdf") from exc
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
    sheets = values_only([table], provenance(data).values_banner(),
                         data.settings.disclaimer)
    with tempfile.TemporaryDirectory(prefix="coverbook-pdf-") as tmp:
        # A short fixed name: the PDF's own name may be as long as the file system
        # allows, and ".xlsx" is a byte longer than ".pdf".
        source = Path(tmp) / "key-stocks.xlsx"
        try:
            write_workbook(source, sheets, properties=properties(data),
                           custom_properties=custom_properties(data))
        except WriteError as exc:
            raise ExportError(f"{output}: not written: {exc}") from exc
        return print_pdf(source, output)


def export(data_dir: Path | str, pdf: Path | str = DEFAULT_PDF, *, force: bool = False
           ) -> Path:
    """``coverbook export``: check that *pdf* may be written (:func:`check_pdf_target`),
    load and validate *data_dir*, then :func:`export_pdf`. Raises ``BuildError`` (the
    target), ``DataErrors`` or :class:`ExportError`; nothing is written on any of
    them."""
    from workbook.dataset import load_dataset

    pdf = Path(pdf)
    check_pdf_target(pdf, force=force)
    return export_pdf(load_dataset(data_dir), pdf)
