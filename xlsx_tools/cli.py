"""`xlsx-tools`: the command line. Each command parses its arguments, calls one
library function and turns library errors into Chinese messages and exit codes
(0 clean, 1 findings of severity error, 2 usage or unreadable input).
Heavy imports (pandas) stay inside the commands that need them."""

from __future__ import annotations

import argparse
import sys

from .console import POSITIVE, Parser, chinese_argparse, number
from .findings import ERROR, ToolError, os_reason
from .output import check_target, write_atomic

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2


def cmd_template(args) -> int:
    from .build import build_workbook

    out = write_atomic(args.output, lambda tmp: build_workbook(tmp), args.force)
    print(f"已生成空白模板：{out}")
    return EXIT_OK


def cmd_fill(args) -> int:
    from .build import build_workbook
    from .report import load_json

    check_target(args.output, args.force, [args.data])
    report = load_json(args.data)
    out = write_atomic(args.output, lambda tmp: build_workbook(tmp, report), args.force, [args.data])
    print(f"已填写：{out}")
    return EXIT_OK


def cmd_export(args) -> int:
    from .read import read_report

    if args.output:
        check_target(args.output, args.force, [args.file])
    report = read_report(args.file)
    text = report.dumps()
    if args.output:
        write_atomic(args.output, lambda tmp: tmp.write_text(text, encoding="utf-8"), args.force, [args.file])
        print(f"已导出：{args.output}")
    else:
        sys.stdout.write(text)
    for f in report.findings:
        print(f"{args.file}：{f.severity.zh}：{f.message}", file=sys.stderr)
    unusable = [report.where.get(cid, cid) for cid, v in report.cells.items() if v is None]
    if unusable:
        shown = "、".join(unusable[:10]) + (f" 等 {len(unusable)} 个" if len(unusable) > 10 else "")
        print(f"{args.file}：{shown} 没有可用的数值，JSON 中记为 null（fill 不接受），请先在工作簿中改正", file=sys.stderr)
    return EXIT_FINDINGS if unusable or any(f.severity == ERROR for f in report.findings) else EXIT_OK


def cmd_build_xlsm(args) -> int:
    from .build.xlsm import build_xlsm

    out = write_atomic(args.output, lambda tmp: build_xlsm(tmp, args.interpreter, args.server_url, args.auth), args.force)
    print(f"已生成含「校验」按钮的模板：{out}")
    return EXIT_OK


def cmd_validate(args) -> int:
    from .check import validate_files
    from .check.present import render_json, render_text, wants_colour

    rules = _local_rules(args)
    previous = []
    if args.previous:  # last year's reports: files, exports, or a summary's agencies; unreadable: exit 2
        from .merge.previous import load_previous  # (the merge package loads XlsxWriter: only when asked)

        previous = load_previous(args.previous).reports
    results = validate_files(args.files, previous, rules=rules)
    out = sys.stdout
    if hasattr(out, "reconfigure"):
        out.reconfigure(errors="replace")  # a console that cannot show a character must not crash
    if args.format == "json":
        out.write(render_json(results))
    else:
        out.write(render_text(results, colour=wants_colour(out)))
    if any(not r.readable for r in results):
        return EXIT_USAGE
    return EXIT_FINDINGS if any(r.errors for r in results) else EXIT_OK


def _local_rules(args):
    """The local rules of `--rules` (None: the national ones); a bad file stops the command."""
    from .check.local import LocalRules

    return LocalRules.load(args.rules) if getattr(args, "rules", None) else None


RULES_HELP = "本地规则文件（.toml：发布期限、把提示改为错误或关闭、正文字数上限、上年比对的阈值；格式见 docs/LOCAL-RULES.md）"


def cmd_serve(args) -> int:
    import os

    from .server.app import AUTH_ENV, COUNTY_AUTH_ENV, DEFAULT_WORKERS, serve
    from .server.web import WebConfig

    auth = args.auth or os.environ.get(AUTH_ENV) or None
    max_bytes = int(args.max_mb * 1024 * 1024)
    web = WebConfig(
        auth,
        args.county_auth or os.environ.get(COUNTY_AUTH_ENV) or None,
        max_bytes,
        args.max_files,
        int(args.max_total_mb * 1024 * 1024),
        args.upload_seconds,
        _local_rules(args),
    )
    serve(args.host, args.port, DEFAULT_WORKERS if args.workers is None else args.workers, auth, max_bytes, web=web)
    return EXIT_OK


