"""The training loop: LoRA (or full) fine-tuning of a causal LM through `accelerate`.

One script for one CPU process and for `accelerate launch` (DDP) alike: the model, optimiser and
schedule go through `Accelerator.prepare`; each process takes every world_size-th batch.

Loss: cross-entropy on the target tokens only (intent name or reply, plus eos), averaged over
a micro-batch's target tokens. Batches hold one kind of example of similar length; a batch's
common prompt prefix (for intent examples, the long system prompt) is run once and its
key/value cache shared by the rows, and logits are computed only where targets are.
"""

from __future__ import annotations

import contextlib
import json
import logging
import math
import os
import random
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from torch import nn

from finetune.config import GPT2_STYLE, FinetuneConfig
from finetune.data import IGNORE_INDEX, Encoded, encode_examples, load_examples
from finetune.evaluate import common_prefix_len, intent_metrics, score_prompts

logger = logging.getLogger(__name__)

ADAPTER_FILES = ("adapter_config.json", "adapter_model.safetensors")
CHECKPOINT_PREFIX = "step-"
DONE_MARKER = "COMPLETE"


# ------------------------------------------------------------------ the model
def load_base(config: FinetuneConfig):
    """(model, tokenizer, name) of the base model, loaded as serving loads it."""
    from assistant.models import load_language_model

    lm = load_language_model(config.base_model, None, Path(config.cache_dir))
    return lm.model, lm.tokenizer, lm.name


def prepare_model(model: nn.Module, config: FinetuneConfig) -> nn.Module:
    """Wrap `model` for the configured method: a PEFT LoRA model, or all weights trainable."""
    model.train()
    if config.method == "lora":
        from peft import LoraConfig, get_peft_model

        model_type = getattr(model.config, "model_type", "")
        layers = None
        if config.lora_layers is not None:
            total = model.config.num_hidden_layers
            layers = list(range(max(0, total - config.lora_layers), total))
        lora = LoraConfig(
            task_type="CAUSAL_LM",
            r=config.lora_r,
            lora_alpha=config.lora_alpha,
            lora_dropout=config.lora_dropout,
            target_modules=config.resolved_target_modules(model_type),
            fan_in_fan_out=model_type in GPT2_STYLE,
            layers_to_transform=layers,
        )
        model = get_peft_model(model, lora)
    else:
        for p in model.parameters():
            p.requires_grad_(True)
    if config.gradient_checkpointing:
        model.gradient_checkpointing_enable(gradient_checkpointing_kwargs={"use_reentrant": False})
        if hasattr(model, "enable_input_require_grads"):
            model.enable_input_require_grads()
    return model


class TargetLoss(nn.Module):
    """Sum of the target tokens' cross-entropy for one collated batch, and their count.

    Wrapping the LM in one module keeps the two passes (shared prefix, then the rows) inside a
    single forward, which DDP needs.
    """

    def __init__(self, model: nn.Module) -> None:
        super().__init__()
        self.model = model

    def forward(self, prefix_ids, input_ids, attention_mask, position_ids, labels, keep: int):
        batch = input_ids.shape[0]
        past = None
        if prefix_ids.shape[1] > 0:
            past = self.model(input_ids=prefix_ids, use_cache=True, logits_to_keep=1).cache
            past.batch_repeat_interleave(batch)
            ones = attention_mask.new_ones((batch, prefix_ids.shape[1]))
            attention_mask = torch.cat([ones, attention_mask], dim=1)
        out = self.model(
            input_ids=input_ids,
            attention_mask=attention_mask,
            position_ids=position_ids,
            cache=past,
            use_cache=past is not None,
            logits_to_keep=keep,
        )
        # Rows are left-padded, so every target sits in the last `keep` positions; logit t
        # predicts token t + 1.
        logits = out.logits[:, :-1].float()
        targets = labels[:, labels.shape[1] - (keep - 1) :]
        loss = nn.functional.cross_entropy(
            logits.reshape(-1, logits.shape[-1]),
            targets.reshape(-1),
            ignore_index=IGNORE_INDEX,
            reduction="sum",
        )
        return loss, (targets != IGNORE_INDEX).sum()


