"""Intent accuracy and macro-F1 of the base model and of base + adapter, through the serving
code path (`assistant.models.load_language_model` + `LanguageModel.score_options`, the LM
alone, no example vote), on a dialogue file's labelled user turns.

    python bench/finetune_compare.py [--data demo_shop/data/dialogues/validation.jsonl]
        [--adapter finetune/adapters/demo-shop] [--limit N] [--threads 1]
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

    from assistant.intents import INTENT_NAMES
    from assistant.models import load_language_model
    from assistant.prompts import INTENT_SYSTEM
    from finetune.config import DataSource
    from finetune.data import load_source
    from finetune.evaluate import intent_metrics

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data", default="demo_shop/data/dialogues/validation.jsonl")
    parser.add_argument("--adapter", default="finetune/adapters/demo-shop")
    parser.add_argument("--cache-dir", default="var/models")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--threads", type=int)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    examples = load_source(DataSource(args.data, tasks=["intent"]), ["intent"])
    examples = examples[: args.limit] if args.limit else examples
    for adapter in (None, Path(args.adapter)):
        lm = load_language_model(None, adapter, Path(args.cache_dir))
        # As serving does: the system prompt's cache is computed once and re-used.
        system = lm.encode_chat([{"role": "system", "content": INTENT_SYSTEM}], False)
        lm.cache_prefix(system)
        started = time.perf_counter()
        predicted = []
        for ex in examples:
            scores = lm.score_options(lm.encode_chat(list(ex.messages)), INTENT_NAMES)
            predicted.append(INTENT_NAMES[int(scores.argmax())])
        seconds = time.perf_counter() - started
        metrics = intent_metrics([ex.intent for ex in examples], predicted)
        metrics.update(model=lm.name, ms_per_message=round(1000 * seconds / len(examples), 1))
        print(json.dumps(metrics), flush=True)


if __name__ == "__main__":
    main()
