"""Shared fixtures: a tiny shop on disk and a tiny random LM with the real tokenizer."""

from __future__ import annotations

import json
import random
import shutil
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from ui.testing import free_port

FAQ = [
    ("shipping-times.en", "shipping-times", "en", "shipping", "How long does shipping take?",
     "Standard shipping takes 3-5 business days. Express shipping takes 1-2 business days."),
    ("shipping-times.es", "shipping-times", "es", "shipping", "¿Cuánto tarda el envío?",
     "El envío estándar tarda de 3 a 5 días hábiles. El envío exprés tarda de 1 a 2 días."),
    ("return-policy.en", "return-policy", "en", "returns", "What is your return policy?",
     "You can return unworn items within 30 days of delivery for a full refund."),
    ("return-policy.es", "return-policy", "es", "returns", "¿Cuál es la política de devoluciones?",
     "Puedes devolver artículos sin usar en un plazo de 30 días desde la entrega."),
    ("payment-methods.en", "payment-methods", "en", "payment", "Which payment methods work?",
     "We accept Visa, Mastercard, American Express and PayPal."),
]  # fmt: skip

PRODUCTS = [
    ("P001", "Stride Runner 2", "Light road running shoe, foam midsole.", "running-shoes", 59.0),
    ("P002", "Tempo Glide", "Cushioned running shoe for long runs.", "running-shoes", 75.5),
    ("P003", "Trail Blaze Pro", "Grippy trail running shoe.", "running-shoes", 129.0),
    ("P004", "City Sprint", "Budget running shoe for beginners.", "running-shoes", 45.0),
    ("P005", "Summit Hiker", "Waterproof leather hiking boot.", "hiking-boots", 149.0),
    ("P006", "Ridge Walker", "Lightweight hiking boot with mesh upper.", "hiking-boots", 99.0),
    ("P007", "Basecamp Tee", "Organic cotton t-shirt.", "t-shirts", 19.0),
    ("P008", "Merino Trail Tee", "Merino wool t-shirt that does not smell.", "t-shirts", 49.0),
    ("P009", "Storm Shell", "Waterproof rain jacket.", "jackets", 189.0),
    ("P010", "Run Sock Duo", "Two pairs of cushioned running socks.", "accessories", 14.0),
    ("P011", "Hydro Belt", "Running belt with a water bottle.", "accessories", 24.0),
    ("P012", "Daypack 20", "20 litre hiking daypack.", "backpacks", 69.0),
]  # fmt: skip

ORDERS = [
    {"order_id": "10023", "email": "ana@example.com", "status": "shipped",
     "order_date": "2026-11-02", "shipped_date": "2026-11-04", "delivered_date": None,
     "tracking_number": "TRK12345678", "carrier": "DHL", "shipping_address": "1 Main St",
     "items": [{"item_id": "P001", "title": "Stride Runner 2", "quantity": 1, "price": 59.0}],
     "total": 59.0, "currency": "USD"},
    {"order_id": "10024", "email": "bo@example.org", "status": "processing",
     "order_date": "2026-11-20", "shipped_date": None, "delivered_date": None,
     "tracking_number": None, "carrier": None, "shipping_address": "2 High St",
     "items": [{"item_id": "P007", "title": "Basecamp Tee", "quantity": 2, "price": 19.0}],
     "total": 38.0, "currency": "USD"},
]  # fmt: skip

EXAMPLES = {
    "shipping_info": ["how long does shipping take", "when will my package arrive if I order today",
                      "how many days is delivery", "¿cuánto tarda el envío?"],
    "return_request": ["how do I return an item", "what is your return policy",
                       "can I send back shoes", "¿cómo devuelvo un producto?"],
    "payment_problem": ["which payment methods do you accept", "my card was declined"],
    "order_status": ["where is my order", "what is the status of order 10023",
                     "track my package", "has my order shipped"],
    "cancel_order": ["cancel my order", "I want to cancel order 10024"],
    "change_address": ["change the delivery address of my order"],
    "product_search": ["show me running shoes under 80", "do you have hiking boots",
                       "I'm looking for a t-shirt", "find me a rain jacket"],
    "product_recommendation": ["what do you recommend", "suggest something for me"],
    "product_question": ["what is the second one made of", "is the first one in stock"],
    "human_agent": ["I want to speak to a person", "let me talk to a human agent",
                    "get me a real person"],
    "complaint": ["this is terrible service", "I am very angry about my order"],
    "greeting": ["hello", "hi there", "good morning"],
    "thanks": ["thank you", "thanks a lot"],
    "goodbye": ["bye", "see you"],
    "out_of_scope": ["what is the capital of France", "write me a poem about the sea"],
}  # fmt: skip


