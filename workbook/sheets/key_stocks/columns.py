"""The key-stocks table's columns, declared once: :data:`COLUMNS`.

Each entry is a :class:`Column`, or a family of them (one per fiscal year): its
header, style and width range, where its cells come from (a ``coverage.csv`` column
shown as typed, or a UDF's formula with the cached values the build computes by
calling the same UDF), whether the mean and median rows summarise it, whether its
cells are coloured by rating band, and the note below the table saying how it is
computed. Everything else reads this table: the sheet (``sheet.py``: header, cells,
array formulas, mean and median rows, notes, widths), the layout's column positions
(``layout.py``), the table's grid and colours (``format.py``) and Excel's column limit
(``workbook/sheets/limits.py``).

Adding a column is one entry, in sheet order, with a ``count`` saying when the table
has it. A column left of the P/E block moves the report's 60 P/E cells (J4:M18): new
columns go right of every computed one unless that is the point.

Two layouts of a computed column, same cells and same cached values: up to
``ARRAY_THRESHOLD`` stocks one formula per cell of its own row (``cell``), as an
analyst would type it; above it one dynamic array formula spilling down the column
(``spill``). In Excel each scalar UDF call is a round trip from VBA to the Python COM
server (milliseconds; xlwings issue #1976), so 5,000 stocks x 4 years of scalar cells
take minutes to recalculate and the array layout takes 4 calls. The build computes
each column's cached values with one call of the same UDF (``values``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable

from udfs._excel import MISSING
from udfs.markets import ah_premium_value, fx_value
from udfs.ratings import IMPLIED_RATING, implied_rating_value
from udfs.valuation import (EPS_CAGR, PE, PEG, UPSIDE, eps_cagr_value, pe_value, peg_value,
                            upside_value)
from workbook.dataset import Dataset, FiscalYear, Stock
from workbook.dataset.coverage import MONTHS
from workbook.model import a1, excel_string

if TYPE_CHECKING:
    from workbook.sheets.key_stocks.layout import Layout

#: What the rating check column shows: the published rating is the one the target
#: price implies, or another one. A missing implied rating (no target: n.a.) or an
#: error text is shown as it is.
RATING_SAME, RATING_DIFFERS = "一致", "不一致"
#: Widths of a table column (characters of the default font): fitted to its cells
#: within these.
WIDTH = (7.0, 30.0)


class Table:
    """What a column's cells are made from: the *data*, its layout *lay*, the
    implied ratings' basis (the ``(scale, benchmark return)`` of
    ``rating_inputs``), and the cached values of the columns computed so far
    (:meth:`cached`), filled in :data:`COLUMNS` order."""

    def __init__(self, data: Dataset, lay: "Layout", rating_basis: tuple[Any, Any]):
        self.data, self.lay, self.rating_basis = data, lay, rating_basis
        self.stocks: tuple[Stock, ...] = data.coverage.stocks
        self.years: tuple[FiscalYear, ...] = data.coverage.years
        self.first, self.last = lay.row_of(0), lay.row_of(lay.n_stocks - 1)
        self.values: dict[tuple[str, int], list] = {}
        self.closes = [s.close for s in self.stocks]
        self.close_rows: list[list[float]] | None = None
        self.fx_rates: list | None = None

    def row_of_code(self, code: str) -> int:
        """The sheet row of the stock with ticker *code*."""
        if not hasattr(self, "_row_of"):
            self._row_of = {s.code: self.first + i for i, s in enumerate(self.stocks)}
        return self._row_of[code]

    def col(self, key: str, k: int = 0) -> int:
        """The zero-based sheet column of column *key* (the *k*-th of its family)."""
        col = self.lay.col(key, k)
        assert col is not None, key
        return col

    def at(self, r: int, key: str, k: int = 0) -> str:
        """``F4``: column *key*'s cell in sheet row *r*."""
        return a1(r, self.col(key, k))

    def rng(self, key: str, k: int = 0) -> str:
        """``F4:F18``: column *key* over the stock rows."""
        col = self.col(key, k)
        return f"{a1(self.first, col)}:{a1(self.last, col)}"

    def cached(self, key: str, k: int = 0) -> list:
        """The cached values of column *key*, one per stock: a typed column's values,
        or a computed column's (computed before the columns right of it)."""
        if (key, k) not in self.values:
            column = next(c for c in COLUMNS if c.key == key)
            assert column.literal is not None, f"{key} is computed after its users"
            self.values[(key, k)] = [column.literal(s, k) for s in self.stocks]
        return self.values[(key, k)]


