"""The default answerer: grounded Thai answers composed from the guide's own sentences, no LLM.

`COMPOSERS` maps each question route (intents.py) to the function that answers that shape from the section
tree: step lists and single steps, a model's "ภารกิจที่เหมาะสม" and its examples, a situation through the same
recommender as the checklist tool, definitions, comparisons, lists and numbered items, and the parts of the
book itself (credits, footnotes, preface, printed pages, figure captions). A composer that has nothing to say
returns None, and the answer comes from the best crfcut sentences of the retrieved chunks: the best first, at
most three runs, none starting inside an enumeration crfcut cut apart. Each claim carries an inline marker [n]
for a verbatim citation. Whether to answer at all is the evidence gate's decision (gate.py), made before.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

from assistant import ids, messages
from assistant.chunks import Chunk
from assistant.citations import MARKER, Citation
from assistant.condense import without_context
from assistant.corpus import PATH_SEPARATOR, Document, Section, section_index
from assistant.intents import ALL_MODELS, LAST, LIST_CUE, Intent, Route
from assistant.normalize import normalize
from assistant.partnership import MODELS, NAMES, mentioned, without_mentions
from assistant.retrieval import Hit, HybridSearcher, section_role, term_coverage
from assistant.segment import CHAT_WORDS, expand_query, search_tokens, sentences

ITEM_WORDS = frozenset(search_tokens("ข้อ อัน ข้อที่ อันที่ ที่ แรก สอง สาม สี่ ห้า หก สุดท้าย item one first second third last"))
MODEL_WORDS = frozenset(
    t for text in (*NAMES.values(), "รูปแบบ หมายถึง หมายความว่า ความหมาย นิยาม meaning define mean model "
                   "performance-based procurement grant contracting commissioning คอมมิชชั่นนิ่ง pbc")
    for t in search_tokens(text)
)
GENERIC_MODEL_WORDS = frozenset(search_tokens("รูปแบบ model models"))  # the words of "the three models" list
EACH = re.compile(r"แต่ละ|ทุกรูปแบบ|ทุกแบบ|ทั้ง\s*(3|สาม)|\beach\b|\brespectively\b|\bevery\b")
# the guide's words the English glossary gives for the models' names ("pbc" → "สัญญาข้อตกลง")
MODEL_GLOSSED = frozenset(expand_query(search_tokens("grant contracting commissioning pbc performance-based")))
COUNT_ASKED = re.compile(r"กี่ขั้น|มีขั้นตอน(อะไร|ไหน|ใด)?บ้าง|ทุกขั้น|ทั้งหมด|how many|all (the )?steps|list")
STEP_WORDS = frozenset(search_tokens("ขั้นตอน ขั้นตอนที่ ขั้น วงจร กระบวนการ การดำเนินการ ดำเนินการ step steps stage cycle "
                                     "process procedure difference between"))
# How a question places steps by what they do: from one to another, the ones before one, or two in order.
SPAN = re.compile(r"(?P<range>ตั้งแต่(?P<start>.{2,80}?)(?:จนถึง|จนได้|จนกระทั่ง|จน|ถึง)|\bfrom\b(?P<s2>.{2,80}?)\b(?:to|until|through)\b)|"
                  r"(?P<before>ก่อน(?:จะ|ที่จะ)?\s*(?:ถึง|มาถึง|เข้าสู่|ลงมือ)|\bbefore (?:we )?(?:get|reach|start|begin)\w*)|"
                  r"(?P<order>ก่อน\s*แล้ว(?:ค่อย|จึง)?|ก่อน.{0,30}?แล้วค่อย|ก่อนหรือหลัง|\bbefore or after\b)")
# Words that ask for examples and name no topic of their own.
EXAMPLE_WORDS = frozenset(search_tokens(
    "ตัวอย่าง ยกตัวอย่าง เช่น อะไรบ้าง บ้าง ภารกิจ งาน ลักษณะ ประเภท อยู่ มี เป็น ไหน ใด example examples instance task "
    "tasks kind kinds type give any anything esp especially involving related fall under which model models guide"))
SIGNED_ASKED = re.compile(r"ลงชื่อ|ลงนาม|ในนาม|ใคร(?:เป็นคน)?เขียน|เขียนโดย|\bsign(?:ed|s|ature)?\b|\bwho wrote\b", re.IGNORECASE)
SEVERAL_STEPS = re.compile(r"ขั้น(?:ตอน)?(?:ไหน|ใด)บ้าง|\bwhich (?:of the )?steps\b")
NAME_ASKED = re.compile(r"ชื่อ|เรียก|ย่อมาจาก|ภาษาอังกฤษ|\b(?:name[ds]?|called|stands? for|acronym)\b", re.IGNORECASE)
COMPARE_WORDS = frozenset(search_tokens(
    "ต่าง ต่างกัน แตกต่าง ความแตกต่าง เปรียบเทียบ เทียบ เหมือน เหมือนกัน คล้าย ระหว่าง กับ สาม ทั้ง ทั้งสาม แต่ละ ทุก เรื่อง "
    "differ difference different compare comparison similar versus each three all both between"))
# Words that ask for a definition or summary of what they name, and name nothing else.
DEFINITION_WORDS = frozenset(search_tokens(
    "เรียก เรียกว่า สรุป สั้น สั้นๆ อธิบาย ความหมาย คือ คืออะไร ไร อะ หน่อย ใน คู่มือ ที่ แบบ หนึ่ง สอง สาม แรก ประโยค "
    "บรรทัด one line sentence description describe summary summarise summarize overview brief explain called name "
    "second third first 1st 2nd 3rd give one-line"))
DEFINING = r"(หมายถึง|หมายความว่า|คือ|เป็นกรอบ|เป็นรูปแบบ|เป็นการ|เป็นแนวทาง|เป็นกระบวนการ|เป็นเครื่องมือ)"
DEFINITION_CUE = re.compile(DEFINING)
COMPARE_CUE = re.compile(r"แตกต่าง|ต่างจาก|ในขณะที่|แต่|มากกว่า|สูงกว่า|มิใช่|ไม่ใช่")
WHY_CUE = re.compile(r"เนื่องจาก|เพราะ|จึง|ทำให้|ส่งผลให้|เพื่อ")
WHO_WHEN_CUE = re.compile(r"พ\.ศ\.|\b(19|20|25)\d\d\b|[A-Z][a-z]+ and [A-Z][a-z]+|สำนักงาน|มหาวิทยาลัย|คณะ")
LINEAGE = re.compile(r"พัฒนา(?:มา)?จาก|มาจาก(?:ฐาน)?แนวคิด|ฐานแนวคิด|ต่อยอด(?:มา)?จาก|รากฐาน")  # what a concept grew from
EXAMPLE_CUE = re.compile(r"เช่น|ตัวอย่าง|ได้แก่|อาทิ")
CUES = {Route.WHO_WHEN: WHO_WHEN_CUE, Route.DEFINITION: DEFINITION_CUE, Route.COMPARE: COMPARE_CUE,
        Route.WHY: WHY_CUE, Route.EXAMPLE: EXAMPLE_CUE}
# crfcut sometimes cuts inside an enumeration: a sentence that continues the one before it is never a start.
CONTINUES = re.compile(r"^(และ|หรือ|รวมทั้ง|รวมถึง|ตลอดจน|อีกทั้ง|เป็นต้น|ซึ่ง|[,;:)])")
LIST_TAIL = re.compile(r"เป็นต้น\s*$")
# the whole table of contents asked for, not one topic's page
WHOLE_TOC = re.compile(r"สารบัญ.{0,30}(อะไรบ้าง|มีอะไร|ทั้งหมด|บ้าง)|โครงเรื่อง|หัวข้อ(ใหญ่|หลัก)|table of contents|\boutline\b|"
                       r"\b(main|all the) (sections|headings|parts|chapters)\b")
NAMED_NEXT = re.compile(r"(เรียกว่า|ซึ่งเรียกว่า|หรือที่เรียกว่า)")  # a sentence that names what the one before describes
CUT_AFTER = re.compile(r"(พ\.ศ\.|ค\.ศ\.|ได้แก่|เช่น|ดังนี้|:)\s*$")  # crfcut cuts after these; the run goes on
ELEMENT = re.compile(r"^(ความ|การ|ด้าน|เกณฑ์)")  # how the guide's list elements begin
# Sentence extraction, tuned on dev (must-include 0.731 → 0.759; grid 0.12/0.25 × 0.5/0.6/0.7 × 250/350): the
# retriever's rank of a passage (dense + BM25 + the guide's structure) weighs more than one sentence's word
# overlap, a supporting run is kept down to half the best run's score, and a run reads up to ~350 characters.
RANK_PRIOR = 0.25  # added to a sentence's score, divided by its passage's rank (was 0.12)
RUN_FLOOR = 0.5  # a further run must score at least this share of the best (was 0.7)
MANY_SHARE = 0.6  # "which models …บ้าง": another model is named when its sentence holds this share of the best's (was 0.8)
RUN_LENGTH = 350  # characters a run grows to around its sentence (was 250, 300 for lists)
INTRODUCES = re.compile(r"(ได้แก่|เช่น|ดังนี้|ประกอบด้วย|อาทิ|ทั้ง|:)\s*$")


@dataclass
class Answer:
    answer: str
    refused: bool
    citations: list[Citation] = field(default_factory=list)
    backend: str = "default"
    error: str | None = None

    def as_dict(self) -> dict:
        if self.error:
            return {"error": self.error}
        return {"answer": self.answer, "refused": self.refused,
                "citations": [c.as_dict() for c in self.citations], "backend": self.backend}

    def render_text(self) -> str:
        lines = [self.answer]
        if self.citations:
            lines.append(f"\n{messages.SOURCES_HEADING}")
            for i, c in enumerate(self.citations, 1):
                lines.append(f"{c.label(i)}\n    “{c.text}”")
        return "\n".join(lines)


@lru_cache(maxsize=4096)
def _sentences(text: str) -> tuple[str, ...]:
    return tuple(sentences(text))


@lru_cache(maxsize=8192)
def _tokens(text: str) -> frozenset[str]:
    return frozenset(search_tokens(text))


def leading_run(text: str, limit: int) -> str:
    """The first sentences of a text, contiguous and verbatim, up to about `limit` characters."""
    out = ""
    for s in _sentences(text):
        if out and len(out) + len(s) > limit and len(out) >= 0.4 * limit:  # a stub alone says too little
            break
        out = f"{out} {s}".strip()
    return out


Composed = tuple[str, list[Citation]]
Composer = Callable[["DefaultAnswerer", str, Intent, list[Hit]], "Composed | None"]


class DefaultAnswerer:
    """Composes an answer for a question the evidence gate has let through (gate.py decides that)."""

    def __init__(self, searcher: HybridSearcher, docs: list[Document], recommender):
        self.searcher = searcher
        self.sections: dict[str, Section] = section_index(docs)
        self.document_titles = {d.id: d.title for d in docs}
        self.recommender = recommender  # answers "which model suits …?" the way the checklist tool decides

    def cite(self, section: Section, text: str) -> Citation:
        return Citation.quote(section, text)

    def compose(self, question: str, intent: Intent, hits: list[Hit]) -> Composed:
        """The route's composer; when it has nothing to say, the best sentences of the retrieved passages."""
        composer = COMPOSERS.get(intent.route)
        spans = (Route.STEPS, Route.WHICH_STEP, Route.GENERAL, Route.WHO_WHEN, Route.LIST)
        if intent.route in spans and self.sections and (spanned := self._step_span(question, intent, hits)):
            return spanned
        if intent.items and intent.route in (Route.LIST, Route.DEFINITION, Route.GENERAL, Route.WHY) and self.sections:
            composer = DefaultAnswerer._numbered
        if composer and self.sections:
            composed = composer(self, question, intent, hits)
            if composed:
                return composed
        return self._extract(question, hits, CUES.get(intent.route), run_length=RUN_LENGTH,
                             scope=intent.models[0] if len(intent.models) == 1 else None)

    def _list(self, question, intent, hits):
        """"What are the X?" about a part whose items are its sub-sections: list them from the tree. Of the
        best hit and its parent, the one whose heading the question names is the list asked for. A model's
        name is not a heading match: "commissioning ต้องตั้งคณะกรรมการอะไรบ้าง" does not ask for its part's headings."""
        q_tokens = set(expand_query(search_tokens(question)))
        q_tokens -= (MODEL_WORDS | MODEL_GLOSSED) - GENERIC_MODEL_WORDS
        for hit in hits[:2]:
            section = self.sections.get(hit.chunk.section_id)
            if section is None or section.kind == "step":
                continue
            candidates = []
            for candidate in (section, self.sections.get(section.parent or "")):
                items = self._items_of(candidate)
                if len(items) >= 2:
                    named = self._weighted_coverage(q_tokens, _tokens(candidate.title))
                    candidates.append((named, candidate, items))
            own = self._weighted_coverage(q_tokens, _tokens(section.title))
            if candidates:
                named, candidate, items = max(candidates, key=lambda c: c[0])
                if named > 0 and (candidate is section or named > own):
                    return self._list_items(candidate, items)
        return None

    def _items_of(self, section: Section | None) -> list[Section]:
        """A section's list items: its sub-sections and ❖ bullets (not its steps or figures)."""
        return [self.sections[c] for c in (section.children if section else [])
                if self.sections[c].kind in ("section", "bullet")]

    def _named_list(self, question: str, hits: list[Hit]) -> tuple[Section, list[Section]] | None:
        """The list (a section whose items are its sub-sections) the question names, near its best hits."""
        q_tokens = set(expand_query(search_tokens(question)))
        seen, best = set(), None
        for hit in hits[:4]:
            section = self.sections.get(hit.chunk.section_id)
            for candidate in (section, self.sections.get(section.parent or "") if section else None):
                if candidate is None or candidate.id in seen:
                    continue
                seen.add(candidate.id)
                items = self._items_of(candidate)
                named = self._weighted_coverage(q_tokens, _tokens(candidate.title))
                if len(items) >= 2 and named > 0 and (best is None or named > best[0]):
                    best = (named, candidate, items)
        return (best[1], best[2]) if best else None

    def _numbered(self, question, intent, hits):
        """"องค์ประกอบข้อ 1 กับข้อ 2 คืออะไร": the numbered items of the list the question names."""
        found = self._named_list(question, hits)
        if not found:
            return None
        parent, items = found
        chosen = [(n, items[n - 1]) for n in _numbers(intent.items, len(items))]
        if not chosen:
            return None
        asked = without_context(normalize(question))  # the user's words, not the context of a follow-up
        if len(chosen) == 1 and LIST_CUE.search(asked) and len(own := self._items_of(chosen[0][1])) >= 2:
            return self._list_items(chosen[0][1], own)  # "อันที่สอง มีเงื่อนไขย่อยอะไรบ้าง": that item's own list
        if len(chosen) == 1 and chosen[0][1].text:
            n, item = chosen[0]
            topic = self._topic_terms(asked) - _tokens(item.title) - _tokens(parent.title) - ITEM_WORDS
            if topic & _tokens(item.text):  # "ข้อสาม ถ้าภาคีไม่ค่อยเชื่อถือกันจะเกิดอะไรขึ้น": what the item says of that
                body, cites = self._extract(asked, [], None, run_length=RUN_LENGTH, runs=2,
                                            passages=[(item, _sentences(item.text))])
                if cites:
                    return f"{parent.title}:\n{n}. {item.title}\n{body}", cites
        cites, lines = [], []
        for n, item in chosen:
            run = leading_run(item.text, 300) if item.text else ""
            if run:
                cites.append(self.cite(item, run))
            lines.append(f"{n}. {item.title}" + (f" — {run} [{len(cites)}]" if run and run != item.title else ""))
        return f"{parent.title}:\n" + "\n".join(lines), cites

    def _list_items(self, parent: Section, items: list[Section]):
        cites, lines = [], []
        if parent.text:
            cites.append(self.cite(parent, leading_run(parent.text, 300)))
        head = messages.LIST_HEAD.format(title=parent.title, count=len(items)) + (f" [{len(cites)}]" if cites else "")
        for i, item in enumerate(items, 1):
            run = leading_run(item.text, 200) if item.text else ""
            if run:
                cites.append(self.cite(item, run))
            lines.append(f"{i}. {item.title}" + (f" — {run} [{len(cites)}]" if run and run != item.title else ""))
        return head + "\n" + "\n".join(lines), cites

    def _steps(self, question, intent, hits):
        models = intent.models or MODELS
        parts, cites = [], []
        for model in models:
            steps = self.sections.get(ids.steps_id(model))
            if not steps:
                continue
            sents = _sentences(steps.text)
            at = next((i for i, s in enumerate(sents) if re.search(r"\d+\s*ขั้นตอน", s)), None)
            if at is None:
                count_sentence = leading_run(steps.text, 300)
            else:  # "…ประกอบด้วย 6 ขั้นตอน | เรียกว่า วงจรการมอบหมายภารกิจของรัฐ (Commissioning Recycle)": the cycle's name too
                end = at + 1 if at + 1 < len(sents) and NAMED_NEXT.match(sents[at + 1]) else at
                count_sentence = " ".join(sents[at : end + 1])
            cites.append(self.cite(steps, count_sentence))
            children = [self.sections[c] for c in steps.children]
            header = messages.STEP_COUNT.format(model=NAMES[model], count=len(children))
            header += f": {count_sentence} [{len(cites)}]" if len(count_sentence) < 250 else f" [{len(cites)}]"
            if len(models) > 1:
                parts.append(header)
                continue
            lines = [header + messages.NAMELY]
            asked = _numbers(intent.items, len(children)) or self._named_steps(question, children)
            for child in [c for c in children if not asked or c.step in asked]:
                first = leading_run(child.text, 160 if len(asked) not in (1, 2) else 400)  # enough to tell apart
                cites.append(self.cite(child, first))
                label = child.title if not child.title.endswith("…") and len(asked) not in (1, 2) else first
                lines.append(f"{child.step}. {label} [{len(cites)}]")
            parts.append("\n".join(lines))
        return "\n".join(parts), cites

    def _named_steps(self, question: str, children: list[Section]) -> list[int]:
        """Steps a question names by their titles rather than numbers ("the Preparation step and the Application
        step", "ขั้นจัดสรรทรัพยากร"): the one or two whose titles hold most of what the question says beyond the
        model and the word "step". None for a count or a plain "what are the steps" (nothing else is said)."""
        if COUNT_ASKED.search(normalize(question)):
            return []
        q_tokens = set(expand_query(search_tokens(question))) - MODEL_WORDS - MODEL_GLOSSED - CHAT_WORDS - STEP_WORDS \
            - COMPARE_WORDS
        if not q_tokens:
            return []
        held = [(self._weighted_coverage(q_tokens, _tokens(re.sub(r"^ขั้นตอนที่\s*\d+", "", c.title))), c.step)
                for c in children]
        top = max((score for score, _ in held), default=0.0)
        named = [step for score, step in held if score >= max(0.15, 0.4 * top)]
        most = len(children) - 1 if SEVERAL_STEPS.search(normalize(question)) else 2  # "ขั้นไหนบ้างที่ต้องประเมิน"
        return sorted(named) if 0 < len(named) <= most else []

    def _one_step(self, question, intent, hits):
        """One step of a model ("ขั้นที่ 6 ของ PBC"), or the same step of each model named ("ขั้นตอนแรกของทั้ง
        3 รูปแบบ", "the last step of grant and commissioning"), each with its number and text, cited."""
        lines, cites = [], []
        several = len(intent.models) > 1
        for model in intent.models if several else intent.models[-1:]:
            steps = self.sections.get(ids.steps_id(model))
            if steps is None:
                continue
            number = len(steps.children) if intent.step == LAST else intent.step
            step = self.sections.get(ids.step_id(model, number))
            if step is None:
                cites.append(self.cite(steps, leading_run(steps.text, 300)))
                text = messages.NO_SUCH_STEP.format(model=NAMES[model], count=len(steps.children), step=intent.step)
                lines.append(f"{text} [{len(cites)}]")
                continue
            run = leading_run(step.text, 300 if several else 600)
            cites.append(self.cite(step, run))
            label = f"{NAMES[model]} ({messages.STEP_LABEL.format(step=number)})" if several else NAMES[model]
            lines.append(f"{label}: {run} [{len(cites)}]")
        return ("\n".join(lines), cites) if cites else None

    def _step_span(self, question, intent, hits):
        """Steps asked by what they do, in the procedure's order: "ตั้งแต่ประกาศรายการภารกิจจนได้คู่สัญญา ต้องผ่าน
        ขั้นไหนบ้าง" (from one to the other), "ก่อนจะถึงขั้นจัดบริการจริง ต้องผ่านขั้นอะไรมาก่อน" (the ones before),
        "จ่ายงวดแรกก่อนแล้วค่อยประเมินขั้นกลางใช่มั้ย" (both, in order). Each side of the cue is matched to the step
        of the named model whose text holds most of it; None when a side matches no step."""
        if len(intent.models) != 1 or not (cue := SPAN.search(normalize(question))):
            return None
        steps = self.sections.get(ids.steps_id(intent.models[0]))
        children = [self.sections[c] for c in steps.children] if steps else []
        norm = normalize(question)
        before, after = norm[: cue.start()], norm[cue.end() :]

        def best(text: str) -> int | None:
            q_tokens = set(expand_query(search_tokens(text))) - MODEL_WORDS - MODEL_GLOSSED - CHAT_WORDS
            # a step is named by its title ("ขั้นจัดบริการสาธารณะ") and its text; between titles that hold the
            # same words, the one with fewest others ("การจัดบริการสาธารณะตามที่ต้องการ", not "…ติดตามและประเมินผล…")
            scored = []
            for c in children:
                title = _tokens(re.sub(r"^ขั้นตอนที่\s*\d+", "", c.title))
                held = self._weighted_coverage(q_tokens, title) + 0.5 * self._weighted_coverage(q_tokens, _tokens(c.text))
                scored.append((round(held, 3), len(title & q_tokens) / max(len(title), 1), -c.step))
            top = max(scored, default=(0.0, 0.0, None))
            return -top[2] if top[0] >= 0.15 else None

        kind = cue.lastgroup
        if kind == "range":
            first, last = best(before + " " + (cue.group("start") or cue.group("s2"))), best(after)
            chosen = list(range(min(first, last), max(first, last) + 1)) if first and last else []
        elif kind == "before":
            anchor = best(after)
            chosen = list(range(1, anchor)) if anchor and anchor > 1 else []
        else:  # "X ก่อน แล้วค่อย Y", "before or after": the two steps, in the procedure's order
            one, two = best(before), best(after)
            chosen = sorted({one, two}) if one and two and one != two else []
        if not chosen:
            return None
        lines, cites = [messages.STEP_SPAN.format(model=NAMES[intent.models[0]])], []
        for child in (c for c in children if c.step in chosen):
            run = leading_run(child.text, 200)
            cites.append(self.cite(child, run))
            lines.append(f"{child.step}. {run} [{len(cites)}]")
        return "\n".join(lines), cites

    def _which_step(self, question, intent, hits):
        """"การจัดสรรงบงวดแรกอยู่ขั้นไหน": the step (of the named models, else of any) that the best-ranked
        passage about it belongs to, named with its number and title, and the passage's best sentences."""
        models = intent.models or MODELS
        steps = {sid for m in models if (s := self.sections.get(ids.steps_id(m))) for sid in s.children}
        candidates = [h for h in hits[:5] if h.chunk.section_id in steps]
        if not candidates:
            return None
        # the steps' fused scores sit within a few thousandths of each other: how much of what the question asks
        # about a step's own text holds counts too, with the retriever's rank as in sentence extraction
        topic = set(expand_query(search_tokens(question))) - MODEL_WORDS - MODEL_GLOSSED - STEP_WORDS
        hit = max(candidates, key=lambda h: self._weighted_coverage(
            topic, _tokens(self.sections[h.chunk.section_id].text)) + RANK_PRIOR / (hits.index(h) + 1))
        step = self.sections[hit.chunk.section_id]
        lead = messages.WHICH_STEP.format(model=NAMES[step.model], step=step.step, title=_step_title(step))
        body, cites = self._extract(question, [hit], None, run_length=300)
        if not cites:
            return None
        return f"{lead}\n{body}", cites

    def _which_model(self, question, intent, hits):
        """"…เป็นตัวอย่างของรูปแบบไหน", "which models do they fall under?": the model whose sentence holds most
        of what is asked about, among the best four passages and every model's examples (and, when several are
        asked for, any other model whose sentence holds nearly as much), named with its part and that sentence."""
        topic = self._topic_terms(question) - EXAMPLE_WORDS or set(expand_query(search_tokens(question)))
        best: dict[str, tuple[float, Section | Chunk, tuple[str, ...], int]] = {}
        for rank, hit in enumerate(hits[:4]):
            if (model := section_role(hit.chunk.title).model) is None:
                continue
            sents = _sentences(hit.chunk.text)
            for i, sent in enumerate(sents):
                score = self._weighted_coverage(topic, _tokens(sent)) + RANK_PRIOR / (rank + 1)
                if score > best.get(model, (0.0,))[0]:
                    best[model] = (score, hit.chunk, sents, i)
        for model in MODELS:
            for score, section, sents, i, _ in self._examples(model, topic):
                if score > best.get(model, (0.0,))[0]:
                    best[model] = (score, section, sents, i)
        if not best:
            return None
        ranked = sorted(best.items(), key=lambda x: -x[1][0])
        top = ranked[0][1][0]
        chosen = ranked[:1] + [x for x in ranked[1:] if "many" in intent.wants and x[1][0] >= MANY_SHARE * top]
        lines, cites = [], []
        for model, (_, source, sents, i) in chosen:
            run = " ".join(sents[_run_start(sents, i) : _run_end(sents, i) + 1])
            cites.append(Citation.quote(source, run, self.document_titles.get(source.document, "")))
            part = source.title.rsplit(PATH_SEPARATOR, 1)[-1]
            lines.append(f"{messages.WHICH_MODEL.format(model=NAMES[model], part=part)}\n"
                         f"{messages.ACCORDING_TO_GUIDE} {run} [{len(cites)}]")
        return "\n".join(lines), cites

    def _examples(self, model: str, topic: set[str]) -> list[tuple[float, Section, tuple[str, ...], int, int]]:
        """The sentences of a model's "ภารกิจที่เหมาะสม" and method that give examples (from the one with the cue
        to the end of its enumeration), with how much of the topic each holds, the most first (in the guide's
        order when none holds any)."""
        found = []
        for part in (ids.suitable_id(model), ids.method_id(model)):
            if (section := self.sections.get(part)) is None:
                continue
            sents = _sentences(section.text)
            for i, j in _example_runs(sents):
                held = _tokens(" ".join(sents[i : j + 1]))
                found.append((self._weighted_coverage(topic, held) if topic else 0.0, section, sents, i, j))
        return sorted(found, key=lambda x: -x[0])

    def _suitability(self, question, intent, hits):
        """Which tasks suit a named model: its "ภารกิจที่เหมาะสม", then the guide's example."""
        if not intent.models:
            return self._situation(question, intent, hits)
        model = intent.models[-1]
        suitable = self.sections.get(ids.suitable_id(model))
        if suitable is None:
            return None
        run = leading_run(suitable.text, 450)
        cites = [self.cite(suitable, run)]
        text = f"{NAMES[model]} — {run} [1]"
        rest = suitable.text[len(run):] if suitable.text.startswith(run) else ""
        sents = _sentences(rest)
        for example in [" ".join(sents[i : j + 1]) for i, j in _example_runs(sents)][:2]:
            cites.append(self.cite(suitable, example))
            text += f"\n{messages.EXAMPLES}: {example} [{len(cites)}]"
        return text, cites

    def _example(self, question, intent, hits):
        """Examples of the named models: the sentences of their "ภารกิจที่เหมาะสม" that give them, those on the
        question's topic first ("…about children" → the ones that name เด็ก); with several models, each one's."""
        if not intent.models:
            return None
        topic = self._topic_terms(question) - EXAMPLE_WORDS
        several = len(intent.models) > 1
        cites, lines = [], []
        for model in intent.models[:3]:
            found = self._examples(model, topic)
            on_topic = [x for x in found if x[0] > 0 and x[0] >= 0.5 * found[0][0]]
            for _, section, sents, i, j in (on_topic or found)[: 2 if several else 3]:
                run = " ".join(sents[_run_start(sents, i) : j + 1])
                cites.append(self.cite(section, run))
                lines.append(f"• {NAMES[model] + ': ' if several else ''}{run} [{len(cites)}]")
        if not cites:
            return None
        head = messages.EXAMPLES if several else f"{messages.EXAMPLES} ({NAMES[intent.models[0]]})"
        return f"{head}:\n" + "\n".join(lines), cites

    def _situation(self, question, intent, hits):
        """A situation in chat: the checklist tool's recommendation, its cited reasons, the step(s) asked
        for, and an offer of the full checklist. Same function as `checklist.draft`, so the same model."""
        rec = self.recommender.recommend(question)
        model = rec.model
        suitable = self.sections[ids.suitable_id(model)]
        cites = []
        lines = [messages.SUGGEST_MODEL.format(model=NAMES[model])]
        if rec.reasons and rec.reasons[0].text != messages.REASON_SEMANTIC:
            lines.append(messages.SITUATION_REASONS)
            for reason in rec.reasons[:2]:
                cites.append(reason.citation)
                lines.append(f"• {reason.text} [{len(cites)}]")
        else:
            run = leading_run(suitable.text, 300)
            cites.append(self.cite(suitable, run))
            lines.append(f"{messages.SITUATION_SEMANTIC} {run} [{len(cites)}]")
        steps = self.sections[ids.steps_id(model)]
        if ("steps" in intent.wants or "checklist" in intent.wants) and "first_step" not in intent.wants:
            lines.append(messages.SITUATION_STEPS)
            for sid in steps.children:
                child = self.sections[sid]
                first = leading_run(child.text, 160)
                cites.append(self.cite(child, first))
                lines.append(f"{child.step}. {first} [{len(cites)}]")
        elif "first_step" in intent.wants or intent.step is not None:
            number = len(steps.children) if intent.step == LAST else (intent.step or 1)
            step = self.sections.get(ids.step_id(model, number)) or self.sections[steps.children[0]]
            run = leading_run(step.text, 400)
            cites.append(self.cite(step, run))
            lines.append(f"{messages.SITUATION_FIRST_STEP if number == 1 else messages.STEP_LABEL.format(step=number)}"
                         f" {run} [{len(cites)}]")
        if rec.runner_up and rec.clarifying_question:
            lines.append(messages.SITUATION_RUNNER_UP.format(model=NAMES[rec.runner_up], question=rec.clarifying_question))
        lines.append(messages.CHECKLIST_OFFER)
        return "\n".join(lines), cites

    # -- questions about the guide as a book -----------------------------------
    def _credits(self, question, intent, hits):
        """Who prepared the guide: each organisation of the credits page with its people, quoted."""
        credits = self.sections.get(ids.CREDITS)
        if credits is None or not credits.text:
            return None
        blocks: list[list[str]] = []
        for para in (p.strip() for p in credits.text.split("\n\n") if p.strip()):
            if re.match(r"^\d+\.", para) and blocks:
                blocks[-1].append(para)
            elif para.startswith("(") and blocks and len(blocks[-1]) == 1:
                blocks[-1][0] = f"{blocks[-1][0]} {para}"
            else:
                blocks.append([para])
        orgs = [b[0] for b in blocks]
        cites, lines = [], []
        for block in blocks:
            cites.append(self.cite(credits, " ".join(block)))
            people = "; ".join(re.sub(r"^\d+\.\s*", "", x) for x in block[1:])
            lines.append(f"• {block[0]}" + (f": {people}" if people else "") + f" [{len(cites)}]")
        head = messages.CREDITS_LEAD.format(orgs=messages.CREDITS_AND.join(orgs))
        return head + "\n" + "\n".join(lines), cites

    def _source(self, question, intent, hits):
        """Where the concept comes from: the footnotes, and the figure that credits its model."""
        notes = [s for s in self.sections.values() if ids.is_footnote(s.id) and s.text]
        if not notes:
            return None
        first = notes[0]
        attached = ", ".join(dict.fromkeys(
            f"“{self.sections[s.parent].title}”" for s in notes if s.parent and s.parent in self.sections))
        cites = [self.cite(first, first.text)]
        text = f"{messages.SOURCE_LEAD} {first.text} [1]"
        if attached:
            text += f" ({attached})"
        credited = [s for s in self.sections.values() if s.kind == "figure" and "ที่มา" in s.text]
        for fig in credited[:1]:
            note = next((x for x in _sentences(fig.text) if "ที่มา" in x), fig.text)
            cites.append(self.cite(fig, f"{fig.title}"))
            cites.append(self.cite(fig, note))
            text += f"\n{messages.FIGURE_LINE.format(title=fig.title, page=fig.page)} [{len(cites) - 1}] {note} [{len(cites)}]"
        # what the guide itself says of the concept's lineage ("พัฒนามาจากแนวคิด… (Participatory Governance)"),
        # from the best passage that is no footnote
        own = [h for h in hits if not ids.is_footnote(h.chunk.section_id)][:2]
        body, found = self._extract(question, own, WHO_WHEN_CUE, run_length=250, runs=1) if own else ("", [])
        if found and found[0].text not in text and LINEAGE.search(found[0].text):
            cites.append(found[0])
            text += "\n" + MARKER.sub(f"[{len(cites)}]", body)
        return text, cites

    def _footnote(self, question, intent, hits):
        """"เชิงอรรถที่ 2 อ้างอิงอะไร อยู่หัวข้อไหน": each footnote asked (all when none is numbered), quoted, with
        its page and the heading that page opens (footnotes have no parent in the tree; their page places them)."""
        notes = sorted((s for s in self.sections.values() if ids.is_footnote(s.id) and s.text),
                       key=lambda s: int(s.id.removeprefix(ids.FOOTNOTE_PREFIX)))
        asked = {int(n) for n in re.findall(r"(?<![\d.])(\d)(?![\d.])", normalize(question))}
        chosen = [s for s in notes if int(s.id.removeprefix(ids.FOOTNOTE_PREFIX)) in asked] or notes
        lines, cites = [], []
        for note in chosen:
            heading = next((s for s in self.sections.values() if s.page == note.page and s.text
                            and s.kind in ("part", "section")), None)
            n = note.id.removeprefix(ids.FOOTNOTE_PREFIX)
            if heading is not None:
                cites.append(self.cite(heading, leading_run(heading.text, 120)))
                lines.append(messages.FOOTNOTE_LINE.format(n=n, page=note.page, title=heading.path_text) + f" [{len(cites)}]")
            else:
                lines.append(messages.FOOTNOTE_BARE.format(n=n))
            cites.append(self.cite(note, note.text))
            lines[-1] += f" {note.text} [{len(cites)}]"
        return ("\n".join(lines), cites) if cites else None

    def _preface(self, question, intent, hits):
        preface = self.sections.get(ids.PREFACE)
        if preface is None or not preface.text:
            return None
        paras = [p.strip() for p in preface.text.split("\n\n") if p.strip()]
        if SIGNED_ASKED.search(normalize(question)) and len(paras) > 1 and len(paras[-1]) <= 40:
            cite = self.cite(preface, paras[-1])  # the line it is signed with ("คณะผู้จัดทำ")
            return messages.PREFACE_SIGNED.format(signed=paras[-1]) + " [1]", [cite]
        cites = [self.cite(preface, leading_run(p, 500)) for p in [p for p in paras if len(p) > 40][:2]]
        return messages.PREFACE_LEAD + " " + " ".join(f"{c.text} [{i}]" for i, c in enumerate(cites, 1)), cites

    def _toc(self, question, intent, hits):
        """On which printed page a topic is: the best passage's section and page (or the headings of each page
        asked, "หน้า 2 กับหน้า 6"; or the page of each model named, "the chapters on the three models")."""
        pages = {s.page for s in self.sections.values() if s.page}
        on_page = [n for n in _pages_asked(question) if n in pages]
        if on_page:
            parts, cites = [], []
            for page in on_page[:3]:
                titled = [s for s in self.sections.values() if s.page == page and s.kind in ("part", "section", "step")]
                quotable = [s for s in titled if s.text][:4]  # a part with no text of its own is in its sections' paths
                if not quotable:
                    continue
                lines = []
                for section in quotable:
                    cites.append(self.cite(section, leading_run(section.text, 160)))
                    lines.append(f"• {section.path_text} [{len(cites)}]")
                parts.append(messages.PAGE_SECTIONS.format(page=page) + "\n" + "\n".join(lines))
            if parts:
                return "\n".join(parts), cites
        toc = self.sections.get(ids.TOC)
        if toc and toc.text and WHOLE_TOC.search(normalize(question)) and not intent.models:
            parts = sorted((s for s in self.sections.values() if s.kind == "part" and s.page), key=lambda s: s.page)
            lines = [f"• {messages.TOC_ENTRY.format(title=p.title, page=p.page)}" for p in parts]
            return f"{messages.TOC_WHOLE} [1]\n" + "\n".join(lines), [self.cite(toc, toc.text)]
        models = intent.models or (MODELS if ALL_MODELS.search(normalize(question)) else ())
        if models:  # "ขอเลขหน้าเรื่อง Grant": the model's own part; each model's when several are named
            lines, cites = [], []
            for model in models if len(models) > 1 else models[-1:]:
                part = self.sections.get(ids.model_id(model))
                if part and part.page and part.text:
                    run = leading_run(part.text, 200 if len(models) == 1 else 120)
                    cites.append(self.cite(part, run))
                    lead = messages.TOC_LEAD.format(title=part.path_text, page=part.page)
                    lines.append(f"{lead} [{len(cites)}]" + (f"\n{run} [{len(cites)}]" if len(models) == 1 else ""))
            if cites:
                return "\n".join(lines), cites
        for hit in hits:
            section = self.sections.get(hit.chunk.section_id)
            if section is None or section.kind in ("front", "back") or not section.page:
                continue
            parent = self.sections.get(section.parent or "")
            q_tokens = set(expand_query(search_tokens(question)))
            named = [s for s in (section, parent) if s and s.page]  # the one whose heading the question names
            shown = max(named, key=lambda s: (self._weighted_coverage(q_tokens, _tokens(s.title)), s is parent))
            quoted = shown if shown.text else section
            run = leading_run(quoted.text, 200)
            return (messages.TOC_LEAD.format(title=shown.path_text, page=shown.page) + f" [1]\n{run} [1]",
                    [self.cite(quoted, run)])
        return None

    def _figure(self, question, intent, hits):
        """Figures whose caption the question's terms (or its best passages' part) point to."""
        figures = [s for s in self.sections.values() if s.kind == "figure"]
        if not figures:
            return None
        # the words the guide uses: an English question's own words ("sums", "titled") are in no Thai caption
        q_tokens = {t for t in expand_query(search_tokens(question)) if t in self.searcher.idf}
        near = {a for hit in hits[:2] for a in self._lineage(hit.chunk.section_id)}  # the hits' sections and parts
        pages = {int(n) for n in re.findall(r"(?<![\d.])(\d{1,2})(?![\d.])", question)}
        on_page = [f for f in figures if f.page in pages]
        if on_page:  # "ภาพหน้า 7 แสดงอะไร"
            figures = on_page

        def score(fig: Section) -> float:
            return self._weighted_coverage(q_tokens, _tokens(fig.title)) + 0.2 * (fig.parent in near) + \
                0.1 * (fig.parent in intent.models)

        best = sorted(figures, key=lambda f: -score(f))[:2]
        if score(best[0]) <= 0.15 and not on_page:
            return None
        cites, lines = [], [messages.FIGURE_LEAD]
        for fig in best[:1] if len(best) == 1 or score(best[0]) > 1.5 * score(best[1]) else best:
            cites.append(self.cite(fig, fig.title))
            line = f"• {messages.FIGURE_LINE.format(title=fig.title, page=fig.page)} [{len(cites)}]"
            if fig.text:
                cites.append(self.cite(fig, fig.text))
                line += f" {fig.text} [{len(cites)}]"
            lines.append(line)
        return "\n".join(lines), cites

    def _lineage(self, section_id: str) -> list[str]:
        """The section and the sections above it."""
        out, section = [], self.sections.get(section_id)
        while section is not None:
            out.append(section.id)
            section = self.sections.get(section.parent or "")
        return out

    def _per_model(self, question, intent, hits):
        """A question about a topic across models ("คณะกรรมการของ grant กับ PBC ต่างกันยังไง", "แต่ละแบบทำข้อตกลง
        กันแบบไหน"): for each model, the best sentences on that topic in the model's own part, side by side. None
        when the question names no topic beyond the models (then the models' definitions are the answer)."""
        topic = self._topic_terms(question)
        if len(intent.models) < 2 or not topic:
            return None
        if intent.route is Route.GENERAL and len(mentioned(question)) < 2 and not EACH.search(normalize(question)):
            return None  # "3 รูปแบบในคู่มือมาจากโครงการอะไร": the three together, not each in turn
        lines, cites, on_topic = [messages.COMPARE_LEAD], [], 0
        for model in intent.models[:3]:
            # the topic in this model's words: the other models' names would pull their passages up
            own = [h for h in self.searcher.search(f"{' '.join(sorted(topic))} {NAMES[model]}", 12)
                   if section_role(h.chunk.title).model == model][:2]
            body, found = self._extract(question, own, CUES.get(intent.route), run_length=250, runs=1)
            if not found:
                continue
            on_topic += bool(topic & _tokens(body))
            base = len(cites)
            cites.extend(found)
            body = MARKER.sub(lambda m, base=base: f"[{int(m.group(1)) + base}]", body)
            lines.append(f"• {NAMES[model]}: {body.removeprefix(messages.ACCORDING_TO_GUIDE).strip()}")
        return ("\n".join(lines), cites) if len(lines) > 2 and on_topic >= 2 else None

    def _topic_terms(self, question: str) -> set[str]:
        """The question's terms that are about something other than the models, comparing or chat."""
        return {t for t in expand_query(search_tokens(question)) if t in self.searcher.idf} - MODEL_WORDS - \
            MODEL_GLOSSED - DEFINITION_WORDS - COMPARE_WORDS - CHAT_WORDS

    def _compare(self, question, intent, hits):
        if len(intent.models) < 2:
            return None
        if topical := self._per_model(question, intent, hits):
            return topical
        return self._overview(intent.models)

    def _overview(self, models: tuple[str, ...], lead: str = messages.COMPARE_LEAD):
        """Each model named: its definition and what it suits, side by side."""
        lines, cites = [lead], []
        for model in models[:3]:
            part, suitable = self.sections[ids.model_id(model)], self.sections[ids.suitable_id(model)]
            cites.append(self.cite(part, part.text))
            definition_marker = len(cites)
            run = leading_run(suitable.text, 300)
            cites.append(self.cite(suitable, run))
            lines.append(f"• {NAMES[model]}: {part.text} [{definition_marker}] — {run} [{len(cites)}]")
        return "\n".join(lines), cites

    def _definition(self, question, intent, hits):
        """"What is <model>?" (or "sum up the three models"), and an English term a heading glosses ("Facilitative
        leadership แปลว่าอะไร": the heading "ผู้นำการสร้างความร่วมมือ (Facilitative leadership)" and its text); a
        question with any other subject goes to sentence extraction."""
        if not intent.models and (glossed := self._glossed_term(question)):
            term, section = glossed
            run = leading_run(section.text, 300)
            return messages.TERM.format(term=term, title=section.title) + f"\n{run} [1]", [self.cite(section, run)]
        if len(intent.models) > 1 and not self._topic_terms(question):
            return self._overview(intent.models, messages.OVERVIEW_LEAD)
        if len(intent.models) != 1 or set(search_tokens(question)) - MODEL_WORDS - DEFINITION_WORDS:
            return None
        model = intent.models[0]
        part, principle = self.sections[ids.model_id(model)], self.sections[ids.principle_id(model)]
        run = leading_run(principle.text, 450)
        return (messages.DEFINITION.format(model=NAMES[model], text=part.text) + f" [1]\n{run} [2]",
                [self.cite(part, part.text), self.cite(principle, run)])

    def _glossed_term(self, question: str) -> tuple[str, Section] | None:
        """The English term of the question (two words or more, or one of eight letters or more) that a heading
        of the guide glosses in parentheses, and the section under the most specific such heading."""
        runs = [r.split() for r in re.findall(r"[A-Za-z][A-Za-z-]+(?:\s+[A-Za-z][A-Za-z-]+)*", question)]
        grams = {" ".join(r[i:j]) for r in runs for i in range(len(r)) for j in range(i + 1, min(len(r), i + 4) + 1)}
        for term in sorted(grams, key=len, reverse=True):  # "what is institutional design" → "institutional design"
            if " " not in term and len(term) < 8 or mentioned(term) or any(
                    term.lower() in title.lower() for title in self.document_titles.values()):
                continue  # a model's name, or the guide's own subject ("CG" is spelt out): not a glossed term
            headed = [s for s in self.sections.values() if s.text and s.kind != "figure"
                      and re.search(rf"\(\s*{re.escape(term)}\s*\)", s.title, re.IGNORECASE)]
            if headed:
                return term, min(headed, key=lambda s: len(s.title))
        return None

    def _weighted_coverage(self, query_tokens: set[str], tokens: frozenset[str]) -> float:
        return term_coverage(query_tokens, tokens, self.searcher.idf, self.searcher.unseen_idf)

    def _extract(self, question: str, hits: list[Hit], cue: re.Pattern | None, run_length: int = 250, runs: int = 3,
                 scope: str | None = None, passages: list | None = None):
        """Best sentences of the top chunks, scored by idf-weighted term coverage, rank and cue words; the
        best one leads (a definition before its neighbours), at most three runs, none starting inside a list
        and none repeating another. `scope`: the one model the question names (its whole part is searched);
        `passages`: the sections to quote from, instead of the hits' (one list item the question picked)."""
        q_tokens = set(expand_query(search_tokens(question)))
        subject = self._subject(q_tokens)
        defining = re.compile(rf"{re.escape(subject)}.{{0,40}}{DEFINING}") if subject and cue is DEFINITION_CUE else None
        passages = self._passages(hits) if passages is None else passages
        if scope and not NAME_ASKED.search(question):
            # About one model: its name is where to look, not what to match. Scored on the rest of the question
            # over every section of the model (the hits after it), the sentence on the asked topic leads rather
            # than the model's definition, which names it most (dev must-include 0.863 → 0.878, none lost).
            topic = set(expand_query(search_tokens(without_mentions(question)))) - MODEL_WORDS - MODEL_GLOSSED
            if topic:
                q_tokens = topic
                have = {source.id for source, _ in passages}
                passages += [(s, _sentences(s.text)) for s in self.sections.values()
                             if s.text and s.kind != "figure" and ids.model_of(s.id) == scope and s.id not in have]
        scored = []
        for rank, (source, sents) in enumerate(passages):
            heading = _tokens(source.title.rsplit(PATH_SEPARATOR, 1)[-1])  # a sentence means what it means under its heading
            for i, sent in enumerate(sents):
                own = _tokens(sent)
                score = self._weighted_coverage(q_tokens, own | heading) + RANK_PRIOR / (rank + 1)
                if cue and cue.search(sent) and (cue is not EXAMPLE_CUE or not subject or subject in own):
                    score += 0.15
                if defining and defining.search(sent):
                    score += 0.3  # the sentence that defines the subject, not one that mentions it
                scored.append((score, rank, i, source, sents))
        if not scored:
            return "", []
        scored.sort(key=lambda x: (-x[0], x[1], x[2]))
        best = scored[0][0]
        chosen: list[tuple[Section | Chunk, str]] = []
        used: set[tuple[int, int]] = set()
        for score, rank, i, source, sents in scored:
            if len(chosen) == runs or score < RUN_FLOOR * best:
                break
            if (rank, i) in used:
                continue
            taken = {k for r, k in used if r == rank}  # runs never share a sentence
            end = _run_end(sents, i)
            first, j = _run_start(sents, i), end if not any(k in taken for k in range(i, end + 1)) else i
            while first in taken:
                first += 1
            run = " ".join(sents[first : j + 1])
            while first > 0 and first - 1 not in taken and len(sents[first - 1]) < 60 and len(run) < run_length:
                first -= 1  # a sentence cut short
                run = f"{sents[first]} {run}"
            while j + 1 < len(sents) and j + 1 not in taken and (len(run) < run_length or CUT_AFTER.search(run)):
                j += 1  # a fragment reads better with its neighbours; "พ.ศ." never ends a run
                run = f"{run} {sents[j]}"
            used.update((rank, k) for k in range(first, j + 1))
            if any(_repeats(run, said) for _, said in chosen):
                continue  # the guide says some things twice (a part's heading and its principle): quote it once
            chosen.append((source, run))
        parts, cites = [], []
        for source, run in chosen:
            cites.append(Citation.quote(source, run, self.document_titles.get(source.document, "")))
            parts.append(f"{run} [{len(cites)}]")
        return f"{messages.ACCORDING_TO_GUIDE} " + " ".join(parts), cites

    def _passages(self, hits: list[Hit]) -> list[tuple[Section | Chunk, tuple[str, ...]]]:
        """The best four hits as passages to quote from, each read as its whole section: the chunker cuts a long
        section in pieces, and the sentence that answers ("เพื่อให้มีการปรึกษาหารือ…") can open the next piece.
        Two hits of one section are one passage, at the better rank."""
        out, seen = [], set()
        for hit in hits:
            section = self.sections.get(hit.chunk.section_id)
            if section is not None and section.text and section.kind != "figure" and hit.chunk.text in section.text:
                if section.id in seen:
                    continue
                seen.add(section.id)
                out.append((section, _sentences(section.text)))
            else:
                out.append((hit.chunk, _sentences(hit.chunk.text)))
            if len(out) == 4:
                break
        return out

    def _subject(self, q_tokens: set[str]) -> str | None:
        """The question's most specific term that the guide uses (highest idf): what it is about."""
        known = [t for t in q_tokens if t in self.searcher.idf and t not in MODEL_WORDS]
        return max(known, key=lambda t: (self.searcher.idf[t], len(t))) if known else None


