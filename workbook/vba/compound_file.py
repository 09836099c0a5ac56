"""The directory of a compound file (``vbaProject.bin``) as MS-CFB requires it.

A compound file's directory fills whole sectors of 128-byte entries; the entries
past the last stream or storage are unused. MS-CFB (section 2.6.3, "Free (unused)
directory entries") says they are marked with object type 0 and are all zeroes
*except* the left sibling, right sibling and child IDs, which MUST be ``NOSTREAM``
(``0xFFFFFFFF``), as Excel writes them. pycfb 0.0.3 leaves those three fields 0 (it
sets only the entries it allocates): :func:`with_unused_entries_nostream` mends the
bytes it wrote, and nothing else.

The directory's sectors are found with olefile (the header's first directory
sector, then the FAT chain); the entry layout is MS-CFB 2.6.1.
"""

from __future__ import annotations

import io

import olefile

#: MS-CFB 2.1: "no stream" sibling / child ID.
NOSTREAM = 0xFFFFFFFF
#: Size of a directory entry (MS-CFB 2.6.1) and the offsets of its fields.
ENTRY_SIZE = 128
OBJECT_TYPE_AT = 66
SIBLINGS_AT = slice(68, 80)  # left sibling, right sibling, child: three uint32
_NOSTREAM_IDS = b"\xff" * 12


def directory_offsets(data: bytes) -> list[int]:
    """The byte offsets in *data* (a compound file) of every directory entry, used or
    not, in stream-ID order: the directory sectors' chain from the header, through
    the FAT, as olefile reads them."""
    with olefile.OleFileIO(io.BytesIO(data)) as ole:
        size, sector, fat = ole.sectorsize, ole.first_dir_sector, ole.fat
        offsets: list[int] = []
        seen = set()
        while sector != olefile.ENDOFCHAIN:
            if sector in seen or sector >= len(fat):
                raise ValueError(f"compound file: directory chain broken at sector {sector}")
            seen.add(sector)
            start = (sector + 1) * size  # sector 0 follows the 512-byte header
            offsets.extend(range(start, start + size, ENTRY_SIZE))
            sector = fat[sector]
    return offsets


def with_unused_entries_nostream(data: bytes) -> bytes:
    """*data* (a compound file) with the left/right/child IDs of every unused
    directory entry (object type 0) set to ``NOSTREAM``, as MS-CFB 2.6.3 requires.
    ``ValueError`` if an unused entry holds anything but zeroes there (not a free
    entry: nothing is guessed)."""
    out = bytearray(data)
    for at in directory_offsets(data):
        entry = out[at:at + ENTRY_SIZE]
        if entry[OBJECT_TYPE_AT] != 0:
            continue
        rest = entry[:SIBLINGS_AT.start] + entry[SIBLINGS_AT.stop:]
        ids = entry[SIBLINGS_AT]
        if any(rest) or ids not in (bytes(12), _NOSTREAM_IDS):
            raise ValueError(f"compound file: unused directory entry at byte {at} "
                             "is not free (non-zero fields)")
        out[at + SIBLINGS_AT.start:at + SIBLINGS_AT.stop] = _NOSTREAM_IDS
    return bytes(out)
