"""Corpus files → documents made of a tree of sections with stable ids and printed pages.

The guide is a Markdown-ish export of a printed book. Its quirks are handled here, once:
page breaks are runs of blank lines; the title repeats as a running header; figure captions stand
alone with no body (they become figure entries); a paragraph cut by a page break is joined again and
the footnote that sat between its halves is kept apart; Markdown emphasis, ❖ marks and HTML tags
are not content. Stored text is otherwise verbatim (whitespace may differ), because citations quote it.

Any other `.md`/`.txt` in `corpus/` is parsed generically: one section per Markdown heading. Which files
are read, and how (.pdf, .docx too), is `readers.READERS`; `load_corpus` goes through it.
"""

from __future__ import annotations

import difflib
import json
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from assistant import ids

PAGE_BREAK = re.compile(r"\n[ \t\u00a0]*\n[ \t\u00a0]*\n[ \t\u00a0]*\n")
PARA_BREAK = re.compile(r"\n[ \t\u00a0]*\n")
# A list item or a table row starts a paragraph of its own, even without a blank line before it.
ITEM_START = re.compile(r"\n(?=[ \t]*(?:-\s+)?(?:❖|\|\s*\d+\.|\d\t))")
SUPERSCRIPTS = "¹²³⁴⁵⁶⁷⁸⁹⁰"
THAI = "\u0e00-\u0e7f"
MODEL_KEYS = {1: "grant", 2: "contracting", 3: "commissioning"}
PATH_SEPARATOR = " › "  # joins a section's headings in `Section.path_text` (a chunk's title)
MODEL_PARTS = {
    "หลักการพื้นฐาน": "principle",
    "รูปแบบวิธีการ": "method",
    "ภารกิจที่เหมาะสม": "suitable",
    "ขั้นตอนการดำเนินการ": "steps",
}


@dataclass
class Section:
    id: str
    document: str
    title: str
    kind: str  # front | part | section | bullet | step | figure | footnote | back
    page: int | None
    text: str = ""
    parent: str | None = None
    children: list[str] = field(default_factory=list)
    path: tuple[str, ...] = ()
    model: str | None = None
    step: int | None = None
    document_title: str = ""  # set by readers.read_document, for citations that name their document

    @property
    def path_text(self) -> str:
        return PATH_SEPARATOR.join(self.path)


@dataclass
class Document:
    id: str
    title: str
    file: Path
    sections: dict[str, Section]
    pages: int | None = None  # PDF only
    problems: list = field(default_factory=list)  # readers.PageProblem: pages found unreadable, not indexed


@dataclass
class Paragraph:
    text: str  # markup removed, verbatim otherwise
    page: int  # export page (0 = before the body starts)
    raw: str


def squash(text: str) -> str:
    """Whitespace-free form used to compare quotes with the corpus ("whitespace may differ")."""
    return re.sub(r"\s+", "", text)


def clean_markup(raw: str) -> str:
    """Drop Markdown emphasis, list dashes, ❖ marks, HTML tags and table pipes; keep the words."""
    lines = []
    for line in raw.splitlines():
        line = re.sub(r"</?p>", " ", line)
        if re.fullmatch(r"\s*\|?[-| ]*\|?\s*", line):  # table rule or empty table row
            continue
        line = re.sub(r"^\s*-\s+(?=[❖|])", "", line)
        line = line.replace("❖", "").replace("**", "")
        line = re.sub(r"(?<![\w*])\*(?=\S)(.+?)(?<=\S)\*(?!\w)", r"\1", line)
        line = line.replace("|", " ").replace("\t", " ")
        line = re.sub(r"[ \u00a0]+", " ", line).strip()
        if line:
            lines.append(line)
    # A hard line break inside Thai text is not a word break.
    text = ""
    for line in lines:
        if text and not (re.search(f"[{THAI}]$", text) and re.match(f"[{THAI}]", line)):
            text += " "
        text += line
    return text


def split_pages(raw: str) -> list[str]:
    return [p for p in PAGE_BREAK.split(raw) if p.strip()]


def split_paragraphs(page: str) -> list[str]:
    """Blank lines separate paragraphs; each list item or table row is a paragraph of its own."""
    return [item for block in PARA_BREAK.split(page) for item in ITEM_START.split(block) if clean_markup(item)]


def _strip_superscript(text: str) -> tuple[str, str | None]:
    m = re.search(f"([{SUPERSCRIPTS}])$", text)
    if not m:
        return text, None
    return text[: m.start()].rstrip(), str(SUPERSCRIPTS.index(m.group(1)) + 1)


def _short_title(text: str, limit: int = 70) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > 20 else limit].rstrip() + "…"


