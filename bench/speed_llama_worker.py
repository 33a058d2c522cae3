"""llama.cpp's side of bench/speed_generate.py; runs in the benchmark venv (make bench-llama-env).

Reads one JSON object on stdin: {"gguf", "prompt_ids" or "prompts" (a list of them),
"new_tokens", "threads", "rounds", optional "lookup": draft tokens per step for prompt
lookup decoding}; prints one JSON line per round and prompt: first-token
seconds and decoding tokens/s, greedy, the same number of new tokens every time
(end-of-sequence is not a stop here).
"""

from __future__ import annotations

import json
import sys
import time

from llama_cpp import Llama


def one_round(llm: Llama, prompt_ids: list[int], new_tokens: int) -> dict:
    llm.reset()  # a fresh prompt every round, as on our side
    started = time.perf_counter()
    first = None
    tokens = []
    for token in llm.generate(prompt_ids, top_k=1, top_p=1.0, temp=0.0, reset=True):
        if first is None:
            first = time.perf_counter() - started
        tokens.append(int(token))
        if len(tokens) == new_tokens:
            break
    total = time.perf_counter() - started
    return {"first_token_s": first, "tokens_per_s": (new_tokens - 1) / (total - first),
            "tokens": tokens}  # fmt: skip


def main() -> int:
    job = json.loads(sys.stdin.read())
    draft = None
    if job.get("lookup"):  # llama-cpp-python's own prompt lookup decoding, sized like ours
        from llama_cpp.llama_speculative import LlamaPromptLookupDecoding

        draft = LlamaPromptLookupDecoding(max_ngram_size=3, num_pred_tokens=job["lookup"])
    llm = Llama(model_path=job["gguf"], n_ctx=2048, n_threads=job["threads"],
                n_threads_batch=job["threads"], draft_model=draft, verbose=False)  # fmt: skip
    prompts = job.get("prompts") or [job["prompt_ids"]]
    one_round(llm, prompts[0], 4)  # warm-up
    for _ in range(job["rounds"]):
        for prompt in prompts:
            print(json.dumps(one_round(llm, prompt, job["new_tokens"])), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
