"""Training data: strict readers for the supported files, and tokenised examples.

Every reader yields :class:`Example` objects: chat ``messages`` built with the very prompts
serving uses (``assistant.prompts``), the ``target`` text the model should answer with, and the
intent of the user turn. Two kinds come from a labelled user turn:

- ``intent``: ``intent_messages(history, text)`` -> the intent name;
- ``reply``: ``reply_messages(history, text, context, language)`` -> the reference reply, where
  the context is the FAQ text of the turn's faq_ids or lines describing its item_ids.

A malformed row raises :class:`DataFormatError` naming file and line.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from assistant.intents import INTENT_NAMES
from assistant.prompts import faq_context, intent_messages, reply_messages
from retrieval.records import DataFileError, load_catalogue, load_faq

logger = logging.getLogger(__name__)

IGNORE_INDEX = -100  # label value the loss skips
LANGUAGES = ("en", "es", "zh")
SLOT_KEYS = ("order_id", "email", "category", "max_price", "min_price", "size", "colour")

# Bitext customer-support intents -> the shop's intents (those without a fair match are left out).
BITEXT_TO_SHOP = {
    "cancel_order": "cancel_order",
    "change_shipping_address": "change_address",
    "check_payment_methods": "payment_problem",
    "payment_issue": "payment_problem",
    "check_refund_policy": "refund_status",
    "get_refund": "refund_status",
    "track_refund": "refund_status",
    "complaint": "complaint",
    "contact_customer_service": "contact_info",
    "contact_human_agent": "human_agent",
    "create_account": "account_help",
    "delete_account": "account_help",
    "edit_account": "account_help",
    "recover_password": "account_help",
    "registration_problems": "account_help",
    "switch_account": "account_help",
    "newsletter_subscription": "account_help",
    "delivery_options": "shipping_info",
    "delivery_period": "shipping_info",
    "track_order": "order_status",
}


class DataFormatError(DataFileError):
    """A training data file has a malformed row; ``str()`` is ``"path:line: message"``."""


@dataclass(frozen=True)
class Example:
    """One training example: chat messages, the answer to learn, and where it came from."""

    messages: tuple[dict, ...]
    target: str
    intent: str | None
    kind: str  # "intent" or "reply"
    where: str = ""  # "path:line"


@dataclass
class Encoded:
    """Token ids of prompt + target (+ eos); labels are IGNORE_INDEX outside the target."""

    input_ids: list[int]
    labels: list[int]
    prompt_len: int
    kind: str
    intent: str | None = None

    def __len__(self) -> int:
        return len(self.input_ids)

    @property
    def target_len(self) -> int:
        return len(self.input_ids) - self.prompt_len


# --------------------------------------------------------------------- dialogues
@dataclass(frozen=True)
class Dialogue:
    dialogue_id: str
    language: str
    turns: tuple[dict, ...]
    line: int


def _dialogue_from_row(row: Any) -> Dialogue:
    """Validate one parsed dialogue line; raises ValueError with the field at fault."""
    if not isinstance(row, dict):
        raise ValueError(f"expected a JSON object, got {type(row).__name__}")
    did = row.get("dialogue_id", "")
    if not isinstance(did, str):
        raise ValueError(f"field 'dialogue_id' must be a string, got {did!r}")
    language = row.get("language", "en")
    if language not in LANGUAGES:
        raise ValueError(f"field 'language' must be one of {LANGUAGES}, got {language!r}")
    turns = row.get("turns")
    if not isinstance(turns, list) or not turns:
        raise ValueError("field 'turns' must be a non-empty list")
    clean = []
    for i, turn in enumerate(turns):
        where = f"turns[{i}]"
        if not isinstance(turn, dict):
            raise ValueError(f"{where} must be an object")
        role, content = turn.get("role"), turn.get("content")
        if role not in ("user", "assistant"):
            raise ValueError(f"{where}.role must be 'user' or 'assistant', got {role!r}")
        if not isinstance(content, str):
            raise ValueError(f"{where}.content must be a string, got {content!r}")
        out = {"role": role, "content": content}
        if role == "user":
            intent = turn.get("intent")
            if intent is not None and intent not in INTENT_NAMES:
                raise ValueError(f"{where}.intent: unknown intent {intent!r}")
            slots = turn.get("slots", {})
            if not isinstance(slots, dict):
                raise ValueError(f"{where}.slots must be an object, got {slots!r}")
            out["intent"] = intent
        else:
            for key in ("faq_ids", "item_ids"):
                ids = turn.get(key, [])
                if ids is None:
                    ids = []
                if not isinstance(ids, list) or not all(isinstance(x, str) for x in ids):
                    raise ValueError(f"{where}.{key} must be a list of strings, got {ids!r}")
                out[key] = ids
        clean.append(out)
    return Dialogue(did, language, tuple(clean), 0)


def _lines(path: Path) -> Iterable[tuple[int, str]]:
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise DataFormatError(path, None, f"cannot read file: {exc}") from None
    with handle:
        for line_no, raw in enumerate(handle, start=1):
            try:
                yield line_no, raw.decode("utf-8-sig" if line_no == 1 else "utf-8")
            except UnicodeDecodeError:
                raise DataFormatError(path, line_no, "not valid UTF-8") from None


def load_dialogues(path: str | Path) -> list[Dialogue]:
    """Read dialogue JSONL (the demo shop's and the assistant's log format); unknown fields
    are ignored, malformed lines raise DataFormatError."""

    def build(row: Any, line_no: int) -> Dialogue:
        d = _dialogue_from_row(row)
        return Dialogue(d.dialogue_id, d.language, d.turns, line_no)

    return _read_jsonl(path, build)


def _read_jsonl(path: str | Path, build: Callable[[Any, int], Any]) -> list:
    """`build(row, line_no)` of every non-blank line of a JSONL file; a line that is not JSON,
    or that `build` rejects with ValueError, raises DataFormatError naming file and line."""
    path = Path(path)
    out = []
    for line_no, line in _lines(path):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except (ValueError, RecursionError) as exc:  # also: nested too deep, a 5,000-digit number
            reason = getattr(exc, "msg", exc)
            raise DataFormatError(path, line_no, f"invalid JSON: {reason}") from None
        try:
            out.append(build(row, line_no))
        except DataFormatError:
            raise
        except ValueError as exc:
            raise DataFormatError(path, line_no, str(exc)) from None
    return out


@dataclass(frozen=True)
class Preference:
    """An agent's choice (see assistant.agent_assist): `chosen` preferred over `rejected`."""

    prompt: tuple[dict, ...]  # the conversation up to the shopper's message
    chosen: str  # "" when the agent rejected every suggestion without writing a reply
    rejected: tuple[str, ...]
    action: str  # "accept", "edit" or "reject"
    session_id: str
    time: str
    where: str = ""  # "path:line"


