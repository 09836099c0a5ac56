"""``coverbook doctor`` on a good and a broken set-up: data folder, interpreter,
add-in folder. On Linux the Excel checks SKIP unless given explicit targets."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbook.addin.install import install
from workbook.cli import cli
from workbook.doctor import MIN_PYTHON, check_python, check_versions, doctor

LINE = re.compile(r"^(PASS|FAIL|SKIP)  [\w +-]+: .+$")


def run(*args, env=None):
    return CliRunner().invoke(cli, ["doctor", *[str(a) for a in args]], env=env)


def by_name(findings):
    return {f.name: f for f in findings}


@pytest.fixture
def isolated(tmp_path, monkeypatch):
    """No COVERBOOK_DATA and no user coverbook.conf from the machine running the tests,
    and a current folder in no project (inside one, doctor checks the project's
    workbook and its folder: tests/test_project_defaults.py)."""
    monkeypatch.delenv("COVERBOOK_DATA", raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr("workbook.locations.user_config_file",
                        lambda *a, **k: tmp_path / "none" / "coverbook.conf")
    monkeypatch.setattr("workbook.doctor.user_config_file",
                        lambda *a, **k: tmp_path / "none" / "coverbook.conf")
    return tmp_path


def test_good_setup_passes_and_exits_0(isolated):
    result = run()
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert all(LINE.match(line) for line in lines[:-1]), lines
    assert lines[-1] == "No check failed."
    status = {line.split(": ", 1)[0].split("  ", 1)[1]: line.split("  ", 1)[0]
              for line in lines[:-1]}
    assert status["python"] == status["versions"] == status["data folder"] == "PASS"
    assert status["committed workbook"] == "PASS"
    if not (sys.platform.startswith("win") or sys.platform == "darwin"):
        assert status["pywin32 + xlwings DLL"] == status["configured interpreter"] == \
            status["add-in installed"] == "SKIP"


def test_broken_data_folder_fails_with_the_problem_and_a_fix(isolated, data_copy):
    path = data_copy / "coverage.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("108.90", "abc", 1),
                    encoding="utf-8")
    result = run(env={"COVERBOOK_DATA": str(data_copy)})
    assert result.exit_code == 1
    line = next(l for l in result.output.splitlines() if l.startswith("FAIL  data folder"))
    assert f"1 problem(s) in {data_copy} (COVERBOOK_DATA environment variable)" in line
    assert "coverage.csv:" in line and ":close:" in line
    fix = line.split(" Fix: ", 1)[1]
    assert fix.endswith(".") and fix.count(". ") == 0  # one sentence
    assert result.output.splitlines()[-1] == "1 check(s) failed."


def test_data_folder_from_the_config_file(isolated, data_copy):
    conf = isolated / "coverbook.conf"
    conf.write_text(f'"COVERBOOK_DATA","{data_copy}"\n', encoding="utf-8")
    found = by_name(doctor(config=conf, environ={}))
    assert found["data folder"].status == "PASS"
    assert f"{data_copy} (COVERBOOK_DATA in {conf})" in found["data folder"].detail


def test_configured_interpreter_good_and_broken(isolated):
    key = "INTERPRETER_MAC" if sys.platform == "darwin" else "INTERPRETER_WIN"
    conf = isolated / "coverbook.conf"
    conf.write_text(f'"{key}","{sys.executable}"\n', encoding="utf-8")
    good = by_name(doctor(config=conf, environ={}))["configured interpreter"]
    assert good.status == "PASS" and "imports udfs, macros and xlwings 0.37.8" in good.detail

    conf.write_text(f'"{key}","{isolated / "gone" / "python.exe"}"\n', encoding="utf-8")
    result = run("--config", conf)
    assert result.exit_code == 1
    line = next(l for l in result.output.splitlines()
                if l.startswith("FAIL  configured interpreter"))
    assert "does not exist. Fix: run 'coverbook addin install --config " in line

    conf.write_text('"LICENSE_KEY","x"\n', encoding="utf-8")
    missing = by_name(doctor(config=conf, environ={}))["configured interpreter"]
    assert missing.status == "FAIL" and f"no {key} in {conf}" in missing.detail

    conf.write_text(f'"{key}","{sys.executable}"\n', encoding="utf-8")
    broken = isolated / "python-without-coverbook"
    broken.write_text("#!/bin/sh\necho 'ModuleNotFoundError: No module named udfs' >&2\n"
                      "exit 1\n")
    broken.chmod(0o755)
    conf.write_text(f'"{key}","{broken}"\n', encoding="utf-8")
    cannot = by_name(doctor(config=conf, environ={}))["configured interpreter"]
    assert cannot.status == "FAIL"
    assert "cannot import coverbook (ModuleNotFoundError: No module named udfs)" in \
        cannot.detail


def test_addin_check_in_an_explicit_startup_folder(isolated):
    xlstart = isolated / "XLSTART"
    xlstart.mkdir()
    missing = by_name(doctor(xlstart=xlstart, environ={}))["add-in installed"]
    assert missing.status == "FAIL"
    assert missing.fix == f"run 'coverbook addin install --xlstart {xlstart}'."
    install(xlstart, isolated / "coverbook.conf")
    assert by_name(doctor(xlstart=xlstart, environ={}))["add-in installed"].status == "PASS"
    with open(xlstart / "coverbook.xlam", "ab") as f:  # an older or damaged copy
        f.write(b"\0")
    stale = by_name(doctor(xlstart=xlstart, environ={}))["add-in installed"]
    assert stale.status == "FAIL" and "is not what this coverbook" in stale.detail


def test_python_and_version_checks():
    assert check_python((3, 9, 18), "/usr/bin/python3.9").status == "FAIL"
    too_old = check_python((3, 10, 14), "/usr/bin/python3.10")  # no tomllib
    assert too_old.status == "FAIL" and "install Python 3.11 or newer" in too_old.fix
    assert check_python((3, 11, 0), "/usr/bin/python3.11").status == "PASS"
    assert check_versions().status == "PASS"


@pytest.mark.parametrize("output", ["", "hello\n"])
def test_an_interpreter_that_exits_0_without_the_answer_is_a_fail(isolated, output):
    """``/bin/true`` as the interpreter: exit code 0 and no output (was a traceback)."""
    key = "INTERPRETER_MAC" if sys.platform == "darwin" else "INTERPRETER_WIN"
    fake = isolated / "not-python"
    fake.write_text("#!/bin/sh\n" + (f"echo {output.strip()}\n" if output else "") + "exit 0\n")
    fake.chmod(0o755)
    conf = isolated / "coverbook.conf"
    conf.write_text(f'"{key}","{fake}"\n', encoding="utf-8")
    xlstart = isolated / "XLSTART"
    xlstart.mkdir()
    result = run("--xlstart", xlstart, "--config", conf)
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    line = next(l for l in result.output.splitlines()
                if l.startswith("FAIL  configured interpreter"))
    shown = repr(output.strip()) if output else "nothing"
    assert line == (
        f"FAIL  configured interpreter: {fake} ({key} in {conf}) is not a Python that "
        f"imports coverbook: asked for udfs' file and xlwings' version, it printed {shown} "
        f"(exit code 0). Fix: run 'coverbook addin install --xlstart {xlstart} --config "
        f"{conf}' from the coverbook virtual environment.")


def test_a_missing_config_file_does_not_exist(isolated):
    conf = isolated / "no such.conf"
    result = run("--config", conf)
    line = next(l for l in result.output.splitlines()
                if l.startswith("FAIL  configured interpreter"))
    assert line == (f"FAIL  configured interpreter: {conf} does not exist. Fix: run "
                    f"'coverbook addin install --config \"{conf}\"' from the coverbook "
                    "virtual environment.")


def test_fixes_repeat_the_targets_doctor_was_given(isolated):
    xlstart = isolated / "XL START"
    xlstart.mkdir()
    conf = isolated / "coverbook.conf"
    result = run("--xlstart", xlstart, "--config", conf)
    line = next(l for l in result.output.splitlines()
                if l.startswith("FAIL  add-in installed"))
    assert line == (f"FAIL  add-in installed: {xlstart / 'coverbook.xlam'} does not exist. "
                    f"Fix: run 'coverbook addin install --xlstart \"{xlstart}\" --config "
                    f"{conf}'.")


def test_the_python_floor_is_the_one_ci_runs_and_the_code_needs():
    """pyproject's requires-python, doctor's check and CI's interpreter agree, and the
    floor has tomllib (the TOML data files are read with it)."""
    import tomllib

    root = Path(__file__).resolve().parents[1]
    project = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["requires-python"] == ">=3.11"
    assert MIN_PYTHON == (3, 11)
    workflow = (root / ".github" / "workflows" / "ci.yml").read_text(encoding="utf-8")
    assert 'python-version: "3.11"' in workflow


def test_given_a_workbook_doctor_names_the_folder_it_records(isolated, data_copy):
    from workbook.build import build

    book = build(data_copy, isolated / "books" / "my.xlsm").path
    for args in ([book], ["--workbook", book]):
        result = run(*args, env={"COVERBOOK_DATA": str(isolated / "elsewhere")})
        line = next(l for l in result.output.splitlines() if l.startswith("PASS  data folder"))
        assert line == (f"PASS  data folder: UDFs and Refresh in {book} use {data_copy} "
                        f"(recorded in {book}): 15 stocks, 13 models")


#: coverbook's udfs package in this checkout, found from the tests folder (not from
#: the doctor's code).
OUR_UDFS = Path(__file__).resolve().parents[1] / "udfs" / "__init__.py"


def _interpreter_line() -> str:
    key = "INTERPRETER_MAC" if sys.platform == "darwin" else "INTERPRETER_WIN"
    return f'"{key}","{sys.executable}"\n'


def test_doctor_names_the_udfs_file_and_wants_the_workbook_folder_off_the_path(
        isolated, monkeypatch):
    conf = isolated / "coverbook.conf"
    # A udfs.py in the folder doctor runs in is no part of the add-in's path.
    here = isolated / "analyst"
    here.mkdir()
    (here / "udfs.py").write_text("def PE(): pass\n", encoding="utf-8")
    monkeypatch.chdir(here)
    conf.write_text(_interpreter_line(), encoding="utf-8")
    unset = by_name(doctor(config=conf, environ={}))["udfs module"]
    assert unset.status == "FAIL"
    assert f"imports udfs from {OUR_UDFS}, but ADD_WORKBOOK_TO_PYTHONPATH is not set " \
        "(xlwings: true)" in unset.detail
    assert "a udfs.py beside the active workbook would be imported instead" in unset.detail

    conf.write_text(_interpreter_line() + '"add_workbook_to_pythonpath","True"\n',
                    encoding="utf-8")
    true = by_name(doctor(config=conf, environ={}))["udfs module"]
    assert true.status == "FAIL" and "ADD_WORKBOOK_TO_PYTHONPATH is True in" in true.detail

    conf.write_text(_interpreter_line() + '"ADD_WORKBOOK_TO_PYTHONPATH","false"\n',
                    encoding="utf-8")
    result = run("--config", conf)
    line = next(l for l in result.output.splitlines() if l.startswith("PASS  udfs module"))
    assert line == (f"PASS  udfs module: {sys.executable} imports udfs from {OUR_UDFS} "
                    "(coverbook's); ADD_WORKBOOK_TO_PYTHONPATH is false")


def test_doctor_warns_when_another_udfs_comes_first_on_the_path(isolated):
    shadow = isolated / "D 研究"
    shadow.mkdir()
    (shadow / "udfs.py").write_text("def PE(): pass\n", encoding="utf-8")
    conf = isolated / "coverbook.conf"
    conf.write_text(_interpreter_line() + '"ADD_WORKBOOK_TO_PYTHONPATH","false"\n'
                    f'"PYTHONPATH","{shadow}"\n', encoding="utf-8")
    result = run("--config", conf)
    assert result.exit_code == 1
    line = next(l for l in result.output.splitlines() if l.startswith("FAIL  udfs module"))
    assert line == (f"FAIL  udfs module: {sys.executable} would import udfs from "
                    f"{shadow / 'udfs.py'}, not coverbook's {OUR_UDFS}. Fix: rename or "
                    f"remove {shadow / 'udfs.py'} (or the PYTHONPATH entry in {conf} that "
                    "holds it).")


def test_after_addin_install_doctor_passes_the_udfs_check(isolated):
    xlstart = isolated / "XLSTART"
    xlstart.mkdir()
    conf = isolated / "conf" / "coverbook.conf"
    install(xlstart, conf)
    found = by_name(doctor(xlstart=xlstart, config=conf, environ={}))
    assert found["udfs module"].status == "PASS", found["udfs module"]
    assert found["configured interpreter"].status == "PASS"
