"""Shop tools over SQLite: arguments checked, id AND email required, shop rules kept."""

import json
from datetime import date

import pytest

from assistant.orders import OrderBook, ShopTools, policy_return_days
from retrieval.records import FaqEntry

ROW = {"email": "cy@example.com", "order_date": "2026-10-01", "items": [], "total": 10.0,
       "currency": "USD", "shipping_address": "3 Low St", "tracking_number": None,
       "carrier": None, "shipped_date": None, "delivered_date": None}  # fmt: skip
ORDERS = [
    ROW | {"order_id": "20001", "status": "delivered", "shipped_date": "2026-10-02",
           "delivered_date": "2026-10-05"},
    ROW | {"order_id": "20002", "status": "processing"},
    ROW | {"order_id": "20003", "status": "shipped", "shipped_date": "2026-10-02"},
    ROW | {"order_id": "20004", "status": "cancelled"},
]  # fmt: skip


def write(path, orders):
    path.write_text("".join(json.dumps(o) + "\n" for o in orders), encoding="utf-8")
    return path


@pytest.fixture
def book(tmp_path):
    b = OrderBook(tmp_path / "orders.sqlite")
    b.load_jsonl(write(tmp_path / "orders.jsonl", ORDERS))
    yield b
    b.close()


def tools_on(book, today="2026-10-20", days=30):
    return ShopTools(book, days, today=lambda: date.fromisoformat(today))


@pytest.mark.parametrize(
    "order_id, email", [(None, "cy@example.com"), ("20001", None), ("20001", "not-an-email"),
                        ("20 001; DROP", "cy@example.com")],
)  # fmt: skip
def test_every_tool_refuses_without_both_arguments(book, order_id, email):
    tools = tools_on(book)
    for call in (tools.order_status, tools.return_eligibility, tools.cancel_order):
        with pytest.raises(ValueError, match="missing or malformed"):
            call(order_id, email)
    with pytest.raises(ValueError, match="missing or malformed"):
        tools.change_address(order_id, email, "9 New Road, Leeds")


def test_wrong_email_finds_nothing_and_changes_nothing(book):
    tools = tools_on(book)
    for call in (tools.order_status, tools.return_eligibility, tools.cancel_order):
        result = call("20002", "eve@example.com")
        assert (result.ok, result.result, result.order) == (False, "not_found", None)
    # A 4th miss in a row is refused before any lookup (see the failed-lookup limit below).
    refused = tools.change_address("20002", "eve@example.com", "9 New Road")
    assert refused.result == "too_many_attempts"
    assert book.lookup("20002", "cy@example.com")["status"] == "processing"
    assert book.lookup("20002", "cy@example.com")["shipping_address"] == "3 Low St"


def test_shipped_order_cannot_be_cancelled_or_moved(book):
    tools = tools_on(book)
    assert tools.cancel_order("20003", "cy@example.com").result == "too_late"
    assert tools.change_address("20003", "cy@example.com", "9 New Road").result == "too_late"
    assert book.lookup("20003", "cy@example.com")["status"] == "shipped"


def test_cancel_and_change_address_before_shipping(book):
    tools = tools_on(book)
    moved = tools.change_address("20002", "cy@example.com", "9 New Road, Leeds")
    assert moved.ok and moved.to_dict()["args"] == {
        "order_id": "20002", "email": "<email>", "address": "<address>"}  # fmt: skip
    cancelled = tools.cancel_order("20002", "cy@example.com")
    assert cancelled.ok and cancelled.order["status"] == "cancelled"
    assert tools.cancel_order("20002", "cy@example.com").result == "too_late"


@pytest.mark.parametrize(
    "order_id, today, result",
    [("20001", "2026-10-20", "eligible"), ("20001", "2026-11-04", "eligible"),
     ("20001", "2026-11-05", "expired"), ("20002", "2026-11-06", "not_shipped"),
     ("20003", "2026-11-06", "not_delivered"), ("20004", "2026-11-06", "closed")],
)  # fmt: skip
def test_return_window_counts_from_delivery(book, order_id, today, result):
    call = tools_on(book, today=today).return_eligibility(order_id, "cy@example.com")
    assert call.result == result
    if order_id == "20001":
        assert call.facts["deadline"] == "2026-11-04" or result == "expired"


def test_return_window_comes_from_the_policy_faq():
    entries = [
        FaqEntry("how-to-return.en", "How to return?", "Drop it off within 14 days.",
                 "en", "returns", "how-to-return"),
        FaqEntry("return-policy.en", "Return?", "You can return items within 45 days of "
                 "delivery.", "en", "returns", "return-policy"),
        FaqEntry("return-policy.es", "¿Devolver?", "En 10 días.", "es", "returns",
                 "return-policy"),
    ]  # fmt: skip
    assert policy_return_days(entries) == 45
    assert policy_return_days(entries[:1]) == 14
    assert policy_return_days([]) is None


