"""``coverbook prices import``: each documented export layout read into prices.csv,
checked against rows written by hand; every refusal exits 2 with the data folder
byte-identical."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

import workbook
from helpers.prices_exports import (CHOICE, WIND_CR, WIND_FIXED, WIND_FORWARD, WIND_LATEST,
                            WIND_SPACES, WIND_UNTAGGED, ifind_rows, text_file, wind_rows,
                            xlsx)
from workbook import DATA_DIR
from workbook.cli import cli

HEADER = "code,date,close,currency,source"


@pytest.fixture
def data(data_copy, monkeypatch):
    """A copy of the shipped data folder, with no COVERBOOK_DATA to override it."""
    monkeypatch.delenv("COVERBOOK_DATA", raising=False)
    return data_copy


def run(*args):
    return CliRunner().invoke(cli, ["prices", "import", *map(str, args)])


def history(folder: Path) -> list[str]:
    return (folder / "prices.csv").read_text(encoding="utf-8").splitlines()


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def test_wind_xlsx_with_a_fixed_date(data, tmp_path):
    export = xlsx(tmp_path / "EDE20240920.xlsx", wind_rows(WIND_FIXED, [
        ["300308.SZ", "中际旭创", 105.5],
        ["300502.SZ", "新易盛", "1,093.20"],      # text with a thousands separator
        ["600941.SH", "中国移动", "——"],          # blank
        ["0941.HK", "中国移动", 80.1],             # not in the coverage
    ]))
    result = run(export, "--data", data)
    assert result.exit_code == 0, result.output
    assert history(data) == [
        HEADER,
        "300308.SZ,2024-09-20,105.5,CNY,Wind EDE20240920.xlsx",
        "300502.SZ,2024-09-20,1093.2,CNY,Wind EDE20240920.xlsx",
    ]
    assert "added 2" in result.output and "blank 1" in result.output
    assert "not in the coverage 1" in result.output and "1 footer row(s) ignored" in result.output
    # --all keeps the Hong Kong code too.
    result = run(export, "--data", data, "--all")
    assert result.exit_code == 0, result.output
    assert "0941.HK,2024-09-20,80.1,HKD,Wind EDE20240920.xlsx" in history(data)


def test_importing_the_same_file_twice_changes_nothing(data, tmp_path):
    export = xlsx(tmp_path / "w.xlsx", wind_rows(WIND_SPACES, [["300308.SZ", "x", 110.2]]))
    assert run(export, "--data", data).exit_code == 0
    before = snapshot(data)
    result = run(export, "--data", data)
    assert result.exit_code == 0, result.output
    assert "unchanged" in result.output and "already held 1" in result.output
    assert snapshot(data) == before


def test_wind_space_separated_tags_and_excel_carriage_returns(data, tmp_path):
    a = xlsx(tmp_path / "a.xlsx", wind_rows(WIND_SPACES, [["300308.SZ", "中际旭创", 110.2]]))
    b = xlsx(tmp_path / "b.xlsx", wind_rows(WIND_CR, [["300502.SZ", "新易盛", 97.0]]))
    result = run(a, b, "--data", data)
    assert result.exit_code == 0, result.output
    assert history(data) == [HEADER, "300308.SZ,2024-09-24,110.2,CNY,Wind a.xlsx",
                             "300502.SZ,2024-09-24,97,CNY,Wind b.xlsx"]


def test_wind_csv_in_gbk_with_line_breaks_in_the_header(data, tmp_path):
    export = text_file(tmp_path / "wind.csv", wind_rows(WIND_SPACES.replace(" ", "\n"), [
        ["300394.SZ", "天孚通信", "75.50"], ["688498.SH", "源杰科技", "--"]]), "gbk")
    result = run(export, "--data", data)
    assert result.exit_code == 0, result.output
    assert history(data) == [HEADER, "300394.SZ,2024-09-24,75.5,CNY,Wind wind.csv"]


def test_choice_xlsx_with_its_footer(data, tmp_path):
    rows = [["证券代码", "证券名称", CHOICE], ["000063.SZ", "中兴通讯", 25.3],
            ["002463.SZ", "沪电股份", "--"], ["数据来源：东方财富Choice数据"]]
    result = run(xlsx(tmp_path / "choice.xlsx", rows), "--data", data)
    assert result.exit_code == 0, result.output
    assert history(data) == [HEADER, "000063.SZ,2024-09-24,25.3,CNY,Choice choice.xlsx"]
    assert "Choice cross-section" in result.output


def test_ifind_time_series_needs_unadjusted(data, tmp_path):
    export = xlsx(tmp_path / "ifind.xlsx", ifind_rows([
        ("2024-09-23", [6.06, 4.49]), ("2024-09-24", [6.12, "--"]),
        ("2024-09-25", [6.5, 4.7])]))
    before = snapshot(data)
    refused = run(export, "--data", data)
    assert refused.exit_code == 2 and "--unadjusted" in refused.stderr
    assert snapshot(data) == before
    result = run(export, "--data", data, "--unadjusted")
    assert result.exit_code == 0, result.output
    assert history(data) == [
        HEADER,
        "600050.SH,2024-09-23,4.49,CNY,iFinD ifind.xlsx",
        "600050.SH,2024-09-25,4.7,CNY,iFinD ifind.xlsx",
        "601728.SH,2024-09-23,6.06,CNY,iFinD ifind.xlsx",
        "601728.SH,2024-09-24,6.12,CNY,iFinD ifind.xlsx",
        "601728.SH,2024-09-25,6.5,CNY,iFinD ifind.xlsx",
    ]


def test_a_xls_that_is_tab_separated_gbk_text(data, tmp_path):
    export = text_file(tmp_path / "east.xls", wind_rows(WIND_FIXED, [
        ["300442.SZ", "润泽科技", "23.10"]]), "gbk", delimiter="\t")
    result = run(export, "--data", data)
    assert result.exit_code == 0, result.output
    assert history(data) == [HEADER, "300442.SZ,2024-09-20,23.1,CNY,Wind east.xls"]


@pytest.mark.parametrize("header, name, args, expected", [
    (WIND_FORWARD, "fwd.xlsx", [], ["fwd.xlsx", "前复权", WIND_FORWARD.replace("\n", " ")]),
    (WIND_FORWARD.replace("前", "后"), "back.xlsx", [], ["back.xlsx", "后复权"]),
    (WIND_UNTAGGED, "untagged.xlsx", [], ["untagged.xlsx", "--unadjusted"]),
    (WIND_LATEST, "EDE20240924.xlsx", [], ["最新收盘日", "--date 2024-09-24"]),
    (WIND_LATEST, "latest.xlsx", [], ["最新收盘日", "--date YYYY-MM-DD"]),
    (WIND_FIXED, "fixed.xlsx", ["--date", "2024-09-24"], ["2024-09-20", "2024-09-24"]),
])
def test_refusals_exit_2_and_leave_the_folder_unchanged(data, tmp_path, header, name, args,
                                                        expected):
    (data / "prices.csv").write_text(f"{HEADER}\n300308.SZ,2024-09-19,100,CNY,typed\n",
                                     encoding="utf-8")
    good = xlsx(tmp_path / "good.xlsx", wind_rows(WIND_SPACES, [["300308.SZ", "x", 110.2]]))
    bad = xlsx(tmp_path / name, wind_rows(header, [["300308.SZ", "中际旭创", 109.0]]))
    before = snapshot(data)
    result = run(good, bad, "--data", data, *args)
    assert result.exit_code == 2, result.output
    for text in expected:
        assert text in result.stderr
    assert "nothing was written" in result.stderr
    assert snapshot(data) == before


def test_latest_close_date_with_date_given(data, tmp_path):
    export = xlsx(tmp_path / "EDE20240924.xlsx",
                  wind_rows(WIND_LATEST, [["300308.SZ", "中际旭创", 110.2]]))
    result = run(export, "--data", data, "--date", "2024-09-24")
    assert result.exit_code == 0, result.output
    assert history(data)[1] == "300308.SZ,2024-09-24,110.2,CNY,Wind EDE20240924.xlsx"


def test_unknown_layout_shows_the_header_and_the_known_layouts(data, tmp_path):
    export = xlsx(tmp_path / "odd.xlsx", [["Ticker", "Last price"], ["300308.SZ", 1.0]])
    before = snapshot(data)
    result = run(export, "--data", data)
    assert result.exit_code == 2
    assert "Ticker | Last price" in result.stderr and "Known layouts" in result.stderr
    assert "iFinD time series" in result.stderr and "证券代码" in result.stderr
    assert snapshot(data) == before


def test_a_bad_close_is_refused_at_its_row_and_column(data, tmp_path):
    export = xlsx(tmp_path / "w.xlsx", wind_rows(WIND_SPACES, [
        ["300308.SZ", "x", 110.2], ["300502.SZ", "y", "停牌"]]))
    before = snapshot(data)
    result = run(export, "--data", data)
    assert result.exit_code == 2
    assert "w.xlsx:3:C: '停牌' is not a close" in result.stderr
    assert snapshot(data) == before


def test_a_different_close_for_a_held_day_needs_replace(data, tmp_path):
    first = xlsx(tmp_path / "first.xlsx", wind_rows(WIND_SPACES, [
        ["300308.SZ", "x", 110.2], ["300502.SZ", "y", 97.0]]))
    second = xlsx(tmp_path / "second.xlsx", wind_rows(WIND_SPACES, [["300308.SZ", "x", 111.0]]))
    assert run(first, "--data", data).exit_code == 0
    before = snapshot(data)
    result = run(second, "--data", data)
    assert result.exit_code == 2
    assert "110.2 (source Wind first.xlsx)" in result.stderr
    assert "Wind second.xlsx gives 111" in result.stderr and "--replace" in result.stderr
    assert snapshot(data) == before
    result = run(second, "--data", data, "--replace")
    assert result.exit_code == 0, result.output
    assert history(data) == [HEADER, "300308.SZ,2024-09-24,111,CNY,Wind second.xlsx",
                             "300502.SZ,2024-09-24,97,CNY,Wind first.xlsx"]


def test_new_rows_are_inserted_in_order_and_old_lines_kept(data, tmp_path):
    (data / "prices.csv").write_text(
        f"{HEADER}\n300308.SZ,2024-09-19,100.00,CNY,typed by hand\n"
        "300502.SZ,2024-09-19,90,CNY,typed by hand\n", encoding="utf-8")
    export = xlsx(tmp_path / "w.xlsx", wind_rows(WIND_SPACES, [
        ["300502.SZ", "y", 97.0], ["300308.SZ", "x", 110.2]]))
    assert run(export, "--data", data).exit_code == 0
    assert history(data) == [HEADER, "300308.SZ,2024-09-19,100.00,CNY,typed by hand",
                             "300308.SZ,2024-09-24,110.2,CNY,Wind w.xlsx",
                             "300502.SZ,2024-09-19,90,CNY,typed by hand",
                             "300502.SZ,2024-09-24,97,CNY,Wind w.xlsx"]


def test_an_installed_package_outside_a_project_is_never_written(tmp_path, monkeypatch):
    site = tmp_path / "site-packages" / "workbook"
    site.mkdir(parents=True)
    monkeypatch.setattr(workbook, "PACKAGE_DIR", site)
    monkeypatch.delenv("COVERBOOK_DATA", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.chdir(tmp_path)
    export = xlsx(tmp_path / "w.xlsx", wind_rows(WIND_SPACES, [["300308.SZ", "x", 110.2]]))
    shipped = snapshot(DATA_DIR)
    result = run(export)
    assert result.exit_code == 2
    assert "--data" in result.stderr and "nothing was written" in result.stderr
    assert snapshot(DATA_DIR) == shipped


def test_the_command_imports_cleanly_in_a_fresh_process():
    import subprocess
    import sys

    # In a new process the import order differs from the tests' (a cycle would show).
    done = subprocess.run([sys.executable, "-c", "import workbook.prices.importer"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_two_exports_disagreeing_on_one_day_are_refused(data, tmp_path):
    a = xlsx(tmp_path / "a.xlsx", wind_rows(WIND_SPACES, [["300308.SZ", "x", 110.2]]))
    b = xlsx(tmp_path / "b.xlsx", wind_rows(WIND_SPACES, [["300308.SZ", "x", 110.3]]))
    before = snapshot(data)
    result = run(a, b, "--data", data)
    assert result.exit_code == 2
    assert "300308.SZ 2024-09-24: 110.2 in Wind a.xlsx, 110.3 in Wind b.xlsx" in result.stderr
    assert snapshot(data) == before


def test_a_close_that_differs_from_coverage_csv_on_its_day_is_refused(data, tmp_path):
    """coverage.csv types 108.90 for 300308.SZ on 2024-09-23; an export giving 100.00
    that day would leave a folder the build refuses: refused before writing."""
    header = WIND_FIXED.replace("2024-09-20", "2024-09-23")
    export = xlsx(tmp_path / "EDE20240923.xlsx", wind_rows(header, [
        ["300308.SZ", "中际旭创", 100.0], ["300502.SZ", "新易盛", 95.25]]))
    before = snapshot(data)
    result = run(export, "--data", data)
    assert result.exit_code == 2, result.output
    assert ("300308.SZ 2024-09-23: coverage.csv holds 108.9 for that day, Wind "
            "EDE20240923.xlsx gives 100; correct one of them") in result.stderr
    assert snapshot(data) == before
    # The same close as typed (95.25 for 300502.SZ) is no conflict.
    ok = xlsx(tmp_path / "ok.xlsx", wind_rows(header, [["300502.SZ", "新易盛", 95.25]]))
    assert run(ok, "--data", data).exit_code == 0


def test_a_hong_kong_code_matches_whatever_its_leading_zeros(data, tmp_path):
    """coverage.csv writes 01772.HK, Wind writes 1772.HK: one listing, imported under
    the coverage's code in its currency (HKD); codes outside the coverage are named."""
    with (data / "coverage.csv").open("a", encoding="utf-8") as f:
        f.write("01772.HK,赣锋锂业,20.05,2024-09-23,买入,1.2,1.3,1.4,1.5\n")
    export = xlsx(tmp_path / "EDE20240920.xlsx", wind_rows(WIND_FIXED, [
        ["1772.HK", "赣锋锂业", 19.5], ["9988.HK", "阿里巴巴", 90.1],
        ["0700.HK", "腾讯控股", 430.0]]))
    result = run(export, "--data", data)
    assert result.exit_code == 0, result.output
    assert history(data) == [HEADER, "01772.HK,2024-09-20,19.5,HKD,Wind EDE20240920.xlsx"]
    assert "2 not in the coverage (9988.HK, 0700.HK)" in result.output
