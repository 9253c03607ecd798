"""Dates mentioned in an article, resolved against the article's own date.

Candidate positions are found cheaply (digits, month and weekday names, a few lowercase openers such as
"last", "yesterday", "the past"), and one precompiled pattern is matched at each; resolution is plain date
arithmetic (no dateparser: it is far too slow for the hot path and guesses where news usage is regular).

Precision follows ACLED: 1 a day, 2 a week, 3 a month (year-only mentions also get 3). A month-precision date
is the 15th of its month and a year-only date the 1st of July (``MONTH_DAY`` / ``YEAR_MONTH_DAY``): the middle
of the period, so the error of a coarse date is at most half the period either way.
``DateMention.text`` is the date expression with its preposition ("on Thursday", "in March", "since 2011",
"early on Wednesday", "at dawn on Tuesday"; a bare "of" is left out), and with any modifier that changes the
date ("last", "early", "mid-", "ago").

Conventions, chosen for news usage and documented here because other choices are possible:

- "Thursday" / "on Thursday": the most recent Thursday on or before the article date (published on a Thursday
  means that day), unless the sentence is in the future tense ("will", "is due to", "scheduled"), then the next
  Thursday on or after it. "last Thursday" is strictly before the article date; "next Thursday" strictly after.
- "today", "tonight", "this morning", "overnight": the article date. "yesterday", "last night": the day before.
  "Friday's attack" is a Friday too; "the day before", "two days after" (relative to the story) are not dated.
- "this week", "earlier this week": the article date, precision 2; "last week": seven days before it; "next
  week": seven days after (a day of the week meant, to within a few days either way). "over the weekend": the most recent Saturday (the coming one
  in a future-tense sentence); "this weekend" said on a weekday: the coming Saturday; precision 2.
- "this month", "last month": the 15th of that month, precision 3; likewise "this year", "last year" (1 July).
- "in March": the most recent March not after the article's month, precision 3, unless the sentence is in the
  future tense ("talks will resume in March"): then the coming March. "March 2011" as written.
- "November 27" (no year): the article's year, or the year before if that would put it more than ~2 months
  after the article date, or the year after if it would be more than ~10 months before it ("January 3" in a
  29 December article is the coming one). A year written elsewhere in the same sentence wins
  ("November 27 and December 8, 2024").
- "27/11/2024": read day-first or month-first only when one reading is impossible; "05/06/2024" is skipped.
- "two days ago": the article date minus two days; weeks ago -> precision 2; months/years ago -> precision 3.
- "the past 48 hours", "the last three days", "the past week": the start of that window, with the precision of
  its length (a day or less 1, up to two weeks 2, longer 3).

Without an article date, only mentions that carry their own year are returned.
"""

from __future__ import annotations

import datetime as dt
import re
from bisect import bisect_right
from collections.abc import Sequence

from watchfloor.analyze.text import lowered
from watchfloor.models import DateMention

# The day that stands for a month known only to the month (precision 3), and the date that stands for a year.
# The brief asks for the first (2024-11-01, 2011-01-01); the labelled articles code events to the middle instead
# (the 15th, 1 July), which is one assignment away.
MONTH_DAY = 15
YEAR_MONTH_DAY = (7, 1)

_MONTH_NUMBERS = {
    "january": 1, "february": 2, "march": 3, "april": 4, "may": 5, "june": 6, "july": 7, "august": 8,
    "september": 9, "october": 10, "november": 11, "december": 12,
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
    "nov": 11, "dec": 12,
}  # fmt: skip
_WEEKDAYS = {"monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5, "sunday": 6}
_SMALL_NUMBERS = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a few": 3, "few": 3, "several": 3, "a couple of": 2,
    "couple of": 2, "a couple": 2, "twenty-four": 24, "forty-eight": 48, "seventy-two": 72,
}  # fmt: skip
_VAGUE = frozenset({"a few", "few", "several", "a couple of", "couple of", "a couple"})

_FULL_MONTH = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)"
_MONTH = (
    r"(?:January|February|March|April|May|June|July|August|September|October|November|December"
    r"|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)"
)
_WEEKDAY = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
_YEAR = r"(?:19|20)\d\d"
_DAY = r"(?:[12]\d|3[01]|0?[1-9])"
_S = r"[ \u00a0]+"
_NUMBER_WORD = (
    r"(?:\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a\ few|few|several"
    r"|(?:a\ )?couple\ of|twenty-four|forty-eight|seventy-two)"
)
_PREP = (
    r"(?i:on|in|since|until|till|by|from|during|through|throughout|before|after|as\ of|over|of|late\ on|early\ on"
    r"|(?:at|before|after)\ dawn\ on|at\ \d{1,2}(?:[:.]\d\d)?\ ?(?:am|pm|a\.m\.|p\.m\.)\ on)"
)
_MOD = r"(?i:early|late|mid|(?:the\ )?(?:end|beginning|start|middle)\ of)"

