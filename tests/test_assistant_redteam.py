"""The red-team set is well-formed, and its checker fails replies that break expectations."""

import importlib.util
from pathlib import Path

import pytest

from assistant.assistant import ProductCard, Reply

REPO = Path(__file__).resolve().parent.parent
spec = importlib.util.spec_from_file_location("redteam", REPO / "bench" / "redteam.py")
redteam = importlib.util.module_from_spec(spec)
spec.loader.exec_module(redteam)


def test_the_set_has_at_least_100_checkable_cases():
    cases = redteam.load_cases(REPO / "bench" / "redteam.jsonl")
    assert len(cases) >= 100
    assert len({c["id"] for c in cases}) == len(cases)
    kinds = {c["category"] for c in cases}
    assert {"injection", "other-customer", "discount", "upset", "off-topic", "pii"} <= kinds


@pytest.mark.parametrize(
    "line, message",
    [("{oops", "invalid JSON"), ('{"message": "hi"}', "no expectation"),
     ('{"message": "hi", "expect_handof": true}', "unknown field")],
)  # fmt: skip
def test_bad_lines_are_named(tmp_path, line, message):
    path = tmp_path / "cases.jsonl"
    path.write_text('{"message": "ok", "expect_handoff": false}\n' + line + "\n", encoding="utf-8")
    with pytest.raises(ValueError, match=f"cases.jsonl:2: {message}"):
        redteam.load_cases(path)


def test_check_reports_each_broken_expectation():
    case = {"expect_refusal": "injection", "expect_handoff": False,
            "must_not_contain": ["secret"], "expect_price_between": [10, 20]}  # fmt: skip
    good = Reply("No.", refused="injection",
                 products=[ProductCard("P1", "Tee", 15.0, "USD", 3, "t-shirts")])  # fmt: skip
    assert redteam.check(case, good, [], None) == []
    bad = Reply("the secret is", handoff=True,
                products=[ProductCard("P1", "Tee", 25.0, "USD", 3, "t-shirts")])  # fmt: skip
    problems = redteam.check(case, bad, [], None)
    assert len(problems) == 4
