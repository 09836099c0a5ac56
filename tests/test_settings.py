"""``settings.toml`` (as-of date, the table's rating scale, the benchmark's expected
return) and ``coverage.csv``'s optional ``target_price`` column: what they accept,
the errors they give (file:row:column), the data hash and ``coverbook sample``."""

from __future__ import annotations

import datetime as dt

import pytest

from helpers.build_cli import assert_rejected
from helpers.data_files import edit, line_of, with_targets
from workbook import DATA_DIR
from workbook.dataset import load_dataset
from workbook.provenance import data_hash
from workbook.sample import write_sample

SETTINGS = "settings.toml"


def test_the_shipped_settings():
    s = load_dataset(DATA_DIR).settings
    assert s.as_of == dt.date(2024, 9, 24)  # the report's date, set by hand
    assert s.rating_scale == "tianfeng"
    assert s.benchmark_return == 0.0 and s.benchmark_return_date == dt.date(2024, 9, 24)


def test_an_alias_names_the_scale_by_its_id(data_copy):
    edit(data_copy, SETTINGS, 'rating_scale = "tianfeng"', 'rating_scale = "Stock"')
    assert load_dataset(data_copy).settings.rating_scale == "tianfeng"


def test_left_out_keys_take_their_defaults(data_copy):
    path = data_copy / SETTINGS
    path.write_text("as_of = 2024-09-24\n", encoding="utf-8")
    s = load_dataset(data_copy).settings
    assert (s.rating_scale, s.benchmark_return, s.benchmark_return_date) == (
        "tianfeng", 0.0, dt.date(2024, 9, 24))


def test_another_brokers_scale_checks_the_published_ratings_against_it(data_copy, previous):
    # Guotai Junan's labels are 增持 / 谨慎增持 / 中性 / 减持: the report's 买入 is none.
    edit(data_copy, SETTINGS, 'rating_scale = "tianfeng"', 'rating_scale = "gtja"')
    rows = [i for i, line in enumerate(
        (data_copy / "coverage.csv").read_text(encoding="utf-8").splitlines(), start=1)
        if ",买入," in line]
    assert_rejected(data_copy, previous, [
        ("coverage.csv", row, "rating", "'买入' is not a rating of the gtja scale "
         "(国泰君安 股票投资评级); known: 增持, 谨慎增持, 中性, 减持") for row in rows])


def test_huatai_shares_the_labels_so_the_table_loads(data_copy):
    edit(data_copy, SETTINGS, 'rating_scale = "tianfeng"', 'rating_scale = "huatai"')
    data = load_dataset(data_copy)
    assert data.table_scale.key == "huatai" and data.table_scale.broker == "华泰证券"


@pytest.mark.parametrize("value,fragment", [
    ('"bond"', "unknown scale 'bond'; the stock scales in rating_scales.toml: cmsc, csc, "
               "gtja, huatai, industrial, nesc, tianfeng"),
    ('"industry"', "'industry' is an industry scale; the key-stocks table is rated on a "
                   "stock scale"),
    ("3", "3 is not a scale id"),
])
def test_a_bad_rating_scale(data_copy, previous, value, fragment):
    edit(data_copy, SETTINGS, 'rating_scale = "tianfeng"', f"rating_scale = {value}")
    row = line_of(data_copy, SETTINGS, f"rating_scale = {value}")
    assert_rejected(data_copy, previous, [(SETTINGS, row, "rating_scale", fragment)])


@pytest.mark.parametrize("value,fragment", [
    ("5", "5 is 500%: the return is a fraction, 0.05 for 5%"),
    ('"5%"', "'5%' is not a number (no % sign: 0.05 for 5%)"),
    ("-1.0", "-1.0 is not a return"),
    ("true", "True is not a number"),
])
def test_a_bad_benchmark_return(data_copy, previous, value, fragment):
    edit(data_copy, SETTINGS, "benchmark_return = 0.0", f"benchmark_return = {value}")
    row = line_of(data_copy, SETTINGS, f"benchmark_return = {value}")
    assert_rejected(data_copy, previous, [(SETTINGS, row, "benchmark_return", fragment)])


