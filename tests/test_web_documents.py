"""The document manager tab, end to end: a real server behind its login, a real headless Chromium, the real
embedder and Chroma on disk (a copy of the session's index, so the session's corpus is never touched).

Upload → a question answered from the new document, its citation naming the document → remove → refused again;
bad uploads (a renamed .exe, an encrypted PDF, a file over DOCS_MAX_BYTES) get a Thai message and change
nothing. The guide tab browses the new document while it is there.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from assistant import documents
from tests.conftest import make_settings
from tests.helpers import CHROMIUM, require_chromium, serve_web
from tests.test_documents import NOTE
from tests.test_web import ARGS, _ask
from tests.thai_pdf import locked_pdf

USER, PASSWORD = "admin", "a-long-test-password"
# The note's own name for the centre. The short form "ศูนย์ลำดวน" is refused since the gate learnt its nearest-neighbour
# feature (p 0.50 < 0.576 with the note indexed; issue 10's fourth session closing note says so).
QUESTION = "ศูนย์ประสานงานลำดวนอยู่อาคารไหน"
LIMIT = 3_000_000  # DOCS_MAX_BYTES for this server: small enough to send a larger file quickly


@pytest.fixture(scope="module")
def admin(built, tmp_path_factory):
    require_chromium("THE DOCUMENT MANAGER BROWSER TEST")
    tmp = tmp_path_factory.mktemp("web-docs")
    shutil.copytree(built.corpus_dir, tmp / "corpus")
    shutil.copytree(built.index_dir, tmp / "index")  # embeddings reused: only the new document is embedded
    settings = make_settings(tmp, corpus_dir=tmp / "corpus", docs_max_bytes=LIMIT)
    proc, port = serve_web({"CORPUS_DIR": str(settings.corpus_dir), "INDEX_DIR": str(settings.index_dir),
                            "DATA_DIR": str(settings.data_dir), "WEB_USERNAME": USER, "WEB_PASSWORD": PASSWORD,
                            "DOCS_MAX_BYTES": str(LIMIT)})
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 1400})
        page.set_default_timeout(240_000)  # 2 cores shared with the rest of the suite
        page.goto(f"http://127.0.0.1:{port}/", wait_until="load")
        page.locator("input[type=password]").wait_for()
        page.locator("input:not([type=password])").first.fill(USER)
        page.locator("input[type=password]").fill(PASSWORD)
        page.locator("input[type=password]").press("Enter")
        page.locator("#question textarea").wait_for()
        page.settings = settings
        yield page
        browser.close()
    proc.terminate()
    proc.wait(20)


def _corpus(settings) -> list[str]:
    return sorted(p.name for p in settings.corpus_dir.iterdir() if p.is_file())


def _settled(page) -> None:
    page.wait_for_function("() => !document.querySelector('.pending, .generating, .progress-text')")


def _submit(page, path: Path | None, expect: str) -> str:
    page.get_by_role("tab", name="จัดการเอกสาร").click()
    page.locator("#docs-table table").wait_for()
    _settled(page)  # the tab's listing event has finished (an upload during it was lost once on a loaded CI box)
    if path is not None:
        page.locator("#docs-upload input[type=file]").set_input_files(str(path))
        page.locator("#docs-upload").get_by_text(path.name).first.wait_for()
    page.locator("#docs-add").click()
    page.locator("#docs-status").get_by_text(expect).wait_for()
    return page.locator("#docs-status").inner_text()


def test_upload_answer_remove_refuse(admin, tmp_path):
    settings = admin.settings
    before = _corpus(settings)
    _ask(admin, QUESTION, "ไม่พบในคู่มือ")

    upload = tmp_path / "lamduan-note.md"
    upload.write_text(NOTE, encoding="utf-8")
    assert "เพิ่ม “lamduan-note.md” แล้ว" in _submit(admin, upload, "แล้ว")
    table = admin.locator("#docs-table").inner_text()
    assert "lamduan-note.md" in table and "collaborative-governance-guide.txt" in table
    assert _corpus(settings) == sorted([*before, "lamduan-note.md"])

    admin.get_by_role("tab", name="ถามคู่มือ").click()
    _ask(admin, QUESTION, "วันพุธ")
    admin.locator("#sources .cite").first.wait_for()
    assert "บันทึกทดสอบ ›" in admin.locator("#sources").inner_text()  # the citation names its document

    admin.get_by_role("tab", name="อ่านคู่มือ").click()  # the guide tab browses the new document too
    admin.locator("#document input").click()
    admin.get_by_role("option", name="บันทึกทดสอบ").click()
    admin.locator("#section-view").get_by_text("ศูนย์ประสานงานลำดวนเปิดให้บริการทุกวันพุธ", exact=False).wait_for()

    admin.get_by_role("tab", name="จัดการเอกสาร").click()
    admin.locator("#docs-remove-pick input").click()
    admin.get_by_role("option", name="lamduan-note.md").click()
    admin.locator("#docs-remove").click()
    admin.locator("#docs-status").get_by_text("ลบ “lamduan-note.md” แล้ว").wait_for()
    assert _corpus(settings) == before
    admin.get_by_role("tab", name="ถามคู่มือ").click()
    _ask(admin, QUESTION, "ไม่พบในคู่มือ")


def test_bad_uploads_get_thai_messages_and_change_nothing(admin, tmp_path):
    settings = admin.settings
    before = _corpus(settings)
    built_at = documents.listing(settings)[1]["built_at"]

    exe = tmp_path / "report.pdf"
    exe.write_bytes(b"MZ\x90\x00\x03" + os.urandom(4000))  # an executable renamed .pdf
    assert "ไม่ตรงกับนามสกุล" in _submit(admin, exe, "ไม่ตรงกับนามสกุล")
    locked = locked_pdf(tmp_path / "locked.pdf")
    assert "⚠️" in _submit(admin, locked, "รหัสผ่าน")
    assert _corpus(settings) == before and documents.listing(settings)[1]["built_at"] == built_at

    # over DOCS_MAX_BYTES: Gradio stops reading it as it streams in; the answer is 413 with a Thai detail
    big = b"--b\r\nContent-Disposition: form-data; name=\"files\"; filename=\"big.md\"\r\n\r\n" + \
        b"x" * (LIMIT + 1_000_000) + b"\r\n--b--\r\n"
    response = admin.request.post(admin.url.split("?")[0].rstrip("/") + "/gradio_api/upload", data=big,
                                  headers={"Content-Type": "multipart/form-data; boundary=b"})
    assert response.status == 413
    assert "ไฟล์ใหญ่เกินกำหนด (3 MB)" in response.json()["detail"]
    assert _corpus(settings) == before
    assert "กรุณาเลือกไฟล์ก่อน" in _submit(admin, None, "กรุณาเลือกไฟล์ก่อน")
