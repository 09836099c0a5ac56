"""Token prices on a date, cached input, currencies, and the Token场景 / Token价格 sheets.

Every expected price below is typed from the reference table
(the project's shared reference notes on LLM prices, whose rows cite OpenAI's pages
and dated pull requests: docs/sources.md) or from DeepSeek's and CFETS's figures as cited in ``token_prices.csv`` and
``fx.csv``; every cost is computed here by hand from those prices, never with the
UDF under test. A price is in force from its date, inclusive.
"""

from __future__ import annotations

import datetime as dt
import re
import zipfile
import xml.etree.ElementTree as ET

import openpyxl
import pytest

from udfs import COST_RATIO, TOKEN_COST, TOKEN_PRICE
from udfs._reference import use_dataset
from workbook.dataset import DataErrors, load_dataset
from workbook.sheets import token_prices as token_sheet
from workbook.sheets import token_scenarios

D = dt.date
M = 1_000_000
#: CFETS USD/CNY central parity of 2024-09-20 (the latest fixing on or before the
#: report's date 2024-09-24 in fx.csv; none was found for 09-23 or 09-24) and of
#: 2024-09-25 and 2025-01-14.
CNY_20240920, CNY_20240925, CNY_20250114 = 7.0644, 7.0202, 7.1878


# --- prices in force on a date ----------------------------------------------------


@pytest.mark.parametrize("model,side,day,expected", [
    # o1-mini: 3.00 / 12.00 from 2024-09-12, cut to 1.10 / 4.40 on 2025-01-31
    ("o1-mini", "input", D(2024, 9, 24), 3.00),
    ("o1-mini", "input", D(2025, 1, 30), 3.00),
    ("o1-mini", "input", D(2025, 1, 31), 1.10),
    ("o1-mini", "input", D(2025, 3, 1), 1.10),
    ("o1-mini", "output", D(2025, 3, 1), 4.40),
    ("o1-mini", "reasoning", D(2025, 3, 1), 4.40),  # reasoning billed as output
    # gpt-4o: the alias served gpt-4o-2024-05-13 (5.00 / 15.00) until it moved to
    # gpt-4o-2024-08-06 (2.50 / cached 1.25 / 10.00) on 2024-10-02
    ("gpt-4o", "input", D(2024, 9, 24), 5.00),
    ("gpt-4o", "input", D(2024, 10, 1), 5.00),
    ("gpt-4o", "input", D(2024, 10, 2), 2.50),
    ("gpt-4o", "input", D(2024, 10, 15), 2.50),
    ("gpt-4o", "output", D(2024, 10, 15), 10.00),
    # cached input: the input price while no cached price is in force (05-13 had none)
    ("gpt-4o", "cached_input", D(2024, 10, 1), 5.00),
    ("gpt-4o", "cached_input", D(2024, 10, 2), 1.25),
    ("gpt-4o-mini", "cached_input", D(2024, 9, 30), 0.15),
    ("gpt-4o-mini", "cached_input", D(2024, 10, 1), 0.075),
    # o3: 10.00 / 40.00 from 2025-04-16, every component cut 80% on 2025-06-10
    ("o3", "input", D(2025, 6, 9), 10.00),
    ("o3", "input", D(2025, 6, 10), 2.00),
    ("o3", "output", D(2025, 6, 10), 8.00),
])
def test_price_in_force_on_a_date(model, side, day, expected):
    assert TOKEN_PRICE(model, side, day.isoformat()) == pytest.approx(expected, rel=1e-12)


def test_calls_without_a_date_use_the_settings_as_of_date():
    data = load_dataset()
    assert data.as_of == D(2024, 9, 24)  # settings.toml: the report's date
    # the report's table (Fig. 3), unchanged for calls written before dates existed
    assert TOKEN_PRICE("gpt-4o", "input") == 5.00
    assert TOKEN_PRICE("o1-preview", "output") == 60.00
    assert COST_RATIO("o1-preview", "gpt-4o", "input") == pytest.approx(3.0)
    assert COST_RATIO("o1-preview", "gpt-4o", "output") == pytest.approx(4.0)
    assert TOKEN_COST("o1-preview", 10_000, 2_000, 8_000) == pytest.approx(
        (10_000 * 15 + 10_000 * 60) / M)


