"""Plain helpers the test files share (fixtures live in tests/conftest.py).

A test file imports what it needs from here, never from another test file
(tests/test_suite_layout.py checks it):

- :mod:`helpers.data_files`: edits to a copy of the data folder.
- :mod:`helpers.build_cli`: ``coverbook build`` in-process and what a refused build
  must print and leave.
- :mod:`helpers.remote_book`: a book of xlwings' remote engine built from a workbook.
- :mod:`helpers.recompute`: every formula recomputed by the `formulas` engine.
- :mod:`helpers.shown`: the text Excel or LibreOffice shows for a cell.
- :mod:`helpers.rating_table`: the brokers' rating scales transcribed by hand.
"""
