"""Two-tower retrieval model: a session tower and an item tower meeting in a dot product.

    item tower     v(i) = id(i) + category(i) + brand(i) + price_bucket(i) + W text(i)
    session tower  u(s) = MLP(GRU(v(item_t) + event(type_t) + age(t), t = oldest..newest), hour)
    score          <u(s), v(i)> / temperature        (both unit length)

Trained with an in-batch sampled softmax: the other targets of a batch are the negatives, and
log q(i) (how often i is a target) is subtracted from every logit so that popular items are not
punished for being sampled as negatives more often (Yi et al., RecSys 2019). Items without any
interaction history have no id vector of their own (row 0, all zeros) and are scored from their
content alone; id dropout during training teaches the tower to do that. Data without content
(YooChoose) leaves only the id part.

Training goes through Accelerate, so the same code runs on a CPU or on several GPUs.
"""

from __future__ import annotations

import copy
import json
import logging
import math
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from recommender.base import ScoringModel, Step, as_steps
from recommender.data import EVENT_TYPES, Event, group_sessions

logger = logging.getLogger(__name__)

FORMAT_VERSION = 1
WEIGHTS_FILE = "model.safetensors"
CONFIG_FILE = "config.json"
UNKNOWN_HOUR = 24


@dataclass
class TwoTowerConfig:
    """Hyper-parameters. max_len: most recent session events the session tower reads;
    temperature: divides the cosine scores; logq: apply the popularity correction;
    id_dropout: share of training items whose id vector is hidden (only with content);
    patience: epochs without a better validation Recall@eval_k before stopping;
    val_fraction: share of the latest sessions held out when no validation events are given."""

    dim: int = 64
    max_len: int = 10
    epochs: int = 20
    batch_size: int = 256
    lr: float = 3e-3
    weight_decay: float = 0.0
    temperature: float = 0.1
    logq: bool = True
    id_dropout: float = 0.1
    patience: int = 3
    eval_k: int = 20
    val_fraction: float = 0.1
    price_buckets: int = 8
    seed: int = 0
    # Not part of the model: how training runs.
    num_threads: int = field(default=1, compare=False)
    progress: bool = field(default=True, compare=False)

    def __post_init__(self) -> None:
        for name in ("dim", "max_len", "epochs", "batch_size", "patience", "eval_k",
                     "price_buckets", "num_threads"):  # fmt: skip
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise ValueError(f"TwoTowerConfig.{name} must be an integer >= 1, got {value!r}")
        for name, low, high in (("lr", 0, math.inf), ("temperature", 0, math.inf),
                                ("weight_decay", -1e-12, math.inf), ("id_dropout", -1e-12, 1),
                                ("val_fraction", 0, 1)):  # fmt: skip
            value = getattr(self, name)
            ok = isinstance(value, int | float) and not isinstance(value, bool)
            if not ok or not math.isfinite(value) or not low < value < high:
                raise ValueError(f"TwoTowerConfig.{name} is out of range, got {value!r}")
        if isinstance(self.seed, bool) or not isinstance(self.seed, int):
            raise ValueError(f"TwoTowerConfig.seed must be an integer, got {self.seed!r}")


@dataclass
class ItemFeatures:
    """Per-item content as vocabulary indexes (0 = unknown) and an optional text embedding."""

    category: np.ndarray  # (n,) int64
    brand: np.ndarray  # (n,) int64
    price: np.ndarray  # (n,) int64 bucket, 0 = unknown
    text: np.ndarray | None  # (n, text_dim) float32
    n_categories: int
    n_brands: int


def _field(meta: Any, name: str) -> Any:
    if meta is None:
        return None
    if isinstance(meta, Mapping):
        return meta.get(name)
    return getattr(meta, name, None)


