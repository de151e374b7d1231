"""An ASGI layer in front of the web UI (and the LINE webhook when mounted beside it).

Contract:
- `POST /login`: after LOGIN_MAX_FAILURES wrong passwords for one user name, or LOGIN_ADDRESS_MAX_FAILURES
  from one client address, within LOGIN_WINDOW_S, further attempts for that name or address are refused with
  429 and a Thai message for LOGIN_LOCKOUT_S, even with the right password. A success clears the count.
- Gradio's "queue full" (503, which its page turns into an English sentence) becomes 429 with a Thai message
  in `detail`, which the page shows as is.
- An upload larger than DOCS_MAX_BYTES, which Gradio refuses while it streams in (413, English), gets the
  same 413 with a Thai `detail`; nothing of it is kept.
Gradio's login is a minimum: for real identities put the UI behind the ministry's reverse proxy / SSO
(see README "Security and data").
"""

from __future__ import annotations

import json
import math
import re
import time
import urllib.parse
from collections import deque

from assistant import messages

MAX_LOGIN_BODY = 64 * 1024


class LoginThrottle:
    """Failure counts per key ("user:…", "addr:…") in a sliding window, and lockouts."""

    def __init__(self, max_user: int, max_address: int, window_s: float, lockout_s: float, clock=time.monotonic):
        self.max_user, self.max_address = max_user, max_address
        self.window_s, self.lockout_s, self.clock = window_s, lockout_s, clock
        self.failures: dict[str, deque] = {}
        self.locked_until: dict[str, float] = {}

    def _limit(self, key: str) -> int:
        return self.max_user if key.startswith("user:") else self.max_address

    def retry_after(self, keys: list[str]) -> float:
        now = self.clock()
        return max([self.locked_until.get(k, 0.0) - now for k in keys] + [0.0])

    def failed(self, keys: list[str]) -> None:
        now = self.clock()
        if len(self.failures) > 50_000:  # bounded memory under a flood of made-up names
            self.failures = {k: q for k, q in self.failures.items() if q and now - q[-1] < self.window_s}
        for key in keys:
            q = self.failures.setdefault(key, deque())
            q.append(now)
            while q and now - q[0] > self.window_s:
                q.popleft()
            if len(q) >= self._limit(key):
                self.locked_until[key] = now + self.lockout_s
                q.clear()

    def succeeded(self, keys: list[str]) -> None:
        for key in keys:
            self.failures.pop(key, None)


def _username(body: bytes, content_type: str) -> str:
    if "multipart/form-data" in content_type:
        m = re.search(rb'name="username"\r\n(?:[^\r\n]+\r\n)*\r\n(.*?)\r\n--', body, re.S)
        return m.group(1).decode("utf-8", "replace").strip() if m else ""
    form = urllib.parse.parse_qs(body.decode("utf-8", "replace"))
    return (form.get("username") or [""])[0].strip()


async def _send_json(send, status: int, detail: str, headers: list | None = None) -> None:
    body = json.dumps({"detail": detail, "error": detail}, ensure_ascii=False).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json; charset=utf-8"),
                            (b"content-length", str(len(body)).encode()), *(headers or [])]})
    await send({"type": "http.response.body", "body": body})


class WebGuard:
    def __init__(self, app, settings, clock=time.monotonic):
        self.app = app
        self.upload_limit_mb = settings.docs_max_bytes // 1_000_000
        self.throttle = LoginThrottle(settings.login_max_failures, settings.login_address_max_failures,
                                      settings.login_window_s, settings.login_lockout_s, clock)

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope["method"] == "POST":
            path = scope["path"].rstrip("/")
            if path == "/login":
                return await self._login(scope, receive, send)
            if path.endswith("/gradio_api/queue/join"):
                return await self._translate(scope, receive, send, 503, 429, messages.QUEUE_FULL,
                                             [(b"retry-after", b"5")])
            if path.endswith("/gradio_api/upload"):
                return await self._translate(scope, receive, send, 413, 413,
                                             messages.UPLOAD_TOO_LARGE.format(limit=self.upload_limit_mb))
        return await self.app(scope, receive, send)

    async def _login(self, scope, receive, send):
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > MAX_LOGIN_BODY:
                return await _send_json(send, 413, messages.LOGIN_TOO_LARGE)
        headers = dict(scope.get("headers") or [])
        user = _username(body, headers.get(b"content-type", b"").decode("latin-1"))
        address = (scope.get("client") or ("unknown",))[0]
        keys = [f"user:{user.casefold()}", f"addr:{address}"]
        wait = self.throttle.retry_after(keys)
        if wait > 0:
            seconds = math.ceil(wait)
            return await _send_json(send, 429, messages.LOGIN_LOCKED.format(seconds=seconds),
                                    [(b"retry-after", str(seconds).encode())])
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        status: dict[str, int] = {}

        async def capture(message):
            if message["type"] == "http.response.start":
                status["code"] = message["status"]
            await send(message)

        await self.app(scope, replay, capture)
        if status.get("code") == 200:
            self.throttle.succeeded(keys)
        elif status.get("code") in (400, 401, 403):
            self.throttle.failed(keys)

    async def _translate(self, scope, receive, send, status: int, new_status: int, detail: str,
                         headers: list | None = None):
        """Pass the request through; a response with `status` is replaced by `new_status` with a Thai detail."""
        swallowing = False

        async def translate(message):
            nonlocal swallowing
            if message["type"] == "http.response.start" and message["status"] == status:
                swallowing = True
                await _send_json(send, new_status, detail, headers)
                return
            if not swallowing:
                await send(message)

        await self.app(scope, receive, translate)
