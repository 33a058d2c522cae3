"""Record types for the shop's FAQ and catalogue, and strict readers for their data files.

Both readers accept JSON Lines (one object per line) and CSV (header row first). Every problem
in a file is reported as a :class:`DataFileError` naming the file, the line and the field, so a
broken row can be found and fixed without guessing.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)

__all__ = [
    "DataFileError",
    "FaqEntry",
    "Product",
    "load_catalogue",
    "load_faq",
]

# Attribute columns a catalogue CSV may carry next to the fixed product columns.
CSV_ATTRIBUTE_COLUMNS = ("colour", "size", "material")
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# A short language code: "en", "pt-BR", "zh-Hant", "es-419".
_LANGUAGE = re.compile(r"[A-Za-z]{2,3}(-(?:[A-Za-z]{2,4}|[0-9]{3}))?")
# Control characters other than tab, newline and carriage return (CSV line ends), and lone
# UTF-16 surrogates (a JSON "\ud800" escape): text that cannot be stored or encoded as UTF-8.
_BAD_CHAR = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")
# Longest accepted value per field, in characters; other text fields get DEFAULT_MAX_CHARS.
MAX_CHARS = {
    "faq_id": 200,
    "item_id": 200,
    "question": 1_000,
    "title": 1_000,
    "answer": 20_000,
    "description": 20_000,
}
DEFAULT_MAX_CHARS = 1_000


class DataFileError(ValueError):
    """A data file could not be read; ``str()`` gives ``"path:line: message"``."""

    def __init__(self, path: str | Path, line: int | None, message: str) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")

    def __reduce__(self):  # keeps the three-argument form picklable (e.g. across processes)
        return (type(self), (self.path, self.line, self.message))


@dataclass(frozen=True)
class FaqEntry:
    """One question/answer pair in one language; ``faq_id`` is ``f"{topic}.{language}"``."""

    faq_id: str
    question: str
    answer: str
    language: str = "en"
    category: str = ""
    topic: str = ""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Product:
    """One catalogue item. ``attributes`` holds optional keys such as colour, size, material."""

    item_id: str
    title: str
    description: str
    category: str
    brand: str
    price: float
    currency: str = "USD"
    stock: int = 0
    # Excluded from hashing so products stay usable as dict keys / set members.
    attributes: dict[str, str] = field(default_factory=dict, hash=False)
    language: str = "en"  # the language of title and description (a search filter)

    def __post_init__(self) -> None:
        if isinstance(self.price, bool) or not isinstance(self.price, (int, float)):
            raise ValueError(f"price must be a number, got {self.price!r}")
        if not math.isfinite(self.price) or self.price < 0:
            raise ValueError(f"price must be a finite number >= 0, got {self.price!r}")
        if isinstance(self.stock, bool) or not isinstance(self.stock, int):
            raise ValueError(f"stock must be an integer, got {self.stock!r}")
        if self.stock < 0:
            raise ValueError(f"stock must be >= 0, got {self.stock!r}")
        # Normalise so equality and serialisation do not depend on int-vs-float input,
        # and copy the attributes so the caller's dict cannot change a frozen record.
        object.__setattr__(self, "price", float(self.price))
        object.__setattr__(self, "attributes", dict(self.attributes or {}))

    @property
    def in_stock(self) -> bool:
        return self.stock > 0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# --------------------------------------------------------------------------- field checks


class _FieldError(Exception):
    """Raised by the field checks; the reader adds file and line."""


def _type_name(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _text(row: Mapping[str, Any], name: str, *, required: bool, default: str = "") -> str:
    value = row.get(name)
    if value is None:
        if required:
            raise _FieldError(f"missing required field '{name}'")
        return default
    if not isinstance(value, str):
        raise _FieldError(f"field '{name}' must be a string, got {_type_name(value)}")
    value = _clean(name, value).strip()
    if not value:
        if required:
            raise _FieldError(f"field '{name}' must not be empty")
        return default
    limit = MAX_CHARS.get(name, DEFAULT_MAX_CHARS)
    if len(value) > limit:
        raise _FieldError(f"field '{name}' is {len(value):,} characters long (at most {limit:,})")
    return value


def _clean(name: str, value: str) -> str:
    """Reject text that the store cannot encode (lone surrogates) or that hides control bytes."""
    bad = _BAD_CHAR.search(value)
    if bad:
        what = "a lone surrogate" if "\ud800" <= bad.group() <= "\udfff" else "a control character"
        raise _FieldError(
            f"field '{name}' contains {what} ({bad.group()!r} at character {bad.start()})"
        )
    return value


def _language(row: Mapping[str, Any]) -> str:
    value = _text(row, "language", required=False, default="en")
    if not _LANGUAGE.fullmatch(value):
        raise _FieldError(
            f"field 'language' must be a short language code such as 'en' or 'pt-BR', "
            f"got {value[:40]!r}"
        )
    return value


def _price(row: Mapping[str, Any], name: str, *, from_csv: bool) -> float:
    value = row.get(name)
    if value is None or (from_csv and value.strip() == ""):
        raise _FieldError(f"missing required field '{name}'")
    if from_csv:
        try:
            number = float(value.strip())
        except ValueError:
            raise _FieldError(f"field '{name}' must be a number, got {value!r}") from None
    elif isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _FieldError(f"field '{name}' must be a number, got {_type_name(value)}")
    else:
        number = float(value)
    if not math.isfinite(number) or number < 0:
        raise _FieldError(f"field '{name}' must be a finite number >= 0, got {value!r}")
    return number


def _stock(row: Mapping[str, Any], name: str, *, from_csv: bool) -> int:
    value = row.get(name)
    if value is None or (from_csv and value.strip() == ""):
        return 0
    if from_csv:
        try:
            number = int(value.strip())
        except ValueError:
            raise _FieldError(f"field '{name}' must be an integer, got {value!r}") from None
    elif isinstance(value, bool) or not isinstance(value, int):
        # 3.0 is accepted as 3: some JSON writers emit integral floats.
        if isinstance(value, float) and value.is_integer():
            number = int(value)
        else:
            raise _FieldError(f"field '{name}' must be an integer, got {value!r}")
    else:
        number = value
    if number < 0:
        raise _FieldError(f"field '{name}' must be >= 0, got {number}")
    return number


def _attributes(row: Mapping[str, Any], *, from_csv: bool) -> dict[str, str]:
    if from_csv:
        return {
            key: _text(row, key, required=False)
            for key in CSV_ATTRIBUTE_COLUMNS
            if isinstance(row.get(key), str) and row[key].strip()
        }
    value = row.get("attributes")
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _FieldError(f"field 'attributes' must be an object, got {_type_name(value)}")
    result = {}
    for key, item in value.items():
        if not isinstance(item, str):
            raise _FieldError(f"field 'attributes.{key}' must be a string, got {_type_name(item)}")
        if len(key) > DEFAULT_MAX_CHARS or _BAD_CHAR.search(key):
            raise _FieldError(f"field 'attributes' has a bad key {key[:40]!r}")
        name = f"attributes.{key}"
        item = _text({name: item}, name, required=False)
        if item:
            result[key] = item
    return result


def _faq_from_row(row: Mapping[str, Any], from_csv: bool) -> FaqEntry:
    return FaqEntry(
        faq_id=_text(row, "faq_id", required=True),
        question=_text(row, "question", required=True),
        answer=_text(row, "answer", required=True),
        language=_language(row),
        category=_text(row, "category", required=False),
        topic=_text(row, "topic", required=False),
    )


def _product_from_row(row: Mapping[str, Any], from_csv: bool) -> Product:
    return Product(
        item_id=_text(row, "item_id", required=True),
        title=_text(row, "title", required=True),
        description=_text(row, "description", required=True),
        category=_text(row, "category", required=True),
        brand=_text(row, "brand", required=True),
        price=_price(row, "price", from_csv=from_csv),
        currency=_text(row, "currency", required=False, default="USD"),
        stock=_stock(row, "stock", from_csv=from_csv),
        attributes=_attributes(row, from_csv=from_csv),
        language=_language(row),
    )


# --------------------------------------------------------------------------- file reading


def _read_text(path: Path) -> str:
    """Decode the whole file as UTF-8, reporting the line of the first undecodable byte."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise DataFileError(path, line, f"invalid UTF-8 (byte {exc.start})") from None
    return text.removeprefix("\ufeff")


