"""The LINE bot: the same answers and checklists in LINE chats.

`POST /line/webhook` refuses a request without X-Line-Signature, or with a body over LINE_MAX_BODY_BYTES,
before reading it; verifies the signature with the official SDK (WebhookParser); records each new event in
SQLite ("accepted", with the event itself) *before* answering 200; and handles the events in the background.

Each event is answered once and none is lost: an event id is marked "done" only after its reply or push was
sent (or LINE refused it for good); on start-up the events accepted but not done (a crash, a kill) are answered;
a redelivery of an accepted or done id is ignored. Pushes carry a retry key derived from the event id, so a
push repeated after a crash is dropped by LINE. Answers are composed on their own thread pool
(LINE_ANSWER_WORKERS), so sending replies (aiohttp, which resolves names on asyncio's default pool) never waits
behind the backlog of questions. A failure is logged with an incident id and the chat gets a Thai message with
that id. When DATA_DIR is unusable the bot still answers, remembering event ids in memory only (logged).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import sqlite3
import threading
import time
import urllib.parse
import uuid
from collections import defaultdict, deque
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from fastapi import Request  # module level: FastAPI resolves handler annotations here

from assistant import errors
from assistant import messages as msg
from assistant.answer import Answer
from assistant.checklist import draft
from assistant.export import by_group, numbered_citations
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
    return {k: v[0] for k, v in urllib.parse.parse_qs(data if isinstance(data, str) else "").items()}


def postback_number(value: str | None) -> int | None:
    """The citation number in a postback, or None for anything that is not a small positive integer."""
    value = (value or "").strip()
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 3 else None


def chat_id(source) -> str:
    return (getattr(source, "group_id", None) or getattr(source, "room_id", None)
            or getattr(source, "user_id", None) or "")


def retry_key(event_id: str) -> str:
    """The same X-Line-Retry-Key for the same event, even after a restart: LINE drops a repeated push."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"line-event:{event_id}"))


@dataclass
class Conversation:
    history: list[dict] = field(default_factory=list)
    citations: list = field(default_factory=list)
    situation: str = ""
    touched: float = field(default_factory=time.monotonic)


