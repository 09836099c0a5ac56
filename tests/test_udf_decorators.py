"""``udfs._xl``: the UDFs carry exactly the metadata (and so the VBA wrappers) that
``import xlwings as xw`` gives them where xlwings runs, and leave the functions alone
(importing nothing) where xlwings' decorators would do nothing."""

from __future__ import annotations

import importlib
import io
import sys
import types
from pathlib import Path

import pytest

from workbook.vba.xlwings_meta import _Workbook, decorated_udfs, xlwings_udfs

ROOT = Path(__file__).resolve().parent.parent
UDF_MODULES = ["udfs.valuation", "udfs.ratings", "udfs.tokens", "udfs.markets"]
OUR_IMPORT = "from udfs import _xl as xw\n"
XLWINGS_IMPORT = "import xlwings as xw\n"


def _as_xlwings_source(name: str) -> types.ModuleType:
    """Module *name* executed from its own source with ``import xlwings as xw`` instead
    of ``udfs._xl`` (under the caller's decorators)."""
    path = ROOT / (name.replace(".", "/") + ".py")
    source = path.read_text(encoding="utf-8")
    assert source.count(OUR_IMPORT) == 1, f"{path}: expected one line {OUR_IMPORT!r}"
    module = types.ModuleType(name + "_as_xlwings")
    module.__file__ = str(path)
    exec(compile(source.replace(OUR_IMPORT, XLWINGS_IMPORT), str(path), "exec"),
         module.__dict__)
    return module


def _udfs(module):
    return {n: getattr(module, n) for n in dir(module)
            if callable(getattr(module, n)) and hasattr(getattr(module, n), "__xlfunc__")}


@pytest.mark.parametrize("name", UDF_MODULES)
def test_metadata_is_what_import_xlwings_gives(name):
    # Under xlwings' real (Windows) decorators, stubbed COM: the package as shipped
    # and the same source with `import xlwings as xw` carry equal __xlfunc__ dicts.
    with decorated_udfs():
        ours = _udfs(importlib.import_module(name))
        reference = _udfs(_as_xlwings_source(name))
    assert ours and sorted(ours) == sorted(reference)
    for udf in ours:
        assert ours[udf].__xlfunc__ == reference[udf].__xlfunc__, udf
        # Every argument carries its wizard help (not xlwings' "Positional argument n"),
        # but `caller`, which xlwings fills with the calling cell and keeps out of
        # Excel's argument list (its VBA wrapper passes Nothing in its place).
        shown = [a for a in ours[udf].__xlfunc__["args"] if a["name"] != "caller"]
        assert shown and all(not a["doc"].startswith("Positional argument")
                             for a in shown), udf


def test_vba_wrappers_are_what_import_xlwings_gives():
    real = xlwings_udfs()
    texts = []
    with decorated_udfs() as package:
        reference = types.ModuleType("udfs")
        for name in UDF_MODULES:
            for udf, func in _udfs(_as_xlwings_source(name)).items():
                setattr(reference, udf, func)
        for module in (package, reference):
            out = io.StringIO()
            real.generate_vba_wrapper("udfs", module, out, _Workbook("coverbook.xlsm"))
            texts.append(out.getvalue())
    assert texts[0] == texts[1]
    from udfs import __all__ as names

    assert texts[0].count("End Function") == len(names)  # one wrapper per UDF


def test_decorators_delegate_to_a_loaded_xlwings(monkeypatch):
    calls = []

    def recorder(kind):
        def decorator(*args, **kwargs):
            calls.append((kind, args, kwargs))
            if kind == "func" and args and callable(args[0]):
                return args[0]
            return lambda f: f
        return decorator

    fake = types.ModuleType("xlwings")
    fake.func, fake.arg, fake.ret = recorder("func"), recorder("arg"), recorder("ret")
    monkeypatch.setitem(sys.modules, "xlwings", fake)
    from udfs import _xl

    def f(a):
        return a

    assert _xl.func(category="c")(_xl.arg("a", ndim=2, doc="d")(_xl.ret(expand="table")(f))) is f
    assert _xl.func(f) is f
    # In the order Python evaluates the decorator expressions.
    assert calls == [("func", (), {"category": "c"}), ("arg", ("a",), {"ndim": 2, "doc": "d"}),
                     ("ret", (), {"expand": "table"}), ("func", (f,), {})]


def test_without_xlwings_the_decorators_leave_the_function_alone(monkeypatch):
    monkeypatch.delitem(sys.modules, "xlwings", raising=False)
    monkeypatch.delenv("XLWINGS_ON_SERVER", raising=False)
    from udfs import _xl

    def f(a):
        return a

    assert _xl.func(category="c")(_xl.arg("a", ndim=2)(_xl.ret()(f))) is f
    assert _xl.func(f) is f and not hasattr(f, "__xlfunc__")
    assert "xlwings" not in sys.modules
