"""The web pages in a real browser: Debian's headless Chromium driven by selenium through
Debian's chromedriver (nothing is downloaded: the binaries are given, and the browser is
started without network services, with a fresh profile), against a real `xlsx-tools
serve` on loopback. What a clerk does: choose a file, read the findings, download the
marked workbook (with the keyboard too); on the county page, choose the examples folder,
merge, download the summary. Screenshots go to the test's folder, or to
$XLSX_TOOLS_SCREENSHOTS when set (how docs/ gets its pictures)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import openpyxl
import pytest
from remote_actions import fill_of
from webkit import EXAMPLES, ROOT, TYPICAL, UNBALANCED, Server, expected_rows, shots

from xlsx_tools.build.styles import ERROR_FILL
from xlsx_tools.check import validate_file
from xlsx_tools.excel.results import result_rows
from xlsx_tools.form import current

pytestmark = pytest.mark.browser
CLEAN = EXAMPLES / "03-教育局.xlsx"  # no finding at all

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
SPEC = current()
SECRET = "county-office-2026-Xq7!"


def start_browser(profile: Path, downloads: Path):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        raise RuntimeError("Chromium is not installed: scripts/setup.sh --test installs chromium and chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        "--disable-default-apps",
        f"--user-data-dir={profile}",
        "--window-size=1280,1000",
        "--lang=zh-CN",
    ):
        options.add_argument(arg)
    options.add_experimental_option("prefs", {"download.default_directory": str(downloads), "download.prompt_for_download": False})
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    service = Service(
        str(CHROMEDRIVER), env={**os.environ, "LANGUAGE": "zh_CN:zh", "LANG": "C.UTF-8"}
    )  # the file buttons in Chinese; paths in UTF-8
    return webdriver.Chrome(service=service, options=options)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("browser-tmp"), "--workers", "2", "--max-mb", "1")
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    downloads = tmp_path_factory.mktemp("downloads")
    driver = start_browser(tmp_path_factory.mktemp("chromium-profile"), downloads)
    driver.downloads = downloads
    yield driver
    driver.quit()


def full_page(driver, path: Path) -> None:
    """A screenshot of the whole page, beyond the window (Chromium's DevTools protocol)."""
    import base64

    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    clip = {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], 6000), "scale": 1}
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip})
    path.write_bytes(base64.b64decode(shot["data"]))


def wait_for(driver, condition, seconds: float = 30):
    from selenium.webdriver.support.ui import WebDriverWait

    return WebDriverWait(driver, seconds, poll_frequency=0.05).until(condition)


def downloaded(driver, name: str, seconds: float = 20) -> Path:
    path = driver.downloads / name
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if path.exists() and not (driver.downloads / (name + ".crdownload")).exists():
            return path
        time.sleep(0.1)
    raise AssertionError(f"{name} not downloaded: {sorted(os.listdir(driver.downloads))}")


def console_errors(driver) -> list[str]:
    """Script errors since the last call (a refused request's status line is no script error)."""
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE" and "Failed to load resource" not in e["message"]]


def rows_of(driver, card) -> list[list[str]]:
    from selenium.webdriver.common.by import By

    return [[td.text for td in tr.find_elements(By.TAG_NAME, "td")] for tr in card.find_elements(By.CSS_SELECTOR, "table.grid tbody tr")]


def check_file(driver, server, path: Path):
    from selenium.webdriver.common.by import By

    driver.get(server.url + "/")
    driver.find_element(By.ID, "files").send_keys(str(path))
    return wait_for(driver, lambda d: d.find_elements(By.CSS_SELECTOR, "article.file[aria-busy=false]"))[0]


