"""`python -m eval`: run the gold set through the system, print a table, write reports, gate CI."""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from assistant import ids
from assistant.corpus import squash
from assistant.settings import ROOT
from assistant.tasks import starts_with_verb
from eval.metrics import first_hit_rank, hit_at, must_include_ok, percentile, reciprocal_rank, token_f1

GOLD = ROOT / "eval" / "gold.jsonl"
REPORTS = ROOT / "eval" / "reports"
SPLITS = ("dev", "test")  # tune on dev; CI gates on test, which nobody tunes on
OOS_CLASSES = ("general", "law", "numbers", "other_topic", "chitchat", "near_miss")
# What issue 10 asks of the test split. Not met yet: `python -m eval` prints the gap, row by row.
TARGETS = {
    ("answers", "default · test", "must-include"): 0.93,
    ("answers", "default · test", "out-of-scope refused"): 0.97,
    ("answers", "default · test", "citation validity"): 1.0,
    ("answers", "default · test", "situation model = checklist"): 0.95,
    **{("refusals", cls, "test"): 1.0 if cls == "general" else 0.97 for cls in OOS_CLASSES},
}
TARGET_MAXIMUMS = {("answers", "default · test", "false refusals"): 0.03,
                   ("answers", "default · test", "English gap"): 0.05}
# What CI enforces on the test split: the levels measured when the split was made (see eval/README.md), so a
# change that makes held-out answers worse fails. Raise them as the system improves, never lower them to pass.
THRESHOLDS = {
    ("retrieval", "hybrid · test", "hit@3"): 0.73,  # measured 0.750 (0.734 before the English glossary grew)
    ("answers", "default · test", "must-include"): 0.77,  # 0.781 (0.762 before issue 10's seventh session, 0.724 before the sixth)
    # English on its own, instead of a ceiling on the gap to Thai: Thai rose 0.620 → 0.704 and English 0.559 →
    # 0.588 in one change, which widened the gap to 0.116 with no English regression. A gap ceiling fails a
    # Thai gain; this floor fails an English loss. The gap stays one of issue 10's targets (TARGET_MAXIMUMS).
    ("answers", "default · test", "must-include en"): 0.70,  # 0.735 (25 of 34; one item is 0.029; 0.706 before)
    ("answers", "default · test", "citation validity"): 1.0,
    ("answers", "default · test", "out-of-scope refused"): 0.87,  # 0.893 (0.857 before the neighbour affinity)
    ("answers", "default · test", "situation model = checklist"): 0.95,  # 0.963
    ("checklists", "default · test", "model accuracy"): 0.90,  # 0.936 (47 situations, 20 new in issue 11)
    ("checklists", "default · test", "step coverage"): 1.0,
    ("checklists", "default · test", "sub-point coverage"): 1.0,
    ("checklists", "default · test", "verb-first rate"): 1.0,
    ("checklists", "default · test", "tailoring rate"): 0.70,  # 0.753 (quotes before the task files: 0.000)
    ("checklists", "default · test", "citation validity"): 1.0,
    # 9–10 test items per class: one item is 0.10–0.11
    ("refusals", "general", "test"): 1.0,
    ("refusals", "chitchat", "test"): 0.90,  # 1.000 (0.900 before the instruction veto)
    ("refusals", "law", "test"): 0.88,  # 1.000
    ("refusals", "numbers", "test"): 0.88,  # 0.889
    ("refusals", "other_topic", "test"): 0.88,  # 1.000 (0.889 before issue 10's fourth session)
    ("refusals", "near_miss", "test"): 0.50,  # 0.500 (0.400 before)
}
MAXIMUMS = {("answers", "default · test", "false refusals"): 0.03}  # 0.000 (0.019 before)
RETRIEVED_TYPES = frozenset({"out_of_scope", "scenario", "situation"})  # answered without the retriever's ranking


def load_gold(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.open(encoding="utf-8") if line.strip()]


def split(items: list[dict], name: str) -> list[dict]:
    return [i for i in items if i.get("split", "dev") == name]


def retrieval_rows(items: list[dict]) -> dict[str, dict[str, float]]:
    from assistant.pipeline import get_searcher

    searcher = get_searcher()
    rows = {}
    for mode in ("bm25", "dense", "hybrid", "reranked"):
        for name in SPLITS:
            questions = retrievable(items, name)
            if not questions:
                continue
            ranks, latencies = [], []
            for item in questions:
                started = time.perf_counter()
                hits = searcher.search(item["question"], 5, mode=mode)
                latencies.append((time.perf_counter() - started) * 1000)
                ranks.append(first_hit_rank([h.chunk.section_id for h in hits], item["gold_sections"]))
            rows[f"{mode} · {name}"] = ranking_row(ranks, latencies)
    return rows