def test_the_as_of_date_is_the_settings_file_s(data_copy):
    text = (data_copy / "settings.toml").read_text(encoding="utf-8")
    (data_copy / "settings.toml").write_text(
        text.replace("as_of = 2024-09-24", "as_of = 2025-03-01"), encoding="utf-8")
    with use_dataset(load_dataset(data_copy)):
        assert TOKEN_PRICE("o1-mini", "input") == pytest.approx(1.10)


@pytest.mark.parametrize("as_of", [
    45717,                        # DATE(2025,3,1) as a serial number
    45717.75,                     # NOW()-like: the time of day is ignored
    dt.datetime(2025, 3, 1),      # a date cell, as xlwings passes it
    dt.datetime(2025, 3, 1, 18),  # a date-time cell
    D(2025, 3, 1),
    "2025-03-01",                 # ISO text
])
def test_every_form_of_an_excel_date(as_of):
    assert TOKEN_PRICE("o1-mini", "input", as_of) == pytest.approx(1.10)


@pytest.mark.parametrize("as_of,error", [
    ("1.3.2025", "#VALUE!"), ("2025/03/01", "#VALUE!"), (True, "#VALUE!"),
    (0, "#NUM!"), (-1, "#NUM!"), (60, "#NUM!"), (3e6, "#NUM!"), (float("nan"), "#NUM!"),
    ("#N/A", "#N/A"),
])
def test_what_is_not_a_date(as_of, error):
    result = TOKEN_PRICE("o1-mini", "input", as_of)
    assert isinstance(result, str) and result.split(" ", 1)[0] == error, result


def test_a_date_before_the_first_price_names_that_date():
    assert TOKEN_PRICE("o3", "input", "2025-04-15") == \
        "#N/A no price for o3 before 2025-04-16, its first priced date"
    assert TOKEN_COST("o1", 1000, 100, 0, 0, "2024-09-24") == \
        "#N/A no price for o1 before 2024-12-17, its first priced date"
    assert COST_RATIO("o1-mini", "gpt-4.1", "input", "2025-01-01").startswith(
        "#N/A no price for gpt-4.1 before 2025-04-14")
    # a date before any of its rows is before launch, also in Excel's serial form
    assert TOKEN_PRICE("gpt-4o", "input", 45000).startswith("#N/A no price for gpt-4o")


# --- cached input, reasoning, request costs ---------------------------------------


def test_a_half_cached_gpt_4o_mini_request_on_2024_11_01():
    # 10,000 input tokens of which 5,000 cached, 1,000 output; gpt-4o-mini from
    # 2024-10-01: 0.15 input, 0.075 cached input, 0.60 output per 1M tokens
    expected = (5_000 * 0.15 + 5_000 * 0.075 + 1_000 * 0.60) / M
    assert expected == pytest.approx(0.001725)
    assert TOKEN_COST("gpt-4o-mini", 10_000, 1_000, 0, 5_000, "2024-11-01") == \
        pytest.approx(expected, rel=1e-12)
    # before prompt caching the cached half is billed at the input price
    assert TOKEN_COST("gpt-4o-mini", 10_000, 1_000, 0, 5_000, "2024-09-30") == \
        pytest.approx((10_000 * 0.15 + 1_000 * 0.60) / M, rel=1e-12)


def test_reasoning_tokens_are_billed_at_the_output_price():
    # o1-preview on 2024-09-24: 15 / 60; 3,000 input, 1,000 visible + 6,000 reasoning
    assert TOKEN_COST("o1-preview", 3_000, 1_000, 6_000) == \
        pytest.approx((3_000 * 15 + 7_000 * 60) / M, rel=1e-12)


