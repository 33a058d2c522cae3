"""What every recommender model here shares: the Recommendation record and top-k from scores.

A model scores all of its items for a session at once (`scores`, shape (n_items,)); ranking,
exclusions and reasons are then the same code for every model, so a contract test can hold all
of them to one behaviour.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import numpy as np

from recommender.data import Event


@dataclass
class Recommendation:
    """One recommended item, its score (higher is better) and a short reason for the shopper."""

    item_id: str
    score: float
    reason: str


@dataclass(frozen=True)
class Step:
    """One event of a live session, as the models read it (time may be unknown)."""

    item_id: str
    event: str = "view"
    timestamp: datetime | None = None


def as_steps(session: Sequence[str | Event | Step]) -> list[Step]:
    """Normalise a session given as item ids, Events or Steps into Steps, in session order."""
    steps = []
    for entry in session:
        if isinstance(entry, str):
            steps.append(Step(entry))
        elif isinstance(entry, Step):
            steps.append(entry)
        elif isinstance(entry, Event):
            steps.append(Step(entry.item_id, entry.event, entry.timestamp))
        else:
            raise TypeError(f"session entries must be item ids or Events, got {entry!r}")
    return steps


def top_k(scores: np.ndarray, k: int, banned: np.ndarray | None = None) -> np.ndarray:
    """Rows of the k best scores, best first; ties keep row order; banned rows never returned."""
    if isinstance(k, bool) or not isinstance(k, int) or k < 0:
        raise ValueError(f"k must be an integer >= 0, got {k!r}")
    scores = np.asarray(scores, dtype=np.float64)
    pool = np.arange(scores.shape[0]) if banned is None else np.flatnonzero(~banned)
    if k == 0 or pool.size == 0:
        return pool[:0]
    if pool.size > 4 * k:  # partial selection first: exact, and cheap for big catalogues
        part = np.argpartition(-scores[pool], k - 1)[:k]
        # Items tied with the k-th score might have been cut arbitrarily: take them all back.
        cut = scores[pool][part].min()
        pool = pool[scores[pool] >= cut]
    return pool[np.argsort(-scores[pool], kind="stable")[:k]]


class ScoringModel:
    """Mixin: subclasses set item_ids / index and implement scores(); recommend() is shared."""

    item_ids: list[str]
    index: dict[str, int]

    def scores(self, session: Sequence[str | Event | Step]) -> np.ndarray:
        """Score of every item (row order of item_ids) for the session."""
        raise NotImplementedError

    def reason(self, row: int, steps: list[Step]) -> str:
        """A short, data-derived reason for recommending item `row` to this session."""
        return "popular" if not steps else "fits your session"

    def recommend(
        self,
        session: Sequence[str | Event | Step],
        k: int = 10,
        exclude: Iterable[str] = (),
        *,
        exclude_seen: bool = True,
    ) -> list[Recommendation]:
        """Top-k items for the session; `exclude` (and the session's items) never returned."""
        steps = as_steps(session)
        scores = self.scores(steps)
        banned = np.zeros(len(self.item_ids), dtype=bool)
        for item_id in [*exclude, *(s.item_id for s in steps if exclude_seen)]:
            row = self.index.get(item_id)
            if row is not None:
                banned[row] = True
        rows = top_k(scores, k, banned)
        return [
            Recommendation(self.item_ids[r], float(scores[r]), self.reason(int(r), steps))
            for r in rows
        ]
