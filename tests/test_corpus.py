"""The guide as a section tree: ids, steps, printed pages, figures, verbatim text, other documents."""

import json
import re

import pytest

from assistant.chunks import document_chunks
from assistant.corpus import clean_markup, load_corpus, split_paragraphs, squash
from assistant.settings import ROOT

DOC = "collaborative-governance-guide"


@pytest.fixture(scope="module")
def guide():
    return next(d for d in load_corpus(ROOT / "corpus") if d.id == DOC)


def test_corpus_file_is_the_guide_unchanged():
    seed = ROOT.parent / "shared" / "seeds" / "000_c269ebbdc6831b17.txt"
    if seed.exists():  # the shared folder sits beside the checkout here and in CI
        assert (ROOT / "corpus" / f"{DOC}.txt").read_bytes() == seed.read_bytes()
    meta = json.loads((ROOT / "corpus" / f"{DOC}.meta.json").read_text())
    assert meta["publisher"].startswith("สำนักงานคณะกรรมการพัฒนาระบบราชการ")
    assert [e["page"] for e in meta["toc"]] == [1, 2, 6, 8, 14, 20, 25]


@pytest.mark.parametrize("model,count", [("grant", 4), ("contracting", 9), ("commissioning", 6)])
def test_every_numbered_step_is_a_section(guide, model, count):
    steps = [s for s in guide.sections.values() if s.kind == "step" and s.model == model]
    assert [s.step for s in steps] == list(range(1, count + 1))
    assert guide.sections[f"{model}.steps"].children == [f"{model}.steps.{n}" for n in range(1, count + 1)]
    for s in steps:
        assert s.text.startswith(f"ขั้นตอนที่ {s.step}")


def test_model_parts(guide):
    for model in ("grant", "contracting", "commissioning"):
        for part in ("principle", "method", "suitable", "steps"):
            assert guide.sections[f"{model}.{part}"].parent == model
    assert guide.sections["grant.steps.2"].title == "ขั้นตอนที่ 2 การยื่นข้อเสนอ (Application)"
    assert "Commissioning" in guide.sections["commissioning"].title


def test_table_of_contents_pages_are_pinned(guide):
    pinned = {"framework": 1, "framework.characteristics": 2, "framework.components": 6,
              "framework.factors": 8, "grant": 14, "contracting": 20, "commissioning": 25}
    assert {sid: guide.sections[sid].page for sid in pinned} == pinned


def test_pages_of_deeper_sections(guide):
    s = guide.sections
    assert (s["grant.suitable"].page, s["grant.steps.4"].page, s["contracting.steps.7"].page) == (15, 18, 24)
    assert (s["commissioning.steps.6"].page, s["models"].page) == (29, 13)
    assert s["front.preface"].page is None and s["back.credits"].page is None


def test_framework_structure(guide):
    s = guide.sections
    assert [c for c in s["framework.characteristics"].children if ".b" in c] == [
        f"framework.characteristics.b{i}" for i in range(1, 6)]
    components = [s[c].title for c in s["framework.components"].children if s[c].kind == "section"]
    assert components == ["การริเริ่มความร่วมมือ", "ตัวแสดงที่เกี่ยวข้อง", "การแสดงบทบาท",
                          "การจัดโครงสร้างการทำงาน", "การตัดสินใจ", "เป้าหมายของการทำงานร่วมกัน"]
    assert [c for c in s["framework.factors"].children if s[c].kind == "section"] == [
        "framework.factors.f1", "framework.factors.f2", "framework.factors.f3"]
    assert len(s["framework.factors.f1"].children) == 3 and len(s["framework.factors.f2"].children) == 3
    assert s["framework.factors.f3"].title == "บทบาทผู้นำการสร้างความร่วมมือ (Facilitative leadership)"
    assert [s[f"models.{m}"].model for m in ("grant", "contracting", "commissioning")] == [
        "grant", "contracting", "commissioning"]


