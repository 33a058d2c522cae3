"""FAQ retrieval on the Bitext customer-support data: dense, BM25 and their fusion.

Each of the 27 intents becomes one FAQ document (its template reply from the
``..._va6d3265.csv`` file); every distinct utterance of both Bitext files is a query whose
right answer is its intent's document. Prints Markdown tables of Recall@1, Recall@5 and MRR.

Three document texts are compared, all without tuning on the test half:
  reply        the reply alone
  title+reply  the intent's name as the question ("cancel order"), then the reply
  tuned        title + reply, plus K alternative questions per entry taken from the
               tuning half (each embedded as its own vector; added to the BM25 text), with
               K, the RRF constant and the dense weight chosen on the rest of the tuning
               half; reported on the test half only.

    nice -n 10 .venv/bin/python bench/retrieval_bitext.py
"""

from __future__ import annotations

import argparse
import csv
import itertools
import time
from collections import defaultdict

import numpy as np
from retrieval_common import (
    REPO,
    TABLE_HEAD,
    cached_encode,
    dense_rankings,
    evaluate,
    fuse,
    in_test_half,
    keyword_rankings,
    shared_data,
)

TEMPLATE_FILE = "Bitext_Sample_Customer_Support_Training_Dataset_va6d3265.csv"
OTHER_FILE = "Bitext_Sample_Customer_Support_Training_Dataset_v8b6ca3d.csv"


def load(folder):
    """(replies by intent, [(utterance, intent)]) from the two Bitext files."""
    replies: dict[str, str] = {}
    queries: dict[str, str] = {}
    for name in (TEMPLATE_FILE, OTHER_FILE):
        with open(folder / name, encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if name == TEMPLATE_FILE:
                    replies.setdefault(row["intent"], row["response"].strip())
                queries.setdefault(row["instruction"].strip(), row["intent"])
    return replies, sorted(queries.items())


def documents(replies, examples=None, title=True):
    """(dense text, keyword text) per intent; the question is counted twice for BM25,
    as the assistant's keyword index does."""
    docs = {}
    for intent, reply in replies.items():
        question = intent.replace("_", " ") if title else ""
        extra = " ".join((examples or {}).get(intent, []))
        head = " ".join(part for part in (question, extra) if part)
        dense = f"{head}\n{reply}" if head else reply
        docs[intent] = (dense, f"{head} {head} {reply}" if head else reply)
    return docs


def rank_all(embedder, docs, queries, query_vectors, cache):
    ids = list(docs)
    doc_vectors = cached_encode(embedder, [docs[i][0] for i in ids], cache)
    dense = dense_rankings(query_vectors, doc_vectors, ids)
    keyword = keyword_rankings(queries, [(i, docs[i][1]) for i in ids])
    return dense, keyword


def rank_with_examples(embedder, replies, examples, texts, query_vectors, cache):
    """Rankings when each entry also has alternative questions (row numbers of `texts`).

    Dense: an entry's similarity is the best over its own vector (title + reply) and the
    vectors of its alternative questions, as if each were stored as its own record.
    BM25: the alternative questions are added to the entry's text.
    """
    ids = list(replies)
    docs = documents(replies, {i: [texts[r] for r in rows] for i, rows in examples.items()})
    plain = documents(replies)
    similarity = query_vectors @ cached_encode(embedder, [plain[i][0] for i in ids], cache).T
    for column, intent in enumerate(ids):
        rows = examples.get(intent, [])
        if rows:
            best = (query_vectors @ query_vectors[rows].T).max(axis=1)
            similarity[:, column] = np.maximum(similarity[:, column], best)
    # A query that is itself an alternative question would find itself: such queries are
    # never scored (they are left out of the tuning rows and never in the test half).
    order = np.argsort(-similarity, axis=1, kind="stable")
    dense = [[ids[j] for j in row] for row in order]
    keyword = keyword_rankings(texts, [(i, docs[i][1]) for i in ids])
    return dense, keyword


def table(dense, keyword, answers, k=60, weights=None):
    lines = [TABLE_HEAD]
    lines.append(evaluate(dense, answers).row("dense (MiniLM)"))
    lines.append(evaluate(keyword, answers).row("BM25 (bm25s)"))
    name = f"hybrid (RRF k={k:g}" + (f", weights {weights}" if weights else "") + ")"
    lines.append(evaluate(fuse(dense, keyword, k, weights), answers).row(name))
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(shared_data() / "bitext_customer_support"))
    parser.add_argument("--cache", default=str(REPO / "var" / "bench-cache"))
    args = parser.parse_args()
    from pathlib import Path

    from retrieval.embeddings import Embedder

    folder, cache = Path(args.data), Path(args.cache)
    replies, pairs = load(folder)
    texts = [q for q, _ in pairs]
    answers = [i for _, i in pairs]
    print(f"{len(replies)} documents, {len(pairs)} queries")
    embedder = Embedder()
    started = time.perf_counter()
    query_vectors = cached_encode(embedder, texts, cache)
    print(f"query embeddings ready in {time.perf_counter() - started:.0f} s")

    for name, title in (("reply", False), ("title+reply", True)):
        dense, keyword = rank_all(embedder, documents(replies, title=title), texts,
                                  query_vectors, cache)  # fmt: skip
        print(f"\n### documents: {name}, all {len(texts)} queries\n")
        print(table(dense, keyword, answers))

    # Tuning: alternative questions come from the tuning half; the grid is scored on the rest.
    test = [i for i, q in enumerate(texts) if in_test_half(q)]
    tune = [i for i, q in enumerate(texts) if not in_test_half(q)]
    pool: dict[str, list[int]] = defaultdict(list)
    for i in tune:
        pool[answers[i]].append(i)
    best = None
    for n_examples in (0, 10, 30, 60):
        used = {i for rows in pool.values() for i in rows[:n_examples]}
        examples = {intent: rows[:n_examples] for intent, rows in pool.items()}
        dense, keyword = rank_with_examples(embedder, replies, examples, texts, query_vectors,
                                            cache)  # fmt: skip
        held = [i for i in tune if i not in used]
        for k, w in itertools.product((1, 10, 60), (0.3, 0.5, 0.7, 1.0)):
            fused = fuse([dense[i] for i in held], [keyword[i] for i in held], k, (w, 1 - w))
            score = evaluate(fused, [answers[i] for i in held])
            print(f"tune: examples={n_examples} k={k} dense_weight={w}: "
                  f"R@1 {score.recall_1:.3f} MRR {score.mrr:.3f} ({score.n} queries)")  # fmt: skip
            if best is None or (score.recall_1, score.mrr) > best[0]:
                best = ((score.recall_1, score.mrr), n_examples, k, w, dense, keyword)
    _, n_examples, k, w, dense, keyword = best
    print(f"\n### tuned on the tuning half: {n_examples} alternative questions per entry, "
          f"RRF k={k}, dense weight {w}; test half ({len(test)} queries)\n")  # fmt: skip
    test_answers = [answers[i] for i in test]
    print(table([dense[i] for i in test], [keyword[i] for i in test], test_answers, k, (w, 1 - w)))
    plain_dense, plain_keyword = rank_all(embedder, documents(replies), texts, query_vectors, cache)
    print("\nsame test half, title+reply documents, plain RRF k=60:\n")
    print(table([plain_dense[i] for i in test], [plain_keyword[i] for i in test], test_answers))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
