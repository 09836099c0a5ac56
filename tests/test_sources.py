"""Citations point at sources a recipient can follow: no product file (code, data,
README, docs) cites the project's shared reference notes outside the repository, and
docs/sources.md lists every rating scale with the date its data file gives."""

from __future__ import annotations

import re
import subprocess
import tomllib

from conftest import TESTS_DIR

ROOT = TESTS_DIR.parent


def tracked(*folders):
    out = subprocess.run(["git", "ls-files", *folders], cwd=ROOT, capture_output=True,
                         text=True, check=True).stdout.split()
    return [ROOT / p for p in out if not p.endswith((".bin", ".xlsm", ".png", ".xlam"))]


def test_no_product_file_cites_the_reference_notes_outside_the_repository():
    files = tracked("workbook", "udfs", "macros", "docs", "README.md")
    assert len(files) > 30
    hits = [f"{p.relative_to(ROOT)}: {line.strip()}" for p in files
            for line in p.read_text(encoding="utf-8", errors="replace").splitlines()
            if "shared/reference" in line or "broker-rating-scales.md" in line
            or "llm-prices.md" in line]
    assert hits == []


def test_sources_lists_every_rating_scale_with_its_date():
    sources = (ROOT / "docs" / "sources.md").read_text(encoding="utf-8")
    scales = tomllib.loads((ROOT / "workbook" / "scales" / "rating_scales.toml")
                           .read_text(encoding="utf-8"))
    rows = {}
    for line in sources.splitlines():
        if line.startswith("| `"):
            cells = [c.strip() for c in line.strip("|").split("|")]
            for key in re.findall(r"`([a-z-]+)`", cells[0]):
                rows[key] = cells
    assert set(rows) == set(scales) == {"tianfeng", "tianfeng-industry", "huatai", "gtja",
                                        "csc", "csc-industry", "industrial", "cmsc", "nesc"}
    for key, scale in scales.items():
        broker, date = rows[key][1], rows[key][3]
        assert scale["broker"] in broker, key
        # the date the scale's own source states is the one listed
        stated = "2024-09-24" if key.startswith("tianfeng") else date.replace(
            "texts of ", "").replace("not shown in the text", "date not shown")
        assert stated in scale["source"], (key, scale["source"], date)
