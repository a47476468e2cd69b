"""The web pages of `xlsx-tools serve` over HTTP: the real server (started by the CLI in a
subprocess) on a loopback port, uploads framed as the pages frame them. Answers are
compared with `xlsx-tools validate` and `xlsx-tools merge` run on the same files;
every refusal is a status and a Chinese sentence; hostile uploads are refused while
other clients are served; nothing uploaded stays on disk."""

from __future__ import annotations

import csv
import io
import json
import re
import select
import socket
import subprocess
import sys
import threading
import time
import zipfile
from pathlib import Path
from urllib.parse import unquote

import httpx
import openpyxl
import pytest
from badfiles import _bomb
from webkit import (
    EXAMPLES,
    ROOT,
    TYPICAL,
    UNBALANCED,
    UPLOAD,
    Server,
    body,
    framed,
    free_port,
    header,
    merge_result,
    page_token,
    read_response,
    stream_lines,
)

from xlsx_tools.check import validate_file
from xlsx_tools.excel.filebook import marked_workbook
from xlsx_tools.excel.results import finding_row, ordered
from xlsx_tools.form import current
from xlsx_tools.read import read_report
from xlsx_tools.server.web import CSP
from xlsx_tools.server.webjobs import findings_csv

SPEC = current()
SECRET = "county-office-2026-Xq7!"
COUNTY = "county-merge-2026-Zr5#"
WORKBOOKS = sorted(EXAMPLES.glob("*.xlsx"))
EVERY_FILE = sorted(p for p in EXAMPLES.iterdir() if p.is_file())
SHOWN = (0, 1, 2, 3, 4, 5, 8)


@pytest.fixture(scope="module")
def web(tmp_path_factory):
    srv = Server(
        tmp_path_factory.mktemp("web-tmp"),
        "--workers",
        "2",
        "--max-mb",
        "1",
        "--max-files",
        "50",
        "--max-total-mb",
        "8",
        "--upload-seconds",
        "3",
    )
    yield srv
    log = srv.stop()
    assert "Traceback" not in log, log


@pytest.fixture(scope="module")
def secured(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("secured-tmp"), "--workers", "1", env={"GK_SERVER_AUTH": SECRET, "GK_COUNTY_AUTH": COUNTY})
    yield srv
    srv.stop()


def assert_sentence(r: httpx.Response, status: int, *words: str) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "text/plain; charset=utf-8"
    for word in words:
        assert word in r.text, (word, r.text)
    assert "Traceback" not in r.text and "Error" not in r.text and re.search(r"[\u4e00-\u9fff]", r.text)


def shown_rows(path: Path, previous=None) -> list[list]:
    result = validate_file(path, previous)
    return [[("" if v is None else v) for i, v in enumerate(finding_row(SPEC, f)) if i in SHOWN] for f in ordered(result.findings)]


# -- pages ---------------------------------------------------------------------------------


def test_pages_are_served_by_the_tool_with_their_headers(web):
    for path, title in (("/", "在线校验"), ("/county", "汇总")):
        r = httpx.get(web.url + path)
        assert r.status_code == 200 and r.headers["content-type"] == "text/html; charset=utf-8"
        assert r.headers["content-security-policy"] == CSP
        assert r.headers["x-content-type-options"] == "nosniff" and r.headers["x-frame-options"] == "DENY"
        assert title in r.text and 'lang="zh-CN"' in r.text
        assert "__TOKEN__" not in r.text and len(web.token(path)) >= 30
        assert "不会留在服务器上" in r.text  # said on the page
    for name, kind in (
        ("style.css", "text/css"),
        ("common.js", "text/javascript"),
        ("agency.js", "text/javascript"),
        ("county.js", "text/javascript"),
    ):
        r = httpx.get(f"{web.url}/static/{name}")
        assert r.status_code == 200 and r.headers["content-type"].startswith(kind) and r.headers["x-content-type-options"] == "nosniff"
    assert_sentence(httpx.get(f"{web.url}/static/secret.txt"), 404)
    assert httpx.get(f"{web.url}/static/..%2Fapp.py").status_code == 404
    assert httpx.get(f"{web.url}/health").headers["x-content-type-options"] == "nosniff"


def test_pages_load_nothing_from_elsewhere():
    """No CDN, no external fonts, no inline scripts or styles (the CSP forbids them)."""
    web_dir = ROOT / "xlsx_tools" / "server" / "web"
    for f in web_dir.iterdir():
        text = f.read_text(encoding="utf-8")
        assert not re.search(r"(src|href)\s*=\s*[\"']?(https?:)?//", text), f.name
        assert "@import" not in text and "url(" not in text, f.name
        if f.suffix == ".html":
            assert not re.search(r"<script>(?!</script>)|<script(?![^>]*\bsrc=)[^>]*>|\sstyle=|\son\w+=", text), f.name


