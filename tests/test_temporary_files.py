"""Where a command's temporary files go and that none is left behind: a build
stopped by SIGTERM or Ctrl+C cleans up; what a build killed outright (kill -9) left
is removed by the next command writing to that folder, never what a running one is
writing; the temporary names do not grow with the target's (issue 20, items 7 and 8;
see docs/files-and-safety.md)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from conftest import WRITERS, needs_soffice, run_writer, writer_params
from workbook.cli import cli

COVERBOOK = [sys.executable, "-m", "workbook"]
#: The file a work folder's process holds (workbook/replacing.py's LOCK_NAME).
LOCK_NAME = "lock"
COMMANDS = writer_params()


def readable(path: Path) -> bool:
    """*path* opens as what its extension says, read by something other than the
    writer: openpyxl for workbooks, the zip's workbook part for the add-in, the PDF
    header for a PDF."""
    if path.suffix == ".pdf":
        return path.read_bytes().startswith(b"%PDF-")
    if path.suffix == ".xlam":
        return "xl/workbook.xml" in zipfile.ZipFile(path).namelist()
    return "评级说明" in openpyxl.load_workbook(path, read_only=True).sheetnames


def work_folders(folder: Path) -> list[Path]:
    return sorted(p for p in folder.iterdir() if p.name.startswith(".coverbook-"))


@pytest.fixture(scope="module")
def big_data(tmp_path_factory):
    """A data folder of 5,000 stocks (``coverbook sample``): its build writes for a
    second or more, long enough to be stopped while writing."""
    folder = tmp_path_factory.mktemp("big") / "data"
    subprocess.run([*COVERBOOK, "sample", "--stocks", "5000", "--out", str(folder)],
                   check=True, capture_output=True)
    return folder


def build_stopped_while_writing(data: Path, out: Path, how: signal.Signals
                                ) -> subprocess.CompletedProcess:
    """Start ``coverbook build`` of *data* to *out* in a real process, wait until it is
    writing (its work folder holds the writer's own temporary folder), send *how*."""
    proc = subprocess.Popen([*COVERBOOK, "build", "--data", str(data), "--output",
                             str(out)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    deadline = time.monotonic() + 60
    while not any(len(list(w.iterdir())) >= 2 for w in work_folders(out.parent)):
        assert proc.poll() is None, "the build ended before it was stopped"
        assert time.monotonic() < deadline
        time.sleep(0.005)
    proc.send_signal(how)
    stdout, stderr = proc.communicate(timeout=60)
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


#: The signals that stop a build, the exit status and what it prints (POSIX: Windows
#: has no SIGHUP and no kill -9; its SIGTERM is not one a process can catch).
STOPS = [] if os.name == "nt" else [
    (signal.SIGTERM, 128 + signal.SIGTERM,
     "coverbook: stopped by a signal; its temporary files were removed\n"),
    (signal.SIGHUP, 128 + signal.SIGHUP,  # the terminal closed
     "coverbook: stopped by a signal; its temporary files were removed\n"),
    (signal.SIGINT, 1, "\nAborted!\n"),  # click's answer to Ctrl+C
]


@pytest.mark.parametrize("how, status, says", STOPS)
def test_a_build_stopped_while_writing_leaves_nothing(how, status, says, big_data,
                                                      shipped, tmp_path):
    out = tmp_path / "big.xlsm"
    shutil.copyfile(shipped, out)
    before = out.read_bytes()
    stopped = build_stopped_while_writing(big_data, out, how)
    assert (stopped.returncode, stopped.stderr) == (status, says)
    assert [p.name for p in tmp_path.iterdir()] == ["big.xlsm"]
    assert out.read_bytes() == before


@pytest.mark.skipif(os.name == "nt", reason="kill -9 is POSIX")
@pytest.mark.parametrize("name", COMMANDS)
def test_the_next_command_removes_what_a_killed_build_left(name, big_data, tmp_path):
    killed = build_stopped_while_writing(big_data, tmp_path / "big.xlsm", signal.SIGKILL)
    assert killed.returncode == -signal.SIGKILL
    left = work_folders(tmp_path)
    assert len(left) == 1 and (left[0] / LOCK_NAME).exists()
    assert any(p.is_dir() for p in left[0].iterdir())  # the writer's own folder
    out = tmp_path / ("next" + WRITERS[name][0])
    result = run_writer(name, out)
    assert result.exit_code == 0, result.output
    assert [p.name for p in tmp_path.iterdir()] == [out.name]
    assert readable(out)


@pytest.mark.parametrize("name", COMMANDS)
def test_a_running_writers_temporary_files_are_kept(name, tmp_path):
    """A work folder whose process is alive and writing is never removed: here this
    test's own, held open while the command runs (in another process for the build,
    in this one, on another open file, for the others: a lock is per open file)."""
    from workbook.replacing import Replacement

    target = tmp_path / "running.xlsm"
    with Replacement(target) as running:
        running.tmp.write_bytes(b"half a workbook")
        out = tmp_path / ("next" + WRITERS[name][0])
        if name == "build":
            proc = subprocess.run([*COVERBOOK, *WRITERS[name][1](out)],
                                  capture_output=True, text=True)
            assert proc.returncode == 0, proc.stderr
        else:
            assert run_writer(name, out).exit_code == 0
        assert running.tmp.read_bytes() == b"half a workbook"
        assert (running.work / LOCK_NAME).exists()
        running.tmp.write_bytes(b"the whole workbook")
        running.commit()
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([out.name, target.name])
    assert target.read_bytes() == b"the whole workbook"


def test_a_build_into_the_folder_of_a_running_build_leaves_it_writing(big_data, tmp_path):
    """Two real builds: a large one writing, and a small one to the same folder
    meanwhile, which cleans the folder up first. Had it removed the large build's
    work folder, that build would fail (its temporary file gone)."""
    big, small = tmp_path / "big.xlsm", tmp_path / "small.xlsm"
    proc = subprocess.Popen([*COVERBOOK, "build", "--data", str(big_data), "--output",
                             str(big)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    while not any(len(list(w.iterdir())) >= 2 for w in work_folders(tmp_path)):
        assert proc.poll() is None, "the large build ended before the small one began"
        time.sleep(0.005)
    other = subprocess.run([*COVERBOOK, "build", "--output", str(small)],
                           capture_output=True, text=True)
    assert other.returncode == 0, other.stderr
    stdout, stderr = proc.communicate(timeout=120)
    assert proc.returncode == 0, stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.xlsm", "small.xlsm"]
    assert readable(big) and readable(small)


def test_the_lock_file_name_is_the_one_these_tests_look_for():
    from workbook import replacing

    assert replacing.LOCK_NAME == LOCK_NAME


def test_only_abandoned_work_folders_are_removed(tmp_path):
    """What the clean-up looks at: folders named ``.coverbook-XXXXXXXX.tmp`` (8
    characters), never a file, a link or another name; one without its lock file only
    once it is older than UNLOCKED_GRACE (it may be a second old, its lock about to be
    made)."""
    from workbook.replacing import UNLOCKED_GRACE, remove_leftovers

    young, old = tmp_path / ".coverbook-young000.tmp", tmp_path / ".coverbook-old00000.tmp"
    for folder in (young, old):
        folder.mkdir()
        (folder / "new.xlsm").write_bytes(b"x")
    past = time.time() - UNLOCKED_GRACE - 5
    os.utime(old, (past, past))
    kept = {".coverbook-notes.tmp": "folder", ".coverbook-abcdefgh": "folder",
            ".coverbook-abcdefg1.tmp": "file", "coverbook-abcdefgh.tmp": "folder"}
    for name, kind in kept.items():
        (tmp_path / name).mkdir() if kind == "folder" else (tmp_path / name).write_text("x")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("mine")
    (tmp_path / ".coverbook-linkedxx.tmp").symlink_to(elsewhere, target_is_directory=True)
    assert remove_leftovers(tmp_path) == [old]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [young.name, *kept, "elsewhere", ".coverbook-linkedxx.tmp"])
    assert (elsewhere / "keep.txt").read_text() == "mine"


def test_the_temporary_names_do_not_grow_with_the_target(tmp_path):
    from workbook.replacing import Replacement

    target = tmp_path / ("中" * 82 + ".xlsm")
    with Replacement(target) as new:
        names = [new.work.name, new.tmp.name]
    assert [len(n.encode()) for n in names] == [len(".coverbook-12345678.tmp"),
                                                len("new.xlsm")]


def _long_names(suffix: str) -> list[str]:
    """82 x 中 (246 bytes in UTF-8) + *suffix*, and ASCII filling the 255 bytes a name
    may have on ext4, APFS and NTFS (255 UTF-16 units there)."""
    return ["中" * 82 + suffix, "a" * (255 - len(suffix)) + suffix]


@pytest.mark.parametrize("name", COMMANDS)
def test_any_name_the_file_system_accepts_is_written(name, tmp_path):
    for filename in _long_names(WRITERS[name][0]):
        out = tmp_path / filename
        first = run_writer(name, out)
        assert first.exit_code == 0, first.output
        again = run_writer(name, out)  # replacing it: Excel's lock file name has no room
        assert again.exit_code == 0, again.output
        assert readable(out)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        _long_names(WRITERS[name][0]))


@needs_soffice
def test_publish_prints_a_pdf_of_a_workbook_with_a_long_name(tmp_path):
    """LibreOffice cannot save a PDF named after a source whose name is near the
    limit: it is given a copy under a short name."""
    xlsx, pdf = tmp_path / ("中" * 82 + ".xlsx"), tmp_path / ("中" * 83 + ".pdf")
    result = CliRunner().invoke(cli, ["publish", "--output", str(xlsx), "--pdf", str(pdf)])
    assert result.exit_code == 0, result.output
    assert readable(xlsx) and readable(pdf)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([xlsx.name, pdf.name])


def _processes_naming(text: str) -> list[int]:
    """Ids of the running processes whose command line contains *text* (Linux /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


@needs_soffice
@pytest.mark.skipif(not Path("/proc/self/cmdline").exists(), reason="reads /proc (Linux)")
def test_publish_stopped_while_libreoffice_prints_leaves_no_process_or_folder(tmp_path):
    """SIGTERM while LibreOffice prints the PDF: its soffice.bin must not outlive the
    command (it did, re-parented, writing in a profile folder left in /tmp)."""
    out = tmp_path / "pdf"
    out.mkdir()
    proc = subprocess.Popen([*COVERBOOK, "publish", "--output", str(tmp_path / "v.xlsx"),
                             "--pdf", str(out / "v.pdf")], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 120
    profiles: list[Path] = []
    while not profiles:
        assert proc.poll() is None, "publish ended before LibreOffice started"
        assert time.monotonic() < deadline
        profiles = [p for w in work_folders(out) for p in w.glob("coverbook-lo-*")]
        time.sleep(0.01)
    while not _processes_naming(profiles[0].as_uri()):  # LibreOffice is running
        assert proc.poll() is None and time.monotonic() < deadline
        time.sleep(0.01)
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=60)
    assert (proc.returncode, stderr) == (
        143, "coverbook: stopped by a signal; its temporary files were removed\n")
    assert _processes_naming(profiles[0].as_uri()) == []
    assert list(out.iterdir()) == []