def item_features(
    item_ids: Sequence[str],
    items: Mapping[str, Any],
    buckets: int,
    encode: Callable[[list[str]], np.ndarray] | None = None,
) -> ItemFeatures:
    """Vocabularies and price buckets (quantiles of the catalogue's prices) for the items."""

    def vocab(name: str) -> tuple[np.ndarray, int]:
        values = [str(_field(items.get(i), name) or "") for i in item_ids]
        names = {v: k + 1 for k, v in enumerate(sorted({v for v in values if v}))}
        return np.array([names.get(v, 0) for v in values], dtype=np.int64), len(names) + 1

    category, n_categories = vocab("category")
    brand, n_brands = vocab("brand")
    prices = np.array([_price(_field(items.get(i), "price")) for i in item_ids], dtype=np.float64)
    known = np.isfinite(prices)
    price = np.zeros(len(item_ids), dtype=np.int64)
    if known.any():
        edges = np.quantile(prices[known], np.linspace(0, 1, buckets + 1)[1:-1])
        price[known] = np.searchsorted(edges, prices[known], side="right") + 1
    text = None
    if encode is not None and any(_field(items.get(i), "title") for i in item_ids):
        texts = [
            f"{_field(items.get(i), 'title') or ''}. {_field(items.get(i), 'description') or ''}"
            for i in item_ids
        ]
        text = np.asarray(encode(texts), dtype=np.float32)
    return ItemFeatures(category, brand, price, text, n_categories, n_brands)


def _price(value: Any) -> float:
    try:
        return float(value)
    except (TypeError, ValueError):
        return math.nan


class TwoTowerNet(nn.Module):
    """The two towers; item rows index the model's universe (trained + catalogue items)."""

    def __init__(
        self, config: TwoTowerConfig, id_rows: np.ndarray, n_ids: int, features: ItemFeatures
    ):
        super().__init__()
        d = config.dim
        self.config = config
        self.register_buffer("id_rows", torch.as_tensor(id_rows, dtype=torch.long))
        self.register_buffer("category", torch.as_tensor(features.category))
        self.register_buffer("brand", torch.as_tensor(features.brand))
        self.register_buffer("price", torch.as_tensor(features.price))
        self.ids = nn.Embedding(n_ids + 1, d, padding_idx=0)
        self.has_content = bool(
            features.text is not None or features.n_categories > 1 or features.n_brands > 1
        )
        self.categories = nn.Embedding(features.n_categories, d, padding_idx=0)
        self.brands = nn.Embedding(features.n_brands, d, padding_idx=0)
        self.prices = nn.Embedding(config.price_buckets + 1, d, padding_idx=0)
        if features.text is not None:
            self.register_buffer("text", torch.as_tensor(features.text))
            self.text_proj = nn.Linear(features.text.shape[1], d, bias=False)
        else:
            self.text = None
        self.events = nn.Embedding(len(EVENT_TYPES) + 1, d, padding_idx=0)
        self.ages = nn.Embedding(config.max_len, d)
        self.hours = nn.Embedding(UNKNOWN_HOUR + 1, d)
        self.gru = nn.GRU(d, d, batch_first=True)
        self.head = nn.Sequential(nn.Linear(2 * d, d), nn.GELU(), nn.Linear(d, d))
        nn.init.normal_(self.ids.weight, std=0.1)
        with torch.no_grad():
            self.ids.weight[0].zero_()

    def items(self, rows: torch.Tensor, drop_ids: bool = False) -> torch.Tensor:
        """Item vectors (*rows.shape, d), not normalised."""
        ids = self.id_rows[rows]
        if drop_ids and self.has_content and self.config.id_dropout > 0:
            keep = torch.rand(ids.shape, device=ids.device) >= self.config.id_dropout
            ids = ids * keep
        out = self.ids(ids) + self.categories(self.category[rows]) + self.brands(self.brand[rows])
        out = out + self.prices(self.price[rows])
        if self.text is not None:
            out = out + self.text_proj(self.text[rows])
        return out

    def sessions(
        self, rows: torch.Tensor, events: torch.Tensor, hours: torch.Tensor, drop_ids: bool = False
    ) -> torch.Tensor:
        """Unit session vectors (B, d) from left-padded (B, L) item rows and event ids (0 = pad)."""
        mask = (events > 0).unsqueeze(-1).float()
        length = rows.shape[1]
        ages = torch.arange(length - 1, -1, -1, device=rows.device)  # newest event: age 0
        x = (self.items(rows, drop_ids) + self.events(events) + self.ages(ages)) * mask
        _, last = self.gru(x)  # (1, B, d): state after the newest event
        pooled = x.sum(1) / mask.sum(1).clamp_min(1.0)
        h = last[0] + self.head(torch.cat([pooled + self.hours(hours), last[0]], dim=-1))
        return nn.functional.normalize(h, dim=-1)

    def all_items(self) -> torch.Tensor:
        """Unit vectors of every item in the universe (n, d)."""
        rows = torch.arange(self.id_rows.shape[0], device=self.id_rows.device)
        return nn.functional.normalize(self.items(rows), dim=-1)