def test_a_benchmark_return_needs_its_date(data_copy, previous):
    edit(data_copy, SETTINGS, "benchmark_return_date = 2024-09-24\n", "")
    row = line_of(data_copy, SETTINGS, "benchmark_return = 0.0")
    assert_rejected(data_copy, previous, [
        (SETTINGS, row, "benchmark_return_date", "say when the benchmark return was set")])


def test_a_misspelt_setting_is_an_error(data_copy, previous):
    edit(data_copy, SETTINGS, "rating_scale =", "rating_scal =")
    row = line_of(data_copy, SETTINGS, "rating_scal =")
    assert_rejected(data_copy, previous, [
        (SETTINGS, row, "rating_scal", "unknown setting; did you mean 'rating_scale'?")])


@pytest.mark.parametrize("lines, line", [
    ("\n[extra]\nfoo = 1\n", "[extra]"),  # a table: its header line
    ("\nextra.foo = 1\n", "extra.foo = 1"),  # a dotted key
    ("\n[[extra]]\nfoo = 1\n", "[[extra]]"),  # an array of tables
])
def test_an_unknown_table_is_an_error_at_its_line(data_copy, previous, lines, line):
    with open(data_copy / SETTINGS, "a", encoding="utf-8") as f:
        f.write(lines)
    row = line_of(data_copy, SETTINGS, line)
    assert row > 20  # after the shipped settings
    assert_rejected(data_copy, previous, [
        (SETTINGS, row, "extra", "unknown setting (a table; the settings are top-level "
                                 "keys); known: as_of, rating_scale, benchmark_return, "
                                 "benchmark_return_date")])


def test_a_benchmark_return_set_after_as_of_is_an_error(data_copy, previous):
    edit(data_copy, SETTINGS, "benchmark_return_date = 2024-09-24",
         "benchmark_return_date = 2024-09-25")
    row = line_of(data_copy, SETTINGS, "benchmark_return_date = 2024-09-25")
    assert_rejected(data_copy, previous, [
        (SETTINGS, row, "benchmark_return_date",
         "2024-09-25 is after as_of 2024-09-24, the date the data describes: the benchmark "
         "return must have been set by then; correct the date, or set as_of to the day "
         "the data describes")])


def test_a_close_after_as_of_is_an_error(data_copy, previous):
    # 中际旭创's close of 2024-09-23 moved to the day after as_of (row 2); as_of
    # itself is fine (a close of the day the data describes).
    edit(data_copy, "coverage.csv", "108.90,2024-09-23", "108.90,2024-09-25")
    edit(data_copy, "coverage.csv", "95.25,2024-09-23", "95.25,2024-09-24")
    assert_rejected(data_copy, previous, [
        ("coverage.csv", 2, "close_date",
         "2024-09-25 is after as_of 2024-09-24 in settings.toml, the date the data "
         "describes: a close cannot be later; correct the close date, or set as_of to "
         "the day the data describes")])


def test_settings_are_in_the_data_hash_and_in_a_sample(data_copy, tmp_path):
    before = data_hash(data_copy)
    edit(data_copy, SETTINGS, "benchmark_return = 0.0", "benchmark_return = 0.02")
    assert data_hash(data_copy) != before
    out = write_sample(tmp_path / "s", 10, 2, seed=1, data_dir=data_copy)
    # The sample keeps every setting but its source line, which names synthetic figures.
    def without_source(text):
        return [line for line in text.splitlines() if not line.startswith("source = ")]

    sample_text = (out / SETTINGS).read_text(encoding="utf-8")
    assert without_source(sample_text) == without_source(
        (data_copy / SETTINGS).read_text(encoding="utf-8"))
    settings = load_dataset(out).settings
    assert settings.benchmark_return == 0.02
    assert "synthetic" in settings.source and "Tianfeng" not in settings.source


def test_a_sample_is_rated_on_the_settings_scale(data_copy, tmp_path):
    edit(data_copy, SETTINGS, 'rating_scale = "tianfeng"', 'rating_scale = "gtja"')
    data = load_dataset(write_sample(tmp_path / "s", 300, 2, seed=1, data_dir=data_copy))
    assert {s.rating for s in data.coverage.stocks} == {"增持", "谨慎增持", "中性", "减持"}