# The date expressions, matched at candidate positions only (see ``_candidates``): trying a pattern this size
# at every offset of an article costs about a millisecond, ten times the budget.
_DATE_RE = re.compile(
    rf"""
    (?:
        (?P<iso>(?P<iso_y>{_YEAR})-(?P<iso_m>[01]\d)-(?P<iso_d>[0-3]\d))(?![\d-])
      | (?P<num>(?P<num_a>[0-3]?\d)(?P<num_sep>[/.])(?P<num_b>[0-3]?\d)(?P=num_sep)(?P<num_y>{_YEAR}))(?![\d.]\d)
      | (?P<md>(?:{_WEEKDAY},?{_S})?(?P<md_mon>{_MONTH})\.?{_S}(?P<md_day>{_DAY})(?:st|nd|rd|th)?
            (?![\d:]|\.\d|,\d{{3}})(?:,?{_S}(?P<md_year>{_YEAR})(?!\d))?)
      | (?P<dm>(?:{_WEEKDAY},?{_S})?(?P<dm_day>{_DAY})(?:st|nd|rd|th)?{_S}(?:of{_S})?(?P<dm_mon>{_MONTH})\b
            (?:(?<=Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\.|(?<=Sept)\.)?
            (?:,?{_S}(?P<dm_year>{_YEAR})(?!\d))?)
      | (?P<my>(?:(?P<my_mod>{_MOD})[- ]+)?(?P<my_mon>{_FULL_MONTH}),?{_S}(?P<my_year>{_YEAR})(?!\d))
      | (?P<mo>(?:(?P<mo_rel>(?i:last|this|next))[ ]+|(?P<mo_mod>{_MOD})[- ]+)?(?P<mo_mon>{_FULL_MONTH}))\b
            (?!{_S}\d|-)
      | (?P<yr>(?:(?P<yr_mod>{_MOD})[- ]+)?(?P<yr_year>{_YEAR}))(?![\w%-]|[.,]\d)
      | (?P<wd>(?:(?P<wd_rel>(?i:last|this|next|early|late))[ ]+)?(?P<wd_day>{_WEEKDAY})
            (?:{_S}(?P<wd_part>morning|afternoon|evening|night)\b|(?:'s|’s)(?:{_S}(?P<wd_part2>morning|afternoon|evening|night)\b)?)?)\b
      | (?P<rd>(?i:the\ day\ before\ yesterday|(?:yesterday|tomorrow)(?:\ (?:morning|afternoon|evening|night))?
            |today|tonight|overnight|last\ night|this\ (?:morning|afternoon|evening)))\b
      | (?P<rw>(?P<rw_mod>(?i:earlier|later)\ )?(?P<rw_rel>(?i:this|last|next))\ (?i:week)(?P<rw_end>(?i:end))?\b)
      | (?P<rwe>(?i:the|last|this|next)\ (?i:weekend))\b
      | (?P<rm>(?:(?i:earlier|later|early|late)\ )?(?P<rm_rel>(?i:this|last|next))\ (?i:month))\b
      | (?P<ry>(?:(?i:earlier|later|early|late)\ )?(?P<ry_rel>(?i:this|last|next))\ (?i:year))\b
      | (?P<ago>(?P<ago_n>(?i:{_NUMBER_WORD}))\ (?P<ago_u>(?i:hour|day|week|month|year))s?\ (?i:ago))\b
      | (?P<past>(?i:the)\ (?i:past|last|previous)\ (?:(?P<past_n>(?i:{_NUMBER_WORD}))\ )?
            (?P<past_u>(?i:hour|day|week|month|year))s?)\b
    )
    """,
    re.VERBOSE,
)
# A preposition right before a match: left out of the text, but it licenses a bare month or year ("in March").
_PREP_BEFORE = re.compile(rf"(?<![\w-])(?P<prep>{_PREP}){_S}\Z")
# Where a date expression can start. Numbers that can open a date ("2024-", "27/", "27 Nov", "2011"): the
# pattern opens with \d so that the regex engine scans for digits quickly; the lookbehind after it rejects
# digits inside words and numbers ("F-16", "3,000").
_DIGIT_START = re.compile(
    r"\d(?<![\w/.,-]\d)"
    r"(?:(?<=1)9\d\d(?!\d)|(?<=2)0\d\d(?!\d)|\d?(?:[/.]\d|(?:st|nd|rd|th)?[ \u00a0]+(?:of[ \u00a0]+)?[JFMASOND][a-z]))"
)
# Month and weekday names: a literal alternation, which the engine scans for quickly; whole words are checked after.
_NAME_START = re.compile(r"(?:Jan|Feb|Ma[ry]|Apr|Ju[nl]|Aug|Sep|Oct|Nov|Dec|Mon|Tue|Wed|Thu|Fri|Sat|Sun)")
_NAME_WORD = re.compile(r"[A-Z][a-z]*")
_NAMES = frozenset(_MONTH_NUMBERS) | frozenset(_WEEKDAYS)
# Lowercase openers, matched on the lowercased text so that "Last week" and "last week" are one pattern.
_LOWER_START = re.compile(
    r"overnight|t(?:o(?:day|night|morrow)|his |he (?:past|last|previous|weekend|day before|end of|beginning of|start of"
    r"|middle of))|yesterday|la(?:st|te|ter) |next |earl(?:ier|y) |mid[- ]"
)
_WORD_START = re.compile(r"\b\w")
_FUTURE = re.compile(r"\b(?:will|won't|'ll|shall|is due|are due|scheduled|planned|expected to|set to|is to|are to)\b")


