"""The exchanges coverbook knows, as one table of data: :data:`SEGMENTS`, each a code
shape under an exchange suffix and the currency its stocks trade in.

Its own module, importing nothing of the project, so that ``coverbook --help`` can
state the sample's capacity without loading the data layer
(``workbook.dataset.coverage`` validates tickers and defaults currencies with
:func:`segment_of`; ``workbook.sample`` draws A-share codes from :data:`CODE_RANGES`).

Adding a market is one row of :data:`SEGMENTS`; nothing else branches on a suffix.
"""

from __future__ import annotations

import re
from typing import NamedTuple


class Segment(NamedTuple):
    """One row of :data:`SEGMENTS`: codes ``<digits or letters>.<suffix>`` whose part
    before the dot fits ``shape`` (a regular expression, whole match) trade on
    ``exchange`` in ``currency`` (ISO 4217). ``prefix``: the first two digits of an
    A-share segment (``None`` for the other markets); ``shape_text``: the shape in
    words, with an example, for the refusal of a code that does not fit."""

    suffix: str
    exchange: str
    prefix: str | None
    shape: str
    shape_text: str
    currency: str


_A = "6 digits"
#: Every code shape coverbook accepts. Sources (docs/markets.md has them in full):
#: A shares by their first two digits. Shanghai: 60 main board, 68 STAR Market, 90 B
#: shares (SSE, 上海证券交易所证券代码分配规则, 2007); Shenzhen: 00 main board, 20 B
#: shares, 30 ChiNext (SZSE's code ranges, 证券代码区间); Beijing: 43, 83, 87, the NEEQ
#: codes its stocks kept when the BSE opened in 2021, and 92, the BSE's own 920 segment
#: (北证公告〔2023〕103号; every stock by 2025-10-09). Other prefixes are funds, bonds,
#: repos or indices. B shares trade in foreign currency: Shanghai's (900xxx) in USD,
#: Shenzhen's (200xxx) in HKD. Hong Kong: 4 or 5 digits as Wind writes them, leading
#: zeros kept (``0941.HK``, ``1772.HK``), in HKD. US: Wind's ``TICKER.O`` (Nasdaq),
#: ``.N`` (NYSE), ``.A`` (NYSE American), in USD; a ticker is 1 to 5 capital letters
#: (a share class such as ``BRK.B`` is not accepted: its Wind form was not found).
SEGMENTS: tuple[Segment, ...] = (
    Segment("SH", "Shanghai", "60", r"60[0-9]{4}", _A, "CNY"),
    Segment("SH", "Shanghai", "68", r"68[0-9]{4}", _A, "CNY"),
    Segment("SH", "Shanghai B shares", "90", r"90[0-9]{4}", _A, "USD"),
    Segment("SZ", "Shenzhen", "00", r"00[0-9]{4}", _A, "CNY"),
    Segment("SZ", "Shenzhen B shares", "20", r"20[0-9]{4}", _A, "HKD"),
    Segment("SZ", "Shenzhen", "30", r"30[0-9]{4}", _A, "CNY"),
    Segment("BJ", "Beijing", "43", r"43[0-9]{4}", _A, "CNY"),
    Segment("BJ", "Beijing", "83", r"83[0-9]{4}", _A, "CNY"),
    Segment("BJ", "Beijing", "87", r"87[0-9]{4}", _A, "CNY"),
    Segment("BJ", "Beijing", "92", r"92[0-9]{4}", _A, "CNY"),
    Segment("HK", "Hong Kong", None, r"[0-9]{4,5}",
            "4 or 5 digits, leading zeros kept (0941.HK, 01772.HK)", "HKD"),
    Segment("O", "Nasdaq", None, r"[A-Z]{1,5}", "1 to 5 capital letters (AAPL.O)", "USD"),
    Segment("N", "NYSE", None, r"[A-Z]{1,5}", "1 to 5 capital letters (IBM.N)", "USD"),
    Segment("A", "NYSE American", None, r"[A-Z]{1,5}", "1 to 5 capital letters (SIM.A)",
            "USD"),
)

#: The A-share exchange of a stock code, by its first two digits (from :data:`SEGMENTS`).
EXCHANGE_BY_PREFIX = {s.prefix: s.suffix for s in SEGMENTS if s.prefix}
#: Exchange suffixes and their names, A shares first (from :data:`SEGMENTS`).
EXCHANGE_NAMES = {s.suffix: s.exchange.removesuffix(" B shares") for s in SEGMENTS}
#: The A-share suffixes (those whose segments have a two-digit prefix).
A_SHARE_SUFFIXES = tuple(dict.fromkeys(s.suffix for s in SEGMENTS if s.prefix))
#: A code's general form: letters or digits, a dot, a known suffix (the shape is then
#: checked against the suffix's segments). ``[0-9A-Z]``, not ``\\w``: full-width
#: digits (０００６３), which an IME can type, are not digits here.
CODE_RE = re.compile(r"([0-9A-Z]+)\.(" + "|".join(EXCHANGE_NAMES) + r")")
#: The segments of each suffix, with their compiled shapes; an A-share suffix's by
#: its two-digit prefix too (one look-up per code of a 99,999-stock table).
_SHAPES: dict[str, list[tuple[Segment, re.Pattern]]] = {}
for _s in SEGMENTS:
    _SHAPES.setdefault(_s.suffix, []).append((_s, re.compile(_s.shape)))
_BY_PREFIX = {(s.suffix, s.prefix): (s, re.compile(s.shape)) for s in SEGMENTS if s.prefix}


def segment_of(code: str) -> Segment | None:
    """The :data:`SEGMENTS` row *code* (``0941.HK``) belongs to, or ``None`` when its
    suffix is unknown or the part before the dot fits none of the suffix's shapes."""
    base, _, suffix = code.rpartition(".")
    hit = _BY_PREFIX.get((suffix, base[:2]))
    if hit is not None:
        return hit[0] if hit[1].fullmatch(base) else None
    return next((s for s, shape in _SHAPES.get(suffix, ()) if shape.fullmatch(base)), None)


def listing_currency_of_code(code: str) -> str | None:
    """The currency a stock with ticker *code* trades in by its exchange's default
    (``600941.SH`` CNY, ``900901.SH`` USD, ``200596.SZ`` HKD, ``0941.HK`` HKD,
    ``AAPL.O`` USD), ``None`` for a code no segment has. A row of ``coverage.csv``
    may say otherwise (its ``currency`` column):
    ``workbook.dataset.coverage.listing_currency`` applies it."""
    segment = segment_of(code)
    return segment.currency if segment else None


#: Ticker number ranges per A-share exchange: every code whose first two digits the
#: loader accepts for that exchange (``EXCHANGE_BY_PREFIX``: Shanghai 60/68/90xxxx,
#: Shenzhen 00/20/30xxxx, Beijing 43/83/87/92xxxx), 10,000 codes per prefix, except
#: 000000, which no stock has.
CODE_RANGES: dict[str, tuple[tuple[int, int], ...]] = {
    x: tuple((max(int(p) * 10_000, 1), (int(p) + 1) * 10_000)
             for p, e in EXCHANGE_BY_PREFIX.items() if e == x)
    for x in A_SHARE_SUFFIXES
}
#: How many distinct tickers a sample can have: 99,999 (Shanghai 30,000, Shenzhen
#: 29,999, Beijing 40,000).
CAPACITY = sum(b - a for ranges in CODE_RANGES.values() for a, b in ranges)
