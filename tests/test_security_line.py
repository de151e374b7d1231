"""Issue 13, the LINE webhook: a real `python -m assistant line` process on 127.0.0.1, real signatures, and the
local stand-in for LINE's API from test_line.py. Rows: 2 (a crash loses no acknowledged message), 3 (replies do
not wait for the backlog), 4 (body-size limit ahead of the signature check), 8 (unusable DATA_DIR), 13 (bad
postbacks, events without a source), and a property test over the webhook body."""

import base64
import concurrent.futures
import hashlib
import hmac
import json
import os
import socket
import statistics
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant import messages
from tests.test_line import BOT, SECRET, Webhook, _texts, event

QUESTION = "การทำสัญญาข้อตกลงมีกี่ขั้นตอน"


def user(i: int) -> dict:
    return {"type": "user", "userId": f"U{i:032d}"}


def sign(body: bytes) -> str:
    return base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()


def answered(calls: list[dict], payload: dict) -> list[dict]:
    """The calls that answer this one-event payload: a reply with its token or a push to its user."""
    e = payload["events"][0]
    who = (e.get("source") or {}).get("userId")
    return [c for c in calls if c["body"].get("replyToken") == e["replyToken"]
            or (c["path"].endswith("/push") and c["body"].get("to") == who)]


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS")) / 1024


@pytest.fixture(scope="module")
def hook(built, line, tmp_path_factory):
    server = Webhook(built, line, tmp_path_factory.mktemp("line-security"), LINE_RATE_LIMIT="100000")
    yield server
    server.stop()


# ----------------------------------------------------------------------------- rows 3 and 2 under load


def test_row3_replies_do_not_wait_for_the_whole_backlog(hook, line):
    payloads = [event(text=QUESTION, source=user(i)) for i in range(200)]
    n = len(line.calls)
    started = time.time()
    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        statuses = list(pool.map(hook.post, payloads))
    acked = time.time()
    assert statuses == [200] * 200
    calls = line.wait(n + 200, timeout=180)[n:]
    replies = sorted(c["at"] - started for c in calls)
    first, last = replies[0], replies[-1]
    print(f"\n200 events: acks {acked - started:.1f}s, first reply {first:.2f}s, p50 {statistics.median(replies):.2f}s,"
          f" last {last:.2f}s")
    # Answering and sending shared one pool before: the first reply left with the last (4.46 s vs 4.50 s); with
    # the answers in their own pool replies flow while the backlog is answered (measured 0.6 s vs 11 s, 0.9 vs 2.8).
    assert first < 0.6 * last, "the first replies must go out while the backlog is still being answered"
    assert all(len(answered(calls, p)) == 1 for p in payloads)  # exactly once each


def test_row2_a_crash_loses_no_acknowledged_message(built, line, tmp_path):
    server = Webhook(built, line, tmp_path, LINE_RATE_LIMIT="100000")
    payloads = [event(text=QUESTION, source=user(1000 + i)) for i in range(200)]
    n = len(line.calls)
    try:
        with concurrent.futures.ThreadPoolExecutor(20) as pool:
            assert list(pool.map(server.post, payloads)) == [200] * 200
        time.sleep(1.0)
        server.proc.kill()  # SIGKILL: no clean shutdown
        server.proc.wait(10)
        before = len(line.calls) - n
        server.start()  # answers what was accepted and not yet answered
        for p in payloads:  # LINE redelivers too: none of these may be answered twice
            p["events"][0]["deliveryContext"]["isRedelivery"] = True
            assert server.post(p) == 200
        deadline = time.time() + 180
        while time.time() < deadline and not all(answered(line.calls[n:], p) for p in payloads):
            time.sleep(0.5)
    finally:
        server.stop()
    calls = line.calls[n:]
    missing = [p for p in payloads if not answered(calls, p)]
    assert not missing, f"{len(missing)} acknowledged events never answered ({before} answered before the kill)"
    for p in payloads:  # a repeat after the kill reuses the reply token (LINE refuses a second use) or the retry key
        got = answered(calls, p)
        assert len({c["body"].get("replyToken") or c["retry_key"] for c in got}) == 1


# ----------------------------------------------------------------------------- row 4: body size


def _raw(port: int, head: str, body: bytes = b"", wait: float = 10) -> tuple[int, float]:
    started = time.time()
    with socket.create_connection(("127.0.0.1", port), timeout=wait) as s:
        s.sendall(head.encode() + body)
        data = s.recv(4096)
    return int(data.split(b" ", 2)[1]), time.time() - started


