"""Load test: simulated shoppers chat and click through the real Gradio server at once.

Each shopper is its own `gradio_client.Client` (its own browser session on the server): it
loads the page, then alternates chat turns (`/chat`, streamed) with clicks on the product
panel (`/view_i`, `/cart_i`). Every message carries the shopper's unique token, so leaks
between sessions show: no chat history, reply, cart or logged turn may hold another
shopper's token or cart. The run is bounded in time (`--duration`) and turns per shopper.

    # the real default model behind `shop-assistant serve` (started on a free port)
    nice -n 10 .venv/bin/python bench/load_test.py --shoppers 20 --duration 120
    # against a server that is already running
    .venv/bin/python bench/load_test.py --url http://127.0.0.1:7860/ --duration 30

Reports errors, leaks, first-token latency (p50, p95: from sending a message to the first
piece of the reply on screen, queueing included) and chat turns per second, as JSON.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import random
import re
import string
import subprocess
import sys
import threading
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")

from gradio_client import Client  # noqa: E402

from ui.testing import free_port  # noqa: E402

logger = logging.getLogger("load_test")

REPO_ROOT = Path(__file__).resolve().parent.parent
TOKEN = re.compile(r"\bzq[a-z]{6}\b")
CARD = re.compile(r'data-item-id="([^"]*)".*?<div class="title">([^<]*)</div>', re.S)
CART_ITEM = re.compile(r"<li>(.*?) &mdash;")
# Replies that mean the server failed the shopper (ui.handlers.APOLOGY, assistant.limits RATE).
FAILURE_TEXTS = ("Sorry, I couldn't answer that just now", "faster than I can answer")
MESSAGES = [
    "How long does shipping take? ({token})",
    "show me running shoes under 80 please, ref {token}",
    "What is your return policy? ref {token}",
    "do you have hiking boots? ({token})",
    "Which payment methods do you accept? ref {token}",
    "where is my order 10023? ref {token}",
    "what do you recommend for me? ({token})",
    "thanks, bye ({token})",
]


@dataclass
class ShopperResult:
    token: str
    turns: int = 0
    clicks: int = 0
    first_token_s: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    leaks: list[str] = field(default_factory=list)


def text_of(message: dict) -> str:
    """A chat message's text, whether Gradio sends a string or a list of parts."""
    content = message.get("content", "")
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(p.get("text", "") if isinstance(p, dict) else str(p) for p in content)
    return str(content)


def history_of(outputs) -> list[dict] | None:
    """The chat history among an endpoint's outputs (the first list of role/content dicts)."""
    for value in outputs if isinstance(outputs, list | tuple) else [outputs]:
        if isinstance(value, list) and all(isinstance(m, dict) and "role" in m for m in value):
            return value
    return None


