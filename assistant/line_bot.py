"""The LINE bot: the same answers and checklists in LINE chats, from one process or from many.

`POST /line/webhook` refuses a request without X-Line-Signature, or with a body over LINE_MAX_BODY_BYTES,
before reading it; verifies the signature with the official SDK (WebhookParser); stores each event in the
database (`assistant/channels/events.py`: unique on webhookEventId) *before* answering 200, or answers 503 when
it cannot (LINE redelivers, nothing is lost).

Workers claim stored events with a lease, answer them, reply with the token while it is fresh (REPLY_DEADLINE_S)
or push with an X-Line-Retry-Key derived from the event id after, and mark them done. A worker that dies leaves
its events to be claimed again when the lease ends (or at once by the same slot after a restart); a repeat of a
send is dropped by LINE (a reply token works once; a repeated retry key is refused), so each event is answered
once. The one gap: a worker that dies after a *reply* and before marking the event done, when the event is
claimed again after its reply token expired (a lease longer than REPLY_DEADLINE_S), is pushed a second time.
A chat's events are answered in order, one at a time, and its history (`channels/conversation.py`) and the rate limit (`channels/limits.py`) are in the database: a follow-up that reaches another worker, or comes
after a restart, keeps its context.

Processes (`python -m assistant …`, see README "Deploying for many users"):
- `line`: the webhook and a worker in one process (the default, and what the web UI mounts);
- `line --workers N`: the webhook plus N worker processes it starts and restarts;
- `line --intake-only` + `worker` (any number, any machine): the webhook only stores, workers answer.
With DATA_DIR unusable and no DATABASE_URL the database is in memory and the webhook answers itself (logged).

Answers are composed on their own thread pool (LINE_ANSWER_WORKERS), so sending replies (aiohttp, which resolves
names on asyncio's default pool) never waits behind the backlog of questions. The layout (`answer_messages`,
`checklist_messages`, …) is pure functions from `Answer`/`Checklist` to SDK messages. A failure is logged with
an incident id and the chat gets a Thai message with that id.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
import uuid
from concurrent.futures import ThreadPoolExecutor

from fastapi import Request  # module level: FastAPI resolves handler annotations here
from sqlalchemy.exc import OperationalError as DatabaseDown

from assistant import errors
from assistant import messages as msg
from assistant.answer import Answer
from assistant.channels.events import EventQueue
from assistant.channels.session import ChatSessions
from assistant.database import Database, open_database
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


# ----------------------------------------------------------------------------- layout: Answer/Checklist → messages


def text_message(text: str, quick: list | None = None):
    from linebot.v3.messaging import QuickReply, TextMessage

    return TextMessage(text=text, quick_reply=QuickReply(items=quick) if quick else None)


def postback_item(label: str, data: str):
    from linebot.v3.messaging import PostbackAction, QuickReplyItem

    return QuickReplyItem(action=PostbackAction(label=label[:20], data=data, display_text=label))


def example_replies() -> list:
    from linebot.v3.messaging import MessageAction, QuickReplyItem

    return [QuickReplyItem(action=MessageAction(label=q[:20], text=q)) for q in msg.LINE_EXAMPLES]


def source_buttons(count: int) -> list:
    return [postback_item(msg.LINE_SOURCE_BUTTON.format(n=n), postback_data(action="cite", n=str(n)))
            for n in range(1, count + 1)]


def with_quick_replies(texts: list[str], quick: list) -> list:
    """Text messages, the quick replies on the last one (LINE shows only the last message's)."""
    quick = quick[:MAX_QUICK_REPLIES]
    return [text_message(t, quick if i == len(texts) - 1 else None) for i, t in enumerate(texts)]


def answer_messages(answer: Answer) -> list:
    return with_quick_replies(split_message(answer.answer), source_buttons(len(answer.citations)))


def checklist_messages(result) -> tuple[list, list]:
    """(the messages: a flex card and the items, cited; the citations the numbers refer to)."""
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
    others = [postback_item(msg.LINE_OTHER_MODEL.format(model=SHORT[m]), postback_data(action="checklist", model=m))
              for m in MODELS if m != result.model]
    parts = split_message("\n".join(lines), max_messages=MAX_MESSAGES - 1)
    return [flex(result)] + with_quick_replies(parts, others + source_buttons(len(cites))), cites


def layout_citations(result) -> list:
    """The citations a checklist's numbers refer to in LINE's layout (reasons and items only)."""
    return numbered_citations(result, ("reasons", "items"))[0]


def citation_message(n: int, c) -> object:
    return text_message(split_message(f"[{n}] {c.source}\n{msg.page_label(c.page)}\n“{c.text}”")[0])


def flex(result):
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


# ----------------------------------------------------------------------------- answering one event


class LineBot:
    """Turns one LINE event into messages (on the answer pool) and sends them. Conversations and the rate limit
    are in the database, so any worker can answer any event."""

    def __init__(self, assistant, settings: Settings, db: Database):
        from linebot.v3.messaging import Configuration

        require_credentials(settings)
        self.assistant = assistant
        self.settings = settings
        self.config = Configuration(host=settings.line_api_base.rstrip("/"),
                                    access_token=settings.line_channel_access_token)
        self._api = None
        self.sessions = ChatSessions(assistant, db, "line", settings, settings.line_rate_limit)
        # answers on their own threads: sending (and aiohttp's name lookups on the default pool) never queue
        # behind the backlog of questions; 0 shares the default pool (only to measure the difference)
        self.pool = ThreadPoolExecutor(settings.line_answer_workers, thread_name_prefix="line-answer") \
            if settings.line_answer_workers > 0 else None

    async def handle(self, event, destination: str) -> None:
        """Answer one event; a failure is logged with an incident id and the chat gets the id."""
        try:
            loop = asyncio.get_running_loop()
            messages = await loop.run_in_executor(self.pool, self.reply_for, event, destination, loop)
            if messages:
                await self.send(event, messages)
        except DatabaseDown:
            raise  # the database is down: the event stays claimed and is answered again, no apology now
        except Exception as exc:  # never a stack trace in a chat: log it with an id, say sorry with the id
            incident = errors.report(f"LINE event {getattr(event, 'webhook_event_id', '?')}", exc)
            with contextlib.suppress(Exception):
                await self.send(event, [text_message(msg.LINE_ERROR_ID.format(incident=incident))])

    def reply_for(self, event, destination: str, loop=None) -> list | None:
        """The messages that answer `event` (None: nothing to say). Blocking: runs on the answer pool; `loop` is
        the event loop that sends (for the loading animation before a slow LLM answer)."""
        from linebot.v3.webhooks import FollowEvent, MessageEvent, PostbackEvent, TextMessageContent

        if getattr(event, "source", None) is None and not getattr(event, "reply_token", None):
            log.info("LINE event %s has no source and no reply token: nothing to answer",
                     getattr(event, "webhook_event_id", "?"))
            return None
        if isinstance(event, FollowEvent):
            return [text_message(msg.LINE_WELCOME, example_replies())]
        if isinstance(event, PostbackEvent):
            return self.on_postback(event)
        if not isinstance(event, MessageEvent):
            return None
        in_group = getattr(event.source, "type", None) in ("group", "room")
        if not isinstance(event.message, TextMessageContent):
            return None if in_group else [text_message(msg.LINE_TEXT_ONLY)]
        text = event.message.text if isinstance(event.message.text, str) else ""
        if in_group:
            text = mentioned_text(text, event.message.mention, destination)
            if text is None:
                return None  # in groups the bot speaks only when @-mentioned
        user = getattr(event.source, "user_id", None) or chat_id(event.source) or "anonymous"
        if not self.sessions.allowed(user):
            return [text_message(msg.LINE_SLOW_DOWN)]
        return self.on_text(event, text, loop)

    def on_text(self, event, text: str, loop=None) -> list:
        stripped = text.strip()
        if stripped.lower().startswith(CHECKLIST_PREFIXES):
            situation = stripped.split(None, 1)[1] if len(stripped.split(None, 1)) > 1 else ""
            return self.on_checklist(event, situation, None)
        problem = check_question(text, self.settings.max_question_chars)
        if problem:
            return [text_message(problem)]

        def loading():  # an LLM answer takes seconds: show that it is coming
            if self.assistant.llm is not None and loop is not None and _asks_in_private(event):
                with contextlib.suppress(Exception):
                    asyncio.run_coroutine_threadsafe(self.loading(event.source.user_id), loop).result(10)

        answer: Answer = self.sessions.ask(chat_id(event.source), text, before_answer=loading)
        return [text_message(answer.error)] if answer.error else answer_messages(answer)

    def on_checklist(self, event, situation: str, model: str | None) -> list:
        result, situation = self.sessions.checklist(chat_id(event.source), situation, model, cited=layout_citations)
        if result.error:
            return [text_message(result.error if situation else msg.LINE_CHECKLIST_HOW)]
        return checklist_messages(result)[0]

    def on_postback(self, event) -> list:
        data = parse_postback(getattr(getattr(event, "postback", None), "data", None) or "")
        if data.get("action") == "cite":
            n = postback_number(data.get("n"))
            if n is None or n < 1:
                return [text_message(msg.LINE_SOURCE_UNKNOWN)]
            citation = self.sessions.citation(chat_id(event.source), n)
            return [text_message(msg.LINE_SOURCE_GONE) if citation is None else citation_message(n, citation)]
        if data.get("action") == "checklist":
            model = data.get("model")
            return self.on_checklist(event, data.get("situation", ""), model if model in MODELS else None)
        return [text_message(msg.LINE_UNKNOWN_ACTION)]

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


def _asks_in_private(event) -> bool:
    from linebot.v3.webhooks import MessageEvent

    source = getattr(event, "source", None)
    return isinstance(event, MessageEvent) and getattr(source, "type", None) == "user" \
        and bool(getattr(source, "user_id", None))


def require_credentials(settings: Settings) -> None:
    if not settings.line_channel_secret or not settings.line_channel_access_token:
        raise RuntimeError("set LINE_CHANNEL_SECRET and LINE_CHANNEL_ACCESS_TOKEN (LINE Developers console)")


# ----------------------------------------------------------------------------- the intake and the workers


def event_from_json(body: str):
    """A stored event back as the SDK's object (an unknown type as UnknownEvent, as WebhookParser does)."""
    from linebot.v3.models.events import UnknownEvent
    from linebot.v3.webhooks import Event

    data = json.loads(body)
    try:
        return Event.from_dict(data)
    except ValueError:
        return UnknownEvent.new_from_json_dict(data)


class Intake:
    """The webhook's side: verify the signature, store each event before the 200."""

    def __init__(self, settings: Settings, queue: EventQueue):
        from linebot.v3 import WebhookParser

        require_credentials(settings)
        self.parser = WebhookParser(settings.line_channel_secret)
        self.queue = queue

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

    def accept(self, body: str, payload) -> int:
        """Store the payload's events as accepted (raises when the database does); how many were new."""
        rows = []
        for event, data in zip(payload.events or [], json.loads(body).get("events") or [], strict=False):
            event_id = str(getattr(event, "webhook_event_id", None) or uuid.uuid4().hex)[:128]
            if isinstance(data, dict):
                data = {**data, "webhookEventId": event_id}
            rows.append((event_id, chat_id(getattr(event, "source", None))[:128], payload.destination or "",
                         json.dumps(data, ensure_ascii=False)))
        fresh = self.queue.accept(rows)
        for (event_id, *_), is_new in zip(rows, fresh, strict=True):
            if not is_new:
                log.info("LINE event %s already accepted (redelivery)", event_id)
        return sum(fresh)


class Worker:
    """Claims stored events, answers them with `bot`, marks them done. Several workers (threads of one process,
    or processes on several machines) share one queue; see assistant/channels/events.py for the rules."""

    HOUSEKEEPING_S = 600.0

    def __init__(self, bot: LineBot, queue: EventQueue, name: str):
        self.bot, self.queue, self.name = bot, queue, name[:64]
        self.capacity = 2 * max(1, bot.settings.line_answer_workers)  # a send in flight frees its thread
        self.woken: asyncio.Event | None = None
        self.answering: set[str] = set()  # event ids in flight: only their leases are renewed
        self.unfinished: set[str] = set()  # answered, but `done` failed: retried before claiming more
        self.tasks: set[asyncio.Task] = set()

    def wake(self) -> None:
        if self.woken is not None:
            self.woken.set()

    async def run(self, stop: asyncio.Event) -> None:
        self.woken = asyncio.Event()
        settings = self.bot.settings
        with contextlib.suppress(Exception):  # this name's claims before a restart: nothing of ours is in flight
            released = await asyncio.to_thread(self.queue.release, self.name)
            if released:
                log.warning("LINE worker %s: taking back %d event(s) it held before a restart", self.name, released)
        inflight: set[asyncio.Task] = set()
        renew_at = sweep_at = 0.0
        failing = False
        while not stop.is_set():
            self.woken.clear()
            now = time.monotonic()
            claimed = []
            try:
                for event_id in list(self.unfinished):
                    await asyncio.to_thread(self.queue.done, event_id, self.name)
                    self.unfinished.discard(event_id)
                if inflight and now >= renew_at:
                    await asyncio.to_thread(self.queue.renew, self.name, list(self.answering))
                    renew_at = now + self.queue.lease_s / 3
                if now >= sweep_at:
                    await asyncio.to_thread(self.housekeeping)
                    sweep_at = now + self.HOUSEKEEPING_S
                if len(inflight) < self.capacity:
                    claimed, gave_up = await asyncio.to_thread(self.queue.claim, self.name,
                                                               self.capacity - len(inflight))
                    for row in gave_up:
                        self.give_up(row)
                if failing:
                    log.warning("LINE worker %s: the database answers again", self.name)
                    failing = False
            except Exception as exc:  # the database is unreachable: events wait in it (or in LINE's redelivery)
                if not failing:
                    errors.report(f"LINE worker {self.name} (database)", exc)
                    failing = True
                await asyncio.sleep(1.0)
                continue
            for row in claimed:
                task = asyncio.get_running_loop().create_task(self.answer(row))
                inflight.add(task)
                task.add_done_callback(lambda t: (inflight.discard(t), self.wake()))
            if not claimed or len(inflight) >= self.capacity:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self.woken.wait(), settings.line_poll_s)
        for task in inflight:
            task.cancel()

    async def answer(self, row) -> None:
        self.answering.add(row.event_id)
        try:
            try:
                event = event_from_json(row.body)
                event.webhook_event_id = row.event_id
            except Exception as exc:  # unreadable: mark it done rather than retry it forever
                errors.report(f"LINE stored event {row.event_id}", exc)
            else:
                await self.bot.handle(event, row.destination)
        except DatabaseDown as exc:  # not answered: its lease ends and it is claimed again
            errors.report(f"LINE event {row.event_id} (database)", exc, logging.WARNING)
            return
        finally:
            self.answering.discard(row.event_id)
        try:
            await asyncio.to_thread(self.queue.done, row.event_id, self.name)
        except Exception as exc:  # retried before the next claim; until then its lease is not renewed
            errors.report(f"LINE event done {row.event_id}", exc)
            self.unfinished.add(row.event_id)

    def give_up(self, row) -> None:
        incident = errors.report(f"LINE event {row.event_id} failed {row.attempts - 1} times; given up")
        with contextlib.suppress(Exception):
            event = event_from_json(row.body)
            event.webhook_event_id = row.event_id
            task = asyncio.get_running_loop().create_task(
                self.bot.send(event, [text_message(msg.LINE_ERROR_ID.format(incident=incident))]))
            self.tasks.add(task)  # asyncio keeps only a weak reference
            task.add_done_callback(self.tasks.discard)

    def housekeeping(self) -> None:
        settings = self.bot.settings
        self.queue.forget_older_than(settings.line_event_retention_days * 86400)
        self.bot.sessions.housekeeping()


