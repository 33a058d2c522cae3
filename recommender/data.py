"""Readers for shopper interaction logs: the demo shop's CSV and the YooChoose click files."""

from __future__ import annotations

import csv
import io
import logging
import math
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
    text = _read_text(path)
    if not text.strip():
        raise InteractionFileError(path, 1, "file is empty (expected a header line)")

    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [name.strip() for name in next(reader)]
    except csv.Error as exc:
        raise InteractionFileError(path, 1, f"unreadable CSV header: {exc}") from exc
    missing = [name for name in CSV_COLUMNS if name not in header]
    if missing:
        raise InteractionFileError(
            path, 1, f"missing column(s) {', '.join(missing)}; header is {','.join(header)}"
        )
    index = {name: header.index(name) for name in CSV_COLUMNS}

    events: list[Event] = []
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise InteractionFileError(path, reader.line_num, f"unreadable CSV row: {exc}") from exc
        line = reader.line_num
        if not row or all(not cell.strip() for cell in row):
            continue  # blank lines (e.g. a trailing one) carry no event
        if len(row) != len(header):
            raise InteractionFileError(
                path, line, f"expected {len(header)} fields, found {len(row)}"
            )
        values = {name: row[i].strip() for name, i in index.items()}
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
