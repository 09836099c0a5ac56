"""Nothing lost or half-written: a failing write or a locked target leaves the
previous workbook byte for byte and no temporary file; a workbook holding the
user's own sheets is refused unless ``--force``."""

from __future__ import annotations

import errno
import os
import stat

import openpyxl
import pytest
from python_calamine import CalamineWorkbook
from xlsxwriter.exceptions import FileCreateError

import workbook.build as build_module
import workbook.replacing as replacing
from conftest import cli_build
from workbook import DATA_DIR
from workbook.build import BuildError, build
from workbook.sheets import OWNED


def assert_untouched(previous):
    path, before = previous
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]  # no temp file


def half_writing(exc):
    """A writer that writes part of the file, then fails with *exc*."""
    def write(path, sheets, **kwargs):
        path.write_bytes(b"PK\x03\x04 half a workbook")
        raise exc
    return write


def test_disk_full_midway_keeps_the_old_file(previous, monkeypatch):
    monkeypatch.setattr(build_module, "write_workbook",
                        half_writing(OSError(errno.ENOSPC, "No space left on device")))
    with pytest.raises(BuildError) as caught:
        build(DATA_DIR, previous[0])
    message = str(caught.value)
    assert "No space left on device" in message
    assert "the previous file is unchanged" in message
    assert "free some disk space or choose another --output" in message
    assert_untouched(previous)


def test_xlsxwriter_file_error_is_a_message_not_a_traceback(previous, monkeypatch):
    # XlsxWriter wraps the OSError of its final zip write in FileCreateError.
    error = FileCreateError(OSError(errno.EACCES, "Permission denied"))
    monkeypatch.setattr(build_module, "write_workbook", half_writing(error))
    result = cli_build(DATA_DIR, previous[0])
    assert result.exit_code == 2
    assert result.stderr.startswith(f"error: {previous[0]}: cannot write (")
    assert "the previous file is unchanged" in result.stderr
    assert_untouched(previous)


def test_a_bug_in_the_writer_still_leaves_no_trace(previous, monkeypatch):
    monkeypatch.setattr(build_module, "write_workbook", half_writing(RuntimeError("bug")))
    with pytest.raises(RuntimeError):
        build(DATA_DIR, previous[0])
    assert_untouched(previous)


def test_target_locked_by_excel_says_close_it(previous, monkeypatch):
    """On Windows, replacing a workbook Excel has open fails with PermissionError."""
    def locked(src, dst):
        raise PermissionError(errno.EACCES, "Permission denied")
    monkeypatch.setattr(build_module.os, "replace", locked)
    lock = previous[0].with_name("~$" + previous[0].name)  # Excel's owner file
    lock.write_bytes(b"owner")
    result = cli_build(DATA_DIR, previous[0])
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {previous[0]}: cannot replace it (Permission denied); it is probably open "
        f"in Excel (~$coverbook.xlsm exists) or read-only: close it in Excel and build "
        "again; the previous file is unchanged\n")
    lock.unlink()
    assert_untouched(previous)


def test_unwritable_folder_is_a_message(tmp_path, monkeypatch):
    def no_temp(*args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied")
    monkeypatch.setattr(replacing.tempfile, "mkdtemp", no_temp)
    result = cli_build(DATA_DIR, tmp_path / "book.xlsm")
    assert result.exit_code == 2
    assert "cannot create a file in" in result.stderr and "writable" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_replaced_file_keeps_its_permissions(previous):
    path = previous[0]
    os.chmod(path, 0o640)
    build(DATA_DIR, path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_new_file_gets_the_umask_default_not_private(tmp_path):
    umask = os.umask(0o022)
    try:
        build(DATA_DIR, tmp_path / "book.xlsm")
    finally:
        os.umask(umask)
    assert stat.S_IMODE((tmp_path / "book.xlsm").stat().st_mode) == 0o644


# --- the user's own sheets ------------------------------------------------------------


@pytest.fixture
def with_user_sheet(previous):
    """The previous workbook after the analyst added a sheet of their own in Excel."""
    path, _ = previous
    wb = openpyxl.load_workbook(path)
    wb.create_sheet("我的笔记")["A1"] = "my notes"
    wb.save(path)
    return path, path.read_bytes()


def test_user_sheet_refused_without_force(with_user_sheet):
    path, before = with_user_sheet
    result = cli_build(DATA_DIR, path)
    assert result.exit_code == 2
    assert result.stderr.startswith(
        f"error: {path}: holds sheets coverbook does not own (我的笔记); a build would drop "
        "them.")
    assert "pass --force to overwrite" in result.stderr
    assert_untouched(with_user_sheet)


def test_user_sheet_overwritten_with_force(with_user_sheet):
    path, before = with_user_sheet
    result = cli_build(DATA_DIR, path, "--force")
    assert result.exit_code == 0, result.output
    assert path.read_bytes() != before
    assert CalamineWorkbook.from_path(str(path)).sheet_names == list(OWNED)


def test_own_workbook_is_rebuilt_without_force(previous):
    path, _ = previous
    result = cli_build(DATA_DIR, path)
    assert result.exit_code == 0, result.output
    assert CalamineWorkbook.from_path(str(path)).sheet_names == list(OWNED)


def test_a_file_that_is_not_a_workbook_is_not_overwritten(tmp_path):
    path = tmp_path / "coverbook.xlsm"
    path.write_text("my text, not a workbook", encoding="utf-8")
    result = cli_build(DATA_DIR, path)
    assert result.exit_code == 2
    assert "exists but cannot be read as a workbook" in result.stderr
    assert "--force" in result.stderr
    assert path.read_text(encoding="utf-8") == "my text, not a workbook"
    assert cli_build(DATA_DIR, path, "--force").exit_code == 0
    assert CalamineWorkbook.from_path(str(path)).sheet_names == list(OWNED)
