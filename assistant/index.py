"""The Chroma index: local on disk by default, a `chroma run` server when CHROMA_HOST is set.

A build is incremental (chunks whose content hash is unchanged reuse their stored embedding) and
atomic: it fills a new collection, then flips a pointer kept in a small manifest collection. A build
that dies half-way leaves the pointer, hence the previous index, untouched; its leftovers are
removed by the next build.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import time
from dataclasses import dataclass, field

import numpy as np

from assistant.chunks import Chunk, document_chunks
from assistant.corpus import load_corpus
from assistant.settings import Settings

BATCH = 32
log = logging.getLogger(__name__)


class IndexUnavailable(RuntimeError):
    """The index is missing, corrupt, unreachable, or was built with another model; the message says what to do."""


class IndexUnreachable(IndexUnavailable):
    """The Chroma server (CHROMA_HOST) does not answer: start it or fix the address; rebuilding would not help."""

    def __init__(self, where: str, detail: object):
        super().__init__(f"the Chroma server at {where} is unreachable ({detail}): start `chroma run` or fix "
                         "CHROMA_HOST/CHROMA_PORT")
        self.where = where


class _ExplicitOnly:
    """Chroma must never embed by itself (its default would download a model): we always pass vectors."""

    def __init__(self) -> None:
        pass

    def __call__(self, input):  # noqa: A002 - Chroma's protocol name
        raise RuntimeError("embeddings are always passed explicitly")

    @staticmethod
    def name() -> str:
        return "explicit-only"

    def is_legacy(self) -> bool:
        return True


def client(settings: Settings):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    try:
        if settings.chroma_host:
            return chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port,
                                       settings=chroma_settings)
        settings.index_dir.mkdir(parents=True, exist_ok=True)
        return chromadb.PersistentClient(path=str(settings.index_dir), settings=chroma_settings)
    except Exception as exc:  # connection refused, unreadable folder, …
        if settings.chroma_host:
            raise IndexUnreachable(f"{settings.chroma_host}:{settings.chroma_port}", exc) from exc
        raise IndexUnavailable(f"cannot open the Chroma index at {settings.index_dir}: {exc}") from exc


def _collection(api, name: str, create: bool = False):
    kwargs = {"name": name, "embedding_function": _ExplicitOnly()}
    if create:
        return api.create_collection(**kwargs, configuration={"hnsw": {"space": "cosine"}})
    return api.get_collection(**kwargs)


def _manifest_name(settings: Settings) -> str:
    return f"{settings.chroma_collection_prefix}-manifest"


def read_manifest(api, settings: Settings) -> dict:
    try:
        return dict(_collection(api, _manifest_name(settings)).metadata or {})
    except Exception:
        return {}


def _write_manifest(api, settings: Settings, data: dict) -> None:
    name = _manifest_name(settings)
    try:
        manifest = _collection(api, name)
    except Exception:
        manifest = api.create_collection(name=name, embedding_function=_ExplicitOnly(), metadata=data)
        return
    manifest.modify(metadata=data)


def corpus_fingerprint(chunks: list[Chunk], model: str) -> str:
    h = hashlib.sha256(model.encode())
    for c in chunks:
        h.update(c.content_hash.encode())
    return h.hexdigest()[:16]


@dataclass
class BuildReport:
    collection: str
    chunks: int
    embedded: int
    reused: int
    seconds: float
    up_to_date: bool = False


def _stored_embeddings(api, manifest: dict) -> dict[str, np.ndarray]:
    """content hash → embedding from the live collection, to skip re-embedding unchanged chunks."""
    try:
        got = _collection(api, manifest["collection"]).get(include=["embeddings", "metadatas"])
    except Exception:
        return {}
    return {m["hash"]: np.asarray(e, dtype=np.float32) for m, e in zip(got["metadatas"], got["embeddings"],
                                                                       strict=True)}


def build(settings: Settings, rebuild: bool = False, progress: bool = True, embedder=None) -> BuildReport:
    from assistant.embedder import get_embedder, model_fingerprint

    started = time.perf_counter()
    api = client(settings)
    chunks = document_chunks(load_corpus(settings.corpus_dir))
    if not chunks:
        raise IndexUnavailable(f"the corpus in {settings.corpus_dir} has no indexable text")
    model = model_fingerprint(settings)
    fingerprint = corpus_fingerprint(chunks, model)
    manifest = read_manifest(api, settings)
    if not rebuild and manifest.get("fingerprint") == fingerprint:
        try:
            if _collection(api, manifest["collection"]).count() == len(chunks):
                return BuildReport(manifest["collection"], len(chunks), 0, len(chunks),
                                   time.perf_counter() - started, up_to_date=True)
        except Exception:
            pass  # the pointed-at collection is gone or broken: build afresh

    prefix = f"{settings.chroma_collection_prefix}-"
    for col in api.list_collections():  # leftovers of builds that died half-way
        name = getattr(col, "name", col)
        if name.startswith(prefix) and name not in {manifest.get("collection"), _manifest_name(settings)}:
            api.delete_collection(name)

    stored = {} if rebuild or manifest.get("model") != model else _stored_embeddings(api, manifest)
    todo = [c for c in chunks if c.content_hash not in stored]
    if todo:
        embedder = embedder or get_embedder(settings)
        vectors = embedder.embed_passages([c.embed_text for c in todo], progress=progress)
        stored.update({c.content_hash: v for c, v in zip(todo, vectors, strict=True)})

    name = f"{prefix}{time.strftime('%Y%m%d%H%M%S')}-{fingerprint[:8]}"
    col = _collection(api, name, create=True)
    for i in range(0, len(chunks), BATCH):
        batch = chunks[i : i + BATCH]
        col.add(
            ids=[c.id for c in batch],
            embeddings=np.stack([stored[c.content_hash] for c in batch]),
            documents=[c.text for c in batch],
            metadatas=[{
                "section_id": c.section_id, "document": c.document, "title": c.title,
                "page": c.page if c.page is not None else -1, "hash": c.content_hash, "order": i + j,
            } for j, c in enumerate(batch)],
        )
    old = manifest.get("collection")
    _write_manifest(api, settings, {"collection": name, "fingerprint": fingerprint, "model": model,
                                    "chunks": len(chunks), "built_at": time.strftime("%Y-%m-%dT%H:%M:%S")})
    if old and old != name:
        with contextlib.suppress(Exception):  # already gone
            api.delete_collection(old)
    return BuildReport(name, len(chunks), len(todo), len(chunks) - len(todo), time.perf_counter() - started)


@dataclass
class Index:
    """An opened index: the live collection and its chunks (in corpus order)."""

    collection: object
    manifest: dict
    chunks: list[Chunk] = field(default_factory=list)

    def dense(self, vector: np.ndarray, n: int) -> list[tuple[str, float]]:
        """(chunk id, cosine similarity), best first."""
        try:
            res = self.collection.query(query_embeddings=[vector], n_results=min(n, len(self.chunks)),
                                        include=["distances"])
        except Exception as exc:
            raise IndexUnavailable(f"Chroma query failed: {exc}") from exc
        return [(cid, 1.0 - float(d)) for cid, d in zip(res["ids"][0], res["distances"][0], strict=True)]


def open_index(settings: Settings) -> Index:
    from assistant.embedder import model_fingerprint

    api = client(settings)
    manifest = read_manifest(api, settings)
    if not manifest.get("collection") and settings.chroma_host:
        try:
            api.heartbeat()
        except Exception as exc:  # the manifest is missing because the server is down, not because it was never built
            raise IndexUnreachable(f"{settings.chroma_host}:{settings.chroma_port}", exc) from exc
    if not manifest.get("collection"):
        raise IndexUnavailable("no index has been built yet: run `python -m assistant index` (or `make run`)")
    model = model_fingerprint(settings)
    if manifest.get("model") != model:
        raise IndexUnavailable(
            f"the index was built with embedding model {manifest.get('model')!r} but EMBEDDING_MODEL is "
            f"{model!r}: rebuild it with `python -m assistant index --rebuild`"
        )
    try:
        col = _collection(api, manifest["collection"])
        got = col.get(include=["documents", "metadatas"])
    except Exception as exc:
        raise IndexUnavailable(
            f"the index is unreadable ({exc}): rebuild it with `python -m assistant index --rebuild`"
        ) from exc
    rows = sorted(zip(got["ids"], got["documents"], got["metadatas"], strict=True), key=lambda r: r[2]["order"])
    chunks = [
        Chunk(cid, m["section_id"], m["document"], m["title"], None if m["page"] < 0 else int(m["page"]), doc)
        for cid, doc, m in rows
    ]
    if len(chunks) != manifest.get("chunks"):
        raise IndexUnavailable("the index is incomplete: rebuild it with `python -m assistant index --rebuild`")
    current = corpus_fingerprint(document_chunks(load_corpus(settings.corpus_dir)), model)
    if current != manifest.get("fingerprint"):
        log.warning("the index is older than the corpus in %s: run `python -m assistant index`", settings.corpus_dir)
    return Index(col, manifest, chunks)
