"""Readers for the FAQ and catalogue files: good files load, each kind of bad row is pinpointed."""

from __future__ import annotations

import json
import pickle

import pytest

from retrieval.records import DataFileError, FaqEntry, Product, load_catalogue, load_faq

FAQ_ROWS = [
    {
        "faq_id": "shipping-times.en",
        "topic": "shipping-times",
        "language": "en",
        "category": "shipping",
        "question": "How long does shipping take?",
        "answer": "Three to five business days.",
    },
    {
        "faq_id": "shipping-times.zh",
        "topic": "shipping-times",
        "language": "zh",
        "category": "shipping",
        "question": "配送需要多长时间？",
        "answer": "三到五个工作日。",
    },
]

PRODUCT_ROWS = [
    {
        "item_id": "P0001",
        "title": "Trail Runner 2",
        "description": "Light trail running shoe.",
        "category": "running-shoes",
        "brand": "Stride",
        "price": 89.99,
        "currency": "USD",
        "stock": 4,
        "attributes": {"colour": "red", "size": "42"},
    },
    {
        "item_id": "P0002",
        "title": "Camp Mug",
        "description": "Enamel mug.",
        "category": "outdoor-gear",
        "brand": "Pine",
        "price": 12,
        "stock": 0,
    },
]

CSV_HEADER = "item_id,title,description,category,brand,price,currency,stock,colour,size,material"


def write_jsonl(path, rows):
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n", "utf-8")
    return path


def error_of(loader, path) -> DataFileError:
    with pytest.raises(DataFileError) as info:
        loader(path)
    return info.value


# ------------------------------------------------------------------ good files


def test_load_faq_jsonl(tmp_path):
    entries = load_faq(write_jsonl(tmp_path / "faq.jsonl", FAQ_ROWS))
    assert entries[0] == FaqEntry(
        "shipping-times.en",
        "How long does shipping take?",
        "Three to five business days.",
        language="en",
        category="shipping",
        topic="shipping-times",
    )
    assert entries[1].question == "配送需要多长时间？"


def test_load_catalogue_jsonl_defaults_and_extra_fields(tmp_path):
    rows = [dict(PRODUCT_ROWS[0], popularity=3), PRODUCT_ROWS[1]]  # unknown field is ignored
    products = load_catalogue(write_jsonl(tmp_path / "cat.jsonl", rows))
    first, second = products
    assert first.attributes == {"colour": "red", "size": "42"}
    assert first.in_stock and not second.in_stock
    assert second.price == 12.0 and isinstance(second.price, float)
    assert second.currency == "USD" and second.attributes == {}
    assert hash(first)  # frozen records stay hashable despite the attributes dict


def test_load_catalogue_csv_attributes_from_columns(tmp_path):
    path = tmp_path / "cat.csv"
    path.write_text(
        CSV_HEADER + "\n"
        'P1,Shoe,"A shoe, light",running-shoes,Stride,50.5,USD,3,blue,43,\n'
        "P2,Mug,Enamel mug,outdoor-gear,Pine,7,,,,,\n",
        "utf-8",
    )
    first, second = load_catalogue(path)
    assert first == Product(
        "P1", "Shoe", "A shoe, light", "running-shoes", "Stride", 50.5, "USD", 3,
        {"colour": "blue", "size": "43"},
    )  # fmt: skip
    assert second.stock == 0 and second.currency == "USD" and second.attributes == {}


def test_load_faq_csv(tmp_path):
    path = tmp_path / "faq.csv"
    path.write_text(
        "faq_id,question,answer,language,category,topic,extra\n"
        'returns.es,¿Puedo devolverlo?,"Sí, en 30 días.",es,returns,returns,x\n',
        "utf-8",
    )
    (entry,) = load_faq(path)
    assert entry.answer == "Sí, en 30 días." and entry.language == "es"


def test_error_str_and_pickle():
    err = DataFileError("data/faq.jsonl", 7, "missing required field 'answer'")
    assert str(err) == "data/faq.jsonl:7: missing required field 'answer'"
    again = pickle.loads(pickle.dumps(err))
    assert (again.path, again.line, again.message) == (err.path, 7, err.message)
    assert isinstance(err, ValueError)


