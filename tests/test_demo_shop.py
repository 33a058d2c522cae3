"""Tests of the demo shop generator and of the committed data files it produced."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from assistant.intents import INTENT_NAMES
from demo_shop.dialogues import normalise
from demo_shop.generate import DEFAULT_SEED, OUTPUT_FILES, SPLITS, generate

COMMITTED = Path(__file__).resolve().parent.parent / "demo_shop" / "data"
MAIN_TOPICS = (
    "shipping-times",
    "shipping-costs",
    "international-shipping",
    "return-policy",
    "how-to-return",
    "refund-timing",
    "payment-methods",
    "order-tracking",
    "cancel-order",
    "size-guide",
    "warranty-coverage",
    "contact-us",
)
FAQ_CATEGORIES = {
    "shipping", "returns", "refunds", "payment", "account", "orders", "warranty", "privacy",
    "sizes", "contact", "discounts",
}  # fmt: skip
SLOT_TYPES = {
    "order_id": str,
    "email": str,
    "category": str,
    "max_price": float,
    "min_price": float,
    "size": str,
    "colour": str,
}
STATUSES = {"processing", "shipped", "delivered", "cancelled", "returned"}


def _jsonl(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]


@pytest.fixture(scope="module")
def fresh(tmp_path_factory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("demo_shop")
    counts = generate(DEFAULT_SEED, out)
    return out, counts


@pytest.fixture(scope="module")
def data(fresh) -> dict:
    out, _ = fresh
    dialogues = {name: _jsonl(out / "dialogues" / f"{name}.jsonl") for name in SPLITS}
    with (out / "interactions.csv").open(encoding="utf-8", newline="") as handle:
        interactions = list(csv.DictReader(handle))
    return {
        "catalogue": _jsonl(out / "catalogue.jsonl"),
        "faq": _jsonl(out / "faq.jsonl"),
        "orders": _jsonl(out / "orders.jsonl"),
        "interactions": interactions,
        "dialogues": dialogues,
    }


def test_same_seed_gives_identical_bytes(fresh, tmp_path):
    out, _ = fresh
    generate(DEFAULT_SEED, tmp_path)
    for name in OUTPUT_FILES:
        assert (tmp_path / name).read_bytes() == (out / name).read_bytes(), name


def test_committed_data_matches_a_fresh_generation(fresh):
    out, _ = fresh
    for name in OUTPUT_FILES:
        committed = COMMITTED / name
        assert committed.exists(), f"{committed} missing: run python demo_shop/generate.py"
        assert committed.read_bytes() == (out / name).read_bytes(), (
            f"{name} drifted from the generator: run python demo_shop/generate.py --seed 7"
        )


def test_catalogue(data):
    products = data["catalogue"]
    assert len(products) >= 300
    ids = [p["item_id"] for p in products]
    assert len(set(ids)) == len(ids)
    assert all(re.fullmatch(r"P\d{4}", i) for i in ids)
    assert len({p["title"] for p in products}) == len(products)
    categories = Counter(p["category"] for p in products)
    assert len(categories) >= 8
    for required in ("running-shoes", "hiking-boots", "backpacks", "outdoor-gear", "electronics"):
        assert categories[required] >= 10, required
    for p in products:
        assert (
            isinstance(p["price"], float) and p["price"] > 0 and round(p["price"], 2) == p["price"]
        )
        assert p["currency"] == "USD"
        assert isinstance(p["stock"], int) and 0 <= p["stock"] <= 200
        assert set(p["attributes"]) <= {"colour", "size", "material"}
        assert p["title"].startswith(p["brand"])
        assert 1 <= p["description"].count(". ") + 1 <= 6
    assert any(p["stock"] == 0 for p in products)
    shoes = [p for p in products if p["category"] == "running-shoes"]
    assert sum(p["price"] < 80 for p in shoes) >= 10
    assert sum(p["price"] > 80 for p in shoes) >= 10


def test_faq(data):
    faq = data["faq"]
    ids = [f["faq_id"] for f in faq]
    assert len(set(ids)) == len(ids)
    for entry in faq:
        assert entry["faq_id"] == f"{entry['topic']}.{entry['language']}"
        assert entry["category"] in FAQ_CATEGORIES
        assert entry["question"].strip() and entry["answer"].strip()
    by_language = Counter(f["language"] for f in faq)
    assert by_language["en"] >= 50
    assert {f["category"] for f in faq} == FAQ_CATEGORIES
    for topic in MAIN_TOPICS:
        for language in ("en", "es", "zh"):
            assert f"{topic}.{language}" in ids


def test_translations_keep_the_numbers(data):
    """Spanish and Chinese answers quote the same figures as the English one."""
    by_id = {f["faq_id"]: f for f in data["faq"]}
    for entry in data["faq"]:
        if entry["language"] == "en":
            continue
        english = by_id[f"{entry['topic']}.en"]["answer"]
        numbers = set(re.findall(r"\d+(?:\.\d+)?", english.replace("1,000", "1000")))
        translated = set(re.findall(r"\d+(?:\.\d+)?", entry["answer"].replace("1,000", "1000")))
        assert numbers <= translated, entry["faq_id"]


def test_orders(data):
    products = {p["item_id"]: p for p in data["catalogue"]}
    orders = data["orders"]
    assert len(orders) >= 150
    ids = [o["order_id"] for o in orders]
    assert len(set(ids)) == len(ids) and "10023" in ids
    assert {o["status"] for o in orders} == STATUSES
    for order in orders:
        assert order["order_id"].isdigit()
        assert re.fullmatch(r"[a-z0-9._]+@example\.(com|org)", order["email"])
        assert "2026-08-01" <= order["order_date"] <= "2026-11-30"
        shipped = order["status"] in ("shipped", "delivered", "returned")
        assert (order["tracking_number"] is not None) == shipped
        assert (order["carrier"] is not None) == shipped
        assert (order["shipped_date"] is not None) == shipped
        if order["delivered_date"]:
            assert order["shipped_date"] <= order["delivered_date"]
        cents = 0
        for item in order["items"]:
            product = products[item["item_id"]]
            assert item["title"] == product["title"] and item["price"] == product["price"]
            assert item["quantity"] >= 1
            cents += round(item["price"] * 100) * item["quantity"]
        assert round(order["total"] * 100) == cents
        assert order["currency"] == "USD"


def test_interactions(data, fresh):
    out, _ = fresh
    assert (out / "interactions.csv").stat().st_size < 4_000_000
    with (out / "interactions.csv").open(encoding="utf-8") as handle:
        assert handle.readline().strip() == "session_id,user_id,item_id,event,timestamp"
    rows = data["interactions"]
    products = {p["item_id"] for p in data["catalogue"]}
    sessions = defaultdict(list)
    for row in rows:
        assert row["item_id"] in products
        assert row["event"] in ("view", "cart", "purchase")
        assert re.fullmatch(r"2026-(09|10|11)-\d\dT\d\d:\d\d:\d\dZ", row["timestamp"])
        sessions[row["session_id"]].append(row)
    assert len(sessions) >= 5000
    with_user = [s for s in sessions.values() if s[0]["user_id"]]
    assert 0.25 <= len(with_user) / len(sessions) <= 0.35
    per_user = Counter(s[0]["user_id"] for s in with_user)
    assert sum(per_user.values()) / len(per_user) >= 2
    for events in sessions.values():
        assert len({e["user_id"] for e in events}) == 1
        stamps = [e["timestamp"] for e in events]
        assert stamps == sorted(stamps)
        assert 2 <= sum(e["event"] == "view" for e in events) <= 12
    kinds = Counter(row["event"] for row in rows)
    assert kinds["view"] > kinds["cart"] > kinds["purchase"] > 0


def _user_turns(dialogue: dict) -> list[dict]:
    return [t for t in dialogue["turns"] if t["role"] == "user"]


def test_dialogue_labels_and_references(data):
    faq_ids = {f["faq_id"] for f in data["faq"]}
    item_ids = {p["item_id"] for p in data["catalogue"]}
    for dialogues in data["dialogues"].values():
        for dialogue in dialogues:
            assert dialogue["language"] in ("en", "es", "zh")
            roles = [t["role"] for t in dialogue["turns"]]
            assert roles == ["user", "assistant"] * (len(roles) // 2), dialogue["dialogue_id"]
            for turn in dialogue["turns"]:
                assert turn["content"].strip()
                if turn["role"] == "user":
                    assert turn["intent"] in INTENT_NAMES
                    for key, value in turn["slots"].items():
                        assert isinstance(value, SLOT_TYPES[key]), (key, value)
                else:
                    assert set(turn["faq_ids"]) <= faq_ids, turn["faq_ids"]
                    assert set(turn["item_ids"]) <= item_ids, turn["item_ids"]
                    for faq_id in turn["faq_ids"]:
                        if dialogue["language"] != "en":
                            assert faq_id.endswith("." + dialogue["language"])


def test_every_intent_has_enough_phrasings_in_every_split(data):
    phrasings = defaultdict(set)
    first_intents = {split: Counter() for split in SPLITS}
    for split, dialogues in data["dialogues"].items():
        for dialogue in dialogues:
            first_intents[split][dialogue["turns"][0]["intent"]] += 1
            for turn in _user_turns(dialogue):
                phrasings[turn["intent"]].add(normalise(turn["content"]))
    for intent in INTENT_NAMES:
        assert len(phrasings[intent]) >= 40, intent
        for split in SPLITS:
            assert first_intents[split][intent] >= 1, (split, intent)
    total = sum(sum(c.values()) for c in first_intents.values())
    assert 0.65 <= sum(first_intents["train"].values()) / total <= 0.75


def test_splits_share_no_dialogue_or_phrasing(data):
    seen_ids: dict[str, str] = {}
    seen_texts: dict[str, str] = {}
    for split, dialogues in data["dialogues"].items():
        for dialogue in dialogues:
            assert seen_ids.setdefault(dialogue["dialogue_id"], split) == split
            for turn in _user_turns(dialogue):
                key = normalise(turn["content"])
                assert seen_texts.setdefault(key, split) == split, turn["content"]


def test_dialogue_mix(data):
    dialogues = [d for split in data["dialogues"].values() for d in split]
    languages = Counter(d["language"] for d in dialogues)
    assert languages["es"] >= 30 and languages["zh"] >= 30
    multi = [d for d in dialogues if len(_user_turns(d)) >= 2]
    assert len(multi) >= 50


def test_order_replies_use_the_real_order(data):
    orders = {o["order_id"]: o for o in data["orders"]}
    checked = 0
    for dialogue in (d for split in data["dialogues"].values() for d in split):
        turns = dialogue["turns"]
        for user, reply in zip(turns[::2], turns[1::2], strict=True):
            slots = user["slots"]
            order = orders.get(slots.get("order_id", ""))
            if (
                user["intent"] != "order_status"
                or not order
                or slots.get("email") != order["email"]
            ):
                continue
            assert order["order_id"] in reply["content"]
            word = {"processing": "hasn't shipped", "shipped": "shipped on"}.get(order["status"])
            word = word or {"delivered": "delivered on", "cancelled": "cancelled"}.get(
                order["status"], "returned"
            )
            assert word in reply["content"], (order["status"], reply["content"])
            if order["tracking_number"] and order["status"] != "returned":
                assert order["tracking_number"] in reply["content"]
            checked += 1
    assert checked >= 20


def test_product_replies_name_the_listed_items(data):
    products = {p["item_id"]: p for p in data["catalogue"]}
    for dialogue in (d for split in data["dialogues"].values() for d in split):
        for turn in dialogue["turns"]:
            if turn["role"] == "assistant":
                for item_id in turn["item_ids"]:
                    assert products[item_id]["title"] in turn["content"]
