"""Rating UDFs: map an expected relative return to the broker's rating band."""

from __future__ import annotations

from udfs import _xl as xw

from udfs._excel import MISSING, Blank, as_number, broadcast, first_error, unknown_name
from udfs._reference import dataset_or_error


def rating_value(relative_return, scale="stock", english=False, data=None):
    """The band label of one fraction on the scale named *scale*: see :func:`RATING`.
    *data*: the dataset or its error value (default: the UDFs' current one)."""
    error = first_error(relative_return, scale, english)
    if error:
        return error
    if data is None:
        data = dataset_or_error()
    if isinstance(data, str):  # the data folder is invalid: its first problem
        return data
    scales = data.scales
    if scale is None or (isinstance(scale, str) and not scale.strip()):
        key = "stock"
    else:  # anything but text (a number, a range) names no scale
        key = scale.strip().lower() if isinstance(scale, str) else None
    if key not in scales:
        return unknown_name("scale", scale, sorted(scales))
    x = as_number(relative_return)
    if isinstance(x, str):
        return x
    if x is Blank:
        return MISSING
    flag = as_number(english)
    use_english = bool(english) if isinstance(english, bool) else (
        isinstance(flag, float) and flag != 0)
    for band in scales[key].bands:
        if band.contains(x):
            return band.label_en if use_english else band.label
    return "#NUM!"  # unreachable for a validated scale: bands tile the real line


@xw.func(category="coverbook")
@xw.arg("relative_return", ndim=2, err_to_str=True,
        doc="Expected return relative to the benchmark (CSI 300) over 6 months, as a "
            "fraction: 0.2 = 20%. A cell or a range.")
@xw.arg("scale", err_to_str=True, doc="Rating scale: \"stock\" (default: 买入/增持/持有/卖出) or "
                     "\"industry\" (强于大市/中性/弱于大市).")
@xw.arg("english", err_to_str=True,
        doc="TRUE for English labels (Buy/Overweight/Hold/Sell); default FALSE.")
def RATING(relative_return, scale="stock", english=False):
    """The broker's rating for an expected relative return.

    Input: a fraction (0.2 = 20 %), scalar or range (the result has its shape).
    Scale (source: the report's rating definitions, kept in
    ``workbook/data/rating_scales.toml``): stock scale 买入 >= 20 %, 增持 10-20 %,
    持有 -10-10 %, 卖出 <= -10 %; industry scale 强于大市 >= 5 %, 中性, 弱于大市 <= -5 %.
    A value exactly on a shared edge takes the band further from zero ("以上/以下"
    include the number: Civil Code art. 1259): 0.2 -> 买入, -0.1 -> 卖出.

    Total over the real line: every finite number gets exactly one label (the
    loader rejects scales whose bands overlap, leave a gap or stop short of ±inf),
    and the label never rises when the input falls (monotone).

    Other results: blank (or ``n.a.``, the missing-figure marker) -> ``n.a.``; text, boolean or date -> ``#VALUE!``; an Excel
    error (in any argument) passes through; NaN or infinity -> ``#NUM!`` (Excel has
    no infinite numbers, so an infinite input can only be a mistake); an unknown
    scale -> ``#N/A unknown scale ...`` naming the known ones; an invalid data folder
    -> ``#N/A data: <file:row:column: its first problem>``.
    """
    data = dataset_or_error()  # once per call, not once per cell
    return broadcast(lambda x: rating_value(x, scale, english, data), relative_return)


@xw.func(category="coverbook")
@xw.arg("relative_return", ndim=2, err_to_str=True,
        doc="Expected industry-index return relative to CSI 300 over 6 months, as a "
            "fraction: 0.05 = 5%. A cell or a range.")
@xw.arg("english", err_to_str=True,
        doc="TRUE for English labels (Outperform/Neutral/Underperform).")
def INDUSTRY_RATING(relative_return, english=False):
    """The broker's industry rating: ``RATING(relative_return, "industry", english)``.

    强于大市 >= 5 %, 中性 between, 弱于大市 <= -5 % (fractions; edges as in
    :func:`RATING`). Shapes and non-number results as :func:`RATING`.
    """
    data = dataset_or_error()
    return broadcast(lambda x: rating_value(x, "industry", english, data), relative_return)