def _bold_lead(raw: str) -> str | None:
    m = re.search(r"\*\*(.+?)\*\*", raw, flags=re.S)
    return clean_markup(m.group(1)) if m and raw.lstrip("-❖ \n").startswith("**") else None


# --------------------------------------------------------------------------- the guide


class _GuideParser:
    """A small state machine over the guide's paragraphs; headings come from its metadata."""

    def __init__(self, doc_id: str, raw: str, meta: dict):
        self.doc_id = doc_id
        self.raw = raw
        self.meta = meta
        self.sections: dict[str, Section] = {}
        self.toc = {squash(e["title"]): e for e in meta["toc"]}
        self.figure_prefixes = [squash(f) for f in meta.get("figures", [])]
        self.seen_headings: set[str] = set()

    # -- paragraphs with pages ------------------------------------------------
    def paragraphs(self) -> list[Paragraph]:
        pages = split_pages(self.raw)
        notes = tuple(self.meta.get("figure_notes", []))
        title_lines = {squash(clean_markup(p)) for p in split_paragraphs(pages[0])[:2]}
        out: list[Paragraph] = []
        page = 0
        for index, page_raw in enumerate(pages):
            paras = split_paragraphs(page_raw)
            # A page holding only a figure's note belongs to the figure's page.
            if index and not all(clean_markup(p).startswith(notes) for p in paras):
                page += 1
            for pos, p in enumerate(paras):
                text = clean_markup(p)
                if index == 0 and self._is_body_start(text):
                    page = 1
                # Running header: the title page's lines repeated at the top of a body page.
                if page and pos < 2 and self._is_running_header(text, title_lines):
                    continue
                out.append(Paragraph(text, page, p))
        return self._join_page_cuts(out)

    def _is_body_start(self, text: str) -> bool:
        first = min(self.meta["toc"], key=lambda e: e["page"])
        return squash(text).startswith(squash(first["title"]).split("(")[0][:20])

    @staticmethod
    def _is_running_header(text: str, title_lines: set[str]) -> bool:
        s = squash(text)
        return s in title_lines or (len(s) < 120 and s.replace("ว่าด้วย", "ว่า") in title_lines)

    def _join_page_cuts(self, paras: list[Paragraph]) -> list[Paragraph]:
        """Join a body paragraph cut by a page break; a footnote between the halves stays apart."""
        out: list[Paragraph] = []
        for p in paras:
            prev_idx = len(out) - 1
            while prev_idx >= 0 and self._is_footnote(out[prev_idx].text):
                prev_idx -= 1
            if (
                prev_idx >= 0
                and out[prev_idx].page != p.page
                and out[prev_idx].page > 0
                and self._is_body(out[prev_idx])
                and self._is_continuation(p)
            ):
                prev = out[prev_idx]
                out[prev_idx] = Paragraph(prev.text + " " + p.text, prev.page, prev.raw + "\n" + p.raw)
                continue
            out.append(p)
        return out

    def _is_footnote(self, text: str) -> bool:
        return bool(text) and text[0] in SUPERSCRIPTS

    def _is_figure(self, text: str) -> bool:
        s = squash(text)
        return len(s) < 250 and any(s.startswith(f) for f in self.figure_prefixes)

    def toc_entry(self, text: str) -> dict | None:
        """The ToC entry this heading prints, tolerating the export's small wording slips."""
        s = squash(_strip_superscript(text)[0])
        for key, entry in self.toc.items():
            if len(s) < 1.2 * len(key) and difflib.SequenceMatcher(None, s, key).ratio() >= 0.9:
                return entry
        return None

    def _heading_kind(self, p: Paragraph) -> str | None:
        text, _ = _strip_superscript(p.text)
        s = squash(text)
        if self.toc_entry(text) or re.match(r"^\d\.รูปแบบ", s) or s in {squash(k) for k in MODEL_PARTS}:
            return "heading"
        if re.match(r"^\d\.\S.*\([A-Za-z ]+\)", text):
            return "factor"
        return None

    def _is_figure_note(self, text: str) -> bool:
        return text.startswith(tuple(self.meta.get("figure_notes", [])))

    def _is_body(self, p: Paragraph) -> bool:
        return not (self._heading_kind(p) or self._is_figure(p.text) or self._is_footnote(p.text)
                    or self._is_figure_note(p.text))

    def _is_continuation(self, p: Paragraph) -> bool:
        starts_item = p.raw.lstrip().startswith(("-", "❖", "**", "|")) or re.match(r"\s*\d[.\t]", p.raw)
        return self._is_body(p) and not starts_item

    # -- tree -----------------------------------------------------------------
    def add(self, sid: str, title: str, kind: str, page: int | None, parent: str | None, text: str = "",
            **extra) -> Section:
        parent_sec = self.sections.get(parent) if parent else None
        path = (*(parent_sec.path if parent_sec else ()), title)
        model = extra.pop("model", None) or (parent_sec.model if parent_sec else None)
        sec = Section(sid, self.doc_id, title, kind, page, text, parent, [], path, model, **extra)
        if sid in self.sections:
            raise ValueError(f"duplicate section id {sid}")
        self.sections[sid] = sec
        if parent_sec:
            parent_sec.children.append(sid)
        return sec

    def append_text(self, sid: str, text: str) -> None:
        sec = self.sections[sid]
        sec.text = f"{sec.text}\n\n{text}" if sec.text else text

    def parse(self) -> dict[str, Section]:
        paras = self.paragraphs()
        front = [p for p in paras if p.page == 0]
        self._parse_front(front)
        current: str | None = None  # section receiving body paragraphs
        part: str | None = None  # the ToC-level or model-level section
        bullets = 0
        figures = 0
        for p in paras:
            if p.page == 0:
                continue
            text = p.text
            if self._is_footnote(text):
                num = str(SUPERSCRIPTS.index(text[0]) + 1)
                self.add(ids.footnote_id(int(num)), f"เชิงอรรถ {num}", "footnote", p.page, None, text[1:].strip())
                continue
            head, _ = _strip_superscript(text)
            entry = self.toc_entry(head)
            if entry and entry["id"] not in self.seen_headings and entry["id"] not in MODEL_KEYS.values():
                self.seen_headings.add(entry["id"])
                parent = entry["id"].rsplit(".", 1)[0] if "." in entry["id"] else None
                title = head if parent else entry["title"]
                self.add(entry["id"], title, "part", p.page, parent)
                current = part = entry["id"]
                bullets = 0
                continue
            if self._is_figure(text):
                figures += 1
                owner = part or "framework"
                self.add(f"{owner}.fig{figures}", text, "figure", p.page, owner)
                continue
            if self._is_figure_note(text) and part:
                fig = self.sections[f"{part}.fig{figures}"]
                fig.text = f"{fig.text}\n{text}" if fig.text else text
                continue
            m = re.match(r"^(\d)\.\s*(รูปแบบ.+?)\s*:?\s*$", text)
            if m:
                key_model = MODEL_KEYS[int(m.group(1))]
                title = re.sub(r"\s+", " ", m.group(2)).rstrip(":")
                self.add(key_model, title, "part", p.page, None, model=key_model)
                current = part = key_model
                figures = 0
                continue
            if part in MODEL_KEYS.values() and text.startswith("(") and text.endswith(":"):
                sec = self.sections[part]
                sec.title = f"{sec.title} {text.rstrip(':')}"
                sec.path = (sec.title,)
                continue
            if text in MODEL_PARTS and part:
                model = part.split(".")[0]
                current = self.add(ids.part_id(model, MODEL_PARTS[text]), text, "section", p.page, model).id
                bullets = 0
                continue
            fm = re.match(r"^(\d)\.\s*(.+?\([A-Za-z ]+\))\s*(.*)$", text, flags=re.S)
            if fm and part and part.startswith("framework.factors"):
                current = self.add(f"framework.factors.f{fm.group(1)}", fm.group(2), "section", p.page,
                                   "framework.factors", fm.group(3)).id
                bullets = 0
                continue
            step = re.match(r"^ขั้นตอนที่\s*(\d+)", text)
            if step and current and current.endswith(".steps"):
                n = int(step.group(1))
                lead = _bold_lead(p.raw) or ""
                title = lead if squash(lead) != squash(f"ขั้นตอนที่{n}") else _short_title(text, 60)
                self.add(ids.step_id(current.split(".")[0], n), title, "step", p.page, current, text, step=n)
                continue
            if p.raw.lstrip().startswith(("-", "❖")) and current:
                # Components are "❖ heading" + a body paragraph; other ❖ items are bullets.
                if len(text) < 40 and current.startswith("framework.components"):
                    bullets += 1
                    sid = f"framework.components.c{bullets}"
                    self.add(sid, text, "section", p.page, "framework.components")
                    current = sid
                    continue
                if current.startswith("framework.components."):
                    current = "framework.components"
                bullets += 1
                title = _short_title(_bold_lead(p.raw) or text)
                self.add(f"{current}.b{bullets}", title, "bullet", p.page, current, text)
                continue
            if text == "คณะผู้จัดทำ" and part:
                current = part = self.add(ids.CREDITS, text, "back", None, None).id
                continue
            if part == ids.CREDITS:  # back matter carries no printed page
                self.append_text(current, text)
                continue
            if current is None:
                raise ValueError(f"paragraph before any heading on page {p.page}: {text[:40]}")
            if text == "รูปแบบการบริหารราชการแบบมีส่วนร่วม" and part == "framework.factors":
                current = part = self.add(ids.OVERVIEW, text, "part", p.page, None).id
                continue
            row = re.match(r"^(\d)\s+รูปแบบ\s*(.+?\))\s*(.+)$", text)
            if row and current == "models":
                key_model = MODEL_KEYS[int(row.group(1))]
                self.add(ids.overview_id(key_model), f"รูปแบบ{row.group(2)}", "bullet", p.page, ids.OVERVIEW, text,
                         model=key_model)
                continue
            if part == "framework.factors" and current.startswith("framework.factors") and \
                    text.startswith("สำหรับแนวทางปฏิบัติ"):
                # The three-model overview opens with this paragraph, before its table title.
                current = part = self.add("models", "รูปแบบการบริหารราชการแบบมีส่วนร่วม", "part",
                                          p.page, None).id
            self.append_text(current, text)
        return self.sections

    def _parse_front(self, paras: list[Paragraph]) -> None:
        self.add(ids.TITLE, "ชื่อเอกสาร", "front", None, None, "\n".join(p.text for p in paras[:2]))
        current = ids.TITLE
        for p in paras[2:]:
            if p.text == "คำนำ":
                current = self.add(ids.PREFACE, "คำนำ", "front", None, None).id
            elif p.text == "สารบัญ":
                current = self.add(ids.TOC, "สารบัญ", "front", None, None).id
            else:
                self.append_text(current, p.text)


