"""Resolve a follow-up question against the conversation, without an LLM.

We carry what is "in focus": the last partnership model and step the conversation talked about.
"แล้วขั้นตอนที่ 3 ล่ะ" after a Grant question becomes a question about Grant's step 3;
"ต่างจากแบบแรกอย่างไร" compares the model in focus with the first one mentioned (or with model 1);
"ข้อ 7 ล่ะ" while a model's step is in focus is its step 7; "ข้อแรกขยายความหน่อย", "the second one?" after a question
about a list that is no model's (the framework's components, factors, characteristics) is that item of that list.
"""

from __future__ import annotations

import re

from assistant.intents import FRAMEWORK_LIST, asked_items
from assistant.normalize import normalize
from assistant.partnership import MODELS, NAMES, mentioned
from assistant.segment import CHAT_WORDS, search_tokens

REFERS_BACK = re.compile(
    r"รูปแบบนี้|แบบนี้|อันนี้|ดังกล่าว|ข้างต้น|เมื่อกี้|ล่ะ|แล้ว|ต่อไป|ถัดไป|ก่อนหน้า|this model|that model|it\b|"
    r"^(มี)?กี่ขั้นตอน|^ขั้นตอนที่|^เหมาะ|^ใคร|^ต่าง|^what about|^and\b"
)
FIRST_ONE = re.compile(r"แบบแรก|อันแรก|รูปแบบแรก|the first")
STEP = re.compile(r"ขั้น(?:ตอน)?\s*(?:ที่)?\s*(\d+)|step\s*(\d+)")
ITEM = re.compile(r"(?:ข้อ|อัน)\s*(?:ที่)?\s*(\d+)")  # "ข้อ 7 ล่ะ" while a model's steps are in focus: step 7
# an item picked out of a list: "องค์ประกอบแรก", "ปัจจัยที่ 2", "ข้อสุดท้าย" (group 1 is the list's noun)
ITEM_WORDS = re.compile(r"(องค์ประกอบ|ปัจจัย|ลักษณะ(?:สำคัญ)?|ประการ|ด้าน|ข้อ|อัน)\s*(?:ที่)?\s*"
                        r"(?:\d+|แรก|สุดท้าย|หนึ่ง|สอง|สาม|สี่|ห้า|หก|เจ็ด|แปด|เก้า)")
# a model picked out of an answer that listed them: "อันตรงกลางอ่ะค่ะ", "ข้อสอง", "the last one" (group: which)
# ("ตัวกลาง" is the guide's word for an intermediary, not a pick)
MODEL_PICK = re.compile(r"(?:ข้อ|อัน|แบบ)\s*(?:ที่)?\s*(\d(?!\d)|หนึ่ง|สอง|สาม|แรก|สุดท้าย|หลังสุด|(?:ตรง)?กลาง)|"
                        r"\b(first|second|third|last|middle) (?:one|model|option)\b")
PICKED = {"1": 0, "หนึ่ง": 0, "แรก": 0, "first": 0, "2": 1, "สอง": 1, "second": 1, "กลาง": 1, "ตรงกลาง": 1, "middle": 1,
          "3": 2, "สาม": 2, "third": 2, "สุดท้าย": -1, "หลังสุด": -1, "last": -1}
FIRST_STEP = re.compile(r"ขั้น(?:ตอน)?\s*แรก|\bfirst step\b")
NEXT = re.compile(r"ถัดไป|ต่อไป|ถัดจากนั้น|ต่อจากนั้น|หลังจากนั้น|\bnext\b")
THAT_STEP = re.compile(r"ขั้น(?:ตอน)?\s*(?:นั้น|นี้|ดังกล่าว)|\b(?:that|this|the same) step\b")
COUNTS = {"สอง": 2, "2": 2, "two": 2, "สาม": 3, "3": 3, "three": 3}  # "อีกสองขั้นถัดจากนั้น": the next two
SHORT = 40  # a message this short rarely names its own subject: it continues the conversation
CONTEXT = re.compile(r"\s*\([^()]*\)\s*$")  # what `with_context` appends


def with_context(question: str, context: str) -> str:
    """The follow-up with what it refers to appended in parentheses: "ข้อที่สองขยายความหน่อย (ปัจจัย…มีอะไรบ้าง)"."""
    return f"{question} ({context})"


def without_context(standalone: str) -> str:
    """The user's own words of a standalone question, without the context `with_context` appended."""
    return CONTEXT.sub("", standalone)


