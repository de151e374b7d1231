"""Thai text out of PDFs (and Word files) → standard Unicode, and a check of what repair could not fix.

Contract: `repair(text)` is idempotent and leaves correct Thai unchanged, except what PyThaiNLP's
`normalize` folds (on the guide's 139 paragraphs it changes 2: the source's own doubled vowel
"สัญญาาร่วม"). It applies, in order, the rules in `RULES` (each is also a public function, tested one
by one), then `normalize` line by line (it would otherwise fold blank lines, i.e. paragraph breaks):

1. `drop_controls` — C0/C1 control characters (keeps tab and newline). A glyph without a ToUnicode entry
   comes out of pdfium as its character code (fpdf2 with text shaping writes such glyphs for the second
   half of a decomposed ำ: "คำ\\x11").
2. `map_pua` — the glyph variants legacy Thai fonts put in the Private Use Area (U+F700–U+F71A, the
   Microsoft/Apple layout that Debian's TLWG fonts also carry, plus TLWG's U+F71E/U+F71F): shifted-left
   and lowered tone marks and vowels, ญ/ฐ without descender → their standard code points.
3. `join_spaced_marks` — a space before a combining mark ("ต ้องการ" → "ต้องการ"): a mark never starts
   a word, so the space is always the extractor's.
4. `compose_sara_am` — nikhahit + (tone) + sara aa → (tone) + sara am ("คํานํา" → "คำนำ", "นํ้า" → "น้ำ").
5. `reorder_marks` — marks written after a leading vowel go back to the consonant before it
   ("ผใู้ห้" → "ผู้ให้"); a tone mark or thanthakhat before the vowel above/below → after it
   ("ฟ้ืน" → "ฟื้น"); a tone after a following vowel → before it ("นำ้" → "น้ำ").

What cannot be repaired is what `check` counts (run it on the text after the rules, before `normalize`,
whose `remove_dangling` would delete the evidence): Thai PUA code points left (U+F71B–U+F71D and any
the table misses), dangling marks (a combining mark not after a consonant or another mark), and
"consonant (+ its marks) + space + า", which is sara am whose nikhahit the extractor dropped ("ค าน า",
"น้ า": the word cannot be known; no Thai word starts with า). A page fails above `DANGLING_MAX`/`SPLIT_AM_MAX` or with any Thai PUA left; the
guide's own text (30,291 Thai letters) has 0 of all three. Other PUA characters (symbol-font bullets
such as U+F0B7) are not Thai and are not counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

CONSONANTS = "\u0e01-\u0e2e"  # ก … ฮ, ฤ and ฦ included
LEAD_VOWELS = "\u0e40-\u0e44"  # เ แ โ ใ ไ
FOLLOW_VOWELS = "\u0e30\u0e32\u0e33\u0e45"  # ะ า ำ ๅ
TONES = "\u0e48-\u0e4b"  # ่ ้ ๊ ๋
VOWELS_ON = "\u0e31\u0e34-\u0e3a\u0e47"  # ั ิ ี ึ ื ุ ู ฺ ็ : vowels above and below
MARKS = "\u0e31\u0e34-\u0e3a\u0e47-\u0e4e"  # every combining Thai mark
NIKHAHIT, SARA_AA, SARA_AM = "\u0e4d", "\u0e32", "\u0e33"

# Legacy font glyph variants → standard code points (glyph names from TLWG's Garuda.ttf).
PUA = {
    0xF700: "\u0e10",  # ฐ without descender (before ุ ู)
    0xF701: "\u0e34", 0xF702: "\u0e35", 0xF703: "\u0e36", 0xF704: "\u0e37",  # ิ ี ึ ื shifted left (ป ฝ ฟ ฬ)
    0xF705: "\u0e48", 0xF706: "\u0e49", 0xF707: "\u0e4a", 0xF708: "\u0e4b", 0xF709: "\u0e4c",  # low, left
    0xF70A: "\u0e48", 0xF70B: "\u0e49", 0xF70C: "\u0e4a", 0xF70D: "\u0e4b", 0xF70E: "\u0e4c",  # low
    0xF70F: "\u0e0d",  # ญ without descender
    0xF710: "\u0e31", 0xF711: "\u0e4d", 0xF712: "\u0e47",  # ั ํ ็ shifted left
    0xF713: "\u0e48", 0xF714: "\u0e49", 0xF715: "\u0e4a", 0xF716: "\u0e4b", 0xF717: "\u0e4c",  # left
    0xF718: "\u0e38", 0xF719: "\u0e39", 0xF71A: "\u0e3a",  # ุ ู ฺ lowered (under ฎ ฏ)
    0xF71E: "\u0e4d", 0xF71F: "\u0e47",  # TLWG: ํ ็ raised
}
THAI_PUA = re.compile("[\uf700-\uf71f]")
PUA_MARKS = re.compile("[\uf701-\uf70e\uf710-\uf71f]")  # all but the two consonants: no advance

# A page fails with more than this many dangling marks / split sara am, or with any Thai PUA left.
# Correct Thai has none: 0 in the guide. A legacy page that lost its nikhahits has about one "ค า" per
# 100 Thai letters (the guide: 302 ำ in 30,291 letters), so a short page of 300 letters shows ~3.
DANGLING_MAX = 2
SPLIT_AM_MAX = 2

_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACED_MARK = re.compile(f"(?<=[\u0e01-\u0e4e])[ \u00a0]+(?=[{MARKS}])")
_SPLIT_AM = re.compile(f"{NIKHAHIT}([{TONES}]?)[ \u00a0]?{SARA_AA}")
_MARKS_AFTER_LEAD = re.compile(f"([{CONSONANTS}][{MARKS}]*)([{LEAD_VOWELS}]+)([{MARKS}]+)")
_TONE_BEFORE_VOWEL = re.compile(f"([{TONES}\u0e4c]+)([{VOWELS_ON}]+)")
_TONE_AFTER_FOLLOW = re.compile(f"([{CONSONANTS}][{VOWELS_ON}]*)([{FOLLOW_VOWELS}])([{TONES}]+)")
_DANGLING = re.compile(f"(?<![{CONSONANTS}{MARKS}])[{MARKS}]")
_CONSONANT_SPACE_AA = re.compile(f"[{CONSONANTS}][{MARKS}]*[ \u00a0]+{SARA_AA}")
_THAI_LETTER = re.compile("[\u0e01-\u0e5b]")


def drop_controls(text: str) -> str:
    return _CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def map_pua(text: str) -> str:
    return text.translate(PUA)


def join_spaced_marks(text: str) -> str:
    return _SPACED_MARK.sub("", text)


def compose_sara_am(text: str) -> str:
    return _SPLIT_AM.sub(rf"\1{SARA_AM}", text)


def reorder_marks(text: str) -> str:
    text = _MARKS_AFTER_LEAD.sub(r"\1\3\2", text)
    text = _TONE_BEFORE_VOWEL.sub(r"\2\1", text)
    return _TONE_AFTER_FOLLOW.sub(r"\1\3\2", text)


RULES = (drop_controls, map_pua, join_spaced_marks, compose_sara_am, reorder_marks)


def apply_rules(text: str) -> str:
    """The repair rules without PyThaiNLP's normalize (what `check` should see)."""
    for rule in RULES:
        text = rule(text)
    return text


