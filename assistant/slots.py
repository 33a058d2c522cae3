"""Slot values read from a message: order id, email, price bounds, category, size, colour."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

ORDER_ID = re.compile(r"(?<![\d.])#?(\d{5,8})(?![\d.])")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# A 5-digit number is a ZIP code, not an order id, after these words or a US state code
# ("Denver, CO 80250"), or with a ZIP+4 suffix ("80250-1234").
POSTAL_BEFORE = re.compile(
    r"(?:zip|postal|post\s*code|postcode|c[oó]digo\s+postal|\bcp|邮编|邮政编码)\W{0,3}(?:code\W{0,3})?"
    r"(?:is\W{0,2}|es\W{0,2}|是\W{0,2})?$",
    re.IGNORECASE,
)
US_STATES = (
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ "
    "NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC"
).split()
STATE_BEFORE = re.compile(r"\b(?:" + "|".join(US_STATES) + r")\s$")  # case-sensitive
# A plain amount only: "1e308" or "1,000,000" is not read as "1" (the lookahead stops the
# match from ending inside a longer number).
_NUM = r"\$?\s?(\d+(?:[.,]\d{1,2})?)(?![.,]?\d|e[+-]?\d)\s?(?:\$|usd|dollars?|d[oó]lares|美元|元)?"
MAX_PRICE = re.compile(
    r"(?:under|below|less than|cheaper than|max(?:imum)?|up to|at most|no more than|"
    r"budget(?: is| of)?|menos de|por debajo de|hasta|presupuesto(?: de| es)?|"
    r"低于|不超过|以下|预算)\s*" + _NUM,
    re.IGNORECASE,
)
MIN_PRICE = re.compile(
    r"(?:over|above|more than|at least|from|min(?:imum)?|m[aá]s de|desde|高于|超过)\s*" + _NUM,
    re.IGNORECASE,
)
PRICE_RANGE = re.compile(
    r"(?:between|entre|from|de)\s*\$?(\d+(?:\.\d+)?)\s*\$?\s*(?:and|to|y|a|-)\s*"
    r"\$?(\d+(?:\.\d+)?)|(\d+(?:\.\d+)?)\s*(?:到|至|-)\s*(\d+(?:\.\d+)?)\s*(?:美元|元)",
    re.I,
)
SIZES = re.compile(r"\b(?:size\s*)?(XXS|XS|S|M|L|XL|XXL|EU\s?\d{2}|US\s?\d{1,2}(?:\.5)?)\b")
SIZE_WORD = re.compile(r"\b(?:size|talla|尺码|码)\s*(\w+(?:\.5)?)\b", re.IGNORECASE)
COLOURS = (
    "black", "white", "red", "blue", "navy", "green", "grey", "gray", "yellow", "orange",
    "pink", "purple", "brown", "beige", "olive", "teal",
)  # fmt: skip
# Spanish and Chinese colour words, mapped to the catalogue's English ones.
COLOUR_WORDS = {
    "negro": "black", "negra": "black", "blanco": "white", "blanca": "white", "rojo": "red",
    "roja": "red", "azul": "blue", "verde": "green", "gris": "grey", "amarillo": "yellow",
    "naranja": "orange", "rosa": "pink", "morado": "purple", "marrón": "brown",
    "黑色": "black", "白色": "white", "红色": "red", "蓝色": "blue", "绿色": "green",
    "灰色": "grey", "黄色": "yellow", "橙色": "orange", "粉色": "pink", "紫色": "purple",
    "棕色": "brown", "gray": "grey",
}  # fmt: skip

# Words shoppers use for a category, beyond the category's own name.
CATEGORY_SYNONYMS = {
    "running-shoes": ("running shoe", "runners", "running sneaker", "trainers", "zapatillas",
                      "跑鞋"),
    "hiking-boots": ("hiking boot", "walking boot", "trekking boot", "botas", "登山靴"),
    "casual-shoes": ("sneaker", "casual shoe", "loafer"),
    "t-shirts": ("t-shirt", "tee", "tshirt", "camiseta", "t恤"),
    "jackets": ("jacket", "coat", "rain jacket", "chaqueta", "夹克", "外套"),
    "backpacks": ("backpack", "rucksack", "daypack", "mochila", "背包"),
    "outdoor-gear": ("tent", "sleeping bag", "camping", "stove", "帐篷"),
    "accessories": ("sock", "cap", "hat", "belt", "gloves", "sunglasses"),
    "home-kitchen": ("kitchen", "mug", "pan", "kettle"),
    "electronics": ("headphones", "earbuds", "watch", "speaker", "charger", "耳机"),
}  # fmt: skip


def normalise(message: str) -> str:
    """Fold fullwidth digits, letters and signs to ASCII (NFKC): "１００２３" -> "10023"."""
    return unicodedata.normalize("NFKC", message)


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


def order_id(message: str) -> str | None:
    """The first 5-8 digit number that is not part of an email or a postal code."""
    text = EMAIL.sub(" ", message)
    for match in ORDER_ID.finditer(text):
        before = text[max(0, match.start() - 24) : match.start()]
        after = text[match.end() : match.end() + 5]
        if POSTAL_BEFORE.search(before) or STATE_BEFORE.search(before):
            continue
        if re.match(r"-\d{4}\b", after):
            continue
        return match.group(1)
    return None


def _prices(text: str, slots: dict) -> None:
    rng = PRICE_RANGE.search(text)
    if rng:
        low, high = (rng.group(1), rng.group(2)) if rng.group(1) else (rng.group(3), rng.group(4))
        low, high = _number(low), _number(high)
        # "between 80 and 40" means the same range as "between 40 and 80".
        slots["min_price"], slots["max_price"] = min(low, high), max(low, high)
        return
    hi = MAX_PRICE.search(text)
    if hi:
        slots["max_price"] = _number(hi.group(1))
    lo = MIN_PRICE.search(text)
    if lo:
        slots["min_price"] = _number(lo.group(1))
    if slots.get("min_price", 0) > slots.get("max_price", float("inf")):
        slots["min_price"], slots["max_price"] = slots["max_price"], slots["min_price"]


def _colour(text: str) -> str | None:
    for colour in COLOURS:
        if re.search(r"\b" + colour + r"\b", text):
            return "grey" if colour == "gray" else colour
    for word, colour in COLOUR_WORDS.items():
        if (word in text) if not word.isascii() else re.search(r"\b" + word + r"\b", text):
            return colour
    return None


def extract_slots(message: str, categories: Iterable[str] = ()) -> dict:
    """Slots found in `message`; keys absent when not found."""
    slots: dict = {}
    message = normalise(message)
    text = message.lower()
    email = EMAIL.search(message)
    if email:
        slots["email"] = email.group(0).lower()
    found = order_id(message)
    if found:
        slots["order_id"] = found
    _prices(text, slots)
    for phrase, cat in category_phrases(categories):
        if re.search(r"\b" + re.escape(phrase) + r"(?:e?s)?\b", text):
            slots["category"] = cat
            break
    colour = _colour(text)
    if colour:
        slots["colour"] = colour
    size = SIZE_WORD.search(message) or SIZES.search(message)
    if size:
        slots["size"] = size.group(1).upper()
    return slots


LETTER_SIZES = ("XXS", "XS", "S", "M", "L", "XL", "XXL", "XXXL")


def has_colour(attributes: dict, title: str, colour: str) -> bool:
    """True when the product's colour attribute (or its title) names `colour`."""
    text = f"{attributes.get('colour', '')} {title}".lower().replace("gray", "grey")
    return re.search(r"\b" + re.escape(colour) + r"\b", text) is not None


def fits_size(attributes: dict, size: str) -> bool:
    """True when the product's size attribute covers `size` ("42" in "EU 36-46", "M" in
    "S-XXL"); products without a size attribute, or "one size", fit every size."""
    have = str(attributes.get("size", "")).upper()
    if not have or "ONE SIZE" in have:
        return True
    size = re.sub(r"^(?:EU|US)\s?", "", size.upper())
    if re.fullmatch(r"\d+(?:\.5)?", size):
        value = float(size)
        for low, high in re.findall(r"(\d+(?:\.5)?)\s*-\s*(\d+(?:\.5)?)", have):
            if float(low) <= value <= float(high):
                return True
        return size in re.findall(r"\d+(?:\.5)?", have)
    if size in LETTER_SIZES:
        for low, high in re.findall(
            r"\b(XXS|XS|S|M|L|XL|XXL|XXXL)\s*-\s*(XXS|XS|S|M|L|XL|XXL|XXXL)\b", have
        ):
            if LETTER_SIZES.index(low) <= LETTER_SIZES.index(size) <= LETTER_SIZES.index(high):
                return True
        return size in re.findall(r"\b(?:XXS|XS|S|M|L|XL|XXL|XXXL)\b", have)
    return size in have
