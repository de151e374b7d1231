"""One message, several questions: split it, so each is answered with its own route and citations.

Civil servants write in chat the way they write memos: "…อยากทราบว่า 1) … 2) … 3) …", or two questions in a
row, "ขั้นสุดท้ายคืออะไรคะ แล้วถ้าภารกิจเดิมสำเร็จดีจะทำยังไงต่อ". Routed as one question, the answer covers
the first and drops the rest. `split` returns the shared context (the words before the list, which name the
model or the situation) and the questions; the pipeline answers each with the earlier questions as history
and, when the context names a model and the question names none, with that model added, so "ขั้นแรกคืออะไร"
after "…แบบ grant" is about Grant. At most MAX_PARTS pieces, each with a question word of its own.

Split only where each piece is a question of its own:
- an enumeration "1) … 2) …", "1. … 2. …", "(1) … (2) …" numbered from 1 in order, two or more items, or the
  same in words as labels: "ข้อแรก … ข้อสอง …", "first, … second, …";
- "<question> แล้ว|และ|ส่วน <question>", or "?" between questions, where both sides carry a question word
  (อะไร ไหม มั้ย อย่างไร ยังไง ใคร กี่ เมื่อไร ที่ไหน หรือไม่ หรือเปล่า, what/how/who/which/when/why/…).
Not split: "ข้อ 1 กับข้อ 2 คืออะไร" (one question about two items, `intents.asked_items` reads it), a single
question with "และ" inside, anything where a piece is under 6 letters, an English "…, and who has to accept them?"
whose second half points back (it, them, those …) at something other than a model the first half names.
"""

from __future__ import annotations

import re

from assistant.partnership import mentioned

QUESTION_WORD = re.compile(r"อะไร|ไหม|มั้ย|มั๊ย|อย่างไร|ยังไง|ใคร|กี่|เมื่อไร|เมื่อไหร่|ที่ไหน|ตรงไหน|หรือไม่|หรือเปล่า|ป่าว|"
                           r"แบบไหน|อันไหน|ข้อไหน|ขั้นไหน|ได้ไหม|ได้หรือ|ทำไม|เพราะอะไร|บ้าง|\?|"
                           r"\b(?:what|how|who|which|when|why|where|does|do|is|are|can|should)\b", re.IGNORECASE)
# not "ข้อ 1." or "ขั้นตอนที่ 2.": those number the guide's items, not the user's questions
ENUMERATED = re.compile(r"(?:(?<=\s)|^)(?<!ข้อ )(?<!ที่ )(?<!ขั้น )\(?([1-9])[).]\s*(?!\d)")
# the same list said in words, as a label (a space after it): "ข้อแรก … ข้อสอง …", "ข้อที่ 1 …", "first, … second, …";
# glued to a word ("องค์ประกอบข้อแรกคืออะไร") it names the guide's item, not the user's question
ORDINALS = (r"แรก|หนึ่ง|ที่\s*1|1", r"สอง|ที่\s*2|2", r"สาม|ที่\s*3|3", r"สี่|ที่\s*4|4", r"ห้า|ที่\s*5|5")
ENGLISH_ORDINALS = ("first(?:ly)?", "second(?:ly)?", "third(?:ly)?", "fourth(?:ly)?", "fifth(?:ly)?")
ORDINAL = re.compile(r"(?:(?<=\s)|^)(?:" + "|".join(
    rf"(?P<n{n}>(?:ข้อ|อย่าง|เรื่อง)(?:{th})(?=[\s:)]))|(?P<e{n}>\b(?i:{en})\b\s*[,:])"
    for n, (th, en) in enumerate(zip(ORDINALS, ENGLISH_ORDINALS, strict=True), 1)) + ")")
MAX_PARTS = 5  # more is not a memo but a flood: answered as one message
JOINED = re.compile(r"(?<=[\u0e00-\u0e7f\w?])\s*\??\s*(?:แล้วก็|แล้ว|และ|ส่วน)(?=\s*\S)"  # Thai: no spaces needed
                    r"|\s*\??\s+(?:and|also|then)\s+(?=(?:how|what|who|which|when|why|where|does|do|is|are|can|"
                    r"should)\b)"  # English: whole words, and the second half must open with a question word
                    r"|(?<=\?)\s+(?=\S)", re.IGNORECASE)
MIN_LETTERS = 6
REFERS_BACK = re.compile(r"\b(?:it|its|they|them|their|those|these|each|both)\b", re.IGNORECASE)


def split(message: str) -> tuple[str, list[str], bool]:
    """(context, questions, numbered): one question → ("", [message], False). `numbered` says the user listed
    the questions "1) … 2) …" themselves: each is asked for its own sake, even inside a situation."""
    text = message.strip()
    listed = _enumerated(text)
    if listed:
        return (*listed, True)
    parts = _joined(text)
    return ("", parts, False) if 1 < len(parts) <= MAX_PARTS else ("", [text], False)


def _number(m: re.Match) -> int:
    if m.re is ENUMERATED:
        return int(m.group(1))
    return int(next(k for k, v in m.groupdict().items() if v)[1:])


def _enumerated(text: str) -> tuple[str, list[str]] | None:
    return _listed(text, list(ENUMERATED.finditer(text))) or _listed(text, list(ORDINAL.finditer(text)))


def _listed(text: str, marks: list[re.Match]) -> tuple[str, list[str]] | None:
    chosen: list[re.Match] = []
    for m in marks:  # 1, 2, 3 … in order; anything else is not the list
        if _number(m) == len(chosen) + 1:
            chosen.append(m)
    if len(chosen) < 2:
        return None
    bounds = [m.start() for m in chosen] + [len(text)]
    items = [text[chosen[i].end() : bounds[i + 1]].strip(" ,;") for i in range(len(chosen))]
    items[-1] = re.sub(r"\s*(?:ขอบคุณ\S*|thank(?:s| you)\S*)\s*$", "", items[-1], flags=re.IGNORECASE).strip()
    # every item a question of its own: "โดย 1) ใช้งบ 2 ล้าน 2) ทำ 3 ปี ควรใช้แบบไหน" is one situation
    if len(items) > MAX_PARTS or any(_letters(i) < MIN_LETTERS or not QUESTION_WORD.search(i) for i in items):
        return None
    return text[: chosen[0].start()].strip(), items


def _joined(text: str) -> list[str]:
    """Two questions in a row: cut at "แล้ว/และ/ส่วน" (or "?") when both sides hold a question word."""
    for m in JOINED.finditer(text):
        left, right = text[: m.start()].strip(" ?"), text[m.end() :].strip()
        if _letters(left) < MIN_LETTERS or _letters(right) < MIN_LETTERS:
            continue
        if m.group(0).strip(" ?").isascii() and REFERS_BACK.search(right) and not mentioned(left):
            continue  # "… and who has to accept them?": about what the first half names (a model it names travels)
        if QUESTION_WORD.search(left) and QUESTION_WORD.search(right) and not _one_question(left, right):
            return [left, *_joined(right)]
    return [text]


def _one_question(left: str, right: str) -> bool:
    """"ข้อ 1 กับข้อ 2 คืออะไร", "grant และ commissioning ต่างกันอย่างไร": the left side has no question of its own
    when its only question word comes after the joint (the right side holds it)."""
    return not QUESTION_WORD.search(left.split()[-1] if left.split() else left) and bool(
        re.search(r"ต่างกัน|เหมือนกัน|เทียบ|กับ", right[:20]))


def _letters(text: str) -> int:
    return len(re.findall(r"[\u0e00-\u0e7fA-Za-z]", text))
