"""Typed fine-tuning settings, read from YAML and validated when built.

Relative paths in a config file are taken from the current working directory (the repository
root for the commands in the README and Makefile).
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

METHODS = ("lora", "full")
TASKS = ("intent", "reply")
FORMATS = ("auto", "dialogues", "bitext", "text_label", "clinc150")
BEST_METRICS = ("loss", "intent_accuracy", "intent_macro_f1")

# LoRA targets when none are given: the attention projections of each model family.
DEFAULT_TARGETS: dict[str, tuple[str, ...]] = {
    "llama": ("q_proj", "k_proj", "v_proj", "o_proj"),
    "mistral": ("q_proj", "k_proj", "v_proj", "o_proj"),
    "qwen2": ("q_proj", "k_proj", "v_proj", "o_proj"),
    "gemma": ("q_proj", "k_proj", "v_proj", "o_proj"),
    "phi3": ("qkv_proj", "o_proj"),
    "gpt2": ("c_attn", "c_proj"),
}
GPT2_STYLE = ("gpt2",)  # Conv1D layers: LoRA needs fan_in_fan_out


class FinetuneConfigError(ValueError):
    """A fine-tuning setting has a value training cannot use."""


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: Any) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)) and math.isfinite(
        value
    )


def _reject_unknown(cls: type, values: dict[str, Any], where: str) -> None:
    known = {f.name for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - known)
    if unknown:
        raise FinetuneConfigError(
            f"{where}: unknown key {unknown[0]!r}"
            + (f" (and {unknown[1:]})" if len(unknown) > 1 else "")
            + f"; known keys: {sorted(known)}"
        )


@dataclass
class DataSource:
    """One data file and how to read it.

    format: "auto" guesses from the file (dialogue JSONL, Bitext CSV, text,label CSV,
        CLINC150 JSON). split: which split of a CLINC150 file ("train", "validation", "test").
    tasks: which kinds of examples to build from it; None takes the config's `tasks`.
    label_map: renames labels (a mapping, or "bitext" for the built-in Bitext -> shop intents);
        labels it does not name are kept unless drop_unmapped is true.
    limit: keep N examples of each kind (a fixed random sample, in file order).
    faq / catalogue: the shop files that a dialogue's faq_ids / item_ids refer to; None looks
        for faq.jsonl / catalogue.jsonl next to the dialogue file and one folder up.
    """

    path: str
    format: str = "auto"
    split: str | None = None
    tasks: list[str] | None = None
    label_map: dict[str, str] | str | None = None
    drop_unmapped: bool = False
    limit: int | None = None
    faq: str | None = None
    catalogue: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.path, (str, Path)) or not str(self.path):
            raise FinetuneConfigError(
                f"data source path must be a non-empty string, got {self.path!r}"
            )
        self.path = str(self.path)
        for name in ("faq", "catalogue"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, (str, Path)) or not str(value)):
                raise FinetuneConfigError(f"{name} must be null or a path, got {value!r}")
            setattr(self, name, None if value is None else str(value))
        if self.format not in FORMATS:
            raise FinetuneConfigError(f"format must be one of {FORMATS}, got {self.format!r}")
        if self.split is not None and self.split not in ("train", "validation", "val", "test"):
            raise FinetuneConfigError(
                f"split must be train, validation or test, got {self.split!r}"
            )
        if self.tasks is not None:
            self.tasks = _check_tasks(self.tasks, "tasks of a data source")
        if self.label_map is not None and not (
            self.label_map == "bitext"
            or (
                isinstance(self.label_map, dict)
                and all(
                    isinstance(k, str) and isinstance(v, str) for k, v in self.label_map.items()
                )
            )
        ):
            raise FinetuneConfigError(
                f"label_map must be 'bitext' or a mapping of label to label, got {self.label_map!r}"
            )
        if not isinstance(self.drop_unmapped, bool):
            raise FinetuneConfigError(
                f"drop_unmapped must be true or false, got {self.drop_unmapped!r}"
            )
        if self.limit is not None and (not _is_int(self.limit) or self.limit < 1):
            raise FinetuneConfigError(f"limit must be a positive integer, got {self.limit!r}")

    @classmethod
    def from_value(cls, value: Any, where: str) -> DataSource:
        if isinstance(value, DataSource):
            return value
        if isinstance(value, (str, Path)):
            return cls(path=str(value))
        if isinstance(value, dict):
            _reject_unknown(cls, value, where)
            if "path" not in value:
                raise FinetuneConfigError(f"{where}: a data source needs a 'path'")
            return cls(**value)
        raise FinetuneConfigError(f"{where}: expected a path or a mapping, got {value!r}")


def _check_tasks(tasks: Any, name: str) -> list[str]:
    if isinstance(tasks, str):
        tasks = [tasks]
    if not isinstance(tasks, (list, tuple)) or not tasks:
        raise FinetuneConfigError(f"{name} must be a non-empty list, got {tasks!r}")
    bad = [t for t in tasks if t not in TASKS]
    if bad:
        raise FinetuneConfigError(f"{name}: unknown task {bad[0]!r}; expected {TASKS}")
    return list(dict.fromkeys(tasks))


@dataclass
class FinetuneConfig:
    """Everything one fine-tuning run needs.

    base_model: None for the bundled SmolLM2-135M-Instruct (converted into cache_dir once),
        else a Hugging Face model folder.
    train / validation: data sources (paths or mappings, see DataSource).
    tasks: which examples to build from dialogues: "intent" (the intent name after the
        serving intent prompt) and/or "reply" (the reference reply after the serving reply prompt).
    method: "lora" trains a LoRA adapter (saved in PEFT format); "full" trains every weight.
    target_modules: LoRA targets; None picks the attention projections for the model type.
    lora_layers: LoRA only in the top N decoder layers (None: all). Backward passes then stop
        at the lowest adapted layer, so a step costs much less on a CPU.
    batch_size: examples per micro-batch on each process; grad_accum micro-batches per step.
    reply_batch_size: batch size for reply examples (None: batch_size). Intent examples share
        their long prompt prefix, so they are cheap per row; replies are long and are not.
    eval_every: optimizer steps between evaluations (and checkpoints).
    early_stopping_patience: evaluations without improvement before stopping; None never stops.
    bf16: "auto" (bf16 mixed precision on a GPU that supports it), true or false.
    max_steps: optional cap on optimizer steps (the schedule is sized to it).
    num_threads: torch CPU threads (None: torch's default, one per core). On a machine whose
        cores are busy with other work, 1 can be several times faster than oversubscribing.
    max_minutes: optional wall-clock budget from the start (loading and the base model's
        evaluation included); training stops at the first step past it, wherever the schedule
        is, after a last evaluation and checkpoint.
    eval_max_examples: cap on validation examples per evaluation: one number for each kind,
        or a mapping such as {intent: 300, reply: 40} (None: all).
    share_prefix: run a batch's common prompt prefix (the intent prompt's system text) once
        per batch instead of once per row; same loss, far less compute.
    """

    train: list[DataSource] = field(default_factory=list)
    validation: list[DataSource] = field(default_factory=list)
    base_model: str | None = None
    cache_dir: str = "var/models"
    output_dir: str = "finetune/adapters/run"
    checkpoint_dir: str | None = None  # None: <output_dir>/checkpoints
    logging_dir: str | None = None  # None: <output_dir>/runs (TensorBoard)
    tasks: list[str] = field(default_factory=lambda: list(TASKS))
    reply_without_context: bool = False
    history_turns: int = 4
    method: str = "lora"
    lora_r: int = 8
    lora_alpha: int = 16
    lora_dropout: float = 0.05
    target_modules: list[str] | None = None
    lora_layers: int | None = None
    learning_rate: float = 2e-4
    weight_decay: float = 0.01
    warmup_ratio: float = 0.05
    epochs: int = 1
    batch_size: int = 8
    reply_batch_size: int | None = None
    grad_accum: int = 1
    max_grad_norm: float | None = 1.0
    max_length: int = 512
    seed: int = 0
    eval_every: int = 50
    eval_at_start: bool = True
    eval_max_examples: int | dict[str, int] | None = None
    metric_for_best: str = "loss"
    early_stopping_patience: int | None = 3
    keep_checkpoints: int = 2
    bf16: str | bool = "auto"
    gradient_checkpointing: bool = False
    share_prefix: bool = True
    max_steps: int | None = None
    max_minutes: float | None = None
    num_threads: int | None = None
    log_every: int = 10

    def __post_init__(self) -> None:
        self.train = self._sources(self.train, "train")
        self.validation = self._sources(self.validation, "validation")
        if not self.train:
            raise FinetuneConfigError("train must name at least one data file")
        if self.base_model is not None and (
            not isinstance(self.base_model, str) or not self.base_model
        ):
            raise FinetuneConfigError(
                f"base_model must be null or a non-empty string, got {self.base_model!r}"
            )
        for name in ("cache_dir", "output_dir"):
            value = getattr(self, name)
            if not isinstance(value, (str, Path)) or not str(value):
                raise FinetuneConfigError(f"{name} must be a non-empty path, got {value!r}")
            setattr(self, name, str(value))
        for name in ("checkpoint_dir", "logging_dir"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, (str, Path)) or not str(value)):
                raise FinetuneConfigError(f"{name} must be null or a path, got {value!r}")
            setattr(self, name, None if value is None else str(value))
        self.tasks = _check_tasks(self.tasks, "tasks")
        if self.method not in METHODS:
            raise FinetuneConfigError(f"method must be one of {METHODS}, got {self.method!r}")
        positive_ints = (
            "lora_r",
            "lora_alpha",
            "epochs",
            "batch_size",
            "grad_accum",
            "max_length",
            "eval_every",
            "keep_checkpoints",
            "log_every",
            "history_turns",
        )
        for name in positive_ints:
            value = getattr(self, name)
            if not _is_int(value) or value < 1:
                raise FinetuneConfigError(f"{name} must be a positive integer, got {value!r}")
        if self.lora_layers is not None and (not _is_int(self.lora_layers) or self.lora_layers < 1):
            raise FinetuneConfigError(
                f"lora_layers must be null or a positive integer, got {self.lora_layers!r}"
            )
        if self.max_length < 16:
            raise FinetuneConfigError(f"max_length must be at least 16, got {self.max_length!r}")
        if isinstance(self.eval_max_examples, dict):
            bad = {
                k: v
                for k, v in self.eval_max_examples.items()
                if k not in TASKS or not _is_int(v) or v < 1
            }
            if bad:
                raise FinetuneConfigError(
                    "eval_max_examples must map intent/reply to positive integers, "
                    f"got {self.eval_max_examples!r}"
                )
        elif self.eval_max_examples is not None and (
            not _is_int(self.eval_max_examples) or self.eval_max_examples < 1
        ):
            raise FinetuneConfigError(
                f"eval_max_examples must be null, a positive integer or a mapping, "
                f"got {self.eval_max_examples!r}"
            )
        for name in ("max_steps", "early_stopping_patience", "num_threads", "reply_batch_size"):
            value = getattr(self, name)
            if value is not None and (not _is_int(value) or value < 1):
                raise FinetuneConfigError(
                    f"{name} must be null or a positive integer, got {value!r}"
                )
        if self.max_minutes is not None and (
            not _is_number(self.max_minutes) or self.max_minutes <= 0
        ):
            raise FinetuneConfigError(f"max_minutes must be null or > 0, got {self.max_minutes!r}")
        if not _is_int(self.seed):
            raise FinetuneConfigError(f"seed must be an integer, got {self.seed!r}")
        if not _is_number(self.learning_rate) or self.learning_rate <= 0:
            raise FinetuneConfigError(f"learning_rate must be > 0, got {self.learning_rate!r}")
        if not _is_number(self.weight_decay) or self.weight_decay < 0:
            raise FinetuneConfigError(f"weight_decay must be >= 0, got {self.weight_decay!r}")
        if not _is_number(self.warmup_ratio) or not 0 <= self.warmup_ratio < 1:
            raise FinetuneConfigError(f"warmup_ratio must be in [0, 1), got {self.warmup_ratio!r}")
        if not _is_number(self.lora_dropout) or not 0 <= self.lora_dropout < 1:
            raise FinetuneConfigError(f"lora_dropout must be in [0, 1), got {self.lora_dropout!r}")
        if self.max_grad_norm is not None and (
            not _is_number(self.max_grad_norm) or self.max_grad_norm <= 0
        ):
            raise FinetuneConfigError(
                f"max_grad_norm must be null or > 0, got {self.max_grad_norm!r}"
            )
        if self.target_modules is not None:
            if isinstance(self.target_modules, str):
                self.target_modules = [self.target_modules]
            if (
                not isinstance(self.target_modules, (list, tuple))
                or not self.target_modules
                or not all(isinstance(m, str) and m for m in self.target_modules)
            ):
                raise FinetuneConfigError(
                    "target_modules must be null or a list of module names, "
                    f"got {self.target_modules!r}"
                )
            self.target_modules = list(self.target_modules)
        if self.metric_for_best not in BEST_METRICS:
            raise FinetuneConfigError(
                f"metric_for_best must be one of {BEST_METRICS}, got {self.metric_for_best!r}"
            )
        if self.metric_for_best != "loss" and "intent" not in self.tasks:
            raise FinetuneConfigError(
                f"metric_for_best {self.metric_for_best!r} needs the 'intent' task"
            )
        if self.bf16 not in ("auto", True, False):
            raise FinetuneConfigError(f"bf16 must be 'auto', true or false, got {self.bf16!r}")
        for name in (
            "gradient_checkpointing",
            "share_prefix",
            "eval_at_start",
            "reply_without_context",
        ):
            if not isinstance(getattr(self, name), bool):
                raise FinetuneConfigError(
                    f"{name} must be true or false, got {getattr(self, name)!r}"
                )

    @staticmethod
    def _sources(value: Any, name: str) -> list[DataSource]:
        if value is None:
            return []
        if isinstance(value, (str, Path, dict, DataSource)):
            value = [value]
        if not isinstance(value, (list, tuple)):
            raise FinetuneConfigError(
                f"{name} must be a path or a list of data sources, got {value!r}"
            )
        return [DataSource.from_value(v, f"{name}[{i}]") for i, v in enumerate(value)]

    # ------------------------------------------------------------------ paths
    @property
    def checkpoint_path(self) -> Path:
        return Path(self.checkpoint_dir or Path(self.output_dir) / "checkpoints")

    @property
    def logging_path(self) -> Path:
        return Path(self.logging_dir or Path(self.output_dir) / "runs")

    @property
    def batch_sizes(self) -> dict[str, int]:
        return {"intent": self.batch_size, "reply": self.reply_batch_size or self.batch_size}

    def eval_limit(self, kind: str) -> int | None:
        """Validation examples of `kind` used per evaluation (None: all)."""
        if isinstance(self.eval_max_examples, dict):
            return self.eval_max_examples.get(kind)
        return self.eval_max_examples

    def resolved_target_modules(self, model_type: str) -> list[str]:
        """LoRA target module names: the configured ones, else the default for `model_type`."""
        if self.target_modules:
            return list(self.target_modules)
        try:
            return list(DEFAULT_TARGETS[model_type])
        except KeyError:
            raise FinetuneConfigError(
                f"no default LoRA target_modules for model type {model_type!r}; "
                "set target_modules in the config"
            ) from None

    # ------------------------------------------------------------- (de)serialise
    @classmethod
    def from_mapping(cls, values: dict[str, Any], source: str = "config") -> FinetuneConfig:
        """Build from a dict (e.g. a YAML file); an unknown key is named in the error."""
        if not isinstance(values, dict):
            raise FinetuneConfigError(f"{source}: expected a mapping of settings, got {values!r}")
        _reject_unknown(cls, values, source)
        try:
            return cls(**values)
        except FinetuneConfigError as exc:
            raise FinetuneConfigError(f"{source}: {exc}") from None

    @classmethod
    def from_yaml(cls, path: str | Path) -> FinetuneConfig:
        import yaml

        try:
            values = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise FinetuneConfigError(f"cannot read config file {path}: {exc}") from exc
        return cls.from_mapping(values or {}, source=str(path))

    def to_dict(self) -> dict[str, Any]:
        out = dataclasses.asdict(self)
        out["train"] = [_source_dict(s) for s in self.train]
        out["validation"] = [_source_dict(s) for s in self.validation]
        return out

    def to_yaml(self) -> str:
        import yaml

        return yaml.safe_dump(self.to_dict(), sort_keys=False, allow_unicode=True)


def _source_dict(source: DataSource) -> dict[str, Any]:
    """A data source as a mapping, leaving out settings at their defaults."""
    defaults = DataSource(path=source.path)
    return {
        f.name: getattr(source, f.name)
        for f in dataclasses.fields(source)
        if f.name == "path" or getattr(source, f.name) != getattr(defaults, f.name)
    }
