"""Adding, replacing and removing documents: checked by content before anything changes, re-indexed with the
real embedder and Chroma on disk, rolled back when the re-index fails, and the CLI in front of it."""

from __future__ import annotations

import json
import shutil

import pytest

from assistant import documents
from assistant.documents import DocumentRefused, check_upload
from tests.conftest import make_settings
from tests.test_cli import run
from tests.thai_pdf import locked_pdf

NOTE = "# บันทึกทดสอบ\n\n## ศูนย์ประสานงานลำดวน\n\nศูนย์ประสานงานลำดวนเปิดให้บริการทุกวันพุธ ณ อาคารทดสอบชั้นสาม\n"
OTHER = "# คู่มือย่อ\n\n## การประชุมประจำเดือน\n\nคณะทำงานประชุมเดือนละครั้งเพื่อติดตามความก้าวหน้าของภารกิจร่วม\n"


@pytest.fixture
def small(tmp_path, embedder):
    """A corpus of one small document with its own index (the session's guide index is never touched)."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "short-guide.md").write_text(OTHER, encoding="utf-8")
    settings = make_settings(tmp_path, corpus_dir=corpus)
    from assistant.index import build

    build(settings, progress=False, embedder=embedder)
    return settings


def _documents_in_index(settings) -> set[str]:
    from assistant.index import client, read_manifest

    api = client(settings)
    got = api.get_collection(read_manifest(api, settings)["collection"]).get(include=["metadatas"])
    return {m["document"] for m in got["metadatas"]}


@pytest.mark.parametrize("name,content,message", [
    ("report.pdf", b"MZ\x90\x00\x03 an executable renamed", "ไม่ตรงกับนามสกุล"),
    ("notes.txt", b"text\x00with a NUL byte", "ไม่ตรงกับนามสกุล"),
    ("notes.txt", "ภาษาไทย".encode("tis-620"), "ไม่ตรงกับนามสกุล"),  # not UTF-8
    ("letter.docx", b"PK\x03\x04 not really a zip", "ไม่ตรงกับนามสกุล"),
    ("empty.md", b"", "ไม่ตรงกับนามสกุล"),
    ("run.sh", b"#!/bin/sh\n", "ชื่อไฟล์"),
    ("~$lock.docx", b"PK\x03\x04", "ชื่อไฟล์"),
    ("notes.md\n", b"# x", "ชื่อไฟล์"),  # would land in corpus/ under a name no reader picks up
])
def test_uploads_are_checked_by_content_not_name(tmp_path, name, content, message):
    path = tmp_path / "upload"
    path.write_bytes(content)
    with pytest.raises(DocumentRefused, match=message):
        check_upload(path, make_settings(tmp_path), name)


def test_too_large_and_missing_files(tmp_path):
    path = tmp_path / "big.md"
    path.write_text("ก" * 2000, encoding="utf-8")
    with pytest.raises(DocumentRefused, match="ใหญ่เกิน"):
        check_upload(path, make_settings(tmp_path, docs_max_bytes=1000))
    with pytest.raises(DocumentRefused, match="ไม่พบไฟล์"):
        check_upload(tmp_path / "nothing.md", make_settings(tmp_path))
    assert check_upload(path, make_settings(tmp_path)) == "big.md"


def test_add_replace_remove_reindex_and_leave_nothing_behind(small, tmp_path, embedder):
    upload = tmp_path / "note.md"
    upload.write_text(NOTE, encoding="utf-8")
    report = documents.add(upload, small, embedder=embedder)
    assert report.embedded > 0 and _documents_in_index(small) == {"short-guide", "note"}
    with pytest.raises(DocumentRefused, match="อยู่แล้ว"):
        documents.add(upload, small, embedder=embedder)
    upload.write_text(NOTE.replace("วันพุธ", "วันศุกร์"), encoding="utf-8")
    documents.add(upload, small, replace=True, embedder=embedder)
    assert "วันศุกร์" in (small.corpus_dir / "note.md").read_text(encoding="utf-8")
    infos, manifest = documents.listing(small)
    assert {i.file for i in infos} == {"short-guide.md", "note.md"} and manifest["chunks"] == sum(i.chunks for i in infos)
    documents.remove("note.md", small, embedder=embedder)
    assert _documents_in_index(small) == {"short-guide"}
    assert sorted(p.name for p in small.corpus_dir.iterdir()) == ["short-guide.md"]  # no staging leftovers
    with pytest.raises(DocumentRefused, match="ฉบับสุดท้าย"):
        documents.remove("short-guide.md", small, embedder=embedder)
    with pytest.raises(DocumentRefused, match="ไม่พบเอกสาร"):
        documents.remove("nothing.md", small, embedder=embedder)


def test_an_encrypted_pdf_changes_nothing(small, tmp_path, embedder):
    with pytest.raises(DocumentRefused, match="รหัสผ่าน"):
        documents.add(locked_pdf(tmp_path / "locked.pdf"), small, embedder=embedder)
    assert sorted(p.name for p in small.corpus_dir.iterdir()) == ["short-guide.md"]


class BrokenEmbedder:
    """The re-index fails half-way (a full disk, a killed worker): the corpus must be as it was."""

    def __init__(self, error: BaseException | None = None):
        self.error = error or OSError("no space left on device")

    def embed_passages(self, texts, progress=False):
        raise self.error


def test_a_failed_reindex_rolls_the_corpus_back(small, tmp_path):
    upload = tmp_path / "note.md"
    upload.write_text(NOTE, encoding="utf-8")
    with pytest.raises(OSError):
        documents.add(upload, small, embedder=BrokenEmbedder())
    assert sorted(p.name for p in small.corpus_dir.iterdir()) == ["short-guide.md"]
    assert _documents_in_index(small) == {"short-guide"}  # the old index still serves
    before = (small.corpus_dir / "short-guide.md").read_text(encoding="utf-8")
    shutil.copy(small.corpus_dir / "short-guide.md", tmp_path / "short-guide.md")
    (tmp_path / "short-guide.md").write_text(OTHER + "\nเพิ่มเติม ย่อหน้าใหม่ที่ต้องฝังเวกเตอร์\n", encoding="utf-8")
    with pytest.raises(OSError):
        documents.add(tmp_path / "short-guide.md", small, replace=True, embedder=BrokenEmbedder())
    assert (small.corpus_dir / "short-guide.md").read_text(encoding="utf-8") == before
    with pytest.raises(KeyboardInterrupt):  # Ctrl-C during a long re-index: the document survives
        documents.add(tmp_path / "short-guide.md", small, replace=True, embedder=BrokenEmbedder(KeyboardInterrupt()))
    assert sorted(p.name for p in small.corpus_dir.iterdir()) == ["short-guide.md"]
    assert (small.corpus_dir / "short-guide.md").read_text(encoding="utf-8") == before


def test_cli_lists_documents_and_refuses_a_bad_upload_in_thai(built, tmp_path):
    out = run(["docs", "list", "--json"], built)
    data = json.loads(out.stdout)
    guide = next(d for d in data["documents"] if d["file"] == "collaborative-governance-guide.txt")
    assert guide["sections"] > 50 and guide["chunks"] > 50 and data["index"]["chunks"] >= guide["chunks"]
    fake = tmp_path / "manual.pdf"
    fake.write_bytes(b"MZ\x90\x00")
    out = run(["docs", "add", str(fake)], built)
    assert out.returncode == 2 and "ไม่ตรงกับนามสกุล" in out.stderr and "Traceback" not in out.stderr
    assert not (built.corpus_dir / "manual.pdf").exists()
