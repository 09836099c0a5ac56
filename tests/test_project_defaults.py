"""What a fresh user of a project met (issue 19, follow-up): publish and export use the
folder the project's workbook records, and write into the project's root folder;
doctor checks the project's workbook; an installed package's ``addin build`` and
``build --check`` say or do the right thing outside a project.

Projects are made by ``coverbook new`` (three example stocks: 600001.SH closes at
20.00 in its template); values are read back with openpyxl, the PDF with pdftotext."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

import workbook
from helpers.data_files import edit
from workbook.cli import cli
from workbook.doctor import doctor
from workbook.new_project import create_project

VALUES = "coverbook-values.xlsx"
PDF = "coverbook-key-stocks.pdf"


@pytest.fixture
def project(tmp_path, monkeypatch):
    """A project ``cover`` (its workbook built from ``cover/data``), a copy of its data
    in ``other`` where 600001.SH closes at 21.00 instead of 20.00, no COVERBOOK_DATA,
    no coverbook.conf; the current folder is ``cover/notes``, below the project root."""
    monkeypatch.delenv("COVERBOOK_DATA", raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    root = tmp_path / "cover"
    create_project(root)
    shutil.copytree(root / "data", tmp_path / "other")
    edit(tmp_path / "other", "coverage.csv", "600001.SH,示例一 Example 1,20.00,",
         "600001.SH,示例一 Example 1,21.00,")
    (root / "notes").mkdir()
    monkeypatch.chdir(root / "notes")
    return root


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def close_of(path: Path, code: str = "600001.SH"):
    """The close price of *code* on the published key-stocks sheet (openpyxl)."""
    sheet = openpyxl.load_workbook(path, read_only=True)["重点标的"]
    rows = list(sheet.iter_rows(values_only=True))
    header = next(r for r in rows if r and r[0] and str(r[0]).startswith("代码"))
    column = next(i for i, h in enumerate(header) if h and str(h).startswith("收盘价"))
    return next(r[column] for r in rows if r and r[0] == code)


def test_publish_uses_the_folder_the_workbook_records_not_the_toml(project):
    book = project / "cover.xlsm"
    # Repro A: coverbook.toml now names another folder; the workbook records data/.
    (project / "coverbook.toml").write_text('data = "../other"\nworkbook = "cover.xlsm"\n',
                                            encoding="utf-8")
    check = run("build", "--check")
    assert check.exit_code == 0, check.output
    result = run("publish")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == \
        f"data: {project / 'data'} (recorded in {book})"
    assert close_of(project / VALUES) == 20.0


def test_coverbook_data_does_not_split_publish_and_export_from_the_workbook(
        project, monkeypatch, tmp_path):
    book = project / "cover.xlsm"
    monkeypatch.setenv("COVERBOOK_DATA", str(tmp_path / "other"))  # repro B
    expected = f"data: {project / 'data'} (recorded in {book})"
    for args in (["build", "--check"], ["publish"], ["export"]):
        # export prints the line before it needs LibreOffice
        assert run(*args).stdout.splitlines()[0] == expected, args
    assert close_of(project / VALUES) == 20.0
    # --data still wins.
    result = run("publish", "--data", tmp_path / "other", "--output", tmp_path / "o.xlsx")
    assert result.exit_code == 0, result.output
    assert close_of(tmp_path / "o.xlsx") == 21.0


def test_without_a_workbook_yet_publish_uses_the_project_data(project):
    (project / "cover.xlsm").unlink()
    result = run("publish")
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == \
        f"data: {project / 'data'} (project {project / 'coverbook.toml'})"


def test_published_copies_go_to_the_project_root_from_a_subfolder(project):
    assert run("publish").exit_code == 0
    assert (project / VALUES).is_file() and list((project / "notes").iterdir()) == []
    if shutil.which("soffice") or shutil.which("libreoffice"):
        result = run("export")
        assert result.exit_code == 0, result.output
        assert result.stdout.splitlines()[-1] == f"wrote {project / PDF}"
        assert list((project / "notes").iterdir()) == []


def test_outside_a_project_the_published_copies_stay_in_the_current_folder(
        tmp_path, monkeypatch):
    monkeypatch.delenv("COVERBOOK_DATA", raising=False)
    here = tmp_path / "loose"
    here.mkdir()
    monkeypatch.chdir(here)
    assert run("publish").exit_code == 0
    assert [p.name for p in here.iterdir()] == [VALUES]


def test_the_project_gitignore_ignores_the_published_copies(project):
    if shutil.which("git") is None:
        pytest.skip("needs git")
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    for name, ignored in ((VALUES, True), (PDF, True), ("cover.xlsm", False)):
        code = subprocess.run(["git", "-C", str(project), "check-ignore", "-q", name]
                              ).returncode
        assert (code == 0) is ignored, name


# --- doctor in a project -----------------------------------------------------------


def test_doctor_in_a_project_checks_its_workbook_and_folder(project, tmp_path):
    book = project / "cover.xlsm"
    conf = tmp_path / "none" / "coverbook.conf"
    environ = {"COVERBOOK_DATA": str(tmp_path / "other")}
    found = {f.name: f for f in doctor(config=conf, environ=environ,
                                       start=project / "notes")}
    assert found["data folder"].line() == (
        f"PASS  data folder: UDFs and Refresh in {book} use {project / 'data'} "
        f"(recorded in {book}): 3 stocks, no token prices (equity-only)")
    assert found["committed workbook"].status == "PASS"
    assert str(book) in found["committed workbook"].detail
    # The project's data changes: its workbook is stale (the repository's is not asked).
    edit(project / "data", "coverage.csv", "600002.SH,示例二 Example 2,10.00,",
         "600002.SH,示例二 Example 2,10.50,")
    stale = {f.name: f for f in doctor(config=conf, environ=environ, start=project)}
    assert stale["committed workbook"].status == "FAIL"
    assert stale["committed workbook"].detail.startswith(f"{book} is stale")
    assert f"run 'coverbook build' in {project}" in stale["committed workbook"].fix


def test_doctor_with_a_broken_project_file_says_so(tmp_path):
    (tmp_path / "coverbook.toml").write_text('data = "data\n', encoding="utf-8")
    found = {f.name: f for f in doctor(config=tmp_path / "none.conf", environ={},
                                       start=tmp_path)}
    assert found["project"].status == "FAIL"
    assert found["project"].detail.startswith(f"{tmp_path / 'coverbook.toml'}:1:")


# --- an installed package, outside any project ---------------------------------------


@pytest.fixture
def installed(tmp_path, monkeypatch):
    """coverbook as if installed from a wheel (no pyproject.toml beside the package);
    the current folder an empty one in no project. Returns (package dir, cwd)."""
    monkeypatch.delenv("COVERBOOK_DATA", raising=False)
    site = tmp_path / "venv" / "lib" / "site-packages" / "workbook"
    site.mkdir(parents=True)
    monkeypatch.setattr(workbook, "PACKAGE_DIR", site)
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    return site, empty


def test_addin_build_from_an_installed_package_writes_into_the_current_folder(installed):
    site, here = installed
    result = run("addin", "build")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "wrote coverbook.xlam"
    assert [p.name for p in here.iterdir()] == ["coverbook.xlam"]
    assert list(site.iterdir()) == []


def test_build_check_from_an_installed_package_says_what_to_give(installed):
    result = run("build", "--check")
    assert result.exit_code == 2, result.output
    assert "--output WORKBOOK" in result.stderr and "coverbook new" in result.stderr
    assert "never writes" not in result.stderr and "nothing was written" not in result.stderr


def test_a_broken_project_file_nearby_does_not_stop_a_command_given_both_options(
        tmp_path, monkeypatch):
    """With --data and --output given no project decides anything: a coverbook.toml
    that is not TOML in the current folder is not read (it stopped the build)."""
    (tmp_path / "coverbook.toml").write_text("data = 3\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COVERBOOK_DATA", raising=False)
    out = tmp_path / "out" / "b.xlsm"
    result = CliRunner().invoke(cli, ["build", "--data", str(workbook.DATA_DIR),
                                      "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert out.is_file()
    # Without --output the project file is needed, and its problem is named.
    result = CliRunner().invoke(cli, ["build", "--data", str(workbook.DATA_DIR)])
    assert result.exit_code == 2
    assert f"{tmp_path / 'coverbook.toml'}:1:data: 3 is not a path" in result.stderr


def test_prices_are_never_imported_into_the_shipped_example(tmp_path, monkeypatch):
    """Outside any project, with no --data and no COVERBOOK_DATA (nor coverbook.conf),
    the rule ends at the shipped example: refused in a source checkout too (it wrote
    into workbook/data/prices.csv)."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("COVERBOOK_DATA", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("USERPROFILE", str(tmp_path / "home"))
    export = tmp_path / "e.csv"
    export.write_text("证券代码,证券简称,收盘价 [交易日期]2024-09-24 [复权方式]不复权\n"
                      "300308.SZ,中际旭创,110.2\n", encoding="utf-8")
    before = sorted(p.name for p in workbook.DATA_DIR.iterdir())
    for args in (["prices", "import", str(export)], ["prices", "fetch"]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2, (args, result.output)
        assert "coverbook never writes into the example it ships" in result.stderr
    assert sorted(p.name for p in workbook.DATA_DIR.iterdir()) == before
