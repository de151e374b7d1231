"""The durable intake: events stored before they are acknowledged, claimed by workers, marked done after sending.

Contract:
- `accept(rows)` stores (event id, chat, destination, body) in one transaction; True for each id not seen before
  (unique on the id, so a redelivery, to this process or another, is stored once).
- `claim(worker, n)` hands a worker up to n events and leases them for LINE_EVENT_LEASE_S. One statement, safe
  for many workers at once: `UPDATE … WHERE seq IN (SELECT … FOR UPDATE SKIP LOCKED) RETURNING` on PostgreSQL;
  on SQLite the same statement runs under the write lock. An event is claimable when it is accepted, or claimed
  with its lease over (its worker died), **and no older event of the same chat is unfinished**: a chat's messages
  are answered in order, one at a time, which is what keeps a follow-up's context right across workers.
- `done(id, worker)` forgets the body and keeps the id for LINE_EVENT_RETENTION_DAYS, only while `worker` still
  holds the event. `renew(worker, ids)` extends the leases of the events it is still answering (a slow LLM).
- On PostgreSQL `accept` takes an advisory lock per chat: `seq` is drawn at insert but seen at commit, and
  without the lock a chat's later event could commit (and be claimed) before an earlier one.
- An event claimed `max_attempts` times without being done (it crashes every worker that takes it) is given up:
  `claim` marks it done and returns it as `gave_up` for the caller to log and apologise.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import and_, delete, exists, func, or_, select, text, update

from assistant.database import Database, line_events


@dataclass
class Claimed:
    event_id: str
    destination: str
    body: str
    attempts: int


class EventQueue:
    def __init__(self, db: Database, lease_s: float = 120.0, max_attempts: int = 5, clock=time.time):
        self.db, self.lease_s, self.max_attempts, self.clock = db, lease_s, max_attempts, clock

    def accept(self, rows: list[tuple[str, str, str, str]]) -> list[bool]:
        """Store (event id, chat, destination, event JSON) as accepted; True for each new id."""
        now = self.clock()
        statement = self.db.insert_ignoring(line_events, "event_id")
        with self.db.begin() as conn:
            if self.db.dialect == "postgresql":  # one chat's events commit in seq order, so none is claimed early
                for chat in sorted({chat for _, chat, _, _ in rows}):
                    conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:chat))"), {"chat": f"line-chat:{chat}"})
            return [conn.execute(statement, {"event_id": eid, "chat": chat, "destination": dest, "body": body,
                                             "state": "accepted", "received_at": now}).first() is not None
                    for eid, chat, dest, body in rows]

    def claim(self, worker: str, n: int) -> tuple[list[Claimed], list[Claimed]]:
        """(events to answer, events given up); both empty when nothing is claimable."""
        if n <= 0:
            return [], []
        now = self.clock()
        e, older = line_events, line_events.alias("older")
        claimable = (
            select(e.c.seq)
            .where(e.c.state.in_(("accepted", "claimed")),
                   or_(e.c.state == "accepted", e.c.lease_until < now),
                   ~exists().where(and_(older.c.chat == e.c.chat, older.c.seq < e.c.seq,
                                        older.c.state.in_(("accepted", "claimed")))))
            .order_by(e.c.seq).limit(n)
            .with_for_update(of=e, skip_locked=True)
        )
        statement = (
            update(e).where(e.c.seq.in_(claimable.scalar_subquery()))
            .values(state="claimed", claimed_by=worker[:64], lease_until=now + self.lease_s, attempts=e.c.attempts + 1)
            .returning(e.c.event_id, e.c.destination, e.c.body, e.c.attempts)
        )
        with self.db.begin() as conn:
            rows = [Claimed(*r) for r in conn.execute(statement)]
            gave_up = [r for r in rows if r.attempts > self.max_attempts]
            if gave_up:
                conn.execute(update(e).where(e.c.event_id.in_([r.event_id for r in gave_up]))
                             .values(state="done", body="", done_at=now))
        return [r for r in rows if r.attempts <= self.max_attempts], gave_up

    def renew(self, worker: str, event_ids: list[str]) -> int:
        """Extend the leases of the events `worker` is still answering (only those: one whose `done` failed must
        not be kept from the others forever)."""
        if not event_ids:
            return 0
        with self.db.begin() as conn:
            return conn.execute(update(line_events).where(line_events.c.claimed_by == worker[:64],
                                                          line_events.c.state == "claimed",
                                                          line_events.c.event_id.in_(event_ids))
                                .values(lease_until=self.clock() + self.lease_s)).rowcount

    def release(self, worker: str) -> int:
        """Hand back every event `worker` holds (it restarted: none of them is in flight); how many."""
        with self.db.begin() as conn:
            return conn.execute(update(line_events).where(line_events.c.claimed_by == worker[:64],
                                                          line_events.c.state == "claimed")
                                .values(state="accepted", lease_until=0.0)).rowcount

    def done(self, event_id: str, worker: str | None = None) -> bool:
        """Mark the event done; with `worker`, only while that worker still holds it (a worker whose lease ran
        out must not finish an event another worker is answering). True when it was marked."""
        e = line_events.c
        where = [e.event_id == event_id] + ([e.claimed_by == worker[:64], e.state == "claimed"] if worker else [])
        with self.db.begin() as conn:
            return conn.execute(update(line_events).where(*where)
                                .values(state="done", body="", done_at=self.clock())).rowcount == 1

    def counts(self) -> dict[str, int]:
        """How many events are in each state (for logs, the bench and tests)."""
        with self.db.begin() as conn:
            return dict(conn.execute(select(line_events.c.state, func.count()).group_by(line_events.c.state)).all())

    def forget_older_than(self, seconds: float) -> int:
        """Delete the ids of events answered more than `seconds` ago; how many."""
        with self.db.begin() as conn:
            return conn.execute(delete(line_events).where(line_events.c.state == "done",
                                                          line_events.c.done_at < self.clock() - seconds)).rowcount
