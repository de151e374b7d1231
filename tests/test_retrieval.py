"""Hybrid retrieval: the pure fusion functions, the LangChain face, and quality on the dev set."""

import json

import pytest

from assistant.rerank import FEATURES, MODEL_FILE, Reranker
from assistant.retrieval import PART_CUES, GuideRetriever, SectionRole, rrf, section_role, term_coverage
from assistant.settings import ROOT
from eval.metrics import first_hit_rank, hit_at


def test_rrf_rewards_agreement_between_rankings():
    scores = rrf([["a", "b", "c"], ["b", "c", "a"]], k=60)
    assert max(scores, key=scores.get) == "b"
    assert scores["a"] == 1 / 61 + 1 / 63
    assert rrf([["x"], []])["x"] == 1 / 61


def test_term_coverage():
    assert term_coverage(["ก", "ข", "ข"], {"ข", "ค"}) == 0.5
    assert term_coverage([], {"ข"}) == 0.0


def test_hits_carry_section_page_document_and_scores(searcher):
    hit = searcher.search("ขั้นตอนที่ 9 การปิดบัญชีงบประมาณโครงการ", 3)[0]
    assert hit.chunk.section_id == "contracting.steps.9" and hit.chunk.page == 24
    assert hit.chunk.document == "collaborative-governance-guide"
    assert hit.dense > 0.8 and hit.bm25 > 0 and hit.coverage == 1.0


def test_modes(searcher):
    q = "การประเมินผลงานขั้นกลาง"
    for mode in ("bm25", "dense", "fused", "hybrid", "reranked"):
        assert searcher.search(q, 3, mode=mode)[0].chunk.section_id == "contracting.steps.6"


def test_langchain_retriever_is_a_runnable(searcher):
    docs = GuideRetriever(searcher=searcher, k=2).invoke("Grant Funding Cycle มีกี่ขั้นตอน")
    assert len(docs) == 2 and docs[0].metadata["section_id"].startswith("grant.steps")
    assert docs[0].metadata["page"] in (17, 18)


def test_dev_set_hit_at_3(searcher):
    from eval.run import retrievable

    items = [json.loads(line) for line in (ROOT / "eval" / "gold.jsonl").open()]
    questions = retrievable(items, "dev")
    assert len(questions) >= 100
    ranks = [first_hit_rank([h.chunk.section_id for h in searcher.search(i["question"], 5)], i["gold_sections"])
             for i in questions]
    hit3 = sum(hit_at(r, 3) for r in ranks) / len(ranks)
    learned = [first_hit_rank([h.chunk.section_id for h in searcher.search(i["question"], 5, mode="reranked")],
                              i["gold_sections"]) for i in questions]
    learned3 = sum(hit_at(r, 3) for r in learned) / len(learned)
    print(f"\ndev set: {len(ranks)} questions, hybrid hit@3 = {hit3:.3f}, reranked {learned3:.3f}")
    assert hit3 >= 0.78  # measured 0.806 on the dev split (eval/README.md); the test split is gated by `make test`
    # the reranker was trained on these questions: 0.863 cross-validated (eval/README.md)
    assert learned3 >= 0.84 and learned3 > hit3


@pytest.mark.parametrize("path, role", [
    # the text export's headings
    ("รูปแบบการให้เงินอุดหนุน (Grant) › ขั้นตอนการดำเนินการ › ขั้นตอนที่ 2 การยื่นข้อเสนอ (Application)",
     SectionRole("grant", "steps")),
    ("รูปแบบการบริหารราชการแบบมีส่วนร่วม › รูปแบบการให้เงินอุดหนุน (Grant)", SectionRole("grant", topic="models")),
    ("รูปแบบการบริหารราชการแบบมีส่วนร่วม", SectionRole(topic="models")),
    ("สาระสำคัญของกรอบแนวคิดว่าด้วยการบริหารกิจการบ้านเมืองแบบร่วมมือกัน (Collaborative Governance) › "
     "องค์ประกอบของกระบวนการบริหารกิจการบ้านเมืองแบบร่วมมือกัน › การริเริ่มความร่วมมือ", SectionRole(topic="components")),
    # a PDF's bookmarks: numbered, without the English name, a step's number alone
    ("2. รูปแบบการทำสัญญาข้อตกลง › ขั้นตอนการดำเนินการ › ขั้นตอนที่ 5", SectionRole("contracting", "steps")),
    ("3. รูปแบบกลไกขับเคลื่อนงานภายใต้สัญญาร่วม (Commissioning): › ภารกิจที่เหมาะสม",
     SectionRole("commissioning", "suitable")),
    # a step whose own title says "เหมาะสม" is still a step: the part is the heading right under the model
    ("รูปแบบกลไกขับเคลื่อนงานภายใต้สัญญาร่วม (Commissioning) › ขั้นตอนการดำเนินการ › ขั้นตอนที่ 4 กำหนดรูปแบบ"
     "การจัดบริการสาธารณะที่เหมาะสมกับกลุ่มเป้าหมาย", SectionRole("commissioning", "steps")),
    ("คณะผู้จัดทำ", SectionRole()),
])
def test_section_role_is_read_from_headings(path, role):
    assert section_role(path) == role


