"""Call a coverbook UDF the way xlwings' COM server does, on Linux, for the benchmark.

In Excel on Windows, ``xlwings.udfs.call_udf`` converts each argument with
``conversion.read(None, value, arg_options)``, calls the function and converts the
result with ``conversion.write(ret, None, ret_options)``; the options come from the
``@xw.func``/``@xw.arg`` decorators' ``__xlfunc__`` metadata. Both conversions run
through the active engine's ``clean_value_data`` / ``prepare_xl_data_element``.

Linux has no Excel engine and no pywin32, so (in the benchmark process only):

- pywin32's modules are stubbed so that ``xlwings.udfs`` (the real decorators)
  imports, and ``xw.func``/``xw.arg``/``xw.ret`` are pointed at them before the UDF
  modules are imported: the options are the ones Excel would use;
- a stand-in engine named ``excel`` is registered whose two methods do what
  ``xlwings._xlwindows.Engine`` does for the values coverbook sees (floats, None,
  text, COM error integers); COM date conversion is left out (no dates reach PE).

What stays out: the VBA -> COM round trip itself (milliseconds per call in Excel,
xlwings issue #1976), which is why large tables use array formulas.
"""

from __future__ import annotations

import sys
import types

import numpy as np  # xlwings imports both anyway; module level, as in _xlwindows
import pandas as pd


def _stub_pywin32() -> None:
    for name in ("pythoncom", "pywintypes", "win32com", "win32com.client"):
        if name not in sys.modules:
            sys.modules[name] = types.ModuleType(name)
    sys.modules["win32com.client"].Dispatch = lambda *a, **k: None
    sys.modules["win32com"].client = sys.modules["win32com.client"]
    sys.modules["pywintypes"].TimeType = type("TimeType", (), {})
    sys.modules["pythoncom"].CoInitialize = lambda: None


#: COM error integers -> text, as xlwings._xlwindows.cell_errors (a Windows-only module).
CELL_ERRORS = {
    -2146826281: "#DIV/0!", -2146826246: "#N/A", -2146826259: "#NAME?",
    -2146826288: "#NULL!", -2146826252: "#NUM!", -2146826265: "#REF!",
    -2146826273: "#VALUE!",
}


class StandInEngine:
    """The parts of ``xlwings._xlwindows.Engine`` the value conversions call."""

    name = "excel"
    type = "desktop"

    @staticmethod
    def clean_value_data(data, datetime_builder, empty_as, number_builder, err_to_str):
        # As _xlwindows._clean_value_data_element, element by element.
        def clean(value):
            if value in ("", None):
                return empty_as
            if number_builder is not None and isinstance(value, float):
                return number_builder(value)
            if isinstance(value, int) and value in CELL_ERRORS:
                return CELL_ERRORS[value] if err_to_str else None
            return value
        return [[clean(c) for c in row] for row in data]

    @staticmethod
    def prepare_xl_data_element(x, date_format):
        # As _xlwindows.Engine.prepare_xl_data_element without COM dates.
        if pd.isna(x):
            return ""
        if isinstance(x, (np.floating, float)) and np.isnan(x):
            return ""
        if isinstance(x, np.number):
            return float(x)
        if x is None:
            return ""
        return x


def install():
    """Stub pywin32, use xlwings' real UDF decorators, register the stand-in engine;
    returns the ``udfs`` package imported under those decorators. Call before anything
    imports ``udfs``."""
    if "udfs" in sys.modules:
        raise RuntimeError("install() must run before udfs is imported")
    _stub_pywin32()
    import xlwings
    import xlwings.main
    import xlwings.udfs as real

    xlwings.func, xlwings.arg, xlwings.ret = real.xlfunc, real.xlarg, real.xlret
    if "excel" not in xlwings.engines.engines_by_name:
        xlwings.engines.add(xlwings.main.Engine(impl=StandInEngine()))
    import udfs

    return udfs


def call_like_excel(func, *args):
    """One UDF call as ``xlwings.udfs.call_udf`` makes it (synchronous, values passed
    directly): arguments converted in, result converted out."""
    from xlwings import conversion

    info = func.__xlfunc__
    args_info = info["args"]
    converted = [conversion.read(None, a, args_info[min(i, len(args_info) - 1)]["options"])
                 for i, a in enumerate(args)]
    return conversion.write(func(*converted), None, info["ret"]["options"])
