"""Thai PDFs made in the tests (the guide among them), and the character error rate to compare what
comes back.

`ThaiPdf` lays Thai out with fpdf2 in a TLWG font (Garuda: it carries the legacy PUA glyphs U+F700–F71F;
all 13 TLWG families here have U+F700–F71A, TlwgMono with an advance on its marks, the others with
none), wrapping at PyThaiNLP word boundaries, lines 1.6 × the size apart and paragraphs 2.5 ×. With `legacy=True` each line is drawn glyph by glyph the way a legacy Thai
producer writes its text layer (see `legacy_glyphs`): the page looks right, the text layer carries
- PUA glyph variants: tone marks lowered/shifted left, vowels above shifted left on ป ฝ ฟ ฬ, ญ/ฐ without
  descender and lowered ุ ู under ฎ ฏ (the TLWG font's own variants, Microsoft/Apple PUA layout);
- sara am drawn as nikhahit + sara aa ("คํา", the tone between them: "นํ้า");
- with `scramble=True`, what x-sorting extractors leave: the marks of a consonant written after the
  leading vowel that follows it ("ผใู้ห้"), a tone mark before the vowel above it ("ฟ้ืน"), and a space
  before every 7th cluster's marks ("ต ้องการ"). These are drawn into the text layer on purpose (each
  glyph is placed at its true x, so the page still looks right); pdfium itself does not scramble.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from pathlib import Path

FONT_DIR = Path("/usr/share/fonts/truetype/tlwg")
FONT = FONT_DIR / "Garuda.ttf"
FONT_BOLD = FONT_DIR / "Garuda-Bold.ttf"

MARKS = "\u0e31\u0e34-\u0e3a\u0e47-\u0e4e"
CLUSTER = re.compile(f"[^{MARKS}][{MARKS}]*\u0e33?|[{MARKS}]+", re.S)
ABOVE = {"\u0e31": "\uf710", "\u0e34": "\uf701", "\u0e35": "\uf702", "\u0e36": "\uf703", "\u0e37": "\uf704",
         "\u0e47": "\uf712", "\u0e4d": "\uf711"}  # value: the shifted-left variant
TONES = "\u0e48\u0e49\u0e4a\u0e4b\u0e4c"
TONE_LOW = dict(zip(TONES, "\uf70a\uf70b\uf70c\uf70d\uf70e", strict=True))
TONE_LOW_LEFT = dict(zip(TONES, "\uf705\uf706\uf707\uf708\uf709", strict=True))
TONE_LEFT = dict(zip(TONES, "\uf713\uf714\uf715\uf716\uf717", strict=True))
BELOW_LOW = {"\u0e38": "\uf718", "\u0e39": "\uf719", "\u0e3a": "\uf71a"}
TALL = "ปฝฟฬ"
DESCLESS = {"ญ": "\uf70f", "ฐ": "\uf700"}
LEAD = "เแโใไ"


@dataclass
class Glyph:
    text: str
    cluster: int  # the cluster it belongs to, in logical order
    mark: bool  # drawn with no advance at the end of its cluster's base; else it takes room


def legacy_glyphs(text: str, scramble: bool = False) -> list[Glyph]:
    """The glyphs a legacy Thai producer writes for `text`, in its order."""
    out: list[Glyph] = []
    clusters = CLUSTER.findall(text)
    for n, cl in enumerate(clusters):
        if not cl:  # a leading vowel already written before the marks of the cluster ahead of it
            continue
        base, marks = cl[0], [c for c in cl[1:] if c != "\u0e33"]
        am = cl.endswith("\u0e33") and len(cl) > 1 or base == "\u0e33"
        if base == "\u0e33":
            base = ""
        upper = am or any(m in ABOVE for m in marks)
        tall = base in TALL
        glyphs: list[str] = []
        if am:  # nikhahit first, the tone above it, then sara aa (spacing)
            glyphs.append(ABOVE["\u0e4d"] if tall else "\u0e4d")
        for m in marks:
            if m in ABOVE:
                glyphs.append(ABOVE[m] if tall else m)
            elif m in TONES:
                glyphs.append((TONE_LEFT[m] if tall else m) if upper else
                              (TONE_LOW_LEFT[m] if tall else TONE_LOW[m]))
            elif m in BELOW_LOW:
                glyphs.append(BELOW_LOW[m] if base in "ฎฏ" else m)
                base = DESCLESS.get(base, base)
            else:
                glyphs.append(m)
        if scramble and len(glyphs) >= 2 and glyphs[-1] in {*TONES, *TONE_LEFT.values()} \
                and (glyphs[-2] in ABOVE or glyphs[-2] in ABOVE.values()):
            glyphs[-2], glyphs[-1] = glyphs[-1], glyphs[-2]  # tone before the vowel above it
        if scramble and glyphs and n % 7 == 3:
            glyphs.insert(0, " ")
        if base:
            out.append(Glyph(base, n, False))
        marks_out = [Glyph(g, n, True) for g in glyphs]
        if am:
            marks_out.append(Glyph("\u0e32", n, False))  # after the nikhahit, with its own advance
        nxt = clusters[n + 1] if n + 1 < len(clusters) else ""
        if scramble and marks_out and nxt and nxt[0] in LEAD and not am:
            out.append(Glyph(nxt, n + 1, False))  # the leading vowel first, then the marks
            out.extend(marks_out)
            clusters[n + 1] = ""  # already written
            continue
        out.extend(marks_out)
    return [g for g in out if g.text]


class ThaiPdf:
    """A4 pages in points; paragraphs wrapped at word boundaries; headings in Garuda Bold."""

    def __init__(self, legacy: bool = False, scramble: bool = False, size: float = 14, title: str = ""):
        from fpdf import FPDF

        self.pdf = FPDF(unit="pt", format="A4")
        self.pdf.add_font("th", "", str(FONT))
        self.pdf.add_font("th", "B", str(FONT_BOLD))
        self.pdf.set_auto_page_break(False)
        self.pdf.set_margins(50, 50, 50)
        if title:
            self.pdf.set_title(title)
        self.legacy, self.scramble, self.size = legacy, scramble, size
        self.y = 0.0

    # -- layout ----------------------------------------------------------------
    def add_page(self, label_style: str | None = None, label_start: int | None = None) -> None:
        self.pdf.add_page()
        if label_style:
            self.pdf.set_page_label(label_style=label_style, label_start=label_start)
        self.y = 60.0

    def width(self, text: str, size: float, bold: bool = False) -> float:
        self.pdf.set_font("th", "B" if bold else "", size)
        return self.pdf.get_string_width(text)

    def wrap(self, text: str, size: float, bold: bool = False) -> list[str]:
        from pythainlp.tokenize import word_tokenize

        room = self.pdf.w - 100
        lines, line = [], ""
        for word in word_tokenize(text, engine="newmm", keep_whitespace=True):
            if line and self.width(line + word, size, bold) > room:
                lines.append(line)
                line = word.lstrip()
            else:
                line += word
        if line.strip():
            lines.append(line)
        return lines

    def height(self, paragraphs: list[tuple[str, float, bool]]) -> float:
        return sum(len(self.wrap(t, s, b)) * 1.6 * s + 0.9 * s for t, s, b in paragraphs)

    def paragraph(self, text: str, size: float | None = None, bold: bool = False, bookmark: int | None = None,
                  bookmark_title: str | None = None) -> None:
        size = size or self.size
        if bookmark is not None:
            self.pdf.set_y(self.y - size)
            self.pdf.start_section(bookmark_title or text, level=bookmark, strict=False)
        for line in self.wrap(text, size, bold):
            self.y += 1.6 * size
            self.line(line, 50, self.y, size, bold)
        self.y += 0.9 * size

    def line(self, text: str, x: float, y: float, size: float, bold: bool = False) -> None:
        self.pdf.set_font("th", "B" if bold else "", size)
        if not self.legacy:
            self.pdf.text(x, y, text)
            return
        glyphs = legacy_glyphs(text, self.scramble)
        # Where each glyph goes: the spacing glyphs of the clusters in logical order take room; a mark sits
        # at the end of its cluster's first spacing glyph (the TLWG marks are drawn left of their origin).
        where: dict[int, float] = {}
        mark_x: dict[int, float] = {}
        cursor = x
        for i in sorted((i for i, g in enumerate(glyphs) if not g.mark), key=lambda i: (glyphs[i].cluster, i)):
            where[i] = cursor
            cursor += self.pdf.get_string_width(glyphs[i].text)
            mark_x.setdefault(glyphs[i].cluster, cursor)
        draws: list[list] = []  # [x, text]
        for i, g in enumerate(glyphs):
            if g.text == " " and g.mark and draws:  # a space before a mark: written after the glyph before
                draws[-1][1] += " "  # it, in the same text object, so it shows in the text layer only
            else:
                draws.append([where[i] if i in where else mark_x.get(g.cluster, cursor), g.text])
        for at, glyph in draws:
            self.pdf.text(at, y, glyph)

    def save(self, path: Path) -> Path:
        self.pdf.output(str(path))
        return path


def locked_pdf(path: Path) -> Path:
    """A one-page PDF that needs a password to open (RC4, fpdf2's own encryption)."""
    from fpdf import FPDF

    pdf = FPDF()
    pdf.add_page()
    pdf.set_font("helvetica", size=12)
    pdf.cell(text="secret")
    pdf.set_encryption(owner_password="o", user_password="u")
    pdf.output(str(path))
    return path


def levenshtein(a: str, b: str) -> int:
    """Edit distance, bit-parallel (Myers 1999 / Hyyrö 2001) over Python integers: exact, and fast enough
    for a whole document (35,000 characters of the guide against an edited copy: 0.5 s here)."""
    if not a or not b:
        return len(a) + len(b)
    peq: dict[str, int] = {}
    for i, c in enumerate(a):
        peq[c] = peq.get(c, 0) | (1 << i)
    mask = (1 << len(a)) - 1
    high = 1 << (len(a) - 1)
    pv, mv, score = mask, 0, len(a)
    for c in b:
        eq = peq.get(c, 0)
        xv = eq | mv
        xh = ((((eq & pv) + pv) & mask) ^ pv) | eq
        ph = (mv | ~(xh | pv)) & mask
        mh = pv & xh
        if ph & high:
            score += 1
        elif mh & high:
            score -= 1
        ph = ((ph << 1) | 1) & mask
        mh = (mh << 1) & mask
        pv = (mh | ~(xv | ph)) & mask
        mv = ph & xv
    return score


def cer(reference: str, hypothesis: str) -> float:
    """Character error rate: edits to turn the reference into the hypothesis, per reference character."""
    return levenshtein(reference, hypothesis) / max(1, len(reference))


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@dataclass
class GuidePdf:
    path: Path
    bookmarks: list[tuple[int, str, str]]  # (level, title, the .txt section id)
    labels: list[str]  # printed page label of each PDF page
    reference: list[str]  # the text drawn on each PDF page, paragraphs joined by blank lines


def _guide_layout(raw: str) -> tuple[list[list[str]], list[str]]:
    """The export's pages as paragraphs (markup removed) and each page's printed label. The export puts
    the front matter and the first body page on one page: they become two PDF pages, "i" and "1"."""
    import json

    from assistant.corpus import _GuideParser, clean_markup, parse_guide, split_pages, split_paragraphs
    from assistant.settings import ROOT

    meta = json.loads((ROOT / "corpus" / "collaborative-governance-guide.meta.json").read_text())
    doc = "collaborative-governance-guide"
    unfixed = _GuideParser(doc, raw, meta).parse()
    fixed = parse_guide(doc, raw, meta)
    anchors = sorted((unfixed[e["id"]].page, fixed[e["id"]].page - unfixed[e["id"]].page) for e in meta["toc"])
    first_body = squash(min(meta["toc"], key=lambda e: e["page"])["title"]).split("(")[0][:20]
    notes = tuple(meta["figure_notes"])
    pages: list[list[str]] = []
    labels: list[str] = []
    counter = 0
    for index, page_raw in enumerate(split_pages(raw)):
        paras = [clean_markup(p) for p in split_paragraphs(page_raw)]
        if index == 0:
            cut = next(n for n, p in enumerate(paras) if squash(p).startswith(first_body))
            pages += [paras[:cut], paras[cut:]]
            labels += ["i"]
            counter = 1
        else:
            if not all(p.startswith(notes) for p in paras):
                counter += 1
            pages.append(paras)
        shift = next((d for start, d in reversed(anchors) if counter >= start), 0)
        labels.append(str(counter + shift))
    return pages, labels


def _guide_bookmarks(pages: list[list[str]], labels: list[str]) -> dict[tuple[int, int], tuple[int, str, str]]:
    """(page, paragraph) → (level, title as printed, section id) for the .txt tree's headings, each looked
    for on the PDF pages that carry its printed page (front matter: the unnumbered page)."""
    from assistant.corpus import load_corpus
    from assistant.settings import ROOT

    guide = next(d for d in load_corpus(ROOT / "corpus") if d.id == "collaborative-governance-guide")
    out: dict[tuple[int, int], tuple[int, str, str]] = {}
    taken: set[tuple[int, int]] = set()
    for sec in guide.sections.values():
        if sec.kind not in ("front", "part", "section", "step", "back"):
            continue
        title = sec.title
        if title.endswith("…"):  # a step whose heading is its number only; the title is its first words
            title = f"ขั้นตอนที่ {sec.step}"
        t = squash(title)
        want = str(sec.page) if sec.page else None
        order = range(len(pages) - 1, -1, -1) if sec.kind == "back" else range(len(pages))  # credits: last
        for i in order:
            page = pages[i]
            if (labels[i] if labels[i].isdecimal() else None) != want and sec.kind != "back":
                continue
            for j, para in enumerate(page):
                s = squash(para)
                at = 2 if re.match(r"^\d\.", s) else 0  # "1. รูปแบบ…"
                close = len(s) < 1.2 * len(t) and difflib.SequenceMatcher(None, s, t).ratio() >= 0.9  # ToC wording
                if (i, j) in taken or not (close or s[at:].startswith(t) or
                                           (len(s) - at >= 10 and t.startswith(s[at:]))):
                    continue
                printed = para if close or t.startswith(s[at:]) else _prefix(para, at + len(t))
                out[(i, j)] = (len(sec.path), printed, sec.id)
                taken.add((i, j))
                break
            else:
                continue
            break
    return dict(sorted(out.items()))


def _prefix(text: str, n_squashed: int) -> str:
    n = 0
    for i, ch in enumerate(text):
        n += not ch.isspace()
        if n == n_squashed:
            return text[: i + 1]
    return text


def guide_pdf(path: Path, legacy: bool = True, scramble: bool = True) -> GuidePdf:
    """The guide's text export as a PDF: one page per export page (the first split, see `_guide_layout`),
    its headings as bookmarks and in bold, printed page labels and a page number in the footer."""
    from assistant.settings import ROOT

    raw = (ROOT / "corpus" / "collaborative-governance-guide.txt").read_text(encoding="utf-8")
    pages, labels = _guide_layout(raw)
    heads = _guide_bookmarks(pages, labels)
    doc = ThaiPdf(legacy=legacy, scramble=scramble, title="แนวทางการบริหารราชการแบบมีส่วนร่วม")
    bookmarks = []
    for i, (paras, label) in enumerate(zip(pages, labels, strict=True)):
        doc.add_page(*(("r", 1) if not label.isdecimal() else ("D", int(label))))
        body = 11.0
        while body > 6 and doc.height([(p, body + 3 * ((i, j) in heads), (i, j) in heads)
                                       for j, p in enumerate(paras)]) > doc.pdf.h - 130:
            body -= 0.5
        for j, para in enumerate(paras):
            head = heads.get((i, j))
            if head:
                level, printed, sid = head
                bookmarks.append((level, printed, sid))
                doc.paragraph(printed, body + 3, bold=True, bookmark=level - 1)
                rest = para[len(printed):].strip()
                if rest:
                    doc.paragraph(rest, body)
            else:
                doc.paragraph(para, body)
        if label.isdecimal():
            doc.line(label, doc.pdf.w / 2, doc.pdf.h - 40, 10)
    doc.save(path)
    return GuidePdf(path, bookmarks, labels, ["\n\n".join(p) for p in pages])


def guide_cer(made: GuidePdf, doc) -> float:
    """CER of the guide PDF as read back (`doc`: its `Document`; headings and text in reading order, the title
    page's leading document title left out) against the text drawn on its pages, whitespace ignored."""
    got = squash("".join((s.title if s.kind == "section" else "") + s.text for s in doc.sections.values())[
        len(doc.title):])
    return cer(squash("".join(made.reference)), got)
