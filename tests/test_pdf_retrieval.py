"""The guide as a PDF retrieves what its text export retrieves (issue 14): hit@3 on the dev split's retrieval
questions within 2 points.

Two real indexes, the real e5 embedder, real Chroma on disk: the session's index of `corpus/` (the text
export, fixture `built`) and one built here over a folder holding only the guide drawn as a legacy-encoded,
scrambled Thai PDF (fixture `guide_as_pdf`, tests/thai_pdf.py), read back through `load_corpus`. The
questions are eval/run.py's retrieval set for dev (`retrievable(items, "dev")`: standalone, with gold
sections, 260 of them), each through `HybridSearcher.search(question, 5)` as `retrieval_rows` asks it; a
question's rank is that of its first relevant hit, hit@3 the share ranked 1–3 (`eval.metrics`).

Which hit is relevant. On the text export, eval/run.py's rule: the hit's section id is one of the question's
`gold_sections`. The PDF reader knows nothing of those ids (its sections are "<document>/<n>", cut at the
PDF's bookmarks; the export's bullets, footnotes and figure captions fall inside them), so there a hit is
relevant when its passage *carries* a gold section's text as the export has it: squashed (whitespace-free),
at least `SHARE` of the shorter of the two lies in runs of `WINDOW` characters that both contain. A passage
cut from inside a long gold section counts, and so does one that holds a short gold section whole beside its
neighbours; one that only shares a phrase or a sentence with it does not. A gold section with no text of its
own (a figure: the export does not index captions) can be hit by neither index.

Contract (the issue's): hit@3(PDF, passage rule) >= hit@3(text export, eval's id rule) - 0.02, and like for
like, hit@3(PDF, passage rule) >= hit@3(text export, passage rule) - 0.02.

The passage rule is more lenient than the id rule, because the guide repeats itself (a model's part opens
with its "หลักการพื้นฐาน" text; "รูปแบบการบริหารราชการแบบมีส่วนร่วม" summarises the three models): applied to
the text export's own hits it gives a few points more, hence the second, like-for-like assertion.
Measured (2-core CPU): text export 0.804 by ids, 0.823 by passages; the PDF 0.827 by passages. Before the
hybrid searcher read a section's model and part from its headings (`retrieval.section_role`), its boosts
keyed on the export's section ids and never applied to a PDF: the PDF was 0.788, 3.9 points behind like for
like. Character error rate of this PDF's text after repair: 6.25e-05 (test_readers.py bounds it).
"""

from __future__ import annotations

import shutil
import time
from functools import cache

import pytest

from assistant.corpus import load_corpus, squash
from eval.metrics import first_hit_rank, hit_at
from eval.run import GOLD, load_gold, retrievable
from tests.conftest import make_settings
from tests.thai_pdf import FONT, guide_cer

pytestmark = pytest.mark.skipif(not FONT.exists(), reason="needs Debian's fonts-thai-tlwg (make browser)")

K = 5  # retrieved per question, as eval/run.py's retrieval table
TOLERANCE = 0.02  # the "within 2 points"
WINDOW = 20  # characters, squashed: shorter common runs are phrases, not passages
SHARE = 0.5  # of the shorter of passage and gold section


@cache
def _runs(text: str, window: int) -> frozenset[str]:
    return frozenset(text[i : i + window] for i in range(len(text) - window + 1))


def carried(passage: str, section: str, window: int = WINDOW) -> float:
    """The share of the shorter text (squashed) that lies in runs of `window` characters both contain."""
    a, b = squash(passage), squash(section)
    if len(a) > len(b):
        a, b = b, a
    if len(a) < window:
        return float(bool(a) and a in b)
    runs = _runs(b, window)
    covered = bytearray(len(a))
    for i in range(len(a) - window + 1):
        if a[i : i + window] in runs:
            covered[i : i + window] = b"\x01" * window
    return sum(covered) / len(a)


def text_rank(texts: list[str], gold: list[str]) -> int | None:
    return next((r for r, t in enumerate(texts, 1) if any(carried(t, g) >= SHARE for g in gold)), None)


