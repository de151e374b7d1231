"""The default answerer: grounded Thai answers composed from the guide's own sentences, no LLM.

Known question shapes are answered from the section tree (step lists, a model's "ภารกิจที่เหมาะสม",
definitions, two-sided comparisons); everything else from the crfcut sentences of the best chunks
that cover the question's terms. Each claim carries an inline marker [n] for a verbatim citation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from assistant import messages
from assistant.citations import Citation
from assistant.corpus import Document, Section, section_index
from assistant.intents import LAST, Intent
from assistant.partnership import MODELS, NAMES
from assistant.retrieval import Hit, HybridSearcher, term_coverage
from assistant.segment import expand_query, search_tokens, sentences

MODEL_WORDS = frozenset(
    t for text in (*NAMES.values(), "รูปแบบ หมายถึง หมายความว่า ความหมาย นิยาม meaning define mean model "
                   "performance-based procurement grant contracting commissioning คอมมิชชั่นนิ่ง")
    for t in search_tokens(text)
)
DEFINITION_CUE = re.compile(r"หมายถึง|หมายความว่า|คือ|เป็นกรอบ|เป็นรูปแบบ|เป็นการ")
COMPARE_CUE = re.compile(r"แตกต่าง|ต่างจาก|ในขณะที่|แต่|มากกว่า|สูงกว่า|มิใช่|ไม่ใช่")
WHY_CUE = re.compile(r"เนื่องจาก|เพราะ|จึง|ทำให้|ส่งผลให้|เพื่อ")
WHO_WHEN_CUE = re.compile(r"พ\.ศ\.|\b(19|20|25)\d\d\b|[A-Z][a-z]+ and [A-Z][a-z]+|สำนักงาน|มหาวิทยาลัย|คณะ")


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
                lines.append(f"[{i}] {c.title} ({messages.page_label(c.page)})\n    “{c.text}”")
        return "\n".join(lines)


@dataclass
class Evidence:
    """What the gate looked at, kept for calibration and debugging."""

    top_dense: float
    coverage: float
    passed: bool


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


class DefaultAnswerer:
    def __init__(self, searcher: HybridSearcher, docs: list[Document], gate_min_dense: float,
                 gate_min_coverage: float, recommender):
        self.searcher = searcher
        self.sections: dict[str, Section] = section_index(docs)
        self.gate_min_dense = gate_min_dense
        self.gate_min_coverage = gate_min_coverage
        self.recommender = recommender  # answers "which model suits …?" the way the checklist tool decides

    # -- evidence gate ---------------------------------------------------------
    def evidence(self, hits: list[Hit], intent: Intent) -> Evidence:
        top = hits[:3]
        dense = max((h.dense for h in top), default=0.0)
        coverage = max((h.coverage for h in top), default=0.0)
        about_a_model = bool(intent.models) and intent.shape != "general"
        passed = about_a_model or (dense >= self.gate_min_dense and coverage >= self.gate_min_coverage)
        return Evidence(dense, coverage, passed)

    # -- composing -------------------------------------------------------------
    def cite(self, section: Section, text: str) -> Citation:
        return Citation.quote(section, text)

    def compose(self, question: str, intent: Intent, hits: list[Hit]) -> tuple[str, list[Citation]]:
        handler = {
            "steps": self._steps, "step": self._one_step, "suitability": self._suitability,
            "compare": self._compare, "definition": self._definition, "list": self._list,
        }.get(intent.shape)
        if handler and self.sections:
            composed = handler(question, intent, hits)
            if composed:
                return composed
        cue = {"who_when": WHO_WHEN_CUE, "definition": DEFINITION_CUE, "compare": COMPARE_CUE,
               "why": WHY_CUE}.get(intent.shape)
        return self._extract(question, hits, cue, run_length=300 if intent.shape == "list" else 250)

    def _list(self, question, intent, hits):
        """"What are the X?" about a part whose items are its sub-sections: list them from the tree. Of the
        best hit and its parent, the one whose heading the question names is the list asked for."""
        q_tokens = set(expand_query(search_tokens(question)))
        for hit in hits[:2]:
            section = self.sections.get(hit.chunk.section_id)
            if section is None or section.kind == "step":
                continue
            candidates = []
            for candidate in (section, self.sections.get(section.parent or "")):
                items = [self.sections[c] for c in (candidate.children if candidate else [])
                         if self.sections[c].kind in ("section", "bullet")]
                if len(items) >= 2:
                    named = self._weighted_coverage(q_tokens, _tokens(candidate.title))
                    candidates.append((named, candidate, items))
            own = self._weighted_coverage(q_tokens, _tokens(section.title))
            if candidates:
                named, candidate, items = max(candidates, key=lambda c: c[0])
                if named > 0 and (candidate is section or named > own):
                    return self._list_items(candidate, items)
        return None

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
            steps = self.sections.get(f"{model}.steps")
            if not steps:
                continue
            count_sentence = next((s for s in _sentences(steps.text) if re.search(r"\d+\s*ขั้นตอน", s)),
                                  leading_run(steps.text, 300))
            cites.append(self.cite(steps, count_sentence))
            children = [self.sections[c] for c in steps.children]
            header = messages.STEP_COUNT.format(model=NAMES[model], count=len(children)) + f" [{len(cites)}]"
            if len(models) > 1:
                parts.append(header)
                continue
            lines = [header + messages.NAMELY]
            for child in children:
                first = leading_run(child.text, 160)
                cites.append(self.cite(child, first))
                label = child.title if not child.title.endswith("…") else first
                lines.append(f"{child.step}. {label} [{len(cites)}]")
            parts.append("\n".join(lines))
        return "\n".join(parts), cites

    def _one_step(self, question, intent, hits):
        model = intent.models[-1]
        steps = self.sections.get(f"{model}.steps")
        if steps is None:
            return None
        number = len(steps.children) if intent.step == LAST else intent.step
        step = self.sections.get(f"{model}.steps.{number}")
        if step is None:
            cite = self.cite(steps, leading_run(steps.text, 300))
            text = messages.NO_SUCH_STEP.format(model=NAMES[model], count=len(steps.children), step=intent.step)
            return f"{text} [1]", [cite]
        run = leading_run(step.text, 600)
        return f"{NAMES[model]}: {run} [1]", [self.cite(step, run)]

    def _suitability(self, question, intent, hits):
        if intent.models:
            model = intent.models[-1]
            lead = NAMES[model]
        else:
            model = self.recommender.recommend(question).model
            lead = messages.SUGGEST_MODEL.format(model=NAMES[model])
        suitable = self.sections.get(f"{model}.suitable")
        if suitable is None:
            return None
        run = leading_run(suitable.text, 450)
        cites = [self.cite(suitable, run)]
        text = f"{lead} — {run} [1]"
        rest = suitable.text[len(run):] if suitable.text.startswith(run) else ""
        example = next((s for s in _sentences(rest) if "เช่น" in s or "ตัวอย่าง" in s), None)
        if example:
            cites.append(self.cite(suitable, example))
            text += f"\n{messages.EXAMPLES}: {example} [2]"
        return text, cites

    def _compare(self, question, intent, hits):
        if len(intent.models) < 2:
            return None
        lines, cites = [messages.COMPARE_LEAD], []
        for model in intent.models[:3]:
            part, suitable = self.sections[model], self.sections[f"{model}.suitable"]
            cites.append(self.cite(part, part.text))
            definition_marker = len(cites)
            run = leading_run(suitable.text, 300)
            cites.append(self.cite(suitable, run))
            lines.append(f"• {NAMES[model]}: {part.text} [{definition_marker}] — {run} [{len(cites)}]")
        return "\n".join(lines), cites

    def _definition(self, question, intent, hits):
        """Only "what is <model>?": a question with any other subject goes to sentence extraction."""
        if len(intent.models) != 1 or set(search_tokens(question)) - MODEL_WORDS:
            return None
        model = intent.models[0]
        part, principle = self.sections[model], self.sections[f"{model}.principle"]
        run = leading_run(principle.text, 450)
        return (messages.DEFINITION.format(model=NAMES[model], text=part.text) + f" [1]\n{run} [2]",
                [self.cite(part, part.text), self.cite(principle, run)])

    def _weighted_coverage(self, query_tokens: set[str], tokens: frozenset[str]) -> float:
        return term_coverage(query_tokens, tokens, self.searcher.idf, self.searcher.unseen_idf)

    def _extract(self, question: str, hits: list[Hit], cue: re.Pattern | None, run_length: int = 250):
        """Best sentences of the top chunks, scored by idf-weighted term coverage, rank and cue words."""
        q_tokens = set(expand_query(search_tokens(question)))
        scored = []
        for rank, hit in enumerate(hits[:4]):
            sents = _sentences(hit.chunk.text)
            heading = _tokens(hit.chunk.title.rsplit(" › ", 1)[-1])  # a sentence means what it means under its heading
            for i, sent in enumerate(sents):
                score = self._weighted_coverage(q_tokens, _tokens(sent) | heading) + 0.12 / (rank + 1)
                if cue and cue.search(sent):
                    score += 0.15
                scored.append((score, rank, i, hit, sents))
        if not scored:
            return "", []
        scored.sort(key=lambda x: -x[0])
        best = scored[0][0]
        chosen: list[tuple[int, int, Hit, str]] = []
        used: set[tuple[int, int]] = set()
        for score, rank, i, hit, sents in scored:
            if len(chosen) == 3 or score < 0.7 * best:
                break
            if (rank, i) in used:
                continue
            run, first, j = sents[i], i, i
            while first > 0 and len(sents[first - 1]) < 60 and len(run) < run_length:  # a sentence cut short
                first -= 1
                run = f"{sents[first]} {run}"
            while len(run) < run_length and j + 1 < len(sents):  # a fragment reads better with its neighbours
                j += 1
                run = f"{run} {sents[j]}"
            if any((rank, k) in used for k in range(first, j + 1)):
                continue
            used.update((rank, k) for k in range(first, j + 1))
            chosen.append((rank, i, hit, run))
        chosen.sort(key=lambda c: (c[0], c[1]))
        parts, cites = [], []
        for _, _, hit, run in chosen:
            cites.append(Citation.quote(hit.chunk, run))
            parts.append(f"{run} [{len(cites)}]")
        return f"{messages.ACCORDING_TO_GUIDE} " + " ".join(parts), cites
