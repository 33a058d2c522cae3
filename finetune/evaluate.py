"""Evaluation: intent labels scored the way serving scores them, and the metrics.

Serving (`assistant.models.LanguageModel.score_options`) scores every intent name by the
log-probability of its tokens right after the intent prompt's generation prompt, and picks the
best. `score_prompts` computes the same numbers for many prompts (on any device), running their
common prefix (the long system prompt listing the intents) once instead of once per prompt;
a test holds it equal to serving.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence

import torch


def common_prefix_len(seqs: Sequence[Sequence[int]]) -> int:
    """Length of the longest token prefix that all `seqs` share."""
    if not seqs:
        return 0
    first, n = seqs[0], min(len(s) for s in seqs)
    for i in range(n):
        tok = first[i]
        if any(s[i] != tok for s in seqs[1:]):
            return i
    return n


@torch.no_grad()
def score_prompts(
    model,
    prompts: Sequence[Sequence[int]],
    option_ids: Sequence[Sequence[int]],
    pad_id: int,
    share_prefix: bool = True,
    exact: bool = False,
    min_prefix: int = 16,
    batch_size: int | None = None,
    max_rows: int = 64,
) -> torch.Tensor:
    """Score of each option after each prompt, as `LanguageModel.score_options` computes it;
    shape (len(prompts), len(options)).

    exact=False (serving's default): the first token's log-probability, plus the rest of the
    option's tokens for options whose first token another option shares. exact=True: the mean
    log-probability over all of the option's tokens.
    Prompts are run `batch_size` at a time (default: as many as keep the option pass within
    `max_rows` rows), left-padded after their shared prefix.
    """
    if not option_ids or any(len(ids) == 0 for ids in option_ids):
        raise ValueError("every option must have at least one token")
    device = next(model.parameters()).device
    firsts = [ids[0] for ids in option_ids]
    if exact:
        rows = list(range(len(option_ids)))
    else:
        rows = [i for i, ids in enumerate(option_ids) if firsts.count(ids[0]) > 1 and len(ids) > 1]
    longest = max((len(option_ids[i]) for i in rows), default=0)
    options = torch.full((len(rows), longest), pad_id, dtype=torch.long, device=device)
    option_mask = torch.zeros((len(rows), longest), dtype=torch.long, device=device)
    for row, i in enumerate(rows):
        options[row, : len(option_ids[i])] = torch.tensor(option_ids[i], device=device)
        option_mask[row, : len(option_ids[i])] = 1
    first_ids = torch.tensor(firsts, device=device)
    lengths = torch.tensor([float(len(ids)) for ids in option_ids])

    prefix_len = 0
    prefix_cache = None
    if share_prefix and len(prompts) > 1:
        prefix_len = min(common_prefix_len(prompts), min(len(p) for p in prompts) - 1)
        if prefix_len >= min_prefix:
            ids = torch.tensor([list(prompts[0][:prefix_len])], device=device)
            prefix_cache = model(input_ids=ids, use_cache=True, logits_to_keep=1).cache
        else:
            prefix_len = 0

    n_rows = max(len(rows), 1)
    chunk = max(1, max_rows // n_rows) if batch_size is None else batch_size
    scores = torch.empty((len(prompts), len(option_ids)))
    for start in range(0, len(prompts), chunk):
        group = [list(p) for p in prompts[start : start + chunk]]
        b = len(group)
        # The rest of each prompt after the shared prefix, left-padded: every row's last real
        # token is then in the last column.
        width = max(len(p) - prefix_len for p in group)
        rest = torch.full((b, width), pad_id, dtype=torch.long, device=device)
        rest_mask = torch.zeros((b, width), dtype=torch.long, device=device)
        positions = torch.full((b, width), prefix_len, dtype=torch.long, device=device)
        for j, p in enumerate(group):
            tail = p[prefix_len:]
            rest[j, width - len(tail) :] = torch.tensor(tail, device=device)
            rest_mask[j, width - len(tail) :] = 1
            positions[j, width - len(tail) :] = torch.arange(prefix_len, len(p), device=device)
        cache = None
        attention = rest_mask
        if prefix_cache is not None:
            cache = copy.deepcopy(prefix_cache)
            cache.batch_repeat_interleave(b)
            ones = torch.ones((b, prefix_len), dtype=torch.long, device=device)
            attention = torch.cat([ones, rest_mask], dim=1)
        out = model(
            input_ids=rest,
            attention_mask=attention,
            position_ids=positions,
            cache=cache,
            use_cache=True,
            logits_to_keep=1,
        )
        group_scores = torch.log_softmax(out.logits[:, -1].float(), dim=-1)[:, first_ids].cpu()
        if rows and longest > 1:
            r = len(rows)
            cache = out.cache
            cache.batch_repeat_interleave(r)  # row order: prompt 0 x r options, prompt 1 ...
            full = torch.cat(
                [attention.repeat_interleave(r, dim=0), option_mask.repeat(b, 1)], dim=1
            )
            lengths_b = torch.tensor([len(p) for p in group], device=device)
            option_pos = lengths_b[:, None] + torch.arange(longest, device=device)[None]
            logits = model(
                input_ids=options.repeat(b, 1),
                attention_mask=full,
                position_ids=option_pos.repeat_interleave(r, dim=0),
                cache=cache,
            ).logits
            logp = torch.log_softmax(logits[:, :-1].float(), dim=-1)
            # Token k of an option (k >= 1) is predicted at option position k - 1.
            targets = options.repeat(b, 1)[:, 1:, None]
            later = logp.gather(-1, targets).squeeze(-1) * option_mask.repeat(b, 1)[:, 1:]
            group_scores[:, rows] += later.sum(dim=1).reshape(b, r).cpu()
        scores[start : start + b] = group_scores / lengths if exact else group_scores
    return scores


def intent_metrics(gold: Sequence[str], predicted: Sequence[str]) -> dict[str, float]:
    """Accuracy and macro-F1 (over the labels that occur in gold or predictions)."""
    if len(gold) != len(predicted):
        raise ValueError(
            f"expected as many predictions as labels, got {len(predicted)} and {len(gold)}"
        )
    if not gold:
        return {"intent_accuracy": float("nan"), "intent_macro_f1": float("nan"), "intent_n": 0}
    labels = sorted(set(gold) | set(predicted))
    f1s = []
    for label in labels:
        tp = sum(g == label and p == label for g, p in zip(gold, predicted, strict=True))
        fp = sum(g != label and p == label for g, p in zip(gold, predicted, strict=True))
        fn = sum(g == label and p != label for g, p in zip(gold, predicted, strict=True))
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    accuracy = sum(g == p for g, p in zip(gold, predicted, strict=True)) / len(gold)
    return {
        "intent_accuracy": accuracy,
        "intent_macro_f1": sum(f1s) / len(f1s),
        "intent_n": len(gold),
    }
