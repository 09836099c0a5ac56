"""``rating_scales.toml``: the broker's rating scales (``stock``, ``industry``), each a
list of bands that must tile the real line (no gap, no overlap, ±inf at the ends)."""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path

from workbook.dataset.errors import Collector, DataError
from workbook.dataset.reader import EXCEL_MAX_TEXT, TOO_LONG, excel_length, read_text

RATING_SCALES_FILE = "rating_scales.toml"
#: The text keys of a scale table; like every cell, each must fit an Excel cell.
SCALE_TEXTS = ("title", "title_en", "benchmark", "benchmark_en", "measure")


@dataclass(frozen=True)
class Band:
    """One rating band of a scale: label and its edges (fractions, ±inf at the ends)."""

    label: str
    label_en: str
    lower: float
    lower_inclusive: bool
    upper: float
    upper_inclusive: bool

    def contains(self, x: float) -> bool:
        """True if the fraction *x* lies in this band, edges as stated."""
        above = x > self.lower or (self.lower_inclusive and x == self.lower)
        below = x < self.upper or (self.upper_inclusive and x == self.upper)
        return above and below


@dataclass(frozen=True)
class RatingScale:
    """A broker rating scale: bands from highest to lowest, and what they measure."""

    key: str
    title: str
    title_en: str
    benchmark: str
    benchmark_en: str
    horizon_months: int
    measure: str
    bands: tuple[Band, ...]



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


def load_scales(path: Path, errors: list[DataError]) -> dict[str, RatingScale]:
    """The rating scales from ``rating_scales.toml``; bands must tile the real line.

    Each error's row is the line of the key at fault (found by :func:`toml_lines`),
    its column the key's name.
    """
    text = read_text(path, errors)
    if text is None:
        return {}
    out = Collector(path.name, errors)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        at = re.search(r"at line (\d+)", str(exc))
        out.add(int(at.group(1)) if at else None, None, f"not valid TOML: {exc}")
        return {}
    lines = toml_lines(text)
    scales = {}
    broken: set[str] = set()
    for key, table in doc.items():
        start = len(errors)
        where = lines.get(key, {})
        if not isinstance(table, dict):
            out.add(None, key, "expected a table [name] with [[name.bands]]")
            broken.add(key)
            continue
        for name in ("title", "benchmark", "horizon_months", "bands"):
            if name not in table:
                out.add(where.get(""), name, f"[{key}]: missing")
        months = table.get("horizon_months", 6)
        if not isinstance(months, int) or isinstance(months, bool) or months <= 0:
            out.add(where.get("horizon_months"), "horizon_months",
                    f"[{key}]: must be a whole number of months")
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
                    ("label", lambda v: isinstance(v, str) and v.strip(), "text"),
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
            for field_name in ("label", "label_en"):
                text = b.get(field_name)
                if isinstance(text, str) and excel_length(text) > EXCEL_MAX_TEXT:
                    out.add(band_lines.get(field_name, band_lines.get("")), field_name,
                            f"{name}: {TOO_LONG}")
                    band_ok = False
            if band_ok:
                bands.append(Band(b["label"], str(b.get("label_en", b["label"])),
                                  float(b["lower"]), b["lower_inclusive"],
                                  float(b["upper"]), b["upper_inclusive"]))
        if len(errors) == start:
            _check_bands(out, key, bands, where.get("bands", []), where.get(""))
        if len(errors) == start:
            scales[key] = RatingScale(
                key, str(table["title"]), str(table.get("title_en", table["title"])),
                str(table["benchmark"]), str(table.get("benchmark_en", table["benchmark"])),
                int(table["horizon_months"]), str(table.get("measure", "")), tuple(bands))
        else:
            broken.add(key)
    for key in ("stock", "industry"):
        if key not in scales and key not in broken:
            out.add(None, f"[{key}]", "scale missing; coverbook needs 'stock' and 'industry'")
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