def _fix_pages(sections: dict[str, Section], toc: list[dict]) -> None:
    """Printed numbers win: shift every page from a ToC entry on by its disagreement."""
    anchors = sorted((sections[e["id"]].page or 0, e["page"] - (sections[e["id"]].page or 0)) for e in toc)
    for sec in sections.values():
        if sec.page is None:
            continue
        shift = 0
        for start, delta in anchors:
            if sec.page >= start:
                shift = delta
        sec.page += shift


def parse_guide(doc_id: str, raw: str, meta: dict) -> dict[str, Section]:
    sections = _GuideParser(doc_id, raw, meta).parse()
    _fix_pages(sections, meta["toc"])
    return sections


# --------------------------------------------------------------------------- other documents


def parse_generic(doc_id: str, raw: str) -> dict[str, Section]:
    """One section per Markdown heading (or the whole file when it has none); no printed pages."""
    sections: dict[str, Section] = {}
    title, body, n = doc_id, [], 0

    def flush() -> None:
        nonlocal n
        text = "\n\n".join(t for t in (clean_markup(b) for b in body) if t)
        if text:
            n += 1
            sid = f"{doc_id}/{n}"
            sections[sid] = Section(sid, doc_id, title, "section", None, text, path=(title,))

    for block in PARA_BREAK.split(raw):
        m = re.match(r"^\s*#{1,6}\s+(.+)$", block.strip().splitlines()[0]) if block.strip() else None
        if m:
            flush()
            title, body = clean_markup(m.group(1)), ["\n".join(block.strip().splitlines()[1:])]
        else:
            body.append(block)
    flush()
    return sections


