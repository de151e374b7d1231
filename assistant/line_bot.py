"""The LINE bot: the same answers and checklists in LINE chats.

`POST /line/webhook` verifies X-Line-Signature with the official SDK (WebhookParser), answers 200 at once and
handles the events in the background. Each event is handled once: its webhookEventId is remembered in
SQLite, so a redelivery, even after a restart, gets no second reply. Replies use the reply token while it is
fresh and fall back to a push message when an answer took too long.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
import time
import urllib.parse
import uuid
from collections import defaultdict, deque
from dataclasses import dataclass, field

from fastapi import BackgroundTasks, Request  # module level: FastAPI resolves handler annotations here

from assistant import messages as msg
from assistant.answer import Answer
from assistant.checklist import draft
from assistant.export import numbered_citations
from assistant.inputs import check_question
from assistant.partnership import MODELS, NAMES, SHORT
from assistant.segment import sentences
from assistant.settings import Settings

log = logging.getLogger(__name__)

MAX_CHARS = 5000  # LINE's limit for one text message
MAX_MESSAGES = 5  # and for one reply
MAX_QUICK_REPLIES = 13
REPLY_DEADLINE_S = 50.0  # reply tokens live about a minute: push after this
CHECKLIST_PREFIXES = ("เช็กลิสต์", "เช็คลิสต์", "checklist")


# ----------------------------------------------------------------------------- pure helpers


def split_message(text: str, limit: int = MAX_CHARS, max_messages: int = MAX_MESSAGES) -> list[str]:
    """Cut a long text into LINE messages at line, then Thai sentence, boundaries."""
    pieces: list[str] = []
    for line in text.split("\n"):
        if len(line) <= limit:
            pieces.append(line)
            continue
        for sent in sentences(line):
            pieces.extend(sent[i : i + limit] for i in range(0, len(sent), limit))
    out: list[str] = []
    current = ""
    for piece in pieces:
        candidate = f"{current}\n{piece}" if current else piece
        if len(candidate) > limit:
            out.append(current)
            current = piece
        else:
            current = candidate
    if current.strip():
        out.append(current)
    if len(out) > max_messages:
        out = out[:max_messages]
        out[-1] = out[-1][: limit - len(msg.LINE_TRUNCATED) - 1] + "\n" + msg.LINE_TRUNCATED
    return out


class RateLimiter:
    """At most `limit` messages per `window` seconds per user."""

    def __init__(self, limit: int, window: float, clock=time.monotonic):
        self.limit, self.window, self.clock = limit, window, clock
        self.seen: dict[str, deque] = defaultdict(deque)

    def allow(self, user: str) -> bool:
        now = self.clock()
        q = self.seen[user]
        while q and now - q[0] > self.window:
            q.popleft()
        if len(q) >= self.limit:
            return False
        q.append(now)
        return True


def mentioned_text(text: str, mention, destination: str) -> str | None:
    """The text without the bot's @-mention, or None when the bot is not mentioned."""
    if not mention:
        return None
    hits = [m for m in mention.mentionees or []
            if getattr(m, "is_self", False) or getattr(m, "user_id", None) == destination]
    if not hits:
        return None
    for m in sorted(hits, key=lambda m: -m.index):
        text = text[: m.index] + text[m.index + m.length :]
    return text.strip()


def postback_data(**values: str) -> str:
    return urllib.parse.urlencode(values)


def parse_postback(data: str) -> dict[str, str]:
    return {k: v[0] for k, v in urllib.parse.parse_qs(data).items()}


def chat_id(source) -> str:
    return getattr(source, "group_id", None) or getattr(source, "room_id", None) or getattr(source, "user_id", "")


@dataclass
class Conversation:
    history: list[dict] = field(default_factory=list)
    citations: list = field(default_factory=list)
    situation: str = ""
    touched: float = field(default_factory=time.monotonic)


