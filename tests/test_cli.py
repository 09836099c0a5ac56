"""The ``coverbook build`` command as a user runs it."""

from __future__ import annotations

import subprocess
import sys

from python_calamine import CalamineWorkbook


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "workbook", *args], capture_output=True,
                          text=True, cwd=cwd)


def test_build_prints_summary_and_writes_the_sheets(tmp_path):
    out = tmp_path / "book.xlsm"
    proc = run("build", "--output", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "P/E 60/60 match the report; claims 5/5" in proc.stdout
    assert "sheets 6" in proc.stdout
    names = CalamineWorkbook.from_path(str(out)).sheet_names
    assert names == ["重点标的", "评级说明", "Token价格", "Token场景", "核对", "xlwings.conf"]


def test_a_figure_that_disagrees_fails_the_build(tmp_path, data_copy):
    text = (data_copy / "coverage.csv").read_text(encoding="utf-8")
    (data_copy / "coverage.csv").write_text(text.replace("108.90,", "109.90,"), encoding="utf-8")
    proc = run("build", "--data", str(data_copy), "--output", str(tmp_path / "b.xlsm"))
    assert proc.returncode == 1
    assert "P/E 56/60 match the report" in proc.stdout
    assert "300308.SZ" in proc.stderr


def test_bad_data_names_file_row_and_column_and_writes_nothing(tmp_path, data_copy):
    text = (data_copy / "coverage.csv").read_text(encoding="utf-8")
    (data_copy / "coverage.csv").write_text(text.replace("24.90,", "24,90,", 1)
                                            .replace(",1.94,", ",n.a.,"), encoding="utf-8")
    out = tmp_path / "b.xlsm"
    proc = run("build", "--data", str(data_copy), "--output", str(out))
    assert proc.returncode == 2
    assert "coverage.csv:2:EPS 2023A: 'n.a.' is not a number" in proc.stderr
    assert "coverage.csv:7:" in proc.stderr
    assert not out.exists()


def _build_on_a_terminal(tmp_path, env_extra):
    """Run a build whose stderr is a pseudo-terminal; return what it showed there."""
    import os
    import pty  # POSIX only; CI runs on Linux

    folder = tmp_path / "sample"
    assert run("sample", "--stocks", "3000", "--out", str(folder)).returncode == 0
    master, slave = pty.openpty()
    env = {k: v for k, v in os.environ.items() if k != "CI"}
    env.update(env_extra)
    # A delay of 0 s makes the bar appear even on a fast machine.
    code = ("import workbook.cli as c; c._StageProgress.DELAY = 0; "
            "c.cli(['build', '--data', %r, '--output', %r])"
            % (str(folder), str(tmp_path / "b.xlsx")))
    proc = subprocess.run([sys.executable, "-c", code], stdout=subprocess.PIPE,
                          stderr=slave, env=env, timeout=120)
    os.close(slave)
    shown = b""
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:
            break
        if not chunk:
            break
        shown += chunk
    os.close(master)
    assert proc.returncode == 0
    assert b"claims 5/5" in proc.stdout  # the summary goes to stdout either way
    return shown.decode("utf-8", "replace")


def test_progress_bar_on_a_terminal(tmp_path):
    shown = _build_on_a_terminal(tmp_path, {})
    assert "building: write" in shown and "100%" in shown


def test_no_progress_bar_in_ci(tmp_path):
    assert _build_on_a_terminal(tmp_path, {"CI": "true"}) == ""
