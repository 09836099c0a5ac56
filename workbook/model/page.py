"""How a sheet prints: :class:`PrintSetup`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PrintSetup:
    """How a sheet prints (rendered by the file writer, and by Refresh on Windows:
    ``workbook/writers/mapping.py``'s ``PAGE_MAPPING``; LibreOffice's PDF export
    follows it): ``paper`` (``"A4"``), orientation, every sheet scaled to one page
    wide and as many pages tall as it needs, the zero-based rows ``repeat_rows``
    (first, last) printed at the top of every page, page numbers in the footer, and
    ``row_breaks``: zero-based rows that start a new page (above a chart, so that it
    is not cut in two)."""

    paper: str = "A4"
    landscape: bool = True
    repeat_rows: tuple[int, int] | None = None
    page_numbers: bool = True
    row_breaks: tuple[int, ...] = ()