def retrievable(items: list[dict], name: str) -> list[dict]:
    """The split's questions that retrieval alone should answer: standalone, with gold sections."""
    return [i for i in split(items, name)
            if i["type"] not in RETRIEVED_TYPES and not i.get("history") and i["gold_sections"]]


def ranking_row(ranks: list[int | None], latencies: list[float], deepest: int = 5) -> dict[str, float]:
    """hit@1/3/5, MRR and p50 of first-hit ranks (`deepest`: how many were retrieved, for the hit@5 column)."""
    n = len(ranks)
    return {"n": n, "hit@1": sum(hit_at(r, 1) for r in ranks) / n, "hit@3": sum(hit_at(r, 3) for r in ranks) / n,
            "hit@5": sum(hit_at(r, deepest) for r in ranks) / n, "mrr": sum(reciprocal_rank(r) for r in ranks) / n,
            "p50 ms": percentile(latencies, 50)}


def _share(values: list[bool]) -> float:
    return sum(values) / len(values) if values else 1.0


def answer_rows(items: list[dict]) -> tuple[dict, dict, list[str]]:
    """Every question through `Assistant.ask` (the function the CLI's --batch calls), per split; situation
    questions are also given to `checklist.draft`, and the answer must name the model the tool picks."""
    from assistant.checklist import draft
    from assistant.partnership import NAMES
    from assistant.pipeline import get_assistant
    from assistant.segment import words

    assistant = get_assistant()
    corpus = assistant.corpus
    rows, refusals, failures = {}, {cls: {} for cls in OOS_CLASSES}, []
    for name in SPLITS:
        questions = [i for i in split(items, name) if i["type"] != "scenario"]
        if not questions:
            continue
        must: dict[str, list[bool]] = {"th": [], "en": []}
        f1, precise, valid, cites, latencies = [], 0, 0, 0, []
        oos: dict[str, list[bool]] = {cls: [] for cls in OOS_CLASSES}
        false_refusals, agrees = [], []
        for item in questions:
            started = time.perf_counter()
            answer = assistant.ask(item["question"], item.get("history") or [])
            latencies.append((time.perf_counter() - started) * 1000)
            for c in answer.citations:
                cites += 1
                precise += c.section_id in item["gold_sections"]
                valid += corpus.contains(c)
            if item["type"] == "out_of_scope":
                refused = answer.refused and not answer.citations
                oos.setdefault(item.get("oos_class", "other"), []).append(refused)
                if not refused:
                    failures.append(f"{name} {item['id']}: answered an out-of-scope question")
                continue
            false_refusals.append(answer.refused)
            ok = must_include_ok(answer.answer, item["must_include"])
            must[item.get("lang", "th")].append(ok)
            if not ok:
                failures.append(f"{name} {item['id']}: missing {item['must_include']}")
            f1.append(token_f1(answer.answer, item["reference_answer"], words))
            if item["type"] == "situation":
                picked = draft(assistant.recommender, item["question"]).model
                agrees.append(NAMES[picked] in answer.answer)
        every_oos = [r for v in oos.values() for r in v]
        rows[f"default · {name}"] = {
            "n": len(questions),
            "must-include": _share(must["th"] + must["en"]),
            "must-include th": _share(must["th"]),
            "must-include en": _share(must["en"]),
            "English gap": max(0.0, _share(must["th"]) - _share(must["en"])),
            "token F1": sum(f1) / len(f1),
            "citation precision": precise / cites if cites else 0.0,
            "citation validity": valid / cites if cites else 0.0,
            "out-of-scope refused": _share(every_oos),
            "false refusals": sum(false_refusals) / len(false_refusals),
            "situation model = checklist": _share(agrees),
            "p50 ms": percentile(latencies, 50),
            "p95 ms": percentile(latencies, 95),
        }
        for cls in OOS_CLASSES:
            refusals[cls][name] = _share(oos[cls])
            refusals[cls][f"n {name}"] = len(oos[cls])
    return rows, refusals, failures


