"""Session-aware product recommendations.

Models: BPR matrix factorisation with live-session fold-in (served by SessionRecommender),
explicit-rating MF, a two-tower model, and the baselines most-popular, item co-occurrence and
session-kNN. All of them rank through `recommend(session, k, exclude)`.
"""

from recommender.base import Recommendation, Step
from recommender.data import (
    Event,
    InteractionFileError,
    load_csv,
    load_interactions,
    load_online_retail,
    load_yoochoose,
)
from recommender.mf import MFConfig
from recommender.service import SessionRecommender

__all__ = [
    "Event",
    "InteractionFileError",
    "MFConfig",
    "Recommendation",
    "SessionRecommender",
    "Step",
    "load_csv",
    "load_interactions",
    "load_online_retail",
    "load_yoochoose",
]
