"""Banking77 / CLINC150 intent classification with the assistant's LM: LoRA + a classification
head (peft task SEQ_CLS), trained through Accelerate, scored on the public test / val splits.

Why a head and not the generative intent prompt: scoring 77 or 151 label names after the
~345-token intent system prompt costs far more CPU than these data sets' short utterances;
a head on the last token reads one short sequence per example. Published references:
Banking77 test accuracy 93.7 % (BERT-base); CLINC150 in-scope accuracy 96.7 % and
out-of-scope recall 59 % (BERT, "full" setting).

CLINC150: trained on train + oos_train ("oos" is its own class); a prediction becomes
out-of-scope when the class is "oos" or the top probability is below a threshold tuned on a
held-out part of train (per class `--dev-per-class`, plus a fifth of oos_train) to maximise
(in-scope accuracy + out-of-scope recall) / 2. Reported on val + oos_val.

    # capped CPU run (what bench/results/finetune.md reports)
    python bench/finetune_intents.py --dataset banking77 --train-per-class 40 --max-minutes 22
    # the full run, e.g. on a GPU (bf16 automatically), one or several processes
    accelerate launch bench/finetune_intents.py --dataset clinc150 --epochs 3 --threads 0

Prints one JSON object: what was run (examples, steps, minutes) and what it scored.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

OOS = "out_of_scope"
REFERENCES = {
    "banking77": {"accuracy": 0.937, "source": "BERT-base, Casanueva et al. 2020"},
    "clinc150": {
        "in_scope_accuracy": 0.967,
        "oos_recall": 0.59,
        "source": "BERT, Larson et al. 2019 (full)",
    },
}


def shared_data() -> Path:
    return Path(os.environ.get("SHOP_SHARED_DATA", ROOT.parent / "shared" / "data"))


def per_class_sample(rows, limit: int | None, rng: random.Random):
    """At most `limit` rows of each label (all when None), in a seeded random order."""
    rows = list(rows)
    rng.shuffle(rows)
    if not limit:
        return rows
    seen: dict[str, int] = {}
    out = []
    for row in rows:
        if seen.get(row[1], 0) < limit:
            seen[row[1]] = seen.get(row[1], 0) + 1
            out.append(row)
    return out


def load_splits(args, rng: random.Random):
    """(train, dev, test) lists of (text, label); dev is empty for Banking77."""
    from finetune.data import read_clinc150, read_text_label

    folder = Path(args.data_dir) if args.data_dir else shared_data() / args.dataset
    if args.dataset == "banking77":
        train = [(t, y) for _, t, y in read_text_label(folder / "train.csv")]
        test = [(t, y) for _, t, y in read_text_label(folder / "test.csv")]
        return per_class_sample(train, args.train_per_class, rng), [], test
    path = folder / "data_train_val.json"
    train = [(t, y) for _, t, y in read_clinc150(path, "train")]
    test = [(t, y) for _, t, y in read_clinc150(path, "validation")]
    rng.shuffle(train)
    # The held-out dev part: dev_per_class in-scope rows of each intent, a fifth of oos_train.
    dev, rest, taken = [], [], {}
    oos_total = sum(y == OOS for _, y in train)
    for text, label in train:
        quota = max(1, oos_total // 5) if label == OOS else args.dev_per_class
        if taken.get(label, 0) < quota:
            taken[label] = taken.get(label, 0) + 1
            dev.append((text, label))
        else:
            rest.append((text, label))
    # oos_train is small (100 rows): keep all of what is left of it in the training sample.
    sample = per_class_sample([r for r in rest if r[1] != OOS], args.train_per_class, rng)
    sample += [r for r in rest if r[1] == OOS]
    rng.shuffle(sample)
    return sample, dev, test


def batches(lengths: list[int], size: int, rng: random.Random | None) -> list[list[int]]:
    """Index batches of similar length (less padding); shuffled when rng is given."""
    idx = list(range(len(lengths)))
    if rng is None:
        idx.sort(key=lambda i: lengths[i])
        return [idx[s : s + size] for s in range(0, len(idx), size)]
    rng.shuffle(idx)
    window = size * 32
    idx = [
        i
        for s in range(0, len(idx), window)
        for i in sorted(idx[s : s + window], key=lambda j: lengths[j])
    ]
    out = [idx[s : s + size] for s in range(0, len(idx), size)]
    rng.shuffle(out)
    return out


def pad(ids: list[list[int]], pad_id: int):
    """Right-padded input_ids and attention_mask (the head reads the last non-pad token)."""
    import torch

    width = max(len(x) for x in ids)
    input_ids = torch.full((len(ids), width), pad_id, dtype=torch.long)
    mask = torch.zeros((len(ids), width), dtype=torch.long)
    for i, row in enumerate(ids):
        input_ids[i, : len(row)] = torch.tensor(row)
        mask[i, : len(row)] = 1
    return input_ids, mask


def load_model(args, labels: list[str]):
    """(peft model, tokenizer, name): the base LM with a fresh head and LoRA on attention."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForSequenceClassification, AutoTokenizer

    from assistant.models import BUNDLED_NAME, convert_bundled_model
    from finetune.config import DEFAULT_TARGETS, GPT2_STYLE

    source = args.base_model or str(convert_bundled_model(ROOT / "var" / "models"))
    tokenizer = AutoTokenizer.from_pretrained(source)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    model = AutoModelForSequenceClassification.from_pretrained(
        source,
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={y: i for i, y in enumerate(labels)},
        dtype=torch.float32,
    )
    model.config.pad_token_id = tokenizer.pad_token_id
    model_type = model.config.model_type
    n_layers = model.config.num_hidden_layers
    lora = LoraConfig(
        task_type="SEQ_CLS",  # also trains and saves the new head ("score") in full
        r=args.lora_r,
        lora_alpha=2 * args.lora_r,
        lora_dropout=0.05,
        target_modules=list(DEFAULT_TARGETS[model_type]),
        fan_in_fan_out=model_type in GPT2_STYLE,
        # Only the top layers: the backward pass then stops there (the cost on a CPU).
        layers_to_transform=list(range(n_layers - args.lora_layers, n_layers))
        if args.lora_layers
        else None,
    )
    return get_peft_model(model, lora), tokenizer, args.base_model or BUNDLED_NAME


