"""xlwings' UDF decorators, without importing xlwings where they would do nothing.

A UDF module imports this instead of xlwings and keeps xlwings' names::

    from udfs import _xl as xw

    @xw.func(category="coverbook")
    @xw.arg("close_price", ndim=2, err_to_str=True, doc="...")
    def PE(close_price, eps): ...

:func:`func`, :func:`arg` and :func:`ret` take exactly xlwings' arguments and hand them
to ``xlwings.func``/``arg``/``ret`` whenever xlwings is running in this process, so a
UDF carries the same ``__xlfunc__`` metadata, and xlwings generates the same VBA
wrappers, as with ``import xlwings as xw`` (``tests/test_udf_decorators.py`` compares
both on every UDF). Otherwise they return the function unchanged, as xlwings' own
decorators do on Linux and macOS.

"xlwings is running" means either of:

- ``xlwings`` is already imported. Every process that reads the metadata imports it
  before the UDF modules: Excel's UDF server starts as ``import xlwings;
  xlwings.serve(...)`` (xlwings' VBA, ``GetUdfServer``) and then imports the modules
  named in *UDF Modules* itself (``xlwings.udfs.get_udf_module``, ``import_udfs``);
  ``workbook.vba.make_vba`` and the tests import it first too
  (``workbook/vba/xlwings_meta.py``).
- ``XLWINGS_ON_SERVER=true`` (xlwings' remote-interpreter mode, whose decorators
  xlwings picks from that variable at import).

Everywhere else (``coverbook build``, ``--check``, ``publish``, anything calling a UDF
as a plain Python function) no xlwings decorator would be read, and importing xlwings
would cost more than the whole of a small build: xlwings imports pandas and numpy
(and, on Windows, pywin32 and its COM type library), about 85 MB and most of the
start-up time.

The decision is made when a UDF module is imported (when the decorators run), so a
process that wants the metadata imports xlwings first.
"""

from __future__ import annotations

import os
import sys
from types import ModuleType
from typing import Any, Callable, TypeVar

_F = TypeVar("_F", bound=Callable[..., Any])


def _xlwings() -> ModuleType | None:
    """xlwings, if its decorators are to run in this process (see the module doc)."""
    module = sys.modules.get("xlwings")
    if module is None and os.environ.get("XLWINGS_ON_SERVER") == "true":
        import xlwings as module
    return module


def func(f: _F | None = None, **kwargs: Any) -> _F | Callable[[_F], _F]:
    """``xlwings.func``: marks *f* as a UDF (``@func`` or ``@func(category=...)``)."""
    xlwings = _xlwings()
    if xlwings is not None:
        return xlwings.func(**kwargs) if f is None else xlwings.func(f, **kwargs)
    return f if f is not None else _unchanged


def arg(*args: Any, **kwargs: Any) -> Callable[[_F], _F]:
    """``xlwings.arg``: conversion options and wizard help (``doc=``) of one argument."""
    xlwings = _xlwings()
    return xlwings.arg(*args, **kwargs) if xlwings is not None else _unchanged


def ret(*args: Any, **kwargs: Any) -> Callable[[_F], _F]:
    """``xlwings.ret``: conversion options of the result."""
    xlwings = _xlwings()
    return xlwings.ret(*args, **kwargs) if xlwings is not None else _unchanged


def _unchanged(f: _F) -> _F:
    return f
