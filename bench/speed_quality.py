"""Reply quality before and after the fast serving path, on the demo shop's test split.

For a seeded sample of the split's reply examples (user turns whose reference reply cites FAQ
entries or products), the serving reply prompt with its context (`finetune.data` builds it
with `assistant.prompts.reply_messages`) goes to each path in turn, greedy, the same number of
new tokens, no time budget:

- `transformers`: `model.generate`-equivalent forward passes in float32 (the path before);
- `float32` / `int8`: our lean decoder (`assistant/decoding.py`), int8 being the default,
  with prompt lookup decoding as served; `int8-plain`: int8 one token per forward pass.

For each path: the reply's similarity to the split's reference reply (word F1, and MiniLM
cosine), the share of replies with a price, number or tracking code not in the prompt
(`assistant.guardrails.unsupported_facts`), and, against the first path, the share of
identical replies and their similarity. Intent accuracy before/after is
`bench/speed_intent.py --split test`.

    .venv/bin/python bench/speed_quality.py --limit 60 --paths transformers int8
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def word_f1(a: str, b: str) -> float:
    """F1 of the bags of words of a and b (1.0 for two empty texts)."""
    wa, wb = words(a), words(b)
    if not wa and not wb:
        return 1.0
    if not wa or not wb:
        return 0.0
    common = 0
    pool = list(wb)
    for w in wa:
        if w in pool:
            pool.remove(w)
            common += 1
    if common == 0:
        return 0.0
    precision, recall = common / len(wa), common / len(wb)
    return 2 * precision * recall / (precision + recall)


def main() -> int:
    import numpy as np
    import torch

    from assistant.guardrails import unsupported_facts
    from assistant.models import load_language_model
    from finetune.config import DataSource
    from finetune.data import load_source
    from retrieval.embeddings import Embedder

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="demo_shop/data/dialogues/test.jsonl")
    parser.add_argument(
        "--adapter",
        default="finetune/adapters/demo-shop",
        help="adapter merged into every path ('none': the base model)",
    )
    parser.add_argument(
        "--paths",
        nargs="+",
        default=["transformers", "int8"],
        choices=["transformers", "float32", "int8", "float32-plain", "int8-plain"],
    )
    parser.add_argument("--cache-dir", default="var/models")
    parser.add_argument("--limit", type=int, default=60, help="a seeded sample of N replies")
    parser.add_argument("--max-new-tokens", type=int, default=80)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--out", type=Path, default=None, help="write every reply as JSON lines")
    args = parser.parse_args()  # fmt: skip
    torch.set_num_threads(args.threads)

    examples = load_source(DataSource(args.data, tasks=["reply"]), ["reply"])
    total = len(examples)
    if args.limit and total > args.limit:
        examples = random.Random(0).sample(examples, args.limit)
    adapter = None if args.adapter == "none" else Path(args.adapter)
    replies: dict[str, list[str]] = {}
    seconds: dict[str, float] = {}
    for path in args.paths:
        lm = load_language_model(
            None, adapter, Path(args.cache_dir), precision=path.removesuffix("-plain")
        )
        if path.endswith("-plain"):
            lm.lookahead = 0  # one token per forward pass (no prompt lookup decoding)
        started = time.perf_counter()
        replies[path] = [
            "".join(lm.stream(list(ex.messages), args.max_new_tokens)) for ex in examples
        ]
        seconds[path] = (time.perf_counter() - started) / len(examples)
        del lm

    embedder = Embedder(None)

    def cosines(a: list[str], b: list[str]) -> list[float]:
        va, vb = embedder.encode(a), embedder.encode(b)
        return [float(x) for x in np.sum(np.asarray(va) * np.asarray(vb), axis=1)]

    references = [ex.target for ex in examples]
    first = args.paths[0]
    summary = {
        "data": args.data,
        "reply_examples": total,
        "sampled": len(examples),
        "adapter": str(adapter),
        "max_new_tokens": args.max_new_tokens,
        "paths": {},
    }
    for path in args.paths:
        out = replies[path]
        prompts = ["\n".join(m["content"] for m in ex.messages) for ex in examples]
        ungrounded = sum(bool(unsupported_facts(r, p)) for r, p in zip(out, prompts, strict=True))
        row = {
            "seconds_per_reply": round(seconds[path], 2),
            "reference_word_f1": round(statistics.mean(map(word_f1, out, references)), 3),
            "reference_cosine": round(statistics.mean(cosines(out, references)), 3),
            "ungrounded_share": round(ungrounded / len(out), 3),
            "mean_words": round(statistics.mean(len(words(r)) for r in out), 1),
        }
        if path != first:
            row[f"identical_to_{first}"] = round(
                sum(a == b for a, b in zip(out, replies[first], strict=True)) / len(out), 3
            )
            row[f"word_f1_to_{first}"] = round(
                statistics.mean(map(word_f1, out, replies[first])), 3
            )
            row[f"cosine_to_{first}"] = round(statistics.mean(cosines(out, replies[first])), 3)
        summary["paths"][path] = row
    print(json.dumps(summary, indent=1))
    if args.out:
        with args.out.open("w", encoding="utf-8") as fh:
            for i, ex in enumerate(examples):
                row = {"where": ex.where, "reference": ex.target}
                row.update({p: replies[p][i] for p in args.paths})
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
