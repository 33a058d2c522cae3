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


# Conversations that look like what is served: they calibrate the int8 decoder's smoothing
# (`assistant.decoding.LlamaDecoder.smooth`), which only needs typical activation ranges.
_CALIBRATION_FACTS = (
    "[shipping-times.en] Q: How long does shipping take?\nA: Standard shipping takes 3-5 "
    "business days and express shipping 1-2 business days. Orders placed before 1 pm ship the "
    "same day.\n[return-policy.en] Q: What is your return policy?\nA: Items can be returned "
    "within 30 days of delivery, unworn and with their tags, under Account > Orders."
)
CALIBRATION_DIALOGUES: tuple[list[dict], ...] = (
    [
        *intent_messages(
            [{"role": "user", "content": "Hi!"}, {"role": "assistant", "content": "Hello!"}],
            "Where is my order 10023? It should have arrived last week.",
        ),
        {"role": "assistant", "content": "order_status"},
    ],
    [
        *reply_messages(
            [], "How long does shipping to Canada take, and can I return shoes?", _CALIBRATION_FACTS
        ),
        {
            "role": "assistant",
            "content": "Standard shipping takes 3-5 business days and express 1-2. You can "
            "return unworn shoes within 30 days of delivery under Account > Orders.",
        },
    ],
    [
        *reply_messages(
            [],
            "¿Cuánto cuesta el envío? 我想退货。",
            "Product: Kinetra Trail Runner 3 (running shoes): 79.99 USD, in stock; sizes 38-46.",
            language="es",
        ),
        {"role": "assistant", "content": "Las Kinetra Trail Runner 3 cuestan 79.99 USD."},
    ],
)
