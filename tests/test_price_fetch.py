"""tushare ``daily`` through workbook/prices/fetch.py, offline: every answer is written
by hand (tests/tushare_answers.py) and served by ``responses``; pytest-socket's marker
makes any socket this module opens an error."""

from __future__ import annotations

import datetime as dt
import json
import socket

import pytest
import requests
import responses
from pytest_socket import SocketBlockedError
from responses import matchers

from helpers.tushare_answers import DOC_ROWS, FIELDS, answer, refusal
from workbook.prices.fetch import (API_URL, BATCH, FetchError, Fetched, fetch_closes,
                                   find_token)
from workbook.prices.quote import Quote

pytestmark = pytest.mark.disable_socket

TOKEN = "t0ken-for-tests-0123456789"
DAY = dt.date(2018, 7, 18)


@pytest.fixture
def served():
    """``responses`` serving API_URL; every registered answer must be asked for."""
    with responses.RequestsMock(assert_all_requests_are_fired=True) as mock:
        yield mock


def body(call) -> dict:
    return json.loads(call.request.body)


@pytest.mark.filterwarnings("ignore:A test tried to use socket.socket")
def test_no_socket_opens_in_this_module():
    with pytest.raises(SocketBlockedError):
        socket.socket(socket.AF_INET, socket.SOCK_STREAM)


def test_the_documented_request_and_answer(served):
    """The request is tushare's documented JSON POST; the close is document 27's 8.70."""
    served.post(API_URL, json=answer([list(DOC_ROWS[0])]), match=[matchers.json_params_matcher({
        "api_name": "daily", "token": TOKEN,
        "params": {"ts_code": "000001.SZ", "trade_date": "20180718"},
        "fields": "ts_code,trade_date,close"})])
    got = fetch_closes(["000001.SZ"], DAY, token=TOKEN)
    assert got == Fetched((Quote("000001.SZ", DAY, 8.70, "tushare daily 2018-07-18"),))
    assert type(got.quotes[0].close) is float
    assert served.calls[0].request.req_kwargs["timeout"] == 10


def test_codes_without_a_row_and_outside_the_markets(served):
    """A code with no row (suspended, unknown) is missing; a Hong Kong code is never
    sent (``daily`` covers A shares only)."""
    served.post(API_URL, json=answer([["000001.SZ", "20180718", 8.7]]))
    got = fetch_closes(["000001.SZ", "0941.HK", "600000.SH"], DAY, token=TOKEN)
    assert [q.code for q in got.quotes] == ["000001.SZ"]
    assert got.missing == ("600000.SH",)
    assert got.skipped == ("0941.HK",)
    assert body(served.calls[0])["params"]["ts_code"] == "000001.SZ,600000.SH"


def test_a_day_without_trading_gives_no_quote(served):
    served.post(API_URL, json=answer([]))
    got = fetch_closes(["000001.SZ"], dt.date(2018, 7, 21), token=TOKEN)  # a Saturday
    assert got.quotes == () and got.missing == ("000001.SZ",)


def test_codes_go_in_batches(served):
    codes = [f"{600000 + n:06d}.SH" for n in range(BATCH + 50)]
    served.post(API_URL, json=answer([]))
    served.post(API_URL, json=answer([[codes[-1], "20180718", 3.5]]))
    got = fetch_closes(codes, DAY, token=TOKEN)
    sent = [body(call)["params"]["ts_code"].split(",") for call in served.calls]
    assert [len(batch) for batch in sent] == [100, 50]
    assert sent[0] + sent[1] == codes
    assert got.quotes == (Quote(codes[-1], DAY, 3.5, "tushare daily 2018-07-18"),)


def test_a_refusal_names_tushares_code_and_message(served):
    served.post(API_URL, json=refusal(2002, "抱歉，您没有访问该接口的权限"))
    with pytest.raises(FetchError) as info:
        fetch_closes(["000001.SZ"], DAY, token=TOKEN)
    assert "code 2002" in str(info.value) and "没有访问该接口的权限" in str(info.value)
    assert TOKEN not in str(info.value)
    assert len(served.calls) == 1  # a refusal is not tried again


def test_server_errors_are_tried_again_with_backoff(served):
    served.post(API_URL, status=502)
    served.post(API_URL, status=503)
    served.post(API_URL, json=answer([list(DOC_ROWS[0])]))
    waits = []
    got = fetch_closes(["000001.SZ"], DAY, token=TOKEN, retries=2, sleep=waits.append)
    assert waits == [1.0, 2.0]
    assert got.quotes[0].close == 8.70


def test_timeouts_end_after_the_retries(served):
    for _ in range(3):
        served.post(API_URL, body=requests.ReadTimeout("read timed out"))
    waits = []
    with pytest.raises(FetchError, match=r"did not answer within 4 s \(3 tries\)"):
        fetch_closes(["000001.SZ"], DAY, token=TOKEN, timeout=4, sleep=waits.append)
    assert len(served.calls) == 3 and waits == [1.0, 2.0]


