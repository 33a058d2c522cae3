"""`shop-assistant ingest`: Markdown FAQ files, validation, upsert, deletion, start-up sync,
and an ingest killed mid-way (a real subprocess and SIGKILL), on a real Chroma store."""

from __future__ import annotations

import json
import logging
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.cli import main
from assistant.config import AssistantConfig
from assistant.ingest import open_store
from retrieval.embeddings import Embedder
from retrieval.ingest import ingest_file, sync_shop_file
from retrieval.records import DataFileError, load_catalogue, load_faq
from retrieval.store import SyncSummary

REPO = Path(__file__).resolve().parent.parent

MARKDOWN = """# Acme help centre

## How long does delivery take?
id: shipping-times.en
category: shipping

Standard delivery takes 3-5 business days.
Express takes 1-2.

Orders placed before 1 pm ship the same day.

## ¿Cuánto tarda el envío?
language: es
category: shipping
El envío estándar tarda de 3 a 5 días hábiles.

## Can I return sale items?
Yes, within 30 days, like any other item.
"""


def faq_rows(n: int, prefix: str = "q", answer: str = "Answer") -> list[dict]:
    return [
        {"faq_id": f"{prefix}{i}", "question": f"Question number {i} about {prefix}?",
         "answer": f"{answer} {i} for {prefix}.", "category": "shipping"}
        for i in range(n)
    ]  # fmt: skip


def write_jsonl(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


class CountingEmbedder:
    def __init__(self, inner: Embedder) -> None:
        self.inner, self.dim, self.model_id = inner, inner.dim, inner.model_id
        self.texts: list[str] = []

    def encode(self, texts):
        self.texts.extend(texts)
        return self.inner.encode(texts)


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return Embedder()


@pytest.fixture
def config(tmp_path) -> AssistantConfig:
    return AssistantConfig(data_dir=tmp_path / "data", shop_dir=tmp_path / "shop")


# ------------------------------------------------------------------ Markdown format


def test_markdown_faq(tmp_path):
    path = tmp_path / "faq.md"
    path.write_text(MARKDOWN, encoding="utf-8")
    entries = load_faq(path)
    assert [e.faq_id for e in entries] == [
        "shipping-times.en", "cuánto-tarda-el-envío.es", "can-i-return-sale-items.en",
    ]  # fmt: skip
    first = entries[0]
    assert (first.topic, first.category, first.language) == ("shipping-times", "shipping", "en")
    assert first.answer == (
        "Standard delivery takes 3-5 business days. Express takes 1-2.\n\n"
        "Orders placed before 1 pm ship the same day."
    )
    assert entries[1].language == "es" and entries[1].answer.startswith("El envío")


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ("Intro text\n## Q?\nA.\n", 1, "before the first '## question'"),
        ("## Q?\nA.\n##\nB.\n", 3, "empty question"),
        ("## Q?\nA.\n## R?\n\n", 3, "no answer"),
        ("## Q?\nid: x\nA.\n## R?\nid: x\nB.\n", 4, "duplicate faq_id 'x' (first on line 1)"),
        ("## Q?\ncategory:\nA.\n", 2, "empty value for 'category'"),
        ("## Q?\nid: a\nid: b\nA.\n", 3, "'id' given twice"),
    ],
)
def test_markdown_errors_name_the_line(tmp_path, text, line, message):
    path = tmp_path / "faq.md"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataFileError, match=re.escape(message)) as error:
        load_faq(path)
    assert error.value.line == line and str(error.value).startswith(f"{path}:{line}: ")


def test_markdown_is_for_faq_only(tmp_path):
    path = tmp_path / "catalogue.md"
    path.write_text("## Shoe\nA shoe.\n", encoding="utf-8")
    with pytest.raises(DataFileError, match="unsupported file type '.md'"):
        load_catalogue(path)


# ------------------------------------------------------------------ ingest into the store


def test_ingest_upserts_removes_and_skips_unchanged(tmp_path, config, embedder):
    counting = CountingEmbedder(embedder)
    rows = faq_rows(6)
    path = write_jsonl(tmp_path / "faq.jsonl", rows)
    with open_store(config, counting, batch_size=4) as store:
        assert ingest_file(store, "faq", path) == SyncSummary(added=6)
        assert len(counting.texts) == 6
        counting.texts.clear()
        assert ingest_file(store, "faq", path) == SyncSummary(unchanged=6)
        assert counting.texts == []  # nothing re-embedded
        rows[1]["answer"] = "A brand-new answer about parcels."
        write_jsonl(path, [*rows[:4], *faq_rows(2, prefix="new")])  # drops q4, q5
        assert ingest_file(store, "faq", path) == SyncSummary(
            added=2, updated=1, removed=2, unchanged=3
        )
        assert len(counting.texts) == 3  # the changed entry and the two new ones
        assert {e.faq_id for e in store.faq_entries()} == {"q0", "q1", "q2", "q3", "new0", "new1"}
        state = store.source_state("faq")
        assert (state.kind, state.path, state.complete) == ("ingest", str(path.resolve()), True)


