"""The evaluation report: metrics.json, turns.jsonl, report.md, report.html and PNG charts.

The charts are files beside the HTML page (confusion.png, metrics.png, latency.png, and
compare.png for a comparison), referenced by relative path so the folder can be moved.
"""

from __future__ import annotations

import html
import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from assistant import eval_metrics as em


def _fmt(value: float | None, digits: int = 3) -> str:
    return "n/a" if value is None else f"{value:.{digits}f}"


def _ci(interval) -> str:
    return "n/a" if not interval else f"[{interval[0]:.3f}, {interval[1]:.3f}]"


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")  # files only; no display on a server
    import matplotlib.pyplot as plt

    return plt


# ---------------------------------------------------------------------- charts


def confusion_chart(labels: list[str], counts: list[list[int]], path: Path) -> None:
    plt = _pyplot()
    size = max(4.0, 0.38 * len(labels) + 2)
    fig, ax = plt.subplots(figsize=(size + 1, size))
    ax.imshow(counts, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=90, fontsize=7)
    ax.set_yticks(range(len(labels)), labels, fontsize=7)
    ax.set_xlabel("predicted intent")
    ax.set_ylabel("labelled intent")
    for i, row in enumerate(counts):
        for j, n in enumerate(row):
            if n:
                ax.text(j, i, str(n), ha="center", va="center", fontsize=6)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _bars(names, values, intervals, path: Path, title: str, zero_line: bool = False) -> None:
    plt = _pyplot()
    shown = [(n, v, c) for n, v, c in zip(names, values, intervals, strict=True) if v is not None]
    fig, ax = plt.subplots(figsize=(7, 0.35 * len(shown) + 1.2))
    ys = list(range(len(shown)))
    low = [v - c[0] if c else 0 for _, v, c in shown]
    high = [c[1] - v if c else 0 for _, v, c in shown]
    ax.barh(ys, [v for _, v, _ in shown], xerr=[low, high], capsize=3, color="#4c72b0")
    ax.set_yticks(ys, [n for n, _, _ in shown], fontsize=8)
    ax.invert_yaxis()
    if zero_line:
        ax.axvline(0, color="black", linewidth=0.8)
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def latency_chart(turns, path: Path) -> None:
    plt = _pyplot()
    stages: dict[str, list[float]] = {}
    for t in turns:
        for stage, ms in t.latency_ms.items():
            stages.setdefault(stage, []).append(ms)
    import numpy as np

    fig, ax = plt.subplots(figsize=(7, 3.5))
    every = [ms for values in stages.values() for ms in values if ms > 0]
    # Stages differ by orders of magnitude (retrieval ~10 ms, generation seconds): log bins.
    low, high = (min(every), max(every)) if every else (1.0, 10.0)
    bins = np.geomspace(low, max(high, low * 1.01), 40)
    for stage, values in sorted(stages.items()):
        ax.hist([ms for ms in values if ms > 0], bins=bins, alpha=0.5, label=stage)
    ax.set_xscale("log")
    ax.set_xlabel("milliseconds per turn (log scale)")
    ax.set_ylabel("turns")
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# ---------------------------------------------------------------------- single run


def _metric_rows(evaluation) -> list[tuple[str, str, str]]:
    return [
        (name, _fmt(value), _ci(evaluation.intervals.get(name)))
        for name, value in evaluation.metrics.items()
    ]


def _latency_rows(meta) -> list[tuple[str, str, str, str]]:
    return [
        (stage, _fmt(s["p50"], 1), _fmt(s["p95"], 1), str(s["n"]))
        for stage, s in meta["latency"].items()
    ]


def _meta_rows(meta) -> list[tuple[str, str]]:
    rows = [(k, str(v)) for k, v in meta.items() if k not in ("latency", "timing_s")]
    rows += [(k, f"{v:.1f}") for k, v in meta.get("timing_s", {}).items()]
    return rows


def _md_table(header: list[str], rows) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def _html_table(header: list[str], rows) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in row) + "</tr>" for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def _confusion_rows(labels, counts) -> tuple[list[str], list[list[str]]]:
    header = ["labelled \\ predicted"] + [str(i + 1) for i in range(len(labels))]
    rows = [
        [f"{i + 1}. {label}"] + [str(n) if n else "." for n in counts[i]]
        for i, label in enumerate(labels)
    ]
    return header, rows


PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:sans-serif;max-width:1100px;margin:2em auto}}
table{{border-collapse:collapse;margin:1em 0}}td,th{{border:1px solid #ccc;padding:2px 6px;
font-size:13px;text-align:right}}td:first-child{{text-align:left}}</style></head>
<body><h1>{title}</h1>{body}</body></html>"""


def write_report(out: Path, evaluation) -> list[Path]:
    """Write the report of one run into `out`; the Markdown summary's path comes first."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    turns = evaluation.turns
    labelled = [t for t in turns if t.gold_intent]
    labels, counts = em.confusion_matrix(
        [t.gold_intent for t in labelled], [t.pred_intent for t in labelled]
    )
    if labels:
        confusion_chart(labels, counts, out / "confusion.png")
    names = list(evaluation.metrics)
    _bars(
        names,
        [evaluation.metrics[n] for n in names],
        [evaluation.intervals.get(n) for n in names],
        out / "metrics.png",
        f"{evaluation.name}: metrics with 95% bootstrap intervals",
    )
    latency_chart(turns, out / "latency.png")
    (out / "metrics.json").write_text(
        json.dumps(
            {
                "metrics": evaluation.metrics,
                "intervals": evaluation.intervals,
                "meta": evaluation.meta,
                "confusion": {"labels": labels, "counts": counts},
            },
            indent=2,
            ensure_ascii=False,
        ),
        encoding="utf-8",
    )
    with open(out / "turns.jsonl", "w", encoding="utf-8") as fh:
        for row in _turn_rows(turns):
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")
    sections = _sections(evaluation, labels, counts)
    md = [f"# Evaluation: {evaluation.name}"]
    page = []
    for title, header, rows, image in sections:
        md += [f"## {title}", _md_table(header, rows)]
        page.append(f"<h2>{html.escape(title)}</h2>{_html_table(header, rows)}")
        if image and (out / image).exists():
            md.append(f"![{title}]({image})")
            page.append(f'<img src="{image}" alt="{html.escape(title)}">')
    md.append(IPS_NOTE)
    page.append(f"<p>{html.escape(IPS_NOTE)}</p>")
    (out / "report.md").write_text("\n\n".join(md) + "\n", encoding="utf-8")
    title = f"Evaluation: {evaluation.name}"
    (out / "report.html").write_text(
        PAGE.format(title=html.escape(title), body="\n".join(page)), encoding="utf-8"
    )
    return [out / "report.md", out / "report.html", out / "metrics.json"]


IPS_NOTE = (
    "Notes: intervals are percentile bootstrap intervals over dialogues (seeded). "
    "rec_* use the items clicked after a reply when the input is a log, else the reference "
    "reply's items. ips_clicks_per_list (logs only) assumes a position-based click model: a "
    "shopper examines position p with probability 1/p (or the logged propensity) and clicks "
    "what is examined and relevant; items the logged list never showed earn no credit, so "
    "with a small ips_overlap the estimate is a lower bound."
)


def _sections(evaluation, labels, counts):
    header, rows = _confusion_rows(labels, counts)
    return [
        ("Run", ["setting", "value"], _meta_rows(evaluation.meta), None),
        ("Metrics", ["metric", "value", "95% interval"], _metric_rows(evaluation), "metrics.png"),
        (
            "Latency per stage (ms)",
            ["stage", "p50", "p95", "turns"],
            _latency_rows(evaluation.meta),
            "latency.png",
        ),
        ("Intent confusion matrix", header, rows, "confusion.png"),
    ]


def _turn_rows(turns) -> list[dict[str, Any]]:
    return [asdict(t) for t in turns]


# ---------------------------------------------------------------------- comparison


def write_compare_report(out: Path, a, b, diffs: dict[str, dict], wall_s: float) -> list[Path]:
    """The comparison page: each metric for A and B, B - A and its paired 95% interval."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    names = list(diffs)
    _bars(
        names,
        [diffs[n]["diff"] for n in names],
        [diffs[n]["ci"] for n in names],
        out / "compare.png",
        f"B - A ({b.name} minus {a.name}), paired 95% intervals",
        zero_line=True,
    )
    rows = [
        (n, _fmt(d["a"]), _fmt(d["b"]), _fmt(d["diff"]), _ci(d["ci"])) for n, d in diffs.items()
    ]
    header = ["metric", "A", "B", "B - A", "95% interval (paired bootstrap)"]
    lat = [
        (s, _fmt(a.meta["latency"][s]["p50"], 1), _fmt(b.meta["latency"].get(s, {}).get("p50"), 1))
        for s in a.meta["latency"]
    ]
    (out / "compare.json").write_text(
        json.dumps({"a": a.meta, "b": b.meta, "diffs": diffs, "wall_s": wall_s}, indent=2),
        encoding="utf-8",
    )
    intro = (
        f"A = {a.name} ({a.meta.get('config_file')}), B = {b.name} "
        f"({b.meta.get('config_file')}); {a.meta['dialogues']} dialogues, "
        f"{a.meta['user_turns']} user turns; {wall_s:.0f} s in all. Full reports of each "
        "run: a/report.html, b/report.html."
    )
    md = [
        "# Comparison",
        intro,
        _md_table(header, rows),
        "![B - A](compare.png)",
        "## Latency p50 (ms)",
        _md_table(["stage", "A", "B"], lat),
    ]
    (out / "report.md").write_text("\n\n".join(md) + "\n", encoding="utf-8")
    body = (
        f"<p>{html.escape(intro)}</p>{_html_table(header, rows)}"
        '<img src="compare.png" alt="B - A"><h2>Latency p50 (ms)</h2>'
        f"{_html_table(['stage', 'A', 'B'], lat)}"
    )
    (out / "report.html").write_text(PAGE.format(title="Comparison", body=body), encoding="utf-8")
    return [out / "report.md", out / "report.html", out / "compare.json"]
