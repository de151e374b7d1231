"""Evaluation metrics as pure functions (unit-tested in tests/test_eval_metrics.py)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable


def covers(gold: Iterable[str], section_id: str) -> bool:
    return section_id in set(gold)


def first_hit_rank(retrieved: list[str], gold: list[str]) -> int | None:
    for rank, sid in enumerate(retrieved, start=1):
        if covers(gold, sid):
            return rank
    return None


def hit_at(rank: int | None, k: int) -> float:
    return 1.0 if rank is not None and rank <= k else 0.0


def reciprocal_rank(rank: int | None) -> float:
    return 1.0 / rank if rank else 0.0


def must_include_ok(answer: str, groups: list[list[str]]) -> bool:
    """Every group must have at least one alternative in the answer (case-insensitive)."""
    low = answer.lower()
    return all(any(alt.lower() in low for alt in group) for group in groups)


def _squad_tokens(text: str, tokenize) -> list[str]:
    text = re.sub(r"[^\w\s\u0e00-\u0e7f]", " ", text.lower())
    return [t for t in tokenize(text) if t.strip()]


def token_f1(prediction: str, reference: str, tokenize) -> float:
    """SQuAD-style F1 over tokens (Thai segmented with newmm by the caller's tokenize)."""
    pred, ref = _squad_tokens(prediction, tokenize), _squad_tokens(reference, tokenize)
    if not pred or not ref:
        return float(pred == ref)
    common = Counter(pred) & Counter(ref)
    same = sum(common.values())
    if same == 0:
        return 0.0
    precision, recall = same / len(pred), same / len(ref)
    return 2 * precision * recall / (precision + recall)


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]