def _repeats(run: str, said: str) -> bool:
    """Whether `run` says nothing that `said` has not: contained in it, or four fifths of its words are."""
    a, b = re.sub(r"\s+", "", run), re.sub(r"\s+", "", said)
    if a in b:
        return True
    words = _tokens(run)
    return bool(words) and len(words & _tokens(said)) >= 0.8 * len(words)


def _run_end(sents: tuple[str, ...], i: int) -> int:
    """Where the run holding sentence i must end: an enumeration that it opens ("เช่น", "ได้แก่") runs to its
    "เป็นต้น", which crfcut puts up to four fragments later ("… เช่น การพัฒนาระบบการทำงาน | การพัฒนาบุคลากร งาน
    วิชาการ/วิจัย … | การสำรวจข้อมูล … เป็นต้น"); an enumeration with no "เป็นต้น" in reach ends where it is."""
    cues = list(EXAMPLE_CUE.finditer(sents[i]))
    if not cues or "เป็นต้น" in sents[i][cues[-1].end() :]:
        return i
    for j in range(i + 1, min(i + 5, len(sents))):
        if "เป็นต้น" in sents[j]:
            return j
        if not (ELEMENT.match(sents[j]) or CONTINUES.match(sents[j]) or len(sents[j]) < 80):
            break
    return i


