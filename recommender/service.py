"""Session recommender used by the assistant: BPR item factors plus live-session fold-in."""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import shutil
import time
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from recommender.base import Recommendation, top_k
from recommender.data import Event, load_interactions
from recommender.mf import MFConfig, MFModel, session_item_weights, train_bpr

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
EXACT_TOP_K_LIMIT = 1_000_000  # above this many items, top-k comes from an HNSW index
MODEL_FILE = "model.npz"
META_FILE = "meta.json"


def _field(meta: Any, name: str) -> Any:
    """Read a metadata field from a dict-like value or an object such as a Product."""
    if meta is None:
        return None
    if isinstance(meta, Mapping):
        return meta.get(name)
    return getattr(meta, name, None)


def _as_float(value: Any) -> float:
    """The value as a float; NaN when missing or not a number (NaN fails every filter)."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


class SessionRecommender:
    """Scores catalogue items for a live session (viewed and carted items).

    The candidate universe is every item the model was trained on plus every item in `items`.
    Catalogue items without interaction history get a category prior: the popularity-weighted
    mean factors, the mean bias and the mean popularity of trained items in the same category.
    Top-k is exact (one matrix product) up to `exact_limit` items, approximate (HNSW maximum
    inner product over [factors, bias]) above it.
    """

    def __init__(
        self,
        model: MFModel,
        items: Mapping[str, Any],
        popularity: np.ndarray,
        config: MFConfig,
        exact_limit: int = EXACT_TOP_K_LIMIT,
    ) -> None:
        if popularity.shape != (len(model.item_ids),):
            raise ValueError(
                f"popularity must have shape ({len(model.item_ids)},), got {popularity.shape}"
            )
        self.model = model
        self.config = config
        self.items = dict(items)
        self._trained_popularity = popularity.astype(np.float32)
        self.exact_limit = exact_limit
        self._ann = None  # built on first use
        self._build_universe()

    # ------------------------------------------------------------------ construction
    def _build_universe(self) -> None:
        model = self.model
        new_ids = sorted(item_id for item_id in self.items if item_id not in model.index)
        self.item_ids: list[str] = list(model.item_ids) + new_ids
        self._index = {item_id: k for k, item_id in enumerate(self.item_ids)}
        n_trained, n_all = len(model.item_ids), len(self.item_ids)

        self._titles = [str(_field(self.items.get(i), "title") or i) for i in self.item_ids]
        categories = [_field(self.items.get(i), "category") for i in self.item_ids]
        self._categories = np.array([str(c) if c else "" for c in categories], dtype=object)
        self._prices = np.array(
            [_as_float(_field(self.items.get(i), "price")) for i in self.item_ids], dtype=np.float64
        )
        self._stock = np.array(
            [_as_float(_field(self.items.get(i), "stock")) for i in self.item_ids], dtype=np.float64
        )

        factors = np.zeros((n_all, model.item_factors.shape[1]), dtype=np.float32)
        context = np.zeros_like(factors)
        bias = np.full(n_all, float(model.item_bias.min()), dtype=np.float32)
        popularity = np.zeros(n_all, dtype=np.float32)
        factors[:n_trained] = model.item_factors
        context[:n_trained] = model.context_factors
        bias[:n_trained] = model.item_bias
        popularity[:n_trained] = self._trained_popularity
        trained_cats = self._categories[:n_trained]
        for k in range(n_trained, n_all):
            category = self._categories[k]
            peers = np.flatnonzero(trained_cats == category) if category else np.array([], int)
            if peers.size == 0:
                continue  # no evidence at all: zero factors, lowest bias, zero popularity
            pop = self._trained_popularity[peers]
            weights = pop if pop.sum() > 0 else np.ones_like(pop)
            factors[k] = (weights[:, None] * model.item_factors[peers]).sum(0) / weights.sum()
            context[k] = (weights[:, None] * model.context_factors[peers]).sum(0) / weights.sum()
            bias[k] = model.item_bias[peers].mean()
            popularity[k] = pop.mean()
        self._factors, self._context, self._bias = factors, context, bias
        self._popularity = popularity
        # Unit vectors for the reasons: which session item's context factors point closest to
        # the recommended item's target factors.
        self._unit = factors / np.maximum(np.linalg.norm(factors, axis=1, keepdims=True), 1e-8)
        self._unit_context = context / np.maximum(
            np.linalg.norm(context, axis=1, keepdims=True), 1e-8
        )
        if new_ids:
            logger.info(
                "%d catalogue items have no interactions; using category priors", len(new_ids)
            )

    @classmethod
    def train(
        cls,
        events: Sequence[Event],
        items: Mapping[str, Any],
        config: MFConfig | None = None,
    ) -> SessionRecommender:
        """Train on the events; items maps item_id -> {title, category, price, stock}."""
        config = config or MFConfig()
        model = train_bpr(events, config)
        counts: dict[str, float] = {}
        for session_items in session_item_weights(events, config).values():
            for item_id, weight in session_items.items():
                counts[item_id] = counts.get(item_id, 0.0) + weight
        popularity = np.array([counts[i] for i in model.item_ids], dtype=np.float32)
        return cls(model, items, popularity, config)

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | Path) -> Path:
        """Write model.npz (arrays) and meta.json (ids, config) into the directory `path`."""
        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        np.savez(
            path / MODEL_FILE,
            item_factors=self.model.item_factors,
            context_factors=self.model.context_factors,
            item_bias=self.model.item_bias,
            popularity=self._trained_popularity,
        )
        meta = {
            "format": FORMAT_VERSION,
            "item_ids": self.model.item_ids,
            "config": self.config.key_dict(),
        }
        (path / META_FILE).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")
        logger.info("Saved recommender (%d items) to %s", len(self.model.item_ids), path)
        return path

    @classmethod
    def load(cls, path: str | Path, items: Mapping[str, Any]) -> SessionRecommender:
        """Load a directory written by save(); ValueError when it is incomplete or corrupt."""
        path = Path(path)
        try:
            meta = json.loads((path / META_FILE).read_text(encoding="utf-8"))
            with np.load(path / MODEL_FILE, allow_pickle=False) as arrays:
                factors = arrays["item_factors"].astype(np.float32)
                context = arrays["context_factors"].astype(np.float32)
                bias = arrays["item_bias"].astype(np.float32)
                popularity = arrays["popularity"].astype(np.float32)
        except (OSError, KeyError, ValueError) as exc:
            raise ValueError(f"{path}: cannot load recommender: {exc}") from exc
        if not isinstance(meta, dict) or meta.get("format") != FORMAT_VERSION:
            found = meta.get("format") if isinstance(meta, dict) else None
            raise ValueError(f"{path}: unsupported recommender format {found!r}")
        try:
            config = MFConfig(**meta["config"])
            model = MFModel(list(meta["item_ids"]), factors, context, bias)
            recommender = cls(model, items, popularity, config)
        except (KeyError, TypeError, ValueError) as exc:
            raise ValueError(f"{path}: inconsistent recommender files: {exc}") from exc
        logger.info("Loaded recommender (%d items) from %s", len(model.item_ids), path)
        return recommender

    @staticmethod
    def cache_key(events_path: str | Path, config: MFConfig) -> str:
        """Hash of the events file bytes, the model config and the storage format."""
        digest = hashlib.sha256()
        with open(events_path, "rb") as handle:
            for chunk in iter(lambda: handle.read(1 << 20), b""):
                digest.update(chunk)
        digest.update(json.dumps(config.key_dict(), sort_keys=True).encode())
        digest.update(f"format={FORMAT_VERSION}".encode())
        return digest.hexdigest()[:20]

    @classmethod
    def load_or_train(
        cls,
        cache_dir: str | Path,
        events_path: str | Path,
        items: Mapping[str, Any],
        config: MFConfig | None = None,
    ) -> SessionRecommender:
        """Re-use cache_dir/recommender-<hash> when data and config are unchanged, else train."""
        config = config or MFConfig()
        cache_dir = Path(cache_dir)
        target = cache_dir / f"recommender-{cls.cache_key(events_path, config)}"
        if target.is_dir():
            try:
                return cls.load(target, items)
            except ValueError as exc:
                logger.warning("Ignoring unusable recommender cache: %s", exc)
                shutil.rmtree(target, ignore_errors=True)
        recommender = cls.train(load_interactions(events_path), items, config)
        # Write to a private folder and rename, so a crash never leaves a half-written cache.
        staging = cache_dir / f".tmp-{target.name}-{os.getpid()}-{time.monotonic_ns()}"
        recommender.save(staging)
        try:
            os.replace(staging, target)
        except OSError:
            # Another process won the race; its copy is equivalent.
            shutil.rmtree(staging, ignore_errors=True)
        return recommender

    # ------------------------------------------------------------------ scoring
    def has_history(self, item_id: str) -> bool:
        """True when the item was seen in the training interactions."""
        return item_id in self.model.index

    def _session_rows(
        self, viewed: Sequence[str], carted: Sequence[str]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Rows and weights of the session's known items: carts weigh more, recent ones more.

        Age counts distinct viewed items after an item's latest view. A carted item keeps the
        age of its view (carting usually follows viewing it) or is taken as the newest when it
        was never viewed; its weight is cart_weight instead of view_weight, not on top of it.
        """
        decay = self.config.recency_decay
        timeline = list(dict.fromkeys(reversed(list(viewed))))  # newest first, distinct
        age = {item_id: n for n, item_id in enumerate(timeline)}
        in_cart = set(carted)
        weights: dict[int, float] = {}
        for item_id in timeline + [i for i in dict.fromkeys(carted) if i not in age]:
            row = self._index.get(item_id)
            if row is None:
                logger.debug("Ignoring unknown item id %r in session", item_id)
                continue
            base = self.config.cart_weight if item_id in in_cart else self.config.view_weight
            weights[row] = weights.get(row, 0.0) + base * decay ** age.get(item_id, 0)
        rows = np.array(sorted(weights), dtype=np.int64)
        return rows, np.array([weights[r] for r in rows], dtype=np.float32)

    def _session_vector(
        self, viewed: Sequence[str], carted: Sequence[str]
    ) -> tuple[np.ndarray | None, np.ndarray, np.ndarray]:
        """Folded-in session vector (None when no session item is known), its rows and weights."""
        rows, weights = self._session_rows(viewed, carted)
        if rows.size == 0:
            return None, rows, weights
        return (weights[:, None] * self._context[rows]).sum(0) / weights.sum(), rows, weights

    def _all_scores(
        self, viewed: Sequence[str], carted: Sequence[str]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Scores for the whole universe plus the session rows and weights (empty: popularity)."""
        vector, rows, weights = self._session_vector(viewed, carted)
        return self._scores_for(vector), rows, weights

    def _scores_for(self, vector: np.ndarray | None) -> np.ndarray:
        """Every item's score for a session vector; popularity for an empty session."""
        if vector is None:
            return self._popularity.astype(np.float64)
        return (self._factors @ vector + self._bias).astype(np.float64)

    def scores_all(self, viewed: Sequence[str], carted: Sequence[str] = ()) -> np.ndarray:
        """Scores of every item in `item_ids` order (popularity when the session is empty)."""
        return self._all_scores(viewed, carted)[0]

    def score(
        self, viewed: Sequence[str], carted: Sequence[str], item_ids: Sequence[str]
    ) -> np.ndarray:
        """Scores of item_ids for this session (popularity when the session is empty).

        Ids unknown to both the model and the catalogue get the session's lowest score, so they
        rank last.
        """
        scores, _, _ = self._all_scores(viewed, carted)
        floor = float(scores.min()) if scores.size else 0.0
        out = np.full(len(item_ids), floor, dtype=np.float64)
        for k, item_id in enumerate(item_ids):
            row = self._index.get(item_id)
            if row is not None:
                out[k] = scores[row]
        return out

    def recommend(
        self,
        viewed: Sequence[str],
        carted: Sequence[str] = (),
        k: int = 5,
        exclude: Iterable[str] = (),
        candidates: Iterable[str] | None = None,
        category: str | Collection[str] | None = None,
        min_price: float | None = None,
        max_price: float | None = None,
        in_stock: bool | None = None,
        *,
        exclude_viewed: bool = True,
    ) -> list[Recommendation]:
        """Top-k items for the session, best first.

        Carted items and `exclude` are never returned; viewed ones neither unless
        exclude_viewed=False. `candidates` restricts the pool; category (one slug or several),
        price bounds and in_stock (True: stock > 0, False: stock == 0) filter on item metadata,
        and an item lacking the field a filter needs is left out.
        """
        if isinstance(k, bool) or not isinstance(k, int) or k < 0:
            raise ValueError(f"k must be an integer >= 0, got {k!r}")
        if k == 0:
            return []
        banned = [*carted, *exclude, *(viewed if exclude_viewed else ())]
        keep = self._filter_mask(banned, candidates, category, min_price, max_price, in_stock)
        vector, rows, weights = self._session_vector(viewed, carted)
        if vector is not None and len(self.item_ids) > self.exact_limit:
            top = self._approximate_top(vector, keep, k)
            scores = np.zeros(len(self.item_ids))
            scores[top] = self._factors[top] @ vector + self._bias[top]
        else:
            scores = self._scores_for(vector)
            top = top_k(scores, k, ~keep)  # ties keep universe order: repeatable results
        return [
            Recommendation(self.item_ids[i], float(scores[i]), self._reason(int(i), rows, weights))
            for i in top
        ]

    def _approximate_top(self, vector: np.ndarray, keep: np.ndarray, k: int) -> np.ndarray:
        """Top-k allowed rows from the HNSW index, asking for more candidates while filters bite."""
        from recommender.ann import InnerProductIndex

        if self._ann is None:
            self._ann = InnerProductIndex(np.hstack([self._factors, self._bias[:, None]]))
        query = np.append(vector, 1.0).astype(np.float32)
        fetch = max(4 * k, 64)
        while True:
            found = self._ann.query(query, fetch)
            allowed = found[keep[found]]
            if allowed.size >= k or fetch >= len(self.item_ids):
                break
            fetch *= 4
        exact = self._factors[allowed] @ vector + self._bias[allowed]
        return allowed[np.argsort(-exact, kind="stable")[:k]]

    def _filter_mask(
        self,
        banned: Iterable[str],
        candidates: Iterable[str] | None,
        category: str | Collection[str] | None,
        min_price: float | None,
        max_price: float | None,
        in_stock: bool | None,
    ) -> np.ndarray:
        """True for the items that may be recommended."""
        n = len(self.item_ids)
        if candidates is None:
            keep = np.ones(n, dtype=bool)
        else:
            keep = np.zeros(n, dtype=bool)
            for item_id in candidates:
                row = self._index.get(item_id)
                if row is not None:
                    keep[row] = True
        for item_id in banned:
            row = self._index.get(item_id)
            if row is not None:
                keep[row] = False
        if category is not None:
            wanted = {category} if isinstance(category, str) else set(category)
            keep &= np.isin(self._categories, list(wanted))
        with np.errstate(invalid="ignore"):  # NaN (missing) never satisfies a bound
            if min_price is not None:
                keep &= self._prices >= float(min_price)
            if max_price is not None:
                keep &= self._prices <= float(max_price)
            if in_stock is True:
                keep &= self._stock > 0
            elif in_stock is False:
                keep &= self._stock <= 0
        return keep

    def _reason(self, row: int, session_rows: np.ndarray, weights: np.ndarray) -> str:
        if session_rows.size == 0:
            category = self._categories[row]
            return f"popular in {category}" if category else "popular"
        similarity = self._unit_context[session_rows] @ self._unit[row]
        if not np.any(similarity):
            similarity = weights  # an item with no factors: name the session's strongest item
        closest = int(session_rows[int(np.argmax(similarity))])
        return f"similar to {self._titles[closest]}"
