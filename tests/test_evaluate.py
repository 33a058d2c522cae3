"""Batch evaluation end to end on the tiny shop, with the tiny random LM and the real MiniLM."""

import json

import pytest

from assistant import AssistantConfig
from assistant import evaluate as ev
from assistant.cli import main
from assistant.turn_log import read_dialogues, read_records
from tests.conftest import FAQ

SHIPPING_ANSWER = next(a for faq_id, *_, a in FAQ if faq_id == "shipping-times.en")


def _dialogue(dialogue_id, *pairs):
    turns = []
    for user, intent, reference, faq_ids, item_ids in pairs:
        turns.append({"role": "user", "content": user, "intent": intent, "slots": {}})
        turns.append({"role": "assistant", "content": reference, "faq_ids": faq_ids,
                      "item_ids": item_ids})  # fmt: skip
    return {"dialogue_id": dialogue_id, "language": "en", "turns": turns}


DIALOGUES = [
    _dialogue("d1", ("How long does shipping take?", "shipping_info", SHIPPING_ANSWER,
                     ["shipping-times.en"], [])),
    _dialogue("d2", ("what is the capital of France", "out_of_scope", "I can only help with "
                     "the shop.", [], [])),
    _dialogue("d3", ("show me running shoes under 80", "product_search", "1. Stride Runner 2",
                     [], ["P001", "P002", "P004"])),
    _dialogue("d4", ("hello", "greeting", "Hello! How can I help?", [], []),
              ("thanks a lot", "thanks", "You're welcome!", [], [])),
]  # fmt: skip


