"""coverbook benchmark: the commands as a user runs them, beside a bare XlsxWriter replay.

    .venv/bin/python bench/run.py                    # 15, 5,000, 50,000, 99,999 x 10 years; 5 repeats
    .venv/bin/python bench/run.py --sizes 15,5000 --repeats 3
    .venv/bin/python bench/run.py --quick            # 15 and 250 stocks, 1 repeat (tests)
    .venv/bin/python bench/run.py --prices           # also bench/prices.py (issue 22)

Every figure is one whole process, started the way a user starts it: wall time from
fork to exit, CPU time (user + system) and peak RSS of that process alone. A small
launcher forks and execs each command and reads its ``wait4`` usage, so no figure
carries the benchmark's own memory (a child started straight from a large parent
reports the parent's peak RSS as its own).

For each size (``15`` = the shipped report data, 15 stocks x 4 years; ``N`` = a
``coverbook sample`` of N stocks x 4 years, seed 0; ``NxY`` = N stocks x Y years;
``max`` = the largest sample, 99,999 stocks x 10 years), after one untimed build:

- **build**: ``coverbook build --data D --output F`` over the previous build's ``F``
  (what a user re-running it does; the file is checked for sheets of the user's);
- **replay**: ``python bench/replay.py``, the bare XlsxWriter script writing the same
  cells, read back from the built file beforehand (values, formulas with cached values,
  dynamic arrays, formats, the VBA project): Python, XlsxWriter and the write, nothing
  of coverbook;
- **check**: ``coverbook build --check`` of the current file (exit 0);
- **stale**: ``coverbook build --check`` after the last stock's close price changed
  (exit 1, naming that cell);

and, once per repeat, ``coverbook --help`` beside ``python -c pass`` (5 runs each).
Times are medians over the repeats with the spread (min-max); ratios are medians of
the per-repeat ratios (each pair measured back to back). Then, informational: one
in-process build split by stage (imports, load, compute, write, post), zlib over the
same sheet XML, UDF calls per full recalculation (from the sheet XML) and UDF
throughput through xlwings' conversions (``workbook.vba.xlwings_meta``).

The machine is usually shared: run it on a quiet machine for figures to quote, and
read the spreads. Prints a table and the issue's targets (met / not met); writes JSON
(``--json``).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
import zlib
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
DEFAULT_SIZES = "15,5000,50000,max"
QUICK_SIZES = "15,250"
YEARS, SEED = 4, 0
MAX_YEARS = 10
#: ``coverbook --help`` and ``python -c pass`` runs per repeat.
STARTUP_RUNS = 5

#: The targets of issue 14 (and issue 6's UDF targets), checked on the medians.
TARGETS = {
    "help_over_python": 4.0,
    "build_over_replay_15": 1.5,
    "build_over_replay_5000": 1.2,
    "build_over_replay_50000": 1.0,
    "peak_rss_mb_50000": 200,
    "peak_rss_mb_max": 400,
    "check_over_build": 1.1,
    "udf_calls_per_year_column_large": 1,
    "pe_array_cells_per_s": 1_000_000,
}

#: Forks, execs ``argv[2:]`` with stdout and stderr to the file ``argv[1]``, waits,
#: prints wall time, CPU time, peak RSS and exit code as JSON. Run with ``-I -S`` so it
#: stays small: the forked child starts with (and reports at least) its RSS.
LAUNCHER = r"""
import json, os, sys, time
log = os.open(sys.argv[1], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.dup2(log, 1)
    os.dup2(log, 2)
    try:
        os.execv(sys.argv[2], sys.argv[2:])
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
wall = time.perf_counter() - start
scale = 1024 * 1024 if sys.platform == "darwin" else 1024  # bytes on macOS, KB on Linux
print(json.dumps({"wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                  "peak_rss_mb": usage.ru_maxrss / scale,
                  "exit": os.waitstatus_to_exitcode(status)}))
"""


#: The environment of every measured process: this one's, with Python's bytecode
#: cache on. ``PYTHONDONTWRITEBYTECODE`` (set in some sandboxes and CI images) makes
#: Python compile every module of coverbook's own source tree at every start
#: (about 0.1 s here), which no installed user pays; the packages in site-packages
#: were compiled at install time either way. The first, untimed runs fill the cache.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def coverbook_command() -> list[str]:
    """The ``coverbook`` console script beside this interpreter, else ``python -m
    workbook`` (the same command line)."""
    script = Path(sys.executable).with_name("coverbook")
    return [str(script)] if script.exists() else [sys.executable, "-m", "workbook"]


def run(argv: list[str], log: Path, expect: int = 0) -> dict:
    """One whole-process measurement of *argv* (see :data:`LAUNCHER`)."""
    argv = [shutil.which(argv[0]) or argv[0], *argv[1:]]
    proc = subprocess.run([sys.executable, "-I", "-S", "-c", LAUNCHER, str(log), *argv],
                          capture_output=True, text=True, cwd=ROOT, env=ENV)
    if proc.returncode != 0:
        raise SystemExit(f"bench launcher failed for {argv}:\n{proc.stderr}")
    result = json.loads(proc.stdout)
    if result["exit"] != expect:
        raise SystemExit(f"{' '.join(argv)} exited {result['exit']} (expected {expect}):\n"
                         + log.read_text(encoding="utf-8", errors="replace")[-4000:])
    return result


# --- child processes (untimed preparation and in-process figures) -------------------


def child_spec(book: str, spec_path: str) -> dict:
    """The cells of the workbook *book* as ``bench/replay.py`` writes them, read back
    with openpyxl (read-only, formulas and cached values side by side)."""
    import pickle

    import openpyxl
    from openpyxl.utils.cell import range_boundaries
    from openpyxl.worksheet.formula import ArrayFormula

    formulas = openpyxl.load_workbook(book, read_only=True)
    values = openpyxl.load_workbook(book, read_only=True, data_only=True)
    formats: list[dict] = [{}]
    format_index: dict[tuple, int] = {(): 0}
    by_style: dict[int, int] = {}

    def style_of(cell) -> int:
        key = cell._style_id  # read-only cells carry the index of their cell format
        if key not in by_style:
            props = {}
            if cell.number_format and cell.number_format != "General":
                props["num_format"] = cell.number_format
            if cell.font.b:
                props["bold"] = True
            if cell.font.i:
                props["italic"] = True
            if cell.fill.fill_type == "solid":
                props["bg_color"] = "#" + cell.fill.fgColor.rgb[-6:]
                props["pattern"] = 1
            if cell.alignment.wrap_text:
                props["text_wrap"] = True
            if cell.alignment.horizontal:
                props["align"] = cell.alignment.horizontal
            items = tuple(sorted(props.items()))
            if items not in format_index:
                format_index[items] = len(formats)
                formats.append(props)
            by_style[key] = format_index[items]
        return by_style[key]

    sheets = []
    n_cells = 0
    for fs, vs in zip(formulas.worksheets, values.worksheets):
        cells = []
        for frow, vrow in zip(fs.iter_rows(), vs.iter_rows()):
            for fc, vc in zip(frow, vrow):
                if not hasattr(fc, "column"):  # no <c> element
                    continue
                row, col, f, v = fc.row - 1, fc.column - 1, fc.value, vc.value
                style = style_of(fc)
                if isinstance(f, ArrayFormula):
                    _, _, last_col, last_row = range_boundaries(f.ref)
                    cells.append((row, col, "a", (last_row - 1, last_col - 1, f.text,
                                                  "" if v is None else v), style))
                elif fc.data_type == "f":
                    cells.append((row, col, "f", (f, "" if v is None else v), style))
                elif f is None:
                    cells.append((row, col, "blank", None, style))
                elif isinstance(f, bool):
                    cells.append((row, col, "b", f, style))
                elif isinstance(f, (int, float)):
                    cells.append((row, col, "n", f, style))
                elif isinstance(f, (dt.date, dt.datetime)):
                    cells.append((row, col, "d", f, style))
                else:
                    cells.append((row, col, "s", str(f), style))
        n_cells += len(cells)
        sheets.append((fs.title, cells))
    formulas.close()
    values.close()
    with zipfile.ZipFile(book) as z:
        vba = z.read("xl/vbaProject.bin") if "xl/vbaProject.bin" in z.namelist() else None
    with open(spec_path, "wb") as f:
        pickle.dump({"formats": formats, "vba": vba, "sheets": sheets}, f,
                    protocol=pickle.HIGHEST_PROTOCOL)
    return {"cells": n_cells}


def child_stages(data: str, out: str) -> dict:
    """One build in this process, split by stage, with the time its imports take."""
    start = time.perf_counter()
    from workbook.build import build

    imports = time.perf_counter() - start
    timings: dict[str, float] = {}
    result = build(data, out, force=True, timings=timings)
    return {"import": imports, **timings, "cells": result.n_cells,
            "formulas": result.n_formulas, "array_formulas": result.n_array_formulas,
            "size_bytes": os.path.getsize(out)}


def child_udf(data: str) -> dict:
    """UDF throughput through xlwings' conversions (stand-in COM engine and xlwings'
    real decorators: ``workbook.vba.xlwings_meta``)."""
    from workbook.dataset import load_dataset
    from workbook.vba.xlwings_meta import call_like_excel, decorated_udfs, register_com_engine

    register_com_engine()
    with decorated_udfs() as udfs:
        return _udf_throughput(udfs, load_dataset(data), call_like_excel)


def _udf_throughput(udfs, data, call_like_excel) -> dict:
    stocks = data.coverage.stocks
    pairs = [(s.close, s.eps[k]) for s in stocks for k in range(len(s.eps))]
    out: dict = {}
    # Scalar: what one =PE(C4,F4) cell costs on the Python side (values as COM hands
    # them over: floats, None for blanks).
    n = min(len(pairs), 20_000)
    start = time.perf_counter()
    for close, eps in pairs[:n]:
        call_like_excel(udfs.PE, close, eps)
    out["scalar_calls_per_s"] = n / (time.perf_counter() - start)
    # Array: one =PE(C4:Cn,F4:Fn) per year column, as tuples of 1-tuples (COM ranges).
    closes = tuple((s.close,) for s in stocks)
    cells = 0
    start = time.perf_counter()
    for k in range(len(stocks[0].eps)):
        result = call_like_excel(udfs.PE, closes, tuple((s.eps[k],) for s in stocks))
        cells += len(result)
    out["array_cells_per_s_via_xlwings"] = cells / (time.perf_counter() - start)
    # The UDF alone on the same columns (lists, as xlwings hands them to it).
    closes_l = [[s.close] for s in stocks]
    eps_cols = [[[s.eps[k]] for s in stocks] for k in range(len(stocks[0].eps))]
    start = time.perf_counter()
    for col in eps_cols:
        udfs.PE(closes_l, col)
    out["array_cells_per_s_udf"] = cells / (time.perf_counter() - start)
    out["array_rows"] = len(stocks)
    return out


CHILDREN = {"spec": child_spec, "stages": child_stages, "udf": child_udf}


def spawn(kind: str, *args) -> dict:
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--child", kind,
                           *map(str, args)], capture_output=True, text=True, cwd=ROOT,
                          env=ENV)
    if proc.returncode != 0:
        raise SystemExit(f"bench child {kind} {args} failed:\n{proc.stderr}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


# --- measurements in this process -----------------------------------------------------


def sheet_parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()
                if n.startswith("xl/worksheets/") and n.endswith(".xml")}


def deflate_seconds(path: Path) -> float:
    """zlib at zipfile's default level (6) over the workbook's sheet XML parts."""
    parts = sheet_parts(path)
    start = time.perf_counter()
    for data in parts.values():
        c = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
        c.compress(data)
        c.flush()
    return time.perf_counter() - start


_FORMULA = re.compile(rb"<f(?: [^>]*)?>([^<]*)</f>")


def udf_calls(path: Path) -> dict:
    """UDF calls per full recalculation: every formula cell calling a UDF counts once
    per UDF name it calls (an array formula is one cell); from the sheet XML."""
    sys.path.insert(0, str(ROOT))
    from udfs import __all__ as names

    pattern = re.compile(rb"(?<![A-Za-z0-9_.])(" + b"|".join(
        n.encode() for n in sorted(names, key=len, reverse=True)) + rb")\(")
    calls: dict[str, int] = {}
    arrays = 0
    for xml in sheet_parts(path).values():
        for m in _FORMULA.finditer(xml):
            for name in pattern.findall(m.group(1)):
                calls[name.decode()] = calls.get(name.decode(), 0) + 1
        arrays += xml.count(b'<f t="array"')
    return {"total": sum(calls.values()), "by_udf": calls, "array_formulas": arrays}


def spread(values: list[float]) -> dict:
    return {"median": statistics.median(values), "min": min(values), "max": max(values),
            "runs": values}


def parse_size(text: str) -> tuple[str, int, int]:
    """``(label, stocks, years)`` of a ``--sizes`` entry."""
    sys.path.insert(0, str(ROOT))
    from workbook.sample import CAPACITY

    text = text.strip().replace("_", "").lower()
    if text == "max":
        return f"{CAPACITY}x{MAX_YEARS}", CAPACITY, MAX_YEARS
    stocks, _, years = text.partition("x")
    n, y = int(stocks), int(years) if years else YEARS
    return (str(n) if not years else f"{n}x{y}"), n, y


def make_data(work: Path, label: str, stocks: int, years: int) -> tuple[Path, Path]:
    """The data folder of a size and a stale copy (the last stock's close + 1.00)."""
    from workbook import DATA_DIR
    from workbook.sample import write_sample

    data = work / f"data-{label}"
    if label == "15":
        shutil.copytree(DATA_DIR, data, dirs_exist_ok=True)  # the report's own 15
    else:
        write_sample(data, stocks, years, SEED)
    stale = work / f"stale-{label}"
    shutil.copytree(data, stale, dirs_exist_ok=True)
    coverage = stale / "coverage.csv"
    lines = coverage.read_bytes().decode("utf-8").split("\n")
    last = next(i for i in range(len(lines) - 1, 0, -1) if lines[i].strip())
    cells = lines[last].split(",")
    cells[2] = f"{float(cells[2]) + 1:.2f}"
    lines[last] = ",".join(cells)
    coverage.write_bytes("\n".join(lines).encode("utf-8"))
    return data, stale


def measure_size(label: str, stocks: int, years: int, repeats: int, work: Path) -> dict:
    coverbook = coverbook_command()
    data, stale = make_data(work, label, stocks, years)
    out, replay_out = work / f"build-{label}.xlsm", work / f"replay-{label}.xlsm"
    log = work / f"log-{label}.txt"
    build_argv = [*coverbook, "build", "--data", str(data), "--output", str(out)]
    run(build_argv, log)  # the file later builds replace, and what is replayed
    spec = work / f"spec-{label}.pickle"
    spec_info = spawn("spec", out, spec)
    replay_argv = [sys.executable, str(BENCH_DIR / "replay.py"), str(spec), str(replay_out)]
    check_argv = [*coverbook, "build", "--check", "--data", str(data), "--output", str(out)]
    stale_argv = [*coverbook, "build", "--check", "--data", str(stale), "--output", str(out)]
    run(stale_argv, log, expect=1)  # untimed, like the first build: warms the caches
    runs: dict[str, list[dict]] = {"build": [], "replay": [], "check": [], "stale": []}
    for _ in range(repeats):
        runs["build"].append(run(build_argv, log))
        runs["replay"].append(run(replay_argv, log))
        runs["check"].append(run(check_argv, log))
        runs["stale"].append(run(stale_argv, log, expect=1))
    # the first line after the one naming the data folder (``data: DIR (--data)``)
    stale_message = next(line for line in log.read_text(encoding="utf-8").splitlines()
                         if not line.startswith("data: "))
    stages = spawn("stages", data, work / f"stages-{label}.xlsm")
    calls = udf_calls(out)
    row: dict = {"stocks": stocks, "years": years, "repeats": repeats,
                 "layout": "array" if stages["array_formulas"] else "scalar",
                 "cells": stages["cells"], "replay_cells": spec_info["cells"],
                 "formulas": stages["formulas"], "size_bytes": os.path.getsize(out),
                 "stages_s": {k: stages[k] for k in ("import", "load", "compute", "write",
                                                     "post")},
                 "deflate_s": deflate_seconds(out), "stale_message": stale_message,
                 "udf_calls_per_recalc": calls["total"], "udf_calls_by_name": calls["by_udf"],
                 "pe_calls_per_year_column": calls["by_udf"].get("PE", 0) / years}
    for kind, measured in runs.items():
        row[kind] = {what: spread([m[what] for m in measured])
                     for what in ("wall", "cpu", "peak_rss_mb")}
    ratios = {"build_over_replay": ("build", "replay"), "check_over_build": ("check", "build"),
              "stale_over_build": ("stale", "build")}
    for name, (a, b) in ratios.items():
        for what in ("wall", "cpu"):
            row[f"{name}_{what}"] = spread([x[what] / y[what]
                                            for x, y in zip(runs[a], runs[b])])
    spec.unlink()
    return row


def measure_startup(repeats: int, work: Path) -> dict:
    coverbook = coverbook_command()
    log = work / "log-startup.txt"
    runs: dict[str, list[dict]] = {"python": [], "help": []}
    run([*coverbook, "--help"], log)  # untimed: fills the bytecode cache
    for _ in range(repeats * STARTUP_RUNS):
        runs["python"].append(run([sys.executable, "-c", "pass"], log))
        runs["help"].append(run([*coverbook, "--help"], log))
    out = {kind: {what: spread([m[what] for m in measured])
                  for what in ("wall", "cpu", "peak_rss_mb")}
           for kind, measured in runs.items()}
    out["help_over_python_wall"] = spread([h["wall"] / p["wall"]
                                           for h, p in zip(runs["help"], runs["python"])])
    return out


# --- report ---------------------------------------------------------------------------


def _s(x: dict, digits: int = 3) -> str:
    return f"{x['median']:.{digits}f} [{x['min']:.{digits}f}-{x['max']:.{digits}f}]"


def _r(x: dict) -> str:
    return f"{x['median']:.2f}x [{x['min']:.2f}-{x['max']:.2f}]"


def _mb(x: dict) -> str:
    return f"{x['median']:.0f}"


def verdicts(startup: dict, rows: dict[str, dict], udf: dict) -> list[tuple[str, str, bool | None]]:
    out: list[tuple[str, str, bool | None]] = []

    def add(name, text, ok):
        out.append((name, text, ok))

    if startup:
        ratio = startup["help_over_python_wall"]
        add("coverbook --help <= 4x python -c pass", _r(ratio),
            ratio["median"] <= TARGETS["help_over_python"])
    for label, target in (("15", "build_over_replay_15"), ("5000", "build_over_replay_5000"),
                          ("50000", "build_over_replay_50000")):
        if label in rows:
            ratio = rows[label]["build_over_replay_wall"]
            add(f"build {int(label):,} stocks <= {TARGETS[target]}x replay (wall)", _r(ratio),
                ratio["median"] <= TARGETS[target])
            cpu = rows[label]["build_over_replay_cpu"]
            add("  (info) same, CPU time", _r(cpu), None)
    if "50000" in rows:
        rss = rows["50000"]["build"]["peak_rss_mb"]["median"]
        add("peak RSS 50,000 <= 200 MB", f"{rss:.0f} MB", rss <= TARGETS["peak_rss_mb_50000"])
    largest = [label for label, r in rows.items() if r["stocks"] >= 99_999]
    for label in largest:
        rss = rows[label]["build"]["peak_rss_mb"]["median"]
        add(f"largest sample ({label}) completes, peak RSS <= 400 MB", f"{rss:.0f} MB",
            rss <= TARGETS["peak_rss_mb_max"])
    for label, r in rows.items():
        for kind, name in (("check", "--check"), ("stale", "stale --check")):
            ratio = r[f"{kind}_over_build_wall"]
            add(f"{name} {label} <= 1.1x build (wall)", _r(ratio),
                ratio["median"] <= TARGETS["check_over_build"])
            mine, build = r[kind]["peak_rss_mb"]["median"], r["build"]["peak_rss_mb"]["median"]
            add(f"{name} {label} peak RSS <= build's", f"{mine:.0f} vs {build:.0f} MB",
                mine <= build)
    large = [r for r in rows.values() if r["layout"] == "array"]
    if large:
        worst = max(r["pe_calls_per_year_column"] for r in large)
        add("<= 1 UDF call per year column (large tables)", f"{worst:g}",
            worst <= TARGETS["udf_calls_per_year_column_large"])
    if udf:
        add("vectorised P/E >= 1,000,000 cells/s (UDF)", f"{udf['array_cells_per_s_udf']:,.0f}",
            udf["array_cells_per_s_udf"] >= TARGETS["pe_array_cells_per_s"])
        add("  (info) same, through xlwings' conversions",
            f"{udf['array_cells_per_s_via_xlwings']:,.0f}", None)
    return out


def table(startup: dict, rows: dict[str, dict], udf: dict) -> str:
    lines = []
    if startup:
        lines += ["start-up (wall s, median [min-max]) | peak RSS MB", "--- | ---",
                  f"python -c pass: {_s(startup['python']['wall'])} | "
                  f"{_mb(startup['python']['peak_rss_mb'])}",
                  f"coverbook --help: {_s(startup['help']['wall'])} | "
                  f"{_mb(startup['help']['peak_rss_mb'])}", ""]
    head = ("stocks x years", "layout", "cells", "build s", "replay s", "build/replay",
            "CPU build/replay", "build MB", "replay MB", "check s", "check/build",
            "check MB", "stale s", "stale/build", "stale MB")
    lines += [" | ".join(head), " | ".join("---" for _ in head)]
    for label, r in rows.items():
        lines.append(" | ".join([
            f"{r['stocks']:,} x {r['years']}", r["layout"], f"{r['cells']:,}",
            _s(r["build"]["wall"]), _s(r["replay"]["wall"]), _r(r["build_over_replay_wall"]),
            _r(r["build_over_replay_cpu"]), _mb(r["build"]["peak_rss_mb"]),
            _mb(r["replay"]["peak_rss_mb"]), _s(r["check"]["wall"]),
            _r(r["check_over_build_wall"]), _mb(r["check"]["peak_rss_mb"]),
            _s(r["stale"]["wall"]), _r(r["stale_over_build_wall"]),
            _mb(r["stale"]["peak_rss_mb"])]))
    head = ("stocks x years", "import", "load", "compute", "write", "post", "deflate",
            "file MB", "UDF calls / recalc")
    lines += ["", "in-process build, one run (s):", " | ".join(head),
              " | ".join("---" for _ in head)]
    for label, r in rows.items():
        s = r["stages_s"]
        lines.append(" | ".join([f"{r['stocks']:,} x {r['years']}"]
                                + [f"{s[k]:.3f}" for k in ("import", "load", "compute",
                                                          "write", "post")]
                                + [f"{r['deflate_s']:.3f}", f"{r['size_bytes'] / 1e6:.1f}",
                                   f"{r['udf_calls_per_recalc']:,}"]))
    if udf:
        lines += ["", f"UDF throughput ({udf['array_rows']:,}-row columns): scalar =PE() "
                  f"through xlwings' conversions {udf['scalar_calls_per_s']:,.0f} calls/s; "
                  f"array form {udf['array_cells_per_s_udf']:,.0f} cells/s (UDF), "
                  f"{udf['array_cells_per_s_via_xlwings']:,.0f} cells/s through xlwings' "
                  "conversions"]
    lines += ["", "target | measured | met", "--- | --- | ---"]
    lines += [f"{name} | {text} | {'-' if ok is None else 'yes' if ok else 'NO'}"
              for name, text, ok in verdicts(startup, rows, udf)]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default=None,
                        help=f"comma-separated sizes: N, NxYEARS or max (default {DEFAULT_SIZES})")
    parser.add_argument("--repeats", type=int, default=None, help="runs per size (default 5)")
    parser.add_argument("--quick", action="store_true",
                        help=f"sizes {QUICK_SIZES}, 1 repeat (what the tests run)")
    parser.add_argument("--json", type=Path, default=BENCH_DIR / "results.json",
                        help="where to write the results (default %(default)s)")
    parser.add_argument("--keep", type=Path, default=None,
                        help="keep the data, built and replayed files in this folder")
    parser.add_argument("--prices", action="store_true",
                        help="also measure the price history (bench/prices.py): a "
                             "5,500-row import and a build with 1.25M history rows")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, *rest = args.child
        sys.path.insert(0, str(ROOT))
        print(json.dumps(CHILDREN[kind](*rest)))
        return

    sizes = [parse_size(s) for s in (args.sizes or (QUICK_SIZES if args.quick
                                                    else DEFAULT_SIZES)).split(",") if s]
    repeats = args.repeats or (1 if args.quick else 5)
    started = dt.datetime.now().astimezone()
    load_at_start = os.getloadavg()
    rows: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="coverbook-bench-") as tmp:
        work = args.keep or Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        print(f"start-up x {repeats * STARTUP_RUNS} ...", file=sys.stderr, flush=True)
        startup = measure_startup(repeats, work)
        for label, stocks, years in sizes:
            print(f"measuring {stocks:,} stocks x {years} years x {repeats} ...",
                  file=sys.stderr, flush=True)
            rows[label] = measure_size(label, stocks, years, repeats, work)
        # UDF throughput on 5,000-row columns, else the largest size up to that.
        small = [k for k, r in rows.items() if r["stocks"] <= 5000] or list(rows)
        udf = spawn("udf", work / f"data-{max(small, key=lambda k: rows[k]['stocks'])}")
        load_at_end = os.getloadavg()
    print(f"{started:%Y-%m-%d %H:%M %Z}; Python {platform.python_version()}; "
          f"{os.cpu_count()} CPUs; load average {load_at_start[0]:.2f} at start, "
          f"{load_at_end[0]:.2f} at end; {repeats} repeat(s); bytecode cache on"
          + (" (PYTHONDONTWRITEBYTECODE removed for the measured processes)"
             if "PYTHONDONTWRITEBYTECODE" in os.environ else "") + "\n")
    report = table(startup, rows, udf)
    print(report)
    prices = None
    if args.prices:
        import prices as prices_bench  # bench/prices.py, beside this file

        print("\nprice history:")
        prices = prices_bench.main(["--repeats", str(repeats)])
    result = {"date": started.isoformat(timespec="seconds"),
              "machine": {"python": platform.python_version(), "platform": platform.platform(),
                          "cpus": os.cpu_count(), "load_average": [load_at_start[0], load_at_end[0]]},
              "repeats": repeats,
              "startup": startup, "sizes": rows, "udf": udf, "prices": prices,
              "targets": [{"target": t, "measured": m, "met": ok}
                          for t, m, ok in verdicts(startup, rows, udf)]}
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n",
                         encoding="utf-8")
    print(f"\nwrote {args.json}", file=sys.stderr)


if __name__ == "__main__":
    main()