def _jsonl_rows(path: Path, text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    # Split on "\n" only: str.splitlines() would also split on U+2028 inside JSON strings.
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if not line:
            continue
        try:
            row = json.loads(line)
        except (ValueError, RecursionError) as exc:  # also: nested too deep, a 5,000-digit number
            raise DataFileError(path, number, f"invalid JSON: {getattr(exc, 'msg', exc)}") from None
        if not isinstance(row, dict):
            raise DataFileError(path, number, f"expected a JSON object, got {_type_name(row)}")
        yield number, row


def _csv_rows(
    path: Path, text: str, required: tuple[str, ...]
) -> Iterator[tuple[int, dict[str, Any]]]:
    # strict: an unterminated quote is an error, not a cell that swallows the rest of the file.
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        return
    except csv.Error as exc:
        raise DataFileError(path, 1, f"invalid CSV: {exc}") from None
    header = [name.strip() for name in header]
    missing = [name for name in required if name not in header]
    if missing:
        names = ", ".join(f"'{name}'" for name in missing)
        plural = "s" if len(missing) > 1 else ""
        raise DataFileError(path, 1, f"missing required column{plural} {names} in header")
    while True:
        start = reader.line_num + 1  # a quoted cell may span lines: report where the row starts
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise DataFileError(path, start, f"invalid CSV: {_csv_reason(exc)}") from None
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) > len(header):
            raise DataFileError(
                path, start, f"row has {len(cells)} cells but the header has {len(header)}"
            )
        # Short rows leave trailing columns missing, which the field checks report by name.
        yield start, dict(zip(header, cells, strict=False))


