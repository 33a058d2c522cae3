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
    fast = tiny_lm.score_options(prompt, options)
    for i, option in enumerate(options):
        ids = tiny_lm.tokenizer.encode(option, add_special_tokens=False)
        full = torch.tensor([prompt + ids])
        with torch.no_grad():
            logp = torch.log_softmax(tiny_lm.model(full).logits[0].float(), dim=-1)
        expected = sum(logp[len(prompt) - 1 + j, t] for j, t in enumerate(ids)) / len(ids)
        assert fast[i].item() == pytest.approx(expected.item(), abs=1e-4)


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