@pytest.fixture(scope="module")
def config(tiny_shop, tmp_path_factory):
    return AssistantConfig(shop_dir=tiny_shop, data_dir=tmp_path_factory.mktemp("data"),
                           adapter_dir=None, intent_lm_weight=0.05, max_new_tokens=8)  # fmt: skip


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    path = tmp_path_factory.mktemp("eval") / "test.jsonl"
    path.write_text("".join(json.dumps(d) + "\n" for d in DIALOGUES), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def evaluation(config, dataset, tiny_lm):
    dialogues = ev.load_dialogues(dataset)
    return ev.evaluate(config, dialogues, name="tiny", n_resamples=50, lm=tiny_lm)


def test_metrics_agree_with_the_turns(evaluation):
    turns, m = evaluation.turns, evaluation.metrics
    assert [(t.dialogue_id, t.turn) for t in turns] == [("d1", 1), ("d2", 1), ("d3", 1),
                                                        ("d4", 1), ("d4", 2)]  # fmt: skip
    correct = sum(t.gold_intent == t.pred_intent for t in turns)
    assert m["intent_accuracy"] == pytest.approx(correct / 5)
    assert m["faq_hit_rate"] == float("shipping-times.en" in turns[0].pred_faq_ids)
    assert m["oos_recall"] == float(turns[1].pred_intent == "out_of_scope")
    assert all(t.similarity is not None and 0 <= t.rouge_l <= 1 for t in turns)
    assert turns[0].relevant == [] and turns[2].relevant == ["P001", "P002", "P004"]
    found = bool({"P001", "P002", "P004"} & set(turns[2].item_ids[:5]))
    assert m["rec_hit_rate@5"] == float(found)
    assert "ips_clicks_per_list" not in m  # labelled data has no clicks
    assert 0 <= m["grounded_rate"] <= 1 and m["error_rate"] == 0
    assert set(evaluation.meta["latency"]) >= {"intent", "total"}
    assert evaluation.intervals["intent_accuracy"] is not None


def test_workers_replay_in_parallel_and_keep_the_order(config, dataset, tiny_lm, evaluation):
    assistant = ev.build_assistant(config, lm=tiny_lm)
    turns = ev.replay(assistant, ev.load_dialogues(dataset), workers=3)
    assert [(t.dialogue_id, t.pred_intent) for t in turns] == [
        (t.dialogue_id, t.pred_intent) for t in evaluation.turns
    ]


def test_report_files_and_html_references_the_charts(evaluation, tmp_path):
    from assistant.report import write_report

    paths = write_report(tmp_path / "report", evaluation)
    folder = tmp_path / "report"
    assert paths[0] == folder / "report.md"
    page = (folder / "report.html").read_text(encoding="utf-8")
    for chart in ("confusion.png", "metrics.png", "latency.png"):
        assert (folder / chart).stat().st_size > 1000
        assert f'src="{chart}"' in page
    summary = (folder / "report.md").read_text(encoding="utf-8")
    assert "intent_macro_f1" in summary and "confusion matrix" in summary.lower()
    saved = json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
    assert saved["metrics"]["intent_accuracy"] == evaluation.metrics["intent_accuracy"]
    assert len((folder / "turns.jsonl").read_text().splitlines()) == 5


def test_assistant_logs_turns_clicks_and_feedback_and_the_log_replays(config, tiny_lm, tmp_path):
    from assistant.assistant import Assistant

    log_path = tmp_path / "turns.jsonl"
    logged = Assistant.from_config(
        AssistantConfig(**{**config.__dict__, "log_path": str(log_path)}), lm=tiny_lm
    )
    session = logged.new_session()
    reply = logged.respond(session, "show me running shoes, I am ana@example.com")
    assert reply.products, "the tiny shop has running shoes"
    clicked = reply.products[1].item_id
    logged.record_event(session, clicked, "view")
    logged.record_feedback(session, 1, "up")
    with pytest.raises(ValueError, match="between 1 and 1"):
        logged.record_feedback(session, 2, "up")
    logged.respond(session, "thanks a lot")
    logged.turn_log.close()
    records = read_records(log_path)
    assert [r["event"] for r in records] == ["turn", "click", "feedback", "turn"]
    assert records[0]["item_ids"] == [c.item_id for c in reply.products]
    assert "ana@example.com" not in log_path.read_text(encoding="utf-8")
    assert records[1] == records[1] | {"item_id": clicked, "kind": "view", "shown": True,
                                       "position": 2}  # fmt: skip
    dialogue = read_dialogues(log_path)[0]
    assert dialogue["turns"][1]["feedback"] == "up"
    # Replaying the log: the click is the relevant item, and IPS has one list to score.
    result = ev.evaluate(config, ev.load_dialogues(log_path), n_resamples=20, lm=tiny_lm)
    first = result.turns[0]
    assert first.relevant == [clicked] and first.logged_item_ids == records[0]["item_ids"]
    assert result.metrics["logged_clicks_per_list"] == pytest.approx(1.0)
    assert result.metrics["ips_clicks_per_list"] >= 0
    assert len(read_records(log_path)) == 4  # the replay itself is not logged


@pytest.mark.slow  # starts two assistants
def test_compare_from_the_command_line(config, dataset, tiny_lm, tmp_path, monkeypatch):
    import assistant.models

    monkeypatch.setattr(assistant.models, "load_language_model", lambda *a, **k: tiny_lm)
    base = tmp_path / "base.yaml"
    base.write_text(f"shop_dir: {config.shop_dir}\ndata_dir: {config.data_dir}\n"
                    "adapter_dir: none\nintent_lm_weight: 0.05\nmax_new_tokens: 8\n")  # fmt: skip
    strict = tmp_path / "strict.yaml"
    strict.write_text("intent_threshold: 0.99\nfaq_threshold: 0.99\n")  # always unsure
    out = tmp_path / "cmp"
    code = main(["evaluate", str(dataset), "--config", str(base), "--report", str(out),
                 "--compare", str(base), str(strict), "--bootstrap", "50"])  # fmt: skip
    assert code == 0
    result = json.loads((out / "compare.json").read_text(encoding="utf-8"))
    clarify = result["diffs"]["clarify_rate"]
    assert clarify["diff"] == pytest.approx(clarify["b"] - clarify["a"]) and clarify["diff"] > 0
    low, high = clarify["ci"]
    assert low <= clarify["diff"] <= high
    assert 'src="compare.png"' in (out / "report.html").read_text(encoding="utf-8")
    assert (out / "a" / "report.html").exists() and (out / "b" / "report.md").exists()


def test_bad_input_names_file_and_line(dataset, tmp_path, capsys):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(dataset.read_text(encoding="utf-8") + "{not json\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"bad.jsonl:5: invalid JSON"):
        ev.load_dialogues(bad)
    assert main(["evaluate", str(bad), "--report", str(tmp_path / "r")]) == 2
    assert "bad.jsonl:5" in capsys.readouterr().err
    assert main(["evaluate", str(dataset), "--limit", "0"]) == 2
    latin = tmp_path / "latin.jsonl"
    latin.write_bytes('{"dialogue_id": "caf\xe9", "turns": []}\n'.encode("latin-1"))
    with pytest.raises(ValueError, match="latin.jsonl:1: not UTF-8"):
        ev.load_dialogues(latin)


def _user(content="hello", **extra):
    return {"role": "user", "content": content, **extra}


@pytest.mark.parametrize(
    ("dialogue", "words"),
    [
        ({"turns": [_user(intent="not_an_intent")]}, "field 'turns[0].intent': unknown intent"),
        ({"turns": [_user(content=5)]}, "field 'turns[0].content': expected text"),
        (
            {"turns": [_user(), {"role": "assistant", "content": "x", "faq_ids": "a.en"}]},
            "field 'turns[1].faq_ids': expected a list of strings",
        ),
        ({"turns": [{"role": "assistant", "content": "hi"}]}, "has no user turn"),
        ({"turns": []}, "has no user turn"),
        ({"turns": [_user(), {"role": "bot", "content": "x"}]}, "field 'turns[1].role'"),
        (
            {"turns": [_user(), {"role": "assistant", "content": "x", "clicks": [3]}]},
            "field 'turns[1].clicks'",
        ),
        ({"turns": "hello"}, "field 'turns': expected a list"),
        ([1, 2], "expected a JSON object"),
    ],
)
def test_bad_dialogue_is_rejected_before_replay(dataset, tmp_path, capsys, dialogue, words):
    bad = tmp_path / "bad.jsonl"
    bad.write_text(dataset.read_text(encoding="utf-8") + json.dumps(dialogue) + "\n", "utf-8")
    with pytest.raises(ValueError) as info:
        ev.load_dialogues(bad)
    assert str(info.value).startswith(f"{bad}:5: ") and words in str(info.value)
    report = tmp_path / "r"
    assert main(["evaluate", str(bad), "--report", str(report)]) == 2
    assert f"{bad}:5: " in capsys.readouterr().err and not report.exists()


def test_non_utf8_line_is_named(dataset, tmp_path):
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(dataset.read_bytes() + b'{"turns": [{"role": "user", "content": "\xe9"}]}\n')
    with pytest.raises(ValueError, match=r"bad.jsonl:5: not UTF-8"):
        ev.load_dialogues(bad)


def test_every_turn_failing_exits_non_zero(config, dataset, tiny_lm, tmp_path, monkeypatch, capsys):
    import argparse

    def broken(assistant, dialogue):
        raise RuntimeError("replay broke")

    monkeypatch.setattr(ev, "replay_dialogue", broken)
    args = argparse.Namespace(dataset=str(dataset), report=str(tmp_path / "r"), compare=None,
                              limit=None, workers=1, k=5, bootstrap=20, seed=0)  # fmt: skip
    assert ev.run(config, args, lm=tiny_lm) == 1
    assert "every turn of test.jsonl failed during replay" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("record", "words"),
    [
        ({"user": 5, "text": "hi"}, "field 'user': expected text"),
        ({"user": "hi", "faq_ids": "a.en"}, "field 'faq_ids': expected a list of strings"),
        ({"user": "hi", "intent": ["greeting"]}, "field 'intent': expected a string"),
        ({"user": "hi", "time": None}, "field 'time'"),
    ],
)
def test_bad_turn_log_record_names_file_and_line(tmp_path, capsys, record, words):
    good = {"event": "turn", "session_id": "s", "turn": 1, "time": "2026-01-01T00:00:00Z",
            "user": "hello", "text": "Hi!", "intent": "greeting"}  # fmt: skip
    log = tmp_path / "turns.jsonl"
    log.write_text(json.dumps(good) + "\n" + json.dumps(good | record) + "\n", "utf-8")
    with pytest.raises(ValueError) as info:
        ev.load_dialogues(log)
    assert str(info.value).startswith(f"{log}:2: ") and words in str(info.value)
    assert main(["evaluate", str(log), "--report", str(tmp_path / "r")]) == 2
    assert f"{log}:2: " in capsys.readouterr().err


def test_limit_spreads_over_the_file():
    from assistant.evaluate import spread

    items = list(range(10))
    assert spread(items, 3) == [0, 3, 6]
    assert spread(items, None) == items and spread(items, 20) == items
