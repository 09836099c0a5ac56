"""Which data folder a command uses, and why: the six rules in order, the folder a
workbook records (relative to itself, so moving both keeps the link), a recorded
folder that is gone, the project you stand in, and an installed package that never
writes into itself. Expected folders are the ones each test lays out itself; recorded
values are read back with openpyxl, not with the code that wrote them."""

from __future__ import annotations

import ntpath
import shutil
import types
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import workbook
from helpers.data_files import edit
from workbook import DATA_DIR
from workbook.build import build
from workbook.cli import cli
from workbook.locations import (DataFolderError, installed_as_package, record_text,
                                resolve_data)
from workbook.project import find_project


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No COVERBOOK_DATA, and a home folder without a coverbook.conf."""
    monkeypatch.delenv("COVERBOOK_DATA", raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    return home


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


def recorded_cell(path: Path):
    """Column B of the ``COVERBOOK_DATA`` row of *path*'s xlwings.conf sheet (openpyxl)."""
    sheet = openpyxl.load_workbook(path, read_only=True)["xlwings.conf"]
    return next((b for a, b in sheet.iter_rows(values_only=True) if a == "COVERBOOK_DATA"),
                None)


def config_workbook(path: Path, recorded: str) -> Path:
    """A minimal workbook (written by openpyxl) whose xlwings.conf sheet records
    *recorded*, as a build writes it."""
    wb = openpyxl.Workbook()
    sheet = wb.active
    sheet.title = "xlwings.conf"
    sheet.append(["UDF Modules", "udfs"])
    sheet.append(["COVERBOOK_DATA", recorded])
    wb.save(path)
    return path


# --- the rule ------------------------------------------------------------------------


def test_precedence_of_the_six_rules(tmp_path):
    for name in ("option", "recorded", "env", "project/data", "conf"):
        (tmp_path / name).mkdir(parents=True)
    book = config_workbook(tmp_path / "book.xlsx", "recorded")
    bare = config_workbook(tmp_path / "bare.xlsx", "")  # records nothing
    (tmp_path / "project" / "coverbook.toml").write_text(
        'data = "data"\nworkbook = "book.xlsm"\n', encoding="utf-8")
    project = find_project(tmp_path / "project" / "sub")
    conf = tmp_path / "coverbook.conf"
    conf.write_text('"COVERBOOK_DATA","conf"\n', encoding="utf-8")
    no_conf = tmp_path / "missing.conf"
    env = {"COVERBOOK_DATA": str(tmp_path / "env")}

    # (option, workbook, project, environ, config file) -> (folder, reason)
    table = [
        ((tmp_path / "option", book, project, env, conf), (tmp_path / "option", "--data")),
        ((None, book, project, env, conf), (tmp_path / "recorded", f"recorded in {book}")),
        ((None, bare, project, env, conf),
         (tmp_path / "env", "COVERBOOK_DATA environment variable")),
        ((None, bare, project, {}, conf),
         (tmp_path / "project" / "data", f"project {tmp_path / 'project' / 'coverbook.toml'}")),
        ((None, bare, None, {}, conf), (tmp_path / "conf", f"COVERBOOK_DATA in {conf}")),
        ((None, None, None, {}, no_conf), (DATA_DIR, "shipped data")),
    ]
    for (option, wb, proj, environ, config), (folder, reason) in table:
        found = resolve_data(option, wb, proj, environ=environ, config_file=config)
        assert (found.path, found.source) == (folder, reason)
    assert resolve_data(None, book, environ={}, config_file=no_conf).line() == \
        f"data: {tmp_path / 'recorded'} (recorded in {book})"


def test_a_recorded_folder_that_is_gone_is_an_error_not_a_fall_back(tmp_path):
    book = config_workbook(tmp_path / "book.xlsx", "gone")
    with pytest.raises(DataFolderError) as err:
        resolve_data(None, book, environ={"COVERBOOK_DATA": str(DATA_DIR)})
    assert str(tmp_path / "gone") in str(err.value) and "--data" in str(err.value)


# --- what a workbook records ----------------------------------------------------------


@pytest.mark.parametrize("data, book, expected", [
    ("p/data", "p/book.xlsm", "data"),
    ("p/data", "p/out/deep/book.xlsm", "../../data"),
    ("shared/data", "p/book.xlsm", "../shared/data"),
    ("p", "p/book.xlsm", "."),
])
def test_recorded_relative_to_the_workbook_with_forward_slashes(tmp_path, data, book,
                                                                 expected):
    assert record_text(tmp_path / data, tmp_path / book) == expected


