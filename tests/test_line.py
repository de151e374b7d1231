"""The LINE bot over real HTTP with real signatures: the webhook server runs as a process on 127.0.0.1 and
talks to a local stand-in for LINE's Messaging API that records every reply, push and loading call."""

import base64
import hashlib
import hmac
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from assistant import messages
from assistant.line_bot import mentioned_text, split_message
from assistant.settings import ROOT
from tests.helpers import free_port, wait_until_serving

SECRET = "test-channel-secret"
TOKEN = "test-access-token"
BOT = "Ubot0000000000000000000000000000"


# ----------------------------------------------------------------------------- pure helpers


def test_split_message_respects_line_limits():
    text = "\n".join(["ขั้นตอนที่ 1 การเตรียมความพร้อม"] * 800)
    parts = split_message(text)
    assert 1 < len(parts) <= 5 and all(len(p) <= 5000 for p in parts)
    assert parts[-1].endswith(messages.LINE_TRUNCATED)
    assert split_message("สั้น ๆ") == ["สั้น ๆ"]


def test_mentions():
    from linebot.v3.webhooks import Mention, UserMentionee

    m = Mention(mentionees=[UserMentionee(type="user", index=0, length=4, user_id=BOT, is_self=True)])
    assert mentioned_text("@Bot ถามหน่อย", m, BOT) == "ถามหน่อย"
    other = Mention(mentionees=[UserMentionee(type="user", index=0, length=4, user_id="Uother", is_self=False)])
    assert mentioned_text("@Ann ถามหน่อย", other, BOT) is None and mentioned_text("ถาม", None, BOT) is None


# ----------------------------------------------------------------------------- servers


class FakeLine:
    """Records what the bot sends to LINE's Messaging API, and answers as LINE does: a reply token works once
    (400 after), a push repeated with the same X-Line-Retry-Key is refused with 409. `calls` holds every
    request with its `status`; a message was delivered when its status is 200."""

    def __init__(self):
        self.calls: list[dict] = []
        self.lock = threading.Lock()
        used: set[str] = set()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])) or b"{}")
                retry = self.headers.get("X-Line-Retry-Key")
                once = body.get("replyToken") if self.path.endswith("/reply") else retry
                with outer.lock:
                    status = 200
                    if once and once in used:
                        status = 400 if self.path.endswith("/reply") else 409
                    elif once:
                        used.add(once)
                    outer.calls.append({"path": self.path, "body": body, "auth": self.headers.get("Authorization"),
                                        "retry_key": retry, "at": time.time(), "status": status})
                sent = [{"id": uuid.uuid4().hex[:12], "quoteToken": "q"} for _ in body.get("messages") or []]
                answer = json.dumps({"sentMessages": sent} if status == 200 and sent else
                                    {} if status == 200 else {"message": "already used"}).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.request_queue_size = 128
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server.server_port}"

    def wait(self, count: int, timeout: float = 60) -> list[dict]:
        deadline = time.time() + timeout
        while time.time() < deadline and len(self.calls) < count:
            time.sleep(0.1)
        assert len(self.calls) >= count, f"expected {count} calls, got {self.calls}"
        return self.calls


class Webhook:
    def __init__(self, built, line: FakeLine, data_dir, command="line", **extra_env):
        self.port = free_port()
        self.command = command
        self.env = {**os.environ, "CORPUS_DIR": str(built.corpus_dir), "INDEX_DIR": str(built.index_dir),
                    "DATA_DIR": str(data_dir), "LINE_CHANNEL_SECRET": SECRET, "LINE_CHANNEL_ACCESS_TOKEN": TOKEN,
                    "LINE_API_BASE": line.url, **extra_env}
        self.start()

    def start(self):
        self.proc = subprocess.Popen([sys.executable, "-m", "assistant", self.command, "--port", str(self.port)],
                                     cwd=ROOT, env=self.env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        wait_until_serving(self.proc, self.port, timeout=120)

    def stop(self):
        self.proc.terminate()
        return self.proc.communicate(timeout=20)[0]

    def post(self, payload, signature: str | None = "sign", raw: bytes | None = None) -> int:
        body = raw if raw is not None else json.dumps(payload, ensure_ascii=False).encode()
        headers = {"Content-Type": "application/json"}
        if signature == "sign":
            headers["X-Line-Signature"] = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()
        elif signature is not None:
            headers["X-Line-Signature"] = signature
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}/line/webhook", data=body, headers=headers)
        try:
            return urllib.request.urlopen(request, timeout=30).status
        except urllib.error.HTTPError as err:
            return err.code


