from assistant.guardrails import redact, unsupported_facts


def test_numbers_from_context_pass():
    context = "Standard shipping takes 3-5 business days and is free over 50 USD."
    assert unsupported_facts("Shipping takes 3-5 days, free over 50.", context) == []


def test_invented_number_is_caught():
    context = "Standard shipping takes 3-5 business days."
    assert unsupported_facts("It costs 12.99 and takes 3 days.", context) == ["12.99"]


def test_invented_tracking_number_is_caught():
    assert unsupported_facts("Tracking: DHL ZX99887766", "status shipped") == [
        "99887766",
        "ZX99887766",
    ]


def test_redact_personal_data():
    text = "I am ana@example.com, card 4111 1111 1111 1111, phone +1 (555) 123-4567."
    out = redact(text)
    assert "ana@example.com" not in out and "4111" not in out and "555" not in out
    assert "<email>" in out and "<card>" in out and "<phone>" in out


def test_explicit_requests_for_a_person():
    from assistant.guardrails import wants_human

    for text in ["I want to speak to a person", "can I talk to a human?", "live agent please",
                 "Quiero hablar con una persona", "转人工"]:  # fmt: skip
        assert wants_human(text), text
    for text in ["is this person-sized tent big enough", "human hair brush", "talk me through it"]:
        assert not wants_human(text), text


def test_repetitive_text():
    from assistant.guardrails import repetitive

    assert repetitive("the product can be the product of the way " * 4)
    assert not repetitive("Standard shipping takes 3-5 business days after your order ships.")


def test_off_context_share():
    from assistant.guardrails import off_context_share

    context = "Standard shipping within the US takes 3-5 business days after your order ships."
    assert off_context_share("Standard shipping takes 3-5 business days.", context) == 0.0
    drift = "Arrival depends on weather conditions, road delays and GPS enabled vehicles."
    assert off_context_share(drift, context) > 0.8
