"""Ranking metrics for next-item prediction, averaged over queries.

Each query is a ranked list of item ids and its relevant item(s): one id (next-item prediction)
or a collection of ids.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable, Sequence

Relevant = str | Collection[str]


def _check(ranked: Sequence[Sequence[str]], relevant: Sequence[Relevant], k: int) -> None:
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be an integer >= 1, got {k!r}")
    if len(ranked) != len(relevant):
        raise ValueError(f"got {len(ranked)} ranked lists but {len(relevant)} relevant sets")
    if not ranked:
        raise ValueError("no queries to evaluate")


def _as_set(relevant: Relevant) -> set[str]:
    return {relevant} if isinstance(relevant, str) else set(relevant)


def recall_at_k(ranked: Sequence[Sequence[str]], relevant: Sequence[Relevant], k: int) -> float:
    """Mean share of each query's relevant items found in its top k (hit rate for one target)."""
    _check(ranked, relevant, k)
    total = 0.0
    for items, rel in zip(ranked, relevant, strict=True):
        wanted = _as_set(rel)
        if wanted:
            total += len(wanted.intersection(items[:k])) / len(wanted)
    return total / len(ranked)


def mrr_at_k(ranked: Sequence[Sequence[str]], relevant: Sequence[Relevant], k: int) -> float:
    """Mean reciprocal rank of the first relevant item within the top k (0 when absent)."""
    _check(ranked, relevant, k)
    total = 0.0
    for items, rel in zip(ranked, relevant, strict=True):
        wanted = _as_set(rel)
        for position, item_id in enumerate(items[:k], start=1):
            if item_id in wanted:
                total += 1.0 / position
                break
    return total / len(ranked)


def ndcg_at_k(ranked: Sequence[Sequence[str]], relevant: Sequence[Relevant], k: int) -> float:
    """Mean binary-relevance NDCG@k (gain 1/log2(rank+1), normalised by the ideal ranking)."""
    _check(ranked, relevant, k)
    total = 0.0
    for items, rel in zip(ranked, relevant, strict=True):
        wanted = _as_set(rel)
        if not wanted:
            continue
        seen: set[str] = set()
        dcg = 0.0
        for position, item_id in enumerate(items[:k], start=1):
            if item_id in wanted and item_id not in seen:  # a repeated hit earns nothing more
                dcg += 1.0 / math.log2(position + 1)
                seen.add(item_id)
        ideal = sum(1.0 / math.log2(p + 1) for p in range(1, min(len(wanted), k) + 1))
        total += dcg / ideal
    return total / len(ranked)


def catalogue_coverage(
    ranked: Iterable[Sequence[str]], catalogue: Collection[str], k: int
) -> float:
    """Share of the catalogue that appears in at least one top-k list."""
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be an integer >= 1, got {k!r}")
    if not catalogue:
        raise ValueError("catalogue is empty")
    catalogue_set = set(catalogue)
    shown = {item_id for items in ranked for item_id in items[:k]}
    return len(shown & catalogue_set) / len(catalogue_set)