# --- coverage.csv: target_price -----------------------------------------------------------


def test_target_prices_are_read_and_blank_is_no_target(data_copy):
    assert not load_dataset(DATA_DIR).coverage.has_targets
    with_targets(data_copy, {"300308.SZ": "150.00", "000063.SZ": "30"})
    cov = load_dataset(data_copy).coverage
    assert cov.has_targets
    targets = {s.code: s.target_price for s in cov.stocks}
    assert targets["300308.SZ"] == 150.0 and targets["000063.SZ"] == 30.0
    assert sum(t is None for t in targets.values()) == 13
    assert [y.label for y in cov.years] == ["2023A", "2024E", "2025E", "2026E"]


@pytest.mark.parametrize("target,fragment", [
    ("-5", "-5 must be greater than 0"), ("0", "0 must be greater than 0"),
    ("150元", "'150元' is not a number"), ("1,500", "no commas")])
def test_a_bad_target_price(data_copy, previous, target, fragment):
    with_targets(data_copy, {"000063.SZ": target if "," not in target else f'"{target}"'})
    row = line_of(data_copy, "coverage.csv", "000063.SZ")
    assert_rejected(data_copy, previous, [("coverage.csv", row, "target_price", fragment)])


def test_a_near_miss_of_the_target_column_gets_a_hint(data_copy, previous):
    with_targets(data_copy, {})
    edit(data_copy, "coverage.csv", ",target_price,", ",target,")
    assert_rejected(data_copy, previous, [
        ("coverage.csv", 1, "target", "unknown column; did you mean 'target_price'?")])


def _ratings_to_english(data_copy, count=2):
    """Replace the published rating of the first *count* stocks by its English label
    (a mistake the tianfeng scale refuses); return their lines."""
    path = data_copy / "coverage.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    english = {"买入": "Buy", "增持": "Accumulate"}
    for i in range(1, count + 1):
        cells = lines[i].split(",")
        cells[4] = english[cells[4]]
        lines[i] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return list(range(2, count + 2))


def test_a_settings_problem_does_not_hide_the_ratings_problems(data_copy, previous):
    # Found by a new user: a misspelt as_of used to be the only problem listed; the
    # English ratings in coverage.csv showed up only once the settings were fixed.
    edit(data_copy, SETTINGS, "as_of = 2024-09-24", "asof = 2024-09-24")
    rows = _ratings_to_english(data_copy)
    assert_rejected(data_copy, previous, [
        (SETTINGS, None, "as_of", "missing; add the line as_of = 2024-09-24"),
        (SETTINGS, line_of(data_copy, SETTINGS, "asof ="), "asof",
         "unknown setting; did you mean 'as_of'?"),
        ("coverage.csv", rows[0], "rating", "'Buy' is not a rating of the tianfeng scale"),
        ("coverage.csv", rows[1], "rating", "'Buy' is not a rating of the tianfeng scale"),
    ])


def test_with_a_bad_benchmark_the_ratings_are_checked_on_the_settings_scale(
        data_copy, previous):
    # rating_scale is valid (gtja), benchmark_return is not: coverage.csv is still
    # checked on gtja, whose labels do not include the report's 买入.
    edit(data_copy, SETTINGS, 'rating_scale = "tianfeng"', 'rating_scale = "gtja"')
    edit(data_copy, SETTINGS, "benchmark_return = 0.0", "benchmark_return = 5")
    text = (data_copy / "coverage.csv").read_text(encoding="utf-8").splitlines()
    buy_rows = [i for i, line in enumerate(text, start=1) if ",买入," in line]
    expected = [(SETTINGS, line_of(data_copy, SETTINGS, "benchmark_return ="),
                 "benchmark_return", "5 is 500%: the return is a fraction, 0.05 for 5%")]
    expected += [("coverage.csv", row, "rating", "'买入' is not a rating of the gtja scale")
                 for row in buy_rows]
    assert_rejected(data_copy, previous, expected)