def event(kind="message", text=None, source=None, age_s=0.0, event_id=None, redelivery=False, **extra):
    e = {"type": kind, "mode": "active", "timestamp": int((time.time() - age_s) * 1000),
         "source": source or {"type": "user", "userId": "Uuser1"}, "webhookEventId": event_id or uuid.uuid4().hex,
         "deliveryContext": {"isRedelivery": redelivery}, "replyToken": uuid.uuid4().hex}
    if text is not None:
        e["message"] = {"type": "text", "id": uuid.uuid4().hex[:10], "quoteToken": "q", "text": text}
    e.update(extra)
    return {"destination": BOT, "events": [e]}


@pytest.fixture(scope="module")
def hook(built, line, tmp_path_factory):
    server = Webhook(built, line, tmp_path_factory.mktemp("line-data"))
    yield server
    server.stop()


def _texts(call) -> list[str]:
    return [m.get("text", "") for m in call["body"]["messages"]]


# ----------------------------------------------------------------------------- behaviour


def test_signatures_are_verified_and_nothing_is_processed_otherwise(hook, line):
    before = len(line.calls)
    payload = event(text="การทำสัญญาข้อตกลงมีกี่ขั้นตอน")
    assert hook.post(payload, signature=None) == 400
    assert hook.post(payload, signature="d3Jvbmc=") == 400
    assert hook.post(None, raw=b'{"destination": "x", "events": [{"type": ') == 400
    assert hook.post({"destination": BOT, "events": []}) == 200  # the console's verification call
    time.sleep(1.5)
    assert len(line.calls) == before


def test_question_follow_up_and_citation_postback(hook, line):
    n = len(line.calls)
    assert hook.post(event(text="การทำสัญญาข้อตกลงมีกี่ขั้นตอน")) == 200
    reply = line.wait(n + 1)[n]
    assert reply["path"] == "/v2/bot/message/reply" and reply["auth"] == f"Bearer {TOKEN}"
    assert "9 ขั้นตอน" in "".join(_texts(reply))
    buttons = [i["action"] for i in reply["body"]["messages"][-1]["quickReply"]["items"]]
    assert buttons[0]["label"] == "📖 แหล่งอ้างอิง 1" and buttons[0]["type"] == "postback"

    assert hook.post(event(text="แล้วขั้นตอนที่ 6 ล่ะ")) == 200
    assert "Mid-term Evaluation" in "".join(_texts(line.wait(n + 2)[n + 1]))

    assert hook.post(event("postback", postback={"data": "action=cite&n=1"})) == 200
    cited = "".join(_texts(line.wait(n + 3)[n + 2]))
    assert "ขั้นตอนที่ 6" in cited and "หน้า 23" in cited
    assert "คู่มือการบริหารราชการแบบมีส่วนร่วม (Collaborative Governance) ›" in cited  # names its document


def test_checklist_request_gets_a_flex_message_and_the_items(hook, line):
    n = len(line.calls)
    assert hook.post(event(text="เช็กลิสต์ กรมต้องการให้มูลนิธิดูแลสถานแรกรับเด็กอย่างต่อเนื่อง เพราะไม่มีอัตรากำลังพอ")) == 200
    msgs = line.wait(n + 1)[n]["body"]["messages"]
    assert msgs[0]["type"] == "flex" and "Performance-based Contracting" in msgs[0]["altText"]
    body = "".join(m.get("text", "") for m in msgs[1:])
    assert "■ ขั้นตอนที่ 9" in body and len(msgs) <= 5
    assert "☐ ประกาศรายการภารกิจ “ดูแลสถานแรกรับเด็ก”" in body and "— หน่วยงานคู่สัญญา (มูลนิธิ)" in body
    labels = [i["action"]["displayText"] for i in msgs[-1]["quickReply"]["items"]]
    assert any("Commissioning" in label for label in labels)
    assert hook.post(event("postback", postback={"data": "action=checklist&model=commissioning"})) == 200
    again = line.wait(n + 2)[n + 1]["body"]["messages"]
    assert "Commissioning" in again[0]["altText"] and "■ ขั้นตอนที่ 6" in "".join(m.get("text", "") for m in again[1:])


