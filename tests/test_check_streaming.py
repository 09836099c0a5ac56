"""``--check`` compares as it streams: the first differing cell it names is the one
found by reading both workbooks whole with openpyxl (what it used to do, kept here as
the reference), for edits anywhere, with chunks small enough that rows straddle them,
and it writes nothing."""

from __future__ import annotations

import io
import re
import zipfile

import openpyxl
import pytest
from openpyxl.worksheet.formula import ArrayFormula

from conftest import cli_build
from helpers.data_files import edit
from workbook import DATA_DIR
from workbook import staleness
from workbook.build import build
from workbook.sample import write_sample


def _comparable(value):
    if isinstance(value, ArrayFormula):
        return ("array", str(value.text), str(value.ref))
    return value


def _all_cells(path, data_only):
    wb = openpyxl.load_workbook(path, data_only=data_only, read_only=True)
    try:
        return {ws.title: {(c.row, c.column): _comparable(c.value) for row in ws.iter_rows()
                           for c in row if c.value is not None and hasattr(c, "column")}
                for ws in wb.worksheets}
    finally:
        wb.close()


def reference(on_disk, fresh):
    """(sheet, cell, kind) of the first difference, reading both files whole: every
    sheet's values and formulas first, then the cached values."""
    for data_only, kind in ((False, "value or formula"), (True, "cached value")):
        old, new = _all_cells(on_disk, data_only), _all_cells(fresh, data_only)
        assert list(old) == list(new)
        for sheet in new:
            for key in sorted(set(old[sheet]) | set(new[sheet])):
                if old[sheet].get(key) != new[sheet].get(key):
                    ref = openpyxl.utils.get_column_letter(key[1]) + str(key[0])
                    return sheet, ref, kind
    return None


def named(message):
    m = re.match(r"sheet '(.+)' cell ([A-Z]+[0-9]+): (value or formula|cached value) on disk",
                 message)
    assert m, message
    return m.groups()


def replace_in_part(path, part, old, new, out):
    """A copy of the workbook *path* at *out* with *old* replaced by *new* once in the
    zip part *part* (a file no build writes: a cached value edited by hand)."""
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == part:
                assert data.count(old) >= 1, (part, old)
                data = data.replace(old, new, 1)
            dst.writestr(info, data)
    return out


def _stock_line(folder, index):
    return (folder / "coverage.csv").read_text(encoding="utf-8").splitlines()[1:][index]


def rename(index, name):
    def change(folder):
        line = _stock_line(folder, index)
        cells = line.split(",")
        cells[1] = name
        edit(folder, "coverage.csv", line, ",".join(cells))
    return change


def close_price(index, delta):
    def change(folder):
        line = _stock_line(folder, index)
        cells = line.split(",")
        cells[2] = f"{float(cells[2]) + delta:.2f}"
        edit(folder, "coverage.csv", line, ",".join(cells))
    return change


def eps(index, year, value):
    def change(folder):
        line = _stock_line(folder, index)
        cells = line.split(",")
        cells[5 + year] = value
        edit(folder, "coverage.csv", line, ",".join(cells))
    return change


def drop_stock(index):
    def change(folder):
        line = _stock_line(folder, index)
        edit(folder, "coverage.csv", line + "\n", "")
    return change


def token_price(folder):
    edit(folder, "token_prices.csv", "gpt-4o,GPT-4o,2024-05-13,5.00,",
         "gpt-4o,GPT-4o,2024-05-13,5.50,")


EDITS = {
    "close of the first stock": close_price(0, 1),
    "close of the last stock": close_price(-1, 1),
    "EPS blanked in the middle": eps(7, 2, ""),
    "EPS made a loss": eps(11, 0, "-0.50"),
    # Other text in one cell (a file written with shared strings, as builds before
    # inline text were, keeps the row's XML and changes only the string table).
    "name of a stock in the middle": rename(9, "改名科技"),
    "name of the last stock": rename(-1, "改名数据"),
    "stock removed": drop_stock(4),
    "token price (another sheet)": token_price,
}


@pytest.fixture(params=[1 << 20, 97, 4096], ids=["1MiB", "97B", "4KiB"])
def chunk(request, monkeypatch):
    monkeypatch.setattr(staleness.locate, "CHUNK", request.param)  # where it is read
    return request.param


@pytest.fixture(scope="module")
def on_disk(tmp_path_factory):
    """Builds of the shipped data in both layouts (the files an edit makes stale)."""
    folder = tmp_path_factory.mktemp("disk")
    return {t: build(DATA_DIR, folder / f"book-{t}.xlsm", array_threshold=t).path
            for t in (200, 0)}


@pytest.mark.parametrize("threshold", [200, 0], ids=["scalar", "array"])
@pytest.mark.parametrize("what", list(EDITS))
def test_streamed_difference_is_the_whole_read_difference(what, threshold, chunk, on_disk,
                                                          data_copy, tmp_path):
    EDITS[what](data_copy)
    fresh = build(data_copy, tmp_path / "fresh.xlsm", array_threshold=threshold).path
    disk = on_disk[threshold]
    expected = reference(disk, fresh)
    assert expected is not None
    assert named(staleness.first_difference(disk, fresh)) == expected