def find_dates(
    text: str, article_date: dt.date | None, sentences: Sequence[tuple[int, int]] | None = None
) -> list[DateMention]:
    """Date mentions in ``text``, in order; relative ones need ``article_date``.

    ``sentences`` (sorted spans) scope the year of a yearless month-day and the tense of a bare weekday;
    without them the line is the scope.
    """
    out: list[DateMention] = []
    if not text:
        return out
    pending: list[tuple[int, int, int, int]] = []  # (index in out, month, day, start) for yearless month-days
    covered = 0
    for pos in _candidates(text):
        if pos < covered:
            continue
        m = _DATE_RE.match(text, pos)
        if m is None or m.lastgroup is None:
            continue
        kind = m.lastgroup
        start, end = m.span(kind)
        covered = end
        prep_match = _PREP_BEFORE.search(text, max(0, start - 26), start)
        prep = prep_match.group("prep").lower() if prep_match else None
        possessive = kind == "wd" and "'s" in m.group("wd").replace("’", "'")
        if prep is not None and prep != "of" and not possessive:
            start = prep_match.start("prep")  # type: ignore[union-attr]  # "on Thursday", "since 2011"
        resolved = _resolve(m, kind, prep, text, article_date, sentences)
        if resolved is None:
            continue
        if resolved == "yearless":
            month = _MONTH_NUMBERS[(m.group("md_mon") or m.group("dm_mon")).lower()]
            day = int(m.group("md_day") or m.group("dm_day"))
            pending.append((len(out), month, day, start))
            out.append(DateMention(date="", precision=1, start=start, end=end, text=text[start:end]))
            continue
        date, precision = resolved
        out.append(DateMention(date=date.isoformat(), precision=precision, start=start, end=end, text=text[start:end]))
    if pending:
        _resolve_yearless(out, pending, text, article_date, sentences)
        out = [d for d in out if d.date]
    return out


def _candidates(text: str) -> list[int]:
    """Sorted offsets at which a date expression may start (a superset: the full pattern decides)."""
    low = lowered(text).low  # shared with the other extractors; offsets kept even for "İ"
    positions = [m.start() for m in _DIGIT_START.finditer(text)]
    for m in _NAME_START.finditer(text):
        pos = m.start()
        if (pos == 0 or not text[pos - 1].isalnum()) and _NAME_WORD.match(text, pos).group().lower() in _NAMES:  # type: ignore[union-attr]
            positions.append(pos)
    for m in _LOWER_START.finditer(low):
        pos = m.start()
        if pos == 0 or not (low[pos - 1].isalnum() or low[pos - 1] in "/.-_"):
            positions.append(pos)
    pos = low.find(" ago")
    while pos >= 0:
        # "two days ago" starts at its number: try each of the few word starts before "ago".
        positions.extend(w.start() for w in _WORD_START.finditer(text, max(0, pos - 24), pos))
        pos = low.find(" ago", pos + 4)
    positions.sort()
    return positions


