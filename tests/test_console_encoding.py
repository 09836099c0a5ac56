"""Every command prints on a console or into a file whose encoding cannot hold
Chinese (an English Windows code page, cp1252; latin-1): what the encoding cannot
hold is printed as ``?``, never a ``UnicodeEncodeError`` after the work is done
(issue 20, item 2). Real processes: the encoding is set for the process by
``PYTHONIOENCODING``, as a redirect on Windows sets it."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

#: What each step runs (``coverbook`` + arguments, in one folder, in this order), the
#: exit status it must give, and a line it must print (stdout or stderr) with every
#: Chinese character as ``?``: the sheet names are 重点标的, 评级说明, Token价格,
#: Token场景, 核对; the files and folders below are named 中.
STEPS = [
    (["sample", "--stocks", "3", "--out", "中data"], 0,
     "wrote ?data: 3 stocks x 4 fiscal years (seed 0)"),
    (["build", "--output", "中.xlsm"], 0,
     "sheets 6 (????, ????, Token??, Token??, ??, xlwings.conf); cells "),
    (["build", "--check", "--output", "中.xlsm"], 0,
     "?.xlsm is current (P/E 60/60 match the report; claims 5/5)"),
    (["build", "--check", "--array-threshold", "0", "--output", "中.xlsm"], 1,
     "?.xlsm is stale: sheet '????' cell J4: value or formula on disk '=PE(C4,F4)', "
     "from the data array formula '=PE(C4:C18,F4:F18)' over J4:J18"),
    (["build", "--output", "中.txt"], 2,
     "error: ?.txt: coverbook writes .xlsm or .xlsx files, and Excel refuses to open a "
     "workbook whose extension does not match its content ('.txt' here): choose an "
     "--output ending in .xlsm or .xlsx; nothing was written"),
    (["build", "--data", "中bad", "--output", "bad.xlsm"], 2,
     "1 problem(s) in the data; nothing was written."),
    (["publish", "--output", "中.xlsx"], 0,
     "sheets 5 (????, ????, Token??, Token??, ??); cells "),
    (["export", "--pdf", "中.txt"], 2,
     "error: ?.txt: --pdf must name a file ending in .pdf ('.txt' here): a PDF under "
     "another name does not open as one, and the file there would be replaced; choose "
     "a name ending in .pdf; nothing was written"),
    (["addin", "build", "--output", "中.xlam"], 0, "wrote ?.xlam"),
    (["addin", "install", "--xlstart", "中xl", "--config", "中conf/coverbook.conf"], 0,
     "wrote ?xl/coverbook.xlam"),
    (["doctor", "--xlstart", "中xl", "--config", "中conf/coverbook.conf"], None,
     "PASS  add-in installed: ?xl/coverbook.xlam"),
    (["addin", "remove", "--xlstart", "中xl"], 0,
     "removed ?xl/coverbook.xlam (restart Excel; coverbook.conf was left as it is)"),
    (["--version"], 0, "coverbook, version "),
]
if shutil.which("soffice") is not None:
    STEPS.append((["export", "--pdf", "中.pdf"], 0, "wrote ?.pdf"))


def _bad_data(folder: Path) -> None:
    """The sample data with one rating that is none of the scale's: a data error
    whose message names the folder 中bad."""
    shutil.copytree(folder / "中data", folder / "中bad")
    coverage = folder / "中bad" / "coverage.csv"
    lines = coverage.read_text(encoding="utf-8").splitlines(keepends=True)
    fields = lines[1].split(",")
    fields[4] = "坏"
    lines[1] = ",".join(fields)
    coverage.write_text("".join(lines), encoding="utf-8")


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_every_command_prints_in_an_encoding_without_chinese(encoding, tmp_path):
    (tmp_path / "中xl").mkdir()
    env = {**os.environ, "PYTHONIOENCODING": encoding}
    env.pop("PYTHONUTF8", None)
    for args, status, line in STEPS:
        if args[:2] == ["build", "--data"]:
            _bad_data(tmp_path)
        proc = subprocess.run([sys.executable, "-m", "workbook", *args], cwd=tmp_path,
                              env=env, capture_output=True)
        out, err = (proc.stdout.decode(encoding), proc.stderr.decode(encoding))
        step = f"coverbook {' '.join(args)}:\n{out}{err}"
        assert "Traceback" not in err and "UnicodeEncodeError" not in err, step
        if status is not None:
            assert proc.returncode == status, step
        else:  # doctor: 1 if any check fails on this machine (no Excel here)
            assert proc.returncode in (0, 1), step
        assert any(printed.startswith(line) for printed in (out + err).splitlines()), step
    assert (tmp_path / "中.xlsm").is_file() and (tmp_path / "中.xlam").is_file()


def test_help_prints_in_cp1252(tmp_path):
    env = {**os.environ, "PYTHONIOENCODING": "cp1252"}
    for args in (["--help"], ["build", "--help"], ["addin", "--help"]):
        proc = subprocess.run([sys.executable, "-m", "workbook", *args], env=env,
                              capture_output=True)
        assert proc.returncode == 0 and proc.stdout.decode("cp1252").startswith("Usage: ")
