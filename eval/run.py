"""`python -m eval`: run the gold set through the system, print a table, write reports, gate CI."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from assistant.settings import ROOT
from eval.metrics import first_hit_rank, hit_at, percentile, reciprocal_rank

GOLD = ROOT / "eval" / "gold.jsonl"
REPORTS = ROOT / "eval" / "reports"
THRESHOLDS = {"hybrid hit@3": 0.85}


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


def render(rows: dict[str, dict[str, float]]) -> str:
    cols = ["n", "hit@1", "hit@3", "hit@5", "mrr", "p50 ms"]
    lines = ["| retrieval | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for name, row in rows.items():
        lines.append(f"| {name} | " + " | ".join(
            str(row[c]) if c == "n" else f"{row[c]:.3f}" if c != "p50 ms" else f"{row[c]:.0f}" for c in cols) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval", description="evaluate against a gold set")
    parser.add_argument("--gold", type=Path, default=GOLD)
    args = parser.parse_args(argv)
    items = load_gold(args.gold)
    rows = retrieval_rows(items)
    table = render(rows)
    print(table)
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / "report.md").write_text(table + "\n", encoding="utf-8")
    (REPORTS / "report.json").write_text(json.dumps(rows, indent=1), encoding="utf-8")
    failed = [name for name, minimum in THRESHOLDS.items() if rows["hybrid"]["hit@3"] < minimum]
    for name in failed:
        print(f"FAIL: {name} below {THRESHOLDS[name]}")
    return 1 if failed else 0