def _csv_reason(exc: csv.Error) -> str:
    reason = str(exc)
    if "unexpected end of data" in reason:  # a quote opened in this row is never closed
        return "unterminated quoted cell (a '\"' without its closing '\"')"
    return reason


def _slug(text: str) -> str:
    return "-".join(_WORD.findall(text.lower()))[:60].strip("-") or "entry"


def _markdown_rows(path: Path, text: str) -> Iterator[tuple[int, dict[str, Any]]]:
    """FAQ entries of a Markdown file: see docs/data-format.md ("faq.md").

    A ``## `` heading is a question; ``key: value`` lines right below it (keys in
    MARKDOWN_KEYS) are its metadata; the text up to the next ``## `` heading is its answer.
    Paragraphs stay separated by a blank line; the lines of one paragraph are joined.
    """
    entry: dict[str, Any] | None = None
    start = 0
    paragraphs: list[list[str]] = []

    def finish() -> Iterator[tuple[int, dict[str, Any]]]:
        if entry is not None:
            entry["answer"] = "\n\n".join(" ".join(p) for p in paragraphs if p)
            if not entry["answer"]:
                raise DataFileError(path, start, "question has no answer below it")
            yield start, _markdown_defaults(entry)

    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.strip()
        if raw.startswith("## ") or line == "##":
            yield from finish()
            question = line[2:].strip()
            if not question:
                raise DataFileError(path, number, "empty question after '##'")
            entry, start, paragraphs = {"question": question}, number, [[]]
            continue
        if entry is None:
            if line and not line.startswith("# "):
                raise DataFileError(path, number, "text before the first '## question' heading")
            continue
        key, sep, value = line.partition(":")
        in_header = not any(paragraphs) and len(paragraphs) == 1
        if in_header and sep and key.strip().lower() in MARKDOWN_KEYS:
            name = MARKDOWN_KEYS[key.strip().lower()]
            if not value.strip():
                raise DataFileError(path, number, f"empty value for '{key.strip()}'")
            if name in entry:
                raise DataFileError(path, number, f"'{key.strip()}' given twice")
            entry[name] = value.strip()
        elif line:
            paragraphs[-1].append(line)
        elif paragraphs[-1]:
            paragraphs.append([])
    yield from finish()


# Metadata keys of a Markdown FAQ entry -> FaqEntry field.
MARKDOWN_KEYS = {"id": "faq_id", "language": "language", "category": "category", "topic": "topic"}


def _markdown_defaults(entry: dict[str, Any]) -> dict[str, Any]:
    """Fill in topic (a slug of the question) and faq_id (topic.language) when not given."""
    language = entry.get("language", "en")
    if "topic" not in entry:
        given = entry.get("faq_id", "")
        # "shipping-times.en" is topic "shipping-times", as in the shop's JSONL files.
        entry["topic"] = given.removesuffix(f".{language}") if given else _slug(entry["question"])
    entry.setdefault("faq_id", f"{entry['topic']}.{language}")
    return entry


def _load(
    path: str | Path,
    build: Callable[[Mapping[str, Any], bool], Any],
    id_field: str,
    required: tuple[str, ...],
    markdown: bool = False,
) -> list[Any]:
    path = Path(path)
    suffix = path.suffix.lower()
    allowed = (".jsonl", ".csv", ".md") if markdown else (".jsonl", ".csv")
    if suffix not in allowed:
        raise DataFileError(
            path, None, f"unsupported file type '{suffix}' (use {' or '.join(allowed)})"
        )
    text = _read_text(path)
    from_csv = suffix == ".csv"
    if suffix == ".md":
        rows = _markdown_rows(path, text)
    else:
        rows = _csv_rows(path, text, required) if from_csv else _jsonl_rows(path, text)
    records: list[Any] = []
    first_seen: dict[str, int] = {}
    for line, row in rows:
        try:
            record = build(row, from_csv)
        except _FieldError as exc:
            raise DataFileError(path, line, str(exc)) from None
        except ValueError as exc:  # raised by the record's own checks
            raise DataFileError(path, line, str(exc)) from None
        key = getattr(record, id_field)
        if key in first_seen:
            raise DataFileError(
                path, line, f"duplicate {id_field} '{key}' (first on line {first_seen[key]})"
            )
        first_seen[key] = line
        records.append(record)
    if not records:
        raise DataFileError(path, 1, "file contains no records")
    logger.debug("read %d records from %s", len(records), path)
    return records


def load_faq(path: str | Path) -> list[FaqEntry]:
    """Read FAQ entries from a ``.jsonl``, ``.csv`` or ``.md`` file.

    Raises :class:`DataFileError` naming the file and line of the first problem.
    """
    return _load(path, _faq_from_row, "faq_id", ("faq_id", "question", "answer"), markdown=True)


def load_catalogue(path: str | Path) -> list[Product]:
    """Read products from a ``.jsonl`` or ``.csv`` file; raises :class:`DataFileError`.

    In CSV, attributes come from the optional ``colour``, ``size`` and ``material`` columns.
    """
    return _load(
        path,
        _product_from_row,
        "item_id",
        ("item_id", "title", "description", "category", "brand", "price"),
    )
