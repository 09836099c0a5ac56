"""bench/run.py runs end to end in its quick mode, measures the real commands and
counts what it should; its replay writes the same cells as the build (timings are
its output, not asserted here: speed targets live in the benchmark, not in tests)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import openpyxl
from python_calamine import CalamineWorkbook

ROOT = Path(__file__).resolve().parent.parent


def _cells(path):
    """Every cell with a value as openpyxl reads it: value or formula (an array formula
    as its text and range), number format, bold, italic, alignment, wrap, fill."""
    wb = openpyxl.load_workbook(path, read_only=True)
    out = {}
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if hasattr(c, "column") and c.value is not None:
                    v = (c.value.text, c.value.ref) if hasattr(c.value, "ref") else c.value
                    out[ws.title, c.row, c.column] = (
                        v, c.number_format, c.font.b, c.font.i, c.alignment.horizontal,
                        c.alignment.wrap_text, c.fill.fgColor.rgb)
    wb.close()
    return out


def test_bench_quick_mode(tmp_path):
    out, keep = tmp_path / "bench.json", tmp_path / "files"
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "run.py"), "--quick",
                           "--json", str(out), "--keep", str(keep)], capture_output=True,
                          text=True, cwd=tmp_path, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert "build/replay" in proc.stdout and "target | measured | met" in proc.stdout
    assert "coverbook --help <= 4x python -c pass" in proc.stdout
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
    # check rows (6 cells) fewer. The sample's B shares trade in USD and HKD, so its
    # table has the two currency columns (2 cells a stock, 2 headers) and their note.
    assert large["cells"] - small["cells"] == 250 * 17 - 15 * 15 - 60 * 6 + 2 + 1
    for row in (small, large):
        assert set(row["stages_s"]) == {"import", "load", "compute", "write", "post"}
        for kind in ("build", "replay", "check", "stale"):
            assert row[kind]["wall"]["median"] > 0 and row[kind]["cpu"]["median"] > 0
            assert row[kind]["peak_rss_mb"]["median"] > 5
        # The stale check names the cell that changed: the last stock's close.
        last_row = 3 + row["stocks"]  # title, note, header, then one row per stock
        assert f"cell C{last_row}: value or formula on disk" in row["stale_message"]
    assert result["startup"]["help"]["wall"]["median"] > 0
    assert len(result["startup"]["python"]["wall"]["runs"]) == 5
    udf = result["udf"]
    assert udf["array_rows"] == 250 and udf["scalar_calls_per_s"] > 0
    # The replay writes what the build wrote: same values and cached values (calamine),
    # same formulas and formats (openpyxl), cell for cell.
    for label in ("15", "250"):
        built, replayed = keep / f"build-{label}.xlsm", keep / f"replay-{label}.xlsm"
        a, b = CalamineWorkbook.from_path(str(built)), CalamineWorkbook.from_path(str(replayed))
        assert a.sheet_names == b.sheet_names
        for name in a.sheet_names:
            assert (a.get_sheet_by_name(name).to_python()
                    == b.get_sheet_by_name(name).to_python()), (label, name)
        assert _cells(built) == _cells(replayed)
