"""Recommend the partnership model that fits a situation, with reasons tied to the guide's own criteria.

Two kinds of evidence, combined:
- criteria: what the guide says makes each model fit (time-bound development work; continuing or routine
  service, no extra staff, a new mission; long-term partnership, a permanent area-level body, pooled
  resources). Each criterion is recognised from Thai or English phrasing, with negation ("ไม่ใช่งานประจำ"),
  and carries the guide's verbatim sentence that the reason cites;
- meaning: e5 similarity between the situation and each model's "ภารกิจที่เหมาะสม" and examples, so
  situations worded unlike any criterion still land somewhere sensible.
"""

from __future__ import annotations

import logging
import math
import re
from dataclasses import dataclass

from assistant import ids, messages
from assistant.citations import Citation
from assistant.corpus import Document, Section, section_index, squash
from assistant.normalize import normalize
from assistant.partnership import MODELS, NAMES
from assistant.tasks import Check, TaskFile, load, problems


@dataclass(frozen=True)
class Criterion:
    model: str
    key: str
    pattern: str  # over normalised text (lower case)
    section_id: str
    quote: str  # verbatim from the section; what the reason cites
    weight: float = 1.0


log = logging.getLogger(__name__)
NEGATION = re.compile(r"(ไม่ใช่|ไม่ได้เป็น|ไม่ได้|ไม่|not|non-?|no)\s*$")