def predict(model, tokenizer, ids: list[list[int]], batch_size: int, device, autocast):
    """Softmax probabilities (n, labels) for tokenised texts, in input order."""
    import torch

    probs = torch.empty((len(ids), model.config.num_labels))
    model.eval()
    with torch.no_grad(), autocast():
        for rows in batches([len(x) for x in ids], batch_size, None):
            input_ids, mask = pad([ids[i] for i in rows], tokenizer.pad_token_id)
            logits = model(input_ids=input_ids.to(device), attention_mask=mask.to(device)).logits
            probs[rows] = logits.float().softmax(-1).cpu()
    return probs


def oos_metrics(gold: list[str], top: list[str], conf: list[float], threshold: float) -> dict:
    """In-scope accuracy and out-of-scope recall when confidence < threshold means OOS."""
    pred = [OOS if c < threshold else p for p, c in zip(top, conf, strict=True)]
    ins = [(g, p) for g, p in zip(gold, pred, strict=True) if g != OOS]
    oos = [p for g, p in zip(gold, pred, strict=True) if g == OOS]
    return {
        "in_scope_accuracy": sum(g == p for g, p in ins) / len(ins) if ins else float("nan"),
        "oos_recall": sum(p == OOS for p in oos) / len(oos) if oos else float("nan"),
        "accuracy_all": sum(g == p for g, p in zip(gold, pred, strict=True)) / len(gold),
    }


