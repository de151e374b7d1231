"""What the assistant keeps, where, for how long, and how it is deleted.

- The database (`assistant/database.py`: SQLite in `DATA_DIR/assistant.sqlite3`, or DATABASE_URL):
  - feedback: 👍/👎 with the question, history, answer and comment (web and LINE), until
    `python -m assistant data purge --older-than AGE` deletes it;
  - LINE events: the event itself until answered, then only its webhookEventId (to refuse a redelivery) for
    LINE_EVENT_RETENTION_DAYS; workers delete older ids, and so does `data purge`;
  - conversations: a chat's last HISTORY_TURNS turns, deleted LINE_HISTORY_TTL_S after its last message;
  - rate-limit hits: deleted a minute after they stop counting.
  Never served over HTTP.
- `DATA_DIR/*.sqlite3.migrated`: the files of the release before the database (imported on first start);
  `data purge` deletes them with the rest (their rows live on in the database and follow its rules).
- Checklist downloads: written under the system temp folder (`export_root()`), one random folder per draft,
  deleted after EXPORT_TTL_S; Gradio serves its own copy from its cache, which it deletes on the same schedule.
  Nothing under DATA_DIR is ever on Gradio's file route.

Contract: `purge` never raises; what it could not delete is listed with an incident id.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from assistant import errors
from assistant.settings import Settings

log = logging.getLogger(__name__)


def export_root() -> Path:
    """The folder for downloadable checklist files: private to this user, outside DATA_DIR."""
    root = Path(tempfile.gettempdir()) / f"assistant-exports-{os.getuid() if hasattr(os, 'getuid') else 'u'}"
    root.mkdir(mode=0o700, exist_ok=True)
    return root


def new_export_folder() -> Path:
    folder = export_root() / uuid.uuid4().hex
    folder.mkdir(mode=0o700)
    return folder


def sweep_exports(root: Path, max_age_s: float, now: float | None = None) -> int:
    """Delete export folders older than `max_age_s`; the number deleted."""
    now = time.time() if now is None else now
    deleted = 0
    try:
        entries = list(root.iterdir())
    except OSError:
        return 0
    for entry in entries:
        try:
            if entry.is_dir() and now - entry.stat().st_mtime >= max_age_s:
                shutil.rmtree(entry)
                deleted += 1
        except OSError as exc:
            log.warning("could not delete the export folder %s: %s", entry, exc)
    return deleted


def parse_age(text: str) -> float | None:
    """"90d" → 90.0 days, "12h" → 0.5; None when it is not an age."""
    m = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*([dh]?)\s*", text or "")
    if not m:
        return None
    value = float(m.group(1))
    return value / 24 if m.group(2) == "h" else value


@dataclass
class PurgeReport:
    feedback: int = 0
    events: int = 0
    exports: int = 0
    failed: list[tuple[str, str]] = field(default_factory=list)  # (what, incident id)


def _feedback_purge(db, cutoff: float) -> int:
    from sqlalchemy import delete, select

    from assistant.database import feedback

    with db.begin() as conn:
        old = []
        for row_id, created in conn.execute(select(feedback.c.id, feedback.c.created_at)):
            try:
                when = datetime.strptime(created, "%Y-%m-%dT%H:%M:%S%z").timestamp()
            except (TypeError, ValueError):
                when = 0.0  # an unreadable date is treated as old
            if when < cutoff:
                old.append(row_id)
        for start in range(0, len(old), 500):
            conn.execute(delete(feedback).where(feedback.c.id.in_(old[start:start + 500])))
    return len(old)


def _events_purge(db, cutoff: float) -> int:
    from sqlalchemy import delete

    from assistant.database import conversations, line_events, rate_hits

    with db.begin() as conn:
        count = conn.execute(delete(line_events).where(line_events.c.state == "done",
                                                       line_events.c.done_at < cutoff)).rowcount
        conn.execute(delete(conversations).where(conversations.c.updated_at < cutoff))
        conn.execute(delete(rate_hits).where(rate_hits.c.at < cutoff))
    return count


def _migrated_purge(data: Path) -> int:
    count = 0
    for path in data.glob("*.sqlite3.migrated"):
        path.unlink()
        count += 1
    return count


def purge(settings: Settings, days: float, now: float | None = None) -> PurgeReport:
    """Delete feedback, answered LINE event ids and checklist files older than `days` (0: everything)."""
    now = time.time() if now is None else now
    cutoff = now - days * 86400 if days > 0 else float("inf")
    report = PurgeReport()
    data = Path(settings.data_dir)
    db: list = []

    def database():
        if not db:
            from assistant.database import open_database

            db.append(open_database(settings))
        return db[0]

    steps = [
        ("feedback", lambda: _feedback_purge(database(), cutoff), "feedback"),
        ("LINE events", lambda: _events_purge(database(), cutoff), "events"),
        ("migrated files", lambda: _migrated_purge(data), None),
        # DATA_DIR/exports is where checklists went before issue 13: nothing reads them any more, all go
        ("exports", lambda: sweep_exports(export_root(), max(0.0, now - cutoff) if days > 0 else 0.0, now)
         + sweep_exports(data / "exports", 0.0, now), "exports"),
    ]
    for what, run, attr in steps:
        try:
            count = run()
            if attr:
                setattr(report, attr, count)
        except Exception as exc:  # a broken file must not stop the rest of the purge
            report.failed.append((what, errors.report(f"data purge {what}", exc)))
    return report
