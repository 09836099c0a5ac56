"""``build --check`` on a workbook that is damaged, or with an openpyxl whose private
reader changed: an answer ("stale, cannot be read: why", or a plain "stale"), exit 1,
never a traceback (issue 20, items 3 and 12)."""

from __future__ import annotations

import shutil
import struct
import zipfile
from pathlib import Path

import pytest

from conftest import cli_build
from workbook import DATA_DIR, PACKAGE_DIR

SHEET = "xl/worksheets/sheet1.xml"


def _data_offset(raw: bytes, info: zipfile.ZipInfo) -> int:
    """Where *info*'s compressed data starts: after its local header (30 bytes, the
    name and the extra field, APPNOTE 4.3.7)."""
    name_len, extra_len = struct.unpack("<HH", raw[info.header_offset + 26:
                                                   info.header_offset + 30])
    return info.header_offset + 30 + name_len + extra_len


def _rezip(source: Path, target: Path, edit) -> None:
    """*source* rewritten to *target* with ``edit(name, bytes)`` applied to each part
    (``None``: the part is left out)."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w",
                                                         zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = edit(info.filename, zin.read(info))
            if data is not None:
                zout.writestr(info, data)


def flipped_block_type(source: Path, target: Path) -> None:
    """The first byte of sheet1.xml's deflate data with its block type set to 3, which
    RFC 1951 (3.2.3) reserves: inflating it fails (``zlib.error``)."""
    raw = bytearray(source.read_bytes())
    with zipfile.ZipFile(source) as z:
        start = _data_offset(bytes(raw), z.getinfo(SHEET))
    raw[start] |= 0b110
    target.write_bytes(bytes(raw))


def sheet_cut_in_half(source: Path, target: Path) -> None:
    _rezip(source, target, lambda name, data: data[:len(data) // 2] if name == SHEET
           else data)


def sheet_missing(source: Path, target: Path) -> None:
    _rezip(source, target, lambda name, data: None if name == SHEET else data)


def not_a_zip(source: Path, target: Path) -> None:
    target.write_bytes("重点标的,PE\n".encode("utf-8"))


def empty(source: Path, target: Path) -> None:
    target.write_bytes(b"")


#: Each damage and the start of what ``--check`` says after "is stale: ".
DAMAGES = {
    "flipped byte": (flipped_block_type,
                     "cannot be read: its compressed data is damaged (Error -3 while "
                     "decompressing data: invalid block type)"),
    "sheet cut in half": (sheet_cut_in_half,
                          "cannot be read: an XML part is damaged or cut short (unclosed "
                          "token: line 2"),
    "not a zip": (not_a_zip, "cannot be read: File is not a zip file"),
    "empty": (empty, "cannot be read: File is not a zip file"),
    # openpyxl reads a workbook whose sheet part is missing without that sheet.
    "sheet part missing": (sheet_missing,
                           "sheets differ: on disk ['评级说明', 'Token价格', 'Token场景', "
                           "'核对', 'xlwings.conf'], from the data ['重点标的', '评级说明', "
                           "'Token价格', 'Token场景', '核对', 'xlwings.conf']"),
}


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_a_damaged_workbook_is_stale_with_the_reason(damage, shipped, tmp_path):
    make, reason = DAMAGES[damage]
    out = tmp_path / "book.xlsm"
    make(shipped, out)
    before = out.read_bytes()
    result = cli_build(DATA_DIR, out, "--check")
    assert isinstance(result.exception, SystemExit), result.exception  # no traceback
    assert result.exit_code == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith(f"{out} is stale: {reason}"), first
    assert result.stderr.splitlines()[1] == \
        f"Run 'coverbook build --data {DATA_DIR} --output {out}'."
    assert out.read_bytes() == before  # --check writes nothing
    assert [p.name for p in tmp_path.iterdir()] == ["book.xlsm"]


def test_a_damaged_workbook_is_rebuilt_by_build(shipped, tmp_path):
    """What the message says to do works: the build replaces the damaged file."""
    out = tmp_path / "book.xlsm"
    flipped_block_type(shipped, out)
    assert cli_build(DATA_DIR, out).exit_code == 0
    assert out.read_bytes() == shipped.read_bytes()
    assert cli_build(DATA_DIR, out, "--check").exit_code == 0


PLAIN = "its bytes differ from what the data builds (the first differing cell could not "


def _stale(shipped: Path, tmp_path: Path) -> Path:
    """A workbook that is stale but readable: the shipped build checked against the
    array layout (threshold 0), whose P/E block differs."""
    out = tmp_path / "book.xlsm"
    shutil.copyfile(shipped, out)
    return out


def test_a_stale_workbook_names_its_first_differing_cell(shipped, tmp_path):
    """The control for the two tests below: with openpyxl as pinned, the cell."""
    out = _stale(shipped, tmp_path)
    result = cli_build(DATA_DIR, out, "--check", "--array-threshold", "0")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{out} is stale: sheet '重点标的' cell ")


def test_without_openpyxls_cell_parser_the_answer_is_plain_stale(shipped, tmp_path,
                                                                 monkeypatch):
    import openpyxl.worksheet._reader as reader

    monkeypatch.delattr(reader, "WorkSheetParser")
    out = _stale(shipped, tmp_path)
    result = cli_build(DATA_DIR, out, "--check", "--array-threshold", "0")
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{out} is stale: {PLAIN}be located: ImportError")
    assert " cell " not in result.stderr.splitlines()[0].replace("differing cell", "")


def test_without_a_sheets_private_path_the_answer_is_plain_stale(shipped, tmp_path,
                                                                monkeypatch):
    """A renamed private attribute (``ReadOnlyWorksheet._worksheet_path``)."""
    from openpyxl.worksheet._read_only import ReadOnlyWorksheet

    init = ReadOnlyWorksheet.__init__

    def renamed(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self._path_renamed = self.__dict__.pop("_worksheet_path")
    monkeypatch.setattr(ReadOnlyWorksheet, "__init__", renamed)
    out = _stale(shipped, tmp_path)
    result = cli_build(DATA_DIR, out, "--check", "--array-threshold", "0")
    assert isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 1
    assert result.stderr.startswith(f"{out} is stale: {PLAIN}be located: AttributeError")


def test_openpyxl_is_pinned_to_the_version_the_check_was_tested_with():
    """The private reader is only known to work with the pinned openpyxl."""
    import tomllib
    from importlib.metadata import version

    pyproject = Path(__file__).resolve().parents[1] / "pyproject.toml"
    deps = tomllib.loads(pyproject.read_text(encoding="utf-8"))["project"]["dependencies"]
    pins = [d for d in deps if d.lower().startswith("openpyxl")]
    assert pins == [f"openpyxl=={version('openpyxl')}"]


def test_check_on_a_file_that_is_not_a_workbook_says_it_cannot_be_read(tmp_path):
    out = tmp_path / "x.xlsm"
    out.write_text("hi")
    result = cli_build(PACKAGE_DIR / "data", out, "--check")
    assert result.exit_code == 1
    assert "is stale: cannot be read: File is not a zip file" in result.stderr
