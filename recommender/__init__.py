"""Session-based product recommendations: BPR matrix factorisation with live-session fold-in."""

from recommender.data import Event, InteractionFileError, load_interactions, load_yoochoose
from recommender.mf import MFConfig
from recommender.service import Recommendation, SessionRecommender

__all__ = [
    "Event",
    "InteractionFileError",
    "MFConfig",
    "Recommendation",
    "SessionRecommender",
    "load_interactions",
    "load_yoochoose",
]
