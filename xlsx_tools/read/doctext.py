"""The report's text in a document: its title, publication date, six sections and the
信息处理费 figures its sentences state — everything the tables do not hold.

- Title: 「{单位名称}{年度}年政府信息公开工作年度报告」 (or 「…年度…」, or split over two
  lines), wherever it stands before the first section: below a site's navigation and
  breadcrumbs too, which are told apart by their separators (首页 > …). A page's <title>
  is the fallback.
- Publication date: a 「发布时间：」「发布日期：」「时间：」 line before the first section, a page's
  publication-date meta tag, else the date under the signature at the end.
- Sections: the six headings of the form's outline, by their words whatever the numbering
  (「一、」「（一）」「1.」「第一部分」 or none); a heading inside a table's first row counts.
  A section's text is its lines up to the next heading or table, each line's trailing
  spaces and the blank lines around it removed; section 六 ends at the signature (the
  agency's name and the date) or at a page footer (打印本页, 关闭窗口 …).
- Fees: the form's phrases (spec.phrases) that state one fee figure, in section 六 first.
"""

from __future__ import annotations

import re
import string
import unicodedata
from dataclasses import dataclass, field

from ..form import FormSpec
from ..values import label_key, parse_date

_NUMBERING = re.compile(
    r"^\s*(?:第[一二三四五六七八九十]+(?:部分|章|节)|[（(]\s*[一二三四五六七八九十\d]+\s*[）)]|[一二三四五六七八九十]+|\d{1,2})\s*[、.．:：)）]?\s*"
)
_NAV = ("首页", "当前位置", "您的位置", "您现在的位置", ">", "»", "›", "＞", "|", "/", "\\", "栏目")
_DATE_LINE = re.compile(r"(?:发布时间|发布日期|成文日期|时间|日期)\s*[:：]\s*(\d{4}\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?)")
_CN_DIGITS = str.maketrans("〇零○Ｏ一二三四五六七八九", "0000123456789")
_CN_DATE = re.compile(r"^([〇零○Ｏ一二三四五六七八九]{4})年([一二三四五六七八九十]{1,3})月([一二三四五六七八九十]{1,3})日$")
_FOOTER = (
    "打印本页",
    "关闭窗口",
    "【打印】",
    "【关闭】",
    "主办单位",
    "主办：",
    "版权所有",
    "网站标识码",
    "ICP备",
    "扫一扫",
    "相关链接",
    "分享到",
    "上一篇",
    "下一篇",
)
_SENTENCE = re.compile(r"[^。；;！!？?\n]+")
SENTENCE_PUNCT = "。；;，,！!？?"


@dataclass
class Text:
    """What the text of a document states (line indexes into the flow's lines)."""

    title: tuple[str, int | None, int] | None = None  # (agency, year, line)
    published: tuple[str, int] | None = None  # (the date as written, line)
    headings: dict[str, int] = field(default_factory=dict)  # outline key -> line index (tables: -1 - table index)
    sections: dict[str, tuple[str, int]] = field(default_factory=dict)  # text key -> (text, first line)
    fees: dict[str, tuple[float, int]] = field(default_factory=dict)  # fee cell -> (value, line)
    signature: tuple[str, int] | None = None  # (agency as signed, line)
    signed_on: tuple[str, int] | None = None  # (the date under the signature, line)
    summary: tuple[str, int, int] | None = None  # (kind, 汇总单位数, line) from a summary's line under the title


def _cn_number(text: str) -> int:
    if text == "十":
        return 10
    if text.startswith("十"):
        return 10 + int(text[1:].translate(_CN_DIGITS))
    if "十" in text:
        tens, _, ones = text.partition("十")
        return int(tens.translate(_CN_DIGITS)) * 10 + (int(ones.translate(_CN_DIGITS)) if ones else 0)
    return int(text.translate(_CN_DIGITS))


def date_of(line: str):
    """A date written alone on a line: 2022年1月18日, 2022-01-18, 二〇二二年一月十八日."""
    t = unicodedata.normalize("NFKC", line).strip().replace(" ", "")
    m = _CN_DATE.match(t)
    if m:
        t = f"{m.group(1).translate(_CN_DIGITS)}年{_cn_number(m.group(2))}月{_cn_number(m.group(3))}日"
    return parse_date(t)


def _compact(text: str) -> str:
    return "".join(unicodedata.normalize("NFKC", text).split())


