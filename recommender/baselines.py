"""Simple baselines with the recommender's call shape: recommend(session_items, k, exclude)."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Sequence

from recommender.base import Recommendation
from recommender.data import Event

logger = logging.getLogger(__name__)


def _session_items(events: Iterable[Event]) -> dict[str, list[str]]:
    """Distinct items per session, in first-seen order."""
    sessions: dict[str, dict[str, None]] = {}
    for event in events:
        sessions.setdefault(event.session_id, {})[event.item_id] = None
    return {s: list(items) for s, items in sessions.items()}


class MostPopular:
    """Recommends the items seen in the most sessions, whatever the session holds."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self._ranked: list[str] = []

    def fit(self, events: Iterable[Event]) -> MostPopular:
        self.counts = Counter()
        for items in _session_items(events).values():
            self.counts.update(items)
        # Ties broken by item id so the ranking is repeatable.
        self._ranked = sorted(self.counts, key=lambda i: (-self.counts[i], i))
        return self

    def recommend(
        self,
        session_items: Sequence[str],
        k: int = 10,
        exclude: Iterable[str] = (),
        *,
        exclude_seen: bool = True,
    ) -> list[Recommendation]:
        banned = set(exclude) | (set(session_items) if exclude_seen else set())
        out: list[Recommendation] = []
        for item_id in self._ranked:
            if len(out) >= k:
                break
            if item_id not in banned:
                out.append(Recommendation(item_id, float(self.counts[item_id]), "popular"))
        return out


class ItemCooccurrence:
    """Item-to-item: items that share sessions with the session's items, recent ones first.

    A candidate's score is sum over session items j of decay^age(j) * co(i, j) / sqrt(n_i * n_j),
    where co counts sessions containing both and n counts sessions containing each (cosine
    normalisation keeps blockbusters from dominating). Empty results are padded by popularity.
    """

    def __init__(self, recency_decay: float = 0.8, normalise: bool = True) -> None:
        if not 0 < recency_decay <= 1:
            raise ValueError(
                f"ItemCooccurrence.recency_decay must be in (0, 1], got {recency_decay!r}"
            )
        self.recency_decay = recency_decay
        self.normalise = normalise
        self.co: dict[str, Counter[str]] = {}
        self.popular = MostPopular()

    def fit(self, events: Iterable[Event]) -> ItemCooccurrence:
        events = list(events)
        self.popular.fit(events)
        self.co = {}
        for items in _session_items(events).values():
            for a in items:
                row = self.co.setdefault(a, Counter())
                for b in items:
                    if a != b:
                        row[b] += 1
        logger.info("Item co-occurrence over %d items", len(self.co))
        return self

    def recommend(
        self,
        session_items: Sequence[str],
        k: int = 10,
        exclude: Iterable[str] = (),
        *,
        exclude_seen: bool = True,
    ) -> list[Recommendation]:
        banned = set(exclude) | (set(session_items) if exclude_seen else set())
        counts = self.popular.counts
        scores: Counter[str] = Counter()
        source: dict[str, tuple[float, str]] = {}
        for age, anchor in enumerate(reversed(list(session_items))):
            weight = self.recency_decay**age
            for item_id, together in self.co.get(anchor, {}).items():
                if item_id in banned:
                    continue
                value = together
                if self.normalise:
                    value = together / (counts[anchor] * counts[item_id]) ** 0.5
                scores[item_id] += weight * value
                if weight * value > source.get(item_id, (0.0, ""))[0]:
                    source[item_id] = (weight * value, anchor)
        ranked = sorted(scores, key=lambda i: (-scores[i], i))[:k]
        out = [
            Recommendation(i, float(scores[i]), f"viewed together with {source[i][1]}")
            for i in ranked
        ]
        if len(out) < k:
            # Popular padding ranks below every co-occurrence hit: its scores are rescaled
            # into (0, lowest hit score).
            taken = banned | set(ranked)
            padding = self.popular.recommend([], k - len(out), exclude=taken, exclude_seen=False)
            floor = out[-1].score if out else 1.0
            top = max((r.score for r in padding), default=1.0) + 1.0
            out += [Recommendation(r.item_id, floor * r.score / top, r.reason) for r in padding]
        return out