def _examples(
    events: Sequence[Event], index: Mapping[str, int], max_len: int
) -> tuple[torch.Tensor, ...]:
    """(prefix rows, prefix event ids, hour, target row) for every next event of every session."""
    codes = {name: k + 1 for k, name in enumerate(EVENT_TYPES)}
    rows, kinds, hours, targets = [], [], [], []
    for session in group_sessions(list(events)).values():
        steps = [e for e in session if e.item_id in index]
        for t in range(1, len(steps)):
            prefix = steps[max(0, t - max_len) : t]
            pad = max_len - len(prefix)
            rows.append([0] * pad + [index[e.item_id] for e in prefix])
            kinds.append([0] * pad + [codes.get(e.event, 1) for e in prefix])
            hours.append(prefix[-1].timestamp.hour)
            targets.append(index[steps[t].item_id])
    return (
        torch.tensor(rows, dtype=torch.long).view(-1, max_len),
        torch.tensor(kinds, dtype=torch.long).view(-1, max_len),
        torch.tensor(hours, dtype=torch.long),
        torch.tensor(targets, dtype=torch.long),
    )


def _split_latest(events: Sequence[Event], fraction: float) -> tuple[list[Event], list[Event]]:
    """Train on the earlier sessions, validate on the latest `fraction` of them (by end time)."""
    sessions = group_sessions(list(events))
    order = sorted(sessions, key=lambda s: (sessions[s][-1].timestamp, s))
    cut = len(order) - max(1, int(round(fraction * len(order))))
    train = [e for s in order[:cut] for e in sessions[s]]
    valid = [e for s in order[cut:] for e in sessions[s]]
    return train, valid


