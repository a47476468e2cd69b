"""Documents as files: bad ones get a Chinese message naming the file (and the table);
old formats and PDF go through real LibreOffice; uploads are read from bytes."""

from __future__ import annotations

import io
import os
import subprocess
import zipfile
from pathlib import Path

import msoffcrypto.format.ooxml
import pytest
from docfixtures import built, differences, docx, word_page
from gk import CELLS

from xlsx_tools.check import validate_bytes, validate_file
from xlsx_tools.cli import main
from xlsx_tools.findings import ReadError
from xlsx_tools.read import read_bytes, read_report
from xlsx_tools.testing import documents as D

EXPECTED = built()
PUBLISHED = "发布时间：2026-01-22"
TABLE_IDS = [c for c in CELLS if not c.startswith("fee.")]


def refused(path: Path) -> str:
    with pytest.raises(ReadError) as exc:
        read_report(path)
    return exc.value.finding.message


def test_encrypted_docx(tmp_path):
    plain = docx(tmp_path / "plain.docx", EXPECTED)
    out = io.BytesIO()
    with open(plain, "rb") as fh:
        msoffcrypto.format.ooxml.OOXMLFile(fh).encrypt("密码123", out)
    (tmp_path / "加密.docx").write_bytes(out.getvalue())
    assert refused(tmp_path / "加密.docx") == "加密.docx：文件已加密（设置了打开密码），请取消密码后重新保存再提交"


def test_docx_zip_bomb(tmp_path):
    path = tmp_path / "炸弹.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        with z.open("word/document.xml", "w", force_zip64=True) as fh:
            block = b" " * 2**20
            for _ in range(64):
                fh.write(block)
    message = refused(path)
    assert message.startswith("炸弹.docx：解压后体积异常（word/document.xml 解压后 64 MB，压缩比 ")
    assert message.endswith("疑似压缩炸弹，拒绝读取")


def test_docx_with_an_entity_declaration(tmp_path):
    plain = docx(tmp_path / "plain.docx", EXPECTED)
    src = zipfile.ZipFile(plain)
    with zipfile.ZipFile(tmp_path / "实体.docx", "w") as z:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "word/document.xml":
                data = data.replace(b"?>", b'?><!DOCTYPE w [<!ENTITY a "aaaa">]>', 1)
            z.writestr(info, data)
    assert (
        refused(tmp_path / "实体.docx") == "实体.docx：文件内部的 word/document.xml 含有 DOCTYPE/实体声明（可能是恶意构造的文件），拒绝读取"
    )


