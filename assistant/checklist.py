"""Draft the checklist for a situation: the recommended model with its cited reasons and why not the others,
the readiness checks from the framework, and the model's tasks — written as work (verb first, owner,
output) in `corpus/checklists/<model>.yaml`, tailored with what the situation states (`situation.py`), each
citing the guide's sentence it comes from, verbatim.

A model without a task file (a document added to `corpus/` without one) keeps the quote-based checklist:
every step split into its sub-points, then set-up and preparation items from the framework, with
`basis == "quotes"` so every channel labels it as quotes, not tasks.

Nothing is invented: a slot the situation does not fill stays a visible blank ("…"); a task the situation
may make unnecessary is kept and marked with the task file's reason, never dropped."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from assistant import ids, messages
from assistant.answer import leading_run
from assistant.citations import Citation
from assistant.inputs import check_question
from assistant.partnership import MODELS, NAMES
from assistant.recommend import Reason, Recommender
from assistant.segment import sentences
from assistant.situation import details, facts
from assistant.tasks import SLOTS, TaskFile, step_points

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



@dataclass
class Item:
    """One line of work: a task from the model's task file (owner, output, verbatim basis), or for a model
    without a task file a sentence of the guide itself (`basis == "quotes"`)."""
    step: int | None
    text: str
    citation: Citation
    group: str  # heading it is shown under
    owner: str = ""
    output: str = ""
    optional: str | None = None  # why the situation may make it unnecessary
    task_id: str | None = None

    @property
    def optional_note(self) -> str:
        """"อาจไม่จำเป็น: <reason>" for a task the situation may make unnecessary, else ""."""
        return messages.MAY_NOT_BE_NEEDED.format(reason=self.optional) if self.optional else ""

    def as_dict(self) -> dict:
        return {"step": self.step, "text": self.text, "citation": self.citation.as_dict(), "owner": self.owner,
                "output": self.output, "optional": self.optional, "id": self.task_id}


@dataclass
class Readiness:
    """A yes/no check from the framework to answer before starting."""
    group: str
    question: str
    citation: Citation

    def as_dict(self) -> dict:
        return {"group": self.group, "question": self.question, "citation": self.citation.as_dict()}


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
    readiness: list[Readiness] = field(default_factory=list)
    why_not: list[Reason] = field(default_factory=list)
    basis: str = "tasks"  # "tasks": from corpus/checklists/<model>.yaml; "quotes": the guide's sentences
    cycle: str = ""
    step_labels: dict[int, str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        if self.details.get("service"):
            target = messages.CHECKLIST_FOR_SERVICE.format(service=self.details["service"])
        elif self.details.get("target"):
            target = messages.CHECKLIST_FOR.format(target=self.details["target"])
        else:
            target = ""
        return messages.CHECKLIST_TITLE.format(model=NAMES[self.model], target=target)

    def as_dict(self) -> dict:
        """The `checklist --json` shape: model, confidence, runner_up, reasons, items as before; the rest added."""
        if self.error:
            return {"error": self.error}
        return {"model": self.model, "confidence": self.confidence, "runner_up": self.runner_up,
                "reasons": [r.as_dict() for r in self.reasons], "items": [i.as_dict() for i in self.items],
                "title": self.title, "details": self.details, "clarifying_question": self.clarifying_question,
                "basis": self.basis, "readiness": [r.as_dict() for r in self.readiness],
                "why_not": [r.as_dict() for r in self.why_not], "cycle": self.cycle}


class _Blanks(dict):
    """Slot values for a task's wording; a slot the situation does not fill shows a visible blank."""

    def __missing__(self, key: str) -> str:
        return messages.BLANK


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
    stated = details(situation)
    result = Checklist(situation, chosen, round(rec.shares[chosen], 3), rec.model if overridden else rec.runner_up,
                       details=stated, clarifying_question=None if overridden else rec.clarifying_question,
                       overridden=overridden)
    result.reasons = recommender.reasons_for(chosen, situation) if overridden else rec.reasons
    ranked = sorted(MODELS, key=lambda m: -rec.scores[m])
    result.why_not = [recommender.contrast(m, chosen, situation) for m in ranked if m != chosen]
    task_file = recommender.task_files.get(chosen)
    if task_file is None:
        result.basis = "quotes"
        result.items = _quoted_items(recommender, chosen)
    else:
        result.cycle, result.step_labels = task_file.cycle, dict(task_file.steps)
        result.items = _task_items(recommender, task_file, stated, facts(situation, stated))
    result.readiness = [Readiness(messages.READINESS_GROUPS[c.group], c.question, recommender.cite(c.section, c.basis))
                        for c in recommender.checks if chosen in c.models]
    return result


def _task_items(recommender: Recommender, task_file: TaskFile, stated: dict[str, str], held: set[str]) -> list[Item]:
    """The model's tasks in order: set-up first, then each step's; slots filled from the situation, the
    partner's kind named beside its role, and tasks the situation may make unnecessary marked so."""
    fill = _Blanks({k: v for k, v in stated.items() if k in SLOTS})
    items = []
    for t in sorted(task_file.tasks, key=lambda t: 0 if t.step is None else t.step):  # stable: file order kept
        owner = task_file.owners[t.owner]
        if t.owner == "partner" and stated.get("partner"):
            owner = f"{owner} ({stated['partner']})"
        group = messages.GROUP_SETUP if t.step is None else messages.STEP_GROUP.format(
            step=t.step, label=task_file.steps.get(t.step, ""))
        optional = t.optional_reason if t.optional_when in held else None
        items.append(Item(t.step, t.task.format_map(fill), recommender.cite(t.section, t.basis), group, owner,
                          t.output.format_map(fill), optional, t.id))
    return items


def _quoted_items(recommender: Recommender, model: str) -> list[Item]:
    """A model without a task file: the guide's own sentences, step by step (labelled as quotes)."""
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
