"""Hybrid retrieval: the pure fusion functions, the LangChain face, and quality on the dev set."""

import json

from assistant.retrieval import GuideRetriever, rrf, term_coverage
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
    for mode in ("bm25", "dense", "hybrid"):
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
    print(f"\ndev set: {len(ranks)} questions, hybrid hit@3 = {hit3:.3f}")
    assert hit3 >= 0.78  # measured 0.796 on the dev split (eval/README.md); the test split is gated by `make test`
