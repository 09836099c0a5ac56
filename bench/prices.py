"""The price history at scale (issue 22 item 5), whole processes as a user runs them:

    .venv/bin/python bench/prices.py                 # 5 repeats
    .venv/bin/python bench/prices.py --repeats 3
    .venv/bin/python bench/run.py --prices           # the same, after run.py's table

- **import**: ``coverbook prices import EXPORT --data D`` of a Wind cross-section
  ``.xlsx`` of 5,500 rows (the 5,000 covered stocks and 500 codes outside the
  coverage), into a fresh copy of the data folder each run. Target: under 2 s.
- **build with history** beside **build without**: ``coverbook build`` of a 5,000-stock
  sample (4 years, seed 0) whose ``prices.csv`` holds 250 trading days of closes per
  stock (1.25 million rows, every one validated), and of the same folder without it.
  Target: at most 2x.

Medians over the repeats with the spread (min-max); the ratio is the median of the
per-repeat ratios (each pair measured back to back). The data is untimed preparation.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(ROOT))

import run as bench  # noqa: E402 - bench/run.py: the whole-process launcher

STOCKS, DAYS, OUTSIDE = 5000, 250, 500
IMPORT_TARGET, BUILD_RATIO_TARGET = 2.0, 2.0


def trading_days(last: dt.date, n: int) -> list[dt.date]:
    """*n* weekdays ending on *last* (holidays are not modelled)."""
    days, day = [], last
    while len(days) < n:
        if day.weekday() < 5:
            days.append(day)
        day -= dt.timedelta(days=1)
    return days[::-1]


def make_folders(work: Path) -> tuple[Path, Path, Path]:
    """The sample without history, the same with ``prices.csv``, and the export."""
    import csv

    import openpyxl

    from workbook.sample import write_sample

    plain = work / "plain"
    write_sample(plain, STOCKS, 4, bench.SEED)
    with (plain / "coverage.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    history = work / "history"
    shutil.copytree(plain, history)
    rng = random.Random(0)
    lines = ["code,date,close,currency,source"]
    for row in sorted(rows, key=lambda r: r["code"]):
        last = dt.date.fromisoformat(row["close_date"])
        for day in trading_days(last, DAYS):
            # The close date's close is coverage.csv's own (the two must agree).
            close = (row["close"] if day == last
                     else f"{float(row['close']) * rng.uniform(0.7, 1.3):.2f}")
            lines.append(f"{row['code']},{day},{close},CNY,Wind EDE{day:%Y%m%d}.xlsx")
    (history / "prices.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet()
    sheet.append(["证券代码", "证券简称", "收盘价\n[交易日期] 2024-09-24\n[复权方式] 不复权\n[单位] 元"])
    for row in rows:
        sheet.append([row["code"], row["name"], f"{float(row['close']) * 1.01:,.2f}"])
    for i in range(OUTSIDE):
        sheet.append([f"{i:04d}.HK", "港股", 10.0 + i])
    sheet.append(["数据来源：Wind"])
    export = work / "EDE20240924.xlsx"
    book.save(export)
    return plain, history, export


def measure(repeats: int, work: Path) -> dict:
    plain, history, export = make_folders(work)
    coverbook = bench.coverbook_command()
    out, log = work / "out.xlsx", work / "log.txt"
    bench.run([*coverbook, "build", "--data", str(plain), "--output", str(out)], log)
    imports, with_history, without, ratios = [], [], [], []
    for _ in range(repeats):
        target = work / "import-data"
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(plain, target)
        imports.append(bench.run([*coverbook, "prices", "import", str(export), "--data",
                                  str(target)], log)["wall"])
        a = bench.run([*coverbook, "build", "--data", str(plain), "--output", str(out)],
                      log)["wall"]
        b = bench.run([*coverbook, "build", "--data", str(history), "--output", str(out)],
                      log)["wall"]
        without.append(a)
        with_history.append(b)
        ratios.append(b / a)
    rows = sum(1 for _ in (history / "prices.csv").open(encoding="utf-8")) - 1
    return {"import": bench.spread(imports), "build_without": bench.spread(without),
            "build_with": bench.spread(with_history), "ratio": bench.spread(ratios),
            "history_rows": rows, "export_rows": STOCKS + OUTSIDE}


def report(result: dict) -> str:
    def s(x):
        return f"{x['median']:.2f} s ({x['min']:.2f}-{x['max']:.2f})"

    ratio = result["ratio"]["median"]
    imp = result["import"]["median"]
    return "\n".join([
        f"prices import, {result['export_rows']:,}-row Wind .xlsx: {s(result['import'])}"
        f"  target < {IMPORT_TARGET:g} s: {'met' if imp < IMPORT_TARGET else 'NOT met'}",
        f"build {STOCKS:,} stocks without history: {s(result['build_without'])}",
        f"build {STOCKS:,} stocks with {result['history_rows']:,} history rows: "
        f"{s(result['build_with'])}",
        f"ratio with/without: {ratio:.2f}x ({result['ratio']['min']:.2f}-"
        f"{result['ratio']['max']:.2f})  target <= {BUILD_RATIO_TARGET:g}x: "
        f"{'met' if ratio <= BUILD_RATIO_TARGET else 'NOT met'}"])


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="coverbook-bench-prices-") as tmp:
        result = measure(args.repeats, Path(tmp))
    print(report(result))
    return result


if __name__ == "__main__":
    main()
