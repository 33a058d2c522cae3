import pytest
import torch

from assistant.intent_detection import ExampleIndex, IntentDetector
from assistant.intents import INTENT_NAMES
from assistant.models import load_language_model
from assistant.prompts import intent_messages


def test_score_options_matches_full_forward(tiny_lm):
    """The cached-prefix scoring gives the same numbers as scoring each option from scratch."""
    prompt = tiny_lm.encode_chat([{"role": "user", "content": "where is my order"}])
    options = ["order_status", "greeting", "out_of_scope"]
    fast = tiny_lm.score_options(prompt, options, exact=True)
    for i, option in enumerate(options):
        ids = tiny_lm.tokenizer.encode(option, add_special_tokens=False)
        full = torch.tensor([prompt + ids])
        with torch.no_grad():
            logp = torch.log_softmax(tiny_lm.model(full).logits[0].float(), dim=-1)
        expected = sum(logp[len(prompt) - 1 + j, t] for j, t in enumerate(ids)) / len(ids)
        assert fast[i].item() == pytest.approx(expected.item(), abs=1e-4)


def test_cheap_scores_add_the_rest_only_for_shared_first_tokens(tiny_lm):
    prompt = tiny_lm.encode_chat([{"role": "user", "content": "show me shoes"}])
    options = ["product_search", "product_question", "greeting"]
    cheap = tiny_lm.score_options(prompt, options)
    with torch.no_grad():
        logp = torch.log_softmax(tiny_lm.model(torch.tensor([prompt])).logits[0, -1], dim=-1)
    greeting_first = tiny_lm.tokenizer.encode("greeting", add_special_tokens=False)[0]
    assert cheap[2].item() == pytest.approx(logp[greeting_first].item(), abs=1e-4)
    exact_sum = tiny_lm.score_options(prompt, options[:2], exact=True)
    lengths = [len(tiny_lm.tokenizer.encode(o, add_special_tokens=False)) for o in options[:2]]
    for i in range(2):
        assert cheap[i].item() == pytest.approx(exact_sum[i].item() * lengths[i], abs=1e-3)


def test_prefix_cache_gives_the_same_scores(tiny_lm):
    system = [{"role": "system", "content": "Pick a label."}]
    prompt = tiny_lm.encode_chat([*system, {"role": "user", "content": "hello there"}])
    before = tiny_lm.score_options(prompt, ["greeting", "thanks"])
    tiny_lm.cache_prefix(tiny_lm.encode_chat(system, add_generation_prompt=False))
    try:
        after = tiny_lm.score_options(prompt, ["greeting", "thanks"])
    finally:
        tiny_lm._prefix = None
    assert torch.allclose(before, after, atol=1e-4)


def test_stream_yields_text(tiny_lm):
    pieces = list(tiny_lm.stream([{"role": "user", "content": "hi"}], max_new_tokens=5))
    assert all(isinstance(p, str) for p in pieces)


def test_detector_lm_only_gives_a_distribution(tiny_lm):
    detector = IntentDetector(lm=tiny_lm, lm_weight=1.0)
    result = detector.detect([], "hello")
    assert result.intent in INTENT_NAMES
    assert sum(result.probabilities.values()) == pytest.approx(1.0, abs=1e-5)
    assert 0 < result.confidence <= 1


def test_examples_vote_picks_the_nearest_label():
    vectors = torch.nn.functional.normalize(torch.eye(3)[:, :3], dim=1).numpy()
    index = ExampleIndex(vectors, ["greeting", "thanks", "goodbye"], k=1)
    detector = IntentDetector(embed=lambda texts: vectors[[0]], examples=index, lm_weight=0.0)
    result = detector.detect([], "anything")
    assert result.intent == "greeting" and result.confidence > 0.5


def test_examples_reject_unknown_labels():
    with pytest.raises(ValueError, match="unknown intents"):
        ExampleIndex(torch.eye(2).numpy(), ["greeting", "dance"])


def test_intent_prompt_lists_every_intent():
    system = intent_messages([], "hi")[0]["content"]
    assert all(name in system for name in INTENT_NAMES)


def test_load_model_from_path_and_bad_path(tiny_model_dir, tmp_path):
    lm = load_language_model(str(tiny_model_dir), None, tmp_path)
    assert lm.name == str(tiny_model_dir)
    from assistant.models import ModelLoadError

    with pytest.raises(ModelLoadError, match="cannot load base model"):
        load_language_model(str(tmp_path / "missing"), None, tmp_path)


def test_lm_gate_skips_the_lm_when_the_examples_are_sure(tiny_lm):
    vectors = torch.nn.functional.normalize(torch.eye(3), dim=1).numpy()
    index = ExampleIndex(vectors, ["greeting", "thanks", "goodbye"], k=1)
    calls = []

    class CountingLM:
        """The tiny LM, counting label-scoring calls."""

        def __getattr__(self, name):
            return getattr(tiny_lm, name)

        def score_options(self, *args, **kwargs):
            calls.append(1)
            return tiny_lm.score_options(*args, **kwargs)

    detector = IntentDetector(lm=CountingLM(), embed=lambda texts: vectors[[0]], examples=index,
                              lm_weight=0.3, calibrate=False, lm_gate=0.6)  # fmt: skip
    sure = detector.detect([], "hello")
    assert sure.intent == "greeting" and not calls
    # The LM's unasked share counts as uniform: the confidence stays on the mixture's scale.
    assert sure.confidence == pytest.approx(0.7 + 0.3 / len(INTENT_NAMES))
    detector.lm_gate = None  # no gate: the LM is always asked and mixed in
    mixed = detector.detect([], "hello")
    assert calls and mixed.confidence != pytest.approx(sure.confidence)
