"""The prompts the LM sees, shared by serving and fine-tuning so both see the same text.

Two tasks:
- intent: system prompt listing the intents + the conversation; the answer is an intent name.
- reply: system prompt with the shop's facts (FAQ text, products, order facts) + the
  conversation; the answer is the reply.
"""

from __future__ import annotations

from collections.abc import Sequence

from assistant.intents import INTENTS

INTENT_SYSTEM = (
    "You are the intent classifier of an online shop's assistant. Read the conversation and "
    "answer with the one intent name that fits the shopper's last message.\nIntents:\n"
    + "\n".join(f"- {i.name}: {i.description}" for i in INTENTS)
)

REPLY_SYSTEM = (
    "You are the friendly customer-service assistant of an online shop. Answer the shopper's "
    "last message in one to three short sentences, in {language_name}, using only the facts "
    "below. Never invent prices, dates, order details or policies. If the facts do not answer "
    "the question, say you don't know and offer to get a person.\n\nFacts:\n{context}"
)

LANGUAGE_NAMES = {"en": "English", "es": "Spanish", "zh": "Chinese"}


def intent_messages(history: Sequence[dict], message: str, turns: int = 4) -> list[dict]:
    """Chat messages asking for the intent of `message` after `history` ({"role","content"})."""
    recent = [dict(role=m["role"], content=m["content"]) for m in list(history)[-turns:]]
    return [
        {"role": "system", "content": INTENT_SYSTEM},
        *recent,
        {"role": "user", "content": message},
    ]


def reply_messages(
    history: Sequence[dict], message: str, context: str, language: str = "en", turns: int = 4
) -> list[dict]:
    """Chat messages asking for a reply grounded in `context`."""
    system = REPLY_SYSTEM.format(
        language_name=LANGUAGE_NAMES.get(language, "English"), context=context.strip() or "(none)"
    )
    recent = [dict(role=m["role"], content=m["content"]) for m in list(history)[-turns:]]
    return [{"role": "system", "content": system}, *recent, {"role": "user", "content": message}]


def faq_context(entries: Sequence[object]) -> str:
    """Context text for FAQ entries (objects with faq_id, question, answer)."""
    return "\n".join(f"[{e.faq_id}] Q: {e.question}\nA: {e.answer}" for e in entries)
