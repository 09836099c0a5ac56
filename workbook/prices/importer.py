"""``coverbook prices import``: add the closes of terminal exports to ``prices.csv``.

Everything is read and checked before anything is written: the data folder
(settings, coverage, the history itself), then every export
(:func:`workbook.prices.exports.read_export`), then every close against the history.
Any refusal raises :class:`ImportRefused` with every reason, and the data folder is
left as it was. Otherwise the history is replaced in one step
(:class:`workbook.replacing.Replacement`) with the old lines kept byte for byte and
the new ones inserted in order (code, then date); when nothing is new the file is
not touched at all, so importing the same export twice changes nothing.
"""

from __future__ import annotations

import datetime as dt
import heapq
import math
from dataclasses import dataclass, field
from pathlib import Path

from workbook.prices import PRICES_FILE

#: The coverage table's file (named in messages; workbook.dataset is imported lazily).
COVERAGE_FILE = "coverage.csv"
from workbook.prices.exports import ExportProblem, ExportRead, read_export
from workbook.prices.history import (PRICE_COLUMNS, format_close, listing_currency,
                                     row_line)
from workbook.prices.quote import Quote


class ImportRefused(Exception):
    """The import was refused; :attr:`problems` are one line each (file, row, column
    and what to do). Nothing was written."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


#: Codes outside the coverage named in an import's report before "and N more".
NAMED = 5


def hk_key(code: str) -> str | None:
    """The listing a Hong Kong code names whatever its leading zeros (``1772.HK``,
    ``01772.HK`` -> ``1772.HK``), for matching an export's code with coverage.csv's;
    ``None`` for any other code."""
    digits, _, market = code.partition(".")
    if market != "HK" or not digits.isdigit():
        return None
    return f"{int(digits):04d}.HK"


@dataclass
class FileCounts:
    """What one export gave: closes read, added, replaced, already held, blanks
    skipped, codes outside the coverage skipped, footer rows ignored."""

    file: str
    kind: str
    closes: int = 0
    added: int = 0
    replaced: int = 0
    held: int = 0
    blanks: int = 0
    not_covered: int = 0
    footer_rows: int = 0
    #: The codes counted in :attr:`not_covered`, named in the report (at most
    #: :data:`NAMED`, then how many more).
    skipped_codes: list[str] = field(default_factory=list)

    def line(self) -> str:
        parts = [f"{self.added} added"]
        if self.replaced:
            parts.append(f"{self.replaced} replaced")
        parts += [f"{self.held} already held", f"{self.blanks} blank",
                  f"{self.not_covered} not in the coverage"]
        if self.skipped_codes:
            named = ", ".join(self.skipped_codes[:NAMED])
            more = len(self.skipped_codes) - NAMED
            parts[-1] += f" ({named}{f' and {more} more' if more > 0 else ''})"
        if self.footer_rows:
            parts.append(f"{self.footer_rows} footer row(s) ignored")
        return f"{self.file} ({self.kind}): {self.closes} closes; " + ", ".join(parts)


@dataclass
class ImportResult:
    """What an import did: the history file, the counts per export, and whether the
    file was written (``False``: nothing new)."""

    path: Path
    files: list[FileCounts] = field(default_factory=list)
    written: bool = False

    def total(self, name: str) -> int:
        return sum(getattr(f, name) for f in self.files)

    def report(self) -> str:
        """The lines the command prints."""
        lines = [f.line() for f in self.files]
        skipped = self.total("held") + self.total("blanks") + self.total("not_covered")
        what = (f"wrote {self.path}" if self.written
                else f"{self.path} unchanged (nothing new)")
        lines.append(f"{what}: added {self.total('added')}, replaced "
                     f"{self.total('replaced')}, skipped {skipped} (already held "
                     f"{self.total('held')}, blank {self.total('blanks')}, not in the "
                     f"coverage {self.total('not_covered')}), refused 0")
        return "\n".join(lines)


def covered_stocks(folder: Path):
    """The covered stocks by code (their close and close date as typed in
    coverage.csv) and the validated history of *folder*; raises :class:`ImportRefused`
    listing the data folder's problems."""
    from workbook.dataset import (COVERAGE_FILE, FX_FILE, SETTINGS_FILE, load_coverage,
                                  load_fx, load_rating_scales, load_settings, problem_lines)
    from workbook.dataset.settings import resolve_scale
    from workbook.prices.history import load_price_history

    errors: list = []
    settings = load_settings(folder / SETTINGS_FILE, errors)
    scales = load_rating_scales(folder, errors).scales
    if settings is not None and not errors:
        settings = resolve_scale(folder / SETTINGS_FILE, settings, scales, errors)
    history = load_price_history(folder / PRICES_FILE, errors)
    fx = load_fx(folder / FX_FILE, errors)
    coverage = None
    if settings is not None and not errors:
        # Without the history: each stock's close and close date as typed in
        # coverage.csv (NaN where blank), which an imported close of that day must match.
        coverage = load_coverage(folder / COVERAGE_FILE, scales[settings.rating_scale],
                                 errors, settings.as_of, settings.extra_columns, None,
                                 need_close=False, fx=fx)
    if errors or coverage is None:
        raise ImportRefused(problem_lines(
            errors, lambda e: f"{folder / e.file}{str(e)[len(e.file):]}" if e.file
            else str(e)) if errors else [f"{folder}: the data folder cannot be read"])
    return {s.code: s for s in coverage.stocks}, history