def _preference_from_row(row: Any) -> tuple:
    """Validate one preference line; raises ValueError naming the field at fault."""
    if not isinstance(row, dict):
        raise ValueError(f"expected a JSON object, got {type(row).__name__}")
    for key in ("time", "session_id", "chosen"):
        if not isinstance(row.get(key), str):
            raise ValueError(f"field {key!r} must be a string, got {row.get(key)!r}")
    action = row.get("action")
    if action not in ("accept", "edit", "reject"):
        raise ValueError(f"field 'action' must be accept, edit or reject, got {action!r}")
    prompt = row.get("prompt")
    if not isinstance(prompt, list) or not prompt:
        raise ValueError("field 'prompt' must be a non-empty list of messages")
    for i, m in enumerate(prompt):
        if not isinstance(m, dict) or m.get("role") not in ("user", "assistant", "system"):
            raise ValueError(f"prompt[{i}].role must be user, assistant or system")
        if not isinstance(m.get("content"), str):
            raise ValueError(f"prompt[{i}].content must be a string")
    rejected = row.get("rejected")
    if not isinstance(rejected, list) or not all(isinstance(r, str) for r in rejected):
        raise ValueError(f"field 'rejected' must be a list of strings, got {rejected!r}")
    if row["action"] != "reject" and not row["chosen"].strip():
        raise ValueError(f"field 'chosen' must not be empty for action {row['action']!r}")
    messages = tuple({"role": m["role"], "content": m["content"]} for m in prompt)
    return messages, row["chosen"], tuple(rejected), row["action"], row["session_id"], row["time"]


