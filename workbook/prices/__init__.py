"""Close prices from the analyst's sources: the price history in the data folder
(``prices.csv``), terminal exports (``coverbook prices import``) and one online source
(``coverbook prices fetch``). Every source yields :class:`~workbook.prices.quote.Quote`
records, so one contract test suite covers them all."""

#: The price history's file name in the data folder (:mod:`workbook.prices.history`).
PRICES_FILE = "prices.csv"
