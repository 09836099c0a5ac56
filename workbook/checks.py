"""Every figure of the report that coverbook can recompute, and whether it agrees;
and the findings: published ratings other than the one their target price implies.

A P/E is printed to two decimals, so it agrees when the recomputed value is within
half a unit of the last printed digit (0.005). The price claims are exact multiples
or a whole percentage; the same tolerance applies. A finding is not a failure: the
build's exit code and its P/E and claims lines ignore findings.
"""

from __future__ import annotations

from dataclasses import dataclass

from udfs.ratings import implied_rating_value
from udfs.tokens import COST_RATIO, TOKEN_COST
from udfs.valuation import pe_value, upside_value
from workbook.dataset import Claim, Dataset

#: Half a unit of the report's last printed digit (P/E printed as 0.00).
TOLERANCE = 0.005
#: Guards the comparison against binary rounding of values like 56.125.
EPSILON = 1e-9
#: The workload a "saving" claim is priced on: 1M input and 1M output tokens.
SAVING_WORKLOAD = (1_000_000, 1_000_000)


@dataclass(frozen=True)
class Check:
    """One recomputed figure: ``kind`` ("P/E" or "claim"), what it is, the printed
    and the computed value, and the tolerance."""

    kind: str
    item: str
    printed: float
    computed: object
    tolerance: float = TOLERANCE
    # For P/E: (stock index, year index) on the key-stocks sheet; claims: None.
    at: tuple[int, int] | None = None
    claim: Claim | None = None

    @property
    def passed(self) -> bool:
        return (isinstance(self.computed, float)
                and abs(self.computed - self.printed) <= self.tolerance + EPSILON)


def pe_checks(data: Dataset) -> list[Check]:
    """One check per printed P/E in ``report_pe.csv``, in the report's order."""
    cov = data.coverage
    index = {s.code: i for i, s in enumerate(cov.stocks)}
    years = {y.label: k for k, y in enumerate(cov.years)}
    checks = []
    for (code, label), printed in data.report_pe.items():
        i, k = index.get(code), years.get(label)
        if i is None or k is None:
            checks.append(Check("P/E", f"{code} P/E {label}", printed,
                                "not in coverage.csv"))
            continue
        stock = cov.stocks[i]
        checks.append(Check("P/E", f"{code} {stock.name} P/E {label}", printed,
                            pe_value(stock.close, stock.eps[k]), at=(i, k)))
    return checks


def claim_value(claim: Claim):
    """The recomputed figure of *claim* (a multiple, or a saving as a fraction) at the
    prices in force on the claim's date."""
    if claim.metric == "ratio":
        return COST_RATIO(claim.model_a, claim.model_b, claim.side, claim.date)
    n_in, n_out = SAVING_WORKLOAD
    cost_a = TOKEN_COST(claim.model_a, n_in, n_out, 0, 0, claim.date)
    cost_b = TOKEN_COST(claim.model_b, n_in, n_out, 0, 0, claim.date)
    for cost in (cost_a, cost_b):
        if isinstance(cost, str):  # an error text, as the 核对 formula would show
            return cost
    if cost_b == 0:
        return "#DIV/0!"
    return 1 - cost_a / cost_b


def claim_checks(data: Dataset) -> list[Check]:
    """One check per row of ``claims.csv``."""
    return [Check("claim", f"{c.id}: {c.statement}", c.printed, claim_value(c), claim=c)
            for c in data.claims]


def all_checks(data: Dataset) -> list[Check]:
    return pe_checks(data) + claim_checks(data)


#: What the build report and ``核对`` say of data without ``report_pe.csv`` and
#: ``claims.csv``: nothing is compared with a report.
NOTHING_CHECKED = ("checks: none; the data folder has no report_pe.csv or claims.csv "
                   "(a report's printed figures), so nothing is compared with a report")


def summary(checks: list[Check]) -> str:
    """``"P/E 60/60 match the report; claims 5/5"``, or :data:`NOTHING_CHECKED`
    when there is no check."""
    if not checks:
        return NOTHING_CHECKED
    pe = [c for c in checks if c.kind == "P/E"]
    claims = [c for c in checks if c.kind == "claim"]
    pe_text = (f"P/E {sum(c.passed for c in pe)}/{len(pe)} match the report" if pe
               else "P/E 0/0: no printed P/E to check (no report_pe.csv)")
    return f"{pe_text}; claims {sum(c.passed for c in claims)}/{len(claims)}"


@dataclass(frozen=True)
class Finding:
    """A published rating that is not the one its target price implies: not a failed
    check (the report is what it is) but what a compliance review asks about. ``index``
    is the stock's row index on the key-stocks sheet; ``upside`` a fraction."""

    index: int
    code: str
    name: str
    published: str
    implied: str
    target_price: float
    upside: float


def resolve_basis(data: Dataset, scale=None, benchmark_return=None) -> tuple:
    """``(scale, benchmark_return)``: each as given, or the settings' where ``None``."""
    s = data.settings
    return (s.rating_scale if scale is None else scale,
            s.benchmark_return if benchmark_return is None else benchmark_return)


def rating_findings(data: Dataset, scale=None, benchmark_return=None) -> list[Finding]:
    """Every stock with a target price whose published rating differs from
    ``IMPLIED_RATING(target, close, benchmark_return, scale)``, in table order; the
    scale and benchmark return default to the settings'. An implied rating that is
    an error (an unknown scale typed in Excel) is no finding: its cell shows the error.
    Computed on *data* itself, whatever dataset the UDFs use."""
    scale, benchmark_return = resolve_basis(data, scale, benchmark_return)
    out = []
    for i, stock in enumerate(data.coverage.stocks):
        if stock.target_price is None:
            continue
        implied = implied_rating_value(stock.target_price, stock.close, benchmark_return,
                                       scale, data=data)
        if implied != stock.rating and not implied.startswith("#"):
            out.append(Finding(i, stock.code, stock.name, stock.rating, implied,
                               stock.target_price, upside_value(stock.target_price,
                                                                stock.close)))
    return out


def findings_summary(data: Dataset, findings: list[Finding], scale=None,
                     benchmark_return=None) -> str:
    """``"findings: 2 of 5 published ratings differ from the rating their target
    implies (tianfeng, benchmark 0.00%)"``, or why there is none; *scale* and
    *benchmark_return* as in :func:`rating_findings`."""
    with_target = sum(s.target_price is not None for s in data.coverage.stocks)
    if not data.coverage.has_targets or not with_target:
        return "findings: none (no target prices, so no rating check)"
    scale, bench = resolve_basis(data, scale, benchmark_return)
    bench_text = f"{bench:.2%}" if isinstance(bench, (int, float)) and \
        not isinstance(bench, bool) else repr(bench)
    basis = f"({scale}, benchmark {bench_text})"
    if not findings:
        return (f"findings: none; all {with_target} published ratings are the ones their "
                f"target implies {basis}")
    return (f"findings: {len(findings)} of {with_target} published ratings differ from the "
            f"rating their target implies {basis}")
