"""Reply generation speed, ours against llama.cpp, side by side in one run.

Same weights (the bundled SmolLM2-135M-Instruct Q4_1 GGUF; ours is its float32 conversion),
same chat prompt (an FAQ reply prompt, as served), same number of new tokens, greedy, the
same number of threads. Rounds are interleaved (each path once per round), so every path
sees the same machine load; ratios within a round are what to compare on a shared machine.

Paths: `transformers` (model.generate, float32: the path before this work), `float32` and
`int8` (assistant/decoding.py through LanguageModel.generate_ids, as served: prompt lookup
decoding on), `float32-plain` and `int8-plain` (one token per forward pass), `llama.cpp`
(llama-cpp-python in the benchmark venv, `make bench-llama-env`, run as a subprocess) and
`llama.cpp-lookup` (the same with llama-cpp-python's own prompt lookup decoding, 3-grams and
8 draft tokens as ours). Ratios are to plain `llama.cpp`, and to `llama.cpp-lookup` when run.
Every round starts from an empty cache: first-token time includes the whole prompt.

    .venv/bin/python bench/speed_generate.py --rounds 3 --new-tokens 64
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
LLAMA_PYTHON = ROOT / "bench" / ".venv-llama" / "bin" / "python"
FAQ = (
    "[shipping-times.en] Q: How long does shipping take?\nA: Standard shipping takes 3-5 "
    "business days. Express shipping takes 1-2 business days. Orders placed before 2 pm ship "
    "the same day."
)


def ours(lm, prompt_ids: list[int], new_tokens: int) -> dict:
    lm._sequences = [s for s in lm._sequences if s.pinned]  # no cached prompt
    lm.drafted = lm.kept = 0
    with lm.lock:
        tokens = list(lm.generate_ids(prompt_ids, new_tokens))
    s = lm.last_stats
    return {"first_token_s": s.first_token_s,
            "tokens_per_s": (s.new_tokens - 1) / (s.total_s - s.first_token_s),
            "tokens": tokens, "drafted": lm.drafted, "kept": lm.kept}  # fmt: skip


def transformers_generate(model, prompt_ids: list[int], new_tokens: int) -> dict:
    """model.generate with a streamer-like callback to time the first token."""
    import torch
    from transformers.generation.streamers import BaseStreamer

    class Clock(BaseStreamer):
        def __init__(self) -> None:
            self.times: list[float] = []

        def put(self, value) -> None:
            self.times.append(time.perf_counter())

        def end(self) -> None:
            pass

    clock = Clock()
    ids = torch.tensor([prompt_ids])
    started = time.perf_counter()
    with torch.inference_mode():
        out = model.generate(input_ids=ids, attention_mask=torch.ones_like(ids), do_sample=False,
                             max_new_tokens=new_tokens, min_new_tokens=new_tokens,
                             streamer=clock, pad_token_id=0)  # fmt: skip
    total = time.perf_counter() - started
    first = clock.times[1] - started  # put() #0 is the prompt itself
    return {"first_token_s": first, "tokens_per_s": (new_tokens - 1) / (total - first),
            "tokens": out[0, len(prompt_ids) :].tolist()}  # fmt: skip


def llama_cpp(python: Path, prompts: list[list[int]], new_tokens: int, threads: int,
              lookup: int = 0) -> list:  # fmt: skip
    """One llama.cpp process (model loaded once) over `prompts`: one result per prompt."""
    from assistant.models import BUNDLED_GGUF, bundled_gguf_dir

    job = {"gguf": str(bundled_gguf_dir() / BUNDLED_GGUF), "prompts": prompts,
           "new_tokens": new_tokens, "threads": threads, "rounds": 1,
           "lookup": lookup}  # fmt: skip
    done = subprocess.run([str(python), str(ROOT / "bench" / "speed_llama_worker.py")],
                          input=json.dumps(job), capture_output=True, text=True, check=True,
                          timeout=3600)  # fmt: skip
    return [json.loads(line) for line in done.stdout.strip().splitlines()[-len(prompts) :]]


def test_split_prompts(tokenizer, n: int) -> list[list[int]]:
    """Serving reply prompts (context included) of a seeded sample of the demo test split."""
    import random

    from finetune.config import DataSource
    from finetune.data import chat_ids, load_source

    data = ROOT / "demo_shop" / "data" / "dialogues" / "test.jsonl"
    examples = load_source(DataSource(str(data), tasks=["reply"]), ["reply"])
    examples = random.Random(0).sample(examples, min(n, len(examples)))
    return [chat_ids(tokenizer, ex.messages) for ex in examples]


def pooled(results: list[dict], new_tokens: int) -> dict:
    """Several prompts' results as one: decoding tokens/s over all of them (total tokens after
    the first over total time after the first), median first token, concatenated tokens."""
    decode_s = sum((new_tokens - 1) / r["tokens_per_s"] for r in results)
    out = {"first_token_s": statistics.median(r["first_token_s"] for r in results),
           "tokens_per_s": len(results) * (new_tokens - 1) / decode_s,
           "tokens": [t for r in results for t in r["tokens"]],
           "token_lists": [r["tokens"] for r in results]}  # fmt: skip
    if any("drafted" in r for r in results):
        out["drafted"] = sum(r.get("drafted", 0) for r in results)
        out["kept"] = sum(r.get("kept", 0) for r in results)
    return out


def agreement(a: list[int], b: list[int]) -> int:
    """How many leading tokens two greedy generations share."""
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--new-tokens", type=int, default=64)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--paths", nargs="+",
                        default=["transformers", "float32", "int8", "llama.cpp"])  # fmt: skip
    parser.add_argument("--llama-python", type=Path, default=LLAMA_PYTHON)
    parser.add_argument(
        "--test-prompts",
        type=int,
        default=0,
        help="instead of the one FAQ prompt: N reply prompts of the demo test "
        "split (a seeded sample); figures are then over all of them",
    )
    parser.add_argument("--out", type=Path, default=None, help="append rows as JSON lines")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    from assistant.models import convert_bundled_model, load_language_model
    from assistant.prompts import reply_messages

    if any(p.startswith("llama.cpp") for p in args.paths) and not args.llama_python.exists():
        parser.error(f"{args.llama_python} is missing: run `make bench-llama-env` first")
    cache = ROOT / "var" / "models"
    convert_bundled_model(cache)
    runners = {}  # path -> (list of prompts, new tokens) -> list of results
    for path in args.paths:
        if path.startswith("llama.cpp"):
            lookup = 8 if path == "llama.cpp-lookup" else 0
            runners[path] = lambda prompts, n, k=lookup: llama_cpp(
                args.llama_python, prompts, n, args.threads, k
            )
        elif path == "transformers":
            lm = load_language_model(None, None, cache, precision="transformers")
            runners[path] = lambda prompts, n, m=lm.model: [
                transformers_generate(m, ids, n) for ids in prompts
            ]
        else:
            # "int8" serves as the assistant does (prompt lookup decoding on); "int8-plain"
            # decodes one token per forward pass.
            lm = load_language_model(None, None, cache, precision=path.removesuffix("-plain"))
            if path.endswith("-plain"):
                lm.lookahead = 0
            lm.stop_ids = set()  # the same number of new tokens on every path
            runners[path] = lambda prompts, n, lm=lm: [ours(lm, ids, n) for ids in prompts]
    tokenizer = lm.tokenizer
    if args.test_prompts:
        prompts = test_split_prompts(tokenizer, args.test_prompts)
    else:
        prompt = tokenizer.apply_chat_template(
            reply_messages([], "How long does shipping take?", FAQ), add_generation_prompt=True,
            tokenize=True,
        )  # fmt: skip
        prompts = [list(prompt["input_ids"] if hasattr(prompt, "keys") else prompt)]
    for runner in runners.values():  # warm-up
        runner(prompts[:1], 4)
    rows = []
    for round_no in range(args.rounds):
        load = os.getloadavg()[0]
        results = {path: runner(prompts, args.new_tokens) for path, runner in runners.items()}
        if len(prompts) > 1:  # one row per path: all prompts' tokens over all their time
            got = {path: pooled(res, args.new_tokens) for path, res in results.items()}
            prompt_tokens = round(statistics.mean(len(p) for p in prompts))
        else:
            got = {path: res[0] for path, res in results.items()}
            prompt_tokens = len(prompts[0])
        for path, res in got.items():
            row = {"round": round_no, "path": path, "load1": load,
                   "prompts": len(prompts), "prompt_tokens": prompt_tokens,
                   "new_tokens": args.new_tokens,
                   "threads": args.threads, "first_token_ms": round(1000 * res["first_token_s"], 1),
                   "tokens_per_s": round(res["tokens_per_s"], 1)}  # fmt: skip
            if res.get("drafted"):
                row["draft_tokens_kept"] = f"{res['kept']}/{res['drafted']}"
            ref = got.get("llama.cpp")
            if ref is not None and path != "llama.cpp":
                row["vs_llama_cpp"] = round(res["tokens_per_s"] / ref["tokens_per_s"], 3)
                pairs = list(zip(res.get("token_lists", [res["tokens"]]),
                                 ref.get("token_lists", [ref["tokens"]]), strict=True))  # fmt: skip
                # greedy tokens that agree from the start, per prompt (mean over prompts)
                row["same_first_tokens_as_llama_cpp"] = round(
                    statistics.mean(agreement(a, b) for a, b in pairs), 1
                )
            lookup_ref = got.get("llama.cpp-lookup")
            if lookup_ref is not None and not path.startswith("llama.cpp"):
                row["vs_llama_cpp_lookup"] = round(
                    res["tokens_per_s"] / lookup_ref["tokens_per_s"], 3
                )
            rows.append(row)
            print(json.dumps(row), flush=True)
    print(
        "\n| path | tokens/s (median) | first token ms (median) | x llama.cpp (median) "
        "| x llama.cpp-lookup (median) |"
    )
    print("|---|---|---|---|---|")
    for path in args.paths:
        mine = [r for r in rows if r["path"] == path]
        ratio = [r["vs_llama_cpp"] for r in mine if "vs_llama_cpp" in r]
        shown = f"{statistics.median(ratio):.2f}" if ratio else "-"
        ratio2 = [r["vs_llama_cpp_lookup"] for r in mine if "vs_llama_cpp_lookup" in r]
        shown2 = f"{statistics.median(ratio2):.2f}" if ratio2 else "-"
        speed = statistics.median(r["tokens_per_s"] for r in mine)
        first = statistics.median(r["first_token_ms"] for r in mine)
        print(f"| {path} | {speed:.1f} | {first:.0f} | {shown} | {shown2} |")
    print(f"load average after: {os.getloadavg()}")
    if args.out:
        with open(args.out, "a", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