def test_the_buttons_endpoint_still_answers_a_post_to_root(web):
    from xlsx_tools.excel import validate_payload
    from xlsx_tools.testing.payload import book_payload

    payload = book_payload(UNBALANCED)
    r = httpx.post(web.url + "/", json=payload, timeout=30)
    assert r.status_code == 200 and r.json() == validate_payload(payload)


# -- the agency page's check ------------------------------------------------------------------------


def _cli_validate(*args: str) -> list[dict]:
    out = subprocess.run(
        [sys.executable, "-m", "xlsx_tools.cli", "validate", "--format", "json", *args], cwd=ROOT, capture_output=True, text=True
    )
    return json.loads(out.stdout)


@pytest.mark.parametrize("path", WORKBOOKS, ids=lambda p: p.stem)
def test_check_shows_the_findings_of_validate(web, path):
    r = web.post("/api/check", [path])
    assert r.status_code == 200, r.text
    got = r.json()
    assert got["rows"] == shown_rows(path)
    assert got["headers"] == ["级别", "规则", "表", "行", "列", "单元格", "说明"]
    (cli,) = _cli_validate(str(path))
    order = sorted(cli["findings"], key=lambda f: f["severity"] != "error")  # errors first, as the page shows them
    assert [(row[0], row[1], row[6]) for row in got["rows"]] == [
        ({"error": "错误", "warning": "提示"}[f["severity"]], f["rule"], f["message"]) for f in order
    ]
    assert (got["name"], got["agency"], got["errors"], got["warnings"]) == (path.name, cli["agency"], cli["errors"], cli["warnings"])
    assert got["summary"] == ("通过" if not cli["findings"] else got["summary"])
    reports = ["report-docx", "report-html"] if cli["errors"] == 0 else []  # the publisher's, without errors only
    assert [d["kind"] for d in got["downloads"]] == ["marked", *reports, "findings-xlsx", "findings-csv"]
    assert web.stored() == []


def test_check_of_the_unbalanced_example(web):
    got = web.post("/api/check", [UNBALANCED]).json()
    assert got["summary"] == "2 个错误，1 个提示" and got["levels"] == ["error", "error", "warning"]
    assert got["rows"][0][:6] == ["错误", "T3-BALANCE", "表三", "一、本年新收 等 4 行", "自然人", "表三!D5:D6、表三!D28:D29"]
    assert got["rows"][0][6] == "表三 自然人列：一、本年新收 + 二、上年结转 = 104，（七）总计 + 四、结转下年度继续办理 = 105，相差 1"


def test_check_with_last_years_report(web):
    last, this = EXAMPLES / "03-教育局.xlsx", TYPICAL
    got = web.post("/api/check", [this, (last.name, last.read_bytes(), "previous")]).json()
    assert got["previous"] == last.name
    assert got["rows"] == shown_rows(this, read_report(last))
    (cli,) = _cli_validate(str(this), "--previous", str(last))
    assert {f["rule"] for f in cli["findings"]} == {row[1] for row in got["rows"]} and any(row[1].startswith("XY-") for row in got["rows"])
    bad = web.post("/api/check", [this, ("上年.xlsx", b"not a workbook at all", "previous")])
    assert_sentence(bad, 422, "上年报告无法读取", "上年.xlsx")


def test_a_file_that_is_no_workbook_is_named_as_uploaded(web, tmp_path):
    docx = zipfile.ZipFile(buf := io.BytesIO(), "w")
    docx.writestr("word/document.xml", "<w:document/>")
    docx.close()
    r = web.post("/api/check", [("年度报告（定稿）.xlsx", buf.getvalue(), "report")])
    assert r.status_code == 422 and r.headers["content-type"] == "application/json"
    got = r.json()
    assert got["message"] == "年度报告（定稿）.xlsx：Word 文档已损坏（word/document.xml 无法解析），请用 Word 或 WPS 打开后重新保存"
    assert got["result"]["rows"] == [["错误", "UNREADABLE", "", "", "", "", got["message"]]]
    assert got["result"]["summary"] == "无法读取" and web.stored() == []


def test_a_name_with_html_comes_back_as_text(web):
    name = '<img src=x onerror="alert(1)">.xlsx'
    got = web.post("/api/check", [(name, UNBALANCED.read_bytes(), "report")]).json()
    assert got["name"] == name  # the page puts it in as text (test_browser checks that it is shown escaped)


# -- downloads ------------------------------------------------------------------------------------


