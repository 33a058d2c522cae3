"""Reply generation speed, ours against llama.cpp, side by side in one run.

Same weights (the bundled SmolLM2-135M-Instruct Q4_1 GGUF; ours is its float32 conversion),
same chat prompt (an FAQ reply prompt, as served), same number of new tokens, greedy, the
same number of threads. Rounds are interleaved (each path once per round), so every path
sees the same machine load; ratios within a round are what to compare on a shared machine.

Paths: `transformers` (model.generate, float32: the path before this work), `float32` and
`int8` (assistant/decoding.py through LanguageModel.generate_ids), `llama.cpp`
(llama-cpp-python in the benchmark venv, `make bench-llama-env`, run as a subprocess).
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
    with lm.lock:
        tokens = list(lm.generate_ids(prompt_ids, new_tokens))
    s = lm.last_stats
    return {"first_token_s": s.first_token_s,
            "tokens_per_s": (s.new_tokens - 1) / (s.total_s - s.first_token_s),
            "tokens": tokens}  # fmt: skip


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


def llama_cpp(python: Path, prompt_ids: list[int], new_tokens: int, threads: int) -> dict:
    from assistant.models import BUNDLED_GGUF, bundled_gguf_dir

    job = {"gguf": str(bundled_gguf_dir() / BUNDLED_GGUF), "prompt_ids": prompt_ids,
           "new_tokens": new_tokens, "threads": threads, "rounds": 1}  # fmt: skip
    done = subprocess.run([str(python), str(ROOT / "bench" / "speed_llama_worker.py")],
                          input=json.dumps(job), capture_output=True, text=True, check=True,
                          timeout=600)  # fmt: skip
    return json.loads(done.stdout.strip().splitlines()[-1])


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
    parser.add_argument("--out", type=Path, default=None, help="append rows as JSON lines")
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    from assistant.models import convert_bundled_model, load_language_model
    from assistant.prompts import reply_messages

    if "llama.cpp" in args.paths and not args.llama_python.exists():
        parser.error(f"{args.llama_python} is missing: run `make bench-llama-env` first")
    cache = ROOT / "var" / "models"
    convert_bundled_model(cache)
    runners = {}
    for path in args.paths:
        if path == "llama.cpp":
            runners[path] = lambda ids, n: llama_cpp(args.llama_python, ids, n, args.threads)
        elif path == "transformers":
            lm = load_language_model(None, None, cache, precision="transformers")
            runners[path] = lambda ids, n, m=lm.model: transformers_generate(m, ids, n)
        else:
            lm = load_language_model(None, None, cache, precision=path)
            lm.stop_ids = set()  # the same number of new tokens on every path
            runners[path] = lambda ids, n, lm=lm: ours(lm, ids, n)
    tokenizer = lm.tokenizer
    prompt = tokenizer.apply_chat_template(
        reply_messages([], "How long does shipping take?", FAQ), add_generation_prompt=True,
        tokenize=True,
    )  # fmt: skip
    prompt = list(prompt["input_ids"] if hasattr(prompt, "keys") else prompt)
    for runner in runners.values():  # warm-up
        runner(prompt, 4)
    rows = []
    for round_no in range(args.rounds):
        load = os.getloadavg()[0]
        got = {path: runner(prompt, args.new_tokens) for path, runner in runners.items()}
        for path, res in got.items():
            row = {"round": round_no, "path": path, "load1": load,
                   "prompt_tokens": len(prompt), "new_tokens": args.new_tokens,
                   "threads": args.threads, "first_token_ms": round(1000 * res["first_token_s"], 1),
                   "tokens_per_s": round(res["tokens_per_s"], 1)}  # fmt: skip
            ref = got.get("llama.cpp")
            if ref is not None and path != "llama.cpp":
                row["vs_llama_cpp"] = round(res["tokens_per_s"] / ref["tokens_per_s"], 3)
                row["same_first_tokens_as_llama_cpp"] = agreement(res["tokens"], ref["tokens"])
            rows.append(row)
            print(json.dumps(row), flush=True)
    print("\n| path | tokens/s (median) | first token ms (median) | x llama.cpp (median) |")
    print("|---|---|---|---|")
    for path in args.paths:
        mine = [r for r in rows if r["path"] == path]
        ratio = [r["vs_llama_cpp"] for r in mine if "vs_llama_cpp" in r]
        shown = f"{statistics.median(ratio):.2f}" if ratio else "-"
        speed = statistics.median(r["tokens_per_s"] for r in mine)
        first = statistics.median(r["first_token_ms"] for r in mine)
        print(f"| {path} | {speed:.1f} | {first:.0f} | {shown} |")
    print(f"load average after: {os.getloadavg()}")
    if args.out:
        with open(args.out, "a", encoding="utf-8") as fh:
            for row in rows:
                fh.write(json.dumps(row) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
