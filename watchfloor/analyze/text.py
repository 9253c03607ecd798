"""Sentence spans and datelines, computed on the article text exactly as stored.

Nothing here normalises the text: every offset returned indexes the original string, so regexes are written to
tolerate what news text actually contains (curly quotes, en/em dashes, non-breaking spaces, bullet lines,
embedded tweets and photo credits).

Rules of ``split_sentences``:

- a line break always ends a sentence (a paragraph never continues across lines);
- inside a line, a sentence ends at ``.``, ``!``, ``?`` or an ellipsis, optionally followed by closing quotes or
  brackets, when whitespace and then something that can start a sentence follow (not a lowercase letter, not a
  comma);
- a period after a title (``Mr.``, ``Gen.``, ``Lt. Col.``, ``St.``), an initial (``J. Smith``), ``No. 5`` or
  ``Jan. 27`` never ends a sentence; after a dotted acronym (``U.S.``, ``U.N.``, ``a.m.``) or ``Inc.``/``Jr.``
  it does only when the next word is a typical sentence opener ("The", "He", "But"...);
- ``"Why?" Smith asked.`` stays one sentence (a capitalised name and a speech verb after a closing quote);
- an embedded tweet's ``pic.twitter.com/...`` link (with the signature after it) and photo credits such as
  ``(Reuters/John Doe)`` become sentences of their own;
- leading bullet markers (``•``, ``-``, ``*``) are left out of the span.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass

# Every character Python's str.splitlines treats as a line boundary: a line break always ends a sentence.
_LINE = re.compile(r"[^\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]+")

# A bullet marker at the start of a line, kept out of the sentence span.
_BULLET = re.compile(r"[ \t\u00a0]*(?:[•·▪‣◦●○■□*]|[-–—](?=[ \t\u00a0]))[ \t\u00a0]*")

_CLOSERS = "\"'”’»)]"

# A candidate end of sentence: terminators, closing quotes/brackets, whitespace, then the next character.
_TERMINATOR = re.compile(r"([.!?…]+)([\"'”’»)\]]*)\s+(?=(\S))")

# Links and photo credits that are sentences of their own even when glued to running text.
_INLINE_BREAK = re.compile(
    r"(?P<pic>(?i:pic\.twitter\.com/))"
    r"|\((?:[A-Z][\w.&'’-]*(?:[ \u00a0][A-Z][\w.&'’-]*)*)/[A-Z][^()\n]{0,60}\)"
    r"|\((?:Photo|Picture|Image|File photo|Credit)[:/][^()\n]{1,80}\)"
)

_TAIL_TOKEN = re.compile(r"([A-Za-z][A-Za-z.'’]*)\Z")
_DOTTED_ACRONYM = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]\Z")
_NEXT_WORD = re.compile(r"[\"'“‘(\[]*([A-Za-z]+)")
_SPEECH_AFTER_QUOTE = re.compile(
    r"[A-Z][\w'’-]*(?:[ \u00a0]+(?:al-|el-)?[A-Z][\w'’-]*){0,3}[ \u00a0]+"
    r"(?:said|says|asked|asks|added|told|wrote|replied|shouted|cried|insisted|explained|continued|recalled)\b"
)

# Abbreviations after which a period never ends a sentence.
_TITLES = frozenset(
    "mr mrs ms messrs dr gen gens lt col maj capt cpt sgt cpl pvt pte adm brig cmdr cdr rep reps sen sens gov "
    "pres prof rev hon st mt ft vs v insp supt det lieut msgr fr cf approx ave blvd".split()
)
# Abbreviations that end a sentence only when a digit does not follow ("Jan. 27", "No. 5", "Art. 3").
_BEFORE_NUMBER = frozenset("jan feb mar apr jun jul aug sep sept oct nov dec no nos art arts vol fig p pp para".split())
# Abbreviations that may end a sentence: decide by the next word.
_MAYBE_END = frozenset("inc ltd co corp jr sr etc al bros plc llc".split())
_AFTER_TIME = frozenset(
    "monday tuesday wednesday thursday friday saturday sunday gmt utc et est edt cet cest bst local eastern "
    "pacific central moscow jan feb mar apr may jun jul aug sep sept oct nov dec january february march april "
    "june july august september october november december".split()
)
# Words that typically open a sentence; after "U.S." or "a.m." they signal a sentence break.
_OPENERS = frozenset(
    """the a an he she it they we i you his her its their our this that these those there but and in on at as
    after before when while meanwhile however some many most other one two three four five six seven eight nine
    ten officials according still yet if since although though despite last earlier later so now then for with
    by from to no what why how who where asked speaking separately also another both each all""".split()
)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans ``[start, end)`` into ``text``, in order, without surrounding whitespace."""
    spans: list[tuple[int, int]] = []
    if not text:
        return spans
    breaks = _inline_breaks(text)
    for line in _LINE.finditer(text):
        start, end = line.span()
        bullet = _BULLET.match(text, start, end)
        if bullet and bullet.end() > start and bullet.group().strip():
            start = bullet.end()
        cuts = _line_cuts(text, start, end)
        if breaks:
            extra = breaks[bisect_right(breaks, start) : bisect_left(breaks, end)]
            if extra:
                cuts.extend(extra)
                cuts.sort()
        previous = start
        for cut in cuts:
            _append_trimmed(spans, text, previous, cut)
            previous = cut
        _append_trimmed(spans, text, previous, end)
    return spans


