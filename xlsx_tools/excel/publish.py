"""The 生成报告 button: the open workbook, validated, written as its Word document next to it.

`publish_book(book)` reads the open workbook (what Excel shows, saved or not) through the
anchors, runs every rule, and — without errors — writes
「{单位名称}{年度}年政府信息公开工作年度报告.docx」 in the workbook's folder with the publisher
(xlsx_tools/publish/), then says so in a message box (warnings listed). With errors it
writes nothing and lists them, as the 校验 button does. A document of that name that
this tool generated (it carries the fingerprint) is replaced; any other file of that name
is left alone and the document gets a numbered name (「…（2）.docx」). Nothing in the
workbook is changed.

`publish_caller()` is the classic `RunPython` entry (macros/GK_Validate.bas).
Behind a validation server (GK_SERVER_URL set), the button cannot write on the clerk's
computer: `publish_hint_payload` answers with a message box that points to the web page,
where the same document is a download.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..check import check_report
from ..check.fingerprint import parse_stamp
from ..findings import ReadError, ToolError, count
from ..form import FormSpec, current, spec_of
from ..read import read_source
from .results import alert_text, ordered
from .source import BookSource

ALERT_SHOWN = 5


def publish_title(spec: FormSpec) -> str:
    return f"{spec.title} · {_caption(spec)}"


def _generated_by_us(path: Path) -> bool:
    """A .docx this tool generated (its core properties carry the fingerprint)."""
    import zipfile

    try:
        with zipfile.ZipFile(path) as zf:
            core = zf.read("docProps/core.xml")[:65536].decode("utf-8", "replace")
    except (OSError, KeyError, zipfile.BadZipFile):
        return False
    return parse_stamp(core) is not None


def target_for(folder: Path, title: str) -> Path:
    """Where the document goes: its title as the name, unless a file of that name is not
    one this tool generated."""
    safe = "".join(ch for ch in title if ch not in '<>:"/\\|?*' and ch.isprintable()).strip() or "年度报告"
    for n in range(1, 100):
        path = folder / (f"{safe}.docx" if n == 1 else f"{safe}（{n}）.docx")
        if not path.exists() or _generated_by_us(path):
            return path
    raise ToolError(f"文件夹 {folder} 中已有太多名为「{safe}」的文件，请整理后再生成")


def _caption(spec: FormSpec) -> str:
    return spec.words.get("publish_button", "")


def _folder(book, folder: Path | None, spec: FormSpec) -> Path:
    if folder is not None:
        return Path(folder)
    full = Path(str(getattr(book, "fullname", "") or ""))
    if not full.is_absolute() or not full.parent.is_dir():
        raise ToolError(f"请先保存工作簿（报告将生成在工作簿所在的文件夹中），然后再点击「{_caption(spec)}」。")
    return full.parent


def publish_book(book, folder: Path | None = None, today: dt.date | None = None) -> Path | None:
    """Validate the open workbook and write its .docx next to it (see the module); the
    path written, or None when errors stopped it. Always ends with a message box."""
    from ..output import write_atomic
    from ..publish import build_document
    from ..publish.word import write_docx

    src = BookSource(book)
    try:
        report = read_source(src)
    except ReadError as exc:
        spec = current()
        book.app.alert(exc.message, title=publish_title(spec), mode="critical")
        return None
    spec = spec_of(report)
    title = publish_title(spec)
    findings = check_report(report, today=today)
    errors, warnings = count(findings)
    if errors:
        book.app.alert(
            f"有 {errors} 处错误，未生成报告：请改正后再点击「{spec.words['button']}」核对。\n\n" + alert_text(spec, findings),
            title=title,
            mode="critical",
        )
        return None
    doc = build_document(report, today=today)
    target = target_for(_folder(book, folder, spec), doc.title)
    try:
        write_atomic(target, lambda tmp: write_docx(doc, tmp), force=True)
    except OSError as exc:
        raise ToolError(
            f"无法写入 {target}（{exc.strerror or type(exc).__name__}）：文件可能正在 Word 或 WPS 中打开，请关闭后再点击「{_caption(spec)}」。"
        ) from None
    lines = [f"已生成年度报告（Word 文档）：\n{target}"]
    if warnings:
        lines += ["", f"另有 {warnings} 处提示，请核实："]
        lines += [f"{i}. {f.message}" for i, f in enumerate(ordered(findings)[:ALERT_SHOWN], start=1)]
    if doc.notes:
        lines += ["", *(f"注意：{n}" for n in doc.notes)]
    book.app.alert("\n".join(lines)[:900], title=title, mode="info")
    return target


def publish_caller() -> None:
    """Entry point of the 生成报告 button's `RunPython` call (macros/GK_Validate.bas)."""
    import xlwings as xw

    book = xw.Book.caller()
    spec = current()
    try:
        publish_book(book)
    except ToolError as exc:
        book.app.alert(exc.message, title=publish_title(spec), mode="critical")
    except Exception as exc:  # noqa: BLE001 - staff see a sentence, not a traceback
        book.app.alert(
            f"生成报告时出现内部错误：{type(exc).__name__}: {exc}\n请将此信息反馈给维护人员。", title=publish_title(spec), mode="critical"
        )


def publish_hint_payload(payload: dict, page: str = "") -> dict:
    """Behind a validation server: a message box saying where to get the document."""
    from .remote import _LOCK, open_payload

    spec = current()
    where = (
        f"请在浏览器中打开 {page} ，选择本工作簿，校验后下载 Word 文档或网页。"
        if page
        else "请在校验服务器的网页上选择本工作簿，校验后下载。"
    )
    with _LOCK:
        book = open_payload(payload)
        try:
            book.app.alert(f"本工作簿通过校验服务器校验，报告不能直接生成在这台电脑上。{where}", title=publish_title(spec), mode="info")
            return book.json()
        finally:
            book.close()


__all__ = ["publish_book", "publish_caller", "publish_hint_payload", "publish_title", "target_for"]
