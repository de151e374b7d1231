"""What the assistant keeps on disk, where, for how long, and how it is deleted.

- `DATA_DIR/feedback.sqlite3`: 👍/👎 with the question, the history, the answer and a comment (web and LINE).
  Kept until `python -m assistant data purge --older-than AGE` deletes it. Never served over HTTP.
- `DATA_DIR/line.sqlite3`: webhookEventIds (and, until answered, the event itself) so an acknowledged message
  survives a crash and a redelivery is answered once. Answered events keep only the id, for
  LINE_EVENT_RETENTION_DAYS; `data purge` deletes older ones too.
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
import sqlite3
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


def _feedback_purge(path: Path, cutoff: float) -> int:
    if not path.exists():
        return 0
    with sqlite3.connect(path, timeout=10) as db:
        old = []
        for row_id, created in db.execute("SELECT id, created_at FROM feedback"):
            try:
                when = datetime.strptime(created, "%Y-%m-%dT%H:%M:%S%z").timestamp()
            except (TypeError, ValueError):
                when = 0.0  # an unreadable date is treated as old
            if when < cutoff:
                old.append((row_id,))
        db.executemany("DELETE FROM feedback WHERE id = ?", old)
    return len(old)


def _events_purge(path: Path, cutoff: float) -> int:
    if not path.exists():
        return 0
    with sqlite3.connect(path, timeout=10) as db:
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        count = 0
        if "events" in tables:
            count += db.execute("DELETE FROM events WHERE state = 'done' AND at < ?", (cutoff,)).rowcount
        if "handled" in tables:  # the layout before issue 13
            count += db.execute("DELETE FROM handled WHERE at < ?", (cutoff,)).rowcount
    return count


def purge(settings: Settings, days: float, now: float | None = None) -> PurgeReport:
    """Delete feedback, answered LINE event ids and checklist files older than `days` (0: everything)."""
    now = time.time() if now is None else now
    cutoff = now - days * 86400 if days > 0 else float("inf")
    report = PurgeReport()
    data = Path(settings.data_dir)
    steps = [
        ("feedback.sqlite3", lambda: _feedback_purge(data / "feedback.sqlite3", cutoff), "feedback"),
        ("line.sqlite3", lambda: _events_purge(data / "line.sqlite3", cutoff), "events"),
        # DATA_DIR/exports is where checklists went before issue 13: nothing reads them any more, all go
        ("exports", lambda: sweep_exports(export_root(), max(0.0, now - cutoff) if days > 0 else 0.0, now)
         + sweep_exports(data / "exports", 0.0, now), "exports"),
    ]
    for what, run, attr in steps:
        try:
            setattr(report, attr, run())
        except Exception as exc:  # a broken file must not stop the rest of the purge
            report.failed.append((what, errors.report(f"data purge {what}", exc)))
    return report
