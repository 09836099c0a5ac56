"""``coverbook prices fetch`` (the click command in workbook/prices/fetch_cli.py) run
with click's CliRunner, offline: tushare's answers are written by hand and served by
``responses``, no socket may open; the price history's writer
(``workbook.prices.importer.add_quotes``) is replaced by a recorder, except in the
tests that check what reaches prices.csv."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
import subprocess
import sys
import types

import pytest
import responses
from click.testing import CliRunner

from helpers.tushare_answers import REPORT_DAY, answer, refusal, report_answer, report_closes
from workbook import DATA_DIR
from workbook.prices.fetch import API_URL
from workbook.prices.fetch_cli import BEIJING, fetch
from workbook.prices.quote import Quote

pytestmark = pytest.mark.disable_socket

TOKEN = "t0ken-for-tests-0123456789"


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """A copy of the shipped data folder, a token in the environment and a home
    without coverbook.conf."""
    data = tmp_path / "data"
    shutil.copytree(DATA_DIR, data)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("USERPROFILE", str(tmp_path / "home"))
    monkeypatch.delenv("COVERBOOK_DATA", raising=False)
    monkeypatch.setenv("TUSHARE_TOKEN", TOKEN)
    return data


@pytest.fixture
def written(monkeypatch):
    """The calls the command makes to the price history's writer."""
    calls = []

    def record(data_dir, quotes, *, kind):
        calls.append((data_dir, list(quotes)))
        return types.SimpleNamespace(report=lambda: "recorded")

    monkeypatch.setattr("workbook.prices.importer.add_quotes", record)
    return calls


@pytest.fixture
def served():
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


def digest(folder) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir()}


def run(*args):
    return CliRunner().invoke(fetch, list(args))


def test_the_coverage_closes_of_a_day_reach_the_history(folder, written, served):
    served.post(API_URL, json=report_answer())
    result = run("--date", "2024-09-23", "--data", str(folder))
    assert result.exit_code == 0, result.output
    closes = report_closes()
    assert written == [(folder, [Quote(code, REPORT_DAY, close, "tushare daily 2024-09-23")
                                 for code, close in closes.items()])]
    assert len(closes) == 15
    assert "fetched 15 close(s) of 2024-09-23 from tushare" in result.output
    sent = served.calls[0].request
    assert b'"trade_date": "20240923"' in sent.body
    assert b"300308.SZ,300502.SZ" in sent.body


def test_codes_without_a_close_are_named_and_the_rest_written(folder, written, served):
    served.post(API_URL, json=report_answer(["300308.SZ", "600941.SH"]))
    result = run("--date", "2024-09-23", "--data", str(folder))
    assert result.exit_code == 0, result.output
    assert [q.code for q in written[0][1]] == ["300308.SZ", "600941.SH"]
    assert "no close for 300502.SZ on 2024-09-23: suspended" in result.output
    assert "13 without a close" in result.output


def test_no_token(folder, written, monkeypatch):
    monkeypatch.delenv("TUSHARE_TOKEN")
    before = digest(folder)
    result = run("--date", "2024-09-23", "--data", str(folder))
    assert result.exit_code == 2
    assert "error: no tushare token: set the environment variable TUSHARE_TOKEN" \
        in result.output
    assert "nothing was written" in result.output and "Traceback" not in result.output
    assert written == [] and digest(folder) == before


def test_a_day_without_trading(folder, written, served):
    served.post(API_URL, json=answer([]))
    result = run("--date", "2024-09-21", "--data", str(folder))  # a Saturday
    assert result.exit_code == 2
    assert "tushare has no close on 2024-09-21 for any of the 15 code(s) asked: not a " \
           "trading day" in result.output
    assert written == []


def test_a_refusal_writes_nothing(folder, written, served):
    served.post(API_URL, json=refusal(40101, "您的token不对，请确认。"))
    before = digest(folder)
    result = run("--date", "2024-09-23", "--data", str(folder))
    assert result.exit_code == 2
    assert "tushare refused the request (code 40101): 您的token不对" in result.output
    assert TOKEN not in result.output and "Traceback" not in result.output
    assert written == [] and digest(folder) == before


def test_the_fetched_closes_are_written_to_prices_csv(folder, served):
    served.post(API_URL, json=report_answer(["300308.SZ", "600941.SH"]))
    result = run("--date", "2024-09-23", "--data", str(folder))
    assert result.exit_code == 0, result.output
    lines = (folder / "prices.csv").read_text(encoding="utf-8").splitlines()
    # The report's closes of 2024-09-23 (coverage.csv), sorted by code, in CNY.
    assert lines == ["code,date,close,currency,source",
                     "300308.SZ,2024-09-23,108.9,CNY,tushare daily 2024-09-23",
                     "600941.SH,2024-09-23,101.05,CNY,tushare daily 2024-09-23"]


