"""Session-based k-nearest-neighbours (V-SKNN style), the strong baseline on click sessions.

A live session is compared with past sessions that share an item: the most recent
`sample_size` of those are kept, their similarity is the overlap weighted by how recent each
shared item is in the live session (linear decay), normalised by both sessions' lengths, and the
`neighbours` most similar ones vote for their items with their similarity.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from recommender.base import ScoringModel, Step, as_steps
from recommender.data import Event, group_sessions

logger = logging.getLogger(__name__)


@dataclass
class SessionKNNConfig:
    """neighbours: sessions that vote; sample_size: recent candidate sessions looked at;
    decay: "linear" (the newest session item weighs 1, the oldest 1/n) or "none"."""

    neighbours: int = 100
    sample_size: int = 1000
    decay: str = "linear"

    def __post_init__(self) -> None:
        for name in ("neighbours", "sample_size"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"SessionKNNConfig.{name} must be an integer >= 1, got {value!r}")
        if self.decay not in ("linear", "none"):
            raise ValueError(
                f"SessionKNNConfig.decay must be 'linear' or 'none', got {self.decay!r}"
            )


class SessionKNN(ScoringModel):
    """Item scores from the votes of the most similar past sessions; popularity breaks ties."""

    def __init__(self, config: SessionKNNConfig | None = None) -> None:
        self.config = config or SessionKNNConfig()
        self.item_ids: list[str] = []
        self.index: dict[str, int] = {}

    def fit(self, events: Iterable[Event]) -> SessionKNN:
        sessions = group_sessions(list(events))
        if not sessions:
            raise ValueError("cannot fit SessionKNN on zero events")
        self.item_ids = sorted({e.item_id for s in sessions.values() for e in s})
        self.index = {item_id: k for k, item_id in enumerate(self.item_ids)}
        # Sessions ordered by their last event: a higher row is a more recent session.
        order = sorted(sessions, key=lambda s: (sessions[s][-1].timestamp, s))
        rows, cols = [], []
        for r, session_id in enumerate(order):
            items = {self.index[e.item_id] for e in sessions[session_id]}
            rows += [r] * len(items)
            cols += sorted(items)
        shape = (len(order), len(self.item_ids))
        data = np.ones(len(rows), dtype=np.float32)
        self._matrix = sparse.csr_matrix((data, (rows, cols)), shape=shape)  # session x item
        self._by_item = self._matrix.tocsc()
        self._norm = np.sqrt(np.asarray(self._matrix.sum(axis=1)).ravel())
        popularity = np.asarray(self._matrix.sum(axis=0)).ravel()
        # Far below any vote (votes are >= 1 / sqrt(n*m) > 1e-3 for sessions under 1e6 items).
        self._tiebreak = 1e-6 * popularity / max(popularity.max(), 1.0)
        logger.info("SessionKNN over %d sessions, %d items", shape[0], shape[1])
        return self

    def _session_weights(self, steps: list[Step]) -> tuple[np.ndarray, np.ndarray]:
        """Known distinct items of the session and their recency weights (latest position)."""
        position: dict[int, int] = {}
        for n, step in enumerate(steps):
            row = self.index.get(step.item_id)
            if row is not None:
                position[row] = n + 1
        rows = np.array(sorted(position), dtype=np.int64)
        if self.config.decay == "linear" and steps:
            weights = np.array([position[r] / len(steps) for r in rows], dtype=np.float32)
        else:
            weights = np.ones(len(rows), dtype=np.float32)
        return rows, weights

    def neighbours(self, steps: list[Step]) -> tuple[np.ndarray, np.ndarray]:
        """Row numbers of the voting past sessions and their similarities."""
        rows, weights = self._session_weights(steps)
        if rows.size == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        overlap = self._by_item[:, rows] @ weights  # (n_sessions,) dense
        candidates = np.flatnonzero(overlap)
        candidates = candidates[-self.config.sample_size :]  # the most recent ones
        sims = overlap[candidates] / (self._norm[candidates] * np.sqrt(rows.size))
        if sims.size > self.config.neighbours:
            best = np.argpartition(-sims, self.config.neighbours - 1)[: self.config.neighbours]
            candidates, sims = candidates[best], sims[best]
        return candidates, sims.astype(np.float32)

    def scores(self, session: Sequence[str | Event | Step]) -> np.ndarray:
        steps = as_steps(session)
        voters, sims = self.neighbours(steps)
        if voters.size == 0:
            return self._tiebreak.copy()
        votes = self._matrix[voters].T @ sims
        return np.asarray(votes).ravel() + self._tiebreak

    def reason(self, row: int, steps: list[Step]) -> str:
        """The session item that shares the most past sessions with the recommended one."""
        rows, _ = self._session_weights(steps)
        if rows.size == 0:
            return "popular"
        together = (self._by_item[:, [row]].T @ self._by_item[:, rows]).toarray().ravel()
        if not together.any():
            return "popular"
        return f"viewed together with {self.item_ids[int(rows[int(np.argmax(together))])]}"
