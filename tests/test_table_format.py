"""Charts, borders, rating colours, column widths and dropdowns: what the built file
holds, read back with openpyxl and the chart XML (not the writer), what LibreOffice's
PDF draws, and what Refresh sends to Excel (xlwings' remote engine)."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from helpers.data_files import TARGETS, with_targets
from helpers.remote_book import actions, open_book
from helpers.shown import shown
from workbook import DATA_DIR
from workbook.build import build
from workbook.model import text_width
from workbook.sample import write_sample

KEY, TOKEN = "重点标的", "Token价格"
C = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart",
     "a": "http://schemas.openxmlformats.org/drawingml/2006/main"}
needs_lo = pytest.mark.skipif(shutil.which("soffice") is None or shutil.which("pdftoppm") is None,
                              reason="LibreOffice or pdftoppm is not installed")


def charts(path) -> dict[str, ET.Element]:
    """``{chart title: chart XML}`` of every chart in the file."""
    out = {}
    with zipfile.ZipFile(path) as z:
        for name in z.namelist():
            if re.fullmatch(r"xl/charts/chart\d+\.xml", name):
                root = ET.fromstring(z.read(name))
                title = "".join(t.text or "" for t in root.find("c:chart/c:title", C).iter(
                    f"{{{C['a']}}}t"))
                out[title] = root
    return out


def series_refs(chart: ET.Element) -> list[tuple[str, str, str]]:
    """``(name, categories, values)`` references of each series, sheet name unquoted."""
    def ref(ser, path):
        return ser.find(path, C).text.replace("'", "")
    return [(ref(s, "c:tx//c:f"), ref(s, "c:cat//c:f"), ref(s, "c:val//c:f"))
            for s in chart.iter(f"{{{C['c']}}}ser")]


@pytest.fixture(scope="module")
def targets_book(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fmt") / "data"
    shutil.copytree(DATA_DIR, folder)
    with_targets(folder, TARGETS)
    return build(folder, folder.parent / "coverbook.xlsm")


# --- charts -----------------------------------------------------------------------------


def test_the_key_stocks_chart_is_every_stocks_pe_per_year(built):
    chart = charts(built.path)["市盈率 P/E by fiscal year (NM, n.a.: no bar)"]
    bar = chart.find(".//c:barChart", C)
    assert bar is not None and bar.find("c:barDir", C).get("val") == "col"
    # One series per fiscal year, named by its header, over the 15 stocks' names.
    assert series_refs(chart) == [
        (f"{KEY}!${c}$3", f"{KEY}!$B$4:$B$18", f"{KEY}!${c}$4:${c}$18") for c in "JKLM"]


def test_a_table_beyond_a_screenful_charts_the_mean_and_median(tmp_path):
    data = write_sample(tmp_path / "d", 30, 4, seed=2)
    result = build(data, tmp_path / "b.xlsx")
    chart = charts(result.path)["市盈率 P/E by fiscal year: mean and median of 30 stocks"]
    assert chart.find(".//c:lineChart", C) is not None
    ws = openpyxl.load_workbook(result.path)[KEY]
    # The P/E block, found by its headers (the sample's B shares trade in USD and HKD,
    # so the table has the currency columns and the block starts at L, not J).
    pe = [c.column_letter for c in ws[3] if str(c.value).startswith("P/E ")]
    first, last = pe[0], pe[-1]
    label = ws.cell(1, ws[f"{first}3"].column - 1).column_letter
    assert (first, last) == ("L", "O")
    # 30 stocks in rows 4-33, the mean row 34 and the median row 35 (labels left of it).
    assert series_refs(chart) == [
        (f"{KEY}!${label}$34", f"{KEY}!${first}$3:${last}$3", f"{KEY}!${first}$34:${last}$34"),
        (f"{KEY}!${label}$35", f"{KEY}!${first}$3:${last}$3", f"{KEY}!${first}$35:${last}$35")]
    assert ws[f"{label}34"].value.startswith("平均 Mean") and \
        ws[f"{label}35"].value.startswith("中位数")
    assert ws[f"{first}35"].value == \
        f'=IF(COUNT({first}4:{first}33),MEDIAN({first}4:{first}33),"n.a.")'
    # the chart starts a printed page of its own
    anchor = _anchor_row(result.path, KEY)
    assert [b.id for b in ws.row_breaks.brk] == [anchor]


def _anchor_row(path, sheet_name) -> int:
    """Zero-based row of the top-left corner of the (first) chart on *sheet_name*."""
    wb = openpyxl.load_workbook(path)
    index = wb.sheetnames.index(sheet_name) + 1
    with zipfile.ZipFile(path) as z:
        rels = z.read(f"xl/worksheets/_rels/sheet{index}.xml.rels").decode()
        drawing = re.search(r'Target="\.\./drawings/(drawing\d+\.xml)"', rels).group(1)
        xml = z.read(f"xl/drawings/{drawing}").decode()
    return int(re.search(r"<xdr:from><xdr:col>\d+</xdr:col><xdr:colOff>\d+</xdr:colOff>"
                         r"<xdr:row>(\d+)</xdr:row>", xml).group(1))


def test_the_token_price_chart_is_input_and_output_per_model(built):
    chart = charts(built.path)["输入/输出价格 Input and output price, USD per 1M tokens"]
    assert chart.find(".//c:barChart", C) is not None
    # The USD input and output columns (H, I) of the prices table, models in A5:A9.
    assert series_refs(chart) == [(f"{TOKEN}!$H$4", f"{TOKEN}!$A$5:$A$9", f"{TOKEN}!$H$5:$H$9"),
                                  (f"{TOKEN}!$I$4", f"{TOKEN}!$A$5:$A$9", f"{TOKEN}!$I$5:$I$9")]
    ws = openpyxl.load_workbook(built.path)[TOKEN]
    assert ws["H4"].value == "输入 Input USD/1M" and ws["A9"].value == "deepseek-chat"


def _ppm(path: Path) -> tuple[int, int, bytes]:
    """Width, height and RGB bytes of a binary PPM (what ``pdftoppm`` writes)."""
    data = path.read_bytes()
    parts = data.split(maxsplit=4)
    assert parts[0] == b"P6" and parts[3] == b"255"
    return int(parts[1]), int(parts[2]), parts[4]


def _coloured(rgb: bytes, width: int, rows: range) -> int:
    """Pixels in *rows* whose channels differ by more than 60 (not white, grey, black)."""
    n = 0
    for y in rows:
        line = rgb[y * width * 3:(y + 1) * width * 3]
        for x in range(0, len(line), 3):
            r, g, b = line[x], line[x + 1], line[x + 2]
            if max(r, g, b) - min(r, g, b) > 60:
                n += 1
    return n


@needs_lo
def test_libreoffice_draws_the_charts_in_the_pdf(tmp_path):
    from workbook.publish import publish

    pdf = tmp_path / "book.pdf"
    publish(DATA_DIR, tmp_path / "values.xlsx", pdf=pdf)
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    assert "P/E by fiscal year" in text and "Input and output price" in text
    # Page 1 (重点标的): the bars are coloured below the table, in the lower half.
    subprocess.run(["pdftoppm", "-r", "40", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "p")], check=True)
    width, height, rgb = _ppm(next(tmp_path.glob("p*.ppm")))
    lower = _coloured(rgb, width, range(height // 2, height))
    upper_rows = range(height // 10, height // 2)
    assert lower > 500, lower  # the bars of 15 stocks x 4 years
    assert _coloured(rgb, width, upper_rows) > 0  # the rating colours in the table


# --- borders, rating colours, widths, dropdowns ------------------------------------------


def test_the_table_has_a_grid_and_the_header_its_fill(targets_book):
    ws = openpyxl.load_workbook(targets_book.path)[KEY]
    for ref in ("A3", "S3", "A4", "S18", "J10"):
        side = ws[ref].border.left
        assert side.style == "thin" and side.color.rgb.endswith("A6A6A6"), ref
    assert ws["A20"].border.left.style is None  # below the table: no grid
    assert ws["A3"].fill.fgColor.rgb.endswith("DDEBF7")  # the header's fill
    checks = openpyxl.load_workbook(targets_book.path)["核对"]
    assert checks["A4"].border.top.style == "thin" and checks["F9"].border.top.style == "thin"


def _rules(ws) -> dict[str, list[tuple[str, str | None]]]:
    """``{range: [(formula, fill colour)]}`` of the sheet's conditional formats."""
    out: dict[str, list] = {}
    for cf in ws.conditional_formatting:
        for rule in cf.rules:
            fill = rule.dxf.fill.bgColor.rgb if rule.dxf and rule.dxf.fill else None
            out.setdefault(str(cf.sqref), []).append((rule.formula[0], fill))
    return out


