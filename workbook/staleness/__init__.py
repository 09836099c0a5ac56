"""``coverbook build --check``: is the workbook on disk what the data builds today?

The data is loaded and the sheet models computed as for a build; the workbook is then
rendered in memory, as ``coverbook build`` renders it, and its bytes are compared with
the file on disk chunk by chunk as they are handed over (builds are reproducible, so
equal inputs give equal bytes). Nothing is written beside the workbook (the writer's
row files go to the system's temporary folder and are removed afterwards), no rename.

When they differ, the first differing cell is named (:func:`first_difference`): in
workbook order, a cell whose value or formula differs, else one whose cached value
differs, as openpyxl reads them; if every cell agrees, the first differing part of
the zip package. Both packages are read as streams, part by part, and a sheet's rows
are compared as they are parsed, so memory stays bounded at any size:

- the rows before a sheet's first differing byte are not parsed at all (equal bytes
  are equal cells), unless they refer to a shared string whose text changed, or the
  two files read dates differently: such rows are parsed too;
- from there, each pair of cells is compared as openpyxl's own cell reader
  (``openpyxl.worksheet._reader.WorkSheetParser.parse_cell``) reads it, and dropped.

**Where things are**: :mod:`workbook.staleness.compare` renders the workbook and
compares its bytes (:func:`check`, :data:`STAGES`); :mod:`workbook.staleness.locate`
names the first difference (:func:`first_difference`, :data:`CHUNK`). The names are
importable from ``workbook.staleness`` as before; a test that changes :data:`CHUNK`
patches it in ``workbook.staleness.locate``, where it is read.
"""

from __future__ import annotations

from workbook.staleness.compare import STAGES, check
from workbook.staleness.locate import CHUNK, MAX_CHANGED_STRINGS, _SharedStrings, first_difference

__all__ = ["CHUNK", "MAX_CHANGED_STRINGS", "STAGES", "_SharedStrings", "check", "first_difference"]