def _filename(r: httpx.Response) -> str:
    return unquote(re.search(r"filename\*=UTF-8''(.+)$", r.headers["content-disposition"]).group(1))


def test_download_of_the_marked_workbook(web, tmp_path):
    r = web.post("/api/download/marked", [UNBALANCED])
    assert r.status_code == 200 and r.headers["content-type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert _filename(r) == "05-自然资源局-结转不平衡-校验标注.xlsx"
    assert r.headers["content-disposition"].startswith('attachment; filename="download.xlsx"')
    assert r.content == marked_workbook(UNBALANCED).data
    assert web.stored() == []


def test_downloads_of_the_findings(web):
    expected = [finding_row(SPEC, f) for f in ordered(validate_file(UNBALANCED).findings)]
    r = web.post("/api/download/findings-csv", [UNBALANCED])
    assert r.status_code == 200 and r.headers["content-type"] == "text/csv; charset=utf-8"
    assert _filename(r) == "05-自然资源局-结转不平衡-问题清单.csv"
    assert r.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0] == list(SPEC.layout.result_headers)
    assert rows[1:] == [["" if v is None else str(v) for v in row] for row in expected]
    r = web.post("/api/download/findings-xlsx", [UNBALANCED])
    assert _filename(r) == "05-自然资源局-结转不平衡-问题清单.xlsx"
    ws = openpyxl.load_workbook(io.BytesIO(r.content)).active
    got = [[c.value for c in row] for row in ws.iter_rows()]
    assert got[0] == list(SPEC.layout.result_headers)
    assert got[1:] == [[None if v in ("", None) else v for v in row] for row in expected]
    assert_sentence(web.post("/api/download/report-pdf", [UNBALANCED]), 404)


@pytest.mark.parametrize("kind, suffix", [("report-docx", ".docx"), ("report-html", ".html")])
def test_downloads_of_the_published_report(web, kind, suffix, tmp_path):
    """The publisher's document of the uploaded report: what `xlsx-tools publish` writes."""
    from xlsx_tools.publish import publish_file

    r = web.post(f"/api/download/{kind}", [TYPICAL])
    assert r.status_code == 200, r.text
    media = {".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".html": "text/html; charset=utf-8"}
    assert r.headers["content-type"] == media[suffix]
    assert _filename(r) == f"示例县卫生健康局2025年政府信息公开工作年度报告{suffix}"
    got = tmp_path / f"got{suffix}"
    got.write_bytes(r.content)
    cli = publish_file(TYPICAL, tmp_path / f"cli{suffix}")
    back, expected = read_report(got), read_report(tmp_path / f"cli{suffix}")
    assert (back.cells, back.text, back.meta, back.stamp) == (expected.cells, expected.text, expected.meta, cli.document.stamp.text)
    assert web.stored() == []
    assert_sentence(web.post(f"/api/download/{kind}", [UNBALANCED]), 422, "报告有 2 个错误，不能生成年度报告：请改正后重新校验。")


def test_the_publish_button_behind_the_server_points_to_the_page(web):
    from xlsx_tools.testing.payload import book_payload

    r = httpx.post(web.url + "/publish", json=book_payload(TYPICAL), timeout=30)
    assert r.status_code == 200 and r.headers["content-type"] == "application/json"
    [alert] = r.json()["actions"]
    assert alert["func"] == "alert" and f"请在浏览器中打开 {web.url}/ ，选择本工作簿" in alert["args"][0]


def test_csv_neutralises_what_a_spreadsheet_would_run():
    data = findings_csv(["级别", "说明"], [["错误", '=HYPERLINK("http://x")'], ["提示", "-1+2"], ["提示", 5]])
    assert data.decode("utf-8-sig").splitlines() == ["级别,说明", '错误,"\'=HYPERLINK(""http://x"")"', "提示,'-1+2", "提示,5"]


def test_a_workbook_not_from_the_template_is_checked_but_not_marked(web, tmp_path):
    plain = tmp_path / "自制.xlsx"
    openpyxl.Workbook().save(plain)
    got = web.post("/api/check", [plain])
    assert got.status_code in (200, 422)
    result = got.json() if got.status_code == 200 else got.json()["result"]
    assert "marked" not in [d["kind"] for d in result["downloads"]] and result["marked_note"]
    assert_sentence(web.post("/api/download/marked", [plain]), 422, "无法在其中标注" if got.status_code == 200 else "")


# -- the county page's merge ------------------------------------------------------------------------


def _uploaded(files: list[Path], folder: str = "examples") -> list[tuple[str, bytes, str]]:
    return [(f"{folder}/{p.name}", p.read_bytes(), "report") for p in files]


@pytest.fixture(scope="module")
def cli_merge(tmp_path_factory):
    out = tmp_path_factory.mktemp("cli-merge")
    cmd = [sys.executable, "-m", "xlsx_tools.cli", "merge", "examples", "-o", str(out / "汇总.xlsx"), "--name", "示例县", "--year", "2025"]
    cmd += ["--export", str(out / "明细.csv")]
    done = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 1, done.stderr
    return done.stdout.splitlines(), out / "汇总.xlsx", out / "明细.csv"


def _sheets(data: bytes) -> dict[str, list[list]]:
    wb = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in wb.worksheets}


