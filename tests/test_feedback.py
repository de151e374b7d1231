"""Feedback storage (the database in DATA_DIR, SQLite in WAL mode by default) and its export in the gold set's
schema. Both engines: tests/test_database.py."""

import csv
import io
import json
import sqlite3

from assistant.database import open_database
from assistant.feedback import FeedbackStore
from assistant.settings import Settings
from tests.test_cli import run

ANSWER = {"answer": "มี 4 ขั้นตอน [1]", "refused": False, "backend": "default",
          "citations": [{"section_id": "grant.steps", "title": "Grant › ขั้นตอน", "page": 17,
                         "document": "collaborative-governance-guide", "text": "ประกอบด้วย 4 ขั้นตอนหลัก"}]}


def test_store_uses_wal_and_keeps_everything(tmp_path):
    store = FeedbackStore(open_database(Settings(data_dir=tmp_path)))
    first = store.add(question="Grant มีกี่ขั้นตอน", answer=ANSWER, rating=1, comment=" ดีมาก ")
    store.add(question="ราคาทอง", answer={"answer": "ไม่พบในคู่มือ", "citations": [], "backend": "default"},
              rating=-1, history=[{"role": "user", "content": "สวัสดี"}], channel="line")
    store.set_comment(first, "ตรงคำถาม")
    rows = store.rows()
    assert [(r["rating"], r["comment"], r["channel"]) for r in rows] == [(1, "ตรงคำถาม", "web"), (-1, "", "line")]
    with sqlite3.connect(tmp_path / "assistant.sqlite3") as db:
        assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_export_in_the_gold_schema(built, tmp_path):
    data = tmp_path / "data"
    FeedbackStore(open_database(Settings(data_dir=data))).add(question="Grant มีกี่ขั้นตอน", answer=ANSWER, rating=1, comment="ดี")
    out = run(["feedback", "export", "--format", "jsonl"], built, DATA_DIR=str(data))
    item = json.loads(out.stdout.splitlines()[0])
    assert {"id", "type", "question", "history", "reference_answer", "must_include", "gold_sections"} <= set(item)
    assert item["gold_sections"] == ["grant.steps"] and item["feedback"]["rating"] == 1
    table = list(csv.DictReader(io.StringIO(run(["feedback", "export", "--format", "csv"], built,
                                                DATA_DIR=str(data)).stdout)))
    assert table[0]["question"] == "Grant มีกี่ขั้นตอน" and json.loads(table[0]["gold_sections"]) == ["grant.steps"]
