"""Excel draws at most 255 series in one chart (Microsoft, "Excel specifications and
limits"; XlsxWriter warns and drops the rest): a sheet whose chart would have more
chooses a form that fits, and no series is lost. Read back from the chart parts of the
written file (their ``<c:ser>`` and the ranges they point at)."""

from __future__ import annotations

import re
import warnings
import zipfile
import xml.etree.ElementTree as ET

import pytest

from helpers.data_files import rewrite_csv
from workbook.build import build
from workbook.model import MAX_CHART_SERIES, Chart

NS = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}


def charts(path):
    """``[(chart title, [series value ranges])]`` of every chart part of *path*."""
    out = []
    with zipfile.ZipFile(path) as z:
        for name in sorted(n for n in z.namelist()
                           if re.fullmatch(r"xl/charts/chart\d+\.xml", n)):
            root = ET.fromstring(z.read(name))
            title = "".join(t.text or "" for t in root.findall("c:chart/c:title//{*}t", NS))
            refs = [s.find("c:val/c:numRef/c:f", NS) if s.find("c:val", NS) is not None
                    else s.find("c:yVal/c:numRef/c:f", NS)
                    for s in root.iter(f"{{{NS['c']}}}ser")]
            out.append((title, [r.text for r in refs]))
    return out


def quiet_build(data, out):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # XlsxWriter's "maximum number of series" warning
        return build(data, out)


def test_the_chart_model_refuses_more_series_than_excel_draws():
    assert MAX_CHART_SERIES == 255
    Chart("coverbook ok", "column", "t", (0, 1, 5, 255), 0, (0, 0))  # 255 series
    with pytest.raises(ValueError, match="256 series, more than the 255"):
        Chart("coverbook x", "column", "t", (0, 1, 5, 256), 0, (0, 0))


def test_more_fiscal_years_than_series_get_the_mean_and_median_chart(data_copy, tmp_path):
    # 15 stocks (the per-stock form's range) but 300 fiscal years: a series per year
    # would be 300; the mean and median chart has 2 series over the 300 years.
    years = [f"EPS {1800 + k}{'A' if k < 299 else 'E'}" for k in range(300)]
    rewrite_csv(data_copy / "coverage.csv", lambda rows: [rows[0][:5] + years] + [
        r[:5] + [f"{1 + k / 100:.2f}" for k in range(300)] for r in rows[1:]])
    (data_copy / "report_pe.csv").unlink()
    out = quiet_build(data_copy, tmp_path / "c.xlsm").path
    pe = [c for c in charts(out) if c[0].startswith("市盈率")]
    assert len(pe) == 1
    title, refs = pe[0]
    assert title == "市盈率 P/E by fiscal year: mean and median of 15 stocks"
    # P/E columns: F + 300 EPS columns = column 306 (KT) to 605 (WG); rows 19-20.
    assert [r.replace("'", "") for r in refs] == ["重点标的!$KT$19:$WG$19",
                                                  "重点标的!$KT$20:$WG$20"]


def test_more_models_than_series_get_one_step_chart_per_255(data_copy, tmp_path):
    # 13 shipped models + 287 = 300 models: two step charts, 255 + 45 series, every
    # model's column drawn once.
    def more_models(rows):
        return rows + [[f"m{i}", f"M {i}", "2024-09-24", "1.00", "", f"{2 + i}.00", "USD",
                        "no", "1000", "2023-10", "test"] for i in range(287)]
    rewrite_csv(data_copy / "token_prices.csv", more_models)
    out = quiet_build(data_copy, tmp_path / "c.xlsm").path
    steps = [c for c in charts(out) if c[0].startswith("输出价格")]
    assert [(t, len(r)) for t, r in steps] == [
        ("输出价格 Output price per 1M tokens (USD), in force over time, models 1–255 of "
         "300", 255),
        ("输出价格 Output price per 1M tokens (USD), in force over time, models 256–300 of "
         "300", 45)]
    cols = [re.search(r"!\$([A-Z]+)\$", r).group(1) for _, refs in steps for r in refs]
    assert len(set(cols)) == 300 and cols[0] == "B" and cols[-1] == "KO"  # column 301
