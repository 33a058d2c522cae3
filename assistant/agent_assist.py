"""Agent assist: suggested replies for a person who has taken over a chat, and their choices.

`assist(assistant, conversation)` reads a conversation (a live `Session` or a list of
{"role", "content"} messages) and returns what an agent needs at a glance: the shopper's
intent, a short summary, order facts, recommended products and the `n` best distinct
suggested replies, each with its sources. Suggestions come from the same grounded parts the
assistant answers with: FAQ entries in the conversation's language, order templates filled
from SQLite, and (when the LM writes that language) a generated reply that passed the fact
check. What the agent does with them (accept, edit, reject) is appended to
`<data_dir>/logs/preferences.jsonl` as preference data for fine-tuning
(`finetune.data.load_preferences` reads it back).
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.guardrails import (
    off_context_share,
    redact,
    redact_value,
    repetitive,
    unsupported_facts,
)
from assistant.intents import get_intent
from assistant.language import detect_language
from assistant.prompts import faq_context, reply_messages
from assistant.replies import order_status_text, template
from assistant.session import Session
from assistant.slots import extract_slots
from retrieval.keyword import reciprocal_rank_fusion

ACTIONS = ("accept", "edit", "reject")
ROLES = ("user", "assistant", "system")
ORDER_FACTS = (
    "order_id",
    "status",
    "order_date",
    "shipped_date",
    "delivered_date",
    "tracking_number",
    "carrier",
)
SUMMARY_CHARS = 80
_write_lock = threading.Lock()  # one writer at a time: lines from two agents never interleave


@dataclass
class Suggestion:
    """One reply an agent may send, with what it rests on."""

    text: str
    kind: str  # "faq", "template", "generated" or "products"
    sources: list[str] = field(default_factory=list)  # FAQ ids
    intent: str = "out_of_scope"
    confidence: float = 0.0
    products: list[Any] = field(default_factory=list)  # ProductCard
    order: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class AssistView:
    """Everything the agent tab shows for one conversation."""

    session_id: str
    language: str
    intent: str
    confidence: float
    summary: str
    suggestions: list[Suggestion]
    products: list[Any]
    order: dict[str, Any] | None
    messages: list[dict[str, str]]  # the whole conversation
    prompt: list[dict[str, str]]  # the conversation up to the message the suggestions answer

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# ----------------------------------------------------------------- conversations
def as_messages(conversation: Session | Sequence[dict]) -> list[dict[str, str]]:
    """The conversation as {"role", "content"} messages; raises ValueError on bad input."""
    if isinstance(conversation, Session):
        return [t.as_message() for t in conversation.history]
    if not isinstance(conversation, Sequence) or isinstance(conversation, str | bytes):
        raise ValueError("conversation: expected a Session or a list of messages")
    messages = []
    for i, m in enumerate(conversation):
        if not isinstance(m, dict) or m.get("role") not in ROLES:
            raise ValueError(f"message {i}: expected an object with role user or assistant")
        if not isinstance(m.get("content"), str):
            raise ValueError(f"message {i}: content must be text")
        messages.append({"role": m["role"], "content": m["content"]})
    return messages


def _as_session(
    conversation: Session | Sequence[dict], messages: list[dict], categories
) -> Session:
    """A session to reason about, never the live one: suggesting must not change the chat."""
    if isinstance(conversation, Session):
        copy = Session(
            session_id=conversation.session_id,
            language=conversation.language,
            viewed=list(conversation.viewed),
            carted=list(conversation.carted),
            handed_off=conversation.handed_off,
            slots=dict(conversation.slots),
        )
        return copy
    session = Session(session_id="conversation")
    for m in messages:
        if m["role"] == "user":
            for key, value in extract_slots(m["content"], categories).items():
                if key in ("order_id", "email"):
                    session.slots[key] = value
    return session


def summarize(messages: list[dict], session: Session, intent: str, order: dict | None) -> str:
    """A few plain lines an agent can read in two seconds (no model: nothing is invented)."""
    users = [m["content"] for m in messages if m["role"] == "user"]
    lines = [
        f"{len(users)} shopper message(s), language {session.language}; "
        f"latest request: {intent} ({get_intent(intent).description})."
    ]
    if users:
        lines.append(f"First message: {_clip(users[0])}")
        if len(users) > 1:
            lines.append(f"Latest message: {_clip(users[-1])}")
    if order:
        lines.append(f"Order {order['order_id']}: {order['status']}.")
    elif session.slots.get("order_id"):
        lines.append(f"Order {session.slots['order_id']} mentioned, not verified.")
    if session.viewed or session.carted:
        lines.append(f"Viewed {len(session.viewed)} product(s); {len(session.carted)} in cart.")
    if session.handed_off:
        lines.append("Handed over to a person.")
    return "\n".join(lines)


def _clip(text: str) -> str:
    """Shortened, with emails, card and phone numbers redacted (summaries are shown and saved)."""
    text = " ".join(redact(text).split())
    return text if len(text) <= SUMMARY_CHARS else text[: SUMMARY_CHARS - 1] + "…"


# ----------------------------------------------------------------- suggestions
def assist(assistant: Any, conversation: Session | Sequence[dict], n: int = 3) -> AssistView:
    """Intent, summary, order facts, products and the `n` best distinct suggestions."""
    if not isinstance(n, int) or n < 1:
        raise ValueError(f"n must be a positive integer, got {n!r}")
    messages = as_messages(conversation)
    last = next(
        (i for i in range(len(messages) - 1, -1, -1) if messages[i]["role"] == "user"), None
    )
    if last is None:
        raise ValueError("conversation: no shopper message to reply to")
    message, history = messages[last]["content"], messages[:last]
    session = _as_session(conversation, messages, getattr(assistant, "categories", ()))
    session.language = detect_language(message, fallback=session.language)
    lang = session.language
    result = assistant.intents.detect(history, message)
    intent, confidence = result.intent, float(result.confidence)
    routed = _routed_intent(conversation, messages)
    if routed and routed != intent:
        # The assistant routed the live turn knowing what the detector alone does not (an
        # order request waiting for its email, say): its intent is the one to show.
        intent, confidence = routed, float(result.probabilities.get(routed, 0.0))
    order = _order(assistant, session)
    products = _products(assistant, session, message, intent)
    faq = _faq_candidates(assistant, message, lang, intent)

    candidates: list[Suggestion] = []
    base = dict(intent=intent, confidence=confidence, order=order)
    order_text = _order_text(session, order, lang, intent)
    if order_text:
        candidates.append(Suggestion(order_text, "template", **base))
    if faq:
        generated = _generated(assistant, history, message, lang, faq[0][0])
        if generated:
            candidates.append(Suggestion(generated, "generated", [faq[0][0].faq_id], **base))
    if get_intent(intent).route == "product" and products:
        candidates.append(
            Suggestion(_products_text(products), "products", products=products, **base)
        )
    for entry, _ in faq:
        candidates.append(Suggestion(entry.answer, "faq", [entry.faq_id], **base))
    if not candidates:
        candidates.append(Suggestion(template("clarify", lang), "template", **base))
    suggestions = _distinct(candidates, n)
    return AssistView(
        session_id=getattr(conversation, "session_id", ""),
        language=lang,
        intent=intent,
        confidence=confidence,
        summary=summarize(messages, session, intent, order),
        suggestions=suggestions,
        products=products,
        order=order,
        messages=messages,
        prompt=messages[: last + 1],
    )


def suggest_replies(
    assistant: Any, conversation: Session | Sequence[dict], n: int = 3
) -> list[Suggestion]:
    """The `n` best distinct suggested replies to the conversation's last shopper message."""
    return assist(assistant, conversation, n).suggestions