def test_section_roles_agree_with_the_text_exports_ids(built):
    """On the text export, the headings give what the parser's ids say: a PDF of it gets the same boosts."""
    from assistant import ids
    from assistant.corpus import load_corpus

    (doc,) = [d for d in load_corpus(built.corpus_dir) if d.id == "collaborative-governance-guide"]
    for s in doc.sections.values():
        if s.kind == "figure":  # not indexed
            continue
        role = section_role(s.path_text)
        assert (role.model, role.part) == (ids.model_of(s.id), ids.part_of(s.id)), s.id
        topic = next((t for t in ("components", "factors", "characteristics", "models")
                      if s.id == t or s.id.startswith((f"framework.{t}", f"{t}."))), None)
        assert role.topic == topic, s.id  # the framework's parts and the models overview, as the ids say


def test_the_governance_process_is_no_cue_for_the_models_steps():
    assert PART_CUES["steps"].search("what is the process for a grant?")
    assert not PART_CUES["steps"].search("skills a leader in a collaborative governance process needs")


def test_the_shipped_reranker_matches_the_code_and_beat_the_fused_order_in_cross_validation():
    model = json.loads(MODEL_FILE.read_text(encoding="utf-8"))
    assert tuple(model["features"]) == FEATURES and len(model["coef"]) == len(FEATURES)
    assert model["trained_on"]["split"] == "dev"
    cv = model["dev_cv"]
    chosen = cv[f"reranked, C = {model['C']}"]
    assert chosen["hit@3"] > cv["fused order"]["hit@3"] and chosen["mrr"] > cv["fused order"]["mrr"]
    assert Reranker.load() is not None


def test_without_a_usable_reranker_the_fused_order_stays(tmp_path):
    assert Reranker.load(tmp_path / "absent.json") is None
    other = tmp_path / "other.json"
    other.write_text(json.dumps({"features": ["dense_gap"], "mean": [0], "scale": [1], "coef": [1], "intercept": 0}))
    assert Reranker.load(other) is None  # trained for other features: not applied to these


def test_reranked_is_the_hybrid_candidates_in_the_learned_order(searcher):
    q = "At which step of performance-based contracting is the mid-term evaluation?"
    fused, learned = searcher.search(q, 8, mode="fused"), searcher.search(q, 8, mode="reranked")
    assert all(h.rerank is None for h in fused)
    assert [h.score for h in fused] == sorted((h.score for h in fused), reverse=True)
    assert [h.rerank for h in learned] == sorted((h.rerank for h in learned), reverse=True)
    assert learned[0].chunk.section_id == "contracting.steps.6"
    rows = searcher.candidate_features(q, ["ขั้นตอน"], [h.chunk.id for h in fused], [], [])
    assert rows.shape == (len(fused), len(FEATURES))
    step = rows[:, FEATURES.index("step_asked")]
    assert not step.any()  # "step" with no number asks for no step


@pytest.mark.parametrize("question, step", [("PBC ขั้นที่ 6 คืออะไร", "6"), ("what happens in step 3 of grant", "3"),
                                            ("ขั้นตอนที่6ของสัญญาข้อตกลง", "6")])
def test_the_step_asked_is_a_feature_of_that_steps_passage(searcher, question, step):
    hits = searcher.search(question, 40, mode="fused")
    rows = searcher.candidate_features(question, [], [h.chunk.id for h in hits], [], [])
    flagged = {h.chunk.title.split(" › ")[-1][:13].strip() for h, row in zip(hits, rows, strict=True)
               if row[FEATURES.index("step_asked")]}
    assert flagged == {f"ขั้นตอนที่ {step}"}


def test_the_rerankers_best_passage_joins_the_hybrid_order_fourth(searcher):
    # "may the state just give orders?": the framework's "มิได้เป็นการใช้อำนาจของรัฐในเชิงบังคับหรือสั่งการ" passage,
    # which the fusion ranks below the models' principles (written for this test)
    q = "ภาครัฐสั่งการภาคีได้เลยหรือเปล่าคะ"
    fused, hybrid = searcher.search(q, 6, mode="fused"), searcher.search(q, 6)
    best = searcher.search(q, 1, mode="reranked")[0].chunk
    assert best.section_id == "framework" and "framework" not in [h.chunk.section_id for h in fused[:4]]
    assert [h.chunk.id for h in hybrid[:3]] == [h.chunk.id for h in fused[:3]]  # what the gate reads
    assert hybrid[3].chunk.id == best.id and "สั่งการ" in best.text


def test_join_keeps_an_order_that_already_holds_the_best_section(searcher):
    order = [c.id for c in searcher.index.chunks[:8]]
    assert searcher._join(order, order[2]) == order
    moved = searcher._join(order, order[7])
    assert moved[:3] == order[:3] and moved[3] == order[7] and moved[4:] == [*order[3:7]]