def test_row4_large_bodies_are_refused_before_being_read(hook):
    rss = rss_mb(hook.proc.pid)
    huge = 500 * 1024 * 1024
    base = f"POST /line/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {huge}\r\n"
    status, seconds = _raw(hook.port, base + "\r\n")  # unsigned: 400 without reading a byte
    assert status == 400 and seconds < 3
    status, seconds = _raw(hook.port, base + "X-Line-Signature: d3Jvbmc=\r\n\r\n")
    assert status == 413 and seconds < 3
    chunked = ("POST /line/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
               "Transfer-Encoding: chunked\r\nX-Line-Signature: d3Jvbmc=\r\n\r\n")
    block = b"x" * (1 << 20)
    with socket.create_connection(("127.0.0.1", hook.port), timeout=20) as s:
        s.sendall(chunked.encode())
        sent = 0
        try:
            for _ in range(50):  # up to 50 MiB, stopping once the server has answered
                s.sendall(f"{len(block):x}\r\n".encode() + block + b"\r\n")
                sent += 1
        except OSError:
            pass
        s.settimeout(20)
        assert s.recv(64).split(b" ", 2)[1] == b"413"
    assert rss_mb(hook.proc.pid) - rss < 60
    assert hook.post({"destination": BOT, "events": []}) == 200


# ----------------------------------------------------------------------------- row 13: odd events


def test_row13_bad_postbacks_and_events_without_a_source(hook, line):
    n = len(line.calls)
    assert hook.post(event(text=QUESTION, source=user(7))) == 200
    line.wait(n + 1)
    for data in ("action=cite&n=abc", "action=cite&n=-1", "action=cite&n=٣", "action=cite&n=99999999999999999999"):
        assert hook.post(event("postback", source=user(7), postback={"data": data})) == 200
    calls = line.wait(n + 5)
    texts = [t for c in calls[n + 1 : n + 5] for t in _texts(c)]
    assert texts[0] == messages.LINE_SOURCE_UNKNOWN and len(texts) == 4
    assert not any("ขัดข้อง" in t for t in texts)
    no_source = event(text=QUESTION)
    del no_source["events"][0]["source"]
    assert hook.post(no_source) == 200
    reply = line.wait(n + 6)[n + 5]
    assert reply["body"]["replyToken"] == no_source["events"][0]["replyToken"]
    assert "9 ขั้นตอน" in "".join(_texts(reply))


# ----------------------------------------------------------------------------- row 8: DATA_DIR unusable


def test_row8_line_starts_and_answers_with_an_unusable_data_dir(built, line, tmp_path):
    not_a_folder = tmp_path / "data"
    not_a_folder.write_text("x")
    server = Webhook(built, line, not_a_folder)
    try:
        n = len(line.calls)
        assert server.post(event(text=QUESTION, source=user(8))) == 200
        assert "9 ขั้นตอน" in "".join(_texts(line.wait(n + 1)[n]))
    finally:
        log = server.stop()
    assert "incident" in log and "in memory only" in log


# ----------------------------------------------------------------------------- any body


JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4),
                    max_leaves=12)
SOURCES = st.one_of(st.none(), st.just({"type": "user", "userId": "Uprop"}),
                    st.just({"type": "group", "groupId": "Cprop", "userId": "Uprop"}), JSON)
EVENTS = st.fixed_dictionaries(
    {"type": st.sampled_from(["message", "postback", "follow", "unfollow", "join", "nonsense"]),
     "mode": st.just("active"), "timestamp": st.integers(0, 2**41), "webhookEventId": st.uuids().map(str),
     "deliveryContext": st.just({"isRedelivery": False}), "replyToken": st.uuids().map(str)},
    optional={"source": SOURCES,
              "message": st.one_of(st.fixed_dictionaries({"type": st.just("text"), "id": st.just("1"),
                                                         "quoteToken": st.just("q"), "text": st.text(max_size=80)}),
                                   JSON),
              "postback": st.one_of(st.fixed_dictionaries({"data": st.text(max_size=40)}), JSON)})
BODIES = st.one_of(JSON, st.fixed_dictionaries({"destination": st.text(max_size=10),
                                                "events": st.lists(EVENTS, max_size=3)}))


@settings(max_examples=50, deadline=None, suppress_health_check=list(HealthCheck), derandomize=bool(os.environ.get("CI")))
@given(body=BODIES)
def test_any_signed_body_gets_200_or_400_and_never_an_error_reply(hook, line, body):
    raw = json.dumps(body, ensure_ascii=False).encode("utf-8", "surrogatepass")
    assert hook.post(None, signature=sign(raw), raw=raw) in (200, 400)


def test_after_the_property_run_no_chat_got_an_error_and_questions_are_answered(hook, line):
    time.sleep(3)
    texts = [t for c in line.calls for t in _texts(c) if "messages" in c["body"]]
    assert not any("รหัสอ้างอิง" in t or "Traceback" in t or "Error" in t for t in texts)
    n = len(line.calls)
    assert hook.post(event(text=QUESTION, source=user(9))) == 200
    assert "9 ขั้นตอน" in "".join(_texts(line.wait(n + 1)[n]))
