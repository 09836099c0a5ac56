"""Where the workbook's numbers came from: as-of date, source, author, institution,
version, data hash.

Shown on the ``核对`` sheet (and so on the last page of the published PDF) and written
into the file's document properties. Source, author and institution are the project's
(``settings.toml``); a build whose settings name no source says so in its report
(:func:`source_note`) and the banner says "not given". The file's created/modified
dates come from the data (or ``SOURCE_DATE_EPOCH``), never from the clock, so the same
inputs give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from workbook import __version__
from workbook.dataset import DATA_FILES, RATING_SCALES_FILE, SHIPPED_SCALES, Dataset

#: What the banner and the properties say of a data folder whose settings name no
#: source (an older copied folder).
NO_SOURCE = "not given (settings.toml has no source line)"
#: The ``author`` document property without an ``author`` setting.
DEFAULT_AUTHOR = "coverbook"


@dataclass(frozen=True)
class Provenance:
    """What a reader needs to trust the numbers: version, data hash, dates, source,
    and who made them (``author``, ``institution``: ``None`` when not given)."""

    version: str
    data_hash: str
    as_of: dt.date
    source: str
    author: str | None = None
    institution: str | None = None

    def banner(self) -> str:
        """One line for the workbook: ``数据截至 As of 2024-09-24 · 来源 Source: … ·
        作者 Author: … (institution) · coverbook 0.1.0 · data <hash>``; the author part
        only when the settings name an author or an institution."""
        return (f"数据截至 As of {self.as_of.isoformat()} · 来源 Source: {self.source} · "
                f"{self._by()}coverbook {self.version} · data {self.data_hash}")

    def _by(self) -> str:
        """``作者 Author: Jane Doe (Example Capital) · ``, or ``""`` when the settings
        name neither an author nor an institution."""
        who = " (".join(x for x in (self.author, self.institution) if x)
        who += ")" if self.author and self.institution else ""
        return f"作者 Author: {who} · " if who else ""

    def values_banner(self) -> str:
        """The line atop every sheet of the values-only workbook (and so on every page
        of its PDF and of ``coverbook export``'s): values only, as of when, where the
        numbers come from (the settings' source, and author/institution when given),
        from which data, and where the live workbook comes from."""
        return (f"仅数值 Values only, no formulas · 数据截至 As of {self.as_of.isoformat()} · "
                f"来源 Source: {self.source} · {self._by()}data {self.data_hash} · "
                "live workbook: coverbook build")


def data_hash(folder: Path, shipped_scales: Path = SHIPPED_SCALES) -> str:
    """First 12 hex digits of a SHA-256 over what the numbers are made from: the data
    files coverbook reads from *folder* (:data:`DATA_FILES`; names and bytes, by name;
    other files in the folder do not count), then the rating scales file coverbook
    ships (*shipped_scales*), which every project rates on, under the name
    ``coverbook:rating_scales.toml``. A data folder's own ``rating_scales.toml`` is a
    data file like the others. So a project's hash changes with its own files and with
    the shipped scales (a new coverbook release that corrects a scale), and with
    nothing else."""
    digest = hashlib.sha256()
    for name in sorted(DATA_FILES):
        path = Path(folder) / name
        if path.is_file():
            digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    digest.update(b"coverbook:" + RATING_SCALES_FILE.encode() + b"\0"
                  + Path(shipped_scales).read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def as_of(data: Dataset) -> dt.date:
    """The data's as-of date: ``as_of`` in ``settings.toml`` (set by hand, never the
    newest row of a file)."""
    return data.as_of


def provenance(data: Dataset) -> Provenance:
    """The provenance of *data*: coverbook's version, the data hash, the settings'
    as-of date, source (:data:`NO_SOURCE` when not given), author and institution."""
    s = data.settings
    return Provenance(__version__, data_hash(data.folder), as_of(data),
                      s.source or NO_SOURCE, s.author, s.institution)


def source_note(data: Dataset) -> str | None:
    """The build report's one line for settings without ``source`` (what to add and
    where it shows); ``None`` when the settings name a source."""
    if data.settings.source:
        return None
    return ('settings.toml: no source line; add one such as source = "Our estimates, '
            'Acme Research, 2025-06-30" (it shows on 核对, in the document properties and '
            "on the published copy)")


def document_date(data: Dataset) -> dt.datetime:
    """Created/modified date of the file: ``SOURCE_DATE_EPOCH`` (seconds, UTC) if set,
    else midnight of the data's as-of date."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch:
        try:
            moment = dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
        except (ValueError, OverflowError, OSError) as exc:
            raise ValueError(f"SOURCE_DATE_EPOCH={epoch!r} is not a time in seconds since "
                             "1970 (unset it to use the data's as-of date)") from exc
        if moment.year < 1980:  # the zip format's earliest date
            raise ValueError(f"SOURCE_DATE_EPOCH={epoch!r} is before 1980")
        return moment.replace(tzinfo=None)
    day = as_of(data)
    return dt.datetime(day.year, day.month, day.day)


def properties(data: Dataset) -> dict:
    """Document properties for XlsxWriter's ``set_properties``: ``author`` (the
    settings' author, else ``coverbook``), ``company`` (the settings' institution,
    when given), ``comments`` (the banner, which names the source)."""
    p = provenance(data)
    props = {
        "title": "coverbook",
        "subject": "Key stocks, rating definitions and LLM token prices" if data.has_tokens
        else "Key stocks and rating definitions",
        "author": p.author or DEFAULT_AUTHOR,
        "keywords": f"coverbook {p.version}; data {p.data_hash}",
        "comments": p.banner(),
        "created": document_date(data),
    }
    if p.institution:
        props["company"] = p.institution
    return props


def custom_properties(data: Dataset) -> dict[str, str]:
    """Custom document properties (File > Properties > Custom in Excel): version, data
    hash, as-of date, source, and author and institution when the settings give them."""
    p = provenance(data)
    custom = {"coverbook version": p.version, "data hash": p.data_hash,
              "data as of": p.as_of.isoformat(), "source": p.source}
    if p.author:
        custom["author"] = p.author
    if p.institution:
        custom["institution"] = p.institution
    return custom
