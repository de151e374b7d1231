"""The naive LangChain RAG the report compares against: RecursiveCharacterTextSplitter (500/50) over the
corpus's plain text, the same embedder, Chroma similarity top-4, and the top chunk as the answer. No section
tree, no BM25, no gate, no composition — so the report shows, row by row, what our design buys.

Its text comes through `load_corpus` like everything else (so a PDF or Word document is read, not opened as
bytes): `plain_text` flattens each document back to what its reader produced, headings and paragraphs in
reading order, and only the splitter, not the section tree, decides where its chunks start and end."""

from __future__ import annotations

import uuid

from langchain_text_splitters import RecursiveCharacterTextSplitter

from assistant.corpus import Document, squash

HEADING_KINDS = {"part", "section", "figure"}  # titles that were printed lines (a step's or bullet's is its text)


class NaiveRAG:
    def __init__(self, raw_texts: list[str], embedder):
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        from assistant.index import _ExplicitOnly

        splitter = RecursiveCharacterTextSplitter(chunk_size=500, chunk_overlap=50)
        self.chunks = [c for text in raw_texts for c in splitter.split_text(text)]
        self.embedder = embedder
        client = chromadb.EphemeralClient(settings=ChromaSettings(anonymized_telemetry=False))
        self.collection = client.create_collection(f"baseline-{uuid.uuid4().hex[:8]}", embedding_function=_ExplicitOnly(),
                                                   configuration={"hnsw": {"space": "cosine"}})
        self.collection.add(ids=[str(i) for i in range(len(self.chunks))], documents=self.chunks,
                            embeddings=embedder.embed_passages(self.chunks))

    def search(self, question: str, k: int = 4) -> list[str]:
        res = self.collection.query(query_embeddings=[self.embedder.embed_queries([question])[0]], n_results=k)
        return res["documents"][0]

    def answer(self, question: str) -> str:
        return self.search(question, 1)[0]


def plain_text(doc: Document) -> str:
    """A document as one text, in reading order: each heading (part, section, figure caption) on its own line
    unless its text already starts with it, then the section's text; blank lines between. For the guide's
    export this is the file, whitespace aside, to within 2 %: less its markup (emphasis, ❖, HTML), the running
    header, footnote marks and list numbers, with each footnote after the paragraph it interrupted."""
    blocks = []
    for s in doc.sections.values():
        if s.kind in HEADING_KINDS and s.title and not squash(s.text).startswith(squash(s.title)):
            blocks.append(s.title)
        if s.text.strip():
            blocks.append(s.text)
    return "\n\n".join(blocks)


def overlaps(chunk: str, section_text: str, window: int = 30) -> bool:
    """Does a raw chunk share a passage with a section? (for hit@k of chunks that know no sections)"""
    a, b = squash(chunk.replace("*", "").replace("❖", "")), squash(section_text)
    return any(a[i : i + window] in b for i in range(0, max(1, len(a) - window), 10))