def test_a_cached_value_changed_by_hand_is_named_as_such(chunk, on_disk, tmp_path):
    # 300308.SZ's P/E 2023A (J4) cached as 56.13 instead of 108.90/1.94: the formula is
    # the same, so only the cached-value pass finds it; the later sheets come first.
    fresh = on_disk[200]
    with zipfile.ZipFile(fresh) as z:
        xml = z.read("xl/worksheets/sheet1.xml")
    cell = re.search(rb'<c r="J4"[^>]*><f>PE\(C4,F4\)</f><v>([^<]+)</v>', xml)
    assert cell is not None
    disk = replace_in_part(fresh, "xl/worksheets/sheet1.xml", cell.group(0),
                           cell.group(0).replace(cell.group(1), b"56.13"), tmp_path / "d.xlsm")
    message = staleness.first_difference(disk, fresh)
    assert message == (f"sheet '重点标的' cell J4: cached value on disk 56.13, from the data "
                       f"{108.90 / 1.94!r}")
    assert named(message) == reference(disk, fresh)


def test_a_formula_in_a_later_sheet_comes_before_a_cached_value(on_disk, tmp_path):
    fresh = on_disk[200]
    with zipfile.ZipFile(fresh) as z:
        xml1 = z.read("xl/worksheets/sheet1.xml")
        xml2 = z.read("xl/worksheets/sheet2.xml")
    j4 = re.search(rb'<c r="J4"[^>]*><f>PE\(C4,F4\)</f><v>([^<]+)</v>', xml1).group(0)
    formula = re.search(rb"<f>RATING\(([^<]*)\)</f>", xml2).group(0)
    step = replace_in_part(fresh, "xl/worksheets/sheet1.xml", j4,
                           re.sub(rb"<v>[^<]+</v>", b"<v>1</v>", j4), tmp_path / "s.xlsm")
    disk = replace_in_part(step, "xl/worksheets/sheet2.xml", formula,
                           formula.replace(b"RATING(", b"RATING(0+", 1), tmp_path / "d.xlsm")
    expected = reference(disk, fresh)
    assert expected[0] == "评级说明" and expected[2] == "value or formula"
    assert named(staleness.first_difference(disk, fresh)) == expected


def test_large_array_layout_in_small_chunks(chunk, tmp_path):
    # 300 stocks: the sheet spans many chunks at 97 B and 4 KiB; change stock 250's EPS
    # and name (shared string) and the last one's close.
    data = write_sample(tmp_path / "data", 300, 4, seed=1)
    disk = build(data, tmp_path / "disk.xlsm").path
    for change in (eps(250, 3, "9.99"), rename(250, "改名光电"), close_price(-1, 2)):
        change(data)
        fresh = build(data, tmp_path / "fresh.xlsm").path
        assert named(staleness.first_difference(disk, fresh)) == reference(disk, fresh)


def test_cells_agree_but_a_part_differs(on_disk, tmp_path):
    fresh = on_disk[200]
    disk = replace_in_part(fresh, "docProps/app.xml", b"<Application>",
                           b"<Application> ", tmp_path / "d.xlsm")
    assert staleness.first_difference(disk, fresh) == (
        "cells agree, but package part docProps/app.xml differs")


def test_check_writes_nothing_and_leaves_no_temporary_file(data_copy, tmp_path):
    out = tmp_path / "out" / "book.xlsm"
    assert cli_build(data_copy, out).exit_code == 0
    before = out.read_bytes()
    close_price(3, 1)(data_copy)
    result = cli_build(data_copy, out, "--check")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (f"{out} is stale: sheet '重点标的' cell C7: value or "
                                            "formula on disk 86.73, from the data 87.73")
    assert out.read_bytes() == before
    assert sorted(p.name for p in out.parent.iterdir()) == ["book.xlsm"]


def test_a_truncated_or_longer_file_is_stale(tmp_path):
    out = tmp_path / "book.xlsm"
    assert cli_build(DATA_DIR, out).exit_code == 0
    good = out.read_bytes()
    out.write_bytes(good + b"\0")
    result = cli_build(DATA_DIR, out, "--check")
    assert result.exit_code == 1 and "is stale" in result.stderr
    out.write_bytes(good[:-1])
    result = cli_build(DATA_DIR, out, "--check")
    assert result.exit_code == 1 and "is stale: cannot be read: " in result.stderr


SST = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
       '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="7" '
       'uniqueCount="7">'
       "<si><t>中际旭创</t></si>"
       '<si><t xml:space="preserve"> two  spaces </t></si>'
       "<si><t/></si>"
       "<si><r><rPr><b/></rPr><t>bold</t></r><r><t> and plain</t></r></si>"
       "<si><t>東京</t><rPh sb=\"0\" eb=\"2\"><t>トウキョウ</t></rPh></si>"
       "<si><t>a_x005F_x000D_b &amp; &lt;c&gt;</t></si>"
       "<si><t>last</t></si></sst>")


@pytest.mark.parametrize("extra", ["", "<!-- a comment -->"], ids=["split", "whole"])
def test_shared_strings_read_as_openpyxl_reads_them(extra):
    from openpyxl.reader.strings import read_string_table

    xml = SST.replace("<si><t>last</t></si>", extra + "<si><t>last</t></si>").encode()
    ours = staleness._SharedStrings(xml)
    expected = read_string_table(io.BytesIO(xml))
    assert (ours.raw is None) == bool(extra)  # a comment: read whole, by openpyxl
    assert len(ours) == len(expected) == 7
    assert [ours[i] for i in range(len(ours))] == expected
    with pytest.raises(IndexError):
        ours[7]


def test_changed_strings_are_found_by_their_bytes():
    old = staleness._SharedStrings(SST.encode())
    new = staleness._SharedStrings(SST.replace("中际旭创", "改名").replace(
        "<si><t>last</t></si></sst>", "<si><t>last</t></si><si><t>more</t></si></sst>").encode())
    assert old.changed(new) == new.changed(old) == {"0", "7"}
    assert old.changed(old) == set()
