"""Several brokers' rating scales: RATING at every edge of every scale, just inside and
just outside it, against a table transcribed here by hand from the brokers' rating
disclosures (docs/sources.md; transcribed from the project's shared reference table,
not read from the data file), and the scales file's own rules."""

from __future__ import annotations

import pytest

from conftest import cli_build
from helpers.build_cli import assert_rejected
from helpers.data_files import edit, line_of
from helpers.rating_table import EDGES, hand_rating
from udfs import INDUSTRY_RATING, RATING
from workbook import DATA_DIR
from workbook.dataset import SHIPPED_SCALES, load_dataset, load_rating_scales

#: Far enough from an edge to survive rounding to 10 decimal places.
OUTSIDE = 1e-9
#: Close enough to an edge that rounding to 10 decimal places puts it on the edge.
ROUNDED_ONTO = 1e-12


def test_the_shipped_file_has_exactly_these_scales():
    data = load_dataset(DATA_DIR)
    assert list(data.scales) == list(EDGES)
    for key, edges in EDGES.items():
        scale = data.scales[key]
        inner = sorted({e for b in scale.bands for e in (b.lower, b.upper)
                        if abs(e) != float("inf")}, reverse=True)
        assert inner == [e for e, *_ in edges], key


@pytest.mark.parametrize("key", list(EDGES))
def test_every_edge_and_just_inside_and_outside_it(key):
    for edge, at, above, below in EDGES[key]:
        assert RATING(edge, key) == at, (key, edge)
        assert RATING(edge + OUTSIDE, key) == above, (key, edge, "above")
        assert RATING(edge - OUTSIDE, key) == below, (key, edge, "below")
        # Within 1e-12 of the edge is the edge (rounded to 10 decimal places).
        assert RATING(edge + ROUNDED_ONTO, key) == at, (key, edge, "+1e-12")
        assert RATING(edge - ROUNDED_ONTO, key) == at, (key, edge, "-1e-12")


@pytest.mark.parametrize("key", list(EDGES))
def test_far_ends_and_a_range(key):
    edges = EDGES[key]
    top, bottom = edges[0][2], edges[-1][3]
    assert RATING(5.0, key) == RATING(1e300, key) == top
    assert RATING(-0.99, key) == RATING(-1e300, key) == bottom
    xs = [[e] for e, *_ in edges]
    assert RATING(xs, key) == [[at] for _, at, _, _ in edges]


def test_a_return_computed_in_binary_lands_on_its_decimal_edge():
    assert 120 / 100 - 1 == 0.19999999999999996  # the float, below 0.2
    assert RATING(120 / 100 - 1) == "买入"
    assert RATING(115 / 100 - 1, "industrial") == "增持"  # 0.1499999999999999 -> 0.15
    assert RATING(95 / 100 - 1, "industrial") == "中性"  # -0.05000000000000004 -> -0.05


def test_the_same_return_gets_each_brokers_own_label():
    assert RATING(0.16) == "增持"  # Tianfeng: 10%-20%
    assert RATING(0.16, "huatai") == "买入"  # Huatai: 15%以上
    assert RATING(0.16, "gtja") == "增持"  # Guotai Junan: its top band, 15%以上
    assert RATING(0.16, "cmsc") == "增持"  # China Merchants: 5%-20%
    assert RATING(0.16, "gtja", True) == "Buy" and RATING(0.16, "stock", True) == "Accumulate"


def test_scale_names_are_case_and_space_insensitive():
    assert RATING(0.16, " HuaTai ") == "买入"
    assert RATING(0.16, "") == RATING(0.16, None) == "增持"


def test_stock_and_industry_stay_tianfeng_with_unchanged_chinese_labels():
    # The bands before there were other brokers, written out again here.
    def old_stock(x):
        return "买入" if x >= 0.2 else "增持" if x >= 0.1 else "持有" if x > -0.1 else "卖出"

    def old_industry(x):
        return "强于大市" if x >= 0.05 else "中性" if x > -0.05 else "弱于大市"

    xs = [i / 1000 for i in range(-300, 301)]
    assert [RATING(x, "stock") for x in xs] == [RATING(x, "tianfeng") for x in xs] == \
        [RATING(x) for x in xs] == [old_stock(x) for x in xs]
    assert [RATING(x, "industry") for x in xs] == [INDUSTRY_RATING(x) for x in xs] == \
        [RATING(x, "tianfeng-industry") for x in xs] == [old_industry(x) for x in xs]


