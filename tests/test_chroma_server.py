"""Client–server mode: a real `chroma run` on 127.0.0.1, the same build and retrieval checks."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.index import IndexUnavailable, build, open_index
from assistant.retrieval import HybridSearcher
from tests.helpers import free_port, wait_until_serving


@pytest.fixture
def chroma_server(tmp_path):
    exe = shutil.which("chroma", path=str(Path(sys.executable).parent))
    assert exe, "the chroma CLI comes with the chromadb package"
    port = free_port()
    proc = subprocess.Popen([exe, "run", "--path", str(tmp_path / "server"), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_until_serving(proc, port, timeout=60)
    yield port
    proc.terminate()
    proc.wait(10)


def test_same_retrieval_through_a_chroma_server(settings, embedder, chroma_server):
    remote = settings.model_copy(update={"chroma_host": "127.0.0.1", "chroma_port": chroma_server})
    report = build(remote, progress=False, embedder=embedder)
    assert report.embedded == report.chunks
    assert build(remote, progress=False, embedder=embedder).up_to_date
    assert not settings.index_dir.exists()  # nothing was written locally
    searcher = HybridSearcher(open_index(remote), embedder, remote)
    hits = searcher.search("การประเมินผลงานขั้นกลาง (Mid-term Evaluation)", 3)
    assert hits[0].chunk.section_id == "contracting.steps.6" and hits[0].chunk.page == 23


def test_unreachable_server_is_a_clear_error(settings):
    remote = settings.model_copy(update={"chroma_host": "127.0.0.1", "chroma_port": free_port()})
    with pytest.raises(IndexUnavailable, match="127.0.0.1"):
        open_index(remote)
