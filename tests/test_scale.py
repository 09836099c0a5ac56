"""Large tables: the synthetic universe, the array layout and its cached values."""

from __future__ import annotations

import csv
import re
import subprocess
import sys

import openpyxl
import pytest
from openpyxl.worksheet.formula import ArrayFormula
from python_calamine import CalamineWorkbook

from workbook import DATA_DIR
from workbook.build import STAGES, build
from workbook.dataset import REPORT_PE_FILE, load_dataset
from workbook.sample import write_sample
from workbook.sheets.key_stocks import ARRAY_THRESHOLD

KEY = "重点标的"


def run(*args):
    return subprocess.run([sys.executable, "-m", "workbook", *args], capture_output=True,
                          text=True)


def expected_pe(close: str, eps: str):
    """P/E as the report defines it (收盘价/EPS), written out here independently of
    the UDF: blank EPS -> the missing-figure marker n.a., EPS <= 0 -> NM."""
    if eps == "":
        return "n.a."
    return "NM" if float(eps) <= 0 else float(close) / float(eps)


def test_sample_is_valid_varied_and_reproducible(tmp_path):
    a = write_sample(tmp_path / "a", 1000, 5, seed=7)
    b = write_sample(tmp_path / "b", 1000, 5, seed=7)
    c = write_sample(tmp_path / "c", 1000, 5, seed=8)
    files = sorted(p.name for p in a.iterdir())
    assert files == ["claims.csv", "coverage.csv", "fx.csv", "settings.toml",
                     "token_prices.csv", "workloads.csv"]
    for name in files:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name
    assert (a / "coverage.csv").read_bytes() != (c / "coverage.csv").read_bytes()
    assert not (a / REPORT_PE_FILE).exists()

    data = load_dataset(a)  # validates every row
    stocks = data.coverage.stocks
    assert len(stocks) == 1000 and [y.label for y in data.coverage.years] == [
        "2022A", "2023A", "2024E", "2025E", "2026E"]
    codes = [s.code for s in stocks]
    assert len(set(codes)) == 1000
    assert all(re.fullmatch(r"\d{6}\.(SH|SZ|BJ)", c) for c in codes)
    assert {c[-2:] for c in codes} == {"SH", "SZ", "BJ"}
    eps = [e for s in stocks for e in s.eps]
    assert 0.05 < sum(e is not None and e <= 0 for e in eps) / len(eps) < 0.12
    assert any(e == 0 for e in eps)
    assert 0.01 < sum(e is None for e in eps) / len(eps) < 0.06
    labels = {band.label for band in data.scales["tianfeng"].bands}
    assert {s.rating for s in stocks} == labels
    assert data.report_pe == {}


def test_sample_reaches_the_stress_size_with_unique_tickers(tmp_path):
    data = load_dataset(write_sample(tmp_path, 50_000, 1, seed=1))
    assert len({s.code for s in data.coverage.stocks}) == 50_000


