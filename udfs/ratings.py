"""Rating UDFs: map an expected relative return to a broker's rating band."""

from __future__ import annotations

from udfs import _xl as xw

from udfs._excel import (MISSING, Blank, as_number, broadcast, first_error, is_error,
                         unknown_name)
from udfs._reference import dataset_or_error
from udfs.valuation import upside_value
from workbook.dataset import (DEFAULT_SCALE, INDUSTRY_SUFFIX, Dataset, RatingScale, scale_ids,
                              scale_names)

#: Banding compares the value rounded to this many decimal places with the edges, so
#: a return computed in binary floating point lands where its decimal reading does:
#: 120 / 100 - 1 is 0.19999999999999996, which rounds to 0.2, Tianfeng's 买入 edge.
#: Ten places keep every difference a rating scale draws (edges are whole percent)
#: and lie far above the float error of a ratio of prices (about 1e-16).
BAND_DECIMALS = 10


def scale_key(scale, data: Dataset) -> str | None:
    """The id of the scale of *data* named by the UDF argument *scale* (id or alias,
    any case; blank: :data:`~workbook.dataset.DEFAULT_SCALE`), or ``None`` for anything
    that names no scale (unknown text, a number, a range)."""
    if scale is None or (isinstance(scale, str) and not scale.strip()):
        return DEFAULT_SCALE
    if not isinstance(scale, str):
        return None
    found = data.scale(scale)
    return found.key if found else None


def band_label(x: float, scale: RatingScale, english: bool = False) -> str:
    """The label of the band of *scale* holding the fraction *x*, rounded to
    :data:`BAND_DECIMALS` places first."""
    x = round(x, BAND_DECIMALS)
    for band in scale.bands:
        if band.contains(x):
            return band.label_en if english else band.label
    return "#NUM!"  # unreachable for a validated scale: bands tile the real line


def english_flag(english) -> bool | str:
    """The ``english`` argument as Excel reads a logical argument: TRUE/FALSE; a
    number (0 is FALSE, any other TRUE); blank FALSE; the text ``TRUE`` or ``FALSE``
    (any case, as Excel converts it). Anything else (other text such as ``"yes"``, a
    date) is ``#VALUE!``: a typing mistake must not silently give the other language's
    labels. An Excel error passes through (the callers check it first)."""
    if isinstance(english, bool):
        return english
    if isinstance(english, str) and english.strip().upper() in ("TRUE", "FALSE"):
        return english.strip().upper() == "TRUE"
    flag = as_number(english)
    if flag is Blank:
        return False
    return flag != 0 if isinstance(flag, float) else "#VALUE!"


def rating_value(relative_return, scale=None, english=False, data=None):
    """The band label of one fraction on the scale named *scale*: see :func:`RATING`.
    *data*: the dataset or its error value (default: the UDFs' current one)."""
    error = first_error(relative_return, scale, english)
    if error:
        return error
    if data is None:
        data = dataset_or_error()
    if isinstance(data, str):  # the data folder is invalid: its first problem
        return data
    key = scale_key(scale, data)
    if key is None:
        return unknown_name("scale", scale, scale_names(data.scales))
    flag = english_flag(english)
    if isinstance(flag, str):
        return flag
    x = as_number(relative_return)
    if isinstance(x, str):
        return x
    if x is Blank:
        return MISSING
    return band_label(x, data.scales[key], flag)


@xw.func(category="coverbook")
@xw.arg("relative_return", ndim=2, err_to_str=True,
        doc="Expected return relative to the scale's benchmark (CSI 300) over its "
            "horizon (6 or 12 months), as a fraction: 0.2 = 20%. A cell or a range.")
@xw.arg("scale", err_to_str=True,
        doc="Scale id: \"tianfeng\" (default; alias \"stock\"), \"huatai\", \"gtja\", "
            "\"csc\", \"industrial\", \"cmsc\", \"nesc\"; industry: \"tianfeng-industry\" "
            "(alias \"industry\"), \"csc-industry\".")
@xw.arg("english", err_to_str=True,
        doc="TRUE (or a non-zero number) for English labels (Tianfeng: Buy/Accumulate/"
            "Neutral/Sell); FALSE, 0 or blank (default) Chinese; other text or a date "
            "#VALUE!.")
