"""LibreOffice headless opens the built workbook and exports it (CI installs it)."""

from __future__ import annotations

import csv
import shutil
import subprocess
import sys

import pytest

from workbook import DATA_DIR

pytestmark = pytest.mark.skipif(shutil.which("soffice") is None,
                                reason="LibreOffice (soffice) is not installed")


def test_csv_of_the_key_stocks_shows_the_reports_pe(built, layout, tmp_path):
    """The per-cell .xlsm as it is; the array layout through its published copy:
    LibreOffice recalculates every array formula on load whatever its settings, and it
    has no PE function, so the .xlsm of the array layout shows #VALUE! there (docs/recipients.md)."""
    from workbook.export import export_csv
    from workbook.publish import publish

    sheets = {"重点标的", "评级说明", "Token价格", "Token场景", "核对"}
    if layout == "array":
        path = publish(DATA_DIR, tmp_path / "values.xlsx", array_threshold=0).path
    else:
        path, sheets = built.path, sheets | {"xlwings.conf"}
    files = export_csv(path, tmp_path / "csv")
    assert set(files) == sheets
    with open(files["重点标的"], encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header = rows[2]
    with open(DATA_DIR / "report_pe.csv", encoding="utf-8") as f:
        printed = {r["code"]: r for r in csv.DictReader(f)}
    compared = 0
    for row in rows[3:18]:
        for col, title in enumerate(header):
            if title.startswith("P/E "):
                # "as shown": LibreOffice applies the 0.00 format to the cached value.
                assert row[col] == printed[row[0]][title], (row[0], title)
                compared += 1
    assert compared == 60
    assert rows[8][0] == "000063.SZ" and rows[8][1] == "中兴通讯"


def test_export_pdf_command(tmp_path):
    out = tmp_path / "key-stocks.pdf"
    proc = subprocess.run([sys.executable, "-m", "workbook", "export", "--pdf", str(out)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert out.read_bytes().startswith(b"%PDF-")
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(out), "-"], capture_output=True,
                              text=True).stdout
        assert "56.13" in text and "377.09" in text and "300308.SZ" in text
        # Printed from the values-only copy: its banner, and only the key-stocks sheet.
        assert "Values only" in text and "coverbook build" in text
        assert "核对" not in text and "#NAME?" not in text
