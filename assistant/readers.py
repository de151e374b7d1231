"""One reader per file type, each turning a corpus file into the same `Document` of `Section`s.

`READERS` maps a suffix (lower case) to its reader; `corpus.corpus_files`/`load_corpus` go through it.

- `.md`, `.txt`: `corpus.load_document`, unchanged (the guide's own parser when its `.meta.json` says so).
- `.pdf` (pypdfium2, BSD-3/Apache-2.0): text page by page, lines and spaces rebuilt from each glyph's
  baseline and advance box (not from pdfium's generated line breaks and spaces, which split a line after
  a mark the font draws above it, as Loma and Waree do when fpdf2 shapes them, and misplace spaces around
  marks drawn out of order), paragraphs from the gaps between lines. Headings come from the outline
  (bookmarks) when the PDF has one, matched to the text on the bookmark's page (or put at the top of that
  page when the text does not carry the title); otherwise from font sizes: a paragraph set at least
  `HEADING_RATIO` × the body size (the size most characters use), one level per distinct size, at most
  `MAX_LEVELS` (bold at body size is not a heading). Headers and footers (a page number alone, or the same
  line first or last on at least `REPEAT_SHARE` of the pages) are dropped. Two columns side by side are
  read in the order the PDF draws them; a paragraph cut by a page break stays two paragraphs.
- `.docx` (python-docx): paragraphs and table rows in order; headings from Heading n styles (also a
  style based on one, a Thai "หัวเรื่อง n" name, or an outline level); Word files carry no pages.

Thai text goes through `thai_repair.repair`; each PDF page (each Word section, between two headings) is
checked by `thai_repair.check`. **A page that fails is skipped, not indexed**: its text is dropped
(outline headings pointing at it stay, with no text) and a `PageProblem` naming the file and the page
(`message()` in Thai) is put on `Document.problems` and logged as a warning. A page with an image and no
text (a scan) is reported as "no_text"; there is no OCR.

Sections: ids "<document>/<n>" in reading order, `path` from the heading levels, text before the first
heading under the document's title. `Section.page` is the printed page: the PDF's page label when it is
a number (Thai digits too), None for a page whose label is not a number (front matter, as the guide's
parser does), the page's position in the file when the PDF has no labels; Word: None. A section's text
that runs onto later pages continues in child sections of kind "page" (same title and path, the later
page), so a passage is cited with the page it is on. The title is the PDF's Title metadata / Word's core
title, else the first heading, else the file name; the id is the file name without its suffix.

Optional libraries are imported only when a file of their type is read; a missing one raises a
RuntimeError that says what to install.
"""

from __future__ import annotations

import ctypes
import logging
import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from assistant import messages
from assistant.corpus import Document, Section, load_document, squash
from assistant.thai_repair import PUA_MARKS, Quality, apply_rules, check, normalize_lines, repair

log = logging.getLogger(__name__)

HEADING_RATIO = 1.1  # body text 14 pt → a heading from 15.4 pt (16 pt over 14 is common)
MAX_LEVELS = 3
MAX_HEADING_CHARS = 200
REPEAT_SHARE = 0.3  # a line first/last on ≥ 30% of pages (and ≥ 3 of them) is a running header/footer
# Lines: a glyph whose baseline is more than half its size away starts a new line. Paragraphs: a gap over
# 1.3 × the page's median line pitch or over 2 × the font size, or a change of size over 10% (the test
# PDFs set lines 1.6 × the size apart and paragraphs 2.5 ×; the guide as a PDF comes back with all 51
# bookmarked headings and CER 6e-05).
LINE_JUMP = 0.5
PARA_PITCH = 1.3
PARA_SIZE = 2.0
SIZE_CHANGE = 0.1
# Between "loose" boxes (advance widths, not ink) neighbouring glyphs touch (gap 0.0) and Garuda's space
# is 0.34 em (4.8 pt at 14 pt). Ink boxes would not do: "1" and "." are 0.26 em apart in Garuda.
WORD_GAP = 0.15
PAGE_NUMBER = re.compile(r"^[-–—(\[\s]*(?:หน้า|page)?\s*[0-9๐-๙]+\s*(?:/\s*[0-9๐-๙]+)?[-–—)\]\s]*$", re.I)
THAI_END = re.compile("[\u0e01-\u0e4e]$")
THAI_START = re.compile("^[\u0e01-\u0e4e]")


