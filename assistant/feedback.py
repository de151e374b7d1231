"""Feedback on answers (👍/👎 and a comment), kept in SQLite so reviewers can turn bad answers into gold items.

Contract: `FeedbackStore(path)` raises (OSError, sqlite3.Error) when DATA_DIR cannot hold the database; the
channels treat that as "feedback is off", never as a reason not to start or not to answer. The file is never
served over HTTP; `python -m assistant data purge` deletes old rows (see assistant/datastore.py).
"""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import time
from pathlib import Path

SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    channel TEXT NOT NULL,
    question TEXT NOT NULL,
    history TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,
    backend TEXT NOT NULL,
    rating INTEGER NOT NULL CHECK (rating IN (-1, 1)),
    comment TEXT NOT NULL DEFAULT ''
)
"""


class FeedbackStore:
    def __init__(self, path: Path):
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute(SCHEMA)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path, timeout=10)

    def add(self, *, question: str, answer: dict, rating: int, comment: str = "", history: list | None = None,
            channel: str = "web") -> int:
        with self._connect() as db:
            cur = db.execute(
                "INSERT INTO feedback (created_at, channel, question, history, answer, citations, backend, rating, comment)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (time.strftime("%Y-%m-%dT%H:%M:%S%z"), channel, question, json.dumps(history or [], ensure_ascii=False),
                 answer.get("answer", ""), json.dumps(answer.get("citations", []), ensure_ascii=False),
                 answer.get("backend", ""), 1 if rating > 0 else -1, comment.strip()),
            )
            return int(cur.lastrowid)

    def set_comment(self, row_id: int, comment: str) -> None:
        with self._connect() as db:
            db.execute("UPDATE feedback SET comment = ? WHERE id = ?", (comment.strip(), row_id))

    def rows(self) -> list[dict]:
        with self._connect() as db:
            db.row_factory = sqlite3.Row
            return [dict(r) for r in db.execute("SELECT * FROM feedback ORDER BY id")]


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
