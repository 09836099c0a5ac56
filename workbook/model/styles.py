"""Cell styles: :class:`Style` and the named :data:`STYLES` sheets may use."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Style:
    """Cell formatting both writers render: an Excel number format, emphasis, a fill,
    wrapping and horizontal alignment (each field's XlsxWriter format property and
    xlwings ``Range`` property: ``workbook/writers/mapping.py``'s ``STYLE_MAPPING``)."""

    num_format: str | None = None
    bold: bool = False
    italic: bool = False
    fill: str | None = None  # "#RRGGBB"
    wrap: bool = False
    align: str | None = None  # "left" | "center" | "right"


#: Fill of the cells an analyst types into (the colour of Excel's "Input" style).
INPUT_FILL = "#FFF2CC"

#: The styles sheets may name. Number formats are Excel's own codes.
STYLES: dict[str, Style] = {
    "title": Style(bold=True),
    "note": Style(italic=True),
    # A row label right-aligned so that it runs leftwards over empty cells (the mean
    # row's label ends beside the first mean).
    "label": Style(italic=True, align="right"),
    "banner": Style(bold=True, italic=True),
    # The published banner when it is wider than the table: wrapped in a merged cell.
    "banner_wrap": Style(bold=True, italic=True, wrap=True),
    "header": Style(bold=True, fill="#DDEBF7", wrap=True, align="center"),
    "text": Style(num_format="@"),
    "text_wrap": Style(num_format="@", wrap=True),  # long text: give the row its height
    "text_center": Style(num_format="@", align="center"),
    # Formula results that are text: no "@" format (Excel would take a formula
    # typed into a text-formatted cell as text).
    "center": Style(align="center"),
    "date": Style(num_format="yyyy-mm-dd", align="center"),
    "price": Style(num_format="0.00"),  # CNY per share, as the report prints it
    "eps": Style(num_format="0.00"),  # CNY per share
    "pe": Style(num_format="0.00", align="right"),  # multiple; "NM" for loss-makers
    # Right-aligned like the numbers, so a text result (NM, n.a., #DIV/0!) lines up
    # with them and keeps its distance from the text column to its left.
    "ratio": Style(num_format="0.00", align="right"),
    "pct": Style(num_format="0%", align="right"),
    # Every computed percentage (upside, EPS CAGR, the benchmark return, the rating
    # scale's edge examples): two decimals, as brokers print upside, so a value next to
    # a rating edge shows on which side it is (0.0999 and 0.10 read 9.99% and 10.00%,
    # where 0.0% showed both as 10.0%). Whole percents the report prints as such (a
    # scale's band edges, a claimed saving: 20%, 80%) keep "pct".
    "pct2": Style(num_format="0.00%", align="right"),
    "usd": Style(num_format="0.000"),  # USD per 1M tokens
    "usd_cost": Style(num_format="0.000000"),  # USD per request
    "int": Style(num_format="#,##0"),
    "num1": Style(num_format="0.0"),
    "multiple": Style(num_format='0.00"×"', align="right"),  # of a benchmark: 15.50×
    # Input cells (Sheet.add_inputs) carry the fill of Excel's "Input" cell style.
    "input_date": Style(num_format="yyyy-mm-dd", fill=INPUT_FILL, align="center"),
    "input_text": Style(num_format="@", fill=INPUT_FILL),
    "input_int": Style(num_format="#,##0", fill=INPUT_FILL),
    "input_pct": Style(num_format="0%", fill=INPUT_FILL),
    "input_num": Style(num_format="0.0", fill=INPUT_FILL),
    "check": Style(bold=True, align="center"),
    # Cells an analyst types into (the scale and the benchmark return the implied
    # ratings use): the input fill of a broker's model.
    "input_pct2": Style(num_format="0.00%", fill=INPUT_FILL, align="right"),
}
