"""coverbook's workbook: data files, sheet models, the headless build and Excel parts.

Pipeline (each stage a module): ``dataset`` (read + validate the data files) ->
``sheets`` (one model per sheet) -> ``writers`` (XlsxWriter file writer, xlwings live
writer) -> ``package`` (deterministic zip, VBA project and ribbon parts).
"""

from pathlib import Path

#: The folder of this package; the shipped data and Excel parts live below it.
PACKAGE_DIR = Path(__file__).resolve().parent
#: The data files an analyst edits (coverage, token prices, rating scales, claims).
DATA_DIR = PACKAGE_DIR / "data"
#: Where ``coverbook build`` writes unless told otherwise.
DEFAULT_OUTPUT = PACKAGE_DIR / "coverbook.xlsm"


def __getattr__(name: str) -> str:
    """``__version__``, read from the installed package's metadata on first use:
    ``importlib.metadata`` costs more than the rest of ``coverbook --help``."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("coverbook")
    except PackageNotFoundError:  # running from a source tree that was never installed
        found = "0+unknown"
    globals()["__version__"] = found
    return found