class UnreadableDocument(ValueError):
    """A file the reader cannot open (encrypted, damaged, not what its name says); `thai` for users."""

    def __init__(self, path: Path, why: str, thai_reason: str):
        super().__init__(f"cannot read {path.name}: {why}")
        self.path = path
        self.thai = messages.DOCUMENT_UNREADABLE.format(name=path.name, reason=thai_reason)


@dataclass(frozen=True)
class PageProblem:
    """A page (PDF) or section (Word) whose text was not indexed, and why."""

    document: str  # the file name
    page: int | None  # 1-based position in the PDF; None for Word
    label: str  # the PDF's printed page label, or the Word heading; "" when none
    reasons: tuple[str, ...]  # "pua" | "dangling" | "split_sara_am" | "no_text"
    quality: Quality | None = None
    sample: str = ""  # the start of the text as read, after repair

    def message(self) -> str:
        if self.page is None:
            where = messages.PROBLEM_SECTION.format(title=self.label or "-")
        elif self.label and self.label != str(self.page):
            where = messages.PROBLEM_PAGE.format(page=self.page, label=self.label)
        else:
            where = messages.PROBLEM_PAGE_PLAIN.format(page=self.page)
        q = self.quality
        counts = {"pua": q.pua if q else 0, "dangling": q.dangling if q else 0,
                  "split_sara_am": q.split_sara_am if q else 0}
        why = "; ".join(messages.PROBLEM_REASONS[r].format(n=counts.get(r, 0)) for r in self.reasons)
        return messages.PAGE_NOT_INDEXED.format(document=self.document, where=where, reasons=why)


@dataclass
class Block:
    """A paragraph or a heading, in reading order."""

    text: str
    page: int | None  # what sections cite (see the module docstring)
    level: int | None = None  # heading level from 1; None for body text
    size: float = 0.0
    page_index: int | None = None  # 0-based page of the PDF


@dataclass
class Line:
    text: str
    size: float
    y: float  # baseline, PDF units (upwards)


@dataclass
class PdfPage:
    index: int  # 0-based
    label: str  # printed label; "" when the PDF has none for it
    number: int | None  # what sections cite
    paragraphs: list[tuple[str, float]] = field(default_factory=list)  # repaired text, font size
    quality: Quality | None = None
    has_images: bool = False

    @property
    def text(self) -> str:
        return "\n\n".join(t for t, _ in self.paragraphs)


# --------------------------------------------------------------------------- the table


def read_text(path: Path) -> Document:
    return load_document(path)


def _require(module: str, package: str, suffix: str):
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:  # an optional part: say how to get it
        raise RuntimeError(f"reading {suffix} files needs {package}: pip install {package} "
                           f"(or pip install -e . in the checkout)") from exc


def read_document(path: Path) -> Document:
    reader = READERS.get(path.suffix.lower())
    if reader is None:
        raise ValueError(f"no reader for {path.name}: corpus files are {', '.join(READERS)}")
    doc = reader(path)
    for section in doc.sections.values():
        section.document_title = doc.title
    for problem in doc.problems:
        log.warning("%s", problem.message())
    return doc


# --------------------------------------------------------------------------- sections


def build_sections(doc_id: str, title: str, blocks: list[Block]) -> dict[str, Section]:
    """Blocks (headings with levels, paragraphs with pages) → the section tree described above."""
    sections: dict[str, Section] = {}
    page_of: dict[str, int | None] = {}  # the PDF page a section's text is on
    open_heads: list[tuple[int, Section]] = []  # (level, heading section), outermost first
    current: Section | None = None  # receives paragraphs
    owner: Section | None = None  # the heading section `current` belongs to

    def new(title_: str, kind: str, b: Block, parent: Section | None, path: tuple[str, ...]) -> Section:
        sid = f"{doc_id}/{len(sections) + 1}"
        sections[sid] = sec = Section(sid, doc_id, title_, kind, b.page, "", parent.id if parent else None,
                                      [], path)
        page_of[sid] = b.page_index
        if parent:
            parent.children.append(sid)
        return sec

    for b in blocks:
        if b.level is not None:
            while open_heads and open_heads[-1][0] >= b.level:
                open_heads.pop()
            parent = open_heads[-1][1] if open_heads else None
            current = owner = new(b.text, "section", b, parent, (*(parent.path if parent else ()), b.text))
            open_heads.append((b.level, current))
            continue
        if current is None or owner is None:
            current = owner = new(title, "section", b, None, (title,))
        elif current.text and b.page_index != page_of[current.id]:
            current = new(owner.title, "page", b, owner, owner.path)
        elif not current.text:  # the heading's text starts on a later page than the heading
            page_of[current.id] = b.page_index
        current.text = f"{current.text}\n\n{b.text}" if current.text else b.text
    return sections