def parse_title(text: str, spec: FormSpec) -> tuple[str, int | None] | None:
    """(agency, year) from a title line such as 某某局2021年政府信息公开工作年度报告."""
    compact = _compact(text)
    for words in (spec.title, *spec.title_variants):
        at = compact.find(words)
        if at < 0:
            continue
        rest = compact[at + len(words) :].strip("。.：:")
        if rest:
            continue
        head = compact[:at].translate(_CN_DIGITS) if re.search(r"[〇零○一二三四五六七八九]{4}年", compact[:at]) else compact[:at]
        m = re.match(r"^(?P<agency>.*?)(?:关于)?(?:(?P<year>\d{4})年度?)?$", head)
        if not m:
            continue
        agency = m.group("agency").removesuffix("关于").strip('“”"「」《》')
        if not agency or len(agency) > 50 or any(mark in agency for mark in _NAV):
            continue
        return agency, int(m.group("year")) if m.group("year") else None
    return None


def heading_key(line: str, spec: FormSpec) -> tuple[str, str] | None:
    """(outline key, text after the heading) where a line is one of the six headings."""
    head = line[:80].strip()
    if not head or len(head) > 2 and not _maybe_heading(head, spec):
        return None
    t = unicodedata.normalize("NFKC", line if len(line) <= 400 else line[:400]).strip()
    m = _NUMBERING.match(t)
    numbered = bool(m and m.group(0).strip())
    body = t[m.end() :] if m else t
    key = label_key(body)
    for part, heading in spec.outline_labels:
        words = label_key(_NUMBERING.sub("", unicodedata.normalize("NFKC", heading), count=1))
        if key == words:
            return part, ""
        if numbered and key.startswith(words) and len(body) > len(words):
            rest = _after(body, words)
            if rest is not None:
                return part, rest
    return None


def _heading_chars(spec: FormSpec) -> frozenset[str]:
    cache = spec.__dict__.setdefault("_heading_chars", {})
    got = cache.get("chars")
    if got is None:
        got = cache["chars"] = frozenset(label_key(h)[k] for _, h in spec.outline_labels for k in range(2, 4))
    return got


def _maybe_heading(head: str, spec: FormSpec) -> bool:
    """A cheap test before the real one: a heading's words begin within its first few characters."""
    chars = _heading_chars(spec)
    return any(ch in chars for ch in head[:12])


def _after(body: str, words: str) -> str | None:
    """The text following a heading's words in the same line."""
    k = 0
    for i, ch in enumerate(body):
        if label_key(ch):
            if k == len(words):
                return body[i:].lstrip("。.:：，, ")
            if ch != words[k] and label_key(ch) != words[k]:
                return None
            k += 1
    return None


def read_text(lines: list[str], tables_at: list[int], table_heads: list[str], spec: FormSpec, page_title: str = "", meta_dates=()) -> Text:
    """Everything the document's text states (see the module)."""
    out = Text()
    heads: list[tuple[int, str, str]] = []  # (position, key, rest); tables sit at -1 - index
    for i, line in enumerate(lines):
        hit = heading_key(line, spec)
        if hit is not None and hit[0] not in out.headings:
            out.headings[hit[0]] = i
            heads.append((i, hit[0], hit[1]))
    for k, head in enumerate(table_heads):
        hit = heading_key(head, spec) if head else None
        if hit is not None and hit[0] not in out.headings:
            out.headings[hit[0]] = tables_at[k]
    first = min([i for i, _, _ in heads] + list(tables_at[:1]) + [len(lines)])
    out.title = _title(lines[:first], spec)
    out.summary = _summary_line(lines[:first], spec)
    if out.title is None and page_title:
        for part in re.split(r"[_|｜—–-]+", page_title):
            got = parse_title(part, spec)
            if got:
                out.title = (got[0], got[1], -1)
                break
    _sections(lines, tables_at, heads, spec, out)
    for i, line in enumerate(lines[:first]):
        m = _DATE_LINE.search(unicodedata.normalize("NFKC", line))
        if m and parse_date(m.group(1).replace(" ", "")):
            out.published = (m.group(1).replace(" ", ""), i)
            break
    if out.published is None:
        for raw in meta_dates:
            d = parse_date(raw.strip()[:10])
            if d:
                out.published = (d.isoformat(), -1)
                break
    if out.published is None and out.signed_on is not None:
        out.published = out.signed_on
    _fees(spec, out)
    return out


def _title(lines: list[str], spec: FormSpec) -> tuple[str, int | None, int] | None:
    best = None
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        got = parse_title(line, spec)
        if got is None:
            nxt = next((j for j in range(i + 1, min(i + 3, len(lines))) if lines[j].strip()), None)
            if nxt is not None and len(line) < 60:
                got = parse_title(line + lines[nxt], spec)
        if got is not None:
            if got[1] is not None:
                return got[0], got[1], i
            best = best or (got[0], got[1], i)
    return best


