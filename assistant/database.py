"""Everything that must survive a restart or be shared by several processes: one database, two engines.

Tables (SQLAlchemy 2 Core, migrated by Alembic from `assistant/migrations/`):
- `feedback`: 👍/👎 with the question, history, answer and comment (web and LINE);
- `line_events`: each LINE webhook event, unique on its webhookEventId, from "accepted" (with the event itself)
  through "claimed" (by a worker, until its lease ends) to "done" (only the id is kept, to refuse redeliveries);
- `conversations`: each chat's follow-up history, last citations and situation, expiring;
- `rate_hits`: when each user sent a message, for the sliding-window rate limit.

`DATABASE_URL` picks the engine: unset means SQLite in `DATA_DIR/assistant.sqlite3` (the two README commands need
no server); `postgresql+psycopg://user:pass@host/db` lets several webhook processes and workers share one state.

Contract:
- `open_database(settings)` migrates to the newest schema under a lock (an advisory lock on PostgreSQL, the
  SQLite write lock otherwise), so processes starting together migrate once. It then imports the files of the
  release before this layer (`feedback.sqlite3`, `line.sqlite3`; rows keep their ids, an event accepted but not
  answered stays pending) and renames them `*.migrated`: nothing is lost, and a crash half-way repeats the import
  harmlessly (ids are unique).
- When DATA_DIR cannot hold the SQLite file (not a folder, read-only) and no DATABASE_URL is set, the database
  lives in memory: `durable` is False, the caller says so (LINE answers anyway; feedback is off).
- An unreachable PostgreSQL raises `sqlalchemy.exc.OperationalError` from `open_database`; callers log it with
  an incident id.
- Every SQLite transaction is `BEGIN IMMEDIATE` (the recipe in SQLAlchemy's pysqlite notes): writers queue on the
  busy timeout instead of failing with "database is locked" when a read would have to become a write.
"""

from __future__ import annotations

import contextlib
import json
import logging
import sqlite3
import threading
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import (
    Column,
    Connection,
    Engine,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    text,
)
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import StaticPool

from assistant import errors
from assistant.settings import Settings

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).with_name("migrations")
SQLITE_FILE = "assistant.sqlite3"
LEGACY_FILES = ("feedback.sqlite3", "line.sqlite3")  # the release before this layer: one file per store
MEMORY_URLS = ("sqlite://", "sqlite:///:memory:")
MIGRATION_LOCK = 7_420_512  # pg_advisory_xact_lock key: processes starting together migrate one at a time

metadata = MetaData()

feedback = Table(
    "feedback", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("created_at", Text, nullable=False),
    Column("channel", Text, nullable=False),
    Column("question", Text, nullable=False),
    Column("history", Text, nullable=False),
    Column("answer", Text, nullable=False),
    Column("citations", Text, nullable=False),
    Column("backend", Text, nullable=False),
    Column("rating", Integer, nullable=False),
    Column("comment", Text, nullable=False, server_default=""),
)

