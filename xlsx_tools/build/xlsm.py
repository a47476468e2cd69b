"""`xlsx-tools build-xlsm`: the template with a 校验 button and its VBA project.

The workbook is the same template (`template.build_workbook`) plus
- an `xlwings.conf` sheet (hidden, last) that configures xlwings: the Python
  interpreter, the worksheet functions' module, and GK_SERVER_URL (empty: the button
  runs Python locally with RunPython; set: it posts the workbook to that URL with
  RunServerPython, which sends xlwings' AUTH key, when given, as the Authorization
  header that `xlsx-tools serve --auth` checks);
- a 校验 button on the cover and on each table sheet, bound to the macro
  `GK_ValidateButton` of macros/GK_Validate.bas, and beside it on the cover a 生成报告
  button bound to `GK_PublishButton` (the report's Word document, excel/publish.py);
- a VBA project (vbaProject.bin) holding xlwings' standalone modules (the `xlwings`
  module and its Dictionary class), xlwings' client for servers (Remote and the
  Web* modules it needs) and our macro, written without Excel by pyOpenVBA: it adds
  a project to a skeleton workbook with the same number of sheets, so the document
  modules (ThisWorkbook, Sheet1 …) match the code names XlsxWriter gives the sheets.
"""

from __future__ import annotations

import io
import tempfile
import zipfile
from pathlib import Path

from ..findings import ToolError
from ..form import FormSpec, current

MACRO_DIR = Path(__file__).resolve().parents[2] / "macros"
MACRO_FILE = "GK_Validate.bas"
MACRO_NAME = "GK_ValidateButton"
PUBLISH_MACRO = "GK_PublishButton"  # the 生成报告 button, on the cover beside 校验
CONF_SHEET = "xlwings.conf"
SERVER_KEY = "GK_SERVER_URL"
AUTH_KEY = "AUTH"  # xlwings' own key: RunServerPython sends it as the Authorization header
UDF_MODULE = "xlsx_tools.excel.udfs"
BUTTON_SIZE = {"width": 96, "height": 30}

# (module name, file inside the installed xlwings package)
STANDALONE_MODULES = (("xlwings", "xlwings.bas"), ("Dictionary", "addin/Dictionary.cls"))
REMOTE_MODULES = (
    ("Remote", "addin/Remote.bas"),
    ("WebHelpers", "addin/WebHelpers.bas"),
    ("IWebAuthenticator", "addin/IWebAuthenticator.cls"),
    ("WebClient", "addin/WebClient.cls"),
    ("WebRequest", "addin/WebRequest.cls"),
    ("WebResponse", "addin/WebResponse.cls"),
)


class BuildError(ToolError):
    """The .xlsm cannot be built (Chinese message)."""


def _xlwings_dir() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("xlwings")
    if spec is None or not spec.origin:
        raise BuildError("未安装 xlwings（pip install xlwings），无法生成含宏的模板")
    return Path(spec.origin).parent


def _crlf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\n", "\r\n")


def macro_source() -> str:
    """Our macro module, checked to be ASCII (the project's code page is not Chinese)."""
    path = MACRO_DIR / MACRO_FILE
    try:
        text = path.read_text(encoding="ascii")
    except FileNotFoundError:
        raise BuildError(f"找不到宏源文件 {path}") from None
    except UnicodeDecodeError:
        raise BuildError(f"宏源文件 {path} 含有非 ASCII 字符；VBA 中只能使用 ASCII，中文提示应放在 Python 一侧") from None
    return _crlf(text)


def vba_modules() -> list[tuple[str, str, bool]]:
    """(name, source, is_class) of every module the project holds besides the documents."""
    base = _xlwings_dir()
    out = []
    for name, rel in STANDALONE_MODULES + REMOTE_MODULES:
        out.append((name, _crlf((base / rel).read_text(encoding="utf-8")), rel.endswith(".cls")))
    out.append((Path(MACRO_FILE).stem, macro_source(), False))
    return out


def sheet_names(spec: FormSpec | None = None) -> list[str]:
    return [*(spec or current()).layout.order, CONF_SHEET]


