"""Many processes, one state: two webhook processes and two workers on one PostgreSQL and one `chroma run`.

Real servers only: PostgreSQL from Debian's packages (tests/postgres.py), Chroma's own server, the webhook and
worker processes as a deployment runs them (`line --intake-only`, `worker --name …`), real signed HTTP, and the
LINE stand-in of tests/test_line.py (a reply token works once, a repeated push retry key is refused), so
"answered exactly once" is counted where LINE would count it."""

from __future__ import annotations

import concurrent.futures
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from assistant.line_bot import retry_key
from assistant.settings import ROOT
from tests.helpers import free_port, wait_until_serving
from tests.test_line import SECRET, TOKEN, Webhook, event

QUESTIONS = ["การทำสัญญาข้อตกลงมีกี่ขั้นตอน", "Grant คืออะไร", "คอมมิชชั่นนิ่งมีกี่ขั้นตอน",
             "ขั้นตอนที่ 3 ของ Grant คืออะไร", "ปัจจัยแห่งความสำเร็จมีอะไรบ้าง"]


def user(i: int) -> dict:
    return {"type": "user", "userId": f"Umany{i:04d}"}


class Process:
    """`python -m assistant <args>` with its output in a file (a pipe nobody reads would fill and block it)."""

    def __init__(self, args: list[str], env: dict, log: Path, port: int | None = None):
        self.args, self.env, self.log, self.port = args, env, log, port
        self.start()

    def start(self):
        self.starts = getattr(self, "starts", 0) + 1
        self.out = open(self.log, "a")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen([sys.executable, "-m", "assistant", *self.args], cwd=ROOT, env=self.env,
                                     stdout=self.out, stderr=subprocess.STDOUT)
        if self.port:
            wait_until_serving(self.proc, self.port, timeout=120)
        else:  # a worker: ready when it says so (again, after a restart)
            deadline = time.time() + 180
            while self.log.read_text().count("LINE worker") < self.starts and time.time() < deadline:
                assert self.proc.poll() is None, self.log.read_text()[-3000:]
                time.sleep(0.3)

    def stop(self, sig=signal.SIGTERM):
        self.proc.send_signal(sig)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
        self.out.close()


class Hook(Webhook):
    """A webhook process that only stores (tests/test_line.Webhook's signing and posting)."""

    def __init__(self, env: dict, log: Path):
        self.port, self.env, self.log = free_port(), env, log
        self.start()

    def start(self):
        self.runner = Process(["line", "--intake-only", "--port", str(self.port)], self.env, self.log, self.port)
        self.proc = self.runner.proc

    def stop(self):
        self.runner.stop()