def test_no_connection(served):
    served.post(API_URL, body=requests.ConnectionError("name resolution failed"))
    with pytest.raises(FetchError, match=r"cannot reach tushare .*1 try"):
        fetch_closes(["000001.SZ"], DAY, token=TOKEN, retries=0)


def test_a_client_error_is_not_tried_again(served):
    served.post(API_URL, status=403)
    with pytest.raises(FetchError, match="HTTP 403"):
        fetch_closes(["000001.SZ"], DAY, token=TOKEN, sleep=pytest.fail)
    assert len(served.calls) == 1


def test_a_failed_batch_returns_nothing(served):
    """The first batch had closes; the second fails: no quote comes back at all."""
    codes = [f"{600000 + n:06d}.SH" for n in range(BATCH + 1)]
    served.post(API_URL, json=answer([[codes[0], "20180718", 9.5]]))
    served.post(API_URL, json=refusal(40203, "每分钟最多访问该接口500次"))
    with pytest.raises(FetchError, match="40203"):
        fetch_closes(codes, DAY, token=TOKEN)


@pytest.mark.parametrize("row, problem", [
    (["000001.SZ", "20180718", 0], "not a price > 0"),
    (["000001.SZ", "20180718", -8.7], "not a price > 0"),
    (["000001.SZ", "20180718", None], "not a price > 0"),
    (["000001.SZ", "20180718", "8.70"], "not a price > 0"),
    (["000001.SZ", "20180717", 8.72], "a date other than the one asked"),
    (["600000.SH", "20180718", 9.5], "a code that was not asked"),
    (["000001.SZ", "20180718"], "does not match the fields"),
    (["000001.SZ", "20180718", 10 ** 400], "not a price > 0"),  # beyond a float
    ([["000001.SZ"], "20180718", 8.7], "a code that was not asked"),  # not text
])
def test_rows_that_are_not_closes_are_refused(served, row, problem):
    served.post(API_URL, json=answer([row]))
    with pytest.raises(FetchError, match=problem):
        fetch_closes(["000001.SZ"], DAY, token=TOKEN)


def test_a_nan_close_is_refused(served):
    served.post(API_URL, body='{"code": 0, "msg": "", "data": {"fields": '
                              '["ts_code", "trade_date", "close"], "items": '
                              '[["000001.SZ", "20180718", NaN]]}}')
    with pytest.raises(FetchError, match="nan"):
        fetch_closes(["000001.SZ"], DAY, token=TOKEN)


def test_two_different_closes_for_one_code_are_refused(served):
    served.post(API_URL, json=answer([["000001.SZ", "20180718", 8.70],
                                      ["000001.SZ", "20180718", 8.72]]))
    with pytest.raises(FetchError, match="a second close"):
        fetch_closes(["000001.SZ"], DAY, token=TOKEN)


@pytest.mark.parametrize("text", ["<html>502 Bad Gateway</html>", '{"data": []}',
                                  '{"code": 0, "msg": "", "data": null}'])
def test_answers_of_another_shape_are_refused(served, text):
    served.post(API_URL, body=text)
    with pytest.raises(FetchError, match="tushare answered"):
        fetch_closes(["000001.SZ"], DAY, token=TOKEN)


def test_fields_in_another_order(served):
    fields = ["close", "ts_code", "trade_date"]
    served.post(API_URL, json=answer([[8.70, "000001.SZ", "20180718"]], fields))
    assert fetch_closes(["000001.SZ"], DAY, token=TOKEN).quotes[0].close == 8.70
    assert FIELDS != fields


# --- The token -----------------------------------------------------------------------

def test_the_token_from_the_environment_wins(tmp_path):
    conf = tmp_path / "coverbook.conf"
    conf.write_text('"TUSHARE_TOKEN","from-conf"\n', encoding="utf-8")
    assert find_token({"TUSHARE_TOKEN": "from-env"}, conf) == "from-env"
    assert find_token({}, conf) == "from-conf"
    assert find_token({"TUSHARE_TOKEN": "  "}, conf) == "from-conf"


def test_no_token_says_how_to_set_one(tmp_path):
    conf = tmp_path / "coverbook.conf"
    with pytest.raises(FetchError) as info:
        find_token({}, conf)
    message = str(info.value)
    assert "TUSHARE_TOKEN" in message and str(conf) in message
    assert '"TUSHARE_TOKEN","<your token>"' in message


@pytest.mark.parametrize("code, ts_code", [
    ("600941.SH", "600941.SH"), ("000063.SZ", "000063.SZ"), ("920493.BJ", "920493.BJ"),
    ("0941.HK", None), ("AAPL.O", None), ("600941.sh", None)])
def test_codes_between_coverbook_and_tushare(code, ts_code):
    from workbook.prices.fetch import from_provider, to_provider

    assert to_provider(code) == ts_code
    if ts_code:
        assert from_provider(ts_code) == code
