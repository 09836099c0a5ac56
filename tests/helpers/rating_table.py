"""The brokers' rating scales transcribed by hand from their rating disclosures
(docs/sources.md; transcribed from the project's shared reference table, not read from
the data file), and the rating a return gets on them (:func:`hand_rating`)."""

from __future__ import annotations

#: Per scale, per edge (highest first): the edge, the band of the edge value itself,
#: the band just above and the band just below. "以上/以下" include the number,
#: "大于/小于" exclude it; an edge both neighbours leave open ("10%-20%" / "-10%-10%")
#: goes to the band further from zero (coverbook's rule for the seed broker).
EDGES = {
    # 天风: 买入 20%以上; 增持 10%-20%; 持有 -10%-10%; 卖出 -10%以下
    "tianfeng": [(0.20, "买入", "买入", "增持"), (0.10, "增持", "增持", "持有"),
                 (-0.10, "卖出", "持有", "卖出")],
    # 强于大市 5%以上; 中性 -5%-5%; 弱于大市 -5%以下
    "tianfeng-industry": [(0.05, "强于大市", "强于大市", "中性"),
                          (-0.05, "弱于大市", "中性", "弱于大市")],
    # 华泰: 买入 超越基准15%以上; 增持 5%–15%; 持有 −15%–5%; 卖出 弱于基准15%以上
    "huatai": [(0.15, "买入", "买入", "增持"), (0.05, "增持", "增持", "持有"),
               (-0.15, "卖出", "持有", "卖出")],
    # 国泰君安: 增持 15%以上; 谨慎增持 5%–15%; 中性 −5%–5%; 减持 下跌5%以上
    "gtja": [(0.15, "增持", "增持", "谨慎增持"), (0.05, "谨慎增持", "谨慎增持", "中性"),
             (-0.05, "减持", "中性", "减持")],
    # 中信建投: 买入 15%以上; 增持 5%–15%; 中性 −5%–5%; 减持 −15%–−5%; 卖出 跌幅15%以上
    "csc": [(0.15, "买入", "买入", "增持"), (0.05, "增持", "增持", "中性"),
            (-0.05, "减持", "中性", "减持"), (-0.15, "卖出", "减持", "卖出")],
    # 强于大市 10%以上; 中性 −10%–10%; 弱于大市 跌幅10%以上
    "csc-industry": [(0.10, "强于大市", "强于大市", "中性"),
                     (-0.10, "弱于大市", "中性", "弱于大市")],
    # 兴业: 买入 大于15%; 增持 5%–15%; 中性 −5%–5%; 减持 小于−5%
    "industrial": [(0.15, "增持", "买入", "增持"), (0.05, "增持", "增持", "中性"),
                   (-0.05, "中性", "中性", "减持")],
    # 招商: 强烈推荐 20%以上; 增持 5%–20%; 中性 ±5%; 减持 弱于5%以上
    "cmsc": [(0.20, "强烈推荐", "强烈推荐", "增持"), (0.05, "增持", "增持", "中性"),
             (-0.05, "减持", "中性", "减持")],
    # 东北: 买入 15%以上; 增持 5%–15%; 中性 −5%–5%; 减持 −15%–−5%; 卖出 落后15%以上
    "nesc": [(0.15, "买入", "买入", "增持"), (0.05, "增持", "增持", "中性"),
             (-0.05, "减持", "中性", "减持"), (-0.15, "卖出", "减持", "卖出")],
}


def hand_rating(key: str, x: float) -> str:
    """The label of *x* on scale *key* from the hand table :data:`EDGES` (on the value
    rounded to 10 decimal places, the documented rule)."""
    x = round(x, 10)
    for edge, at, above, _ in EDGES[key]:
        if x > edge:
            return above
        if x == edge:
            return at
    return EDGES[key][-1][3]
