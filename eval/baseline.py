"""The naive LangChain RAG the report compares against: RecursiveCharacterTextSplitter (500/50) over the
raw guide, the same embedder, Chroma similarity top-4, and the top chunk as the answer. No section tree,
no BM25, no gate, no composition — so the report shows, row by row, what our design buys."""

from __future__ import annotations

import uuid

from langchain_text_splitters import RecursiveCharacterTextSplitter

from assistant.corpus import squash


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


def overlaps(chunk: str, section_text: str, window: int = 30) -> bool:
    """Does a raw chunk share a passage with a section? (for hit@k of chunks that know no sections)"""
    a, b = squash(chunk.replace("*", "").replace("❖", "")), squash(section_text)
    return any(a[i : i + window] in b for i in range(0, max(1, len(a) - window), 10))
