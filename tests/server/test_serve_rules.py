"""`serve --rules`: the county's local rules judge what the 校验 button, the agency page and
the county page answer, exactly as `validate --rules` and `merge --rules` do."""

from __future__ import annotations

import json
import subprocess
import sys

import httpx
import pytest
from webkit import ROOT, Server, merge_result

from xlsx_tools.check.local import LocalRules
from xlsx_tools.excel.remote import validate_payload
from xlsx_tools.testing.payload import book_payload

EXAMPLES = ROOT / "examples"
FEES = EXAMPLES / "06-市场监管局-收费提示.xlsx"  # FEE-COLLECTED: a warning nationally
PLAIN = EXAMPLES / "03-教育局.xlsx"
RULES = '[severity]\nFEE-COLLECTED = "error"   # 实际收费超过通知金额，按错误处理\n'


@pytest.fixture(scope="module")
def rules_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("rules") / "本地规则.toml"
    path.write_text(RULES, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def ruled(tmp_path_factory, rules_file):
    srv = Server(tmp_path_factory.mktemp("serve-rules"), "--workers", "1", "--rules", str(rules_file))
    yield srv
    assert "Traceback" not in srv.stop()


def test_the_button_is_judged_by_the_local_rules(ruled, rules_file):
    payload = book_payload(FEES)
    r = httpx.post(f"{ruled.url}/validate", content=json.dumps(payload).encode(), headers={"Content-Type": "application/json"}, timeout=30)
    assert r.status_code == 200, r.text
    assert r.json() == validate_payload(payload, rules=LocalRules.load(rules_file))
    (alert,) = [a for a in r.json()["actions"] if a["func"] == "alert"]
    assert alert["args"][0].startswith("发现 1 处错误")  # nationally: no error, one warning
    assert validate_payload(payload)["actions"] != r.json()["actions"]


def test_the_agency_page_is_judged_by_the_local_rules(ruled, rules_file):
    got = ruled.post("/api/check", [FEES]).json()
    cli = subprocess.run(
        [sys.executable, "-m", "xlsx_tools.cli", "validate", "--format", "json", "--rules", str(rules_file), str(FEES)],
        capture_output=True,
        text=True,
    )
    (expected,) = json.loads(cli.stdout)
    assert (got["errors"], got["warnings"]) == (expected["errors"], expected["warnings"]) == (1, 0)
    assert [row[:2] for row in got["rows"]] == [["错误", "FEE-COLLECTED"]]


def test_the_county_page_is_judged_by_the_local_rules(ruled):
    files = [(f"收件箱/{p.name}", p.read_bytes(), "report") for p in (FEES, PLAIN)]
    result = merge_result(ruled.post("/api/merge", files, {"year": "2025"}, page="/county"))
    text = "\n".join(result["lines"])
    assert "未计入汇总（1 个文件）" in text and "06-市场监管局-收费提示.xlsx" in text
    assert "计入 1 份报告" in result["message"]


def test_a_bad_rules_file_stops_serve_before_it_listens(tmp_path):
    bad = tmp_path / "本地规则.toml"
    bad.write_text('[severity]\nT3-BALANCE = "off"\n', encoding="utf-8")
    out = subprocess.run([sys.executable, "-m", "xlsx_tools.cli", "serve", "--rules", str(bad)], capture_output=True, text=True, timeout=60)
    assert out.returncode == 2
    assert "本地规则文件" in out.stderr and "第 2 行" in out.stderr and "Traceback" not in out.stderr
