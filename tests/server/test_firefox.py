"""The web pages in Firefox: Debian's firefox-esr, headless, driven through WebDriver BiDi,
which Firefox serves itself (`--remote-debugging-port`; no geckodriver, nothing
downloaded), against a real `xlsx-tools serve` on loopback: the agency page shows the
findings of `validate` and gives the marked workbook; a name with HTML is shown as text;
the county page merges the examples (chosen as files: BiDi cannot hand a folder to an
input) as `xlsx-tools merge` does."""

from __future__ import annotations

import base64
import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from webkit import EXAMPLES, ROOT, UNBALANCED, Server, expected_rows, free_port, shots

pytestmark = pytest.mark.browser

FIREFOX = shutil.which("firefox-esr") or shutil.which("firefox")
# Besides what Firefox's remote agent turns off itself: nothing to fetch from the network.
PREFS = {
    "browser.download.folderList": 2,
    "browser.download.useDownloadDir": True,
    "services.settings.server": "http://127.0.0.1:1/",
    "network.captive-portal-service.enabled": False,
    "network.connectivity-service.enabled": False,
    "browser.safebrowsing.update.enabled": False,
    "app.update.auto": False,
    "datareporting.policy.dataSubmissionEnabled": False,
    "toolkit.telemetry.reportingpolicy.firstRun": False,
    "intl.locale.requested": "zh-CN",
}


