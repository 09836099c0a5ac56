"""The workbook's VBA project: sources (``*.bas``, ``*.cls``), the generated
``vbaProject.bin`` every .xlsm build embeds, and the generator
(``python -m workbook.vba.make_vba``, needs LibreOffice and python3-uno)."""
