"""Train/test splits for session data: leave-last-out per session and a time cut."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from recommender.data import Event, group_sessions

logger = logging.getLogger(__name__)


def leave_last_out(
    events: Sequence[Event], skip_repeats: bool = True
) -> tuple[list[Event], list[tuple[list[Event], str]]]:
    """Training events and (session prefix, held-out last item) queries.

    Sessions with one event go to training whole. With skip_repeats, a session whose last item
    already occurs in its prefix gives no query (models that hide seen items cannot hit it).
    """
    train: list[Event] = []
    queries: list[tuple[list[Event], str]] = []
    repeats = 0
    for session in group_sessions(list(events)).values():
        if len(session) < 2:
            train.extend(session)
            continue
        prefix, last = session[:-1], session[-1]
        train.extend(prefix)
        if skip_repeats and last.item_id in {e.item_id for e in prefix}:
            repeats += 1
            continue
        queries.append((prefix, last.item_id))
    logger.info("leave-last-out: %d queries, %d repeated targets skipped", len(queries), repeats)
    return train, queries


def time_split(
    events: Sequence[Event], cutoff: datetime | None = None, test_fraction: float = 0.2
) -> tuple[list[Event], list[Event]]:
    """Whole sessions before / after a time: a session belongs to the side of its last event.

    Without a cutoff, the latest test_fraction of sessions (by last event) form the test side.
    """
    sessions = group_sessions(list(events))
    if not sessions:
        raise ValueError("cannot split zero events")
    order = sorted(sessions, key=lambda s: (sessions[s][-1].timestamp, s))
    if cutoff is None:
        if not 0 < test_fraction < 1:
            raise ValueError(f"test_fraction must be in (0, 1), got {test_fraction!r}")
        n_test = max(1, int(round(test_fraction * len(order))))
        before, after = order[:-n_test], order[-n_test:]
    else:
        before = [s for s in order if sessions[s][-1].timestamp < cutoff]
        after = [s for s in order if sessions[s][-1].timestamp >= cutoff]
    return [e for s in before for e in sessions[s]], [e for s in after for e in sessions[s]]
