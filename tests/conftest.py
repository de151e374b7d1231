"""Fixtures: every test gets its own data folders; the real model and a real on-disk Chroma index."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from assistant.settings import ROOT, Settings

GUIDE = ROOT / "corpus" / "collaborative-governance-guide.txt"


def make_settings(tmp: Path, **overrides) -> Settings:
    corpus = overrides.pop("corpus_dir", None)
    if corpus is None:
        corpus = tmp / "corpus"
        corpus.mkdir(parents=True, exist_ok=True)
        for f in (ROOT / "corpus").iterdir():  # the guide, its metadata and the task files beside it
            if f.is_dir():
                shutil.copytree(f, corpus / f.name, dirs_exist_ok=True)
            else:
                shutil.copy(f, corpus / f.name)
    return Settings(corpus_dir=corpus, index_dir=tmp / "index", data_dir=tmp / "data",
                    models_dir=ROOT / "models", **overrides)


@pytest.fixture(scope="session")
def embedder():
    from assistant.embedder import get_embedder

    return get_embedder(Settings(models_dir=ROOT / "models"))


@pytest.fixture
def settings(tmp_path) -> Settings:
    return make_settings(tmp_path)


@pytest.fixture(scope="session")
def built(tmp_path_factory, embedder):
    """A real Chroma index of the guide on disk, built once for the session."""
    from assistant.index import build

    s = make_settings(tmp_path_factory.mktemp("built"))
    build(s, progress=False, embedder=embedder)
    return s


@pytest.fixture(scope="session")
def searcher(built, embedder):
    from assistant.index import open_index
    from assistant.retrieval import HybridSearcher

    return HybridSearcher(open_index(built), embedder, built)


@pytest.fixture(scope="session")
def guide_as_pdf(tmp_path_factory):
    """The guide's text export drawn as a legacy-encoded, scrambled Thai PDF (tests/thai_pdf.py), alone in a
    folder, and the `Document` the reader table makes of it: (GuidePdf, Document)."""
    from assistant.corpus import load_corpus
    from tests.thai_pdf import guide_pdf

    folder = tmp_path_factory.mktemp("guide-pdf")
    made = guide_pdf(folder / "collaborative-governance-guide-pdf.pdf", legacy=True, scramble=True)
    (doc,) = load_corpus(folder)
    return made, doc


@pytest.fixture(scope="module")
def line():
    """A stand-in for LINE's API on 127.0.0.1 (tests/test_line.py), one per test module."""
    from tests.test_line import FakeLine

    fake = FakeLine()
    yield fake
    fake.server.shutdown()


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL server (tests/postgres.py) for the session; each test makes its own database."""
    from tests.postgres import Cluster, require_postgres

    cluster = Cluster(require_postgres("the PostgreSQL tests"))
    yield cluster
    cluster.stop()