def test_agency_page_shows_the_findings_of_validate_and_gives_the_marked_workbook(browser, server, tmp_path):
    from selenium.webdriver.common.by import By

    card = check_file(browser, server, UNBALANCED)
    assert card.find_element(By.TAG_NAME, "h2").text == "05-自然资源局-结转不平衡.xlsx（示例县自然资源局）：2 个错误，1 个提示"
    headers = [th.text for th in card.find_elements(By.CSS_SELECTOR, "table.grid th")]
    assert headers == ["级别", "规则", "表", "行", "列", "单元格", "说明"]
    assert rows_of(browser, card) == expected_rows(UNBALANCED)  # the same text as `xlsx-tools validate`, errors first
    assert [tr.get_attribute("class") for tr in card.find_elements(By.CSS_SELECTOR, "tbody tr")] == ["error", "error", "warning"]
    assert "不会留在服务器上" in browser.find_element(By.CLASS_NAME, "privacy").text
    full_page(browser, shots(tmp_path) / "web-agency.png")

    card.find_element(By.CSS_SELECTOR, "button[data-kind=marked]").click()
    marked = downloaded(browser, "05-自然资源局-结转不平衡-校验标注.xlsx")
    wb = openpyxl.load_workbook(marked)
    t3 = SPEC.layout.pos["t3.new.natural"]
    assert fill_of(wb[t3.sheet], t3) == ERROR_FILL  # the unbalanced column's cell, coloured
    layout = SPEC.layout
    rows = [[c.value for c in row] for row in wb[layout.results].iter_rows(min_row=layout.result_first_row + 1)]
    assert rows == [[None if v == "" else v for v in row] for row in result_rows(SPEC, validate_file(UNBALANCED).findings)]
    assert console_errors(browser) == []
    assert server.stored() == []


def test_agency_page_gives_the_published_report(browser, server):
    """A report without errors: the publisher's Word document and web page, downloaded in Chromium."""
    from selenium.webdriver.common.by import By

    from xlsx_tools.read import read_report

    card = check_file(browser, server, TYPICAL)
    kinds = [b.get_attribute("data-kind") for b in card.find_elements(By.CSS_SELECTOR, ".downloads button")]
    assert kinds == ["marked", "report-docx", "report-html", "findings-xlsx", "findings-csv"]
    expected = read_report(TYPICAL)
    for kind, suffix in (("report-docx", ".docx"), ("report-html", ".html")):
        card.find_element(By.CSS_SELECTOR, f"button[data-kind={kind}]").click()
        got = read_report(downloaded(browser, f"示例县卫生健康局2025年政府信息公开工作年度报告{suffix}"))
        assert (got.cells, got.text, got.meta["agency"]) == (expected.cells, expected.text, expected.meta["agency"])
    assert console_errors(browser) == []
    assert server.stored() == []


