"""Bad data files: each case names file, row (the file's line) and column, is printed
by ``coverbook build`` as ``file:row:column: message``, exits 2, and leaves the
previous workbook byte for byte as it was.

Each case edits a copy of the shipped data (header = line 1; in coverage.csv
300308.SZ is line 2, 300502.SZ line 3 and 000063.SZ line 7; in token_prices.csv
gpt-4o's two periods are lines 2-3, gpt-4o-mini's 4-5 and o1-preview's 6-7; in
claims.csv line 4 is the o1-mini input claim; in fx.csv line 2 is the 2024-09-20
rate; in workloads.csv line 2 the chat turn). Lines of rating_scales.toml are looked
up in the file, not hard-coded.
"""

from __future__ import annotations

import pytest

from helpers.build_cli import assert_rejected
from helpers.data_files import band_key_line, edit, line_of
from workbook.dataset import DataErrors, load_dataset


# (id, edits [(file, old, new, nth)], expected [(file, row, column, fragment)])
CASES = [
    ("header-typo-suggests-nearest-column",
     [("coverage.csv", "code,name,close,", "code,name,clsoe,", 1)],
     [("coverage.csv", 1, "clsoe", "unknown column; did you mean 'close'?")]),
    ("header-case-suggests-column",
     [("token_prices.csv", "model,display_name", "Model,display_name", 1)],
     [("token_prices.csv", 1, "Model", "did you mean 'model'?")]),
    ("missing-column-is-named",
     [("coverage.csv", ",rating,", ",评级,", 1)],
     [("coverage.csv", 1, "评级", "unknown column; a year column is named like 'EPS 2024E'"),
      ("coverage.csv", 1, "rating", "missing column; coverage.csv needs code, name")]),
    ("eps-column-not-eps-year-a-or-e",
     [("coverage.csv", "EPS 2026E", "eps2026e", 1)],
     [("coverage.csv", 1, "eps2026e", "did you mean 'EPS 2026E'?")]),
    ("eps-column-forecast-letter",
     [("coverage.csv", "EPS 2026E", "EPS 2026F", 1)],
     [("coverage.csv", 1, "EPS 2026F", "named like 'EPS 2024E' (A = actual, E = estimate)")]),
    ("eps-years-out-of-order",
     [("coverage.csv", "EPS 2025E", "EPS 2022E", 1)],
     [("coverage.csv", 1, "EPS 2022E", "year columns must be in increasing order")]),
    ("duplicate-code",
     [("coverage.csv", "300502.SZ,", "300308.SZ,", 1)],
     [("coverage.csv", 3, "code", "300308.SZ already appears on row 2")]),
    ("code-typed-as-number-is-not-padded",
     [("coverage.csv", "000063.SZ,", "63,", 1)],
     [("coverage.csv", 7, "code", "'63' is not a ticker like 000063.SZ (6 digits, then "
       ".SH, .SZ or .BJ); fewer than 6 digits: leading zeros were lost")]),
    ("code-without-exchange",
     [("coverage.csv", "000063.SZ,", "000063,", 1)],
     [("coverage.csv", 7, "code", "add the exchange: .SH (Shanghai), .SZ (Shenzhen)")]),
    ("code-with-lower-case-suffix",
     [("coverage.csv", "000063.SZ,", "000063.sz,", 1)],
     [("coverage.csv", 7, "code", "write the exchange in capitals: 000063.SZ")]),
    ("code-with-full-width-digits",
     [("coverage.csv", "000063.SZ,", "００００６３.SZ,", 1)],
     [("coverage.csv", 7, "code", "full-width characters: type 000063.SZ")]),
    ("code-of-unsupported-market",
     [("coverage.csv", "000063.SZ,", "0763.SZ,", 1)],
     [("coverage.csv", 7, "code", "'0763.SZ' does not fit its exchange: a .SZ (Shenzhen) "
       "code is 6 digits starting with 00, 20, 30 (000001.SZ); a Hong Kong code is "
       "written 0763.HK")]),
    ("empty-name",
     [("coverage.csv", ",中兴通讯,", ",,", 1)],
     [("coverage.csv", 7, "name", "empty; a company name is required")]),
    ("close-with-decimal-comma",
     [("coverage.csv", ",24.90,", ',"24,90",', 1)],
     [("coverage.csv", 7, "close", "'24,90' is not a number (no commas")]),
    ("eps-with-decimal-comma",
     [("coverage.csv", ",1.94,", ',"1,94",', 1)],
     [("coverage.csv", 2, "EPS 2023A", "'1,94' is not a number (no commas")]),
    ("eps-written-as-dash",
     [("coverage.csv", ",2.15,", ",—,", 1)],
     [("coverage.csv", 7, "EPS 2024E", "'—' is not a number (leave the cell empty")]),
    ("eps-written-as-na",
     [("coverage.csv", ",1.94,", ",n.a.,", 1)],
     [("coverage.csv", 2, "EPS 2023A", "'n.a.' is not a number (leave the cell empty")]),
    ("close-empty",
     [("coverage.csv", ",24.90,", ",,", 1)],
     [("coverage.csv", 7, "close", "empty, but close_date says 2024-09-23")]),
    ("close-negative",
     [("coverage.csv", ",24.90,", ",-24.90,", 1)],
     [("coverage.csv", 7, "close", "-24.90 must be greater than 0")]),
    ("close-out-of-range",
     [("coverage.csv", ",24.90,", ",1e400,", 1)],
     [("coverage.csv", 7, "close", "'1e400' is not a number (out of range)")]),
    ("date-in-another-format",
     [("coverage.csv", "2024-09-23", "23/09/2024", 6)],
     [("coverage.csv", 7, "close_date", "'23/09/2024' is not a date YYYY-MM-DD")]),
    ("rating-not-in-scale",
     [("coverage.csv", "24.90,2024-09-23,买入", "24.90,2024-09-23,强烈推荐", 1)],
     [("coverage.csv", 7, "rating", "'强烈推荐' is not a rating of the tianfeng scale (天风证券 股票投资评级); "
       "known: 买入, 增持, 持有, 卖出")]),
    ("rating-in-english",
     [("coverage.csv", "24.90,2024-09-23,买入", "24.90,2024-09-23,Buy", 1)],
     [("coverage.csv", 7, "rating", "that is the English label of 买入; write 买入")]),
    ("a-comma-too-many",
     [("coverage.csv", ",1.95,", ",1,95,", 1)],
     [("coverage.csv", 7, "column J", "'2.61' is right of the last column 'EPS 2026E'")]),
    ("a-field-missing",
     [("coverage.csv", ",2.38,2.61", ",2.38", 1)],
     [("coverage.csv", 7, None, "8 fields, the header has 9; a comma between two of its cells is "
         "missing, or its EPS 2026E cell is left out: keep a comma for each cell, empty or not")]),
    ("unclosed-quote",
     [("coverage.csv", ",中兴通讯,", ',"中兴通讯,', 1)],
     [("coverage.csv", 7, None,
       "a quote (\") opened in this row is never closed: close it or delete it")]),
    ("token-price-negative",
     [("token_prices.csv", "2024-07-18,0.150,,0.600", "2024-07-18,-0.150,,0.600", 1)],
     [("token_prices.csv", 4, "input_per_1m", "-0.150 must not be negative")]),
    ("token-price-missing",
     [("token_prices.csv", "5.00,,15.00,USD", "5.00,,,USD", 1)],
     [("token_prices.csv", 2, "output_per_1m", "empty; a number is required")]),
    ("token-price-not-a-number",
     [("token_prices.csv", "5.00,,15.00,", "$5,,15.00,", 1)],
     [("token_prices.csv", 2, "input_per_1m", "'$5' is not a number")]),
    ("token-cached-price-above-input",
     [("token_prices.csv", "0.150,0.075,0.600", "0.150,0.750,0.600", 1)],
     [("token_prices.csv", 5, "cached_input_per_1m", "0.750 is above the input price 0.150")]),
    ("token-model-twice-on-one-date",
     [("token_prices.csv", "gpt-4o,GPT-4o,2024-10-02", "gpt-4o,GPT-4o,2024-05-13", 1)],
     [("token_prices.csv", 3, "in_force_from",
       "gpt-4o already has a price in force from 2024-05-13 on row 2")]),
    ("token-date-not-a-date",
     [("token_prices.csv", "GPT-4o,2024-05-13,", "GPT-4o,13/05/2024,", 1)],
     [("token_prices.csv", 2, "in_force_from", "'13/05/2024' is not a date YYYY-MM-DD")]),
    ("token-currency-unknown",
     [("token_prices.csv", "5.00,,15.00,USD", "5.00,,15.00,RMB", 1)],
     [("token_prices.csv", 2, "currency", "unknown currency 'RMB'; write its ISO code CNY")]),
    ("token-currency-lower-case",
     [("token_prices.csv", "5.00,,15.00,USD", "5.00,,15.00,usd", 1)],
     [("token_prices.csv", 2, "currency", "write the code in capitals: USD")]),
    ("token-currency-without-fx-rate",
     [("token_prices.csv", "5.00,,15.00,USD", "5.00,,15.00,EUR", 1)],
     [("token_prices.csv", 2, "currency", "EUR has no rate in fx.csv; add a row "
       "EUR,<units per USD>,<date>,<source> there")]),
    ("token-reasoning-not-yes-or-no",
     [("token_prices.csv", "5.00,,15.00,USD,no", "5.00,,15.00,USD,maybe", 1)],
     [("token_prices.csv", 2, "reasoning", "'maybe' is not yes or no")]),
    ("token-reasoning-differs-between-rows-of-a-model",
     [("token_prices.csv", "15.00,7.50,60.00,USD,yes", "15.00,7.50,60.00,USD,no", 1)],
     [("token_prices.csv", 7, "reasoning", "o1-preview is a reasoning model on row 6")]),
    ("token-source-empty",
     [("token_prices.csv", ",prompt caching from 2024-10-01: openai.com/index/api-prompt-caching/\n",
       ",\n", 1)],
     [("token_prices.csv", 5, "source", "empty; say where the price comes from")]),
    ("claims-name-a-model-the-table-no-longer-has",
     [("token_prices.csv", "gpt-4o-mini,GPT-4o mini,", "gpt-4o-mimi,GPT-4o mini,", 1),
      ("token_prices.csv", "gpt-4o-mini,GPT-4o mini,", "gpt-4o-mimi,GPT-4o mini,", 1)],
     [("claims.csv", 4, "model_b", "unknown model 'gpt-4o-mini'"),
      ("claims.csv", 5, "model_b", "unknown model 'gpt-4o-mini'")]),
    ("claim-names-unknown-model-near-miss",
     [("claims.csv", "o1-mini,gpt-4o-mini,ratio,input", "o1mini,gpt-4o-mini,ratio,input", 1)],
     [("claims.csv", 4, "model_a", "unknown model 'o1mini' (not in token_prices.csv); "
       "did you mean 'o1-mini'?")]),
    ("claim-names-unknown-model",
     [("claims.csv", "o1-preview,gpt-4o,ratio,input", "o1-preview,claude-3,ratio,input", 1)],
     [("claims.csv", 2, "model_b", "unknown model 'claude-3' (not in token_prices.csv); "
       "known: deepseek-chat, deepseek-reasoner, gpt-4.1, gpt-4.1-mini")]),
    ("claim-of-an-invalid-price-row-is-not-reported-twice",
     [("token_prices.csv", "2024-07-18,0.150,,0.600", "2024-07-18,-0.150,,0.600", 1)],
     [("token_prices.csv", 4, "input_per_1m", "must not be negative")]),
    ("claim-date-not-a-date",
     [("claims.csv", "3x GPT-4o,2024-09-24", "3x GPT-4o,24.9.2024", 1)],
     [("claims.csv", 2, "date", "'24.9.2024' is not a date YYYY-MM-DD")]),
    ("fx-rate-not-positive",
     [("fx.csv", "CNY,7.0644,", "CNY,-7.0644,", 1)],
     [("fx.csv", 2, "units_per_usd", "-7.0644 must be greater than 0")]),
    ("fx-two-rates-on-one-date",
     [("fx.csv", "CNY,7.0202,2024-09-25", "CNY,7.0202,2024-09-20", 1)],
     [("fx.csv", 3, "date", "CNY 2024-09-20 already appears on row 2")]),
    ("fx-usd-row",
     [("fx.csv", "CNY,7.0644,", "USD,7.0644,", 1)],
     [("fx.csv", 2, "currency", "USD is the base currency (its rate is 1); delete this row")]),
    ("fx-currency-not-a-code",
     [("fx.csv", "CNY,7.0644,", "人民币,7.0644,", 1)],
     [("fx.csv", 2, "currency", "unknown currency '人民币'; write its ISO code CNY")]),
    ("fx-source-empty",
     [("fx.csv", "2024-09-20,CFETS USD/CNY central parity as reported by forexlive.com/"
       "centralbank/pboc-sets-usd-cny-reference-rate-for-today-at-70644-vs-estimate-at-70637-"
       "20240920/ (figure from the article's title)\n", "2024-09-20,\n", 1)],
     [("fx.csv", 2, "source", "empty; say where the rate comes from")]),
    ("workload-cached-share-above-one",
     [("workloads.csv", "20000,0.1,800", "20000,10,800", 1)],
     [("workloads.csv", 3, "cached_share", "10 is above 1; the cached share is a fraction "
                                           "of the input: 0.1 for 10%")]),
    ("workload-cached-share-as-percent",
     [("workloads.csv", "20000,0.1,800", "20000,50%,800", 1)],
     [("workloads.csv", 3, "cached_share", "'50%' is not a number (a fraction, no % sign: "
                                           "0.5 for 50%)")]),
    ("workload-tokens-not-whole",
     [("workloads.csv", "1500,0,400", "1500.5,0,400", 1)],
     [("workloads.csv", 2, "input_tokens", "must be a whole number of tokens")]),
    ("workload-id-twice",
     [("workloads.csv", "doc-summary,", "chat-turn,", 1)],
     [("workloads.csv", 3, "id", "chat-turn already appears on row 2")]),
]