class TwoTower(ScoringModel):
    """A trained two-tower model over a fixed item universe, with fast session scoring."""

    def __init__(self, net: TwoTowerNet, item_ids: list[str], trained: np.ndarray) -> None:
        self.net = net.eval()
        self.config = net.config
        self.item_ids = item_ids
        self.index = {item_id: k for k, item_id in enumerate(item_ids)}
        self.trained = trained  # (n,) bool: the item had interactions in training
        self.metrics: dict[str, Any] = {}
        with torch.no_grad():
            self.item_matrix = net.all_items().cpu().numpy()  # (n, d) unit vectors

    # ------------------------------------------------------------------ training
    @classmethod
    def fit(
        cls,
        events: Sequence[Event],
        config: TwoTowerConfig | None = None,
        *,
        valid_events: Sequence[Event] | None = None,
        items: Mapping[str, Any] | None = None,
        encode: Callable[[list[str]], np.ndarray] | None = None,
    ) -> TwoTower:
        """Train on events; early-stop on Recall@eval_k of valid_events' next clicks.

        valid_events None holds out the latest val_fraction of sessions; an empty list trains
        all `epochs` without validation (for a final fit once the epoch count is tuned).

        items (item_id -> title, description, category, brand, price) adds content features and
        catalogue items without history; encode (e.g. Embedder.encode) embeds title+description.
        """
        from accelerate import Accelerator
        from accelerate.utils import set_seed
        from tqdm.auto import tqdm

        config = config or TwoTowerConfig()
        items = dict(items or {})
        if valid_events is None:
            events, valid_events = _split_latest(events, config.val_fraction)
        if not events:
            raise ValueError("cannot train the two-tower model on zero events")
        trained_ids = sorted({e.item_id for e in events})
        item_ids = trained_ids + sorted(set(items) - set(trained_ids))
        index = {item_id: k for k, item_id in enumerate(item_ids)}
        trained = np.zeros(len(item_ids), dtype=bool)
        trained[: len(trained_ids)] = True
        id_rows = np.where(trained, np.arange(len(item_ids)) + 1, 0)
        features = item_features(item_ids, items, config.price_buckets, encode)

        previous_threads = torch.get_num_threads()
        torch.set_num_threads(config.num_threads)
        set_seed(config.seed)
        accelerator = Accelerator()
        try:
            net = TwoTowerNet(config, id_rows, len(trained_ids), features)
            train = _examples(events, index, config.max_len)
            valid = _examples(valid_events, index, config.max_len)
            if len(train[3]) == 0:
                raise ValueError("no session has two events: nothing to learn a next item from")
            counts = torch.bincount(train[3], minlength=len(item_ids)).float()
            log_q = torch.log((counts + 1.0) / (counts.sum() + len(item_ids)))
            loader = torch.utils.data.DataLoader(
                torch.utils.data.TensorDataset(*train),
                batch_size=config.batch_size,
                shuffle=True,
                generator=torch.Generator().manual_seed(config.seed),
            )
            optimiser = torch.optim.AdamW(
                net.parameters(), lr=config.lr, weight_decay=config.weight_decay
            )
            net, optimiser, loader = accelerator.prepare(net, optimiser, loader)
            log_q = log_q.to(accelerator.device)
            best, best_state, stale, history = -1.0, None, 0, []
            started = time.perf_counter()
            bar = tqdm(
                range(1, config.epochs + 1),
                desc="two-tower",
                disable=not (config.progress and accelerator.is_local_main_process),
            )
            for epoch in bar:
                loss = _train_epoch(net, optimiser, loader, log_q, accelerator, config)
                if len(valid[3]) == 0:  # no validation: the last epoch is the model
                    history.append({"epoch": epoch, "loss": loss})
                    bar.set_postfix(loss=f"{loss:.3f}")
                    best_state = None
                    continue
                recall = _recall(accelerator.unwrap_model(net), valid, config.eval_k)
                history.append({"epoch": epoch, "loss": loss, f"recall@{config.eval_k}": recall})
                bar.set_postfix(loss=f"{loss:.3f}", recall=f"{recall:.4f}")
                logger.info("two-tower epoch %d: loss %.4f, valid Recall@%d %.4f",
                            epoch, loss, config.eval_k, recall)  # fmt: skip
                if recall > best:
                    best, stale = recall, 0
                    best_state = copy.deepcopy(accelerator.unwrap_model(net).state_dict())
                else:
                    stale += 1
                    if stale >= config.patience:
                        logger.info("early stop after epoch %d (best Recall %.4f)", epoch, best)
                        break
            net = accelerator.unwrap_model(net).cpu()
            if best_state is not None:
                net.load_state_dict(best_state)
        finally:
            torch.set_num_threads(previous_threads)
        model = cls(net, item_ids, trained)
        model.metrics = {
            f"valid_recall@{config.eval_k}": best if best >= 0 else None,
            "epochs_run": len(history),
            "history": history,
            "train_examples": int(len(train[3])),
            "valid_examples": int(len(valid[3])),
            "train_seconds": round(time.perf_counter() - started, 2),
        }
        return model

    # ------------------------------------------------------------------ scoring
    def session_vector(self, steps: list[Step]) -> np.ndarray | None:
        """The session tower's unit vector (d,); None when no session item is known."""
        known = [s for s in steps if s.item_id in self.index][-self.config.max_len :]
        if not known:
            return None
        codes = {name: k + 1 for k, name in enumerate(EVENT_TYPES)}
        pad = self.config.max_len - len(known)
        rows = torch.tensor([[0] * pad + [self.index[s.item_id] for s in known]])
        kinds = torch.tensor([[0] * pad + [codes.get(s.event, 1) for s in known]])
        stamp = known[-1].timestamp
        hours = torch.tensor([stamp.hour if stamp is not None else UNKNOWN_HOUR])
        with torch.no_grad():
            return self.net.sessions(rows, kinds, hours)[0].numpy()

    def scores(self, session: Sequence[str | Event | Step]) -> np.ndarray:
        """Cosine of every item with the session; an empty session scores popularity-free 0."""
        vector = self.session_vector(as_steps(session))
        if vector is None:
            return np.zeros(len(self.item_ids), dtype=np.float64)
        return (self.item_matrix @ vector).astype(np.float64)

    def reason(self, row: int, steps: list[Step]) -> str:
        rows = [self.index[s.item_id] for s in steps if s.item_id in self.index]
        if not rows:
            return "popular"
        sims = self.item_matrix[rows] @ self.item_matrix[row]
        return f"similar to {self.item_ids[rows[int(np.argmax(sims))]]}"

    # ------------------------------------------------------------------ files
    def save(self, path: str | Path) -> Path:
        """Write model.safetensors and config.json (format, config, ids, metrics) into path."""
        from safetensors.torch import save_file

        path = Path(path)
        path.mkdir(parents=True, exist_ok=True)
        save_file({k: v.contiguous() for k, v in self.net.state_dict().items()},
                  str(path / WEIGHTS_FILE))  # fmt: skip
        meta = {
            "format": FORMAT_VERSION,
            "config": asdict(self.config),
            "item_ids": self.item_ids,
            "trained": self.trained.tolist(),
            "n_categories": self.net.categories.num_embeddings,
            "n_brands": self.net.brands.num_embeddings,
            "text_dim": None if self.net.text is None else int(self.net.text.shape[1]),
            "metrics": self.metrics,
        }
        (path / CONFIG_FILE).write_text(json.dumps(meta, indent=1), encoding="utf-8")
        logger.info("saved two-tower model (%d items) to %s", len(self.item_ids), path)
        return path

    @classmethod
    def load(cls, path: str | Path) -> TwoTower:
        """Load a folder written by save(); ValueError when incomplete or of another format."""
        from safetensors.torch import load_file

        path = Path(path)
        try:
            meta = json.loads((path / CONFIG_FILE).read_text(encoding="utf-8"))
            state = load_file(str(path / WEIGHTS_FILE))
        except (OSError, ValueError) as exc:
            raise ValueError(f"{path}: cannot load two-tower model: {exc}") from exc
        if not isinstance(meta, dict) or meta.get("format") != FORMAT_VERSION:
            found = meta.get("format") if isinstance(meta, dict) else None
            raise ValueError(f"{path}: unsupported two-tower format {found!r}")
        try:
            config = TwoTowerConfig(**meta["config"])
            trained = np.array(meta["trained"], dtype=bool)
            n = len(meta["item_ids"])
            text_dim = meta["text_dim"]
            features = ItemFeatures(
                np.zeros(n, np.int64), np.zeros(n, np.int64), np.zeros(n, np.int64),
                None if text_dim is None else np.zeros((n, text_dim), np.float32),
                meta["n_categories"], meta["n_brands"],
            )  # fmt: skip
            id_rows = np.where(trained, np.arange(n) + 1, 0)
            net = TwoTowerNet(config, id_rows, int(trained.sum()), features)
            net.load_state_dict(state)
        except (KeyError, TypeError, RuntimeError, ValueError) as exc:
            raise ValueError(f"{path}: inconsistent two-tower files: {exc}") from exc
        model = cls(net, list(meta["item_ids"]), trained)
        model.metrics = meta.get("metrics", {})
        return model


