"""The A-share exchanges and their stock codes: which two-digit prefixes each one
assigns, and how many distinct tickers that makes.

Its own module, importing nothing, so that ``coverbook --help`` can state the
sample's capacity without loading the data layer (``workbook.dataset`` validates
tickers with :data:`EXCHANGE_BY_PREFIX`; ``workbook.sample`` draws codes from
:data:`CODE_RANGES`).
"""

#: The exchange of an A-share stock code, by its first two digits. Shanghai: 60 main
#: board, 68 STAR Market, 90 B shares (SSE, 上海证券交易所证券代码分配规则, 2007);
#: Shenzhen: 00 main board, 20 B shares, 30 ChiNext (SZSE's code ranges, 证券代码区间);
#: Beijing: 43, 83, 87, the NEEQ codes its stocks kept when the BSE opened in 2021, and
#: 92, the BSE's own 920 segment (北证公告〔2023〕103号; new listings from 2024-04-22,
#: every stock by 2025-10-09). Other prefixes are funds, bonds, repos or indices.
EXCHANGE_BY_PREFIX = {"60": "SH", "68": "SH", "90": "SH", "00": "SZ", "20": "SZ",
                      "30": "SZ", "43": "BJ", "83": "BJ", "87": "BJ", "92": "BJ"}
EXCHANGE_NAMES = {"SH": "Shanghai", "SZ": "Shenzhen", "BJ": "Beijing"}

#: Ticker number ranges per exchange: every code whose first two digits the loader
#: accepts for that exchange (``EXCHANGE_BY_PREFIX``: Shanghai 60/68/90xxxx, Shenzhen
#: 00/20/30xxxx, Beijing 43/83/87/92xxxx), 10,000 codes per prefix, except 000000,
#: which no stock has.
CODE_RANGES: dict[str, tuple[tuple[int, int], ...]] = {
    x: tuple((max(int(p) * 10_000, 1), (int(p) + 1) * 10_000)
             for p, e in EXCHANGE_BY_PREFIX.items() if e == x)
    for x in ("SH", "SZ", "BJ")
}
#: How many distinct tickers a sample can have: 99,999 (Shanghai 30,000, Shenzhen
#: 29,999, Beijing 40,000).
CAPACITY = sum(b - a for ranges in CODE_RANGES.values() for a, b in ranges)