@pytest.mark.parametrize("edits,expected", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_csv_names_file_row_and_column_and_keeps_the_workbook(edits, expected, data_copy,
                                                                  previous):
    for file, old, new, nth in edits:
        edit(data_copy, file, old, new, nth)
    assert_rejected(data_copy, previous, expected)


def test_gapped_band_names_the_line_of_the_upper_edge(data_copy, previous, own_scales):
    # 增持 starts at 0.12 while 持有 ends at 0.10: (0.10, 0.12) has no rating.
    edit(data_copy, "rating_scales.toml", "lower = 0.10\n", "lower = 0.12\n")
    row = band_key_line(data_copy, "tianfeng", "持有", "upper")
    assert_rejected(data_copy, previous, [
        ("rating_scales.toml", row, "upper",
         "[tianfeng] bands '增持'/'持有': gap between 0.1 and 0.12; a value there has no rating")])


def test_overlapping_band_names_the_line_of_the_upper_edge(data_copy, previous, own_scales):
    edit(data_copy, "rating_scales.toml", "upper = -0.05\n", "upper = -0.04\n")
    row = band_key_line(data_copy, "tianfeng-industry", "弱于大市", "upper")
    assert_rejected(data_copy, previous, [
        ("rating_scales.toml", row, "upper",
         "[tianfeng-industry] bands '中性'/'弱于大市': overlap between -0.05 and -0.04")])


def test_edge_included_by_both_bands(data_copy, previous, own_scales):
    # 持有's upper edge 0.10 made inclusive: 0.10 would be both 增持 and 持有.
    edit(data_copy, "rating_scales.toml", "upper = 0.10\nupper_inclusive = false",
         "upper = 0.10\nupper_inclusive = true")
    row = band_key_line(data_copy, "tianfeng", "持有", "upper_inclusive")
    assert_rejected(data_copy, previous, [
        ("rating_scales.toml", row, "upper_inclusive",
         "[tianfeng] bands '增持'/'持有': both include the shared edge 0.1; exactly one must")])


def test_highest_band_must_reach_infinity(data_copy, previous, own_scales):
    edit(data_copy, "rating_scales.toml", "upper = inf", "upper = 5.0", 2)
    row = band_key_line(data_copy, "tianfeng-industry", "强于大市", "upper")
    assert_rejected(data_copy, previous, [
        ("rating_scales.toml", row, "upper",
         "[tianfeng-industry] band '强于大市': the highest band must reach upper = inf")])


def test_a_boolean_written_as_text_is_not_true(data_copy, previous, own_scales):
    # bool("false") is True in Python: a quoted "false" must not silently include.
    edit(data_copy, "rating_scales.toml", "lower_inclusive = false", 'lower_inclusive = "false"')
    row = band_key_line(data_copy, "tianfeng", "持有", "lower_inclusive")
    assert_rejected(data_copy, previous, [
        ("rating_scales.toml", row, "lower_inclusive",
         "[tianfeng] band 3: 'false' must be true or false")])


def test_invalid_toml_names_its_line(data_copy, previous, own_scales):
    edit(data_copy, "rating_scales.toml", 'label = "卖出"', 'label = 卖出')
    row = line_of(data_copy, "rating_scales.toml", "label = 卖出")
    assert_rejected(data_copy, previous, [("rating_scales.toml", row, None, "not valid TOML")])


def test_every_problem_in_every_file_is_reported_in_one_run(data_copy, previous):
    edit(data_copy, "coverage.csv", "code,name,close,", "code,name,clsoe,")
    edit(data_copy, "coverage.csv", "000063.SZ,", "63,")
    edit(data_copy, "coverage.csv", ",1.94,", ",n.a.,")
    edit(data_copy, "coverage.csv", ",中兴通讯,", ",,")
    edit(data_copy, "token_prices.csv", "5.00,,15.00,USD", "5.00,,,USD")
    edit(data_copy, "claims.csv", "o1-preview,gpt-4o,ratio,input", "o1-preview,gpt4o,ratio,input")
    assert_rejected(data_copy, previous, [
        ("coverage.csv", 1, "clsoe", "did you mean 'close'?"),
        ("coverage.csv", 2, "EPS 2023A", "'n.a.' is not a number"),
        ("coverage.csv", 7, "code", "'63' is not a ticker"),
        ("coverage.csv", 7, "name", "empty"),
        ("token_prices.csv", 2, "output_per_1m", "empty"),
        ("claims.csv", 2, "model_b", "did you mean 'gpt-4o'?"),
    ])


def test_errors_are_sorted_by_file_and_line(data_copy):
    edit(data_copy, "coverage.csv", "000063.SZ,", "63,")
    edit(data_copy, "coverage.csv", "code,name,close,", "code,name,clsoe,")
    edit(data_copy, "coverage.csv", ",1.94,", ",n.a.,")
    with pytest.raises(DataErrors) as caught:
        load_dataset(data_copy)
    assert [(e.file, e.row) for e in caught.value.errors] == [
        ("coverage.csv", 1), ("coverage.csv", 2), ("coverage.csv", 7)]


def test_utf16_file_names_the_encodings_tried(data_copy, previous):
    # Excel's "Unicode Text" is UTF-16 with a BOM: neither encoding decodes it.
    text = (data_copy / "coverage.csv").read_text(encoding="utf-8")
    (data_copy / "coverage.csv").write_bytes(text.encode("utf-16"))
    assert_rejected(data_copy, previous, [(
        "coverage.csv", 1, None,
        "cannot decode the text (UTF-8 (with or without BOM) fails at line 1; GB18030 "
        "(GBK) fails at line 1); it is UTF-16 (Excel's 'Unicode Text'); save it as UTF-8")])


def test_undecodable_byte_names_its_line(data_copy, previous):
    # A GBK file with one byte no encoding accepts (0xFF) on line 7.
    text = (data_copy / "coverage.csv").read_text(encoding="utf-8")
    raw = text.encode("gbk").replace("中兴通讯".encode("gbk"), b"\xff\xff")
    (data_copy / "coverage.csv").write_bytes(raw)
    assert_rejected(data_copy, previous, [(
        "coverage.csv", 7, None,
        "UTF-8 (with or without BOM) fails at line 2; GB18030 (GBK) fails at line 7")])


def test_a_text_longer_than_an_excel_cell_is_rejected_not_cut(data_copy, previous):
    edit(data_copy, "coverage.csv", ",中兴通讯,", "," + "中" * 32768 + ",")
    assert_rejected(data_copy, previous, [
        ("coverage.csv", 7, "name", "longer than 32767 characters")])


def test_missing_data_file_is_named(data_copy, previous):
    (data_copy / "coverage.csv").unlink()
    assert_rejected(data_copy, previous, [("coverage.csv", None, None, "file not found in")])


def test_without_the_reference_files_the_build_checks_nothing(data_copy, tmp_path):
    # report_pe.csv and claims.csv only pin the report's figures (docs/data-files.md).
    (data_copy / "report_pe.csv").unlink()
    (data_copy / "claims.csv").unlink()
    from workbook.build import build

    result = build(data_copy, tmp_path / "b.xlsm")
    assert result.checks == [] and result.ok
    assert result.path.exists()


def test_cli_prints_path_row_column_and_exits_non_zero(data_copy, previous):
    """The real command (a subprocess), as a user runs it."""
    import subprocess
    import sys

    path, before = previous
    edit(data_copy, "coverage.csv", "000063.SZ,", "63,")
    proc = subprocess.run([sys.executable, "-m", "workbook", "build", "--data", str(data_copy),
                           "--output", str(path)], capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[0].startswith(f"{data_copy / 'coverage.csv'}:7:code: '63' ")
    assert "Traceback" not in proc.stderr
    assert path.read_bytes() == before


def test_blank_rows_excel_leaves_below_the_table_are_skipped(data_copy):
    # Excel writes ",,,,,,,," for formatted but empty rows; an error after them still
    # names the file's line.
    path = data_copy / "coverage.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text + ",,,,,,,,\r\n,,,,,,,,\r\n", encoding="utf-8")
    assert len(load_dataset(data_copy).coverage.stocks) == 15
    path.write_text(text + ",,,,,,,,\n600000.SH,浦发银行,8.00,2024-09-23,XX,1,1,1,1\n",
                    encoding="utf-8")
    with pytest.raises(DataErrors) as caught:
        load_dataset(data_copy)
    assert [(e.row, e.column) for e in caught.value.errors] == [(18, "rating")]


def test_a_price_table_without_models_is_an_error(data_copy, previous):
    path = data_copy / "token_prices.csv"
    path.write_text(path.read_text(encoding="utf-8").splitlines()[0] + "\n", encoding="utf-8")
    assert_rejected(data_copy, previous, [("token_prices.csv", None, None, "no models")])


def test_a_duplicate_code_in_the_printed_pe_grid_is_an_error(data_copy, previous):
    path = data_copy / "report_pe.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(lines + [lines[1]]) + "\n", encoding="utf-8")
    assert_rejected(data_copy, previous, [
        ("report_pe.csv", 17, "code", "300308.SZ already appears on row 2")])


def test_a_duplicate_claim_id_is_an_error(data_copy, previous):
    edit(data_copy, "claims.csv", "o1p-output-vs-4o,", "o1p-input-vs-4o,")
    assert_rejected(data_copy, previous, [
        ("claims.csv", 3, "id", "o1p-input-vs-4o already appears on row 2")])