def focus(history: list[dict]) -> tuple[list[str], int | None]:
    """Models mentioned across the history (in order) and the last step number asked about."""
    models: list[str] = []
    step = None
    for turn in history:
        content = str(turn.get("content", ""))
        named = mentioned(content)
        if turn.get("role") != "user":
            named = named[:1]  # an answer's subject is the model it opens with; the rest are quotes
        for m in named:
            if m in models:
                models.remove(m)
            models.append(m)
        if turn.get("role") == "user" and (s := STEP.search(normalize(content))):
            step = int(s.group(1) or s.group(2))
        elif turn.get("role") == "user" and FIRST_STEP.search(normalize(content)):
            step = 1
    return models, step


def own_subject(question: str) -> bool:
    """Does a short message name a subject of its own ("ราคาทองคำวันนี้เท่าไร": ราคา, ทองคำ, วันนี้) rather than
    continue the conversation ("มีตัวอย่างไหมครับ": one word)? Only the latter inherits the model in focus."""
    return len({t for t in search_tokens(question) if t not in CHAT_WORDS}) > 1


def _item_of_previous_list(question: str, history: list[dict]) -> str:
    """"ข้อแรกขยายความหน่อย", "อันที่ 4 ล่ะ", "the second one?" after a question about a list that is no model's
    (the framework's components, factors, characteristics): that list's question, with the item asked."""
    q = normalize(question)
    if not asked_items(q) or mentioned(question) or FRAMEWORK_LIST.search(q):  # it names its own list
        return question
    # the question that asked for the list: the last one that did not itself pick an item of it
    users = [str(t.get("content", "")) for t in history if t.get("role") == "user"]
    asked = [c for c in users if not asked_items(normalize(c))]
    if asked:
        return with_context(question, asked[-1])
    # every earlier question picked an item ("องค์ประกอบแรกคืออะไร" → "แล้วอันสุดท้ายล่ะ"): the last one names
    # the list; its own item words are dropped, so only this question's items are asked
    named = [c for c in users if FRAMEWORK_LIST.search(normalize(c))]
    if not named:
        return question
    return with_context(question, ITEM_WORDS.sub(lambda m: m.group(1), normalize(named[-1])))


def _model_picked(question: str, history: list[dict]) -> str | None:
    """The model a question picks by its place in the last answer, when that answer listed several models
    ("มี 3 รูปแบบ ได้แก่ 1) … (Grant) 2) … (Performance-based Contracting) …" → "อันตรงกลาง" is Contracting).
    A question that names a model or a framework list picks nothing here."""
    q = normalize(question)
    answers = [str(t.get("content", "")) for t in history if t.get("role") != "user"]
    if not answers or mentioned(question) or FRAMEWORK_LIST.search(q) or not (m := MODEL_PICK.search(q)):
        return None
    listed = mentioned(answers[-1])
    if len(listed) < 2:
        return None
    place = PICKED[m.group(1) or m.group(2)]
    return listed[place] if place < len(listed) else None


def condense(question: str, history: list[dict]) -> str:
    """The standalone question to retrieve and answer with."""
    if not history:
        return question
    q = normalize(question)
    models, last_step = focus(history)
    if picked := _model_picked(question, history):
        return with_context(question, NAMES[picked])
    if not models:
        return _item_of_previous_list(question, history)
    current = models[-1]
    if FIRST_ONE.search(q):
        first = next((m for m in models if m != current), MODELS[0] if current != MODELS[0] else None)
        if first:
            return f"{NAMES[current]} ต่างจาก {NAMES[first]} อย่างไร"
    if mentioned(question) or not (REFERS_BACK.search(q) or (len(q) < SHORT and not own_subject(question))):
        return question
    if NEXT.search(q) and last_step and not STEP.search(q):
        count = next((n for word, n in COUNTS.items() if re.search(rf"{word}\s*(?:ขั้น|step)", q)), 1)
        return " และ".join(f"ขั้นตอนที่ {last_step + k}" for k in range(1, count + 1)) + f" ของ{NAMES[current]}"
    if THAT_STEP.search(q) and last_step and not STEP.search(q):  # "แล้วในขั้นนั้นฝั่งรัฐต้องเตรียมอะไร"
        return with_context(question, f"ขั้นตอนที่ {last_step} ของ{NAMES[current]}")
    if last_step and not STEP.search(q) and (item := ITEM.search(q)):
        question = ITEM.sub(f"ขั้นตอนที่ {item.group(1)}", question, count=1) if ITEM.search(question) else question
    return with_context(question, NAMES[current])
