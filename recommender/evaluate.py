"""Next-click evaluation: every position of every test session is one query.

For a test session i1..in, the query at t gives i1..it and asks for i(t+1). Targets the model
never saw in training are skipped (no model can rank them), as in the session-rec protocol;
nothing is excluded from the ranking (a shopper may click the same item again).
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

import numpy as np

from recommender.base import Step, as_steps
from recommender.data import Event, group_sessions


@dataclass
class NextClickResult:
    """Averages over queries: recall, mrr and ndcg at k; coverage of the scored catalogue."""

    queries: int
    recall: float
    mrr: float
    ndcg: float
    coverage: float
    k: int


def next_click_queries(
    events: Sequence[Event], known: Collection[str]
) -> list[tuple[list[Step], str]]:
    """(prefix steps, next item) for every position of every session, known targets only."""
    queries = []
    for session in group_sessions(list(events)).values():
        steps = as_steps(session)
        for t in range(1, len(steps)):
            if steps[t].item_id in known:
                queries.append((steps[:t], steps[t].item_id))
    return queries


def evaluate_next_click(
    scores: Callable[[list[Step]], np.ndarray],
    item_ids: Sequence[str],
    queries: Sequence[tuple[list[Step], str]],
    k: int = 20,
) -> NextClickResult:
    """Rank of each target = 1 + number of items scored strictly higher (ties favour no one)."""
    if not queries:
        raise ValueError("no queries to evaluate")
    index = {item_id: n for n, item_id in enumerate(item_ids)}
    hits = rr = gain = 0.0
    shown: set[int] = set()
    for prefix, target in queries:
        values = np.asarray(scores(prefix), dtype=np.float64)
        row = index.get(target)
        if row is not None:
            rank = int((values > values[row]).sum()) + 1
            if rank <= k:
                hits += 1
                rr += 1.0 / rank
                gain += 1.0 / np.log2(rank + 1)
        shown.update(np.argpartition(-values, k - 1)[:k].tolist() if len(values) > k else [])
    n = len(queries)
    return NextClickResult(n, hits / n, rr / n, gain / n, len(shown) / len(item_ids), k)
