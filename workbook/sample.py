"""A reproducible synthetic coverage universe, for benchmarks and large-table tests.

:func:`write_sample` writes a data folder :func:`workbook.dataset.load_dataset`
accepts: a ``coverage.csv`` of *n_stocks* made-up stocks over *n_years* fiscal years,
and copies of the shipped reference files (:data:`REFERENCE_FILES`: settings, token
prices, FX rates, workloads, rating scales, claims). There is no ``report_pe.csv`` (no
broker printed these P/Es), so a build of a sample checks the price claims only.

Same arguments, same bytes: every random draw comes from one ``random.Random(seed)``
and the files are written with fixed line endings and encoding.
"""

from __future__ import annotations

import math
import random
import shutil
from pathlib import Path

from workbook import DATA_DIR
from workbook.dataset import (CLAIMS_FILE, COVERAGE_FILE, COVERAGE_FIXED, FX_FILE,
                              RATING_SCALES_FILE, SETTINGS_FILE, TOKEN_PRICES_FILE,
                              WORKLOADS_FILE, load_rating_scales, load_settings,
                              resolve_scale)
from workbook.exchanges import CAPACITY, CODE_RANGES

#: The ``source`` of a sample's settings: its figures are random, nobody's estimates.
SOURCE = "coverbook sample (seed {seed}): synthetic figures, not estimates"
#: Share of stocks per exchange (roughly the market's listing counts).
EXCHANGE_WEIGHTS = {"SH": 0.42, "SZ": 0.53, "BJ": 0.05}
#: The last fiscal year of the sample; earlier years up to 2023 are actuals (A).
LAST_YEAR = 2026
LAST_ACTUAL_YEAR = 2023
CLOSE_DATE = "2024-09-23"
#: The files copied from the shipped data unchanged (those that exist there; the
#: rating scales only where the folder has its own: the shipped ones need no copy).
REFERENCE_FILES = (SETTINGS_FILE, TOKEN_PRICES_FILE, FX_FILE, WORKLOADS_FILE,
                   RATING_SCALES_FILE, CLAIMS_FILE)
#: Share of stock-years with EPS <= 0 (loss-makers, P/E "NM") and with a blank EPS.
LOSS_SHARE = 0.08
BLANK_SHARE = 0.03

_NAME_HEADS = "华中海天新光通信科电兴盛达金宏瑞恒博汇"
_NAME_TAILS = ("科技", "通信", "电子", "股份", "光电", "网络", "数据", "智能", "微电", "精密")


def _codes(rng: random.Random, n: int) -> list[str]:
    capacity = {x: sum(b - a for a, b in ranges) for x, ranges in CODE_RANGES.items()}
    if n > CAPACITY:
        raise ValueError(f"at most {CAPACITY:,} stocks (unique tickers)")
    counts = {x: min(capacity[x], round(n * w)) for x, w in EXCHANGE_WEIGHTS.items()}
    # Rounding and full exchanges: put the rest where there is room, in a fixed order.
    for x in CODE_RANGES:
        missing = n - sum(counts.values())
        if missing < 0:
            counts[x] -= min(counts[x], -missing)
        elif missing > 0:
            counts[x] += min(capacity[x] - counts[x], missing)
    codes = []
    for x, ranges in CODE_RANGES.items():
        for k in rng.sample(range(capacity[x]), counts[x]):
            for a, b in ranges:
                if k < b - a:
                    codes.append(f"{a + k:06d}.{x}")
                    break
                k -= b - a
    codes.sort()
    return codes


def _stock_ratings(data_dir: Path) -> list[str]:
    """The labels of the scale *data_dir*'s table is rated on (``settings.toml``)."""
    errors: list = []
    scales = load_rating_scales(data_dir, errors).scales
    settings = load_settings(data_dir / SETTINGS_FILE, errors)
    if settings is not None and not errors:
        settings = resolve_scale(data_dir / SETTINGS_FILE, settings, scales, errors)
    if errors or settings is None:
        raise ValueError("; ".join(str(e) for e in errors))
    return [band.label for band in scales[settings.rating_scale].bands]


def coverage_rows(n_stocks: int, n_years: int, seed: int, ratings: list[str]
                  ) -> tuple[list[str], list[list[str]]]:
    """Header and rows (as text, the way they are written) of a synthetic coverage.csv.

    Close prices are log-normal around CNY 20 (two decimals); EPS is the close over a
    log-normal P/E around 25, growing about 15% a year; :data:`LOSS_SHARE` of
    stock-years are losses (EPS <= 0, some exactly 0.00) and :data:`BLANK_SHARE` blank.
    """
    if n_stocks < 1 or n_years < 1:
        raise ValueError("need at least one stock and one year")
    rng = random.Random(seed)
    years = range(LAST_YEAR - n_years + 1, LAST_YEAR + 1)
    header = list(COVERAGE_FIXED) + [
        f"EPS {y}{'A' if y <= LAST_ACTUAL_YEAR else 'E'}" for y in years]
    rows = []
    for code in _codes(rng, n_stocks):
        close = round(math.exp(rng.gauss(math.log(20), 0.8)), 2) or 0.01
        name = rng.choice(_NAME_HEADS) + rng.choice(_NAME_HEADS) + rng.choice(_NAME_TAILS)
        eps_base = close / math.exp(rng.gauss(math.log(25), 0.6))
        eps = []
        for k in range(n_years):
            draw = rng.random()
            if draw < BLANK_SHARE:
                eps.append("")
            elif draw < BLANK_SHARE + LOSS_SHARE:
                eps.append(f"{-abs(rng.gauss(0, eps_base)):.2f}".replace("-0.00", "0.00"))
            else:
                eps.append(f"{eps_base * 1.15 ** k:.2f}")
        rows.append([code, name, f"{close:.2f}", CLOSE_DATE, rng.choice(ratings)] + eps)
    return header, rows


def write_sample(out: Path | str, n_stocks: int, n_years: int = 4, seed: int = 0, *,
                 data_dir: Path | str = DATA_DIR) -> Path:
    """Write a synthetic data folder to *out* (created; files in it overwritten).

    *n_stocks* stocks (1 to :data:`CAPACITY`, 99,999) over *n_years* fiscal years ending
    2026, rated on the scale of *data_dir*'s settings; reference files
    (:data:`REFERENCE_FILES`) are copied from *data_dir*.
    Returns *out*. Raises ``ValueError`` for sizes it cannot make.
    """
    out, data_dir = Path(out), Path(data_dir)
    header, rows = coverage_rows(n_stocks, n_years, seed, _stock_ratings(data_dir))
    out.mkdir(parents=True, exist_ok=True)
    lines = [",".join(header)] + [",".join(r) for r in rows]
    (out / COVERAGE_FILE).write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    for name in REFERENCE_FILES:
        if (data_dir / name).exists():
            shutil.copyfile(data_dir / name, out / name)
    _name_the_sample(out / SETTINGS_FILE, seed)
    return out


def _name_the_sample(settings: Path, seed: int) -> None:
    """Give the copied *settings* the sample's own ``source`` line (:data:`SOURCE`),
    in place of the one it was copied with: random figures are nobody's estimates."""
    if not settings.exists():
        return
    lines = [line for line in settings.read_text(encoding="utf-8").splitlines()
             if not line.startswith("source =")]
    lines.append(f'source = "{SOURCE.format(seed=seed)}"')
    settings.write_text("\n".join(lines) + "\n", encoding="utf-8")
