from datetime import UTC, datetime

import pytest

from recommender.data import InteractionFileError, group_sessions, load_interactions, load_yoochoose

HEADER = "session_id,user_id,item_id,event,timestamp\n"


def write(tmp_path, text, name="interactions.csv"):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_reads_valid_rows(tmp_path):
    path = write(
        tmp_path,
        HEADER
        + "s1,u1,P0001,view,2026-10-01T12:00:05Z\n"
        + "s1,,P0002,cart,2026-10-01T12:01:00+02:00\n"
        + "\n",
    )
    events = load_interactions(path)
    assert [e.item_id for e in events] == ["P0001", "P0002"]
    assert events[0].user_id == "u1" and events[1].user_id is None
    assert events[0].timestamp == datetime(2026, 10, 1, 12, 0, 5, tzinfo=UTC)
    assert events[1].timestamp == datetime(2026, 10, 1, 10, 1, tzinfo=UTC)


def test_column_order_may_differ_and_bom_is_accepted(tmp_path):
    text = (
        "\ufeffitem_id,event,timestamp,session_id,user_id\nP1,purchase,2026-10-01T12:00:00Z,s9,\n"
    )
    events = load_interactions(write(tmp_path, text))
    assert events[0].session_id == "s9" and events[0].event == "purchase"


@pytest.mark.parametrize(
    ("body", "line", "fragment"),
    [
        ("s1,u1,P1,view,2026-10-01T12:00:05Z\ns1,u1,P1,like,2026-10-01T12:00:06Z\n", 3, "event"),
        ("s1,u1,P1,view,yesterday\n", 2, "timestamp"),
        ("s1,u1,P1,view\n", 2, "expected 5 fields"),
        ("s1,u1,,view,2026-10-01T12:00:05Z\n", 2, "item_id"),
        ("\n\ns1,u1,P1,view,2026-13-01T12:00:05Z\n", 4, "timestamp"),
    ],
)
def test_malformed_rows_name_the_line(tmp_path, body, line, fragment):
    path = write(tmp_path, HEADER + body)
    with pytest.raises(InteractionFileError) as info:
        load_interactions(path)
    assert info.value.line == line
    assert str(info.value).startswith(f"{path}:{line}: ")
    assert fragment in str(info.value)


def test_missing_column(tmp_path):
    path = write(tmp_path, "session_id,item_id,event,timestamp\ns1,P1,view,2026-10-01T12:00:05Z\n")
    with pytest.raises(InteractionFileError, match=r":1: missing column\(s\) user_id"):
        load_interactions(path)


def test_empty_file_and_header_only(tmp_path):
    with pytest.raises(InteractionFileError, match=":1: file is empty"):
        load_interactions(write(tmp_path, ""))
    with pytest.raises(InteractionFileError, match=":2: no interaction rows"):
        load_interactions(write(tmp_path, HEADER))


def test_bad_encoding_names_the_line(tmp_path):
    raw = (HEADER + "s1,u1,P1,view,2026-10-01T12:00:05Z\n").encode() + b"s2,u1,P\xff,view,x\n"
    with pytest.raises(InteractionFileError, match=":3: not valid UTF-8"):
        load_interactions(write(tmp_path, raw))


def test_error_is_a_value_error(tmp_path):
    with pytest.raises(ValueError):
        load_interactions(tmp_path / "missing.csv")


def test_yoochoose_reader(tmp_path):
    path = write(
        tmp_path,
        "SessionId\tItemId\tTime\n1\t214536502\t1396860669.277\n1\t214536506\t1396860886.998\n",
        name="clicks.txt",
    )
    events = load_yoochoose(path)
    assert [(e.session_id, e.item_id, e.event) for e in events] == [
        ("1", "214536502", "view"),
        ("1", "214536506", "view"),
    ]
    assert events[0].timestamp.tzinfo is UTC and events[0].timestamp.year == 2014
    with pytest.raises(InteractionFileError, match=":2: field Time"):
        load_yoochoose(write(tmp_path, "SessionId\tItemId\tTime\n1\t2\tsoon\n", name="bad.txt"))


def test_group_sessions_sorts_by_time(tmp_path):
    path = write(
        tmp_path,
        HEADER + "s1,,B,view,2026-10-01T12:00:09Z\ns1,,A,view,2026-10-01T12:00:01Z\n",
    )
    assert [e.item_id for e in group_sessions(load_interactions(path))["s1"]] == ["A", "B"]
