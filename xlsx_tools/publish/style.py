"""How the published report looks: the page and type of a Chinese government document
(GB/T 9704-2012 党政机关公文格式), shared by the .docx and the web page.

- A4, margins 37 mm top, 35 mm bottom, 28 mm left, 26 mm right: a 156 × 225 mm text block;
- the title in 方正小标宋简体 二号 (22 pt), centred; section headings in 黑体 三号 (16 pt);
  the text in 仿宋_GB2312 三号 (16 pt), lines 28 pt apart (22 lines a page), first lines
  indented two characters; the tables in 仿宋_GB2312 五号 (10.5 pt);
- the signature, right-aligned: the agency, and the date in Arabic numerals;
- page numbers 「— 1 —」 in the footer.

Offices without these fonts installed get the usual substitutes: each font is declared
with the one Windows always has (仿宋_GB2312 → 仿宋, 方正小标宋简体 → 宋体), and web pages
list them in order.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Font:
    name: str  # as Word and WPS name it
    fallbacks: tuple[str, ...]  # the first is what Windows has
    panose: str  # PANOSE-1 classification (lets Word pick a look-alike)
    family: str  # roman | swiss | modern


TITLE_FONT = Font("方正小标宋简体", ("宋体", "SimSun", "Songti SC", "Noto Serif CJK SC"), "02000000000000000000", "roman")
HEADING_FONT = Font("黑体", ("SimHei", "Heiti SC", "Noto Sans CJK SC"), "02010609060101010101", "modern")
BODY_FONT = Font("仿宋_GB2312", ("仿宋", "FangSong", "STFangsong", "Noto Serif CJK SC"), "02010609030101010101", "modern")
LATIN_FONT = "Times New Roman"
FONTS = (TITLE_FONT, HEADING_FONT, BODY_FONT)

TITLE_PT = 22.0  # 二号
HEADING_PT = 16.0  # 三号
BODY_PT = 16.0  # 三号
TABLE_PT = 10.5  # 五号
FOOTER_PT = 14.0  # 四号
LINE_PT = 28.0  # fixed line pitch of the text: 22 lines on the page
TITLE_LINE_PT = 35.0

PAGE_MM = (210.0, 297.0)  # A4
MARGIN_MM = {"top": 37.0, "bottom": 35.0, "left": 28.0, "right": 26.0}
TEXT_WIDTH_MM = PAGE_MM[0] - MARGIN_MM["left"] - MARGIN_MM["right"]  # 156 mm
CELL_MARGIN_MM = 1.0  # left and right inside a table cell (narrow columns hold two characters)


def css_family(font: Font) -> str:
    """The font and its fallbacks as a CSS font-family list."""
    names = [font.name, *font.fallbacks]
    generic = "sans-serif" if font is HEADING_FONT else "serif"
    return ",".join(f"'{n}'" if " " in n or not n.isascii() else n for n in names) + f",{generic}"


__all__ = [
    "BODY_FONT",
    "BODY_PT",
    "CELL_MARGIN_MM",
    "FONTS",
    "FOOTER_PT",
    "HEADING_FONT",
    "HEADING_PT",
    "LATIN_FONT",
    "LINE_PT",
    "MARGIN_MM",
    "PAGE_MM",
    "TABLE_PT",
    "TEXT_WIDTH_MM",
    "TITLE_FONT",
    "TITLE_LINE_PT",
    "TITLE_PT",
    "css_family",
]
