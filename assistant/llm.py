"""Optional generative backend: any OpenAI-compatible chat endpoint, through langchain-openai.

The LLM only ever writes answers for questions that passed the evidence gate, from numbered passages
that are verbatim corpus text; its [n] markers are checked by the same validator as the default answer.
A timeout, a connection error, empty output, or an answer left with no valid citation falls back to the
default answer with a note: a user never sees a stack trace.

`timeout_s` (LLM_TIMEOUT_S) bounds the *whole* answer, not each read: the endpoint is read on a helper
thread and `stream` gives up (LLMUnavailable) once the deadline passes, however slowly tokens trickle in.
Output that degenerates into a repeated fragment ("ตอบ ตอบ ตอบ …") is refused the same way.
"""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
from collections.abc import Iterator

from assistant import messages
from assistant.citations import Citation

log = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "คุณเป็นผู้ช่วยของข้าราชการไทย ตอบคำถามเกี่ยวกับคู่มือการบริหารราชการแบบมีส่วนร่วม (Collaborative Governance) "
    "ของสำนักงาน ก.พ.ร. ตอบเป็นภาษาไทยเท่านั้น กระชับ ใช้เฉพาะข้อมูลจากข้อความอ้างอิงที่ให้มา "
    "ทุกประโยคต้องมีเครื่องหมายอ้างอิง [n] ตามหมายเลขข้อความที่ใช้ ห้ามอ้างหมายเลขที่ไม่มีในรายการ "
    "ถ้าข้อความอ้างอิงไม่มีคำตอบ ให้ตอบว่า “ไม่พบในคู่มือ”\n"
    "ตัวอย่างรูปแบบคำตอบ: รูปแบบการทำสัญญาข้อตกลงประกอบด้วย 9 ขั้นตอน [1] เริ่มจากการประชาสัมพันธ์รายการภารกิจ [2]"
)


def build_messages(question: str, passages: list[Citation]) -> list[tuple[str, str]]:
    numbered = "\n\n".join(f"[{i}] ({p.title}) {p.text}" for i, p in enumerate(passages, 1))
    return [("system", SYSTEM_PROMPT), ("human", f"ข้อความอ้างอิง:\n{numbered}\n\nคำถาม: {question}")]


class LLMUnavailable(RuntimeError):
    """The endpoint failed or said nothing useful."""


REPEATED = re.compile(r"(\S.+?)(?:\s*\1){3,}|(\S+)(?:\s+\2){2,}", re.S)


def degenerate(text: str) -> bool:
    """True for output that loops: a fragment of 2+ characters four times in a row, or a word three times."""
    plain = re.sub(r"\[\d+\]", " ", text)
    return bool(REPEATED.search(plain)) or len(re.findall(r"[0-9A-Za-z\u0e00-\u0e7f]", plain)) < 2


class LLMBackend:
    def __init__(self, base_url: str, model: str, api_key: str, timeout_s: float, max_tokens: int = 400):
        try:
            from langchain_openai import ChatOpenAI
        except ImportError as exc:  # an optional part: say how to get it
            raise RuntimeError("LLM_BASE_URL is set but langchain-openai is missing: pip install langchain-openai") from exc
        self.name = f"llm:{model}"
        self.timeout_s = timeout_s
        self.chat = ChatOpenAI(base_url=base_url, model=model, api_key=api_key, timeout=timeout_s,
                               max_retries=0, temperature=0.1, max_tokens=max_tokens)

    def stream(self, question: str, passages: list[Citation]) -> Iterator[str]:
        """Tokens as the endpoint sends them; raises LLMUnavailable on any failure, on output that loops, or
        when the whole answer is not complete within `timeout_s`."""
        deadline = time.monotonic() + self.timeout_s
        inbox: queue.Queue = queue.Queue()
        stop = threading.Event()

        def read() -> None:
            try:
                for chunk in self.chat.stream(build_messages(question, passages)):
                    if stop.is_set():
                        return
                    text = chunk.content if isinstance(chunk.content, str) else ""
                    if text:
                        inbox.put(("token", text))
                inbox.put(("end", None))
            except Exception as exc:  # openai/httpx errors: timeouts, refused connections, HTTP errors
                inbox.put(("error", exc))

        threading.Thread(target=read, name="llm-stream", daemon=True).start()
        produced: list[str] = []
        try:
            while True:
                remaining = deadline - time.monotonic()
                try:
                    if remaining <= 0:
                        raise queue.Empty
                    kind, value = inbox.get(timeout=remaining)
                except queue.Empty:
                    log.warning("LLM answer not complete within %.1fs: falling back", self.timeout_s)
                    raise LLMUnavailable(f"no complete answer within {self.timeout_s:g}s") from None
                if kind == "error":
                    log.warning("LLM endpoint failed: %s", value)
                    raise LLMUnavailable(str(value)) from value
                if kind == "end":
                    break
                produced.append(value)
                yield value
        finally:
            stop.set()  # the reader stops at its next chunk; its read timeout bounds how long that takes
        if not produced:
            raise LLMUnavailable("empty output")
        if degenerate("".join(produced)):
            log.warning("LLM output loops: falling back")
            raise LLMUnavailable("degenerate output")


def fallback_note(text: str) -> str:
    return f"{text}\n\n{messages.LLM_FALLBACK_NOTE}"