def test_merge_gives_the_report_and_files_of_xlsx_tools_merge(web, cli_merge, tmp_path):
    import base64

    lines, summary, export = cli_merge
    r = web.post("/api/merge", _uploaded(EVERY_FILE), {"name": "示例县", "year": "2025"}, page="/county")
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-ndjson")
    stream = stream_lines(r.text)
    assert stream[0] == {"started": 6, "skipped": 7}
    result = merge_result(r)
    assert result["lines"] == lines[:-2]  # everything the terminal says, but where it wrote the files
    assert result["message"] == "已生成汇总：示例县2025年度汇总.xlsx（示例县，2025 年度，计入 5 份报告，汇总单位数 5）"
    assert lines[-2:] == ["已生成汇总：" + str(summary) + "（示例县，2025 年度，计入 5 份报告，汇总单位数 5）", f"已导出明细：{export}"]
    files = {f["kind"]: f for f in result["files"]}
    assert [f["name"] for f in result["files"]] == ["示例县2025年度汇总.xlsx", "报送登记.csv", "明细.csv"]
    page = base64.b64decode(files["summary"]["data"])
    ours, theirs = _sheets(page), _sheets(summary.read_bytes())
    assert list(ours) == list(theirs)
    for name in theirs:
        if name == "汇总说明":
            differ = {"汇总时间", "输入"}  # when, and from where (a folder, or the page's upload)
            assert [r for r in ours[name] if r[0] not in differ] == [r for r in theirs[name] if r[0] not in differ]
        elif name == "报送登记":
            col = theirs[name][0].index("修改时间")  # the browser's time stamps, not the disk's
            assert [r[:col] + r[col + 1 :] for r in ours[name]] == [r[:col] + r[col + 1 :] for r in theirs[name]]
        else:
            assert ours[name] == theirs[name], name
    (tmp_path / "page.xlsx").write_bytes(page)
    assert read_report(tmp_path / "page.xlsx").cells == read_report(summary).cells
    assert base64.b64decode(files["export"]["data"]) == export.read_bytes()
    register = base64.b64decode(files["register"]["data"]).decode("utf-8-sig")
    assert register.splitlines()[0].startswith("序号,文件,单位名称") and "examples/05-自然资源局-结转不平衡.xlsx" in register
    assert result["counts"]["计入汇总"] == 5 and result["rate"] is None
    assert result["register"][4][:4] == [5, "examples/05-自然资源局-结转不平衡.xlsx", "示例县自然资源局", "有错误"]
    assert web.stored() == []


def test_merge_with_a_roster_and_last_years_summary(web, cli_merge, tmp_path):
    _, summary, _ = cli_merge
    roster = "单位名称,统一社会信用代码,上级单位\n" + "".join(f"{read_report(p).meta['agency']},,示例县人民政府\n" for p in WORKBOOKS)
    roster += "示例县审计局,,示例县人民政府\n"
    files = _uploaded(WORKBOOKS) + [
        ("应报送名单.csv", roster.encode("utf-8"), "roster"),
        ("2024年汇总.xlsx", summary.read_bytes(), "summary"),
    ]
    result = merge_result(web.post("/api/merge", files, page="/county"))
    assert result["rate"] == {"expected": 7, "submitted": 6, "missing": 1, "rate": "85.7%"}
    assert "未报送（1 个单位）：示例县审计局" in result["lines"]
    assert result["previous"] == "2024年汇总.xlsx" and result["previous_notes"] == []
    assert {row[1] for row in result["previous_rows"]} <= {"XY-CARRY", "XY-INFORCE"}