def write_shop(folder: Path) -> Path:
    """Write a tiny shop (FAQ, catalogue, orders, interactions, dialogues) into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "faq.jsonl", "w", encoding="utf-8") as fh:
        for faq_id, topic, lang, cat, q, a in FAQ:
            row = dict(
                faq_id=faq_id, topic=topic, language=lang, category=cat, question=q, answer=a
            )
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    with open(folder / "catalogue.jsonl", "w", encoding="utf-8") as fh:
        for item_id, title, desc, cat, price in PRODUCTS:
            row = dict(item_id=item_id, title=title, description=desc, category=cat,
                       brand="Acme", price=price, currency="USD", stock=5,
                       attributes={"colour": "blue"})  # fmt: skip
            fh.write(json.dumps(row) + "\n")
    with open(folder / "orders.jsonl", "w", encoding="utf-8") as fh:
        for order in ORDERS:
            fh.write(json.dumps(order) + "\n")
    rng = random.Random(0)
    running = ["P001", "P002", "P003", "P004", "P010", "P011"]
    hiking = ["P005", "P006", "P012", "P009"]
    lines = ["session_id,user_id,item_id,event,timestamp"]
    for s in range(120):
        pool = running if s % 2 == 0 else hiking
        for step in range(4):
            item = rng.choice(pool)
            lines.append(f"s{s},,{item},view,2026-10-01T10:{s % 60:02d}:{step:02d}Z")
    (folder / "interactions.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "dialogues").mkdir(exist_ok=True)
    with open(folder / "dialogues" / "train.jsonl", "w", encoding="utf-8") as fh:
        n = 0
        for intent, texts in EXAMPLES.items():
            for text in texts:
                n += 1
                turns = [
                    {"role": "user", "content": text, "intent": intent, "slots": {}},
                    {"role": "assistant", "content": "ok", "faq_ids": [], "item_ids": []},
                ]
                fh.write(json.dumps({"dialogue_id": f"d{n}", "language": "en", "turns": turns},
                                    ensure_ascii=False) + "\n")  # fmt: skip
    return folder


@pytest.fixture(scope="session")
def tiny_shop(tmp_path_factory) -> Path:
    return write_shop(tmp_path_factory.mktemp("shop"))


@pytest.fixture(scope="session")
def smol_tokenizer():
    """The bundled SmolLM2 tokenizer (with its chat template), read from the GGUF file."""
    from transformers import AutoTokenizer

    from assistant.models import BUNDLED_GGUF, bundled_gguf_dir

    return AutoTokenizer.from_pretrained(bundled_gguf_dir(), gguf_file=BUNDLED_GGUF)


@pytest.fixture(scope="session")
def tiny_lm(smol_tokenizer):
    """A 2-layer random Llama with the real tokenizer: fast, and exercises every code path."""
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    from assistant.models import LanguageModel

    torch.manual_seed(0)
    config = LlamaConfig(
        vocab_size=len(smol_tokenizer), hidden_size=32, intermediate_size=64,
        num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
        max_position_embeddings=2048, bos_token_id=smol_tokenizer.bos_token_id,
        eos_token_id=smol_tokenizer.eos_token_id,
    )  # fmt: skip
    return LanguageModel(LlamaForCausalLM(config), smol_tokenizer, name="tiny-random")


@pytest.fixture(scope="session")
def tiny_model_dir(tiny_lm, tmp_path_factory) -> Path:
    """The tiny random LM saved as a folder, for code that loads a model by path."""
    folder = tmp_path_factory.mktemp("tiny-model")
    tiny_lm.model.save_pretrained(folder)
    tiny_lm.tokenizer.save_pretrained(folder)
    return folder


@pytest.fixture(scope="session")
def tiny_assistant(tiny_shop, tiny_lm, tmp_path_factory):
    """The real Assistant on the tiny shop with the tiny random LM (built once per run).

    Shared: tests that change orders or limits should use their own sessions or objects.
    """
    from assistant import Assistant, AssistantConfig

    config = AssistantConfig(
        shop_dir=tiny_shop, data_dir=tmp_path_factory.mktemp("assistant-data"),
        adapter_dir=None, intent_lm_weight=0.05, max_new_tokens=8,
    )  # fmt: skip
    return Assistant.from_config(config, lm=tiny_lm)


# ------------------------------------------------------------------ Chroma server mode


def _chroma_executable() -> str | None:
    beside_python = Path(sys.executable).with_name("chroma")
    return str(beside_python) if beside_python.exists() else shutil.which("chroma")


def _wait_until_up(server: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            url = f"http://127.0.0.1:{port}/api/v2/heartbeat"
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        if server.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"chroma server did not start: {log.read_text(errors='replace')}")
        time.sleep(0.25)


@pytest.fixture(scope="module")
def chroma_port(tmp_path_factory):
    """A `chroma run` server on a free port with its data in a temporary folder."""
    executable = _chroma_executable()
    if executable is None:
        pytest.skip("the chroma CLI is not installed (it comes with the chromadb package)")
    folder = tmp_path_factory.mktemp("chroma-server")
    port = free_port()
    log_path = folder / "server.log"
    with log_path.open("wb") as log:
        server = subprocess.Popen(
            [executable, "run", "--path", str(folder / "data"), "--host", "127.0.0.1",
             "--port", str(port)],
            stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip
        try:
            _wait_until_up(server, port, log_path)
            yield port
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
