"""The reply-time budget: too slow a generation gives the FAQ entry's text, marked over_budget."""

from __future__ import annotations

import copy
import logging
import time

import pytest

from assistant import Assistant, AssistantConfig
from assistant.assistant import Reply
from assistant.budget import stream_within_budget
from assistant.config import ConfigError
from assistant.models import LanguageModel

SHIPPING = "Standard shipping takes 3-5 business days. Express shipping takes 1-2 business days."
PROMPT = [{"role": "user", "content": "How long does shipping take?"}]


@pytest.fixture(scope="module")
def lm(tiny_lm):
    lm = LanguageModel(copy.deepcopy(tiny_lm.model), tiny_lm.tokenizer, name="tiny-budget")
    lm.use_decoder("float32")
    lm.stop_ids = set()  # a random model: never stop early, so every reply is long
    return lm


@pytest.fixture(scope="module")
def assistant(tiny_shop, lm, tmp_path_factory):
    config = AssistantConfig(shop_dir=tiny_shop, data_dir=tmp_path_factory.mktemp("data"),
                             adapter_dir=None, intent_lm_weight=0.05, max_new_tokens=8,
                             log_path="")  # fmt: skip
    return Assistant.from_config(config, lm=lm)


def test_tiny_budget_answers_from_the_faq_entry(assistant, caplog):
    assistant.config.reply_budget_s = 1e-6
    try:
        with caplog.at_level(logging.WARNING, logger="assistant.budget"):
            reply = assistant.respond(assistant.new_session(), "How long does shipping take?")
    finally:
        assistant.config.reply_budget_s = 6.0
    assert reply.faq_ids == ["shipping-times.en"]
    assert reply.over_budget and reply.to_dict()["over_budget"] is True
    assert reply.text == SHIPPING
    assert "over its time budget" in caplog.text


def test_predicted_slow_generation_is_skipped(assistant, lm):
    lm.tokens_per_s, lm.prefill_tokens_per_s, lm.mean_new_tokens = 0.5, 1000.0, 40.0
    try:
        started = time.perf_counter()
        reply = assistant.respond(assistant.new_session(), "How long does shipping take?")
    finally:
        lm.tokens_per_s = lm.prefill_tokens_per_s = lm.mean_new_tokens = None
    assert reply.over_budget and reply.text == SHIPPING
    assert time.perf_counter() - started < assistant.config.reply_budget_s


def test_a_stale_slow_prediction_is_measured_again(lm):
    """After RETRY_AFTER skips in a row the LM generates anyway (within the deadline), and the
    new measurement replaces the slow one, so generation comes back on its own."""
    from assistant.budget import RETRY_AFTER

    lm.tokens_per_s, lm.prefill_tokens_per_s, lm.mean_new_tokens = 0.01, 1000.0, 8.0
    lm.skipped_for_time = 0
    try:
        for _ in range(RETRY_AFTER):
            reply = Reply("")
            assert list(stream_within_budget(lm, PROMPT, 8, time.perf_counter() + 5, reply)) == []
            assert reply.over_budget
        assert lm.skipped_for_time == RETRY_AFTER
        reply = Reply("")
        pieces = list(stream_within_budget(lm, PROMPT, 8, time.perf_counter() + 5, reply))
        assert pieces and not reply.over_budget and lm.skipped_for_time == 0
        assert lm.tokens_per_s > 0.01 * 10  # measured again (a real speed, averaged in)
    finally:
        lm.tokens_per_s = lm.prefill_tokens_per_s = lm.mean_new_tokens = None
        lm.skipped_for_time = 0


def test_warm_up_leaves_no_speed_to_predict_from(lm):
    """A warm-up's few tokens are no measure: the first real reply is generated (within the
    deadline) and measures the speed."""
    lm.tokens_per_s = lm.prefill_tokens_per_s = 1e-6  # as if measured on a very slow start
    lm.warm_up()
    assert lm.tokens_per_s is None and lm.prefill_tokens_per_s is None
    assert lm.predict_seconds(100, 80) is None


def test_generation_within_budget_is_not_marked(assistant):
    reply = assistant.respond(assistant.new_session(), "How long does shipping take?")
    assert reply.faq_ids == ["shipping-times.en"] and not reply.over_budget


def test_deadline_cuts_a_running_generation(lm):
    reply = Reply("")
    lm.tokens_per_s = None  # no prediction: only the deadline can stop it
    pieces = list(stream_within_budget(lm, PROMPT, 1000, time.perf_counter() + 0.05, reply))
    assert reply.over_budget and lm.last_stats.hit_deadline
    assert lm.last_stats.new_tokens < 1000 and pieces


def test_budget_must_be_positive():
    with pytest.raises(ConfigError, match="reply_budget_s"):
        AssistantConfig(reply_budget_s=0)
    with pytest.raises(ConfigError, match="lm_precision"):
        AssistantConfig(lm_precision="fp4")