def _summary_pattern(spec: FormSpec) -> re.Pattern | None:
    """The line under a summary's title as the publisher writes it (spec.document.subtitle):
    （汇总报告，汇总单位数：5）."""
    words = spec.document
    if words is None or not words.subtitle or "covers" not in spec.meta:
        return None
    fill = {
        "kind": f"(?P<kind>{re.escape(spec.summary_kind)})",
        "label": re.escape(spec.meta["covers"].label),
        "covers": r"(?P<covers>\d{1,6})",
    }
    parts = []
    for literal, name, _spec, _conv in string.Formatter().parse(words.subtitle):
        parts.append(re.escape(_compact(literal)))
        if name:
            parts.append(fill[name])
    return re.compile("^" + "".join(parts) + "$")


def _summary_line(lines: list[str], spec: FormSpec) -> tuple[str, int, int] | None:
    pattern = _summary_pattern(spec)
    if pattern is None:
        return None
    for i, line in enumerate(lines):
        m = pattern.match(_compact(line)) if len(line) < 60 else None
        if m:
            return m.group("kind"), int(m.group("covers")), i
    return None


def _sections(lines: list[str], tables_at: list[int], heads, spec: FormSpec, out: Text) -> None:
    texts = {s.key for s in spec.sections}
    stops = sorted({i for i, _, _ in heads} | set(tables_at))
    for i, key, rest in heads:
        if key not in texts:
            continue
        end = next((s for s in stops if s > i), len(lines))
        body = [rest] if rest else []
        body += lines[i + 1 : end] if end > i else []
        if spec.outline and key == spec.outline[-1]:
            body = _until_signature(body, i + 1, out)
        while body and not body[-1].strip():
            body.pop()
        while body and not body[0].strip():
            body.pop(0)
        text = "\n".join(line.rstrip() for line in body)
        if text.strip():
            out.sections[key] = (text, i)


def _until_signature(body: list[str], start: int, out: Text) -> list[str]:
    """The last section's lines before the signature (agency, date) or a page footer."""
    for k, line in enumerate(body):
        if any(mark in line for mark in _FOOTER):
            body = body[:k]
            break
    for k in range(len(body) - 1, -1, -1):
        if not body[k].strip():
            continue
        if date_of(body[k]):
            out.signed_on = (body[k].strip(), start + k)
            j = k - 1
            while j >= 0 and not body[j].strip():
                j -= 1
            if j >= 0 and len(body[j].strip()) <= 40 and not any(p in body[j] for p in SENTENCE_PUNCT):
                out.signature = (body[j].strip(), start + j)
                return body[:j]
            return body[:k]
        break
    return body


def _fees(spec: FormSpec, out: Text) -> None:
    """Fee figures stated in a sentence (section 六 first, then the others)."""
    phrases = [p for p in spec.phrases if len(p.cells) == 1 and spec.table[spec.cells[p.cells[0]].table].in_text]
    if not phrases:
        return
    hints = {p.hint or p.needs for p in phrases}
    order = [k for k in (spec.outline[-1:] if spec.outline else ()) if k in out.sections]
    order += [k for k in out.sections if k not in order]
    for key in order:
        text, line = out.sections[key]
        if not any(h in text for h in hints):
            continue
        body = unicodedata.normalize("NFKC", text)
        for sentence in _SENTENCE.findall(body):
            if not any(h in sentence for h in hints):
                continue
            for phrase in phrases:
                cid = phrase.cells[0]
                if cid in out.fees or (phrase.hint and phrase.hint not in sentence) or (phrase.needs and phrase.needs not in sentence):
                    continue
                m = phrase.pattern.search(sentence)
                if m:
                    value = 0.0 if phrase.zero else float(m.group("n").replace(",", "").replace("零", "0"))
                    at = line + body[: body.find(sentence)].count("\n") + 1
                    out.fees[cid] = (value, at)
                    for implied in phrase.implies if phrase.zero else ():  # 未发出收费通知: nor any notice amount
                        out.fees.setdefault(implied, (0.0, at))


def stated_fees(spec: FormSpec, sections: dict[str, str]) -> dict[str, float]:
    """The fee figures the text sections state, as a document's reader reads them (the
    publisher asks this to know whether section 六 states every fee figure)."""
    out = Text(sections={key: (text, 0) for key, text in sections.items() if text})
    _fees(spec, out)
    return {cid: value for cid, (value, _line) in out.fees.items()}


__all__ = ["Text", "read_text", "parse_title", "heading_key", "date_of", "stated_fees"]
