"""One online source of close prices, opt in: tushare's ``daily`` (A shares, 未复权).

Why tushare (docs/prices-online.md, with the sources of each point): its
``daily`` interface is documented as unadjusted (本接口是未复权行情), it is reached with
a personal token over one documented HTTP call, and its codes are coverbook's own
(``600000.SH``, ``000001.SZ``, ``920493.BJ``). baostock's socket has no timeout and can
block forever; akshare and efinance scrape and get banned, and efinance adjusts by default.

**The call** (tushare's "通过HTTP调取数据", the same request its Python SDK's
``DataApi.query`` sends): a JSON ``POST`` to :data:`API_URL` of
``{"api_name": "daily", "token": ..., "params": {"ts_code": "600000.SH,000001.SZ",
"trade_date": "20251103"}, "fields": "ts_code,trade_date,close"}``; the answer is
``{"code": 0, "msg": ..., "data": {"fields": [...], "items": [[...], ...]}}``, a code
other than 0 being a refusal (``2002``: no permission) whose ``msg`` says why.
``daily`` returns no row for a day without trading, nor for a suspended stock
(停牌期间不提供数据), and is loaded 15:00-17:00 Beijing time on each trading day.

Talks HTTP itself with ``requests`` (the ``fetch`` extra: ``pip install
'coverbook[fetch]'``) rather than through the tushare SDK, which pulls pandas and
raises bare ``Exception``s. Nothing here writes a file: :func:`fetch_closes` returns
:class:`~workbook.prices.quote.Quote` records or raises :class:`FetchError`.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping

from workbook.prices.quote import Quote

#: Who answers, as the history's ``source`` column names it.
PROVIDER = "tushare"
#: tushare's interface of unadjusted daily bars (docs: tushare.pro document 27).
API_NAME = "daily"
#: tushare's HTTP endpoint (its SDK's ``DataApi.__http_url``).
API_URL = "http://api.tushare.pro"
#: Environment variable, and key in the user's ``coverbook.conf``, holding the token
#: (the name tushare's own examples use).
TOKEN_KEY = "TUSHARE_TOKEN"
#: Codes per request: ``daily`` returns at most 6,000 rows a call and allows 500 calls a
#: minute on basic points (tushare.pro document 27); one day of 100 codes is 100 rows.
BATCH = 100
#: Where a token comes from, for the error that finds none.
TOKEN_PAGE = "https://tushare.pro (个人主页 → 接口TOKEN)"
#: The markets ``daily`` covers, in coverbook's ticker form: Shanghai, Shenzhen and
#: Beijing A shares. Hong Kong and US listings have other interfaces and more points.
MARKETS = "Shanghai (.SH), Shenzhen (.SZ) and Beijing (.BJ) A shares"
_A_SHARE = re.compile(r"[0-9]{6}\.(SH|SZ|BJ)")
#: HTTP statuses worth another try: rate limiting and the server's own trouble.
_RETRY_STATUS = frozenset({429, 500, 502, 503, 504})


class FetchError(Exception):
    """A fetch that gave nothing usable; the message says what happened and what to
    do, for the analyst, without the token."""


@dataclass(frozen=True)
class Fetched:
    """What one fetch gave: ``quotes`` (coverbook tickers, in the order asked),
    ``missing`` (asked, no row: suspended that day, not listed then, or unknown to the
    provider) and ``skipped`` (outside the markets the provider covers, never asked)."""

    quotes: tuple[Quote, ...]
    missing: tuple[str, ...] = ()
    skipped: tuple[str, ...] = ()


def _finite(number: int | float) -> bool:
    """*number* is a finite float (a JSON integer of 400 digits overflows one)."""
    try:
        return math.isfinite(number)
    except OverflowError:
        return False


def to_provider(code: str) -> str | None:
    """tushare's ``ts_code`` of the coverbook ticker *code* (the same text for A shares:
    ``600941.SH``), or ``None`` for a listing ``daily`` does not cover (``0941.HK``)."""
    return code if _A_SHARE.fullmatch(code) else None


def from_provider(ts_code: str) -> str:
    """The coverbook ticker of tushare's ``ts_code`` (A shares: the same text)."""
    return ts_code


def find_token(environ: Mapping[str, str] | None = None,
               config_file: Path | None = None) -> str:
    """The tushare token: the environment variable :data:`TOKEN_KEY`, else that key in
    the user's ``coverbook.conf`` (``workbook.locations.user_config_file``). Raises
    :class:`FetchError` saying how to set one when neither has it."""
    from workbook.locations import read_config, user_config_file

    environ = os.environ if environ is None else environ
    token = environ.get(TOKEN_KEY, "").strip()
    if token:
        return token
    config_file = user_config_file() if config_file is None else Path(config_file)
    token = read_config(config_file).get(TOKEN_KEY, "").strip()
    if token:
        return token
    raise FetchError(
        f"no tushare token: set the environment variable {TOKEN_KEY}, or add the line "
        f'"{TOKEN_KEY}","<your token>" to {config_file}; a token comes with an '
        f"account at {TOKEN_PAGE}")


