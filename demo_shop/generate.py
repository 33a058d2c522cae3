"""Generate the demo shop's data files, deterministically from a seed.

    python demo_shop/generate.py --seed 7 --out demo_shop/data

Writes catalogue.jsonl, faq.jsonl, orders.jsonl, interactions.csv and
dialogues/{train,validation,test}.jsonl (formats: docs/data-format.md). Standard library only,
no network; the same seed always gives byte-identical files.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import random
import sys
from collections import Counter
from pathlib import Path

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from demo_shop.catalogue import build_catalogue, public_product  # noqa: E402
from demo_shop.dialogues import DialogueBuilder  # noqa: E402
from demo_shop.faq import build_faq  # noqa: E402
from demo_shop.interactions import simulate  # noqa: E402
from demo_shop.orders import build_orders  # noqa: E402

logger = logging.getLogger(__name__)

DEFAULT_SEED = 7
DEFAULT_OUT = Path(__file__).resolve().parent / "data"
SPLITS = ("train", "validation", "test")
SPLIT_SHARES = (0.70, 0.15, 0.15)
OUTPUT_FILES = (
    "catalogue.jsonl",
    "faq.jsonl",
    "orders.jsonl",
    "interactions.csv",
    "dialogues/train.jsonl",
    "dialogues/validation.jsonl",
    "dialogues/test.jsonl",
)


def split_dialogues(rng: random.Random, dialogues: list[dict]) -> dict[str, list[dict]]:
    """70/15/15 split, stratified by the intent of each dialogue's first user turn."""
    groups: dict[str, list[dict]] = {}
    for dialogue in dialogues:
        groups.setdefault(dialogue["turns"][0]["intent"], []).append(dialogue)
    splits: dict[str, list[dict]] = {name: [] for name in SPLITS}
    for intent in sorted(groups):
        members = list(groups[intent])
        rng.shuffle(members)
        n_val = max(1, round(len(members) * SPLIT_SHARES[1]))
        n_test = max(1, round(len(members) * SPLIT_SHARES[2]))
        splits["validation"].extend(members[:n_val])
        splits["test"].extend(members[n_val : n_val + n_test])
        splits["train"].extend(members[n_val + n_test :])
    for members in splits.values():
        members.sort(key=lambda d: d["dialogue_id"])
    return splits


def _write_jsonl(path: Path, records: list[dict]) -> None:
    with path.open("w", encoding="utf-8", newline="\n") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")


def generate(seed: int = DEFAULT_SEED, out: Path | str = DEFAULT_OUT) -> dict[str, int]:
    """Write every data file under `out`; return a few counts for the log and the tests."""
    out = Path(out)
    (out / "dialogues").mkdir(parents=True, exist_ok=True)
    # One random stream per file, so changing one generator does not reshuffle the others.
    products = build_catalogue(random.Random(f"{seed}:catalogue"))
    faq = build_faq()
    orders = build_orders(random.Random(f"{seed}:orders"), products)
    rows = simulate(random.Random(f"{seed}:interactions"), products)
    builder = DialogueBuilder(random.Random(f"{seed}:dialogues"), products, faq, orders, rows)
    dialogues = []
    for number, dialogue in enumerate(builder.build(), start=1):
        dialogues.append({"dialogue_id": f"dlg-{number:05d}", **dialogue})
    splits = split_dialogues(random.Random(f"{seed}:split"), dialogues)

    _write_jsonl(out / "catalogue.jsonl", [public_product(p) for p in products])
    _write_jsonl(out / "faq.jsonl", faq)
    _write_jsonl(out / "orders.jsonl", orders)
    with (out / "interactions.csv").open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(("session_id", "user_id", "item_id", "event", "timestamp"))
        writer.writerows(rows)
    for name in SPLITS:
        _write_jsonl(out / "dialogues" / f"{name}.jsonl", splits[name])

    events = Counter(row[3] for row in rows)
    counts = {
        "products": len(products),
        "categories": len({p["category"] for p in products}),
        "faq": len(faq),
        "orders": len(orders),
        "sessions": len({row[0] for row in rows}),
        "events": len(rows),
        "views": events["view"],
        "carts": events["cart"],
        "purchases": events["purchase"],
        "dialogues": len(dialogues),
    }
    counts.update({f"dialogues_{name}": len(splits[name]) for name in SPLITS})
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default 7)")
    parser.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="output folder (default demo_shop/data)"
    )
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    counts = generate(args.seed, args.out)
    logger.info("wrote demo shop data to %s", args.out)
    for key, value in counts.items():
        logger.info("  %-20s %d", key, value)
    return 0


if __name__ == "__main__":
    sys.exit(main())
