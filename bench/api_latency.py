"""Time the HTTP API of a running server: first streamed piece and whole reply, per message.

    .venv/bin/python bench/api_latency.py --url http://127.0.0.1:7860 --rounds 3

Each round opens a new session and sends the messages in order, streamed (NDJSON); prints
the median time to the first delta line and to the final reply for each message.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time

import httpx

MESSAGES = [
    "How long does shipping take?",
    "show me running shoes under 80",
    "where is my order 10023?",
]


def one(client: httpx.Client, url: str, message: str) -> tuple[float, float, str]:
    """(seconds to the first delta, seconds to the reply, reply intent) of one message."""
    started = time.perf_counter()
    first = None
    with client.stream("POST", url, json={"message": message, "stream": True}) as response:
        response.raise_for_status()
        for line in response.iter_lines():
            if not line:
                continue
            item = json.loads(line)
            if item["type"] == "delta" and first is None:
                first = time.perf_counter() - started
            if item["type"] == "reply":
                total = time.perf_counter() - started
                # No delta: the whole reply came at once (e.g. generation over its time budget).
                return (total if first is None else first), total, item["reply"]["intent"]
    raise RuntimeError(f"no reply line for {message!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--url", default="http://127.0.0.1:7860")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    times: dict[str, list[tuple[float, float]]] = {m: [] for m in MESSAGES}
    intents: dict[str, str] = {}
    with httpx.Client(base_url=args.url, timeout=120) as client:
        for _ in range(args.rounds):
            sid = client.post("/api/v1/sessions").json()["session_id"]
            for message in MESSAGES:
                first, total, intent = one(client, f"/api/v1/sessions/{sid}/messages", message)
                times[message].append((first, total))
                intents[message] = intent
                time.sleep(0.6)  # stay under the per-session rate limit
    print("| message | intent | first piece p50 (s) | whole reply p50 (s) |")
    print("|---|---|---|---|")
    for message, pairs in times.items():
        first = statistics.median(p[0] for p in pairs)
        total = statistics.median(p[1] for p in pairs)
        print(f"| {message} | {intents[message]} | {first:.2f} | {total:.2f} |")


if __name__ == "__main__":
    main()
