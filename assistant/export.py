"""Checklist → Markdown, Word (.docx) and Excel (.xlsx) for the office.

All three carry the same content in the same order: title, situation and what was read from it, the
recommendation with its cited reasons and why not the other models, the readiness checks (yes/no), the
cycle diagram (.docx; the web UI shows it beside the Markdown), the tasks with owner, output and a
reference, and the numbered verbatim quotes. One numbering of citations (`numbered_citations`) serves
every format and channel, so "[3]" means the same quote in the web UI, the .docx and the .xlsx.

The .xlsx is for tracking: one row per task with step, task, owner, output, due date and status left
blank (status has a drop-down), and the reference as section and printed page.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from itertools import groupby
from operator import attrgetter
from pathlib import Path

from assistant import messages
from assistant.checklist import Checklist, Item
from assistant.citations import Citation
from assistant.partnership import NAMES

THAI_FONT = "TH Sarabun New"
DETAIL_LABELS = {"service": messages.DETAIL_SERVICE, "target": messages.DETAIL_TARGET,
                 "partner": messages.DETAIL_PARTNER, "duration": messages.DETAIL_DURATION,
                 "area": messages.DETAIL_AREA, "budget": messages.DETAIL_BUDGET}


def _page(c: Citation) -> str:
    return messages.page_label(c.page)


PARTS = ("reasons", "why_not", "readiness", "items")


def numbered_citations(result: Checklist, parts: tuple[str, ...] = PARTS) -> tuple[list[Citation], dict[int, int]]:
    """One number per distinct quoted passage, shared by the parts shown (id(citation) → number). LINE shows
    only reasons and items, so it numbers only those and its source buttons reach them."""
    order: list[Citation] = []
    number: dict[tuple, int] = {}
    index: dict[int, int] = {}
    for c in [x.citation for part in parts for x in getattr(result, part)]:
        key = (c.document, c.section_id, c.text)
        if key not in number:
            order.append(c)
            number[key] = len(order)
        index[id(c)] = number[key]
    return order, index


def by_group(entries: Iterable) -> Iterator[tuple[str, list]]:
    """Consecutive items (or readiness checks) under their heading, in order: every channel's layout."""
    for group, members in groupby(entries, key=attrgetter("group")):
        yield group, list(members)


def summary_lines(result: Checklist) -> list[str]:
    lines = [messages.RECOMMENDED.format(model=NAMES[result.model], confidence=round(result.confidence * 100))]
    if result.overridden:
        lines.append(messages.OVERRIDDEN.format(model=NAMES[result.runner_up]))
    elif result.runner_up:
        lines.append(messages.RUNNER_UP.format(model=NAMES[result.runner_up]))
    if result.clarifying_question:
        lines.append(messages.CLARIFY.format(question=result.clarifying_question))
    notes = [f"{DETAIL_LABELS[k]}: {v}" for k, v in result.details.items() if k in DETAIL_LABELS]
    if notes:
        lines.append(" · ".join(notes))
    if result.basis == "quotes":
        lines.append(messages.QUOTE_BASED)
    return lines


def item_line(item: Item, n: int) -> str:
    """One task as text: the task, then owner → output, the citation number, and "อาจไม่จำเป็น" if so."""
    parts = [item.text]
    if item.owner:
        parts.append(f"({messages.OWNER}: {item.owner}" + (f" · {messages.OUTPUT}: {item.output})" if item.output
                                                           else ")"))
    if item.optional:
        parts.append(f"— {item.optional_note}")
    return " ".join(parts) + f" [{n}]"


def summary_markdown(result: Checklist, index: dict[int, int] | None = None) -> str:
    """Title, situation, recommendation, reasons and why not the others (what the web UI shows above the tasks)."""
    index = index or numbered_citations(result)[1]
    out = [f"# {result.title}", "", f"**{messages.SITUATION}:** {result.situation}", ""]
    out += [f"- {line}" for line in summary_lines(result)]
    out += ["", f"## {messages.REASONS}", ""]
    out += [f"{i}. {r.text} [{index[id(r.citation)]}]" for i, r in enumerate(result.reasons, 1)]
    if result.why_not:
        out += ["", f"## {messages.WHY_NOT}", ""]
        out += [f"- {r.text} [{index[id(r.citation)]}]" for r in result.why_not]
    return "\n".join(out) + "\n"


def readiness_markdown(result: Checklist, index: dict[int, int]) -> list[str]:
    out: list[str] = []
    if result.readiness:
        out += ["", f"## {messages.READINESS}"]
        for group, checks in by_group(result.readiness):
            out += ["", f"**{group}**", ""]
            out += [f"- [ ] {r.question} [{index[id(r.citation)]}]" for r in checks]
    return out


def to_markdown(result: Checklist) -> str:
    cites, index = numbered_citations(result)
    out = [summary_markdown(result, index).rstrip("\n")]
    out += readiness_markdown(result, index)
    for group, items in by_group(result.items):
        out += ["", f"## {group}", ""]
        out += [f"- [ ] {item_line(item, index[id(item.citation)])}" for item in items]
    out += ["", f"## {messages.SOURCES_HEADING}", ""]
    out += [f"{c.label(n)} — “{c.text}”" for n, c in enumerate(cites, 1)]
    return "\n".join(out) + "\n"


