"""The web UI: pure helpers directly, then end to end in a real headless Chromium driven by Playwright."""

import json
import os
import sqlite3

import pytest

from assistant.answer import Answer
from assistant.citations import Citation
from assistant.corpus import load_corpus
from assistant.settings import ROOT
from assistant.web import document_choices, documents_markdown, highlight, render_sources, toc_choices
from tests.helpers import CHROMIUM, require_chromium, serve_web

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]
SCREENSHOTS = ROOT / "docs" / "screenshots"


def test_highlight_marks_the_quote_whitespace_tolerantly():
    out = highlight("ก่อน ข้อความ  ที่อ้างอิง <หลัง>", "ข้อความ ที่อ้างอิง")
    assert out == "ก่อน <mark>ข้อความ  ที่อ้างอิง</mark> &lt;หลัง&gt;"
    assert highlight("ไม่มี", "อื่น") == "ไม่มี"


def test_sources_and_table_of_contents(built):
    sections = {s.id: s for d in load_corpus(built.corpus_dir) for s in d.sections.values()}
    cite = Citation("grant.steps.2", sections["grant.steps.2"].path_text, 17, "collaborative-governance-guide",
                    "ซึ่งหน่วยงานภาครัฐต้องเป็นผู้ให้คำปรึกษาชี้แจงแนวทางต่าง ๆ")
    html = render_sources(Answer("x [1]", False, [cite]), sections)
    assert "หน้า 17" in html and "<mark>ซึ่งหน่วยงานภาครัฐต้องเป็นผู้ให้คำปรึกษาชี้แจงแนวทางต่าง ๆ</mark>" in html
    labels = dict((v, k) for k, v in toc_choices(sections))
    assert labels["grant"].startswith("รูปแบบการให้เงินอุดหนุน") and labels["grant"].endswith("หน้า 14")
    assert "หน้า 17" in labels["grant.steps.2"] and labels["grant.steps.2"].startswith("　")
    assert not any(k.startswith("fn.") or ".fig" in k for k in labels)


def test_sources_name_their_document_and_the_guide_tab_lists_every_document(built, tmp_path):
    from assistant.documents import DocumentInfo

    (tmp_path / "note.md").write_text("# บันทึกทดสอบ\n\n## ศูนย์ลำดวน\n\nเปิดทุกวันพุธ ณ อาคารทดสอบ\n", encoding="utf-8")
    guide = load_corpus(built.corpus_dir)
    docs = guide + load_corpus(tmp_path)
    sections = {s.id: s for d in docs for s in d.sections.values()}
    assert document_choices(sections) == [(guide[0].title, guide[0].id), ("บันทึกทดสอบ", "note")]
    assert [v for _, v in toc_choices(sections, "note")] == ["note/1"]
    assert "grant" in dict((v, k) for k, v in toc_choices(sections, guide[0].id))
    cite = Citation.quote(sections["note/1"], "เปิดทุกวันพุธ ณ อาคารทดสอบ")
    assert cite.document_title == "บันทึกทดสอบ" and cite.source == "บันทึกทดสอบ › ศูนย์ลำดวน"
    assert "[1] บันทึกทดสอบ › ศูนย์ลำดวน · ไม่ระบุหน้า" in render_sources(Answer("x [1]", False, [cite]), sections)
    table = documents_markdown([DocumentInfo("a|b.md", "ชื่อ", "md", 0, 2, 3, 0)],
                               {"built_at": "2026-11-27T10:00:00", "chunks": 3})
    assert "| a\\|b.md | ชื่อ | md | – | 2 | 3 | – |" in table and "2026-11-27T10:00:00" in table


@pytest.fixture(scope="module")
def web_url(built, tmp_path_factory):
    require_chromium("THE BROWSER TEST")
    data = tmp_path_factory.mktemp("web-data")
    proc, port = serve_web({"CORPUS_DIR": str(built.corpus_dir), "INDEX_DIR": str(built.index_dir),
                            "DATA_DIR": str(data)})
    yield f"http://127.0.0.1:{port}/", data
    proc.terminate()
    proc.wait(20)


@pytest.fixture(scope="module")
def page(web_url):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 1400}, accept_downloads=True)
        page.set_default_timeout(90_000)
        page.requested = []
        page.on("request", lambda request: page.requested.append(request.url))
        page.goto(web_url[0], wait_until="load")
        yield page
        browser.close()


def _ask(page, question: str, expect: str) -> None:
    """Ask, then wait for THIS answer: a new bot message holding `expect`, and the round trip finished (the
    expected words may already be in an earlier answer, and feedback needs the final state)."""
    before = page.locator("#chatbot .message").count()
    box = page.locator("#question textarea")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function("n => document.querySelectorAll('#chatbot .message').length >= n + 2", arg=before)
    page.locator("#chatbot .message").last.get_by_text(expect).first.wait_for()
    page.wait_for_function("() => !document.querySelector('#chatbot .pending, #chatbot .generating')")
    page.locator("#question textarea").and_(page.locator(":enabled")).wait_for()


