"""Unexpected failures, one way for every channel.

Contract: an exception that reaches a channel (web UI, LINE, CLI) is logged once, in full, with a short
incident id; the user sees only a Thai message carrying that id, never a traceback or an English exception
text. An index that cannot be searched gets its own message (the search is down), everything else the
generic one. Operators find the traceback in the server log by the id.
"""

from __future__ import annotations

import logging
import uuid

from assistant import messages

log = logging.getLogger("assistant.incident")


def new_id() -> str:
    return uuid.uuid4().hex[:8]


def report(where: str, exc: BaseException | None = None, level: int = logging.ERROR) -> str:
    """Log the failure (with its traceback) under a fresh incident id and return the id."""
    incident = new_id()
    log.log(level, "incident %s in %s: %s", incident, where, type(exc).__name__ if exc else "",
            exc_info=exc if exc is not None else False)
    return incident


def user_message(exc: BaseException, incident: str) -> str:
    """The Thai message a user sees for an incident."""
    from assistant.index import IndexUnavailable

    if isinstance(exc, IndexUnavailable):
        return messages.SEARCH_UNAVAILABLE.format(incident=incident)
    if type(getattr(exc, "orig", exc)).__module__.startswith("psycopg") and "Operational" in type(exc).__name__:
        return messages.DATABASE_UNAVAILABLE.format(incident=incident)  # DATABASE_URL's server is down
    return messages.INTERNAL_ERROR.format(incident=incident)


def handle(where: str, exc: BaseException) -> str:
    """report() and user_message() in one call."""
    return user_message(exc, report(where, exc))