def test_english_labels_follow_the_disclosure_or_are_marked_conventional():
    data = load_dataset(DATA_DIR)
    # TF Group's English disclosure (reference file): Buy, Accumulate, Neutral, Sell.
    assert [RATING(x, "stock", True) for x in (0.2, 0.1, 0, -0.1)] == [
        "Buy", "Accumulate", "Neutral", "Sell"]
    assert [INDUSTRY_RATING(x, True) for x in (0.05, 0, -0.05)] == [
        "Outperform", "Neutral", "Underperform"]
    assert {k for k, s in data.scales.items() if s.labels_en == "disclosure"} == {
        "tianfeng", "tianfeng-industry"}
    conventional = {"Buy", "Accumulate", "Neutral", "Reduce", "Sell", "Outperform",
                    "Underperform"}
    for key, scale in data.scales.items():
        assert {b.label_en for b in scale.bands} <= conventional, key
    assert [RATING(x, "csc", True) for x in (0.15, 0.05, 0, -0.05, -0.15)] == [
        "Buy", "Accumulate", "Neutral", "Reduce", "Sell"]


def test_horizons_and_benchmarks_as_the_reference_gives_them():
    data = load_dataset(DATA_DIR)
    months = {k: (s.horizon_months, s.horizon_months_max) for k, s in data.scales.items()}
    assert months == {"tianfeng": (6, 6), "tianfeng-industry": (6, 6), "huatai": (6, 12),
                      "gtja": (12, 12), "csc": (6, 6), "csc-industry": (6, 6),
                      "industrial": (12, 12), "cmsc": (6, 12), "nesc": (6, 6)}
    assert all(s.benchmark.startswith("沪深300") for s in data.scales.values())
    assert data.scales["huatai"].horizon_text == "6-12"


def test_industry_rating_of_another_broker():
    assert INDUSTRY_RATING(0.07, False, "csc") == "中性"  # CSC: 10%以上
    assert INDUSTRY_RATING(0.10, False, "csc") == "强于大市"
    assert INDUSTRY_RATING(0.07) == "强于大市"  # Tianfeng: 5%以上
    out = INDUSTRY_RATING(0.07, False, "huatai")  # its industry ratings have no numbers
    assert out == "#N/A unknown industry scale of broker 'huatai'; known: csc, tianfeng"
    assert INDUSTRY_RATING("#N/A", False, "huatai") == "#N/A"
    assert INDUSTRY_RATING(0.07, False, "#REF!") == "#REF!"
    assert INDUSTRY_RATING([[0.2], [-0.2]], True, "csc") == [["Outperform"], ["Underperform"]]


def test_unknown_scale_lists_ids_and_aliases():
    assert RATING(0.1, "bond") == (
        "#N/A unknown scale 'bond'; known: cmsc, csc, csc-industry, gtja, huatai, "
        "industrial, industry, nesc, stock, tianfeng, tianfeng-industry")


# --- the file's rules ----------------------------------------------------------------


def test_an_alias_taken_twice_is_an_error(data_copy, previous, own_scales):
    edit(data_copy, "rating_scales.toml", 'kind = "stock"\nbroker = "华泰证券"',
         'kind = "stock"\naliases = ["stock"]\nbroker = "华泰证券"')
    row = line_of(data_copy, "rating_scales.toml", 'aliases = ["stock"]', 2)
    assert_rejected(data_copy, previous, [
        ("rating_scales.toml", row, "aliases",
         "[huatai]: the name 'stock' is already taken by [tianfeng]")])


def test_kind_must_match_the_id(data_copy, previous, own_scales):
    edit(data_copy, "rating_scales.toml", 'kind = "stock"\nbroker = "华泰证券"',
         'kind = "industry"\nbroker = "华泰证券"')
    row = line_of(data_copy, "rating_scales.toml", 'kind = "industry"', 2)
    assert_rejected(data_copy, previous, [
        ("rating_scales.toml", row, "kind", "[huatai]: an industry scale's id ends in "
         "'-industry'")])


@pytest.mark.parametrize("bad", ["[12, 6]", "[6]", "0", '"6-12"', "[6, 12.5]"])
def test_a_horizon_is_months_or_a_range_of_months(data_copy, previous, bad, own_scales):
    edit(data_copy, "rating_scales.toml", "horizon_months = [6, 12]", f"horizon_months = {bad}")
    row = line_of(data_copy, "rating_scales.toml", f"horizon_months = {bad}")
    assert_rejected(data_copy, previous, [
        ("rating_scales.toml", row, "horizon_months",
         "[huatai]: must be a whole number of months, or [shortest, longest]")])


