"""The intents the assistant knows, with the short descriptions the LM scores against.

The list is the contract between the demo shop's labelled dialogues, intent detection,
routing and fine-tuning: every labelled user turn carries one of these names.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Intent:
    name: str
    description: str
    # How the router answers it: "faq" (retrieve an FAQ entry), "order" (a SQLite tool),
    # "product" (search / recommender), "handoff", "smalltalk" or "out_of_scope".
    route: str


INTENTS: tuple[Intent, ...] = (
    Intent("order_status", "where an order is, its status or tracking", "order"),
    Intent("shipping_info", "shipping times, costs, carriers and countries", "faq"),
    Intent("return_request", "how to return an item or start a return", "faq"),
    Intent("refund_status", "when or how a refund arrives", "faq"),
    Intent("cancel_order", "cancel an order that was placed", "order"),
    Intent("change_address", "change the delivery address of an order", "order"),
    Intent("payment_problem", "payment methods, declined cards, double charges", "faq"),
    Intent("product_search", "find products matching a description, price or category", "product"),
    Intent("product_recommendation", "suggest products, gift ideas, what goes with", "product"),
    Intent("product_question", "details of one product: material, stock, features", "product"),
    Intent("size_help", "which size to choose, size charts, fit", "faq"),
    Intent("discount_question", "discount codes, sales, promotions, coupons", "faq"),
    Intent("account_help", "log in, password, account settings, newsletter", "faq"),
    Intent("warranty_info", "warranty, broken or faulty products, repairs", "faq"),
    Intent("privacy_info", "personal data, privacy, deleting data", "faq"),
    Intent("contact_info", "opening hours, phone, email, store address", "faq"),
    Intent("complaint", "unhappy, angry, something went wrong, bad service", "handoff"),
    Intent("human_agent", "wants to talk to a person or human agent", "handoff"),
    Intent("greeting", "hello, hi, good morning", "smalltalk"),
    Intent("thanks", "thank you, thanks", "smalltalk"),
    Intent("goodbye", "bye, see you, that is all", "smalltalk"),
    Intent("out_of_scope", "anything unrelated to the shop", "out_of_scope"),
)

INTENT_NAMES: tuple[str, ...] = tuple(i.name for i in INTENTS)
BY_NAME: dict[str, Intent] = {i.name: i for i in INTENTS}


def get_intent(name: str) -> Intent:
    """Return the intent called `name`; raise KeyError naming the known ones otherwise."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise KeyError(
            f"unknown intent {name!r}; expected one of {', '.join(INTENT_NAMES)}"
        ) from None
