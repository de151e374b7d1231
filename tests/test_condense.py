"""Follow-ups resolved against the conversation (pure functions: no index, no model)."""

import pytest

from assistant.condense import condense, with_context
from assistant.partnership import NAMES

LISTED = [{"role": "user", "content": "คู่มือเสนอรูปแบบไว้กี่แบบคะ"},
          {"role": "assistant", "content": "มี 3 รูปแบบ ได้แก่ 1) รูปแบบการให้เงินอุดหนุน (Grant) 2) รูปแบบการทำสัญญาข้อตกลง "
                                           "(Performance-based Contracting) 3) รูปแบบกลไกขับเคลื่อนงานภายใต้สัญญาร่วม (Commissioning)"}]


@pytest.mark.parametrize(("question", "model"), [
    ("อันตรงกลางอ่ะค่ะ ความร่วมมืออยู่บนฐานอะไร", "contracting"),
    ("ข้อสองเหมาะกับงานแบบไหน", "contracting"),
    ("อันสุดท้ายมีกี่ขั้นตอน", "commissioning"),
    ("and the first one?", "grant"),
    ("what about the last one", "commissioning"),
])
def test_a_model_picked_by_its_place_in_the_last_answer(question, model):
    assert condense(question, LISTED) == with_context(question, NAMES[model])


@pytest.mark.parametrize("question", [
    "ตัวกลางในการเชื่อมประสานคือใคร",  # the guide's word for an intermediary, not a pick
    "องค์ประกอบข้อสองคืออะไร",  # names its own list
    "อันที่สองของ commissioning ล่ะ",  # names its model
])
def test_no_pick_where_the_question_names_its_own_subject(question):
    assert condense(question, LISTED) != with_context(question, NAMES["contracting"])


def test_no_pick_when_the_last_answer_named_one_model():
    history = [{"role": "user", "content": "grant มีกี่ขั้นตอน"},
               {"role": "assistant", "content": "รูปแบบการให้เงินอุดหนุน (Grant) มี 4 ขั้นตอน"}]
    assert condense("อันสุดท้ายล่ะ", history) == with_context("อันสุดท้ายล่ะ", NAMES["grant"])


@pytest.mark.parametrize(("question", "history", "expected"), [
    ("โอเคค่ะ แล้วอีกสองขั้นถัดจากนั้นคืออะไรคะ", [{"role": "user", "content": "PBC ขั้นที่ 6 คืออะไรคะ"}],
     f"ขั้นตอนที่ 7 และขั้นตอนที่ 8 ของ{NAMES['contracting']}"),
    ("ขั้นถัดไปล่ะครับ", [{"role": "user", "content": "ขั้นที่ 4 ของ commissioning คืออะไรครับ"}],
     f"ขั้นตอนที่ 5 ของ{NAMES['commissioning']}"),
    ("แล้วในขั้นนั้นฝั่งรัฐต้องเตรียมอะไรบ้างคะ", [{"role": "user", "content": "grant ขั้นแรกทำอะไรคะ"}],
     with_context("แล้วในขั้นนั้นฝั่งรัฐต้องเตรียมอะไรบ้างคะ", f"ขั้นตอนที่ 1 ของ{NAMES['grant']}")),
])
def test_the_step_in_focus_and_the_steps_after_it(question, history, expected):
    assert condense(question, [*history, {"role": "assistant", "content": "ขั้นตอนนั้นคือ …"}]) == expected
