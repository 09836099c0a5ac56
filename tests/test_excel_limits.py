"""Data beyond one of Excel's limits (rows, columns, text length, formula length) is
refused before anything is written, as ``file:row:column`` naming the limit; a cell
XlsxWriter refuses anyway (a negative return code) fails the build. Each case exits 2
and leaves the previous workbook byte for byte as it was.

The limits are Microsoft's ("Excel specifications and limits"); the first three are
checked here against XlsxWriter's own, an independent statement of them.
"""

from __future__ import annotations

import openpyxl
import pytest
import xlsxwriter
from openpyxl.utils import get_column_letter
from python_calamine import CalamineWorkbook

from conftest import cli_build, previous_copy
from helpers.build_cli import assert_rejected
from helpers.data_files import edit, rewrite_csv
from workbook import DATA_DIR
from workbook.sheets import limits


@pytest.fixture
def previous(shipped, tmp_path):
    """conftest's previous workbook, from one layout only (these cases do not depend
    on it)."""
    return previous_copy(shipped, tmp_path)


def only_error(result, data, previous):
    """The single problem line of a refused build (exit 2, previous file unchanged)."""
    path, before = previous
    assert result.exit_code == 2, result.output
    lines = result.stderr.splitlines()
    assert lines[-1] == "1 problem(s) in the data; nothing was written.", result.stderr
    assert path.read_bytes() == before
    assert sorted(p.name for p in path.parent.iterdir()) == [path.name]
    assert len(lines) == 2, result.stderr
    return lines[0]


def test_the_limits_are_excels_as_xlsxwriter_states_them(tmp_path):
    wb = xlsxwriter.Workbook(str(tmp_path / "x.xlsx"))
    ws = wb.add_worksheet()
    assert (ws.xls_rowmax, ws.xls_colmax, ws.xls_strmax) == (1_048_576, 16_384, 32_767)
    assert (limits.MAX_ROWS, limits.MAX_COLS, limits.MAX_TEXT) == (1_048_576, 16_384, 32_767)
    assert limits.MAX_FORMULA == 8_192
    assert limits.LAST_COL == "XFD"
    # XlsxWriter writes nothing past the last row or column and says so with -1.
    assert ws.write_number(limits.MAX_ROWS - 1, limits.MAX_COLS - 1, 1) == 0
    assert ws.write_number(limits.MAX_ROWS, 0, 1) == -1
    assert ws.write_number(0, limits.MAX_COLS, 1) == -1
    wb.close()


def fiscal_years(data, n, targets):
    """Rewrite *data*'s coverage.csv to its first stock with *n* fiscal years (the last
    one an estimate, so the table has EPS CAGR and PEG columns) and, with *targets*, a
    target price; drop report_pe.csv (its years are gone)."""
    years = [f"EPS {1000 + k}{'A' if k < n - 1 else 'E'}" for k in range(n)]
    rewrite_csv(data / "coverage.csv", lambda rows: [
        rows[0][:5] + (["target_price"] if targets else []) + years,
        rows[1][:5] + (["150.00"] if targets else []) + ["1.0"] * (n - 1) + ["2.0"]])
    (data / "report_pe.csv").unlink(missing_ok=True)


@pytest.mark.parametrize("targets, limit, right", [
    (False, 8_188, "2 column(s) right of the P/E block (EPS CAGR, PEG)"),
    (True, 8_186, "6 column(s) right of the P/E block (target price, upside, implied "
                  "rating, rating check, EPS CAGR, PEG)")])
def test_the_most_fiscal_years_fit_and_one_more_is_one_clear_line(
        data_copy, previous, tmp_path, targets, limit, right):
    # 5 fixed columns + an EPS and a P/E column per year + the columns right of them:
    # 5 + 2 x 8,188 + 2 = 16,383 and 5 + 2 x 8,186 + 6 = 16,383 of Excel's 16,384.
    assert limits.max_fiscal_years(targets, True) == limit
    fiscal_years(data_copy, limit, targets)
    out = tmp_path / "limit.xlsm"
    result = cli_build(data_copy, out)
    assert result.exit_code == 0, result.output
    ws = openpyxl.load_workbook(out, read_only=True)["重点标的"]
    last = 5 + 2 * limit + (6 if targets else 2)  # 1-based: the PEG column
    pe = 5 + 2 * limit  # 1-based: the last P/E column, the PEG's P/E
    header = [c.value for c in next(ws.iter_rows(min_row=3, max_row=3, min_col=pe,
                                                  max_col=last + 1))]
    assert header == [f"P/E {1000 + limit - 1}E"] + header[1:-3] + [
        f"EPS CAGR {1000 + limit - 2}A–{1000 + limit - 1}E", f"PEG {1000 + limit - 1}E",
        None]
    row = [c.value for c in next(ws.iter_rows(min_row=4, max_row=4, min_col=last - 1,
                                               max_col=last))]
    assert row == [f"=EPS_CAGR({get_column_letter(5 + limit - 1)}4,"
                   f"{get_column_letter(5 + limit)}4,1)",
                   f"=PEG({get_column_letter(pe)}4,{get_column_letter(last - 1)}4)"]
    assert last == 16_383

    fiscal_years(data_copy, limit + 1, targets)
    line = only_error(cli_build(data_copy, previous[0]), data_copy, previous)
    assert line == (
        f"{data_copy / 'coverage.csv'}:1:EPS {1000 + limit}E: fiscal year {limit + 1:,} "
        f"is one too many: sheet 重点标的 has 5 columns, an EPS and a P/E column per "
        f"fiscal year, then {right}, so it holds at most {limit:,} fiscal years in "
        f"Excel's 16,384 columns (A to XFD; {limit + 1:,} here): delete the EPS columns "
        "of the earliest 1 year(s)")