def test_the_rating_columns_are_coloured_by_band(targets_book):
    rules = _rules(openpyxl.load_workbook(targets_book.path)[KEY])
    # Tianfeng: 买入 and 增持 above the neutral 持有 (red, the best the strongest),
    # 卖出 below it (green); the published ratings in E, the implied ones in P.
    for col in "EP":
        assert rules[f"{col}4:{col}18"] == [
            (f'{col}4="买入"', "FFFFC7CE"), (f'{col}4="增持"', "FFFCE4D6"),
            (f'{col}4="卖出"', "FFC6EFCE")]
    assert rules["Q4:Q18"] == [('Q4="不一致"', "FFFFEB9C")]


def test_every_shown_value_fits_its_column(targets_book):
    ws = openpyxl.load_workbook(targets_book.path, data_only=True)[KEY]
    widths = {get_column_letter(i): d.width for d in ws.column_dimensions.values()
              for i in range(d.min, d.max + 1)}  # a <col> element may span columns
    for row in ws.iter_rows(min_row=4, max_row=18):
        for cell in row:
            text = shown(cell)
            if text:
                assert text_width(text) + 1 <= widths[cell.column_letter], (cell.coordinate, text)
    for cell in ws[3]:  # a header wraps at spaces: its longest word fits
        if cell.value:
            longest = max(text_width(w) for w in cell.value.split())
            assert longest + 1 <= widths[cell.column_letter], cell.value


