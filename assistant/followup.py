"""Follow-up messages rewritten into stand-alone requests, from the session's last topic.

Rules, not a model, so that it costs nothing and is predictable:

- product follow-ups ("cheaper ones", "what about in blue", "in size 42", "under 50?") after
  a product search re-run that search (its text and filters from `Session.last_search`) with
  the new colour, size or price bound; "cheaper" sets the price bound under the products on
  screen (see `Assistant._products`);
- FAQ follow-ups ("and to Canada?", "what about express?", "¿y a México?") after an FAQ answer
  are searched as the last FAQ question plus the new words, with the last intent;
- order follow-ups ("and order 10024?") after an order answer keep the order intent.

A message that names a new category, or is long, is a new request and is left alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from assistant.intents import get_intent
from assistant.session import Session

CHEAPER = re.compile(
    r"\b(?:cheaper|less expensive|lower price|more affordable|too expensive|too pricey)\b"
    r"|\bm[aá]s (?:barat[oa]s?|econ[oó]mic[oa]s?)\b|demasiado car[oa]|便宜|太贵",
    re.IGNORECASE,
)
FOLLOW_UP_START = re.compile(
    r"^\W*(?:and|but|also|ok(?:ay)?|then)?\W*(?:what|how) about\b|^\W*(?:and|also|plus)\b"
    r"|^\W*(?:any|anything|something|ones?|those|these|the same|same)?\s*(?:in|with)\b"
    r"|^\W*(?:do you have|have you got|got)\s+(?:it|them|those|these|one|any)\b"
    r"|^\W*(?:y|e|pero)\b|^\W*(?:en|con)\b|^\W*(?:那|还有|有没有|换成)",
    re.IGNORECASE,
)
PRODUCT_SLOTS = ("category", "min_price", "max_price", "colour", "size")
MAX_FOLLOW_UP_WORDS = 8


@dataclass
class FollowUp:
    """A follow-up resolved against the session: the intent, its query, its filters."""

    intent: str
    query: str
    slots: dict[str, Any] = field(default_factory=dict)
    cheaper: bool = False


def _words(message: str) -> int:
    # Chinese has no spaces: count characters in groups of two as words.
    latin = len(re.findall(r"[^\W\d_]+|\d+", message.encode("ascii", "ignore").decode()))
    cjk = sum("\u4e00" <= ch <= "\u9fff" for ch in message)
    return latin + (cjk + 1) // 2


def _last_route(session: Session) -> str:
    return get_intent(session.intents[-1]).route if session.intents else ""


def resolve(message: str, slots: dict[str, Any], session: Session) -> FollowUp | None:
    """The stand-alone request a short follow-up stands for, or None for a new request."""
    if _words(message) > MAX_FOLLOW_UP_WORDS:
        return None
    route, last = _last_route(session), session.last_search
    starts = bool(FOLLOW_UP_START.search(message))
    if route == "product" and last and not {"order_id", "email"} & slots.keys():
        new_category = slots.get("category") not in (None, last.get("category"))
        cheaper = bool(CHEAPER.search(message))
        refines = any(k in slots for k in ("colour", "size", "min_price", "max_price"))
        if not new_category and (cheaper or refines or starts):
            merged = {k: last[k] for k in PRODUCT_SLOTS if last.get(k) is not None}
            merged |= {k: slots[k] for k in PRODUCT_SLOTS if k in slots}
            words = " ".join(str(merged[k]) for k in ("colour", "size") if k in merged)
            query = " ".join(part for part in (last.get("query", ""), words) if part)
            return FollowUp("product_search", query, merged, cheaper=cheaper)
    if route == "faq" and starts and session.last_query and "order_id" not in slots:
        return FollowUp(session.intents[-1], f"{session.last_query} {message}")
    if route == "order" and "order_id" in slots and starts:
        return FollowUp(session.intents[-1], message)
    return None