def one(lay: "Layout") -> int:
    """Every table has the column."""
    return 1


def per_year(lay: "Layout") -> int:
    """One column per fiscal year of ``coverage.csv``."""
    return lay.n_years


def with_targets(lay: "Layout") -> int:
    """Tables whose ``coverage.csv`` has a ``target_price`` column."""
    return int(lay.has_targets)


def with_growth(lay: "Layout") -> int:
    """Tables with an actual and a later estimate year (``growth_span``)."""
    return int(lay.growth is not None)


def with_currencies(lay: "Layout") -> int:
    """Tables with a stock whose close is not in CNY or whose EPS is in another
    currency than its close (``Layout.currencies``): each row then shows its
    currencies; an all-CNY table says (CNY) in its headers instead, as the report
    does."""
    return int(lay.currencies)


def with_fiscal_years(lay: "Layout") -> int:
    """Tables with a stock whose fiscal year does not end in December (``fy_end``)."""
    return int(lay.fiscal)


def with_pairs(lay: "Layout") -> int:
    """Tables with an A/H pair (``coverage.csv``'s ``pair`` column)."""
    return int(lay.pairs)


def own_columns(lay: "Layout") -> int:
    """One column per own column ``settings.toml`` declares (``extra_columns``)."""
    return len(lay.extra)


def own_style(v: Any) -> str | None:
    """An own column's cell: text keeps Excel's text format (``@``: what the analyst
    types over it stays text too), a number or a blank the general one."""
    return "text" if isinstance(v, str) else None


@dataclass(frozen=True)
class Column:
    """One entry of :data:`COLUMNS`: a column, or a family of ``count(layout)`` of
    them side by side (``k``, below, is the place in the family: the fiscal year's
    index for a per-year column).

    - ``key``: how the code names it (``Layout.col(key, k)``); ``name``: in words,
      for messages (``target price``);
    - ``header``: the header cell's text, or ``header(table, k)``;
    - ``style``: the cells' entry of ``workbook.model.STYLES`` (or, by value,
      ``style_of(value)``); ``width``: the least and greatest width its cells are
      fitted to;
    - ``source``: the ``coverage.csv`` column its cells show or come from, or
      ``source(layout, years, k)`` (where a too-long cell is reported); ``None`` for a
      column computed from other columns;
    - a typed column: ``literal(stock, k)``, the cell's value (always a literal,
      text that looks like a formula included);
    - a computed column: ``values(table, k)``, the cached values (one UDF call in
      the array layout), ``cell(table, k, row)``, the formula of a sheet row, and
      ``spill(table, k)``, the array formula over the stock rows;
    - ``mean``: the mean and median rows summarise it; ``banded``: its cells (a
      rating) are coloured by their band on the table's scale;
    - ``note(table)``: the line below the table saying how the family is computed.
    """

    key: str
    name: str
    header: str | Callable[[Table, int], str]
    style: str
    count: Callable[["Layout"], int] = one
    source: str | Callable[["Layout", tuple[FiscalYear, ...], int], str] | None = None
    literal: Callable[[Stock, int], Any] | None = None
    values: Callable[[Table, int], list] | None = None
    cell: Callable[[Table, int, int], str] | None = None
    spill: Callable[[Table, int], str] | None = None
    mean: bool = False
    banded: bool = False
    note: Callable[[Table], str] | None = None
    width: tuple[float, float] = WIDTH
    style_of: Callable[[Any], str | None] | None = None
    #: A computed column written cell by cell in both layouts (its formulas point at
    #: other rows, so no one array formula makes them); ``cell`` returns ``None``
    #: for a row without a formula (its cell is left blank).
    per_cell: bool = False

    def header_text(self, table: Table, k: int) -> str:
        return self.header if isinstance(self.header, str) else self.header(table, k)

    def source_column(self, lay: "Layout", years: tuple[FiscalYear, ...], k: int
                      ) -> str | None:
        return self.source if self.source is None or isinstance(self.source, str) \
            else self.source(lay, years, k)


def _values(array: bool, udf, scalar, *args) -> list:
    """The cached values of one computed column: one call of the UDF *udf* on whole
    columns (array layout), else *scalar* once per stock (per-cell formulas). Each of
    *args* is a list (one value per stock) or one value for every stock."""
    n = max(len(a) for a in args if isinstance(a, list))
    if array:
        result = udf(*[[[v] for v in a] if isinstance(a, list) else a for a in args])
        return [row[0] for row in result]
    return [scalar(*[a[i] if isinstance(a, list) else a for a in args]) for i in range(n)]


