"""The PDF targets of ``export --pdf`` and ``publish --pdf`` follow the build's own
rules: a name not ending in ``.pdf`` is refused (a workbook, a CSV or anything else
standing there stays), a read-only PDF or one with a lock file ``~$NAME`` beside it
is refused unless ``--force``, all before anything is written; a folder that is a
file is named as such. LibreOffice is looked for on ``PATH`` and in its standard
install folders, and a missing one is reported with the places looked at."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbook import DATA_DIR
from workbook.cli import cli
from workbook.export import ExportError, soffice

needs_soffice = pytest.mark.skipif(shutil.which("soffice") is None,
                                   reason="LibreOffice (soffice) is not installed")


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def folder_state(folder):
    return {p.name: (p.read_bytes(), stat.S_IMODE(p.stat().st_mode))
            for p in folder.iterdir()}


def name_refused(path, suffix):
    return (f"error: {path}: --pdf must name a file ending in .pdf ({suffix} here): a PDF "
            "under another name does not open as one, and the file there would be "
            "replaced; choose a name ending in .pdf; nothing was written\n")


def replace_refused(path, again, lock=False):
    return (f"error: {path}: cannot replace it (Permission denied); it is probably open in "
            "a PDF viewer" + (f" (~${path.name} exists)" if lock else "") + " or "
            f"read-only: close it in a PDF viewer and {again}; the previous file is "
            "unchanged\n")


@pytest.fixture
def live(shipped, tmp_path):
    """A read-only workbook with Excel's lock file beside it (the tester's case)."""
    path = tmp_path / "out" / "coverbook.xlsm"
    path.parent.mkdir()
    shutil.copyfile(shipped, path)
    os.chmod(path, 0o444)
    path.with_name("~$" + path.name).write_bytes(b"\x05analyst")
    return path


@pytest.mark.parametrize("command", ["export", "publish"])
@pytest.mark.parametrize("name, suffix", [("coverbook.xlsm", "'.xlsm'"),
                                          ("coverage.csv", "'.csv'"),
                                          ("notes", "no extension")])
def test_a_pdf_name_not_ending_in_pdf_is_refused(live, command, name, suffix):
    folder = live.parent
    target = folder / name
    if not target.exists():
        target.write_bytes(b"code,name\n")
    before = folder_state(folder)
    extra = ["--output", folder / "values.xlsx"] if command == "publish" else []
    result = run(command, "--data", DATA_DIR, *extra, "--pdf", target)
    assert result.exit_code == 2
    assert result.stderr == name_refused(target, suffix)
    assert folder_state(folder) == before  # the workbook, read-only, lock file and all


def test_a_pdf_name_is_refused_even_with_force(live):
    before = folder_state(live.parent)
    result = run("export", "--force", "--pdf", live)
    assert result.exit_code == 2 and result.stderr == name_refused(live, "'.xlsm'")
    assert folder_state(live.parent) == before


@pytest.mark.parametrize("command, again", [("export", "export again"),
                                            ("publish", "publish again")])
def test_a_read_only_pdf_is_refused(tmp_path, command, again):
    pdf = tmp_path / "book.pdf"
    pdf.write_bytes(b"%PDF-1.4 old")
    os.chmod(pdf, 0o444)
    before = folder_state(tmp_path)
    extra = ["--output", tmp_path / "values.xlsx"] if command == "publish" else []
    result = run(command, *extra, "--pdf", pdf)
    assert result.exit_code == 2
    assert result.stderr == replace_refused(pdf, again)
    assert folder_state(tmp_path) == before  # publish wrote no .xlsx either


@pytest.mark.parametrize("command, again", [("export", "export again"),
                                            ("publish", "publish again")])
def test_a_pdf_with_a_lock_file_beside_it_is_refused(tmp_path, command, again):
    pdf = tmp_path / "book.pdf"
    pdf.write_bytes(b"%PDF-1.4 old")
    pdf.with_name("~$book.pdf").write_bytes(b"\x05analyst")
    before = folder_state(tmp_path)
    extra = ["--output", tmp_path / "values.xlsx"] if command == "publish" else []
    result = run(command, *extra, "--pdf", pdf)
    assert result.exit_code == 2
    assert result.stderr == replace_refused(pdf, again, lock=True)
    assert folder_state(tmp_path) == before


@needs_soffice
def test_force_replaces_a_read_only_pdf_and_keeps_its_mode(tmp_path):
    pdf = tmp_path / "book.pdf"
    pdf.write_bytes(b"%PDF-1.4 old")
    os.chmod(pdf, 0o444)
    result = run("export", "--force", "--pdf", pdf)
    assert result.exit_code == 0, result.output
    assert pdf.read_bytes().startswith(b"%PDF-") and pdf.read_bytes() != b"%PDF-1.4 old"
    assert stat.S_IMODE(pdf.stat().st_mode) == 0o444
    assert sorted(p.name for p in tmp_path.iterdir()) == ["book.pdf"]


@pytest.mark.parametrize("command", ["export", "publish"])
def test_a_pdf_below_a_file_names_the_file(tmp_path, command):
    blocker = tmp_path / "file"
    blocker.write_bytes(b"x\n")
    pdf = blocker / "k.pdf"
    extra = ["--output", tmp_path / "values.xlsx"] if command == "publish" else []
    result = run(command, *extra, "--pdf", pdf)
    assert result.exit_code == 2
    expected = (f"{pdf}: cannot create its folder {blocker}: {blocker} is a file, not a "
                "folder; choose another --pdf; nothing was written")
    assert expected in result.stderr and "viewer" not in result.stderr
    assert blocker.read_bytes() == b"x\n"
    # refused before anything is written: publish's .xlsx included
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file"]


def test_a_workbook_below_a_file_names_the_file(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_bytes(b"x\n")
    result = run("build", "--output", blocker / "sub" / "book.xlsm")
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {blocker / 'sub' / 'book.xlsm'}: cannot create its folder "
        f"{blocker / 'sub'}: {blocker} is a file, not a folder; choose another --output; "
        "nothing was written\n")


# --- where LibreOffice is looked for ---------------------------------------------------


def _executable(path):
    path.parent.mkdir(parents=True)
    path.write_text("#!/bin/sh\n")
    path.chmod(0o755)
    return path


def test_soffice_in_program_files_on_windows(tmp_path):
    x86 = tmp_path / "Program Files (x86)"
    exe = _executable(x86 / "LibreOffice" / "program" / "soffice.exe")
    env = {"PATH": str(tmp_path / "empty"), "ProgramFiles": str(tmp_path / "Program Files"),
           "ProgramFiles(x86)": str(x86)}
    assert soffice("win32", env) == str(exe)


def test_soffice_in_the_applications_folder_on_macos(tmp_path, monkeypatch):
    import workbook.export as export_module

    app = _executable(tmp_path / "LibreOffice.app" / "Contents" / "MacOS" / "soffice")
    monkeypatch.setattr(export_module, "MACOS_SOFFICE", app)
    assert soffice("darwin", {"PATH": str(tmp_path / "empty")}) == str(app)


def test_missing_soffice_says_where_it_looked(tmp_path):
    pf, x86 = r"C:\Program Files", r"C:\Program Files (x86)"
    env = {"PATH": str(tmp_path / "empty"), "ProgramFiles": pf, "ProgramFiles(x86)": x86}
    with pytest.raises(ExportError) as exc:
        soffice("win32", env)
    tail = Path("LibreOffice") / "program" / "soffice.exe"
    assert str(exc.value) == (
        "LibreOffice not found (looked for soffice and libreoffice on PATH, "
        f"{Path(pf) / tail}, {Path(x86) / tail}): install it (Debian/Ubuntu: apt-get "
        "install libreoffice-calc-nogui; Windows and macOS: libreoffice.org) or put "
        "soffice on PATH")
    with pytest.raises(ExportError) as exc:
        soffice("darwin", {"PATH": str(tmp_path / "empty")})
    assert ("looked for soffice and libreoffice on PATH, "
            "/Applications/LibreOffice.app/Contents/MacOS/soffice)") in str(exc.value)


def test_publish_pdf_without_libreoffice_writes_nothing(tmp_path, monkeypatch):
    # The analyst asked for both files: without LibreOffice neither is written, and
    # the message says how to get the workbook alone.
    import workbook.export as export_module

    monkeypatch.setenv("PATH", str(tmp_path / "empty"))
    monkeypatch.setattr(export_module, "soffice_candidates", lambda *a, **k: [])
    result = run("publish", "--output", tmp_path / "values.xlsx", "--pdf", tmp_path / "k.pdf")
    assert result.exit_code == 2
    assert result.stderr == (
        "error: LibreOffice not found (looked for soffice and libreoffice on PATH): "
        "install it (Debian/Ubuntu: apt-get install libreoffice-calc-nogui; Windows and "
        "macOS: libreoffice.org) or put soffice on PATH; nothing was written (publish "
        "without --pdf writes the workbook alone)\n")
    assert list(tmp_path.iterdir()) == []


def test_publish_pdf_whose_conversion_fails_says_the_workbook_was_written(tmp_path,
                                                                       monkeypatch):
    import workbook.export as export_module

    def fails(workbook, pdf):
        raise ExportError(f"LibreOffice could not convert {workbook} to pdf: boom")
    monkeypatch.setattr(export_module, "soffice", lambda *a, **k: "/usr/bin/true")
    monkeypatch.setattr(export_module, "print_pdf", fails)
    out = tmp_path / "values.xlsx"
    result = run("publish", "--output", out, "--pdf", tmp_path / "k.pdf")
    assert result.exit_code == 2
    assert result.stderr == (
        f"wrote {out}\nerror: LibreOffice could not convert {out} to pdf: boom; the PDF "
        "was not written, the workbook above was\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["values.xlsx"]