def _inline_breaks(text: str) -> list[int]:
    points: list[int] = []
    # str.find for the two openers, then the pattern at each: far cheaper than a regex scan of the text.
    for opener in ("(", "pic.", "Pic.", "PIC."):
        pos = text.find(opener)
        while pos >= 0:
            m = _INLINE_BREAK.match(text, pos)
            if m is not None:
                points.append(m.start())
                if m.group("pic") is None:
                    # A tweet link keeps what follows it (the "— Name (@handle) date" signature); a credit not.
                    points.append(m.end())
            pos = text.find(opener, pos + 1)
    points.sort()
    return points


def _line_cuts(text: str, start: int, end: int) -> list[int]:
    """Offsets inside one line where a new sentence starts."""
    cuts: list[int] = []
    for m in _TERMINATOR.finditer(text, start, end):
        nxt = m.group(3)
        if nxt.islower() or nxt in ",;:)]}%":
            continue
        if _is_sentence_end(text, start, m, nxt):
            cuts.append(m.end(2))
    return cuts


def _is_sentence_end(text: str, line_start: int, m: re.Match[str], nxt: str) -> bool:
    terminator, closers = m.group(1), m.group(2)
    if closers and any(c in '"”»' for c in closers) and _SPEECH_AFTER_QUOTE.match(text, m.end()):
        return False  # "Why?" Smith asked.
    if terminator != "." or closers:
        return True
    dot = m.start(1)
    token_match = _TAIL_TOKEN.search(text, max(line_start, dot - 20), dot)
    if token_match is None:
        # A number before the period: "1." opening a numbered line is a list marker, not a sentence.
        before = text[line_start:dot]
        return not (before.isdigit() and len(before) <= 2)
    token = token_match.group(1)
    # The token must be a whole word, not the tail of "F-16" or "5kg".
    tstart = token_match.start(1)
    if tstart > line_start and (text[tstart - 1].isalnum() or text[tstart - 1] in "-_"):
        return True
    lower = token.lower()
    if "." in token:
        if lower in ("a.m", "p.m"):
            # "5 p.m. Sunday" / "3 a.m. GMT" continue; anything else capitalised after a time starts anew.
            word = _NEXT_WORD.match(text, m.end())
            return not (word and word.group(1).lower() in _AFTER_TIME)
        if _DOTTED_ACRONYM.match(token):
            return _opener_follows(text, m.end())
        lower = lower.rsplit(".", 1)[-1]
    if lower in _TITLES:
        return False
    if len(token) == 1 and token.isupper():
        return False  # an initial: "J. Smith"
    if lower in _BEFORE_NUMBER and nxt.isdigit():
        return False
    if lower in _MAYBE_END:
        return _opener_follows(text, m.end())
    return True


def _opener_follows(text: str, pos: int) -> bool:
    word = _NEXT_WORD.match(text, pos)
    return bool(word) and word.group(1).lower() in _OPENERS


def _append_trimmed(spans: list[tuple[int, int]], text: str, start: int, end: int) -> None:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        spans.append((start, end))


# -- datelines ------------------------------------------------------------------------------------------

_MONTH_ABBR = (
    r"(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?"
    r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?|JAN|FEB|MAR|APR|MAY|JUNE?|JULY?|AUG|SEPT?|OCT|NOV|DEC)"
)
_SP = r"[ \u00a0]"
_CAPS_WORD = r"[A-Z][A-Z'’.\-]*[A-Z.]"
_TITLE_WORD = r"[A-Z][a-z'’\-]+(?:-[A-Z][a-z'’\-]+)*"
_REGION_WORD = r"[A-Z][\w'’.\-]*"
_DATELINE = re.compile(
    rf"""
    \s*
    (?:(?P<caps>{_CAPS_WORD}(?:(?:{_SP}|/){_CAPS_WORD}){{0,3}})|(?P<title>{_TITLE_WORD}(?:(?:{_SP}|/){_TITLE_WORD}){{0,2}}))
    (?P<region>(?:,{_SP}+{_REGION_WORD}(?:{_SP}(?:of|the|and|{_REGION_WORD})){{0,4}}){{0,2}})
    (?P<date>,?{_SP}+{_MONTH_ABBR}\.?{_SP}+\d{{1,2}}(?:,?{_SP}+\d{{4}})?)?
    {_SP}*(?P<agency>\([^()\n]{{1,40}}\))?
    {_SP}*(?P<sep>--?|–|—|―|:)(?=\s|$)
    """,
    re.VERBOSE,
)
# All-caps words that open news copy but are not places.
_NOT_PLACES = frozenset(
    "BREAKING UPDATE UPDATED WATCH LIVE EXCLUSIVE ANALYSIS OPINION COMMENT CORRECTION NOTE PHOTOS PHOTO VIDEO "
    "EDITOR'S EDITORS READ MORE FACTBOX EXPLAINER WARNING URGENT FLASH NEW".split()
)
# Of those, the words that also open place names when another word follows ("NEW YORK", "NEW DELHI").
_PLACE_PREFIXES = frozenset({"NEW"})
# Between the places of a joint dateline ("MOSCOW/IDLIB") and the words of one place.
_PLACE_WORD_BREAK = re.compile(r"[ \u00a0/]+")