def worker_name(role: str) -> str:
    """A name that is the same after a restart of the same process slot (so it takes back its own claims)."""
    return f"{socket.gethostname()}:{role}"


class Supervisor:
    """`line --workers N`: N `python -m assistant worker` processes, restarted when they exit."""

    def __init__(self, count: int, prefix: str):
        self.names = [f"{prefix}:w{i}" for i in range(count)]
        self.procs: dict[str, subprocess.Popen] = {}
        self.stopping = threading.Event()

    def start(self) -> None:
        for name in self.names:
            self._spawn(name)
        threading.Thread(target=self._watch, daemon=True, name="line-supervisor").start()

    def _spawn(self, name: str) -> None:
        self.procs[name] = subprocess.Popen([sys.executable, "-m", "assistant", "worker", "--name", name])

    def _watch(self) -> None:
        while not self.stopping.wait(1.0):
            for name, proc in list(self.procs.items()):
                if proc.poll() is not None and not self.stopping.is_set():
                    log.warning("LINE worker %s exited (%s): starting it again", name, proc.returncode)
                    self._spawn(name)

    def stop(self) -> None:
        self.stopping.set()
        for proc in self.procs.values():
            proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()


def create_app(assistant, settings: Settings, db: Database | None = None, *, workers: int = 0,
               answer_here: bool = True, port: int | str = "web"):
    """The FastAPI app with POST /line/webhook (also mountable beside the web UI).

    `answer_here`: a worker runs inside this process (the one-process default). `workers`: N worker processes
    started and restarted by this one. Neither: the webhook only stores events (workers run elsewhere). A
    database in memory (DATA_DIR unusable) cannot be shared, so this process then answers itself.
    """
    from fastapi import FastAPI
    from fastapi.responses import JSONResponse

    db = db or open_database(settings)
    queue = EventQueue(db, settings.line_event_lease_s, settings.line_event_max_attempts)
    intake = Intake(settings, queue)
    if not db.durable and (workers or not answer_here):
        log.warning("the database is in memory: this process answers LINE itself (no separate workers)")
        workers, answer_here = 0, True
    worker = Worker(LineBot(assistant, settings, db), queue, worker_name(f"line:{port}")) if answer_here else None
    supervisor = Supervisor(workers, worker_name(f"line:{port}")) if workers else None

    @contextlib.asynccontextmanager
    async def lifespan(app):
        stop = asyncio.Event()
        task = asyncio.get_running_loop().create_task(worker.run(stop)) if worker else None
        if supervisor:
            supervisor.start()
        yield
        stop.set()
        if supervisor:
            supervisor.stop()
        if task:
            worker.wake()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(task, 5)
            if worker.bot.pool is not None:
                worker.bot.pool.shutdown(wait=False, cancel_futures=True)

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
        payload = intake.parse(body, signature)
        if payload is None:
            return JSONResponse({"message": "invalid request"}, status_code=400)
        if payload.events:
            try:  # durable before the 200
                fresh = await asyncio.to_thread(intake.accept, body, payload)
            except Exception as exc:  # not stored: a 503 makes LINE redeliver it, so nothing is lost
                errors.report("LINE webhook accept", exc)
                return JSONResponse({"message": "try again"}, status_code=503)
            if fresh and worker:
                worker.wake()
        return JSONResponse({"message": "ok"})

    app.state.intake, app.state.worker = intake, worker
    return app