def test_the_input_cells_have_dropdowns(targets_book):
    ws = openpyxl.load_workbook(targets_book.path)[KEY]
    rules = {str(v.sqref): v for v in ws.data_validations.dataValidation}
    scale = rules["O2"]
    assert scale.type == "list"
    ids = scale.formula1.strip('"').split(",")
    assert ids == ["tianfeng", "huatai", "gtja", "csc", "industrial", "cmsc", "nesc"]
    assert len(scale.formula1) - 2 <= 255  # Excel's limit on a typed list
    bench = rules["Q2"]
    # "between" is the default operator, which openpyxl reads back as None
    assert (bench.type, bench.operator or "between", bench.formula1, bench.formula2) == (
        "decimal", "between", "-0.99", "0.99")
    assert ws["O2"].value == "tianfeng" and ws["Q2"].value == 0
    token = openpyxl.load_workbook(targets_book.path)[TOKEN]
    rules = {v.type: v for v in token.data_validations.dataValidation}
    # The cost calculator: its models from the price table (a range: no 255 limit),
    # its token counts whole numbers >= 0.
    assert rules["list"].formula1 == "$A$5:$A$9"
    assert (rules["whole"].operator, rules["whole"].formula1) == ("greaterThanOrEqual", "0")
    models = str(rules["list"].sqref).split(":")
    assert token[models[0]].value == "gpt-4o" and token[models[1]].value == "deepseek-chat"


# --- Refresh -------------------------------------------------------------------------------


