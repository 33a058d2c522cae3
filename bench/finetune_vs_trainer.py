"""Training throughput and peak memory: our Accelerate loop (finetune.train) vs a plain
Hugging Face `Trainer` + peft, on the same batches, LoRA settings, optimiser and step count.

Both sides get the same model (the config's base model + the config's LoRA), the same
examples in the same batches (the first full batches of `finetune.train.make_batches` over
the config's training data), AdamW with the same learning rate and weight decay, warm-up +
cosine, gradient clipping. Ours runs `TargetLoss` on `collate`d batches (shared prompt prefix,
logits only at target positions); the Trainer runs the model's own causal-LM loss on
right-padded rows. Each side runs in a fresh subprocess; the first (warm-up) step is not timed.

    python bench/finetune_vs_trainer.py [--config finetune/configs/demo-shop.yaml]
        [--steps 10] [--batch-size 8] [--threads 1]

Prints one JSON line per side, then the ratios (ours / Trainer); tokens per CPU second of the
process is the fairer speed figure on shared cores. Tokens are whole rows
(prompt + target) without padding, counted the same way for both. Memory: on CUDA the peak
allocated by torch; on CPU the peak resident set size (RSS) sampled every 20 ms during the
timed steps, and its rise above the RSS before the first step.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


class PeakRSS:
    """Samples this process's resident set size in a thread; `peak` is the largest seen."""

    def __init__(self, every: float = 0.02) -> None:
        import psutil

        self._proc = psutil.Process()
        self.start = self.peak = self._proc.memory_info().rss
        self._every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(self._every):
            self.peak = max(self.peak, self._proc.memory_info().rss)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self._proc.memory_info().rss)


def setup(args):
    """(config, model wrapped with LoRA, tokenizer, encoded examples, batches to run)."""
    import torch

    from finetune.config import FinetuneConfig
    from finetune.data import encode_examples, load_examples
    from finetune.train import load_base, make_batches, prepare_model

    if args.threads:
        torch.set_num_threads(args.threads)
    config = FinetuneConfig.from_yaml(args.config)
    torch.manual_seed(config.seed)
    model, tokenizer, _ = load_base(config)
    model = prepare_model(model, config)
    examples = encode_examples(
        tokenizer,
        load_examples(config.train, config.tasks, config.reply_without_context),
        config.max_length,
    )
    full = [b for b in make_batches(examples, args.batch_size, config.seed, 0)]
    full = [b for b in full if len(b) == args.batch_size][: args.steps + 1]
    if len(full) < args.steps + 1:
        raise SystemExit(f"only {len(full)} full batches of {args.batch_size} in the data")
    return config, model, tokenizer, examples, full


def optimiser(model, config, steps: int):
    import torch
    from transformers import get_cosine_schedule_with_warmup

    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=config.learning_rate, weight_decay=config.weight_decay)
    warmup = max(1, int(config.warmup_ratio * steps))
    return opt, get_cosine_schedule_with_warmup(opt, warmup, steps)


def memory_start():
    import torch

    if torch.cuda.is_available():
        torch.cuda.reset_peak_memory_stats()
        return None
    return PeakRSS()


def memory_result(probe) -> dict:
    import torch

    if probe is None:
        return {"peak_gpu_mib": round(torch.cuda.max_memory_allocated() / 2**20, 1)}
    probe.stop()
    return {
        "peak_rss_mib": round(probe.peak / 2**20, 1),
        "peak_rss_rise_mib": round((probe.peak - probe.start) / 2**20, 1),
    }


def run_ours(args) -> dict:
    """The step of finetune.train: TargetLoss on collated batches, through Accelerate."""
    from accelerate import Accelerator

    from finetune.train import TargetLoss, _mixed_precision, _to, collate

    config, model, tokenizer, examples, batches = setup(args)
    accelerator = Accelerator(mixed_precision=_mixed_precision(config.bf16))
    opt, sched = optimiser(model, config, len(batches))
    loss_model, opt, sched = accelerator.prepare(TargetLoss(model), opt, sched)
    loss_model.train()
    times, cpu, tokens, probe = [], [], 0, None
    for i, rows in enumerate(batches):
        if i == 1:
            probe = memory_start()
        enc = [examples[j] for j in rows]
        started, cpu_started = time.perf_counter(), time.process_time()
        batch = _to(collate(enc, tokenizer.pad_token_id, config.share_prefix), accelerator.device)
        loss_sum, n = loss_model(**batch)
        accelerator.backward(loss_sum / n.clamp(min=1))
        accelerator.clip_grad_norm_(loss_model.parameters(), config.max_grad_norm)
        opt.step()
        sched.step()
        opt.zero_grad(set_to_none=True)
        accelerator.wait_for_everyone()
        if i:
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - cpu_started)
            tokens += sum(len(e) for e in enc)
    return summary("ours (finetune.train step, Accelerate)", times, cpu, tokens, probe, args)


