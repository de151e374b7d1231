"""`python -m eval`: run the gold set through the system, print a table, write reports, gate CI."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from assistant.corpus import squash
from assistant.partnership import MODELS
from assistant.settings import ROOT
from eval.metrics import first_hit_rank, hit_at, must_include_ok, percentile, reciprocal_rank, token_f1

GOLD = ROOT / "eval" / "gold.jsonl"
REPORTS = ROOT / "eval" / "reports"
# Minimums CI enforces; raise them as the system improves, never lower them to pass.
THRESHOLDS = {
    ("retrieval", "hybrid", "hit@3"): 0.95,
    ("answers", "default", "must-include"): 0.90,
    ("answers", "default", "citation validity"): 1.0,
    ("answers", "default", "out-of-scope refused"): 0.95,
    ("checklists", "default", "model accuracy"): 0.90,
    ("checklists", "default", "step completeness"): 1.0,
    ("checklists", "default", "citation validity"): 1.0,
}
MAXIMUMS = {("answers", "default", "false refusals"): 0.05}


def load_gold(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]


def retrieval_rows(items: list[dict]) -> dict[str, dict[str, float]]:
    from assistant.pipeline import get_searcher

    searcher = get_searcher()
    questions = [i for i in items if i["type"] not in ("out_of_scope", "scenario") and not i.get("history")]
    rows = {}
    for mode in ("bm25", "dense", "hybrid"):
        ranks, latencies = [], []
        for item in questions:
            started = time.perf_counter()
            hits = searcher.search(item["question"], 5, mode=mode)
            latencies.append((time.perf_counter() - started) * 1000)
            ranks.append(first_hit_rank([h.chunk.section_id for h in hits], item["gold_sections"]))
        n = len(ranks)
        rows[mode] = {
            "n": n,
            "hit@1": sum(hit_at(r, 1) for r in ranks) / n,
            "hit@3": sum(hit_at(r, 3) for r in ranks) / n,
            "hit@5": sum(hit_at(r, 5) for r in ranks) / n,
            "mrr": sum(reciprocal_rank(r) for r in ranks) / n,
            "p50 ms": percentile(latencies, 50),
        }
    return rows


def answer_rows(items: list[dict]) -> dict[str, dict[str, float]]:
    """Every question through `Assistant.ask`, the same function the CLI's --batch calls."""
    from assistant.pipeline import get_assistant
    from assistant.segment import words

    assistant = get_assistant()
    corpus = assistant.corpus
    questions = [i for i in items if i["type"] != "scenario"]
    must, f1, precise, valid, cites, refused_oos, oos, false_refusals, in_scope = [], [], 0, 0, 0, 0, 0, 0, 0
    latencies, failures = [], []
    for item in questions:
        started = time.perf_counter()
        answer = assistant.ask(item["question"], item.get("history") or [])
        latencies.append((time.perf_counter() - started) * 1000)
        if item["type"] == "out_of_scope":
            oos += 1
            refused_oos += answer.refused and not answer.citations
            if not answer.refused:
                failures.append(f"{item['id']}: answered an out-of-scope question")
            continue
        in_scope += 1
        false_refusals += answer.refused
        ok = must_include_ok(answer.answer, item["must_include"])
        must.append(ok)
        if not ok:
            failures.append(f"{item['id']}: missing {item['must_include']}")
        f1.append(token_f1(answer.answer, item["reference_answer"], words))
        for c in answer.citations:
            cites += 1
            precise += c.section_id in item["gold_sections"]
            valid += corpus.contains(c)
    return {"default": {
        "n": len(questions),
        "must-include": sum(must) / len(must),
        "token F1": sum(f1) / len(f1),
        "citation precision": precise / cites if cites else 0.0,
        "citation validity": valid / cites if cites else 0.0,
        "out-of-scope refused": refused_oos / oos if oos else 1.0,
        "false refusals": false_refusals / in_scope,
        "p50 ms": percentile(latencies, 50),
        "p95 ms": percentile(latencies, 95),
    }}, failures


def checklist_rows(items: list[dict]) -> tuple[dict, dict]:
    """Every situation through `checklist.draft`, the function the CLI's --batch calls."""
    from collections import Counter

    from assistant.checklist import draft
    from assistant.pipeline import get_assistant

    assistant = get_assistant()
    recommender = assistant.recommender
    steps = {m: len(recommender.sections[f"{m}.steps"].children) for m in MODELS}
    scenarios = [i for i in items if i["type"] == "scenario"]
    confusion: Counter = Counter()
    complete, cites, valid, latencies = 0, 0, 0, []
    for item in scenarios:
        started = time.perf_counter()
        result = draft(recommender, item["scenario"])
        latencies.append((time.perf_counter() - started) * 1000)
        confusion[(item["expected_model"], result.model)] += 1
        complete += {i.step for i in result.items if i.step} == set(range(1, steps[result.model] + 1))
        cites += len(result.items) + len(result.reasons)
        valid += sum(assistant.corpus.contains(c) for c in
                     [i.citation for i in result.items] + [r.citation for r in result.reasons])
    n = len(scenarios) or 1
    rows = {"default": {"n": len(scenarios),
                        "model accuracy": sum(v for (a, b), v in confusion.items() if a == b) / n,
                        "step completeness": complete / n, "citation validity": valid / cites if cites else 0.0,
                        "p50 ms": percentile(latencies, 50)}}
    matrix = {f"{a} → {b}": v for (a, b), v in sorted(confusion.items())}
    return rows, matrix