def _existing(path: Path) -> tuple[bytes, str, list[tuple[tuple[str, str], str]]]:
    """The history's BOM (if any), its line break, and its rows as ``((code, date),
    line)`` in file order (already validated: sorted, one per code and day)."""
    if not path.exists():
        return b"", "\n", []
    raw = path.read_bytes()
    bom = b"\xef\xbb\xbf" if raw.startswith(b"\xef\xbb\xbf") else b""
    text = raw[len(bom):].decode("utf-8")
    newline = "\r\n" if "\r\n" in text[:4096] else "\n"
    lines = text.splitlines()[1:]
    rows = []
    for line in lines:
        if line.strip():
            code, day, _ = line.split(",", 2)
            rows.append(((code, day), line))
    return bom, newline, rows


def import_exports(folder: Path | str, files: list[Path], *, date: dt.date | None = None,
                   unadjusted: bool = False, replace: bool = False, keep_all: bool = False
                   ) -> ImportResult:
    """Import the closes of *files* (terminal exports) into *folder*'s ``prices.csv``
    (see the module docstring). *date*: ``--date``; *unadjusted*: ``--unadjusted``;
    *replace*: a different close for a code and day already held replaces it (else it
    is refused); *keep_all*: keep every code, not only the coverage's. Raises
    :class:`ImportRefused`; returns what was done."""
    folder = Path(folder)
    problems: list[str] = []
    if not folder.is_dir():
        raise ImportRefused([f"{folder}: no such data folder; give the folder that holds "
                             "settings.toml and coverage.csv (--data)"])
    reads: list[ExportRead] = []
    for file in files:
        try:
            reads.append(read_export(Path(file), date=date, unadjusted=unadjusted))
        except ExportProblem as exc:
            problems.append(str(exc))
    if problems:
        raise ImportRefused(problems)
    return merge_reads(folder, reads, replace=replace, keep_all=keep_all)


def add_quotes(folder: Path | str, quotes: list[Quote], *, kind: str,
               replace: bool = False) -> ImportResult:
    """Merge *quotes* from one source other than an export file (``coverbook prices
    fetch``: *kind* names the provider, e.g. ``"tushare daily"``) into *folder*'s
    ``prices.csv`` by the import's rules (:func:`merge_reads`). Raises
    :class:`ImportRefused`; nothing is written then."""
    folder = Path(folder)
    if not folder.is_dir():
        raise ImportRefused([f"{folder}: no such data folder; give the folder that holds "
                             "settings.toml and coverage.csv (--data)"])
    read = ExportRead(quotes[0].source if quotes else kind, kind, "online", list(quotes))
    return merge_reads(folder, [read], replace=replace, keep_all=False)