def load_preferences(path: str | Path) -> list[Preference]:
    """Read the agent's preference log (`<data_dir>/logs/preferences.jsonl`); blank lines are
    ignored, malformed lines raise DataFormatError with the file and line."""
    return _read_jsonl(
        path, lambda row, line_no: Preference(*_preference_from_row(row), where=f"{path}:{line_no}")
    )


def product_context(products: Sequence[object]) -> str:
    """Context lines for products (objects with item_id, title, price, currency, stock ...)."""
    lines = []
    for p in products:
        attrs = ", ".join(f"{k}: {v}" for k, v in sorted(getattr(p, "attributes", {}).items()))
        stock = "in stock" if getattr(p, "stock", 0) > 0 else "out of stock"
        price = f"{p.price:.2f} {p.currency}"
        line = f"[{p.item_id}] {p.title} ({p.category}, {p.brand}): {price}, {stock}"
        lines.append(line + (f"; {attrs}" if attrs else ""))
    return "\n".join(lines)


def dialogue_examples(
    dialogues: Iterable[Dialogue],
    path: str | Path,
    tasks: Sequence[str],
    faq: dict | None = None,
    products: dict | None = None,
    reply_without_context: bool = False,
    history_turns: int = 4,
) -> list[Example]:
    """Intent and reply examples from each labelled user turn.

    A reply example needs the assistant turn that follows; it is built only when that turn
    cites FAQ entries or products (serving generates replies only from such facts) unless
    reply_without_context is set.
    """
    examples = []
    for d in dialogues:
        where = f"{path}:{d.line}"
        history: list[dict] = []
        for i, turn in enumerate(d.turns):
            if turn["role"] == "user":
                text = turn["content"]
                if "intent" in tasks and turn.get("intent"):
                    examples.append(
                        Example(
                            tuple(intent_messages(history, text, history_turns)),
                            turn["intent"],
                            turn["intent"],
                            "intent",
                            where,
                        )
                    )
                nxt = d.turns[i + 1] if i + 1 < len(d.turns) else None
                if "reply" in tasks and nxt is not None and nxt["role"] == "assistant":
                    context = _turn_context(nxt, faq, products, path, d.line)
                    if (context or reply_without_context) and nxt["content"].strip():
                        messages = reply_messages(history, text, context, d.language, history_turns)
                        examples.append(
                            Example(
                                tuple(messages), nxt["content"], turn.get("intent"), "reply", where
                            )
                        )
            history.append({"role": turn["role"], "content": turn["content"]})
    return examples


def _turn_context(turn: dict, faq: dict | None, products: dict | None, path, line) -> str:
    parts = []
    if turn["faq_ids"]:
        if faq is None:
            raise DataFormatError(path, line, "faq_ids given but no FAQ file was found")
        missing = [f for f in turn["faq_ids"] if f not in faq]
        if missing:
            raise DataFormatError(path, line, f"faq_ids: unknown FAQ id {missing[0]!r}")
        parts.append(faq_context([faq[f] for f in turn["faq_ids"]]))
    if turn["item_ids"]:
        if products is None:
            raise DataFormatError(path, line, "item_ids given but no catalogue file was found")
        missing = [p for p in turn["item_ids"] if p not in products]
        if missing:
            raise DataFormatError(path, line, f"item_ids: unknown item id {missing[0]!r}")
        parts.append(product_context([products[p] for p in turn["item_ids"]]))
    return "\n".join(parts)