@pytest.fixture(scope="module")
def chroma(built, embedder, tmp_path_factory):
    from assistant.index import build

    exe = shutil.which("chroma", path=str(Path(sys.executable).parent))
    port = free_port()
    proc = subprocess.Popen([exe, "run", "--path", str(tmp_path_factory.mktemp("chroma")), "--host", "127.0.0.1",
                             "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wait_until_serving(proc, port, timeout=60)
    build(built.model_copy(update={"chroma_host": "127.0.0.1", "chroma_port": port}), progress=False,
          embedder=embedder)
    yield port
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def fleet(built, chroma, postgres, line, tmp_path_factory):
    """Two webhooks and two workers sharing one PostgreSQL database and one Chroma server."""
    tmp = tmp_path_factory.mktemp("fleet")
    env = {**os.environ, "CORPUS_DIR": str(built.corpus_dir), "DATA_DIR": str(tmp / "data"),
           "INDEX_DIR": str(tmp / "no-local-index"), "CHROMA_HOST": "127.0.0.1", "CHROMA_PORT": str(chroma),
           "DATABASE_URL": postgres.create_database("fleet"), "LINE_CHANNEL_SECRET": SECRET,
           "LINE_CHANNEL_ACCESS_TOKEN": TOKEN, "LINE_API_BASE": line.url, "LINE_RATE_LIMIT": "100000",
           "LINE_EVENT_LEASE_S": "6", "LINE_POLL_S": "0.1"}
    hooks = [Hook(env, tmp / f"hook{i}.log") for i in range(2)]
    workers = [Process(["worker", "--name", f"test-w{i}"], env, tmp / f"worker{i}.log") for i in range(2)]
    yield hooks, workers, env["DATABASE_URL"]
    for p in [*hooks, *workers]:
        if p.proc.poll() is None:
            p.stop()


def delivered(line, payload) -> list[dict]:
    """The messages LINE accepted for this event: its reply token, or pushes with its retry key."""
    e = payload["events"][0]
    key = retry_key(e["webhookEventId"])
    return [c for c in line.calls if c["status"] == 200 and "messages" in c["body"]
            and (c["body"].get("replyToken") == e["replyToken"] or c["retry_key"] == key)]


def texts(calls) -> str:
    return "".join(m.get("text", "") for c in calls for m in c["body"]["messages"])


def wait_for(condition, timeout: float) -> bool:
    deadline = time.time() + timeout
    while time.time() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return condition()


def test_300_events_redelivered_and_a_killed_worker_each_answered_exactly_once(fleet, line):
    hooks, workers, database = fleet
    payloads = [event(text=QUESTIONS[i % len(QUESTIONS)], source=user(i % 30)) for i in range(300)]
    posts = [(hooks[i % 2], p) for i, p in enumerate(payloads)]
    redeliveries = []
    for i, p in enumerate(payloads[::3]):  # a third comes again, to the *other* process
        again = {**p, "events": [{**p["events"][0], "deliveryContext": {"isRedelivery": True}}]}
        redeliveries.append((hooks[(3 * i + 1) % 2], again))
    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        first = list(pool.map(lambda hp: hp[0].post(hp[1]), posts[:150]))
        assert wait_for(lambda: sum(bool(delivered(line, p)) for p in payloads[:150]) >= 40, 120)
        workers[0].stop(signal.SIGKILL)  # mid-run, holding claimed events: no clean shutdown
        rest = list(pool.map(lambda hp: hp[0].post(hp[1]), posts[150:] + redeliveries))
    assert first + rest == [200] * (300 + len(redeliveries))
    assert wait_for(lambda: all(delivered(line, p) for p in payloads), 240), \
        f"{sum(not delivered(line, p) for p in payloads)} events unanswered"
    workers[0].start()  # back with the same name: takes back what it held, answers nothing twice
    time.sleep(3)
    for p in payloads:
        got = delivered(line, p)
        assert len(got) == 1, (p["events"][0]["webhookEventId"], got)
        assert "ขัดข้อง" not in texts(got)
    engine = create_engine(database)
    with engine.connect() as conn:  # who answered last, and how often events had to be claimed
        by_worker = dict(conn.execute(text("SELECT claimed_by, count(*) FROM line_events GROUP BY claimed_by")).all())
        reclaimed = conn.execute(text("SELECT count(*) FROM line_events WHERE attempts > 1")).scalar_one()
    engine.dispose()
    print(f"\nanswered by {by_worker}; claimed again after the kill: {reclaimed}")
    assert by_worker.get("test-w0", 0) > 0 and by_worker.get("test-w1", 0) > 0  # the work was shared
    assert reclaimed >= 1  # the killed worker held events, and the other one answered them


def test_a_follow_up_to_the_other_process_and_after_a_full_restart_keeps_its_context(fleet, line):
    hooks, workers, _ = fleet
    me = {"type": "user", "userId": "Ufollowup"}
    first = event(text="การทำสัญญาข้อตกลงมีกี่ขั้นตอน", source=me)
    assert hooks[0].post(first) == 200
    assert wait_for(lambda: delivered(line, first), 60) and "9 ขั้นตอน" in texts(delivered(line, first))
    second = event(text="แล้วขั้นตอนที่ 6 ล่ะ", source=me)
    assert hooks[1].post(second) == 200  # the other webhook; either worker answers
    assert wait_for(lambda: delivered(line, second), 60)
    assert "Mid-term Evaluation" in texts(delivered(line, second))

    for p in [*hooks, *workers]:  # everything restarts: the conversation is in PostgreSQL
        p.stop()
    for p in [*hooks, *workers]:
        p.start()
    third = event(text="ขั้นต่อไปล่ะ", source=me)
    assert hooks[1].post(third) == 200
    assert wait_for(lambda: delivered(line, third), 60)
    assert "ขั้นตอนที่ 7" in texts(delivered(line, third))
    cite = event(kind="postback", source=me, postback={"data": "action=cite&n=1"})
    assert hooks[0].post(cite) == 200  # the last answer's citations survived the restart too
    assert wait_for(lambda: delivered(line, cite), 60)
    assert "หน้า" in texts(delivered(line, cite))