def test_recorded_on_windows_relative_on_one_drive_absolute_across_drives(monkeypatch):
    import workbook.locations as locations

    monkeypatch.setattr(locations, "os", types.SimpleNamespace(path=ntpath, sep="\\"))
    assert record_text(r"C:\cover\data", r"C:\cover\books\my.xlsm") == "../data"
    assert record_text(r"D:\shared\data", r"C:\cover\my.xlsm") == "D:/shared/data"


def test_the_build_records_the_folder_and_the_same_inputs_give_the_same_bytes(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    first = build(data, tmp_path / "books" / "a" / "my.xlsm").path
    second = build(data, tmp_path / "books" / "b" / "my.xlsm").path
    assert recorded_cell(first) == "../../data"
    assert first.read_bytes() == second.read_bytes()


# --- the commands ---------------------------------------------------------------------


def test_moving_workbook_and_data_together_keeps_check_current(tmp_path, clean_env,
                                                               monkeypatch):
    shutil.copytree(DATA_DIR, tmp_path / "old" / "data")
    book = tmp_path / "old" / "book" / "my.xlsm"
    assert run("build", "--data", str(tmp_path / "old" / "data"),
               "--output", str(book)).exit_code == 0
    shutil.move(tmp_path / "old", tmp_path / "new")
    # COVERBOOK_DATA names a folder whose 300308.SZ closes at 109.90: checked against
    # it, the workbook would be stale; the workbook's own folder wins.
    other = tmp_path / "other"
    shutil.copytree(DATA_DIR, other)
    edit(other, "coverage.csv", "108.90,", "109.90,")
    monkeypatch.setenv("COVERBOOK_DATA", str(other))
    moved = tmp_path / "new" / "book" / "my.xlsm"
    result = run("build", "--check", "--output", str(moved))
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"data: {tmp_path / 'new' / 'data'} (recorded in {moved})",
        f"{moved} is current (P/E 60/60 match the report; claims 5/5)"]
    # With --data naming the other folder, the same workbook is stale.
    assert run("build", "--check", "--data", str(other), "--output", str(moved)).exit_code == 1


def test_a_deleted_recorded_folder_exits_2_naming_it(tmp_path, clean_env):
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    book = tmp_path / "my.xlsm"
    assert run("build", "--data", str(data), "--output", str(book)).exit_code == 0
    before = book.read_bytes()
    shutil.rmtree(data)
    for extra in (["--check"], []):
        result = run("build", *extra, "--output", str(book))
        assert result.exit_code == 2, result.output
        assert str(data) in result.stderr and "--data" in result.stderr
        assert "Traceback" not in result.output
    assert book.read_bytes() == before


def test_in_a_project_subfolder_build_uses_the_project(tmp_path, clean_env, monkeypatch):
    root = tmp_path / "coverage"
    shutil.copytree(DATA_DIR, root / "data")
    (root / "coverbook.toml").write_text('data = "data"\nworkbook = "book/cover.xlsm"\n',
                                         encoding="utf-8")
    (root / "notes" / "2024").mkdir(parents=True)
    monkeypatch.chdir(root / "notes" / "2024")
    result = run("build")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[:2] == [
        f"data: {root / 'data'} (project {root / 'coverbook.toml'})",
        f"wrote {root / 'book' / 'cover.xlsm'}"]
    assert recorded_cell(root / "book" / "cover.xlsm") == "../data"
    check = run("build", "--check")
    assert check.exit_code == 0, check.output
    assert check.stdout.splitlines()[0] == \
        f"data: {root / 'data'} (recorded in {root / 'book' / 'cover.xlsm'})"


def test_publish_prints_the_folder_it_used(tmp_path, clean_env, monkeypatch):
    monkeypatch.chdir(tmp_path)  # no project here: the shipped example
    result = run("publish")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == f"data: {DATA_DIR} (shipped data)"
    assert (tmp_path / "coverbook-values.xlsx").is_file()


def test_this_checkout_is_not_an_installed_package():
    assert installed_as_package() is False


def test_an_installed_package_never_writes_into_itself(tmp_path, clean_env, monkeypatch):
    site = tmp_path / "venv" / "lib" / "site-packages" / "workbook"
    site.mkdir(parents=True)
    monkeypatch.setattr(workbook, "PACKAGE_DIR", site)
    assert installed_as_package() is True
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    shipped = workbook.DEFAULT_OUTPUT.read_bytes()
    for args in (["build"], ["build", "--check"]):
        result = run(*args)
        assert result.exit_code == 2, result.output
        assert "coverbook new" in result.stderr and "--output" in result.stderr
    assert list(site.iterdir()) == [] and list(empty.iterdir()) == []
    assert workbook.DEFAULT_OUTPUT.read_bytes() == shipped
    # --output says where: the build writes there.
    result = run("build", "--output", "mine.xlsm")
    assert result.exit_code == 0, result.output
    assert (empty / "mine.xlsm").is_file() and list(site.iterdir()) == []
