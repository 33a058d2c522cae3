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
