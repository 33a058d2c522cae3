"""Does every FAQ entry's own question find that entry, in its own language?

.venv/bin/python bench/faq_self_check.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from assistant import Assistant, AssistantConfig  # noqa: E402


def main() -> int:
    assistant = Assistant.from_config(AssistantConfig(reply_mode="extractive", adapter_dir=None))
    misses = []
    for entry in assistant.faq.values():
        found = assistant.search_faq(entry.question, entry.language)
        if found is None or found.faq_id != entry.faq_id:
            misses.append((entry.faq_id, found.faq_id if found else None))
    print(f"{len(assistant.faq) - len(misses)} of {len(assistant.faq)} questions find their entry")
    for want, got in misses:
        print(f"  miss: {want} -> {got}")
    return 1 if misses else 0


if __name__ == "__main__":
    sys.exit(main())