def _example_runs(sents: tuple[str, ...]) -> list[tuple[int, int]]:
    """Each sentence that gives examples ("เช่น", "ได้แก่") with the end of its enumeration: (its index, `_run_end`)."""
    return [(i, _run_end(sents, i)) for i, x in enumerate(sents) if EXAMPLE_CUE.search(x)]


def _run_start(sents: tuple[str, ...], i: int) -> int:
    """Where the run holding sentence i must start: never inside an enumeration that crfcut cut apart."""
    first = i
    in_list = bool(LIST_TAIL.search(sents[i]) and not EXAMPLE_CUE.search(sents[i]))  # "… เป็นต้น" ends a list
    while first > 0 and i - first < 3 and (
        CONTINUES.match(sents[first]) or INTRODUCES.search(sents[first - 1])
        or (in_list and (first == i or ELEMENT.match(sents[first])))
    ):
        first -= 1
    return first


# A printed page the question asks about: a number after "หน้า"/"page", and the ones listed with it ("หน้า 2 กับ 6",
# "pages 14, 20 and 25"); any other number is not a page ("I've got 10 minutes", "4 ขั้นตอน").
PAGE_ASKED = re.compile(r"(?:หน้า(?:ที่)?|เลขหน้า|\bpages?\b|\bp\.)\s*(\d{1,3}(?:\s*(?:,|กับ|และ|หรือ|ถึง|-|\band\b|\bor\b|\bto\b)"
                        r"\s*(?:หน้า(?:ที่)?\s*)?\d{1,3})*)", re.IGNORECASE)