def strings_in(value) -> list[str]:
    """Every string inside an endpoint's outputs (HTML panels, update dicts, history)."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings_in(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in strings_in(v)]
    return []


class Shopper:
    """One simulated shopper: a browser session that chats and clicks until the deadline."""

    def __init__(self, url: str, token: str, seed: int, max_turns: int, timeout: float) -> None:
        self.url = url
        self.result = ShopperResult(token)
        self.rng = random.Random(seed)
        self.max_turns = max_turns
        self.timeout = timeout
        self.carted: dict[str, str] = {}  # item_id -> title, what this shopper put in its cart
        self.panel: list[tuple[str, str, bool]] = []  # (item_id, title, in stock) on screen

    def run(self, deadline: float) -> ShopperResult:
        try:
            time.sleep(self.rng.uniform(0.0, 2.0))  # shoppers arrive over two seconds
            client = Client(
                self.url,
                verbose=False,
                download_files=False,
                analytics_enabled=False,
                httpx_kwargs={"timeout": self.timeout},  # a busy server answers late, not never
            )
            self._see(client.predict(api_name="/load"), "load")
            history: list[dict] = []
            while self.result.turns < self.max_turns and time.monotonic() < deadline:
                history = self._chat(client, history)
                if self.panel and time.monotonic() < deadline:
                    self._click(client, self.rng.choice(("view", "cart")))
                time.sleep(self.rng.uniform(0.05, 0.3))  # the shopper reads
        except Exception as exc:  # every failure is counted, none ends the run
            self.result.errors.append(f"{type(exc).__name__}: {exc}")
        return self.result

    def _chat(self, client: Client, history: list[dict]) -> list[dict]:
        message = self.rng.choice(MESSAGES).format(token=self.result.token)
        sent = time.monotonic()
        job = client.submit(message, history, api_name="/chat")
        first = None
        while not job.done():
            if first is None and self._has_reply_text(job.outputs()):
                first = time.monotonic() - sent
            time.sleep(0.02)
        outputs = job.result(timeout=self.timeout)
        if first is None:  # the whole reply came in one update
            first = time.monotonic() - sent
        new_history = history_of(outputs)
        if new_history is None or len(new_history) != len(history) + 2:
            raise RuntimeError(f"/chat returned no history of {len(history) + 2} messages")
        reply = text_of(new_history[-1])
        if not reply.strip() or any(text in reply for text in FAILURE_TEXTS):
            self.result.errors.append(f"turn {self.result.turns + 1}: failed reply {reply!r}")
        self._check_tokens(strings_in(outputs), "chat")
        self.result.turns += 1
        self.result.first_token_s.append(first)
        return new_history

    @staticmethod
    def _has_reply_text(outputs: list) -> bool:
        for out in reversed(outputs):
            history = history_of(out)
            if history and history[-1].get("role") == "assistant" and text_of(history[-1]):
                return True
        return False

    def _click(self, client: Client, event: str) -> None:
        slot = self.rng.randrange(len(self.panel))
        item_id, title, in_stock = self.panel[slot]
        event = event if in_stock else "view"  # a shopper sees "out of stock" on the card
        outputs = client.predict(api_name=f"/{event}_{slot}")
        self.result.clicks += 1
        if event == "cart":
            self.carted[item_id] = title
        self._see(outputs, f"{event} of {item_id}")

    def _see(self, outputs, where: str) -> None:
        """Read the panel's cards and check that the cart holds exactly this shopper's items."""
        texts = strings_in(outputs)
        self._check_tokens(texts, where)
        cards = [
            (*found, "out of stock" not in text)
            for text in texts
            if text.startswith('<div class="card"')
            for found in CARD.findall(text)
        ]
        if cards:
            self.panel = cards
        carts = [t for t in texts if 'class="cart-list"' in t or "Your cart is empty" in t]
        if not carts:
            self.result.errors.append(f"{where}: no cart in the panel")
            return
        shown = sorted(CART_ITEM.findall(carts[0]))
        expected = sorted(self.carted.values())
        if shown != expected:
            self.result.leaks.append(f"{where}: cart shows {shown}, this shopper added {expected}")

    def _check_tokens(self, texts: list[str], where: str) -> None:
        others = {t for text in texts for t in TOKEN.findall(text)} - {self.result.token}
        if others:
            self.result.leaks.append(f"{where}: saw other shoppers' tokens {sorted(others)}")


def new_tokens(n: int) -> list[str]:
    """Fresh random tokens: a turn log may hold earlier runs' shoppers too."""
    rng = random.SystemRandom()
    tokens: set[str] = set()
    while len(tokens) < n:
        tokens.add("zq" + "".join(rng.choices(string.ascii_lowercase, k=6)))
    return sorted(tokens)