def checklist_rows(items: list[dict]) -> tuple[dict, dict]:
    """Every situation through `checklist.draft`, the function the CLI's --batch calls: the checklist
    tool's scenarios and the situation questions asked in chat. Besides the model: are all steps and all
    sub-points of every step covered, does every task start with a verb, does the situation's own service
    or target group (annotated in the gold item) appear in the tasks, is every citation verbatim."""
    from collections import Counter

    from assistant.checklist import draft
    from assistant.pipeline import get_assistant

    assistant = get_assistant()
    recommender = assistant.recommender
    rows, matrix = {}, {}
    curated = recommender.task_files
    # "quotes" is the checklist before the task files (the guide's sentences as items), on the same situations
    for label, name in [(label, name) for label in ("default", "quotes") for name in SPLITS]:
        scenarios = [i for i in split(items, name) if i["type"] in ("scenario", "situation")]
        if not scenarios:
            continue
        recommender.task_files = curated if label == "default" else {}
        confusion: Counter = Counter()
        acceptable, steps_ok, points_ok, verbs, tasks, tailored, slots, cites, valid = 0, 0, 0, 0, 0, 0, 0, 0, 0
        latencies = []
        for item in scenarios:
            started = time.perf_counter()
            result = draft(recommender, item.get("scenario") or item["question"])
            latencies.append((time.perf_counter() - started) * 1000)
            confusion[(item["expected_model"], result.model)] += 1
            acceptable += result.model in (item.get("acceptable_models") or [item["expected_model"]])
            step_ok, point_ok = coverage(result, recommender.sections)
            steps_ok += step_ok
            points_ok += point_ok
            verbs += sum(starts_with_verb(i.text) for i in result.items)
            tasks += len(result.items)
            texts = [i.text for i in result.items] + [result.title]
            generic = [t.task for t in curated[result.model].tasks] if label == "default" else texts
            for key in ("service", "target"):
                specific = own_words(item.get(key) or "", generic)
                if specific:  # a phrase made only of words the tasks always say cannot show tailoring
                    slots += 1
                    tailored += shows(specific, texts)
            every = [i.citation for i in result.items] + [r.citation for r in result.reasons + result.why_not]
            every += [r.citation for r in result.readiness]
            cites += len(every)
            valid += sum(assistant.corpus.contains(c) for c in every)
        recommender.task_files = curated
        n = len(scenarios)
        rows[f"{label} · {name}"] = {"n": n, "model accuracy": sum(v for (a, b), v in confusion.items() if a == b) / n,
                                     "model acceptable": acceptable / n,
                                     "step coverage": steps_ok / n, "sub-point coverage": points_ok / n,
                                     "verb-first rate": verbs / tasks if tasks else 0.0,
                                     "tailoring rate": tailored / slots if slots else 0.0,
                                     "citation validity": valid / cites if cites else 0.0,
                                     "p50 ms": percentile(latencies, 50)}
        if label == "default":
            matrix[name] = {f"{a} → {b}": v for (a, b), v in sorted(confusion.items())}
    return rows, matrix


def coverage(result, sections: dict) -> tuple[bool, bool]:
    """Every step of the model has an item; every sub-point of every step is quoted by one of its items."""
    from assistant.tasks import covers, step_points

    steps = [sections[sid] for sid in sections[ids.steps_id(result.model)].children]
    by_step = {s.step: [i.citation.text for i in result.items if i.step == s.step] for s in steps}
    all_steps = all(by_step[s.step] for s in steps)
    all_points = all(any(covers(q, p) for q in by_step[s.step]) for s in steps for p in step_points(s.text))
    return all_steps, all_points


def own_words(phrase: str, generic: list[str]) -> set[str]:
    """The situation's content words that the untailored checklist does not already contain."""
    from assistant.segment import search_tokens

    return set(search_tokens(phrase)) - set(search_tokens(" ".join(generic)))


def shows(wanted: set[str], texts: list[str]) -> bool:
    """Most (60 %) of the situation's own words appear in the tasks or the title."""
    from assistant.segment import search_tokens

    present = set(search_tokens(" ".join(texts)))
    return len(wanted & present) / len(wanted) >= 0.6