def run_trainer(args) -> dict:
    """A plain transformers.Trainer over the same rows, in the same batches (sequential)."""
    import torch
    from transformers import Trainer, TrainerCallback, TrainingArguments

    from finetune.data import IGNORE_INDEX
    from finetune.train import _mixed_precision

    config, model, tokenizer, examples, batches = setup(args)
    rows = [
        {"input_ids": examples[j].input_ids, "labels": examples[j].labels}
        for b in batches
        for j in b
    ]
    pad_id = tokenizer.pad_token_id

    def collator(items):
        width = max(len(x["input_ids"]) for x in items)
        ids = torch.full((len(items), width), pad_id, dtype=torch.long)
        labels = torch.full((len(items), width), IGNORE_INDEX, dtype=torch.long)
        mask = torch.zeros((len(items), width), dtype=torch.long)
        for i, x in enumerate(items):
            n = len(x["input_ids"])
            ids[i, :n] = torch.tensor(x["input_ids"])
            labels[i, :n] = torch.tensor(x["labels"])
            mask[i, :n] = 1
        return {"input_ids": ids, "attention_mask": mask, "labels": labels}

    class Timer(TrainerCallback):
        def __init__(self) -> None:
            self.times, self.cpu, self.tokens, self.probe = [], [], 0, None
            self._t = self._cpu = 0.0

        def on_step_begin(self, targs, state, control, **kw):
            if state.global_step == 1:
                self.probe = memory_start()
            self._t, self._cpu = time.perf_counter(), time.process_time()

        def on_step_end(self, targs, state, control, **kw):
            if state.global_step >= 2:  # step 1 is the warm-up
                self.times.append(time.perf_counter() - self._t)
                self.cpu.append(time.process_time() - self._cpu)
                self.tokens += sum(len(examples[j]) for j in batches[state.global_step - 1])

    timer = Timer()
    mixed = _mixed_precision(config.bf16)
    targs = TrainingArguments(
        output_dir=str(Path(args.scratch) / "trainer"),
        per_device_train_batch_size=args.batch_size,
        max_steps=len(batches),
        learning_rate=config.learning_rate,
        weight_decay=config.weight_decay,
        warmup_steps=max(1, int(config.warmup_ratio * len(batches))),
        lr_scheduler_type="cosine",
        max_grad_norm=config.max_grad_norm,
        train_sampling_strategy="sequential",
        save_strategy="no",
        report_to="none",
        logging_steps=len(batches),
        disable_tqdm=True,
        dataloader_num_workers=0,
        remove_unused_columns=False,
        bf16=mixed == "bf16",
        seed=config.seed,
    )
    trainer = Trainer(
        model=model,
        args=targs,
        train_dataset=rows,
        data_collator=collator,
        callbacks=[timer],
    )
    trainer.train()
    return summary("HF Trainer + peft", timer.times, timer.cpu, timer.tokens, timer.probe, args)


def summary(name: str, times: list[float], cpu: list[float], tokens: int, probe, args) -> dict:
    import torch

    return {
        "loop": name,
        "timed_steps": len(times),
        "batch_size": args.batch_size,
        "seconds_per_step": round(sum(times) / len(times), 2),
        "tokens_per_second": round(tokens / sum(times), 1),
        # CPU seconds of this process: far less sensitive than wall time to other work on
        # shared cores (with one torch thread, close to the step's compute).
        "tokens_per_cpu_second": round(tokens / sum(cpu), 1),
        "tokens": tokens,
        **memory_result(probe),
        "threads": torch.get_num_threads(),
        "device": "cuda" if torch.cuda.is_available() else "cpu",
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", default="finetune/configs/demo-shop.yaml")
    parser.add_argument("--steps", type=int, default=10, help="timed steps (+1 warm-up)")
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (0: torch's)")
    parser.add_argument("--scratch", default="/tmp/finetune_vs_trainer")
    parser.add_argument("--only", choices=("ours", "trainer"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.only:
        result = run_ours(args) if args.only == "ours" else run_trainer(args)
        print("RESULT " + json.dumps(result), flush=True)
        return 0
    results = {}
    for side in ("ours", "trainer"):
        cmd = [sys.executable, __file__, "--only", side, *sys.argv[1:]]
        proc = subprocess.run(cmd, capture_output=True, text=True, cwd=os.getcwd())
        line = next((x for x in proc.stdout.splitlines() if x.startswith("RESULT ")), None)
        if proc.returncode or line is None:
            sys.stderr.write(proc.stderr[-3000:])
            raise SystemExit(f"{side} run failed (exit {proc.returncode})")
        results[side] = json.loads(line[len("RESULT ") :])
        print(json.dumps(results[side]), flush=True)
    ours, theirs = results["ours"], results["trainer"]
    ratios = {
        f"{key}_ratio": round(ours[key] / theirs[key], 2)
        for key in ("tokens_per_second", "tokens_per_cpu_second")
    }
    for key in ("peak_gpu_mib", "peak_rss_mib", "peak_rss_rise_mib"):
        if key in ours and theirs.get(key):
            ratios[f"{key}_ratio"] = round(ours[key] / theirs[key], 2)
    print(json.dumps(ratios), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