def _resolve(
    m: re.Match[str],
    kind: str,
    prep: str | None,
    text: str,
    article: dt.date | None,
    sentences: Sequence[tuple[int, int]] | None,
) -> tuple[dt.date, int] | str | None:
    if kind == "iso":
        return _day(int(m.group("iso_y")), int(m.group("iso_m")), int(m.group("iso_d")))
    if kind == "num":
        return _numeric(int(m.group("num_a")), int(m.group("num_b")), int(m.group("num_y")))
    if kind in ("md", "dm"):
        month = _MONTH_NUMBERS[m.group(f"{kind}_mon").lower()]
        day = int(m.group(f"{kind}_day"))
        year = m.group(f"{kind}_year")
        if year:
            return _day(int(year), month, day)
        return "yearless"
    if kind == "my":
        return _month(int(m.group("my_year")), _MONTH_NUMBERS[m.group("my_mon").lower()])
    if kind == "mo":
        # A bare month name is too ambiguous ("March", "May"): it needs a preposition or a modifier.
        if prep is None and m.group("mo_rel") is None and m.group("mo_mod") is None:
            return None
        if article is None:
            return None
        month = _MONTH_NUMBERS[m.group("mo_mon").lower()]
        rel = (m.group("mo_rel") or "").lower()
        year = article.year if month <= article.month else article.year - 1
        if rel == "next":
            year = article.year if month > article.month else article.year + 1
        elif not rel and _future_tense(text, m.start(), sentences):
            # "elections will be held in March" (said in December) is the coming March.
            year = article.year if month >= article.month else article.year + 1
        elif rel == "last" and month == article.month:
            year = article.year - 1
        return _month(year, month)
    if kind == "yr":
        if prep is None and m.group("yr_mod") is None:
            return None
        if prep in ("on", "over", "of", "late on", "early on"):
            return None
        return _year(int(m.group("yr_year")))
    if article is None:
        return None
    if kind == "wd":
        return _weekday(m, text, article, sentences)
    if kind == "rd":
        phrase = m.group("rd").lower()
        if "before yesterday" in phrase:
            return article - dt.timedelta(days=2), 1
        if phrase.startswith("yesterday") or phrase == "last night":
            return article - dt.timedelta(days=1), 1
        if phrase.startswith("tomorrow"):
            return article + dt.timedelta(days=1), 1
        return article, 1
    if kind == "rw":
        rel = m.group("rw_rel").lower()
        shift = {"this": 0, "last": -7, "next": 7}[rel]
        if m.group("rw_end"):
            return _weekend(article, rel), 2
        return article + dt.timedelta(days=shift), 2
    if kind == "rwe":
        rel = m.group("rwe").split()[0].lower()
        if rel == "the":
            # "over the weekend" is the last one; "talks will resume at the weekend" the coming one.
            rel = "next" if _future_tense(text, m.start(), sentences) and article.weekday() < 5 else "the"
        return _weekend(article, rel), 2
    if kind == "rm":
        rel = m.group("rm_rel").lower()
        first = article.replace(day=1)
        if rel == "last":
            first = (first - dt.timedelta(days=1)).replace(day=1)
        elif rel == "next":
            first = (first + dt.timedelta(days=32)).replace(day=1)
        return _month(first.year, first.month)
    if kind == "ry":
        rel = m.group("ry_rel").lower()
        return _year(article.year + {"this": 0, "last": -1, "next": 1}[rel])
    if kind == "ago":
        word = m.group("ago_n").lower()
        unit = m.group("ago_u").lower()
        # "a few days ago" is known to the week at best.
        return _back(article, _count(word), unit, window=False, vague=not word.isdigit() and word in _VAGUE)
    if kind == "past":
        n = _count(m.group("past_n")) if m.group("past_n") else None
        unit = m.group("past_u").lower()
        if n is None and unit in ("hour", "day"):
            return None  # "the previous day" is relative to the story, not to the article date
        return _back(article, n or 1, unit, window=True)
    return None


def _day(year: int, month: int, day: int) -> tuple[dt.date, int] | None:
    try:
        return dt.date(year, month, day), 1
    except ValueError:
        return None


def _month(year: int, month: int) -> tuple[dt.date, int] | None:
    try:
        return dt.date(year, month, MONTH_DAY), 3
    except ValueError:
        return None


def _year(year: int) -> tuple[dt.date, int] | None:
    try:
        return dt.date(year, *YEAR_MONTH_DAY), 3
    except ValueError:
        return None