def serve(host: str, port: int, workers: int = 0, intake_only: bool = False) -> None:
    import uvicorn

    from assistant.settings import get_settings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    db = open_database(settings)
    answer_here = not workers and not intake_only
    if answer_here or not db.durable:
        from assistant.pipeline import get_assistant

        assistant = get_assistant()
    else:
        assistant = None  # the webhook only stores events: no model, no index in this process
    app = create_app(assistant, settings, db, workers=workers, answer_here=answer_here, port=port)
    print(msg.LINE_STARTED.format(url=f"http://{host}:{port}/line/webhook"), flush=True)
    uvicorn.run(app, host=host, port=port, log_level="warning", timeout_graceful_shutdown=5)


def work(name: str | None = None) -> None:
    """`python -m assistant worker`: answer stored LINE events until SIGTERM/SIGINT."""
    import signal

    from assistant.pipeline import get_assistant
    from assistant.settings import get_settings

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = get_settings()
    db = open_database(settings)
    if not db.durable:
        raise RuntimeError("a LINE worker needs a database other processes can reach: DATA_DIR is unusable "
                           "and DATABASE_URL is not set")
    worker = Worker(LineBot(get_assistant(), settings, db), EventQueue(
        db, settings.line_event_lease_s, settings.line_event_max_attempts), name or worker_name(f"worker:{os.getpid()}"))

    async def main():
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        print(msg.LINE_WORKER_STARTED.format(name=worker.name, url=db.url), flush=True)
        await worker.run(stop)

    asyncio.run(main())
    if worker.bot.pool is not None:  # queued answers would be composed and thrown away
        worker.bot.pool.shutdown(wait=False, cancel_futures=True)
