"""bench/run.py runs end to end on small sizes and counts what it should (timings are
its output, not asserted here: speed targets live in the benchmark, not in tests)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_runs_and_counts_udf_calls(tmp_path):
    out = tmp_path / "bench.json"
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--sizes", "15,250",
                           "--repeats", "1", "--json", str(out)], capture_output=True,
                          text=True, cwd=tmp_path, timeout=300)
    assert proc.returncode == 0, proc.stderr
    assert "build/floor" in proc.stdout and "target | measured | met" in proc.stdout
    result = json.loads(out.read_text(encoding="utf-8"))
    small, large = result["sizes"]["15"], result["sizes"]["250"]
    assert small["layout"] == "scalar" and large["layout"] == "array"
    # 15 stocks x 4 years: one =PE() per cell; 250 stocks: one per year column.
    assert small["udf_calls_by_name"]["PE"] == 60
    assert large["udf_calls_by_name"]["PE"] == 4
    # EPS CAGR and PEG: one per stock, or one per column in the array layout.
    for name in ("EPS_CAGR", "PEG"):
        assert (small["udf_calls_by_name"][name], large["udf_calls_by_name"][name]) == (15, 1)
    # The other sheets do not change with the stock count.
    table = ("PE", "EPS_CAGR", "PEG")
    others = {k: v for k, v in small["udf_calls_by_name"].items() if k not in table}
    assert others == {k: v for k, v in large["udf_calls_by_name"].items() if k not in table}
    # 评级说明's edge examples: 18 returns (17 edges and neighbours, and 120/100-1) on
    # each of the 9 scales plus the English stock labels; two INDUSTRY_RATING columns.
    assert others["RATING"] == 18 * 10 and others["INDUSTRY_RATING"] == 18 * 2
    # 15 cells a stock (13 and EPS CAGR, PEG); the sample has no printed P/E, so 60
    # check rows (6 cells) fewer.
    assert large["cells"] - small["cells"] == (250 - 15) * 15 - 60 * 6
    for row in (small, large):
        assert set(row["stages_s"]) == {"load", "compute", "write", "post"}
        assert row["build_s"] > 0 and row["floor_s"] > 0 and row["build_peak_rss_mb"] > 0
    udf = result["udf"]
    assert udf["array_rows"] == 250 and udf["scalar_calls_per_s"] > 0