def test_chat_answers_with_citations_follow_ups_and_feedback(page, web_url):
    _ask(page, "รูปแบบการให้เงินอุดหนุนมีกี่ขั้นตอน", "มี 4 ขั้นตอน")
    page.locator("#sources .cite").first.wait_for()
    sources = page.locator("#sources").inner_text()
    assert "หน้า 17" in sources and "ขั้นตอนการดำเนินการ" in sources
    assert page.locator("#sources mark").count() >= 5
    assert "ไม่ใช้ LLM" in page.locator("#backend").inner_text()
    if os.environ.get("UPDATE_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / "chat.png"), full_page=True)

    _ask(page, "แล้วขั้นตอนที่ 3 ล่ะ", "การรับงบประมาณ (Recipe)")
    page.get_by_text("ขั้นตอนที่ 3 การรับงบประมาณ (Recipe) · หน้า 17", exact=False).first.wait_for()

    page.locator("#comment textarea").fill("ตอบตรงคำถาม")
    page.locator("#thumbs-up").click()
    page.locator("#feedback-status").get_by_text("บันทึกแล้ว").wait_for()
    with sqlite3.connect(web_url[1] / "assistant.sqlite3") as db:
        rows = db.execute("SELECT question, rating, comment, backend, citations FROM feedback").fetchall()
    assert rows[-1][:4] == ("แล้วขั้นตอนที่ 3 ล่ะ", 1, "ตอบตรงคำถาม", "default")
    assert json.loads(rows[-1][4])[0]["section_id"] == "grant.steps.3"

    page.locator("#open-guide").click()
    page.locator("#section-view").get_by_text("การรับงบประมาณ (Recipe) เมื่อหน่วยงานภาครัฐ", exact=False).wait_for()
    assert _image_size(page, "#guide-cycle") == (1200, 1200)  # a step of a model: its cycle is drawn beside it
    page.get_by_role("tab", name="ถามคู่มือ").click()


def _image_size(page, selector: str) -> tuple[int, int]:
    """The image a Gradio Image component shows: loaded in the browser, then fetched and decoded with Pillow."""
    from io import BytesIO
    from urllib.parse import urljoin

    from PIL import Image

    page.wait_for_function(f"() => {{ const i = document.querySelector('{selector} img'); "
                           "return i && i.complete && i.naturalWidth > 0; }")
    src = page.locator(f"{selector} img").first.get_attribute("src")
    image = Image.open(BytesIO(page.request.get(urljoin(page.url, src)).body()))
    image.load()
    return image.size


def test_bad_input_and_refusals_keep_the_session_working(page):
    _ask(page, "😀😀😀", "ไม่พบข้อความที่อ่านได้")
    _ask(page, "ราคาทองคำวันนี้เท่าไร", "ไม่พบในคู่มือ")
    _ask(page, "Commissioning มีกี่ขั้นตอน", "มี 6 ขั้นตอน")
    page.locator("#new-conversation").click()
    page.wait_for_function("document.querySelectorAll('#chatbot .message').length === 0")


def test_checklist_tab_drafts_tasks_the_cycle_and_downloads_word_and_excel(page, tmp_path):
    from docx import Document
    from openpyxl import load_workbook

    page.get_by_role("tab", name="ร่างเช็กลิสต์").click()
    page.locator("#situation textarea").fill("อยากให้องค์กรภาคเอกชนรับเรื่องร้องเรียนผู้บริโภคแทนหน่วยงานเป็นบริการประจำ")
    page.locator("#draft").click()
    page.locator("#recommendation").get_by_text("Performance-based Contracting", exact=False).first.wait_for()
    recommendation = page.locator("#recommendation").inner_text()
    assert "รับเรื่องร้องเรียนผู้บริโภค" in recommendation and "ทำไมไม่ใช่รูปแบบอื่น" in recommendation
    assert "ตรวจความพร้อมก่อนเริ่ม" in recommendation
    assert page.locator("#items input[type=checkbox]").count() > 20
    assert "ผู้รับผิดชอบ: หน่วยงานคู่สัญญา (องค์กรภาคเอกชน)" in page.locator("#items").inner_text()
    assert _image_size(page, "#cycle") == (1200, 1200)
    if os.environ.get("UPDATE_SCREENSHOTS"):
        page.screenshot(path=str(SCREENSHOTS / "checklist.png"), full_page=True)
    with page.expect_download() as download:
        page.locator("#docx a").first.click()
    path = tmp_path / "checklist.docx"
    download.value.save_as(path)
    doc = Document(path)
    assert "Performance-based Contracting" in doc.paragraphs[0].text
    assert any("ขั้นตอนที่ 9" in c.text for row in doc.tables[0].rows for c in row.cells)
    assert len(doc.inline_shapes) == 1
    with page.expect_download() as download:
        page.locator("#xlsx a").first.click()
    download.value.save_as(tmp_path / "checklist.xlsx")
    rows = list(load_workbook(tmp_path / "checklist.xlsx").worksheets[0].iter_rows(values_only=True))
    assert any(r[1] and "รับเรื่องร้องเรียนผู้บริโภค" in r[1] for r in rows)


def test_the_page_fetches_nothing_from_outside(page):
    """Runs last in this module: every request the UI made, through all the tests above, stayed local."""
    assert len(page.requested) > 10
    outside = [u for u in page.requested if not u.startswith(("http://127.0.0.1", "data:", "blob:"))]
    assert outside == []
