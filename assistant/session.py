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
    slots: dict[str, Any] = field(default_factory=dict)
    pending_intent: str | None = None  # an order tool waiting for the order id or email

    def note_event(self, item_id: str, event: str) -> None:
        """Record a view or an add-to-cart of `item_id` in this session."""
        if event == "view":
            self.viewed.append(item_id)
        elif event == "cart":
            if item_id not in self.carted:
                self.carted.append(item_id)
        else:
            raise ValueError(f"event must be 'view' or 'cart', got {event!r}")

    def add_turn(self, role: str, content: str) -> None:
        self.history.append(Turn(role, content))

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