def percentile(values: list[float], q: float) -> float | None:
    """The q-th percentile (nearest rank) of `values`, None when there are none."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, round(q / 100 * len(ordered) + 0.5 - 1e-9))
    return ordered[min(rank, len(ordered)) - 1]


def check_turn_log(path: Path, tokens: list[str]) -> list[str]:
    """Leaks in the server's turn log: one token per session id, one session id per token."""
    tokens_of: dict[str, set[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            continue
        if record.get("event") != "turn":
            continue
        found = set(TOKEN.findall(str(record.get("user", "")))) & set(tokens)
        tokens_of.setdefault(record.get("session_id"), set()).update(found)
    problems = [f"log session {s} holds tokens {sorted(t)}" for s, t in tokens_of.items()
                if len(t) > 1]  # fmt: skip
    sessions_of = {t: [s for s, found in tokens_of.items() if t in found] for t in tokens}
    problems += [f"log: token {t} in sessions {s}" for t, s in sessions_of.items() if len(s) > 1]
    return problems


def run_load(
    url: str,
    shoppers: int,
    duration: float,
    max_turns: int = 1000,
    seed: int = 0,
    timeout: float = 600.0,
    turn_log: Path | None = None,
) -> dict:
    """Drive `shoppers` concurrent shoppers against `url` for `duration` seconds; a report."""
    rng = random.Random(seed)
    tokens = new_tokens(shoppers)
    runners = [Shopper(url, t, rng.randrange(2**31), max_turns, timeout) for t in tokens]
    results: list[ShopperResult | None] = [None] * shoppers
    started = time.monotonic()
    deadline = started + duration

    def work(i: int) -> None:
        results[i] = runners[i].run(deadline)

    threads = [threading.Thread(target=work, args=(i,), daemon=True) for i in range(shoppers)]
    for thread in threads:
        thread.start()
    for thread in threads:  # a turn that started before the deadline may finish after it
        thread.join(max(0.0, deadline + timeout - time.monotonic()))
    elapsed = time.monotonic() - started
    hung = [tokens[i] for i, r in enumerate(results) if r is None]
    done = [r for r in results if r is not None]
    latencies = [s for r in done for s in r.first_token_s]
    turns = sum(r.turns for r in done)
    errors = [f"{r.token}: {e}" for r in done for e in r.errors]
    errors += [f"{t}: did not finish within the time bound" for t in hung]
    leaks = [f"{r.token}: {e}" for r in done for e in r.leaks]
    if turn_log is not None and turn_log.exists():
        leaks += check_turn_log(turn_log, tokens)
    return {
        "shoppers": shoppers,
        "duration_s": round(elapsed, 1),
        "turns": turns,
        "clicks": sum(r.clicks for r in done),
        "turns_per_s": round(turns / elapsed, 3) if elapsed else 0.0,
        "first_token_p50_s": _round(percentile(latencies, 50)),
        "first_token_p95_s": _round(percentile(latencies, 95)),
        "errors": errors,
        "leaks": leaks,
        "turn_log_checked": bool(turn_log is not None and turn_log.exists()),
        "per_shopper_turns": [r.turns for r in done],
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


# ----------------------------------------------------------------- the server
def start_server(args: argparse.Namespace, port: int, log_path: Path) -> subprocess.Popen:
    """`shop-assistant serve` (or the rule-based fake app) on 127.0.0.1:`port`."""
    if args.fake:
        command = [sys.executable, "-m", "ui.app", "--fake", "--port", str(port)]
    else:
        command = [sys.executable, "-m", "ui.cli", "serve", "--host", "127.0.0.1",
                   "--port", str(port)]  # fmt: skip
        for flag in ("config", "data_dir", "shop_dir", "reply_mode"):
            value = getattr(args, flag)
            if value:
                command += [f"--{flag.replace('_', '-')}", str(value)]
    log = open(log_path, "w", encoding="utf-8")  # noqa: SIM115 - the server keeps it open
    logger.info("starting %s (log: %s)", " ".join(command), log_path)
    return subprocess.Popen(command, cwd=REPO_ROOT, stdout=log, stderr=subprocess.STDOUT)


def wait_ready(url: str, server: subprocess.Popen, timeout: float) -> float:
    """Seconds until `url` answers; raises when the server exits or the timeout passes."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if server.poll() is not None:
            raise RuntimeError(f"the server exited with code {server.returncode}")
        try:
            with urllib.request.urlopen(url + "config", timeout=5) as response:
                if response.status == 200:
                    return time.monotonic() - started
        except OSError:
            pass
        time.sleep(1.0)
    raise TimeoutError(f"{url} did not answer within {timeout:.0f} s")


def server_memory_mb(pid: int) -> dict:
    """The server process's resident set now and its peak (VmRSS, VmHWM from /proc), in MB;
    {} where /proc is not there (not Linux)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="ascii")
    except OSError:
        return {}
    out = {}
    for line in status.splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):  # "  123456 kB"
            out[{"VmRSS": "rss_mb", "VmHWM": "peak_rss_mb"}[key]] = round(
                int(value.split()[0]) / 1024
            )
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--shoppers", type=int, default=20)
    parser.add_argument("--duration", type=float, default=120.0, help="seconds of load")
    parser.add_argument("--max-turns", type=int, default=1000, help="chat turns per shopper")
    parser.add_argument("--timeout", type=float, default=600.0, help="seconds for one request")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--url", help="load a running server instead of starting one")
    parser.add_argument("--fake", action="store_true", help="serve the rule-based stand-in")
    parser.add_argument("--config", help="YAML settings for `shop-assistant serve`")
    parser.add_argument("--data-dir", dest="data_dir", help="caches folder for the server")
    parser.add_argument("--shop-dir", dest="shop_dir")
    parser.add_argument("--reply-mode", dest="reply_mode", choices=["generate", "extractive"])
    parser.add_argument("--turn-log", type=Path, help="the server's turns.jsonl, to check too")
    parser.add_argument("--start-timeout", type=float, default=1800.0)
    parser.add_argument("--server-log", type=Path, default=Path("/tmp/load_test_server.log"))
    parser.add_argument("--out", type=Path, help="write the report here as JSON too")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    logging.getLogger("httpx").setLevel(logging.WARNING)  # a line per request otherwise
    server = None
    url = args.url
    try:
        if url is None:
            port = free_port()
            url = f"http://127.0.0.1:{port}/"
            server = start_server(args, port, args.server_log)
            ready = wait_ready(url, server, args.start_timeout)
            logger.info("server ready after %.0f s", ready)
            at_ready = server_memory_mb(server.pid)
        turn_log = args.turn_log
        if turn_log is None and args.data_dir:
            turn_log = Path(args.data_dir) / "logs" / "turns.jsonl"
        report = run_load(url, args.shoppers, args.duration, args.max_turns, args.seed,
                          args.timeout, turn_log)  # fmt: skip
        if server is not None:
            report["server_ready_s"] = round(ready, 1)
            report["server_memory_at_ready"] = at_ready
            report["server_memory_after_load"] = server_memory_mb(server.pid)
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(30)
            except subprocess.TimeoutExpired:
                server.kill()
    text = json.dumps(report, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    return 0 if not report["errors"] and not report["leaks"] else 1


if __name__ == "__main__":
    sys.exit(main())
