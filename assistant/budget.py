"""The reply-time budget: generate only when the reply fits in the time left.

A generated reply streams token by token; on a busy CPU it can take many seconds. Before
generating we predict the time from the LM's measured speed (`LanguageModel.predict_seconds`)
and skip generation when it would end after the deadline; while generating, the LM stops at
the deadline. Either way the caller answers with its extractive fallback (the FAQ entry's
own text) and the reply is marked `over_budget`. After `RETRY_AFTER` skips in a row the
LM generates anyway, within the deadline, so that a slow moment is not remembered for ever.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator, Sequence

logger = logging.getLogger(__name__)

RETRY_AFTER = 3  # replies skipped in a row for predicted slowness before generating anyway


def stream_within_budget(
    lm, prompt: Sequence[dict], max_new_tokens: int, deadline: float, reply
) -> Iterator[str]:
    """Yield the LM's reply pieces unless it would pass `deadline` (a perf_counter value).

    Sets `reply.over_budget` when generation was skipped or cut at the deadline; the caller
    then replaces the text with its fallback.
    """
    left = deadline - time.perf_counter()
    expected = lm.predict_seconds(len(lm.encode_chat(prompt)), max_new_tokens)
    skipped = getattr(lm, "skipped_for_time", 0)
    # A prediction is only as good as its last measurement: after RETRY_AFTER skips in a row
    # the LM generates anyway (the deadline still holds), which measures its speed again.
    # Otherwise one slow moment (a busy start) would switch generation off for good.
    retry = skipped >= RETRY_AFTER
    if left <= 0 or (expected is not None and expected > left and not retry):
        lm.skipped_for_time = skipped + 1
        reply.over_budget = True
        logger.warning(
            "reply over its time budget: %.2f s left, generation would take %s s; "
            "answering from the FAQ entry",
            left,
            "?" if expected is None else f"{expected:.2f}",
        )
        return
    lm.skipped_for_time = 0
    yield from lm.stream(prompt, max_new_tokens, deadline=deadline)
    if lm.last_stats.hit_deadline:
        reply.over_budget = True
        logger.warning(
            "generation reached the reply deadline after %d tokens; answering from the FAQ entry",
            lm.last_stats.new_tokens,
        )
