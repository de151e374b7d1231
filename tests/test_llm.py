"""The optional OpenAI-compatible backend.

Fallback paths run in `make test` against real HTTP endpoints on 127.0.0.1 that misbehave in scripted ways
(closed port, no answer, empty stream, invented passage numbers). The real-model tests (marker `llm`,
`make test-llm`) start tests/llm_server.py over Qwen2.5-Coder-0.5B and go through the same chain."""

import json
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from assistant import messages
from assistant.citations import CorpusText
from assistant.corpus import load_corpus
from assistant.llm import LLMBackend, build_messages
from assistant.pipeline import Assistant
from assistant.settings import ROOT
from tests.helpers import free_port, wait_until_serving

IN_SCOPE = "รูปแบบการให้เงินอุดหนุนมีกี่ขั้นตอน"


@contextmanager
def scripted_endpoint(tokens: list[str]):
    """The URL of an OpenAI-compatible endpoint on 127.0.0.1 that streams the given tokens."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            self.rfile.read(int(self.headers["Content-Length"]))
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for t in [*tokens, None]:
                delta = {"content": t} if t is not None else {}
                chunk = {"id": "x", "object": "chat.completion.chunk", "created": 0, "model": "m",
                         "choices": [{"index": 0, "delta": delta, "finish_reason": None if t else "stop"}]}
                self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
            self.wfile.write(b"data: [DONE]\n\n")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/v1"
    finally:
        server.shutdown()


def _assistant(searcher, built, url, timeout=5.0):
    return Assistant(searcher, built, LLMBackend(url, "m", "k", timeout))


def _fell_back(answer):
    return answer.answer.endswith(messages.LLM_FALLBACK_NOTE) and answer.backend == "default" and answer.citations


def test_unreachable_endpoint_falls_back_to_the_default_answer(searcher, built):
    answer = _assistant(searcher, built, f"http://127.0.0.1:{free_port()}/v1").ask(IN_SCOPE)
    assert _fell_back(answer) and "4 ขั้นตอน" in answer.answer


def test_an_endpoint_that_never_answers_times_out_into_the_fallback(searcher, built):
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        started = time.perf_counter()
        answer = _assistant(searcher, built, f"http://127.0.0.1:{silent.getsockname()[1]}/v1", timeout=1).ask(IN_SCOPE)
    assert _fell_back(answer) and time.perf_counter() - started < 10


def test_empty_output_falls_back(searcher, built):
    with scripted_endpoint([]) as url:
        assert _fell_back(_assistant(searcher, built, url).ask(IN_SCOPE))


def test_invented_passage_numbers_are_dropped_and_a_citation_less_answer_falls_back(searcher, built):
    with scripted_endpoint(["มี 4 ขั้นตอน [1] ", "ตามระเบียบพัสดุ [42]"]) as url:
        events = list(_assistant(searcher, built, url).stream(IN_SCOPE))
    answer = events[-1]["answer"]
    assert [e["text"] for e in events[:-1]] == ["มี 4 ขั้นตอน [1] ", "ตามระเบียบพัสดุ [42]"]
    assert answer.backend == "llm:m" and answer.answer == "มี 4 ขั้นตอน [1] ตามระเบียบพัสดุ"
    assert len(answer.citations) == 1 and answer.citations[0].section_id == "grant.steps"
    with scripted_endpoint(["ตามระเบียบพัสดุ [42]"]) as url:
        assert _fell_back(_assistant(searcher, built, url).ask(IN_SCOPE))


def test_the_llm_never_overrides_a_refusal(searcher, built):
    with scripted_endpoint(["ตอบได้ [1]"]) as url:
        events = list(_assistant(searcher, built, url).stream("ราคาทองคำวันนี้เท่าไร"))
    assert len(events) == 1 and events[0]["answer"].refused and not events[0]["answer"].citations


def test_prompt_numbers_the_passages_and_asks_for_thai():
    from assistant.citations import Citation

    msgs = build_messages("คำถาม", [Citation("a", "หัวข้อ ก", 1, "d", "ข้อความหนึ่ง"),
                                     Citation("b", "หัวข้อ ข", 2, "d", "ข้อความสอง")])
    assert "ภาษาไทย" in msgs[0][1] and "[n]" in msgs[0][1]
    assert "[1] (หัวข้อ ก) ข้อความหนึ่ง" in msgs[1][1] and "[2] (หัวข้อ ข) ข้อความสอง" in msgs[1][1]


# ---------------------------------------------------------------- the real model (make test-llm)


@pytest.fixture(scope="module")
def real_llm_url():
    port = free_port()
    proc = subprocess.Popen([sys.executable, str(ROOT / "tests" / "llm_server.py"), "--port", str(port),
                             "--model-dir", str(ROOT / "data" / "llm-test")])
    wait_until_serving(proc, port, "/v1/models")
    yield f"http://127.0.0.1:{port}/v1"
    proc.terminate()
    proc.wait(20)


@pytest.mark.llm
def test_real_model_streams_a_thai_answer_whose_citations_are_all_valid(searcher, built, real_llm_url):
    assistant = Assistant(searcher, built, LLMBackend(real_llm_url, "qwen", "k", 120))
    events = list(assistant.stream(IN_SCOPE))
    tokens, answer = [e for e in events if e["type"] == "token"], events[-1]["answer"]
    assert len(tokens) >= 1 and answer.citations
    corpus = CorpusText(load_corpus(built.corpus_dir))
    assert all(corpus.contains(c) for c in answer.citations)
    assert answer.backend == "llm:qwen" or _fell_back(answer)


@pytest.mark.llm
def test_real_model_on_the_dev_set_citation_validity_before_and_after_the_validator(searcher, built, real_llm_url):
    gold = [json.loads(line) for line in (ROOT / "eval" / "gold.jsonl").open()]
    questions = [g for g in gold if g["type"] in ("fact", "steps", "suitability", "definition")][:6]
    questions += [g for g in gold if g["type"] == "out_of_scope"][:2]
    assistant = Assistant(searcher, built, LLMBackend(real_llm_url, "qwen", "k", 120))
    corpus = CorpusText(load_corpus(built.corpus_dir))
    raw_markers = raw_valid = llm_answers = fallbacks = refused = 0
    latencies = []
    for item in questions:
        started = time.perf_counter()
        state = assistant.chain.invoke({"question": item["question"], "history": []})
        events = list(assistant.stream(item["question"]))
        latencies.append(time.perf_counter() - started)
        answer = events[-1]["answer"]
        raw = "".join(e["text"] for e in events if e["type"] == "token")
        if raw:
            passages = assistant._passages(state["answer"], state["hits"])
            markers = [int(m) for m in __import__("re").findall(r"\[(\d+)\]", raw)]
            raw_markers += len(markers)
            raw_valid += sum(1 <= m <= len(passages) for m in markers)
        refused += answer.refused
        llm_answers += answer.backend.startswith("llm:")
        fallbacks += answer.answer.endswith(messages.LLM_FALLBACK_NOTE)
        assert all(corpus.contains(c) for c in answer.citations)  # after the validator: always valid
    n_oos = sum(1 for q in questions if q["type"] == "out_of_scope")
    print(f"\n0.5B model on {len(questions)} dev questions: raw markers {raw_markers}, pointing at a given passage "
          f"{raw_valid} ({raw_valid / max(raw_markers, 1):.2f}); after the validator 1.00; LLM answers {llm_answers}, "
          f"fallbacks {fallbacks}, refusals {refused}/{n_oos} out-of-scope; "
          f"p50 {sorted(latencies)[len(latencies) // 2]:.1f}s")
    assert refused >= n_oos