def test_more_cached_than_input_tokens_is_num():
    result = TOKEN_COST("gpt-4o-mini", 1_000, 100, 0, 1_001, "2024-11-01")
    assert result.startswith("#NUM! 1001 cached input tokens are more than the 1000")
    assert TOKEN_COST("gpt-4o-mini", 1_000, 100, 0, 1_000, "2024-11-01") == \
        pytest.approx((1_000 * 0.075 + 100 * 0.60) / M)


# --- currencies -------------------------------------------------------------------


def test_a_cny_priced_request_in_usd_through_the_fx_table():
    # deepseek-chat from 2024-08-02: 1 CNY input (cache miss), 0.1 cached (hit), 2 output
    cny = (8_000 * 1 + 2_000 * 0.1 + 1_000 * 2) / M
    assert TOKEN_COST("deepseek-chat", 10_000, 1_000, 0, 2_000, "2024-09-24", "CNY") == \
        pytest.approx(cny, rel=1e-12)
    # in USD at the rate in force on the day: 2024-09-20's on 09-24, 09-25's from 09-25
    assert TOKEN_COST("deepseek-chat", 10_000, 1_000, 0, 2_000, "2024-09-24") == \
        pytest.approx(cny / CNY_20240920, rel=1e-12)
    assert TOKEN_COST("deepseek-chat", 10_000, 1_000, 0, 2_000, "2024-09-25") == \
        pytest.approx(cny / CNY_20240925, rel=1e-12)
    # from 2025-02-09 the V3 full price: 2 / 0.5 / 8 CNY, rate of 2025-01-14
    assert TOKEN_PRICE("deepseek-chat", "output", "2025-03-01") == \
        pytest.approx(8 / CNY_20250114, rel=1e-12)
    assert TOKEN_PRICE("deepseek-chat", "output", "2025-03-01", "cny") == 8


def test_a_usd_price_in_cny_and_a_ratio_across_currencies():
    assert TOKEN_PRICE("gpt-4o", "input", None, "CNY") == pytest.approx(5 * CNY_20240920)
    # 1 CNY against 5 USD per 1M input tokens on 2024-09-24
    assert COST_RATIO("deepseek-chat", "gpt-4o", "input") == \
        pytest.approx(1 / CNY_20240920 / 5, rel=1e-12)
    # two CNY prices compare without any rate: 16 / 8 output on 2025-03-01
    assert COST_RATIO("deepseek-reasoner", "deepseek-chat", "output", "2025-03-01") == 2


def test_no_fx_rate_yet_names_the_first_rate_date():
    assert TOKEN_PRICE("deepseek-chat", "input", "2024-09-01") == \
        "#N/A no CNY rate on or before 2024-09-01 in fx.csv; its first rate is dated 2024-09-20"
    assert TOKEN_PRICE("deepseek-chat", "input", "2024-09-01", "CNY") == 1
    assert TOKEN_PRICE("gpt-4o", "input", None, "EUR") == \
        "#N/A unknown currency 'EUR'; known: USD, CNY, HKD"  # fx.csv's currencies


# --- the settings file ------------------------------------------------------------


@pytest.mark.parametrize("text,row,column,fragment", [
    ("as_of = '2024-09-24'\n", 1, "as_of", "is text; write the date without quotes"),
    ("as_of = 2024-09-24T10:00:00\n", 1, "as_of", "a date without a time"),
    ("asof = 2024-09-24\n", 1, "asof", "unknown setting; did you mean 'as_of'?"),
    ("# nothing set\n", None, "as_of", "missing; add the line as_of = 2024-09-24"),
    ("as_of = 2024-09-24\nas_of = 2024-09-25\n", 2, None, "not valid TOML"),
])
def test_settings_errors_name_line_and_key(data_copy, text, row, column, fragment):
    (data_copy / "settings.toml").write_text(text, encoding="utf-8")
    with pytest.raises(DataErrors) as caught:
        load_dataset(data_copy)
    errors = [e for e in caught.value.errors if e.file == "settings.toml"]
    assert [(e.row, e.column) for e in errors if fragment in e.message] == [(row, column)], \
        [str(e) for e in caught.value.errors]