def test_without_growth_columns_one_more_fiscal_year_fits(data_copy, previous):
    # All actual years: no EPS CAGR and PEG, so 8,189 years (16,383 columns) fit and
    # 8,190 are refused.
    assert limits.max_fiscal_years(False, False) == 8_189
    assert limits.max_fiscal_years(True, False) == 8_187
    years = [f"EPS {1000 + k}A" for k in range(8190)]
    rewrite_csv(data_copy / "coverage.csv",
                lambda rows: [rows[0][:5] + years] + [r[:5] + ["1.0"] * 8190 for r in rows[1:]])
    (data_copy / "report_pe.csv").unlink()
    line = only_error(cli_build(data_copy, previous[0]), data_copy, previous)
    assert line.startswith(f"{data_copy / 'coverage.csv'}:1:EPS 9189A: fiscal year 8,190 "
                           "is one too many: sheet 重点标的 has 5 columns, an EPS and a P/E "
                           "column per fiscal year, so it holds at most 8,189 fiscal years")


def test_more_models_than_excel_has_columns(data_copy, previous):
    # The ratio matrices and the output-price table: a label column, then one column
    # per model: 16,383 models at most. The shipped file has 27 rows of 13 models.
    def more_models(rows):
        assert len(rows) - 1 == 27
        extra = [[f"m{i}", f"M {i}", "2024-09-24", "1.00", "", "2.00", "USD", "no", "1000",
                  "2023-10", "test"] for i in range(16_384 - 13)]
        return rows + extra
    rewrite_csv(data_copy / "token_prices.csv", more_models)
    line = only_error(cli_build(data_copy, previous[0]), data_copy, previous)
    # model 16,384 is the 16,371st extra row: line 1 + 27 + 16,371 = 16,399
    assert line == (
        f"{data_copy / 'token_prices.csv'}:16399:model: model 16,384 is one too many: the "
        "price-ratio matrices and the output-price table on sheet Token价格 have a column "
        "per model after the row labels, so they hold at most 16,383 models in Excel's "
        "16,384 columns")


def test_more_printed_figures_than_excel_has_rows(data_copy, previous):
    # 核对 lists every printed P/E and claim below 4 title rows: 1,048,572 at most.
    # 117 rows x 8,963 year columns = 1,048,671 printed P/Es (plus the 5 claims).
    header = ["code"] + [f"P/E {1000 + k}A" for k in range(8963)]
    rows = [header] + [[f"{i:06d}.XX"] + ["10.00"] * 8963 for i in range(117)]
    rewrite_csv(data_copy / "report_pe.csv", lambda _: rows)
    line = only_error(cli_build(data_copy, previous[0]), data_copy, previous)
    # Figure 1,048,573 (index 1,048,572) is the first beyond: a P/E on data row
    # 1,048,572 // 8,963 + 1, in year column 1,048,572 % 8,963.
    index = 1_048_572
    row, col = divmod(index, 8963)
    assert line == (
        f"{data_copy / 'report_pe.csv'}:{row + 2}:P/E {1000 + col}A: figure 1,048,573 is one "
        "too many: sheet 核对 lists every printed P/E (report_pe.csv) and every claim "
        "(claims.csv) on a row of its own below 4 title rows, so it holds at most "
        "1,048,572 in Excel's 1,048,576 rows (1,048,676 here)")


def test_more_stocks_than_rows(data_copy, previous, monkeypatch):
    # A million stocks take minutes to load; the same rule at a smaller grid: 3 header
    # rows + 15 stocks + the mean row = 19 rows do not fit in 18 (without the printed
    # figures, whose 核对 rows would not fit either).
    monkeypatch.setattr(limits, "MAX_ROWS", 18)
    (data_copy / "report_pe.csv").unlink()
    line = only_error(cli_build(data_copy, previous[0]), data_copy, previous)
    # stock 15 (000938.SZ) is on line 16
    assert line == (
        f"{data_copy / 'coverage.csv'}:16:code: stock 15 is one too many: sheet 重点标的 has "
        "3 header rows, a row per stock and the mean row, so it holds at most 14 stocks in "
        "Excel's 18 rows")


