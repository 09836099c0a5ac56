"""``python -m workbook``: the same command line as ``coverbook``."""

from workbook.cli import main

if __name__ == "__main__":
    main()