# ------------------------------------------------------------ other data sets
def _read_utf8(path: Path) -> str:
    """The whole file as text, a BOM dropped; a byte that is not UTF-8 is reported by line."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise DataFormatError(path, None, f"cannot read file: {exc}") from None
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        raise DataFormatError(path, line, f"not valid UTF-8 (byte {exc.start})") from None


def _csv_rows(path: Path) -> Iterable[tuple[int, list[str], dict[str, str]]]:
    """(first line of the record, header, row) for each CSV record; quoted fields may span lines."""
    reader = csv.reader(io.StringIO(_read_utf8(path), newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise DataFormatError(path, 1, "empty file: expected a header row") from None
    except csv.Error as exc:
        raise DataFormatError(path, 1, f"unreadable header: {exc}") from None
    header = [h.strip() for h in header]
    start = reader.line_num + 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise DataFormatError(path, start, f"unreadable CSV row: {exc}") from None
        line = start
        start = reader.line_num + 1
        if not record or all(not c.strip() for c in record):
            continue
        if len(record) != len(header):
            raise DataFormatError(
                path,
                line,
                f"expected {len(header)} columns ({','.join(header)}), got {len(record)}",
            )
        yield line, header, dict(zip(header, record, strict=True))


def _require(row: dict[str, str], column: str, path: Path, line: int) -> str:
    value = row.get(column, "")
    if not value.strip():
        raise DataFormatError(path, line, f"column {column!r} is empty")
    return value.strip()


def read_bitext(path: str | Path) -> list[tuple[str, str, str, str]]:
    """Bitext customer-support CSV -> (where, instruction, intent, response) per row."""
    path = Path(path)
    rows = []
    for line, header, row in _csv_rows(path):
        missing = [c for c in ("instruction", "intent", "response") if c not in header]
        if missing:
            raise DataFormatError(path, 1, f"header lacks column {missing[0]!r}")
        rows.append(
            (
                f"{path}:{line}",
                _require(row, "instruction", path, line),
                _require(row, "intent", path, line),
                _require(row, "response", path, line),
            )
        )
    if not rows:
        raise DataFormatError(path, 2, "no rows after the header")
    return rows


def read_text_label(path: str | Path) -> list[tuple[str, str, str]]:
    """Two-column CSV (text,label; Banking77 names it text,category) -> (where, text, label)."""
    path = Path(path)
    rows = []
    for line, header, row in _csv_rows(path):
        if len(header) != 2:
            raise DataFormatError(path, 1, f"expected two columns (text,label), got {header}")
        text_col, label_col = header
        rows.append(
            (
                f"{path}:{line}",
                _require(row, text_col, path, line),
                _require(row, label_col, path, line),
            )
        )
    if not rows:
        raise DataFormatError(path, 2, "no rows after the header")
    return rows


CLINC_SPLITS = {
    "train": ("train", "oos_train"),
    "validation": ("val", "oos_val"),
    "val": ("val", "oos_val"),
    "test": ("test", "oos_test"),
}


def read_clinc150(path: str | Path, split: str = "train") -> list[tuple[str, str, str]]:
    """CLINC150 JSON (lists of [text, intent]) -> (where, text, label); "oos" -> "out_of_scope"."""
    path = Path(path)
    text = _read_utf8(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise DataFormatError(path, exc.lineno, f"invalid JSON: {exc.msg}") from None
    except (ValueError, RecursionError) as exc:  # nested too deep, or a 5,000-digit number
        raise DataFormatError(path, 1, f"invalid JSON: {exc}") from None
    if not isinstance(data, dict):
        raise DataFormatError(path, 1, "expected a JSON object of splits")
    keys = CLINC_SPLITS[split]
    if keys[0] not in data:
        raise DataFormatError(path, 1, f"no {keys[0]!r} split (has {sorted(data)})")
    rows = []
    for key in keys:
        items = data.get(key, [])
        if not isinstance(items, list):
            raise DataFormatError(path, _key_line(text, key), f"split {key!r} must be a list")
        for i, item in enumerate(items):
            if not (
                isinstance(item, list)
                and len(item) == 2
                and all(isinstance(x, str) and x.strip() for x in item)
            ):
                line = _item_line(text, key, i)
                raise DataFormatError(
                    path, line, f"{key}[{i}]: expected [text, intent] strings, got {item!r}"
                )
            label = "out_of_scope" if item[1] == "oos" else item[1]
            rows.append((f"{path}:{key}[{i}]", item[0], label))
    return rows


def _key_line(text: str, key: str) -> int | None:
    match = re.search(rf'"{re.escape(key)}"\s*:', text)
    return None if match is None else text.count("\n", 0, match.start()) + 1


def _item_line(text: str, key: str, index: int) -> int | None:
    """Line where item `index` of the list under `key` starts (None if it cannot be found)."""
    match = re.search(rf'"{re.escape(key)}"\s*:\s*\[', text)
    if match is None:
        return None
    decoder = json.JSONDecoder()
    pos = match.end()
    for i in range(index + 1):
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if i == index:
            return text.count("\n", 0, pos) + 1
        try:
            _, pos = decoder.raw_decode(text, pos)
        except json.JSONDecodeError:
            return None
    return None


# --------------------------------------------------------------------- sources
def detect_format(path: str | Path) -> str:
    """Guess a data file's format from its name and first line."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return "dialogues"
    if suffix == ".json":
        return "clinc150"
    if suffix == ".csv":
        try:
            with path.open(encoding="utf-8-sig", newline="") as handle:
                header = next(csv.reader(handle), [])
        except (OSError, UnicodeDecodeError) as exc:
            raise DataFormatError(path, None, f"cannot read file: {exc}") from None
        header = [h.strip() for h in header]
        if {"instruction", "intent", "response"} <= set(header):
            return "bitext"
        if len(header) == 2:
            return "text_label"
        raise DataFormatError(path, 1, f"unrecognised CSV header {header}")
    raise DataFormatError(path, None, f"cannot tell the format of {path.name}; set 'format'")