def test_merge_refusals_are_sentences(web):
    assert_sentence(web.post("/api/merge", _uploaded(WORKBOOKS), {"year": "二〇二五"}, page="/county"), 400, "不是年份")
    assert_sentence(web.post("/api/merge", _uploaded(WORKBOOKS), {"year": "1999"}, page="/county"), 400, "1999 不是有效的报告年度")
    assert_sentence(web.post("/api/merge", _uploaded(WORKBOOKS), {"policy": "all"}, page="/county"), 400, "选项无效")
    r = web.post("/api/merge", _uploaded(WORKBOOKS) + [("名单.xlsx", b"PK\x03\x04 broken", "roster")], page="/county")
    (error,) = [x for x in stream_lines(r.text) if "error" in x]  # found by the validator: said in the stream
    assert error["status"] == 422 and "名单.xlsx" in error["error"] and "f0000" not in error["error"], error
    result = merge_result(web.post("/api/merge", _uploaded(WORKBOOKS), {"policy": "strict"}, page="/county"))
    assert not result["done"] and result["message"] == "选择了「有错误的报告时不生成汇总」，且有 1 个文件有错误：未生成汇总。"
    assert [f["name"] for f in result["files"]] == ["报送登记.csv"]
    result = merge_result(web.post("/api/merge", _uploaded([UNBALANCED]), page="/county"))
    assert not result["done"] and result["message"] == "没有可以计入汇总的报告，未生成汇总。"
    result = merge_result(web.post("/api/merge", [("说明.txt", b"x", "report")], page="/county"))
    assert result["message"] == "没有找到报告工作簿（.xlsx/.xlsm/.xls/.ods），未生成汇总。"


def test_merge_streams_progress(secured):
    """Hundreds of files: progress lines while the validator reads, counting up to the total."""
    data = TYPICAL.read_bytes()
    files = [(f"各单位/{i:03d}-卫健局.xlsx", data, "report") for i in range(300)]
    h = {"Authorization": COUNTY}
    r = secured.post("/api/merge", files, page="/county", headers=h)
    stream = stream_lines(r.text)
    progress = [x["progress"] for x in stream if "progress" in x]
    assert progress and all(total == 300 for _, total in progress)
    assert [done for done, _ in progress] == sorted(done for done, _ in progress)
    result = stream[-1]["result"]
    assert result["counts"]["文件"] == 300 and result["counts"]["重复"] == 299  # the same agency 300 times: the newest counts


