"""Draft the checklist for the chosen model: every step of its procedure, split into the sub-points the
step text contains, then set-up and cross-cutting preparation items from the framework. Every item cites
the sentence of the guide it comes from, verbatim."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant import ids, messages
from assistant.answer import leading_run
from assistant.citations import Citation
from assistant.inputs import check_question
from assistant.normalize import normalize
from assistant.partnership import MODELS, NAMES
from assistant.recommend import Reason, Recommender
from assistant.segment import sentences

# Framework sections that matter for each model (cross-cutting preparation). Commissioning, the most
# formal and long-lived partnership, needs all of them; the others the ones about structure and trust.
PREPARATION = {
    "grant": ("framework.components.c1", "framework.components.c4", "framework.components.c6",
              "framework.factors.f1.b1", "framework.factors.f2.b2", "framework.factors.f2.b3"),
    "contracting": ("framework.components.c1", "framework.components.c4", "framework.components.c5",
                    "framework.factors.f1.b1", "framework.factors.f1.b2", "framework.factors.f2.b2",
                    "framework.factors.f2.b3", "framework.factors.f3"),
    "commissioning": tuple(f"framework.components.c{i}" for i in range(1, 7)) + (
        "framework.factors.f1.b1", "framework.factors.f1.b2", "framework.factors.f1.b3",
        "framework.factors.f2.b1", "framework.factors.f2.b2", "framework.factors.f2.b3", "framework.factors.f3"),
}

TARGET_GROUPS = r"เด็กเล็ก|เด็กและเยาวชน|เด็ก|เยาวชน|ผู้สูงอายุ|คนชรา|ผู้พิการ|คนพิการ|ผู้บริโภค|คนไร้บ้าน|ผู้ป่วย\S*|" \
                r"ผู้ติดยาเสพติด|แรงงาน\S*|ผู้ประสบภัย\S*|ประชาชน|children|youth|elderly|older people|" \
                r"people with disabilities|disabled|consumers|homeless( people)?|patients|migrant workers"
PARTNERS = r"มูลนิธิ|สมาคม\S*|ชมรม\S*|มหาวิทยาลัย|องค์กรภาคประชาสังคม|ภาคประชาสังคม|องค์กรชุมชน|องค์กรเอกชน|" \
           r"ภาคเอกชน|เอกชน|บริษัท\S*|เทศบาล|อบต\.?|อบจ\.?|องค์กรปกครองส่วนท้องถิ่น|นักวิชาการ|" \
           r"foundation|nonprofit|ngo|university|private (company|sector)|civil society|local government"
DURATION = r"\d+\s*(?:วัน|เดือน|ปี)|(?:หนึ่ง|สอง|สาม|หก|เก้า)\s*(?:เดือน|ปี)|หลายปี|ระยะยาว|ต่อเนื่อง|ถาวร|" \
           r"\d+\s*(?:months?|years?)|(?:one|two|three|six|ten)[- ](?:months?|years?)|long-term|ongoing|permanent"


@dataclass
class Item:
    step: int | None
    text: str
    citation: Citation
    group: str  # heading it is shown under

    def as_dict(self) -> dict:
        return {"step": self.step, "text": self.text, "citation": self.citation.as_dict()}


@dataclass
class Checklist:
    situation: str
    model: str = ""
    confidence: float = 0.0
    runner_up: str | None = None
    reasons: list[Reason] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    details: dict[str, str] = field(default_factory=dict)
    clarifying_question: str | None = None
    overridden: bool = False
    error: str | None = None

    @property
    def title(self) -> str:
        target = messages.CHECKLIST_FOR.format(target=self.details["target"]) if self.details.get("target") else ""
        return messages.CHECKLIST_TITLE.format(model=NAMES[self.model], target=target)

    def as_dict(self) -> dict:
        if self.error:
            return {"error": self.error}
        return {"model": self.model, "confidence": self.confidence, "runner_up": self.runner_up,
                "reasons": [r.as_dict() for r in self.reasons], "items": [i.as_dict() for i in self.items]}


def details(situation: str) -> dict[str, str]:
    """Target group, partner type and duration as the situation states them (for the title and notes)."""
    text = normalize(situation)
    found = {}
    for key, rx in (("target", TARGET_GROUPS), ("partner", PARTNERS), ("duration", DURATION)):
        m = re.search(rx, text)
        if m:
            found[key] = m.group(0)
    return found


ENUMERATION = re.compile(r"เช่น\s+(.+?)\s+เป็นต้น")


def step_points(text: str) -> list[str]:
    """The sub-points of a step, verbatim: its crfcut sentences (a stub of a few words stays with the one
    before it), and each element of a "เช่น … เป็นต้น" enumeration as a point of its own."""
    points: list[str] = []

    def add_sentences(chunk: str) -> None:
        for sent in sentences(chunk):
            if points and len(sent) < 25:
                points[-1] = f"{points[-1]} {sent}"
            else:
                points.append(sent)

    pos = 0
    for m in ENUMERATION.finditer(text):
        elements = _enumeration(m.group(1))
        if len(elements) < 3:
            continue
        add_sentences(text[pos : m.start()] + "เช่น")
        points.extend(elements)
        pos = m.end()
    add_sentences(text[pos:])
    return points


def _enumeration(listed: str) -> list[str]:
    """Elements of "เกณฑ์ด้าน A เกณฑ์ด้าน B … เป็นต้น": split where the first element's head word repeats,
    else at spaces when every element is a phrase of its own."""
    words = [w for w in listed.split(" ") if w]
    head = re.match(r"^(เกณฑ์|ความ|การ|ภารกิจ)", words[0]) if words else None
    if head:
        parts: list[str] = []
        for w in words:
            if w.startswith(head.group(1)) or not parts:
                parts.append(w)
            else:
                parts[-1] = f"{parts[-1]} {w}"
        if len(parts) >= 3:
            return parts
    return words if len(words) >= 3 and all(len(w) >= 4 for w in words) else []


def draft(recommender: Recommender, situation: str, model: str | None = None) -> Checklist:
    problem = check_question(situation, 2000)
    if problem:
        return Checklist(situation, error=problem)
    if len(re.findall(r"[\u0e00-\u0e7fA-Za-z]", situation)) < 12:
        return Checklist(situation, error=messages.NOT_A_SITUATION)
    rec = recommender.recommend(situation)
    chosen = model or rec.model
    if chosen not in MODELS:
        return Checklist(situation, error=messages.UNKNOWN_MODEL.format(model=chosen))
    overridden = chosen != rec.model
    result = Checklist(situation, chosen, round(rec.shares[chosen], 3), rec.model if overridden else rec.runner_up,
                       details=details(situation), clarifying_question=None if overridden else rec.clarifying_question,
                       overridden=overridden)
    result.reasons = recommender.reasons_for(chosen, situation) if overridden else rec.reasons
    result.items = _items(recommender, chosen)
    return result


def _items(recommender: Recommender, model: str) -> list[Item]:
    sections = recommender.sections
    items: list[Item] = []
    steps = sections[ids.steps_id(model)]
    for sid in steps.children:
        step = sections[sid]
        for point in step_points(step.text):
            items.append(Item(step.step, point, recommender.cite(sid, point), step.title))
    method = sections[ids.method_id(model)]
    for sent in sentences(method.text):
        items.append(Item(None, sent, recommender.cite(method.id, sent), messages.GROUP_STRUCTURE))
    for sid in PREPARATION[model]:
        s = sections[sid]
        run = leading_run(s.text, 220)
        text = run if s.kind == "bullet" else f"{s.title}: {run}"
        items.append(Item(None, text, recommender.cite(sid, run), messages.GROUP_PREPARATION))
    return items