def test_without_a_settings_file_nothing_loads(data_copy):
    (data_copy / "settings.toml").unlink()
    with pytest.raises(DataErrors) as caught:
        load_dataset(data_copy)
    assert [str(e).split(": ", 1)[0] for e in caught.value.errors] == ["settings.toml"]


def test_document_date_and_provenance_come_from_the_settings(data_copy, tmp_path):
    from workbook.build import build

    text = (data_copy / "settings.toml").read_text(encoding="utf-8")
    (data_copy / "settings.toml").write_text(
        text.replace("as_of = 2024-09-24", "as_of = 2025-06-30"), encoding="utf-8")
    result = build(data_copy, tmp_path / "b.xlsx")
    props = openpyxl.load_workbook(result.path, read_only=True).properties
    assert props.created == dt.datetime(2025, 6, 30)
    custom = openpyxl.load_workbook(result.path).custom_doc_props
    assert custom["data as of"].value == "2025-06-30"
    # the report's claims keep their own date (claims.csv), so they still hold
    assert [c.passed for c in result.checks if c.kind == "claim"] == [True] * 5


# --- the sheets -------------------------------------------------------------------


def _rows(calamine_sheets, name):
    return calamine_sheets[name]


def _block(rows, title):
    """The rows below the header row that follows the row whose first cell starts with
    *title*, up to the next empty row, as {first cell: row}."""
    start = next(i for i, r in enumerate(rows) if str(r[0]).startswith(title))
    out = {}
    for r in rows[start + 2:]:
        if not r or r[0] in ("", None):
            break
        out[r[0]] = r
    return start, out


def test_token_prices_table_shows_the_prices_in_force_on_the_as_of_date(calamine_sheets):
    rows = _rows(calamine_sheets, token_sheet.NAME)
    assert rows[1][:2] == ["价格日期 Prices as of", D(2024, 9, 24)]
    header = rows[3]
    assert header[0] == "模型 Model"
    table = {}
    for r in rows[4:]:
        if not r[0]:
            break
        table[r[0]] = r
    # every model priced on 2024-09-24 and nothing launched later
    assert sorted(table) == ["deepseek-chat", "gpt-4o", "gpt-4o-mini", "o1-mini", "o1-preview"]
    col = {h: i for i, h in enumerate(header)}
    usd_in = col["输入 Input USD/1M"]
    assert table["gpt-4o"][usd_in] == 5.0
    assert table["deepseek-chat"][col["输入 Input /1M"]] == 1.0
    assert table["deepseek-chat"][usd_in] == pytest.approx(1 / CNY_20240920, rel=1e-12)
    assert table["deepseek-chat"][col["币种 Currency"]] == "CNY"


def test_price_history_lists_every_period_with_its_last_day(calamine_sheets):
    rows = _rows(calamine_sheets, token_sheet.NAME)
    start = next(i for i, r in enumerate(rows) if str(r[0]).startswith("价格历史"))
    header = rows[start + 1]
    periods = []
    for r in rows[start + 2:]:
        if not r[0]:
            break
        periods.append(r)
    data = load_dataset()
    assert len(periods) == len(data.token_prices)
    until = header.index("至 Until (blank: still in force)")
    days = header.index("天数 Days in force")
    mini = [r for r in periods if r[0] == "o1-mini"]
    assert [(r[2], r[until], r[days]) for r in mini] == [
        (D(2024, 9, 12), D(2024, 9, 30), 19), (D(2024, 10, 1), D(2025, 1, 30), 122),
        (D(2025, 1, 31), "", "")]


def _chart_xml(path):
    """The step chart (the one scatter chart of the file) and the drawing holding it."""
    with zipfile.ZipFile(path) as z:
        names = [n for n in z.namelist() if re.fullmatch(r"xl/charts/chart\d+\.xml", n)]
        scatters = [n for n in names if b"<c:scatterChart>" in z.read(n)]
        assert len(scatters) == 1, names
        drawings = [z.read(n).decode() for n in z.namelist()
                    if re.fullmatch(r"xl/drawings/drawing\d+\.xml", n)]
        drawing = next(d for d in drawings if "coverbook output price steps" in d)
        return ET.fromstring(z.read(scatters[0])), drawing