def test_refresh_keeps_the_typed_scale_and_rates_on_it(remote, targets_book):
    import macros.refresh as refresh
    from workbook.dataset import load_dataset

    book = open_book(targets_book.path)
    key = next(s for s in book.api["sheets"] if s["name"] == KEY)
    key["values"][1][14] = "huatai"  # O2: the analyst types another broker's scale
    # Before Refresh, P4:P5 hold the built implied ratings on Tianfeng's scale.
    assert (key["values"][3][15], key["values"][4][15]) == ("买入", "增持")
    lines = refresh.refresh(book, load_dataset(targets_book.data.folder))
    position = [s.name for s in book.sheets].index(KEY)
    done = [a for a in actions(book) if a["sheet_position"] == position]
    touched = [a for a in done if a.get("start_row") == 1 and a.get("start_column") == 14
               and a["func"] in ("setFormula", "rangeClear")]
    assert touched == []  # the typed scale stays
    # P4:P18 (the implied ratings) are written as formulas that rate on the scale in O2:
    written = [a for a in done if a["func"] == "setFormula" and a["start_row"] <= 3
               and a["start_row"] + a["row_count"] >= 18
               and a["start_column"] <= 15 < a["start_column"] + a["column_count"]]
    assert len(written) == 1
    block = written[0]
    p_column = [row[15 - block["start_column"]] for row in
                block["values"][3 - block["start_row"]:18 - block["start_row"]]]
    assert p_column == [f"=IMPLIED_RATING(N{r},C{r},$Q$2,$O$2)" for r in range(4, 19)]
    # The values Refresh reports are those of Huatai's scale: 300502.SZ at
    # 110.00 / 95.25 - 1 = 15.49% goes from Tianfeng's 增持 to Huatai's 买入 (15%以上);
    # 300308.SZ at 20% exactly is 买入 on both scales, so its 买入 stays unreported.
    assert f"{KEY}: 300502.SZ 隐含评级 Implied rating 增持 \u2192 买入" in lines
    assert not [line for line in lines if "300308.SZ 隐含评级" in line]
    # The typed scale is kept, so the report does not claim it changed back.
    assert not [line for line in lines if line.endswith("huatai \u2192 tianfeng")], lines
    # The grid over header and stocks (A3:S18), every side thin and grey:
    grid = {(a["args"][0], a["args"][1]): a["args"][2] for a in done
            if a["func"] == "setBorderProperty"
            and (a["start_row"], a["start_column"], a["row_count"], a["column_count"]) ==
            (2, 0, 16, 19)}
    assert grid[("edge_top", "line_style")] == "continuous"
    assert grid[("inside_horizontal", "weight")] == "thin"
    assert grid[("inside_vertical", "color")] == "#a6a6a6"
    # The old rules go, then the rating colours (E4:E18, P4:P18) and the check (Q4:Q18).
    rules = [a for a in done if "ConditionalFormat" in a["func"]]
    assert rules[0]["func"] == "clearConditionalFormats"
    added = [(a["start_column"], a["args"][0]["formula"], a["args"][0]["fill_color"])
             for a in rules[1:]]
    assert added == [(4, '=E4="买入"', "#ffc7ce"), (4, '=E4="增持"', "#fce4d6"),
                     (4, '=E4="卖出"', "#c6efce"), (15, '=P4="买入"', "#ffc7ce"),
                     (15, '=P4="增持"', "#fce4d6"), (15, '=P4="卖出"', "#c6efce"),
                     (16, '=Q4="不一致"', "#ffeb9c")]
    lists = [a for a in done if a["func"] == "setDataValidationList"]
    assert [(a["start_row"], a["start_column"]) for a in lists] == [(1, 14)]


def test_the_cost_calculator_prices_what_is_typed_in_it():
    from udfs._reference import use_dataset
    from workbook.dataset import load_dataset
    from workbook.sheets import token_prices

    data = load_dataset(DATA_DIR)
    with use_dataset(data):
        default = token_prices.build(data)
    counts = sorted(r for r, c in default.input_cells() if c == 1)  # B: the token counts
    models = sorted(r for r, c in default.input_cells() if c == 0)  # A: the models
    assert len(counts) == 4 and len(models) == 5
    typed = {(counts[0], 1): 1_000_000.0, (counts[1], 1): 0.0, (counts[2], 1): 0.0,
             (models[0], 0): "o1-mini"}
    with use_dataset(data):
        sheet = token_prices.build(data, typed)
    cells = sheet.cell_map()
    # 1M input tokens of o1-mini on 2024-09-24 at USD 3.00 per 1M (the report's table)
    assert cells[(models[0], 1)].cached == pytest.approx(3.00)
    assert cells[(models[0], 1)].formula.startswith(f"=TOKEN_COST(A{models[0] + 1},")
    # 1M input tokens of gpt-4o-mini at USD 0.15
    assert cells[(models[1], 1)].cached == pytest.approx(0.15)
