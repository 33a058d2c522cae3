"""The shop assistant: one turn in, one reply out."""

from assistant.assistant import Assistant, ProductCard, Reply
from assistant.config import AssistantConfig, ConfigError
from assistant.session import Session, Turn

__all__ = ["Assistant", "AssistantConfig", "ConfigError", "ProductCard", "Reply", "Session", "Turn"]