def cmd_merge(args) -> int:
    from .console import ProgressBar
    from .merge import Options, merge, write_outputs
    from .merge.book import detail_note
    from .merge.feedback import check_clashes, write_feedback
    from .merge.roster import load_roster
    from .merge.text import report_lines, review_lines, table_lines

    options = Options(
        name=args.name,
        year=args.year,
        include_invalid=args.include_invalid,
        jobs=args.jobs,
        timeout=args.timeout,
        output=args.output,
        export=args.export,
        force=args.force,
        rules=_local_rules(args),
        previous=args.previous,
        feedback=args.feedback,
    )
    options.check([*args.inputs, *([args.roster] if args.roster else [])])
    roster = options.roster = load_roster(args.roster) if args.roster else None

    def found(workbooks: int, skipped: int) -> None:
        also = f"（另有 {skipped} 个其他文件跳过）" if skipped else ""
        print(f"找到 {workbooks} 个工作簿{also}，正在读取和校验……", file=sys.stderr, flush=True)

    bar = ProgressBar("读取")
    try:
        merged = merge(args.inputs, options, progress=bar, found=found)
    finally:
        bar.close()
    for problem in roster.problems if roster else ():
        print(f"名单提示：{problem}")
    for line in report_lines(merged):
        print(line)
    if not merged.submissions:
        print("没有找到报告工作簿（.xlsx/.xlsm/.xls/.ods），未生成汇总。")
        return EXIT_USAGE
    if args.strict and merged.with_errors:
        print("\n".join(["", *table_lines(merged)]))
        print(f"使用了 --strict，且有 {len(merged.with_errors)} 个文件有错误：未生成汇总。")
        return EXIT_FINDINGS
    if merged.summary is None:
        print("\n".join(["", *table_lines(merged)]))
        print("没有可以计入汇总的报告，未生成汇总。")
        return EXIT_USAGE
    check_clashes(merged, args.force)  # before the summary is written
    write_outputs(merged, args.output, args.export, args.force)
    for line in review_lines(merged, write_feedback(merged, args.force) if args.feedback else None):
        print(line)
    print("\n".join(["", *table_lines(merged)]))
    meta = merged.summary.meta
    print(
        f"已生成汇总：{args.output}（{meta['agency']}，{merged.year} 年度，计入 {len(merged.included)} 份报告，汇总单位数 {merged.covers}）"
    )
    if args.export:
        print(f"已导出明细：{args.export}")
    if detail_note(merged, args.export):
        print(detail_note(merged, args.export))
    return merged.exit_code