def fetch_closes(codes: Iterable[str], day: dt.date, *, token: str, timeout: float = 10,
                 retries: int = 2, backoff: float = 1.0, session=None,
                 sleep: Callable[[float], None] = time.sleep) -> Fetched:
    """The unadjusted closes of *codes* (coverbook tickers) on the trading day *day*,
    from tushare ``daily``: one :class:`Quote` per code with a row, ``source``
    ``"tushare daily 2025-11-03"``, close in CNY per share as tushare gives it.

    Each request waits at most *timeout* seconds and is tried again at most *retries*
    times after a failed connection, a timeout or HTTP 429/5xx, waiting *backoff*,
    then twice as long, and so on. Raises :class:`FetchError` on any failure (HTTP
    error, an answer that is not tushare's JSON, tushare's own refusal with its code and
    message, a row that is not a finite close > 0 of a code asked on *day*): then no
    quote is returned at all. *session*: a ``requests.Session`` (tests pass one
    that ``responses`` serves); a new one by default.
    """
    import requests

    asked: list[str] = []
    skipped: list[str] = []
    for code in dict.fromkeys(codes):
        (asked if to_provider(code) else skipped).append(code)
    session = requests.Session() if session is None else session
    trade_date = day.strftime("%Y%m%d")
    closes: dict[str, float] = {}
    for start in range(0, len(asked), BATCH):
        batch = [to_provider(code) for code in asked[start:start + BATCH]]
        payload = {"api_name": API_NAME, "token": token,
                   "params": {"ts_code": ",".join(batch), "trade_date": trade_date},
                   "fields": "ts_code,trade_date,close"}
        data = _post(session, payload, timeout, retries, backoff, sleep)
        _read_rows(data, set(batch), trade_date, closes)
    source = f"{PROVIDER} {API_NAME} {day.isoformat()}"
    quotes = tuple(Quote(code, day, closes[code], source) for code in asked if code in closes)
    missing = tuple(code for code in asked if code not in closes)
    return Fetched(quotes, missing, tuple(skipped))


def _post(session, payload: dict, timeout: float, retries: int, backoff: float,
          sleep: Callable[[float], None]) -> dict:
    """tushare's ``data`` object for *payload*, trying again as :func:`fetch_closes`
    says; :class:`FetchError` otherwise."""
    import requests

    where = f"{PROVIDER} ({API_URL})"
    for attempt in range(retries + 1):
        last = attempt == retries
        try:
            response = session.post(API_URL, json=payload, timeout=timeout)
        except requests.Timeout:
            problem = f"{where} did not answer within {timeout:g} s"
        except requests.RequestException as exc:
            problem = f"cannot reach {where}: {type(exc).__name__}"
        else:
            if response.status_code in _RETRY_STATUS:
                problem = f"{where} answered HTTP {response.status_code}"
            elif response.status_code != 200:
                raise FetchError(f"{where} answered HTTP {response.status_code}; "
                                 "nothing was fetched")
            else:
                return _answer_data(response)
        if last:
            tries = f"{retries + 1} tries" if retries else "1 try"
            raise FetchError(f"{problem} ({tries}); check the connection and try again "
                             "later")
        sleep(backoff * 2 ** attempt)
    raise AssertionError("unreachable")  # pragma: no cover


def _answer_data(response) -> dict:
    """The ``data`` of tushare's JSON answer, or :class:`FetchError` for a refusal
    (its code and message) or an answer of another shape."""
    try:
        answer = response.json()
    except ValueError:
        raise FetchError(f"{PROVIDER} answered something that is not JSON: "
                         f"{response.text[:80]!r}") from None
    if not isinstance(answer, dict) or "code" not in answer:
        raise FetchError(f"{PROVIDER} answered JSON without a 'code': {str(answer)[:80]!r}")
    if answer["code"] != 0:
        raise FetchError(
            f"{PROVIDER} refused the request (code {answer['code']}): {answer.get('msg')}; "
            f"check the token in {TOKEN_KEY} and that your account may call "
            f"'{API_NAME}' ({TOKEN_PAGE})")
    data = answer.get("data")
    if not isinstance(data, dict) or not isinstance(data.get("fields"), list) \
            or not isinstance(data.get("items"), list):
        raise FetchError(f"{PROVIDER} answered without data.fields and data.items: "
                         f"{str(answer)[:80]!r}")
    return data


def _read_rows(data: dict, asked: set[str], trade_date: str,
               closes: dict[str, float]) -> None:
    """Add each row of *data* to *closes* (``{ticker: close}``), checking that it is a
    finite close > 0 of a code in *asked* on *trade_date*; :class:`FetchError` names
    the first row that is not."""
    fields = data["fields"]
    missing = [name for name in ("ts_code", "trade_date", "close") if name not in fields]
    if missing:
        raise FetchError(f"{PROVIDER} answered without the field(s) {', '.join(missing)}: "
                         f"fields {fields}")
    at = {name: fields.index(name) for name in ("ts_code", "trade_date", "close")}
    for number, item in enumerate(data["items"], 1):
        if not isinstance(item, list) or len(item) != len(fields):
            raise FetchError(f"{PROVIDER} row {number}: {item!r} does not match the fields "
                             f"{fields}")
        ts_code, date, close = (item[at[name]] for name in ("ts_code", "trade_date", "close"))
        row = f"{PROVIDER} row {number} ({ts_code} {date})"
        if not isinstance(ts_code, str) or ts_code not in asked:
            raise FetchError(f"{row}: a code that was not asked for")
        if date != trade_date:
            raise FetchError(f"{row}: a date other than the one asked for, {trade_date}")
        if isinstance(close, bool) or not isinstance(close, (int, float)) \
                or not _finite(close) or close <= 0:
            raise FetchError(f"{row}: close {close!r} is not a price > 0")
        code = from_provider(ts_code)
        if code in closes and closes[code] != close:
            raise FetchError(f"{row}: a second close, {close!r}, after {closes[code]!r}")
        closes[code] = float(close)
