Attribute VB_Name = "coverbook_ribbon"
Option Explicit

' Callbacks of the Coverbook ribbon tab (customUI/customUI14.xml in the workbook).
' Each runs a fixed Python command through xlwings' RunPython: no cell content is
' ever spliced into Python code.

' onLoad of the ribbon: Excel calls it when the workbook's ribbon loads (macros
' enabled), without Python. It registers the UDFs' function-wizard help, which
' "Import Functions" would otherwise register (coverbook_udf_help, generated).
Public Sub RibbonLoaded(ribbon As IRibbonUI)
    RegisterUdfHelp
End Sub

Public Sub RefreshClicked(control As IRibbonControl)
    RunPython "import macros.refresh; macros.refresh.main()"
End Sub