def _train_epoch(net, optimiser, loader, log_q, accelerator, config: TwoTowerConfig) -> float:
    """One pass of in-batch sampled softmax with log-q correction; returns the mean loss."""
    net.train()
    total, batches = 0.0, 0
    for rows, kinds, hours, targets in loader:
        model = accelerator.unwrap_model(net)
        session = model.sessions(rows, kinds, hours, drop_ids=True)  # (B, d)
        item = nn.functional.normalize(model.items(targets, drop_ids=True), dim=-1)  # (B, d)
        logits = session @ item.T / config.temperature  # (B, B)
        if config.logq:
            logits = logits - log_q[targets][None, :]
        # The same item twice in a batch is not a negative of itself.
        same = targets[:, None] == targets[None, :]
        same.fill_diagonal_(False)
        logits = logits.masked_fill(same, -1e9)
        labels = torch.arange(len(targets), device=logits.device)
        loss = nn.functional.cross_entropy(logits, labels)
        optimiser.zero_grad(set_to_none=True)
        accelerator.backward(loss)
        optimiser.step()
        total += float(loss.detach())
        batches += 1
    net.eval()
    return total / max(batches, 1)


@torch.no_grad()
def _recall(net: TwoTowerNet, examples: tuple[torch.Tensor, ...], k: int) -> float:
    """Share of validation next items in the top k over the whole universe."""
    rows, kinds, hours, targets = examples
    if len(targets) == 0:
        return 0.0
    device = net.id_rows.device
    items = net.all_items()
    hits = 0
    for first in range(0, len(targets), 1024):
        chunk = slice(first, first + 1024)
        vectors = net.sessions(rows[chunk].to(device), kinds[chunk].to(device),
                               hours[chunk].to(device))  # fmt: skip
        scores = vectors @ items.T
        target = targets[chunk].to(device)
        target_score = scores.gather(1, target[:, None])
        hits += int(((scores > target_score).sum(1) < k).sum())
    return hits / len(targets)
