"""``rating_scales.toml``: brokers' rating scales, each a list of bands that must tile
the real line (no gap, no overlap, ±inf at the ends), with the broker, benchmark,
horizon and source of the text it transcribes.

A scale has an id (``tianfeng``, ``huatai``, ``csc-industry`` ...) and may have
aliases (``stock`` and ``industry`` name Tianfeng's two scales, as before there were
other brokers); :func:`find_scale` resolves either, case-insensitively.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping

from workbook.dataset.errors import Collector, DataError
from workbook.dataset.reader import EXCEL_MAX_TEXT, TOO_LONG, excel_length
from workbook.dataset.toml_file import read_toml

RATING_SCALES_FILE = "rating_scales.toml"
#: The scale ``RATING`` uses when none is named, and whose ``-industry`` scale
#: ``INDUSTRY_RATING`` uses when no broker is named: the seed report's broker.
DEFAULT_SCALE = "tianfeng"
#: How an industry scale's id is formed from the broker's stock-scale id.
INDUSTRY_SUFFIX = "-industry"
#: Scale ids and aliases: lower-case ASCII words joined by hyphens.
SCALE_ID_RE = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
KINDS = ("stock", "industry")
#: Where a scale's English labels come from: the broker's English disclosure, or the
#: conventional Buy / Accumulate / Neutral / Reduce / Sell where none was found.
LABELS_EN = ("disclosure", "conventional")
#: The text keys of a scale table; like every cell, each must fit an Excel cell.
SCALE_TEXTS = ("title", "title_en", "benchmark", "benchmark_en", "measure", "broker",
               "broker_en", "source", "labels_en_source")


@dataclass(frozen=True)
class Band:
    """One rating band of a scale: label, English label, the broker's wording of the
    band (as transcribed) and its edges (fractions, ±inf at the ends)."""

    label: str
    label_en: str
    lower: float
    lower_inclusive: bool
    upper: float
    upper_inclusive: bool
    wording: str = ""

    def contains(self, x: float) -> bool:
        """True if the fraction *x* lies in this band, edges as stated."""
        above = x > self.lower or (self.lower_inclusive and x == self.lower)
        below = x < self.upper or (self.upper_inclusive and x == self.upper)
        return above and below


@dataclass(frozen=True)
class RatingScale:
    """A broker rating scale: bands from highest to lowest, and what they measure.

    ``horizon_months`` is the horizon of the expected return (``horizon_months_max``
    the longest, for a disclosure saying "6-12 months", else equal to it);
    ``labels_en`` is ``"disclosure"`` (English labels from the broker's English
    disclosure, ``labels_en_source`` says where) or ``"conventional"``.
    """

    key: str
    title: str
    title_en: str
    benchmark: str
    benchmark_en: str
    horizon_months: int
    measure: str
    bands: tuple[Band, ...]
    kind: str = "stock"
    aliases: tuple[str, ...] = ()
    broker: str = ""
    broker_en: str = ""
    horizon_months_max: int | None = None
    source: str = ""
    labels_en: str = "conventional"
    labels_en_source: str = ""

    @property
    def horizon_text(self) -> str:
        """``"6"`` or ``"6-12"``: the horizon in months as the disclosure gives it."""
        longest = self.horizon_months_max or self.horizon_months
        return str(self.horizon_months) if longest == self.horizon_months else \
            f"{self.horizon_months}-{longest}"


def find_scale(scales: Mapping[str, RatingScale], name: str) -> RatingScale | None:
    """The scale whose id or alias is *name* (case-insensitive, spaces stripped), or
    ``None``."""
    wanted = name.strip().lower()
    if wanted in scales:
        return scales[wanted]
    return next((s for s in scales.values() if wanted in s.aliases), None)


def scale_ids(scales: Mapping[str, RatingScale], kind: str) -> list[str]:
    """The ids of the scales of *kind* (``"stock"`` or ``"industry"``), in file order."""
    return [k for k, s in scales.items() if s.kind == kind]


def scale_names(scales: Mapping[str, RatingScale]) -> list[str]:
    """Every name :func:`find_scale` accepts: ids and aliases, sorted."""
    return sorted(list(scales) + [a for s in scales.values() for a in s.aliases])


_TOML_TABLE_RE = re.compile(r"\s*\[\s*([A-Za-z0-9_\-]+)\s*\]\s*(#.*)?")
_TOML_BANDS_RE = re.compile(r"\s*\[\[\s*([A-Za-z0-9_\-]+)\s*\.\s*bands\s*\]\]\s*(#.*)?")
_TOML_KEY_RE = re.compile(r"\s*([A-Za-z0-9_\-]+)\s*=")


def toml_lines(text: str) -> dict[str, dict]:
    """Where things are in a scales file: ``{scale: {"": line of [scale], key: line,
    "bands": [{"": line of [[scale.bands]], key: line}, ...]}}``.

    tomllib gives values, not positions; this scan of the usual layout (one table
    header per line, ``key = value`` lines) finds them, so errors can name a line.
    Anything it does not recognise just has no line.
    """
    found: dict[str, dict] = {}
    current: dict | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        table, bands = _TOML_TABLE_RE.fullmatch(line), _TOML_BANDS_RE.fullmatch(line)
        if table:
            current = found.setdefault(table.group(1), {"bands": []})
            current[""] = number
        elif bands:
            scale = found.setdefault(bands.group(1), {"bands": []})
            current = {"": number}
            scale["bands"].append(current)
        elif line.lstrip().startswith("["):
            current = None
        elif current is not None and (key := _TOML_KEY_RE.match(line)):
            current.setdefault(key.group(1), number)
    return found


def _is_number(v: object) -> bool:
    """A TOML number a band edge can be: a float (inf included, NaN not) or an int
    within float range."""
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        return False
    if isinstance(v, int):
        return abs(v) < 2 ** 1023
    return not math.isnan(v)


def _is_text(v: object) -> bool:
    return isinstance(v, str) and bool(v.strip())


def _horizon(v: object) -> tuple[int, int] | None:
    """``(shortest, longest)`` months from ``6`` or ``[6, 12]``, else ``None``."""
    def months(m: object) -> bool:
        return isinstance(m, int) and not isinstance(m, bool) and m > 0
    if months(v):
        return v, v  # type: ignore[return-value]
    if isinstance(v, list) and len(v) == 2 and all(months(m) for m in v) and v[0] < v[1]:
        return v[0], v[1]
    return None


def load_scales(path: Path, errors: list[DataError], *, label: str | None = None,
                require_defaults: bool = True) -> dict[str, RatingScale]:
    """The rating scales from a ``rating_scales.toml`` at *path*, by id; bands must
    tile the real line, ids and aliases must be unique, and (*require_defaults*)
    :data:`DEFAULT_SCALE` and its industry scale must be there (``RATING`` and
    ``INDUSTRY_RATING`` use them by default): true of the file coverbook ships, not
    of a project's own, which only adds to it (see :mod:`.scale_sources`).

    Each error's row is the line of the key at fault (found by :func:`toml_lines`),
    its column the key's name, its file *label* (default: the file's name, which the
    command line puts after the data folder; an absolute path names a file elsewhere).
    """
    read = read_toml(path, errors, label)
    if read is None:
        return {}
    text, doc = read
    out = Collector(label or path.name, errors)
    lines = toml_lines(text)
    scales = {}
    broken: set[str] = set()
    names: dict[str, str] = {}  # every id and alias -> the scale that has it
    for key, table in doc.items():
        start = len(errors)
        where = lines.get(key, {})
        if not isinstance(table, dict):
            out.add(None, key, "expected a table [name] with [[name.bands]]")
            broken.add(key)
            continue
        if not SCALE_ID_RE.fullmatch(key):
            out.add(where.get(""), None, f"[{key}]: a scale id is lower-case letters, "
                    "digits and hyphens, such as huatai or csc-industry")
        for name in ("kind", "broker", "title", "benchmark", "horizon_months", "source",
                     "labels_en", "bands"):
            if name not in table:
                out.add(where.get(""), name, f"[{key}]: missing")
        for name in ("broker", "title", "benchmark", "source", "title_en", "broker_en",
                     "benchmark_en", "measure", "labels_en_source"):
            if name in table and not _is_text(table[name]):
                out.add(where.get(name), name, f"[{key}]: {table[name]!r} must be text")
        kind = table.get("kind", "stock")
        if kind not in KINDS:
            out.add(where.get("kind"), "kind", f"[{key}]: {kind!r} must be "
                    + " or ".join(repr(k) for k in KINDS))
        elif (kind == "industry") != key.endswith(INDUSTRY_SUFFIX):
            out.add(where.get("kind"), "kind", f"[{key}]: an industry scale's id ends in "
                    f"'{INDUSTRY_SUFFIX}' (the broker's id, then {INDUSTRY_SUFFIX}), and "
                    "only an industry scale's does")
        horizon = _horizon(table.get("horizon_months", 6))
        if horizon is None:
            out.add(where.get("horizon_months"), "horizon_months",
                    f"[{key}]: must be a whole number of months, or [shortest, longest] "
                    "such as [6, 12]")
        labels_en = table.get("labels_en", "conventional")
        if labels_en not in LABELS_EN:
            out.add(where.get("labels_en"), "labels_en", f"[{key}]: {labels_en!r} must be "
                    "'disclosure' (from the broker's English disclosure) or 'conventional'")
        elif labels_en == "disclosure" and not _is_text(table.get("labels_en_source")):
            out.add(where.get("labels_en"), "labels_en_source",
                    f"[{key}]: say where the English disclosure is (labels_en_source)")
        aliases = table.get("aliases", [])
        if not isinstance(aliases, list) or not all(
                isinstance(a, str) and SCALE_ID_RE.fullmatch(a) for a in aliases):
            out.add(where.get("aliases"), "aliases", f"[{key}]: a list of names such as "
                    "[\"stock\"] (lower-case letters, digits and hyphens)")
            aliases = []
        for name in [key] + aliases:
            if name in names:
                out.add(where.get("aliases", where.get("")), "aliases",
                        f"[{key}]: the name {name!r} is already taken by [{names[name]}]")
            else:
                names[name] = key
        for name in SCALE_TEXTS:
            if isinstance(table.get(name), str) and excel_length(table[name]) > EXCEL_MAX_TEXT:
                out.add(where.get(name, where.get("")), name, f"[{key}]: {TOO_LONG}")
        raw_bands = table.get("bands", [])
        if not isinstance(raw_bands, list) or not all(isinstance(b, dict) for b in raw_bands):
            out.add(where.get("bands"), "bands", f"[{key}]: write each band as [[{key}.bands]]")
            raw_bands = []
        bands = []
        for i, b in enumerate(raw_bands):
            band_lines = where["bands"][i] if i < len(where.get("bands", [])) else {}
            name = f"[{key}] band {i + 1}"
            band_ok = True
            for field_name, check, wants in (
                    ("label", _is_text, "text"),
                    ("lower", _is_number, "a number (fraction; -inf for the lowest band)"),
                    ("lower_inclusive", lambda v: isinstance(v, bool), "true or false"),
                    ("upper", _is_number, "a number (fraction; inf for the highest band)"),
                    ("upper_inclusive", lambda v: isinstance(v, bool), "true or false")):
                if field_name not in b:
                    out.add(band_lines.get(""), field_name, f"{name}: missing")
                    band_ok = False
                elif not check(b[field_name]):
                    out.add(band_lines.get(field_name, band_lines.get("")), field_name,
                            f"{name}: {b[field_name]!r} must be {wants}")
                    band_ok = False
            for field_name in ("label_en", "wording"):
                if field_name in b and not _is_text(b[field_name]):
                    out.add(band_lines.get(field_name, band_lines.get("")), field_name,
                            f"{name}: {b[field_name]!r} must be text")
                    band_ok = False
            for field_name in ("label", "label_en", "wording"):
                text = b.get(field_name)
                if isinstance(text, str) and excel_length(text) > EXCEL_MAX_TEXT:
                    out.add(band_lines.get(field_name, band_lines.get("")), field_name,
                            f"{name}: {TOO_LONG}")
                    band_ok = False
            if band_ok:
                bands.append(Band(b["label"], str(b.get("label_en", b["label"])),
                                  float(b["lower"]), b["lower_inclusive"],
                                  float(b["upper"]), b["upper_inclusive"],
                                  str(b.get("wording", ""))))
        if len(errors) == start:
            _check_bands(out, key, bands, where.get("bands", []), where.get(""))
        if len(errors) == start:
            assert horizon is not None
            scales[key] = RatingScale(
                key, str(table["title"]), str(table.get("title_en", table["title"])),
                str(table["benchmark"]), str(table.get("benchmark_en", table["benchmark"])),
                horizon[0], str(table.get("measure", "")), tuple(bands),
                kind=kind, aliases=tuple(aliases), broker=str(table["broker"]),
                broker_en=str(table.get("broker_en", table["broker"])),
                horizon_months_max=horizon[1], source=str(table["source"]),
                labels_en=labels_en, labels_en_source=str(table.get("labels_en_source", "")))
        else:
            broken.add(key)
    for key, role in () if not require_defaults else (
            (DEFAULT_SCALE, "RATING's default scale"),
                      (DEFAULT_SCALE + INDUSTRY_SUFFIX, "INDUSTRY_RATING's default scale")):
        if key not in scales and key not in broken:
            out.add(None, f"[{key}]", f"scale missing; coverbook needs it ({role})")
    return scales


def _check_bands(out: Collector, key: str, bands: list[Band], lines: list[dict],
                 table_line: int | None) -> None:
    """Bands listed from highest to lowest must neither overlap nor leave a gap, and
    must reach from -inf to inf: then every real number has exactly one rating."""
    def at(i: int, field_name: str) -> int | None:
        band = lines[i] if i < len(lines) else {}
        return band.get(field_name, band.get(""))

    if not bands:
        out.add(table_line, "bands", f"[{key}]: no bands; add [[{key}.bands]] tables")
        return
    labels = [b.label for b in bands]
    for i, b in enumerate(bands):
        if labels.index(b.label) != i:
            out.add(at(i, "label"), "label", f"[{key}] band '{b.label}' appears twice")
        if not b.lower < b.upper:
            out.add(at(i, "lower"), "lower",
                    f"[{key}] band '{b.label}': lower {b.lower} must be below upper {b.upper}")
    if len(bands) > 1 and bands[0].upper < bands[-1].upper:
        out.add(at(0, ""), None,
                f"[{key}]: list the bands from highest to lowest (the highest band first)")
        return
    if bands[0].upper != math.inf:
        out.add(at(0, "upper"), "upper",
                f"[{key}] band '{bands[0].label}': the highest band must reach upper = inf")
    if bands[-1].lower != -math.inf:
        out.add(at(len(bands) - 1, "lower"), "lower",
                f"[{key}] band '{bands[-1].label}': the lowest band must reach lower = -inf")
    for i in range(len(bands) - 1):
        hi, lo = bands[i], bands[i + 1]
        pair = f"[{key}] bands '{hi.label}'/'{lo.label}'"
        if hi.lower > lo.upper:
            out.add(at(i + 1, "upper"), "upper",
                    f"{pair}: gap between {lo.upper} and {hi.lower}; a value there has "
                    f"no rating; {lo.label}'s upper must equal {hi.label}'s lower")
        elif hi.lower < lo.upper:
            out.add(at(i + 1, "upper"), "upper",
                    f"{pair}: overlap between {hi.lower} and {lo.upper}; a value there has "
                    f"two ratings; {lo.label}'s upper must equal {hi.label}'s lower")
        elif hi.lower_inclusive == lo.upper_inclusive:
            state = "both include" if hi.lower_inclusive else "neither includes"
            out.add(at(i + 1, "upper_inclusive"), "upper_inclusive",
                    f"{pair}: {state} the shared edge {hi.lower}; exactly one must")