# ------------------------------------------------------------------ bad JSONL rows


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"answer": None}, "field 'answer'"),
        ({"question": ""}, "field 'question' must not be empty"),
        ({"question": "   "}, "field 'question' must not be empty"),
        ({"language": 3}, "field 'language' must be a string"),
    ],
)
def test_faq_bad_field_reports_line_and_field(tmp_path, change, expected):
    bad = {k: v for k, v in dict(FAQ_ROWS[1], **change).items() if v is not None}
    path = write_jsonl(tmp_path / "faq.jsonl", [FAQ_ROWS[0], bad])
    err = error_of(load_faq, path)
    assert err.line == 2 and expected in err.message
    assert str(err).startswith(f"{path}:2: ")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"price": "12.50"}, "field 'price' must be a number"),
        ({"price": True}, "field 'price' must be a number"),
        ({"price": -1}, "field 'price' must be a finite number >= 0"),
        ({"stock": 2.5}, "field 'stock' must be an integer"),
        ({"stock": "3"}, "field 'stock' must be an integer"),
        ({"stock": -2}, "field 'stock' must be >= 0"),
        ({"title": ""}, "field 'title' must not be empty"),
        ({"brand": None}, "missing required field 'brand'"),
        ({"attributes": ["red"]}, "field 'attributes' must be an object"),
        ({"attributes": {"size": 42}}, "field 'attributes.size' must be a string"),
    ],
)
def test_catalogue_bad_field_reports_line_and_field(tmp_path, change, expected):
    bad = dict(PRODUCT_ROWS[1], **change)
    if change.get("brand", "") is None:
        del bad["brand"]
    path = write_jsonl(tmp_path / "cat.jsonl", [PRODUCT_ROWS[0], bad])
    err = error_of(load_catalogue, path)
    assert err.line == 2 and expected in err.message


def test_invalid_json_and_non_object_lines(tmp_path):
    path = tmp_path / "faq.jsonl"
    path.write_text(json.dumps(FAQ_ROWS[0]) + "\n\n" + '{"faq_id": "x",\n', "utf-8")
    err = error_of(load_faq, path)
    assert err.line == 3 and "invalid JSON" in err.message  # blank line 2 still counts
    path.write_text(json.dumps(FAQ_ROWS[0]) + "\n[1, 2]\n", "utf-8")
    assert error_of(load_faq, path).line == 2


def test_duplicate_ids(tmp_path):
    path = write_jsonl(tmp_path / "faq.jsonl", [FAQ_ROWS[0], FAQ_ROWS[1], FAQ_ROWS[0]])
    err = error_of(load_faq, path)
    assert err.line == 3 and "duplicate faq_id 'shipping-times.en'" in err.message
    assert "first on line 1" in err.message


def test_bad_utf8_reports_line(tmp_path):
    path = tmp_path / "faq.jsonl"
    good = json.dumps(FAQ_ROWS[0]).encode()
    path.write_bytes(good + b"\n" + good.replace(b"How", b"H\xffw") + b"\n")
    err = error_of(load_faq, path)
    assert err.line == 2 and "UTF-8" in err.message


@pytest.mark.parametrize("content", ["", "\n\n  \n"])
def test_empty_file(tmp_path, content):
    path = tmp_path / "faq.jsonl"
    path.write_text(content, "utf-8")
    err = error_of(load_faq, path)
    assert err.path == str(path) and err.line == 1 and "no records" in err.message


def test_unsupported_extension(tmp_path):
    path = tmp_path / "faq.txt"
    path.write_text("x", "utf-8")
    err = error_of(load_faq, path)
    assert err.line is None and str(err) == f"{path}: {err.message}"


def test_utf8_bom_and_crlf_accepted(tmp_path):
    path = tmp_path / "faq.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps(FAQ_ROWS[0]).encode() + b"\r\n")
    assert load_faq(path)[0].faq_id == "shipping-times.en"


# ------------------------------------------------------------------ bad CSV rows


def csv_file(tmp_path, *rows, header=CSV_HEADER):
    path = tmp_path / "cat.csv"
    path.write_text("\n".join([header, *rows]) + "\n", "utf-8")
    return path


GOOD_CSV_ROW = "P1,Shoe,Light shoe,running-shoes,Stride,50,USD,3,red,42,mesh"


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        ("P2,Mug,Enamel mug,outdoor-gear,Pine,cheap,USD,1,,,", "field 'price' must be a number"),
        ("P2,Mug,Enamel mug,outdoor-gear,Pine,5,USD,1.5,,,", "field 'stock' must be an integer"),
        ("P2,Mug,Enamel mug,outdoor-gear,Pine,5,USD,-1,,,", "field 'stock' must be >= 0"),
        ("P2,Mug,Enamel mug,outdoor-gear,Pine,-5,USD,1,,,", "field 'price' must be a finite"),
        ("P2,Mug,Enamel mug,outdoor-gear,,5,USD,1,,,", "field 'brand' must not be empty"),
        ("P2,Mug,Enamel mug,outdoor-gear,Pine,,USD,1,,,", "missing required field 'price'"),
        ("P2,Mug,Enamel mug", "missing required field 'category'"),
        ("P2,Mug,Enamel mug,outdoor-gear,Pine,5,USD,1,,,,extra", "row has 12 cells"),
        ("P1,Mug,Enamel mug,outdoor-gear,Pine,5,USD,1,,,", "duplicate item_id 'P1'"),
    ],
)
def test_catalogue_csv_bad_rows(tmp_path, row, expected):
    err = error_of(load_catalogue, csv_file(tmp_path, GOOD_CSV_ROW, row))
    assert err.line == 3 and expected in err.message


