"""Rule-based follow-up resolution, without a model."""

from assistant.followup import resolve
from assistant.session import Session


def product_session() -> Session:
    session = Session(intents=["product_search"])
    session.last_search = {"query": "running shoes", "category": "running-shoes", "max_price": 80}
    return session


def test_colour_refines_the_last_search():
    follow = resolve("what about in blue?", {"colour": "blue"}, product_session())
    assert follow.intent == "product_search" and follow.query == "running shoes blue"
    assert follow.slots == {"category": "running-shoes", "max_price": 80, "colour": "blue"}


def test_cheaper_is_flagged():
    assert resolve("cheaper ones", {}, product_session()).cheaper
    assert resolve("más baratos", {}, product_session()).cheaper


def test_new_requests_are_left_alone():
    session = product_session()
    assert resolve("what about order 10024?", {"order_id": "10024"}, session) is None
    assert resolve("and hiking boots?", {"category": "hiking-boots"}, session) is None
    assert resolve("thanks a lot", {}, session) is None
    long = "and could you please tell me everything about how returns work in this shop"
    assert resolve(long, {}, session) is None


def test_faq_follow_up_joins_the_last_question():
    session = Session(intents=["shipping_info"], last_query="How long does shipping take?")
    follow = resolve("and to Canada?", {}, session)
    assert follow.intent == "shipping_info"
    assert follow.query == "How long does shipping take? and to Canada?"
    assert resolve("and order 10023?", {"order_id": "10023"}, session) is None