def merge_reads(folder: Path, reads: list[ExportRead], *, replace: bool = False,
                keep_all: bool = False) -> ImportResult:
    """Merge the quotes of *reads* into *folder*'s ``prices.csv``: codes outside the
    coverage skipped unless *keep_all*; a close already held skipped; a different
    close for a code and day held refused unless *replace*; two sources disagreeing
    on one day refused. Everything is checked before the one atomic write. Raises
    :class:`ImportRefused`; returns what was done."""
    path = folder / PRICES_FILE
    problems: list[str] = []
    covered, history = covered_stocks(folder)
    same_listing = {hk_key(code): code for code in covered if hk_key(code)}
    result = ImportResult(path)
    new: dict[tuple[str, str], tuple[Quote, str]] = {}
    replaced: dict[tuple[str, str], str] = {}
    for read in reads:
        counts = FileCounts(read.file, f"{read.vendor} {read.layout}", len(read.quotes) +
                            read.blanks, blanks=read.blanks, footer_rows=read.footer_rows)
        result.files.append(counts)
        for quote in read.quotes:
            stock = covered.get(quote.code)
            if stock is None and same_listing.get(hk_key(quote.code)):
                # 1772.HK in the export, 01772.HK in coverage.csv: one listing.
                stock = covered[same_listing[hk_key(quote.code)]]
                quote = quote._replace(code=stock.code)
            if stock is None and not keep_all:
                counts.not_covered += 1
                counts.skipped_codes.append(quote.code)
                continue
            key = (quote.code, quote.date.isoformat())
            if stock is not None and stock.close_date == quote.date \
                    and not math.isnan(stock.close) and stock.close != quote.close:
                problems.append(f"{quote.code} {quote.date}: {COVERAGE_FILE} holds "
                                f"{format_close(stock.close)} for that day, {quote.source} "
                                f"gives {format_close(quote.close)}; correct one of them, or "
                                f"empty close and close_date in {COVERAGE_FILE} to take "
                                "the imported close")
                continue
            currency = listing_currency(stock, quote.code)
            if currency is None:
                problems.append(f"{quote.code} ({quote.source}): not a code of a market "
                                "coverbook knows, so its currency is unknown; leave out "
                                "--all, or add the stock to coverage.csv")
                continue
            line = row_line(quote.code, quote.date, quote.close, currency, quote.source)
            held = history.on(quote.code, quote.date)
            if key in new:
                other = new[key][0]
                if other.close == quote.close:
                    counts.held += 1
                else:
                    problems.append(f"{quote.code} {quote.date}: {format_close(other.close)} "
                                    f"in {other.source}, {format_close(quote.close)} in "
                                    f"{quote.source}; import one of them")
            elif held is not None and held.close == quote.close:
                counts.held += 1
            elif held is not None and not replace:
                problems.append(f"{quote.code} {quote.date}: {PRICES_FILE} holds "
                                f"{format_close(held.close)} (source {held.source}), "
                                f"{quote.source} gives {format_close(quote.close)}; "
                                "import with --replace to take the new close, or correct "
                                "the export")
            elif held is not None:
                replaced[key] = line
                new[key] = (quote, line)
                counts.replaced += 1
            else:
                new[key] = (quote, line)
                counts.added += 1
    if problems:
        raise ImportRefused(problems)
    if not new:
        return result
    _write(path, new, replaced)
    result.written = True
    return result


def _write(path: Path, new: dict, replaced: dict) -> None:
    from workbook.replacing import Replacement

    bom, newline, rows = _existing(path)
    if replaced:
        rows = [(key, replaced.get(key, line)) for key, line in rows]
    added = sorted((key, line) for key, (_, line) in new.items() if key not in replaced)
    merged = [line for _, line in heapq.merge(rows, added)]
    text = newline.join([",".join(PRICE_COLUMNS), *merged]) + newline
    try:
        with Replacement(path, error=lambda m: ImportRefused([m]), option="--data",
                         opened_in="another program", again="import again") as out:
            out.tmp.write_bytes(bom + text.encode("utf-8"))
            out.commit()
    except OSError as exc:
        raise ImportRefused([f"{path}: cannot write ({exc.strerror or exc}); it is "
                             "unchanged; free some disk space and import again"]) from exc
