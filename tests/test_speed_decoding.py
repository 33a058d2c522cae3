"""The lean serving paths give what transformers gives, and stop when told to."""

from __future__ import annotations

import copy
import time

import pytest
import torch

from assistant.decoding import CachedSequence, LlamaDecoder, supports
from assistant.models import LanguageModel, load_language_model

MESSAGES = [{"role": "system", "content": "Answer briefly."}, {"role": "user", "content": "hi"}]


def fresh(tiny_lm, precision: str | None) -> LanguageModel:
    """A copy of the tiny LM (use_decoder drops the model, the fixture is shared)."""
    lm = LanguageModel(copy.deepcopy(tiny_lm.model), tiny_lm.tokenizer, name="tiny-copy")
    if precision is not None:
        assert lm.use_decoder(precision)
    return lm


def generate_reference(tiny_lm, prompt: list[int], n: int) -> list[int]:
    with torch.no_grad():
        out = tiny_lm.model.generate(
            input_ids=torch.tensor([prompt]), attention_mask=torch.ones(1, len(prompt), dtype=int),
            max_new_tokens=n, min_new_tokens=n, do_sample=False,
            pad_token_id=tiny_lm.tokenizer.pad_token_id,
        )  # fmt: skip
    return out[0, len(prompt) :].tolist()


@pytest.mark.parametrize("precision", [None, "float32"])
def test_greedy_tokens_match_generate(tiny_lm, precision):
    prompt = tiny_lm.encode_chat(MESSAGES)
    expected = generate_reference(tiny_lm, prompt, 12)
    lm = fresh(tiny_lm, precision)
    lm.stop_ids = set()  # generate() above was told not to stop early either
    with lm.lock:
        assert list(lm.generate_ids(prompt, 12)) == expected
        # Again: now the prompt comes from the cache of the first call.
        assert list(lm.generate_ids(prompt, 12)) == expected
    assert lm.last_stats.new_tokens == 12 and lm.last_stats.prompt_tokens == len(prompt)


def test_decoder_scores_match_transformers(tiny_lm):
    lm = fresh(tiny_lm, "float32")
    system = [{"role": "system", "content": "Pick a label."}]
    lm.cache_prefix(tiny_lm.encode_chat(system, add_generation_prompt=False))
    options = ["product_search", "product_question", "greeting", "order_status"]
    for text in ("hello there", "show me shoes", "hello there"):
        prompt = tiny_lm.encode_chat([*system, {"role": "user", "content": text}])
        for exact in (False, True):
            expected = tiny_lm.score_options(prompt, options, exact=exact)
            assert torch.allclose(lm.score_options(prompt, options, exact=exact), expected,
                                  atol=1e-4)  # fmt: skip
    # A prompt without the pinned prefix leaves that prefix's cache intact.
    other = tiny_lm.encode_chat([{"role": "user", "content": "bye"}])
    assert torch.allclose(lm.score_options(other, options), tiny_lm.score_options(other, options),
                          atol=1e-4)  # fmt: skip
    pinned = [s for s in lm._sequences if s.pinned]
    assert len(pinned) == 1 and len(pinned[0].ids) >= pinned[0].pinned


def test_int8_decoder_loads_streams_and_unties_the_head(tiny_model_dir, tmp_path):
    lm = load_language_model(str(tiny_model_dir), None, tmp_path, precision="int8")
    assert lm.model is None and lm.precision == "int8"
    head = lm.decoder.lm_head
    assert isinstance(head, torch.ao.nn.quantized.dynamic.Linear)
    assert all(isinstance(b.qkv, torch.ao.nn.quantized.dynamic.Linear) for b in lm.decoder.blocks)
    pieces = list(lm.stream(MESSAGES, max_new_tokens=6))
    assert pieces and all(isinstance(p, str) for p in pieces)
    assert 0 < lm.last_stats.new_tokens <= 6
    scores = lm.score_options(lm.encode_chat(MESSAGES), ["greeting", "thanks"])
    assert scores.shape == (2,) and torch.isfinite(scores).all()


