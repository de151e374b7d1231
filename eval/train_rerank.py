"""`python -m eval.train_rerank`: fit the learned reranker on the dev split and write assistant/rerank_model.json.

Every retrievable dev question (standalone, with gold sections; the retrieval table's questions) goes through
the hybrid retriever's fusion and structure votes (mode "fused"); each of its candidates is a row of `rerank.FEATURES`, labelled 1 when its
section is one of the question's gold sections. A logistic regression (scikit-learn) over the standardised
rows; its regularisation is chosen by 5-fold cross-validated MRR, the folds splitting questions (never one
question's candidates). The file records the weights and the cross-validated hit@k beside the fused order's
on the same questions, so eval/README.md can show them. The test split is never read here.
"""

from __future__ import annotations

import json
import random

import numpy as np

from assistant.rerank import FEATURES, MODEL_FILE
from eval.run import GOLD, load_gold, retrievable

C_GRID = (0.1, 0.3, 1.0, 3.0)
FOLDS = 5


def dataset(items: list[dict]) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per question: the candidates' feature rows (in the hybrid order) and their labels."""
    from assistant.pipeline import get_searcher
    from assistant.segment import expand_query, search_tokens

    searcher = get_searcher()
    n = searcher.settings.retrieval_candidates
    out = []
    for item in items:
        question = item["question"]
        fused = searcher.search(question, k=10_000, mode="fused")
        q_tokens = expand_query(search_tokens(question))
        rows = searcher.candidate_features(question, q_tokens, [h.chunk.id for h in fused],
                                           searcher.bm25_ranking(q_tokens, n), searcher.dense_ranking(question, n))
        labels = np.array([h.chunk.section_id in item["gold_sections"] for h in fused], dtype=float)
        out.append((rows, labels))
    return out


def first_hit(scores: np.ndarray, labels: np.ndarray) -> int | None:
    order = sorted(range(len(scores)), key=lambda i: -scores[i])  # stable: ties keep the fused order
    return next((rank for rank, i in enumerate(order, 1) if labels[i]), None)


def ranking(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks)
    return {f"hit@{k}": round(sum(r is not None and r <= k for r in ranks) / n, 3) for k in (1, 3, 5)} | {
        "mrr": round(sum(1 / r for r in ranks if r) / n, 3)}


def fit(data: list[tuple[np.ndarray, np.ndarray]], c: float):
    from sklearn.linear_model import LogisticRegression
    from sklearn.preprocessing import StandardScaler

    x = np.vstack([rows for rows, _ in data])
    y = np.concatenate([labels for _, labels in data])
    scaler = StandardScaler().fit(x)
    scale = np.where(scaler.scale_ > 0, scaler.scale_, 1.0)
    model = LogisticRegression(C=c, max_iter=5000).fit((x - scaler.mean_) / scale, y)
    return scaler.mean_, scale, model.coef_[0], float(model.intercept_[0])


def cross_validated(data: list[tuple[np.ndarray, np.ndarray]], c: float) -> list[int | None]:
    order = list(range(len(data)))
    random.Random(0).shuffle(order)
    ranks: list[int | None] = [None] * len(data)
    for fold in range(FOLDS):
        held = set(order[fold::FOLDS])
        mean, scale, coef, intercept = fit([data[i] for i in order if i not in held], c)
        for i in held:
            rows, labels = data[i]
            ranks[i] = first_hit(((rows - mean) / scale) @ coef + intercept, labels)
    return ranks


def main() -> int:
    dev = retrievable(load_gold(GOLD), "dev")
    data = dataset(dev)
    fused = ranking([first_hit(-np.arange(len(labels), dtype=float), labels) for _, labels in data])
    cv = {c: ranking(cross_validated(data, c)) for c in C_GRID}
    chosen = max(C_GRID, key=lambda c: (cv[c]["mrr"], -c))
    mean, scale, coef, intercept = fit(data, chosen)
    model = {
        "features": list(FEATURES), "mean": mean.round(6).tolist(), "scale": scale.round(6).tolist(),
        "coef": coef.round(6).tolist(), "intercept": round(intercept, 6), "C": chosen,
        "trained_on": {"split": "dev", "questions": len(data),
                       "candidates": int(sum(len(labels) for _, labels in data)),
                       "positives": int(sum(labels.sum() for _, labels in data))},
        "dev_cv": {"fused order": fused} | {f"reranked, C = {c}": cv[c] for c in C_GRID},
    }
    MODEL_FILE.write_text(json.dumps(model, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: model[k] for k in ("C", "trained_on", "dev_cv")}, ensure_ascii=False, indent=1))
    for name, weight in sorted(zip(FEATURES, coef, strict=True), key=lambda fw: -abs(fw[1])):
        print(f"{name:22s} {weight:+.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