class EventLog:
    """webhookEventIds in SQLite (WAL): "accepted" with the event itself until answered, then "done".

    One connection, guarded by a lock (the event loop and the recovery use it). When DATA_DIR is unusable the
    log lives in memory: the bot still answers, but redeliveries after a restart are no longer recognised.
    """

    SCHEMA = ("CREATE TABLE IF NOT EXISTS events (event_id TEXT PRIMARY KEY, state TEXT NOT NULL, at REAL NOT NULL,"
              " destination TEXT NOT NULL DEFAULT '', body TEXT NOT NULL DEFAULT '')")

    def __init__(self, path):
        self.lock = threading.Lock()
        self.durable = True
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self.db = self._open(str(path))
        except (OSError, sqlite3.Error) as exc:
            incident = errors.report(f"LINE event log at {path}", exc, logging.WARNING)
            log.warning("incident %s: LINE event ids are kept in memory only (DATA_DIR unusable)", incident)
            self.durable = False
            self.db = self._open(":memory:")

    def _open(self, where: str) -> sqlite3.Connection:
        db = sqlite3.connect(where, timeout=10, isolation_level=None, check_same_thread=False)
        if where != ":memory:":
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=FULL")  # an acknowledged event must survive a power cut too
        db.execute(self.SCHEMA)
        tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if "handled" in tables:  # the layout before issue 13: every id there was handled
            db.execute("INSERT OR IGNORE INTO events (event_id, state, at) SELECT event_id, 'done', at FROM handled")
            db.execute("DROP TABLE handled")
        return db

    def accept(self, rows: list[tuple[str, str, str]]) -> list[bool]:
        """Record (event id, destination, event JSON) as accepted in one transaction; True for each new id."""
        now = time.time()
        with self.lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                fresh = [self.db.execute("INSERT OR IGNORE INTO events (event_id, state, at, destination, body)"
                                         " VALUES (?, 'accepted', ?, ?, ?)", (eid, now, dest, body)).rowcount == 1
                         for eid, dest, body in rows]
                self.db.execute("COMMIT")
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
        return fresh

    def first_time(self, event_id: str) -> bool:
        """Record the id as accepted; True only the first time it is seen."""
        return self.accept([(event_id, "", "")])[0]

    def done(self, event_id: str) -> None:
        with self.lock:
            self.db.execute("UPDATE events SET state = 'done', body = '', at = ? WHERE event_id = ?",
                            (time.time(), event_id))

    def pending(self) -> list[tuple[str, str, str]]:
        """(event id, destination, event JSON) accepted but not answered, oldest first."""
        with self.lock:
            return list(self.db.execute("SELECT event_id, destination, body FROM events WHERE state = 'accepted'"
                                        " ORDER BY at"))

    def forget_older_than(self, seconds: float) -> int:
        with self.lock:
            return self.db.execute("DELETE FROM events WHERE state = 'done' AND at < ?",
                                   (time.time() - seconds,)).rowcount


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
        # answers on their own threads: sending (and aiohttp's name lookups on the default pool) never queue
        # behind the backlog of questions; 0 shares the default pool (only to measure the difference)
        self.pool = ThreadPoolExecutor(settings.line_answer_workers, thread_name_prefix="line-answer") \
            if settings.line_answer_workers > 0 else None
        self.tasks: set[asyncio.Task] = set()

    async def compute(self, fn, *args):
        """Run a CPU-bound step (an answer, a checklist) on the answer pool."""
        return await asyncio.get_running_loop().run_in_executor(self.pool, fn, *args)

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
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError):
            log.warning("LINE webhook rejected: malformed body")
        except Exception as exc:  # a signed body the SDK cannot read: refuse it, never a 500
            errors.report("LINE webhook parse", exc, logging.WARNING)
        return None

    def accept(self, body: str, payload) -> list:
        """Record the payload's events as accepted (before the 200); the events seen for the first time."""
        raw = json.loads(body).get("events") or []
        rows = []
        for event, data in zip(payload.events or [], raw, strict=False):
            event_id = getattr(event, "webhook_event_id", None) or uuid.uuid4().hex
            if not getattr(event, "webhook_event_id", None):
                event.webhook_event_id = event_id
            rows.append((event_id, payload.destination or "", json.dumps(data, ensure_ascii=False)))
        try:
            fresh = self.events.accept(rows)
        except Exception as exc:  # the log failed: answer anyway (once-only is lost for these events)
            errors.report("LINE event log accept", exc)
            fresh = [True] * len(rows)
        new = []
        for (event_id, _, _), event, is_new in zip(rows, payload.events or [], fresh, strict=False):
            if is_new:
                new.append(event)
            else:
                log.info("LINE event %s already accepted (redelivery)", event_id)
        return new

    def spawn(self, events: list, destination: str) -> None:
        task = asyncio.get_running_loop().create_task(self.handle_events(events, destination))
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    async def handle_payload(self, payload) -> None:
        """Accept and handle a parsed payload (kept for callers that hold a payload without its body)."""
        events = []
        for event in payload.events or []:
            event_id = getattr(event, "webhook_event_id", None) or uuid.uuid4().hex
            if self.events.first_time(event_id):
                event.webhook_event_id = event_id
                events.append(event)
        await self.handle_events(events, payload.destination)

    async def handle_events(self, events: list, destination: str | None) -> None:
        for event in events:
            event_id = event.webhook_event_id
            try:
                await self.handle_event(event, destination or "")
            except Exception as exc:  # never a stack trace in a chat: log it with an id, say sorry with the id
                incident = errors.report(f"LINE event {event_id}", exc)
                with contextlib.suppress(Exception):
                    await self.send(event, [self.text(msg.LINE_ERROR_ID.format(incident=incident))])
            try:
                self.events.done(event_id)
            except Exception as exc:
                errors.report(f"LINE event log done {event_id}", exc)

    def recover(self) -> int:
        """Schedule the events accepted before a crash but never answered; how many."""
        from linebot.v3.models.events import UnknownEvent
        from linebot.v3.webhooks import Event

        events_by_destination: dict[str, list] = defaultdict(list)
        for event_id, destination, body in self.events.pending():
            try:
                data = json.loads(body)
                try:
                    event = Event.from_dict(data)
                except ValueError:
                    event = UnknownEvent.new_from_json_dict(data)
                event.webhook_event_id = event_id
            except Exception as exc:  # unreadable: mark it done rather than retry it forever
                errors.report(f"LINE recovery of {event_id}", exc)
                self.events.done(event_id)
                continue
            events_by_destination[destination].append(event)
        count = 0
        for destination, events in events_by_destination.items():
            self.spawn(events, destination)
            count += len(events)
        if count:
            log.warning("LINE: answering %d event(s) accepted before a restart", count)
        return count

    async def handle_event(self, event, destination: str) -> None:
        from linebot.v3.webhooks import FollowEvent, MessageEvent, PostbackEvent, TextMessageContent

        if getattr(event, "source", None) is None and not getattr(event, "reply_token", None):
            log.info("LINE event %s has no source and no reply token: nothing to answer",
                     getattr(event, "webhook_event_id", "?"))
            return
        if isinstance(event, FollowEvent):
            await self.send(event, [self.text(msg.LINE_WELCOME, self.example_replies())])
        elif isinstance(event, PostbackEvent):
            await self.on_postback(event)
        elif isinstance(event, MessageEvent):
            in_group = getattr(event.source, "type", None) in ("group", "room")
            if not isinstance(event.message, TextMessageContent):
                if not in_group:
                    await self.send(event, [self.text(msg.LINE_TEXT_ONLY)])
                return
            text = event.message.text if isinstance(event.message.text, str) else ""
            if in_group:
                text = mentioned_text(text, event.message.mention, destination)
                if text is None:
                    return  # in groups the bot speaks only when @-mentioned
            user = getattr(event.source, "user_id", None) or chat_id(event.source) or "anonymous"
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
        if self.assistant.llm is not None and getattr(event.source, "type", None) == "user" \
                and getattr(event.source, "user_id", None):
            await self.loading(event.source.user_id)
        answer: Answer = await self.compute(self.assistant.ask, text, convo.history)
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
        result = await self.compute(draft, self.assistant.recommender, situation, model)
        if result.error:
            await self.send(event, [self.text(result.error if situation else msg.LINE_CHECKLIST_HOW)])
            return
        convo.situation = situation
        cites, number = numbered_citations(result, ("reasons", "items"))
        lines = [result.title]
        if result.basis == "quotes":
            lines.append(msg.QUOTE_BASED)
        for group, items in by_group(result.items):
            lines.append(f"\n■ {group}")
            for item in items:
                owner = f" — {item.owner}" if item.owner else ""
                optional = f" ({item.optional_note})" if item.optional else ""
                lines.append(f"☐ {item.text}{owner}{optional} [{number[id(item.citation)]}]")
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
        data = parse_postback(getattr(getattr(event, "postback", None), "data", None) or "")
        convo = self.conversation(chat_id(event.source))
        if data.get("action") == "cite":
            n = postback_number(data.get("n"))
            if n is None or n < 1:
                await self.send(event, [self.text(msg.LINE_SOURCE_UNKNOWN)])
                return
            if n > len(convo.citations):
                await self.send(event, [self.text(msg.LINE_SOURCE_GONE)])
                return
            c = convo.citations[n - 1]
            text = f"[{n}] {c.source}\n{msg.page_label(c.page)}\n“{c.text}”"
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
        to = chat_id(getattr(event, "source", None))
        if not to:
            log.warning("LINE event %s: reply token expired and no chat to push to", getattr(event, "webhook_event_id", "?"))
            return
        event_id = getattr(event, "webhook_event_id", None)
        key = retry_key(event_id) if event_id else str(uuid.uuid4())
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

    @contextlib.asynccontextmanager
    async def lifespan(app):
        bot.recover()  # events acknowledged before a crash but never answered
        with contextlib.suppress(Exception):
            bot.events.forget_older_than(settings.line_event_retention_days * 86400)
        yield
        if bot.pool is not None:
            bot.pool.shutdown(wait=False, cancel_futures=True)

    app = FastAPI(title="LINE webhook", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan)
    limit = settings.line_max_body_bytes

    def too_large():
        log.warning("LINE webhook rejected: body over %d bytes", limit)
        return JSONResponse({"message": "request body too large"}, status_code=413)

    @app.post("/line/webhook")
    async def webhook(request: Request):
        signature = request.headers.get("X-Line-Signature")
        if not signature:  # refused before a byte of the body is read
            log.warning("LINE webhook rejected: no X-Line-Signature")
            return JSONResponse({"message": "invalid request"}, status_code=400)
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            return too_large()
        received = bytearray()
        async for chunk in request.stream():
            received += chunk
            if len(received) > limit:
                return too_large()
        body = bytes(received).decode("utf-8", errors="replace")
        payload = bot.parse(body, signature)
        if payload is None:
            return JSONResponse({"message": "invalid request"}, status_code=400)
        if payload.events:
            try:
                fresh = bot.accept(body, payload)  # durable before the 200
            except Exception as exc:
                errors.report("LINE webhook accept", exc)
                return JSONResponse({"message": "invalid request"}, status_code=400)
            if fresh:
                bot.spawn(fresh, payload.destination or "")
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
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=5)

