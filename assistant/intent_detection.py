"""Intent detection: the LM's label scores mixed with the nearest labelled phrasings.

The LM scores every intent name after a prompt that lists them (one batched pass, see
`LanguageModel.score_options`). A small base model is a weak zero-shot classifier, so its
probabilities are mixed with a vote of the shop's labelled example phrasings nearest to the
message in embedding space. `lm_weight` sets the LM's share: 1.0 is the LM alone (what a
fine-tuned adapter is good at), 0.0 the examples alone.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from assistant.intents import INTENT_NAMES
from assistant.prompts import intent_messages

logger = logging.getLogger(__name__)


@dataclass
class IntentResult:
    intent: str
    confidence: float
    probabilities: dict[str, float]


class ExampleIndex:
    """Labelled example phrasings as unit vectors, for a nearest-neighbour vote."""

    def __init__(self, vectors: np.ndarray, labels: Sequence[str], k: int = 7) -> None:
        unknown = sorted(set(labels) - set(INTENT_NAMES))
        if unknown:
            raise ValueError(f"examples carry unknown intents {unknown}")
        if len(vectors) != len(labels):
            raise ValueError(f"expected one label per vector, got {len(vectors)} and {len(labels)}")
        self.vectors = np.asarray(vectors, dtype=np.float32)  # (N, D), L2-normalised
        self.label_idx = np.array([INTENT_NAMES.index(label) for label in labels])
        self.k = k

    def probabilities(self, query: np.ndarray, temperature: float = 0.05) -> np.ndarray:
        """Distribution over INTENT_NAMES from the k nearest examples to `query` (D,)."""
        if len(self.vectors) == 0:
            return np.full(len(INTENT_NAMES), 1.0 / len(INTENT_NAMES))
        sims = self.vectors @ query  # (N,)
        k = min(self.k, len(sims))
        top = np.argpartition(-sims, k - 1)[:k]
        weights = np.exp((sims[top] - sims[top].max()) / temperature)
        probs = np.zeros(len(INTENT_NAMES))
        np.add.at(probs, self.label_idx[top], weights)
        # The best similarity tells how far the message is from anything labelled.
        closeness = float(np.clip((sims[top].max() - 0.2) / 0.5, 0.0, 1.0))
        probs = probs / probs.sum()
        uniform = np.full(len(INTENT_NAMES), 1.0 / len(INTENT_NAMES))
        return closeness * probs + (1 - closeness) * uniform


class IntentDetector:
    """Picks an intent with a confidence for the last message of a conversation."""

    def __init__(self, lm=None, embed=None, examples: ExampleIndex | None = None,
                 lm_weight: float = 0.5, history_turns: int = 4,
                 calibrate: bool = True, temperature: float = 1.0,
                 lm_gate: float | None = None) -> None:  # fmt: skip
        if lm is None and examples is None:
            raise ValueError("IntentDetector needs an LM, examples, or both")
        self.lm = lm
        self.embed = embed  # callable: list[str] -> (N, D) unit vectors
        self.examples = examples
        self.lm_weight = lm_weight if examples is not None else 1.0
        if lm is None:
            self.lm_weight = 0.0
        self.history_turns = history_turns
        self.temperature = temperature
        # When the examples' vote alone reaches lm_gate, the LM is not asked (it costs more
        # than everything else in a turn); None always asks it.
        self.lm_gate = lm_gate
        self._baseline = None
        if self.lm is not None and self.lm_weight > 0:
            system_only = intent_messages([], "")[:1]
            self.lm.cache_prefix(self.lm.encode_chat(system_only, add_generation_prompt=False))
        if self.lm is not None and self.lm_weight > 0 and calibrate:
            # Contextual calibration: a small LM prefers some labels whatever the message
            # says; its scores for an empty message measure that bias, and we subtract it.
            self._baseline = self._raw_scores([], "")

    def _raw_scores(self, history: Sequence[dict], message: str):
        prompt = self.lm.encode_chat(intent_messages(history, message, self.history_turns))
        with self.lm.lock:
            return self.lm.score_options(prompt, INTENT_NAMES)

    def lm_probabilities(self, history: Sequence[dict], message: str) -> np.ndarray:
        scores = self._raw_scores(history, message)
        if self._baseline is not None:
            scores = scores - self._baseline
        import torch  # imported here so that `import assistant` stays light

        return torch.softmax(scores * self.temperature, dim=0).numpy()

    def detect(self, history: Sequence[dict], message: str) -> IntentResult:
        knn = None
        if self.lm_weight < 1:
            knn = self.examples.probabilities(self.embed([message])[0])
        if knn is not None and self.lm_gate is not None and knn.max() >= self.lm_gate:
            # The LM's share, not asked, counts as no information (uniform): the same intent
            # as the vote, with a confidence on the mixture's scale (thresholds keep meaning).
            uniform = np.full(len(INTENT_NAMES), 1.0 / len(INTENT_NAMES))
            probs = self.lm_weight * uniform + (1 - self.lm_weight) * knn
        else:
            probs = np.zeros(len(INTENT_NAMES))
            if self.lm_weight > 0:
                probs += self.lm_weight * self.lm_probabilities(history, message)
            if knn is not None:
                probs += (1 - self.lm_weight) * knn
        best = int(np.argmax(probs))
        return IntentResult(
            intent=INTENT_NAMES[best],
            confidence=float(probs[best]),
            probabilities={name: float(p) for name, p in zip(INTENT_NAMES, probs, strict=True)},
        )
