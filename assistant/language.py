"""Which language a shopper writes in, with the session's language for short messages."""

from __future__ import annotations

import logging
import re

from langdetect import DetectorFactory, LangDetectException, detect_langs

logger = logging.getLogger(__name__)

# langdetect is random unless seeded; the same message must always get the same language.
DetectorFactory.seed = 0

SUPPORTED = ("en", "es", "zh")
MIN_CHARS = 12  # below this (for alphabetic scripts) langdetect is a coin toss
MIN_PROBABILITY = 0.80
SPANISH_MARKS = re.compile(r"[¿¡]")


def _has_cjk(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


# Emails, links and code-like tokens (SAVE50, PP7017262902US) say nothing of the language.
NOT_WORDS = re.compile(r"\S+@\S+|https?://\S+|\b\w*\d\w*\b")
# Junk says nothing of the language either: a "word" of 31+ letters ("AAAA...") or one
# letter repeated ("zzzz"); without it a 100,000-letter "A" reads as Tagalog.
JUNK = re.compile(r"[^\W\d_]{31,}|\b([^\W\d_])\1{3,}\b")
# Short, frequent words that settle short messages langdetect gets wrong ("cancel my order"
# reads as Spanish to it, "is X still valid?" as Estonian).
STOPWORDS = {
    "en": frozenset("the my is are was where what when how can could you i to of and it for "
                    "me please your do does a an with this that order want need still my "
                    "have has not under over below above between less than price cost dollars "
                    "euros size".split()),
    # Words French, Italian and Portuguese share with Spanish ("la", "de", "en") are left out.
    "es": frozenset("el los mi mis es por para con una y pedido quiero cómo dónde qué puedo "
                    "del al hola gracias está tengo".split()),
}  # fmt: skip


def _stopword_vote(text: str) -> str | None:
    """ "en" or "es" when one has at least two stopwords in `text` and more than the other."""
    words = re.findall(r"[^\W\d_]+", text.lower())
    hits = {lang: sum(w in vocab for w in words) for lang, vocab in STOPWORDS.items()}
    best = max(hits, key=hits.get)
    others = [n for lang, n in hits.items() if lang != best]
    return best if hits[best] >= 2 and hits[best] > max(others) else None


def detect_language(text: str, fallback: str = "en") -> str:
    """Language code of `text` ("en", "es", "zh", or another ISO code), else `fallback`."""
    stripped = NOT_WORDS.sub(" ", text).strip()
    if _has_cjk(stripped):
        # Chinese is unambiguous from its script even in two characters.
        return "zh"
    stripped = JUNK.sub(" ", stripped).strip()
    letters = sum(ch.isalpha() for ch in stripped)
    if letters < MIN_CHARS:
        return _stopword_vote(stripped) or fallback
    try:
        best = detect_langs(stripped)[0]
    except LangDetectException:
        return fallback
    if best.prob < MIN_PROBABILITY:
        # "¿" and "¡" are Spanish only: they settle a close call between es and fr or pt.
        if SPANISH_MARKS.search(stripped):
            return "es"
        return _stopword_vote(stripped) or fallback
    code = best.lang.split("-")[0]
    vote = _stopword_vote(stripped)
    # English stopwords overrule any misreading; Spanish ones only an English one.
    if vote == "en" and code != "en" and not SPANISH_MARKS.search(stripped):
        return vote
    if vote == "es" and code == "en":
        return vote
    return code
