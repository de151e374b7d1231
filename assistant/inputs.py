"""What we accept from a user before doing any work: one check, shared by every channel."""

from __future__ import annotations

import re

from assistant import messages

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def check_question(text: str, limit: int) -> str | None:
    """A Thai message for input we cannot answer, or None when the question is usable."""
    if not text or not text.strip():
        return messages.EMPTY_QUESTION
    if len(text) > limit:
        return messages.TOO_LONG.format(length=len(text), limit=limit)
    if CONTROL.search(text):
        return messages.CONTROL_CHARACTERS
    if not re.search(r"[0-9A-Za-z\u0e00-\u0e7f]", text):
        return messages.NO_TEXT
    return None
