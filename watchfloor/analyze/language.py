"""Language of an article: a cheap English check first, then py3langid on a bounded prefix.

Most of what watchfloor reads is English, so clearly English text (many English function words) is answered
without the classifier. Everything else goes to py3langid, loaded once per process, on at most the first
``PREFIX_CHARS`` characters. Text that is mostly not letters, or whose letters are scattered over many scripts
(random or binary garbage), gives None rather than a confident guess.

Codes are ISO 639-1 ("en", "ar", "uk"); regional varieties the model distinguishes are folded into their
macrolanguage ("arz" Egyptian Arabic -> "ar", "yue" Cantonese -> "zh"); languages with no two-letter code keep
the model's ISO 639-3 code.
"""

from __future__ import annotations

import re
from functools import cache
from typing import Any

PREFIX_CHARS = 1000
# Non-Latin scripts take 2-3 bytes a character, and the classifier walks bytes: a shorter prefix suffices.
PREFIX_CHARS_NON_LATIN = 400
MIN_LETTERS = 12
MIN_CONFIDENCE = 0.5

# Case-sensitive and anchored on a space: several times faster than \b with IGNORECASE, and enough for a vote.
_ENGLISH_WORDS = re.compile(
    r" (?:[Tt]he|and|of|to|was|were|that|for|with|said|by|from|has|have|had|been|it|[Hh]e|[Ss]he|[Tt]hey|his|her|"
    r"their|this|which|who|after|are|would|will|not)\b"
)
_LETTER = re.compile(r"[^\W\d_]")
_LATIN_LETTER = re.compile(r"[A-Za-z\u00c0-\u024f\u1e00-\u1eff]")

_FOLD = {"arz": "ar", "ary": "ar", "yue": "zh", "wuu": "zh", "uzs": "uz", "srl": "sr", "fuv": "ff"}


@cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> str | None:
    """ISO 639-1 code of ``text``'s language, or None for empty text, garbage, or an unsure guess."""
    if not text:
        return None
    prefix = text[:PREFIX_CHARS]
    n_words = len(prefix.split())
    if n_words >= 8:
        hits = _ENGLISH_WORDS.findall(prefix)
        # "the" is the one word no other Latin-script language uses; the rate guards against a quoted phrase.
        the = hits.count(" the") + hits.count(" The") + prefix.startswith("The ")
        if the >= 2 and len(hits) >= 0.1 * n_words:
            return "en"
    letters = sum(map(str.isalpha, prefix))
    if letters < MIN_LETTERS or letters < 0.4 * (len(prefix) - prefix.count(" ")):
        return None
    latin = len(_LATIN_LETTER.findall(prefix))
    if latin < 0.9 * letters:
        if not _one_script(prefix):
            return None
        prefix = prefix[:PREFIX_CHARS_NON_LATIN]
    # Lone surrogates cannot be encoded as UTF-8; replacing them keeps the classifier from raising.
    data = prefix.encode("utf-8", "replace")
    try:
        code, confidence = _identifier().classify(data)
    except (ValueError, UnicodeError):
        return None
    if confidence < MIN_CONFIDENCE or code in ("zxx", "und"):
        return None
    return _FOLD.get(code, code)


def _script_of(char: str) -> int:
    """A coarse script bucket: Unicode blocks of 256 code points, with CJK and Hangul each merged into one."""
    cp = ord(char)
    if cp < 0x250 or 0x1E00 <= cp < 0x1F00:
        return 0
    if 0x3000 <= cp < 0xA000 or 0xF900 <= cp < 0xFB00 or 0xFF00 <= cp < 0xFFF0:
        return 0x30
    if 0xAC00 <= cp < 0xD7B0 or 0x1100 <= cp < 0x1200:
        return 0xAC
    if 0x0600 <= cp < 0x0780 or 0xFB50 <= cp < 0xFF00:
        return 0x06  # Arabic and its presentation forms
    return cp >> 8


def _one_script(prefix: str) -> bool:
    """True when most letters share one script, as in any real text (even one quoting another language)."""
    counts: dict[int, int] = {}
    total = 0
    for char in _LETTER.findall(prefix):
        bucket = _script_of(char)
        counts[bucket] = counts.get(bucket, 0) + 1
        total += 1
    return total > 0 and max(counts.values()) >= 0.75 * total
