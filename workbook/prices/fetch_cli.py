"""``coverbook prices fetch [--date YYYY-MM-DD] [--data DIR]``: the coverage's unadjusted
closes of one trading day from tushare (``workbook/prices/fetch.py``), added to the
price history. Opt in: it needs the ``fetch`` extra and a token; the build and Refresh
never fetch.

The click command :data:`fetch` joins the ``prices`` group where that group is made
(``workbook/cli.py``). Every failure is one ``error:`` line on stderr, exit 2 and
nothing written: the quotes reach the price history only once all of them are in.
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from workbook.cli import DATA_TO_WRITE_HELP

#: China Standard Time, where the exchanges are (no daylight saving): the default day.
BEIJING = dt.timezone(dt.timedelta(hours=8), "CST")


def _fail(message: str) -> None:
    """End the command: *message* on stderr, exit 2, nothing written."""
    click.echo(f"error: {message}; nothing was written.", err=True)
    sys.exit(2)


def _today_in_beijing() -> dt.date:
    """Today's date on the exchanges' clock (the default of ``--date``)."""
    return dt.datetime.now(BEIJING).date()


def _coverage_codes(data_dir: Path) -> list[str]:
    """The tickers of ``coverage.csv`` in *data_dir*, in row order, the data folder
    checked as ``prices import`` checks it (a close may still be blank: fetching is how
    it gets one); its problems printed, exit 2."""
    from workbook.prices.importer import ImportRefused, covered_stocks

    try:
        stocks, _ = covered_stocks(data_dir)
    except ImportRefused as exc:
        for line in exc.problems:
            click.echo(line, err=True)
        _fail(f"{len(exc.problems)} problem(s) in the data")
    return list(stocks)


@click.command("fetch")
@click.option("--date", "day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              metavar="YYYY-MM-DD",
              help="The trading day whose closes to fetch. Default: today in Beijing.")
@click.option("--data", "data_opt", type=click.Path(file_okay=False, path_type=Path),
              default=None,
              help=DATA_TO_WRITE_HELP)
@click.option("--timeout", type=click.FloatRange(min=0.1), default=10.0, show_default=True,
              help="Seconds to wait for each answer.")
@click.option("--retries", type=click.IntRange(0, 5), default=2, show_default=True,
              help="Further tries after a failed connection, a timeout or HTTP 429/5xx.")
def fetch(day: dt.datetime | None, data_opt: Path | None, timeout: float,
          retries: int) -> None:
    """Fetch the coverage's unadjusted (不复权) closes of one trading day from tushare
    (A shares: .SH, .SZ, .BJ) into the price history. Needs `pip install
    'coverbook[fetch]'` and a tushare token in TUSHARE_TOKEN or coverbook.conf."""
    from workbook.cli_locations import _data_to_write
    from workbook.prices.fetch import PROVIDER, FetchError, fetch_closes, find_token

    day = day.date() if day is not None else _today_in_beijing()
    location = _data_to_write(data_opt)
    codes = _coverage_codes(location.path)
    try:
        import requests  # noqa: F401  (the extra's one package)
    except ImportError:
        _fail("fetching prices needs the optional extra: pip install 'coverbook[fetch]'")
    try:
        fetched = fetch_closes(codes, day, token=find_token(), timeout=timeout,
                               retries=retries)
    except FetchError as exc:
        _fail(str(exc))
    for code in fetched.skipped:
        click.echo(f"skipped {code}: {PROVIDER} daily covers Shanghai, Shenzhen and "
                   "Beijing A shares only", err=True)
    if not fetched.quotes:
        asked = len(codes) - len(fetched.skipped)
        if not asked:
            _fail(f"no code in the coverage is one {PROVIDER} daily covers")
        _fail(f"{PROVIDER} has no close on {day} for any of the {asked} code(s) asked: "
              "not a trading day, or not loaded yet (it loads each trading day's closes "
              "15:00-17:00 Beijing time)")
    for code in fetched.missing:
        click.echo(f"no close for {code} on {day}: suspended that day, not listed then, or "
                   f"a code {PROVIDER} does not know", err=True)
    _write(location.path, list(fetched.quotes))
    click.echo(f"fetched {len(fetched.quotes)} close(s) of {day} from {PROVIDER}; "
               f"{len(fetched.missing)} without a close, {len(fetched.skipped)} skipped")


def _write(data_dir: Path, quotes: list) -> None:
    """Merge *quotes* into the data folder's price history by the import's rules
    (``workbook.prices.importer.add_quotes``: all checked before the one atomic
    write; a close that differs from one held is refused, never replaced)."""
    from workbook.prices.fetch import PROVIDER
    from workbook.prices.importer import ImportRefused, add_quotes

    try:
        result = add_quotes(data_dir, quotes, kind=f"{PROVIDER} daily")
    except ImportRefused as exc:
        for line in exc.problems:
            click.echo(line, err=True)
        _fail(f"refused {len(exc.problems)} problem(s)")
    click.echo(result.report())
