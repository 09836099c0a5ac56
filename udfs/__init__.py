"""coverbook's Excel functions (UDFs), exposed through xlwings.

``xlwings.conf``'s *UDF Modules* names this package: every UDF below is a plain Python
function that the headless build also calls to compute the cached values it writes.

=====================  ==========================================================
``PE``                 close / (EPS [x FX rate]); ``NM`` for EPS <= 0; ranges spill
``UPSIDE``             target / close - 1 (fraction)
``EPS_CAGR``           (last EPS / first EPS)^(1/years) - 1 (fraction)
``PEG``                P/E / (growth x 100), growth a fraction
``RATING``             expected relative return (fraction) -> a broker's rating
``INDUSTRY_RATING``    expected relative return (fraction) -> industry rating
``IMPLIED_RATING``     the rating a target price implies on a broker's scale
``TOKEN_PRICE``        price per 1M tokens of a model in force on a date (USD or CNY)
``TOKEN_COST``         cost of a request: input (cached part), output, reasoning tokens
``COST_RATIO``         price of one model / another on a date, input or output
``FX``                 units of one currency per unit of another on a date (fx.csv)
``AH_PREMIUM``         A close / (H close x FX("HKD","CNY")) - 1 (fraction)
=====================  ==========================================================
"""

from udfs.markets import AH_PREMIUM, FX
from udfs.ratings import IMPLIED_RATING, INDUSTRY_RATING, RATING
from udfs.tokens import COST_RATIO, TOKEN_COST, TOKEN_PRICE
from udfs.valuation import EPS_CAGR, PE, PEG, UPSIDE

__all__ = ["PE", "UPSIDE", "EPS_CAGR", "PEG", "RATING", "INDUSTRY_RATING", "IMPLIED_RATING",
           "TOKEN_PRICE", "TOKEN_COST", "COST_RATIO", "FX", "AH_PREMIUM"]
