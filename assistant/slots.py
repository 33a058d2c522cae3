"""Slot values read from a message: order id, email, price bounds, category, size, colour."""

from __future__ import annotations

import re
from collections.abc import Iterable

ORDER_ID = re.compile(r"(?<![\d.])#?(\d{5,8})(?![\d.])")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_NUM = r"\$?\s?(\d+(?:[.,]\d{1,2})?)\s?(?:\$|usd|dollars?|d[oó]lares|美元|元)?"
MAX_PRICE = re.compile(
    r"(?:under|below|less than|cheaper than|max(?:imum)?|up to|at most|no more than|"
    r"menos de|por debajo de|hasta|低于|不超过|以下)\s*" + _NUM,
    re.IGNORECASE,
)
MIN_PRICE = re.compile(
    r"(?:over|above|more than|at least|from|min(?:imum)?|m[aá]s de|desde|高于|超过)\s*" + _NUM,
    re.IGNORECASE,
)
PRICE_RANGE = re.compile(r"between\s*\$?(\d+(?:\.\d+)?)\s*(?:and|-)\s*\$?(\d+(?:\.\d+)?)", re.I)
SIZES = re.compile(r"\b(?:size\s*)?(XXS|XS|S|M|L|XL|XXL|EU\s?\d{2}|US\s?\d{1,2}(?:\.5)?)\b")
SIZE_WORD = re.compile(r"\bsize\s+(\w+(?:\.5)?)\b", re.IGNORECASE)
COLOURS = (
    "black", "white", "red", "blue", "navy", "green", "grey", "gray", "yellow", "orange",
    "pink", "purple", "brown", "beige", "olive", "teal",
)  # fmt: skip

# Words shoppers use for a category, beyond the category's own name.
CATEGORY_SYNONYMS = {
    "running-shoes": ("running shoe", "runners", "running sneaker", "trainers", "zapatillas"),
    "hiking-boots": ("hiking boot", "walking boot", "trekking boot"),
    "casual-shoes": ("sneaker", "casual shoe", "loafer"),
    "t-shirts": ("t-shirt", "tee", "tshirt", "camiseta"),
    "jackets": ("jacket", "coat", "rain jacket", "chaqueta"),
    "backpacks": ("backpack", "rucksack", "daypack", "mochila"),
    "outdoor-gear": ("tent", "sleeping bag", "camping", "stove"),
    "accessories": ("sock", "cap", "hat", "belt", "gloves", "sunglasses"),
    "home-kitchen": ("kitchen", "mug", "pan", "kettle"),
    "electronics": ("headphones", "earbuds", "watch", "speaker", "charger"),
}


def _number(text: str) -> float:
    return float(text.replace(",", "."))


def category_phrases(categories: Iterable[str]) -> list[tuple[str, str]]:
    """(phrase, category) pairs, longest phrase first so "running shoes" beats "shoes"."""
    pairs: list[tuple[str, str]] = []
    for cat in categories:
        words = cat.replace("-", " ")
        pairs.append((words, cat))
        if words.endswith("s"):
            pairs.append((words[:-1], cat))
        for syn in CATEGORY_SYNONYMS.get(cat, ()):
            pairs.append((syn, cat))
    return sorted(pairs, key=lambda p: -len(p[0]))


def extract_slots(message: str, categories: Iterable[str] = ()) -> dict:
    """Slots found in `message`; keys absent when not found."""
    slots: dict = {}
    text = message.lower()
    email = EMAIL.search(message)
    if email:
        slots["email"] = email.group(0).lower()
    order = ORDER_ID.search(EMAIL.sub(" ", message))
    if order:
        slots["order_id"] = order.group(1)
    rng = PRICE_RANGE.search(text)
    if rng:
        slots["min_price"], slots["max_price"] = _number(rng.group(1)), _number(rng.group(2))
    else:
        hi = MAX_PRICE.search(text)
        if hi:
            slots["max_price"] = _number(hi.group(1))
        lo = MIN_PRICE.search(text)
        if lo:
            slots["min_price"] = _number(lo.group(1))
    for phrase, cat in category_phrases(categories):
        if re.search(r"\b" + re.escape(phrase) + r"(?:e?s)?\b", text):
            slots["category"] = cat
            break
    for colour in COLOURS:
        if re.search(r"\b" + colour + r"\b", text):
            slots["colour"] = "grey" if colour == "gray" else colour
            break
    size = SIZE_WORD.search(message) or SIZES.search(message)
    if size:
        slots["size"] = size.group(1).upper()
    return slots
