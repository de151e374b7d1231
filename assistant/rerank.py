"""The learned reranker: the hybrid retriever's candidates put in order by a logistic regression.

Its full order is measured, not yet the one answers are composed from (`HybridSearcher.search(…, mode="reranked")`);
answers get its best passage at the fourth place (`retrieval.JOIN_AT`). The full order: on the
held-out test split it lifts hit@1 0.609 → 0.688 and hit@3 0.750 → 0.812, but the composers and the gate, tuned on
the fused order, answered test 0.781 → 0.762 with it (dev 0.840 → 0.842), below CI's floor. Retuning the composers
on the reranked order (the sentence prior `answer.RANK_PRIOR`, the passages each composer reads) is the next step.

RRF fuses BM25 and e5 by rank only, so a passage that is first in one list and absent from the other beats one
that is second in both, whatever their scores say; and the structure votes (`retrieval.MODEL_VOTE`, `PART_VOTE`)
were hand weights. The reranker scores each candidate of the fusion (the union of BM25's and e5's top
`retrieval_candidates`) from features we can defend, computed by `HybridSearcher.candidate_features`:

- the fusion itself: its rank (reciprocal and log), BM25 and e5 ranks;
- scores relative to the question's best: BM25 over the best BM25, e5 cosine minus the best cosine (e5-small's
  cosines sit in a band 0.80–0.87: the gap to the best matters, not the value), the same two times the share of
  Latin letters (an English question's BM25 only sees its glossary words);
- words: idf-weighted coverage of the question's terms by the passage and by its heading path, the heading's
  own words found in the question, the rarest term the two share, shared word pairs (Thai compounds that
  newmm splits: "ผลผลิต ขั้นกลาง");
- structure: the one model named is the passage's, another model is named and the passage is that other
  model's, no model named and the passage is a model's, the part asked (steps, suitability …) or framework
  topic, the step number asked ("ขั้นที่ 6", "step 6") is the passage's.

Trained on the dev split only by `python -m eval.train_rerank` and stored beside this module
(`rerank_model.json`: feature names, standardisation, weights, and the cross-validated hit@k it was chosen on).
Without the file the "reranked" mode keeps the fused order, and says so once in the log.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np

MODEL_FILE = Path(__file__).with_name("rerank_model.json")
FEATURES = ("fused_recip", "fused_log_rank", "bm25_recip", "dense_recip", "bm25_rel", "dense_gap",
            "latin_x_bm25_rel", "latin_x_dense_gap", "coverage", "path_coverage", "heading_in_question",
            "rarest_shared", "shared_pairs", "named_model", "other_model", "model_unasked", "part_asked",
            "topic_asked", "step_asked")

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Reranker:
    mean: np.ndarray
    scale: np.ndarray
    coef: np.ndarray
    intercept: float

    @classmethod
    def load(cls, path: Path = MODEL_FILE) -> Reranker | None:
        if not path.exists():
            log.warning("no reranker at %s (python -m eval.train_rerank writes it): retrieval keeps the fused order",
                        path)
            return None
        model = json.loads(path.read_text(encoding="utf-8"))
        if tuple(model["features"]) != FEATURES:
            log.warning("reranker %s has other features than this code: retrieval keeps the fused order", path)
            return None
        return cls(np.array(model["mean"]), np.array(model["scale"]), np.array(model["coef"]),
                   float(model["intercept"]))

    def scores(self, rows: np.ndarray) -> np.ndarray:
        """Log-odds that each candidate holds the answer (only their order is used)."""
        return ((rows - self.mean) / self.scale) @ self.coef + self.intercept