def _pages_asked(question: str) -> list[int]:
    return list(dict.fromkeys(int(n) for m in PAGE_ASKED.finditer(question) for n in re.findall(r"\d{1,3}", m.group(1))))


def _numbers(asked: tuple[int, ...], count: int) -> list[int]:
    """The item numbers asked about that a list of `count` has, LAST resolved to `count`, each once."""
    resolved = (count if n == LAST else n for n in asked)
    return list(dict.fromkeys(n for n in resolved if 0 < n <= count))


def _step_title(step: Section) -> str:
    """"ขั้นตอนที่ 5 การจัดสรรงบประมาณงวดแรก…" → "การจัดสรรงบประมาณงวดแรก…" (the number is said separately)."""
    return re.sub(r"^ขั้นตอนที่\s*\d+\s*", "", step.title)


COMPOSERS: dict[Route, Composer] = {
    Route.STEPS: DefaultAnswerer._steps,
    Route.STEP: DefaultAnswerer._one_step,
    Route.WHICH_STEP: DefaultAnswerer._which_step,
    Route.WHICH_MODEL: DefaultAnswerer._which_model,
    Route.SUITABILITY: DefaultAnswerer._suitability,
    Route.SITUATION: DefaultAnswerer._situation,
    Route.COMPARE: DefaultAnswerer._compare,
    Route.GENERAL: DefaultAnswerer._per_model,
    Route.DEFINITION: DefaultAnswerer._definition,
    Route.LIST: DefaultAnswerer._list,
    Route.EXAMPLE: DefaultAnswerer._example,
    Route.CREDITS: DefaultAnswerer._credits,
    Route.SOURCE: DefaultAnswerer._source,
    Route.FOOTNOTE: DefaultAnswerer._footnote,
    Route.PREFACE: DefaultAnswerer._preface,
    Route.TOC: DefaultAnswerer._toc,
    Route.FIGURE: DefaultAnswerer._figure,
}