def test_the_page_works_with_the_keyboard(browser, server):
    """After a check the focus is on the result; Tab reaches the downloads, Enter starts one."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    def press(key: str) -> None:  # to whatever has the focus, as a person types
        ActionChains(browser).send_keys(key).perform()

    card = check_file(browser, server, TYPICAL)
    assert browser.switch_to.active_element == card.find_element(By.TAG_NAME, "h2")
    target = card.find_element(By.CSS_SELECTOR, "button[data-kind=findings-csv]")
    for _ in range(10):
        if browser.switch_to.active_element == target:
            break
        press(Keys.TAB)
    assert browser.switch_to.active_element == target
    press(Keys.ENTER)
    data = downloaded(browser, "04-卫健局-问题清单.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf" + "级别,规则".encode())
    # the skip link and the file choosers are reachable from the top of the page
    browser.get(server.url + "/")
    press(Keys.TAB)
    assert browser.switch_to.active_element.text == "跳到正文"
    order = []
    for _ in range(8):
        press(Keys.TAB)
        order.append(browser.switch_to.active_element.get_attribute("id"))
    assert "previous" in order and "files" in order


def test_a_file_name_with_html_is_shown_as_text(browser, server, tmp_path):
    from selenium.webdriver.common.by import By

    name = "<img src=x onerror=\"document.title='pwned'\">报告.xlsx"
    path = tmp_path / name
    shutil.copy(UNBALANCED, path)
    card = check_file(browser, server, path)
    assert card.find_element(By.CSS_SELECTOR, "h2 .name").text == name
    assert browser.find_elements(By.CSS_SELECTOR, "#results img") == []
    assert browser.title == "在线校验 · 政府信息公开工作年度报告"
    assert console_errors(browser) == []


def test_refusals_are_shown_in_the_servers_words(browser, server, tmp_path):
    from selenium.webdriver.common.by import By

    text = tmp_path / "报告.xlsx"
    text.write_text("单位,件数,金额\n教育局,5,0\n", encoding="utf-8")
    card = check_file(browser, server, text)
    assert card.find_element(By.TAG_NAME, "h2").text == "报告.xlsx：无法读取"
    assert "报告.xlsx：是 CSV 或文本表格，不是 Excel 工作簿" in card.find_element(By.CSS_SELECTOR, ".notice.error").text
    big = tmp_path / "大报告.xlsx"
    big.write_bytes(UNBALANCED.read_bytes() + b"\0" * (2 * 2**20))
    card = check_file(browser, server, big)
    assert "文件「大报告.xlsx」有 2.0 MB，超过服务器对单个文件的上限（1.0 MB），未处理" in card.text
    assert card.find_elements(By.CSS_SELECTOR, "[role=alert]")


def test_the_secret_is_asked_for(browser, tmp_path_factory):
    from selenium.webdriver.common.by import By

    srv = Server(tmp_path_factory.mktemp("secret-tmp"), "--workers", "1", env={"GK_SERVER_AUTH": SECRET})
    try:
        card = check_file(browser, srv, TYPICAL)
        assert "此服务器需要访问密钥" in card.text
        secret = browser.find_element(By.ID, "secret")
        assert secret.is_displayed() and browser.switch_to.active_element == secret
        secret.send_keys("wrong-secret-1")
        browser.find_element(By.ID, "again").click()
        wait_for(browser, lambda d: "访问密钥不正确" in d.find_element(By.ID, "results").text)
        secret.clear()
        secret.send_keys(SECRET)
        browser.find_element(By.ID, "again").click()
        wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "article.file table.grid, article.file .pass"))
    finally:
        srv.stop()


def _cli_merge(out: Path) -> list[str]:
    cmd = [sys.executable, "-m", "xlsx_tools.cli", "merge", "examples", "-o", str(out)]
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True).stdout.splitlines()


def test_county_page_merges_the_examples_like_xlsx_tools_merge(browser, server, tmp_path):
    from selenium.webdriver.common.by import By

    lines = _cli_merge(tmp_path / "汇总.xlsx")
    browser.get(server.url + "/county")
    browser.find_element(By.ID, "folder").send_keys(str(EXAMPLES))  # the folder, as a clerk picks it
    wait_for(browser, lambda d: "已选择 13 个文件（其中工作簿 6 个）" in d.find_element(By.ID, "chosen").text)
    browser.find_element(By.ID, "go").click()
    report = wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "pre.report"))[0]
    assert report.text.splitlines() == lines[:-1]  # the terminal's report, line for line
    cards = {
        c.find_element(By.TAG_NAME, "dt").text: c.find_element(By.TAG_NAME, "dd").text
        for c in browser.find_elements(By.CSS_SELECTOR, ".card")
    }
    assert cards == {"文件": "6", "计入汇总": "5", "有错误": "1", "有警告": "2", "重复": "0", "跳过": "7"}
    assert browser.switch_to.active_element.text == "下载"  # the focus moves to the downloads
    full_page(browser, shots(tmp_path) / "web-county.png")
    name = "示例县人民政府2025年度汇总.xlsx"
    browser.find_element(By.CSS_SELECTOR, "button[data-kind=summary]").click()
    ours = openpyxl.load_workbook(downloaded(browser, name), data_only=True)
    theirs = openpyxl.load_workbook(tmp_path / "汇总.xlsx", data_only=True)
    from xlsx_tools.merge.book import ABOUT, REGISTER

    assert ours.sheetnames == theirs.sheetnames
    for sheet in theirs.sheetnames:
        if sheet in (ABOUT, REGISTER):  # when and from where; the files' time stamps
            continue
        a = [[c.value for c in row] for row in ours[sheet].iter_rows()]
        b = [[c.value for c in row] for row in theirs[sheet].iter_rows()]
        assert a == b, sheet  # every cell of the summary equals the command's
    assert console_errors(browser) == []
    assert server.stored() == []


def test_county_page_shows_progress(browser, server, tmp_path):
    from selenium.webdriver.common.by import By

    folder = tmp_path / "各单位"
    folder.mkdir()
    for i in range(400):
        shutil.copy(TYPICAL, folder / f"{i:03d}-卫健局.xlsx")
    browser.get(server.url + "/county")
    browser.execute_script(
        "window.__stages = []; new MutationObserver(() => window.__stages.push(document.getElementById('stage').textContent))"
        ".observe(document.getElementById('stage'), {childList: true, characterData: true, subtree: true});"
    )
    browser.find_element(By.ID, "folder").send_keys(str(folder))
    wait_for(browser, lambda d: "已选择 400 个文件" in d.find_element(By.ID, "chosen").text)
    browser.find_element(By.ID, "go").click()
    wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "pre.report"), 120)
    stages = browser.execute_script("return window.__stages")
    assert any(s.startswith("正在上传") for s in stages), stages
    assert "找到 400 个工作簿，正在读取和校验……" in stages
    counted = [s for s in stages if s.startswith("正在读取和校验：")]
    assert counted and all(s.endswith("/ 400 个工作簿……") for s in counted), stages
    text = browser.find_element(By.ID, "results").text
    assert "计入汇总" in text and "重复报送，未计入（399 个文件）" in text
    assert server.stored() == []


def test_a_page_in_an_old_browser_says_what_to_do(browser, server):
    """Without fetch (an old browser, or a Chromium-based browser in IE mode) the page says so."""
    from selenium.webdriver.common.by import By

    added = browser.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": "window.fetch = undefined;"})
    try:
        browser.get(server.url + "/")
        box = browser.find_element(By.ID, "compat")
        wait_for(browser, lambda d: box.is_displayed())
        assert "兼容模式" in box.text and "极速模式" in box.text
    finally:
        browser.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": added["identifier"]})


def test_pages_read_nothing_but_their_own_server(browser, server):
    """Every resource a page loads comes from the server itself."""
    for page in ("/", "/county"):
        browser.get(server.url + page)
        urls = browser.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
        assert urls and all(u.startswith(server.url + "/static/") for u in urls), urls


def test_several_reports_at_once_and_dropped_files(browser, server):
    """Two reports chosen together get a card each; files dropped on the box are checked too."""
    from selenium.webdriver.common.by import By

    browser.get(server.url + "/")
    browser.find_element(By.ID, "files").send_keys(f"{UNBALANCED}\n{CLEAN}")
    cards = wait_for(
        browser,
        lambda d: (
            len(d.find_elements(By.CSS_SELECTOR, "article.file[aria-busy=false]")) == 2 and d.find_elements(By.CSS_SELECTOR, "article.file")
        ),
    )
    assert [c.find_element(By.CSS_SELECTOR, "h2 .name").text for c in cards] == [UNBALANCED.name, CLEAN.name]
    assert rows_of(browser, cards[1]) == [] and "校验通过：未发现问题。" in cards[1].text
    assert browser.find_element(By.CSS_SELECTOR, ".picked[data-for=files]").text == f"2 个文件：{UNBALANCED.name}、{CLEAN.name}"
    # a drop: the file (read through the other chooser) handed to the box as a drag would
    browser.get(server.url + "/")
    browser.find_element(By.ID, "previous").send_keys(str(UNBALANCED))
    browser.execute_script(
        "const input = document.getElementById('previous'); const dt = new DataTransfer(); dt.items.add(input.files[0]);"
        "input.value = ''; document.getElementById('drop').dispatchEvent(new DragEvent('drop', {dataTransfer: dt, bubbles: true}));"
    )
    card = wait_for(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "article.file[aria-busy=false]"))[0]
    assert rows_of(browser, card) == expected_rows(UNBALANCED)