def normalize_lines(text: str) -> str:
    from pythainlp.util import normalize

    return "\n".join(normalize(line) for line in text.split("\n"))


def repair(text: str) -> str:
    return normalize_lines(apply_rules(text))


@dataclass(frozen=True)
class Quality:
    thai_letters: int
    pua: int  # Thai legacy PUA code points left
    dangling: int  # combining marks with no consonant to sit on
    split_sara_am: int  # "consonant (+ its marks) + space + า"

    @property
    def reasons(self) -> tuple[str, ...]:
        """The failed checks, by name: "pua", "dangling", "split_sara_am"; empty when the text passes."""
        failed = []
        if self.pua:
            failed.append("pua")
        if self.dangling > DANGLING_MAX:
            failed.append("dangling")
        if self.split_sara_am > SPLIT_AM_MAX:
            failed.append("split_sara_am")
        return tuple(failed)

    @property
    def ok(self) -> bool:
        return not self.reasons


def check(text: str) -> Quality:
    """Count what repair could not fix; pass it the output of `apply_rules`."""
    return Quality(
        thai_letters=len(_THAI_LETTER.findall(text)),
        pua=len(THAI_PUA.findall(text)),
        dangling=len(_DANGLING.findall(text)),
        split_sara_am=len(_CONSONANT_SPACE_AA.findall(text)),
    )
