"""Does the assistant's FAQ threshold say "not found" when it should, and only then?

Runs ``Assistant.search_faq`` (dense + BM25, `faq_threshold` / `faq_keyword_coverage`) on the
demo shop's validation and test dialogues:
  FAQ turns          user turns whose reference reply cites an FAQ entry: found and right?
  out-of-scope turns user turns labelled out_of_scope: how many get "not found"?
both in the normal mode and in the `strict` mode used when the intent is unclear.

    nice -n 10 .venv/bin/python bench/retrieval_faq_threshold.py
"""

from __future__ import annotations

import json
from collections import Counter

from retrieval_common import REPO

from assistant import Assistant, AssistantConfig


def turns(kinds: tuple[str, ...]):
    """(language, message, reference faq_ids, intent) of user turns of the given splits."""
    for split in kinds:
        path = REPO / "demo_shop" / "data" / "dialogues" / f"{split}.jsonl"
        for line in path.read_text(encoding="utf-8").splitlines():
            dialogue = json.loads(line)
            pairs = zip(dialogue["turns"][::2], dialogue["turns"][1::2], strict=False)
            for user, reply in pairs:
                yield (
                    dialogue["language"],
                    user["content"],
                    reply.get("faq_ids", []),
                    user["intent"],
                )


def tiny_lm():
    """search_faq never calls the LM: a 2-layer random one (real tokenizer) saves loading it."""
    import torch
    from transformers import AutoTokenizer, LlamaConfig, LlamaForCausalLM

    from assistant.models import BUNDLED_GGUF, LanguageModel, bundled_gguf_dir

    tokenizer = AutoTokenizer.from_pretrained(bundled_gguf_dir(), gguf_file=BUNDLED_GGUF)
    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=4, num_key_value_heads=2, bos_token_id=tokenizer.bos_token_id,
        eos_token_id=tokenizer.eos_token_id,
    )  # fmt: skip
    return LanguageModel(LlamaForCausalLM(config), tokenizer, name="tiny-random")


def main() -> int:
    data = REPO / "var" / "bench-cache" / "faq-threshold"  # not var/: a demo may be using it
    config = AssistantConfig(data_dir=data, reply_mode="extractive", adapter_dir=None)
    assistant = Assistant.from_config(config, lm=tiny_lm())
    print(f"faq_threshold {config.faq_threshold}, faq_keyword_coverage "
          f"{config.faq_keyword_coverage}\n")  # fmt: skip
    print("| turns | mode | n | found | right entry | not found |\n|---|---|---|---|---|---|")
    rows = list(turns(("validation", "test")))
    for strict in (False, True):
        mode = "strict" if strict else "normal"
        per_language: Counter = Counter()
        for lang, text, faq_ids, intent in rows:
            if intent == "out_of_scope":
                found = assistant.search_faq(text, lang, strict=strict)
                per_language[("oos", "n")] += 1
                per_language[("oos", "none")] += found is None
            elif len(faq_ids) == 1 and faq_ids[0].endswith(f".{lang}"):
                found = assistant.search_faq(text, lang, strict=strict)
                per_language[(lang, "n")] += 1
                per_language[(lang, "found")] += found is not None
                per_language[(lang, "right")] += found is not None and found.faq_id == faq_ids[0]
        for key in ("en", "es", "zh"):
            n = per_language[(key, "n")]
            if n:
                found, right = per_language[(key, "found")], per_language[(key, "right")]
                print(f"| FAQ turns, {key} | {mode} | {n} | {found / n:.3f} | {right / n:.3f} "
                      f"| {1 - found / n:.3f} |")  # fmt: skip
        n = per_language[("oos", "n")]
        none = per_language[("oos", "none")]
        print(f"| out-of-scope turns | {mode} | {n} | {1 - none / n:.3f} | - | {none / n:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