def test_an_unknown_settings_scale_leaves_the_ratings_unchecked(data_copy, previous):
    # No scale to check against: the one problem is the scale's, not 15 false ratings.
    edit(data_copy, SETTINGS, 'rating_scale = "tianfeng"', 'rating_scale = "bond"')
    assert_rejected(data_copy, previous, [
        (SETTINGS, line_of(data_copy, SETTINGS, "rating_scale ="), "rating_scale",
         "unknown scale 'bond'")])


@pytest.mark.parametrize("file,old,new,line_of_text,hint", [
    # The two a fresh user typed: a key twice, and text after a date.
    ("settings.toml", "as_of = 2024-09-24", "as_of = 2024-09-24\nas_of = 2024-09-25",
     "as_of = 2024-09-25", "Cannot overwrite a value (at line {row}, column 19); a key or a "
     "[table] is given twice: keep one of them"),
    ("settings.toml", "as_of = 2024-09-24", "as_of = 2024-09-24x", "as_of = 2024-09-24x",
     "Expected newline or end of document after a statement (at line {row}, column 19); "
     "something follows the value on this line"),
    ("rating_scales.toml", 'label = "卖出"', "label = 卖出", "label = 卖出",
     'Invalid value (at line {row}, column 9); a value is a number (0.15), a date '
     '(2024-09-24), true or false, or text in double quotes ("买入")'),
    ("rating_scales.toml", 'label = "卖出"', 'label = "卖出', 'label = "卖出',
     "Illegal character '\\n' (at line {row}, column 12); a text value's closing double "
     "quote is missing"),
    ("settings.toml", "as_of = 2024-09-24", "as_of 2024-09-24", "as_of 2024-09-24",
     "Expected '=' after a key in a key/value pair (at line {row}, column 7); write key = value"),
])
def test_a_toml_syntax_error_says_what_to_type(own_scales, data_copy, previous, file, old,
                                                new, line_of_text, hint):
    edit(data_copy, file, old, new)
    row = line_of(data_copy, file, line_of_text)
    assert_rejected(data_copy, previous, [(file, row, None, "not valid TOML: "
                                           + hint.format(row=row))])


def shipped_settings_without_source(folder) -> str:
    """The text of *folder*'s settings.toml without its ``source = ...`` line."""
    return "".join(line for line in (folder / SETTINGS).read_text(encoding="utf-8")
                   .splitlines(keepends=True) if not line.startswith("source ="))


def test_provenance_and_extra_column_settings_are_read(data_copy):
    (data_copy / SETTINGS).write_text(
        shipped_settings_without_source(data_copy)
        + '\nsource = " Own estimates, Jane Doe "\nauthor = "Jane Doe"\n'
          'institution = "Example Capital"\ndisclaimer = "Not advice."\n'
          'extra_columns = ["sector", "analyst"]\n', encoding="utf-8")
    coverage = data_copy / "coverage.csv"  # the declared columns are coverage.csv's
    lines = coverage.read_text(encoding="utf-8").splitlines()
    coverage.write_text("\n".join([lines[0] + ",analyst,sector"]
                                  + [line + ",," for line in lines[1:]]) + "\n",
                        encoding="utf-8")
    s = load_dataset(data_copy).settings
    assert (s.source, s.author, s.institution, s.disclaimer) == (
        "Own estimates, Jane Doe", "Jane Doe", "Example Capital", "Not advice.")
    assert s.extra_columns == ("sector", "analyst")


@pytest.mark.parametrize("line,key,fragment", [
    ("source = 3", "source", "3 is not text; write source = \"...\""),
    ('author = ""', "author", "empty; write the text between the quotes"),
    ('extra_columns = "sector"', "extra_columns", "'sector' is not a list of column names"),
    ('extra_columns = ["sector", 2]', "extra_columns", "2 is not a column name"),
    ('extra_columns = ["sector", "sector"]', "extra_columns", "'sector' is listed twice"),
])
def test_bad_provenance_and_extra_column_settings(data_copy, previous, line, key, fragment):
    (data_copy / SETTINGS).write_text(
        shipped_settings_without_source(data_copy) + f"\n{line}\n", encoding="utf-8")
    assert_rejected(data_copy, previous,
                    [(SETTINGS, line_of(data_copy, SETTINGS, line), key, fragment)])
