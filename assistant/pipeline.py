"""The one answer chain every channel calls, and the wiring that builds shared components once.

condense (follow-ups) → retrieve (hybrid) → evidence gate → compose → validate citations,
as LangChain runnables. The web UI, LINE, the CLI and the evaluation all go through `Assistant.ask`.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import lru_cache

from langchain_core.runnables import RunnableLambda

from assistant import messages, multipart
from assistant.answer import Answer, DefaultAnswerer
from assistant.citations import MARKER, Citation, CorpusText, validate
from assistant.condense import condense
from assistant.corpus import load_corpus
from assistant.gate import EvidenceGate, features
from assistant.inputs import check_question, clean_history
from assistant.intents import Route, classify
from assistant.llm import LLMUnavailable, fallback_note
from assistant.normalize import expand_abbreviations
from assistant.partnership import NAMES, mentioned
from assistant.settings import Settings, get_settings

MAX_PASSAGES = 5  # a small CPU model spends most of its time reading the prompt


class Assistant:
    def __init__(self, searcher, settings: Settings, llm=None):
        docs = load_corpus(settings.corpus_dir)
        self.settings = settings
        self.searcher = searcher
        self.corpus = CorpusText(docs)
        from assistant.recommend import Recommender

        self.recommender = Recommender(searcher.embedder, docs)
        self.default = DefaultAnswerer(searcher, docs, self.recommender)
        self.gate = EvidenceGate(threshold=settings.gate_threshold)
        self.llm = llm
        self.chain = (
            RunnableLambda(self._condense, name="condense")
            | RunnableLambda(self._retrieve, name="retrieve")
            | RunnableLambda(self._gate, name="evidence_gate")
            | RunnableLambda(self._compose, name="compose")
            | RunnableLambda(self._validate, name="validate_citations")
        )

    def reloaded(self) -> Assistant:
        """A new assistant over the index as it is now (after `documents.add/remove`), sharing this one's
        embedder and LLM. This one keeps answering until the caller swaps the new one in."""
        from assistant.index import open_index
        from assistant.retrieval import HybridSearcher

        searcher = HybridSearcher(open_index(self.settings), self.searcher.embedder, self.settings)
        return Assistant(searcher, self.settings, self.llm)

    def ask(self, question: str, history: list[dict] | None = None) -> Answer:
        """The final answer (the LLM's tokens, if any, are consumed silently)."""
        for event in self.stream(question, history):
            if event["type"] == "answer":
                return event["answer"]
        raise AssertionError("stream ended without an answer")

    def stream(self, question: str, history: list[dict] | None = None) -> Iterator[dict]:
        """Events for channels that can show progress: {"type": "token", "text"} while an LLM writes,
        then exactly one {"type": "answer", "answer": Answer}. Without an LLM only the answer comes."""
        problem = check_question(question, self.settings.max_question_chars)
        if problem:
            yield {"type": "answer", "answer": Answer("", False, error=problem)}
            return
        bounded = clean_history(history, self.settings.history_turns)
        context, parts, numbered = multipart.split(question)
        if len(parts) > 1 and self._split_worth_it(question, bounded, numbered):
            yield {"type": "answer", "answer": self._several(question.strip(), context, parts, bounded)}
            return
        state = self.chain.invoke({"question": question.strip(), "history": bounded})
        default = state["answer"]
        if self.llm is None or default.refused or not default.citations:
            yield {"type": "answer", "answer": default}  # the LLM never overrides a refusal
            return
        passages = self._passages(default, state["hits"])
        tokens: list[str] = []
        try:
            for token in self.llm.stream(state["standalone"], passages):
                tokens.append(token)
                yield {"type": "token", "text": token}
        except LLMUnavailable:
            yield {"type": "answer", "answer": self._fallback(default)}
            return
        text, cites = validate("".join(tokens), passages, self.corpus)
        if not cites:
            yield {"type": "answer", "answer": self._fallback(default)}
            return
        yield {"type": "answer", "answer": Answer(text, False, cites, self.llm.name)}

    def inspect(self, question: str, history: list[dict] | None = None) -> dict:
        """The chain up to the gate's decision (standalone question, intent, hits, evidence), no answer:
        for the gate's training and for debugging a refusal."""
        state = {"question": question.strip(), "history": clean_history(history, self.settings.history_turns)}
        return self._gate(self._retrieve(self._condense(state)))

    def _split_worth_it(self, question: str, history: list[dict], numbered: bool) -> bool:
        """Answer the parts one by one only when the whole message is about the guide (it passes the gate: an
        out-of-scope message cut in two must not get a half answered from a shared word) and is not a
        situation (the situation composer answers "which model + first step" together) unless the user
        numbered the questions themselves."""
        state = self._gate(self._retrieve(self._condense({"question": question.strip(), "history": history})))
        passed = bool(state["evidence"] and state["evidence"].passed)
        return passed and (numbered or state["intent"].route is not Route.SITUATION)

    def _several(self, message: str, context: str, parts: list[str], history: list[dict]) -> Answer:
        """Each question of a multi-question message through the chain, in order, the earlier ones as history
        (so "ขั้นแรกคืออะไร" after "…แบบ grant" is about Grant); one answer with every part numbered and the
        citations renumbered across parts. The default answerer only: an LLM answers single questions."""
        named = [m for m in mentioned(context)][-1:]
        before = history  # the conversation before this message, for the whole message if a piece needs it
        answers: list[Answer] = []
        for part in parts:
            question = part if mentioned(part) or not named else f"{part} ({NAMES[named[0]]})"
            answer = self.chain.invoke({"question": question, "history": history})["answer"]
            answers.append(answer)
            history = [*history, {"role": "user", "content": question}, {"role": "assistant", "content": answer.answer}]
        self._fill_from_whole(message, answers, before)
        texts, cites, answered = [], [], False
        for n, (part, answer) in enumerate(zip(parts, answers, strict=True), 1):
            if answer.refused or not answer.citations:
                texts.append(messages.PART.format(n=n, question=part, answer=messages.PART_NOT_FOUND))
                continue
            answered = True
            number = {}  # this part's [k] → the message's number; a passage cited twice keeps one number
            for k, c in enumerate(answer.citations, 1):
                if c not in cites:
                    cites.append(c)
                number[k] = cites.index(c) + 1
            body = MARKER.sub(lambda m, num=number: f"[{num.get(int(m.group(1)), int(m.group(1)))}]", answer.answer)
            texts.append(messages.PART.format(n=n, question=part, answer=body))
        if not answered:
            return Answer(messages.REFUSAL, True)
        return Answer("\n\n".join(texts), False, cites, "default")

    def _fill_from_whole(self, message: str, answers: list[Answer], history: list[dict]) -> None:
        """"Once the grant money arrives, how strictly does the NGO have to stick to the agreed plan,": cut from
        its message, a piece can name too little to pass the gate alone, while the whole message passed it. The
        first refused piece is then answered with the whole message's answer, but only when that answer cites
        a passage no other piece's answer cites: a refusal that was right ("แบบ Grant มีกี่ขั้นตอน และ
        <something the guide never says>") must not be filled with the other piece's quotes. Dev English
        must-include 0.727 → 0.750."""
        refused = [i for i, a in enumerate(answers) if a.refused or not a.citations]
        if not refused:
            return
        whole = self.chain.invoke({"question": message, "history": history})["answer"]
        cited = {c for a in answers for c in a.citations}
        if not whole.refused and any(c not in cited for c in whole.citations):
            answers[refused[0]] = whole

    @staticmethod
    def _fallback(default: Answer) -> Answer:
        return Answer(fallback_note(default.answer), False, default.citations, default.backend)

    def _passages(self, default: Answer, hits) -> list[Citation]:
        """Numbered passages for the LLM: the default answer's quotes, then the retrieved chunks."""
        passages = list(default.citations)
        seen = {c.text for c in passages}
        for hit in hits:
            c = hit.chunk
            if c.text not in seen and len(passages) < MAX_PASSAGES:
                passages.append(Citation.quote(c, c.text, self.default.document_titles.get(c.document, "")))
                seen.add(c.text)
        return passages

    # -- the steps ---------------------------------------------------------------
    def _condense(self, state: dict) -> dict:
        standalone = expand_abbreviations(condense(state["question"], state["history"]))
        return {**state, "standalone": standalone, "intent": classify(standalone)}

    def _retrieve(self, state: dict) -> dict:
        if state["intent"].route is Route.HELP:
            return {**state, "hits": []}
        return {**state, "hits": self.searcher.search(state["standalone"], self.settings.top_k)}

    def _gate(self, state: dict) -> dict:
        if state["intent"].route is Route.HELP:
            return {**state, "evidence": None}
        question, intent = state["standalone"], state["intent"]
        values = features(question, intent, state["hits"], self.searcher, self.recommender.criteria_matched(question))
        return {**state, "evidence": self.gate.decide(values, self.searcher.query_vector(question))}

    def _compose(self, state: dict) -> dict:
        intent, evidence = state["intent"], state["evidence"]
        if intent.route is Route.HELP:
            return {**state, "answer": Answer(messages.HELP, False)}
        if not evidence.passed:
            return {**state, "answer": Answer(messages.REFUSAL, True)}
        text, cites = self.default.compose(state["standalone"], intent, state["hits"])
        if not cites:
            return {**state, "answer": Answer(messages.REFUSAL, True)}
        return {**state, "answer": Answer(text, False, cites, "default")}

    def _validate(self, state: dict) -> dict:
        answer = state["answer"]
        if answer.refused or not answer.citations:
            return state
        text, cites = validate(answer.answer, answer.citations, self.corpus)
        if not cites:  # nothing left that the guide supports
            return {**state, "answer": Answer(messages.REFUSAL, True, [], answer.backend)}
        return {**state, "answer": Answer(text, False, cites, answer.backend)}


@lru_cache(maxsize=1)
def get_searcher():
    from assistant.embedder import get_embedder
    from assistant.index import open_index
    from assistant.retrieval import HybridSearcher

    settings = get_settings()
    return HybridSearcher(open_index(settings), get_embedder(settings), settings)


@lru_cache(maxsize=1)
def get_assistant() -> Assistant:
    settings = get_settings()
    llm = None
    if settings.llm_base_url:
        from assistant.llm import LLMBackend

        llm = LLMBackend(settings.llm_base_url, settings.llm_model, settings.llm_api_key, settings.llm_timeout_s)
    return Assistant(get_searcher(), settings, llm)


def get_recommender():
    return get_assistant().recommender