def _routed_intent(conversation: Any, messages: list[dict]) -> str | None:
    """The intent the assistant gave the last user turn of a live session, when it kept one."""
    routed = list(getattr(conversation, "intents", None) or [])
    users = sum(1 for m in messages if m["role"] == "user")
    return routed[-1] if routed and len(routed) == users else None


def _distinct(candidates: list[Suggestion], n: int) -> list[Suggestion]:
    seen, out = set(), []
    for s in candidates:
        key = re.sub(r"\W+", " ", s.text.lower()).strip()
        if key and key not in seen:
            seen.add(key)
            out.append(s)
    return out[:n]


def _faq_candidates(assistant: Any, message: str, lang: str, intent: str) -> list[tuple]:
    """FAQ entries for the message, best first, one per topic: (entry, score in [0, 1]).

    Dense and keyword rankings are fused as the assistant does; entries of the intent's FAQ
    category come first. The conversation's language is used when the shop has entries in
    it, else English.
    """
    from assistant.assistant import INTENT_FAQ_CATEGORY

    by_language = getattr(assistant, "faq_by_language", {})
    if not by_language.get(lang):
        lang = "en"
    allowed = by_language.get(lang, set())
    keyword = assistant.faq_keywords.search(message, top_k=8, allowed=allowed) if allowed else []
    store = getattr(assistant, "store", None)
    dense = store.search_faq(message, top_k=8, language=lang) if store is not None else []
    # Looser bars than the assistant's own answer (an agent reads them before sending), but
    # an entry must match: a dense similarity near `faq_threshold` or half the keyword share.
    config = assistant.config
    scores = {
        h.doc_id: h.coverage for h in keyword if h.coverage >= config.faq_keyword_coverage / 2
    }
    for h in dense:
        if h.score >= config.faq_threshold - 0.1:
            scores[h.entry.faq_id] = max(scores.get(h.entry.faq_id, 0.0), h.score)
    ranked = reciprocal_rank_fusion([[h.entry.faq_id for h in dense], [h.doc_id for h in keyword]])
    category = INTENT_FAQ_CATEGORY.get(intent)
    ranked.sort(key=lambda i: getattr(assistant.faq.get(i), "category", None) != category)
    out, topics = [], set()
    for faq_id in ranked:
        entry = assistant.faq.get(faq_id)
        topic = getattr(entry, "topic", faq_id)
        if entry is None or topic in topics or scores.get(faq_id, 0.0) <= 0:
            continue
        topics.add(topic)
        out.append((entry, round(scores[faq_id], 3)))
    return out