def test_a_name_that_overflows_the_checks_item(data_copy, previous):
    # Each cell of coverage.csv fits (<= 32,767), but 核对 shows
    # "300308.SZ <name> P/E 2023A": 9 + 1 + 32,760 + 5 + 5 characters.
    edit(data_copy, "coverage.csv", ",中际旭创,", "," + "中" * 32760 + ",")
    line = only_error(cli_build(data_copy, previous[0]), data_copy, previous)
    assert line == (
        f"{data_copy / 'coverage.csv'}:2:name: sheet 核对 cell B5 would hold 32,780 "
        "characters, more than the 32,767 an Excel cell holds")


def test_a_model_id_that_overflows_a_formula(data_copy, previous):
    # 核对 quotes both model ids of a claim in its formula: =COST_RATIO("…","gpt-4o",
    # "input",DATE(2024,9,24)) (the claim's date). A model priced as o1-preview, with an id of 8,200 characters, named by
    # the first claim (on 核对 row 65: 4 title rows and 60 printed P/Es above it).
    long_id = "o" * 8200
    path = data_copy / "token_prices.csv"
    o1p = next(l for l in path.read_text(encoding="utf-8").splitlines()
               if l.startswith("o1-preview,"))
    path.write_text(path.read_text(encoding="utf-8") + long_id + o1p[len("o1-preview"):]
                    + "\n", encoding="utf-8")
    edit(data_copy, "claims.csv", "o1p-input-vs-4o,o1-preview,", f"o1p-input-vs-4o,{long_id},")
    line = only_error(cli_build(data_copy, previous[0]), data_copy, previous)
    length = len(f'=COST_RATIO("{long_id}","gpt-4o","input",DATE(2024,9,24))')
    assert line == (
        f"{data_copy / 'claims.csv'}:2:model_a: sheet 核对 cell D65 would hold a formula of "
        f"{length:,} characters, more than the 8,192 Excel allows")


def test_a_scale_title_that_overflows_its_cell(data_copy, previous, own_scales):
    # 评级说明 heads each scale with "<broker> <broker_en> · <title> <title_en> · <id>
    # (<aliases>)" in one cell: the first scale's heading in A6.
    text = (data_copy / "rating_scales.toml").read_text(encoding="utf-8")
    title = next(l for l in text.splitlines() if l.startswith("title ="))
    row = text.splitlines().index(title) + 1
    edit(data_copy, "rating_scales.toml", title, 'title = "' + "评" * 32760 + '"')
    line = only_error(cli_build(data_copy, previous[0]), data_copy, previous)
    heading = f"天风证券 Tianfeng Securities · {'评' * 32760} Stock rating · tianfeng (stock)"
    assert line == (
        f"{data_copy / 'rating_scales.toml'}:{row}:title: sheet 评级说明 cell A6 would hold "
        f"{len(heading):,} characters, more than the 32,767 an Excel cell holds")


def test_a_toml_text_longer_than_a_cell_is_rejected_not_cut(data_copy, previous, own_scales):
    edit(data_copy, "rating_scales.toml", 'label = "卖出"', 'label = "' + "卖" * 32768 + '"')
    text = (data_copy / "rating_scales.toml").read_text(encoding="utf-8")
    row = next(i for i, l in enumerate(text.splitlines(), 1) if l.startswith('label = "卖卖'))
    assert_rejected(data_copy, previous, [
        ("rating_scales.toml", row, "label",
         "[tianfeng] band 4: longer than 32767 characters, the most an Excel cell holds")])


def test_a_cell_xlsxwriter_refuses_fails_the_build(previous, monkeypatch):
    # Past the checks above (disabled here), the writer's return codes still stop a
    # build: a cell beyond the last row must not vanish from a file that exits 0.
    import workbook.sheets as sheets_module
    from workbook.model import value

    real = sheets_module.build_sheets

    def one_cell_too_far(data, **kwargs):
        sheets, checks = real(data, **kwargs)
        sheets[0].add(limits.MAX_ROWS, 0, [[value("beyond")]])
        return sheets, checks

    monkeypatch.setattr("workbook.build.build_sheets", one_cell_too_far)
    result = cli_build(DATA_DIR, previous[0])
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {previous[0]}: not written: sheet '重点标的' cell A1048577: beyond Excel's "
        "last row (1,048,576) or column (XFD); the previous file is unchanged\n")
    assert previous[0].read_bytes() == previous[1]
    assert sorted(p.name for p in previous[0].parent.iterdir()) == [previous[0].name]


def test_many_close_dates_fit_the_note(data_copy, tmp_path):
    # The note above the table lists the close dates; beyond 5 it gives their range,
    # so thousands of dates cannot overflow its cell.
    rewrite_csv(data_copy / "coverage.csv", lambda rows: [rows[0]] + [
        r[:3] + [f"2024-09-{k + 1:02d}"] + r[4:] for k, r in enumerate(rows[1:])])
    (data_copy / "report_pe.csv").unlink()
    out = tmp_path / "b.xlsx"
    assert cli_build(data_copy, out).exit_code == 0
    note = CalamineWorkbook.from_path(str(out)).get_sheet_by_name("重点标的").to_python()[1][0]
    assert note.startswith("收盘价 Close: CNY, 2024-09-01 … 2024-09-15 (15 dates); EPS")
