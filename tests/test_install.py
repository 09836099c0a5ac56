"""``coverbook addin install / remove`` with explicit targets in temporary folders, and
the refusal to guess targets on a machine without Excel."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbook.addin import AddinError
from workbook.addin.install import install, interpreter_setting, merge_config, remove
from workbook.addin.package import build_addin
from workbook.cli import cli
from workbook.locations import read_config

#: A user's coverbook.conf as xlwings users keep theirs: other keys, a stale
#: interpreter in other capitals, an empty line (VBA's Input # stops on it).
USER_CONF = ('"LICENSE_KEY","noncommercial"\n'
             '"interpreter_win","C:\\old\\pythonw.exe"\n'
             "\n"
             '"PYTHONPATH","D:\\研究\\src"\n'
             '"SHOW CONSOLE","True"\n')


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def targets(tmp_path):
    xlstart = tmp_path / "XLSTART"
    xlstart.mkdir()
    config = tmp_path / "home" / ".coverbook" / "coverbook.conf"
    return xlstart, config


def test_install_places_the_addin_and_merges_the_interpreter(targets, tmp_path):
    xlstart, config = targets
    config.parent.mkdir(parents=True)
    config.write_text(USER_CONF, encoding="utf-8")
    result = run("addin", "install", "--xlstart", xlstart, "--config", config)
    assert result.exit_code == 0, result.output
    placed = xlstart / "coverbook.xlam"
    assert placed.read_bytes() == build_addin(tmp_path / "fresh.xlam").read_bytes()
    key = "INTERPRETER_MAC" if sys.platform == "darwin" else "INTERPRETER_WIN"
    lines = config.read_text(encoding="utf-8").splitlines()
    # Every other key kept, byte for byte and in order; the old interpreter line
    # replaced (keys compare case-insensitively, as the VBA reads them); no empty line.
    assert lines == ['"LICENSE_KEY","noncommercial"', '"PYTHONPATH","D:\\研究\\src"',
                     '"SHOW CONSOLE","True"', f'"{key}","{sys.executable}"']
    assert read_config(config)[key] == sys.executable
    assert f"set {key} = {sys.executable} in {config}" in result.output
    assert list(xlstart.iterdir()) == [placed]  # no temporary file left behind
    assert sorted(p.name for p in config.parent.iterdir()) == ["coverbook.conf"]


def test_install_creates_the_config_and_sets_the_data_folder(targets, data_copy):
    xlstart, config = targets
    result = run("addin", "install", "--xlstart", xlstart, "--config", config,
                 "--data", data_copy)
    assert result.exit_code == 0, result.output
    settings = read_config(config)
    assert settings["COVERBOOK_DATA"] == str(data_copy.resolve())
    # Installing again changes nothing but keeps one line per key.
    assert run("addin", "install", "--xlstart", xlstart, "--config", config).exit_code == 0
    assert len(config.read_text(encoding="utf-8").splitlines()) == 2


def test_remove_deletes_only_the_addin(targets):
    xlstart, config = targets
    (xlstart / "other.xlam").write_bytes(b"someone else's")
    assert run("addin", "install", "--xlstart", xlstart, "--config", config).exit_code == 0
    result = run("addin", "remove", "--xlstart", xlstart)
    assert result.exit_code == 0 and "removed" in result.output
    assert [p.name for p in xlstart.iterdir()] == ["other.xlam"]
    assert config.exists()  # the user's settings stay
    again = run("addin", "remove", "--xlstart", xlstart)
    assert again.exit_code == 0 and "nothing was removed" in again.output


@pytest.mark.skipif(sys.platform.startswith("win") or sys.platform == "darwin",
                    reason="Excel may be on this machine")
@pytest.mark.parametrize("args", [["addin", "install"], ["addin", "install", "--xlstart", "X"],
                                  ["addin", "install", "--config", "c.conf"],
                                  ["addin", "remove"]])
def test_without_excel_and_targets_nothing_changes(args, tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    (tmp_path / "X").mkdir()
    result = run(*args)
    assert result.exit_code == 2
    assert "Excel is not on this machine" in result.output
    assert "nothing was changed" in result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)  # a clean exit, no error raised
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["X"]


def test_missing_xlstart_folder_is_refused_before_any_write(tmp_path):
    config = tmp_path / "coverbook.conf"
    result = run("addin", "install", "--xlstart", tmp_path / "nope", "--config", config)
    assert result.exit_code == 2 and "no such folder" in result.output
    assert not config.exists()


def test_store_alias_is_refused():
    with pytest.raises(AddinError, match="Microsoft Store"):
        interpreter_setting(r"C:\Users\ana\AppData\Local\Microsoft\WindowsApps\python.exe",
                            "win32")
    assert interpreter_setting(r"C:\cb\.venv\Scripts\python.exe", "win32") == \
        ("INTERPRETER_WIN", r"C:\cb\.venv\Scripts\python.exe")
    assert interpreter_setting("/Users/ana/cb/.venv/bin/python", "darwin")[0] == \
        "INTERPRETER_MAC"


def test_merge_refuses_a_quote_and_leaves_the_file(tmp_path):
    config = tmp_path / "coverbook.conf"
    config.write_text(USER_CONF, encoding="utf-8")
    with pytest.raises(AddinError, match="double quote"):
        merge_config(config, {"COVERBOOK_DATA": 'D:\\a"b'})
    assert config.read_text(encoding="utf-8") == USER_CONF


def test_install_function_returns_what_it_wrote(targets):
    xlstart, config = targets
    result = install(xlstart, config)
    assert result.addin == xlstart / "coverbook.xlam" and result.config == config
    assert remove(xlstart) == xlstart / "coverbook.xlam"
    assert remove(xlstart) is None