class EventLog:
    """webhookEventIds already handled, in SQLite (WAL) so a restart does not reply twice."""

    def __init__(self, path):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        with sqlite3.connect(path) as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("CREATE TABLE IF NOT EXISTS handled (event_id TEXT PRIMARY KEY, at REAL NOT NULL)")

    def first_time(self, event_id: str) -> bool:
        """Record the id; True only the first time it is seen."""
        with sqlite3.connect(self.path, timeout=10) as db:
            cur = db.execute("INSERT OR IGNORE INTO handled (event_id, at) VALUES (?, ?)", (event_id, time.time()))
            return cur.rowcount == 1


# ----------------------------------------------------------------------------- the bot


class LineBot:
    def __init__(self, assistant, settings: Settings):
        from linebot.v3 import WebhookParser
        from linebot.v3.messaging import Configuration

        if not settings.line_channel_secret or not settings.line_channel_access_token:
            raise RuntimeError("set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN (LINE Developers console)")
        self.assistant = assistant
        self.settings = settings
        self.parser = WebhookParser(settings.line_channel_secret)
        self.config = Configuration(host=settings.line_api_base.rstrip("/"),
                                    access_token=settings.line_channel_access_token)
        self._api = None
        self.events = EventLog(settings.data_dir / "line.sqlite3")
        self.limiter = RateLimiter(settings.line_rate_limit, 60.0)
        self.chats: dict[str, Conversation] = {}

    # -- webhook ---------------------------------------------------------------
    def parse(self, body: str, signature: str | None):
        """The payload, or None when the request must be rejected (400)."""
        from linebot.v3.exceptions import InvalidSignatureError

        if not signature:
            log.warning("LINE webhook rejected: no X-Line-Signature")
            return None
        try:
            return self.parser.parse(body, signature, as_payload=True)
        except InvalidSignatureError:
            log.warning("LINE webhook rejected: invalid signature")
        except (ValueError, KeyError, TypeError):
            log.warning("LINE webhook rejected: malformed body")
        return None

    async def handle_payload(self, payload) -> None:
        for event in payload.events or []:
            event_id = getattr(event, "webhook_event_id", None) or uuid.uuid4().hex
            if not self.events.first_time(event_id):
                log.info("LINE event %s already handled (redelivery)", event_id)
                continue
            try:
                await self.handle_event(event, payload.destination)
            except Exception:  # never a stack trace in a chat: log it, say sorry
                log.exception("LINE event %s failed", event_id)
                await self.send(event, [self.text(msg.LINE_ERROR)])

    async def handle_event(self, event, destination: str) -> None:
        from linebot.v3.webhooks import FollowEvent, MessageEvent, PostbackEvent, TextMessageContent

        if isinstance(event, FollowEvent):
            await self.send(event, [self.text(msg.LINE_WELCOME, self.example_replies())])
        elif isinstance(event, PostbackEvent):
            await self.on_postback(event)
        elif isinstance(event, MessageEvent):
            in_group = event.source.type in ("group", "room")
            if not isinstance(event.message, TextMessageContent):
                if not in_group:
                    await self.send(event, [self.text(msg.LINE_TEXT_ONLY)])
                return
            text = event.message.text or ""
            if in_group:
                text = mentioned_text(text, event.message.mention, destination)
                if text is None:
                    return  # in groups the bot speaks only when @-mentioned
            user = getattr(event.source, "user_id", None) or chat_id(event.source)
            if not self.limiter.allow(user):
                await self.send(event, [self.text(msg.LINE_SLOW_DOWN)])
                return
            await self.on_text(event, text)

    async def on_text(self, event, text: str) -> None:
        stripped = text.strip()
        if stripped.lower().startswith(CHECKLIST_PREFIXES):
            situation = stripped.split(None, 1)[1] if len(stripped.split(None, 1)) > 1 else ""
            await self.on_checklist(event, situation, None)
            return
        problem = check_question(text, self.settings.max_question_chars)
        if problem:
            await self.send(event, [self.text(problem)])
            return
        convo = self.conversation(chat_id(event.source))
        if self.assistant.llm is not None and event.source.type == "user":
            await self.loading(event.source.user_id)
        answer: Answer = await asyncio.to_thread(self.assistant.ask, text, convo.history)
        if answer.error:
            await self.send(event, [self.text(answer.error)])
            return
        if not answer.refused:
            convo.history = (convo.history + [{"role": "user", "content": text},
                                              {"role": "assistant", "content": answer.answer}])[
                -2 * self.settings.history_turns:]
            convo.citations = answer.citations
        quick = [self.postback_item(msg.LINE_SOURCE_BUTTON.format(n=n), postback_data(action="cite", n=str(n)))
                 for n in range(1, len(answer.citations) + 1)][:MAX_QUICK_REPLIES]
        parts = split_message(answer.answer)
        await self.send(event, [self.text(p, quick if i == len(parts) - 1 else None) for i, p in enumerate(parts)])

    async def on_checklist(self, event, situation: str, model: str | None) -> None:
        convo = self.conversation(chat_id(event.source))
        situation = situation or convo.situation
        result = await asyncio.to_thread(draft, self.assistant.recommender, situation, model)
        if result.error:
            await self.send(event, [self.text(result.error if situation else msg.LINE_CHECKLIST_HOW)])
            return
        convo.situation = situation
        cites, number = numbered_citations(result)
        lines = [result.title]
        group = None
        for item in result.items:
            if item.group != group:
                group = item.group
                lines.append(f"\n■ {group}")
            lines.append(f"☐ {item.text} [{number[id(item.citation)]}]")
        others = [self.postback_item(msg.LINE_OTHER_MODEL.format(model=SHORT[m]),
                                     postback_data(action="checklist", model=m)) for m in MODELS if m != result.model]
        parts = split_message("\n".join(lines), max_messages=MAX_MESSAGES - 1)
        convo.citations = cites
        cite_buttons = [self.postback_item(msg.LINE_SOURCE_BUTTON.format(n=n), postback_data(action="cite", n=str(n)))
                        for n in range(1, len(cites) + 1)]
        quick = (others + cite_buttons)[:MAX_QUICK_REPLIES]
        await self.send(event, [self.flex(result)] + [self.text(p, quick if i == len(parts) - 1 else None)
                                                       for i, p in enumerate(parts)])

    async def on_postback(self, event) -> None:
        data = parse_postback(event.postback.data or "")
        convo = self.conversation(chat_id(event.source))
        if data.get("action") == "cite":
            n = int(data.get("n", "0") or 0)
            if not 1 <= n <= len(convo.citations):
                await self.send(event, [self.text(msg.LINE_SOURCE_GONE)])
                return
            c = convo.citations[n - 1]
            text = f"[{n}] {c.title}\n{msg.page_label(c.page)}\n“{c.text}”"
            await self.send(event, [self.text(split_message(text)[0])])
        elif data.get("action") == "checklist":
            model = data.get("model")
            await self.on_checklist(event, data.get("situation", ""), model if model in MODELS else None)
        else:
            await self.send(event, [self.text(msg.LINE_UNKNOWN_ACTION)])

    # -- state -----------------------------------------------------------------
    def conversation(self, key: str) -> Conversation:
        now = time.monotonic()
        for k in [k for k, c in self.chats.items() if now - c.touched > self.settings.line_history_ttl_s]:
            del self.chats[k]  # expired
        convo = self.chats.setdefault(key, Conversation())
        convo.touched = now
        return convo

    # -- messages --------------------------------------------------------------
    def text(self, text: str, quick: list | None = None):
        from linebot.v3.messaging import QuickReply, TextMessage

        return TextMessage(text=text, quick_reply=QuickReply(items=quick) if quick else None)

    def postback_item(self, label: str, data: str):
        from linebot.v3.messaging import PostbackAction, QuickReplyItem

        return QuickReplyItem(action=PostbackAction(label=label[:20], data=data, display_text=label))

    def example_replies(self) -> list:
        from linebot.v3.messaging import MessageAction, QuickReplyItem

        return [QuickReplyItem(action=MessageAction(label=q[:20], text=q)) for q in msg.LINE_EXAMPLES]

    def flex(self, result):
        from linebot.v3.messaging import FlexContainer, FlexMessage

        reasons = [{"type": "text", "text": f"• {r.text}", "wrap": True, "size": "sm"} for r in result.reasons[:3]]
        runner = [{"type": "text", "text": msg.RUNNER_UP.format(model=NAMES[result.runner_up]), "wrap": True,
                   "size": "sm", "color": "#92400e"}] if result.runner_up else []
        bubble = {
            "type": "bubble",
            "header": {"type": "box", "layout": "vertical", "contents": [
                {"type": "text", "text": msg.LINE_RECOMMENDED, "size": "sm", "color": "#1d4ed8"},
                {"type": "text", "text": NAMES[result.model], "weight": "bold", "wrap": True},
                {"type": "text", "text": msg.LINE_CONFIDENCE.format(confidence=round(result.confidence * 100)),
                 "size": "sm"}]},
            "body": {"type": "box", "layout": "vertical", "spacing": "sm", "contents": reasons + runner},
        }
        alt = msg.RECOMMENDED.format(model=NAMES[result.model], confidence=round(result.confidence * 100))
        return FlexMessage(alt_text=alt[:400], contents=FlexContainer.from_dict(bubble))

    # -- sending ---------------------------------------------------------------
    @property
    def api(self):
        """The SDK's async client, created inside the running event loop (aiohttp needs one)."""
        from linebot.v3.messaging import AsyncApiClient, AsyncMessagingApi

        if self._api is None:
            self._api = AsyncMessagingApi(AsyncApiClient(self.config))
        return self._api

    async def loading(self, user_id: str) -> None:
        from linebot.v3.messaging import ShowLoadingAnimationRequest

        try:
            await self.api.show_loading_animation(ShowLoadingAnimationRequest(chat_id=user_id, loading_seconds=20))
        except Exception as exc:  # only cosmetic: never block the answer
            log.warning("LINE loading animation failed: %s", exc)

    async def send(self, event, messages: list) -> None:
        """Reply while the token is fresh; otherwise push (with a retry key, so retrying is safe)."""
        from linebot.v3.messaging import PushMessageRequest, ReplyMessageRequest

        messages = messages[:MAX_MESSAGES]
        age = time.time() - (getattr(event, "timestamp", 0) or 0) / 1000
        token = getattr(event, "reply_token", None)
        if token and age < REPLY_DEADLINE_S:
            try:
                await self.api.reply_message(ReplyMessageRequest(reply_token=token, messages=messages))
                return
            except Exception as exc:  # a reply token is single-use: do not retry it
                log.warning("LINE reply failed: %s", exc)
                return
        to = chat_id(event.source)
        key = str(uuid.uuid4())
        for attempt in range(3):
            try:
                await self.api.push_message(PushMessageRequest(to=to, messages=messages), x_line_retry_key=key)
                return
            except Exception as exc:
                status = getattr(exc, "status", None)
                if status is not None and status < 500 and status != 429:
                    log.warning("LINE push failed (%s), not retried: %s", status, exc)
                    return
                log.warning("LINE push failed (attempt %d): %s", attempt + 1, exc)
                await asyncio.sleep(0.5 * (attempt + 1))


def create_app(assistant, settings: Settings):
    """The FastAPI app with POST /line/webhook (also mountable beside the web UI)."""
    from fastapi import FastAPI
    from fastapi.responses import JSONResponse

    bot = LineBot(assistant, settings)
    app = FastAPI(title="LINE webhook", docs_url=None, redoc_url=None, openapi_url=None)

    @app.post("/line/webhook")
    async def webhook(request: Request, background: BackgroundTasks):
        body = (await request.body()).decode("utf-8", errors="replace")
        payload = bot.parse(body, request.headers.get("X-Line-Signature"))
        if payload is None:
            return JSONResponse({"message": "invalid request"}, status_code=400)
        if payload.events:
            background.add_task(bot.handle_payload, payload)
        return JSONResponse({"message": "ok"})

    app.state.bot = bot
    return app


def serve(host: str, port: int) -> None:
    import uvicorn

    from assistant.pipeline import get_assistant
    from assistant.settings import get_settings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    app = create_app(get_assistant(), settings)
    print(msg.LINE_STARTED.format(url=f"http://{host}:{port}/line/webhook"), flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")

