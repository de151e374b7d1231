"""Model recommendation and the drafted checklist: accuracy, completeness, citations, override, exports."""

import json
from collections import Counter

import pytest

from assistant import messages
from assistant.checklist import draft
from assistant.citations import CorpusText
from assistant.corpus import load_corpus
from assistant.export import THAI_FONT, cycle_png, to_docx, to_markdown, to_xlsx
from assistant.recommend import Recommender
from assistant.settings import ROOT
from assistant.tasks import covers, starts_with_verb, step_points
from tests.test_cli import run

SHELTER = "กรมต้องการให้มูลนิธิดูแลสถานแรกรับเด็กอย่างต่อเนื่อง เพราะไม่มีอัตรากำลังพอ"
COMPLAINTS = "อยากให้องค์กรภาคเอกชนรับเรื่องร้องเรียนผู้บริโภคแทนหน่วยงานเป็นบริการประจำ"


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


def test_every_sub_point_of_every_step_is_covered_by_a_task(recommender):
    for model in ("grant", "contracting", "commissioning"):
        result = draft(recommender, SHELTER, model)
        for sid in recommender.sections[f"{model}.steps"].children:
            step = recommender.sections[sid]
            quotes = [i.citation.text for i in result.items if i.step == step.step]
            assert all(any(covers(q, p) for q in quotes) for p in step_points(step.text)), sid
    assert step_points("ก่อน เช่น ความเชี่ยวชาญ มาตรฐานองค์กร พื้นที่บริการ เป็นต้น")[-1] == "พื้นที่บริการ"


def test_the_issue_situation_reads_as_tasks_with_owners_outputs_and_its_own_words(recommender, corpus):
    """The situation of issue 11: tasks a colleague could act on, naming the service and the partner."""
    result = draft(recommender, COMPLAINTS)
    assert result.model == "contracting" and result.basis == "tasks"
    assert "รับเรื่องร้องเรียนผู้บริโภค" in result.title
    assert all(starts_with_verb(i.text) and i.owner and i.output for i in result.items)
    assert all(corpus.contains(i.citation) for i in result.items)
    assert not any(i.text.startswith(("และ", "ความ")) or i.text.endswith("เป็นต้น") for i in result.items)
    tasks = " ".join(i.text for i in result.items)
    assert tasks.count("“รับเรื่องร้องเรียนผู้บริโภค”") >= 5
    owners = {i.owner for i in result.items}
    assert "หน่วยงานคู่สัญญา (องค์กรภาคเอกชน)" in owners and "หน่วยงานภาครัฐส่วนกลาง" in owners
    assert any("ประกาศ" in i.text and i.step == 1 for i in result.items)
    assert any("สัญญาข้อตกลง" in i.output for i in result.items)


def test_nothing_is_invented_blanks_are_left_for_the_user(recommender):
    result = draft(recommender, "ขอให้ช่วยแนะนำรูปแบบการทำงานร่วมกับภาคประชาสังคมแบบต่อเนื่องหลายปี")
    text = " ".join(i.text + i.output for i in result.items)
    assert "…" in text  # the service and the budget are not given: visible blanks
    assert not any(ch.isdigit() for ch in text)  # no amounts, dates or durations made up


def test_a_task_the_situation_makes_unnecessary_is_kept_and_marked(recommender):
    plain = draft(recommender, "ให้มหาวิทยาลัยสำรวจข้อมูลผู้สูงอายุให้เสร็จภายใน 6 เดือน", "grant")
    experienced = draft(recommender, "ให้มหาวิทยาลัยที่มีประสบการณ์สำรวจข้อมูลผู้สูงอายุให้เสร็จภายใน 6 เดือน", "grant")
    assert not any(i.optional for i in plain.items)
    marked = [i for i in experienced.items if i.optional]
    assert marked and len(experienced.items) == len(plain.items)
    assert "อาจไม่จำเป็น" in to_markdown(experienced)


def test_readiness_checks_and_why_not_the_others_are_cited(recommender, corpus):
    result = draft(recommender, SHELTER)
    assert len(result.readiness) >= 8 and all(r.question.endswith(("หรือไม่", "หรือยัง", "ใช่หรือไม่"))
                                              for r in result.readiness)
    assert all(corpus.contains(r.citation) for r in result.readiness + result.why_not)
    assert {r.citation.section_id.split(".")[0] for r in result.why_not} == {"grant", "commissioning"}
    grant = next(r for r in result.why_not if r.citation.section_id.startswith("grant"))
    assert "กำหนดระยะเวลาชัดเจน" in grant.text


def test_a_model_without_a_task_file_keeps_quotes_labelled_as_such(embedder, tmp_path):
    import shutil

    corpus_dir = tmp_path / "corpus"
    shutil.copytree(ROOT / "corpus", corpus_dir)
    (corpus_dir / "checklists" / "commissioning.yaml").unlink()
    result = draft(Recommender(embedder, load_corpus(corpus_dir)), SHELTER, "commissioning")
    assert result.basis == "quotes" and messages.QUOTE_BASED in to_markdown(result)
    assert sorted({i.step for i in result.items if i.step}) == list(range(1, 7))


