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
                     '"SHOW CONSOLE","True"', f'"{key}","{sys.executable}"',
                     '"ADD_WORKBOOK_TO_PYTHONPATH","false"']
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
    assert len(config.read_text(encoding="utf-8").splitlines()) == 3
    # The active workbook's folder is kept off Python's path (xlwings' default: on).
    assert read_config(config)["ADD_WORKBOOK_TO_PYTHONPATH"] == "false"


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


# --- everything checked and prepared first; a failure half-way is rolled back ----------


def state(*folders):
    """Every file under *folders*: its bytes and mode (what must not change)."""
    out = {}
    for folder in folders:
        for p in sorted(Path(folder).rglob("*")):
            out[str(p)] = (p.read_bytes(), p.stat().st_mode) if p.is_file() else "dir"
    return out


def test_a_config_below_a_file_is_refused_before_the_addin_is_written(targets, tmp_path):
    xlstart, _ = targets
    blocker = tmp_path / "afile"
    blocker.write_bytes(b"x\n")
    result = run("addin", "install", "--xlstart", xlstart, "--config",
                 blocker / "coverbook.conf")
    assert result.exit_code == 2
    assert result.stderr == (f"error: {blocker / 'coverbook.conf'}: {blocker} is a file, "
                             "not a folder; nothing was changed. Choose another --config\n")
    assert list(xlstart.iterdir()) == []  # no add-in, no temporary file
    assert blocker.read_bytes() == b"x\n"


def test_an_unwritable_config_folder_leaves_no_addin(targets, monkeypatch):
    import workbook.replacing as replacing

    xlstart, config = targets
    config.parent.mkdir(parents=True)
    config.write_text(USER_CONF, encoding="utf-8")
    real = replacing.tempfile.mkdtemp

    def refuse_config_folder(suffix=None, prefix=None, dir=None):
        if dir is not None and Path(dir) == config.parent:
            raise PermissionError(13, "Permission denied")
        return real(suffix, prefix, dir)
    monkeypatch.setattr(replacing.tempfile, "mkdtemp", refuse_config_folder)
    before = state(xlstart, config.parent)
    result = run("addin", "install", "--xlstart", xlstart, "--config", config)
    assert result.exit_code == 2
    assert result.stderr == (f"error: {config}: cannot write it (Permission denied); "
                             "nothing was changed\n")
    assert state(xlstart, config.parent) == before
    assert list(xlstart.iterdir()) == []


@pytest.mark.parametrize("existing", [True, False])
def test_an_addin_that_cannot_be_replaced_rolls_the_config_back(targets, tmp_path,
                                                                monkeypatch, existing):
    """Windows refuses to replace an add-in Excel has loaded: the config file, already
    written by then, is put back as it was (or removed with the folders made for it)."""
    import workbook.addin.package as package_module

    xlstart, config = targets
    if existing:
        config.parent.mkdir(parents=True)
        config.write_text(USER_CONF, encoding="utf-8")
    (xlstart / "coverbook.xlam").write_bytes(b"old add-in")
    before = state(xlstart, tmp_path / "home")
    real = package_module.os.replace

    def loaded_in_excel(src, dst):
        if Path(dst).suffix == ".xlam":
            raise PermissionError(13, "Permission denied")
        return real(src, dst)
    monkeypatch.setattr(package_module.os, "replace", loaded_in_excel)
    result = run("addin", "install", "--xlstart", xlstart, "--config", config)
    assert result.exit_code == 2
    addin = xlstart / "coverbook.xlam"
    assert result.stderr == (
        f"error: {addin}: cannot replace it (Permission denied); it is probably open in "
        "Excel or read-only: close it in Excel and install again; the previous file is "
        "unchanged; nothing was changed\n")
    assert state(xlstart, tmp_path / "home") == before
    assert (tmp_path / "home").exists() == existing


def test_a_read_only_or_locked_addin_is_refused_before_the_config(targets):
    xlstart, config = targets
    addin = xlstart / "coverbook.xlam"
    addin.write_bytes(b"old add-in")
    addin.chmod(0o444)
    result = run("addin", "install", "--xlstart", xlstart, "--config", config)
    assert result.exit_code == 2 and "cannot replace it" in result.stderr
    assert "install again" in result.stderr
    assert addin.read_bytes() == b"old add-in" and not config.exists()
    addin.chmod(0o644)
    (xlstart / "~$coverbook.xlam").write_bytes(b"\x05analyst")
    result = run("addin", "install", "--xlstart", xlstart, "--config", config)
    assert result.exit_code == 2 and "(~$coverbook.xlam exists)" in result.stderr
    assert addin.read_bytes() == b"old add-in" and not config.exists()
