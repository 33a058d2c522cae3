"""Seconds per LoRA training step on the demo shop's data, by example kind, with and without
the shared prompt prefix.

    python bench/finetune_speed.py [--steps 3] [--batch-size 8] [--threads 1] [--config C.yaml]

Prints one JSON line per setting: kind, share_prefix, seconds per step, tokens per second
(tokens counted as whole rows, so the two settings are comparable).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> None:
    import torch

    from finetune.config import FinetuneConfig
    from finetune.data import encode_examples, load_examples
    from finetune.train import TargetLoss, collate, load_base, make_batches, prepare_model

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--config", default="finetune/configs/demo-shop.yaml")
    parser.add_argument("--steps", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=8)
    parser.add_argument("--threads", type=int, help="torch threads (default: torch's choice)")
    parser.add_argument("--kinds", nargs="+", default=["intent", "reply"])
    parser.add_argument("--no-compare", action="store_true", help="only with share_prefix on")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    config = FinetuneConfig.from_yaml(args.config)
    model, tokenizer, name = load_base(config)
    model = prepare_model(model, config)
    loss_model = TargetLoss(model).train()
    optimizer = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-5)
    examples = encode_examples(
        tokenizer, load_examples(config.train, config.tasks), config.max_length
    )
    batches = make_batches(examples, args.batch_size, seed=0, epoch=0)
    for kind in args.kinds:
        mine = [b for b in batches if examples[b[0]].kind == kind][: args.steps + 1]
        if not mine:
            continue
        for share in (True,) if args.no_compare else (True, False):
            times, tokens = [], 0
            for i, rows in enumerate(mine):
                batch = collate([examples[j] for j in rows], tokenizer.pad_token_id, share)
                started = time.perf_counter()
                loss, n = loss_model(**batch)
                (loss / n).backward()
                optimizer.step()
                optimizer.zero_grad()
                if i:  # the first step warms up
                    times.append(time.perf_counter() - started)
                    tokens += sum(len(examples[j]) for j in rows)
            per_step = sum(times) / len(times)
            print(
                json.dumps(
                    {
                        "model": name,
                        "kind": kind,
                        "share_prefix": share,
                        "batch_size": args.batch_size,
                        "seconds_per_step": round(per_step, 2),
                        "tokens_per_second": round(tokens / sum(times), 1),
                        "threads": torch.get_num_threads(),
                    }
                ),
                flush=True,
            )


if __name__ == "__main__":
    main()
