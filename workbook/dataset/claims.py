"""``claims.csv``: the report's price claims, recomputed from the token prices by the
checks (``workbook/checks.py``). Optional: without it there are no claims to check."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from workbook.dataset.errors import Collector, DataError
from workbook.dataset.reader import date_cell, nearest, number_cell, read_csv
from workbook.dataset.token_prices import TOKEN_PRICES_FILE

CLAIMS_FILE = "claims.csv"
CLAIM_COLUMNS = ("id", "model_a", "model_b", "metric", "side", "printed", "statement",
                 "date")
CLAIM_METRICS = {
    "ratio": ("input", "output"),
    "saving": ("input+output",),
}


@dataclass(frozen=True)
class Claim:
    """A price claim printed in the report, to be recomputed from the token prices.

    ``metric`` ``"ratio"``: price of model_a / price of model_b on ``side``;
    ``"saving"``: 1 - cost(model_a) / cost(model_b) for 1M input plus 1M output tokens.
    ``printed`` is the report's figure (a multiple, or a fraction for savings);
    ``date`` the day the claim was made, on which the prices are looked up (the
    report's date; a blank cell in the file means the settings' ``as_of``).
    """

    id: str
    model_a: str
    model_b: str
    metric: str
    side: str
    printed: float
    statement: str
    date: dt.date



def load_claims(path: Path, models: Iterable[str], errors: list[DataError],
                default_date: dt.date | None = None) -> tuple[Claim, ...]:
    """The report's price claims from ``claims.csv`` (see :class:`Claim`); *models*
    are the model ids of the price table the claims must name; *default_date* (the
    settings' ``as_of``) is the date of a claim whose ``date`` cell is blank. Like
    ``report_pe.csv`` the file only feeds checks: absent, there are no claims to
    check."""
    if not path.exists():
        return ()
    parsed = read_csv(path, CLAIM_COLUMNS, errors)
    if parsed is None:
        return ()
    _, header, rows = parsed
    out = Collector(path.name, errors)
    known = sorted(set(models))
    seen: dict[str, int] = {}
    claims = []
    complete = all(name in header for name in CLAIM_COLUMNS)
    for line, row in rows:
        start = len(errors)
        row = {name: row.get(name, "") for name in CLAIM_COLUMNS}
        if "id" not in header:
            pass
        elif not row["id"]:
            out.add(line, "id", "empty; give the claim a short id")
        else:
            out.unique(seen, line, "id", row["id"])
        for column in ("model_a", "model_b"):
            if known and column in header and row[column].lower() not in known:
                guess = nearest(row[column], known)
                hint = f"did you mean {guess!r}?" if guess else f"known: {', '.join(known)}"
                out.add(line, column, f"unknown model {row[column]!r} (not in "
                        f"{TOKEN_PRICES_FILE}); {hint}")
        sides = CLAIM_METRICS.get(row["metric"])
        if "metric" not in header:
            pass
        elif sides is None:
            out.add(line, "metric", f"{row['metric']!r} is not one of {', '.join(CLAIM_METRICS)}")
        elif "side" in header and row["side"] not in sides:
            out.add(line, "side", f"{row['side']!r}: metric {row['metric']} takes {' or '.join(sides)}")
        printed = number_cell(out, line, "printed", row["printed"]) if "printed" in header else None
        day = default_date
        if "date" in header and row["date"]:
            day = date_cell(out, line, "date", row["date"])
        if complete and len(errors) == start and day is not None:
            claims.append(Claim(row["id"], row["model_a"].lower(), row["model_b"].lower(),
                                row["metric"], row["side"], printed, row["statement"], day))
    return tuple(claims)

