"""Wiring: builds the shared components once per process (index, embedder, searcher, assistant)."""

from __future__ import annotations

from functools import lru_cache

from assistant.settings import Settings, get_settings


@lru_cache(maxsize=1)
def get_searcher(settings: Settings | None = None):
    from assistant.embedder import get_embedder
    from assistant.index import open_index
    from assistant.retrieval import HybridSearcher

    settings = settings or get_settings()
    return HybridSearcher(open_index(settings), get_embedder(settings), settings)
