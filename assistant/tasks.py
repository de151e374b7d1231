"""The curated task files beside the guide: `corpus/checklists/<model>.yaml` and `corpus/checklists/before.yaml`.

The guide describes each model's steps in prose; a civil servant needs them as work. A task file turns the
prose into tasks written by us, each backed by the guide:

    model: grant
    cycle: วงจรจัดสรรเงินอุดหนุน (Grant Funding Cycle)      # the diagram's centre label
    owners: {agency: หน่วยงานเจ้าของภารกิจ, partner: หน่วยงานผู้ขอรับการสนับสนุน, joint: …}
    steps: {1: การเตรียมความพร้อม, 2: …}                      # short labels, one per step of the guide
    tasks:
      - id: grant.1.conditions                                # unique, stable
        step: 1                                               # the guide's step; null = set-up (method/principle)
        section: grant.steps.1                                # where the basis is
        task: ประกาศเงื่อนไข … สำหรับภารกิจ {service}           # verb first; {slots} from the situation
        owner: agency                                         # a key of owners
        output: ประกาศเงื่อนไขและคุณสมบัติผู้ขอรับการสนับสนุน
        basis: โดยภาครัฐต้องกำหนดเงื่อนไข รายละเอียด …          # verbatim in the section (whitespace aside)
        optional: {when: experienced_partner, reason: …}       # shown as "อาจไม่จำเป็น" when the fact holds

`before.yaml` holds the yes/no checks from the framework (starting conditions, institutional design,
facilitative leadership, the six components), each with its section, basis and the models it applies to.

`problems()` is the contract the tests hold the files to: every basis verbatim in its section, every step
and every sub-point of every step (the enumerations `step_points` finds) covered by a task whose basis
contains it, every slot and owner and fact known. `python -m assistant.tasks` prints the problems.
A document without a task file keeps the quote-based checklist (see `checklist.py`).
"""

from __future__ import annotations

import re
import string
import sys
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pythainlp.tokenize import word_tokenize

from assistant import ids
from assistant.corpus import Section, squash
from assistant.segment import sentences

# What a task may take from the situation (see checklist.details). Unknown → a visible blank.
SLOTS = ("service", "target", "partner", "duration", "area", "budget")
# Facts about the situation that can make a task unnecessary (checklist.FACTS recognises them).
FACTS = ("experienced_partner", "budget_given", "existing_service", "partner_chosen", "short_term")
ROLES = ("agency", "partner", "joint")
CHECK_GROUPS = ("starting_conditions", "institutional_design", "leadership", "process")
# A task starts with one of these verbs (the first newmm word). PyThaiNLP's POS taggers tag a bare
# "ประกาศ…", "แต่งตั้ง…", "ลงนาม…" as nouns or conjunctions out of context, so the check is a word list.
VERBS = frozenset("""
กำหนด ประกาศ ประชาสัมพันธ์ แต่งตั้ง จัดตั้ง จัดทำ จัด จัดสรร จัดส่ง เตรียม ยื่น เสนอ รับ ตรวจสอบ ตรวจ พิจารณา
คัดเลือก ประเมิน เจรจา ต่อรอง ลงนาม ทำ ทำสัญญา โอน เบิกจ่าย รายงาน สรุป แจ้ง ปรึกษา ปรึกษาหารือ หารือ ปรับ
ปรับปรุง ปรับเปลี่ยน แก้ไข วางแผน วาง ติดตาม ลงพื้นที่ ลง ปิด ปิดบัญชี ส่ง ส่งมอบ คืน วิเคราะห์ ระบุ จัดลำดับ
สำรวจ รวบรวม เก็บ ขอ ขอรับ อนุมัติ เผยแพร่ เปิด เปิดรับ บันทึก ตกลง ทบทวน สื่อสาร ประสาน ประสานงาน สร้าง
พัฒนา ดำเนินการ ดำเนิน ให้บริการ จัดบริการ ถอดบทเรียน ขยายผล ยุติ ต่อสัญญา ออกแบบ เลือก ชี้แจง ระดม
มอบหมาย กำกับ ควบคุม ทดสอบ อบรม ฝึกอบรม เชิญ ประชุม จัดประชุม ยืนยัน ตั้ง ร่าง ตรวจรับ ชำระ จ่าย บริหาร
""".split())


@dataclass(frozen=True)
class Task:
    id: str
    step: int | None
    section: str
    task: str
    owner: str
    output: str
    basis: str
    optional_when: str | None = None
    optional_reason: str | None = None

    def slots(self) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(self.task) if name}


@dataclass(frozen=True)
class Check:
    id: str
    group: str
    question: str
    section: str
    basis: str
    models: tuple[str, ...]


@dataclass
class TaskFile:
    model: str
    cycle: str
    owners: dict[str, str]
    steps: dict[int, str]
    tasks: list[Task] = field(default_factory=list)


def checklist_dir(corpus_dir: Path) -> Path:
    return corpus_dir / "checklists"


def load(corpus_dir: Path) -> tuple[dict[str, TaskFile], list[Check]]:
    """Every model's task file that exists, and the before-you-start checks (empty when absent)."""
    folder = checklist_dir(corpus_dir)
    files: dict[str, TaskFile] = {}
    for model in ids.MODELS:
        path = folder / f"{model}.yaml"
        if path.is_file():
            files[model] = _task_file(yaml.safe_load(path.read_text(encoding="utf-8")), path)
    before = folder / "before.yaml"
    checks = _checks(yaml.safe_load(before.read_text(encoding="utf-8"))) if before.is_file() else []
    return files, checks


