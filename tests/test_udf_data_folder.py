"""UDFs over an invalid data folder never raise: every UDF that needs data returns the
error value naming the folder's first problem, in Python and through xlwings' COM
path (where a raised exception would put a Python traceback into the cell). The
folder is loaded once and read again only when a data file changes; a failure is
cached the same way."""

from __future__ import annotations

import os

import pytest

import udfs._reference as reference
from helpers.data_files import band_key_line, edit
from udfs import (COST_RATIO, IMPLIED_RATING, INDUSTRY_RATING, PE, PEG, RATING, TOKEN_COST,
                  TOKEN_PRICE, UPSIDE)
from workbook.vba.xlwings_meta import MISSING, call_like_excel, decorated_udfs, register_com_engine


@pytest.fixture
def folder(data_copy, monkeypatch):
    """``COVERBOOK_DATA`` naming a copy of the shipped data; the UDFs' dataset is
    reset before and after."""
    monkeypatch.setenv("COVERBOOK_DATA", str(data_copy))
    reference.set_dataset(None)
    yield data_copy
    reference.set_dataset(None)


@pytest.fixture
def gap(folder, own_scales):
    """The copy with a gap between 持有 and 增持 (0.10 to 0.12): the data folder's only
    problem, and its expected UDF result."""
    edit(folder, "rating_scales.toml", "lower = 0.10\n", "lower = 0.12\n")
    row = band_key_line(folder, "tianfeng", "持有", "upper")
    return (f"#N/A data: rating_scales.toml:{row}:upper: [tianfeng] bands '增持'/'持有': gap "
            "between 0.1 and 0.12; a value there has no rating; 持有's upper must equal "
            "增持's lower")


@pytest.fixture
def loads(monkeypatch):
    """Counts the reads of the data folder."""
    calls = []
    real = reference.load_dataset

    def counting(folder):
        calls.append(folder)
        return real(folder)

    monkeypatch.setattr(reference, "load_dataset", counting)
    return calls


def test_every_data_udf_returns_the_first_problem(gap):
    assert gap.endswith("增持's lower") and ":74:upper:" in gap  # docs/udfs.md's example line
    assert RATING(0.2) == gap
    assert RATING(0.2, "industry", True) == gap
    assert INDUSTRY_RATING(0.05) == gap
    assert RATING([[0.2], [0.05]]) == [[gap], [gap]]
    assert TOKEN_PRICE("gpt-4o", "input") == gap
    assert TOKEN_COST("gpt-4o", 1000, 500) == gap
    assert COST_RATIO("o1-preview", "gpt-4o", "input") == gap
    assert IMPLIED_RATING(120, 100) == gap
    assert IMPLIED_RATING([[120], [None]], [[100], [100]]) == [[gap], [gap]]
    assert INDUSTRY_RATING(0.05, False, "csc") == gap
    # an Excel error in an argument still passes through first; PE needs no data
    assert RATING("#N/A") == "#N/A"
    assert PE(108.90, 5.33) == pytest.approx(108.90 / 5.33)
    assert UPSIDE(120, 100) == pytest.approx(0.2) and PEG(20, 0.25) == pytest.approx(0.8)


def test_through_xlwings_com_path_the_cell_gets_the_error_value(gap):
    register_com_engine()
    with decorated_udfs() as udfs:
        assert call_like_excel(udfs.RATING, 0.2, MISSING, MISSING) == [[gap]]
        assert call_like_excel(udfs.INDUSTRY_RATING, 0.05, MISSING) == [[gap]]
        assert call_like_excel(udfs.TOKEN_PRICE, "gpt-4o", "input") == [[gap]]
        assert call_like_excel(udfs.TOKEN_COST, "gpt-4o", 1.0, 1.0, MISSING) == [[gap]]
        assert call_like_excel(udfs.COST_RATIO, "o1-mini", "gpt-4o", "input") == [[gap]]


def test_several_problems_give_the_first_and_the_count(folder):
    edit(folder, "coverage.csv", "000063.SZ,", "63,")
    edit(folder, "token_prices.csv", "5.00,,15.00,USD", "5.00,,,USD")
    assert TOKEN_PRICE("gpt-4o", "input") == (
        "#N/A data: coverage.csv:7:code: '63' is not a ticker like 000063.SZ (6 digits, then "
        ".SH, .SZ or .BJ); fewer than 6 digits: leading zeros were lost (Excel drops them "
        "from a number cell); type all 6 digits in a text cell (and 1 more problem(s); "
        "coverbook build lists them)")


def test_a_missing_data_folder_is_an_error_value(tmp_path, monkeypatch):
    monkeypatch.setenv("COVERBOOK_DATA", str(tmp_path / "nowhere"))
    reference.set_dataset(None)
    try:
        # One problem, the folder's (it used to be "settings.toml: file not found in
        # ..." and 3 more, one per data file), naming the folder the rule gave.
        assert RATING(0.2) == (f"#N/A data: {tmp_path / 'nowhere'}: no such data folder; "
                               "give the folder that holds settings.toml, coverage.csv "
                               "and the other data files (the shipped one is "
                               "workbook/data; `coverbook sample` makes one)")
    finally:
        reference.set_dataset(None)


def test_a_failure_is_read_once_and_again_when_a_file_changes(gap, folder, loads):
    for _ in range(20):
        assert RATING(0.15) == gap
    assert len(loads) == 1
    # the analyst fixes the file: the next call reads the folder again
    edit(folder, "rating_scales.toml", "lower = 0.12\n", "lower = 0.10\n")
    assert RATING(0.15) == "增持"
    assert RATING(0.25) == "买入"
    assert len(loads) == 2


def test_valid_data_is_read_once_and_again_when_a_file_changes(folder, loads):
    assert TOKEN_PRICE("gpt-4o", "input") == 5.0
    assert TOKEN_COST("gpt-4o", 1_000_000, 0) == 5.0
    assert len(loads) == 1
    edit(folder, "token_prices.csv", "gpt-4o,GPT-4o,2024-05-13,5.00,",
         "gpt-4o,GPT-4o,2024-05-13,12.50,")
    # one character more: the size tells the change, whatever the clock's resolution
    assert TOKEN_PRICE("gpt-4o", "input") == 12.5
    assert len(loads) == 2
    assert TOKEN_PRICE("gpt-4o", "output") == 15.0
    assert len(loads) == 2


def test_a_same_size_edit_is_seen_by_its_modification_time(folder, loads):
    assert TOKEN_PRICE("gpt-4o", "input") == 5.0
    path = folder / "token_prices.csv"
    st = path.stat()
    # an edit of the same size a second later (file times may be as coarse as 1 s)
    edit(folder, "token_prices.csv", "gpt-4o,GPT-4o,2024-05-13,5.00,",
         "gpt-4o,GPT-4o,2024-05-13,6.00,")
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert path.stat().st_size == st.st_size
    assert TOKEN_PRICE("gpt-4o", "input") == 6.0
    assert len(loads) == 2
