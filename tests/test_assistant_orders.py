import json

import pytest

from assistant.orders import OrderBook, OrderFileError, update_address


@pytest.fixture
def book(tiny_shop, tmp_path):
    b = OrderBook(tmp_path / "orders.sqlite")
    assert b.load_jsonl(tiny_shop / "orders.jsonl") == 2
    yield b
    b.close()


def test_lookup_needs_id_and_email(book):
    assert book.lookup("10023", "ana@example.com")["status"] == "shipped"
    assert book.lookup("10023", "ANA@example.com ")["tracking_number"] == "TRK12345678"
    assert book.lookup("10023", "bo@example.org") is None
    assert book.lookup("99999", "ana@example.com") is None


def test_import_is_idempotent_and_keeps_changes(book, tiny_shop):
    cancelled, order = book.cancel("10024", "bo@example.org")
    assert cancelled and order["status"] == "cancelled"
    assert book.load_jsonl(tiny_shop / "orders.jsonl") == 0
    assert book.lookup("10024", "bo@example.org")["status"] == "cancelled"


def test_cannot_cancel_shipped_or_other_customers_order(book):
    assert book.cancel("10023", "ana@example.com")[0] is False
    assert book.cancel("10024", "ana@example.com") == (False, None)


def test_change_address_only_before_shipping(book):
    assert update_address(book, "10024", "bo@example.org", "5 New Road, Leeds") is True
    assert book.lookup("10024", "bo@example.org")["shipping_address"] == "5 New Road, Leeds"
    assert update_address(book, "10023", "ana@example.com", "5 New Road, Leeds") is False
    with pytest.raises(ValueError, match="address"):
        update_address(book, "10024", "bo@example.org", "x")


@pytest.mark.parametrize(
    "line, message",
    [
        ("{not json", "invalid JSON"),
        (json.dumps({"order_id": "1", "email": "a@b.c"}), "missing field 'status'"),
        (
            json.dumps(
                {
                    "order_id": "1",
                    "email": "a@b.c",
                    "status": "lost",
                    "order_date": "x",
                    "items": [],
                    "total": 1,
                }
            ),
            "status",
        ),  # fmt: skip
        (
            json.dumps(
                {
                    "order_id": "1",
                    "email": "a@b.c",
                    "status": "shipped",
                    "order_date": "x",
                    "items": [],
                    "total": "ten",
                }
            ),
            "total",
        ),  # fmt: skip
    ],
)
def test_malformed_rows_name_file_and_line(tmp_path, line, message):
    good = json.dumps({"order_id": "9", "email": "a@b.c", "status": "shipped",
                       "order_date": "2026-01-01", "items": [], "total": 1.0})  # fmt: skip
    path = tmp_path / "orders.jsonl"
    path.write_text(good + "\n" + line + "\n", encoding="utf-8")
    book = OrderBook(tmp_path / "o.sqlite")
    with pytest.raises(OrderFileError, match=rf"orders.jsonl:2: .*{message}"):
        book.load_jsonl(path)
    assert book.count() == 0  # nothing half-written


def test_duplicate_and_empty(tmp_path):
    row = json.dumps({"order_id": "9", "email": "a@b.c", "status": "shipped",
                      "order_date": "2026-01-01", "items": [], "total": 1.0})  # fmt: skip
    path = tmp_path / "orders.jsonl"
    path.write_text(row + "\n" + row + "\n", encoding="utf-8")
    with pytest.raises(OrderFileError, match="orders.jsonl:2: duplicate order_id"):
        OrderBook(tmp_path / "o.sqlite").load_jsonl(path)
    path.write_text("", encoding="utf-8")
    with pytest.raises(OrderFileError, match="no orders"):
        OrderBook(tmp_path / "o2.sqlite").load_jsonl(path)


@pytest.mark.parametrize(
    "field, value", [("email", 12345), ("tracking_number", ["PP1"]), ("total", float("nan"))]
)
def test_wrong_types_are_rejected(tmp_path, field, value):
    row = {"order_id": "9", "email": "a@b.c", "status": "shipped", "order_date": "2026-01-01",
           "items": [], "total": 1.0}  # fmt: skip
    row[field] = value
    path = tmp_path / "orders.jsonl"
    path.write_text(json.dumps(row) + "\n", encoding="utf-8")
    with pytest.raises(OrderFileError, match=rf"orders.jsonl:1: {field}"):
        OrderBook(tmp_path / "o.sqlite").load_jsonl(path)


def test_bad_utf8_names_its_line(tmp_path):
    good = json.dumps({"order_id": "9", "email": "a@b.c", "status": "shipped",
                       "order_date": "2026-01-01", "items": [], "total": 1.0})  # fmt: skip
    path = tmp_path / "orders.jsonl"
    path.write_bytes(good.encode() + b"\n" + b'{"order_id": "\xff"}\n')
    with pytest.raises(OrderFileError, match=r"orders.jsonl:2: not UTF-8"):
        OrderBook(tmp_path / "o.sqlite").load_jsonl(path)