def test_disclosed_english_labels_need_their_source(data_copy, previous, own_scales):
    edit(data_copy, "rating_scales.toml", 'labels_en = "conventional"\n',
         'labels_en = "disclosure"\n')  # the first scale that has it: huatai
    lines = (data_copy / "rating_scales.toml").read_text(encoding="utf-8").splitlines()
    row = lines.index('labels_en = "disclosure"', lines.index("[huatai]")) + 1
    assert_rejected(data_copy, previous, [
        ("rating_scales.toml", row, "labels_en_source",
         "[huatai]: say where the English disclosure is")])


def test_the_shipped_file_must_hold_the_default_scales(tmp_path):
    # The defaults of RATING and INDUSTRY_RATING come from the shipped file; one without
    # tianfeng-industry is named by its full path (it is not in the data folder).
    shipped = tmp_path / "shipped.toml"
    shipped.write_text(SHIPPED_SCALES.read_text(encoding="utf-8").replace(
        "tianfeng-industry", "tf-industry"), encoding="utf-8")
    errors = []
    load_rating_scales(DATA_DIR, errors, shipped=shipped)
    assert [(e.file, e.row, e.column, e.message) for e in errors] == [
        (str(shipped), None, "[tianfeng-industry]",
         "scale missing; coverbook needs it (INDUSTRY_RATING's default scale)")]


def test_a_project_scale_may_not_take_a_shipped_scale_s_name(data_copy, previous,
                                                             own_scales):
    # Renamed in the project's file, the industry scale is a new one whose alias
    # "industry" the shipped tianfeng-industry (still there) already has.
    path = data_copy / "rating_scales.toml"
    path.write_text(path.read_text(encoding="utf-8").replace(
        "[tianfeng-industry]", "[tf-industry]").replace("[[tianfeng-industry.bands]]",
                                                         "[[tf-industry.bands]]"),
        encoding="utf-8")
    row = line_of(data_copy, "rating_scales.toml", "[tf-industry]")
    alias_row = next(i for i, line in enumerate(path.read_text(encoding="utf-8")
                                                .splitlines(), start=1)
                     if i > row and line.startswith("aliases"))
    assert_rejected(data_copy, previous, [
        ("rating_scales.toml", alias_row, "aliases",
         "[tf-industry]: the name 'industry' is already taken by the shipped scale "
         "[tianfeng-industry]")])


def test_a_scale_needs_its_source(data_copy, previous, own_scales):
    edit(data_copy, "rating_scales.toml", 'source = "华泰证券', 'sauce = "华泰证券')
    row = line_of(data_copy, "rating_scales.toml", "[huatai]")
    result = cli_build(data_copy, previous[0])
    assert result.exit_code == 2
    assert f"rating_scales.toml:{row}:source: [huatai]: missing" in result.stderr


def test_the_rating_sheet_shows_every_scale_at_every_edge(calamine_sheets):
    rows = calamine_sheets["评级说明"]
    ids_row = next(i for i, r in enumerate(rows) if r and r[0] == "x")
    ids = rows[ids_row][1:1 + len(EDGES)]
    assert ids == list(EDGES)  # one column per scale
    xs = []
    for r in rows[ids_row + 1:]:
        if not isinstance(r[0], float):
            break
        xs.append(r[0])
        for key, shown in zip(ids, r[1:1 + len(EDGES)]):
            assert shown == hand_rating(key, r[0]), (key, r[0])
    # every edge of every scale is there, with a value just inside it
    edges = {e for v in EDGES.values() for e, *_ in v}
    assert edges <= set(xs)
    assert {round(e - 0.0001 * (1 if e > 0 else -1), 10) for e in edges} <= set(xs)
    assert 120 / 100 - 1 in xs  # the binary 0.19999999999999996: on the 20% edge
    # each scale's table: its wording as the reference gives it, with the source
    heading = next(r[0] for r in rows if str(r[0]).startswith("兴业证券"))
    assert heading == "兴业证券 Industrial Securities · 股票评级 Stock rating · industrial"
    wordings = [r[2] for r in rows if r and r[0] in ("买入", "增持") and r[2] in (
        "大于15%", "5%–15%")]
    assert "大于15%" in wordings