def cmd_publish(args) -> int:
    from .check.present import render_text, wants_colour
    from .publish import KIND_NAMES, publish_file

    out = sys.stdout
    if hasattr(out, "reconfigure"):
        out.reconfigure(errors="replace")

    def validated(result) -> None:  # listed before the document is made (or refused)
        out.write(render_text([result], colour=wants_colour(out)))
        out.flush()

    published = publish_file(args.file, args.output, args.force, args.allow_errors, _local_rules(args), validated=validated)
    result = published.result
    if not published.written:
        print(
            f"{result.file} 有 {result.errors} 个错误，未生成报告：请在报告中改正后重新校验；如确需按现有数字生成，请加 --allow-errors。",
            file=sys.stderr,
        )
        return EXIT_FINDINGS
    doc = published.document
    for note in doc.notes:
        print(f"注意：{note}")
    also = f"（有 {result.errors} 个错误，按 --allow-errors 生成）" if result.errors else ""
    print(f"已生成报告（{KIND_NAMES[published.kind]}）：{published.path}（{doc.agency}，{doc.year} 年度）{also}")
    return EXIT_FINDINGS if result.errors else EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    p = Parser(prog="xlsx-tools", description="政府信息公开工作年度报告（GK-2021 表式）：模板、校验与汇总工具")
    sub = p.add_subparsers(dest="command", required=True, parser_class=Parser, metavar="命令")

    t = sub.add_parser("template", help="生成空白的报告模板工作簿")
    t.add_argument("-o", "--output", required=True, metavar="输出文件", help="输出的 .xlsx 文件")
    t.add_argument("--force", action="store_true", help="覆盖已存在的文件")
    t.set_defaults(func=cmd_template)

    f = sub.add_parser("fill", help="按 JSON 数据填写模板，生成报告工作簿")
    f.add_argument("data", metavar="数据.json", help="报告数据（JSON，格式见 README）")
    f.add_argument("-o", "--output", required=True, metavar="输出文件", help="输出的 .xlsx 文件")
    f.add_argument("--force", action="store_true", help="覆盖已存在的文件")
    f.set_defaults(func=cmd_fill)

    e = sub.add_parser("export", help="把报告工作簿导出为 JSON")
    e.add_argument("file", metavar="报告文件", help="报告工作簿（.xlsx）")
    e.add_argument("-o", "--output", metavar="输出文件", help="输出的 .json 文件（默认输出到屏幕）")
    e.add_argument("--force", action="store_true", help="覆盖已存在的文件")
    e.set_defaults(func=cmd_export)

    x = sub.add_parser("build-xlsm", help="生成含「校验」按钮（xlwings 宏）的模板 .xlsm")
    x.add_argument(
        "-o", "--output", default="workbook_template.xlsm", metavar="输出文件", help="输出的 .xlsm 文件（默认 workbook_template.xlsm）"
    )
    x.add_argument(
        "--interpreter", metavar="python.exe", help="校验时使用的 Python（写入 xlwings.conf 的 INTERPRETER_WIN；默认用 xlwings 的设置）"
    )
    x.add_argument("--server-url", metavar="网址", help="校验服务器地址（写入 xlwings.conf 的 GK_SERVER_URL；默认留空，在本机校验）")
    x.add_argument(
        "--auth", metavar="密钥", help="校验服务器的访问密钥（写入 xlwings.conf 的 AUTH，与 xlsx-tools serve --auth 相同；默认不写）"
    )
    x.add_argument("--force", action="store_true", help="覆盖已存在的文件")
    x.set_defaults(func=cmd_build_xlsm)

    v = sub.add_parser(
        "validate",
        help="校验报告工作簿（勾稽关系、填写规范、正文数字、发布时限）",
        description="校验一个或多个报告工作簿。退出码：0 没有错误；1 发现错误；2 参数有误或有文件无法读取。",
    )
    v.add_argument("files", nargs="+", metavar="文件", help="报告工作簿（.xlsx、.xlsm，也可以是 .xls、.ods）")
    v.add_argument(
        "--previous",
        action="append",
        metavar="上年.xlsx",
        help="上年度的报告工作簿（或 export 导出的 .json），用于检查上年结转和现行有效件数；校验多个单位时可多次给出，按统一社会信用代码或单位名称对应",
    )
    v.add_argument("--format", choices=("text", "json"), default="text", help="输出格式：text 表格（默认），json 机器可读")
    v.add_argument("--rules", metavar="本地规则.toml", help=RULES_HELP)
    v.set_defaults(func=cmd_validate)

    s = sub.add_parser("serve", help="运行校验服务器：没有 Python 的电脑上的「校验」按钮把工作簿发到这里校验")
    s.add_argument(
        "--host", default="127.0.0.1", metavar="地址", help="监听地址（默认 127.0.0.1，只供本机；内网使用时设为本机内网地址或 0.0.0.0）"
    )
    s.add_argument("--port", type=number(int, 1, 65535), default=8000, metavar="端口", help="端口（默认 8000）")
    s.add_argument("--workers", type=number(int, 1, 64), metavar="N", help="同时校验的进程数（默认为 CPU 核数）")
    s.add_argument(
        "--auth",
        metavar="密钥",
        help="访问密钥：只校验 xlwings.conf 中 AUTH 与之相同的工作簿（也可用环境变量 GK_SERVER_AUTH，避免密钥出现在进程列表中）",
    )
    s.add_argument(
        "--max-mb", type=POSITIVE, default=4, metavar="MB", help="单个工作簿数据的上限，MB（默认 4）；网页上传的单个文件同样以此为限"
    )
    # the web pages (GET / for agencies, GET /county for the county office)
    s.add_argument(
        "--county-auth",
        metavar="密钥",
        help="汇总页面（/county）的访问密钥（也可用环境变量 GK_COUNTY_AUTH）；不设时与 --auth 相同",
    )
    s.add_argument("--max-files", type=number(int, 1), default=2000, metavar="N", help="汇总页面一次上传的文件数上限（默认 2000）")
    s.add_argument("--max-total-mb", type=POSITIVE, default=200, metavar="MB", help="汇总页面一次上传的文件合计上限，MB（默认 200）")
    s.add_argument("--upload-seconds", type=POSITIVE, default=120, metavar="秒", help="网页上传须在多少秒内收完（默认 120）")
    s.add_argument("--rules", metavar="本地规则.toml", help=RULES_HELP + "；用于「校验」按钮和两个网页")
    s.set_defaults(func=cmd_serve)

    m = sub.add_parser(
        "merge",
        help="汇总多个单位的报告工作簿，生成汇总报告",
        description="读取并校验每个单位的报告工作簿，把校验通过的报告相加，生成同一表式的汇总报告（可再次汇总），"
        "并附报送登记、问题清单、未报送名单和明细。退出码：0 全部计入；1 有报告未计入或有单位未报送；2 没有可用的报告。",
    )
    m.add_argument("inputs", nargs="+", metavar="输入", help="报告工作簿或文件夹（文件夹按子文件夹逐层查找）")
    m.add_argument("-o", "--output", required=True, metavar="汇总.xlsx", help="输出的汇总工作簿（.xlsx）")
    m.add_argument("--name", metavar="名称", help="汇总报告的单位名称，如 某某县人民政府（默认取各报告共同的上级单位）")
    m.add_argument("--year", type=number(int, 1, 9999), metavar="年度", help="报告年度（默认取多数报告的年度）；年度不符的报告不计入")
    m.add_argument(
        "--roster", metavar="名单", help="应报送单位名单（CSV 或 Excel：单位名称、统一社会信用代码、上级单位），用于统计报送率和未报送单位"
    )
    policy = m.add_mutually_exclusive_group()
    policy.add_argument("--include-invalid", action="store_true", help="有错误的报告也计入汇总（默认不计入）")
    policy.add_argument("--strict", action="store_true", help="只要有一份报告有错误，就不生成汇总")
    m.add_argument("--jobs", type=number(int, 1, 64), metavar="N", help="同时读取的进程数（默认为 CPU 核数，最多 8）")
    m.add_argument("--timeout", type=POSITIVE, default=60, metavar="秒", help="读取一个文件最多用时，超时的文件记为无法读取（默认 60 秒）")
    m.add_argument("--export", metavar="明细.csv", help="另把明细（单位 × 单元格编号 × 数值）导出为 .csv 或 .parquet")
    m.add_argument("--force", action="store_true", help="覆盖已存在的输出文件")
    m.add_argument("--rules", metavar="本地规则.toml", help=RULES_HELP)
    m.add_argument(
        "--previous",
        action="append",
        metavar="上年",
        help="上年的汇总工作簿（xlsx-tools merge 生成）或上年的报告文件夹，用于与上年比对（上年结转、数字成倍变化、沿用上年文字）；按统一社会信用代码、其次单位名称对应",
    )
    m.add_argument(
        "--feedback", metavar="文件夹", help="为有错误或有未说明提示的单位各生成一份审核意见（.xlsx，以单位名称命名），写入该文件夹"
    )
    m.set_defaults(func=cmd_merge)

    pub = sub.add_parser(
        "publish",
        help="由校验通过的报告生成可发布的年度报告（Word 文档、网页或 PDF）",
        description="先校验报告（与 validate 相同），再按法定格式生成年度报告文档：标题、六个部分、三张表格、落款，"
        "并记录文档指纹（表式、工具版本、数字的哈希值）。有错误时不生成（除非加 --allow-errors），有提示时列出并照常生成。"
        "退出码：0 已生成；1 有错误（未生成，或按 --allow-errors 生成）；2 参数有误、文件无法读取或输出文件不能写。",
    )
    pub.add_argument("file", metavar="报告文件", help="报告：工作簿（.xlsx、.xlsm 等）、export 导出的 .json，或 Word 文档、网页")
    pub.add_argument(
        "-o", "--output", required=True, metavar="输出文件", help="输出文件：.docx（Word 文档）、.html（网页）或 .pdf（需要 LibreOffice）"
    )
    pub.add_argument("--force", action="store_true", help="覆盖已存在的输出文件")
    pub.add_argument("--allow-errors", action="store_true", help="有错误也生成文档（默认不生成）")
    pub.add_argument("--rules", metavar="本地规则.toml", help=RULES_HELP)
    pub.set_defaults(func=cmd_publish)
    return p


def main(argv: list[str] | None = None) -> int:
    with chinese_argparse():
        args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except ToolError as exc:  # every Chinese error of the library: said as it is
        print(exc.message, file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("已取消。", file=sys.stderr)
        return 130
    except OSError as exc:  # a file the system refused, wherever it was met
        where = f"{exc.filename}：" if exc.filename else ""
        print(f"{where}{os_reason(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except Exception as exc:  # never a traceback for staff
        print(f"内部错误：{type(exc).__name__}: {exc}（请将此信息反馈给维护人员）", file=sys.stderr)
        return EXIT_USAGE


def run() -> None:
    sys.exit(main())


if __name__ == "__main__":
    run()