def tune_threshold(gold: list[str], top: list[str], conf: list[float]) -> float:
    """The confidence threshold maximising (in-scope accuracy + OOS recall) / 2 on dev."""
    best, best_t = -1.0, 0.0
    for t in [i / 100 for i in range(0, 100)]:
        m = oos_metrics(gold, top, conf, t)
        score = (m["in_scope_accuracy"] + m["oos_recall"]) / 2
        if score > best:
            best, best_t = score, t
    return best_t


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", choices=sorted(REFERENCES), required=True)
    parser.add_argument("--data-dir", help="default: $SHOP_SHARED_DATA or ../shared/data")
    parser.add_argument("--base-model", help="HF folder (default: the bundled SmolLM2-135M)")
    parser.add_argument("--train-per-class", type=int, default=0, help="0: all rows")
    parser.add_argument("--dev-per-class", type=int, default=2, help="CLINC150 threshold rows")
    parser.add_argument("--test-limit", type=int, default=0, help="0: the whole test split")
    parser.add_argument("--epochs", type=float, default=1.0)
    parser.add_argument("--max-steps", type=int, default=0)
    parser.add_argument("--max-minutes", type=float, default=0.0, help="training wall budget")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--eval-batch-size", type=int, default=64)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--lora-r", type=int, default=16)
    parser.add_argument("--lora-layers", type=int, default=0, help="LoRA on the top N (0: all)")
    parser.add_argument(
        "--bf16", choices=("auto", "yes", "no"), default="auto", help="auto: on a bf16 GPU"
    )
    parser.add_argument("--max-length", type=int, default=64)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (0: torch's)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, help="also write the JSON result here")
    return parser


def main(argv: list[str] | None = None) -> int:
    import torch
    from accelerate import Accelerator
    from accelerate.utils import set_seed

    from finetune.evaluate import intent_metrics

    args = build_parser().parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    started = time.perf_counter()
    rng = random.Random(args.seed)
    set_seed(args.seed)
    gpu_bf16 = torch.cuda.is_available() and torch.cuda.is_bf16_supported()
    bf16 = args.bf16 == "yes" or (args.bf16 == "auto" and gpu_bf16)
    accelerator = Accelerator(mixed_precision="bf16" if bf16 else "no")

    train, dev, test = load_splits(args, rng)
    if args.test_limit:
        test = per_class_sample(test, None, random.Random(args.seed))[: args.test_limit]
    labels = sorted({y for _, y in train} | {y for _, y in test})
    label_id = {y: i for i, y in enumerate(labels)}
    model, tokenizer, name = load_model(args, labels)

    def encode(rows):
        return [tokenizer.encode(t, add_special_tokens=False)[: args.max_length] for t, _ in rows]

    train_ids = encode(train)
    per_epoch = math.ceil(len(train) / (args.batch_size * accelerator.num_processes))
    planned = math.ceil(per_epoch * args.epochs)
    if args.max_steps:
        planned = min(planned, args.max_steps)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=args.lr, weight_decay=0.01)
    clock = {"start": 0.0, "step": 0}
    warmup = max(1, planned // 20)
    timed = bool(args.max_minutes) and accelerator.num_processes == 1

    def lr_factor(_: int) -> float:
        """Linear warm-up, then cosine over the run's progress: steps done, or, with a
        time budget on one process, the share of the budget spent if that is further on
        (so a capped run still anneals; several processes could disagree on time)."""
        step = clock["step"]
        if step < warmup:
            return (step + 1) / warmup
        progress = (step - warmup) / max(1, planned - warmup)
        if timed and clock["start"]:
            spent = (time.perf_counter() - clock["start"]) / (60 * args.max_minutes)
            progress = max(progress, spent)
        return 0.5 * (1 + math.cos(math.pi * min(1.0, progress)))

    scheduler = torch.optim.lr_scheduler.LambdaLR(optimizer, lr_factor)
    model, optimizer, scheduler = accelerator.prepare(model, optimizer, scheduler)
    loaded = clock["start"] = time.perf_counter()
    deadline = loaded + 60 * args.max_minutes if args.max_minutes else None

    step, tokens, seen, epoch, out_of_time = 0, 0, 0, 0, False
    model.train()
    while step < planned and not out_of_time:
        order = batches([len(x) for x in train_ids], args.batch_size, random.Random(epoch))
        for rows in order[accelerator.process_index :: accelerator.num_processes]:
            input_ids, mask = pad([train_ids[i] for i in rows], tokenizer.pad_token_id)
            target = torch.tensor([label_id[train[i][1]] for i in rows])
            with accelerator.autocast():
                logits = model(
                    input_ids=input_ids.to(accelerator.device),
                    attention_mask=mask.to(accelerator.device),
                ).logits
            loss = torch.nn.functional.cross_entropy(logits.float(), target.to(logits.device))
            accelerator.backward(loss)
            accelerator.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            step += 1
            clock["step"] = step
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            tokens += int(mask.sum()) * accelerator.num_processes
            seen += len(rows) * accelerator.num_processes
            if accelerator.is_main_process and (step % 20 == 0 or step == 1):
                print(
                    f"step {step}/{planned} loss {float(loss.detach()):.4f} "
                    f"{tokens / (time.perf_counter() - loaded):.0f} tokens/s",
                    file=sys.stderr,
                    flush=True,
                )
            if deadline is not None and time.perf_counter() > deadline:
                accelerator.set_trigger()
            out_of_time = accelerator.check_trigger()
            if step >= planned or out_of_time:
                break
        epoch += 1
    trained = time.perf_counter()
    accelerator.wait_for_everyone()
    if not accelerator.is_main_process:
        return 0

    # Evaluation on the main process (cheap next to training).
    model = accelerator.unwrap_model(model)
    device = accelerator.device
    test_probs = predict(
        model, tokenizer, encode(test), args.eval_batch_size, device, accelerator.autocast
    )
    conf, top_idx = test_probs.max(dim=1)
    top = [labels[i] for i in top_idx.tolist()]
    gold = [y for _, y in test]
    result = {
        "dataset": args.dataset,
        "model": f"{name} + LoRA r={args.lora_r} + classification head (peft SEQ_CLS)",
        "lora_layers": args.lora_layers or "all",
        "bf16": bf16,
        "lr": args.lr,
        "train_examples": len(train),
        "train_per_class": args.train_per_class or "all",
        "labels": len(labels),
        "steps": step,
        "planned_steps": planned,
        "batch_size": args.batch_size,
        "epochs_seen": round(seen / len(train), 3),
        "stopped_by_time": out_of_time,
        "train_minutes": round((trained - loaded) / 60, 1),
        "train_tokens_per_second": round(tokens / (trained - loaded), 1),
        "test_examples": len(test),
    }
    if args.dataset == "banking77":
        metrics = intent_metrics(gold, top)
        result.update(
            accuracy=round(metrics["intent_accuracy"], 4),
            macro_f1=round(metrics["intent_macro_f1"], 4),
        )
    else:
        dev_probs = predict(
            model, tokenizer, encode(dev), args.eval_batch_size, device, accelerator.autocast
        )
        dev_conf, dev_idx = dev_probs.max(dim=1)
        dev_top = [labels[i] for i in dev_idx.tolist()]
        threshold = tune_threshold([y for _, y in dev], dev_top, dev_conf.tolist())
        result.update(
            dev_examples=len(dev),
            threshold=threshold,
            **{k: round(v, 4) for k, v in oos_metrics(gold, top, conf.tolist(), threshold).items()},
            without_threshold={
                k: round(v, 4) for k, v in oos_metrics(gold, top, conf.tolist(), 0.0).items()
            },
        )
    result["reference"] = REFERENCES[args.dataset]
    result["total_minutes"] = round((time.perf_counter() - started) / 60, 1)
    result["threads"] = torch.get_num_threads()
    text = json.dumps(result, indent=1)
    print(text, flush=True)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