line_events = Table(
    "line_events", metadata,
    Column("seq", Integer, primary_key=True, autoincrement=True),  # arrival order: a chat's events go in turn
    Column("event_id", String(128), nullable=False, unique=True),
    Column("chat", String(128), nullable=False, server_default=""),
    Column("destination", String(128), nullable=False, server_default=""),
    Column("body", Text, nullable=False, server_default=""),
    Column("state", String(16), nullable=False),  # accepted | claimed | done
    Column("received_at", Float, nullable=False),
    Column("claimed_by", String(64), nullable=False, server_default=""),
    Column("lease_until", Float, nullable=False, server_default="0"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("done_at", Float, nullable=False, server_default="0"),
    Index("ix_line_events_state_seq", "state", "seq"),
    Index("ix_line_events_chat_seq", "chat", "seq"),
)

conversations = Table(
    "conversations", metadata,
    Column("chat", String(160), primary_key=True),  # "<channel>:<chat id>"
    Column("history", Text, nullable=False),
    Column("citations", Text, nullable=False),
    Column("situation", Text, nullable=False, server_default=""),
    Column("updated_at", Float, nullable=False),
    Index("ix_conversations_updated_at", "updated_at"),
)

rate_hits = Table(
    "rate_hits", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("who", String(160), nullable=False),
    Column("at", Float, nullable=False),
    Index("ix_rate_hits_who_at", "who", "at"),
)


@dataclass
class Database:
    engine: Engine
    durable: bool  # False: in memory, because DATA_DIR could not hold the file
    url: str  # with any password masked, for logs
    # in memory there is one connection (StaticPool) for every thread: transactions take turns on it
    _turns: threading.RLock | None = field(default=None, repr=False)

    def __post_init__(self):
        if not self.durable:
            self._turns = threading.RLock()  # re-entrant: a nested transaction fails loudly, never waits on itself

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextlib.contextmanager
    def begin(self):
        """A transaction: committed when the block ends, rolled back if it raises."""
        with self._turns or contextlib.nullcontext(), self.engine.begin() as conn:
            yield conn

    def _insert(self, table: Table):
        """INSERT in this engine's dialect (both have ON CONFLICT)."""
        if self.dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert as dialect_insert
        elif self.dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert as dialect_insert
        else:  # pragma: no cover - only the two engines are supported
            raise RuntimeError(f"unsupported database {self.dialect}")
        return dialect_insert(table)

    def insert_ignoring(self, table: Table, key: str):
        """INSERT … ON CONFLICT (key) DO NOTHING RETURNING key: no row back for a duplicate. (Not `rowcount`:
        with the implicit RETURNING SQLAlchemy adds on PostgreSQL it reads -1 or 0 whatever happened.)"""
        return self._insert(table).on_conflict_do_nothing(index_elements=[key]).returning(table.c[key])

    def upsert(self, table: Table, key: str, values: dict):
        """INSERT … ON CONFLICT (key) DO UPDATE the other columns."""
        return self._insert(table).values(values).on_conflict_do_update(
            index_elements=[key], set_={k: v for k, v in values.items() if k != key})


def database_url(settings: Settings) -> str:
    return settings.database_url or f"sqlite:///{Path(settings.data_dir) / SQLITE_FILE}"


def _sqlite_engine(url: str, memory: bool) -> Engine:
    kwargs = {"poolclass": StaticPool} if memory else {}
    engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # SQLAlchemy emits BEGIN itself (below)
        if not memory:
            dbapi_connection.execute("PRAGMA journal_mode=WAL")
            dbapi_connection.execute("PRAGMA synchronous=FULL")  # an acknowledged event survives a power cut
        dbapi_connection.execute("PRAGMA busy_timeout=30000")

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def _engine(settings: Settings) -> tuple[Engine, bool]:
    url = database_url(settings)
    if not url.startswith("sqlite"):
        return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5), True
    if not settings.database_url:  # the default file: DATA_DIR must hold it
        data = Path(settings.data_dir)
        try:
            data.mkdir(parents=True, exist_ok=True)
            probe = sqlite3.connect(data / SQLITE_FILE, timeout=30)
            probe.execute("CREATE TABLE IF NOT EXISTS _probe (x)")
            probe.execute("DROP TABLE _probe")
            probe.close()
        except (OSError, sqlite3.Error) as exc:
            incident = errors.report(f"database in {data}", exc, logging.WARNING)
            log.warning("incident %s: the database is in memory only (DATA_DIR unusable)", incident)
            return _sqlite_engine("sqlite://", memory=True), False
    memory = url in MEMORY_URLS
    return _sqlite_engine(url, memory=memory), not memory


