"""The storage layer on both engines: SQLite in DATA_DIR and a real PostgreSQL server (tests/postgres.py).

Migrations match the models, the release before this layer is imported with nothing lost, and the intake
queue, conversations and rate limit keep their rules — including under many claimers at once."""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid

import pytest
from sqlalchemy import select, text

from assistant.channels.conversation import Conversation, ConversationStore, remember
from assistant.channels.events import EventQueue
from assistant.channels.limits import RateLimiter
from assistant.citations import Citation
from assistant.database import feedback, line_events, metadata, open_database
from assistant.feedback import FeedbackStore
from assistant.settings import Settings


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path):
    if request.param == "sqlite":
        return open_database(Settings(data_dir=tmp_path / "data"))
    cluster = request.getfixturevalue("postgres")
    return open_database(Settings(data_dir=tmp_path / "data",
                                  database_url=cluster.create_database(f"t{uuid.uuid4().hex[:12]}")))


class Clock:
    def __init__(self, t: float = 1_000_000.0):
        self.t = t

    def __call__(self) -> float:
        return self.t


def test_the_migrations_build_exactly_the_models(db):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    with db.engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalar_one() == "0001"


def test_opening_twice_migrates_once_and_keeps_rows(db, tmp_path):
    FeedbackStore(db).add(question="q", answer={"answer": "a"}, rating=1)
    again = open_database(Settings(data_dir=tmp_path / "data", database_url=db.engine.url.render_as_string(False)
                                   if db.dialect == "postgresql" else None))
    assert [r["question"] for r in FeedbackStore(again).rows()] == ["q"]


# ----------------------------------------------------------------------------- the release before this layer