def _task_file(data: dict, path: Path) -> TaskFile:
    if not isinstance(data, dict) or data.get("model") != path.stem:
        raise ValueError(f"{path}: 'model' must be {path.stem!r}")
    tasks = []
    for t in data.get("tasks") or []:
        optional = t.get("optional") or {}
        tasks.append(Task(str(t["id"]), t.get("step"), str(t["section"]), str(t["task"]).strip(), str(t["owner"]),
                          str(t["output"]).strip(), str(t["basis"]).strip(), optional.get("when"),
                          optional.get("reason")))
    return TaskFile(data["model"], str(data.get("cycle", "")), {str(k): str(v) for k, v in data["owners"].items()},
                    {int(k): str(v) for k, v in (data.get("steps") or {}).items()}, tasks)


def _checks(data: dict) -> list[Check]:
    return [Check(str(c["id"]), str(c["group"]), str(c["question"]).strip(), str(c["section"]),
                  str(c["basis"]).strip(), tuple(c["models"])) for c in (data or {}).get("checks") or []]


# ---------------------------------------------------------------------------------------------- sub-points

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


def starts_with_verb(text: str) -> bool:
    """The task's first word (or first two, for "ลง|พื้นที่") is a verb of VERBS; plain newmm, since the
    project's dictionary keeps compounds such as "ยื่นข้อเสนอ" whole."""
    head = word_tokenize(text.lstrip("“\"'( ")[:40], engine="newmm", keep_whitespace=False)
    return bool(head) and (head[0] in VERBS or "".join(head[:2]) in VERBS
                           or any(head[0].startswith(v) for v in VERBS if len(v) >= 3))  # "ยื่นข้อเสนอ"


def covers(basis: str, point: str) -> bool:
    """A task covers a sub-point when its basis quotes the point (or the point quotes the basis)."""
    b, p = squash(basis), squash(point)
    return p in b or b in p


# ---------------------------------------------------------------------------------------------- contract

def problems(files: dict[str, TaskFile], checks: list[Check], sections: dict[str, Section]) -> list[str]:
    """Everything that makes the task files disagree with the guide; empty when they hold."""
    found: list[str] = []
    for model, tf in files.items():
        step_ids = sections[ids.steps_id(model)].children
        if sorted(tf.steps) != list(range(1, len(step_ids) + 1)):
            found.append(f"{model}: steps labels {sorted(tf.steps)} != the guide's 1..{len(step_ids)}")
        seen: set[str] = set()
        for t in tf.tasks:
            where = f"{model}: task {t.id}"
            if t.id in seen:
                found.append(f"{where}: duplicate id")
            seen.add(t.id)
            section = sections.get(t.section)
            if section is None:
                found.append(f"{where}: no section {t.section}")
                continue
            if ids.model_of(t.section) != model and not t.section.startswith(ids.FRAMEWORK):
                found.append(f"{where}: section {t.section} belongs to another model")
            if t.step is not None and t.section != ids.step_id(model, t.step):
                found.append(f"{where}: step {t.step} but section {t.section}")
            if not t.basis or len(squash(t.basis)) < 12:
                found.append(f"{where}: no basis")
            elif squash(t.basis) not in squash(section.text):
                found.append(f"{where}: basis is not verbatim in {t.section}: {t.basis[:60]}")
            if t.owner not in tf.owners or t.owner not in ROLES:
                found.append(f"{where}: owner {t.owner!r} is not one of {ROLES} in owners")
            if not t.output:
                found.append(f"{where}: no output")
            unknown = t.slots() - set(SLOTS)
            if unknown:
                found.append(f"{where}: unknown slots {sorted(unknown)}")
            if not starts_with_verb(t.task):
                found.append(f"{where}: does not start with a verb of VERBS: {t.task[:30]}")
            if t.optional_when and (t.optional_when not in FACTS or not t.optional_reason):
                found.append(f"{where}: optional.when must be one of {FACTS} with a reason")
        for sid in step_ids:
            step = sections[sid]
            own = [t for t in tf.tasks if t.section == sid]
            if not own:
                found.append(f"{model}: step {step.step} has no task")
            for point in step_points(step.text):
                if not any(covers(t.basis, point) for t in own):
                    found.append(f"{model}: step {step.step} sub-point not covered: {point[:70]}")
    for c in checks:
        section = sections.get(c.section)
        if section is None:
            found.append(f"check {c.id}: no section {c.section}")
        elif squash(c.basis) not in squash(section.text):
            found.append(f"check {c.id}: basis is not verbatim in {c.section}: {c.basis[:60]}")
        if c.group not in CHECK_GROUPS:
            found.append(f"check {c.id}: group {c.group!r} not in {CHECK_GROUPS}")
        if not set(c.models) <= set(ids.MODELS) or not c.models:
            found.append(f"check {c.id}: models {c.models}")
        if not c.question.endswith(("ไหม", "หรือไม่", "แล้วหรือยัง", "หรือยัง", "?")):
            found.append(f"check {c.id}: not a yes/no question: {c.question[-20:]}")
    return found


def main() -> int:
    from assistant.corpus import load_corpus, section_index
    from assistant.settings import Settings

    corpus_dir = Settings().corpus_dir
    files, checks = load(corpus_dir)
    found = problems(files, checks, section_index(load_corpus(corpus_dir)))
    for line in found:
        print(line)
    print(f"{sum(len(f.tasks) for f in files.values())} tasks in {sorted(files)}, {len(checks)} checks: "
          f"{len(found)} problems")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
