"""``coverbook new DIR``: the files it writes parse with coverbook's own loaders and with
git and a YAML reader; a folder that cannot take a project is refused with exit 2 and
nothing written; a failed build leaves nothing behind; the project builds at once."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
import subprocess
import tomllib
from pathlib import Path
from types import SimpleNamespace

import pytest
import yaml
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from workbook import PACKAGE_DIR, new_project
from workbook.build import BuildError
from workbook.cli import cli
from workbook.dataset import load_settings
from workbook.dataset.settings import SETTINGS
from workbook.new_project import (FALLBACK_WORKBOOK, create_project, install_requirement,
                                  project_files, workbook_name)
from workbook.project import load_project

#: The CI's install line, fixed so the tests do not depend on how coverbook was installed.
REQUIREMENT = ("coverbook==0.1.0", "from the package index (test)")
EXPECTED_FILES = {"coverbook.toml", "data/settings.toml", "data/coverage.csv", ".gitignore",
                  ".gitattributes", ".github/workflows/coverbook.yml"}


#: The real one, before the fixture below replaces it.
INSTALLED_REQUIREMENT = new_project.installed_requirement


@pytest.fixture(autouse=True)
def _fixed_requirement(monkeypatch):
    monkeypatch.setattr(new_project, "installed_requirement", lambda: REQUIREMENT)


def _tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def test_the_files_are_written_and_parse(tmp_path):
    made = create_project(tmp_path / "telecom", build=False)
    folder = tmp_path / "telecom"
    assert set(_tree(folder)) == EXPECTED_FILES
    assert made.workbook == folder / "telecom.xlsm"
    project = load_project(folder / "coverbook.toml")
    assert (project.root, project.data, project.workbook) == (
        folder, folder / "data", folder / "telecom.xlsm")
    errors: list = []
    settings = load_settings(folder / "data" / "settings.toml", errors)
    assert errors == []
    assert settings.as_of == dt.date(2024, 9, 24)
    assert settings.rating_scale == "tianfeng"
    assert settings.benchmark_return == 0.0
    assert "own estimates" in settings.source
    assert "Tianfeng" not in settings.source
    # Commented out until the analyst sets them: nothing untrue is printed meanwhile.
    assert (settings.author, settings.institution, settings.disclaimer) == (None, None, None)
    assert settings.extra_columns == ()
    with open(folder / "data" / "coverage.csv", encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [r["code"] for r in rows] == ["600001.SH", "600002.SH", "000003.SZ"]
    # No file of a broker report: nothing to check against, nothing to fail.
    assert not (folder / "data" / "report_pe.csv").exists()
    assert not (folder / "data" / "claims.csv").exists()


def test_every_setting_is_in_the_settings_file_with_a_comment_above_it():
    text = project_files("p.xlsm", requirement=REQUIREMENT)["data/settings.toml"].decode()
    lines = text.splitlines()
    for key in SETTINGS:
        at = [i for i, line in enumerate(lines)
              if line.startswith((f"{key} =", f"# {key} ="))]
        assert at, f"{key} is not in the settings template"
        block = []  # the lines above it, up to the blank line before its paragraph
        for line in reversed(lines[:at[0]]):
            if not line.strip():
                break
            block.append(line)
        assert any(line.startswith("# ") and "=" not in line.split()[1] for line in block
                   if not line.startswith(tuple(f"# {k} =" for k in SETTINGS))), key
    assert "\nextra_columns" not in text  # declared only once uncommented
    assert "ILLUSTRATIVE" in text


def test_the_scales_the_settings_comment_lists_are_the_shipped_stock_scales():
    shipped = tomllib.loads((PACKAGE_DIR / "scales" / "rating_scales.toml").read_text(
        encoding="utf-8"))
    stock = {key for key, scale in shipped.items() if scale["kind"] == "stock"}
    text = project_files("p.xlsm", requirement=REQUIREMENT)["data/settings.toml"].decode()
    line = " ".join(text.split("Stock scales shipped with coverbook:")[1].split("(")[0].split())
    listed = {name.strip(" ,#") for name in line.split(",")}
    assert listed == stock


def test_the_example_ratings_are_the_ones_their_targets_imply_on_tianfeng():
    # Tianfeng (settings.toml): 买入 from +20%, 增持 from +10%. Hand-computed upside:
    # 25.00/20.00 - 1 = 25% (买入), 11.50/10.00 - 1 = 15% (增持); the third has no target.
    text = project_files("p.xlsm", requirement=REQUIREMENT)["data/coverage.csv"].decode()
    rows = list(csv.DictReader(text.splitlines()))
    assert [(r["close"], r["target_price"], r["rating"]) for r in rows] == [
        ("20.00", "25.00", "买入"), ("10.00", "11.50", "增持"), ("8.00", "", "持有")]


def test_the_ci_workflow_installs_this_coverbook_and_checks_the_workbook():
    files = project_files("p.xlsm", requirement=("coverbook @ git+https://x/y@v9", "why"))
    workflow = yaml.safe_load(files[".github/workflows/coverbook.yml"])
    assert workflow[True] == ["push", "pull_request"]  # YAML 1.1 reads "on" as true
    steps = workflow["jobs"]["check"]["steps"]
    runs = [s.get("run") for s in steps]
    assert 'python -m pip install "coverbook @ git+https://x/y@v9"' in runs
    assert runs[-1] == "coverbook build --check"
    assert b"{{" not in b"".join(files.values())


@pytest.mark.parametrize("direct_url,expected", [
    (None, "coverbook==0.1.0"),
    (json.dumps({"url": "https://github.com/me/coverbook.git", "vcs_info": {
        "vcs": "git", "commit_id": "0123abcd", "requested_revision": "main"}}),
     "coverbook @ git+https://github.com/me/coverbook.git@0123abcd"),
    (json.dumps({"url": "file:///home/me/coverbook", "dir_info": {"editable": True}}),
     "coverbook @ git+https://example.org/coverbook@v0.1.0"),
    (json.dumps({"url": "file:///tmp/dist/coverbook-0.1.0-py3-none-any.whl",
                 "archive_info": {}}),
     "coverbook @ git+https://example.org/coverbook@v0.1.0"),
    (json.dumps({"url": "https://files.example.org/coverbook-0.1.0-py3-none-any.whl",
                 "archive_info": {}}),
     "coverbook @ https://files.example.org/coverbook-0.1.0-py3-none-any.whl"),
])
def test_ci_installs_what_was_installed_here(direct_url, expected):
    requirement, _ = install_requirement(direct_url, "https://example.org/coverbook/",
                                         version="0.1.0")
    assert requirement == expected


def test_without_a_repository_url_a_local_install_pins_the_index_and_says_so():
    local = json.dumps({"url": "file:///home/me/coverbook", "dir_info": {"editable": True}})
    requirement, origin = install_requirement(local, None, version="0.1.0")
    assert requirement == "coverbook==0.1.0"
    assert "until coverbook 0.1.0 is published there, change this line" in origin


class _FakeDist:
    """A distribution as importlib.metadata gives one: its files and Project-URLs."""

    def __init__(self, files: dict[str, str], urls: list[str]):
        self.files = files
        self.metadata = SimpleNamespace(
            get_all=lambda key: urls if key == "Project-URL" else None)

    def read_text(self, name):
        return self.files.get(name)


def test_the_installed_copy_is_read_not_a_source_trees_egg_info(monkeypatch):
    # python run inside a checkout sees its coverbook.egg-info first: no INSTALLER, no
    # direct_url.json; taken for an index install, CI would pin a coverbook the index
    # may not have.
    egg_info = _FakeDist({}, [])
    editable = _FakeDist({"INSTALLER": "pip\n", "direct_url.json": json.dumps(
        {"url": "file:///home/me/coverbook", "dir_info": {"editable": True}})},
        ["Repository, https://example.org/coverbook"])
    monkeypatch.setattr(new_project.metadata, "distributions",
                        lambda name: iter([egg_info, editable]))
    assert INSTALLED_REQUIREMENT()[0] == (
        f"coverbook @ git+https://example.org/coverbook@v{new_project.__version__}")


def test_git_keeps_the_workbook_and_data_and_ignores_lock_files(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("needs git")
    folder = tmp_path / "telecom"
    create_project(folder, build=False)
    subprocess.run(["git", "init", "-q", str(folder)], check=True)

    def ignored(path: str) -> bool:
        return subprocess.run(["git", "-C", str(folder), "check-ignore", "-q", path]
                              ).returncode == 0

    assert not ignored("telecom.xlsm")
    assert not ignored("data/coverage.csv")
    assert ignored("~$telecom.xlsm") and ignored(".venv/bin/python")
    assert ignored(".~lock.telecom.xlsm#") and ignored("data/__pycache__/x.pyc")
    attrs = subprocess.run(["git", "-C", str(folder), "check-attr", "text", "--",
                            "data/coverage.csv", "data/settings.toml"],
                           capture_output=True, text=True, check=True).stdout
    assert attrs.count(": text: unset") == 2  # byte for byte: the workbook hashes them


@pytest.mark.parametrize("name,expected", [
    ("telecom", "telecom.xlsm"), ("电信 2025", "电信 2025.xlsm"),
    ("a[1]", FALLBACK_WORKBOOK), (".hidden", FALLBACK_WORKBOOK)])
def test_the_workbook_is_named_after_the_folder_when_it_can_be(tmp_path, name, expected):
    assert workbook_name(tmp_path / name) == expected


def test_tokens_adds_the_token_files_with_their_sources(tmp_path):
    create_project(tmp_path / "ai", tokens=True, build=False)
    data = tmp_path / "ai" / "data"
    with open(data / "token_prices.csv", encoding="utf-8", newline="") as handle:
        prices = list(csv.DictReader(handle))
    assert {r["model"] for r in prices} == {"gpt-4o", "gpt-4o-mini", "o1-mini",
                                            "deepseek-chat"}
    assert all(r["source"] for r in prices)
    # The shipped rows, unchanged: GPT-4o's price the Tianfeng note tabulates.
    first = prices[0]
    assert (first["model"], first["in_force_from"], first["input_per_1m"],
            first["output_per_1m"]) == ("gpt-4o", "2024-05-13", "5.00", "15.00")
    with open(data / "fx.csv", encoding="utf-8", newline="") as handle:
        assert next(csv.DictReader(handle))["units_per_usd"] == "7.0644"
    assert (data / "workloads.csv").is_file()
    assert not (data / "claims.csv").exists()


def test_an_existing_empty_folder_takes_the_project(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    create_project(".", build=False)
    assert set(_tree(tmp_path)) == EXPECTED_FILES  # no staging folder left
    assert workbook_name(Path(".")) == f"{tmp_path.name}.xlsm"


def test_a_non_empty_folder_is_refused_with_exit_2_and_nothing_written(tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_bytes(b"my notes\n")
    result = CliRunner().invoke(cli, ["new", str(folder)])
    assert result.exit_code == 2
    assert "not empty (notes.txt)" in result.output
    assert "coverbook new my-coverage" in result.output
    assert _tree(folder) == {"notes.txt": b"my notes\n"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine"]


@pytest.mark.parametrize("make", ["file", "no parent"])
def test_a_file_or_a_missing_parent_is_refused(tmp_path, make):
    target = tmp_path / "x"
    if make == "file":
        target.write_text("x")
    else:
        target = tmp_path / "nope" / "x"
    result = CliRunner().invoke(cli, ["new", str(target)])
    assert result.exit_code == 2
    assert "error:" in result.output and "Traceback" not in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == (["x"] if make == "file" else [])


@pytest.mark.parametrize("existing", [False, True])
def test_a_failed_build_leaves_nothing(tmp_path, monkeypatch, existing):
    def refuse(*args, **kwargs):
        raise BuildError("disk full")

    monkeypatch.setattr("workbook.build.build", refuse)
    folder = tmp_path / "proj"
    if existing:
        folder.mkdir()
    result = CliRunner().invoke(cli, ["new", str(folder)])
    assert result.exit_code == 2
    assert "disk full" in result.output and "nothing was written" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == (["proj"] if existing else [])
    if existing:
        assert list(folder.iterdir()) == []


def test_the_workbook_built_in_staging_is_current_where_it_lands(tmp_path):
    folder = tmp_path / "proj"
    result = CliRunner().invoke(cli, ["new", str(folder)])
    assert result.exit_code == 0, result.output
    assert f"wrote {folder / 'proj.xlsm'}" in result.output
    assert ".coverbook-new-" not in result.output
    assert "installs coverbook==0.1.0: from the package index (test)" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["proj"]
    check = CliRunner().invoke(cli, ["build", "--check", "--data", str(folder / "data"),
                                     "--output", str(folder / "proj.xlsm")])
    assert check.exit_code == 0, check.output
    rows = CalamineWorkbook.from_path(str(folder / "proj.xlsm")).get_sheet_by_name(
        "重点标的").to_python()
    codes = [r[0] for r in rows if r and str(r[0])[:6].isdigit()]
    assert codes == ["600001.SH", "600002.SH", "000003.SZ"]


@pytest.mark.parametrize("tokens", [False, True])
def test_a_new_project_builds_at_once_and_is_current(tmp_path, tokens):
    folder = tmp_path / "proj"
    result = CliRunner().invoke(cli, ["new", str(folder)] + ["--tokens"] * tokens)
    assert result.exit_code == 0, result.output
    check = CliRunner().invoke(cli, ["build", "--check", "--data", str(folder / "data"),
                                     "--output", str(folder / "proj.xlsm")])
    assert check.exit_code == 0, check.output
    names = CalamineWorkbook.from_path(str(folder / "proj.xlsm")).sheet_names
    assert ("Token价格" in names) == tokens
