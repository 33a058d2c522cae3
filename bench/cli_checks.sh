#!/usr/bin/env bash
# The issue's six CLI checks, each from a fresh session; prints the fields that matter.
#   bash bench/cli_checks.sh > bench/results/cli_checks.txt
set -u
cd "$(dirname "$0")/.."
check() {
  .venv/bin/shop-assistant chat "$1" 2>/dev/null | .venv/bin/python -c '
import json, sys
r = json.load(sys.stdin)
print(json.dumps({"message": sys.argv[1], "intent": r["intent"], "language": r["language"],
    "faq_ids": r["faq_ids"], "order": r["order"] and {k: r["order"][k] for k in ("order_id", "status")},
    "products": [(p["title"], p["price"], p["category"]) for p in r["products"]],
    "handoff": r["handoff"], "text": r["text"][:160], "latency_ms": {k: round(v) for k, v in r["latency_ms"].items()}},
    ensure_ascii=False))' "$1"
}
check "How long does shipping take?"
check "¿Cuál es su política de devoluciones?"
check "Where is my order 10023? My email is leo.anderson@example.com"
check "Where is my order 10023? My email is maria.lopez@example.com"
check "show me running shoes under 80"
check "I want to speak to a person"