# ------------------------------------------------------------------- batches
def make_batches(
    encoded: Sequence[Encoded],
    batch_size: int | dict[str, int],
    seed: int,
    epoch: int,
    shuffle: bool = True,
) -> list[list[int]]:
    """Index batches of one kind each and of similar length (less padding, shared prefixes).

    Shuffled: per kind, examples are shuffled, sorted by length within windows of 16 batches,
    cut into batches (`batch_size` may differ by kind), and all batches shuffled. The number
    of batches does not depend on the epoch, so a step number alone locates a resumed run.
    """
    rng = random.Random(seed * 100_003 + epoch)
    batches: list[list[int]] = []
    for kind in sorted({e.kind for e in encoded}):
        size = batch_size[kind] if isinstance(batch_size, dict) else batch_size
        idx = [i for i, e in enumerate(encoded) if e.kind == kind]
        if shuffle:
            rng.shuffle(idx)
            window = size * 16
            idx = [
                i
                for start in range(0, len(idx), window)
                for i in sorted(idx[start : start + window], key=lambda j: len(encoded[j]))
            ]
        else:
            idx.sort(key=lambda j: len(encoded[j]))
        batches.extend(idx[s : s + size] for s in range(0, len(idx), size))
    if shuffle:
        rng.shuffle(batches)
    return batches


def collate(rows: Sequence[Encoded], pad_id: int, share_prefix: bool = True, min_prefix: int = 16):
    """Tensors for TargetLoss: the shared prefix (1, P) and the left-padded rest of each row."""
    prefix = 0
    if share_prefix and len(rows) > 1:
        # The first target token is predicted from the prompt's last position: keep it in the rest.
        prefix = min(
            common_prefix_len([r.input_ids for r in rows]), min(r.prompt_len for r in rows) - 1
        )
        if prefix < min_prefix:
            prefix = 0
    width = max(len(r) - prefix for r in rows)
    n = len(rows)
    input_ids = torch.full((n, width), pad_id, dtype=torch.long)
    attention = torch.zeros((n, width), dtype=torch.long)
    labels = torch.full((n, width), IGNORE_INDEX, dtype=torch.long)
    positions = torch.full((n, width), prefix, dtype=torch.long)
    for i, r in enumerate(rows):
        ids, lab = r.input_ids[prefix:], r.labels[prefix:]
        start = width - len(ids)
        input_ids[i, start:] = torch.tensor(ids)
        labels[i, start:] = torch.tensor(lab)
        attention[i, start:] = 1
        positions[i, start:] = torch.arange(prefix, prefix + len(ids))
    keep = min(max(r.target_len for r in rows) + 1, width)
    return {
        "prefix_ids": torch.tensor([rows[0].input_ids[:prefix]], dtype=torch.long).reshape(
            1, prefix
        ),
        "input_ids": input_ids,
        "attention_mask": attention,
        "position_ids": positions,
        "labels": labels,
        "keep": keep,
    }


def _to(batch: dict, device) -> dict:
    return {k: v.to(device) if isinstance(v, torch.Tensor) else v for k, v in batch.items()}


# ---------------------------------------------------------------- run state
@dataclass
class TrainState:
    """What a resumed run needs besides weights, optimiser and schedule (saved by accelerate)."""

    step: int = 0
    total_steps: int = 0
    stopped_by_time: bool = False
    best_metric: float | None = None
    best_step: int | None = None
    bad_evals: int = 0
    stopped_early: bool = False
    tokens: int = 0
    seconds: float = 0.0
    base_metrics: dict = field(default_factory=dict)
    history: list = field(default_factory=list)

    def state_dict(self) -> dict:
        return {k: getattr(self, k) for k in self.__dataclass_fields__}

    def load_state_dict(self, values: dict) -> None:
        for k, v in values.items():
            if k in self.__dataclass_fields__:
                setattr(self, k, v)


def better(metric: str, value: float, best: float | None) -> bool:
    if value is None or math.isnan(value):
        return False
    if best is None:
        return True
    return value < best if metric == "loss" else value > best