def test_a_page_that_goes_away_while_sending_leaves_nothing_behind(web):
    whole = body([UNBALANCED])
    head = f"POST /api/check HTTP/1.1\r\nHost: 127.0.0.1:{web.port}\r\nContent-Type: {UPLOAD}\r\nX-GK-Token: {web.token()}\r\nContent-Length: {len(whole)}\r\n\r\n"
    with socket.create_connection(("127.0.0.1", web.port), timeout=30) as s:
        s.sendall(head.encode() + whole[: len(whole) // 2])
        time.sleep(0.3)
    time.sleep(0.5)
    assert web.stored() == []
    assert web.post("/api/check", [TYPICAL]).status_code == 200


def test_a_page_that_goes_away_during_a_merge_leaves_nothing_behind(secured):
    data = TYPICAL.read_bytes()
    whole = body([(f"各单位/{i:03d}.xlsx", data, "report") for i in range(200)])
    head = (
        f"POST /api/merge HTTP/1.1\r\nHost: 127.0.0.1:{secured.port}\r\nContent-Type: {UPLOAD}\r\n"
        f"X-GK-Token: {secured.token('/county')}\r\nAuthorization: {COUNTY}\r\nContent-Length: {len(whole)}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", secured.port), timeout=30) as s:
        s.sendall(head.encode() + whole)
        assert s.recv(15) == b"HTTP/1.1 200 OK"  # the merge has started; the page is closed
    deadline = time.monotonic() + 30
    while secured.stored() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert secured.stored() == []
    assert secured.post("/api/check", [TYPICAL], headers={"Authorization": SECRET}).status_code == 200


# -- who may upload ---------------------------------------------------------------------------


def test_a_cross_site_form_post_is_refused(web):
    """What a page of another site can send: a form post (multipart), no token, its Origin."""
    evil = {"Origin": "http://evil.example", "Sec-Fetch-Site": "cross-site"}
    files = {"file": ("05.xlsx", UNBALANCED.read_bytes(), "application/octet-stream")}
    for path in ("/api/check", "/api/download/marked", "/api/merge"):
        assert_sentence(httpx.post(web.url + path, files=files, headers=evil), 403, "其他网站", "evil.example")
    # the page's own framing and token, but sent from another origin (a stolen token is no use either)
    h = {"Content-Type": UPLOAD, "X-GK-Token": web.token(), "Origin": "http://evil.example"}
    assert_sentence(httpx.post(web.url + "/api/check", content=body([UNBALANCED]), headers=h), 403, "其他网站")
    h = {"Content-Type": UPLOAD, "X-GK-Token": web.token(), "Sec-Fetch-Site": "same-site"}
    assert_sentence(httpx.post(web.url + "/api/check", content=body([UNBALANCED]), headers=h), 403, "其他网站")


def test_the_pages_token_and_type_are_needed(web):
    plain = {"Content-Type": UPLOAD}
    assert_sentence(httpx.post(web.url + "/api/check", content=body([UNBALANCED]), headers=plain), 403, "刷新页面")
    wrong = {"Content-Type": UPLOAD, "X-GK-Token": "x" * 32}
    assert_sentence(httpx.post(web.url + "/api/check", content=body([UNBALANCED]), headers=wrong), 403, "刷新页面")
    form = {"X-GK-Token": web.token()}
    r = httpx.post(web.url + "/api/check", files={"f": ("a.xlsx", b"x")}, headers=form)
    assert_sentence(r, 415, "校验页面中选择文件上传")
    r = httpx.post(web.url + "/api/check", content=b"GKUP2" + body([UNBALANCED])[5:], headers={"Content-Type": UPLOAD, **form})
    assert_sentence(r, 415)
    same = {"Content-Type": UPLOAD, "X-GK-Token": web.token(), "Origin": web.url, "Sec-Fetch-Site": "same-origin"}
    assert httpx.post(web.url + "/api/check", content=body([UNBALANCED]), headers=same).status_code == 200
    proxied = {
        "Content-Type": UPLOAD,
        "X-GK-Token": web.token(),
        "Origin": "https://jiaoyan.example.gov.cn",
        "X-Forwarded-Host": "jiaoyan.example.gov.cn",
    }
    assert httpx.post(web.url + "/api/check", content=body([UNBALANCED]), headers=proxied).status_code == 200  # behind nginx


def test_secrets(secured):
    r = secured.post("/api/check", [UNBALANCED])
    assert_sentence(r, 401, "需要访问密钥")
    assert_sentence(secured.post("/api/check", [UNBALANCED], headers={"Authorization": SECRET[:-1]}), 401, "访问密钥不正确")
    assert secured.post("/api/check", [UNBALANCED], headers={"Authorization": SECRET}).status_code == 200
    assert_sentence(secured.post("/api/merge", _uploaded(WORKBOOKS), page="/county", headers={"Authorization": SECRET}), 401, "不正确")
    assert_sentence(secured.post("/api/check", [UNBALANCED], headers={"Authorization": COUNTY}), 401, "不正确")
    assert secured.post("/api/merge", _uploaded(WORKBOOKS), page="/county", headers={"Authorization": COUNTY}).status_code == 200
    assert 'name="gk-auth" content="required"' in httpx.get(secured.url + "/").text
    assert_sentence(secured.post("/api/check", [UNBALANCED], headers={"Authorization": "密钥".encode()}), 401, "不正确")


def test_the_secret_is_checked_before_the_body_is_read(secured):
    head = (
        f"POST /api/check HTTP/1.1\r\nHost: 127.0.0.1:{secured.port}\r\nContent-Type: {UPLOAD}\r\nX-GK-Token: {secured.token()}\r\n"
        f"Authorization: wrong-secret\r\nContent-Length: {2**30}\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", secured.port), timeout=20) as s:
        s.sendall(head.encode())
        status, _, text = read_response(s)
    assert status.startswith(b"HTTP/1.1 401") and "访问密钥不正确" in text


# -- hostile uploads ------------------------------------------------------------------------------


def _raw(srv: Server, path: str, head_extra: str, payload_head: bytes, length: int | None, then=None) -> tuple[bytes, str, int]:
    """Send headers and `payload_head`, then `then(sock)` (more bytes), and read the answer:
    (status line, body, bytes of payload sent)."""
    lines = [f"POST {path} HTTP/1.1", f"Host: 127.0.0.1:{srv.port}", f"Content-Type: {UPLOAD}", f"X-GK-Token: {srv.token()}", head_extra]
    lines.append(f"Content-Length: {length}" if length is not None else "Transfer-Encoding: chunked")
    with socket.create_connection(("127.0.0.1", srv.port), timeout=30) as s:
        s.sendall(("\r\n".join(x for x in lines if x) + "\r\n\r\n").encode())
        s.sendall(payload_head if length is not None else f"{len(payload_head):x}\r\n".encode() + payload_head + b"\r\n")
        sent = len(payload_head) + (then(s) if then else 0)
        status, _, text = read_response(s)
    return status, text, sent


def test_ten_thousand_tiny_files_are_refused_from_the_list_alone(web):
    files = [(f"f{i}.xlsx", b"x" * 10, "report") for i in range(10_000)]
    head = header(files)
    started = time.monotonic()
    status, text, sent = _raw(web, "/api/merge", "", head, len(head) + 100_000)
    assert status.startswith(b"HTTP/1.1 413") and "一次最多上传 50 个文件，本次有 10000 个" in text
    assert sent == len(head) and time.monotonic() - started < 10  # the files themselves were never sent


