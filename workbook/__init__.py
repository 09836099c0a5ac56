"""coverbook's workbook: data files, sheet models, the headless build and Excel parts.

Pipeline (each stage a module): ``dataset`` (read + validate the data files) ->
``sheets`` (one model per sheet) -> ``writers`` (XlsxWriter file writer, xlwings live
writer) -> ``package`` (deterministic zip, VBA project and ribbon parts).
"""

from pathlib import Path

#: coverbook's version, also the package's (``pyproject.toml`` reads it from here):
#: a literal, because reading it from the installed metadata (``importlib.metadata``)
#: took 60 ms, a sixth of a small build.
__version__ = "0.1.0"

#: The folder of this package; the shipped data and Excel parts live below it.
PACKAGE_DIR = Path(__file__).resolve().parent
#: The data files an analyst edits (settings, coverage, token prices, FX rates,
#: workloads, rating scales, claims).
DATA_DIR = PACKAGE_DIR / "data"
#: Where ``coverbook build`` writes unless told otherwise.
DEFAULT_OUTPUT = PACKAGE_DIR / "coverbook.xlsm"

