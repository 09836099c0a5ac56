"""Reproducible builds, the staleness gate and provenance (what CI relies on)."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys

import openpyxl
import pytest

from helpers.build_cli import cli_build
from workbook import DATA_DIR, DEFAULT_OUTPUT, PACKAGE_DIR
from workbook.build import build
from workbook.provenance import data_hash


def run(*args):
    return subprocess.run([sys.executable, "-m", "workbook", *args], capture_output=True,
                          text=True)


def test_two_builds_are_byte_identical(tmp_path):
    a = build(DATA_DIR, tmp_path / "a" / "coverbook.xlsm").path
    b = build(DATA_DIR, tmp_path / "b" / "coverbook.xlsm").path
    assert a.read_bytes() == b.read_bytes()


def test_document_dates_come_from_the_data_not_the_clock(built):
    props = openpyxl.load_workbook(built.path, read_only=True).properties
    # The latest date in the shipped data is the token prices' as-of, 2024-09-24.
    assert props.created == dt.datetime(2024, 9, 24)
    assert props.modified == dt.datetime(2024, 9, 24)


def test_source_date_epoch_overrides_the_date(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # 2023-11-14 22:13:20 UTC
    path = build(DATA_DIR, tmp_path / "c.xlsm").path
    props = openpyxl.load_workbook(path, read_only=True).properties
    assert props.created == dt.datetime(2023, 11, 14, 22, 13, 20)


def test_committed_workbook_is_current():
    proc = run("build", "--check")
    assert proc.returncode == 0, proc.stderr
    assert "is current" in proc.stdout
    assert DEFAULT_OUTPUT.exists()


def test_check_names_the_first_differing_cell_after_a_data_edit(tmp_path, data_copy):
    out = tmp_path / "book.xlsm"
    assert run("build", "--data", str(data_copy), "--output", str(out)).returncode == 0
    before = out.read_bytes()
    coverage = data_copy / "coverage.csv"
    coverage.write_text(coverage.read_text(encoding="utf-8").replace(
        "000063.SZ,中兴通讯,24.90", "000063.SZ,中兴通讯,25.90"), encoding="utf-8")
    proc = run("build", "--check", "--data", str(data_copy), "--output", str(out))
    assert proc.returncode == 1
    # 000063.SZ is the 6th stock: row 9 of 重点标的 (title, note, header first).
    assert "is stale: sheet '重点标的' cell C9" in proc.stderr
    assert "24.9" in proc.stderr and "25.9" in proc.stderr
    assert out.read_bytes() == before  # --check writes nothing


def test_provenance_is_visible_and_in_the_properties(built, calamine_sheets):
    banner = calamine_sheets["核对"][1][0]
    digest = data_hash(DATA_DIR)
    assert "2024-09-24" in banner and f"data {digest}" in banner
    assert "Tianfeng Securities" in banner
    wb = openpyxl.load_workbook(built.path, read_only=True)
    custom = {p.name: p.value for p in wb.custom_doc_props.props}
    assert custom["data hash"] == digest
    assert custom["data as of"] == "2024-09-24"
    assert digest in wb.properties.keywords


def test_data_hash_follows_the_data(data_copy):
    before = data_hash(data_copy)
    (data_copy / "notes.txt").write_text("not a data file", encoding="utf-8")
    assert data_hash(data_copy) == before
    (data_copy / "claims.csv").write_text(
        (data_copy / "claims.csv").read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert data_hash(data_copy) != before


def test_excel_opens_with_the_cached_values(built):
    # No fullCalcOnLoad and a current calcId: Excel shows the stored values on open
    # instead of recalculating every UDF (which a recipient without Python cannot).
    import zipfile
    from xml.etree import ElementTree

    with zipfile.ZipFile(built.path) as z:
        root = ElementTree.fromstring(z.read("xl/workbook.xml"))
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    calc = root.find(f"{ns}calcPr")
    assert calc is not None
    assert calc.get("fullCalcOnLoad") is None
    assert int(calc.get("calcId")) >= 191029


def test_the_vba_project_files_mode_does_not_change_the_bytes(tmp_path, monkeypatch):
    # A clone under umask 002 checks the bin out as 664, under 022 as 644.
    import workbook.build as build_module

    outs = []
    for mode in (0o644, 0o664):
        bin_copy = tmp_path / f"{mode:o}" / "vbaProject.bin"
        bin_copy.parent.mkdir()
        shutil.copyfile(PACKAGE_DIR / "vba" / "vbaProject.bin", bin_copy)
        os.chmod(bin_copy, mode)
        monkeypatch.setattr(build_module, "VBA_PROJECT", bin_copy)
        outs.append(build(data_dir=PACKAGE_DIR / "data",
                          output=tmp_path / f"{mode:o}" / "coverbook.xlsm").path.read_bytes())
    assert outs[0] == outs[1]


@pytest.mark.parametrize("epoch", ["abc", "-99999999999", "99999999999999", "0"])
def test_a_bad_source_date_epoch_is_a_message(epoch, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", epoch)
    result = cli_build(PACKAGE_DIR / "data", tmp_path / "b.xlsm")
    assert result.exit_code == 2 and "SOURCE_DATE_EPOCH" in result.stderr
    assert not (tmp_path / "b.xlsm").exists()