# --------------------------------------------------------------------------- PDF


def _pdf_lines(textpage, raw) -> list[Line]:
    """Lines from glyph baselines; spaces are the PDF's own, or a gap over `WORD_GAP` em between two
    spacing glyphs (marks do not count). pdfium's generated spaces and line breaks are not used: between
    glyphs drawn as separate text objects, as legacy producers write them, it leaves spaces out and puts
    them in after a mark drawn back over its consonant ("ฟแู ละ")."""
    lines: list[Line] = []
    chars: list[str] = []
    sizes: list[float] = []
    line_y = last_x = last_right = 0.0
    x, y = ctypes.c_double(), ctypes.c_double()
    box = raw.FS_RECTF()

    def flush() -> None:
        text = "".join(chars).rstrip(" ") + (" " if chars and chars[-1] == " " else "")
        if text.strip():
            lines.append(Line(text, statistics.median(sizes) if sizes else 0.0, line_y))

    for i in range(raw.FPDFText_CountChars(textpage)):
        ch = chr(raw.FPDFText_GetUnicode(textpage, i))
        if raw.FPDFText_IsGenerated(textpage, i) or ch in "\r\n":
            continue
        raw.FPDFText_GetCharOrigin(textpage, i, x, y)
        raw.FPDFText_GetLooseCharBox(textpage, i, box)
        size = raw.FPDFText_GetFontSize(textpage, i)
        ref = max(size, statistics.median(sizes) if sizes else size)
        if not chars or abs(y.value - line_y) > LINE_JUMP * ref or x.value < last_x - 2 * ref:
            flush()
            chars, sizes, line_y, last_right = [], [], y.value, box.left
        spacing = not (ch.isspace() or unicodedata.category(ch) == "Mn" or PUA_MARKS.match(ch))
        if spacing and chars and chars[-1] != " " and box.left - last_right > WORD_GAP * ref:
            chars.append(" ")
        chars.append(ch)
        if not ch.isspace():
            sizes.append(round(size, 1))
        if spacing:
            last_right = box.right
        last_x = x.value
    flush()
    return lines


def join_lines(a: str, b: str) -> str:
    """A wrapped line: Thai ends and starts join directly (Thai has no spaces between words)."""
    if not a:
        return b.strip()
    if a.endswith((" ", "\u00a0")):
        return a.rstrip() + " " + b.lstrip()
    if THAI_END.search(a) and THAI_START.search(b.lstrip()):
        return a + b.lstrip()
    return a + " " + b.lstrip()


def _pdf_paragraphs(lines: list[Line]) -> list[tuple[str, float]]:
    gaps = [p.y - q.y for p, q in zip(lines, lines[1:], strict=False) if p.y - q.y > 0]
    pitch = statistics.median(gaps) if gaps else 0.0
    paras: list[tuple[str, float]] = []
    prev: Line | None = None
    for line in lines:
        gap = prev.y - line.y if prev else 0.0
        same = prev is not None and 0 < gap <= PARA_PITCH * pitch + 0.5 and gap <= PARA_SIZE * max(line.size, 1) \
            and abs(line.size - prev.size) <= SIZE_CHANGE * max(prev.size, 1)
        if same:
            text, size = paras[-1]
            paras[-1] = (join_lines(text, line.text), size)
        else:
            paras.append((line.text.lstrip(), line.size))
        prev = line
    return [(t.strip(), s) for t, s in paras]


def _open_pdf(path: Path):
    pdfium = _require("pypdfium2", "pypdfium2", ".pdf")
    try:
        return pdfium.PdfDocument(path)
    except pdfium.PdfiumError as exc:
        encrypted = "password" in str(exc).lower()
        raise UnreadableDocument(path, str(exc), messages.UNREADABLE_ENCRYPTED if encrypted
                                 else messages.UNREADABLE_DAMAGED) from exc


def pdf_pages(path: Path) -> tuple[PdfPage, ...]:
    """Every page of the PDF: label, cited number, repaired paragraphs and their check."""
    pdf = _open_pdf(path)
    try:
        return _pages(pdf)
    finally:
        pdf.close()


