"""Readers and tokenisation: examples use the serving prompts, malformed rows are pinpointed,
and the loss mask covers exactly the target tokens."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.prompts import faq_context, intent_messages, reply_messages
from finetune.config import DataSource
from finetune.data import (
    IGNORE_INDEX,
    DataFormatError,
    Example,
    encode_example,
    load_dialogues,
    load_source,
    read_bitext,
    read_clinc150,
    read_text_label,
)
from finetune.testing import tiny_tokenizer, write_demo_shop
from retrieval.records import FaqEntry

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"


@pytest.fixture(scope="module")
def shop(tmp_path_factory) -> Path:
    return write_demo_shop(tmp_path_factory.mktemp("shop"))


@pytest.fixture(scope="module")
def tok():
    return tiny_tokenizer()


def test_dialogue_examples_use_the_serving_prompts(shop):
    examples = load_source(DataSource(str(shop / "dialogues" / "train.jsonl")), ["intent", "reply"])
    intents = [e for e in examples if e.kind == "intent"]
    replies = [e for e in examples if e.kind == "reply"]
    assert [e.target for e in intents] == [
        "greeting",
        "shipping_info",
        "return_request",
        "product_search",
        "goodbye",
    ]
    history = [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": "Hello!"},
    ]
    assert list(intents[1].messages) == intent_messages(history, "how long is shipping?")
    # The greeting's reply cites nothing, so it is no reply example; the other three are.
    assert [e.target for e in replies] == [
        "It takes three to five days.",
        "You can return them within 30 days.",
        "The Trail Runner comes in blue.",
    ]
    faq = FaqEntry("shipping-times.en", "How long does shipping take?", "Three to five days.")
    assert list(replies[0].messages) == reply_messages(
        history, "how long is shipping?", faq_context([faq]), "en"
    )
    assert "[P0001] Trail Runner" in replies[2].messages[0]["content"]
    assert "89.99 USD" in replies[2].messages[0]["content"]
    assert intents[0].where.endswith("train.jsonl:1")


def test_tasks_select_the_kinds(shop):
    path = str(shop / "dialogues" / "train.jsonl")
    assert {e.kind for e in load_source(DataSource(path), ["intent"])} == {"intent"}
    assert {e.kind for e in load_source(DataSource(path, tasks=["reply"]), ["intent"])} == {"reply"}


def _check_mask(tokenizer, example: Example, max_length: int = 4096):
    enc = encode_example(tokenizer, example, max_length)
    target = tokenizer.encode(example.target, add_special_tokens=False) + [tokenizer.eos_token_id]
    # Exactly the last len(target) positions are labelled, with the target's own ids.
    assert enc.labels[: enc.prompt_len] == [IGNORE_INDEX] * enc.prompt_len
    assert enc.labels[enc.prompt_len :] == target
    assert enc.input_ids[enc.prompt_len :] == target
    prompt = tokenizer.apply_chat_template(
        list(example.messages), add_generation_prompt=True, tokenize=True
    )
    prompt = prompt["input_ids"] if hasattr(prompt, "keys") else prompt
    assert enc.input_ids[: enc.prompt_len] == list(prompt)
    return enc


def test_label_mask_covers_exactly_the_target(tok, shop):
    for example in load_source(
        DataSource(str(shop / "dialogues" / "train.jsonl")), ["intent", "reply"]
    ):
        _check_mask(tok, example)


def test_label_mask_with_the_real_tokenizer(smol_tokenizer):
    example = Example(
        tuple(intent_messages([], "where is my order?")), "order_status", "order_status", "intent"
    )
    enc = _check_mask(smol_tokenizer, example)
    assert smol_tokenizer.decode(enc.input_ids[enc.prompt_len :]) == "order_status<|im_end|>"


def test_truncation_drops_old_history_then_prompt_tokens(tok):
    history = [
        {"role": "user" if i % 2 == 0 else "assistant", "content": f"turn {i} " * 20}
        for i in range(4)
    ]
    example = Example(tuple(intent_messages(history, "and now?")), "greeting", "greeting", "intent")
    full = encode_example(tok, example, 100_000)
    short = encode_example(tok, example, len(full) - 50)
    assert len(short) <= len(full) - 50
    assert "turn 0" not in tok.decode(short.input_ids)  # oldest turn went first
    assert "turn 3" in tok.decode(short.input_ids)
    assert short.labels[short.prompt_len :] == full.labels[full.prompt_len :]
    tiny = encode_example(tok, example, 64)
    assert len(tiny) == 64
    assert tiny.input_ids[-tiny.target_len :] == full.input_ids[-full.target_len :]
    # All history went, then the prompt's beginning: its end (the generation prompt) is kept.
    bare = encode_example(
        tok,
        Example(tuple(intent_messages([], "and now?")), "greeting", "greeting", "intent"),
        100_000,
    )
    assert (
        tiny.input_ids[: tiny.prompt_len]
        == bare.input_ids[bare.prompt_len - tiny.prompt_len : bare.prompt_len]
    )


# ----------------------------------------------------------- malformed rows
def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


GOOD = {
    "dialogue_id": "d",
    "language": "en",
    "turns": [
        {"role": "user", "content": "hi", "intent": "greeting", "slots": {}},
        {"role": "assistant", "content": "Hello", "faq_ids": [], "item_ids": []},
    ],
}


@pytest.mark.parametrize(
    ("bad_line", "message"),
    [
        ("{not json", "invalid JSON"),
        (json.dumps({**GOOD, "turns": []}), "turns"),
        (json.dumps({**GOOD, "language": "fr"}), "language"),
        (
            json.dumps({**GOOD, "turns": [{"role": "user", "content": "x", "intent": "dance"}]}),
            "unknown intent 'dance'",
        ),
        (json.dumps({**GOOD, "turns": [{"role": "bot", "content": "x"}]}), "role"),
        (
            json.dumps({**GOOD, "turns": [{"role": "assistant", "content": "x", "faq_ids": "a"}]}),
            "faq_ids",
        ),
    ],
)
def test_dialogue_reader_names_the_line(tmp_path, bad_line, message):
    good = json.dumps(GOOD)
    path = _write(tmp_path / "d.jsonl", f"{good}\n{good}\n{bad_line}\n")
    with pytest.raises(DataFormatError) as info:
        load_dialogues(path)
    assert str(info.value).startswith(f"{path}:3: ")
    assert message in str(info.value)


def test_dialogue_unknown_fields_are_ignored(tmp_path):
    row = {**GOOD, "session_id": "s", "turns": [{**GOOD["turns"][0], "confidence": 0.9}]}
    assert len(load_dialogues(_write(tmp_path / "d.jsonl", json.dumps(row) + "\n"))) == 1


def test_unknown_faq_id_names_the_line(tmp_path, shop):
    row = {**GOOD, "turns": [GOOD["turns"][0], {**GOOD["turns"][1], "faq_ids": ["nope.en"]}]}
    path = _write(tmp_path / "dialogues.jsonl", json.dumps(GOOD) + "\n" + json.dumps(row) + "\n")
    source = DataSource(str(path), faq=str(shop / "faq.jsonl"))
    with pytest.raises(DataFormatError, match=r":2: faq_ids: unknown FAQ id 'nope.en'"):
        load_source(source, ["reply"])


def test_bitext_reader_counts_lines_of_multiline_rows(tmp_path):
    header = "instruction,intent,response\n"
    rows = 'cancel it,cancel_order,"Sure.\nStep one.\nStep two."\n' + ",track_order,Here.\n"
    path = _write(tmp_path / "b.csv", header + rows)
    with pytest.raises(DataFormatError) as info:
        read_bitext(path)
    assert str(info.value) == f"{path}:5: column 'instruction' is empty"
    path = _write(tmp_path / "ok.csv", header + 'cancel it,cancel_order,"Sure.\nOk."\n')
    assert read_bitext(path) == [(f"{path}:2", "cancel it", "cancel_order", "Sure.\nOk.")]


def test_text_label_reader(tmp_path):
    path = _write(tmp_path / "t.csv", "text,category\nwhere is my card,card_arrival\nhello\n")
    with pytest.raises(DataFormatError, match=r"t\.csv:3: expected 2 columns"):
        read_text_label(path)


def test_clinc_reader_names_the_line(tmp_path):
    data = '{\n"train": [\n["hi", "greet"],\n["bye"]\n],\n"oos_train": [["weather?", "oos"]]\n}\n'
    path = _write(tmp_path / "c.json", data)
    with pytest.raises(DataFormatError, match=r"c\.json:4: train\[1\]"):
        read_clinc150(path)
    path = _write(tmp_path / "c.json", data.replace('["bye"]', '["bye", "greet"]'))
    rows = read_clinc150(path)
    assert [(t, label) for _, t, label in rows] == [
        ("hi", "greet"),
        ("bye", "greet"),
        ("weather?", "out_of_scope"),
    ]


def test_label_map_renames_and_drops(tmp_path):
    path = _write(
        tmp_path / "b.csv",
        "instruction,intent,response\nwhere is it,track_order,x\nreview time,review,y\n",
    )
    kept = load_source(DataSource(str(path), label_map="bitext"), ["intent"])
    assert [e.target for e in kept] == ["order_status", "review"]
    dropped = load_source(DataSource(str(path), label_map="bitext", drop_unmapped=True), ["intent"])
    assert [e.target for e in dropped] == ["order_status"]


# ------------------------------------------------------- the real data sets
@pytest.mark.skipif(not SHARED.exists(), reason="shared data sets not present")
def test_public_data_sets_read():
    banking = read_text_label(SHARED / "banking77" / "test.csv")
    assert len(banking) == 3080
    clinc = read_clinc150(SHARED / "clinc150" / "data_train_val.json", "validation")
    assert len(clinc) == 3100 and sum(label == "out_of_scope" for _, _, label in clinc) == 100
    bitext = read_bitext(next((SHARED / "bitext_customer_support").glob("*va6d3265.csv")))
    assert len(bitext) == 6480
