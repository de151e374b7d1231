"""Citations and the validator that keeps them honest, for every backend.

A citation quotes the corpus verbatim (whitespace may differ). The validator drops any citation whose
text is not in the corpus, drops markers that point nowhere, and renumbers what is left densely.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from assistant.corpus import Document, squash

MARKER = re.compile(r"\[(\d{1,2})\]")


@dataclass(frozen=True)
class Citation:
    section_id: str
    title: str
    page: int | None
    document: str
    text: str
    document_title: str = ""  # the document's own title; every channel shows it through `source`

    def as_dict(self) -> dict:
        return asdict(self)

    def label(self, n: int) -> str:
        """"[n] document › section (หน้า p)": how the text layouts (CLI, .md, .docx, .xlsx) name source n."""
        from assistant import messages

        return f"[{n}] {self.source} ({messages.page_label(self.page)})"

    @property
    def source(self) -> str:
        """Where the quote is, as every channel shows it: "document › section path"."""
        return f"{self.document_title} › {self.title}" if self.document_title else self.title

    @classmethod
    def quote(cls, source, text: str, document_title: str | None = None) -> Citation:
        """A quote from a Section or a Chunk (both know their section, path, page and document; a Section
        also knows its document's title, a Chunk read back from the index does not, so pass it)."""
        section_id = getattr(source, "section_id", None) or source.id
        title = source.path_text if hasattr(source, "path_text") else source.title
        if document_title is None:
            document_title = getattr(source, "document_title", "")
        return cls(section_id, title, source.page, source.document, text, document_title)


class CorpusText:
    """Whitespace-free text of every section, to check quotes against."""

    def __init__(self, docs: list[Document]):
        # A figure's caption is its content (the text holds only its note), so a caption is quotable too.
        self.sections = {(d.id, s.id): squash(f"{s.title}\n{s.text}" if s.kind == "figure" else s.text)
                         for d in docs for s in d.sections.values()}
        self.everything = "\n".join(self.sections.values())

    def contains(self, citation: Citation) -> bool:
        quote = squash(citation.text)
        if len(quote) < 8:
            return False
        own = self.sections.get((citation.document, citation.section_id))
        return quote in own if own is not None else False


def validate(answer: str, citations: list[Citation], corpus: CorpusText) -> tuple[str, list[Citation]]:
    """Keep verbatim citations, renumber markers 1..n in order of first use, remove dangling markers."""
    valid = {i + 1: c for i, c in enumerate(citations) if corpus.contains(c)}
    order: list[int] = []
    for m in MARKER.finditer(answer):
        n = int(m.group(1))
        if n in valid and n not in order:
            order.append(n)
    new_number = {old: new for new, old in enumerate(order, start=1)}

    def replace(m: re.Match) -> str:
        n = int(m.group(1))
        return f"[{new_number[n]}]" if n in new_number else ""

    text = re.sub(r"[ \t]+([.,;:!?)])", r"\1", re.sub(r"[ \t]{2,}", " ", MARKER.sub(replace, answer)))
    return text.strip(), [valid[old] for old in order]