def test_int8_stays_close_to_float(tiny_lm):
    prompt = tiny_lm.encode_chat(MESSAGES)
    exact = fresh(tiny_lm, "float32")._prefill(prompt)[1]
    quant = fresh(tiny_lm, "int8")._prefill(prompt)[1]
    assert torch.corrcoef(torch.stack([exact, quant]))[0, 1] > 0.95


def test_deadline_stops_generation(tiny_lm):
    lm = fresh(tiny_lm, "float32")
    lm.stop_ids = set()
    prompt = tiny_lm.encode_chat(MESSAGES)
    with lm.lock:
        tokens = list(lm.generate_ids(prompt, 20, deadline=time.perf_counter() - 1))
    assert len(tokens) == 1 and lm.last_stats.hit_deadline


def test_speed_is_measured_for_prediction(tiny_lm):
    lm = fresh(tiny_lm, "float32")
    lm.stop_ids = set()
    assert lm.predict_seconds(100, 50) is None
    with lm.lock:
        list(lm.generate_ids(tiny_lm.encode_chat(MESSAGES), 8))
    assert lm.tokens_per_s > 0 and lm.predict_seconds(100, 50) > 0


def test_cached_sequence_refuses_to_overwrite_its_pinned_prefix(tiny_lm):
    decoder = LlamaDecoder(tiny_lm.model)
    seq = CachedSequence(decoder)
    seq.run([1, 2, 3], 0)
    seq.pinned = 3
    with pytest.raises(ValueError, match="pinned"):
        seq.run([4], 2)
    assert seq.common_prefix([1, 2, 9]) == 2


def test_long_prompt_grows_the_cache(tiny_lm):
    decoder = LlamaDecoder(tiny_lm.model)
    seq = CachedSequence(decoder)
    ids = list(range(5, 5 + 700))
    logits = seq.run(ids, 0)
    with torch.no_grad():
        expected = tiny_lm.model(torch.tensor([ids])).logits[0, -1]
    assert seq.kv.capacity >= 700
    assert torch.allclose(logits, expected, atol=1e-4)


def test_non_llama_models_are_left_to_transformers(tiny_lm):
    lm = fresh(tiny_lm, None)
    lm.model.config.model_type = "not-llama"
    assert not supports(lm.model)
    assert lm.use_decoder("int8") is False and lm.model is not None
    with pytest.raises(ValueError, match="precision"):
        lm.use_decoder("fp8")


@pytest.mark.parametrize("precision", ["float32", "int8"])
def test_one_token_step_matches_the_prompt_path(tiny_lm, precision):
    """The per-token path (rotation matrix, folded norms) gives the logits of a prompt chunk."""
    from assistant import decoding

    decoder = decoding.LlamaDecoder(tiny_lm.model, quantize=precision == "int8")
    ids = [5, 17, 3, 42, 8, 23]
    chunk = decoder(ids, decoder.new_cache(), 0, last_only=False)
    cache = decoder.new_cache()
    stepped = [decoder([token], cache, pos) for pos, token in enumerate(ids)]
    tolerance = 1e-4 if precision == "float32" else 0.05 * float(chunk.abs().max())
    assert torch.allclose(torch.stack(stepped), chunk, atol=tolerance)


def test_smoothing_keeps_the_float_function(tiny_lm):
    """SmoothQuant only moves scale between activations and weights: float logits stay."""
    from assistant import decoding

    ids = [5, 17, 3, 42, 8, 23, 11, 2]
    plain = decoding.LlamaDecoder(tiny_lm.model)
    smoothed = decoding.LlamaDecoder(tiny_lm.model)
    smoothed.smooth([ids, [9, 4, 33, 7]], alpha=0.7)
    changed = any(
        not torch.equal(a.qkv.weight, b.qkv.weight)
        for a, b in zip(plain.blocks, smoothed.blocks, strict=True)
    )
    assert changed, "smoothing should rescale the weights"
    want = plain(ids, plain.new_cache(), 0, last_only=False)
    got = smoothed(ids, smoothed.new_cache(), 0, last_only=False)
    assert torch.allclose(got, want, atol=1e-4, rtol=1e-4)


