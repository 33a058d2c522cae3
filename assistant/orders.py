"""The shop's orders in SQLite, and the tools that read and change them.

No tool reveals or changes an order unless both its id and the customer's email match.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sqlite3
import threading
from pathlib import Path
from typing import Any

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
    currency TEXT NOT NULL
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
        except json.JSONDecodeError as exc:
            raise OrderFileError(path, number, f"invalid JSON: {exc.msg}") from None
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
        if isinstance(total, bool) or not isinstance(total, int | float) or total != total:
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

    def load_jsonl(self, path: Path | str) -> int:
        """Import orders from `path` unless this exact file was imported before.

        Orders changed by the tools (cancelled, new address) are kept: an import only adds
        orders that are not in the database yet. Returns the number of orders added.
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
                before = self._conn.total_changes
                for r in rows:
                    self._conn.execute(
                        "INSERT OR IGNORE INTO orders VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
                        (
                            r["order_id"], r["email"].lower(), r["status"], r["order_date"],
                            r.get("shipped_date"), r.get("delivered_date"),
                            r.get("tracking_number"), r.get("carrier"),
                            r.get("shipping_address"), json.dumps(r["items"]),
                            float(r["total"]), r.get("currency", "USD"),
                        ),
                    )  # fmt: skip
                added = self._conn.total_changes - before
                self._conn.execute("INSERT OR REPLACE INTO meta VALUES ('source', ?)", (digest,))
                self._conn.execute("COMMIT")
            except Exception:
                self._conn.execute("ROLLBACK")
                raise
        logger.info("orders database %s: %d orders added", self.db_path, added)
        return added

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
