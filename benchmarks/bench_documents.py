"""How fast are documents read, against reading the template workbook in the same run?

    python benchmarks/bench_documents.py [--rounds 7] [--number 20]

Made here (testing/documents.py) from the education bureau's example report: a .docx in
the national format (python-docx, merged header cells), and a Word 「网页」 page as a site
publishes it (navigation above, GB 2312, mso markup), padded with section text to ~350 KB
as real Word pages are. Each is read by `read_report` (sniff, parse, tables on the grid,
label locator, text, values); the baseline is `read_report` of `workbook_template.xlsx`.
Batches alternate; the best batch of each is reported. Targets: the 350 KB page ≤ 50 ms,
the .docx ≤ 20 ms per file.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import timeit
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from xlsx_tools.read import read_report  # noqa: E402
from xlsx_tools.report import load_json  # noqa: E402
from xlsx_tools.testing import documents as D  # noqa: E402

TARGET_HTML_MS, TARGET_DOCX_MS, PAGE_BYTES = 50.0, 20.0, 350 * 1024
NAV = ["首页", "政务公开", "政府信息公开指南", "政府信息公开制度", "法定主动公开内容", "政府信息公开年报", "政策文件", "政策解读"] * 3


def make(folder: Path) -> dict[str, Path]:
    report = load_json(ROOT / "examples" / "03-教育局.json")
    o = D.Options(published="发布时间：2026-01-22 16:34")
    docx = D.write_docx(D.national(report, o), folder / "教育局.docx")
    base = report.text["overview"]
    paragraph = base + "（一）主动公开情况。" + base
    page = ""
    n = 1
    while len(page.encode("gb18030")) < PAGE_BYTES:
        report.text["overview"] = "\n".join([paragraph] * n)
        page = D.site_page(D.national(report, o), "示例县教育局2025年政府信息公开工作年度报告", NAV)
        n += 4
    html = folder / "教育局.htm"
    html.write_bytes(D.encoded(page))
    return {"template": ROOT / "workbook_template.xlsx", "docx": docx, "html": html}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--number", type=int, default=20)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        files = make(Path(tmp))
        for path in files.values():
            read_report(path)  # warm: imports, caches
        best = {k: float("inf") for k in files}
        for _ in range(args.rounds):
            for key, path in files.items():
                t = timeit.timeit(lambda p=path: read_report(p), number=args.number) / args.number
                best[key] = min(best[key], t)
        sizes = {k: p.stat().st_size for k, p in files.items()}
    base = best["template"] * 1000
    print(f"{'file':<34} {'size':>9} {'ms/file':>8} {'× template':>10}  target")
    print(f"{'workbook_template.xlsx (baseline)':<34} {sizes['template'] / 1024:>7.0f}KB {base:>8.2f} {1:>10.2f}")
    ok = True
    for key, label, target in (
        ("docx", ".docx, national format", TARGET_DOCX_MS),
        ("html", "Word 网页 on a site page (GB 2312)", TARGET_HTML_MS),
    ):
        ms = best[key] * 1000
        ok &= ms <= target
        print(
            f"{label:<34} {sizes[key] / 1024:>7.0f}KB {ms:>8.2f} {ms / base:>10.2f}  ≤ {target:.0f} ms {'ok' if ms <= target else 'MISSED'}"
        )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