class QueriesFrom:
    """The embedder for the PDF's searcher: passages from the real one, a question's vector from the text
    export's searcher (`query_vector`, kept for its last queries), so each question is embedded once for
    both indexes, by the same model, in the same single-question call eval/run.py makes."""

    def __init__(self, searcher):
        self.searcher = searcher

    def embed_queries(self, texts: list[str]):
        import numpy as np

        return np.stack([self.searcher.query_vector(t) for t in texts])

    def __getattr__(self, name: str):
        return getattr(self.searcher.embedder, name)


@pytest.fixture(scope="module")
def pdf_searcher(guide_as_pdf, embedder, searcher, tmp_path_factory):
    from assistant.index import build, open_index
    from assistant.retrieval import HybridSearcher

    made, _ = guide_as_pdf
    root = tmp_path_factory.mktemp("pdf-index")
    corpus = root / "corpus"
    corpus.mkdir()
    shutil.copy(made.path, corpus / made.path.name)  # the PDF only: no .txt, no checklists
    settings = make_settings(root, corpus_dir=corpus)
    report = build(settings, progress=False, embedder=embedder)
    assert report.chunks > 0
    return HybridSearcher(open_index(settings), QueriesFrom(searcher), settings)


def test_dev_questions_retrieve_the_same_sections_from_the_pdf(guide_as_pdf, searcher, pdf_searcher, built):
    started = time.perf_counter()
    made, doc = guide_as_pdf
    (txt,) = (d for d in load_corpus(built.corpus_dir) if d.id == "collaborative-governance-guide")
    assert {c.document for c in pdf_searcher.index.chunks} == {doc.id}  # nothing but the PDF in that index
    questions = retrievable(load_gold(GOLD), "dev")
    assert len(questions) >= 100

    by_id, text_by_text, by_text, text_only = [], [], [], []
    for item in questions:
        gold = [txt.sections[g].text for g in item["gold_sections"] if txt.sections[g].text.strip()]
        hits = searcher.search(item["question"], K)
        by_id.append(first_hit_rank([h.chunk.section_id for h in hits], item["gold_sections"]))
        text_by_text.append(text_rank([h.chunk.text for h in hits], gold))
        pdf_rank = text_rank([h.chunk.text for h in pdf_searcher.search(item["question"], K)], gold)
        by_text.append(pdf_rank)
        if hit_at(by_id[-1], 3) and not hit_at(pdf_rank, 3):
            text_only.append(item["id"])

    def at3(ranks: list[int | None]) -> float:
        return sum(hit_at(r, 3) for r in ranks) / len(ranks)

    text_id, text_text, pdf = at3(by_id), at3(text_by_text), at3(by_text)
    print(f"\n{len(questions)} dev retrieval questions, top {K}: hit@3 text export {text_id:.3f} by section ids "
          f"({text_text:.3f} by passages), guide as a legacy PDF {pdf:.3f} by passages; "
          f"{len(pdf_searcher.index.chunks)} PDF chunks vs {len(searcher.index.chunks)}; PDF text CER "
          f"{guide_cer(made, doc):.2e} after repair; {time.perf_counter() - started:.0f} s")
    print(f"in the top 3 from the text export only: {', '.join(text_only) or 'none'}")
    assert pdf >= text_id - TOLERANCE
    assert pdf >= text_text - TOLERANCE  # like for like: the same relevance rule on both indexes


def test_carried_is_a_shared_passage_not_a_shared_phrase():
    section = ("การร่วมกันจัดทำภารกิจภายใต้เป้าหมายที่ภาคีหุ้นส่วนร่วมกันกำหนดโดยอาศัยเงินอุดหนุนจากหน่วยงานภาครัฐ "
               "ที่เป็นเจ้าของภารกิจ เหมาะสมกับการดำเนินงานภายใต้ภารกิจที่มีกำหนดระยะเวลาชัดเจน")
    other = "ขั้นตอนที่ 1 การเตรียมความพร้อม หน่วยงานภาครัฐประกาศเชิญชวนหน่วยงานอื่น ๆ ที่มีคุณสมบัติตามเงื่อนไข"
    assert carried(section.replace(" ", "\n"), section) == 1.0  # whitespace does not count
    assert carried(f"{other} {section} {other}", section) == 1.0  # a short section held whole in a passage
    assert carried(section[: len(section) // 2], section) == 1.0  # a passage cut from inside a section
    assert carried(f"{other} ที่เป็นเจ้าของภารกิจ {other}", section) < SHARE  # one phrase in common
    assert carried(other, section) == 0.0