def _find_near(path: Path, name: str) -> Path | None:
    for folder in (path.parent, path.parent.parent):
        if (folder / name).exists():
            return folder / name
    return None


def load_source(
    source, tasks: Sequence[str], reply_without_context: bool = False, history_turns: int = 4
) -> list[Example]:
    """All examples of one DataSource (see finetune.config.DataSource)."""
    path = Path(source.path)
    if not path.exists():
        raise DataFormatError(path, None, "file not found")
    tasks = source.tasks or tasks
    fmt = source.format if source.format != "auto" else detect_format(path)
    if fmt == "dialogues":
        dialogues = load_dialogues(path)
        faq = products = None
        if "reply" in tasks:
            faq_path = Path(source.faq) if source.faq else _find_near(path, "faq.jsonl")
            cat_path = (
                Path(source.catalogue) if source.catalogue else _find_near(path, "catalogue.jsonl")
            )
            if faq_path is not None:
                faq = {e.faq_id: e for e in load_faq(faq_path)}
            if cat_path is not None:
                products = {p.item_id: p for p in load_catalogue(cat_path)}
        examples = dialogue_examples(
            dialogues, path, tasks, faq, products, reply_without_context, history_turns
        )
    elif fmt == "bitext":
        examples = []
        for where, text, label, response in read_bitext(path):
            if "intent" in tasks:
                examples.append(
                    Example(tuple(intent_messages([], text)), label, label, "intent", where)
                )
            if "reply" in tasks:
                messages = tuple(reply_messages([], text, ""))
                examples.append(Example(messages, response, label, "reply", where))
    elif fmt in ("text_label", "clinc150"):
        rows = (
            read_text_label(path)
            if fmt == "text_label"
            else read_clinc150(path, source.split or "train")
        )
        examples = (
            [
                Example(tuple(intent_messages([], text)), label, label, "intent", where)
                for where, text, label in rows
            ]
            if "intent" in tasks
            else []
        )
    else:  # the config validates formats; this guards direct callers
        raise ValueError(f"unknown data format {fmt!r}")
    examples = _map_labels(examples, source.label_map, source.drop_unmapped)
    if source.limit:
        # A seeded sample, in file order: the first N rows of a sorted file would be few intents.
        rng = random.Random(0)
        keep = set()
        for kind in sorted({e.kind for e in examples}):
            idx = [i for i, e in enumerate(examples) if e.kind == kind]
            keep.update(rng.sample(idx, source.limit) if len(idx) > source.limit else idx)
        examples = [e for i, e in enumerate(examples) if i in keep]
    logger.info(
        "%s (%s): %d intent and %d reply examples",
        path,
        fmt,
        sum(e.kind == "intent" for e in examples),
        sum(e.kind == "reply" for e in examples),
    )
    return examples


