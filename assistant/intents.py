"""Question shapes, recognised from the (condensed) question. Pure functions, easy to test."""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.normalize import normalize
from assistant.partnership import mentioned

GREETING = re.compile(
    r"^(สวัสดี|หวัดดี|ดีครับ|ดีค่ะ|hello|hi|hey|ขอบคุณ|thank)|ทำอะไรได้|ช่วยอะไรได้|ใช้งานอย่างไร|คุณคือใคร|"
    r"what can you do|who are you|^help$|^ช่วยด้วย$"
)
SHAPES = [
    ("steps", r"กี่ขั้นตอน|ขั้นตอน.{0,25}(อะไรบ้าง|อย่างไร|มีอะไร)|มีขั้นตอน|กระบวนการ.{0,20}(อะไรบ้าง|อย่างไร)|"
              r"how many steps|what are the steps|which steps|process|procedure|cycle"),
    ("compare", r"ต่างกัน|ต่างจาก|แตกต่าง|เปรียบเทียบ|เหมือนหรือต่าง|กับ.{1,40}ต่าง|differ|difference|compare|\bvs\.?\b|versus"),
    ("suitability", r"เหมาะ|ควรใช้|ใช้รูปแบบ(ไหน|ใด)|รูปแบบ(ไหน|ใด)|แบบไหนดี|suit|which model|should we use|appropriate"),
    ("list", r"อะไรบ้าง|ประกอบด้วย|กี่ประการ|กี่ด้าน|กี่องค์ประกอบ|กี่ปัจจัย|กี่ข้อ|what are the|list the"),
    ("why", r"ทำไม|เพราะเหตุใด|เหตุใด|เพราะอะไร|\bwhy\b"),
    ("who_when", r"ใคร|ปีใด|ปีไหน|ปี พ\.ศ\.|พ\.ศ\.|เมื่อไร|เมื่อไหร่|ตั้งแต่ปี|who|when|which year|what year"),
    ("definition", r"คืออะไร|หมายถึง|หมายความว่า|ความหมาย|นิยาม|what is|what are|what does .* mean|define|meaning"),
]
_SHAPES = [(name, re.compile(rx)) for name, rx in SHAPES]
STEP_NO = re.compile(r"ขั้นตอนที่\s*(\d+)|step\s*(\d+)")
FIRST_STEP = re.compile(r"ขั้นตอนแรก|ขั้นแรก|first step")
LAST_STEP = re.compile(r"ขั้นตอนสุดท้าย|ขั้นสุดท้าย|(last|final) step")
LAST = -1  # "the last step", resolved against the model's own step count


@dataclass(frozen=True)
class Intent:
    shape: str  # help | steps | step | compare | suitability | list | why | who_when | definition | general
    models: tuple[str, ...]
    step: int | None = None


def classify(question: str) -> Intent:
    q = normalize(question)
    models = tuple(mentioned(question))
    if GREETING.search(q) and len(q) < 60:
        return Intent("help", models)
    step = STEP_NO.search(q)
    if step and models:
        return Intent("step", models, int(step.group(1) or step.group(2)))
    if models and (FIRST_STEP.search(q) or LAST_STEP.search(q)):
        return Intent("step", models, 1 if FIRST_STEP.search(q) else LAST)
    for name, rx in _SHAPES:
        if rx.search(q):
            return Intent(name, models)
    return Intent("general", models)
