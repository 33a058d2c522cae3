"""Do the LM's generated replies stay grounded, with and without the adapter?

For reply examples of a labelled dialogue file (turns whose reference reply cites FAQ entries
or products), the serving reply prompt with its context (`assistant.prompts.reply_messages`,
built by `finetune.data`) is given to the LM, the reply generated greedily as serving does
(`LanguageModel.stream`), and checked with `assistant.guardrails.unsupported_facts` against
everything the prompt held (context and the shopper's words): a price, number or tracking
code that is not there counts as ungrounded. Serving replaces such a draft with the FAQ
entry's text; this measures how often the raw LM needs that.

    python bench/finetune_grounding.py --data demo_shop/data/dialogues/test.jsonl --limit 30
        [--adapter finetune/adapters/demo-shop] [--no-base] [--threads 1]

Prints one JSON line per model: replies checked, ungrounded share, examples of what was invented.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("HF_HUB_OFFLINE", "1")


def main() -> int:
    import torch

    from assistant.guardrails import unsupported_facts
    from assistant.models import load_language_model
    from finetune.config import DataSource
    from finetune.data import load_source

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="demo_shop/data/dialogues/test.jsonl")
    parser.add_argument("--adapter", default="finetune/adapters/demo-shop")
    parser.add_argument("--no-base", action="store_true", help="only the adapter")
    parser.add_argument("--cache-dir", default="var/models")
    parser.add_argument("--limit", type=int, default=30, help="a seeded sample of N replies")
    parser.add_argument("--max-new-tokens", type=int, default=80)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    examples = load_source(DataSource(args.data, tasks=["reply"]), ["reply"])
    total = len(examples)
    if args.limit and total > args.limit:
        examples = random.Random(0).sample(examples, args.limit)
    adapters = [Path(args.adapter)] if args.no_base else [None, Path(args.adapter)]
    for adapter in adapters:
        lm = load_language_model(None, adapter, Path(args.cache_dir))
        started = time.perf_counter()
        bad = []
        for ex in examples:
            reply = "".join(lm.stream(list(ex.messages), args.max_new_tokens))
            prompt_text = "\n".join(m["content"] for m in ex.messages)
            missing = unsupported_facts(reply, prompt_text)
            if missing:
                bad.append({"where": ex.where, "unsupported": missing, "reply": reply[:200]})
        result = {
            "model": lm.name,
            "data": args.data,
            "reply_examples": total,
            "checked": len(examples),
            "ungrounded": len(bad),
            "grounded_share": round(1 - len(bad) / len(examples), 3),
            "seconds_per_reply": round((time.perf_counter() - started) / len(examples), 1),
            "ungrounded_examples": bad[:5],
        }
        print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
