"""Several questions in one message: split where each piece is a question of its own, answer each with its
own route and citations, never split an out-of-scope message or a situation into half-answers."""

from __future__ import annotations

import pytest

from assistant.citations import MARKER, CorpusText
from assistant.corpus import load_corpus
from assistant.multipart import split
from assistant.pipeline import Assistant

# Written for these tests (not from eval/gold.jsonl).
SPLITS = [
    ("ใครเป็นคนทำคู่มือเล่มนี้ แล้ว PBC มีกี่ขั้นตอน", "", ["ใครเป็นคนทำคู่มือเล่มนี้", "PBC มีกี่ขั้นตอน"], False),
    ("หน่วยงานจะทำ commissioning ค่ะ ขอถาม 1) ขั้นแรกคืออะไร 2) ใครเป็นผู้รับมอบหมายภารกิจ ขอบคุณค่ะ",
     "หน่วยงานจะทำ commissioning ค่ะ ขอถาม", ["ขั้นแรกคืออะไร", "ใครเป็นผู้รับมอบหมายภารกิจ"], True),
    ("What is a grant? How many steps does commissioning have?", "",
     ["What is a grant", "How many steps does commissioning have?"], False),
    ("What is commissioning and how many steps does it have?", "",
     ["What is commissioning", "how many steps does it have?"], False),
    # the list said in words, as labels
    ("มีเรื่อง grant ถามสองข้อครับ ข้อแรก ใครเป็นผู้พิจารณาข้อเสนอ ข้อสอง ต้องรายงานอะไรบ้าง",
     "มีเรื่อง grant ถามสองข้อครับ", ["ใครเป็นผู้พิจารณาข้อเสนอ", "ต้องรายงานอะไรบ้าง"], True),
    ("About PBC: first, what is signed at step 4? second, when is the first instalment paid?", "About PBC:",
     ["what is signed at step 4?", "when is the first instalment paid?"], True),
]
NOT_SPLIT = [
    "grant กับ commissioning ต่างกันอย่างไร",
    "ความเหมือนและความแตกต่างของ grant และ commissioning คืออะไร",
    "ภาครัฐและภาคเอกชนมีบทบาทอะไรบ้าง",
    "องค์ประกอบข้อ 1 กับข้อ 2 คืออะไร",
    "ปัจจัยข้อแรกคืออะไร ข้อสองคืออะไร",  # glued to its noun, "ข้อแรก" names the guide's item, not a question
    "How did Thailand and its agencies apply this?",
    # "them" is what the first half names, and no model travels to the second half as context
    "We agreed a plan and roles with the NGO. What are those called in the guide, and who has to accept them?",  # "Thailand" holds "and"; "and its" opens no question
    "ขั้นตอนที่ 6 ถึงขั้นตอนที่ 9 ของ PBC คืออะไร",
    "1) ก 2) ข",  # pieces too short to be questions
    "เราอยากให้มูลนิธิดูแลผู้สูงอายุ โดย 1) ใช้งบ 2 ล้านบาท 2) ทำต่อเนื่อง 3 ปี ควรใช้แบบไหน",  # one situation
    "เปรียบเทียบ grant และ contracting ในด้าน 1) งบประมาณ 2) ระยะเวลา 3) ผู้รับผิดชอบ",  # aspects, not questions
    "ขั้นตอนที่ 1. ทำอะไร ขั้นตอนที่ 2. ทำอะไร",  # the guide's numbering, not the user's list
    "1) grant คืออะไร 2) ขอบคุณครับ",  # thanks is not a question
    ("grant คืออะไร และ " * 300)[:2000],  # a flood is answered (and gated) as one message
]


@pytest.mark.parametrize("message,context,parts,numbered", SPLITS)
def test_split_where_each_piece_is_a_question(message, context, parts, numbered):
    assert split(message) == (context, parts, numbered)


@pytest.mark.parametrize("message", NOT_SPLIT)
def test_one_question_stays_whole(message):
    assert split(message)[1] == [message.strip()]


@pytest.fixture(scope="module")
def assistant(searcher, built):
    return Assistant(searcher, built)


def test_each_question_is_answered_with_its_own_citations(assistant, built):
    answer = assistant.ask("ใครเป็นคนทำคู่มือเล่มนี้ แล้ว PBC มีกี่ขั้นตอน")
    assert not answer.refused
    first, second = answer.answer.split("\n\n2) ", 1)
    assert first.startswith("1) ") and "มหาวิทยาลัยธรรมศาสตร์" in first
    assert "9 ขั้นตอน" in second
    numbers = [int(m.group(1)) for m in MARKER.finditer(answer.answer)]
    assert sorted(set(numbers)) == list(range(1, len(answer.citations) + 1))  # renumbered across the parts
    corpus = CorpusText(load_corpus(built.corpus_dir))
    assert all(corpus.contains(c) for c in answer.citations)
    assert {c.section_id.split(".")[0] for c in answer.citations} >= {"back", "contracting"}


def test_numbered_questions_inherit_the_model_named_before_them(assistant):
    answer = assistant.ask("กรมจะทำแบบ grant ครับ ขอถาม 1) ขั้นแรกคืออะไร 2) ขั้นสุดท้ายคืออะไร")
    assert "1) ขั้นแรกคืออะไร" in answer.answer and "2) ขั้นสุดท้ายคืออะไร" in answer.answer
    assert all(c.section_id.startswith("grant") for c in answer.citations)


def test_an_out_of_scope_message_is_not_half_answered(assistant):
    answer = assistant.ask("ราคาทองคำวันนี้เท่าไร แล้วหุ้นตัวไหนน่าซื้อ")
    assert answer.refused
