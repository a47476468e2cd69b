Attribute VB_Name = "GK_Validate"
' xlsx-tools: the Validate button of the annual report workbook (form GK-2021).
'
' ASCII only: the VBA project is stored in a Western code page, so every text
' that staff read (messages, results) comes from the Python side.
'
' Without a server URL the button runs Python on this computer through
' xlwings' RunPython (classic xlwings, the xlwings module of this project).
' With GK_SERVER_URL set in the xlwings.conf sheet, it posts the workbook to
' that URL with xlwings' RunServerPython (module Remote) and replays the
' actions the server answers with. Both run the same Python function,
' xlsx_tools.excel.validate_book.
'
' The Publish button (GK_PublishButton) writes the report's Word document next
' to the workbook with xlsx_tools.excel.publish_book, on this computer. Behind a
' server nothing can be written here: the server's /publish address answers
' with a message that points to its web page, where the document is a download.
Option Explicit

Public Const GK_PYTHON As String = "import xlsx_tools.excel as gk; gk.validate_caller()"
Public Const GK_PUBLISH_PYTHON As String = "import xlsx_tools.excel as gk; gk.publish_caller()"
Public Const GK_SERVER_KEY As String = "GK_SERVER_URL"

Public Sub GK_ValidateButton()
    Dim url As String
    url = GetConfig(GK_SERVER_KEY, "")
    If url = "" Then
        RunPython GK_PYTHON
    Else
        RunServerPython url
    End If
End Sub

Public Sub GK_PublishButton()
    Dim url As String
    url = GetConfig(GK_SERVER_KEY, "")
    If url = "" Then
        RunPython GK_PUBLISH_PYTHON
    Else
        RunServerPython GK_PublishUrl(url)
    End If
End Sub

Private Function GK_PublishUrl(url As String) As String
    Dim base As String
    base = url
    If Right(base, 1) = "/" Then base = Left(base, Len(base) - 1)
    If LCase(Right(base, 9)) = "/validate" Then base = Left(base, Len(base) - 9)
    GK_PublishUrl = base & "/publish"
End Function