def latest_checkpoint(folder: Path) -> Path | None:
    """The newest complete checkpoint folder in `folder`, or None."""
    if not folder.is_dir():
        return None
    done = [
        p
        for p in folder.iterdir()
        if p.name.startswith(CHECKPOINT_PREFIX) and (p / DONE_MARKER).exists()
    ]
    return max(done, key=lambda p: int(p.name[len(CHECKPOINT_PREFIX) :]), default=None)


def label_names(train: Sequence[Encoded], validation: Sequence[Encoded]) -> list[str]:
    """Labels to score: the shop's intents when the data uses them, else the data's labels."""
    from assistant.intents import INTENT_NAMES

    seen = {e.intent for e in [*train, *validation] if e.kind == "intent" and e.intent}
    if seen <= set(INTENT_NAMES):
        return list(INTENT_NAMES)
    return sorted(seen)


# ----------------------------------------------------------------- evaluation
@torch.no_grad()
def evaluate(
    loss_model: TargetLoss,
    tokenizer,
    examples: Sequence[Encoded],
    labels: Sequence[str],
    config: FinetuneConfig,
    accelerator=None,
) -> dict[str, float]:
    """Validation loss (per kind and overall, per target token) and intent accuracy/macro-F1."""
    model = loss_model.model
    was_training = model.training
    loss_model.eval()
    rank = accelerator.process_index if accelerator else 0
    world = accelerator.num_processes if accelerator else 1
    device = next(model.parameters()).device
    pad = tokenizer.pad_token_id
    autocast = accelerator.autocast() if accelerator else contextlib.nullcontext()
    sums: dict[str, list[float]] = {}
    gold, predicted = [], []
    with autocast:
        batches = make_batches(examples, config.batch_sizes, 0, 0, shuffle=False)
        for rows in batches[rank::world]:
            batch = collate([examples[i] for i in rows], pad, config.share_prefix)
            loss, n = loss_model(**_to(batch, device))
            kind = examples[rows[0]].kind
            acc = sums.setdefault(kind, [0.0, 0.0])
            acc[0] += float(loss)
            acc[1] += float(n)
        intent_rows = [e for e in examples if e.kind == "intent" and e.intent][rank::world]
        if intent_rows and labels:
            option_ids = [tokenizer.encode(x, add_special_tokens=False) for x in labels]
            prompts = [e.input_ids[: e.prompt_len] for e in intent_rows]
            scores = score_prompts(model, prompts, option_ids, pad, config.share_prefix)
            predicted = [labels[i] for i in scores.argmax(dim=1).tolist()]
            gold = [e.intent for e in intent_rows]
    if world > 1:
        from accelerate.utils import gather_object

        parts = gather_object([(sums, gold, predicted)])
        sums, gold, predicted = {}, [], []
        for part_sums, part_gold, part_pred in parts:
            for kind, (s, n) in part_sums.items():
                acc = sums.setdefault(kind, [0.0, 0.0])
                acc[0] += s
                acc[1] += n
            gold += part_gold
            predicted += part_pred
    metrics: dict[str, float] = {}
    total_loss = sum(s for s, _ in sums.values())
    total_n = sum(n for _, n in sums.values())
    metrics["loss"] = total_loss / total_n if total_n else float("nan")
    for kind, (s, n) in sorted(sums.items()):
        metrics[f"loss_{kind}"] = s / n if n else float("nan")
    if gold:
        metrics.update(intent_metrics(gold, predicted))
    if was_training:
        loss_model.train()
    return metrics


# ---------------------------------------------------------------------- train
@dataclass
class TrainResult:
    output_dir: Path
    steps: int
    best_step: int | None
    best_metrics: dict
    base_metrics: dict
    tokens_per_second: float
    seconds: float
    stopped_early: bool
    peak_memory_mib: float = 0.0


def _mixed_precision(setting) -> str:
    if setting is True:
        return "bf16"
    if setting == "auto" and torch.cuda.is_available() and torch.cuda.is_bf16_supported():
        return "bf16"
    return "no"


def _tensorboard_available() -> bool:
    import importlib.util

    return importlib.util.find_spec("tensorboard") is not None


