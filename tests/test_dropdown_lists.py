"""Every dropdown (list validation) fits Excel: a list typed into the validation holds
at most 255 characters, so a longer one (many brokers' scales, many currencies) points
at cells that hold the values instead; never a traceback. Read back with openpyxl."""

from __future__ import annotations

import re
import shutil
import string

import openpyxl
import pytest
from openpyxl.utils import range_boundaries

from helpers.data_files import TARGETS, with_targets
from workbook import DATA_DIR
from workbook.build import build
from workbook.dataset import SHIPPED_SCALES
from workbook.model import MAX_LIST_CHARS, Sheet, Validation, fits_list

KEY, SCENARIOS = "重点标的", "Token场景"
#: Broker ids as an analyst would add them (the tester's list).
MORE_BROKERS = ["haitong", "gfsec", "zhongtai", "everbright", "orient", "soochow",
                "guosen", "changjiang", "sinolink", "minsheng", "kaiyuan", "dongwu",
                "huaan", "guolian", "tianfeng2", "xiangcai", "huachuang", "shenwan", "cicc",
                "citic", "swhy", "essence", "hxsec", "ztsec", "gtht", "dxzq", "hfsec",
                "wkzq", "cjsc"]


def add_scales(folder, ids):
    """Add a copy of the shipped nesc scale under each of *ids* (same bands, another
    id) to the folder's own rating_scales.toml (made if missing)."""
    path = folder / "rating_scales.toml"
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    block = re.search(r"\n\[nesc\]\n.*", SHIPPED_SCALES.read_text(encoding="utf-8"),
                      re.S).group(0)
    for sid in ids:
        text += block.replace("[nesc]", f"[{sid}]").replace("[[nesc.bands]]",
                                                             f"[[{sid}.bands]]")
    path.write_text(text, encoding="utf-8")


def validations(ws):
    return {str(v.sqref): v for v in ws.data_validations.dataValidation}


def listed(ws, formula1):
    """The values of the cells a list validation points at (one row)."""
    min_col, min_row, max_col, max_row = range_boundaries(formula1.replace("$", ""))
    assert min_row == max_row
    return [ws.cell(min_row, c).value for c in range(min_col, max_col + 1)]


def test_fits_list_is_excels_rule():
    assert fits_list(["a" * 255]) and not fits_list(["a" * 256])
    assert fits_list(["a" * 127, "b" * 127])  # 127 + 1 + 127 = 255 with the comma
    assert not fits_list(["a" * 127, "b" * 128])
    assert not fits_list(["a,b"]) and not fits_list(['a"b']) and not fits_list([])
    assert not fits_list(["𝐀" * 128])  # 256 UTF-16 units
    with pytest.raises(ValueError):
        Validation(0, 0, 0, 0, "list", values=("a" * 256,))


def test_a_long_list_becomes_cells_the_dropdown_points_at():
    sheet = Sheet("s")
    values = [f"value{i:03d}" for i in range(40)]
    assert sheet.add_list(0, 0, 0, 0, values, spare=(5, 2), label="the list")
    (v,) = sheet.validations
    assert v.values == () and v.source == (6, 2, 6, 41)
    cells = sheet.cell_map()
    assert cells[(5, 2)].value == "the list"
    assert [cells[(6, c)].value for c in range(2, 42)] == values
    short = Sheet("t")
    assert not short.add_list(0, 0, 0, 0, ["USD", "CNY"], spare=(5, 2), label="x")
    assert short.validations[0].values == ("USD", "CNY") and not short.cell_map()


@pytest.fixture(scope="module")
def many_scales(tmp_path_factory):
    """The tester's case: 29 more stock scales (36 in all) and target prices: the ids
    joined take more than 255 characters."""
    folder = tmp_path_factory.mktemp("scales") / "data"
    shutil.copytree(DATA_DIR, folder)
    add_scales(folder, MORE_BROKERS)
    with_targets(folder, TARGETS)
    return build(folder, folder.parent / "coverbook.xlsm")


def test_36_stock_scales_are_a_dropdown_over_cells(many_scales):
    ids = [k for k, s in many_scales.data.scales.items() if s.kind == "stock"]
    assert len(ids) == 36 and len(",".join(ids)) > MAX_LIST_CHARS
    ws = openpyxl.load_workbook(many_scales.path)[KEY]
    scale = validations(ws)["O2"]
    assert scale.type == "list" and not scale.formula1.startswith('"')
    assert listed(ws, scale.formula1) == ids
    # The list sits below the notes, labelled; the chart moved below it.
    row = range_boundaries(scale.formula1.replace("$", ""))[1]
    assert ws.cell(row - 1, 1).value.startswith("评级体系 Scale: the stock scales")
    assert "EPS CAGR" in ws.cell(row - 2, 1).value  # the last note
    assert ws._charts[0].anchor._from.row >= row  # zero-based: below the list


def test_the_shipped_scales_stay_a_typed_list(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(DATA_DIR, folder)
    with_targets(folder, TARGETS)
    ws = openpyxl.load_workbook(build(folder, tmp_path / "b.xlsm").path)[KEY]
    assert validations(ws)["O2"].formula1 == '"tianfeng,huatai,gtja,csc,industrial,cmsc,nesc"'


def test_many_currencies_are_a_dropdown_over_cells(tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(DATA_DIR, folder)
    codes = ["".join(t) for t in zip(string.ascii_uppercase * 3,
                                     string.ascii_uppercase[3:] * 3,
                                     string.ascii_uppercase[5:] * 3)][:70]
    codes = [c for c in dict.fromkeys(codes) if c not in ("USD", "CNY")]
    with open(folder / "fx.csv", "a", encoding="utf-8") as f:
        for c in codes:
            f.write(f"{c},1.5,2024-01-02,test rate\n")
    result = build(folder, tmp_path / "b.xlsm")
    currencies = list(result.data.currencies())
    assert len(",".join(currencies)) > MAX_LIST_CHARS
    ws = openpyxl.load_workbook(result.path)[SCENARIOS]
    rule = validations(ws)["B9"]
    assert rule.type == "list" and listed(ws, rule.formula1) == currencies


def test_every_typed_list_of_every_sheet_fits(many_scales, built):
    for result in (many_scales, built):
        for sheet in result.sheets:
            for v in sheet.validations:
                if v.kind == "list" and v.values:
                    assert fits_list(v.values), (sheet.name, v)
        # Read back from the file (the model refuses a list too long, so the check
        # above holds by construction): every typed list Excel reads is <= 255
        # characters between its quotes, and there is at least one.
        typed = [dv.formula1 for ws in openpyxl.load_workbook(result.path).worksheets
                 for dv in ws.data_validations.dataValidation
                 if dv.type == "list" and dv.formula1 and dv.formula1.startswith('"')]
        assert typed, result.path
        assert all(len(f[1:-1]) <= MAX_LIST_CHARS for f in typed), typed