def test_the_step_chart_is_a_native_scatter_over_the_step_table(built, calamine_sheets):
    ns = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}
    chart, drawing = _chart_xml(built.path)
    scatter = chart.find(".//c:scatterChart", ns)
    assert scatter is not None
    series = scatter.findall("c:ser", ns)
    data = load_dataset()
    assert len(series) == len(data.prices.models)  # one line per model
    rows = _rows(calamine_sheets, token_sheet.NAME)
    head = next(i for i, r in enumerate(rows) if r[0] == "日期 Date")
    last = head + len([r for r in rows[head + 1:] if isinstance(r[0], D)])
    def ref(element):  # Excel quotes a sheet name only where it must: Token价格!$B$99
        return element.text.replace("'Token价格'!", "Token价格!")

    assert ref(series[0].find("c:yVal//c:f", ns)) == f"Token价格!$B${head + 2}:$B${last + 1}"
    assert ref(series[0].find("c:xVal//c:f", ns)) == f"Token价格!$A${head + 2}:$A${last + 1}"
    assert ref(series[0].find("c:tx//c:f", ns)) == f"Token价格!$B${head + 1}"
    assert ref(series[-1].find("c:yVal//c:f", ns)).startswith(
        f"Token价格!${chr(ord('A') + len(series))}${head + 2}:")
    assert rows[head][1] == "gpt-4o"
    # straight lines, no markers: a step at each change
    assert [m.get("val") for m in scatter.findall("c:ser/c:marker/c:symbol", ns)] == \
        ["none"] * len(series)
    assert 'name="coverbook output price steps"' in drawing
    # o1-mini's output steps from 12 to 4.40 on 2025-01-31 (two rows of that date)
    col = rows[head].index("o1-mini")
    steps = [(r[0], r[col]) for r in rows[head + 1:last + 1] if r[0] == D(2025, 1, 31)]
    assert steps == [(D(2025, 1, 31), 12.0), (D(2025, 1, 31), pytest.approx(4.40))]
    # before launch a cell is empty (a gap, not a zero)
    o3 = rows[head].index("o3")
    assert rows[head + 1][o3] == ""


def test_scenario_inputs_are_validated_cells(built):
    ws = openpyxl.load_workbook(built.path)[token_scenarios.NAME]
    rules = {str(v.sqref): v for v in ws.data_validations.dataValidation}
    assert (ws["A7"].value, ws["A8"].value, ws["A9"].value) == (
        "日期 Date", "基准模型 Benchmark", "币种 Currency")
    assert rules["B7"].type == "date" and rules["B7"].operator == "greaterThanOrEqual"
    # the first price date in the data, 2024-05-13, as Excel's serial number
    assert float(rules["B7"].formula1) == (D(2024, 5, 13) - D(1899, 12, 30)).days
    assert rules["B9"].type == "list" and rules["B9"].formula1 == '"USD,CNY,HKD"'
    bench = rules["B8"]
    assert bench.type == "list" and re.fullmatch(r"\$A\$(\d+):\$A\$(\d+)", bench.formula1)
    first, last = (int(x) for x in re.findall(r"\d+", bench.formula1))
    models = [ws.cell(r, 1).value for r in range(first, last + 1)]
    assert sorted(models) == sorted(load_dataset().prices.models)
    assert ws["A12"].value.startswith("自定义 Custom")
    assert rules["B12"].type == "whole" and rules["C12"].type == "decimal"
    assert (rules["C12"].formula1, rules["C12"].formula2) == ("0", "1")
    assert rules["D12"].type == "whole" and rules["E12"].type == "decimal"


def _scenario(rows, workload_name):
    return _block(rows, f"任务 Workload: {workload_name}")


