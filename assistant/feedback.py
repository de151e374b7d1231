"""Feedback on answers (👍/👎 and a comment), kept in the database so reviewers can turn bad answers into gold items.

Contract: `FeedbackStore(db)` writes to the `feedback` table of `assistant.database` (SQLite in DATA_DIR by
default, PostgreSQL with DATABASE_URL, so every web process and LINE worker writes to one place). A database in
memory (DATA_DIR unusable) is refused with OSError: feedback that would vanish at the next restart is "feedback
is off", never a reason not to start or not to answer. Nothing here is served over HTTP;
`python -m assistant data purge` deletes old rows (see assistant/datastore.py).
"""

from __future__ import annotations

import csv
import io
import json
import time

from sqlalchemy import insert, select, update

from assistant.database import Database, feedback


class FeedbackStore:
    def __init__(self, db: Database):
        if not db.durable:
            raise OSError("the database is in memory (DATA_DIR unusable): feedback would not be kept")
        self.db = db

    def add(self, *, question: str, answer: dict, rating: int, comment: str = "", history: list | None = None,
            channel: str = "web") -> int:
        with self.db.begin() as conn:
            result = conn.execute(insert(feedback).values(
                created_at=time.strftime("%Y-%m-%dT%H:%M:%S%z"), channel=channel, question=question,
                history=json.dumps(history or [], ensure_ascii=False), answer=answer.get("answer", ""),
                citations=json.dumps(answer.get("citations", []), ensure_ascii=False),
                backend=answer.get("backend", ""), rating=1 if rating > 0 else -1, comment=comment.strip()))
            return int(result.inserted_primary_key[0])

    def set_comment(self, row_id: int, comment: str) -> None:
        with self.db.begin() as conn:
            conn.execute(update(feedback).where(feedback.c.id == row_id).values(comment=comment.strip()))

    def rows(self) -> list[dict]:
        with self.db.begin() as conn:
            return [dict(r._mapping) for r in conn.execute(select(feedback).order_by(feedback.c.id))]


def as_gold_items(rows: list[dict]) -> list[dict]:
    """Feedback in the gold set's schema: the reviewer fills reference_answer and must_include."""
    items = []
    for r in rows:
        cites = json.loads(r["citations"])
        items.append({
            "id": f"feedback-{r['id']}", "type": "feedback", "question": r["question"],
            "history": json.loads(r["history"]), "reference_answer": "", "must_include": [],
            "gold_sections": sorted({c["section_id"] for c in cites}) if r["rating"] > 0 else [],
            "feedback": {"rating": r["rating"], "comment": r["comment"], "answer": r["answer"], "citations": cites,
                         "backend": r["backend"], "channel": r["channel"], "created_at": r["created_at"]},
        })
    return items


def export(rows: list[dict], fmt: str) -> str:
    items = as_gold_items(rows)
    if fmt == "jsonl":
        return "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["id", "type", "question", "history", "reference_answer", "must_include",
                                             "gold_sections", "feedback"])
    writer.writeheader()
    for i in items:
        writer.writerow({k: v if isinstance(v, str) else json.dumps(v, ensure_ascii=False) for k, v in i.items()})
    return out.getvalue()