def rating_check(implied, published: str) -> str:
    """What the rating check column shows (:data:`RATING_SAME` or
    :data:`RATING_DIFFERS`; an implied rating that is text starting with ``#``, an
    error, or ``n.a.`` as it is): the Python twin of :func:`rating_check_formula`."""
    if implied.startswith("#") or implied == MISSING:
        return implied
    return RATING_SAME if implied == published else RATING_DIFFERS


def rating_check_formula(implied: str, published: str) -> str:
    """``=IF(...)`` comparing the implied rating (a cell or a column) with the
    published one, with built-in functions only."""
    return (f'=IF(LEFT({implied},1)="#",{implied},IF({implied}={excel_string(MISSING)},'
            f'{implied},IF({implied}={published},{excel_string(RATING_SAME)},'
            f'{excel_string(RATING_DIFFERS)})))')


# --- the formulas of the computed columns --------------------------------------------


def _eps_column(lay: "Layout", years: tuple[FiscalYear, ...], k: int) -> str:
    return f"EPS {years[k].label}"


def _fx_rates(t: Table) -> list:
    """The rate converting each stock's EPS into its close's currency on its close
    date (``FX(eps currency, currency, close date)``, 1.0 for the same currency), as
    the sheet's FX formulas compute it; made once for every year."""
    if t.fx_rates is None:
        t.fx_rates = [fx_value(s.eps_currency, s.currency, s.close_date, t.data)
                      for s in t.stocks]
    return t.fx_rates


def _converts(t: Table, r: int | None = None) -> bool:
    """Whether the P/E formula of sheet row *r* (of the spilled column: ``None``)
    converts the EPS: its stock's (any stock's) EPS currency is not its close's."""
    if r is None:
        return t.data.coverage.converts
    s = t.stocks[r - t.first]
    return s.eps_currency != s.currency


def _pe_values(t: Table, k: int) -> list:
    # PE broadcasts pe_value: one call on the whole column gives the per-cell values.
    if _converts(t):
        rates = _fx_rates(t)
        if t.lay.array:
            return [r[0] for r in PE([[c] for c in t.closes], [[s.eps[k]] for s in t.stocks],
                                     [[x] for x in rates])]
        return [pe_value(c, s.eps[k], x) if s.eps_currency != s.currency
                else pe_value(c, s.eps[k]) for c, s, x in zip(t.closes, t.stocks, rates)]
    if t.lay.array:
        if t.close_rows is None:  # the closes as a column, made once for every year
            t.close_rows = [[c] for c in t.closes]
        return [r[0] for r in PE(t.close_rows, [[s.eps[k]] for s in t.stocks])]
    return [pe_value(c, s.eps[k]) for c, s in zip(t.closes, t.stocks)]


def _pe_cell(t: Table, k: int, r: int) -> str:
    """``=PE(C4,I4)``, or ``=PE(C4,I4,FX(H4,D4,E4))`` for a stock whose EPS is in
    another currency than its close (the EPS currency, the close's, the close date)."""
    args = f"{t.at(r, 'close')},{t.at(r, 'eps', k)}"
    if _converts(t, r):
        args += (f",FX({t.at(r, 'eps_currency')},{t.at(r, 'currency')},"
                 f"{t.at(r, 'close_date')})")
    return f"=PE({args})"


def _pe_spill(t: Table, k: int) -> str:
    """``=PE(C4:C300,I4:I300)``, with ``FX(...)`` of the currency columns when a
    stock's EPS is in another currency than its close (see :func:`_pe_cell`)."""
    args = f"{t.rng('close')},{t.rng('eps', k)}"
    if _converts(t):
        args += (f",FX({t.rng('eps_currency')},{t.rng('currency')},"
                 f"{t.rng('close_date')})")
    return f"=PE({args})"


def _close_header(t: Table, k: int) -> str:
    return "收盘价 Close" if t.lay.currencies else "收盘价 Close (CNY)"


def _target_header(t: Table, k: int) -> str:
    return "目标价 Target" if t.lay.currencies else "目标价 Target (CNY)"


def _currency_note(t: Table) -> str:
    return ("币种 Currency: of the close and the target price; EPS币种: of the EPS; "
            "P/E = close / (EPS × FX(EPS currency, currency, close date)) (=PE(), =FX())")


