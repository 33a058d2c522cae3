"""FAQ retrieval on the 79 pairs of ecommerce_faq_kaggle, queried with our own paraphrases.

Each pair is an FAQ entry (question + answer, as the store indexes it); each paraphrase in
``bench/data/ecommerce_faq_paraphrases.jsonl`` (written for this benchmark, one or more per
pair, avoiding the original wording where natural) is a query whose right answer is its pair.
Three pairs share their answer text with another pair; an entry with the same answer counts
as right. Prints Markdown tables of Recall@1, Recall@5 and MRR.

    nice -n 10 .venv/bin/python bench/retrieval_ecommerce_faq.py
"""

from __future__ import annotations

import argparse
import json
from collections import defaultdict
from pathlib import Path

from retrieval_common import (
    REPO,
    TABLE_HEAD,
    cached_encode,
    dense_rankings,
    evaluate,
    fuse,
    keyword_rankings,
    shared_data,
)

PARAPHRASES = REPO / "bench" / "data" / "ecommerce_faq_paraphrases.jsonl"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(shared_data() / "ecommerce_faq_kaggle"))
    parser.add_argument("--cache", default=str(REPO / "var" / "bench-cache"))
    args = parser.parse_args()
    from retrieval.embeddings import Embedder

    pairs = json.loads((Path(args.data) / "Ecommerce_FAQ_Chatbot_dataset.json").read_text())
    pairs = pairs["questions"]
    ids = [str(i) for i in range(len(pairs))]
    same_answer = defaultdict(set)
    for i, pair in zip(ids, pairs, strict=True):
        same_answer[pair["answer"].strip()].add(i)
    queries, answers = [], []
    for line in PARAPHRASES.read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        pair = pairs[row["pair"]]
        if pair["question"] != row["question"]:
            raise ValueError(f"{PARAPHRASES}: pair {row['pair']} is not {row['question']!r}")
        queries.append(row["paraphrase"])
        answers.append(frozenset(same_answer[pair["answer"].strip()]))
    print(f"{len(pairs)} entries, {len(queries)} paraphrased queries")
    embedder = Embedder()
    cache = Path(args.cache)
    docs = [f"{p['question']}\n{p['answer']}" for p in pairs]  # the store's FAQ document
    keyword_docs = [
        (i, f"{p['question']} {p['question']} {p['answer']}")
        for i, p in zip(ids, pairs, strict=True)
    ]
    dense = dense_rankings(cached_encode(embedder, queries, cache),
                           cached_encode(embedder, docs, cache), ids)  # fmt: skip
    keyword = keyword_rankings(queries, keyword_docs)
    print("\n" + TABLE_HEAD)
    print(evaluate(dense, answers).row("dense (MiniLM)"))
    print(evaluate(keyword, answers).row("BM25 (bm25s)"))
    print(evaluate(fuse(dense, keyword), answers).row("hybrid (RRF k=60)"))
    print(evaluate(fuse(dense, keyword, 10, (0.3, 0.7)), answers).row(
        "hybrid (RRF k=10, weights 0.3/0.7: the Bitext-tuned setting)"))  # fmt: skip
    print(evaluate(fuse(dense, keyword, 10, (0.7, 0.3)), answers).row(
        "hybrid (RRF k=10, weights 0.7/0.3)"))  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
