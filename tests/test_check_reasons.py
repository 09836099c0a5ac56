"""``coverbook build --check`` says why it exits 1 (stale, or the checks fail, with the
FAIL lines) and names the first cell that really differs, in both P/E layouts."""

from __future__ import annotations

import pytest

from conftest import cli_build
from helpers.data_files import edit

ADVICE = ("the data no longer gives the figures the report printed. If you updated "
          "prices, EPS or token prices on purpose, update or delete report_pe.csv / "
          "claims.csv in the data folder.")


@pytest.fixture
def off_by_a_yuan(data_copy):
    """300308.SZ closing at 109.90 instead of 108.90: 4 of the 60 printed P/Es fail."""
    edit(data_copy, "coverage.csv", "108.90,", "109.90,")
    return data_copy


def test_current_but_the_checks_fail_says_so_with_the_fail_lines(off_by_a_yuan, tmp_path):
    out = tmp_path / "book.xlsm"
    assert cli_build(off_by_a_yuan, out).exit_code == 1  # written, checks fail
    before = out.read_bytes()
    result = cli_build(off_by_a_yuan, out, "--check")
    assert result.exit_code == 1
    # stdout holds only the line naming the data folder and why
    assert result.stdout == f"data: {off_by_a_yuan} (--data)\n"
    assert result.stderr.splitlines() == [
        f"{out} is current, but the checks fail (P/E 56/60 match the report; claims 5/5)",
        # the report's printed P/E and 109.90 / EPS (1.94, 5.33, 8.96, 11.18)
        f"FAIL 300308.SZ 中际旭创 P/E 2023A: printed 56.13, computed {109.90 / 1.94:.6g}",
        f"FAIL 300308.SZ 中际旭创 P/E 2024E: printed 20.43, computed {109.90 / 5.33:.6g}",
        f"FAIL 300308.SZ 中际旭创 P/E 2025E: printed 12.15, computed {109.90 / 8.96:.6g}",
        f"FAIL 300308.SZ 中际旭创 P/E 2026E: printed 9.74, computed {109.90 / 11.18:.6g}",
        f"The workbook is current, but {ADVICE}",
    ]
    assert out.read_bytes() == before


def test_stale_and_failing_gives_both_reasons(off_by_a_yuan, tmp_path):
    out = tmp_path / "book.xlsm"
    from workbook import DATA_DIR
    assert cli_build(DATA_DIR, out).exit_code == 0  # built from the shipped data
    before = out.read_bytes()
    result = cli_build(off_by_a_yuan, out, "--check")
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0] == (f"{out} is stale: sheet '重点标的' cell C4: value or formula on disk "
                        "108.9, from the data 109.9")
    assert lines[1].startswith("Run 'coverbook build --data ")
    assert lines[2] == "FAIL 300308.SZ 中际旭创 P/E 2023A: printed 56.13, computed 56.6495"
    assert lines[-1] == f"The checks fail too: {ADVICE}"
    assert out.read_bytes() == before


@pytest.mark.parametrize("threshold", ["200", "0"])
def test_first_real_difference_in_both_layouts(threshold, data_copy, tmp_path):
    # 600941.SH (China Mobile, line 10: row 12 of the sheet) EPS 2025E changed. In the
    # array layout every P/E anchor on row 4 used to "differ" (openpyxl's ArrayFormula
    # has no equality), so --check named J4 whatever had changed.
    out = tmp_path / "book.xlsm"
    assert cli_build(data_copy, out, "--array-threshold", threshold).exit_code == 0
    line = (data_copy / "coverage.csv").read_text(encoding="utf-8").splitlines()[9]
    assert line.startswith("600941.SH,")
    cells = line.split(",")
    eps_2025 = cells[7]
    cells[7] = f"{float(eps_2025) + 1:.2f}"
    edit(data_copy, "coverage.csv", line, ",".join(cells))
    result = cli_build(data_copy, out, "--check", "--array-threshold", threshold)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{out} is stale: sheet '重点标的' cell H12: value or formula on disk "
        f"{float(eps_2025)!r}, from the data {float(cells[7])!r}")


def test_array_layout_current_is_current(tmp_path):
    from workbook import DATA_DIR
    out = tmp_path / "book.xlsm"
    assert cli_build(DATA_DIR, out, "--array-threshold", "0").exit_code == 0
    result = cli_build(DATA_DIR, out, "--check", "--array-threshold", "0")
    assert result.exit_code == 0, result.output
    assert result.stdout == (f"data: {DATA_DIR} (--data)\n"
                             f"{out} is current (P/E 60/60 match the report; claims 5/5)\n")


def test_array_formula_difference_is_named_by_its_text(tmp_path):
    # Same data, other layout: the first cell that differs is the first P/E cell, and
    # the message shows both sides as text, not as openpyxl objects.
    from workbook import DATA_DIR
    out = tmp_path / "book.xlsm"
    assert cli_build(DATA_DIR, out, "--array-threshold", "0").exit_code == 0
    result = cli_build(DATA_DIR, out, "--check")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"{out} is stale: sheet '重点标的' cell J4: value or formula on disk array formula "
        "'=PE(C4:C18,F4:F18)' over J4:J18, from the data '=PE(C4,F4)'")
