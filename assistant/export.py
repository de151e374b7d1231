"""Checklist → Markdown and Word (.docx) for the office: title, recommendation and reasons, a table of
checkbox items with owner and due-date columns, and the citations with printed pages."""

from __future__ import annotations

from pathlib import Path

from assistant import messages
from assistant.checklist import Checklist
from assistant.citations import Citation
from assistant.partnership import NAMES

THAI_FONT = "TH Sarabun New"


def _page(c: Citation) -> str:
    return messages.page_label(c.page)


def numbered_citations(result: Checklist) -> tuple[list[Citation], dict[int, int]]:
    """One number per distinct quoted passage, shared by reasons and items (id(citation) → number)."""
    order: list[Citation] = []
    number: dict[tuple, int] = {}
    index: dict[int, int] = {}
    for c in [r.citation for r in result.reasons] + [i.citation for i in result.items]:
        key = (c.document, c.section_id, c.text)
        if key not in number:
            order.append(c)
            number[key] = len(order)
        index[id(c)] = number[key]
    return order, index


def summary_lines(result: Checklist) -> list[str]:
    lines = [messages.RECOMMENDED.format(model=NAMES[result.model], confidence=round(result.confidence * 100))]
    if result.overridden:
        lines.append(messages.OVERRIDDEN.format(model=NAMES[result.runner_up]))
    elif result.runner_up:
        lines.append(messages.RUNNER_UP.format(model=NAMES[result.runner_up]))
    if result.clarifying_question:
        lines.append(messages.CLARIFY.format(question=result.clarifying_question))
    labels = {"target": messages.DETAIL_TARGET, "partner": messages.DETAIL_PARTNER, "duration": messages.DETAIL_DURATION}
    notes = [f"{labels[k]}: {v}" for k, v in result.details.items()]
    if notes:
        lines.append(" · ".join(notes))
    return lines


def to_markdown(result: Checklist) -> str:
    cites, index = numbered_citations(result)
    out = [f"# {result.title}", "", f"**{messages.SITUATION}:** {result.situation}", ""]
    out += [f"- {line}" for line in summary_lines(result)]
    out += ["", f"## {messages.REASONS}", ""]
    out += [f"{i}. {r.text} [{index[id(r.citation)]}]" for i, r in enumerate(result.reasons, 1)]
    group = None
    for item in result.items:
        if item.group != group:
            group = item.group
            out += ["", f"## {group}", ""]
        out.append(f"- [ ] {item.text} [{index[id(item.citation)]}]")
    out += ["", f"## {messages.SOURCES_HEADING}", ""]
    out += [f"[{n}] {c.title} ({_page(c)}) — “{c.text}”" for n, c in enumerate(cites, 1)]
    return "\n".join(out) + "\n"


def _thai_style(document) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    for name in ("Normal", "Title", "Heading 1", "Heading 2", "Table Grid"):
        style = document.styles[name]
        style.font.name = THAI_FONT
        rpr = style.element.get_or_add_rPr()
        fonts = rpr.get_or_add_rFonts()
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            fonts.set(qn(attr), THAI_FONT)
        if name == "Normal":
            style.font.size = Pt(14)
            size_cs = rpr.find(qn("w:szCs"))
            if size_cs is None:
                size_cs = rpr.makeelement(qn("w:szCs"), {})
                rpr.append(size_cs)
            size_cs.set(qn("w:val"), "28")
        lang = rpr.find(qn("w:lang"))
        if lang is None:
            lang = rpr.makeelement(qn("w:lang"), {})
            rpr.append(lang)
        lang.set(qn("w:bidi"), "th-TH")


def to_docx(result: Checklist, path: str | Path) -> Path:
    try:
        from docx import Document
    except ImportError as exc:
        raise RuntimeError("python-docx is needed for .docx export: pip install python-docx") from exc
    cites, index = numbered_citations(result)
    doc = Document()
    _thai_style(doc)
    doc.add_heading(result.title, level=0)
    doc.add_paragraph(f"{messages.SITUATION}: {result.situation}")
    for line in summary_lines(result):
        doc.add_paragraph(line, style="List Bullet")
    doc.add_heading(messages.REASONS, level=1)
    for r in result.reasons:
        doc.add_paragraph(f"{r.text} [{index[id(r.citation)]}]", style="List Number")
    doc.add_heading(messages.CHECKLIST, level=1)
    table = doc.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    for cell, label in zip(table.rows[0].cells, messages.TABLE_HEADERS, strict=True):
        cell.text = label
    group = None
    for item in result.items:
        if item.group != group:
            group = item.group
            row = table.add_row().cells
            merged = row[0].merge(row[-1])
            merged.text = group
            merged.paragraphs[0].runs[0].bold = True
        row = table.add_row().cells
        row[0].text = "☐"
        row[1].text = item.text
        row[2].text = ""
        row[3].text = ""
        c = item.citation
        row[4].text = f"[{index[id(c)]}] {_page(c)}"
    doc.add_heading(messages.SOURCES_HEADING, level=1)
    for n, c in enumerate(cites, 1):
        doc.add_paragraph(f"[{n}] {c.title} ({_page(c)}) — “{c.text}”")
    path = Path(path)
    doc.save(path)
    return path
