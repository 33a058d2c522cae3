"""Online Retail and generic-CSV readers, splits and the next-click evaluation."""

import os
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest

from recommender.data import Event, InteractionFileError, load_csv, load_online_retail
from recommender.evaluate import evaluate_next_click, next_click_queries
from recommender.splits import leave_last_out, time_split

RETAIL_HEADER = (
    "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n"
)
SHARED = Path(
    os.environ.get("SHOP_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)


def write(tmp_path, text, name="data.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_online_retail_reads_invoices_as_baskets(tmp_path):
    path = write(
        tmp_path,
        RETAIL_HEADER
        + "536365,85123A,WHITE HEART,6,2010-12-01 08:26:00,2.55,17850.0,United Kingdom\n"
        + "536365,71053,METAL LANTERN,6,2010-12-01 08:26:00,3.39,17850.0,United Kingdom\n"
        + "C536379,D,Discount,-1,2010-12-01 09:41:00,27.5,14527.0,United Kingdom\n"
        + "536380,71053,METAL LANTERN,2,2010-12-01 09:45:00,3.50,,France\n",
    )
    events, items = load_online_retail(path)
    assert [(e.session_id, e.item_id, e.user_id, e.event) for e in events] == [
        ("536365", "85123A", "17850", "purchase"),
        ("536365", "71053", "17850", "purchase"),
        ("536380", "71053", None, "purchase"),
    ]
    assert events[0].timestamp == datetime(2010, 12, 1, 8, 26, tzinfo=UTC)
    assert items["71053"] == {"title": "METAL LANTERN", "price": 3.5}


@pytest.mark.parametrize(
    ("row", "field"),
    [
        ("536365,85123A,X,six,2010-12-01 08:26:00,2.55,1.0,UK", "Quantity"),
        ("536365,85123A,X,6,2010-12-01 08:26:00,cheap,1.0,UK", "UnitPrice"),
        ("536365,85123A,X,6,first of december,2.55,1.0,UK", "InvoiceDate"),
        ("536365,,X,6,2010-12-01 08:26:00,2.55,1.0,UK", "StockCode"),
        ("536365,85123A,X,6,2010-12-01 08:26:00,2.55", "expected 8 fields"),
    ],
)
def test_online_retail_malformed_rows_name_line_and_field(tmp_path, row, field):
    good = "536365,1,X,6,2010-12-01 08:26:00,2.55,1.0,UK\n"
    path = write(tmp_path, RETAIL_HEADER + good + row + "\n")
    with pytest.raises(InteractionFileError, match=rf"^{path}:3: .*{field}"):
        load_online_retail(path)


def test_online_retail_sample_if_present():
    path = SHARED / "online_retail_uci_sample" / "online_retail_first8000.csv"
    if not path.exists():
        pytest.skip("shared Online Retail sample not present")
    events, items = load_online_retail(path)
    assert len({e.session_id for e in events}) > 300 and len(items) > 1000


def test_generic_csv_with_column_mapping(tmp_path):
    path = write(
        tmp_path,
        "visit;product;when;kind;shopper\nv1;p1;1700000000;click;u1\nv1;p2;1700000060;basket;\n",
    )
    events = load_csv(
        path,
        {"session_id": "visit", "item_id": "product", "timestamp": "when", "event": "kind",
         "user_id": "shopper"},
        delimiter=";",
        event_map={"click": "view", "basket": "cart"},
    )  # fmt: skip
    assert [(e.session_id, e.item_id, e.event, e.user_id) for e in events] == [
        ("v1", "p1", "view", "u1"),
        ("v1", "p2", "cart", None),
    ]
    assert events[1].timestamp - events[0].timestamp == timedelta(seconds=60)


def test_generic_csv_time_format_and_errors(tmp_path):
    columns = {"session_id": "s", "item_id": "i", "timestamp": "t"}
    ok = write(tmp_path, "s,i,t\n1,a,01/12/2010 08:26\n", "ok.csv")
    assert load_csv(ok, columns, time_format="%d/%m/%Y %H:%M")[0].timestamp.month == 12
    bad = write(tmp_path, "s,i,t\n1,a,2010-12-01\n2,b,tomorrow\n", "bad.csv")
    with pytest.raises(InteractionFileError, match=rf"^{bad}:3: field t is 'tomorrow'"):
        load_csv(bad, columns)
    with pytest.raises(InteractionFileError, match=r":1: missing column\(s\) t"):
        load_csv(write(tmp_path, "s,i\n1,a\n", "nocol.csv"), columns)
    with pytest.raises(InteractionFileError, match=":2: field k is 'like'"):
        load_csv(write(tmp_path, "s,i,t,k\n1,a,5,like\n", "ev.csv"), {**columns, "event": "k"})
    with pytest.raises(ValueError, match="missing"):
        load_csv(ok, {"session_id": "s"})


def session_events(spec):
    start = datetime(2026, 1, 1, tzinfo=UTC)
    return [
        Event(s, None, item, "view", start + timedelta(hours=n, minutes=j))
        for n, (s, items) in enumerate(spec)
        for j, item in enumerate(items)
    ]


def test_leave_last_out_and_time_split():
    events = session_events([("s1", "abc"), ("s2", "d"), ("s3", "aba")])
    train, queries = leave_last_out(events)
    assert [(len(p), t) for p, t in queries] == [(2, "c")]  # s3 repeats its last item: skipped
    assert len(train) == 2 + 1 + 2
    before, after = time_split(events, test_fraction=0.34)
    assert {e.session_id for e in after} == {"s3"} and len(before) == 4
    before, after = time_split(events, cutoff=datetime(2026, 1, 1, 0, 30, tzinfo=UTC))
    assert {e.session_id for e in before} == {"s1"}


def test_next_click_evaluation_known_answer():
    events = session_events([("t1", "abz"), ("t2", "ba")])
    queries = next_click_queries(events, known={"a", "b"})
    assert [(len(p), t) for p, t in queries] == [(1, "b"), (1, "a")]  # "z" is unknown: skipped
    items = ["a", "b", "c"]
    fixed = {"a": np.array([0.0, 2.0, 1.0]), "b": np.array([0.0, 2.0, 1.0])}
    result = evaluate_next_click(lambda prefix: fixed[prefix[-1].item_id], items, queries, k=2)
    # Query 1: target b ranks 1st; query 2: target a ranks 3rd (outside k=2).
    assert result.recall == pytest.approx(0.5) and result.mrr == pytest.approx(0.5)
    assert result.coverage == pytest.approx(2 / 3)
