"""coverbook.toml: finding a project from any folder below it, and its errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from workbook.project import PROJECT_FILE, ProjectError, find_project, load_project

ROOT = Path(__file__).resolve().parents[1]


def test_the_repository_checkout_is_a_project_from_any_folder_in_it():
    for start in (ROOT, ROOT / "workbook" / "data", ROOT / "tests"):
        project = find_project(start)
        assert project is not None
        assert project.root == ROOT
        assert project.data == ROOT / "workbook" / "data"
        assert project.workbook == ROOT / "workbook" / "coverbook.xlsm"


def test_outside_any_project_there_is_none(tmp_path):
    (tmp_path / "a" / "b").mkdir(parents=True)
    assert find_project(tmp_path / "a" / "b") is None


def test_the_nearest_project_file_wins(tmp_path):
    (tmp_path / PROJECT_FILE).write_text('data = "d"\nworkbook = "w.xlsm"\n')
    inner = tmp_path / "inner"
    (inner / "deep").mkdir(parents=True)
    (inner / PROJECT_FILE).write_text('data = "my data"\nworkbook = "out/my.xlsm"\n')
    project = find_project(inner / "deep")
    assert (project.root, project.data, project.workbook) == (
        inner, inner / "my data", inner / "out" / "my.xlsm")


@pytest.mark.parametrize("text,fragment", [
    ('data = "d"\n', f"{PROJECT_FILE}:workbook: missing; add the line workbook = "),
    ('data = "d"\nworkbook = 3\n', f"{PROJECT_FILE}:2:workbook: 3 is not a path"),
    ('data = "d"\nworkbook = "w.xlsm"\nsheet = "x"\n', f"{PROJECT_FILE}:3:sheet: unknown key"),
    ('data = "d\n', "not valid TOML"),
])
def test_a_bad_project_file_names_file_line_and_key(tmp_path, text, fragment):
    (tmp_path / PROJECT_FILE).write_text(text)
    with pytest.raises(ProjectError) as info:
        load_project(tmp_path / PROJECT_FILE)
    assert fragment in str(info.value)
    assert str(tmp_path) in str(info.value)
