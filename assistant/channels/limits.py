"""The per-user rate limit: at most `limit` messages in any `window` seconds (a sliding log, not fixed buckets).

Kept in the database so that several workers count one user's messages together. `allow` deletes the user's
hits older than the window, counts the rest and records this one in one transaction (a write first, so SQLite
takes its lock before reading; on PostgreSQL an advisory lock per user). Hits of users who went quiet are deleted by `forget_older_than`.
"""

from __future__ import annotations

import time

from sqlalchemy import delete, func, insert, select, text

from assistant.database import Database, rate_hits


class RateLimiter:
    def __init__(self, db: Database, limit: int, window: float, clock=time.time):
        self.db, self.limit, self.window, self.clock = db, limit, window, clock

    def allow(self, who: str) -> bool:
        now, who = self.clock(), who[:160]
        h = rate_hits.c
        with self.db.begin() as conn:
            if self.db.dialect == "postgresql":  # one user's messages on two workers: counted one at a time
                conn.execute(text("SELECT pg_advisory_xact_lock(hashtext(:who))"), {"who": who})
            conn.execute(delete(rate_hits).where(h.who == who, h.at <= now - self.window))
            if conn.execute(select(func.count()).where(h.who == who)).scalar_one() >= self.limit:
                return False
            conn.execute(insert(rate_hits).values(who=who, at=now))
        return True

    def forget_older_than(self, seconds: float | None = None) -> int:
        with self.db.begin() as conn:
            return conn.execute(delete(rate_hits).where(
                rate_hits.c.at <= self.clock() - (self.window if seconds is None else seconds))).rowcount
