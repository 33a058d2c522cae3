"""Shared pieces of the retrieval benchmarks: data paths, cached embeddings, rankings, metrics.

Dense rankings here are exact cosine similarities over the same MiniLM vectors the store
keeps; with a few dozen documents Chroma's HNSW index returns the same order, so the
accuracy benchmarks skip it (the latency benchmark goes through the real store).
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from retrieval.keyword import KeywordIndex, reciprocal_rank_fusion  # noqa: E402


def shared_data() -> Path:
    """The public data folder: $SHOP_SHARED_DATA, else ../shared/data next to the repo."""
    return Path(os.environ.get("SHOP_SHARED_DATA", REPO.parent / "shared" / "data"))


def cached_encode(embedder, texts: Sequence[str], cache_dir: Path) -> np.ndarray:
    """Embed `texts`, re-using vectors saved under `cache_dir` for the same texts and model."""
    key = hashlib.sha256(("\x00".join([embedder.model_id, *texts])).encode()).hexdigest()[:20]
    path = cache_dir / f"emb-{key}.npy"
    if path.exists():
        return np.load(path)
    cache_dir.mkdir(parents=True, exist_ok=True)
    vectors = embedder.encode(list(texts))
    np.save(path, vectors)
    return vectors


def dense_rankings(query_vectors: np.ndarray, doc_vectors: np.ndarray, ids: list[str]):
    """Every document id, best first, for each query (exact cosine on unit vectors)."""
    order = np.argsort(-(query_vectors @ doc_vectors.T), axis=1, kind="stable")
    return [[ids[j] for j in row] for row in order]


def keyword_rankings(queries: Sequence[str], docs: list[tuple[str, str]]) -> list[list[str]]:
    """BM25 rankings (documents with no shared keyword are left out)."""
    index = KeywordIndex(docs)
    return [[hit.doc_id for hit in index.search(q, top_k=len(docs))] for q in queries]


def fuse(dense, keyword, k: float = 60, weights=None) -> list[list[str]]:
    return [
        reciprocal_rank_fusion([d, b], k=k, weights=weights)
        for d, b in zip(dense, keyword, strict=True)
    ]


@dataclass(frozen=True)
class Scores:
    recall_1: float
    recall_5: float
    mrr: float
    n: int

    def row(self, name: str) -> str:
        return f"| {name} | {self.recall_1:.3f} | {self.recall_5:.3f} | {self.mrr:.3f} | {self.n} |"


def evaluate(rankings: Sequence[Sequence[str]], answers: Sequence[str | frozenset]) -> Scores:
    """Recall@1, Recall@5 and MRR of the right document in each ranking (absent: 0).

    An answer may be a set of ids when several documents are equally right.
    """
    r1 = r5 = rr = 0.0
    for ranking, answer in zip(rankings, answers, strict=True):
        right = answer if isinstance(answer, frozenset) else {answer}
        rank = next((n for n, doc_id in enumerate(ranking, start=1) if doc_id in right), None)
        if rank is None:
            continue
        r1 += rank == 1
        r5 += rank <= 5
        rr += 1.0 / rank
    n = len(answers)
    return Scores(r1 / n, r5 / n, rr / n, n)


TABLE_HEAD = "| method | Recall@1 | Recall@5 | MRR | queries |\n|---|---|---|---|---|"


def in_test_half(text: str) -> bool:
    """A fixed split by hash: the same query always lands in the same half."""
    return hashlib.sha256(text.encode()).digest()[0] % 2 == 1