def migrate(connection: Connection) -> None:
    """Bring the schema on `connection` to the newest Alembic revision (inside the caller's transaction)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, "head")


def open_database(settings: Settings) -> Database:
    engine, durable = _engine(settings)
    with engine.begin() as conn:  # SQLite: BEGIN IMMEDIATE holds the write lock for the whole migration
        if engine.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})
        migrate(conn)
        imported = import_legacy(conn, Path(settings.data_dir)) if durable else []
    for path in imported:
        _retire(path)
    return Database(engine, durable, engine.url.render_as_string(hide_password=True))


# ----------------------------------------------------------------------------- the release before this layer


def _legacy_rows(path: Path, query: str) -> list[tuple]:
    # read-write (a read-only reader of a WAL file leaves -wal/-shm behind), but never creating a missing file
    db = sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=30)
    try:
        return list(db.execute(query))
    finally:
        db.close()


def _retire(path: Path) -> None:
    """Rename an imported file `*.migrated`, its WAL folded in first (or renamed with it, if another process still
    holds it open), so no committed row is left behind in a `-wal` beside a renamed file."""
    try:
        with contextlib.closing(sqlite3.connect(f"file:{path}?mode=rw", uri=True, timeout=30)) as db:
            db.execute("PRAGMA journal_mode=DELETE")
        for suffix in ("", "-wal", "-shm"):
            companion = path.with_name(path.name + suffix)
            target = path.with_name(path.name + ".migrated" + suffix)
            if companion.exists() and not target.exists():  # never over an earlier backup
                companion.rename(target)
    except (OSError, sqlite3.Error) as exc:  # imported already; a second import is harmless (unique ids)
        log.warning("could not rename %s after importing it: %s", path, exc)


def _legacy_tables(path: Path) -> set[str]:
    return {r[0] for r in _legacy_rows(path, "SELECT name FROM sqlite_master WHERE type = 'table'")}


def import_legacy(conn: Connection, data: Path) -> list[Path]:
    """Copy `feedback.sqlite3` and `line.sqlite3` into this database; the files imported. A file that is not a
    readable database is left where it is, with an incident id in the log."""
    done: list[Path] = []
    for name, copy in zip(LEGACY_FILES, (_import_feedback, _import_events), strict=True):
        path = data / name
        if not path.is_file():
            continue
        try:
            with conn.begin_nested():  # a broken file rolls back only its own rows
                count = copy(conn, path)
        except (sqlite3.Error, SQLAlchemyError) as exc:
            errors.report(f"importing {path} (left in place)", exc, logging.WARNING)
            continue
        log.info("imported %d row(s) from %s", count, path)
        done.append(path)
    return done


def _import_feedback(conn: Connection, path: Path) -> int:
    db = Database(conn.engine, True, "")
    if "feedback" not in _legacy_tables(path):
        return 0
    columns = [c.name for c in feedback.columns]
    rows = [dict(zip(columns, r, strict=True))
            for r in _legacy_rows(path, f"SELECT {', '.join(columns)} FROM feedback ORDER BY id")]
    for row in rows:
        conn.execute(db.insert_ignoring(feedback, "id"), row)
    if rows and db.dialect == "postgresql":  # explicit ids: move the sequence past them
        conn.execute(text("SELECT setval(pg_get_serial_sequence('feedback', 'id'), (SELECT max(id) FROM feedback))"))
    return len(rows)


def _import_events(conn: Connection, path: Path) -> int:
    db = Database(conn.engine, True, "")
    tables = _legacy_tables(path)
    rows = []
    if "events" in tables:
        rows += _legacy_rows(path, "SELECT event_id, state, at, destination, body FROM events ORDER BY at")
    if "handled" in tables:  # the layout before issue 13: every id there was answered
        rows += [(eid, "done", at, "", "") for eid, at in _legacy_rows(path, "SELECT event_id, at FROM handled")]
    for event_id, state, at, destination, body in rows:
        pending = state == "accepted" and bool(body)  # accepted but never answered: a worker answers it now
        conn.execute(db.insert_ignoring(line_events, "event_id"), {
            "event_id": event_id, "chat": chat_of_body(body) if pending else "", "destination": destination or "",
            "body": body if pending else "", "state": "accepted" if pending else "done", "received_at": at,
            "done_at": 0.0 if pending else at})
    return len(rows)


def chat_of_body(body: str) -> str:
    """The chat a stored LINE event belongs to (group, room or user id), "" when unreadable."""
    try:
        source = json.loads(body).get("source") or {}
        return str(source.get("groupId") or source.get("roomId") or source.get("userId") or "")[:128]
    except (ValueError, AttributeError):
        return ""