def test_the_cycle_diagram_is_drawn_from_the_section_tree(recommender):
    from io import BytesIO

    from PIL import Image

    for model, steps in (("grant", 4), ("contracting", 9), ("commissioning", 6)):
        png = cycle_png(draft(recommender, SHELTER, model), recommender.sections)
        assert png is not None, "fonts-thai-tlwg is installed here (make browser)"
        image = Image.open(BytesIO(png))
        image.load()
        assert image.size == (1200, 1200)
        colours = {colour: n for n, colour in image.getcolors(maxcolors=1 << 20)}
        assert colours[(29, 78, 216)] > 20_000  # arrows, box outlines and the numbered bubbles are drawn
        assert colours[(239, 246, 255)] > 15_000 * steps  # one pale box per step


def test_xlsx_one_row_per_task(recommender, tmp_path):
    from openpyxl import load_workbook

    result = draft(recommender, COMPLAINTS)
    book = load_workbook(to_xlsx(result, tmp_path / "checklist.xlsx"))
    sheet = book[messages.XLSX_SHEET_TASKS]
    rows = list(sheet.iter_rows(values_only=True))
    header = rows.index(messages.XLSX_HEADERS + ()) if messages.XLSX_HEADERS in rows else 2
    assert rows[header] == messages.XLSX_HEADERS
    tasks = rows[header + 1 :]
    assert len(tasks) == len(result.items)
    assert [r[1] for r in tasks] == [i.text for i in result.items]
    assert all(r[2] and r[3] and r[4] is None and r[5] is None and "หน้า" in r[6] for r in tasks)
    assert {r[0] for r in tasks} >= {1, 9}
    assert sheet.data_validations.dataValidation  # status drop-down and date column
    assert len(list(book[messages.XLSX_SHEET_READINESS].iter_rows())) == len(result.readiness) + 1


def test_override_keeps_the_recommendation_visible(recommender):
    result = draft(recommender, SHELTER, "commissioning")
    assert result.overridden and result.runner_up == "contracting"
    assert result.as_dict()["model"] == "commissioning"


def test_situation_details_appear(recommender):
    result = draft(recommender, SHELTER)
    assert result.details == {"service": "ดูแลสถานแรกรับเด็ก", "partner": "มูลนิธิ", "target": "เด็ก",
                              "duration": "ต่อเนื่อง"}
    assert result.title.endswith("สำหรับภารกิจ “ดูแลสถานแรกรับเด็ก”")
    assert "ภาคีที่จะร่วมงาน: มูลนิธิ" in to_markdown(result)


def test_docx_opens_with_items_citations_and_a_thai_font(recommender, tmp_path):
    from docx import Document

    result = draft(recommender, SHELTER)
    doc = Document(to_docx(result, tmp_path / "checklist.docx", cycle_png(result, recommender.sections)))
    text = "\n".join(p.text for p in doc.paragraphs)
    cells = [c.text for row in doc.tables[0].rows for c in row.cells]
    assert doc.paragraphs[0].text == result.title
    assert [c.text for c in doc.tables[0].rows[0].cells] == list(messages.TABLE_HEADERS)
    assert all(i.text in cells and i.owner in cells and i.output in cells for i in result.items)
    assert cells.count("☐") == len(result.items)
    assert len(doc.inline_shapes) == 1  # the cycle diagram
    assert result.readiness[0].question in text and result.why_not[0].text in text
    assert "หน้า 21" in text and result.reasons[0].citation.text in text
    assert f"[1] {result.reasons[0].citation.document_title} › " in text  # sources name their document
    assert doc.styles["Normal"].font.name == THAI_FONT


@pytest.mark.parametrize("bad", ["", "สวัสดี", "ก" * 2100])
def test_bad_input(recommender, bad):
    assert draft(recommender, bad).error


def test_cli_json_and_batch_contract(built, tmp_path):
    out = run(["checklist", SHELTER, "--json"], built)
    data = json.loads(out.stdout)
    assert {"model", "confidence", "runner_up", "reasons", "items"} <= set(data)  # extended, never broken
    assert {"readiness", "why_not", "details", "title", "basis"} <= set(data)
    assert data["model"] == "contracting" and 0 < data["confidence"] <= 1
    assert {"step", "text", "citation"} <= set(data["items"][0]) and set(data["reasons"][0]) == {"text", "citation"}
    assert data["items"][0]["owner"] and data["items"][0]["output"]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in [
        {"id": 1, "scenario": SHELTER}, {"id": 2, "scenario": ""},
        {"id": 3, "scenario": "จังหวัดจะตั้งคณะกรรมการร่วมถาวรกับภาคประชาสังคมเพื่อคุ้มครองเด็กระยะยาว"}]))
    rows = [json.loads(line) for line in run(["checklist", "--batch", str(path), "--json"], built).stdout.splitlines()]
    assert [r["id"] for r in rows] == [1, 2, 3]
    assert rows[0]["model"] == "contracting" and "error" in rows[1] and rows[2]["model"] == "commissioning"
    docx, xlsx, png = tmp_path / "out.docx", tmp_path / "out.xlsx", tmp_path / "cycle.png"
    assert run(["checklist", SHELTER, "--model", "grant", "--docx", str(docx), "--xlsx", str(xlsx),
                "--diagram", str(png)], built).returncode == 0
    assert docx.stat().st_size > 10_000 and xlsx.stat().st_size > 5_000 and png.read_bytes()[:4] == b"\x89PNG"