def test_truncated_docx(tmp_path):
    data = docx(tmp_path / "plain.docx", EXPECTED).read_bytes()
    (tmp_path / "截断.docx").write_bytes(data[: len(data) // 2])
    assert refused(tmp_path / "截断.docx") == "截断.docx：文件已损坏（压缩包不完整或被截断），请重新保存后提交"


def test_web_page_without_any_table(tmp_path):
    page = "<html><head><meta charset='utf-8'><title>通知</title></head><body><p>示例县教育局2025年政府信息公开工作年度报告</p><p>一、总体情况</p><p>详见附件。</p></body></html>"
    (tmp_path / "附件在外.html").write_text(page, encoding="utf-8")
    assert refused(tmp_path / "附件在外.html") == (
        "附件在外.html：网页中没有表格（表格可能是图片，或报告全文在附件中：请下载附件后提交），无法读取年度报告的表格"
    )


def test_a_page_whose_table_three_lacks_rows(tmp_path):
    blocks = D.national(EXPECTED, D.Options(published=PUBLISHED))
    t3 = next(b for b in blocks if isinstance(b, D.DocTable) and any(c.text == "自然人" for r in b.rows for c in r))
    t3.rows = [r for r in t3.rows if r[0].text not in ("一、本年新收政府信息公开申请数量", "二、上年结转政府信息公开申请数量")]
    path = tmp_path / "缺行.htm"
    path.write_bytes(D.encoded(D.word_html(blocks, "缺行")))
    result = validate_file(path)
    layout = [f.message for f in result.findings if f.rule == "LAYOUT"]
    assert layout == [
        "第 2 个表格中表三缺少「一、本年新收政府信息公开申请数量」这一行（应在第 2 个表格第 4 行「（一）予以公开」之前），该行的 7 个数未读取",
        "第 2 个表格中表三缺少「二、上年结转政府信息公开申请数量」这一行（可能被删除或改名），该行的 7 个数未读取",
    ]
    assert result.report.cells["t3.new.natural"] is None
    assert "T3-BALANCE" not in [f.rule for f in result.findings]  # never judged on numbers that were not read
    assert result.errors == 2


def test_scanned_pdf(tmp_path):
    from PIL import Image

    Image.new("RGB", (600, 800), "white").save(tmp_path / "扫描件.pdf")
    assert refused(tmp_path / "扫描件.pdf") == (
        "扫描件.pdf：是扫描件或图片形式的 PDF（没有文字层），无法读取其中的数字；请提交 Word 文档、网页或工作簿"
    )


def test_old_word_document_without_libreoffice(tmp_path, monkeypatch):
    monkeypatch.setenv("XLSX_TOOLS_SOFFICE", str(tmp_path / "没有这个程序"))
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le") + bytes(600)
    (tmp_path / "旧格式.doc").write_bytes(ole)
    assert refused(tmp_path / "旧格式.doc") == (
        "旧格式.doc：是Word 97-2003 文档（.doc），需要先转换格式才能读取（本机未安装 LibreOffice，无法自动转换）："
        "请用 Word 或 WPS 文字打开后「另存为」Word 文档（.docx）再提交"
    )


def test_uploads_are_read_from_bytes(tmp_path):
    data = word_page(tmp_path / "p.htm", EXPECTED, D.Options(published=PUBLISHED), site=True).read_bytes()
    report = read_bytes(data, "../../上传的报告.htm")
    assert differences(report, EXPECTED) == {}
    assert report.source == "上传的报告.htm"
    result = validate_bytes(b"<html><body>nothing</body></html>", "空网页.html")
    assert not result.readable and result.findings[0].message.startswith("空网页.html：网页中没有表格")
    assert list(tmp_path.parent.glob("xlsx-tools-upload-*")) == []


def test_the_command_line_reads_documents_and_never_shows_a_traceback(tmp_path, capsys):
    good = docx(tmp_path / "教育局.docx", EXPECTED, D.Options(published=PUBLISHED))
    page = word_page(tmp_path / "教育局.htm", EXPECTED, D.Options(published=PUBLISHED), site=True)
    (tmp_path / "坏.docx").write_bytes(b"PK\x03\x04 broken")
    (tmp_path / "空.html").write_text("<html><body><p>无</p></body></html>", encoding="utf-8")
    assert main(["validate", str(good), str(page)]) == 0
    out = capsys.readouterr().out
    assert "教育局.docx（示例县教育局）：1 个提示" in out and "教育局.htm（示例县教育局）：1 个提示" in out
    assert main(["validate", str(tmp_path / "坏.docx"), str(tmp_path / "空.html")]) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.out + captured.err
    assert main(["export", str(page), "-o", str(tmp_path / "out.json")]) == 0
    exported = (tmp_path / "out.json").read_text(encoding="utf-8")
    assert '"agency": "示例县教育局"' in exported and '"t3.new.natural": 73' in exported


# ---- through real LibreOffice --------------------------------------------------------------------
def _soffice(args: list[str], cwd: Path) -> None:
    profile = cwd / "lo-profile"
    subprocess.run(
        ["soffice", f"-env:UserInstallation={profile.as_uri()}", "--headless", *args], cwd=cwd, capture_output=True, timeout=180, check=True
    )


@pytest.mark.libreoffice
def test_the_same_document_saved_as_a_web_page_by_libreoffice(tmp_path):
    src = docx(tmp_path / "教育局.docx", EXPECTED, D.Options(published=PUBLISHED, spacer="商业企业"))
    _soffice(["--convert-to", "html:HTML (StarWriter)", "--outdir", str(tmp_path / "out"), str(src)], tmp_path)
    page = tmp_path / "out" / "教育局.html"
    assert b"<table" in page.read_bytes().lower()
    report = read_report(page)
    assert differences(report, EXPECTED) == {}
    assert report.meta["agency"] == "示例县教育局" and report.meta["year"] == 2025
    assert report.text == EXPECTED.text
    assert sorted({f.rule for f in report.findings}) == ["META-NO-USCC"]


@pytest.mark.libreoffice
def test_old_doc_and_rtf_are_converted_by_libreoffice(tmp_path):
    src = docx(tmp_path / "教育局.docx", EXPECTED, D.Options(published=PUBLISHED))
    _soffice(["--convert-to", "doc", "--outdir", str(tmp_path / "out"), str(src)], tmp_path)
    _soffice(["--convert-to", "rtf", "--outdir", str(tmp_path / "out"), str(src)], tmp_path)
    for name in ("教育局.doc", "教育局.rtf"):
        report = read_report(tmp_path / "out" / name)
        assert differences(report, EXPECTED) == {}, name
        assert report.text == EXPECTED.text, name
    assert list(Path(os.environ.get("TMPDIR", "/tmp")).glob("xlsx-tools-convert-*")) == []


@pytest.mark.libreoffice
def test_pdf_exported_from_the_document(tmp_path):
    src = docx(tmp_path / "教育局.docx", EXPECTED, D.Options(published=PUBLISHED))
    _soffice(["--convert-to", "pdf", "--outdir", str(tmp_path / "out"), str(src)], tmp_path)
    report = read_report(tmp_path / "out" / "教育局.pdf")
    assert differences(report, EXPECTED, TABLE_IDS) == {}
    assert report.meta["agency"] == "示例县教育局" and report.meta["year"] == 2025
    assert report.text["overview"].replace("\n", "") == EXPECTED.text["overview"]  # a PDF breaks lines where the page does
