"""Model recommendation and the drafted checklist: accuracy, completeness, citations, override, exports."""

import json
from collections import Counter

import pytest

from assistant import messages
from assistant.checklist import draft, step_points
from assistant.citations import CorpusText
from assistant.corpus import load_corpus
from assistant.export import THAI_FONT, to_docx, to_markdown
from assistant.recommend import Recommender
from assistant.settings import ROOT
from tests.test_cli import run

SHELTER = "กรมต้องการให้มูลนิธิดูแลสถานแรกรับเด็กอย่างต่อเนื่อง เพราะไม่มีอัตรากำลังพอ"


@pytest.fixture(scope="module")
def recommender(embedder, built):
    return Recommender(embedder, load_corpus(built.corpus_dir))


@pytest.fixture(scope="module")
def corpus(built):
    return CorpusText(load_corpus(built.corpus_dir))


def test_dev_set_accuracy_and_confusion_matrix(recommender):
    items = [json.loads(line) for line in (ROOT / "eval" / "gold.jsonl").open() if '"scenario"' in line]
    assert len(items) >= 25 and {i["expected_model"] for i in items} == {"grant", "contracting", "commissioning"}
    confusion = Counter((i["expected_model"], recommender.recommend(i["scenario"]).model) for i in items)
    accuracy = sum(n for (want, got), n in confusion.items() if want == got) / len(items)
    print(f"\nrecommendation accuracy {accuracy:.3f}; confusion (expected, got): {dict(confusion)}")
    assert accuracy >= 0.9


@pytest.mark.parametrize("situation,model", [
    ("งานนี้ไม่ใช่งานประจำ เป็นการพัฒนาระบบติดตามเด็กในสถานรองรับให้เสร็จในปีนี้", "grant"),
    ("We need a nonprofit to run a weekly legal aid clinic for migrant workers as an ongoing service.", "contracting"),
    ("ตั้งศูนย์ประสานงานถาวรระดับจังหวัด รัฐ ท้องถิ่น และมูลนิธิส่งคนและงบประมาณมาร่วมกันหลายปี", "commissioning"),
])
def test_paraphrases_negations_and_english(recommender, situation, model):
    assert recommender.recommend(situation).model == model


def test_reasons_cite_the_guides_criteria(recommender, corpus):
    rec = recommender.recommend(SHELTER)
    assert rec.model == "contracting" and rec.confidence > 0.5
    assert any("อัตรากำลัง" in r.text for r in rec.reasons)
    assert all(corpus.contains(r.citation) and r.citation.section_id.startswith("contracting") for r in rec.reasons)


def test_close_calls_show_the_runner_up_and_a_clarifying_question(recommender):
    rec = recommender.recommend("ขอให้ชมรมผู้สูงอายุจัดกิจกรรมส่งเสริมสุขภาพ")
    assert rec.runner_up and rec.clarifying_question and rec.runner_up != rec.model


@pytest.mark.parametrize("model,steps", [("grant", 4), ("contracting", 9), ("commissioning", 6)])
def test_every_step_is_in_the_checklist_and_every_item_is_cited_verbatim(recommender, corpus, model, steps):
    result = draft(recommender, SHELTER, model)
    assert result.model == model and not result.error
    assert sorted({i.step for i in result.items if i.step}) == list(range(1, steps + 1))
    assert all(corpus.contains(i.citation) for i in result.items)
    assert any(i.step is None for i in result.items)  # cross-cutting preparation


def test_sub_points_of_steps(recommender):
    grant = draft(recommender, SHELTER, "grant")
    criteria = [i.text for i in grant.items if i.step == 2 and i.text.startswith("เกณฑ์")]
    assert len(criteria) >= 4
    contracting = " ".join(i.text for i in draft(recommender, SHELTER, "contracting").items if i.step == 6)
    assert "ภายในและภายนอก" in contracting and "ลงพื้นที่จริง" in contracting
    commissioning = " ".join(i.text for i in draft(recommender, SHELTER, "commissioning").items if i.step == 1)
    assert "ผู้จัดการโครงการ" in commissioning and "เลขานุการ" in commissioning
    assert step_points("ก่อน เช่น ความเชี่ยวชาญ มาตรฐานองค์กร พื้นที่บริการ เป็นต้น")[-1] == "พื้นที่บริการ"


def test_override_keeps_the_recommendation_visible(recommender):
    result = draft(recommender, SHELTER, "commissioning")
    assert result.overridden and result.runner_up == "contracting"
    assert result.as_dict()["model"] == "commissioning"


def test_situation_details_appear(recommender):
    result = draft(recommender, SHELTER)
    assert result.details == {"target": "เด็ก", "partner": "มูลนิธิ", "duration": "ต่อเนื่อง"}
    assert result.title.endswith("สำหรับเด็ก")
    assert "ภาคีที่จะร่วมงาน: มูลนิธิ" in to_markdown(result)


def test_docx_opens_with_items_citations_and_a_thai_font(recommender, tmp_path):
    from docx import Document

    result = draft(recommender, SHELTER)
    doc = Document(to_docx(result, tmp_path / "checklist.docx"))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [c.text for row in doc.tables[0].rows for c in row.cells]
    assert doc.paragraphs[0].text == result.title
    assert [c.text for c in doc.tables[0].rows[0].cells] == list(messages.TABLE_HEADERS)
    assert all(i.text in cells for i in result.items) and cells.count("☐") == len(result.items)
    assert "หน้า 21" in text and result.reasons[0].citation.text in text
    assert doc.styles["Normal"].font.name == THAI_FONT


@pytest.mark.parametrize("bad", ["", "สวัสดี", "ก" * 2100])
def test_bad_input(recommender, bad):
    assert draft(recommender, bad).error


def test_cli_json_and_batch_contract(built, tmp_path):
    out = run(["checklist", SHELTER, "--json"], built)
    data = json.loads(out.stdout)
    assert set(data) == {"model", "confidence", "runner_up", "reasons", "items"}
    assert data["model"] == "contracting" and 0 < data["confidence"] <= 1
    assert set(data["items"][0]) == {"step", "text", "citation"} and set(data["reasons"][0]) == {"text", "citation"}
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in [
        {"id": 1, "scenario": SHELTER}, {"id": 2, "scenario": ""},
        {"id": 3, "scenario": "จังหวัดจะตั้งคณะกรรมการร่วมถาวรกับภาคประชาสังคมเพื่อคุ้มครองเด็กระยะยาว"}]))
    rows = [json.loads(line) for line in run(["checklist", "--batch", str(path), "--json"], built).stdout.splitlines()]
    assert [r["id"] for r in rows] == [1, 2, 3]
    assert rows[0]["model"] == "contracting" and "error" in rows[1] and rows[2]["model"] == "commissioning"
    docx = tmp_path / "out.docx"
    assert run(["checklist", SHELTER, "--model", "grant", "--docx", str(docx)], built).returncode == 0
    assert docx.stat().st_size > 10_000
