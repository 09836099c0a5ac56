"""TOML values Python cannot read or a setting cannot hold, in every TOML file
(``settings.toml``, ``rating_scales.toml``, ``coverbook.toml``): an integer beyond
float range, one beyond Python's 4,300-digit limit (python/cpython#95778), lists
nested 5,000 deep. Each is exit 2 naming file and line, an error value in a UDF and
a FAIL line in ``coverbook doctor``, never a traceback."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from helpers.build_cli import assert_rejected
from helpers.data_files import band_key_line, edit, line_of
from udfs import RATING, TOKEN_PRICE
from workbook.cli import cli
from workbook.project import PROJECT_FILE, ProjectError, load_project

NINES_400 = "9" * 400
DIGITS_5000 = "9" * 5000
NESTED_5000 = "[" * 5000 + "]" * 5000


@pytest.mark.parametrize("value,shown", [
    (NINES_400, "999999… (400 digits) is not a return"),
    ("-" + NINES_400, "-99999… (400 digits) is not a return"),
    ("1e400", "inf is not a return"),
])
def test_a_benchmark_return_beyond_floats_is_refused_at_its_line(data_copy, previous, value,
                                                                 shown):
    edit(data_copy, "settings.toml", "benchmark_return = 0.0", f"benchmark_return = {value}")
    row = line_of(data_copy, "settings.toml", "benchmark_return =")
    assert_rejected(data_copy, previous, [("settings.toml", row, "benchmark_return", shown)])


#: (file, text replaced, its replacement with the value, text of the edited line)
PLACES = [
    ("settings.toml", "benchmark_return = 0.0", "benchmark_return = {}", "benchmark_return ="),
    ("rating_scales.toml", "lower = 0.10\n", "lower = {}\n", "lower = {}"),
]


@pytest.mark.parametrize("file,old,new,needle", PLACES, ids=["settings", "rating_scales"])
def test_an_integer_of_5000_digits_is_refused_at_its_line(own_scales, previous, file, old,
                                                          new, needle):
    data_copy = own_scales  # with a copy of the shipped scales as its own
    edit(data_copy, file, old, new.format(DIGITS_5000))
    row = line_of(data_copy, file, needle.format(DIGITS_5000))
    assert_rejected(data_copy, previous, [
        (file, row, None, "not valid TOML: a number of 5,000 digits, more than Python reads "
                          "(4,300; Excel keeps 15 significant digits)")])


@pytest.mark.parametrize("file,old,new,needle", PLACES, ids=["settings", "rating_scales"])
def test_lists_nested_5000_deep_are_refused_at_their_line(own_scales, previous, file, old,
                                                          new, needle):
    data_copy = own_scales  # with a copy of the shipped scales as its own
    # The nesting starts on the value's line and closes three lines below: the line
    # named is where it is deepest, the value's own.
    nested = "[" * 5000 + "\n\n\n" + "]" * 5000
    edit(data_copy, file, old, new.format(nested))
    row = line_of(data_copy, file, "[" * 5000)
    assert_rejected(data_copy, previous, [
        (file, row, None, "not valid TOML: lists or inline tables nested 5,000 deep")])


@pytest.fixture
def broken_settings(data_copy, monkeypatch):
    """A data folder whose settings.toml holds a 5,000-digit integer, as the UDFs'
    and doctor's data folder (COVERBOOK_DATA)."""
    edit(data_copy, "settings.toml", "benchmark_return = 0.0", f"benchmark_return = {DIGITS_5000}")
    monkeypatch.setenv("COVERBOOK_DATA", str(data_copy))
    return data_copy


def test_udfs_over_such_a_data_folder_return_its_problem(broken_settings):
    row = line_of(broken_settings, "settings.toml", "benchmark_return =")
    expected = f"#N/A data: settings.toml:{row}: not valid TOML: a number of 5,000 digits"
    assert TOKEN_PRICE("gpt-4o", "input").startswith(expected)
    assert RATING(0.3).startswith(expected)


def test_doctor_over_such_a_data_folder_fails_with_its_line(broken_settings, tmp_path,
                                                            monkeypatch):
    monkeypatch.setattr("workbook.locations.user_config_file",
                        lambda *a, **k: tmp_path / "none" / "coverbook.conf")
    monkeypatch.setattr("workbook.doctor.user_config_file",
                        lambda *a, **k: tmp_path / "none" / "coverbook.conf")
    monkeypatch.chdir(tmp_path)  # in no project: doctor checks COVERBOOK_DATA's folder
    result = CliRunner().invoke(cli, ["doctor"])
    assert result.exit_code == 1, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)
    row = line_of(broken_settings, "settings.toml", "benchmark_return =")
    line = next(x for x in result.output.splitlines() if x.startswith("FAIL  data folder"))
    assert f"settings.toml:{row}: not valid TOML: a number of 5,000 digits" in line


@pytest.mark.parametrize("value,fragment", [
    (DIGITS_5000, ":2: not valid TOML: a number of 5,000 digits"),
    (NESTED_5000, ":2: not valid TOML: lists or inline tables nested 5,000 deep"),
])
def test_the_project_file_names_the_line_too(tmp_path, value, fragment):
    (tmp_path / PROJECT_FILE).write_text(f'data = "data"\nworkbook = {value}\n')
    with pytest.raises(ProjectError) as info:
        load_project(tmp_path / PROJECT_FILE)
    assert f"{tmp_path / PROJECT_FILE}{fragment}" in str(info.value)


def test_a_udfs_data_error_fits_a_cell_whatever_the_value_it_quotes(data_copy, monkeypatch):
    # The problem quotes the 40,000-character scale name; a cell holds 32,767.
    edit(data_copy, "settings.toml", 'rating_scale = "tianfeng"',
         'rating_scale = "' + "x" * 40_000 + '"')
    monkeypatch.setenv("COVERBOOK_DATA", str(data_copy))
    row = line_of(data_copy, "settings.toml", "rating_scale =")
    result = TOKEN_PRICE("gpt-4o", "input")
    assert result.startswith(f"#N/A data: settings.toml:{row}:rating_scale: unknown scale 'xxx")
    assert len(result) == 32_767 and result.endswith("x…")


def test_a_huge_toml_integer_edge_is_an_error(data_copy, previous, own_scales):
    edit(data_copy, "rating_scales.toml", "upper = 0.20", "upper = " + "9" * 400)
    row = band_key_line(data_copy, "tianfeng", "增持", "upper")
    assert_rejected(data_copy, previous, [
        ("rating_scales.toml", row, "upper", "must be a number")])
