"""Malformed data files, for every reader: a clear error naming the file, the line and the field;
nothing half-written (the orders database and the vector store keep their old contents).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from assistant.assistant import load_intent_examples
from assistant.orders import OrderBook, _read_orders
from assistant.session_store import load_session, save_session
from finetune.data import (
    load_dialogues,
    load_preferences,
    read_bitext,
    read_clinc150,
    read_text_label,
)
from recommender.data import load_interactions, load_yoochoose
from retrieval.records import load_catalogue, load_faq

LATIN1 = "café".encode("latin-1")  # b"caf\xe9": not UTF-8
BOM = b"\xef\xbb\xbf"
DEEP = b"[" * 50_000  # nesting deeper than Python's recursion limit
HUGE_INT = b"1" + b"0" * 5_000  # beyond int()'s default digit limit

FAQ = '{"faq_id": "a.en", "question": "Q?", "answer": "A."}\n'
PRODUCT = ('{"item_id": "P1", "title": "T", "description": "D", "category": "c", "brand": "B", '
           '"price": 9.5, "stock": 2}\n')  # fmt: skip
PRODUCT_CSV = "item_id,title,description,category,brand,price,stock\n"
ORDER = {"order_id": "10023", "email": "ana@example.com", "status": "shipped",
         "order_date": "2026-11-02", "items": [{"item_id": "P1", "quantity": 1}],
         "total": 59.0}  # fmt: skip
EVENTS = "session_id,user_id,item_id,event,timestamp\n"
EVENT = "s1,,P1,view,2026-10-01T10:00:00Z\n"
DIALOGUE = ('{"dialogue_id": "d1", "language": "en", "turns": [{"role": "user", '
            '"content": "hi", "intent": "greeting"}]}\n')  # fmt: skip
PREFERENCE = ('{"time": "t", "session_id": "s", "chosen": "ok", "rejected": [], '
              '"action": "accept", "prompt": [{"role": "user", "content": "hi"}]}\n')  # fmt: skip


def order(**changes) -> str:
    return json.dumps(ORDER | changes) + "\n"


def intent_examples(path: Path):
    return load_intent_examples(path)


# (case id, reader, file name, bytes, line named in the error, words the error must hold)
CASES: list[tuple[str, Callable, str, bytes, int | None, str]] = [
    # FAQ, JSONL and CSV (retrieval/records.py)
    ("faq-empty", load_faq, "faq.jsonl", b"", 1, "no records"),
    ("faq-blank-lines", load_faq, "faq.jsonl", b"\n  \n", 1, "no records"),
    ("faq-missing-field", load_faq, "faq.jsonl", FAQ.encode() + b'{"faq_id": "b", "answer": "x"}',
     2, "'question'"),
    ("faq-wrong-type", load_faq, "faq.jsonl", b'{"faq_id": "b", "question": 5, "answer": "x"}', 1,
     "'question' must be a string"),
    ("faq-latin1", load_faq, "faq.jsonl", FAQ.encode() * 2 + b'{"faq_id": "' + LATIN1 + b'"}', 3,
     "UTF-8"),
    ("faq-duplicate-id", load_faq, "faq.jsonl", (FAQ * 2).encode(), 2, "duplicate faq_id 'a.en'"),
    ("faq-not-object", load_faq, "faq.jsonl", FAQ.encode() + b"[1, 2]", 2, "JSON object"),
    ("faq-deep-json", load_faq, "faq.jsonl", FAQ.encode() + DEEP, 2, "invalid JSON"),
    ("faq-csv-missing-column", load_faq, "faq.csv", b"faq_id,answer\na,b\n", 1, "'question'"),
    ("faq-csv-latin1", load_faq, "faq.csv", b"faq_id,question,answer\na,q,a\nb," + LATIN1 + b",a",
     3, "UTF-8"),
    ("faq-csv-duplicate-id", load_faq, "faq.csv", b"faq_id,question,answer\na,q,a\na,q,b\n", 3,
     "duplicate faq_id"),
    ("faq-csv-empty", load_faq, "faq.csv", b"", 1, "no records"),
    ("faq-csv-header-only", load_faq, "faq.csv", BOM + b"faq_id,question,answer\n", 1,
     "no records"),
    # catalogue (retrieval/records.py)
    ("catalogue-price-text", load_catalogue, "catalogue.jsonl",
     PRODUCT.replace("9.5", '"9.5"').encode(), 1, "'price' must be a number"),
    ("catalogue-price-nan", load_catalogue, "catalogue.jsonl",
     PRODUCT.replace("9.5", "NaN").encode(), 1, "'price' must be a finite number"),
    ("catalogue-huge-number", load_catalogue, "catalogue.jsonl", PRODUCT.encode() +
     PRODUCT.replace("P1", "P2").replace("9.5", HUGE_INT.decode()).encode(), 2, "invalid JSON"),
    ("catalogue-stock-negative", load_catalogue, "catalogue.jsonl",
     PRODUCT.replace('"stock": 2', '"stock": -1').encode(), 1, "'stock'"),
    ("catalogue-duplicate-id", load_catalogue, "catalogue.jsonl", (PRODUCT * 2).encode(), 2,
     "duplicate item_id 'P1'"),
    ("catalogue-csv-price", load_catalogue, "catalogue.csv",
     (PRODUCT_CSV + "P1,T,D,c,B,nine,1\n").encode(), 2, "'price' must be a number"),
    ("catalogue-csv-missing-column", load_catalogue, "catalogue.csv",
     b"item_id,title,price\nP1,T,3\n", 1, "'description'"),
    ("catalogue-csv-latin1", load_catalogue, "catalogue.csv",
     PRODUCT_CSV.encode() + b"P1," + LATIN1 + b",D,c,B,1,1\n", 2, "UTF-8"),
    ("catalogue-csv-too-many-cells", load_catalogue, "catalogue.csv",
     (PRODUCT_CSV + "P1,T,D,c,B,1,1,extra\n").encode(), 2, "cells"),
    # orders (assistant/orders.py)
    ("orders-empty", _read_orders, "orders.jsonl", b"", 1, "no orders"),
    ("orders-missing-field", _read_orders, "orders.jsonl",
     order().encode() + order(order_id="2", email=None).encode(), 2, "'email'"),
    ("orders-total-text", _read_orders, "orders.jsonl", order(total="59").encode(), 1, "total"),
    ("orders-total-infinite", _read_orders, "orders.jsonl",
     order().replace("59.0", "Infinity").encode(), 1, "total"),
    ("orders-bad-status", _read_orders, "orders.jsonl", order(status="lost").encode(), 1,
     "status"),
    ("orders-items-not-list", _read_orders, "orders.jsonl", order(items="P1").encode(), 1,
     "items"),
    ("orders-latin1", _read_orders, "orders.jsonl", order().encode() + b'{"order_id": "' + LATIN1,
     2, "UTF-8"),
    ("orders-duplicate-id", _read_orders, "orders.jsonl", (order() * 2).encode(), 2,
     "duplicate order_id '10023'"),
    ("orders-deep-json", _read_orders, "orders.jsonl", DEEP, 1, "invalid JSON"),
    ("orders-huge-number", _read_orders, "orders.jsonl",
     order().replace("59.0", HUGE_INT.decode()).encode(), 1, "invalid JSON"),
    # interactions and YooChoose clicks (recommender/data.py)
    ("interactions-empty", load_interactions, "interactions.csv", b"", 1, "empty"),
    ("interactions-header-only", load_interactions, "interactions.csv", EVENTS.encode(), 2,
     "no interaction rows"),
    ("interactions-missing-column", load_interactions, "interactions.csv",
     b"session_id,item_id,event,timestamp\ns,i,view,2026-10-01T10:00:00Z\n", 1, "user_id"),
    ("interactions-bad-event", load_interactions, "interactions.csv",
     (EVENTS + EVENT + EVENT.replace("view", "buy")).encode(), 3, "event"),
    ("interactions-bad-time", load_interactions, "interactions.csv",
     (EVENTS + EVENT.replace("2026-10-01T10:00:00Z", "yesterday")).encode(), 2, "timestamp"),
    ("interactions-latin1", load_interactions, "interactions.csv",
     (EVENTS + EVENT).encode() + b"s2,," + LATIN1 + b",view,2026-10-01T10:00:00Z\n", 3, "UTF-8"),
    ("yoochoose-empty", load_yoochoose, "clicks.dat", b"", 1, "empty"),
    ("yoochoose-missing-column", load_yoochoose, "clicks.dat", b"SessionId\tTime\n1\t2.0\n", 1,
     "ItemId"),
    ("yoochoose-bad-time", load_yoochoose, "clicks.dat",
     b"SessionId\tItemId\tTime\n1\t2\t3.0\n1\t2\tsoon\n", 3, "Time"),
    ("yoochoose-latin1", load_yoochoose, "clicks.dat", b"SessionId\tItemId\tTime\n1\t" + LATIN1 +
     b"\t3.0\n", 2, "UTF-8"),
    # training data (finetune/data.py) and the intent examples (assistant/assistant.py)
    ("dialogues-wrong-type", load_dialogues, "train.jsonl",
     DIALOGUE.encode() + DIALOGUE.replace('"hi"', "5").encode(), 2, "content"),
    ("dialogues-latin1", load_dialogues, "train.jsonl", DIALOGUE.encode() + LATIN1, 2, "UTF-8"),
    ("dialogues-deep-json", load_dialogues, "train.jsonl", DIALOGUE.encode() + DEEP, 2,
     "invalid JSON"),
    ("dialogues-unknown-intent", load_dialogues, "train.jsonl",
     DIALOGUE.replace("greeting", "hack").encode(), 1, "intent"),
    ("preferences-bad-action", load_preferences, "preferences.jsonl",
     PREFERENCE.encode() + PREFERENCE.replace("accept", "maybe").encode(), 2, "action"),
    ("preferences-deep-json", load_preferences, "preferences.jsonl", DEEP, 1, "invalid JSON"),
    ("bitext-empty", read_bitext, "bitext.csv", b"", 1, "empty"),
    ("bitext-missing-column", read_bitext, "bitext.csv", b"instruction,intent\nhi,x\n", 1,
     "'response'"),
    ("bitext-latin1", read_bitext, "bitext.csv",
     b"instruction,intent,response\nhi,a,b\n" + LATIN1 + b",a,b\n", 3, "UTF-8"),
    ("bitext-header-only", read_bitext, "bitext.csv", b"instruction,intent,response\n", 2,
     "no rows"),
    ("bitext-empty-cell", read_bitext, "bitext.csv", b"instruction,intent,response\nhi,,b\n", 2,
     "'intent'"),
    ("text-label-three-columns", read_text_label, "banking.csv", b"text,label,x\nhi,a,b\n", 1,
     "two columns"),
    ("text-label-latin1", read_text_label, "banking.csv", b"text,label\nhi,a\n" + LATIN1 + b",a\n",
     3, "UTF-8"),
    ("text-label-header-only", read_text_label, "banking.csv", b"text,label\n", 2, "no rows"),
    ("clinc-empty", read_clinc150, "clinc.json", b"", 1, "invalid JSON"),
    ("clinc-wrong-item", read_clinc150, "clinc.json", b'{"train": [["hi", "a"],\n ["hi", 5]]}', 2,
     "train[1]"),
    ("clinc-latin1", read_clinc150, "clinc.json", b'{"train": [\n["' + LATIN1 + b'", "a"]]}', 2,
     "UTF-8"),
    ("clinc-deep-json", read_clinc150, "clinc.json", DEEP, 1, "invalid JSON"),
    ("intent-examples-latin1", intent_examples, "train.jsonl", DIALOGUE.encode() + LATIN1, 2,
     "UTF-8"),
    ("intent-examples-deep-json", intent_examples, "train.jsonl", DEEP, 1, "invalid JSON"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("reader", "name", "data", "line", "words"),
    [pytest.param(*case[1:], id=case[0]) for case in CASES],
)
def test_bad_file_names_file_line_and_field(tmp_path, reader, name, data, line, words):
    path = tmp_path / name
    path.write_bytes(data)
    with pytest.raises(ValueError) as caught:
        reader(path)
    message = str(caught.value)
    where = f"{path}:{line}: " if line is not None else f"{path}: "
    assert message.startswith(where), message[:300]
    assert words in message, message[:300]
    assert len(message) < 1_000  # the error names the problem, it does not dump the file


GOOD_FILES = [
    ("faq-bom", load_faq, "faq.jsonl", BOM + FAQ.encode(), 1),
    ("faq-csv-bom-crlf", load_faq, "faq.csv", BOM + b"faq_id,question,answer\r\na,q,a\r\n", 1),
    ("catalogue-bom", load_catalogue, "catalogue.jsonl", BOM + PRODUCT.encode(), 1),
    ("orders-bom", _read_orders, "orders.jsonl", BOM + order().encode(), 1),
    ("interactions-bom", load_interactions, "interactions.csv", BOM + (EVENTS + EVENT).encode(), 1),
    ("yoochoose-bom-crlf", load_yoochoose, "clicks.dat",
     BOM + b"SessionId\tItemId\tTime\r\n1\t2\t3.0\r\n", 1),
    ("dialogues-bom", load_dialogues, "train.jsonl", BOM + DIALOGUE.encode(), 1),
    ("preferences-bom", load_preferences, "preferences.jsonl", BOM + PREFERENCE.encode(), 1),
    ("bitext-bom", read_bitext, "bitext.csv", BOM + b"instruction,intent,response\nhi,a,b\n", 1),
    ("text-label-bom", read_text_label, "banking.csv", BOM + b"text,label\nhi,a\n", 1),
    ("clinc-bom", read_clinc150, "clinc.json", BOM + b'{"train": [["hi", "a"]]}', 1),
]  # fmt: skip


@pytest.mark.parametrize(
    ("reader", "name", "data", "count"), [pytest.param(*c[1:], id=c[0]) for c in GOOD_FILES]
)
def test_byte_order_mark_and_crlf_are_accepted(tmp_path, reader, name, data, count):
    path = tmp_path / name
    path.write_bytes(data)
    assert len(reader(path)) == count


# ----------------------------------------------------------------- session files
SESSION = {"session_id": "s1", "history": [{"role": "user", "content": "hi"}]}


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "Expecting value"),
        (LATIN1, "UTF-8"),
        (DEEP, "invalid JSON"),
        (b"[1]", "session object"),
        (json.dumps(SESSION | {"session_id": "s2"}).encode(), "session_id"),
        (json.dumps(SESSION | {"history": "hi"}).encode(), "history"),
        (json.dumps(SESSION | {"history": ["hi"]}).encode(), "history"),
        (json.dumps(SESSION | {"viewed": 5}).encode(), "viewed"),
        (json.dumps(SESSION | {"carted": [1, 2]}).encode(), "carted"),
        (json.dumps(SESSION | {"language": 5}).encode(), "language"),
        (json.dumps(SESSION | {"handed_off": "yes"}).encode(), "handed_off"),
        (json.dumps(SESSION | {"low_confidence_count": "2"}).encode(), "low_confidence_count"),
        (json.dumps(SESSION | {"colour": "blue"}).encode(), "colour"),
    ],
    ids=[
        "empty",
        "latin1",
        "deep",
        "list",
        "other-id",
        "history-text",
        "history-items",
        "viewed",
        "carted",
        "language",
        "handed-off",
        "counter",
        "unknown-field",
    ],  # fmt: skip
)
def test_bad_session_file_is_named_and_left_alone(tmp_path, data, words):
    path = tmp_path / "s1.json"
    path.write_bytes(data)
    with pytest.raises(ValueError) as caught:
        load_session(tmp_path, "s1")
    message = str(caught.value)
    assert message.startswith(f"{path}: not a readable session file"), message[:300]
    assert words in message, message[:300]
    assert path.read_bytes() == data  # the shopper's file is kept for a person to look at


def test_session_with_bom_loads_and_saves_back(tmp_path):
    (tmp_path / "s1.json").write_bytes(BOM + json.dumps(SESSION).encode())
    session = load_session(tmp_path, "s1")
    assert [t.content for t in session.history] == ["hi"]
    save_session(tmp_path, session)
    assert load_session(tmp_path, "s1").history == session.history


# ----------------------------------------------------------------- nothing half-written
def test_failed_order_import_leaves_the_database_as_it_was(tmp_path):
    good = tmp_path / "orders.jsonl"
    good.write_text(order() + order(order_id="10024", status="processing"), encoding="utf-8")
    book = OrderBook(tmp_path / "orders.sqlite")
    assert book.load_jsonl(good) == 2
    assert book.cancel("10024", "ana@example.com")[0]
    before = book._conn.execute("SELECT * FROM orders ORDER BY order_id").fetchall()
    bad = tmp_path / "orders2.jsonl"
    # Two new good orders first, then a bad line: none of the three may land.
    bad.write_text(order(order_id="20001") + order(order_id="20002") + order(total="x"),
                   encoding="utf-8")  # fmt: skip
    with pytest.raises(ValueError, match=re.escape(f"{bad}:3: total")):
        book.load_jsonl(bad)
    after = book._conn.execute("SELECT * FROM orders ORDER BY order_id").fetchall()
    assert [tuple(r) for r in after] == [tuple(r) for r in before]
    assert book.load_jsonl(good) == 0  # the good file is still the one imported
    book.close()


@pytest.fixture(scope="module")
def embedder():
    from retrieval.embeddings import Embedder

    return Embedder()


def test_failed_ingest_leaves_the_vector_store_as_it_was(tmp_path, embedder):
    from retrieval.ingest import ingest_file
    from retrieval.records import DataFileError
    from retrieval.store import VectorStore

    good = tmp_path / "faq.jsonl"
    rows = [{"faq_id": f"q{i}.en", "question": f"Question {i} about shipping?",
             "answer": f"Answer {i}."} for i in range(6)]  # fmt: skip
    good.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    bad = tmp_path / "faq2.jsonl"
    changed = [r | {"answer": "Changed."} for r in rows]
    bad.write_text("".join(json.dumps(r) + "\n" for r in changed) + '{"faq_id": "z"}\n',
                   encoding="utf-8")  # fmt: skip
    with VectorStore(tmp_path / "chroma", embedder) as store:
        ingest_file(store, "faq", good)
        before = [(h.entry.faq_id, h.entry.answer) for h in store.search_faq("shipping", 6)]
        with pytest.raises(DataFileError, match=re.escape(f"{bad}:7: missing required field")):
            ingest_file(store, "faq", bad)
        assert store.faq_count() == 6
        after = [(h.entry.faq_id, h.entry.answer) for h in store.search_faq("shipping", 6)]
        assert after == before
        assert store.source_state("faq").complete


def test_session_without_history_names_the_field(tmp_path):
    path = tmp_path / "s1.json"
    path.write_text(json.dumps({"session_id": "s1"}), encoding="utf-8")
    with pytest.raises(ValueError) as caught:
        load_session(tmp_path, "s1")
    assert str(caught.value) == (f"{path}: not a readable session file (missing field 'history')")


@pytest.mark.parametrize("session_id", [".hidden", "-rf", "_x", "a.b", "..", "a/b", "", "x" * 65])
def test_unsafe_session_ids_are_refused(tmp_path, session_id):
    from assistant.session import Session

    with pytest.raises(ValueError, match="session id"):
        load_session(tmp_path, session_id)
    with pytest.raises(ValueError, match="session id"):
        save_session(tmp_path, Session(session_id=session_id))
    assert list(tmp_path.iterdir()) == []


def test_cli_refuses_a_bad_session_id_before_loading_the_model(tmp_path, monkeypatch, capsys):
    from assistant.assistant import Assistant
    from assistant.cli import main

    def never(*args, **kwargs):
        raise AssertionError("the model was loaded for a bad session id")

    monkeypatch.setattr(Assistant, "from_config", never)
    assert main(["chat", "hi", "--session=-rf", "--data-dir", str(tmp_path)]) == 2
    assert "session id" in capsys.readouterr().err
