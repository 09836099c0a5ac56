"""The UDFs as plain Python functions: values, edge rules, errors and shapes."""

from __future__ import annotations

import datetime as dt
import math

import pytest

from udfs import COST_RATIO, INDUSTRY_RATING, PE, RATING, TOKEN_COST, TOKEN_PRICE

NA = -2146826246  # Excel's #N/A as a COM error integer


class TestPE:
    def test_close_over_eps(self):
        assert PE(108.90, 1.94) == pytest.approx(56.134, abs=1e-3)
        assert PE(86.73, 0.23) == pytest.approx(377.087, abs=1e-3)

    @pytest.mark.parametrize("eps", [0, 0.0, -0.01, -3])
    def test_loss_makers_are_not_meaningful(self, eps):
        assert PE(10, eps) == "NM"

    @pytest.mark.parametrize("close,eps", [(None, 1), (10, None), ("", 1), (10, ""),
                                           ("n.a.", 1), (10, "n.a.")])
    def test_a_blank_or_missing_figure_gives_the_missing_figure_marker(self, close, eps):
        assert PE(close, eps) == "n.a."

    @pytest.mark.parametrize("bad", ["abc", "108.90", True, False, dt.date(2024, 9, 23),
                                     dt.datetime(2024, 9, 23, 10)])
    def test_text_bool_and_dates_are_value_errors(self, bad):
        assert PE(bad, 1.0) == "#VALUE!"
        assert PE(10.0, bad) == "#VALUE!"

    def test_excel_errors_pass_through(self):
        assert PE("#N/A", 1) == "#N/A"
        assert PE(10, "#DIV/0!") == "#DIV/0!"
        assert PE(NA, 1) == "#N/A"

    @pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
    def test_nan_and_infinity_are_num_errors(self, bad):
        assert PE(bad, 1) == "#NUM!"
        assert PE(1, bad) == "#NUM!"

    def test_negative_close_is_an_error(self):
        assert PE(-5, 1) == "#NUM!"

    def test_column_with_block_broadcasts(self):
        out = PE([[108.90], [95.25]], [[1.94, 5.33], [0.97, -1]])
        assert out[0] == [pytest.approx(56.134, abs=1e-3), pytest.approx(20.432, abs=1e-3)]
        assert out[1] == [pytest.approx(98.196, abs=1e-3), "NM"]

    def test_mismatched_shapes_are_value_errors(self):
        assert PE([[1], [2], [3]], [[1, 2], [3, 4]]) == "#VALUE!"


class TestRating:
    @pytest.mark.parametrize("x,label", [
        (0.25, "买入"), (0.20, "买入"), (0.1999, "增持"), (0.10, "增持"), (0.0999, "持有"),
        (0.0, "持有"), (-0.0999, "持有"), (-0.10, "卖出"), (-0.5, "卖出"),
        (1e9, "买入"), (-1e9, "卖出"),
    ])
    def test_stock_scale_edges(self, x, label):
        assert RATING(x) == label

    @pytest.mark.parametrize("x,label,en", [
        (0.05, "强于大市", "Outperform"), (0.0499, "中性", "Neutral"),
        (-0.0499, "中性", "Neutral"), (-0.05, "弱于大市", "Underperform"),
    ])
    def test_industry_scale_edges(self, x, label, en):
        assert INDUSTRY_RATING(x) == label
        assert RATING(x, "industry") == label
        assert INDUSTRY_RATING(x, True) == en

    def test_english_labels(self):
        # TF Group's English disclosure (shared/reference/broker-rating-scales.md).
        assert [RATING(x, "stock", True) for x in (0.2, 0.1, 0, -0.1)] == [
            "Buy", "Accumulate", "Neutral", "Sell"]

    def test_unknown_scale_names_the_known_ones(self):
        out = RATING(0.1, "bond")
        assert out.startswith("#N/A") and "industry" in out and "stock" in out

    def test_non_numbers(self):
        assert RATING(None) == "n.a."
        assert RATING("n.a.") == INDUSTRY_RATING("n.a.") == "n.a."
        assert RATING("20%") == "#VALUE!"
        assert RATING("#N/A") == "#N/A"

    def test_range_keeps_its_shape(self):
        assert RATING([[0.3], [0.0], [-0.2]]) == [["买入"], ["持有"], ["卖出"]]


class TestTokens:
    def test_prices_per_million(self):
        assert TOKEN_PRICE("gpt-4o", "input") == 5.0
        assert TOKEN_PRICE("gpt-4o-mini", "output") == 0.6
        assert TOKEN_PRICE("O1-Mini", "reasoning") == 12.0

    def test_hand_computed_costs(self):
        # 10k input at $15/1M + (2k output + 8k reasoning) at $60/1M = 0.15 + 0.60
        assert TOKEN_COST("o1-preview", 10_000, 2_000, 8_000) == pytest.approx(0.75)
        # 1M + 1M on gpt-4o mini: 0.15 + 0.60
        assert TOKEN_COST("gpt-4o-mini", 1_000_000, 1_000_000) == pytest.approx(0.75)
        # 1k input at $5 + 500 output at $15 per 1M
        assert TOKEN_COST("gpt-4o", 1_000, 500) == pytest.approx(0.0125)
        assert TOKEN_COST("o1-mini", None, None) == 0

    def test_token_count_errors(self):
        assert TOKEN_COST("gpt-4o", -1, 0) == "#NUM!"
        assert TOKEN_COST("gpt-4o", "many", 0) == "#VALUE!"
        assert TOKEN_COST("gpt-4o", NA, 0) == "#N/A"

    def test_ratios(self):
        assert COST_RATIO("o1-preview", "gpt-4o", "input") == pytest.approx(3)
        assert COST_RATIO("o1-preview", "gpt-4o", "output") == pytest.approx(4)
        assert COST_RATIO("o1-mini", "o1-preview", "output") == pytest.approx(0.2)

    def test_unknown_model_names_the_known_ones(self):
        for out in (TOKEN_PRICE("gpt-5", "input"), TOKEN_COST("gpt-5", 1, 1),
                    COST_RATIO("gpt-4o", "gpt-5", "input")):
            assert out.startswith("#N/A unknown model 'gpt-5'")
            assert "gpt-4o-mini" in out and "o1-preview" in out

    def test_unknown_side(self):
        assert TOKEN_PRICE("gpt-4o", "cached").startswith("#N/A unknown side")
