"""Writers: turn sheet models into a workbook. ``xlsx`` writes a file headlessly with
XlsxWriter; ``live`` writes into an open Excel workbook through xlwings."""