class Firefox:
    """A headless Firefox and its WebDriver BiDi session (one browsing context)."""

    def __init__(self, profile: Path, downloads: Path) -> None:
        import websocket

        if FIREFOX is None:
            raise RuntimeError("Firefox is not installed: scripts/setup.sh --test installs firefox-esr")
        prefs = {**PREFS, "browser.download.dir": str(downloads)}
        (profile / "user.js").write_text("".join(f"user_pref({json.dumps(k)}, {json.dumps(v)});\n" for k, v in prefs.items()))
        port = free_port()
        cmd = [FIREFOX, "--headless", "--no-remote", f"--remote-debugging-port={port}", "--profile", str(profile)]
        self.proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        deadline = time.monotonic() + 90
        while True:
            try:
                self.ws = websocket.create_connection(f"ws://127.0.0.1:{port}/session", timeout=60, suppress_origin=True)
                break
            except OSError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    self.quit()
                    raise
                time.sleep(0.2)
        self.n = 0
        self.call("session.new", capabilities={"alwaysMatch": {"acceptInsecureCerts": False}})
        self.context = self.call("browsingContext.getTree")["contexts"][0]["context"]
        self.call("browsingContext.setViewport", context=self.context, viewport={"width": 1280, "height": 1000})

    def call(self, method: str, **params):
        self.n += 1
        self.ws.send(json.dumps({"id": self.n, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == self.n:
                if message.get("type") == "error":
                    raise AssertionError(message)
                return message["result"]

    def go(self, url: str) -> None:
        self.call("browsingContext.navigate", context=self.context, url=url, wait="complete")

    def js(self, expression: str):
        """The value of a JavaScript expression (through JSON)."""
        r = self.call("script.evaluate", expression=f"JSON.stringify({expression})", target={"context": self.context}, awaitPromise=True)
        return json.loads(r["result"]["value"]) if r["result"].get("type") == "string" else None

    def wait(self, expression: str, seconds: float = 30):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            value = self.js(expression)
            if value:
                return value
            time.sleep(0.1)
        raise AssertionError(f"not so after {seconds} s: {expression}")

    def choose(self, input_id: str, files: list[Path]) -> None:
        r = self.call(
            "script.evaluate", expression=f"document.getElementById('{input_id}')", target={"context": self.context}, awaitPromise=False
        )
        element = {"sharedId": r["result"]["sharedId"]}
        self.call("input.setFiles", context=self.context, element=element, files=[str(f) for f in files])

    def screenshot(self, path: Path) -> None:
        data = self.call("browsingContext.captureScreenshot", context=self.context, origin="document")["data"]
        path.write_bytes(base64.b64decode(data))

    def quit(self) -> None:
        with contextlib.suppress(Exception):  # closing what may not be open
            self.ws.close()
        self.proc.terminate()
        try:
            self.proc.wait(20)
        except subprocess.TimeoutExpired:
            self.proc.kill()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    srv = Server(tmp_path_factory.mktemp("firefox-tmp"), "--workers", "2")
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def firefox(tmp_path_factory):
    downloads = tmp_path_factory.mktemp("firefox-downloads")
    browser = Firefox(tmp_path_factory.mktemp("firefox-profile"), downloads)
    browser.downloads = downloads
    yield browser
    browser.quit()


def test_agency_page_in_firefox(firefox, server, tmp_path):
    import openpyxl
    from remote_actions import fill_of

    from xlsx_tools.build.styles import ERROR_FILL
    from xlsx_tools.form import current

    firefox.go(server.url + "/")
    firefox.choose("files", [UNBALANCED])
    firefox.wait("document.querySelectorAll('article.file[aria-busy=false]').length")
    heading = firefox.js("document.querySelector('article.file h2').textContent")
    assert heading == "05-自然资源局-结转不平衡.xlsx（示例县自然资源局）：2 个错误，1 个提示"
    rows = firefox.js("[...document.querySelectorAll('table.grid tbody tr')].map(tr => [...tr.cells].map(td => td.textContent))")
    assert rows == expected_rows(UNBALANCED)
    assert firefox.js("document.getElementById('compat').hidden") is True
    firefox.screenshot(shots(tmp_path) / "web-agency-firefox.png")
    firefox.js("document.querySelector('button[data-kind=marked]').click()")
    marked = firefox.downloads / "05-自然资源局-结转不平衡-校验标注.xlsx"
    deadline = time.monotonic() + 20
    while not (marked.exists() and marked.stat().st_size) and time.monotonic() < deadline:
        time.sleep(0.1)
    spec = current()
    t3 = spec.layout.pos["t3.new.natural"]
    time.sleep(0.5)
    assert fill_of(openpyxl.load_workbook(marked)[t3.sheet], t3) == ERROR_FILL
    assert server.stored() == []


def test_a_name_with_html_in_firefox(firefox, server, tmp_path):
    name = "<img src=x onerror=\"document.title='pwned'\">报告.xlsx"
    path = tmp_path / name
    shutil.copy(UNBALANCED, path)
    firefox.go(server.url + "/")
    firefox.choose("files", [path])
    firefox.wait("document.querySelectorAll('article.file[aria-busy=false]').length")
    assert firefox.js("document.querySelector('article.file h2 .name').textContent") == name
    assert firefox.js("document.querySelectorAll('#results img').length") == 0
    assert firefox.js("document.title") == "在线校验 · 政府信息公开工作年度报告"


def test_county_page_in_firefox(firefox, server, tmp_path):
    cmd = [sys.executable, "-m", "xlsx_tools.cli", "merge", *sorted(map(str, EXAMPLES.iterdir())), "-o", str(tmp_path / "汇总.xlsx")]
    lines = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env={**os.environ}).stdout.splitlines()
    firefox.go(server.url + "/county")
    firefox.choose("files", sorted(p for p in EXAMPLES.iterdir() if p.is_file()))
    firefox.wait("document.getElementById('chosen').textContent.startsWith('已选择 13 个文件')")
    firefox.js("document.getElementById('go').click()")
    report = firefox.wait("document.querySelector('pre.report') && document.querySelector('pre.report').textContent")
    given = [line.replace(str(EXAMPLES) + "/", "") for line in lines[:-1]]  # the command names the paths it was given
    assert report.splitlines() == given
    cards = firefox.js("[...document.querySelectorAll('.card')].map(c => c.textContent)")
    assert cards == ["文件6", "计入汇总5", "有错误1", "有警告2", "重复0", "跳过7"]
    assert server.stored() == []