def test_csv_line_numbers_follow_multiline_cells(tmp_path):
    multiline = 'P2,Mug,"Enamel\nmug",outdoor-gear,Pine,5,USD,1,,,'
    bad = "P3,Cup,Cup,outdoor-gear,Pine,x,USD,1,,,"
    err = error_of(load_catalogue, csv_file(tmp_path, GOOD_CSV_ROW, multiline, bad))
    assert err.line == 5  # header 1, P1 2, P2 3-4, P3 5


def test_csv_missing_column_reported_on_header(tmp_path):
    path = csv_file(tmp_path, "P1,Shoe,Light,running-shoes,Stride", header="item_id,title,"
                    "description,category,brand")  # fmt: skip
    err = error_of(load_catalogue, path)
    assert err.line == 1 and "price" in err.message


def test_csv_header_only_is_empty(tmp_path):
    err = error_of(load_catalogue, csv_file(tmp_path))
    assert err.line == 1 and "no records" in err.message


def test_faq_csv_bad_utf8(tmp_path):
    path = tmp_path / "faq.csv"
    path.write_bytes(b"faq_id,question,answer\na.en,Q?,A.\nb.en,Q\xc3?,A.\n")
    err = error_of(load_faq, path)
    assert err.line == 3 and "UTF-8" in err.message


# ------------------------------------------------------------------ hostile text fields


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("answer", "a\ud800", "lone surrogate"),
        ("question", "what\x00?", "control character"),
        ("answer", "bell\x07", "control character"),
        ("language", "xx-not-a-lang", "short language code"),
        ("language", "e", "short language code"),
        ("answer", "x" * 20_001, "at most 20,000"),
        ("question", "q" * 1_001, "at most 1,000"),
        ("faq_id", "i" * 10_000, "at most 200"),
    ],
)
def test_faq_rejects_hostile_text_with_line_and_field(tmp_path, field, value, words):
    rows = [dict(FAQ_ROWS[0]), dict(FAQ_ROWS[1], **{field: value})]
    path = tmp_path / "faq.jsonl"  # ASCII JSON: a lone surrogate is written as a \u escape
    path.write_text("".join(json.dumps(row) + "\n" for row in rows), "utf-8")
    err = error_of(load_faq, path)
    assert err.line == 2 and f"field '{field}'" in err.message and words in err.message
    str(err).encode("utf-8")  # the message itself can be printed


def test_surrogate_escape_in_catalogue_is_rejected(tmp_path):
    path = tmp_path / "catalogue.jsonl"
    path.write_text(
        '{"item_id":"P1","title":"Shoe","description":"x\\udc00","category":"c","brand":"b",'
        '"price":1}\n{"item_id":"P2","title":"Cup","description":"d","category":"c",'
        '"brand":"b","price":1,"attributes":{"colour":"re\\ud83dd"}}\n',
        "utf-8",
    )
    err = error_of(load_catalogue, path)
    assert err.line == 1 and "field 'description'" in err.message and "surrogate" in err.message
    path.write_text(path.read_text("utf-8").split("\n", 1)[1], "utf-8")
    err = error_of(load_catalogue, path)
    assert "field 'attributes.colour'" in err.message and "surrogate" in err.message


@pytest.mark.parametrize("language", ["en", "es", "zh", "pt-BR", "zh-Hant", "es-419", "fil"])
def test_short_language_codes_accepted(tmp_path, language):
    rows = [dict(FAQ_ROWS[0], language=language)]
    assert load_faq(write_jsonl(tmp_path / "faq.jsonl", rows))[0].language == language


def test_faq_at_the_size_limits_is_accepted(tmp_path):
    rows = [dict(FAQ_ROWS[0], faq_id="i" * 200, question="q" * 1_000, answer="a\tb\n" * 5_000)]
    assert len(load_faq(write_jsonl(tmp_path / "faq.jsonl", rows))[0].answer) == 19_999


def test_csv_unterminated_quote_is_named(tmp_path):
    path = tmp_path / "faq.csv"
    path.write_text('faq_id,question,answer\na,Q?,A.\nx,"unterminated,\n', "utf-8")
    err = error_of(load_faq, path)
    assert err.line == 3 and "unterminated quoted cell" in err.message


def test_csv_names_every_missing_column(tmp_path):
    err = error_of(load_catalogue, csv_file(tmp_path, "P1,Shoe", header="item_id,title"))
    assert err.line == 1
    for name in ("description", "category", "brand", "price"):
        assert f"'{name}'" in err.message
    path = tmp_path / "faq.csv"
    path.write_text("faq_id\nx\n", "utf-8")
    err = error_of(load_faq, path)
    assert "columns 'question', 'answer'" in err.message