def _fiscal_note(t: Table) -> str:
    """The note naming the stocks whose fiscal year does not end in December."""
    odd = [f"{s.code} {s.name} ({MONTHS[s.fy_end - 1]})" for s in t.stocks if s.fy_end != 12]
    shown = "; ".join(odd[:10]) + (f"; and {len(odd) - 10} more" if len(odd) > 10 else "")
    return ("财年末 FY end: the month each fiscal year ends; EPS and P/E columns are per "
            f"fiscal year, not calendarised. Fiscal years not ending in December: {shown}")


def _pair_rows(t: Table, r: int) -> tuple[int, int] | None:
    """The sheet rows of the A and the H share of the pair the stock of row *r* is
    in, ``None`` if it is in none."""
    code = t.stocks[r - t.first].code
    for a, h in t.data.coverage.pairs:
        if code in (a, h):
            return t.row_of_code(a), t.row_of_code(h)
    return None


def _ah_cell(t: Table, k: int, r: int) -> str | None:
    rows = _pair_rows(t, r)
    if rows is None:
        return None
    a, h = rows
    return f"=AH_PREMIUM({t.at(a, 'close')},{t.at(h, 'close')},{t.at(a, 'close_date')})"


def _ah_values(t: Table, k: int) -> list:
    out = []
    for r in range(t.first, t.last + 1):
        rows = _pair_rows(t, r)
        if rows is None:
            out.append(None)
            continue
        a, h = (t.stocks[x - t.first] for x in rows)
        out.append(ah_premium_value(a.close, h.close, a.close_date, t.data))
    return out


def _ah_note(t: Table) -> str:
    return ("A/H溢价 A/H premium = A close / (H close × FX(\"HKD\",\"CNY\", A close "
            "date)) − 1 (=AH_PREMIUM()), a fraction, on both rows of each pair "
            "(coverage.csv's pair column); the Hang Seng China AH Premium Index is the "
            "same ratio × 100")


def _benchmark(t: Table) -> str:
    return a1(*t.lay.benchmark_input, absolute=True)


def _scale(t: Table) -> str:
    return a1(*t.lay.scale_input, absolute=True)


def _implied_values(t: Table, k: int) -> list:
    scale_value, benchmark_value = t.rating_basis
    return _values(t.lay.array, IMPLIED_RATING, implied_rating_value,
                   t.cached("target_price"), t.closes, benchmark_value, scale_value)


def _targets_note(t: Table) -> str:
    return ("上行空间 Upside = 目标价 / 收盘价 − 1 (=UPSIDE()); 隐含评级 Implied rating = "
            "RATING(upside − benchmark return, scale) (=IMPLIED_RATING()), on the scale in "
            "the input cell above it")


def _benchmark_note(t: Table) -> str:
    scale = t.data.table_scale
    return (f"基准 Benchmark: the expected return of the scale's benchmark over the scale's "
            f"horizon ({scale.key}: {scale.benchmark_en}, {scale.horizon_text} months), "
            f"a fraction; 评级核对: {RATING_DIFFERS} = the published rating is not the "
            "implied one (listed on 核对)")


def _growth_label(t: Table, which: str) -> str:
    g = t.lay.growth
    assert g is not None
    return t.years[getattr(g, which)].label


def _cagr_values(t: Table, k: int) -> list:
    g = t.lay.growth
    assert g is not None
    return _values(t.lay.array, EPS_CAGR, eps_cagr_value,
                   [s.eps[g.first] for s in t.stocks], [s.eps[g.last] for s in t.stocks],
                   g.years)


def _cagr_args(t: Table, of) -> str:
    g = t.lay.growth
    assert g is not None
    return f"{of('eps', g.first)},{of('eps', g.last)},{g.years}"


def _growth_note(t: Table) -> str:
    g = t.lay.growth
    assert g is not None
    first, last, pe = (t.years[i].label for i in (g.first, g.last, g.pe))
    return (f"EPS CAGR = (EPS {last} / EPS {first})^(1/{g.years}) − 1 (=EPS_CAGR()), NM if "
            f"an EPS ≤ 0; PEG = P/E {pe} ÷ (CAGR × 100) (=PEG(), Lynch), NM if growth ≤ 0")


def _pe_year(t: Table) -> int:
    assert t.lay.growth is not None
    return t.lay.growth.pe