def _pages(pdf) -> tuple[PdfPage, ...]:
    raw = _require("pypdfium2.raw", "pypdfium2", ".pdf")
    labels = [pdf.get_page_label(i) for i in range(len(pdf))]
    out = []
    for i, label in enumerate(labels):
        page = pdf[i]
        textpage = page.get_textpage()
        try:
            paras = _pdf_paragraphs(_pdf_lines(textpage, raw))
            has_images = any(True for _ in page.get_objects(filter=[raw.FPDF_PAGEOBJ_IMAGE], max_depth=2))
        finally:
            textpage.close()
            page.close()
        ruled = [(apply_rules(t), s) for t, s in paras]
        quality = check("\n".join(t for t, _ in ruled))
        out.append(PdfPage(i, label, _page_number(label, i, any(labels)),
                           [(normalize_lines(t), s) for t, s in ruled if t.strip()], quality, has_images))
    return tuple(out)


def _page_number(label: str, index: int, has_labels: bool) -> int | None:
    if not has_labels:
        return index + 1
    return int(label) if label.strip().isdecimal() else None


def _outline(pdf) -> list[tuple[int, str, int | None]]:
    """(level from 1, title, 0-based page) per bookmark, in order."""
    out = []
    for bm in pdf.get_toc():
        dest = bm.get_dest()
        out.append((bm.level + 1, repair(bm.get_title() or "").strip(), dest.get_index() if dest else None))
    return out


def _furniture(pages: tuple[PdfPage, ...]) -> set[tuple[int, int]]:
    """(page, paragraph) positions of running headers/footers and lone page numbers."""
    ends: Counter[str] = Counter()

    def key(text: str) -> str:
        return re.sub(r"[0-9๐-๙]+", "#", squash(text))

    for p in pages:
        for pos in {0, len(p.paragraphs) - 1} if p.paragraphs else ():
            ends[key(p.paragraphs[pos][0])] += 1
    repeated = {k for k, n in ends.items() if n >= max(3, REPEAT_SHARE * len(pages))}
    out = set()
    for p in pages:
        for pos in {0, len(p.paragraphs) - 1} if p.paragraphs else ():
            text = p.paragraphs[pos][0]
            if PAGE_NUMBER.match(text) or key(text) in repeated:
                out.add((p.index, pos))
    return out


def _font_levels(blocks: list[Block]) -> None:
    """Mark headings by font size, in place (used when the PDF has no outline)."""
    weight: Counter[float] = Counter()
    for b in blocks:
        weight[round(b.size * 2) / 2] += len(b.text)
    if not weight:
        return
    body = weight.most_common(1)[0][0]
    sizes = sorted({round(b.size * 2) / 2 for b in blocks
                    if b.size >= HEADING_RATIO * body and len(b.text) <= MAX_HEADING_CHARS}, reverse=True)
    levels = {s: min(n + 1, MAX_LEVELS) for n, s in enumerate(sizes)}
    for b in blocks:
        if len(b.text) <= MAX_HEADING_CHARS:
            b.level = levels.get(round(b.size * 2) / 2)


def _place_outline(blocks: list[Block], outline: list[tuple[int, str, int | None]],
                   pages: tuple[PdfPage, ...]) -> list[Block]:
    """Each bookmark becomes a heading: the paragraph(s) on its page that carry its title (a title set
    over two paragraphs is joined; one run into its paragraph is split off), else a heading block put at
    the top of that page."""
    out = list(blocks)
    for level, title, index in outline:
        if index is None or not title or index >= len(pages):
            continue
        target = squash(title)
        found = False
        for n, b in enumerate(out):
            if b.page_index != index or b.level is not None:
                continue
            s = squash(b.text)
            end = n + 1
            while target.startswith(s) and s != target and end < len(out) and out[end].page_index == index \
                    and out[end].level is None:
                s += squash(out[end].text)
                end += 1
            if s == target:
                out[n:end] = [Block(title, b.page, level, b.size, index)]
            elif s.startswith(target) and end == n + 1:  # the heading runs into its paragraph
                out[n:end] = [Block(title, b.page, level, b.size, index),
                              Block(_after_prefix(b.text, target), b.page, None, b.size, index)]
            else:
                continue
            found = True
            break
        if not found:
            at = next((n for n, b in enumerate(out) if b.page_index is not None and b.page_index >= index),
                      len(out))
            while at < len(out) and out[at].page_index == index and out[at].level is not None:
                at += 1  # headings already placed at the top of this page stay first
            out.insert(at, Block(title, pages[index].number, level, 0.0, index))
    return out


def _after_prefix(text: str, prefix_squashed: str) -> str:
    n = 0
    for i, ch in enumerate(text):
        if not ch.isspace():
            n += 1
        if n == len(prefix_squashed):
            return text[i + 1:].strip()
    return ""


