"""The coverbook Excel add-in, ``coverbook.xlam``: ``=PE()`` and a Coverbook ribbon in
any workbook.

- :mod:`workbook.addin.package` writes the file (``coverbook addin build``);
- :mod:`workbook.addin.install` puts it into Excel's startup folder and merges the
  interpreter setting into ``coverbook.conf`` (``coverbook addin install/remove``).

What the file holds (compared part by part with xlwings' shipped add-ins, which
xlwings re-saves with Aspose.Cells, in ``docs/excel-parts.md``): the add-in content type; one worksheet (``Sheet1``,
named ``coverbook``: what the add-in is and where it reads its settings); the VBA
project ``workbook/addin/vba/vbaProject.bin`` (xlwings' custom-add-in module with
``PROJECT_NAME = "coverbook"``, xlwings' ``Dictionary`` class, the UDF wrappers and
function-wizard help generated from the UDFs, the ribbon callbacks); the ribbon
``workbook/addin/customUI14.xml`` (tab ``coverbookAddinTab``, distinct from the
workbook's ``coverbookTab``).
"""

from __future__ import annotations

from workbook import PACKAGE_DIR

#: The file name Excel loads the add-in under (also its name in XLSTART).
ADDIN_NAME = "coverbook.xlam"
#: Where ``coverbook addin build`` writes unless told otherwise (gitignored).
DEFAULT_ADDIN = PACKAGE_DIR / ADDIN_NAME
#: The add-in's ribbon XML.
ADDIN_CUSTOM_UI = PACKAGE_DIR / "addin" / "customUI14.xml"


class AddinError(Exception):
    """An add-in command that cannot go on; the message says what to do. Nothing was
    changed."""
