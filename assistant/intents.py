"""What a (condensed) question asks for: a typed route, the models it names, and what else it wants.

Recognition is a table of cues per route, Thai and English side by side, tried in a fixed order of
precedence (questions about the guide itself, then situations, then the shapes of questions about its
content). A question may want more than one thing: "ใช้แบบไหนดี แล้วขั้นแรกต้องทำอะไร" is a situation that
also wants the first step; `Intent.wants` carries those extras, so one composer answers both parts.

Pure functions over normalised text (NFKC, lower case, Thai digits folded); tested table-driven in
tests/test_intents.py. The evidence gate (gate.py) decides separately whether the guide can answer at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import StrEnum

from assistant.ids import MODELS
from assistant.normalize import normalize
from assistant.partnership import mentioned


class Route(StrEnum):
    HELP = "help"
    CREDITS = "credits"  # who prepared the guide
    FOOTNOTE = "footnote"  # "เชิงอรรถที่ 2 อ้างอิงอะไร อยู่หัวข้อไหน"
    SOURCE = "source"  # where the concept comes from (the footnotes)
    PREFACE = "preface"  # what the guide is for
    TOC = "toc"  # on which printed page a topic is
    FIGURE = "figure"
    SITUATION = "situation"  # "we want X: which model (and what first)?" → the recommender
    STEP = "step"
    STEPS = "steps"
    WHICH_STEP = "which_step"  # "งวดแรกอยู่ขั้นไหน": which step of the procedure holds a task
    WHICH_MODEL = "which_model"  # "…เป็นตัวอย่างของรูปแบบไหน": under which model the guide puts something
    COMPARE = "compare"
    SUITABILITY = "suitability"  # a named model: which tasks suit it
    EXAMPLE = "example"
    LIST = "list"
    WHY = "why"
    WHO_WHEN = "who_when"
    DEFINITION = "definition"
    GENERAL = "general"


GUIDE_ITSELF = r"(คู่มือ|เอกสาร|เล่มนี้|แนวทางนี้|แนวทางฉบับนี้|ฉบับนี้|guide|handbook|manual|document|booklet|this book)"
GREETING = re.compile(
    r"^(สวัสดี|หวัดดี|ดีครับ|ดีค่ะ|hello|hi\b|hey\b|ขอบคุณ|thank|ok\b|okay\b|โอเค|รับทราบ|เข้าใจแล้ว)|ทำอะไรได้(บ้าง)?|ช่วยอะไรได้|ใช้งานอย่างไร|คุณคือใคร|"
    r"what can you do|who are you|^help$|^ช่วยด้วย$"
)

# Questions about the guide as a book: checked first, their cues are specific.
META = (
    (Route.FOOTNOTE, re.compile(r"เชิงอรรถ|\bfootnotes?\b")),  # the most specific: before "ของใคร" (credits)
    (Route.CREDITS, re.compile(
        r"ผู้จัดทำ|คณะผู้จัดทำ|ผู้เขียน|ผู้เรียบเรียง|ผู้แต่ง|ที่ปรึกษาโครงการ|หัวหน้าโครงการ|คณะผู้วิจัย|"
        rf"(ใคร|หน่วยงานไหน|หน่วยงานใด|องค์กรไหน|who|which (office|agency|organi[sz]ation|university)).{{0,40}}"
        rf"(ทำ|จัด|เขียน|เรียบเรียง|แต่ง|ผลิต|ร่วม|wrote|write|written|prepar|author|produc|publish|made|behind|put|issu).{{0,30}}{GUIDE_ITSELF}|"
        # "คู่มือเล่มนี้ใครทำ", "guide was put out by whom"; not "คู่มือแบ่งหน้าที่ไว้ยังไง ใครรับผิดชอบ", "does the guide say
        # who chairs it" (who does what in the guide's content)
        rf"{GUIDE_ITSELF}\S{{0,10}}\s?(?:ของ|โดย)?(ใคร|หน่วยงานไหน|หน่วยงานใด)|"
        rf"{GUIDE_ITSELF}\s(?:(?:was|is)\s)?(?:written|prepared|made|produced|published|put out|issued)\sby|\bby whom\b|"
        r"\bauthors?\b|\bcredits?\b")),
    (Route.SOURCE, re.compile(
        r"นักวิชาการ|นักคิด|เจ้าของแนวคิด|เจ้าของทฤษฎี|ทฤษฎีของใคร|แนวคิดของใคร|ต้นฉบับ|ansell|gash|scholar|"
        r"(งาน|ผลงาน|หนังสือ|บทความ|งานวิจัย|วารสาร)(ของ)?(ใคร|ไหน|อะไร|ชิ้นไหน)|based on (whose|which|what) (work|study|paper)|"
        r"(อ้างอิง|อิงจาก|อิงมาจาก|ที่มา|แหล่งที่มา|มาจาก|ต้นแบบ|ทฤษฎี|based on|source|reference|cite|come from|"
        r"originat|who (developed|proposed|coined)).{0,30}(แนวคิด|ตัวแบบ|กรอบ|ทฤษฎี|concept|model|framework|idea|theory)|"
        r"(แนวคิด|ตัวแบบ|กรอบแนวคิด|ทฤษฎี|concept|framework|theory|idea).{0,40}(อ้างอิง|อิงจาก|อิงมาจาก|ที่มา|มาจาก|ใครเสนอ|"
        r"based on|source|come from|came from|originat|proposed by|developed by|reference)")),
    (Route.TOC, re.compile(
        r"หน้า\s*(ไหน|ใด|อะไร|ที่เท่าไร|ที่เท่าไหร่|เท่าไร|เท่าไหร่|กี่)|อยู่หน้า|เลขหน้า|อยู่ที่หน้า|เปิดหน้า|สารบัญ|"
        r"หน้า\s*\d+.{0,40}(หัวข้อ|เรื่องอะไร|พูดถึง|ว่าด้วย)|"  # "หน้า 2 กับหน้า 6 เป็นหัวข้ออะไร": a page's headings
        r"(which|what) page|on page|page number|table of contents|\bpages? \d+.{0,40}\b(about|cover|heading|topic)")),
    (Route.PREFACE, re.compile(
        rf"(วัตถุประสงค์|จุดประสงค์|เป้าหมาย|ทำขึ้นเพื่อ|จัดทำขึ้นเพื่อ|มีไว้เพื่อ|ประโยชน์|เขียนขึ้นเพื่อ|ออกมาเพื่อ).{{0,20}}{GUIDE_ITSELF}|"
        rf"{GUIDE_ITSELF}.{{0,25}}(วัตถุประสงค์|จุดประสงค์|ทำขึ้นเพื่อ|จัดทำขึ้นเพื่อ|มีไว้เพื่อ|เพื่ออะไร|ใช้ทำอะไร|มุ่งเน้น|"
        r"มีประโยชน์|ประโยชน์อะไร|เกี่ยวกับอะไร|ว่าด้วยอะไร|พูดถึงอะไร)|คำนำ|"
        r"(purpose|aim|goal|point) of (the|this) (guide|document|handbook|manual)|why (was|is) (the|this) guide|"
        r"what is (the|this) (guide|document|handbook) (for|about)|preface|foreword")),
    (Route.FIGURE, re.compile(r"ภาพที่|แผนภาพ|รูปภาพ|แผนภูมิ|ในภาพ|รูปนี้|ลูกศร|ภาพ\s*(หน้า|ไหน|อะไร|แสดง)|รูป\s*(หน้า|ไหน|อะไร)|มีรูป|\bdiagram|\bfigure|\bchart\b|\billustrat")),
)

# "Where does the concept come from?" is about the guide's own concept, not another one it mentions (NPM).
OWN_CONCEPT = re.compile(rf"{GUIDE_ITSELF}|นี้|collaborative|\bcg\b|ร่วมมือกัน|บริหารกิจการบ้านเมือง|นักวิชาการ|ansell|gash|"
                         r"ทฤษฎี|scholar|this (concept|idea|framework|model)")
# "Which model do we use?": "แบบไหน" alone also means "how"/"what kind" ("ตัดสินใจกันแบบไหน", "จัดเป็นแบบไหน") and
# "แนะนำ" also "that the guide recommends" ("ผู้นำที่คู่มือแนะนำ …กี่คน"), so those two count only when asking to
# use, choose or fit a form.
RECOMMEND = re.compile(
    r"เหมาะ|ควรใช้|ใช้รูปแบบ(ไหน|ใด|อะไร)|รูปแบบ(ไหน|ใด)|(ใช้|ควร|เลือก|ตรงกับ|เข้ากับ)\s*แบบ(ไหน|ใด)|แบบ(ไหน|ใด)\s*ดี|"
    r"ใช้อะไรดี|ใช้วิธีไหน|วิธีไหนดี|ควรเลือก|เลือกแบบ|แนะนำ(ให้)?(ใช้|เลือก)?\s*(รูป)?แบบ(ไหน|ใด|อะไร)|ช่วยแนะนำ|\bsuit|which (model|approach|option|type|form|scheme|mechanism|one)|what (model|approach|kind of partnership)|"
    r"should (we|i) use|best (model|fit|option|approach)|appropriate|recommend|"
    r"which of (?:the |its |your )?(?:guide's |three |3 )?(?:models|options|forms|approaches)"
)
# A long message that asks what the guide says ("…which models do they fall under?", "คู่มือยกเป็นตัวอย่างของรูปแบบไหน")
# is a question about the guide's content, not a situation to recommend for, unless it also tells one.
GUIDE_SAYS = re.compile(r"ตัวอย่าง|example|fall under|belong|which (model|models|ones?) (lets?|allows?)")
# What a term means or what a model has, asked of the models by name ("Service-based Cooperation หมายถึงอะไร ใช้กับ
# รูปแบบไหน", "which one has 9 steps", "which of the models says …"): about the guide, no task told. Not "หมายถึง
# การบริหารแบบไหน" (what kind, not which model).
MODEL_PROPERTY = re.compile(r"หมายถึง|ความหมาย|\bmeans?\b|มี\s*\d+\s*ขั้น|\bha(?:s|ve) \d+ steps|\bsays?\b|\bmentions?\b|"
                            r"\btalks? about\b|กล่าวถึง|พูดถึง")
NAMES_A_MODEL = re.compile(r"รูปแบบ(ไหน|ใด)|which (models?|ones?|of)\b|what model")
# …unless it asks which form to use or fits best: that is the recommender's question ("which model is suitable …")
ASKS_FIT = re.compile(r"เหมาะ|ควร(ใช้|เลือก)|แนะนำ|\bsuit|appropriate|recommend|\bshould\b|\bbest\b")
MANY_MODELS = re.compile(r"แบบ(ไหน|ใด)บ้าง|which (models|ones)")
WHICH_MODEL = re.compile(r"(รูป)?แบบ(ไหน|ใด)|which (model|models|ones?)\b|what model")
# A situation is told, not just named: the user's own organisation or a concrete undertaking.
SITUATION_TOLD = re.compile(
    r"กรมเรา|หน่วยงานเรา|หน่วยงานของ|องค์กรเรา|สำนักงานเรา|จังหวัดเรา|ทางเรา|พวกเรา|เรา(จะ|อยาก|ต้องการ|กำลัง|มี|ไม่)|"
    r"(อยาก|ต้องการ|จะ|วางแผน)(ให้|จ้าง|ร่วมมือ|ทำ|จัดตั้ง|ตั้ง|สร้าง)|ให้(มูลนิธิ|เอกชน|บริษัท|สมาคม|ชุมชน|อปท|ภาคประชาสังคม|มหาวิทยาลัย|ngo|องค์กร)|"
    r"\b(we|our|us|my (department|agency|office|ministry))\b|\b(want|plan|need|going) to\b|\bngos?\b"
)
STEP_NO = re.compile(r"ขั้น(ตอน)?(?:ที่)?\s*(\d+)|step\s*(\d+)|(\d+)(st|nd|rd|th) step")
# "ข้อ 1 กับข้อ 2", "ขั้น 6 ถึงขั้น 9", "items 2-4", "ข้อที่สาม": which items of a list are asked about
ITEM_NO = re.compile(r"(?:ข้อ|อัน|ขั้น(?:ตอน)?|ประการ|ด้าน|องค์ประกอบ|ปัจจัย|ลักษณะ)\s*(?:ที่)?\s*(\d+|หนึ่ง|สอง|สาม|สี่|ห้า|หก|เจ็ด|แปด|เก้า)(?!\s*(?:ขั้นตอน|ข้อ|ประการ|ด้าน|ปัจจัย|องค์ประกอบ|รูปแบบ))|"
                     r"\b(?:item|step|component|factor|characteristic|point|no\.?)s?\s*(\d+)|"
                     r"\b(first|second|third|fourth|fifth|sixth|seventh|eighth|ninth) (?:one|item|point|component|factor|"
                     r"characteristic|condition|feature)\b")
# "ข้อแรก", "องค์ประกอบแรก" (not "ขั้นแรก": that is the first step); "ข้อสุดท้าย", "the last factor"
LIST_NOUN = r"(?:ข้อ|อัน|องค์ประกอบ|ปัจจัย|ลักษณะ(?:สำคัญ)?|ประการ|ด้าน)"
FIRST_ITEM = re.compile(rf"{LIST_NOUN}\s*แรก")
LAST_ITEM = re.compile(rf"{LIST_NOUN}\s*(?:ที่)?\s*สุดท้าย|\blast (?:one|item|point|component|factor|characteristic|condition|feature)\b")
ITEM_RANGE = re.compile(r"(\d+)\s*(?:ถึง|-|–|to)\s*(?:ข้อ|ขั้น(?:ตอน)?|step)?\s*(?:ที่)?\s*(\d+)")
ORDINALS = {"หนึ่ง": 1, "สอง": 2, "สาม": 3, "สี่": 4, "ห้า": 5, "หก": 6, "เจ็ด": 7, "แปด": 8, "เก้า": 9,
            "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "sixth": 6, "seventh": 7,
            "eighth": 8, "ninth": 9, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6,
            "seven": 7, "eight": 8, "nine": 9}
STEP_WORD = re.compile(r"ขั้น(?:ตอน)?ที่\s*(หนึ่ง|สอง|สาม|สี่|ห้า|หก|เจ็ด|แปด|เก้า)|ขั้น(?:ตอน)?\s*(สอง|สาม|สี่|ห้า|หก|เจ็ด|แปด|เก้า)|"
                       r"\b(second|third|fourth|fifth|sixth|seventh|eighth|ninth) step|step (one|two|three|four|five|six|seven|eight|nine)\b")
FIRST_STEP = re.compile(r"ขั้นตอนแรก|ขั้นแรก|ขั้นต้น|เริ่ม(ต้น)?(จาก|ที่|ยังไง|อย่างไร|ทำอะไร)|ทำอะไรก่อน|ต้องทำอะไรบ้างก่อน|"
                        r"first step|what (do we|should we|to) do first|where (do we|to) start|how (do we|to) (start|begin)|"
                        r"\bfirst\b.{0,20}\b(do|step)")
LAST_STEP = re.compile(r"ขั้นตอนสุดท้าย|ขั้นสุดท้าย|ขั้นท้าย|(last|final) step")
LAST = -1  # "the last step" (or item), resolved against the model's own step count (the list's length)
WHICH_STEP = re.compile(r"ขั้น(?:ตอน)?(?:ไหน|ใด)(?!\s*บ้าง)|ขั้น(?:ตอน)?ที่เท่า(?:ไร|ไหร่)|ขั้น(?:ตอน)?อะไร(?!\s*บ้าง)|"
                        r"\b(?:at|in|during) (?:which|what) (?:step|stage)|\bwhich step (?:is|does|do|covers?|has)|"
                        r"\bwhat step (?:is|does|do)")
CHECKLIST = re.compile(r"เช็กลิสต์|เช็คลิสต์|เชคลิส|checklist|check list|to-?do|ต้องเตรียมอะไร")

LIST_CUE = re.compile(
    r"อะไรบ้าง|ไรบ้าง|ประกอบด้วย|กี่ประการ|กี่ด้าน|กี่องค์ประกอบ|กี่ปัจจัย|กี่ข้อ|กี่แบบ|กี่รูปแบบ|กี่ลักษณะ|มีกี่|เป็นข้อ ?ๆ|"
    r"what (are|r|’re|'re) the|list (the|all|them)|how many (components|factors|characteristics|models|elements|types)|"
    r"name the|what (\w+ )?(models|components|factors|characteristics|elements|types|forms)\b")
SHAPES = (
    (Route.STEPS, re.compile(
        r"กี่ขั้นตอน|กี่ขั้น|\d+\s*ขั้น(?!ตอนที่|ที่)|ขั้นตอน.{0,25}(อะไรบ้าง|อย่างไร|ยังไง|มีอะไร)|มีขั้นตอน|ขั้นตอนการดำเนิน|กระบวนการ.{0,20}(อะไรบ้าง|อย่างไร|ยังไง)|"
        r"how many steps|what are the steps|which steps|the steps|steps? (of|for|in)|procedure|cycle|workflow|stages")),
    (Route.COMPARE, re.compile(
        r"ต่างกัน|ต่างจาก|แตกต่าง|เปรียบเทียบ|เทียบ|เหมือนหรือต่าง|เหมือนกันไหม|กับ.{1,40}ต่าง|differ|difference|compare|"
        r"comparison|\bvs\.?\b|versus|contrast|distinguish")),
    (Route.SUITABILITY, re.compile(
        r"เหมาะ|ควรใช้|ใช้กับ(งาน|ภารกิจ)|ใช้(ได้)?ตอนไหน|ใช้เมื่อไร|ใช้เมื่อไหร่|งาน(แบบ|ประเภท)ไหน|ภารกิจ(แบบ|ประเภท)?(ไหน|ใด|อะไร)|"
        r"\bsuit|appropriate|when (should|to|do) (we|i)? ?use|what (kind|type)s? of (task|mission|work|service)|good for|used for")),
    (Route.EXAMPLE, re.compile(r"ตัวอย่าง|ยกตัวอย่าง|เช่นอะไร|\bexamples?\b|for instance|such as what")),
    (Route.LIST, LIST_CUE),
    (Route.WHY, re.compile(r"ทำไม|เพราะเหตุใด|เหตุใด|เพราะอะไร|เหตุผล|\bwhy\b|what for|reason")),
    (Route.WHO_WHEN, re.compile(r"ใคร|ปีใด|ปีไหน|ปี พ\.ศ\.|พ\.ศ\.|เมื่อไร|เมื่อไหร่|ตั้งแต่ปี|\bwho\b|\bwhen\b|which year|what year")),
    (Route.DEFINITION, re.compile(
        r"คืออะไร|คือ|หมายถึง|หมายความว่า|ความหมาย|นิยาม|แปลว่า|what is|what are|what's|what does .* mean|define|"
        r"definition|meaning|explain|describe|description|summar|overview|in brief|tell me about|สรุป|เรียกว่า")),
)
ASKS_WHY = re.compile(r"^\s*(why\b|ทำไม|เพราะเหตุใด|เหตุใด)")
FRAMEWORK_LIST = re.compile(r"องค์ประกอบ|ปัจจัย|ลักษณะสำคัญ|\bcomponents?\b|\bfactors?\b|\bcharacteristics?\b")
STEP_CUE = re.compile(r"ขั้นตอน|ขั้น|\bsteps?\b|\bstages?\b")
ALL_MODELS = re.compile(r"(สาม|3|ทั้ง ?3|ทั้งสาม|ทุก|แต่ละ)\s*(รูปแบบ|แบบ|โมเดล)|three (models|forms|types)|all (three|3|the) models|"
                        r"each model|the models|(ทั้ง|ทุก)รูปแบบ")


@dataclass(frozen=True)
class Intent:
    shape: str  # a Route value
    models: tuple[str, ...]
    step: int | None = None
    wants: frozenset[str] = field(default_factory=frozenset)  # extras of a compound question: first_step, steps, checklist
    items: tuple[int, ...] = ()  # numbered items of a list asked about ("องค์ประกอบข้อ 1 กับข้อ 2")

    @property
    def route(self) -> Route:
        return Route(self.shape)


def asked_items(q: str) -> tuple[int, ...]:
    """Item numbers a normalised question asks about, in order ("ขั้น 6 ถึงขั้น 9" → 6, 7, 8, 9)."""
    numbers: list[int] = []
    for m in ITEM_NO.finditer(q):
        word = m.group(1) or m.group(2) or m.group(3)
        numbers.append(int(word) if word.isdigit() else ORDINALS[word])
    if FIRST_ITEM.search(q):
        numbers.append(1)
    for m in ITEM_RANGE.finditer(q):
        low, high = int(m.group(1)), int(m.group(2))
        if low < high <= low + 9:
            numbers.extend(range(low, high + 1))
    last = (LAST,) if LAST_ITEM.search(q) else ()  # resolved against the list's own length, after the numbers
    return tuple(sorted(set(n for n in numbers if 0 < n < 10))) + last


def asked_step(q: str) -> int | None:
    """The step number a normalised question asks about (1 for "the first step", LAST for the last)."""
    if m := STEP_NO.search(q):
        return int(next(g for g in m.groups()[1:] if g and g.isdigit()))
    if m := STEP_WORD.search(q):
        return ORDINALS[next(g for g in m.groups() if g)]
    if FIRST_STEP.search(q):
        return 1
    if LAST_STEP.search(q):
        return LAST
    return None


WHAT_TO_DO = re.compile(r"ต้องทำ(อะไร)?(บ้าง|ยังไง|อย่างไร)|ทำยังไง|ทำอย่างไร|ดำเนินการ(อย่างไร|ยังไง)|"
                        r"what (do|should|must) we do|how (do|should|would) we (proceed|go about|do|start)|what next")


# "ขอขั้นตอนด้วยค่ะ", "ขั้นตอนตั้งแต่ต้นจนจบ", "what steps should we follow": a situation that also asks for the steps
STEPS_WANTED = re.compile(r"ขอ(ทราบ)?ขั้นตอน|ขั้นตอน\s*(ด้วย|ทั้งหมด|ตั้งแต่|ครบ|การทำงาน)|ทุกขั้นตอน|ต้นจนจบ|"
                          r"\b(what|which) steps\b|\bsteps? (should|do|must|to)\b|step[- ]by[- ]step")


def wants(q: str) -> frozenset[str]:
    extra = set()
    if FIRST_STEP.search(q):
        extra.add("first_step")
    if SHAPES[0][1].search(q) or WHAT_TO_DO.search(q) or STEPS_WANTED.search(q):
        extra.add("steps")
    if CHECKLIST.search(q):
        extra.add("checklist")
    return frozenset(extra)


def classify(question: str) -> Intent:
    q = normalize(question)
    models = tuple(mentioned(question))
    if GREETING.search(q) and len(q) < 60:
        rest = re.sub(r"(ครับ|ค่ะ|คะ|จ้า|นะ|หน่อย|please|[^a-z\u0e01-\u0e4e])", "", GREETING.sub("", q))
        if len(rest) < 12 and not models:  # "สวัสดีครับ", "hey": nothing else asked
            return Intent(Route.HELP, models)
    for route, rx in META:
        if rx.search(q) and (route is not Route.SOURCE or OWN_CONCEPT.search(q)):
            return Intent(route, models)
    told = bool(SITUATION_TOLD.search(q))
    about_models = bool(GUIDE_SAYS.search(q) and WHICH_MODEL.search(q)) or bool(
        MODEL_PROPERTY.search(q) and NAMES_A_MODEL.search(q))
    if (not models or set(models) == set(MODELS)) and not told and about_models and not ASKS_FIT.search(q):  # "which of the three"
        return Intent(Route.WHICH_MODEL, models, wants=frozenset({"many"} if MANY_MODELS.search(q) else ()))
    # "แต่ละแบบทำข้อตกลงกันในรูปแบบไหน": about the three models, not a form to choose for a situation
    about_guide_content = (GUIDE_SAYS.search(q) or ALL_MODELS.search(q)) and not ASKS_FIT.search(q)
    if RECOMMEND.search(q) and ((not models and (told or len(q) > 60 and not about_guide_content)) or (told and len(q) > 50)):
        return Intent(Route.SITUATION, models, asked_step(q), wants(q))
    step = asked_step(q)
    items = asked_items(q)
    if len(items) > 1 and models:  # "PBC ขั้น 6 ถึงขั้น 9"
        return Intent(Route.STEPS, models, None, wants(q), items)
    if step is not None and not models and ALL_MODELS.search(q):  # "ขั้นตอนแรกของทั้ง 3 รูปแบบ": each model's
        models = MODELS
    if step is not None and models:
        return Intent(Route.STEP, models, step, wants(q))
    if step is None and WHICH_STEP.search(q) and not (LIST_CUE.search(q) or re.search(r"มีขั้นตอน|สำคัญที่สุด", q)):
        return Intent(Route.WHICH_STEP, models, None, wants(q))
    if ASKS_WHY.match(q):  # "why should the needs assessment in the commissioning cycle …": a reason, not the cycle
        return Intent(Route.WHY, models, step, items=items)
    if len(models) < 2 and ALL_MODELS.search(q):  # "แต่ละแบบทำข้อตกลงกันอย่างไร": each of the three
        models = MODELS
    for route, rx in SHAPES:
        if rx.search(q):
            if route is Route.COMPARE and len(models) < 2 and ALL_MODELS.search(q):
                models = MODELS
            elif route is Route.COMPARE and not models and LIST_CUE.search(q):
                route = Route.LIST  # "ลักษณะที่ต่างจากแบบอื่นมีกี่ข้อ": a list, not a comparison
            if route is Route.STEPS and not models and FRAMEWORK_LIST.search(q) and not STEP_CUE.search(q):
                route = Route.LIST  # "องค์ประกอบของกระบวนการ CG มีอะไรบ้าง": the framework's list, not a procedure
            if route is Route.SUITABILITY and not models:
                return Intent(Route.SITUATION, models, step, wants(q))
            return Intent(route, models, step, items=items)
    return Intent(Route.GENERAL, models, step, items=items)