def load_document(path: Path) -> Document:
    raw = path.read_text(encoding="utf-8")
    meta_path = path.with_name(path.stem + ".meta.json")
    meta = json.loads(meta_path.read_text(encoding="utf-8")) if meta_path.exists() else {}
    doc_id = path.stem
    sections = parse_guide(doc_id, raw, meta) if meta.get("parser") == "guide" else parse_generic(doc_id, raw)
    # a file without metadata is called by its first heading ("# บันทึก…"), else by its file name
    heading = re.search(r"^\s*#{1,6}\s+(.+)$", raw, re.MULTILINE)
    title = meta.get("short_title") or meta.get("title") or (clean_markup(heading.group(1)).strip() if heading else "")
    return Document(doc_id, title or doc_id, path, sections)


def section_index(docs: list[Document]) -> dict[str, Section]:
    """Every section of every document by id (ids are unique across documents)."""
    return {s.id: s for d in docs for s in d.sections.values()}


def corpus_files(corpus_dir: Path) -> list[Path]:
    from assistant.readers import READERS

    # "~$name.docx" is the lock file Word leaves beside a document it has open.
    return sorted(p for p in corpus_dir.iterdir()
                  if p.suffix.lower() in READERS and p.is_file() and not p.name.startswith("~$"))


def load_corpus(corpus_dir: Path) -> list[Document]:
    from assistant.readers import read_document

    files = corpus_files(corpus_dir)
    if not files:
        raise FileNotFoundError(f"no .md or .txt (or .pdf, .docx) files in {corpus_dir}")
    stems = Counter(p.stem for p in files)
    if clash := sorted(p.name for p in files if stems[p.stem] > 1):
        raise ValueError(f"two files would be one document id: {', '.join(clash)}")
    return [read_document(p) for p in files]
