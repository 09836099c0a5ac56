"""The Update prices button's Python side against xlwings' remote engine (as
tests/test_refresh.py): the drop folder's exports go into prices.csv, then Refresh
writes the new closes; refusals and a missing drop folder change nothing and are
shown in one dialog, never a traceback."""

from __future__ import annotations

import macros.update_prices as update_prices
from helpers.prices_exports import WIND_FORWARD, WIND_SPACES, wind_rows, xlsx
from helpers.remote_book import actions, open_book

HEADER = "code,date,close,currency,source"


def with_drop_folder(data):
    settings = data / "settings.toml"
    settings.write_text(settings.read_text(encoding="utf-8")
                        + '\nprice_exports = "../exports"\n', encoding="utf-8")
    drop = data.parent / "exports"
    drop.mkdir()
    return drop


def alerts(book):
    return [(a["args"][0], a["args"][3]) for a in actions(book) if a["func"] == "alert"]


def test_update_prices_imports_the_drop_folder_then_refreshes(remote, built, data_copy,
                                                              monkeypatch):
    monkeypatch.setenv("COVERBOOK_DATA", str(data_copy))
    drop = with_drop_folder(data_copy)
    xlsx(drop / "EDE20240924.xlsx", wind_rows(WIND_SPACES, [["300308.SZ", "中际旭创", 120.0]]))
    (drop / "~$EDE20240924.xlsx").write_bytes(b"Excel's lock file")
    book = open_book(built.path)
    message = update_prices.main(book)
    assert (data_copy / "prices.csv").read_text(encoding="utf-8").splitlines() == [
        HEADER, "300308.SZ,2024-09-24,120,CNY,Wind EDE20240924.xlsx"]
    assert message.startswith("EDE20240924.xlsx (Wind cross-section): 1 closes; 1 added")
    # Refresh ran: 300308.SZ's P/E 2025E is now 120 / 8.96 (EPS 2025E in coverage.csv).
    assert f"300308.SZ P/E 2025E {108.90 / 8.96:.2f} \u2192 {120 / 8.96:.2f}" in message
    assert alerts(book) == [(message, "info")]


def test_a_refused_export_changes_nothing(remote, built, data_copy, monkeypatch):
    monkeypatch.setenv("COVERBOOK_DATA", str(data_copy))
    drop = with_drop_folder(data_copy)
    xlsx(drop / "a.xlsx", wind_rows(WIND_SPACES, [["300308.SZ", "x", 120.0]]))
    xlsx(drop / "b.xlsx", wind_rows(WIND_FORWARD, [["300502.SZ", "y", 99.0]]))
    book = open_book(built.path)
    message = update_prices.main(book)
    assert not (data_copy / "prices.csv").exists()
    assert "b.xlsx" in message and "前复权" in message and "Traceback" not in message
    assert [a["func"] for a in actions(book)] == ["alert"]
    assert alerts(book) == [(message, "critical")]


def test_without_a_drop_folder_it_says_what_to_set(remote, built, data_copy, monkeypatch):
    monkeypatch.setenv("COVERBOOK_DATA", str(data_copy))
    book = open_book(built.path)
    message = update_prices.main(book)
    assert 'price_exports = "exports"' in message
    assert [a["func"] for a in actions(book)] == ["alert"]


def test_an_unexpected_failure_is_one_line(remote, built, data_copy, monkeypatch):
    monkeypatch.setenv("COVERBOOK_DATA", str(data_copy))
    drop = with_drop_folder(data_copy)
    xlsx(drop / "a.xlsx", wind_rows(WIND_SPACES, [["300308.SZ", "x", 120.0]]))

    def broken(*args, **kwargs):
        raise OSError("disk gone")

    monkeypatch.setattr("workbook.prices.importer.import_exports", broken)
    book = open_book(built.path)
    message = update_prices.main(book)
    assert message.startswith("Update prices failed: disk gone (OSError)")
    assert alerts(book) == [(message, "critical")]
