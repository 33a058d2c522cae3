from assistant.slots import extract_slots

CATS = ["running-shoes", "hiking-boots", "t-shirts", "accessories"]


def test_price_and_category():
    slots = extract_slots("show me running shoes under 80", CATS)
    assert slots["category"] == "running-shoes"
    assert slots["max_price"] == 80.0
    assert "min_price" not in slots


def test_range_and_dollars():
    slots = extract_slots("t-shirts between $20 and $45.50 please", CATS)
    assert (slots["min_price"], slots["max_price"]) == (20.0, 45.5)
    assert slots["category"] == "t-shirts"


def test_order_id_and_email():
    slots = extract_slots("Where is order #10023? my email is Ana@Example.com", CATS)
    assert slots["order_id"] == "10023"
    assert slots["email"] == "ana@example.com"


def test_digits_inside_email_are_not_an_order():
    assert "order_id" not in extract_slots("contact me at user12345@example.com", CATS)


def test_spanish_price_and_colour_and_size():
    slots = extract_slots("zapatillas menos de 60 dólares, size 42 in blue", CATS)
    assert slots["category"] == "running-shoes"
    assert slots["max_price"] == 60.0
    assert slots["colour"] == "blue"
    assert slots["size"] == "42"


def test_nothing_found():
    assert extract_slots("hello there", CATS) == {}
