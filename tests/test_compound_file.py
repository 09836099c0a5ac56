"""Every generated compound file (``vbaProject.bin`` of the workbook and of the add-in,
committed and embedded) read strictly: olefile's parser with every defect it can
name raised, and each directory entry checked here against MS-CFB 2.6, read with
``struct`` from the header and the FAT (not with the code that mends the files).

MS-CFB 2.6.3: an unused directory entry is all zeroes except its left sibling, right
sibling and child IDs, which MUST be NOSTREAM (0xFFFFFFFF). Excel writes them so
(XlsxWriter's Excel-made ``vbaProject*.bin``, checked when its mirror is here).
"""

from __future__ import annotations

import io
import struct
import zipfile

import olefile
import pytest

from workbook.vba import vba_sources

NOSTREAM = 0xFFFFFFFF
ENDOFCHAIN = 0xFFFFFFFE
FREESECT = 0xFFFFFFFF
#: MS-CFB 2.6.1 object types: unused, storage, stream, root storage.
UNUSED, STORAGE, STREAM, ROOT = 0, 1, 2, 5


def raw_directory(data: bytes) -> list[bytes]:
    """Every 128-byte directory entry of the compound file *data*, used or not: the
    header's first directory sector (offset 0x30), followed through the FAT whose
    sectors the header's DIFAT lists (a file this small has no DIFAT sectors)."""
    assert data[:8] == bytes.fromhex("D0CF11E0A1B11AE1")
    major, _order, shift = struct.unpack_from("<HHH", data, 0x1A)
    size = 1 << shift
    assert (major, size) == (3, 512)
    n_fat, first_dir = struct.unpack_from("<II", data, 0x2C)
    first_difat, n_difat = struct.unpack_from("<II", data, 0x44)
    assert (first_difat, n_difat) == (ENDOFCHAIN, 0)
    difat = struct.unpack_from("<109I", data, 0x4C)
    assert all(s == FREESECT for s in difat[n_fat:])
    fat = []
    for sector in difat[:n_fat]:
        fat += struct.unpack_from(f"<{size // 4}I", data, (sector + 1) * size)
    entries, sector, seen = [], first_dir, set()
    while sector != ENDOFCHAIN:
        assert sector not in seen and sector < len(fat)
        seen.add(sector)
        at = (sector + 1) * size
        entries += [data[at + i:at + i + 128] for i in range(0, size, 128)]
        sector = fat[sector]
    return entries


def directory_problems(data: bytes) -> list[str]:
    """What in the directory of *data* breaks MS-CFB 2.6 (empty: nothing)."""
    entries = raw_directory(data)
    fields = [struct.unpack_from("<HBBIII", e, 64) for e in entries]
    used = {i for i, f in enumerate(fields) if f[1] != UNUSED}
    problems = []
    for i, (e, (name_len, kind, color, left, right, child)) in enumerate(zip(entries,
                                                                              fields)):
        if kind == UNUSED:
            if (left, right, child) != (NOSTREAM,) * 3:
                problems.append(f"unused entry {i}: left/right/child "
                                f"{left:#x}/{right:#x}/{child:#x}, not NOSTREAM")
            if any(e[:68] + e[80:]):
                problems.append(f"unused entry {i}: not zero outside the IDs")
            continue
        if kind not in (STORAGE, STREAM, ROOT) or (kind == ROOT) != (i == 0):
            problems.append(f"entry {i}: object type {kind}")
        if color not in (0, 1) or name_len % 2 or not 2 <= name_len <= 64 or \
                e[name_len - 2:name_len] != b"\0\0":
            problems.append(f"entry {i}: color {color} or name length {name_len}")
        for what, sid in (("left", left), ("right", right), ("child", child)):
            if sid != NOSTREAM and sid not in used:
                problems.append(f"entry {i}: {what} {sid:#x} is no used entry")
        if kind == STREAM and child != NOSTREAM:
            problems.append(f"entry {i}: a stream with a child")
        if i == 0 and (left, right) != (NOSTREAM, NOSTREAM):
            problems.append("root entry with siblings")
    # Every used entry is reached once from the root (no loop, none orphaned).
    reached, todo = [], [0]
    while todo:
        i = todo.pop()
        if i == NOSTREAM or i not in used:
            continue
        reached.append(i)
        todo += [fields[i][3], fields[i][4], fields[i][5]]
    if sorted(reached) != sorted(used):
        problems.append(f"entries reached from the root {sorted(reached)}, used {sorted(used)}")
    return problems


def strict(data: bytes) -> olefile.OleFileIO:
    return olefile.OleFileIO(io.BytesIO(data), raise_defects=olefile.DEFECT_INCORRECT)


def generated_files(shipped) -> dict[str, bytes]:
    """The committed ``vbaProject.bin`` files and the one the build embeds."""
    files = {p.label: p.bin.read_bytes() for p in vba_sources.PROJECTS}
    with zipfile.ZipFile(shipped) as z:
        files["built workbook"] = z.read("xl/vbaProject.bin")
    return files


def test_every_generated_compound_file_has_a_valid_directory(shipped):
    for label, data in generated_files(shipped).items():
        ole = strict(data)
        assert ole.exists("VBA/dir") and ole.exists("PROJECT"), label
        # unused entries exist (the last directory sector is not full) and are checked
        assert any(e[66] == UNUSED for e in raw_directory(data)), label
        assert directory_problems(data) == [], label


def test_the_check_finds_pycfbs_zeroed_unused_entries():
    # pycfb 0.0.3 as make_vba drives it, without the mending: the unused entries'
    # IDs are 0 (what the committed files held before), which the check names.
    import uuid

    from pycfb import CFBWriter

    raw = bytes(CFBWriter(stream_paths=["VBA", "VBA/dir", "PROJECT"],
                          stream_data=[None, b"x" * 10, b"y" * 5000],
                          root_clsid=uuid.UUID(int=0)).data)
    # four used entries (root, VBA, dir, PROJECT) fill the first directory sector;
    # the second holds four unused ones
    assert directory_problems(raw) == [
        f"unused entry {i}: left/right/child 0x0/0x0/0x0, not NOSTREAM" for i in range(4, 8)]
    from workbook.vba.compound_file import with_unused_entries_nostream

    mended = with_unused_entries_nostream(raw)
    assert directory_problems(mended) == []
    assert len(mended) == len(raw)
    assert sum(a != b for a, b in zip(raw, mended)) == 4 * 12  # three IDs per entry
    assert strict(mended).openstream("PROJECT").read() == b"y" * 5000


def test_the_mending_refuses_an_unused_entry_that_is_not_free():
    import uuid

    from pycfb import CFBWriter

    from workbook.vba.compound_file import directory_offsets, with_unused_entries_nostream

    raw = bytearray(CFBWriter(stream_paths=["PROJECT"], stream_data=[b"y" * 10],
                              root_clsid=uuid.UUID(int=0)).data)
    raw[directory_offsets(bytes(raw))[3] + 100] = 1  # a creation time in a free entry
    with pytest.raises(ValueError, match="not free"):
        with_unused_entries_nostream(bytes(raw))


@pytest.mark.parametrize("name", ["vbaProject01.bin", "vbaProject05.bin"])
def test_excel_made_projects_pass_the_same_check(excel_made, name):
    """The check agrees with Excel: its own files (XlsxWriter's comparison suite) have
    NOSTREAM in every unused entry."""
    data = excel_made(name)
    strict(data)
    assert any(e[66] == UNUSED for e in raw_directory(data))
    assert directory_problems(data) == []
