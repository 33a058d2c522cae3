"""What the assistant remembers about one shopper's conversation."""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Turn:
    """One message, in the same {"role", "content"} shape Gradio's chat uses."""

    role: str  # "user" or "assistant"
    content: str

    def as_message(self) -> dict[str, str]:
        return {"role": self.role, "content": self.content}


@dataclass
class Session:
    """History, language, slots and the shopper's product activity in this chat."""

    session_id: str = field(default_factory=lambda: uuid.uuid4().hex)
    history: list[Turn] = field(default_factory=list)
    language: str = "en"
    viewed: list[str] = field(default_factory=list)  # item_ids, oldest first
    carted: list[str] = field(default_factory=list)
    shown: list[str] = field(default_factory=list)  # item_ids on screen, in order
    handed_off: bool = False
    low_confidence_count: int = 0
    failed_lookups: int = 0  # order lookups whose id and email did not match
    # order_id, email (kept in memory only: never saved), max_price/min_price (the budget),
    # category, size, colour
    slots: dict[str, Any] = field(default_factory=dict)
    pending_intent: str | None = None  # an order tool waiting for the order id or email
    intents: list[str] = field(default_factory=list)  # intent of each user turn, in order
    failures: list[str] = field(default_factory=list)  # what went wrong, e.g. "faq_not_found"
    failed_turns: int = 0  # turns in a row that could not be answered
    handoff_reason: str = ""  # "request", "upset", "complaint", "repeated_failure", ...
    # The last product search, so "cheaper ones" and "in blue" refine it: {"query": text,
    # "category", "min_price", "max_price", "colour", "size"}.
    last_search: dict[str, Any] = field(default_factory=dict)
    last_query: str = ""  # the last stand-alone FAQ query, for follow-ups ("and to Canada?")

    def note_event(self, item_id: str, event: str) -> None:
        """Record a view, an add-to-cart or a purchase of `item_id` in this session.

        A purchase counts as a cart for recommendations (the item is the shopper's now).
        """
        if event == "view":
            self.viewed.append(item_id)
        elif event in ("cart", "purchase"):
            if item_id not in self.carted:
                self.carted.append(item_id)
        else:
            raise ValueError(f"event must be 'view', 'cart' or 'purchase', got {event!r}")

    def add_turn(self, role: str, content: str) -> None:
        self.history.append(Turn(role, content))

    def hand_off(self, reason: str) -> None:
        """A person takes over: the bot stops answering until `release_handoff`."""
        self.handed_off = True
        self.handoff_reason = reason
        self.pending_intent = None

    def release_handoff(self) -> None:
        """The agent hands the chat back to the bot, with the failure counters cleared."""
        self.handed_off = False
        self.handoff_reason = ""
        self.low_confidence_count = 0
        self.failed_lookups = 0
        self.failed_turns = 0
        self.pending_intent = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def handoff_summary(session: Session, last_turns: int = 6) -> dict[str, Any]:
    """What an agent needs to take over, with personal data redacted.

    Holds the reason, the intents of the shopper's turns, the order id, what failed, the
    last messages and a one-paragraph `text` that reads the same facts out.
    """
    from assistant.guardrails import redact

    messages = [
        {"role": t.role, "content": redact(t.content)} for t in session.history[-last_turns:]
    ]
    order_id = session.slots.get("order_id")
    known = {k: v for k, v in session.slots.items() if k != "email"}
    summary = {
        "session_id": session.session_id,
        "reason": session.handoff_reason or "unknown",
        "language": session.language,
        "intents": list(session.intents),
        "order_id": order_id,
        "email_given": "email" in session.slots,
        "slots": known,
        "failures": list(session.failures),
        "last_messages": messages,
    }
    last_user = next((m["content"] for m in reversed(messages) if m["role"] == "user"), "")
    summary["text"] = (
        (f"Handed over ({summary['reason']})" if session.handed_off else "Not handed over")
        + f"; language {session.language}. "
        f"Intents: {', '.join(session.intents) or 'none'}. "
        f"Order: {order_id or 'none given'}. "
        f"Failed: {', '.join(session.failures) or 'nothing'}. "
        f"Last message: {last_user!r}."
    )
    return summary