def test_scenario_reasoning_heavy_task_on_the_report_date(calamine_sheets):
    # docs/token-prices.md's worked example. 3,000 input, 1,000 visible output, 6 reasoning
    # tokens per visible token for reasoning models; prices of 2024-09-24.
    rows = _rows(calamine_sheets, token_scenarios.NAME)
    start, block = _scenario(rows, "推理密集编程")
    header = rows[start + 1]
    cost = header.index("每任务 Cost per task")
    gpt4o = (3_000 * 5 + 1_000 * 15) / M              # 0.030 USD
    o1p = (3_000 * 15 + (1_000 + 6_000) * 60) / M     # 0.465 USD
    o1m = (3_000 * 3 + (1_000 + 6_000) * 12) / M      # 0.093 USD
    assert block["gpt-4o"][cost] == pytest.approx(gpt4o)
    assert block["o1-preview"][cost] == pytest.approx(o1p)
    assert block["o1-preview"][header.index("推理 Reasoning tokens")] == 6_000
    assert block["gpt-4o"][header.index("推理 Reasoning tokens")] == 0
    assert block["o1-preview"][header.index("每千任务 Cost per 1,000 tasks")] == \
        pytest.approx(465.0)
    multiple = header.index("任务成本倍数 Task cost × benchmark")
    assert block["o1-preview"][multiple] == pytest.approx(15.5)
    assert block["o1-mini"][multiple] == pytest.approx(o1m / gpt4o)  # 3.1x
    # beside the list-price multiples of the report: 3x input, 4x output
    assert block["o1-preview"][header.index("输入价倍数 Input price × benchmark")] == \
        pytest.approx(3.0)
    assert block["o1-preview"][header.index("输出价倍数 Output price × benchmark")] == \
        pytest.approx(4.0)
    # a model not launched on the date: a missing figure (n.a., as everywhere else),
    # and its 首次定价 First priced column says when it was
    assert block["o3"][cost] == "n.a."
    assert block["o3"][header.index("首次定价 First priced")] == dt.date(2025, 4, 16)
    assert block["o3"][multiple] == "n.a."
    assert block["o3"][header.index("每千任务 Cost per 1,000 tasks")] == "n.a."


def test_scenario_cached_share_uses_the_cached_price_where_one_is_in_force(calamine_sheets):
    # long-document summary: 20,000 input, 10% (2,000) cached, 800 output
    rows = _rows(calamine_sheets, token_scenarios.NAME)
    start, block = _scenario(rows, "长文档摘要")
    cost = rows[start + 1].index("每任务 Cost per task")
    # gpt-4o on 2024-09-24 had no cached price: the cached 2,000 at the input price
    assert block["gpt-4o"][cost] == pytest.approx((20_000 * 5 + 800 * 15) / M)
    # deepseek-chat had one (0.1 CNY): CNY to USD at 2024-09-20's rate
    cny = (18_000 * 1 + 2_000 * 0.1 + 800 * 2) / M
    assert block["deepseek-chat"][cost] == pytest.approx(cny / CNY_20240920, rel=1e-12)


