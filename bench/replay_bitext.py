"""Replay real customer-support utterances through the assistant and summarise what happened.

Reads the Bitext customer-support CSV from ../shared/data (skips cleanly when it is absent),
samples N utterances with a fixed seed, sends each as the first message of a fresh session
through the Python API, and reports: how many got a non-empty reply, crashes (must be 0),
the intent distribution, the handoff rate and the median / p95 turn latency.

    .venv/bin/python bench/replay_bitext.py --n 300 --out bench/results/replay_bitext.json
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import random
import statistics
import sys
import time
import traceback
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "bitext_customer_support"
FILE = "Bitext_Sample_Customer_Support_Training_Dataset_v8b6ca3d.csv"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--data", type=Path, default=DATA / FILE)
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument("--reply-mode", default="generate", choices=["generate", "extractive"])
    args = parser.parse_args()
    if not args.data.exists():
        print(f"skipped: {args.data} not found")
        return 0
    logging.basicConfig(level=logging.WARNING)
    sys.path.insert(0, str(ROOT))
    from assistant import Assistant, AssistantConfig

    with open(args.data, encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    sample = random.Random(args.seed).sample(rows, min(args.n, len(rows)))
    started = time.perf_counter()
    assistant = Assistant.from_config(AssistantConfig(reply_mode=args.reply_mode))
    startup_s = time.perf_counter() - started
    intents, latencies, crashes, non_empty, handoffs = Counter(), [], [], 0, 0
    by_bitext: dict[str, Counter] = {}
    for row in sample:
        text = row["instruction"]
        session = assistant.new_session()
        t0 = time.perf_counter()
        try:
            reply = assistant.respond(session, text)
        except Exception:  # counted and reported: the point of this script
            crashes.append({"text": text, "error": traceback.format_exc(limit=3)})
            continue
        latencies.append(1000 * (time.perf_counter() - t0))
        non_empty += bool(reply.text.strip())
        handoffs += reply.handoff
        intents[reply.intent] += 1
        by_bitext.setdefault(row["intent"], Counter())[reply.intent] += 1
    lat = sorted(latencies)
    result = {
        "model": assistant.lm.name,
        "reply_mode": args.reply_mode,
        "utterances": len(sample),
        "non_empty_replies": non_empty,
        "crashes": len(crashes),
        "handoffs": handoffs,
        "startup_s": round(startup_s, 1),
        "latency_ms_p50": round(statistics.median(lat), 1) if lat else None,
        "latency_ms_p95": round(lat[int(0.95 * (len(lat) - 1))], 1) if lat else None,
        "intent_distribution": dict(intents.most_common()),
        "bitext_intent_to_ours": {k: dict(v.most_common(3)) for k, v in sorted(by_bitext.items())},
        "crash_examples": crashes[:5],
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", "utf-8")
    return 1 if crashes else 0


if __name__ == "__main__":
    sys.exit(main())
