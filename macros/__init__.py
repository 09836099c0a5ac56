"""What the workbook's ribbon buttons run (through xlwings' ``RunPython``)."""