def test_cli_ingest_prints_summary_and_rejects_bad_files(tmp_path, capsys):
    data = tmp_path / "data"
    good = write_jsonl(tmp_path / "faq.jsonl", faq_rows(3))
    assert main(["ingest", "faq", str(good), "--data-dir", str(data)]) == 0
    out = capsys.readouterr().out
    assert "added 3, updated 0, removed 0, unchanged 0" in out and "3 in the store" in out

    bad = tmp_path / "bad.csv"
    bad.write_text("faq_id,question,answer\nz1,What?,Fine.\nz2,,Missing question\n", "utf-8")
    assert main(["ingest", "faq", str(bad), "--data-dir", str(data)]) == 2
    err = capsys.readouterr().err
    assert f"{bad}:3: missing required field 'question'" in err or (
        f"{bad}:3: field 'question' must not be empty" in err
    )
    products = tmp_path / "catalogue.jsonl"
    products.write_text('{"item_id": "P1", "title": "Shoe", "price": -1}\n', encoding="utf-8")
    assert main(["ingest", "catalogue", str(products), "--data-dir", str(data)]) == 2
    assert f"{products}:1:" in capsys.readouterr().err
    # Nothing of the bad files was written: the store still holds the good file only.
    config = AssistantConfig(data_dir=data)
    with open_store(config, Embedder()) as store:
        assert {e.faq_id for e in store.faq_entries()} == {"q0", "q1", "q2"}
        assert store.product_count() == 0


def test_cli_ingest_catalogue_csv(tmp_path, capsys):
    path = tmp_path / "catalogue.csv"
    path.write_text(
        "item_id,title,description,category,brand,price,stock,colour,language\n"
        "P1,Trail Runner,Grippy trail shoe.,running-shoes,Stride,89,5,red,en\n"
        "P2,Zapatilla,Zapatilla ligera.,running-shoes,Stride,70,0,,es\n",
        encoding="utf-8",
    )
    assert main(["ingest", "catalogue", str(path), "--data-dir", str(tmp_path / "d")]) == 0
    assert "added 2" in capsys.readouterr().out
    with open_store(AssistantConfig(data_dir=tmp_path / "d"), Embedder()) as store:
        products = {p.item_id: p for p in store.products()}
        assert products["P2"].language == "es" and products["P1"].attributes == {"colour": "red"}


# ------------------------------------------------------------------ start-up sync


def test_startup_sync_keeps_ingested_data(tmp_path, config, embedder, caplog):
    counting = CountingEmbedder(embedder)
    shop_faq = write_jsonl(tmp_path / "shop-faq.jsonl", faq_rows(3, prefix="demo"))
    ingested = write_jsonl(tmp_path / "mine.jsonl", faq_rows(2, prefix="mine"))
    with open_store(config, counting) as store:
        assert sync_shop_file(store, "faq", shop_faq) == SyncSummary(added=3)  # empty store
        counting.texts.clear()
        assert sync_shop_file(store, "faq", shop_faq) == SyncSummary(unchanged=3)
        assert counting.texts == []
        write_jsonl(shop_faq, faq_rows(4, prefix="demo"))  # the shop file changed
        assert sync_shop_file(store, "faq", shop_faq) == SyncSummary(added=1, unchanged=3)

        ingest_file(store, "faq", ingested)
        with caplog.at_level(logging.INFO, logger="retrieval.ingest"):
            assert sync_shop_file(store, "faq", shop_faq) is None
        assert "not synced over them" in caplog.text
        assert {e.faq_id for e in store.faq_entries()} == {"mine0", "mine1"}


def test_assistant_reads_ingested_faq(tiny_shop, tiny_lm, tmp_path, capsys):
    from assistant import Assistant

    data = tmp_path / "data"
    md = tmp_path / "faq.md"
    md.write_text(MARKDOWN, encoding="utf-8")
    assert main(["ingest", "faq", str(md), "--data-dir", str(data), "--shop-dir",
                 str(tiny_shop)]) == 0  # fmt: skip
    config = AssistantConfig(shop_dir=tiny_shop, data_dir=data, adapter_dir=None)
    assistant = Assistant.from_config(config, lm=tiny_lm)
    assert set(assistant.faq) == {e.faq_id for e in load_faq(md)}  # not the shop's faq.jsonl
    found = assistant.search_faq("can I return items I bought in the sale?", "en")
    assert found is not None and found.faq_id == "can-i-return-sale-items.en"