def cycle_png(result: Checklist, sections: dict) -> bytes | None:
    """The chosen model's cycle diagram (None without a Thai font; a quote-based checklist uses step titles)."""
    from assistant.diagram import cycle_png as draw
    from assistant.diagram import step_labels

    return draw(result.cycle or NAMES[result.model], step_labels(sections, result.model, result.step_labels))


# ---------------------------------------------------------------------------------------------- Word

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


def to_docx(result: Checklist, path: str | Path, diagram: bytes | None = None) -> Path:
    try:
        from docx import Document
        from docx.shared import Cm
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
    if result.why_not:
        doc.add_heading(messages.WHY_NOT, level=1)
        for r in result.why_not:
            doc.add_paragraph(f"{r.text} [{index[id(r.citation)]}]", style="List Bullet")
    if diagram:
        doc.add_picture(io.BytesIO(diagram), width=Cm(14))
    if result.readiness:
        doc.add_heading(messages.READINESS, level=1)
        for r in result.readiness:
            doc.add_paragraph(f"☐ {r.question} [{index[id(r.citation)]}]")
    doc.add_heading(messages.CHECKLIST, level=1)
    table = doc.add_table(rows=1, cols=len(messages.TABLE_HEADERS))
    table.style = "Table Grid"
    for cell, label in zip(table.rows[0].cells, messages.TABLE_HEADERS, strict=True):
        cell.text = label
    for group, items in by_group(result.items):
        row = table.add_row().cells
        merged = row[0].merge(row[-1])
        merged.text = group
        merged.paragraphs[0].runs[0].bold = True
        for item in items:
            c = item.citation
            note = f"\n{item.optional_note}" if item.optional else ""
            for cell, text in zip(table.add_row().cells, ("☐", item.text + note, item.owner, item.output, "",
                                                          f"[{index[id(c)]}] {_page(c)}"), strict=True):
                cell.text = text
    doc.add_heading(messages.SOURCES_HEADING, level=1)
    for n, c in enumerate(cites, 1):
        doc.add_paragraph(f"{c.label(n)} — “{c.text}”")
    path = Path(path)
    doc.save(path)
    return path


# ---------------------------------------------------------------------------------------------- Excel

def to_xlsx(result: Checklist, path: str | Path) -> Path:
    try:
        from openpyxl import Workbook
        from openpyxl.styles import Alignment, Font, PatternFill
        from openpyxl.worksheet.datavalidation import DataValidation
    except ImportError as exc:
        raise RuntimeError("openpyxl is needed for .xlsx export: pip install openpyxl") from exc
    cites, index = numbered_citations(result)
    book = Workbook()
    sheet = book.active
    sheet.title = messages.XLSX_SHEET_TASKS
    bold, font = Font(name=THAI_FONT, bold=True, size=14), Font(name=THAI_FONT, size=14)
    wrap = Alignment(wrap_text=True, vertical="top")
    sheet.append([result.title])
    sheet["A1"].font = Font(name=THAI_FONT, bold=True, size=16)
    sheet.append([f"{messages.SITUATION}: {result.situation}"])
    sheet.append(list(messages.XLSX_HEADERS))
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font, cell.fill = bold, PatternFill("solid", fgColor="DBEAFE")
    for item in result.items:
        c = item.citation
        sheet.append([item.step if item.step is not None else messages.XLSX_SETUP, item.text, item.owner, item.output,
                      None, None, c.label(index[id(c)]),
                      item.optional_note or None])
    last = sheet.max_row
    for row in sheet.iter_rows(min_row=header_row + 1, max_row=last):
        for cell in row:
            cell.font, cell.alignment = font, wrap
    statuses = DataValidation(type="list", formula1='"' + ",".join(messages.XLSX_STATUSES) + '"', allow_blank=True)
    sheet.add_data_validation(statuses)
    statuses.add(f"F{header_row + 1}:F{max(last, header_row + 1)}")
    dates = DataValidation(type="date", allow_blank=True)
    sheet.add_data_validation(dates)
    dates.add(f"E{header_row + 1}:E{max(last, header_row + 1)}")
    for column, width in zip("ABCDEFGH", (10, 60, 30, 30, 14, 16, 40, 30), strict=True):
        sheet.column_dimensions[column].width = width
    sheet.freeze_panes = sheet.cell(row=header_row + 1, column=1)

    if result.readiness:
        checks = book.create_sheet(messages.XLSX_SHEET_READINESS)
        checks.append([messages.READINESS, "", messages.SOURCES_HEADING])
        for r in result.readiness:
            checks.append([r.question, None, r.citation.label(index[id(r.citation)])])
        yes_no = DataValidation(type="list", formula1='"ใช่,ไม่ใช่"', allow_blank=True)
        checks.add_data_validation(yes_no)
        yes_no.add(f"B2:B{checks.max_row}")
        checks.column_dimensions["A"].width, checks.column_dimensions["C"].width = 80, 40
    sources = book.create_sheet(messages.XLSX_SHEET_SOURCES)
    sources.append(["#", messages.SOURCES_HEADING, "", ""])
    for n, c in enumerate(cites, 1):
        sources.append([n, c.source, _page(c), c.text])
    sources.column_dimensions["B"].width, sources.column_dimensions["D"].width = 40, 100
    path = Path(path)
    book.save(path)
    return path
