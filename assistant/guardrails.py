"""Checks on what goes out: a reply's facts must come from its context; no personal data logged."""

from __future__ import annotations

import re

# Numbers as a shopper reads them: 79.99, 3-5, 10023, 30 (a trailing . or , is punctuation).
NUMBER = re.compile(r"\d+(?:[.,]\d+)*")
TRACKING = re.compile(r"\b[A-Z]{2,}\d{6,}[A-Z]*\b")

EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
CARD = re.compile(r"\b(?:\d[ -]?){13,19}\b")
PHONE = re.compile(r"(?<!\w)\+?\d[\d ()-]{7,}\d(?!\w)")


def _numbers(text: str) -> set[str]:
    return {n.replace(",", ".").rstrip(".") for n in NUMBER.findall(text)}


def unsupported_facts(reply: str, context: str) -> list[str]:
    """Numbers and tracking codes in `reply` that do not appear in `context`.

    A reply that states a price, a number of days or an order number its context lacks is
    treated as invented; the caller replaces it with an answer built from the data.
    """
    known = _numbers(context)
    missing = sorted(n for n in _numbers(reply) if n not in known)
    missing += sorted(t for t in TRACKING.findall(reply) if t not in context)
    return missing


def redact(text: str) -> str:
    """Replace emails, card numbers and phone numbers with placeholders (before logging)."""
    text = EMAIL.sub("<email>", text)
    text = CARD.sub("<card>", text)
    return PHONE.sub("<phone>", text)
