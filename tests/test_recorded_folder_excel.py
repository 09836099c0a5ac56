"""In Excel, a workbook uses the data folder it records, whatever COVERBOOK_DATA says:
Refresh, Check data and Status (through xlwings' remote engine, as
``tests/test_refresh.py``), the UDFs (given the calling cell as ``caller``) and
``coverbook doctor WORKBOOK``.

Own data: a copy of the shipped folder where 300308.SZ closes at 120.00 (shipped:
108.90) and ``rating_scales.toml`` has one more scale, ``myhouse``: 看好 from 15 %,
观望 below. COVERBOOK_DATA names the shipped example, where neither exists. The
remote engine gives a book's name as its full name: the tests name the book by its
full path, as Excel's ``FullName`` would.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import macros.check as macros_check
import macros.refresh as refresh
import macros.status as macros_status
import udfs._reference as reference
from helpers.data_files import edit
from helpers.remote_book import actions, open_book, recorded_cell
from udfs import RATING, TOKEN_PRICE
from workbook import DATA_DIR
from workbook.build import build
from workbook.doctor import check_data

MY_SCALE = """
[myhouse]
kind = "stock"
broker = "我的研究"
broker_en = "My research"
title = "股票投资评级"
title_en = "Stock rating"
benchmark = "沪深300"
benchmark_en = "CSI 300"
horizon_months = 12
measure = "预期股价相对收益"
source = "the analyst's own scale (test)"
labels_en = "conventional"

[[myhouse.bands]]
label = "看好"
label_en = "Buy"
wording = "15%以上"
lower = 0.15
lower_inclusive = true
upper = inf
upper_inclusive = false

[[myhouse.bands]]
label = "观望"
label_en = "Neutral"
wording = "15%以下"
lower = -inf
lower_inclusive = false
upper = 0.15
upper_inclusive = false
"""


@pytest.fixture
def own(tmp_path, monkeypatch):
    """``(workbook, data folder)``: the own data built into ``own/book/my.xlsm``, with
    COVERBOOK_DATA naming the shipped example; the UDFs' caches reset around."""
    data = tmp_path / "own" / "data"
    shutil.copytree(DATA_DIR, data)
    edit(data, "coverage.csv", "108.90,", "120.00,")
    with (data / "rating_scales.toml").open("a", encoding="utf-8") as f:
        f.write(MY_SCALE)
    book = build(data, tmp_path / "own" / "book" / "my.xlsm").path
    monkeypatch.setenv("COVERBOOK_DATA", str(DATA_DIR))
    reference.set_dataset(None)
    yield book, data
    reference.set_dataset(None)


class Caller:
    """What a UDF reads from xlwings' calling cell: ``caller.sheet.book.fullname``."""

    def __init__(self, fullname: str):
        self.sheet = type("Sheet", (), {"book": type("Book", (), {"fullname": fullname})})()


def test_refresh_keeps_the_recorded_folders_stocks(remote, own):  # noqa: F811
    book_path, data = own
    book = open_book(book_path, name=book_path)
    message = refresh.main(book)
    # Built from the own folder and refreshed from it: nothing changes. From
    # COVERBOOK_DATA it would report 300308.SZ's close 120.00 -> 108.90.
    assert message == "Refreshed: no values changed.", message
    writes = [a for a in actions(book) if a["func"] == "setFormula"]
    row = next(r for a in writes for r in a["values"] if r and r[0] == "'300308.SZ")
    assert 120.0 in row and 108.9 not in row
    # The xlwings.conf sheet is written back with the recorded folder as it was.
    assert recorded_cell(book_path) == "../data"
    # (the live writer marks text with Excel's leading apostrophe: stored as text)
    assert any(["'COVERBOOK_DATA", "'../data"] in a["values"] for a in writes)


def test_refresh_with_the_recorded_folder_gone_changes_nothing(remote, own):  # noqa: F811
    book_path, data = own
    shutil.rmtree(data)
    book = open_book(book_path, name=book_path)
    message = refresh.main(book)
    assert [a["func"] for a in actions(book)] == ["alert"]
    assert str(data) in message and "--data" in message and "not changed" in message


def test_check_data_and_status_name_the_recorded_folder(remote, own):  # noqa: F811
    book_path, data = own
    book = open_book(book_path, name=book_path)
    message = macros_check.main(book)
    assert message.startswith(f"{data} (recorded in {book_path}) is valid: 15 stocks")
    status = macros_status.main("0.37.8", open_book(book_path, name=book_path))
    assert f"data folder: {data} (recorded in {book_path})" in status


def test_a_udf_rates_on_a_scale_only_the_workbooks_folder_has(own):
    book_path, _ = own
    caller = Caller(str(book_path))
    assert RATING(0.2, "myhouse", caller=caller) == "看好"
    assert RATING(0.1, "myhouse", caller=caller) == "观望"
    assert RATING(0.16, caller=caller) == "增持"  # Tianfeng: 10-20 %
    # Called directly (no workbook), the UDF uses COVERBOOK_DATA: no such scale.
    assert RATING(0.2, "myhouse").startswith("#N/A unknown scale")
    # Scalars too: o1-mini's input price per 1M tokens in the report's table, USD 3.
    assert TOKEN_PRICE("o1-mini", "input", caller=caller) == 3.0


def test_a_udf_from_a_workbook_whose_folder_is_gone_returns_an_error(own):
    book_path, data = own
    shutil.rmtree(data)
    result = RATING(0.2, caller=Caller(str(book_path)))
    assert result.startswith("#N/A data: ") and str(data) in result


def test_unsaved_and_unmappable_workbooks_use_the_next_rule(own):
    # A workbook never saved has no folder; a web address xlwings cannot map to a
    # synced file gives none either: both fall through to COVERBOOK_DATA.
    for fullname in ("Book1", "https://example.com/files/my.xlsm"):
        assert RATING(0.2, "myhouse", caller=Caller(fullname)) \
            .startswith("#N/A unknown scale")


def test_doctor_says_which_folder_a_workbooks_udfs_use(own, tmp_path):
    book_path, data = own
    conf = tmp_path / "none.conf"
    finding = check_data(None, conf, str(book_path))
    assert finding.status == "PASS"
    assert finding.detail == (f"UDFs and Refresh in {book_path} use {data} (recorded in "
                              f"{book_path}): 15 stocks, 13 models")
    url = check_data(None, conf, "https://example.com/files/my.xlsm")
    assert url.status == "PASS" and "cannot map to a local file" in url.detail
    assert f"use {DATA_DIR} (COVERBOOK_DATA environment variable)" in url.detail
    shutil.rmtree(data)
    gone = check_data(None, conf, str(book_path))
    assert gone.status == "FAIL" and str(data) in gone.detail and "--data" in gone.fix


def test_direct_calls_keep_working_without_a_caller(data_copy, monkeypatch):
    reference.set_dataset(None)
    assert RATING(0.2) == "买入" and RATING(0.2, "tianfeng", True) == "Buy"
    # Without a calling workbook the rule goes on to COVERBOOK_DATA.
    monkeypatch.setenv("COVERBOOK_DATA", str(data_copy))
    assert Path(reference.locate().path) == data_copy


def test_a_rebuild_recording_another_folder_is_seen_at_the_next_call(own):
    book_path, _ = own
    caller = Caller(str(book_path))
    assert RATING(0.2, "myhouse", caller=caller) == "看好"
    build(DATA_DIR, book_path)  # the same workbook, now from the shipped example
    assert RATING(0.2, "myhouse", caller=caller).startswith("#N/A unknown scale")