def test_a_1_gb_body_is_refused_before_it_is_read(web):
    head = framed([{"name": "大文件.xlsx", "size": 2**30, "role": "report"}])
    status, text, _ = _raw(web, "/api/check", "", b"", len(head) + 2**30)  # by its Content-Length, before anything
    assert status.startswith(b"HTTP/1.1 413") and "超过服务器的上限" in text
    status, text, _ = _raw(web, "/api/check", "", head, len(head) + 10)  # by the list, whatever the length says
    assert status.startswith(b"HTTP/1.1 413") and "文件「大文件.xlsx」有 1024.0 MB，超过服务器对单个文件的上限（1.0 MB）" in text


def test_a_1_gb_stream_without_a_length_is_cut_off(web):
    files = [("流.xlsx", b"", "report")]
    head = header(files)

    def flood(s: socket.socket) -> int:
        piece = b"\0" * 65536
        chunk = f"{len(piece):x}\r\n".encode() + piece + b"\r\n"
        sent = 0
        while sent < 2**30:
            try:
                s.sendall(chunk)
            except OSError:
                break
            sent += len(piece)
            if select.select([s], [], [], 0)[0]:
                break
        return sent

    status, text, sent = _raw(web, "/api/merge", "", head, None, flood)
    assert status.startswith(b"HTTP/1.1 4"), status
    assert sent < 64 * 2**20  # refused near the 8 MB limit, not after a gigabyte
    assert "上限" in text or "格式有误" in text


def test_a_zip_bomb_is_refused_with_the_readers_sentence(web, tmp_path):
    bomb = _bomb(tmp_path / "压缩炸弹.xlsx", 400 * 2**20)
    assert bomb.stat().st_size < 2**20
    r = web.post("/api/check", [bomb])
    assert r.status_code == 422 and "压缩炸弹.xlsx：" in r.json()["message"] and "拒绝读取" in r.json()["message"]
    assert_sentence(web.post("/api/download/marked", [bomb]), 422, "拒绝读取")
    assert web.stored() == []


def test_a_slow_upload_is_cut_off_at_the_time_limit_while_others_are_served(web):
    files = [(UNBALANCED.name, UNBALANCED.read_bytes(), "report")]
    whole = body(files)
    answers = []

    def others():
        for _ in range(5):
            started = time.monotonic()
            r = web.post("/api/check", [TYPICAL])
            answers.append((r.status_code, time.monotonic() - started))

    def trickle(s: socket.socket) -> int:
        other = threading.Thread(target=others)
        other.start()
        sent = 0
        for i in range(1000, len(whole)):
            try:
                s.sendall(whole[i : i + 1])
            except OSError:
                break
            sent += 1
            if select.select([s], [], [], 0.05)[0]:
                break
        other.join()
        return sent

    started = time.monotonic()
    status, text, _ = _raw(web, "/api/check", "", whole[:1000], len(whole), trickle)
    assert status.startswith(b"HTTP/1.1 408") and "上传超时：3 秒内没有收完文件" in text
    assert 2.5 < time.monotonic() - started < 15
    assert [s for s, _ in answers] == [200] * 5 and max(t for _, t in answers) < 3
    time.sleep(0.2)
    assert web.stored() == []