def test_without_a_policy_the_tool_does_not_guess(book):
    call = tools_on(book, days=None).return_eligibility("20001", "cy@example.com")
    assert (call.ok, call.result) == (False, "no_policy")


def test_reimport_updates_statuses_but_keeps_untouched_tool_changes(book, tmp_path):
    tools = tools_on(book)
    assert tools.cancel_order("20002", "cy@example.com").ok
    changed = [dict(o) for o in ORDERS]
    changed[2] |= {"status": "delivered", "delivered_date": "2026-10-06"}  # 20003 delivered
    changed.append(ROW | {"order_id": "20005", "status": "processing"})
    assert book.load_jsonl(write(tmp_path / "orders.jsonl", changed)) == 2
    assert book.lookup("20003", "cy@example.com")["status"] == "delivered"
    assert book.lookup("20005", "cy@example.com")["status"] == "processing"
    assert book.lookup("20002", "cy@example.com")["status"] == "cancelled"  # file row unchanged


def test_old_database_without_source_hash_is_migrated(tmp_path):
    import sqlite3

    db = tmp_path / "old.sqlite"
    conn = sqlite3.connect(db)
    conn.execute(
        "CREATE TABLE orders (order_id TEXT PRIMARY KEY, email TEXT NOT NULL, "
        "status TEXT NOT NULL, order_date TEXT NOT NULL, shipped_date TEXT, "
        "delivered_date TEXT, tracking_number TEXT, carrier TEXT, shipping_address "
        "TEXT, items TEXT NOT NULL, total REAL NOT NULL, currency TEXT NOT NULL)"
    )
    conn.execute("INSERT INTO orders VALUES ('20003','cy@example.com','processing','2026-10-01',"
                 "NULL,NULL,NULL,NULL,NULL,'[]',10.0,'USD')")  # fmt: skip
    conn.commit()
    conn.close()
    book = OrderBook(db)
    book.load_jsonl(write(tmp_path / "orders.jsonl", ORDERS))
    assert book.lookup("20003", "cy@example.com")["status"] == "shipped"
    book.close()


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_failed_lookups_are_limited_per_email_and_order_across_sessions(book):
    """Guessing order ids for one email (or emails for one order) stops after 3 misses,
    whichever session asks; the window then lets the owner in again."""
    from assistant.limits import FailureLimiter
    from assistant.orders import TOO_MANY_ATTEMPTS

    clock = _Clock()
    tools = ShopTools(book, 30, limiter=FailureLimiter(3, 900, clock=clock))
    # Three wrong order ids for cy@ (as if from three fresh sessions)...
    for guess in ("19998", "19999", "20005"):
        assert tools.order_status(guess, "cy@example.com").result == "not_found"
    # ...and even the right pair is refused now, by every tool, without a lookup.
    for call in (tools.order_status("20001", "CY@example.com"),
                 tools.return_eligibility("20001", "cy@example.com"),
                 tools.cancel_order("20002", "cy@example.com")):  # fmt: skip
        assert call.result == TOO_MANY_ATTEMPTS and not call.ok and call.order is None
    assert book.lookup("20002", "cy@example.com")["status"] == "processing"
    # Per order id too: three emails tried against 20003 lock that order for a fourth one.
    for email in ("a@example.com", "b@example.com", "c@example.com"):
        assert tools.order_status("20003", email).result == "not_found"
    assert tools.order_status(" 20003", "d@example.com").result == TOO_MANY_ATTEMPTS
    assert tools.order_status("20004", "d@example.com").result == "not_found"  # others open
    clock.now += 901
    assert tools.order_status("20001", "cy@example.com").result == "delivered"


def test_failure_limiter_window_and_bounds():
    from assistant.limits import FailureLimiter

    clock = _Clock()
    limiter = FailureLimiter(2, 60, max_keys=2, clock=clock)
    limiter.fail("a")
    clock.now += 30
    limiter.fail("a")
    assert limiter.blocked("a") and limiter.blocked("x", "a") and not limiter.blocked("x")
    clock.now += 31  # the first failure aged out
    assert not limiter.blocked("a")
    limiter.fail("a")
    limiter.fail("b", "c")  # only the 2 most recently failed keys are kept
    assert not limiter.blocked("a") and len(limiter._failures) == 2
    with pytest.raises(ValueError):
        FailureLimiter(0, 60)