def test_follow_stickers_and_bad_text(hook, line):
    n = len(line.calls)
    hook.post(event("follow", follow={"isUnblocked": False}))
    assert "ยินดีที่ได้เป็นเพื่อน" in _texts(line.wait(n + 1)[n])[0]
    sticker = event()
    sticker["events"][0]["message"] = {"type": "sticker", "id": "5", "quoteToken": "q", "packageId": "1",
                                       "stickerId": "1", "stickerResourceType": "STATIC"}
    hook.post(sticker)
    assert _texts(line.wait(n + 2)[n + 1]) == [messages.LINE_TEXT_ONLY]
    hook.post(event(text="ก" * 2500))
    assert "ยาวเกินไป" in _texts(line.wait(n + 3)[n + 2])[0]


def test_groups_answer_only_when_mentioned(hook, line):
    group = {"type": "group", "groupId": "Cgroup1", "userId": "Umember"}
    n = len(line.calls)
    assert hook.post(event(text="Grant มีกี่ขั้นตอน", source=group)) == 200
    mention = {"mentionees": [{"index": 0, "length": 4, "type": "user", "userId": BOT, "isSelf": True}]}
    payload = event(text="@Bot Grant มีกี่ขั้นตอน", source=group)
    payload["events"][0]["message"]["mention"] = mention
    assert hook.post(payload) == 200
    calls = line.wait(n + 1)
    time.sleep(1.0)
    assert len(calls) == n + 1 and "4 ขั้นตอน" in "".join(_texts(calls[n]))


def test_redeliveries_are_answered_once_even_after_a_restart(built, line, tmp_path):
    server = Webhook(built, line, tmp_path)
    try:
        n = len(line.calls)
        payload = event(text="Commissioning มีกี่ขั้นตอน", event_id="01REDELIVERED")
        assert server.post(payload) == 200
        line.wait(n + 1)
        redelivered = event(text="Commissioning มีกี่ขั้นตอน", event_id="01REDELIVERED", redelivery=True)
        assert server.post(redelivered) == 200
        server.stop()
        server.start()
        assert server.post(redelivered) == 200
        time.sleep(2)
        assert len(line.calls) == n + 1
    finally:
        server.stop()


def test_slow_answers_show_loading_then_push_and_rate_limits(built, line, tmp_path):
    with socket.socket() as closed:
        closed.bind(("127.0.0.1", 0))
        dead_llm = f"http://127.0.0.1:{closed.getsockname()[1]}/v1"
    server = Webhook(built, line, tmp_path, LLM_BASE_URL=dead_llm, LINE_RATE_LIMIT="2")
    try:
        n = len(line.calls)
        assert server.post(event(text="Grant มีกี่ขั้นตอน", age_s=120)) == 200  # its reply token has expired
        calls = line.wait(n + 2)
        assert calls[n]["path"] == "/v2/bot/chat/loading/start" and calls[n]["body"]["chatId"] == "Uuser1"
        push = calls[n + 1]
        assert push["path"] == "/v2/bot/message/push" and push["body"]["to"] == "Uuser1" and push["retry_key"]
        assert messages.LLM_FALLBACK_NOTE in "".join(_texts(push))  # the LLM was down: the default answer
        server.post(event(text="Grant คืออะไร"))
        server.post(event(text="Grant เหมาะกับงานแบบไหน"))
        slow = line.wait(n + 5)
        replies = [t for c in slow[n + 2 :] if "messages" in c["body"] for t in _texts(c)]
        assert messages.LINE_SLOW_DOWN in replies
    finally:
        log = server.stop()
    assert "Traceback" not in log


def test_the_webhook_mounts_beside_the_web_ui(built, line, tmp_path):
    server = Webhook(built, line, tmp_path, command="serve")
    try:
        assert server.post({"destination": BOT, "events": []}) == 200
        assert server.post({"destination": BOT, "events": []}, signature="d3Jvbmc=") == 400
        page = urllib.request.urlopen(f"http://127.0.0.1:{server.port}/", timeout=30).read().decode()
        assert "gradio" in page.lower()
    finally:
        server.stop()