def test_hostile_uploads_while_an_agency_checks_its_report(web, tmp_path):
    """All of the above at once, beside a clerk checking a report again and again: every
    clerk's answer is right, every hostile request gets its refusal."""
    bomb = _bomb(tmp_path / "炸弹.xlsx", 200 * 2**20)
    expected = shown_rows(TYPICAL)
    stop = threading.Event()
    clerk: list = []

    def checking():
        while not stop.is_set():
            r = web.post("/api/check", [TYPICAL])
            clerk.append(r.status_code == 200 and r.json()["rows"] == expected)

    def tiny():
        head = header([(f"{i}.xlsx", b"1", "report") for i in range(10_000)])
        return _raw(web, "/api/merge", "", head, len(head) + 10_000)[0][9:12]

    def huge():
        return _raw(web, "/api/check", "", header([("a.xlsx", b"", "report")]), 2**30)[0][9:12]

    def zipbomb():
        return str(web.post("/api/check", [bomb]).status_code).encode()

    def cross():
        return str(
            httpx.post(web.url + "/api/check", files={"f": ("a", b"x")}, headers={"Origin": "http://evil.example"}).status_code
        ).encode()

    def wrong_token():
        return str(
            httpx.post(web.url + "/api/check", content=body([TYPICAL]), headers={"Content-Type": UPLOAD, "X-GK-Token": "nope"}).status_code
        ).encode()

    runner = threading.Thread(target=checking)
    runner.start()
    try:
        results = {}
        threads = [
            threading.Thread(target=lambda f=f: results.setdefault(f.__name__, f())) for f in (tiny, huge, zipbomb, cross, wrong_token)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
    finally:
        time.sleep(0.5)
        stop.set()
        runner.join(60)
    assert results == {"tiny": b"413", "huge": b"413", "zipbomb": b"422", "cross": b"403", "wrong_token": b"403"}
    assert clerk and all(clerk)
    assert web.stored() == []


def test_busy_server_says_so(tmp_path):
    """Beyond the uploads the front holds at once, a 503 with a sentence."""
    import uvicorn

    from xlsx_tools.server.app import create_app
    from xlsx_tools.server.web import WebConfig

    port = free_port()
    app = create_app(workers=1, max_pending=1, web=WebConfig(None, None, 2**20, upload_seconds=10))
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 60
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.05)

    url = f"http://127.0.0.1:{port}"
    try:
        whole = body([UNBALANCED])
        socks = []
        for _ in range(2):  # two uploads arriving slowly hold the front's two upload places
            s = socket.create_connection(("127.0.0.1", port), timeout=30)
            head = f"POST /api/check HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: {UPLOAD}\r\nX-GK-Token: {page_token(url)}\r\nContent-Length: {len(whole)}\r\n\r\n"
            s.sendall(head.encode() + whole[:100])
            socks.append(s)
        time.sleep(0.5)
        h = {"Content-Type": UPLOAD, "X-GK-Token": page_token(url)}
        assert_sentence(httpx.post(url + "/api/check", content=whole, headers=h, timeout=30), 503, "服务器正忙")
        for s in socks:
            s.sendall(whole[100:])
            status, _, _ = read_response(s)
            assert status.startswith(b"HTTP/1.1 200")
            s.close()
        assert httpx.post(url + "/api/check", content=whole, headers=h, timeout=30).status_code == 200
    finally:
        server.should_exit = True
        thread.join(30)


def test_folders_of_server_runs_that_died_are_removed_at_start(tmp_path):
    stale = tmp_path / "xlsx-tools-serve-999999-dead"
    (stale / "u123").mkdir(parents=True)
    (stale / "u123" / "f00001.xlsx").write_bytes(b"left behind")
    srv = Server(tmp_path, "--workers", "1")
    try:
        assert not stale.exists()
        assert srv.stored() == []
    finally:
        srv.stop()
    assert list(tmp_path.iterdir()) == []  # its own folder goes when it stops


@pytest.mark.parametrize("kind", ["docx", "html"])
def test_the_report_as_a_document_is_checked_like_the_workbook(web, tmp_path, kind):
    """Agencies submit the report as a Word document or a published page as often as the
    workbook: the page checks it with the same readers and rules as `validate`."""
    from docfixtures import built, docx, word_page

    path = (docx if kind == "docx" else word_page)(tmp_path / f"年度报告.{'docx' if kind == 'docx' else 'html'}", built())
    got = web.post("/api/check", [path]).json()
    (cli,) = _cli_validate(str(path))
    assert (got["agency"], got["errors"], got["warnings"]) == (cli["agency"], cli["errors"], cli["warnings"])
    assert [row[1] for row in got["rows"]] == [f["rule"] for f in sorted(cli["findings"], key=lambda f: f["severity"] != "error")]
    assert got["agency"] == "示例县教育局" and "marked" not in [d["kind"] for d in got["downloads"]]


def test_the_page_offers_documents_to_choose():
    page = (ROOT / "xlsx_tools" / "server" / "web" / "index.html").read_text(encoding="utf-8")
    accept = re.search(r'id="files"[^>]*accept="([^"]+)"', page).group(1).split(",")
    assert {".xlsx", ".docx", ".doc", ".wps", ".html", ".htm", ".pdf"} <= set(accept)


def test_last_years_county_summary_as_the_previous_report(web, tmp_path):
    """The agency's own row of last year's summary is its last year, not the county's total."""
    summary = tmp_path / "上年汇总.xlsx"
    subprocess.run([sys.executable, "-m", "xlsx_tools.cli", "merge", str(EXAMPLES), "-o", str(summary)], cwd=ROOT, capture_output=True)
    this, own = TYPICAL, EXAMPLES / TYPICAL.name
    by_summary = web.post("/api/check", [this, (summary.name, summary.read_bytes(), "previous")]).json()
    by_own = web.post("/api/check", [this, (own.name, own.read_bytes(), "previous")]).json()
    assert by_summary["rows"] == by_own["rows"] and by_summary["previous"] == summary.name
    assert not any(row[1] == "XY-JUMP" for row in by_summary["rows"])