def find_dateline(text: str) -> tuple[int, int] | None:
    """The span of a leading dateline ("BEIRUT (AP) -", "Kyiv, Ukraine —", "KHARTOUM:", "NEW YORK, Nov 3
    (Reuters) -", "MOSCOW/IDLIB (MPA) -"), separator included.

    The span ends right after the separator (trailing whitespace excluded); the body starts after it.
    Title-case places ("Kyiv") need a region or an agency so that an ordinary opening word is not mistaken
    for a place.
    """
    if not text:
        return None
    m = _DATELINE.match(text, 0, min(len(text), 300))
    if m is None:
        return None
    place = m.group("caps") or m.group("title")
    if m.group("caps"):
        letters = sum(c.isalpha() for c in place)
        if letters < 3 or _not_a_place(place):
            return None
    elif not (m.group("region") or m.group("agency")):
        return None
    start = m.start("caps") if m.group("caps") else m.start("title")
    return start, m.end("sep")


def _not_a_place(caps: str) -> bool:
    """Whether an all-caps dateline head is a label of news copy ("BREAKING", "NEW:") rather than places."""
    for place in caps.split("/"):
        words = _PLACE_WORD_BREAK.split(place.strip())
        for i, word in enumerate(words):
            if word in _NOT_PLACES and not (word in _PLACE_PREFIXES and i + 1 < len(words)):
                return True
    return False


def word_alternation(words: Iterable[str]) -> str:
    """A regex alternation of ``words`` factored by common prefixes ("kill(?:ed|ing)").

    Python's regex engine tries every branch of a plain alternation at every offset; factored, it decides on
    the first character, which makes scanning a whole article for a word list several times faster.
    """
    root: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        node = root
        for char in word:
            node = node.setdefault(char, {})
        node[""] = {}

    def emit(node: dict[str, dict]) -> str:  # type: ignore[type-arg]
        branches = [re.escape(char) + emit(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if "" in node else body

    return emit(root)


@dataclass(frozen=True, slots=True)
class Lowered:
    """An article lowercased with offsets intact, and the set of its lowercase words.

    Scanning a whole article with a large regex costs tens of microseconds whatever the pattern (the engine
    visits every offset); a set of words built once lets each extractor skip the words the article does not
    contain and find the others with ``str.find``.
    """

    text: str
    low: str
    words: frozenset[str]


# Hyphens split too, so that "twenty-five" and "food-insecure" contribute "twenty" and "food".
_WORD_BREAKS = str.maketrans({c: " " for c in ".,;:!?\"“”‘’'()[]{}«»/…—–-"})
_last_lowered: Lowered | None = None


def lowered(text: str) -> Lowered:
    """``Lowered`` for ``text``; the last result is kept, since every extractor asks for the same article."""
    global _last_lowered
    cached = _last_lowered
    if cached is not None and cached.text is text:
        return cached
    low = text.lower()
    if len(low) != len(text):
        # A few characters lowercase to two ("İ" -> "i̇"): lowercase one by one to keep offsets aligned.
        low = "".join(c.lower()[0] for c in text)
    result = Lowered(text, low, frozenset(low.translate(_WORD_BREAKS).split()))
    _last_lowered = result
    return result


def find_words(
    low: str, words: Iterable[str], lo: int = 0, hi: int | None = None, *, line_starts: bool = True
) -> list[int]:
    """Sorted offsets in ``low[lo:hi]`` where one of ``words`` starts as a whole word.

    A word is looked for after a space or a line break (and at ``lo``): searching for " over" instead of
    "over" skips "government" and "overnight" without visiting them, which matters for short words ("a",
    "no") that occur hundreds of times inside others. A word right after an opening quote or bracket is missed,
    and so is one opening a line when ``line_starts`` is False (the caller handles line starts itself).
    """
    end = len(low) if hi is None else hi
    positions: list[int] = []
    append = positions.append
    size_low = len(low)
    for word in words:
        size = len(word)
        if low.startswith(word, lo) and (lo == 0 or not low[lo - 1].isalnum()):
            after = lo + size
            if after >= size_low or not (low[after].isalnum() or low[after] == "_"):
                append(lo)
        for needle in (" " + word, "\n" + word) if line_starts else (" " + word,):
            pos = low.find(needle, lo, end)
            while pos >= 0:
                after = pos + 1 + size
                if after >= size_low or not (low[after].isalnum() or low[after] == "_"):
                    append(pos + 1)
                pos = low.find(needle, after, end)
    positions.sort()
    return positions