def baseline_rows(items: list[dict]) -> tuple[dict, dict]:
    """The naive LangChain RAG, on the same questions, in the same run."""
    from assistant.corpus import load_corpus
    from assistant.pipeline import get_searcher
    from assistant.segment import words
    from assistant.settings import get_settings
    from eval.baseline import NaiveRAG, overlaps

    docs = load_corpus(get_settings().corpus_dir)
    sections = {s.id: s.text for d in docs for s in d.sections.values()}
    everything = "".join(squash(t) for t in sections.values())
    rag = NaiveRAG([d.file.read_text(encoding="utf-8") for d in docs], get_searcher().embedder)
    questions = [i for i in items if i["type"] not in ("out_of_scope", "scenario") and not i.get("history")]
    ranks, latencies = [], []
    for item in questions:
        started = time.perf_counter()
        found = rag.search(item["question"], 4)
        latencies.append((time.perf_counter() - started) * 1000)
        gold_text = [sections[g] for g in item["gold_sections"] if sections.get(g)]
        ranks.append(next((r for r, c in enumerate(found, 1) if any(overlaps(c, t) for t in gold_text)), None))
    n = len(ranks)
    retrieval = {"n": n, "hit@1": sum(hit_at(r, 1) for r in ranks) / n, "hit@3": sum(hit_at(r, 3) for r in ranks) / n,
                 "hit@5": sum(hit_at(r, 4) for r in ranks) / n, "mrr": sum(reciprocal_rank(r) for r in ranks) / n,
                 "p50 ms": percentile(latencies, 50)}
    asked = [i for i in items if i["type"] != "scenario"]
    in_scope = [i for i in asked if i["type"] != "out_of_scope"]
    answers = {i["id"]: rag.answer(i["question"]) for i in asked}
    answer_row = {
        "n": len(asked),
        "must-include": sum(must_include_ok(answers[i["id"]], i["must_include"]) for i in in_scope) / len(in_scope),
        "token F1": sum(token_f1(answers[i["id"]], i["reference_answer"], words) for i in in_scope) / len(in_scope),
        "citation precision": sum(any(overlaps(answers[i["id"]], sections[g]) for g in i["gold_sections"]
                                      if sections.get(g)) for i in in_scope) / len(in_scope),
        "citation validity": sum(squash(answers[i["id"]]) in everything for i in in_scope) / len(in_scope),
        "out-of-scope refused": 0.0, "false refusals": 0.0,
        "p50 ms": percentile(latencies, 50), "p95 ms": percentile(latencies, 95),
    }
    return retrieval, answer_row


def render(title: str, rows: dict[str, dict[str, float]]) -> str:
    cols = list(next(iter(rows.values())))
    lines = [f"| {title} | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for name, row in rows.items():
        lines.append(f"| {name} | " + " | ".join(
            str(row[c]) if c == "n" else f"{row[c]:.0f}" if c.endswith(" ms") else f"{row[c]:.3f}"
            for c in cols) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval", description="evaluate against a gold set")
    parser.add_argument("--gold", type=Path, default=GOLD)
    args = parser.parse_args(argv)
    items = load_gold(args.gold)
    results = {"retrieval": retrieval_rows(items)}
    results["answers"], failures = answer_rows(items)
    results["checklists"], confusion = checklist_rows(items)
    base_retrieval, base_answers = baseline_rows(items)
    results["retrieval"]["naive LangChain RAG"] = base_retrieval
    results["answers"]["naive LangChain RAG"] = base_answers
    report = "\n\n".join(render(name, rows) for name, rows in results.items())
    report += "\n\nconfusion (expected → recommended): " + ", ".join(f"{k}: {v}" for k, v in confusion.items())
    print(report)
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / "report.md").write_text(report + "\n\n## Items that failed\n\n" + "\n".join(
        f"- {f}" for f in failures) + "\n", encoding="utf-8")
    (REPORTS / "report.json").write_text(json.dumps({**results, "confusion": confusion, "failures": failures},
                                                    ensure_ascii=False,
                                                    indent=1), encoding="utf-8")
    missed = [f"{'/'.join(key)} = {results[key[0]][key[1]][key[2]]:.3f} < {minimum}"
              for key, minimum in THRESHOLDS.items() if results[key[0]][key[1]][key[2]] < minimum]
    missed += [f"{'/'.join(key)} = {results[key[0]][key[1]][key[2]]:.3f} > {maximum}"
               for key, maximum in MAXIMUMS.items() if results[key[0]][key[1]][key[2]] > maximum]
    for line in missed:
        print(f"FAIL: {line}")
    print(f"reports: {REPORTS / 'report.md'}")
    return 1 if missed else 0