#: The key-stocks table, left to right. The report's columns (code to P/E) come
#: first, so its 60 printed P/E keep their cells (J4:M18; the currency columns, only
#: in a table that is not all CNY, come between them); then what an analyst's
#: table adds: the target-price columns, the growth columns, and last the analyst's
#: own columns (no formula ever: what coverage.csv holds, as typed).
COLUMNS: tuple[Column, ...] = (
    Column("code", "code", "代码 Code", "text", source="code", literal=lambda s, k: s.code),
    Column("name", "name", "名称 Name", "text", source="name", literal=lambda s, k: s.name),
    Column("close", "close", _close_header, "price", source="close",
           literal=lambda s, k: s.close),
    Column("currency", "currency", "币种 Currency", "text_center", with_currencies,
           source="currency", literal=lambda s, k: s.currency, note=_currency_note),
    Column("close_date", "close date", "收盘日 Close date", "date", source="close_date",
           literal=lambda s, k: s.close_date),
    Column("rating", "rating", "评级 Rating", "text_center", source="rating",
           literal=lambda s, k: s.rating, banded=True),
    Column("eps_currency", "EPS currency", "EPS币种 EPS currency", "text_center",
           with_currencies, source="eps_currency", literal=lambda s, k: s.eps_currency),
    Column("fy_end", "fiscal year-end", "财年末 FY end", "center", with_fiscal_years,
           source="fy_end", literal=lambda s, k: s.fy_end, note=_fiscal_note),
    Column("eps", "EPS", lambda t, k: f"EPS {t.years[k].label}", "eps", per_year,
           source=_eps_column, literal=lambda s, k: s.eps[k]),
    Column("pe", "P/E", lambda t, k: f"P/E {t.years[k].label}", "pe", per_year,
           source=_eps_column, values=_pe_values,
           cell=_pe_cell, spill=_pe_spill, mean=True),
    Column("target_price", "target price", _target_header, "price", with_targets,
           source="target_price", literal=lambda s, k: s.target_price),
    Column("upside", "upside", "上行空间 Upside", "pct2", with_targets,
           values=lambda t, k: _values(t.lay.array, UPSIDE, upside_value,
                                       t.cached("target_price"), t.closes),
           cell=lambda t, k, r: f"=UPSIDE({t.at(r, 'target_price')},{t.at(r, 'close')})",
           spill=lambda t, k: f"=UPSIDE({t.rng('target_price')},{t.rng('close')})",
           mean=True, note=_targets_note),
    Column("implied_rating", "implied rating", "隐含评级 Implied rating", "center",
           with_targets, values=_implied_values,
           cell=lambda t, k, r: f"=IMPLIED_RATING({t.at(r, 'target_price')},"
                                f"{t.at(r, 'close')},{_benchmark(t)},{_scale(t)})",
           spill=lambda t, k: f"=IMPLIED_RATING({t.rng('target_price')},{t.rng('close')},"
                              f"{_benchmark(t)},{_scale(t)})", banded=True),
    Column("rating_check", "rating check", "评级核对 Rating check", "center", with_targets,
           values=lambda t, k: [rating_check(v, s.rating) for v, s in
                                zip(t.cached("implied_rating"), t.stocks)],
           cell=lambda t, k, r: rating_check_formula(t.at(r, "implied_rating"),
                                                     t.at(r, "rating")),
           spill=lambda t, k: rating_check_formula(t.rng("implied_rating"),
                                                   t.rng("rating")),
           note=_benchmark_note),
    Column("eps_cagr", "EPS CAGR",
           lambda t, k: f"EPS CAGR {_growth_label(t, 'first')}–{_growth_label(t, 'last')}",
           "pct2", with_growth, values=_cagr_values,
           cell=lambda t, k, r: f"=EPS_CAGR({_cagr_args(t, lambda *c: t.at(r, *c))})",
           spill=lambda t, k: f"=EPS_CAGR({_cagr_args(t, t.rng)})", mean=True,
           note=_growth_note),
    Column("peg", "PEG", lambda t, k: f"PEG {_growth_label(t, 'pe')}", "ratio", with_growth,
           values=lambda t, k: _values(t.lay.array, PEG, peg_value,
                                       t.cached("pe", _pe_year(t)), t.cached("eps_cagr")),
           cell=lambda t, k, r: f"=PEG({t.at(r, 'pe', _pe_year(t))},{t.at(r, 'eps_cagr')})",
           spill=lambda t, k: f"=PEG({t.rng('pe', _pe_year(t))},{t.rng('eps_cagr')})",
           mean=True),
    Column("ah_premium", "A/H premium", "A/H溢价 A/H premium", "pct2", with_pairs,
           values=_ah_values, cell=_ah_cell, per_cell=True, note=_ah_note),
    Column("own", "own column", lambda t, k: t.lay.extra[k], "text", own_columns,
           source=lambda lay, years, k: lay.extra[k], literal=lambda s, k: s.extra[k],
           style_of=own_style),
)