def test_figures_are_entries_not_chunks(guide):
    figures = [s for s in guide.sections.values() if s.kind == "figure"]
    assert len(figures) == 9
    model_fig = next(f for f in figures if "Collaborative Governance Model" in f.title)
    assert model_fig.page == 12 and "Ansell and Gash" in model_fig.text  # its note, from the next export page
    chunk_sections = {c.section_id for c in document_chunks([guide])}
    assert not chunk_sections & {f.id for f in figures}


def test_stable_ids(guide):
    again = next(d for d in load_corpus(ROOT / "corpus") if d.id == DOC)
    assert list(again.sections) == list(guide.sections)
    assert [c.id for c in document_chunks([again])] == [c.id for c in document_chunks([guide])]


def test_text_is_verbatim(guide):
    """Every stored paragraph is the export's text with markup removed; a paragraph joined across a
    page break is two verbatim halves."""
    raw = (ROOT / "corpus" / f"{DOC}.txt").read_text()
    plain = squash(" ".join(clean_markup(p) for p in split_paragraphs(raw)))
    for sec in guide.sections.values():
        for para in filter(None, sec.text.split("\n\n")):
            if squash(para) in plain:
                continue
            words = para.split(" ")
            assert any(squash(" ".join(words[:i])) in plain and squash(" ".join(words[i:])) in plain
                       for i in range(1, len(words))), (sec.id, para[:60])


def test_quirks(guide):
    texts = " ".join(s.text for s in guide.sections.values())
    assert "**" not in texts and "❖" not in texts and "<p>" not in texts
    # the running header on page 8 is not content
    assert guide.sections["framework.factors"].text == ""
    # a paragraph cut by a page break is joined, its footnote kept apart
    b1 = guide.sections["framework.characteristics.b1"].text
    assert "ทั้งฝ่ายที่มีผลประโยชน์ร่วมกันและ ฝ่ายที่มีผลประโยชน์ขัดแย้งกัน" in b1
    assert "Ansell" not in b1 and "Ansell" in guide.sections["fn.1"].text
    assert "จะมีการส่งเอกสาร ข้อเสนอการจัดสรรเงินอุดหนุน" in guide.sections["grant.steps.3"].text


def test_chunks_respect_sections(guide):
    chunks = document_chunks([guide])
    assert all(c.section_id in guide.sections for c in chunks)
    assert max(len(c.text) for c in chunks) <= 750
    step = next(c for c in chunks if c.section_id == "grant.steps.2")
    assert step.embed_text.startswith("รูปแบบการให้เงินอุดหนุน (Grant) › ขั้นตอนการดำเนินการ › ขั้นตอนที่ 2")
    assert not step.text.startswith("รูปแบบการให้เงินอุดหนุน (Grant) ›")


def test_other_documents_are_parsed_with_their_own_id(tmp_path):
    (tmp_path / "บันทึกภายใน.md").write_text("# แนวปฏิบัติของกรม\n\nให้จัดทำรายงานทุกไตรมาส\n\n## ผู้รับผิดชอบ\n\nกองแผนงาน\n")
    (tmp_path / "notes.txt").write_text("ข้อความธรรมดา ไม่มีหัวข้อ\n")
    docs = {d.id: d for d in load_corpus(tmp_path)}
    assert set(docs) == {"บันทึกภายใน", "notes"}
    memo = list(docs["บันทึกภายใน"].sections.values())
    assert [(s.id, s.title, s.text) for s in memo] == [
        ("บันทึกภายใน/1", "แนวปฏิบัติของกรม", "ให้จัดทำรายงานทุกไตรมาส"),
        ("บันทึกภายใน/2", "ผู้รับผิดชอบ", "กองแผนงาน"),
    ]
    assert all(c.document == "notes" for c in document_chunks([docs["notes"]]))


def test_empty_corpus_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="no .md or .txt"):
        load_corpus(tmp_path)


def test_no_section_title_has_markup(guide):
    assert not [s.title for s in guide.sections.values() if re.search(r"[*❖|<>]", s.title)]
