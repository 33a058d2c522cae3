"""Keyword (BM25) search over short texts, for languages the sentence embedder reads poorly.

all-MiniLM-L6-v2 was trained on English; for Chinese and often Spanish a shopper's literal
words are a better signal. Latin-script text is split into lower-case words; Chinese into
character bigrams (and single characters), since it has no spaces.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_CJK = re.compile(r"[\u4e00-\u9fff]+")
# Words that carry no topic; kept short on purpose (BM25's idf handles the rest).
_STOP = frozenset(
    "a an the i me my we you your is are am be do does did to of in on at for and or it "
    "can how what when where which who why this that with el la los las de del un una y o "
    "en es mi mis tu que por para con se lo me".split()
)


def tokenize(text: str) -> list[str]:
    """Lower-case words, and character uni- and bigrams for runs of Chinese characters."""
    tokens: list[str] = []
    for run in _CJK.findall(text):
        tokens.extend(run)
        tokens.extend(run[i : i + 2] for i in range(len(run) - 1))
    latin = _CJK.sub(" ", text.lower())
    # A crude stem: the first five letters, so that "devolver" meets "devoluciones" and
    # "returns" meets "returning" (BM25's idf keeps the few false friends cheap).
    tokens.extend(w[:5] for w in _WORD.findall(latin) if w not in _STOP)
    return tokens


@dataclass(frozen=True)
class KeywordHit:
    doc_id: str
    score: float  # BM25 score
    coverage: float  # share of the query's distinct tokens found in the document


class KeywordIndex:
    """BM25 (bm25s) over (doc_id, text) pairs."""

    def __init__(self, docs: Sequence[tuple[str, str]]) -> None:
        import bm25s

        # bm25s sets its own logger to DEBUG, which prints "Building index" on every start.
        logging.getLogger("bm25s").setLevel(logging.WARNING)

        self.ids = [doc_id for doc_id, _ in docs]
        self.tokens = [set(tokenize(text)) for _, text in docs]
        self._bm25 = bm25s.BM25()
        if docs:
            self._bm25.index([tokenize(text) for _, text in docs], show_progress=False)

    def search(
        self, query: str, top_k: int = 10, allowed: set[str] | None = None
    ) -> list[KeywordHit]:
        """Best documents for `query`, optionally only among `allowed` ids."""
        terms = tokenize(query)
        if not self.ids or not terms:
            return []
        scores = np.asarray(self._bm25.get_scores(terms), dtype=float)
        if allowed is not None:
            scores = np.where([i in allowed for i in self.ids], scores, 0.0)
        order = [i for i in np.argsort(-scores, kind="stable")[:top_k] if scores[i] > 0]
        distinct = set(terms)
        return [
            KeywordHit(
                self.ids[i], float(scores[i]), len(distinct & self.tokens[i]) / len(distinct)
            )
            for i in order
        ]


def fused_scores(
    rankings: Sequence[Sequence[str]], k: int = 60, weights: Sequence[float] | None = None
) -> dict[str, float]:
    """Reciprocal-rank-fusion score of every id: the sum of w / (k + rank) (rank from 1).

    A large `k` flattens the rankings' differences; `weights` (one per ranking, default all
    1) let one ranking count more than another.
    """
    if isinstance(k, bool) or not isinstance(k, int | float) or k < 0:
        raise ValueError(f"k must be a number >= 0, got {k!r}")
    weights = [1.0] * len(rankings) if weights is None else list(weights)
    if len(weights) != len(rankings):
        raise ValueError(f"expected {len(rankings)} weights, got {len(weights)}")
    scores: dict[str, float] = {}
    for weight, ranking in zip(weights, rankings, strict=True):
        for rank, doc_id in enumerate(ranking, start=1):
            scores[doc_id] = scores.get(doc_id, 0.0) + weight / (k + rank)
    return scores


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[str]], k: int = 60, weights: Sequence[float] | None = None
) -> list[str]:
    """Ids ordered by their fused score (see `fused_scores`), ties in first-seen order."""
    scores = fused_scores(rankings, k, weights)
    return sorted(scores, key=lambda d: -scores[d])
