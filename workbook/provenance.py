"""Where the workbook's numbers came from: as-of date, source, version, data hash.

Shown on the ``核对`` sheet and written into the file's document properties. The
file's created/modified dates come from the data (or ``SOURCE_DATE_EPOCH``), never
from the clock, so the same inputs give the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from workbook import __version__
from workbook.dataset import DATA_FILES, Dataset

#: The broker report the shipped data transcribes.
SOURCE = ("Tianfeng Securities telecom sector note, 2024-09-24 (key stocks, rating "
          "definitions, OpenAI price table); later token prices and FX rates: each row's "
          "source in token_prices.csv and fx.csv")


@dataclass(frozen=True)
class Provenance:
    """What a reader needs to trust the numbers: version, data hash, dates, source."""

    version: str
    data_hash: str
    as_of: dt.date
    source: str

    def banner(self) -> str:
        """One line for the workbook: ``数据截至 As of 2024-09-24 · 来源 Source: …``."""
        return (f"数据截至 As of {self.as_of.isoformat()} · 来源 Source: {self.source} · "
                f"coverbook {self.version} · data {self.data_hash}")

    def values_banner(self) -> str:
        """The line atop every sheet of the values-only workbook: values only, as of
        when, from which data, and where the live workbook comes from."""
        return (f"仅数值 Values only, no formulas · 数据截至 As of {self.as_of.isoformat()} · "
                f"data {self.data_hash} · live workbook: coverbook build")


def data_hash(folder: Path) -> str:
    """First 12 hex digits of a SHA-256 over the data files coverbook reads (names and
    bytes, by name); other files in the folder do not count."""
    digest = hashlib.sha256()
    for name in sorted(DATA_FILES):
        path = Path(folder) / name
        if path.is_file():
            digest.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:12]


def as_of(data: Dataset) -> dt.date:
    """The data's as-of date: ``as_of`` in ``settings.toml`` (set by hand, never the
    newest row of a file)."""
    return data.as_of


def provenance(data: Dataset) -> Provenance:
    return Provenance(__version__, data_hash(data.folder), as_of(data), SOURCE)


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
    """Document properties for XlsxWriter's ``set_properties``."""
    p = provenance(data)
    return {
        "title": "coverbook",
        "subject": "Key stocks, rating definitions and LLM token prices",
        "author": "coverbook",
        "keywords": f"coverbook {p.version}; data {p.data_hash}",
        "comments": p.banner(),
        "created": document_date(data),
    }


def custom_properties(data: Dataset) -> dict[str, str]:
    """Custom document properties (File > Properties > Custom in Excel)."""
    p = provenance(data)
    return {"coverbook version": p.version, "data hash": p.data_hash,
            "data as of": p.as_of.isoformat(), "source": p.source}
