"""Matrix factorisation for explicit ratings: r(u, i) ~ mu + b_u + b_i + <P_u, Q_i>, MSE + L2.

A live session (or a new user) is folded in without retraining by ridge regression of its
ratings on the item factors, so the model also serves sessions it never saw.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import torch

from recommender.base import ScoringModel, Step, as_steps
from recommender.data import Event

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Rating:
    """An explicit rating of item_id by user_id (any real scale)."""

    user_id: str
    item_id: str
    value: float


@dataclass
class ExplicitMFConfig:
    """factors: latent size; reg: L2 weight on the factors and biases touched by a batch;
    session_rating: the rating a live session's event is taken to mean when folded in (None:
    the highest rating seen in training, i.e. a click reads as "liked");
    negatives: for fit_events, unclicked items sampled per click and rated 0."""

    factors: int = 32
    epochs: int = 30
    lr: float = 0.02
    reg: float = 0.02
    batch_size: int = 1024
    seed: int = 0
    session_rating: float | None = None
    negatives: int = 4

    def __post_init__(self) -> None:
        for name in ("factors", "epochs", "batch_size", "negatives"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"ExplicitMFConfig.{name} must be an integer >= 1, got {value!r}")
        for name in ("lr", "reg", "session_rating"):
            value = getattr(self, name)
            if name == "session_rating" and value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise ValueError(f"ExplicitMFConfig.{name} must be a number, got {value!r}")
            if not math.isfinite(value) or value < 0 or (name == "lr" and value == 0):
                raise ValueError(f"ExplicitMFConfig.{name} is out of range, got {value!r}")


class ExplicitMF(ScoringModel):
    """Biased MF fitted to ratings by mini-batch Adam on mean squared error plus L2."""

    def __init__(self, config: ExplicitMFConfig | None = None) -> None:
        self.config = config or ExplicitMFConfig()
        self.item_ids: list[str] = []
        self.index: dict[str, int] = {}
        self.user_index: dict[str, int] = {}

    def fit(self, ratings: Iterable[Rating]) -> ExplicitMF:
        """Fit to explicit ratings; deterministic for a given seed."""
        ratings = list(ratings)
        if not ratings:
            raise ValueError("cannot fit ExplicitMF on zero ratings")
        for n, rating in enumerate(ratings):
            if not math.isfinite(float(rating.value)):
                raise ValueError(f"rating {n} ({rating}) is not a finite number")
        self.item_ids = sorted({r.item_id for r in ratings})
        self.index = {item_id: k for k, item_id in enumerate(self.item_ids)}
        users = sorted({r.user_id for r in ratings})
        self.user_index = {user_id: k for k, user_id in enumerate(users)}
        u = torch.tensor([self.user_index[r.user_id] for r in ratings])
        i = torch.tensor([self.index[r.item_id] for r in ratings])
        y = torch.tensor([float(r.value) for r in ratings])
        self._train(u, i, y, len(users))
        return self

    def fit_events(self, events: Iterable[Event]) -> ExplicitMF:
        """Implicit clicks as ratings: 1 for a clicked (session, item), 0 for sampled others."""
        events = list(events)
        pairs = sorted({(e.session_id, e.item_id) for e in events})
        items = sorted({e.item_id for e in events})
        rng = np.random.default_rng(self.config.seed)
        clicked = set(pairs)
        ratings = [Rating(s, i, 1.0) for s, i in pairs]
        for s, _ in pairs:
            for j in rng.integers(len(items), size=self.config.negatives):
                if (s, items[j]) not in clicked:
                    ratings.append(Rating(s, items[j], 0.0))
        return self.fit(ratings)

    def _train(self, u: torch.Tensor, i: torch.Tensor, y: torch.Tensor, n_users: int) -> None:
        config = self.config
        generator = torch.Generator().manual_seed(config.seed)
        n_items = len(self.item_ids)
        user = torch.nn.Parameter(0.1 * torch.randn(n_users, config.factors, generator=generator))
        item = torch.nn.Parameter(0.1 * torch.randn(n_items, config.factors, generator=generator))
        user_bias = torch.nn.Parameter(torch.zeros(n_users))
        item_bias = torch.nn.Parameter(torch.zeros(n_items))
        mean = float(y.mean())
        optimiser = torch.optim.Adam([user, item, user_bias, item_bias], lr=config.lr)
        for epoch in range(1, config.epochs + 1):
            perm = torch.randperm(len(y), generator=generator)
            total = 0.0
            for first in range(0, len(y), config.batch_size):
                b = perm[first : first + config.batch_size]
                pu, qi = user[u[b]], item[i[b]]
                pred = mean + user_bias[u[b]] + item_bias[i[b]] + (pu * qi).sum(-1)
                mse = (pred - y[b]).pow(2).mean()
                l2 = (pu.pow(2).sum(-1) + qi.pow(2).sum(-1)).mean()
                l2 = l2 + (user_bias[u[b]].pow(2) + item_bias[i[b]].pow(2)).mean()
                loss = mse + config.reg * l2
                optimiser.zero_grad(set_to_none=True)
                loss.backward()
                optimiser.step()
                total += float(mse.detach()) * len(b)
            if epoch == config.epochs or epoch % 10 == 0:
                logger.info("ExplicitMF epoch %d/%d: train MSE %.4f", epoch, config.epochs,
                            total / len(y))  # fmt: skip
        self.mean = mean
        self.top_rating = float(y.max())
        self.user_factors = user.detach().numpy().copy()
        self.item_factors = item.detach().numpy().copy()
        self.user_bias = user_bias.detach().numpy().copy()
        self.item_bias = item_bias.detach().numpy().copy()

    def predict(self, user_id: str, item_id: str) -> float:
        """Predicted rating; an unknown user or item falls back to the biases it has."""
        u, i = self.user_index.get(user_id), self.index.get(item_id)
        value = self.mean
        if u is not None:
            value += float(self.user_bias[u])
        if i is not None:
            value += float(self.item_bias[i])
        if u is not None and i is not None:
            value += float(self.user_factors[u] @ self.item_factors[i])
        return value

    def fold_in(self, rows: np.ndarray, ratings: np.ndarray) -> np.ndarray:
        """User vector that best explains these ratings of items `rows` (ridge regression)."""
        q = self.item_factors[rows]  # (n, f)
        residual = ratings - self.mean - self.item_bias[rows]
        gram = q.T @ q + max(self.config.reg, 1e-3) * len(rows) * np.eye(q.shape[1])
        return np.linalg.solve(gram, q.T @ residual).astype(np.float32)

    def scores(self, session: Sequence[str | Event | Step]) -> np.ndarray:
        """Predicted rating of every item for a session folded in from its events."""
        steps = as_steps(session)
        rows = np.array(sorted({self.index[s.item_id] for s in steps if s.item_id in self.index}))
        base = self.mean + self.item_bias
        if rows.size == 0:
            return base.astype(np.float64)
        liked = self.config.session_rating
        ratings = np.full(rows.size, self.top_rating if liked is None else liked, np.float32)
        return (base + self.item_factors @ self.fold_in(rows, ratings)).astype(np.float64)

    def reason(self, row: int, steps: list[Step]) -> str:
        rows = [self.index[s.item_id] for s in steps if s.item_id in self.index]
        if not rows:
            return "rated highly by many"
        sims = self.item_factors[rows] @ self.item_factors[row]
        return f"similar to {self.item_ids[rows[int(np.argmax(sims))]]}"