# The DDL and the writes of the release before (assistant/feedback.py and line_bot.EventLog at eee21f5), verbatim.
OLD_FEEDBACK = """
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
OLD_EVENTS = ("CREATE TABLE IF NOT EXISTS events (event_id TEXT PRIMARY KEY, state TEXT NOT NULL, at REAL NOT NULL,"
              " destination TEXT NOT NULL DEFAULT '', body TEXT NOT NULL DEFAULT '')")
PENDING = {"type": "message", "mode": "active", "timestamp": 1, "source": {"type": "user", "userId": "Uold"},
           "webhookEventId": "old-pending", "deliveryContext": {"isRedelivery": False}, "replyToken": "r",
           "message": {"type": "text", "id": "1", "quoteToken": "q", "text": "Grant มีกี่ขั้นตอน"}}


def make_old_release_files(data):
    data.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(data / "feedback.sqlite3") as f:
        f.execute("PRAGMA journal_mode=WAL")
        f.execute(OLD_FEEDBACK)
        for i in range(3):
            f.execute("INSERT INTO feedback (created_at, channel, question, history, answer, citations, backend,"
                      " rating, comment) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                      ("2026-11-01T10:00:00+0000", "web", f"คำถาม {i}", "[]", "คำตอบ", "[]", "default", 1, "ดี"))
        f.execute("DELETE FROM feedback WHERE id = 2")  # ids with a gap: they must survive as they are
    with sqlite3.connect(data / "line.sqlite3") as e:
        e.execute(OLD_EVENTS)
        e.execute("INSERT INTO events VALUES ('old-done', 'done', 5.0, '', '')")
        e.execute("INSERT INTO events VALUES ('old-pending', 'accepted', 6.0, 'Ubot', ?)", (json.dumps(PENDING),))
        e.execute("CREATE TABLE handled (event_id TEXT PRIMARY KEY, at REAL)")  # the layout before issue 13
        e.execute("INSERT INTO handled VALUES ('older-still', 1.0)")


@pytest.mark.parametrize("engine", ["sqlite", "postgresql"])
def test_starting_on_the_previous_release_data_loses_nothing(engine, tmp_path, request):
    data = tmp_path / "data"
    make_old_release_files(data)
    url = request.getfixturevalue("postgres").create_database(f"m{uuid.uuid4().hex[:12]}") \
        if engine == "postgresql" else None
    db = open_database(Settings(data_dir=data, database_url=url))
    store = FeedbackStore(db)
    assert [(r["id"], r["question"], r["comment"]) for r in store.rows()] == [(1, "คำถาม 0", "ดี"), (3, "คำถาม 2", "ดี")]
    assert store.add(question="ใหม่", answer={"answer": "a"}, rating=-1) == 4  # ids go on after the old ones
    queue = EventQueue(db)
    assert queue.accept([("old-done", "", "", ""), ("older-still", "", "", ""), ("old-pending", "", "", "")]) \
        == [False, False, False]  # a redelivery of any old id is refused
    claimed, _ = queue.claim("w", 10)  # the one accepted and never answered is answered now
    assert [(c.event_id, c.destination, json.loads(c.body)["message"]["text"]) for c in claimed] == \
        [("old-pending", "Ubot", "Grant มีกี่ขั้นตอน")]
    left = {p.name for p in data.iterdir()} - {"assistant.sqlite3", "assistant.sqlite3-shm", "assistant.sqlite3-wal"}
    assert left == {"feedback.sqlite3.migrated", "line.sqlite3.migrated"}
    open_database(Settings(data_dir=data, database_url=url))  # nothing left to import, nothing doubled
    assert len(FeedbackStore(db).rows()) == 3


def test_an_unreadable_old_file_is_left_in_place_and_the_rest_imported(tmp_path, caplog):
    data = tmp_path / "data"
    make_old_release_files(data)
    (data / "line.sqlite3").write_bytes(b"not a database at all" * 100)
    db = open_database(Settings(data_dir=data))
    assert len(FeedbackStore(db).rows()) == 2
    assert (data / "line.sqlite3").exists() and (data / "feedback.sqlite3.migrated").exists()
    assert "incident" in caplog.text


def test_an_unusable_data_dir_gives_a_memory_database_and_feedback_is_off(tmp_path):
    (tmp_path / "data").write_text("a file where the folder should be")
    db = open_database(Settings(data_dir=tmp_path / "data"))
    assert not db.durable
    EventQueue(db).accept([("e", "c", "", "{}")])  # LINE still works, in memory
    with pytest.raises(OSError):
        FeedbackStore(db)


# ----------------------------------------------------------------------------- the intake queue


def test_queue_claims_in_order_one_event_per_chat_at_a_time(db):
    clock = Clock()
    queue = EventQueue(db, lease_s=30, clock=clock)
    assert queue.accept([("a1", "A", "", "{}"), ("b1", "B", "", "{}"), ("a2", "A", "", "{}")]) == [True] * 3
    assert queue.accept([("a1", "A", "", "{}")]) == [False]  # a redelivery
    first, _ = queue.claim("w1", 10)
    assert [c.event_id for c in first] == ["a1", "b1"]  # a2 waits for a1: a follow-up needs its context
    assert queue.claim("w2", 10) == ([], [])
    queue.done("a1")
    assert [c.event_id for c in queue.claim("w2", 10)[0]] == ["a2"]
    assert queue.counts() == {"done": 1, "claimed": 2}


def test_a_dead_workers_events_are_claimed_again_after_the_lease(db):
    clock = Clock()
    queue = EventQueue(db, lease_s=30, max_attempts=2, clock=clock)
    queue.accept([("e1", "A", "", "{}"), ("e2", "B", "", "{}")])
    assert len(queue.claim("dead", 10)[0]) == 2
    clock.t += 10
    assert queue.renew("dead", ["e1", "e2"]) == 2  # still alive at 10 s: its leases now end at 40 s
    clock.t += 25
    assert queue.claim("w2", 10) == ([], [])
    clock.t += 10
    again, _ = queue.claim("w2", 10)
    assert sorted(c.event_id for c in again) == ["e1", "e2"] and {c.attempts for c in again} == {2}
    assert not queue.done("e1", "dead")  # the dead worker's lease is over: it cannot finish w2's event
    assert queue.release("w2") == 2  # a restarted slot hands back what it held
    clock.t += 1
    answered, gave_up = queue.claim("w3", 10)  # a third claim of an event that killed two workers: given up
    assert answered == [] and sorted(c.event_id for c in gave_up) == ["e1", "e2"]
    assert queue.counts() == {"done": 2}


def test_done_events_keep_only_their_id_until_retention_ends(db):
    clock = Clock()
    queue = EventQueue(db, clock=clock)
    queue.accept([("e1", "A", "", json.dumps(PENDING))])
    queue.claim("w", 1)
    queue.done("e1")
    with db.begin() as conn:
        assert conn.execute(select(line_events.c.body).where(line_events.c.event_id == "e1")).scalar_one() == ""
    clock.t += 100
    assert queue.forget_older_than(200) == 0 and queue.forget_older_than(50) == 1
    assert queue.accept([("e1", "A", "", "{}")]) == [True]  # older than the retention: it is new again


def test_many_claimers_at_once_never_share_an_event(db):
    queue = EventQueue(db, lease_s=300)
    queue.accept([(f"e{i}", f"chat{i % 40}", "", "{}") for i in range(400)])
    got: dict[str, list[str]] = {}
    errors: list[BaseException] = []

    def claimer(name: str):
        mine = got.setdefault(name, [])
        try:
            while True:
                claimed, _ = queue.claim(name, 3)
                if not claimed:
                    if queue.counts().get("accepted", 0) == 0:
                        return
                    continue
                mine.extend(c.event_id for c in claimed)
                for c in claimed:
                    queue.done(c.event_id)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=claimer, args=(f"w{i}",)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    everything = [e for ids in got.values() for e in ids]
    assert sorted(everything) == sorted(f"e{i}" for i in range(400))  # each exactly once
    assert sum(1 for ids in got.values() if ids) >= 2  # and the work was really shared
    for ids in got.values():  # within a chat, in arrival order
        for chat in range(40):
            seq = [int(e[1:]) for e in ids if int(e[1:]) % 40 == chat]
            assert seq == sorted(seq)


# ----------------------------------------------------------------------------- conversations and limits


def test_conversations_are_bounded_expire_and_carry_citations(db):
    clock = Clock()
    store = ConversationStore(db, "line", ttl_s=100, turns=2, clock=clock)
    cite = Citation("grant.steps", "Grant › ขั้นตอน", 17, "guide", "ประกอบด้วย 4 ขั้นตอนหลัก", "คู่มือ")
    history = [{"role": "user", "content": f"q{i}"} for i in range(6)]
    store.save("U1", Conversation(history, [cite], "มูลนิธิ"))
    got = store.get("U1")
    assert [t["content"] for t in got.history] == ["q2", "q3", "q4", "q5"] and got.citations == [cite]
    assert got.situation == "มูลนิธิ" and store.get("U2") == Conversation()
    assert ConversationStore(db, "teams", 100, 2, clock).get("U1") == Conversation()  # channels apart
    clock.t += 101
    assert store.get("U1") == Conversation() and store.forget_expired() == 1


def test_one_rule_for_what_enters_history():
    class A:
        def __init__(self, refused=False, error=None):
            self.answer, self.refused, self.error = "คำตอบ", refused, error

    start = [{"role": "user", "content": "ก่อน"}, {"role": "assistant", "content": "ตอบ"}]
    assert remember(start, "q", A(), 6)[-2:] == [{"role": "user", "content": "q"},
                                                 {"role": "assistant", "content": "คำตอบ"}]
    assert remember(start, "q", A(refused=True), 6) == start
    assert remember(start, "q", A(error="ขัดข้อง"), 6) == start
    assert len(remember(start * 5, "q", A(), 2)) == 4


def test_rate_limit_is_a_sliding_window_shared_by_workers(db):
    clock = Clock()
    one, two = RateLimiter(db, 3, 60, clock), RateLimiter(db, 3, 60, clock)  # two workers, one database
    assert [one.allow("u"), two.allow("u"), one.allow("u"), two.allow("u")] == [True, True, True, False]
    assert one.allow("v")
    clock.t += 30
    assert not one.allow("u")
    clock.t += 31
    assert two.allow("u") and one.forget_older_than() >= 1


def test_feedback_rows_on_both_engines(db):
    store = FeedbackStore(db)
    first = store.add(question="Grant มีกี่ขั้นตอน", answer={"answer": "4", "citations": [{"section_id": "grant.steps"}],
                                                         "backend": "default"}, rating=1, comment=" ดี ")
    store.set_comment(first, "ตรง")
    with db.begin() as conn:
        row = conn.execute(select(feedback)).one()._mapping
    assert (row["comment"], row["rating"], json.loads(row["citations"])[0]["section_id"]) == ("ตรง", 1, "grant.steps")


def test_an_unreachable_database_is_a_thai_message_with_an_incident_id(tmp_path):
    from tests.helpers import free_port
    from tests.test_cli import run

    url = f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/none"
    out = run(["feedback", "export"], Settings(data_dir=tmp_path), DATABASE_URL=url)
    last = out.stderr.strip().splitlines()[-1]  # what the user reads; the log above it holds the traceback
    assert out.returncode == 1 and "DATABASE_URL" in last and "รหัสอ้างอิง" in last and not out.stdout