def RATING(relative_return, scale="tianfeng", english=False, caller=None):
    """The rating a broker's scale gives an expected relative return.

    Input: a fraction (0.2 = 20 %), scalar or range (the result has its shape): the
    expected return relative to the scale's benchmark (CSI 300 for A shares) over
    the scale's horizon (6 months for Tianfeng, CSC and Northeast; 12 for Guotai
    Junan and Industrial; 6-12 for Huatai and China Merchants). Scales (shipped:
    ``workbook/scales/rating_scales.toml``, each with its source, plus the data
    folder's own ``rating_scales.toml``, if any): ``tianfeng`` (the
    seed report's broker and the default; ``stock`` is its alias) 买入 >= 20 %,
    增持 10-20 %, 持有 -10-10 %, 卖出 <= -10 %; ``huatai``, ``gtja``, ``csc``,
    ``industrial``, ``cmsc``, ``nesc``; industry scales ``tianfeng-industry``
    (alias ``industry``: 强于大市 >= 5 %, 中性, 弱于大市 <= -5 %) and
    ``csc-industry``. Each broker's own labels: ``RATING(0.16)`` is 增持,
    ``RATING(0.16, "huatai")`` 买入.

    Edges follow each scale's wording: "以上/以下" include the number (Civil Code art.
    1259), "大于/小于" exclude it (Industrial: 0.15 is 增持); where the wording leaves
    an edge open, it belongs to the band further from zero (Tianfeng: 0.1 is 增持).
    The value is rounded to 10 decimal places before banding, so 120/100-1
    (0.19999999999999996 in binary) is on the 20 % edge: 买入.

    Total over the real line: every finite number gets exactly one label (the
    loader rejects scales whose bands overlap, leave a gap or stop short of ±inf),
    and the label never rises when the input falls (monotone).

    English labels (``english`` TRUE): from the broker's English disclosure where
    found (Tianfeng: Buy/Accumulate/Neutral/Sell, Outperform/Neutral/Underperform),
    else the conventional Buy/Accumulate/Neutral/Reduce/Sell, as the data marks.
    ``english`` is read as Excel reads a logical argument: TRUE or a non-zero number
    English; FALSE, 0 or blank (the default) Chinese; the text ``"TRUE"`` /
    ``"FALSE"`` as those; any other text (``"yes"``) or a date ``#VALUE!`` (not
    silently Chinese).

    Other results: blank (or ``n.a.``, the missing-figure marker) -> ``n.a.``; text,
    boolean or date -> ``#VALUE!``; an Excel error (in any argument) passes through;
    NaN or infinity -> ``#NUM!`` (Excel has no infinite numbers, so an infinite input
    can only be a mistake); an unknown scale -> ``#N/A unknown scale ...`` naming
    the known ones; an invalid data folder -> ``#N/A data: <file:row:column: its
    first problem>``.
    ``caller``: filled in by xlwings with the calling cell (Excel does not show it);
    the data come from the folder the calling workbook records (see
    ``udfs/_reference.py``). Leave it out in a direct call.
    """
    data = dataset_or_error(caller)  # once per call, not once per cell
    return broadcast(lambda x: rating_value(x, scale, english, data), relative_return)


@xw.func(category="coverbook")
@xw.arg("relative_return", ndim=2, err_to_str=True,
        doc="Expected industry-index return relative to CSI 300 over 6 months, as a "
            "fraction: 0.05 = 5%. A cell or a range.")
@xw.arg("english", err_to_str=True,
        doc="TRUE (or a non-zero number) for English labels (Outperform/Neutral/"
            "Underperform); FALSE, 0 or blank (default) Chinese; other text or a date "
            "#VALUE!.")
@xw.arg("broker", err_to_str=True,
        doc="Broker id: \"tianfeng\" (default) or \"csc\": the brokers whose industry "
            "ratings have numbers.")
def INDUSTRY_RATING(relative_return, english=False, broker="tianfeng", caller=None):
    """A broker's industry rating: ``RATING(relative_return, "<broker>-industry", english)``.

    Tianfeng (default): 强于大市 >= 5 %, 中性 between, 弱于大市 <= -5 %; China
    Securities (``csc``): 强于大市 >= 10 %, 中性, 弱于大市 <= -10 % (fractions, 6
    months, relative to CSI 300; edges as in :func:`RATING`). The other brokers'
    industry ratings give no numbers, so they have no scale: ``#N/A unknown scale``.
    Shapes and non-number results as :func:`RATING`; ``caller`` as there.
    """
    data = dataset_or_error(caller)
    if broker is None or (isinstance(broker, str) and not broker.strip()):
        scale = DEFAULT_SCALE + INDUSTRY_SUFFIX
    elif isinstance(broker, str) and not is_error(broker):
        scale = broker.strip().lower() + INDUSTRY_SUFFIX
        if not isinstance(data, str) and scale not in data.scales:
            brokers = sorted(k[:-len(INDUSTRY_SUFFIX)]
                             for k in scale_ids(data.scales, "industry"))
            unknown = unknown_name("industry scale of broker", broker, brokers)
            return broadcast(lambda x: first_error(x, english) or unknown, relative_return)
    else:
        scale = broker  # an error passes through, anything else names no scale
    return broadcast(lambda x: rating_value(x, scale, english, data), relative_return)