def baseline_rows(items: list[dict]) -> tuple[dict, dict]:
    """The naive LangChain RAG, on the same questions, in the same run, per split. It never refuses."""
    from assistant.corpus import load_corpus
    from assistant.pipeline import get_searcher
    from assistant.segment import words
    from assistant.settings import get_settings
    from eval.baseline import NaiveRAG, overlaps, plain_text

    docs = load_corpus(get_settings().corpus_dir)
    sections = {s.id: s.text for d in docs for s in d.sections.values()}
    everything = "".join(squash(t) for t in sections.values())
    rag = NaiveRAG([plain_text(d) for d in docs], get_searcher().embedder)
    retrieval, answers = {}, {}
    for name in SPLITS:
        questions = retrievable(items, name)
        if not questions:
            continue
        ranks, latencies = [], []
        for item in questions:
            started = time.perf_counter()
            found = rag.search(item["question"], 4)
            latencies.append((time.perf_counter() - started) * 1000)
            gold_text = [sections[g] for g in item["gold_sections"] if sections.get(g)]
            ranks.append(next((r for r, c in enumerate(found, 1) if any(overlaps(c, t) for t in gold_text)), None))
        retrieval[f"naive LangChain RAG · {name}"] = ranking_row(ranks, latencies, deepest=4)
        asked = [i for i in split(items, name) if i["type"] != "scenario"]
        in_scope = [i for i in asked if i["type"] != "out_of_scope"]
        said = {i["id"]: rag.answer(i["question"]) for i in asked}
        by_lang = {lang: [must_include_ok(said[i["id"]], i["must_include"]) for i in in_scope if i.get("lang", "th") == lang]
                   for lang in ("th", "en")}
        answers[f"naive LangChain RAG · {name}"] = {
            "n": len(asked),
            "must-include": _share(by_lang["th"] + by_lang["en"]),
            "must-include th": _share(by_lang["th"]), "must-include en": _share(by_lang["en"]),
            "English gap": max(0.0, _share(by_lang["th"]) - _share(by_lang["en"])),
            "token F1": sum(token_f1(said[i["id"]], i["reference_answer"], words) for i in in_scope) / len(in_scope),
            "citation precision": sum(any(overlaps(said[i["id"]], sections[g]) for g in i["gold_sections"]
                                          if sections.get(g)) for i in in_scope) / len(in_scope),
            "citation validity": sum(squash(said[i["id"]]) in everything for i in in_scope) / len(in_scope),
            "out-of-scope refused": 0.0, "false refusals": 0.0, "situation model = checklist": 0.0,
            "p50 ms": percentile(latencies, 50), "p95 ms": percentile(latencies, 95),
        }
    return retrieval, answers


def render(title: str, rows: dict[str, dict[str, float]]) -> str:
    cols = list(next(iter(rows.values())))
    lines = [f"| {title} | " + " | ".join(cols) + " |", "|---" * (len(cols) + 1) + "|"]
    for name, row in rows.items():
        lines.append(f"| {name} | " + " | ".join(
            str(row[c]) if c == "n" or c.startswith("n ") else f"{row[c]:.0f}" if c.endswith(" ms") else f"{row[c]:.3f}"
            for c in cols) + " |")
    return "\n".join(lines)


def check(results: dict, minimums: dict = THRESHOLDS, maximums: dict = MAXIMUMS) -> list[str]:
    """The gates CI enforces; a row that is missing (no test items of that kind) fails too."""
    missed = []
    for key, bound in [*((k, (v, 1)) for k, v in minimums.items()), *((k, (v, -1)) for k, v in maximums.items())]:
        value = results.get(key[0], {}).get(key[1], {}).get(key[2])
        limit, sign = bound
        if value is None:
            missed.append(f"{'/'.join(key)} missing")
        elif (value - limit) * sign < 0:
            missed.append(f"{'/'.join(key)} = {value:.3f} {'<' if sign > 0 else '>'} {limit}")
    return missed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m eval", description="evaluate against a gold set (dev and test)")
    parser.add_argument("--gold", type=Path, default=GOLD)
    args = parser.parse_args(argv)
    items = load_gold(args.gold)
    results = {"retrieval": retrieval_rows(items)}
    results["answers"], results["refusals"], failures = answer_rows(items)
    results["checklists"], confusion = checklist_rows(items)
    base_retrieval, base_answers = baseline_rows(items)
    results["retrieval"].update(base_retrieval)
    results["answers"].update(base_answers)
    report = "\n\n".join(render(name, rows) for name, rows in results.items() if rows)
    report += "\n\nconfusion (expected → recommended): " + "; ".join(
        f"{name}: " + ", ".join(f"{k}: {v}" for k, v in m.items()) for name, m in confusion.items())
    print(report)
    REPORTS.mkdir(parents=True, exist_ok=True)
    (REPORTS / "report.md").write_text(report + "\n\n## Items that failed\n\n" + "\n".join(
        f"- {f}" for f in failures) + "\n", encoding="utf-8")
    (REPORTS / "report.json").write_text(json.dumps({**results, "confusion": confusion, "failures": failures},
                                                    ensure_ascii=False, indent=1), encoding="utf-8")
    for line in check(results, TARGETS, TARGET_MAXIMUMS):
        print(f"target not met (issue 10): {line}")
    missed = check(results)
    for line in missed:
        print(f"FAIL: {line}")
    print(f"reports: {REPORTS / 'report.md'} (gates on the test split)")
    return 1 if missed else 0
