Attribute VB_Name = "coverbook_addin_ribbon"
Option Explicit

' Callbacks of the coverbook add-in's ribbon tab (customUI/customUI14.xml in
' coverbook.xlam). Every button works on the ACTIVE workbook: the add-in's xlwings
' module is xlwings' custom-add-in variant, whose RunPython hands Python the active
' workbook as xw.Book.caller(). Each button runs a fixed Python command: no cell
' content is ever spliced into Python code (Status passes this module's own
' XLWINGS_VERSION constant).

' onLoad of the ribbon: Excel calls it when the add-in loads (macros enabled),
' without Python. It registers the UDFs' function-wizard help (coverbook_udf_help,
' the module the workbook uses too).
Public Sub CoverbookAddinRibbonLoaded(ribbon As IRibbonUI)
    RegisterUdfHelp
End Sub

' Refresh: write or update coverbook's sheets in the active workbook from the data
' folder (validated first; other sheets are never touched).
Public Sub CoverbookAddinRefreshClicked(control As IRibbonControl)
    If Not PythonReady("Coverbook Refresh") Then Exit Sub
    RunPython "import macros.refresh; macros.refresh.main(add_config_sheet=False)"
End Sub

' Update prices: import the terminal exports of the drop folder (price_exports in
' settings.toml) into prices.csv, then refresh the active workbook.
Public Sub CoverbookAddinUpdatePricesClicked(control As IRibbonControl)
    If Not PythonReady("Coverbook Update prices") Then Exit Sub
    RunPython "import macros.update_prices; macros.update_prices.main(add_config_sheet=False)"
End Sub

' Check data: validate the data folder and list the problems; changes nothing.
Public Sub CoverbookAddinCheckClicked(control As IRibbonControl)
    If Not PythonReady("Coverbook Check data") Then Exit Sub
    RunPython "import macros.check; macros.check.main()"
End Sub

' Status: Python, xlwings and coverbook versions and the data folder in use.
Public Sub CoverbookAddinStatusClicked(control As IRibbonControl)
    If Not PythonReady("Coverbook Status") Then Exit Sub
    RunPython "import macros.status; macros.status.main('" & XLWINGS_VERSION & "')"
End Sub

' True when RunPython can be tried; otherwise says why Python cannot start.
Private Function PythonReady(title As String) As Boolean
    Dim problem As String
    If ActiveWorkbook Is Nothing Then
        problem = "Open or create a workbook first: the Coverbook buttons work on the " & _
            "active workbook."
    Else
        problem = PythonProblem()
    End If
    If problem <> "" Then
        MsgBox problem, vbExclamation, title
        PythonReady = False
    Else
        PythonReady = True
    End If
End Function

' Why the configured interpreter cannot run ("" when it looks usable): none set,
' the Microsoft Store alias, or a file that does not exist (not checked on macOS,
' where Excel's sandbox may hide the file from VBA).
Private Function PythonProblem() As String
    Dim interpreter As String, key As String
    #If Mac Then
        key = "INTERPRETER_MAC"
    #Else
        key = "INTERPRETER_WIN"
    #End If
    interpreter = GetConfig(key, "")
    If interpreter = "" Then interpreter = GetConfig("INTERPRETER", "")
    If interpreter = "" Then
        PythonProblem = "No Python is set for the add-in (" & key & " in " & _
            GetConfigFilePath() & "). In a terminal, in the coverbook folder, run: " & _
            "coverbook addin install"
    ElseIf InStr(1, interpreter, "\WindowsApps\", vbTextCompare) > 0 Then
        PythonProblem = interpreter & " is the Microsoft Store's python.exe alias, " & _
            "which Excel cannot start. Install Python from python.org, create the " & _
            "coverbook virtual environment with it and run: coverbook addin install"
    Else
        #If Not Mac Then
            If Not FileExists(interpreter) Then
                PythonProblem = "Python was not found at " & interpreter & " (" & key & _
                    " in " & GetConfigFilePath() & "). In a terminal, in the coverbook " & _
                    "folder, run: coverbook addin install"
            End If
        #End If
    End If
End Function