def _numeric(a: int, b: int, year: int) -> tuple[dt.date, int] | None:
    if a > 12 and b <= 12:
        return _day(year, b, a)  # 27/11/2024
    if b > 12 and a <= 12:
        return _day(year, a, b)  # 11/27/2024
    if a == b:
        return _day(year, a, b)  # 05/05/2024 reads the same either way
    return None


def _count(word: str) -> int:
    word = word.lower()
    if word.isdigit():
        return int(word)
    return _SMALL_NUMBERS.get(word, 1)


def _back(article: dt.date, n: int, unit: str, *, window: bool, vague: bool = False) -> tuple[dt.date, int] | None:
    if unit == "hour":
        days = -(-n // 24) if window else n // 24
    else:
        days = n * {"day": 1, "week": 7, "month": 30, "year": 365}[unit]
    if days > 365 * 200:
        return None
    date = article - dt.timedelta(days=days)
    if unit in ("month", "year") and not window:
        return _month(date.year, date.month) if unit == "month" else _year(date.year)
    if window:
        precision = 1 if days <= 1 else 2 if days <= 14 else 3
    else:
        precision = 2 if vague else {"hour": 1, "day": 1, "week": 2}[unit]
    return date, precision


def _weekend(article: dt.date, rel: str) -> dt.date:
    saturday_back = article - dt.timedelta(days=(article.weekday() - 5) % 7)
    if rel == "last":
        return saturday_back - dt.timedelta(days=7) if article.weekday() >= 5 else saturday_back
    if rel == "next" or (rel == "this" and article.weekday() < 5):
        return article + dt.timedelta(days=(5 - article.weekday()) % 7 or 7)
    return saturday_back


def _weekday(
    m: re.Match[str], text: str, article: dt.date, sentences: Sequence[tuple[int, int]] | None
) -> tuple[dt.date, int]:
    target = _WEEKDAYS[m.group("wd_day").lower()]
    rel = (m.group("wd_rel") or "").lower()
    back = (article.weekday() - target) % 7
    forward = (target - article.weekday()) % 7
    if rel == "last":
        return article - dt.timedelta(days=back or 7), 1
    if rel == "next":
        return article + dt.timedelta(days=forward or 7), 1
    if rel == "this" or _future_tense(text, m.start(), sentences):
        return article + dt.timedelta(days=forward), 1
    return article - dt.timedelta(days=back), 1


def _future_tense(text: str, pos: int, sentences: Sequence[tuple[int, int]] | None) -> bool:
    start = _scope(text, pos, sentences)[0]
    return _FUTURE.search(text, max(start, pos - 80), pos) is not None


def _scope(text: str, pos: int, sentences: Sequence[tuple[int, int]] | None) -> tuple[int, int]:
    """The sentence holding ``pos``, or its line when no sentences are given."""
    if sentences:
        i = bisect_right(sentences, (pos, len(text) + 1)) - 1
        if 0 <= i < len(sentences) and sentences[i][0] <= pos < sentences[i][1]:
            return sentences[i]
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return start, len(text) if end < 0 else end


def _resolve_yearless(
    out: list[DateMention],
    pending: list[tuple[int, int, int, int]],
    text: str,
    article: dt.date | None,
    sentences: Sequence[tuple[int, int]] | None,
) -> None:
    for index, month, day, start in pending:
        year = _year_in_scope(out, index, text, start, sentences)
        if year is None and article is not None:
            year = _nearest_year(article, month, day)
        if year is None:
            continue
        resolved = _day(year, month, day)
        if resolved is not None:
            out[index].date = resolved[0].isoformat()


def _year_in_scope(
    out: list[DateMention], index: int, text: str, start: int, sentences: Sequence[tuple[int, int]] | None
) -> int | None:
    """The year of a day-precision date written with its year in the same sentence, nearest first."""
    lo, hi = _scope(text, start, sentences)
    best: tuple[int, int] | None = None
    for other in out:
        if other is out[index] or not other.date or other.precision != 1 or not (lo <= other.start < hi):
            continue
        if not re.search(r"\d{4}", other.text):
            continue
        distance = abs(other.start - start)
        if best is None or distance < best[0]:
            best = (distance, int(other.date[:4]))
    return best[1] if best else None


def _nearest_year(article: dt.date, month: int, day: int) -> int:
    year = article.year
    try:
        candidate = dt.date(year, month, day)
    except ValueError:
        candidate = dt.date(year, month, 28)  # 29 February: any day of that month decides the year
    if (candidate - article).days > 62:
        return year - 1
    if (article - candidate).days > 305:
        return year + 1
    return year
