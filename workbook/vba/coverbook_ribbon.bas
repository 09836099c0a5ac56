Attribute VB_Name = "coverbook_ribbon"
Option Explicit

' Callbacks of the Coverbook ribbon tab (customUI/customUI14.xml in the workbook).
' Each runs a fixed Python command through xlwings' RunPython: no cell content is
' ever spliced into Python code.

'' onLoad of the ribbon: Excel calls it when the workbook's ribbon loads (macros
' enabled), without Python. It computes the xlwings.conf sheet and registers the
' UDFs' function-wizard help, which "Import Functions" would otherwise register
' (coverbook_udf_help, generated).
Public Sub CoverbookRibbonLoaded(ribbon As IRibbonUI)
    CalculateConfigSheet
    RegisterUdfHelp
End Sub

' The xlwings.conf sheet's PYTHONPATH is a formula whose cached value is empty: the
' build never stores its own machine's path. Excel computes it when the workbook
' opens because CELL() is volatile, but not in manual calculation mode, and
' xlwings reads the cell's value when the first UDF call starts Python. Computing
' the sheet here, as the workbook opens, gives that first call the clone's folder
' in either mode. Saved is put back (a calculation marks the workbook changed).
Private Sub CalculateConfigSheet()
    Dim wasSaved As Boolean
    On Error Resume Next
    wasSaved = ThisWorkbook.Saved
    ThisWorkbook.Worksheets("xlwings.conf").Calculate
    ThisWorkbook.Saved = wasSaved
End Sub

Public Sub CoverbookRefreshClicked(control As IRibbonControl)
    RunPython "import macros.refresh; macros.refresh.main()"
End Sub

' Update prices: import the terminal exports of the drop folder (price_exports in
' settings.toml) into prices.csv, then refresh.
Public Sub CoverbookUpdatePricesClicked(control As IRibbonControl)
    RunPython "import macros.update_prices; macros.update_prices.main()"
End Sub