CRITERIA = (
    Criterion("grant", "time_bound",
              r"ภายใน\s*\d+\s*(วัน|เดือน|ปี)|ภายใน(หนึ่ง|สอง|สาม|หก|เก้า)?\s*(เดือน|ปี)|ระยะเวลา.{0,12}(ชัดเจน|แน่นอน)|"
              r"ครั้งเดียว|ระยะสั้น|สิ้นสุด|จบโครงการ|แล้วจบ|กำหนดเสร็จ|ให้เสร็จ|\d+\s*เดือน|one-?off|time-bound|"
              r"\b\d+\s*months?\b|\bmonths?\b|short-term|fixed (term|period|end)",
              ids.suitable_id("grant"), "เหมาะสมกับการดำเนินงานภายใต้ภารกิจที่มีกำหนดระยะเวลาชัดเจน ไม่ใช่งานประจำของส่วนราชการ"),
    Criterion("grant", "not_routine", r"ไม่ใช่งานประจำ|ไม่ได้เป็นงานประจำ|ไม่ใช่งานปกติ|not (a )?routine|non-?routine",
              ids.suitable_id("grant"), "เหมาะสมกับการดำเนินงานภายใต้ภารกิจที่มีกำหนดระยะเวลาชัดเจน ไม่ใช่งานประจำของส่วนราชการ", 1.5),
    Criterion("grant", "development",
              r"สำรวจ|วิจัย|ฐานข้อมูล|พัฒนาระบบ|พัฒนาบุคลากร|พัฒนาศักยภาพ|ฝึกอบรม|อบรม|รายงานสถานการณ์|"
              r"ประเมินสภาพปัญหา|เก็บข้อมูล|จดทะเบียน|ศึกษา|survey|research|database|training|study|assessment|data collection",
              ids.suitable_id("grant"), "มุ่งเน้นการส่งเสริมและพัฒนาการจัดการบริหารสาธารณะเป็นหลัก เช่น การพัฒนาระบบการทำงาน "
              "การพัฒนาบุคลากร งานวิชาการ/วิจัย การจัดทำฐานข้อมูล การสำรวจข้อมูล การจัดทำรายงานสถานการณ์ปัญหาต่าง ๆ เป็นต้น"),
    Criterion("grant", "project", r"โครงการ|ให้ทุน|ทุนสนับสนุน|สนับสนุนทุน|grant|project",
              ids.method_id("grant"), "มุ่งเน้นการจัดทำโครงการร่วมกัน (Project-based Cooperation) เพื่อให้หน่วยงานอื่น ๆ ดำเนินการในรูปแบบรายโครงการ",
              0.5),
    Criterion("contracting", "continuing",
              r"ต่อเนื่อง|เป็นประจำ|งานประจำ|ทุกวัน|ทุกสัปดาห์|ทุกเดือน|ตลอดทั้งปี|ตลอดปี|ทุกปี|24 ?ชั่วโมง|ongoing|"
              r"continu|routine|every (day|week|month)|daily|weekly|monthly|24-hour|all year",
              ids.suitable_id("contracting"), "รูปแบบภารกิจที่เหมาะสมมักเป็นภารกิจหรือบริการสาธารณะที่ต้องมีความต่อเนื่องมากกว่ารูปแบบแรก "
              "หรืออยู่ในรูปแบบของงานประจำที่หน่วยงานภาครัฐส่วนกลางต้องปฏิบัติ"),
    Criterion("contracting", "no_extra_staff",
              r"อัตรากำลัง|ไม่มีคน|ขาดคน|ขาดบุคลากร|(เจ้าหน้าที่|คน|บุคลากร|กำลังคน).{0,6}ไม่(พอ|เพียงพอ)|ไม่ต้องเพิ่ม|"
              r"ไม่เพิ่มข้าราชการ|ขยายบริการ|ขยาย.{0,10}ไปยัง|"
              r"lack(ing)? (of )?staff|without (hiring|adding)|short of staff|extend (the )?coverage",
              ids.suitable_id("contracting"), "ส่งผลให้ภาครัฐไม่จำเป็นต้องเพิ่มอัตรากำลัง สำนักงานรองรับพื้นที่บริการ "
              "แต่ใช้การขยายขอบข่ายการให้บริการให้หน่วยงานอื่นดำเนินการแทนได้"),
    Criterion("contracting", "new_mission",
              r"ภารกิจใหม่|ยังไม่มีประสบการณ์|ขาดประสบการณ์|ไม่มีประสบการณ์|ถอดบทเรียน|new (mission|task)|no experience|"
              r"lack(s)? experience",
              ids.suitable_id("contracting"), "รูปแบบนี้ยังเหมาะสมกับภารกิจใหม่ที่รัฐต้องริเริ่มดำเนินการแต่ยังขาดประสบการณ์ "
              "ซึ่งภาครัฐสามารถถอดบทเรียนและประสบการณ์เพื่อขยายผลได้ต่อไปในอนาคต"),
    Criterion("contracting", "service_on_behalf",
              r"แทนรัฐ|แทนเรา|ดำเนินการแทน|บริหาร(สถาน|ศูนย์)|ดำเนินการศูนย์|ให้บริการ|รับเรื่องร้องเรียน|สถานแรกรับ|"
              r"สถานสงเคราะห์|สถานฟื้นฟู|สถานดูแล|on (our|its) behalf|operate|run (a|the)|service|helpline|shelter",
              ids.principle_id("contracting"), "ข้อตกลงเกี่ยวกับขอบเขตและผลลัพธ์ที่คาดหวังจากการดำเนินงานจะอยู่ในรูปแบบของ "
              "“สัญญาข้อตกลง” (Performance-based Contracting)", 0.75),
    Criterion("commissioning", "long_term",
              r"ระยะยาว|หลายปี|ถาวร|ยั่งยืน|เชิงยุทธศาสตร์|long-?term|permanent|strategic|multi-?year",
              ids.principle_id("commissioning"), "เพราะแต่ละฝ่ายต่างเล็งเห็นถึงเป้าหมายการทำงานในเชิงยุทธศาสตร์ร่วมกัน"),
    Criterion("commissioning", "permanent_body",
              r"จัดตั้ง(องค์กร|คณะกรรมการ|กองทุน|หน่วยงาน)|ตั้ง(องค์กร|คณะกรรมการ|กองทุน)|คณะกรรมการ(ร่วม|บริหาร|คุ้มครอง|พัฒนา|พิจารณา)|"
              r"องค์กรอิสระ|กองทุน|หน่วยงานถาวร|องค์กรกลาง|joint (board|committee)|committee|board|fund\b|independent body",
              ids.suitable_id("commissioning"), "รูปแบบการจัดวางโครงสร้างการทำงานร่วมกันอาจเป็นองค์กรนิติบุคคลที่เป็นภาคประชาสังคมมีอิสระจากรัฐ "
              "เช่น มูลนิธิ องค์กรการกุศล หรืออาจเป็นคณะกรรมการร่วมที่มีการแต่งตั้งจากรัฐอย่างเป็นทางการ", 1.25),
    Criterion("commissioning", "pooled",
              r"ลงขัน|ระดม(ทรัพยากร|งบ|ทุน)|บูรณาการ|ทรัพยากร.{0,15}ร่วมกัน|งบประมาณ.{0,20}(ร่วมกัน|บุคลากร)|ครบวงจร|"
              r"สหวิชาชีพ|pool|shared (budget|resources|staff)|integrat",
              ids.principle_id("commissioning"), "ภาคีหุ้นส่วนแต่ละฝ่ายจะมีการระดมทรัพยากร บุคลากร และงบประมาณมาร่วมกันจัดบริการสาธารณะ"
              "ภายใต้การจัดโครงสร้างความสัมพันธ์ที่เป็นทางการ", 1.25),
    Criterion("commissioning", "area_level",
              r"ระดับ(พื้นที่|จังหวัด)|ในพื้นที่|จังหวัด|area-?level|provincial|province",
              ids.suitable_id("commissioning"), "โดยอาศัยการจัดตั้งหน่วยงานถาวรเพื่อขับเคลื่อนงานในระดับพื้นที่", 0.5),
)