def test_scenario_cached_values_follow_what_is_typed_in_the_input_cells():
    data = load_dataset()
    typed = {token_scenarios.DATE_CELL: dt.datetime(2025, 3, 1),
             token_scenarios.BENCHMARK_CELL: "o1-mini",
             token_scenarios.CURRENCY_CELL: "CNY",
             (token_scenarios.CUSTOM_ROW, token_scenarios.INPUT_TOKENS): 4_000.0,
             (token_scenarios.CUSTOM_ROW, token_scenarios.CACHED_SHARE): 0.25,
             (token_scenarios.CUSTOM_ROW, token_scenarios.OUTPUT_TOKENS): 500.0,
             (token_scenarios.CUSTOM_ROW, token_scenarios.REASONING_RATIO): 3.0}
    with use_dataset(data):
        sheet = token_scenarios.build(data, typed)
    cells = sheet.cell_map()
    for pos, v in typed.items():
        assert cells[pos].value == v and pos in sheet.input_cells()
    title = next(r for (r, c), cell in cells.items()
                 if c == 0 and str(cell.value).startswith("任务 Workload: 自定义"))
    block = {cells[(r, 0)].value: r for r in range(title + 2, title + 15)
             if (r, 0) in cells}
    # o1-mini on 2025-03-01: 1.10 / cached 0.55 / 4.40 USD; 1,000 of 4,000 input
    # cached, 500 visible + 1,500 reasoning; in CNY at 2025-01-14's rate
    usd = (3_000 * 1.10 + 1_000 * 0.55 + 2_000 * 4.40) / M
    r = block["o1-mini"]
    assert cells[(r, token_scenarios.REASONING_TOKENS)].cached == 1_500
    assert cells[(r, token_scenarios.COST)].cached == pytest.approx(usd * CNY_20250114,
                                                                      rel=1e-12)
    assert cells[(r, token_scenarios.MULTIPLE)].cached == pytest.approx(1.0)
    # gpt-4o that day: 2.50 / cached 1.25 / 10.00, not a reasoning model
    g = block["gpt-4o"]
    gpt = (3_000 * 2.50 + 1_000 * 1.25 + 500 * 10.00) / M
    assert cells[(g, token_scenarios.MULTIPLE)].cached == pytest.approx(gpt / usd)
    assert cells[(g, token_scenarios.INPUT_X)].cached == pytest.approx(2.50 / 1.10)


def test_the_published_copy_keeps_the_chart_over_its_values(tmp_path):
    from workbook import DATA_DIR
    from workbook.publish import publish

    path = publish(DATA_DIR, tmp_path / "values.xlsx").path
    chart, drawing = _chart_xml(path)
    ns = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}
    assert chart.find(".//c:scatterChart", ns) is not None
    assert 'name="coverbook output price steps"' in drawing
    ws = openpyxl.load_workbook(path)[token_sheet.NAME]
    ref = chart.find(".//c:ser/c:yVal//c:f", ns).text.split("!")[1]  # $B$99:$B$147
    first = ws[ref.split(":")[0].replace("$", "")]
    assert first.data_type == "n" and first.value == 15.0  # gpt-4o on 2024-05-13, a value


@pytest.mark.parametrize("day, o3", [
    (dt.datetime(2025, 3, 1), "n.a."),  # before o3's first price (2025-04-16): missing
    (dt.datetime(2025, 5, 1), None),  # priced: a number
    # a date typed as text (Excel keeps '2025-03-01 as text) is no number to ISNUMBER:
    # TOKEN_COST reads it and says why there is no price
    ("2025-03-01", "#N/A no price for o3 before 2025-04-16, its first priced date"),
    ("soon", "#VALUE! 'soon' is not a date"),  # a real error stays an error
])
def test_scenario_cost_of_a_model_not_yet_priced_is_a_missing_figure(day, o3):
    # A date cell or serial before the model's first price: n.a.; text is not a number
    # to ISNUMBER, so TOKEN_COST decides, as the formula
    # =IF(AND(ISNUMBER(date),date<first priced),"n.a.",TOKEN_COST(...)) does.
    data = load_dataset()
    with use_dataset(data):
        sheet = token_scenarios.build(data, {token_scenarios.DATE_CELL: day})
    cells = sheet.cell_map()
    title = next(r for (r, c), cell in cells.items()
                 if c == 0 and str(cell.value).startswith("任务 Workload: 自定义"))
    r = next(r for r in range(title + 2, title + 20) if cells[(r, 0)].value == "o3")
    cost = cells[(r, token_scenarios.COST)]
    assert cost.formula.startswith(f"=IF(AND(ISNUMBER($B$7),$B$7<C{r + 1}),\"n.a.\","
                                   f"TOKEN_COST($A{r + 1},")
    if o3 is None:
        # 10,000 input (half cached), 2,000 output + 8,000 reasoning, at o3's launch
        # prices 10.00 / cached 2.50 / 40.00 (cut on 2025-06-10)
        assert cost.cached == pytest.approx((5_000 * 10.0 + 5_000 * 2.5 + 10_000 * 40.0) / M)
    elif o3.startswith("#VALUE!"):
        assert str(cost.cached).startswith(o3)
    else:
        assert cost.cached == o3
