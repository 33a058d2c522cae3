"""The shop's orders in SQLite, and the tools that read and change them.

No tool reveals or changes an order unless both its id and the customer's email match.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import re
import sqlite3
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from assistant.limits import FailureLimiter

logger = logging.getLogger(__name__)

SCHEMA = """
CREATE TABLE IF NOT EXISTS orders (
    order_id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    status TEXT NOT NULL,
    order_date TEXT NOT NULL,
    shipped_date TEXT,
    delivered_date TEXT,
    tracking_number TEXT,
    carrier TEXT,
    shipping_address TEXT,
    items TEXT NOT NULL,
    total REAL NOT NULL,
    currency TEXT NOT NULL,
    source_hash TEXT
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
REQUIRED = ("order_id", "email", "status", "order_date", "items", "total")
STATUSES = ("processing", "shipped", "delivered", "cancelled", "returned")
OPTIONAL_TEXT = ("shipped_date", "delivered_date", "tracking_number", "carrier",
                 "shipping_address", "currency")  # fmt: skip


class OrderFileError(ValueError):
    """A row of the orders file is malformed; the message names file and line."""

    def __init__(self, path: Path | str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")


def _read_orders(path: Path) -> list[dict[str, Any]]:
    rows, seen = [], set()
    raw = Path(path).read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise OrderFileError(path, line, f"not UTF-8 text ({exc.reason})") from None
    # Split on newlines only: U+2028 inside a JSON string is not a line break.
    lines = text.split("\n")
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except (ValueError, RecursionError) as exc:  # also: nested too deep, a 5,000-digit number
            reason = getattr(exc, "msg", exc)
            raise OrderFileError(path, number, f"invalid JSON: {reason}") from None
        if not isinstance(row, dict):
            raise OrderFileError(path, number, "expected a JSON object")
        for key in REQUIRED:
            if row.get(key) in (None, ""):
                raise OrderFileError(path, number, f"missing field {key!r}")
        if row["status"] not in STATUSES:
            raise OrderFileError(
                path, number, f"status: expected one of {STATUSES}, got {row['status']!r}"
            )
        if not isinstance(row["items"], list):
            raise OrderFileError(path, number, "items: expected a list")
        total = row["total"]
        if (
            isinstance(total, bool)
            or not isinstance(total, int | float)
            or not math.isfinite(total)
        ):
            raise OrderFileError(path, number, f"total: expected a number, got {total!r}")
        for key in ("order_id", "email", "order_date"):
            if not isinstance(row[key], str | int) or isinstance(row[key], bool):
                raise OrderFileError(path, number, f"{key}: expected text, got {row[key]!r}")
        if not isinstance(row["email"], str):
            raise OrderFileError(path, number, f"email: expected text, got {row['email']!r}")
        for key in OPTIONAL_TEXT:
            if row.get(key) is not None and not isinstance(row[key], str):
                raise OrderFileError(
                    path, number, f"{key}: expected text or null, got {row[key]!r}"
                )
        if not all(isinstance(item, dict) for item in row["items"]):
            raise OrderFileError(path, number, "items: expected a list of objects")
        row["order_id"] = str(row["order_id"])
        if row["order_id"] in seen:
            raise OrderFileError(path, number, f"duplicate order_id {row['order_id']!r}")
        seen.add(row["order_id"])
        rows.append(row)
    if not rows:
        raise OrderFileError(path, 1, "no orders in file")
    return rows


class OrderBook:
    """Orders in a SQLite file, built from the shop's orders.jsonl once and then re-used."""

    def __init__(self, db_path: Path | str) -> None:
        self.db_path = Path(db_path)
        self.db_path.parent.mkdir(parents=True, exist_ok=True)
        self._lock = threading.Lock()
        self._conn = sqlite3.connect(self.db_path, check_same_thread=False, isolation_level=None)
        self._conn.row_factory = sqlite3.Row
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.executescript(SCHEMA)
        self._migrate()

    def _migrate(self) -> None:
        """Databases made before `source_hash` existed get the column (NULL: re-imported)."""
        columns = {row[1] for row in self._conn.execute("PRAGMA table_info(orders)")}
        if "source_hash" not in columns:
            self._conn.execute("ALTER TABLE orders ADD COLUMN source_hash TEXT")

    def load_jsonl(self, path: Path | str) -> int:
        """Import orders from `path` unless this exact file was imported before.

        New orders are added. An order whose row in the file changed since it was imported
        (the shop's system shipped or delivered it) is updated from the file, which is the
        shop's record. An order whose row did not change keeps what the tools did to it
        (cancelled, new address). Returns the number of orders added or updated.
        """
        path = Path(path)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        with self._lock:
            done = self._conn.execute("SELECT value FROM meta WHERE key='source'").fetchone()
            if done and done[0] == digest:
                return 0
            rows = _read_orders(path)
            self._conn.execute("BEGIN")
            try:
                imported = dict(self._conn.execute("SELECT order_id, source_hash FROM orders"))
                added = updated = 0
                for r in rows:
                    row_hash = hashlib.sha256(json.dumps(r, sort_keys=True).encode()).hexdigest()
                    if imported.get(r["order_id"], "") == row_hash:
                        continue
                    values = (
                        r["order_id"], r["email"].lower(), r["status"], r["order_date"],
                        r.get("shipped_date"), r.get("delivered_date"),
                        r.get("tracking_number"), r.get("carrier"),
                        r.get("shipping_address"), json.dumps(r["items"]),
                        float(r["total"]), r.get("currency", "USD"), row_hash,
                    )  # fmt: skip
                    self._conn.execute(
                        "INSERT OR REPLACE INTO orders VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", values
                    )
                    if r["order_id"] in imported:
                        updated += 1
                    else:
                        added += 1
                self._conn.execute("INSERT OR REPLACE INTO meta VALUES ('source', ?)", (digest,))
                self._conn.execute("COMMIT")
            except Exception:
                self._conn.execute("ROLLBACK")
                raise
        logger.info("orders database %s: %d orders added, %d updated", self.db_path, added, updated)
        return added + updated

    def count(self) -> int:
        with self._lock:
            return self._conn.execute("SELECT COUNT(*) FROM orders").fetchone()[0]

    def lookup(self, order_id: str, email: str) -> dict[str, Any] | None:
        """The order if both id and email match, else None (never says which one failed)."""
        with self._lock:
            row = self._conn.execute(
                "SELECT * FROM orders WHERE order_id = ? AND email = ?",
                (str(order_id).strip(), email.strip().lower()),
            ).fetchone()
        if row is None:
            return None
        order = dict(row)
        order.pop("source_hash", None)
        order["items"] = json.loads(order["items"])
        return order

    def cancel(self, order_id: str, email: str) -> tuple[bool, dict[str, Any] | None]:
        """Cancel an order that has not shipped. Returns (cancelled, order as it now is)."""
        with self._lock:
            cur = self._conn.execute(
                "UPDATE orders SET status='cancelled' "
                "WHERE order_id=? AND email=? AND status='processing'",
                (str(order_id).strip(), email.strip().lower()),
            )
            changed = cur.rowcount == 1
        return changed, self.lookup(order_id, email)

    def close(self) -> None:
        self._conn.close()


def update_address(book: OrderBook, order_id: str, email: str, address: str) -> bool:
    """Set a new delivery address on an order that has not shipped; True if it changed."""
    address = " ".join(address.split())
    if not 5 <= len(address) <= 300:
        raise ValueError(f"address: expected 5 to 300 characters, got {len(address)}")
    with book._lock:
        cur = book._conn.execute(
            "UPDATE orders SET shipping_address=? "
            "WHERE order_id=? AND email=? AND status='processing'",
            (address, str(order_id).strip(), email.strip().lower()),
        )
        return cur.rowcount == 1


# ---------------------------------------------------------------------- shop tools
EMAIL_FORMAT = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
ORDER_ID_FORMAT = re.compile(r"[A-Za-z0-9-]{1,32}")
TOO_MANY_ATTEMPTS = "too_many_attempts"  # a ToolCall result: lookups refused for a while
RETURN_DAYS = re.compile(
    r"within (\d{1,3}) days|(\d{1,3}) days (?:of|after|from) (?:delivery|receipt)", re.I
)


def policy_return_days(entries: Iterable) -> int | None:
    """The return window in days, read from the shop's English return-policy FAQ entry.

    Entries of topic "return-policy" come first, then any "returns" entry; None when no
    entry states "within N days" or "N days of delivery".
    """
    english = [e for e in entries if e.language == "en" and e.category == "returns"]
    english.sort(key=lambda e: e.topic != "return-policy")
    for entry in english:
        match = RETURN_DAYS.search(entry.answer)
        if match:
            return int(match.group(1) or match.group(2))
    return None


@dataclass
class ToolCall:
    """One call of a shop tool, as recorded on the Reply: arguments redacted, result short."""

    name: str
    args: dict[str, Any]
    ok: bool
    result: str
    order: dict[str, Any] | None = field(default=None, repr=False)
    facts: dict[str, Any] = field(default_factory=dict)  # values for the reply template

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "args": self.args, "ok": self.ok, "result": self.result}


def missing_arguments(order_id: str | None, email: str | None) -> list[str]:
    """Which of order_id and email are absent or malformed ("order_id", "email")."""
    missing = []
    if not order_id or not ORDER_ID_FORMAT.fullmatch(str(order_id).strip()):
        missing.append("order_id")
    if not email or not EMAIL_FORMAT.fullmatch(email.strip()):
        missing.append("email")
    return missing


class ShopTools:
    """Order status, return eligibility, cancel and change of address over an OrderBook.

    Every tool needs the order id and the email that placed the order; with either one
    missing or malformed it raises ValueError naming them, and with the pair not matching
    it reports "not found" without saying which one was wrong. Failed lookups are counted
    per email and per order id across all sessions (`limiter`): once either has too many in
    the window, every tool answers TOO_MANY_ATTEMPTS for it, a right pair included, so
    guessing from fresh sessions learns nothing.
    """

    def __init__(self, book: OrderBook, return_days: int | None,
                 today: Callable[[], date] = date.today,
                 limiter: FailureLimiter | None = None) -> None:  # fmt: skip
        if return_days is not None and (isinstance(return_days, bool) or return_days < 1):
            raise ValueError(f"return_days: expected a positive number, got {return_days!r}")
        self.book = book
        self.return_days = return_days
        self.today = today
        self.limiter = limiter if limiter is not None else FailureLimiter()

    @staticmethod
    def _args(order_id, email, **extra) -> dict[str, Any]:
        return {"order_id": order_id, "email": "<email>" if email else None} | extra

    def _find(self, name: str, order_id, email, **extra) -> ToolCall:
        missing = missing_arguments(order_id, email)
        if missing:
            raise ValueError(f"{name}: missing or malformed {', '.join(missing)}")
        args = self._args(order_id, email, **extra)
        keys = (f"email:{email.strip().lower()}", f"order:{str(order_id).strip().upper()}")
        if self.limiter.blocked(*keys):
            return ToolCall(name, args, False, TOO_MANY_ATTEMPTS)
        order = self.book.lookup(order_id, email)
        if order is None:
            self.limiter.fail(*keys)
            return ToolCall(name, args, False, "not_found")
        return ToolCall(name, args, True, order["status"], order=order)

    def order_status(self, order_id: str, email: str) -> ToolCall:
        return self._find("order_status", order_id, email)

    def return_eligibility(self, order_id: str, email: str) -> ToolCall:
        """Whether the order can be returned today, from its delivered date and the policy."""
        call = self._find("return_eligibility", order_id, email)
        if not call.ok:
            return call
        order, days = call.order, self.return_days
        call.facts = {"order_id": order["order_id"], "days": days}
        if days is None:
            call.ok, call.result = False, "no_policy"
        elif order["status"] == "processing":
            call.result = "not_shipped"
        elif order["status"] in ("cancelled", "returned"):
            call.result = "closed"
        elif order["status"] == "shipped" or not order.get("delivered_date"):
            call.result = "not_delivered"
        else:
            try:
                delivered = date.fromisoformat(order["delivered_date"][:10])
            except ValueError:
                call.ok, call.result = False, "bad_date"
                return call
            deadline = delivered + timedelta(days=days)
            call.facts |= {"delivered_date": delivered.isoformat(),
                           "deadline": deadline.isoformat()}  # fmt: skip
            call.result = "eligible" if self.today() <= deadline else "expired"
        return call

    def cancel_order(self, order_id: str, email: str) -> ToolCall:
        """Cancel an order that has not shipped; result "cancelled" or "too_late"."""
        call = self._find("cancel_order", order_id, email)
        if not call.ok:
            return call
        cancelled, order = self.book.cancel(order_id, email)
        call.order = order
        call.ok, call.result = cancelled, "cancelled" if cancelled else "too_late"
        return call

    def change_address(self, order_id: str, email: str, address: str) -> ToolCall:
        """Set a new delivery address before shipping; result "changed" or "too_late"."""
        call = self._find("change_address", order_id, email, address="<address>")
        if not call.ok:
            return call
        changed = update_address(self.book, order_id, email, address)
        call.ok, call.result = changed, "changed" if changed else "too_late"
        call.order = self.book.lookup(order_id, email)
        return call
