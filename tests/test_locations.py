"""The data folder rule (``workbook.locations``) and the place of ``coverbook.conf``."""

from __future__ import annotations

from pathlib import Path


from udfs import _reference
from workbook import DATA_DIR
from workbook.locations import (locate_data, parse_config_line, read_config,
                                user_config_file)


def test_config_file_is_where_xlwings_custom_addin_vba_looks(tmp_path):
    # xlwings_custom_addin.bas, GetConfigFilePath, with PROJECT_NAME = "coverbook":
    # Environ("USERPROFILE") & "\.coverbook\coverbook.conf" on Windows,
    # GetMacDir("$HOME") & "/coverbook.conf" (Excel's sandbox home) on macOS.
    assert user_config_file("win32", Path("C:/Users/ana")) == \
        Path("C:/Users/ana/.coverbook/coverbook.conf")
    assert user_config_file("darwin", Path("/Users/ana")) == Path(
        "/Users/ana/Library/Containers/com.microsoft.Excel/Data/coverbook.conf")
    assert user_config_file("linux", tmp_path) == tmp_path / ".coverbook" / "coverbook.conf"


def test_config_lines_parse_as_xlwings_reads_them():
    assert parse_config_line('"INTERPRETER_WIN","C:\\py\\python.exe"\n') == \
        ("INTERPRETER_WIN", "C:\\py\\python.exe")
    assert parse_config_line('"interpreter_win","x"') == ("INTERPRETER_WIN", "x")
    assert parse_config_line("garbage") is None
    assert parse_config_line("") is None


def test_rule_env_then_config_then_shipped(tmp_path):
    conf = tmp_path / "coverbook.conf"
    # 3. neither: the shipped data
    assert locate_data({}, conf).path == DATA_DIR
    assert locate_data({}, conf).source == "shipped data"
    # 2. the key in coverbook.conf (first line of a key wins, as in the VBA reader)
    conf.write_text('"OTHER","1"\n"coverbook_data","D:\\research\\data"\n'
                    '"COVERBOOK_DATA","ignored"\n', encoding="utf-8")
    assert read_config(conf)["COVERBOOK_DATA"] == "D:\\research\\data"
    (tmp_path / "mydata").mkdir()
    conf.write_text(f'"COVERBOOK_DATA","{tmp_path / "mydata"}"\n', encoding="utf-8")
    where = locate_data({}, conf)
    assert where.path == tmp_path / "mydata" and str(conf) in where.source
    # a relative folder is relative to the config file's folder
    conf.write_text('"COVERBOOK_DATA","mydata"\n', encoding="utf-8")
    assert locate_data({}, conf).path == tmp_path / "mydata"
    # 1. the environment variable wins over the file; an empty one does not count
    assert locate_data({"COVERBOOK_DATA": "/elsewhere"}, conf).path == Path("/elsewhere")
    assert locate_data({"COVERBOOK_DATA": ""}, conf).path == tmp_path / "mydata"


def test_udfs_load_their_dataset_from_the_rule(tmp_path, monkeypatch, data_copy):
    """The UDFs' dataset comes from the folder the rule names (here: the config key)."""
    conf = tmp_path / "home" / ".coverbook" / "coverbook.conf"
    conf.parent.mkdir(parents=True)
    conf.write_text(f'"COVERBOOK_DATA","{data_copy}"\n', encoding="utf-8")
    monkeypatch.delenv("COVERBOOK_DATA", raising=False)
    monkeypatch.setattr("workbook.locations.user_config_file", lambda *a, **k: conf)
    _reference.set_dataset(None)
    try:
        assert _reference.dataset_or_error().folder == data_copy
    finally:
        _reference.set_dataset(None)


def test_addin_info_sheet_names_the_files_the_vba_reads():
    from workbook.addin.package import SETTINGS_MACOS, SETTINGS_WINDOWS

    assert SETTINGS_WINDOWS.replace("\\", "/") == \
        str(user_config_file("linux", Path("%USERPROFILE%")))
    assert SETTINGS_MACOS == str(user_config_file("darwin", Path("~")))


def test_a_missing_data_folder_is_one_problem_naming_it(tmp_path, previous):
    """Found by a new user: a mistyped --data gave a "file not found" line per data
    file, none saying the folder itself is missing (in a cell: test_udf_data_folder)."""
    from conftest import cli_build

    path, before = previous
    missing = tmp_path / "no-such-data"
    result = cli_build(missing, path)
    assert result.exit_code == 2
    assert result.stderr.splitlines() == [
        f"{missing}: no such data folder; give the folder that holds settings.toml, "
        "coverage.csv and the other data files (the shipped one is workbook/data; "
        "`coverbook sample` makes one)",
        "1 problem(s) in the data; nothing was written."]
    assert path.read_bytes() == before