def test_large_universe_builds_with_array_formulas_and_right_cached_values(tmp_path):
    n = ARRAY_THRESHOLD + 100
    folder, out = tmp_path / "sample", tmp_path / "big.xlsx"
    proc = run("sample", "--stocks", str(n), "--years", "4", "--seed", "3",
               "--out", str(folder))
    assert proc.returncode == 0, proc.stderr
    proc = run("build", "--data", str(folder), "--output", str(out))
    assert proc.returncode == 0, proc.stderr  # nothing printed to check is not a failure
    assert "no printed P/E to check" in proc.stdout and "claims 5/5" in proc.stdout
    assert "(6 array formulas)" in proc.stdout  # P/E per year, EPS CAGR and PEG
    assert proc.stderr == ""  # no progress bar when stderr is not a terminal

    with open(folder / "coverage.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header, rows = rows[0], rows[1:]
    eps_cols = [i for i, h in enumerate(header) if h.startswith("EPS ")]

    ws = openpyxl.load_workbook(out)[KEY]
    first, last = 4, 3 + n  # one-based rows of the first and last stock
    # Columns found by their headers: the sample's B shares (USD, HKD) give the table
    # its currency columns, so the EPS block does not start where coverage.csv's does.
    sheet_header = [c.value for c in ws[3]]
    pe_letters, pe_cols = [], []
    for k, i in enumerate(eps_cols):
        col = sheet_header.index(f"P/E {header[i][4:]}") + 1
        eps_col = sheet_header.index(header[i]) + 1
        anchor = ws.cell(first, col).value
        assert isinstance(anchor, ArrayFormula)
        letter, eps_letter = ws.cell(1, col).column_letter, ws.cell(1, eps_col).column_letter
        assert anchor.ref == f"{letter}{first}:{letter}{last}"
        # the closes are in their listing currency, the EPS too: no conversion
        assert anchor.text == f"=PE(C{first}:C{last},{eps_letter}{first}:{eps_letter}{last})"
        pe_letters.append(letter)
        pe_cols.append(col - 1)
    assert ws.cell(last + 1, pe_cols[0] + 1).value == f"=AVERAGE({pe_letters[0]}{first}:" \
                                                     f"{pe_letters[0]}{last})"

    cached = CalamineWorkbook.from_path(str(out)).get_sheet_by_name(KEY).to_python(
        skip_empty_area=False)
    assert [r[0] for r in cached[first - 1:last]] == [r[0] for r in rows]
    checked = 0
    for row, values in zip(rows, cached[first - 1:last]):
        for k, i in enumerate(eps_cols):
            want, got = expected_pe(row[2], row[i]), values[pe_cols[k]]
            if isinstance(want, float):
                assert got == pytest.approx(want, rel=1e-12), row[0]
            else:
                assert got == want, (row[0], row[i])
            checked += 1
    assert checked == n * 4


def test_both_layouts_store_the_same_cached_values(tmp_path):
    def sheets(path):
        wb = CalamineWorkbook.from_path(str(path))
        return {s: wb.get_sheet_by_name(s).to_python(skip_empty_area=False)
                for s in wb.sheet_names}

    scalar = build(DATA_DIR, tmp_path / "s.xlsx", array_threshold=10_000)
    array = build(DATA_DIR, tmp_path / "a.xlsx", array_threshold=0)
    assert array.n_array_formulas == 6 and scalar.n_array_formulas == 0
    assert array.n_cells == scalar.n_cells
    a, s = sheets(array.path), sheets(scalar.path)
    assert a.keys() == s.keys()
    for name in a:
        assert len(a[name]) == len(s[name]), name
        for row_a, row_s in zip(a[name], s[name]):
            assert len(row_a) == len(row_s)
            for x, y in zip(row_a, row_s):
                # XlsxWriter stores a plain number (a spilled cell) to 16 significant
                # digits and a formula's cached value in full: equal to 1e-15.
                if isinstance(x, float) and isinstance(y, float):
                    assert x == pytest.approx(y, rel=1e-15, abs=0), name
                else:
                    assert (type(x), x) == (type(y), y), name


def udf_calls(path) -> dict[str, int]:
    """UDF calls per full recalculation: formula cells calling a UDF (an array formula
    is one call), read back with openpyxl."""
    from udfs import __all__ as names

    calls: dict[str, int] = {}
    for ws in openpyxl.load_workbook(path).worksheets:
        for row in ws.iter_rows():
            for cell in row:
                v = cell.value
                text = v.text if isinstance(v, ArrayFormula) else v
                if isinstance(text, str) and text.startswith("="):
                    for name in names:
                        n = len(re.findall(rf"(?<![A-Z_]){name}\(", text))
                        if n:
                            calls[name] = calls.get(name, 0) + n
    return calls


def test_array_layout_calls_pe_once_per_year_column(tmp_path):
    folder = write_sample(tmp_path / "d", ARRAY_THRESHOLD + 1, 3, seed=0)
    assert udf_calls(build(folder, tmp_path / "a.xlsx").path)["PE"] == 3
    scalar = udf_calls(build(folder, tmp_path / "s.xlsx",
                             array_threshold=ARRAY_THRESHOLD + 1).path)
    assert scalar["PE"] == (ARRAY_THRESHOLD + 1) * 3
    # 2024E-2026E: no actual year to grow from, so no EPS CAGR or PEG column.
    assert "EPS_CAGR" not in scalar and "PEG" not in scalar


def test_build_reports_its_stages(tmp_path):
    timings, started = {}, []
    build(DATA_DIR, tmp_path / "b.xlsx", timings=timings, progress=started.append)
    assert tuple(started) == STAGES
    assert set(timings) == set(STAGES) and all(t >= 0 for t in timings.values())


def test_array_layout_builds_are_byte_identical(tmp_path):
    folder = write_sample(tmp_path / "d", ARRAY_THRESHOLD + 50, 4, seed=5)
    first = build(folder, tmp_path / "1.xlsx").path.read_bytes()
    second = build(folder, tmp_path / "2.xlsx").path.read_bytes()
    assert first == second
