"""Sections → retrievable chunks.

Chunks never cross a section boundary; every step and ❖ bullet is its own section, hence its own
chunk. Long texts are cut at paragraph, then crfcut sentence boundaries (aim 300–700 characters).
The section path is prepended to what is embedded and searched, never to the quoted text.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from assistant.corpus import Document, Section
from assistant.segment import sentences

TARGET = 600
MAXIMUM = 700
MINIMUM = 300
NOT_INDEXED = {"figure"}
SKIPPED_IDS = {"front.toc", "front.title"}  # the table of contents and title page are navigation, not content


@dataclass(frozen=True)
class Chunk:
    id: str
    section_id: str
    document: str
    title: str  # the section path, Thai
    page: int | None
    text: str  # verbatim passage

    @property
    def embed_text(self) -> str:
        return f"{self.title}\n{self.text}"

    @property
    def content_hash(self) -> str:
        return hashlib.sha256(f"{self.id}\n{self.page}\n{self.embed_text}".encode()).hexdigest()[:16]


def _pieces(text: str) -> list[str]:
    """Paragraphs, and the sentences of any paragraph longer than MAXIMUM."""
    out: list[str] = []
    for para in (p.strip() for p in text.split("\n\n")):
        if not para:
            continue
        out.extend([para] if len(para) <= MAXIMUM else sentences(para))
    return out


def split_text(text: str) -> list[str]:
    """Greedy packing of pieces into chunks near TARGET; a short tail joins the previous chunk."""
    chunks: list[str] = []
    current = ""
    for piece in _pieces(text):
        candidate = f"{current} {piece}".strip() if current else piece
        if current and len(candidate) > TARGET and len(current) >= MINIMUM:
            chunks.append(current)
            current = piece
        else:
            current = candidate
    if current:
        if chunks and len(current) < MINIMUM // 2 and len(chunks[-1]) + len(current) <= MAXIMUM + MINIMUM:
            chunks[-1] = f"{chunks[-1]} {current}"
        else:
            chunks.append(current)
    return chunks


def section_chunks(section: Section) -> list[Chunk]:
    if section.kind in NOT_INDEXED or section.id in SKIPPED_IDS or not section.text.strip():
        return []
    return [
        Chunk(f"{section.document}:{section.id}#{i}", section.id, section.document, section.path_text,
              section.page, text)
        for i, text in enumerate(split_text(section.text))
    ]


def document_chunks(docs: list[Document]) -> list[Chunk]:
    return [c for d in docs for s in d.sections.values() for c in section_chunks(s)]