def test_int8_decoder_is_calibrated_on_serving_like_prompts(tiny_lm):
    lm = fresh(tiny_lm, None)
    calibration = lm.calibration_ids()
    assert len(calibration) == 3 and all(len(ids) > 50 for ids in calibration)
    with pytest.raises(RuntimeError):
        decoder = LlamaDecoder(tiny_lm.model, quantize=True)
        decoder.smooth(calibration)


def test_int8_decoder_is_cached_and_a_damaged_cache_is_rebuilt(tiny_model_dir, tmp_path,
                                                               monkeypatch, caplog):  # fmt: skip
    import transformers

    first = load_language_model(str(tiny_model_dir), None, tmp_path, precision="int8")
    files = list((tmp_path / "int8").glob("*.pt"))
    assert len(files) == 1
    prompt = first.encode_chat(MESSAGES)
    want = first.score_options(prompt, ["greeting", "thanks"])

    def no_float_load(*args, **kwargs):
        raise AssertionError("the cached int8 model should be used")

    with monkeypatch.context() as patch:
        patch.setattr(transformers.AutoModelForCausalLM, "from_pretrained", no_float_load)
        second = load_language_model(str(tiny_model_dir), None, tmp_path, precision="int8")
    assert second.model is None and second.precision == "int8"
    assert second.stop_ids == first.stop_ids
    assert torch.allclose(second.score_options(prompt, ["greeting", "thanks"]), want)

    files[0].write_bytes(b"not a model")
    third = load_language_model(str(tiny_model_dir), None, tmp_path, precision="int8")
    assert "ignoring the cached int8 model" in caplog.text
    assert torch.allclose(third.score_options(prompt, ["greeting", "thanks"]), want)
    assert files[0].stat().st_size > 1000  # written again


def test_lookup_draft_copies_what_followed_the_last_ngram():
    from assistant.models import lookup_draft

    assert lookup_draft([1, 2, 3, 4, 5, 9, 2, 3], limit=2) == [4, 5]
    assert lookup_draft([1, 2, 3, 4, 7, 3], limit=5) == []  # a 1-gram is not enough
    assert lookup_draft([5, 6, 1, 5, 6, 2, 5, 6], limit=3) == [2, 5, 6]  # the latest match
    assert lookup_draft([1, 2, 1, 2], limit=0) == []


def test_prompt_lookup_gives_the_plain_greedy_tokens(tiny_lm, monkeypatch):
    """Drafts are checked in chunks: right ones are kept, the first wrong one and everything
    after it dropped (with its cache entries), and the tokens stay the plain greedy ones."""
    import assistant.models as models

    plain = fresh(tiny_lm, "float32")
    plain.lookahead, plain.stop_ids = 0, set()
    prompt = tiny_lm.encode_chat(MESSAGES)
    want = list(plain.generate_ids(prompt, 30))

    def half_right(context, limit):  # the true next tokens, then a wrong one
        done = len(context) - len(prompt)
        right = want[done : done + max(limit - 1, 0)]
        wrong = (want[done + len(right)] + 1) % 100 if done + len(right) < len(want) else 0
        return (right + [wrong])[:limit]

    for drafts in (half_right, lambda context, limit: [3] * limit):
        monkeypatch.setattr(models, "lookup_draft", drafts)
        lm = fresh(tiny_lm, "float32")
        lm.stop_ids = set()
        assert list(lm.generate_ids(prompt, 30)) == want
        assert lm.drafted > 0 and lm.last_stats.new_tokens == 30
        # The cache holds the prompt and the kept tokens only, never a rejected draft.
        held = max(lm._sequences, key=lambda seq: len(seq.ids)).ids
        assert (
            held[: len(prompt)] == prompt and held[len(prompt) :] == want[: len(held) - len(prompt)]
        )
