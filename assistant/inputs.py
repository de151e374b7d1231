"""What we accept from a user before doing any work: one check, shared by every channel.

Contract: `check_question` takes *anything* (a channel may hand over whatever JSON or form data it got) and
returns None only for a `str` that is non-empty, within the length limit, free of control characters and
of lone surrogates (text that is not valid Unicode and that the tokenizer cannot encode), and that has
readable letters or digits; otherwise a Thai message saying what is wrong. `clean_history` keeps only
well-formed chat turns. `batch_rows` reads a `--batch` JSONL file line by line and never raises for a bad
line: each line becomes a row dict or an error with its line number.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator

from assistant import messages

CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
SURROGATE = re.compile(r"[\ud800-\udfff]")
ROLES = ("user", "assistant")


def check_question(text, limit: int) -> str | None:
    """A Thai message for input we cannot answer, or None when the question is usable."""
    if text is not None and not isinstance(text, str):
        return messages.NOT_TEXT
    if not text or not text.strip():
        return messages.EMPTY_QUESTION
    if len(text) > limit:
        return messages.TOO_LONG.format(length=len(text), limit=limit)
    if SURROGATE.search(text):
        return messages.BAD_ENCODING
    if CONTROL.search(text):
        return messages.CONTROL_CHARACTERS
    if not re.search(r"[0-9A-Za-z\u0e00-\u0e7f]", text):
        return messages.NO_TEXT
    return None


def history_problem(history) -> str | None:
    """A Thai message when `history` is not a list of {"role": "user"|"assistant", "content": str}."""
    if history is None:
        return None
    if not isinstance(history, list):
        return messages.BAD_HISTORY
    for turn in history:
        if not (isinstance(turn, dict) and turn.get("role") in ROLES and isinstance(turn.get("content"), str)
                and not SURROGATE.search(turn["content"])):
            return messages.BAD_HISTORY
    return None


def clean_history(history, turns: int | None = None) -> list[dict]:
    """Only the well-formed turns (role user/assistant, str content without surrogates), the last `turns` pairs."""
    if not isinstance(history, list):
        return []
    out = [{"role": t["role"], "content": t["content"]} for t in history
           if isinstance(t, dict) and t.get("role") in ROLES and isinstance(t.get("content"), str)
           and not SURROGATE.search(t["content"])]
    return out[-2 * turns:] if turns else out


def text_field(row: dict, name: str, required: bool = True) -> str | None:
    """row[name] when it is a str; raises KeyError when missing and required, TypeError when not a str."""
    if name not in row or row[name] is None:
        if required:
            raise KeyError(name)
        return None
    if not isinstance(row[name], str):
        raise TypeError(name)
    return row[name]


def batch_rows(stream, max_line_bytes: int) -> Iterator[tuple[int, dict | None, str | None]]:
    """(line number, row, None) for each JSON object line, (line number, None, Thai error) for a bad one.

    `stream` is a binary file: each line is decoded as strict UTF-8 on its own, so one undecodable line
    does not stop the rest. Blank lines are skipped.
    """
    line_no = 0
    while True:
        raw = stream.readline(max_line_bytes + 1)
        if not raw:
            return
        line_no += 1
        if len(raw) > max_line_bytes and not raw.endswith(b"\n"):
            while (rest := stream.readline(max_line_bytes)) and not rest.endswith(b"\n"):
                pass  # skip the rest of the over-long line
            yield line_no, None, messages.BATCH_LINE_TOO_LONG.format(limit=max_line_bytes)
            continue
        try:
            line = raw.decode("utf-8")
        except UnicodeDecodeError:
            yield line_no, None, messages.BAD_BATCH_ENCODING
            continue
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except (ValueError, RecursionError):
            row = None
        if not isinstance(row, dict):
            yield line_no, None, messages.BAD_BATCH_LINE
            continue
        yield line_no, row, None
