"""Readability checks for client texts: LIX, counted over every sentence."""

import re

from app.casework import catalog

_URL = re.compile(r"https?://\S+|www\.\S+")
_SENTENCE_END = re.compile(r"[.!?:;]+(?=\s|$)|\n+")
_WORD = re.compile(r"[^\W_]+(?:[-'.,:][^\W_]+)*")
_LETTER = re.compile(r"[^\W\d_]")


def words(text: str) -> list[str]:
    """The words of a text (links left out); '14.00' and 'e-post' are one word each."""
    return _WORD.findall(_URL.sub(" ", text))


def sentences(text: str) -> list[str]:
    """Sentences: ended by . ! ? : ; or a line break, each holding at least one word."""
    return [part for part in _SENTENCE_END.split(_URL.sub(" ", text)) if words(part)]


def is_long_word(word: str) -> bool:
    """LIX's long word: more than six letters."""
    return len(_LETTER.findall(word)) > 6


def lix(text: str) -> float:
    """LIX = words per sentence + percentage of long words. 0 for a text with no words."""
    all_words = words(text)
    if not all_words:
        return 0.0
    sentence_count = max(1, len(sentences(text)))
    long_words = sum(1 for w in all_words if is_long_word(w))
    return round(len(all_words) / sentence_count + 100 * long_words / len(all_words), 1)


# The highest LIX a client text may have (easy to read).
LIX_LIMIT = 30


def jargon(text: str) -> list[dict[str, str]]:
    """Words from the jargon list (messages/catalog/jargon.toml) used without their
    explanation after them, each once: [{'word': 'avslag', 'explanation': '…'}]."""
    lowered = text.lower()
    found = []
    for entry in catalog.entries(catalog.configured_dir(), "jargon").values():
        word, explanation = entry["word"], entry["explanation"]
        for match in re.finditer(rf"\b{re.escape(word)}\w*", lowered):
            if explanation not in text[match.end() :]:
                found.append({"word": word, "explanation": explanation})
                break
    return found


def check(text: str) -> dict:
    """A text's readability for staff who write to a client: its LIX, whether that is
    over the limit, and the jargon in it. An empty text has nothing to report."""
    score = lix(text)
    return {
        "lix": score,
        "limit": LIX_LIMIT,
        "too_hard": score > LIX_LIMIT,
        "jargon": jargon(text),
        "words": len(words(text)),
    }
