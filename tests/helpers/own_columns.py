"""The analyst's own columns (``extra_columns``) added to a data folder: the cells
as typed, for the tests of own columns and of their messages."""

from __future__ import annotations

import csv

SETTINGS = "settings.toml"

#: The own cells as typed in coverage.csv, by stock (the other stocks: 通信, 李四).
TYPED = {
    "300308.SZ": ("光模块", "张三"),
    "300502.SZ": ("=1+1", "@x"),
    "300394.SZ": ("+1", "-2.5"),
    "688498.SH": ("000063", "12345678901234567"),
    "002463.SZ": ("", "3"),
}
OTHERS = ("通信", "李四")


def add_own_columns(folder, declared='["sector", "analyst"]'):
    """Append the ``sector`` and ``analyst`` columns (:data:`TYPED`) to coverage.csv
    and declare *declared* in settings.toml."""
    path = folder / "coverage.csv"
    rows = list(csv.reader(path.open(encoding="utf-8")))
    rows[0] += ["sector", "analyst"]
    for row in rows[1:]:
        row += list(TYPED.get(row[0], OTHERS))
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    settings = folder / SETTINGS
    settings.write_text(settings.read_text(encoding="utf-8")
                        + f"\nextra_columns = {declared}\n", encoding="utf-8")
