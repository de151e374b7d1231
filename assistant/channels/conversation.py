"""A chat's follow-up context: the one rule for what enters history, and the store that keeps it.

Contract:
- `remember(history, question, answer, turns)` is the rule every channel applies (CLI, web, LINE): a turn enters
  history only when it was answered — an error or a refusal ("ไม่พบในคู่มือ") is nothing a follow-up can build
  on, and a refused turn in between would hide the list or step a "ข้อต่อไป" refers to. The last `turns` pairs.
- `ConversationStore` keeps each chat's history, the citations of its last answer (for "source N" buttons) and
  its last situation (for "the other model's checklist") in the database, keyed "<channel>:<chat id>". A
  conversation idle for longer than `ttl_s` reads back empty and is deleted by `forget_expired`. Saving is one
  upsert; the intake queue answers a chat's events one at a time, so two workers never write the same chat at once.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from sqlalchemy import delete, select

from assistant.citations import Citation
from assistant.database import Database, conversations


def remember(history: list[dict], question: str, answer, turns: int) -> list[dict]:
    if getattr(answer, "error", None) or getattr(answer, "refused", False):
        return list(history)
    return [*history, {"role": "user", "content": question},
            {"role": "assistant", "content": answer.answer}][-2 * turns:]


@dataclass
class Conversation:
    history: list[dict] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    situation: str = ""


def _citations(text: str) -> list[Citation]:
    fields = set(Citation.__dataclass_fields__)
    try:
        return [Citation(**{k: v for k, v in c.items() if k in fields}) for c in json.loads(text or "[]")]
    except (TypeError, ValueError, AttributeError):  # a row written by a newer release: no citations
        return []


class ConversationStore:
    def __init__(self, db: Database, channel: str, ttl_s: float, turns: int, clock=time.time):
        self.db, self.channel, self.ttl_s, self.turns, self.clock = db, channel, ttl_s, turns, clock

    def key(self, chat: str) -> str:
        return f"{self.channel}:{chat}"[:160]

    def get(self, chat: str) -> Conversation:
        c = conversations.c
        with self.db.begin() as conn:
            row = conn.execute(select(c.history, c.citations, c.situation, c.updated_at)
                               .where(c.chat == self.key(chat))).first()
        if row is None or self.clock() - row.updated_at > self.ttl_s:
            return Conversation()
        try:
            history = [t for t in json.loads(row.history) if isinstance(t, dict)]
        except ValueError:
            history = []
        return Conversation(history[-2 * self.turns:], _citations(row.citations), row.situation or "")

    def save(self, chat: str, convo: Conversation) -> None:
        values = {"history": json.dumps(convo.history[-2 * self.turns:], ensure_ascii=False),
                  "citations": json.dumps([x.as_dict() for x in convo.citations], ensure_ascii=False),
                  "situation": convo.situation, "updated_at": self.clock()}
        with self.db.begin() as conn:
            conn.execute(self.db.upsert(conversations, "chat", values | {"chat": self.key(chat)}))

    def forget_expired(self) -> int:
        with self.db.begin() as conn:
            return conn.execute(delete(conversations)
                                .where(conversations.c.updated_at < self.clock() - self.ttl_s)).rowcount

