import pytest

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


def test_fullwidth_digits_are_normalised():
    assert extract_slots("订单号１００２３", CATS)["order_id"] == "10023"


@pytest.mark.parametrize(
    "message",
    ["my zip code is 10023", "ship to 7762 Aspen Place, Denver, CO 80250",
     "postcode: 94107", "código postal 28013", "邮编 10023", "deliver to 80250-1234"],
)  # fmt: skip
def test_postal_codes_are_not_order_ids(message):
    assert "order_id" not in extract_slots(message, CATS)


def test_order_id_next_to_a_zip_code():
    assert extract_slots("order 10023, zip code 94107", CATS)["order_id"] == "10023"
    assert extract_slots("MY ORDER IS 10023", CATS)["order_id"] == "10023"


@pytest.mark.parametrize(
    "message", ["running shoes between 80 and 40", "zapatillas entre 80 y 40 dólares",
                "跑鞋 80到40美元", "shoes under 40 over 80"],
)  # fmt: skip
def test_reversed_price_range_is_swapped(message):
    slots = extract_slots(message, CATS)
    assert (slots["min_price"], slots["max_price"]) == (40.0, 80.0)


def test_budget_and_colour_words_in_three_languages():
    assert extract_slots("my budget is $120", CATS)["max_price"] == 120.0
    assert extract_slots("presupuesto de 50, en azul", CATS) == {
        "max_price": 50.0,
        "colour": "blue",
    }
    assert extract_slots("预算100 黑色", CATS) == {"max_price": 100.0, "colour": "black"}


def test_colour_and_size_filters():
    from assistant.slots import fits_size, has_colour

    assert has_colour({"colour": "navy/coral"}, "Tee", "navy")
    assert not has_colour({"colour": "black"}, "Tee", "blue")
    assert fits_size({"size": "EU 36-46"}, "42") and not fits_size({"size": "EU 36-42"}, "EU 44")
    assert fits_size({"size": "S-XXL"}, "M") and not fits_size({"size": "S-XL"}, "XXL")
    assert fits_size({}, "42") and fits_size({"size": "one size"}, "L")


def test_numbers_that_are_not_plain_amounts_are_not_prices():
    assert "max_price" not in extract_slots("shoes under 1e308")
    assert "max_price" not in extract_slots("shoes under 1E5 dollars")
    assert "max_price" not in extract_slots("shoes under 1,000,000")
    assert extract_slots("shoes under 79.99 usd")["max_price"] == 79.99