def vba_project_bin(sheet_count: int) -> bytes:
    """A vbaProject.bin with ThisWorkbook, Sheet1…SheetN and `vba_modules()`."""
    import xlsxwriter
    from pyopenvba import ExcelFile, VBAModuleKind

    with tempfile.TemporaryDirectory(prefix="xlsx-tools-vba-") as tmp:
        skeleton = Path(tmp) / "skeleton.xlsm"
        wb = xlsxwriter.Workbook(str(skeleton))
        for _ in range(sheet_count):
            wb.add_worksheet()
        wb.close()
        out = Path(tmp) / "project.xlsm"
        with ExcelFile(skeleton) as book:
            project = book.add_vba_project()
            for name, source, is_class in vba_modules():
                project.add_module(name, source, kind=VBAModuleKind.other if is_class else VBAModuleKind.standard)
            book.save(out)
        with zipfile.ZipFile(out) as zf:
            return zf.read("xl/vbaProject.bin")


def conf_rows(interpreter: str | None = None, server_url: str | None = None, auth: str | None = None) -> list[tuple[str, str, str]]:
    """(key, value, note) rows of the xlwings.conf sheet. Keys without a value are left
    out, except GK_SERVER_URL: a key in this sheet overrides the user's xlwings.conf."""
    rows = []
    if interpreter:
        rows.append(("INTERPRETER_WIN", interpreter, "Windows 上运行校验的 Python（python.exe 的完整路径）"))
    rows.append(("UDF_MODULES", UDF_MODULE, "工作表函数 GK_FINDINGS、GK_RULE 所在的模块"))
    rows.append((SERVER_KEY, server_url or "", "校验服务器地址；留空则在本机用 Python 校验"))
    if auth:
        rows.append((AUTH_KEY, auth, "校验服务器的访问密钥（与 xlsx-tools serve --auth 相同）"))
    return rows


def _button_cells(spec: FormSpec) -> dict[str, tuple[int, int]]:
    """Where each 校验 button goes: beside the cover's button-result cell, and right of
    each table sheet's title."""
    layout = spec.layout
    run = layout.pos["run_status"]
    cells = {layout.cover: (run.row, run.col + 1)}
    for sheet in dict.fromkeys(layout.table_sheets.values()):
        labels = layout.sheets[sheet].labels
        cells[sheet] = (0, max(lb.pos.col + lb.cols for lb in labels))
    return cells


def build_xlsm(
    target, interpreter: str | None = None, server_url: str | None = None, auth: str | None = None, spec: FormSpec | None = None
) -> None:
    """Write workbook_template.xlsm to `target` (a path or a binary file object)."""
    from .template import build_workbook

    spec = spec or current()
    project = vba_project_bin(len(sheet_names(spec)))
    buttons = _button_cells(spec)
    button = {"macro": MACRO_NAME, "caption": spec.words["button"], **BUTTON_SIZE}
    publish = {"macro": PUBLISH_MACRO, "caption": spec.words["publish_button"], **BUTTON_SIZE, "x_offset": BUTTON_SIZE["width"] + 8}

    def extra(workbook, styles) -> None:
        conf = workbook.add_worksheet(CONF_SHEET)
        for row, (key, value, note) in enumerate(conf_rows(interpreter, server_url, auth)):
            conf.write_string(row, 0, key)
            if value:
                conf.write_string(row, 1, value)
            conf.write_string(row, 2, note)
        conf.set_column(0, 0, 18)
        conf.set_column(1, 1, 40)
        conf.set_column(2, 2, 50)
        conf.hide()
        workbook.add_vba_project(io.BytesIO(project), is_stream=True)
        for ws in workbook.worksheets():
            if ws.name in buttons:
                row, col = buttons[ws.name]
                ws.insert_button(row, col, button)
                if ws.name == spec.layout.cover:
                    ws.insert_button(row, col, publish)

    build_workbook(target, extra=extra, spec=spec)


__all__ = [
    "AUTH_KEY",
    "CONF_SHEET",
    "MACRO_NAME",
    "PUBLISH_MACRO",
    "SERVER_KEY",
    "BuildError",
    "build_xlsm",
    "conf_rows",
    "vba_project_bin",
]
