"""Typed settings for the assistant, validated when built.

Files are read at entry points only (the CLI and the UI); library code takes a config object.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SHOP_DIR = REPO_ROOT / "demo_shop" / "data"
DEFAULT_DATA_DIR = REPO_ROOT / "var"
DEFAULT_ADAPTER_DIR = REPO_ROOT / "finetune" / "adapters" / "demo-shop"

REPLY_MODES = ("generate", "extractive")
LM_PRECISIONS = ("int8", "float32", "transformers")  # as assistant.models.PRECISIONS


class ConfigError(ValueError):
    """A setting has a value the assistant cannot use."""


@dataclass
class AssistantConfig:
    """Everything the assistant needs to start.

    shop_dir: folder with faq.jsonl, catalogue.jsonl, orders.jsonl, interactions.csv and
        dialogues/train.jsonl (the demo shop by default).
    data_dir: where caches live: converted model, Chroma store, orders database, recommender.
    base_model: None for the bundled SmolLM2-135M-Instruct, else a Hugging Face id or a path.
    adapter_dir: a PEFT LoRA adapter folder; "auto" uses the demo shop's adapter when present.
    """

    shop_dir: Path = DEFAULT_SHOP_DIR
    data_dir: Path = DEFAULT_DATA_DIR
    base_model: str | None = None
    adapter_dir: str | None = "auto"
    embedding_model: str | None = None  # None: the bundled all-MiniLM-L6-v2
    chroma_host: str | None = None
    chroma_port: int = 8000
    # Intent detection: probabilities from the LM's label scores are mixed with those of the
    # nearest labelled example phrasings; intent_lm_weight is the LM's share. None: 0.5 with
    # an adapter, 0.3 on the base model alone: the best shares on the demo validation split
    # (0.929 with the demo adapter and the gate below; the base model's zero-shot scores are
    # weak, 0.867 at 0.3 and worse above). See bench/results/finetune.md.
    intent_lm_weight: float | None = None
    # The LM is asked only when the examples' vote is below this (None: always asked). 0.6
    # keeps validation accuracy (0.849 either way with the int8 LM) while most turns skip
    # the LM's ~0.3 s; see bench/results/speed.md.
    intent_lm_gate: float | None = 0.6
    intent_threshold: float = 0.35
    max_low_confidence: int = 2  # clarifying questions in a row before a handoff
    # Turns in a row the assistant could not answer (no FAQ entry, order not found, nothing
    # in the catalogue) before a person takes over.
    max_failed_turns: int = 3
    # Days after delivery an order may be returned; None: read from the shop's return-policy
    # FAQ entry ("within 30 days"), so the tool and the FAQ cannot disagree.
    return_window_days: int | None = None
    faq_threshold: float = 0.45  # least embedding similarity of an FAQ answer
    # The intent's FAQ category ranks its entries first (with a lower keyword bar) only when
    # the intent's confidence reaches this. 0.45 (was 0.6): on the demo validation split FAQ
    # hit rate 0.559 -> 0.585, reply similarity +0.015; test split hit rate 0.479 -> 0.554
    # (bench/results/evaluate.md).
    faq_hint_confidence: float = 0.45
    faq_keyword_coverage: float = 0.5  # or: least share of the message's keywords it holds
    # Languages whose FAQ search trusts embedding similarity (all-MiniLM-L6-v2 is English);
    # in the others keywords lead.
    dense_languages: tuple[str, ...] = ("en",)
    reply_mode: str = "generate"
    # Languages the LM writes replies in; in others the FAQ entry's own text is the answer.
    # The bundled SmolLM2-135M writes English only (its Spanish and Chinese are garbled).
    generate_languages: tuple[str, ...] = ("en",)
    # A generated reply with more than this share of content words absent from its context
    # is replaced by the context's own text (see guardrails.off_context_share).
    max_off_context: float = 0.4
    max_new_tokens: int = 80
    # Serving the LM (assistant/models.py): "int8" (default; fused layers, int8 weights),
    # "float32" (same decoder, float weights) or "transformers" (plain transformers forward).
    lm_precision: str = "int8"
    # Seconds from a message's arrival to its whole reply. When generation is predicted to
    # take longer (from measured tokens/s), or reaches the deadline, the reply is the FAQ
    # entry's own text instead and Reply.over_budget is set.
    reply_budget_s: float = 6.0
    max_message_chars: int = 2000
    max_message_tokens: int = 512  # emoji and rare scripts cost many tokens per character
    # Per session (see assistant/limits.py): user messages in one conversation, and messages
    # a second, sustained (a token bucket: up to two seconds' worth may come at once).
    max_turns_per_session: int = 200
    max_requests_per_second: float = 5.0
    history_turns: int = 4
    products_shown: int = 6
    seed: int = 0
    # The turn log (JSONL, see assistant/turn_log.py): None = <data_dir>/logs/turns.jsonl,
    # "" = no log.
    log_path: str | Path | None = None
    # Sessions `serve` saves after every turn (<data_dir>/served-sessions; not the
    # `chat --session` ones) unused for this many days are deleted; None keeps them for ever.
    session_retention_days: int | None = 30
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self._check_types()
        self.shop_dir = Path(self.shop_dir)
        self.data_dir = Path(self.data_dir)
        if self.intent_lm_weight is not None and not 0.0 <= self.intent_lm_weight <= 1.0:
            raise ConfigError(f"intent_lm_weight must be in [0, 1], got {self.intent_lm_weight!r}")
        if self.intent_lm_gate is not None and not 0.0 < self.intent_lm_gate <= 1.0:
            gate = self.intent_lm_gate
            raise ConfigError(f"intent_lm_gate must be in (0, 1] or null, got {gate!r}")
        if not 0.0 <= self.intent_threshold < 1.0:
            raise ConfigError(f"intent_threshold must be in [0, 1), got {self.intent_threshold!r}")
        if not 0.0 <= self.faq_hint_confidence <= 1.0:
            raise ConfigError(
                f"faq_hint_confidence must be in [0, 1], got {self.faq_hint_confidence!r}"
            )
        if not 0.0 <= self.faq_threshold < 1.0:
            raise ConfigError(f"faq_threshold must be in [0, 1), got {self.faq_threshold!r}")
        if self.reply_mode not in REPLY_MODES:
            raise ConfigError(f"reply_mode must be one of {REPLY_MODES}, got {self.reply_mode!r}")
        if self.lm_precision not in LM_PRECISIONS:
            raise ConfigError(
                f"lm_precision must be one of {LM_PRECISIONS}, got {self.lm_precision!r}"
            )
        if not self.reply_budget_s > 0:
            raise ConfigError(f"reply_budget_s must be positive, got {self.reply_budget_s!r}")
        for name in (
            "max_new_tokens",
            "max_message_chars",
            "max_message_tokens",
            "history_turns",
            "products_shown",
            "max_low_confidence",
            "max_turns_per_session",
            "max_failed_turns",
        ):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ConfigError(f"{name} must be a positive integer, got {value!r}")
        self.generate_languages = tuple(self.generate_languages)
        self.dense_languages = tuple(self.dense_languages)
        if not self.max_requests_per_second > 0:
            raise ConfigError(
                f"max_requests_per_second must be > 0, got {self.max_requests_per_second!r}"
            )
        keep = self.session_retention_days
        if keep is not None and (isinstance(keep, bool) or not isinstance(keep, int) or keep < 1):
            raise ConfigError(
                f"session_retention_days must be a positive integer or null, got {keep!r}"
            )
        days = self.return_window_days
        if days is not None and (isinstance(days, bool) or not isinstance(days, int) or days < 1):
            raise ConfigError(f"return_window_days must be a positive integer or null, got {days}")
        if not isinstance(self.chroma_port, int) or not 0 < self.chroma_port < 65536:
            raise ConfigError(f"chroma_port must be a TCP port, got {self.chroma_port!r}")

    def _check_types(self) -> None:
        """Name the setting and the value when a file gives a value of the wrong type."""
        kinds = {
            "shop_dir": (str, Path), "data_dir": (str, Path), "base_model": (str, type(None)),
            "adapter_dir": (str, Path, type(None)), "embedding_model": (str, type(None)),
            "chroma_host": (str, type(None)), "reply_mode": (str,), "lm_precision": (str,),
            "log_path": (str, Path, type(None)),
            "generate_languages": (list, tuple), "dense_languages": (list, tuple),
        }  # fmt: skip
        numbers = ("intent_threshold", "faq_threshold", "faq_keyword_coverage", "max_off_context",
                   "faq_hint_confidence",
                   "max_requests_per_second", "reply_budget_s")  # fmt: skip
        for name in numbers:
            kinds[name] = (int, float)
        for name, allowed in kinds.items():
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, allowed):
                expected = " or ".join(t.__name__ for t in allowed)
                raise ConfigError(f"{name} must be {expected}, got {value!r}")
        for name in ("intent_lm_weight", "intent_lm_gate"):
            value = getattr(self, name)
            number = isinstance(value, int | float) and not isinstance(value, bool)
            if value is not None and not number:
                raise ConfigError(f"{name} must be a number or null, got {value!r}")
        for name in ("max_new_tokens", "max_message_chars", "max_message_tokens", "chroma_port",
                     "history_turns", "products_shown", "max_low_confidence", "seed",
                     "max_turns_per_session", "max_failed_turns"):  # fmt: skip
            if isinstance(getattr(self, name), bool):
                raise ConfigError(f"{name} must be an integer, got {getattr(self, name)!r}")
        for name in ("generate_languages", "dense_languages"):
            if not all(isinstance(code, str) for code in getattr(self, name)):
                raise ConfigError(f"{name} must be a list of language codes")

    def resolved_lm_weight(self) -> float:
        """The LM's share in intent detection: the setting, else 0.5 with an adapter and 0.3
        without (see the comment above)."""
        if self.intent_lm_weight is not None:
            return self.intent_lm_weight
        return 0.5 if self.resolved_adapter_dir() is not None else 0.3

    def resolved_log_path(self) -> Path | None:
        """Where turns are logged, or None when logging is off (log_path: "")."""
        if self.log_path is None:
            return self.data_dir / "logs" / "turns.jsonl"
        return Path(self.log_path) if str(self.log_path) else None

    def resolved_adapter_dir(self) -> Path | None:
        """The adapter folder to load, or None to run on the base model alone."""
        if self.adapter_dir in (None, "", "none"):
            return None
        if self.adapter_dir == "auto":
            found = DEFAULT_ADAPTER_DIR / "adapter_config.json"
            return DEFAULT_ADAPTER_DIR if found.exists() else None
        path = Path(self.adapter_dir)
        if not (path / "adapter_config.json").exists():
            raise ConfigError(f"adapter_dir {str(path)!r} has no adapter_config.json")
        return path

    @classmethod
    def from_mapping(cls, values: dict[str, Any], source: str = "config") -> AssistantConfig:
        """Build from a dict (e.g. a YAML file), naming unknown keys in the error."""
        known = {f.name for f in dataclasses.fields(cls)}
        unknown = sorted(set(values) - known)
        if unknown:
            raise ConfigError(f"{source}: unknown setting(s) {unknown}; known: {sorted(known)}")
        try:
            return cls(**values)
        except ConfigError as exc:
            raise ConfigError(f"{source}: {exc}") from None
