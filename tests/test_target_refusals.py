"""The target itself: a read-only workbook (even for root) or one with Excel's
``~$`` lock file beside it is refused on every OS with the message Windows gives,
``--force`` overriding both; a full disk leaves one clean message and no traceback;
an ``--output`` Excel would refuse to open by its extension is refused. Each refusal
exits 2 and leaves the previous file byte for byte as it was."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import textwrap

import pytest
from python_calamine import CalamineWorkbook

from conftest import cli_build, previous_copy
from workbook import DATA_DIR
from workbook.sheets import OWNED


@pytest.fixture
def previous(shipped, tmp_path):
    """conftest's previous workbook, from one layout only (these cases do not depend
    on it)."""
    return previous_copy(shipped, tmp_path)


def windows_message(path, lock=False):
    """What Windows users get when ``os.replace`` fails on an open or read-only file."""
    return (f"error: {path}: cannot replace it (Permission denied); it is probably open in "
            "Excel" + (f" (~${path.name} exists)" if lock else "") + " or read-only: close "
            "it in Excel and build again; the previous file is unchanged\n")


def unchanged(previous, *also):
    path, before = previous
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == sorted([path.name, *also])


def test_read_only_target_is_refused_even_for_root(previous):
    path, _ = previous
    os.chmod(path, 0o444)
    assert os.geteuid() != 0 or os.access(path, os.W_OK)  # root may write it: the mode says no
    result = cli_build(DATA_DIR, path)
    assert result.exit_code == 2
    assert result.stderr == windows_message(path)
    unchanged(previous)


def test_force_replaces_a_read_only_target_and_keeps_its_mode(previous):
    path, before = previous
    os.chmod(path, 0o444)
    result = cli_build(DATA_DIR, path, "--force")
    assert result.exit_code == 0, result.output
    assert CalamineWorkbook.from_path(str(path)).sheet_names == list(OWNED)
    assert stat.S_IMODE(path.stat().st_mode) == 0o444


def test_lock_file_beside_the_target_is_refused(previous):
    path, _ = previous
    lock = path.with_name("~$" + path.name)
    lock.write_bytes(b"\x05analyst")  # Excel's owner file: the user's name
    result = cli_build(DATA_DIR, path)
    assert result.exit_code == 2
    assert result.stderr == windows_message(path, lock=True)
    unchanged(previous, lock.name)


def test_force_overrides_a_stale_lock_file(previous):
    path, before = previous
    lock = path.with_name("~$" + path.name)
    lock.write_bytes(b"\x05analyst")
    result = cli_build(DATA_DIR, path, "--force")
    assert result.exit_code == 0, result.output
    assert lock.read_bytes() == b"\x05analyst"  # not ours to delete
    assert CalamineWorkbook.from_path(str(path)).sheet_names == list(OWNED)


@pytest.mark.parametrize("name", ["coverbook.csv", "coverbook.xls", "coverbook.ods",
                                  "coverbook", "coverbook.xlsm.bak"])
def test_an_output_name_excel_would_refuse(name, tmp_path):
    target = tmp_path / name
    target.write_bytes(b"code,name\n")  # whatever is there stays
    result = cli_build(DATA_DIR, target)
    assert result.exit_code == 2
    suffix = f"'{target.suffix}'" if target.suffix else "no extension"
    assert result.stderr == (
        f"error: {target}: coverbook writes .xlsm or .xlsx files, and Excel refuses to open "
        f"a workbook whose extension does not match its content ({suffix} here): choose an "
        "--output ending in .xlsm or .xlsx; nothing was written\n")
    assert target.read_bytes() == b"code,name\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_upper_case_extensions_are_workbooks(tmp_path):
    assert cli_build(DATA_DIR, tmp_path / "BOOK.XLSX").exit_code == 0
    assert CalamineWorkbook.from_path(str(tmp_path / "BOOK.XLSX")).sheet_names == list(OWNED)


# --- a full disk ----------------------------------------------------------------------

#: A build in a subprocess (so that garbage collection at exit runs as for a user)
#: where every file opened for writing in the output folder takes 20,000 bytes and then
#: fails with ENOSPC, as a full disk does; the rest of the system is untouched.
FULL_DISK = textwrap.dedent("""
    import builtins, errno, io, os, sys
    folder = sys.argv[1]
    real_open = io.open

    class Full(io.FileIO):
        room = 20_000
        def write(self, b):
            n = len(memoryview(b))
            if n > Full.room:
                Full.room = 0
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
            Full.room -= n
            return super().write(b)

    def full_open(file, mode="r", *args, **kwargs):
        # The workbook's bytes (binary), written anywhere under the target's folder
        # (the temporary file is in a work folder there).
        if (isinstance(file, (str, os.PathLike)) and any(m in mode for m in "wax+")
                and "b" in mode and os.path.abspath(file).startswith(folder + os.sep)):
            return Full(file, mode.replace("b", "").replace("t", "") or "r")
        return real_open(file, mode, *args, **kwargs)

    io.open = builtins.open = full_open
    from workbook.cli import cli
    # --data: the previous workbook was copied here without its data folder, so the
    # folder it records is not beside it
    cli(["build", "--data", sys.argv[2], "--output", os.path.join(folder, "coverbook.xlsm")])
""")


def test_full_disk_gives_one_message_and_no_traceback(previous):
    path, _ = previous
    proc = subprocess.run([sys.executable, "-c", FULL_DISK, str(path.parent), str(DATA_DIR)],
                          capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr == (
        f"error: {path}: cannot write ([Errno 28] No space left on device); the previous "
        "file is unchanged; free some disk space or choose another --output and build "
        "again\n")
    unchanged(previous)


def _mount_tmpfs(where, size):
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    where.mkdir()
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.strip()}")


def test_full_disk_on_a_real_file_system(shipped, tmp_path):
    # A tmpfs one and a half times the previous workbook holds it but not a second copy.
    disk = tmp_path / "disk"
    _mount_tmpfs(disk, f"{-(-shipped.stat().st_size * 3 // 2) // 1024 + 4}k")
    try:
        path = disk / "coverbook.xlsm"
        shutil.copyfile(shipped, path)
        before = path.read_bytes()
        proc = subprocess.run([sys.executable, "-m", "workbook", "build", "--data",
                               str(DATA_DIR), "--output", str(path)],
                              capture_output=True, text=True)
        assert proc.returncode == 2
        assert proc.stderr == (
            f"error: {path}: cannot write ([Errno 28] No space left on device); the "
            "previous file is unchanged; free some disk space or choose another --output "
            "and build again\n")
        assert path.read_bytes() == before
        assert [p.name for p in disk.iterdir()] == ["coverbook.xlsm"]
    finally:
        subprocess.run(["umount", str(disk)], check=False)