def test_a_close_that_differs_from_the_history_is_refused(folder, served):
    # A day before the coverage's own closes (2024-09-23): the history holds 100.00
    # for 300308.SZ on Friday 2024-09-20, tushare answers 101.00 for it.
    (folder / "prices.csv").write_text(
        "code,date,close,currency,source\n"
        "300308.SZ,2024-09-20,100.0,CNY,Wind EDE20240920.xlsx\n", encoding="utf-8")
    before = digest(folder)
    served.post(API_URL, json=answer([["300308.SZ", "20240920", 101.0]]))
    result = run("--date", "2024-09-20", "--data", str(folder))
    assert result.exit_code == 2, result.output
    assert "300308.SZ 2024-09-20: prices.csv holds 100 (source Wind EDE20240920.xlsx), " \
           "tushare daily 2024-09-20 gives 101" in result.output
    assert "nothing was written" in result.output and "Traceback" not in result.output
    assert digest(folder) == before


def test_without_the_extra(folder, written, monkeypatch):
    monkeypatch.setitem(sys.modules, "requests", None)  # import requests fails
    result = run("--date", "2024-09-23", "--data", str(folder))
    assert result.exit_code == 2
    assert "pip install 'coverbook[fetch]'" in result.output
    assert written == []


def test_invalid_data_is_reported_before_any_request(folder, written):
    path = folder / "coverage.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("300502.SZ", "300502.sz", 1),
                    encoding="utf-8")
    result = run("--date", "2024-09-23", "--data", str(folder))  # nothing served
    assert result.exit_code == 2
    assert "coverage.csv:3:code:" in result.output and "capitals: 300502.SZ" in result.output
    assert written == []


def test_a_bad_date_is_refused_by_click(folder, written):
    result = run("--date", "2024-09-31", "--data", str(folder))
    assert result.exit_code == 2 and written == []


def test_the_default_day_is_beijings():
    """17:00 UTC on 3 November is 01:00 on 4 November in Beijing (UTC+8, no DST)."""
    late = dt.datetime(2025, 11, 3, 17, 0, tzinfo=dt.timezone.utc)
    assert late.astimezone(BEIJING).date() == dt.date(2025, 11, 4)


def test_the_build_and_refresh_never_fetch(tmp_path):
    """Neither the build, the CLI, Refresh nor the UDFs import the fetch module or
    requests; and the build of the shipped data runs with sockets blocked."""
    from workbook.build import build

    build(DATA_DIR, tmp_path / "coverbook.xlsm")
    code = ("import sys, workbook.cli, workbook.build, macros.refresh, udfs, "
            "workbook.prices.fetch_cli; "
            "print(sorted(m for m in ('requests', 'workbook.prices.fetch') "
            "if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_without_a_date_it_asks_for_today_in_beijing(folder, written, served, monkeypatch):
    import workbook.prices.fetch_cli as fetch_cli

    monkeypatch.setattr(fetch_cli, "_today_in_beijing", lambda: REPORT_DAY)
    served.post(API_URL, json=report_answer())
    result = run("--data", str(folder))
    assert result.exit_code == 0, result.output
    assert b'"trade_date": "20240923"' in served.calls[0].request.body
    assert written[0][1][0] == Quote("300308.SZ", REPORT_DAY, 108.90, "tushare daily 2024-09-23")


def test_the_command_runs_inside_a_prices_group(folder, written, served):
    """How the lead wires it: ``prices`` group, ``fetch`` command."""
    import click

    group = click.Group("prices", commands=[fetch])
    served.post(API_URL, json=report_answer())
    result = CliRunner().invoke(group, ["fetch", "--date", "2024-09-23", "--data", str(folder)])
    assert result.exit_code == 0, result.output
    assert len(written[0][1]) == 15
    help_text = CliRunner().invoke(group, ["fetch", "--help"]).output
    assert "--date YYYY-MM-DD" in help_text and "TUSHARE_TOKEN" in help_text


def test_a_coverage_without_closes_is_what_fetch_fills(folder, served):
    """close and close_date may be blank when prices.csv is to hold them: fetch reads
    the codes of such a table (the build would refuse it until then)."""
    import csv

    path = folder / "coverage.csv"
    rows = list(csv.reader(path.open(encoding="utf-8")))
    for row in rows[1:]:
        row[2:4] = ["", ""]
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f).writerows(rows)
    served.post(API_URL, json=report_answer(["300308.SZ"]))
    result = run("--date", "2024-09-23", "--data", str(folder))
    assert result.exit_code == 0, result.output
    assert (folder / "prices.csv").read_text(encoding="utf-8").splitlines()[1] == \
        "300308.SZ,2024-09-23,108.9,CNY,tushare daily 2024-09-23"
    assert result.output.count("data: ") == 1