def train(
    config: FinetuneConfig,
    resume: bool = False,
    on_step: Callable[[int, dict], None] | None = None,
) -> TrainResult:
    """Fine-tune as `config` says; with `resume`, continue from the newest checkpoint.

    `on_step(step, logs)` is called after every optimiser step (tests use it to interrupt).
    """
    threads = torch.get_num_threads()
    try:
        if config.num_threads:
            torch.set_num_threads(config.num_threads)
        return _train(config, resume, on_step)
    finally:
        torch.set_num_threads(threads)  # the setting is process-wide: leave it as found


def _train(config: FinetuneConfig, resume: bool, on_step) -> TrainResult:
    from accelerate import Accelerator
    from accelerate.utils import set_seed
    from tqdm.auto import tqdm
    from transformers import get_cosine_schedule_with_warmup

    # The wall-clock budget counts from here: loading and the base evaluation included.
    deadline = time.monotonic() + 60 * config.max_minutes if config.max_minutes else None
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    output_dir = Path(config.output_dir)
    log_with = "tensorboard" if _tensorboard_available() else None
    accelerator = Accelerator(
        mixed_precision=_mixed_precision(config.bf16),
        log_with=log_with,
        project_dir=str(config.logging_path),
        step_scheduler_with_optimizer=False,
    )
    if not accelerator.is_main_process:
        logging.getLogger("finetune").setLevel(logging.WARNING)
    set_seed(config.seed)

    model, tokenizer, base_name = load_base(config)
    model = prepare_model(model, config)
    share_prefix = config.share_prefix and not config.gradient_checkpointing
    if config.gradient_checkpointing and config.share_prefix:
        logger.info("share_prefix is off under gradient checkpointing (it needs the KV cache)")
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    total_params = sum(p.numel() for p in model.parameters())
    logger.info(
        "%s, method %s: %d of %d weights trainable (%.2f%%)",
        base_name,
        config.method,
        trainable,
        total_params,
        100 * trainable / total_params,
    )

    # Data: every process reads and tokenises the same examples; batches are split by rank.
    train_examples = load_examples(
        config.train, config.tasks, config.reply_without_context, config.history_turns
    )
    val_examples = load_examples(
        config.validation, config.tasks, config.reply_without_context, config.history_turns
    )
    train_enc = encode_examples(tokenizer, train_examples, config.max_length)
    val_enc = _subsample(encode_examples(tokenizer, val_examples, config.max_length), config)
    if not train_enc:
        raise ValueError("the training data gave no examples (check tasks and files)")
    labels = label_names(train_enc, val_enc)
    data_summary = _summarise(config, train_enc, val_enc)
    logger.info("data: %s", data_summary)

    world, rank = accelerator.num_processes, accelerator.process_index
    n_batches = len(make_batches(train_enc, config.batch_sizes, config.seed, 0))
    steps_per_epoch = (n_batches // world) // config.grad_accum
    if steps_per_epoch < 1:
        raise ValueError(
            f"{len(train_enc)} examples give {n_batches} batches: too few for {world} "
            f"process(es) x grad_accum {config.grad_accum}"
        )
    total_steps = steps_per_epoch * config.epochs
    if config.max_steps:
        total_steps = min(total_steps, config.max_steps)
    warmup = round(config.warmup_ratio * total_steps)

    loss_model = TargetLoss(model)
    decay, no_decay = [], []
    for name, p in loss_model.named_parameters():
        if p.requires_grad:
            (no_decay if p.ndim < 2 or name.endswith(".bias") else decay).append(p)
    optimizer = torch.optim.AdamW(
        [
            {"params": decay, "weight_decay": config.weight_decay},
            {"params": no_decay, "weight_decay": 0.0},
        ],
        lr=config.learning_rate,
    )
    scheduler = get_cosine_schedule_with_warmup(optimizer, warmup, total_steps)
    loss_model, optimizer, scheduler = accelerator.prepare(loss_model, optimizer, scheduler)
    state = TrainState()
    accelerator.register_for_checkpointing(state)
    _keep_only_trainable_in_checkpoints(accelerator)

    state.total_steps = total_steps
    ckpt_root = config.checkpoint_path
    if resume:
        found = latest_checkpoint(ckpt_root)
        if found is None:
            logger.warning("--resume: no complete checkpoint in %s; starting afresh", ckpt_root)
        else:
            accelerator.load_state(str(found), strict=False)
            state.total_steps, state.stopped_by_time = total_steps, False
            logger.info("resumed from %s at step %d", found, state.step)

    if log_with:
        hparams = {
            k: v if isinstance(v, (int, float, str, bool)) else str(v)
            for k, v in config.to_dict().items()
        }
        accelerator.init_trackers("finetune", config=hparams)

    unwrapped = accelerator.unwrap_model(loss_model)
    if config.eval_at_start and val_enc and state.step == 0 and not state.base_metrics:
        logger.info("evaluating the base model on %d validation examples", len(val_enc))
        state.base_metrics = evaluate(unwrapped, tokenizer, val_enc, labels, config, accelerator)
        logger.info("base model: %s", _fmt(state.base_metrics))
        accelerator.log({f"eval/{k}": v for k, v in state.base_metrics.items()}, step=0)

    logger.info(
        "training: %d examples, %d steps (%d per epoch), batch %s x %d process(es) x %d accum",
        len(train_enc),
        total_steps,
        steps_per_epoch,
        config.batch_sizes,
        world,
        config.grad_accum,
    )
    bar = tqdm(
        total=total_steps,
        initial=state.step,
        desc="finetune",
        unit="step",
        disable=not accelerator.is_local_main_process,
    )
    save_every = config.eval_every
    window_loss, window_steps, window_tokens, window_time = 0.0, 0, 0, 0.0
    device = accelerator.device
    pad = tokenizer.pad_token_id
    stop = state.stopped_early
    while state.step < total_steps and not stop:
        epoch, offset = divmod(state.step, steps_per_epoch)
        batches = make_batches(train_enc, config.batch_sizes, config.seed, epoch)
        mine = batches[: (len(batches) // world) * world][rank::world]
        for step_in_epoch in range(offset, steps_per_epoch):
            started = time.perf_counter()
            loss_model.train()
            micro = mine[
                step_in_epoch * config.grad_accum : (step_in_epoch + 1) * config.grad_accum
            ]
            step_loss, step_tokens = 0.0, 0
            for j, rows in enumerate(micro):
                enc = [train_enc[i] for i in rows]
                batch = _to(collate(enc, pad, share_prefix), device)
                last = j == len(micro) - 1
                sync = contextlib.nullcontext() if last else accelerator.no_sync(loss_model)
                with sync:
                    loss_sum, n = loss_model(**batch)
                    loss = loss_sum / n.clamp(min=1) / len(micro)
                    accelerator.backward(loss)
                step_loss += float(loss.detach())
                step_tokens += sum(len(e) for e in enc)
            if config.max_grad_norm:
                accelerator.clip_grad_norm_(loss_model.parameters(), config.max_grad_norm)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            state.step += 1
            elapsed = time.perf_counter() - started
            state.tokens += step_tokens * world
            state.seconds += elapsed
            window_loss += step_loss
            window_steps += 1
            window_tokens += step_tokens * world
            window_time += elapsed
            bar.update(1)
            logs = {"train/loss": step_loss, "train/lr": scheduler.get_last_lr()[0]}
            if state.step % config.log_every == 0 or state.step == total_steps:
                avg = window_loss / window_steps
                tps = window_tokens / window_time if window_time else 0.0
                bar.set_postfix(loss=f"{avg:.3f}", tok_s=f"{tps:.0f}")
                logger.info(
                    "step %d/%d loss %.4f lr %.2e %.0f tokens/s",
                    state.step,
                    total_steps,
                    avg,
                    logs["train/lr"],
                    tps,
                )
                logs["train/tokens_per_second"] = tps
                window_loss, window_steps, window_tokens, window_time = 0.0, 0, 0, 0.0
            accelerator.log(logs, step=state.step)

            if deadline is not None and time.monotonic() > deadline:
                accelerator.set_trigger()
            # Every process must take the same decision, or DDP would wait for ever.
            out_of_time = accelerator.check_trigger()
            if out_of_time:
                state.stopped_by_time = True
                logger.info("max_minutes (%s) reached at step %d", config.max_minutes, state.step)
            at_end = state.step >= total_steps or out_of_time
            stop = stop or out_of_time
            if val_enc and (state.step % config.eval_every == 0 or at_end):
                metrics = evaluate(unwrapped, tokenizer, val_enc, labels, config, accelerator)
                metrics["step"] = state.step
                state.history.append(metrics)
                accelerator.log(
                    {f"eval/{k}": v for k, v in metrics.items() if k != "step"}, step=state.step
                )
                value = metrics.get(config.metric_for_best)
                if better(config.metric_for_best, value, state.best_metric):
                    state.best_metric, state.best_step, state.bad_evals = value, state.step, 0
                    _save_model(accelerator, unwrapped.model, tokenizer, config)
                    mark = " (best)"
                else:
                    state.bad_evals += 1
                    mark = ""
                logger.info("eval step %d: %s%s", state.step, _fmt(metrics), mark)
                patience = config.early_stopping_patience
                if patience and state.bad_evals >= patience:
                    logger.info("early stopping: %d evaluations without improvement", patience)
                    state.stopped_early = stop = True
            if state.step % save_every == 0 or at_end or stop:
                _save_checkpoint(accelerator, ckpt_root, state.step, config.keep_checkpoints)
            if accelerator.is_main_process and (state.best_step == state.step or at_end or stop):
                _write_outputs(
                    config, state, base_name, data_summary, labels, trainable, total_params
                )
            if on_step is not None:
                on_step(state.step, logs)
            if stop or at_end:
                break
    bar.close()

    if not val_enc:  # nothing to pick a best by: the final weights are the result
        _save_model(accelerator, unwrapped.model, tokenizer, config)
    if accelerator.is_main_process:
        _write_outputs(config, state, base_name, data_summary, labels, trainable, total_params)
    accelerator.wait_for_everyone()
    accelerator.end_training()
    best = next((h for h in state.history if h.get("step") == state.best_step), {})
    return TrainResult(
        output_dir=output_dir,
        steps=state.step,
        best_step=state.best_step,
        best_metrics=best,
        base_metrics=state.base_metrics,
        tokens_per_second=state.tokens / state.seconds if state.seconds else 0.0,
        seconds=state.seconds,
        stopped_early=state.stopped_early,
        peak_memory_mib=peak_memory_mib(),
    )


def peak_memory_mib() -> float:
    """This process's peak memory so far: torch's peak allocation on CUDA, else the peak
    resident set size (which includes the loaded model)."""
    if torch.cuda.is_available():
        return round(torch.cuda.max_memory_allocated() / 2**20, 1)
    import resource

    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)  # KiB on Linux


def _subsample(encoded: list[Encoded], config: FinetuneConfig) -> list[Encoded]:
    """At most eval_max_examples of each kind, the same ones at every evaluation."""
    rng = random.Random(config.seed)
    out = []
    for kind in sorted({e.kind for e in encoded}):
        rows = [e for e in encoded if e.kind == kind]
        limit = config.eval_limit(kind)
        if limit and len(rows) > limit:
            rows = rng.sample(rows, limit)
        out.extend(rows)
    return out


def _summarise(config, train_enc, val_enc) -> dict[str, Any]:
    def count(rows):
        kinds: dict[str, int] = {}
        for e in rows:
            kinds[e.kind] = kinds.get(e.kind, 0) + 1
        return kinds

    def describe(source) -> str:
        notes = [", ".join(source.tasks)] if source.tasks else []
        if source.limit:
            notes.append(f"a fixed sample of {source.limit} per kind")
        if source.label_map:
            notes.append("labels mapped")
        return source.path + (f" ({'; '.join(notes)})" if notes else "")

    return {
        "train_files": [describe(s) for s in config.train],
        "validation_files": [describe(s) for s in config.validation],
        "train_examples": count(train_enc),
        "validation_examples": count(val_enc),
        "train_tokens": sum(len(e) for e in train_enc),
        "truncated_to_max_length": sum(len(e) >= config.max_length for e in train_enc),
    }


def _fmt(metrics: dict) -> str:
    return ", ".join(
        f"{k} {v:.4f}" if isinstance(v, float) else f"{k} {v}" for k, v in metrics.items()
    )


def _keep_only_trainable_in_checkpoints(accelerator) -> None:
    """Checkpoints hold only the trainable weights (the LoRA ones: a few MB, not the base)."""

    def save_hook(models, weights, output_dir):
        for model, state in zip(models, weights, strict=False):
            trainable = {n for n, p in model.named_parameters() if p.requires_grad}
            for key in [k for k in state if k not in trainable]:
                del state[key]

    accelerator.register_save_state_pre_hook(save_hook)


def _save_checkpoint(accelerator, root: Path, step: int, keep: int) -> None:
    folder = root / f"{CHECKPOINT_PREFIX}{step:07d}"
    accelerator.save_state(str(folder))
    accelerator.wait_for_everyone()
    if accelerator.is_main_process:
        (folder / DONE_MARKER).write_text(str(step), encoding="utf-8")
        done = sorted(
            (p for p in root.iterdir() if p.name.startswith(CHECKPOINT_PREFIX) and p != folder),
            key=lambda p: int(p.name[len(CHECKPOINT_PREFIX) :]),
        )
        for old in done[: max(0, len(done) - (keep - 1))]:
            shutil.rmtree(old, ignore_errors=True)
    accelerator.wait_for_everyone()


def _save_model(accelerator, model, tokenizer, config: FinetuneConfig) -> None:
    """Write the adapter (PEFT format) or the full model into output_dir, file by file
    replaced, so a reader never sees a half-written file."""
    accelerator.wait_for_everyone()
    if accelerator.is_main_process:
        out = Path(config.output_dir)
        out.mkdir(parents=True, exist_ok=True)
        tmp = out / ".saving"
        shutil.rmtree(tmp, ignore_errors=True)
        if config.method == "lora":
            from assistant.models import BUNDLED_NAME

            base = config.base_model or BUNDLED_NAME
            model.peft_config["default"].base_model_name_or_path = base
            model.save_pretrained(str(tmp))
            names = ADAPTER_FILES
        else:
            model.save_pretrained(str(tmp))
            tokenizer.save_pretrained(str(tmp))
            names = [p.name for p in tmp.iterdir() if p.name != "README.md"]
        for name in names:
            os.replace(tmp / name, out / name)
        shutil.rmtree(tmp, ignore_errors=True)
    accelerator.wait_for_everyone()


def _write_outputs(config, state: TrainState, base_name, data, labels, trainable, total) -> None:
    out = Path(config.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "finetune_config.yaml").write_text(config.to_yaml(), encoding="utf-8")
    best = next((h for h in state.history if h.get("step") == state.best_step), {})
    metrics = {
        "base_model": base_name,
        "steps": state.step,
        "planned_steps": state.total_steps,
        "stopped_by_time": state.stopped_by_time,
        "best_step": state.best_step,
        "best": best,
        "base": state.base_metrics,
        "history": state.history,
        "tokens": state.tokens,
        "train_seconds": round(state.seconds, 1),
        "tokens_per_second": round(state.tokens / state.seconds, 1) if state.seconds else None,
        "stopped_early": state.stopped_early,
        "data": data,
    }
    (out / "metrics.json").write_text(json.dumps(metrics, indent=2) + "\n", encoding="utf-8")
    (out / "README.md").write_text(
        model_card(config, metrics, labels, trainable, total), encoding="utf-8"
    )


def model_card(config: FinetuneConfig, metrics: dict, labels, trainable: int, total: int) -> str:
    """The README.md written next to the adapter: what it is, what it saw, how it scores."""
    base, best = metrics["base"], metrics["best"]

    def row(name: str) -> str:
        def cell(d):
            v = d.get(name)
            return f"{v:.4f}" if isinstance(v, float) else "-"

        return f"| {name} | {cell(base)} | {cell(best)} |"

    names = ["intent_accuracy", "intent_macro_f1", "loss", "loss_intent", "loss_reply"]
    data = metrics["data"]
    lines = [
        f"# {Path(config.output_dir).name}",
        "",
        f"A {'LoRA adapter' if config.method == 'lora' else 'fully fine-tuned model'} for "
        f"**{metrics['base_model']}**"
        + (
            " (the bundled SmolLM2-135M-Instruct GGUF, de-quantised to float32)"
            if config.base_model is None
            else ""
        )
        + ", trained by `python -m finetune` on the shop assistant's own prompts "
        "(`assistant.prompts`): intent names after the intent prompt and grounded replies "
        "after the reply prompt.",
        "",
        "## Data",
        "",
        f"- train: {'; '.join(data['train_files'])} -> {data['train_examples']} examples",
        f"- validation: {'; '.join(data['validation_files']) or '-'} -> "
        f"{data['validation_examples']} examples per evaluation",
        f"- tasks: {', '.join(config.tasks)}; intent labels scored: {len(labels)}",
        "",
        "## Training",
        "",
        f"- method {config.method}"
        + (
            f", r={config.lora_r}, alpha={config.lora_alpha}, dropout={config.lora_dropout}"
            if config.method == "lora"
            else ""
        )
        + f"; {trainable:,} of {total:,} weights trainable ({100 * trainable / total:.2f}%)",
        f"- AdamW lr {config.learning_rate}, weight decay {config.weight_decay}, warm-up "
        f"{config.warmup_ratio:.0%} then cosine; batch {config.batch_size} (replies "
        f"{config.batch_sizes['reply']}) x accumulation "
        f"{config.grad_accum}; max length {config.max_length}; seed {config.seed}",
        f"- {metrics['steps']} of {metrics['planned_steps']} planned steps in "
        f"{metrics['train_seconds']} s of training ({metrics['tokens_per_second']} tokens/s); "
        f"best step {metrics['best_step']}"
        + ("; stopped early" if metrics["stopped_early"] else "")
        + ("; stopped at the max_minutes budget" if metrics["stopped_by_time"] else ""),
        "",
        "## Validation",
        "",
        "Intent accuracy and macro-F1 come from scoring every intent name after the intent "
        "prompt exactly as serving does (`LanguageModel.score_options`: the log-probability of "
        "the name's first token, plus its later tokens where names share a first token), the "
        "LM alone. Loss is the mean cross-entropy per target token (intent name or reply, plus "
        "end of turn).",
        "",
        "| metric | base model | this model |",
        "|---|---|---|",
        *[row(n) for n in names],
        "",
        "## Use",
        "",
        "```bash",
        f"shop-assistant chat --adapter-dir {config.output_dir}",
        f"python -m finetune merge --adapter {config.output_dir} --output merged-model",
        "```",
        "",
        "The resolved training settings are in `finetune_config.yaml`, all evaluations in "
        "`metrics.json`.",
        "",
    ]
    return "\n".join(lines)


def evaluate_saved(
    config: FinetuneConfig,
    adapter_dir: str | Path | None,
    sources=None,
    limit: int | None = None,
) -> dict[str, float]:
    """Metrics of the base model (adapter_dir None) or base + adapter, loaded as serving
    loads them, on `sources` (default: the config's validation data)."""
    from assistant.models import load_language_model

    if config.num_threads:
        torch.set_num_threads(config.num_threads)
    lm = load_language_model(
        config.base_model,
        None if adapter_dir is None else Path(adapter_dir),
        Path(config.cache_dir),
    )
    sources = config.validation if sources is None else sources
    examples = load_examples(
        sources, config.tasks, config.reply_without_context, config.history_turns
    )
    encoded = encode_examples(lm.tokenizer, examples, config.max_length)
    if limit:
        config = FinetuneConfig.from_mapping({**config.to_dict(), "eval_max_examples": limit})
    encoded = _subsample(encoded, config)
    labels = label_names([], encoded)
    metrics = evaluate(TargetLoss(lm.model), lm.tokenizer, encoded, labels, config)
    metrics["model"] = lm.name
    return metrics