def _order(assistant: Any, session: Session) -> dict[str, Any] | None:
    """Order facts when the conversation gave an order id and the email that matches it."""
    orders = getattr(assistant, "orders", None)
    order_id, email = session.slots.get("order_id"), session.slots.get("email")
    if orders is None or not order_id or not email:
        return None
    order = orders.lookup(order_id, email)
    return {k: order[k] for k in ORDER_FACTS} if order else None


def _order_text(session: Session, order: dict | None, lang: str, intent: str) -> str:
    if order is not None:
        return order_status_text(order, lang)
    if get_intent(intent).route != "order":
        return ""
    order_id, email = session.slots.get("order_id"), session.slots.get("email")
    if order_id and email:
        return template("order_not_found", lang)
    if order_id:
        return template("ask_email", lang, order_id=order_id)
    if email:
        return template("ask_order_id", lang)
    return template("ask_order_and_email", lang)


def _products(assistant: Any, session: Session, message: str, intent: str) -> list:
    """Products for a product question (search), else this session's recommendations."""
    k = getattr(assistant.config, "products_shown", 6)
    store = getattr(assistant, "store", None)
    if get_intent(intent).route == "product" and store is not None:
        slots = extract_slots(message, getattr(assistant, "categories", ()))
        hits = store.search_products(
            message,
            top_k=k,
            category=slots.get("category"),
            min_price=slots.get("min_price"),
            max_price=slots.get("max_price"),
        )
        cards = [
            assistant._card(h.product.item_id, "matches the question")
            for h in hits
            if assistant.product(h.product.item_id) is not None
        ]
        if cards:
            return cards
    return list(assistant.recommend(session, k))


def _products_text(products: list) -> str:
    names = "; ".join(f"{p.title} ({p.price:.2f} {p.currency})" for p in products[:3])
    return f"These might suit you: {names}."


def _generated(assistant: Any, history: list, message: str, lang: str, entry: Any) -> str:
    """A reply written by the LM from the best FAQ entry, or "" when it fails the checks."""
    config = assistant.config
    lm = getattr(assistant, "lm", None)
    if lm is None or lang not in config.generate_languages or config.reply_mode != "generate":
        return ""
    context = faq_context([entry])
    prompt = reply_messages(history, message, context, lang, config.history_turns)
    text = "".join(lm.stream(prompt, config.max_new_tokens)).strip()
    if (
        len(text) < 2
        or unsupported_facts(text, context)
        or repetitive(text)
        or off_context_share(text, context) > config.max_off_context
    ):
        return ""
    return text


# ----------------------------------------------------------------- agent choices
def preferences_path(config: Any) -> Path:
    """Where agent choices go: `<data_dir>/logs/preferences.jsonl`."""
    return Path(config.data_dir) / "logs" / "preferences.jsonl"


def preference_record(
    session_id: str,
    prompt: list[dict],
    suggestions: Sequence[str],
    action: str,
    index: int | None = None,
    text: str | None = None,
) -> dict[str, Any]:
    """The preference line for an agent's choice among `suggestions`.

    accept: suggestion `index` is chosen, the others are rejected. edit: the agent's `text`
    (an edit of suggestion `index`, or their own words) is chosen over every suggestion.
    reject: none of the suggestions is good; `text` is what the agent wrote instead, if
    anything (an empty chosen reply is kept as a signal, not used as a target).
    """
    if action not in ACTIONS:
        raise ValueError(f"action must be one of {ACTIONS}, got {action!r}")
    suggestions = [str(s) for s in suggestions]
    if not suggestions:
        raise ValueError("no suggestions to choose from")
    if action == "accept":
        if not isinstance(index, int) or not 0 <= index < len(suggestions):
            raise ValueError(f"index must be 0..{len(suggestions) - 1}, got {index!r}")
        chosen = suggestions[index]
    else:
        chosen = (text or "").strip()
        if action == "edit" and not chosen:
            raise ValueError("an edit needs the edited text")
    rejected = [s for s in suggestions if s != chosen]
    # The file is kept and trained on: personal data an agent typed or a suggestion quoted
    # (emails, cards, phones, addresses) is redacted like the turn log.
    return {
        "time": datetime.now(UTC).isoformat(timespec="seconds"),
        "session_id": session_id,
        "prompt": redact_value(as_messages(prompt)),
        "chosen": redact(chosen),
        "rejected": [redact(s) for s in rejected],
        "action": action,
    }


def record_choice(path: Path, record: dict[str, Any]) -> None:
    """Append one preference line (the folder is created when needed)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps(record, ensure_ascii=False) + "\n"
    with _write_lock, path.open("a", encoding="utf-8") as fh:
        fh.write(line)
