"""Which language a shopper writes in, with the session's language for short messages."""

from __future__ import annotations

import logging

from langdetect import DetectorFactory, LangDetectException, detect_langs

logger = logging.getLogger(__name__)

# langdetect is random unless seeded; the same message must always get the same language.
DetectorFactory.seed = 0

SUPPORTED = ("en", "es", "zh")
MIN_CHARS = 12  # below this (for alphabetic scripts) langdetect is a coin toss
MIN_PROBABILITY = 0.80


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


def detect_language(text: str, fallback: str = "en") -> str:
    """Language code of `text` ("en", "es", "zh", or another ISO code), else `fallback`."""
    stripped = text.strip()
    if _has_cjk(stripped):
        # Chinese is unambiguous from its script even in two characters.
        return "zh"
    letters = sum(ch.isalpha() for ch in stripped)
    if letters < MIN_CHARS:
        return fallback
    try:
        best = detect_langs(stripped)[0]
    except LangDetectException:
        return fallback
    if best.prob < MIN_PROBABILITY:
        return fallback
    code = best.lang.split("-")[0]
    return code