def read_pdf(path: Path) -> Document:
    pdf = _open_pdf(path)
    try:
        pages, outline = _pages(pdf), _outline(pdf)
        meta_title = repair(pdf.get_metadata_value("Title") or "").strip()
    finally:
        pdf.close()
    problems = []
    skipped: set[int] = set()
    for p in pages:
        if p.quality and not p.quality.ok:
            reasons = p.quality.reasons
        elif not p.paragraphs and p.has_images:
            reasons = ("no_text",)
        else:
            continue
        skipped.add(p.index)
        problems.append(PageProblem(path.name, p.index + 1, p.label, reasons, p.quality, p.text[:80]))
    furniture = _furniture(pages)
    blocks = [Block(t, p.number, None, s, p.index) for p in pages if p.index not in skipped
              for pos, (t, s) in enumerate(p.paragraphs) if (p.index, pos) not in furniture]
    if outline:
        blocks = _place_outline(blocks, outline, pages)
    else:
        _font_levels(blocks)
    title = meta_title
    if not title or re.search(r"\.(docx?|pdf)$|^Microsoft Word", title, re.I):
        title = next((b.text for b in blocks if b.level is not None), path.stem)
    doc = Document(path.stem, title, path, build_sections(path.stem, title, blocks))
    doc.problems = problems
    doc.pages = len(pages)
    return doc


# --------------------------------------------------------------------------- Word

_HEADING_STYLE = re.compile(r"^(?:heading|หัวเรื่อง)\s*([1-9])$", re.I)


def _docx_level(paragraph) -> int | None:
    """Heading n (also through a style's base styles), Title as 1, or an outline level; else None."""
    def outline_level(element) -> int | None:
        ppr = element.pPr if element is not None else None
        lvl = ppr.find("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}outlineLvl") \
            if ppr is not None else None
        if lvl is None:
            return None
        val = int(lvl.get("{http://schemas.openxmlformats.org/wordprocessingml/2006/main}val", "9"))
        return val + 1 if val < 9 else None

    if (own := outline_level(paragraph._p)) is not None:
        return own
    style = paragraph.style
    while style is not None:
        name = style.name or ""
        if m := _HEADING_STYLE.match(name):
            return int(m.group(1))
        if name.lower() == "title":
            return 1
        if (lvl := outline_level(style.element)) is not None:
            return lvl
        style = style.base_style
    return None


def _docx_blocks(doc) -> Iterator[Block]:
    from docx.table import Table

    for item in doc.iter_inner_content():
        if isinstance(item, Table):
            for row in item.rows:
                cells: list[str] = []
                for cell in row.cells:  # a merged cell repeats in every column it spans
                    if not cells or cell.text.strip() != cells[-1]:
                        cells.append(cell.text.strip())
                text = " ".join(c for c in cells if c)
                if text:
                    yield Block(text, None)
            continue
        text = re.sub(r"[ \t]+", " ", item.text).strip()
        if text:
            level = _docx_level(item)
            yield Block(text, None, level if level and len(text) <= MAX_HEADING_CHARS else None)


def read_docx(path: Path) -> Document:
    docx = _require("docx", "python-docx", ".docx")
    try:
        word = docx.Document(str(path))
    except Exception as exc:  # python-docx raises zipfile, KeyError or lxml errors for a bad file
        raise UnreadableDocument(path, f"{type(exc).__name__}: {exc}", messages.UNREADABLE_DAMAGED) from exc
    # Word has no pages: the check runs per heading and the paragraphs under it.
    units: list[list[tuple[Block, str]]] = [[]]
    for b in _docx_blocks(word):
        ruled = apply_rules(b.text)
        if b.level is not None:
            units.append([])
        units[-1].append((Block(normalize_lines(ruled), None, b.level), ruled))
    problems, kept = [], []
    for unit in units:
        body = "\n".join(ruled for b, ruled in unit if b.level is None)
        quality = check(body)
        if body and not quality.ok:
            head = unit[0][0].text if unit[0][0].level is not None else ""
            problems.append(PageProblem(path.name, None, head, quality.reasons, quality, body[:80]))
            kept.extend(b for b, _ in unit if b.level is not None)
        else:
            kept.extend(b for b, _ in unit)
    title = repair(word.core_properties.title or "").strip() or \
        next((b.text for b in kept if b.level is not None), path.stem)
    doc = Document(path.stem, title, path, build_sections(path.stem, title, kept))
    doc.problems = problems
    return doc


READERS: dict[str, Callable[[Path], Document]] = {
    ".md": read_text,
    ".txt": read_text,
    ".pdf": read_pdf,
    ".docx": read_docx,
}
