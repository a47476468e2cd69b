"""The README's merge section shows what the command really prints."""

from __future__ import annotations

import re
import shutil

from mergekit import EXAMPLES, ROOT, run

from xlsx_tools.merge.roster import load_roster


def _section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    return text[text.index("## 汇总 (merge)") :]


def test_readme_terminal_output_is_real(tmp_path, monkeypatch, capsys):
    shutil.copytree(EXAMPLES, tmp_path / "examples")
    monkeypatch.chdir(tmp_path)
    assert run("merge", "examples", "-o", "汇总.xlsx", "--name", "示例县", "--year", "2025") == 1
    shown = re.search(r"终端上显示：\n\n```\n(.*?)```", _section(), re.DOTALL).group(1)
    assert capsys.readouterr().out == shown


def test_readme_roster_example_is_clean(tmp_path):
    csv = re.search(r"```csv\n(.*?)```", _section(), re.DOTALL).group(1)
    (tmp_path / "名单.csv").write_text(csv, encoding="utf-8")
    roster = load_roster(tmp_path / "名单.csv")
    assert len(roster.members) == 2 and roster.problems == []
