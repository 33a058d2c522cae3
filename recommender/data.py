"""Readers for interaction logs: the project's CSV, YooChoose clicks, UCI Online Retail invoices
and any CSV given a column mapping. Malformed rows raise InteractionFileError with the line."""

from __future__ import annotations

import csv
import io
import logging
import math
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

logger = logging.getLogger(__name__)

EVENT_TYPES: tuple[str, ...] = ("view", "cart", "purchase")
CSV_COLUMNS: tuple[str, ...] = ("session_id", "user_id", "item_id", "event", "timestamp")
YOOCHOOSE_COLUMNS: tuple[str, ...] = ("SessionId", "ItemId", "Time")


class InteractionFileError(ValueError):
    """A malformed interaction file; str() is "path:line: message" (line omitted when unknown)."""

    def __init__(self, path: str | Path, line: int | None, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        where = self.path if line is None else f"{self.path}:{line}"
        super().__init__(f"{where}: {message}")


@dataclass(frozen=True)
class Event:
    """One shopper action. timestamp is timezone-aware UTC; user_id is None for guests."""

    session_id: str
    user_id: str | None
    item_id: str
    event: str
    timestamp: datetime


def _read_text(path: Path) -> str:
    """Read the file as UTF-8 (a BOM is allowed), pointing at the first undecodable line."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InteractionFileError(path, None, f"cannot read file: {exc}") from exc
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InteractionFileError(
            path, line, f"not valid UTF-8 (byte 0x{raw[exc.start]:02x})"
        ) from exc


def _parse_iso(value: str) -> datetime:
    """Parse ISO-8601; naive times are taken as UTC, aware ones converted to UTC."""
    stamp = datetime.fromisoformat(value)
    if stamp.tzinfo is None:
        return stamp.replace(tzinfo=UTC)
    return stamp.astimezone(UTC)


def load_interactions(path: str | Path) -> list[Event]:
    """Read the demo shop's interactions.csv into events, in file order.

    Raises InteractionFileError naming the line for a missing column, an empty file, a row with
    the wrong number of fields, an empty id, an unknown event or an unparsable timestamp.
    """
    path = Path(path)
    events: list[Event] = []
    for line, row in _csv_rows(path, CSV_COLUMNS):
        values = {name: row[name] for name in CSV_COLUMNS}
        for field in ("session_id", "item_id"):
            if not values[field]:
                raise InteractionFileError(path, line, f"field {field} is empty")
        if values["event"] not in EVENT_TYPES:
            raise InteractionFileError(
                path,
                line,
                f"field event is {values['event']!r}, expected one of {'|'.join(EVENT_TYPES)}",
            )
        try:
            stamp = _parse_iso(values["timestamp"])
        except ValueError:
            raise InteractionFileError(
                path,
                line,
                f"field timestamp is {values['timestamp']!r}, expected ISO-8601 such as "
                "2026-10-01T12:00:05Z",
            ) from None
        events.append(
            Event(
                session_id=values["session_id"],
                user_id=values["user_id"] or None,
                item_id=values["item_id"],
                event=values["event"],
                timestamp=stamp,
            )
        )
    if not events:
        raise InteractionFileError(path, 2, "no interaction rows after the header")
    logger.info("Loaded %d interactions from %s", len(events), path)
    return events


def load_yoochoose(path: str | Path, max_events: int | None = None) -> list[Event]:
    """Read a YooChoose (RecSys Challenge 2015) click file: tab-separated SessionId ItemId Time.

    Time is float epoch seconds. Every click becomes a "view" event without a user.
    max_events stops early, for quick experiments.
    """
    path = Path(path)
    text = _read_text(path)
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise InteractionFileError(path, 1, "file is empty (expected a header line)")
    header = [name.strip() for name in lines[0].split("\t")]
    missing = [name for name in YOOCHOOSE_COLUMNS if name not in header]
    if missing:
        raise InteractionFileError(
            path, 1, f"missing column(s) {', '.join(missing)}; expected tab-separated header"
        )
    index = {name: header.index(name) for name in YOOCHOOSE_COLUMNS}

    events: list[Event] = []
    for line_no, line in enumerate(lines[1:], start=2):
        if max_events is not None and len(events) >= max_events:
            break
        if not line.strip():
            continue
        cells = line.split("\t")
        if len(cells) != len(header):
            raise InteractionFileError(
                path, line_no, f"expected {len(header)} tab-separated fields, found {len(cells)}"
            )
        session_id = cells[index["SessionId"]].strip()
        item_id = cells[index["ItemId"]].strip()
        if not session_id or not item_id:
            raise InteractionFileError(path, line_no, "field SessionId or ItemId is empty")
        raw_time = cells[index["Time"]].strip()
        try:
            seconds = float(raw_time)
            if not math.isfinite(seconds):
                raise ValueError(raw_time)
            stamp = datetime.fromtimestamp(seconds, tz=UTC)
        except (ValueError, OverflowError, OSError):
            raise InteractionFileError(
                path, line_no, f"field Time is {raw_time!r}, expected epoch seconds"
            ) from None
        events.append(Event(session_id, None, item_id, "view", stamp))
    if not events:
        raise InteractionFileError(path, 2, "no click rows after the header")
    logger.info("Loaded %d YooChoose clicks from %s", len(events), path)
    return events


def group_sessions(events: list[Event]) -> dict[str, list[Event]]:
    """Events per session, each list sorted by time (file order breaks ties)."""
    sessions: dict[str, list[Event]] = {}
    for event in events:
        sessions.setdefault(event.session_id, []).append(event)
    for session_events in sessions.values():
        session_events.sort(key=lambda e: e.timestamp)  # sort is stable: file order kept on ties
    return sessions


def _csv_rows(
    path: Path, required: Sequence[str], delimiter: str = ","
) -> Iterator[tuple[int, dict]]:
    """(line number, {column: stripped value}) for every non-blank row of a CSV file.

    Raises InteractionFileError for an empty file, missing columns, unreadable CSV and rows with
    the wrong number of fields.
    """
    text = _read_text(path)
    if not text.strip():
        raise InteractionFileError(path, 1, "file is empty (expected a header line)")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [name.strip() for name in next(reader)]
    except csv.Error as exc:
        raise InteractionFileError(path, 1, f"unreadable CSV header: {exc}") from exc
    missing = [name for name in required if name not in header]
    if missing:
        raise InteractionFileError(
            path, 1, f"missing column(s) {', '.join(missing)}; header is {delimiter.join(header)}"
        )
    while True:
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise InteractionFileError(path, reader.line_num, f"unreadable CSV row: {exc}") from exc
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise InteractionFileError(
                path, reader.line_num, f"expected {len(header)} fields, found {len(row)}"
            )
        yield reader.line_num, {name: cell.strip() for name, cell in zip(header, row, strict=True)}


def _parse_time(value: str, time_format: str | None) -> datetime:
    """ISO-8601, epoch seconds (a plain number) or an explicit strptime format; UTC."""
    if time_format:
        stamp = datetime.strptime(value, time_format)
        return stamp.replace(tzinfo=UTC) if stamp.tzinfo is None else stamp.astimezone(UTC)
    try:
        seconds = float(value)
    except ValueError:
        return _parse_iso(value)
    if not math.isfinite(seconds):
        raise ValueError(value)
    return datetime.fromtimestamp(seconds, tz=UTC)


ONLINE_RETAIL_COLUMNS: tuple[str, ...] = (
    "InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate", "UnitPrice", "CustomerID",
)  # fmt: skip


def load_online_retail(path: str | Path) -> tuple[list[Event], dict[str, dict]]:
    """Read UCI Online Retail invoice lines: each invoice is a session of "purchase" events.

    Returns the events and a catalogue item_id -> {"title", "price"} (last price seen).
    Cancellations (InvoiceNo starting with "C") and lines with quantity <= 0 are returns, not
    purchases, and are skipped. CustomerID "17850.0" becomes user "17850"; empty means a guest.
    """
    path = Path(path)
    events: list[Event] = []
    items: dict[str, dict] = {}
    skipped = 0
    for line, row in _csv_rows(path, ONLINE_RETAIL_COLUMNS):
        for name in ("InvoiceNo", "StockCode", "InvoiceDate"):
            if not row[name]:
                raise InteractionFileError(path, line, f"field {name} is empty")
        try:
            quantity = int(float(row["Quantity"]))
        except ValueError:
            raise InteractionFileError(
                path, line, f"field Quantity is {row['Quantity']!r}, expected an integer"
            ) from None
        try:
            price = float(row["UnitPrice"])
            if not math.isfinite(price):
                raise ValueError(price)
        except ValueError:
            raise InteractionFileError(
                path, line, f"field UnitPrice is {row['UnitPrice']!r}, expected a number"
            ) from None
        try:
            stamp = _parse_time(row["InvoiceDate"], None)
        except ValueError:
            raise InteractionFileError(
                path, line, f"field InvoiceDate is {row['InvoiceDate']!r}, expected a date "
                "such as 2010-12-01 08:26:00",
            ) from None  # fmt: skip
        if row["InvoiceNo"].startswith("C") or quantity <= 0:
            skipped += 1
            continue
        customer = row["CustomerID"].removesuffix(".0") or None
        events.append(Event(row["InvoiceNo"], customer, row["StockCode"], "purchase", stamp))
        items[row["StockCode"]] = {"title": row["Description"], "price": price}
    if not events:
        raise InteractionFileError(path, 2, "no purchase rows after the header")
    logger.info("Loaded %d invoice lines from %s (%d returns skipped)", len(events), path, skipped)
    return events, items


def load_csv(
    path: str | Path,
    columns: Mapping[str, str],
    *,
    delimiter: str = ",",
    time_format: str | None = None,
    event_map: Mapping[str, str] | None = None,
    default_event: str = "view",
) -> list[Event]:
    """Read any interaction CSV given a column mapping {our field: the file's column}.

    Fields: session_id, item_id, timestamp (required); user_id, event (optional). Times are
    ISO-8601, epoch seconds, or `time_format` (strptime). event_map renames the file's event
    values to view|cart|purchase; without an event column every row is default_event.
    """
    path = Path(path)
    unknown = set(columns) - {"session_id", "item_id", "timestamp", "user_id", "event"}
    missing = {"session_id", "item_id", "timestamp"} - set(columns)
    if unknown or missing:
        raise ValueError(
            f"columns must map session_id, item_id, timestamp (and optionally user_id, event); "
            f"unknown {sorted(unknown)}, missing {sorted(missing)}"
        )
    if default_event not in EVENT_TYPES:
        raise ValueError(f"default_event must be one of {EVENT_TYPES}, got {default_event!r}")
    events: list[Event] = []
    for line, row in _csv_rows(path, list(columns.values()), delimiter):
        values = {field: row[column] for field, column in columns.items()}
        for field in ("session_id", "item_id"):
            if not values[field]:
                raise InteractionFileError(path, line, f"field {columns[field]} is empty")
        event = values.get("event", default_event)
        if event_map is not None and "event" in values:
            event = event_map.get(event, event)
        if event not in EVENT_TYPES:
            raise InteractionFileError(
                path, line,
                f"field {columns.get('event', 'event')} is {event!r}, expected one of "
                f"{'|'.join(EVENT_TYPES)} (after event_map)",
            )  # fmt: skip
        try:
            stamp = _parse_time(values["timestamp"], time_format)
        except (ValueError, OverflowError, OSError):
            raise InteractionFileError(
                path, line, f"field {columns['timestamp']} is {values['timestamp']!r}, expected "
                f"{time_format or 'ISO-8601 or epoch seconds'}",
            ) from None  # fmt: skip
        user = values.get("user_id") or None
        events.append(Event(values["session_id"], user, values["item_id"], event, stamp))
    if not events:
        raise InteractionFileError(path, 2, "no interaction rows after the header")
    logger.info("Loaded %d interactions from %s", len(events), path)
    return events
