"""Tiny models and data for tests: a byte-level tokenizer with a ChatML template and a
randomly initialised 2-layer Llama, saved like a Hugging Face model folder."""

from __future__ import annotations

import json
from pathlib import Path

CHAT_TEMPLATE = (
    "{% for message in messages %}"
    "{{ '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{% endfor %}"
    "{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}"
)


def tiny_tokenizer():
    """A byte-level tokenizer (259 tokens, no merges) carrying a ChatML chat template."""
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers
    from transformers import PreTrainedTokenizerFast

    alphabet = sorted(pre_tokenizers.ByteLevel.alphabet())
    vocab = {ch: i for i, ch in enumerate(alphabet)}
    core = Tokenizer(models.BPE(vocab=vocab, merges=[]))
    core.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=False)
    core.decoder = decoders.ByteLevel()
    tok = PreTrainedTokenizerFast(
        tokenizer_object=core,
        bos_token="<|im_start|>",
        eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
    )
    tok.add_special_tokens(
        {"additional_special_tokens": ["<|im_start|>", "<|im_end|>", "<|endoftext|>"]}
    )
    tok.chat_template = CHAT_TEMPLATE
    return tok


def tiny_llama(folder: str | Path, seed: int = 0, max_positions: int = 2048) -> Path:
    """Save a random 2-layer Llama (hidden 32) and the tiny tokenizer in `folder`."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    folder = Path(folder)
    tok = tiny_tokenizer()
    torch.manual_seed(seed)
    config = LlamaConfig(
        vocab_size=len(tok),
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=2,
        num_attention_heads=4,
        num_key_value_heads=2,
        max_position_embeddings=max_positions,
        tie_word_embeddings=True,
        bos_token_id=tok.bos_token_id,
        eos_token_id=tok.eos_token_id,
        pad_token_id=tok.pad_token_id,
    )
    model = LlamaForCausalLM(config)
    model.save_pretrained(folder)
    tok.save_pretrained(folder)
    return folder


def write_demo_shop(folder: str | Path) -> Path:
    """A two-dialogue shop (faq.jsonl, catalogue.jsonl, dialogues/{train,validation}.jsonl)."""
    folder = Path(folder)
    (folder / "dialogues").mkdir(parents=True, exist_ok=True)
    faq = [
        {
            "faq_id": "shipping-times.en",
            "topic": "shipping-times",
            "language": "en",
            "category": "shipping",
            "question": "How long does shipping take?",
            "answer": "Three to five days.",
        },
        {
            "faq_id": "returns.en",
            "topic": "returns",
            "language": "en",
            "category": "returns",
            "question": "How do I return an item?",
            "answer": "Within 30 days, free.",
        },
    ]
    products = [
        {
            "item_id": "P0001",
            "title": "Trail Runner",
            "description": "Light shoe.",
            "category": "running-shoes",
            "brand": "Stride",
            "price": 89.99,
            "currency": "USD",
            "stock": 4,
            "attributes": {"colour": "blue"},
        },
    ]
    dialogues = [
        {
            "dialogue_id": "d1",
            "language": "en",
            "turns": [
                {"role": "user", "content": "hi", "intent": "greeting", "slots": {}},
                {"role": "assistant", "content": "Hello!", "faq_ids": [], "item_ids": []},
                {
                    "role": "user",
                    "content": "how long is shipping?",
                    "intent": "shipping_info",
                    "slots": {},
                },
                {
                    "role": "assistant",
                    "content": "It takes three to five days.",
                    "faq_ids": ["shipping-times.en"],
                    "item_ids": [],
                },
            ],
        },
        {
            "dialogue_id": "d2",
            "language": "en",
            "turns": [
                {
                    "role": "user",
                    "content": "I want to return my shoes",
                    "intent": "return_request",
                    "slots": {},
                },
                {
                    "role": "assistant",
                    "content": "You can return them within 30 days.",
                    "faq_ids": ["returns.en"],
                    "item_ids": [],
                },
                {
                    "role": "user",
                    "content": "any blue running shoes?",
                    "intent": "product_search",
                    "slots": {"colour": "blue"},
                },
                {
                    "role": "assistant",
                    "content": "The Trail Runner comes in blue.",
                    "faq_ids": [],
                    "item_ids": ["P0001"],
                },
                {"role": "user", "content": "thanks, bye", "intent": "goodbye", "slots": {}},
            ],
        },
    ]

    def write(path: Path, rows: list) -> None:
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")

    write(folder / "faq.jsonl", faq)
    write(folder / "catalogue.jsonl", products)
    write(folder / "dialogues" / "train.jsonl", dialogues)
    write(folder / "dialogues" / "validation.jsonl", dialogues[::-1])
    return folder
