"""The headless build: data folder -> validated dataset -> sheet models -> file.

Nothing is written before the data has validated, and the target is replaced in one
step (write to a temporary file in the same folder, then ``os.replace``), so a failed
build leaves the previous workbook byte for byte as it was.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from workbook import DATA_DIR, DEFAULT_OUTPUT, PACKAGE_DIR, __version__
from workbook.checks import Check, summary
from workbook.dataset import Dataset, load_dataset
from workbook.model import Sheet
from workbook.package import add_ribbon
from workbook.sheets import OWNED, build_sheets
from workbook.writers.xlsx import write_workbook

#: The VBA project every build embeds (xlwings' module, UDF wrappers, ribbon
#: callbacks), generated from ``workbook/vba/*.bas|cls`` by ``tools/make_vba.py``.
VBA_PROJECT = PACKAGE_DIR / "vba" / "vbaProject.bin"

#: The broker report the shipped data transcribes (provenance; shown in the file).
SOURCE = "Tianfeng Securities telecom sector note, 2024-09-24 (key stocks, rating " \
         "definitions, OpenAI price table)"


class BuildError(Exception):
    """A build that cannot go on; the message says what to do. Nothing was written."""


@dataclass
class BuildResult:
    """What a build wrote and what it found."""

    path: Path
    data: Dataset
    sheets: list[Sheet]
    checks: list[Check]

    @property
    def n_cells(self) -> int:
        return sum(1 for s in self.sheets for _ in s.cells())

    @property
    def n_formulas(self) -> int:
        return sum(1 for s in self.sheets for _, _, c in s.cells() if c.is_formula)

    @property
    def ok(self) -> bool:
        return all(c.passed for c in self.checks)

    def report(self) -> str:
        """The summary the command prints: sheets, cells, formulas and the checks."""
        names = ", ".join(s.name for s in self.sheets)
        return (f"wrote {self.path}\n"
                f"sheets {len(self.sheets)} ({names}); cells {self.n_cells}; "
                f"formulas {self.n_formulas}\n"
                f"{summary(self.checks)}")


def data_hash(folder: Path) -> str:
    """A short SHA-256 of the data files (names and bytes, sorted by name)."""
    digest = hashlib.sha256()
    for path in sorted(p for p in Path(folder).iterdir() if p.is_file()):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def as_of(data: Dataset) -> dt.date:
    """The data's as-of date: the latest close date or token-price date."""
    dates = [s.close_date for s in data.coverage.stocks]
    dates += [p.as_of for p in data.token_prices]
    return max(dates) if dates else dt.date(2000, 1, 1)


def document_date(data: Dataset) -> dt.datetime:
    """The created/modified date written into the file: ``SOURCE_DATE_EPOCH`` if set,
    else midnight UTC of the data's as-of date; never the clock, so builds repeat."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc).replace(tzinfo=None)
    day = as_of(data)
    return dt.datetime(day.year, day.month, day.day)


def properties(data: Dataset) -> dict:
    """Document properties: title, as-of, source, version and data hash."""
    return {
        "title": "coverbook",
        "subject": "Key stocks, rating definitions and LLM token prices",
        "author": "coverbook",
        "company": "",
        "comments": (f"Built by coverbook {__version__} from data {data_hash(data.folder)} "
                     f"(as of {as_of(data).isoformat()}). Source: {SOURCE}."),
        "created": document_date(data),
    }


def existing_user_sheets(path: Path) -> list[str]:
    """Names of sheets in the workbook at *path* that coverbook does not own."""
    from python_calamine import CalamineWorkbook

    try:
        names = CalamineWorkbook.from_path(str(path)).sheet_names
    except Exception as exc:  # a file calamine cannot read is not ours to overwrite
        raise BuildError(f"{path}: exists but cannot be read as a workbook ({exc}); "
                         "move it away or pass --force to overwrite it") from exc
    return [n for n in names if n not in OWNED]


def write_atomic(path: Path, sheets: list[Sheet], data: Dataset) -> None:
    """Write the workbook (sheets, VBA project, ribbon) to a temporary file beside
    *path*, then replace *path*."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.stem}.", suffix=path.suffix + ".tmp",
                                    dir=path.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        # Macros live only in .xlsm: Excel refuses an .xlsx that holds a VBA project.
        macro_enabled = path.suffix.lower() == ".xlsm"
        write_workbook(tmp, sheets, properties=properties(data),
                       vba_project=VBA_PROJECT if macro_enabled else None)
        if macro_enabled:
            add_ribbon(tmp)
        try:
            os.replace(tmp, path)
        except PermissionError as exc:
            raise BuildError(f"{path}: cannot replace it ({exc.strerror}); if it is open "
                             "in Excel, close it and build again") from exc
    except OSError as exc:
        raise BuildError(f"{path}: cannot write ({exc}); the previous file is unchanged"
                         ) from exc
    finally:
        tmp.unlink(missing_ok=True)


def build(data_dir: Path | str = DATA_DIR, output: Path | str = DEFAULT_OUTPUT, *,
          force: bool = False) -> BuildResult:
    """Build the workbook at *output* from the data files in *data_dir*.

    Raises ``DataErrors`` (every problem with file, row and column) or
    :class:`BuildError`; in both cases nothing is written. An existing *output* that
    holds sheets coverbook does not own is refused unless *force* (the headless
    build rewrites the whole file; Refresh in Excel keeps user sheets).
    """
    output = Path(output)
    data = load_dataset(data_dir)
    if output.exists() and not force:
        foreign = existing_user_sheets(output)
        if foreign:
            raise BuildError(
                f"{output}: holds sheets coverbook does not own ({', '.join(foreign)}); "
                "a build would drop them. Move them to another workbook, use Refresh in "
                "Excel (it keeps them), or pass --force to overwrite.")
    sheets, checks = build_sheets(data)
    write_atomic(output, sheets, data)
    return BuildResult(output, data, sheets, checks)