# The trait that sets each model apart, in the guide's words: what "why not this one" cites.
DEFINING = {"grant": "time_bound", "contracting": "continuing", "commissioning": "permanent_body"}

CLARIFY = {
    frozenset({"grant", "contracting"}): messages.CLARIFY_GRANT_CONTRACTING,
    frozenset({"contracting", "commissioning"}): messages.CLARIFY_CONTRACTING_COMMISSIONING,
    frozenset({"grant", "commissioning"}): messages.CLARIFY_GRANT_COMMISSIONING,
}
SEMANTIC_WEIGHT = 40.0  # e5 similarities differ by hundredths: scale them to criterion units
CLOSE_MARGIN = 0.15  # below this confidence gap the runner-up and a clarifying question are shown


@dataclass
class Reason:
    text: str
    citation: Citation

    def as_dict(self) -> dict:
        return {"text": self.text, "citation": self.citation.as_dict()}


@dataclass
class Recommendation:
    model: str
    confidence: float
    runner_up: str | None
    reasons: list[Reason]
    scores: dict[str, float]
    shares: dict[str, float]  # softmax of the scores: the confidence each model would have
    clarifying_question: str | None


def _matches(pattern: re.Pattern, text: str) -> list[str]:
    """Matched phrases that are not negated just before ("ไม่ใช่งานประจำ" is not "งานประจำ")."""
    found = []
    for m in pattern.finditer(text):
        if NEGATION.search(text[max(0, m.start() - 12) : m.start()]):
            continue
        found.append(m.group(0))
    return found


