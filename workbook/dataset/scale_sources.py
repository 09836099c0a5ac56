"""Where a project's rating scales come from: the brokers' scales coverbook ships, and
the project's own ``rating_scales.toml``, if its data folder has one.

The shipped file (:data:`SHIPPED_SCALES`, ``workbook/scales/rating_scales.toml`` in
the package) serves every project without a copy. A project's own file, laid out the
same way, adds scales; a scale there whose id is a shipped scale's replaces that scale
whole (bands, aliases, texts), and :func:`scales_note` says so in the build report.
Errors in the project's file name that file (``rating_scales.toml``, after the data
folder) and its line; errors in the shipped file name its full path.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from workbook import PACKAGE_DIR
from workbook.dataset.errors import Collector, DataError
from workbook.dataset.rating_scales import (RATING_SCALES_FILE, RatingScale, load_scales,
                                            toml_lines)
from workbook.dataset.reader import read_text

#: The brokers' rating scales coverbook ships (package data).
SHIPPED_SCALES = PACKAGE_DIR / "scales" / RATING_SCALES_FILE


@dataclass(frozen=True)
class ScaleSet:
    """The scales a project rates on, by id (shipped first, in file order, then the
    project's added ones), and what the project's own file did: the ids it
    ``replaced`` (shipped ids it redefines) and ``added`` (new ids), in its order."""

    scales: dict[str, RatingScale]
    replaced: tuple[str, ...] = ()
    added: tuple[str, ...] = ()
    #: Every scale file read, in reading order (the data hash covers their bytes).
    files: tuple[Path, ...] = field(default=(SHIPPED_SCALES,))

    @property
    def own(self) -> tuple[str, ...]:
        """Ids of the scales defined in the project's own file."""
        return self.replaced + self.added


def _names(scales: dict[str, RatingScale]) -> dict[str, str]:
    """Every id and alias of *scales* -> the id of the scale that has it."""
    return {name: key for key, s in scales.items() for name in (key, *s.aliases)}


def load_rating_scales(folder: Path, errors: list[DataError],
                       shipped: Path = SHIPPED_SCALES) -> ScaleSet:
    """The scales of the data folder *folder*: *shipped*, with the folder's own
    ``rating_scales.toml`` (optional) added and replacing by id.

    Problems (each at its line of the project's file): anything :func:`load_scales`
    finds in the file itself, and an id or alias of an added or replacing scale that
    is already a name of another shipped scale (names must stay unique: ``RATING``
    looks scales up by either). A project file with errors adds nothing.
    """
    start = len(errors)
    base = load_scales(shipped, errors, label=str(shipped))
    own_path = Path(folder) / RATING_SCALES_FILE
    if not own_path.exists():
        return ScaleSet(base)
    own = load_scales(own_path, errors, require_defaults=False)
    if len(errors) > start:
        return ScaleSet(base, files=(shipped, own_path))
    kept = {k: s for k, s in base.items() if k not in own}
    taken = _names(kept)
    out = Collector(own_path.name, errors)
    text = read_text(own_path, [])
    lines = toml_lines(text) if text else {}
    for key, scale in own.items():
        where = lines.get(key, {})
        for name in (key, *scale.aliases):
            if name in taken:
                out.add(where.get("aliases", where.get("")) if name != key else where.get(""),
                        "aliases" if name != key else None,
                        f"[{key}]: the name {name!r} is already taken by the shipped scale "
                        f"[{taken[name]}]; choose another, or replace [{taken[name]}] by "
                        "giving a scale its id")
    if len(errors) > start:
        return ScaleSet(base, files=(shipped, own_path))
    replaced = tuple(k for k in own if k in base)
    added = tuple(k for k in own if k not in base)
    merged = {k: own.get(k, s) for k, s in base.items()}
    merged.update((k, own[k]) for k in added)
    return ScaleSet(merged, replaced, added, (shipped, own_path))


def scales_note(scales: ScaleSet) -> str | None:
    """The build report's line about the project's own scales (``None`` without
    any): ``rating scales: rating_scales.toml replaces the shipped tianfeng; adds
    my-broker``."""
    if not scales.own:
        return None
    parts = []
    if scales.replaced:
        parts.append("replaces the shipped " + ", ".join(scales.replaced))
    if scales.added:
        parts.append("adds " + ", ".join(scales.added))
    return f"rating scales: the data folder's {RATING_SCALES_FILE} " + "; ".join(parts)


__all__ = ["SHIPPED_SCALES", "ScaleSet", "load_rating_scales", "scales_note"]