# ------------------------------------------------------------------ interrupted ingest


@pytest.mark.slow
def test_ingest_killed_midway_leaves_store_usable_and_rerun_completes(tmp_path, embedder, capsys):
    config = AssistantConfig(data_dir=tmp_path / "data")
    old = faq_rows(40, prefix="old")
    with open_store(config, embedder) as store:
        ingest_file(store, "faq", write_jsonl(tmp_path / "old.jsonl", old))
    new = old[10:] + faq_rows(80, prefix="new")  # old0-old9 leave, 80 entries arrive
    path = write_jsonl(tmp_path / "new.jsonl", new)
    command = [sys.executable, "-m", "assistant", "ingest", "faq", str(path),
               "--data-dir", str(config.data_dir), "--batch-size", "8"]  # fmt: skip
    env = dict(os.environ, OMP_NUM_THREADS="1")
    process = subprocess.Popen(command, cwd=REPO, env=env, stderr=subprocess.PIPE, text=True)
    seen = []
    deadline = time.monotonic() + 120
    for line in process.stderr:
        seen.append(line)
        if "wrote 16 of 80" in line:
            process.send_signal(signal.SIGKILL)
            break
        assert time.monotonic() < deadline, "".join(seen)
    process.wait(timeout=30)
    assert process.returncode == -signal.SIGKILL, "".join(seen[-20:])

    with open_store(config, embedder) as store:
        ids = {e.faq_id for e in store.faq_entries()}
        assert {r["faq_id"] for r in old} <= ids  # nothing removed before the writes ended
        assert 40 + 16 <= len(ids) < 120
        assert store.source_state("faq").complete is False
        hit = store.search_faq("Question number 3 about old?", top_k=1)[0]
        assert hit.entry.faq_id == "old3"  # still answers

    capsys.readouterr()
    assert main(command[3:]) == 0  # the same ingest again, in this process
    out = capsys.readouterr().out
    with open_store(config, embedder) as store:
        assert {e.faq_id for e in store.faq_entries()} == {r["faq_id"] for r in new}
        assert store.source_state("faq").complete is True
    # The batches written before the kill were not embedded again.
    added = int(out.split("added ")[1].split(",")[0])
    unchanged = int(out.split("unchanged ")[1].split(";")[0])
    assert unchanged >= 30 + 16 and added == 110 - unchanged and "removed 10" in out


def test_failed_ingest_points_start_up_back_at_the_shop_file(tmp_path, config, embedder):
    """A write that fails by itself (here: text Chroma cannot encode, which validation now
    rejects, passed in directly) must not leave the marker on a file whose ingest can never
    finish: start-up re-syncs the shop file instead of asking to rerun the bad ingest."""
    from retrieval.records import FaqEntry

    shop_faq = write_jsonl(tmp_path / "shop-faq.jsonl", faq_rows(3, prefix="demo"))
    bad = write_jsonl(tmp_path / "bad.jsonl", faq_rows(1, prefix="bad"))
    records = [FaqEntry("bad0", "Question?", "a\ud800"), *load_faq(shop_faq)]
    with open_store(config, embedder) as store:
        assert sync_shop_file(store, "faq", shop_faq) == SyncSummary(added=3)
        with pytest.raises(Exception, match="surrogate"):
            ingest_file(store, "faq", bad, records)
        state = store.source_state("faq")
        assert (state.kind, state.path, state.complete) == ("shop", str(shop_faq.resolve()), False)
        assert sync_shop_file(store, "faq", shop_faq) is not None  # re-synced, not skipped
        assert {e.faq_id for e in store.faq_entries()} == {"demo0", "demo1", "demo2"}
        assert store.source_state("faq").complete


def test_cli_ingest_rejects_surrogate_escape_before_writing(tmp_path, capsys):
    data = tmp_path / "data"
    good = write_jsonl(tmp_path / "faq.jsonl", faq_rows(2))
    assert main(["ingest", "faq", str(good), "--data-dir", str(data)]) == 0
    bad = tmp_path / "nul.jsonl"
    bad.write_text('{"faq_id": "x", "question": "Q?", "answer": "a\\ud800"}\n', "utf-8")
    assert main(["ingest", "faq", str(bad), "--data-dir", str(data)]) == 2
    assert f"{bad}:1: field 'answer' contains a lone surrogate" in capsys.readouterr().err
    with open_store(AssistantConfig(data_dir=data), Embedder()) as store:
        state = store.source_state("faq")
        assert (state.path, state.complete) == (str(good.resolve()), True)
        assert {e.faq_id for e in store.faq_entries()} == {"q0", "q1"}
