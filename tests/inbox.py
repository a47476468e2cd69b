"""A January inbox, scene by scene: what agencies, their scripts and the county's own
machine really put in front of the tools, run through the command line as a clerk runs
it. Each scene names the class of failure it belongs to (the reliability issue's
numbering), the exit code, the phrase of the Chinese message that must be said, and —
for merges — which reports the summary must add up to, exactly.

`make(d, lo)` writes the scene's files under `d` (LibreOffice-made files come from
`lo`, the session's converted workbooks) and returns what to run and what to expect.
Every file present before the run must be byte-identical afterwards (checked by the
test, not by the scene).
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from conftest import EDU
from gk import LAYOUT
from mergekit import agency_report, write
from workbooks import patch_member, patch_xlsx, replace_members, sheet_part

from xlsx_tools.report import Report, load_json

EDU_JSON = EDU.with_suffix(".json")
LONG_NAME = "报" * 90 + ".xlsx"  # 270 bytes in UTF-8: over the 255 a file name may have


@dataclass
class Made:
    argv: list[str]
    counted: list[Report] | None = None  # a merge: the reports its summary adds up, exactly
    output: str | None = None  # a file the run must leave (relative to the scene's folder)


@dataclass
class Scene:
    name: str
    klass: int  # the class of failure (1–11, as the reliability issue numbers them)
    make: Callable[[Path, dict | None], Made]
    code: int  # exit code
    says: str  # a phrase the output must contain
    lo: bool = False  # needs files made by LibreOffice

    @property
    def id(self) -> str:
        return self.name


SCENES: list[Scene] = []


def scene(name: str, klass: int, code: int, says: str, lo: bool = False):
    def register(make):
        SCENES.append(Scene(name, klass, make, code, says, lo))
        return make

    return register


def command(name: str, klass: int, code: int, says: str, *argv: str) -> None:
    """A scene that is only a command line (no files)."""
    SCENES.append(Scene(name, klass, lambda d, lo: Made(list(argv)), code, says))


# ---- helpers ------------------------------------------------------------------------------------
def edu() -> Report:
    return load_json(EDU_JSON)


def two_agencies(d: Path, folder: str = "in") -> list[Report]:
    reports = [agency_report(1, "示例县甲局"), agency_report(2, "示例县乙局")]
    for i, r in enumerate(reports):
        write(r, d / folder / f"{i + 1}.xlsx")
    return reports


def where(cid: str) -> tuple[str, str]:
    pos = LAYOUT.cell(cid)
    return pos.sheet, pos.a1


def set_cells(d: Path, name: str, cells: dict[str, object], src: Path = EDU) -> Path:
    """EDU with cells (canonical ID or 'meta.<key>' -> value, see workbooks.cell_xml) replaced."""
    out = d / name
    if out != src:
        shutil.copy(src, out)
    by_sheet: dict[str, dict] = {}
    for key, value in cells.items():
        pos = LAYOUT.pos[key]
        by_sheet.setdefault(pos.sheet, {})[pos.a1] = value
    for sheet, values in by_sheet.items():
        patch_xlsx(out, out, sheet, values)
    return out


def far_cell(d: Path, name: str, ref: str, sheet: str | None = None, row_attrs: str = "") -> Path:
    """EDU with one space typed in a far cell of a table sheet (the used range reaches it)."""
    sheet = sheet or LAYOUT.table_sheets["t3"]
    row = ref.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")

    def edit(xml: bytes) -> bytes:
        cell = f'<row r="{row}"{row_attrs}><c r="{ref}" t="inlineStr"><is><t xml:space="preserve"> </t></is></c></row>'
        return xml.replace(b"</sheetData>", cell.encode() + b"</sheetData>", 1)

    return patch_member(EDU, d / name, sheet_part(EDU.read_bytes(), sheet), edit)


def lying_dimension(d: Path, name: str) -> Path:
    """EDU whose 表三 declares a dimension to XFD1048576 (the cells are the usual ones)."""

    def edit(xml: bytes) -> bytes:
        start = xml.index(b"<dimension ")
        end = xml.index(b"/>", start) + 2
        return xml[:start] + b'<dimension ref="A1:XFD1048576"/>' + xml[end:]

    return patch_member(EDU, d / name, sheet_part(EDU.read_bytes(), LAYOUT.table_sheets["t3"]), edit)


def copied_table(d: Path, name: str, change: bool) -> Path:
    """EDU with a copy of 表三 (「表三 (2)」, as Excel names a copied sheet), its numbers
    changed or not."""
    data = EDU.read_bytes()
    sheet = LAYOUT.table_sheets["t3"]
    z = zipfile.ZipFile(io.BytesIO(data))
    xml = z.read(sheet_part(data, sheet))
    if change:
        _, a1 = where("t3.new.natural")
        xml = re.sub(
            rf'<c r="{a1}"( s="[0-9]+")?[^>]*?(/>|>.*?</c>)'.encode(), rf'<c r="{a1}"\1><v>999</v></c>'.encode(), xml, count=1, flags=re.S
        )
    wb = z.read("xl/workbook.xml").decode().replace("</sheets>", f'<sheet name="{sheet} (2)" sheetId="99" r:id="rIdCopy"/></sheets>', 1)
    rels = (
        z.read("xl/_rels/workbook.xml.rels")
        .decode()
        .replace(
            "</Relationships>",
            f'<Relationship Id="rIdCopy" Type="{WORKSHEET_REL}" Target="worksheets/sheetcopy.xml"/></Relationships>',
        )
    )
    types = (
        z.read("[Content_Types].xml")
        .decode()
        .replace("</Types>", f'<Override PartName="/xl/worksheets/sheetcopy.xml" ContentType="{WORKSHEET_TYPE}"/></Types>')
    )
    out = d / name
    out.write_bytes(
        replace_members(
            data, {"xl/workbook.xml": wb.encode(), "xl/_rels/workbook.xml.rels": rels.encode(), "[Content_Types].xml": types.encode()}
        )
    )
    with zipfile.ZipFile(out, "a") as book:
        book.writestr("xl/worksheets/sheetcopy.xml", xml)
    return out


WORKSHEET_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
WORKSHEET_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"


def json_file(d: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    (d / name).write_bytes(text.encode(encoding))
    return d / name


def edu_data() -> dict:
    return json.loads(EDU_JSON.read_text(encoding="utf-8"))


def raw_cell(d: Path, literal: str) -> Path:
    """EDU's JSON with one cell's value written as `literal`, as a script would print it."""
    data = edu_data()
    data["cells"]["t3.new.natural"] = 0
    text = json.dumps(data, ensure_ascii=False).replace('"t3.new.natural": 0', f'"t3.new.natural": {literal}', 1)
    return json_file(d, "d.json", text)


def roster(d: Path, text: str, name: str = "名单.csv") -> str:
    (d / name).write_text(text, encoding="utf-8-sig")
    return name


# ---- 1. a sheet whose used range is enormous ------------------------------------------------------
@scene("space typed at XFD1048576 of 表三 (validate)", 1, 2, "XFD1048576")
def _(d, lo):
    return Made(["validate", far_cell(d, "远角.xlsx", "XFD1048576").name])


@scene("space typed at AMJ1048576 of 表三 (validate)", 1, 2, "AMJ1048576")
def _(d, lo):
    return Made(["validate", far_cell(d, "远角2.xlsx", "AMJ1048576").name])


@scene("space far down column A of 表二 (validate)", 1, 2, "远超年度报告的正常范围")
def _(d, lo):
    return Made(["validate", far_cell(d, "远行.xlsx", "CZ999999", sheet=LAYOUT.table_sheets["t2"]).name])


@scene("a far cell in a folder merged with --jobs 2: the rest still counted", 1, 1, "无法读取")
def _(d, lo):
    reports = two_agencies(d)
    far_cell(d / "in", "远角.xlsx", "XFD1048576")
    return Made(["merge", "in", "-o", "汇总.xlsx", "--jobs", "2"], reports, "汇总.xlsx")


@scene("a declared dimension to XFD1048576 over the usual cells (validate reads it)", 1, 0, "：通过")
def _(d, lo):
    return Made(["validate", lying_dimension(d, "维度.xlsx").name])


@scene("a far cell of an .ods sheet (validate)", 1, 2, "远超年度报告的正常范围", lo=True)
def _(d, lo):
    return Made(["validate", shutil.copy(lo["far_ods"], d / "远角.ods").name])


@scene("a far cell of an .xls sheet (validate)", 1, 2, "远超年度报告的正常范围", lo=True)
def _(d, lo):
    return Made(["validate", shutil.copy(lo["far_xls"], d / "远角.xls").name])


# ---- 2. output that is also an input --------------------------------------------------------------
@scene("merge a b -o a --force", 2, 2, "就是输入文件")
def _(d, lo):
    two_agencies(d)
    return Made(["merge", "in/1.xlsx", "in/2.xlsx", "-o", "in/1.xlsx", "--force"])


@scene("export x -o x --force", 2, 2, "就是输入文件")
def _(d, lo):
    shutil.copy(EDU, d / "x.xlsx")
    return Made(["export", "x.xlsx", "-o", "x.xlsx", "--force"])


@scene("fill d.json -o d.json --force", 2, 2, "就是输入文件")
def _(d, lo):
    shutil.copy(EDU_JSON, d / "d.json")
    return Made(["fill", "d.json", "-o", "d.json", "--force"])


@scene("merge -o a symlink to an input", 2, 2, "不能覆盖")
def _(d, lo):
    two_agencies(d)
    (d / "链接.xlsx").symlink_to(d / "in" / "2.xlsx")
    return Made(["merge", "in", "-o", "链接.xlsx", "--force"])


@scene("export -o a hard link of the input", 2, 2, "就是输入文件")
def _(d, lo):
    shutil.copy(EDU, d / "x.xlsx")
    os.link(d / "x.xlsx", d / "x-link.json")
    return Made(["export", "x.xlsx", "-o", "x-link.json", "--force"])


@scene("last year's county summary left in the input folder", 2, 1, "与汇总重叠")
def _(d, lo):
    reports = two_agencies(d)
    from mergekit import run

    assert run("merge", d / "in", "-o", d / "in" / "上次汇总.xlsx", "--year", "2025") == 0
    return Made(["merge", "in", "-o", "汇总.xlsx"], reports, "汇总.xlsx")


@scene("an agency's report named as the output inside the input folder", 2, 2, "不能覆盖")
def _(d, lo):
    two_agencies(d)
    return Made(["merge", "in", "-o", "in/2.xlsx", "--force"])


# ---- 3. formulas in input cells without a cached value -------------------------------------------
@scene("=2000+517 typed in an input cell, saved by a script (computed)", 3, 0, "已按公式算得 2517")
def _(d, lo):
    return Made(["validate", set_cells(d, "公式.xlsx", {"t2.license.decisions": ("formula", "2000+517")}).name])


@scene("a SUM formula without a cached value in an input cell", 3, 1, "公式")
def _(d, lo):
    _, a1 = where("t2.license.decisions")
    return Made(["validate", set_cells(d, "公式2.xlsx", {"t2.license.decisions": ("formula", f"SUM({a1}:{a1})")}).name])


@scene("a merge with a computed formula: the sum holds its value", 3, 0, "计入汇总")
def _(d, lo):
    report = agency_report(3, "示例县丙局")
    path = write(report, d / "in" / "3.xlsx")
    value = report.cells["t3.new.natural"]
    set_cells(d / "in", "3.xlsx", {"t3.new.natural": ("formula", f"{value - 7}+7")}, src=path)
    return Made(["merge", "in", "-o", "汇总.xlsx"], [report], "汇总.xlsx")


@scene("a merge with a formula that cannot be computed: the report is not counted as 0", 3, 1, "未计入汇总")
def _(d, lo):
    reports = two_agencies(d)
    _, a1 = where("t3.new.natural")
    set_cells(
        d / "in", "3.xlsx", {"t3.new.natural": ("formula", f"A1*{a1}")}, src=write(agency_report(3, "示例县丙局"), d / "in" / "3.xlsx")
    )
    return Made(["merge", "in", "-o", "汇总.xlsx"], reports, "汇总.xlsx")


@scene("an error value (#REF!) in an input cell", 3, 1, "#REF!")
def _(d, lo):
    return Made(["validate", set_cells(d, "错误值.xlsx", {"t2.license.decisions": ("error", "#REF!")}).name])


# ---- 4. a second copy of a table ----------------------------------------------------------------
@scene("a copied sheet 「表三 (2)」 with other numbers", 4, 1, "表三 (2)")
def _(d, lo):
    return Made(["validate", copied_table(d, "副本.xlsx", change=True).name])


@scene("a copied sheet 「表三 (2)」 with the same numbers", 4, 0, "表三 (2)")
def _(d, lo):
    return Made(["validate", copied_table(d, "副本同.xlsx", change=False).name])


@scene("a merge where one report has a changed copy of 表三: not counted", 4, 1, "未计入汇总")
def _(d, lo):
    reports = two_agencies(d)
    copied_table(d / "in", "副本.xlsx", change=True)
    return Made(["merge", "in", "-o", "汇总.xlsx"], reports, "汇总.xlsx")


# ---- 5. cover fields as typed -----------------------------------------------------------------------
@scene("year typed as text 「2025年」", 5, 1, "报告年度")
def _(d, lo):
    return Made(["validate", set_cells(d, "年度.xlsx", {"meta.year": "2025年"}).name])


@scene("a full-width 统一社会信用代码", 5, 1, "全角")
def _(d, lo):
    code = edu().meta["uscc"]
    wide = "".join(chr(ord(c) + 0xFEE0) for c in code)
    return Made(["validate", set_cells(d, "全角.xlsx", {"meta.uscc": wide}).name])


@scene("a 统一社会信用代码 with blanks around it (accepted)", 5, 0, "：通过")
def _(d, lo):
    code = edu().meta["uscc"]
    return Made(["validate", set_cells(d, "空格.xlsx", {"meta.uscc": f"\u3000{code} "}).name])


@scene("an agency name of blanks only", 5, 1, "单位名称")
def _(d, lo):
    return Made(["validate", set_cells(d, "无名.xlsx", {"meta.agency": " \u3000 "}).name])


# ---- 6. rosters as offices keep them ----------------------------------------------------------------
ROSTER_TITLED = "示例县应报送单位名单\n序号,单位全称,统一社会信用代码（18位）,主管单位\n1,示例县甲局,,\n2,示例县乙局,,\n"


@scene("a roster with a title row, a 序号 column and 单位全称 (all submitted)", 6, 0, "报送率 100.0%")
def _(d, lo):
    reports = two_agencies(d)
    return Made(["merge", "in", "-o", "汇总.xlsx", "--roster", roster(d, ROSTER_TITLED)], reports, "汇总.xlsx")


@scene("a roster whose third agency has not submitted", 6, 1, "报送率 66.7%")
def _(d, lo):
    reports = two_agencies(d)
    text = ROSTER_TITLED + "3,示例县丙局,,\n"
    return Made(["merge", "in", "-o", "汇总.xlsx", "--roster", roster(d, text)], reports, "汇总.xlsx")


@scene("a roster workbook whose first sheet holds notes", 6, 0, "报送率 100.0%")
def _(d, lo):
    import xlsxwriter

    reports = two_agencies(d)
    book = xlsxwriter.Workbook(d / "名单.xlsx")
    book.add_worksheet("说明").write(0, 0, "填表说明：名单见下一页")
    ws = book.add_worksheet("名单")
    ws.write_row(0, 0, ["序号", "单位名称", "上级单位"])
    ws.write_row(1, 0, [1, "示例县甲局", "示例县人民政府"])
    ws.write_row(2, 0, [2, "示例县乙局", "示例县人民政府"])
    book.close()
    return Made(["merge", "in", "-o", "汇总.xlsx", "--roster", "名单.xlsx"], reports, "汇总.xlsx")


@scene("a roster whose columns cannot be told apart", 6, 2, "没有找到表头行")
def _(d, lo):
    two_agencies(d)
    return Made(["merge", "in", "-o", "汇总.xlsx", "--roster", roster(d, "1,示例县甲局,甲,乙,丙\n")])


# ---- 7. operating-system errors ---------------------------------------------------------------------
@scene("validate a symlink loop", 7, 2, "循环")
def _(d, lo):
    (d / "甲.xlsx").symlink_to("乙.xlsx")
    (d / "乙.xlsx").symlink_to("甲.xlsx")
    return Made(["validate", "甲.xlsx"])


@scene("merge a folder holding a symlink loop: the rest counted", 7, 1, "循环")
def _(d, lo):
    reports = two_agencies(d)
    (d / "in" / "环.xlsx").symlink_to("环.xlsx")
    return Made(["merge", "in", "-o", "汇总.xlsx"], reports, "汇总.xlsx")


@scene("validate a name over 255 bytes", 7, 2, "名称或路径过长")
def _(d, lo):
    return Made(["validate", LONG_NAME])


@scene("template -o a name over 255 bytes", 7, 2, "名称或路径过长")
def _(d, lo):
    return Made(["template", "-o", LONG_NAME])


@scene("merge a folder with a subfolder deeper than PATH_MAX", 7, 1, "无法打开的文件夹")
def _(d, lo):
    reports = two_agencies(d)
    here = os.getcwd()
    try:
        os.chdir(d / "in")
        for i in range(22):  # 22 × 203 bytes: past the 4,096 a path may have
            name = f"{i:02d}" + "层" * 67
            os.mkdir(name)
            os.chdir(name)
        shutil.copy(EDU, "深处.xlsx")
    finally:
        os.chdir(here)
    return Made(["merge", "in", "-o", "汇总.xlsx"], reports, "汇总.xlsx")


@scene("merge a folder with a subfolder that may not be read", 7, 1, "没有访问权限")
def _(d, lo):
    reports = two_agencies(d)
    locked = d / "in" / "锁定"
    locked.mkdir()
    shutil.copy(EDU, locked / "x.xlsx")
    locked.chmod(0)
    return Made(["merge", "in", "-o", "汇总.xlsx"], reports, "汇总.xlsx")


@scene("template into a read-only folder", 7, 2, "没有访问权限")
def _(d, lo):
    (d / "只读").mkdir()
    (d / "只读").chmod(0o555)
    return Made(["template", "-o", "只读/模板.xlsx"])


@scene("export into a read-only folder", 7, 2, "没有访问权限")
def _(d, lo):
    shutil.copy(EDU, d / "x.xlsx")
    (d / "只读").mkdir()
    (d / "只读").chmod(0o555)
    return Made(["export", "x.xlsx", "-o", "只读/x.json"])


@scene("merge -o into a read-only folder", 7, 2, "没有访问权限")
def _(d, lo):
    two_agencies(d)
    (d / "只读").mkdir()
    (d / "只读").chmod(0o555)
    return Made(["merge", "in", "-o", "只读/汇总.xlsx"])


@scene("validate a report that may not be read", 7, 2, "没有")
def _(d, lo):
    shutil.copy(EDU, d / "x.xlsx")
    (d / "x.xlsx").chmod(0)
    return Made(["validate", "x.xlsx"])


# ---- 8. JSON for fill ---------------------------------------------------------------------------------
@scene("fill: a key repeated in one object", 8, 2, "键重复出现")
def _(d, lo):
    text = EDU_JSON.read_text(encoding="utf-8").replace('"cells": {', '"cells": {\n    "t3.new.natural": 0,', 1)
    return Made(["fill", json_file(d, "d.json", text).name, "-o", "d.xlsx"])


@scene("fill: an integer of 400 digits", 8, 2, "15 位数字")
def _(d, lo):
    return Made(["fill", raw_cell(d, "9" * 400).name, "-o", "d.xlsx"])


@scene("fill: an integer of 5,000 digits", 8, 2, "15 位数字")
def _(d, lo):
    return Made(["fill", raw_cell(d, "7" * 5000).name, "-o", "d.xlsx"])


@scene("fill: 100,000 nested brackets", 8, 2, "嵌套层数过多")
def _(d, lo):
    return Made(["fill", json_file(d, "d.json", "[" * 100_000 + "]" * 100_000).name, "-o", "d.xlsx"])


@scene("fill: a 40,000-character narrative", 8, 2, "32,767")
def _(d, lo):
    data = edu_data()
    data["text"][next(iter(data["text"]))] = "情况" * 20_000
    return Made(["fill", json_file(d, "d.json", json.dumps(data, ensure_ascii=False)).name, "-o", "d.xlsx"])


@scene("fill: a vertical tab pasted from Word in the narrative", 8, 2, "U+000B")
def _(d, lo):
    data = edu_data()
    key = next(iter(data["text"]))
    data["text"][key] = "第一段\u000b第二段"
    return Made(["fill", json_file(d, "d.json", json.dumps(data, ensure_ascii=False)).name, "-o", "d.xlsx"])


@scene("fill: NaN as a number", 8, 2, "NaN")
def _(d, lo):
    return Made(["fill", raw_cell(d, "NaN").name, "-o", "d.xlsx"])


@scene("fill: JSON saved in GBK", 8, 2, "UTF-8")
def _(d, lo):
    return Made(["fill", json_file(d, "d.json", EDU_JSON.read_text(encoding="utf-8"), "gbk").name, "-o", "d.xlsx"])


@scene("export of a report with an unusable cell", 8, 1, "没有可用的数值")
def _(d, lo):
    set_cells(d, "坏.xlsx", {"t2.license.decisions": ("error", "#DIV/0!")})
    return Made(["export", "坏.xlsx", "-o", "坏.json"], output="坏.json")


@scene("fill of that export names the cell", 8, 2, "t2.license.decisions")
def _(d, lo):
    from mergekit import run

    set_cells(d, "坏.xlsx", {"t2.license.decisions": ("error", "#DIV/0!")})
    assert run("export", d / "坏.xlsx", "-o", d / "坏.json") == 1
    return Made(["fill", "坏.json", "-o", "再填.xlsx"])


# ---- 9. usage messages ---------------------------------------------------------------------------------
command("merge without -o", 9, 2, "缺少必需的参数", "merge", "in")
command("merge --jobs abc", 9, 2, "整数", "merge", "in", "-o", "s.xlsx", "--jobs", "abc")
command("serve --max-mb nan", 9, 2, "大于 0 的数", "serve", "--max-mb", "nan")
command("serve --max-mb inf", 9, 2, "大于 0 的数", "serve", "--max-mb", "inf")
command("merge --timeout -5", 9, 2, "大于 0 的数", "merge", "in", "-o", "s.xlsx", "--timeout", "-5")
command("an unknown command", 9, 2, "不是可选的值", "combine", "in")
command("help of a command", 9, 0, "显示本帮助并退出", "merge", "-h")
command(
    "--strict with --include-invalid", 9, 2, "不能与参数 --strict 同时使用", "merge", "in", "-o", "s.xlsx", "--strict", "--include-invalid"
)
command("an unknown option", 9, 2, "无法识别的参数", "validate", "x.xlsx", "--fast")


# ---- 10. a report of unknown year, the same report twice ------------------------------------------------
@scene("a report whose year cannot be read is not counted into 2025", 10, 1, "报告年度无法识别")
def _(d, lo):
    reports = two_agencies(d)
    nameless = agency_report(3, "示例县丙局")
    nameless.meta.pop("year")
    write(nameless, d / "in" / "3.xlsx")
    return Made(["merge", "in", "-o", "汇总.xlsx", "--year", "2025"], reports, "汇总.xlsx")


@scene("the same report as .xlsx and .ods is counted once", 10, 1, "只计一次", lo=True)
def _(d, lo):
    (d / "in").mkdir()
    shutil.copy(EDU, d / "in" / "教育局.xlsx")
    shutil.copy(lo["ods"], d / "in" / "教育局.ods")
    return Made(["merge", "in", "-o", "汇总.xlsx"], [edu()], "汇总.xlsx")


@scene("the report as a workbook and as its published Word document is counted once", 10, 1, "只计一次")
def _(d, lo):
    from mergekit import run

    (d / "in").mkdir()
    shutil.copy(EDU, d / "in" / "教育局.xlsx")
    assert run("publish", d / "in" / "教育局.xlsx", "-o", d / "in" / "教育局年度报告.docx") == 0
    return Made(["merge", "in", "-o", "汇总.xlsx"], [edu()], "汇总.xlsx")


@scene("publish a document over itself", 2, 2, "就是输入文件")
def _(d, lo):
    from mergekit import run

    assert run("publish", EDU, "-o", d / "报告.docx") == 0
    return Made(["publish", "报告.docx", "-o", "报告.docx", "--force"])


@scene("publish into a read-only folder", 7, 2, "没有访问权限")
def _(d, lo):
    shutil.copy(EDU, d / "x.xlsx")
    (d / "只读").mkdir()
    (d / "只读").chmod(0o555)
    return Made(["publish", "x.xlsx", "-o", "只读/报告.html"])


@scene("the same workbook saved twice under two names is counted once", 10, 1, "内容完全相同")
def _(d, lo):
    reports = two_agencies(d)
    shutil.copy(d / "in" / "1.xlsx", d / "in" / "1-副本.xlsx")
    return Made(["merge", "in", "-o", "汇总.xlsx"], reports, "汇总.xlsx")
