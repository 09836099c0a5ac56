Attribute VB_Name = "coverbook_ribbon"
Option Explicit

' Callbacks of the Coverbook ribbon tab (customUI/customUI14.xml in the workbook).
' Each runs a fixed Python command through xlwings' RunPython: no cell content is
' ever spliced into Python code.

Public Sub RefreshClicked(control As IRibbonControl)
    RunPython "import macros.refresh; macros.refresh.main()"
End Sub
