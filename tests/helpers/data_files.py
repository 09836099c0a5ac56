"""Edits to a copy of the data folder (the ``data_copy`` fixture): replace text in a
file, find a line, add target prices."""

from __future__ import annotations

import csv
import io


def edit(folder, file, old, new, count=1):
    """Replace the *count*-th occurrence of *old* in *file* by *new* (exactly one)."""
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= count, (file, old)
    head, *rest = text.split(old)
    parts = [head]
    for i, part in enumerate(rest, start=1):
        parts.append(new if i == count else old)
        parts.append(part)
    path.write_text("".join(parts), encoding="utf-8")


def line_of(folder, file, needle, nth=1):
    """Line number of the *nth* line of *file* that contains *needle*."""
    lines = (folder / file).read_text(encoding="utf-8").splitlines()
    hits = [i for i, line in enumerate(lines, start=1) if needle in line]
    return hits[nth - 1]


def band_key_line(folder, scale, label, key):
    """Line of ``key = ...`` inside the band *label* of *scale* in rating_scales.toml."""
    lines = (folder / "rating_scales.toml").read_text(encoding="utf-8").splitlines()
    in_band = False
    for i, line in enumerate(lines, start=1):
        if line.startswith("[[") or line.startswith("["):
            in_band = False
        if line.strip() == f'label = "{label}"':
            in_band = True
        if in_band and line.split("=")[0].strip() == key:
            return i
    raise AssertionError((scale, label, key))


def rewrite_csv(path, transform):
    """Rewrite the CSV at *path* with ``transform(rows) -> rows``."""
    with open(path, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(transform(rows))
    path.write_text(out.getvalue(), encoding="utf-8")


def with_targets(folder, targets: dict[str, str]):
    """Add a target_price column after rating; *targets* by ticker, others blank."""
    path = folder / "coverage.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    out = []
    for i, line in enumerate(lines):
        cells = line.split(",")
        cells.insert(5, "target_price" if i == 0 else targets.get(cells[0], ""))
        out.append(",".join(cells))
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


#: Targets chosen to land on and beside Tianfeng's edges (published rating in brackets):
TARGETS = {
    "300308.SZ": "130.68",  # 130.68 / 108.90 - 1 = 20% exactly: 买入 (买入)
    "300502.SZ": "110.00",  # 15.49%: 增持 (买入)
    "300394.SZ": "81.257",  # 73.87 x 1.1 = 81.257: 10% exactly: 增持 (增持)
    "688498.SH": "95.40",  # 9.996%: 持有 (增持)
    "000063.SZ": "29.88",  # 24.90 x 1.2: 20% exactly: 买入 (买入)
    "600941.SH": "90.945",  # 101.05 x 0.9: -10% exactly: 卖出 (买入)
    "601728.SH": "",  # no target: n.a.
}