def _map_labels(examples: list[Example], label_map, drop_unmapped: bool) -> list[Example]:
    if label_map is None:
        return examples
    mapping = BITEXT_TO_SHOP if label_map == "bitext" else label_map
    out = []
    for ex in examples:
        label = mapping.get(ex.intent) if ex.intent is not None else None
        if label is None:
            if drop_unmapped:
                continue
            out.append(ex)
            continue
        target = label if ex.kind == "intent" else ex.target
        out.append(Example(ex.messages, target, label, ex.kind, ex.where))
    return out


def load_examples(sources, tasks, reply_without_context: bool = False, history_turns: int = 4):
    """Examples of several DataSources, in order."""
    out: list[Example] = []
    for source in sources:
        out.extend(load_source(source, tasks, reply_without_context, history_turns))
    return out


# ------------------------------------------------------------------ tokenising
def chat_ids(tokenizer, messages: Sequence[dict]) -> list[int]:
    """Prompt token ids through the chat template, ending with the generation prompt
    (the same call serving makes, so training sees exactly the serving prompt)."""
    out = tokenizer.apply_chat_template(list(messages), add_generation_prompt=True, tokenize=True)
    if hasattr(out, "keys"):
        out = out["input_ids"]
    return list(out)


def encode_example(tokenizer, example: Example, max_length: int) -> Encoded:
    """Tokenise prompt + target + eos, with labels only on target and eos.

    Too long: the oldest history turns go first, then tokens from the left of the prompt;
    a target longer than max_length - 1 is cut on the right (and loses its eos).
    """
    target = tokenizer.encode(example.target, add_special_tokens=False)
    eos = tokenizer.eos_token_id
    if eos is not None:
        target = target + [eos]
    target = target[: max_length - 1]
    messages = list(example.messages)
    prompt = chat_ids(tokenizer, messages)
    # messages = [system, *history, user]: drop history, oldest first, while too long.
    while len(prompt) + len(target) > max_length and len(messages) > 2:
        messages.pop(1 if messages[0]["role"] == "system" else 0)
        prompt = chat_ids(tokenizer, messages)
    room = max_length - len(target)
    if len(prompt) > room:
        prompt = prompt[len(prompt) - room :]
    ids = prompt + target
    labels = [IGNORE_INDEX] * len(prompt) + target
    return Encoded(ids, labels, len(prompt), example.kind, example.intent)


def encode_examples(tokenizer, examples: Sequence[Example], max_length: int) -> list[Encoded]:
    return [encode_example(tokenizer, ex, max_length) for ex in examples]
