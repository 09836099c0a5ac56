"""coverbook's Excel functions (UDFs), exposed through xlwings.

``xlwings.conf``'s *UDF Modules* names this package: every UDF below is a plain Python
function that the headless build also calls to compute the cached values it writes.

=====================  ==========================================================
``PE``                 close / EPS; ``NM`` for EPS <= 0; ranges spill
``RATING``             expected relative return (fraction) -> stock rating
``INDUSTRY_RATING``    expected relative return (fraction) -> industry rating
``TOKEN_PRICE``        price per 1M tokens of a model in force on a date (USD or CNY)
``TOKEN_COST``         cost of a request: input (cached part), output, reasoning tokens
``COST_RATIO``         price of one model / another on a date, input or output
=====================  ==========================================================
"""

from udfs.ratings import INDUSTRY_RATING, RATING
from udfs.tokens import COST_RATIO, TOKEN_COST, TOKEN_PRICE
from udfs.valuation import PE

__all__ = ["PE", "RATING", "INDUSTRY_RATING", "TOKEN_PRICE", "TOKEN_COST", "COST_RATIO"]
