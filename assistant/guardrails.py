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


# An explicit request for a person must always reach one, whatever the intent model says.
HUMAN_REQUEST = re.compile(
    r"\b(?:speak|talk|chat)\s+(?:to|with)\s+(?:a\s+|an\s+|some\s*one|your\s+)?"
    r"(?:real\s+|live\s+)?(?:person|human|agent|someone|representative|manager|staff)"
    r"|\b(?:human|live|real)\s+(?:agent|person|support)\b"
    r"|\bhablar\s+con\s+(?:una\s+persona|un\s+agente|alguien|un\s+humano)"
    r"|人工客服|转人工|真人",
    re.IGNORECASE,
)


def wants_human(message: str) -> bool:
    """True when the shopper explicitly asks for a person."""
    return bool(HUMAN_REQUEST.search(message))


WORD = re.compile(r"[^\W\d_]{4,}")
COMMON = frozenset(
    "that this with your have will from they them there their what when which would could "
    "should about also just more some than then into only very like make made been were "
    "each other these those here sure help happy please thank thanks know able need".split()
)


def off_context_share(reply: str, context: str) -> float:
    """Share of the reply's content words (4+ letters, not common) absent from the context.

    A grounded reply re-uses the words of the entry it answers from; a reply that drifts
    into its own story (weather, traffic, GPS) scores high.
    """
    words = [w for w in WORD.findall(reply.lower()) if w not in COMMON]
    if not words:
        return 0.0
    known = set(WORD.findall(context.lower()))
    stems = {w[:5] for w in known}
    missing = [w for w in words if w not in known and w[:5] not in stems]
    return len(missing) / len(words)


def repetitive(text: str, n: int = 4) -> bool:
    """True when a generated text repeats itself: under half of its word n-grams are distinct."""
    words = text.split()
    grams = [tuple(words[i : i + n]) for i in range(len(words) - n + 1)]
    return len(grams) >= 8 and len(set(grams)) < 0.5 * len(grams)


def redact(text: str) -> str:
    """Replace emails, card numbers and phone numbers with placeholders (before logging)."""
    text = EMAIL.sub("<email>", text)
    text = CARD.sub("<card>", text)
    return PHONE.sub("<phone>", text)