def industry_scale_refused(scale, data: Dataset) -> str:
    """The ``#VALUE!`` result of :func:`IMPLIED_RATING` on an industry scale, naming
    the stock scales: an industry scale bands an industry index's return, and a
    target price is a stock's, so no rating of it has that meaning."""
    stock = sorted(scale_ids(data.scales, "stock"))
    return (f"#VALUE! {scale!r} is an industry scale (it rates an industry index); a "
            f"target price implies a stock rating: use a stock scale: {', '.join(stock)}")


def implied_rating_value(target_price, close_price, benchmark_return=None, scale=None,
                         data=None):
    """The rating one target price implies (scalars): see :func:`IMPLIED_RATING`.
    *data*: the dataset or its error value (default: the UDFs' current one)."""
    error = first_error(target_price, close_price, benchmark_return, scale)
    if error:
        return error
    if data is None:
        data = dataset_or_error()
    if isinstance(data, str):  # the data folder is invalid: its first problem
        return data
    key = scale_key(scale, data)
    if key is None:
        return unknown_name("scale", scale, scale_names(data.scales))
    if data.scales[key].kind != "stock":
        return industry_scale_refused(scale, data)
    upside = upside_value(target_price, close_price)
    if isinstance(upside, str):
        return upside
    benchmark = as_number(benchmark_return)
    if isinstance(benchmark, str):
        return benchmark
    relative = upside - (0.0 if benchmark is Blank else benchmark)
    return band_label(relative, data.scales[key])


@xw.func(category="coverbook")
@xw.arg("target_price", ndim=2, err_to_str=True,
        doc="Target price per share (listing currency): a cell or a column. Blank: no target (n.a.).")
@xw.arg("close_price", ndim=2, err_to_str=True,
        doc="Close price per share, same currency: a cell or a column as tall as the targets.")
@xw.arg("benchmark_return", err_to_str=True,
        doc="The benchmark's (CSI 300) expected return over the scale's horizon (6 or 12 "
            "months), a fraction; blank = 0. One cell.")
@xw.arg("scale", err_to_str=True,
        doc="Stock scale id as in RATING: \"tianfeng\" (default), \"huatai\", \"gtja\", "
            "\"csc\", \"industrial\", \"cmsc\", \"nesc\"; an industry scale gives #VALUE!.")
def IMPLIED_RATING(target_price, close_price, benchmark_return=0, scale="tianfeng",
                   caller=None):
    """The rating a target price implies:
    ``RATING(UPSIDE(target, close) − benchmark_return, scale)``.

    The upside (target / close − 1, a fraction) relative to the benchmark's expected
    return, banded on the broker's scale (edges and rounding to 10 decimal places as
    in :func:`RATING`): target 120 over close 100 with a benchmark return of 0 is 买入
    on ``tianfeng`` (20 %以上). ``benchmark_return`` must be over the **scale's own
    horizon**: 6 months for Tianfeng, CSC and Northeast, 12 for Guotai Junan and
    Industrial, 6-12 for Huatai and China Merchants; so must the target price.

    Shapes: target and close broadcast as in :func:`UPSIDE` (columns spill); the
    benchmark return and the scale are one value each. Results other than a label:
    ``n.a.`` for a blank target or close; the errors of :func:`UPSIDE`; a text,
    boolean or date benchmark ``#VALUE!``; an unknown scale ``#N/A unknown scale
    ...``; an industry scale (``tianfeng-industry``, alias ``industry``;
    ``csc-industry``) ``#VALUE! ... is an industry scale ...`` naming the stock scales,
    for every cell: an industry scale bands an industry index's return against CSI
    300, and a target price is one stock's, so a stock rating is the only one it can
    imply; an Excel error in any argument passes through; an invalid data folder
    ``#N/A data: ...`` naming its first problem. ``caller`` as in :func:`RATING`.
    """
    data = dataset_or_error(caller)  # once per call, not once per cell
    return broadcast(lambda t, c: implied_rating_value(t, c, benchmark_return, scale, data),
                     target_price, close_price)