class Recommender:
    def __init__(self, embedder, docs: list[Document]):
        self.embedder = embedder
        self.sections: dict[str, Section] = section_index(docs)
        self.compiled = [(c, re.compile(c.pattern)) for c in CRITERIA]
        for c in CRITERIA:  # the reasons quote the guide: a criterion that drifts from it is a bug
            if squash(c.quote) not in squash(self.sections[c.section_id].text):
                raise ValueError(f"criterion {c.model}.{c.key} no longer quotes {c.section_id}")
        profiles = [self.sections[ids.suitable_id(m)].text + "\n" + self.sections[ids.overview_id(m)].text for m in MODELS]
        self.profiles = embedder.embed_passages(profiles)
        self.task_files, self.checks = _task_files(docs, self.sections)

    def cite(self, section_id: str, quote: str) -> Citation:
        return Citation.quote(self.sections[section_id], quote)

    def _evidence(self, situation: str) -> dict[str, list[tuple[Criterion, list[str]]]]:
        text = normalize(situation)
        evidence: dict[str, list[tuple[Criterion, list[str]]]] = {m: [] for m in MODELS}
        for criterion, rx in self.compiled:
            found = _matches(rx, text)
            if found:
                evidence[criterion.model].append((criterion, found))
        return evidence

    def criteria_matched(self, text: str) -> int:
        """How many of the guide's criteria a text names (a feature of the evidence gate)."""
        return sum(len(found) for found in self._evidence(text).values())

    def recommend(self, situation: str) -> Recommendation:
        semantic = self.profiles @ self.embedder.embed_queries([situation])[0]
        semantic = (semantic - semantic.mean()) * SEMANTIC_WEIGHT
        evidence = self._evidence(situation)
        scores = {m: float(semantic[i]) + sum(c.weight for c, _ in evidence[m]) for i, m in enumerate(MODELS)}
        ranked = sorted(MODELS, key=lambda m: -scores[m])
        exp = {m: math.exp(scores[m]) for m in MODELS}
        shares = {m: exp[m] / sum(exp.values()) for m in MODELS}
        close = shares[ranked[0]] - shares[ranked[1]] < CLOSE_MARGIN
        reasons = self._reasons(ranked[0], evidence[ranked[0]])
        return Recommendation(ranked[0], round(shares[ranked[0]], 3), ranked[1] if close else None, reasons,
                              scores, shares, CLARIFY[frozenset({ranked[0], ranked[1]})] if close else None)

    def contrast(self, model: str, chosen: str, situation: str) -> Reason:
        """Why not `model`: its defining criterion (DEFINING) when the situation does not state it;
        when it does, the chosen model's criterion that outweighed it."""
        evidence = self._evidence(situation)
        defining = next(c for c in CRITERIA if c.model == model and c.key == DEFINING[model])
        own = [found for c, found in evidence[model] if c.key == defining.key]
        other = sorted(evidence[chosen], key=lambda e: -e[0].weight)
        if own and other:
            criterion, found = other[0]
            text = messages.WHY_NOT_OUTWEIGHED.format(model=NAMES[model], phrase=", ".join(dict.fromkeys(own[0])),
                                                      other=", ".join(dict.fromkeys(found)), chosen=NAMES[chosen],
                                                      quote=criterion.quote)
            return Reason(text, self.cite(criterion.section_id, criterion.quote))
        text = messages.WHY_NOT_UNMET.format(model=NAMES[model], quote=defining.quote)
        return Reason(text, self.cite(defining.section_id, defining.quote))

    def reasons_for(self, model: str, situation: str) -> list[Reason]:
        """Reasons for a model the user chose over the recommendation."""
        return self._reasons(model, self._evidence(situation)[model])

    def _reasons(self, model: str, evidence: list[tuple[Criterion, list[str]]]) -> list[Reason]:
        reasons, seen = [], set()
        for criterion, found in sorted(evidence, key=lambda e: -e[0].weight):
            if criterion.quote in seen:
                continue
            seen.add(criterion.quote)
            phrase = ", ".join(dict.fromkeys(found))
            reasons.append(Reason(messages.REASON_CRITERION.format(phrase=phrase, quote=criterion.quote),
                                  self.cite(criterion.section_id, criterion.quote)))
        suitable = self.sections[ids.suitable_id(model)]
        if not reasons:  # no criterion named outright: say which description it reads closest to
            first = next(iter(re.split(r"(?<=\S) (?=เช่น)", suitable.text)), suitable.text)[:300]
            quote = first if squash(first) in squash(suitable.text) else suitable.text[:300]
            reasons.append(Reason(messages.REASON_SEMANTIC, self.cite(suitable.id, quote)))
        return reasons



def _task_files(docs: list[Document], sections: dict[str, Section]) -> tuple[dict[str, TaskFile], list[Check]]:
    """The curated task files beside the guide. A file that disagrees with the guide (a basis no longer
    verbatim after an edit of the text) is set aside with a warning: that model falls back to quotes."""
    if not docs:
        return {}, []
    try:
        files, checks = load(docs[0].file.parent)
    except Exception as exc:  # a task file that does not parse: every model falls back to quotes
        log.warning("task files unreadable, falling back to quotes: %s", exc)
        return {}, []
    found = problems(files, checks, sections)
    for line in found:
        log.warning("task file problem, falling back to quotes: %s", line)
    broken = {line.split(":", 1)[0] for line in found}
    return ({m: f for m, f in files.items() if m not in broken},
            [] if any(line.startswith("check ") for line in found) else checks)
