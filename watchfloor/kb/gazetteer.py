"""Offline gazetteer: find the place names in a text and resolve them to coordinates.

The index is built once from GeoNames data (see ``watchfloor.kb.gazetteer_build``; GeoNames,
https://www.geonames.org/, CC BY 4.0) and the curated ``kb/data/places.yaml``. Opening it reads only a
few small tables; names are looked up in SQLite per key, with an LRU cache in front.

Finding works in three steps:

1. candidates: runs of capitalised tokens (with the connectors of Arabic and French names, "al-", "de",
   "des"..., and tails such as "camp" or "crossing"), longest first, then a trailing "Oblast", "province",
   "region", "governorate" or "state" that asks for the admin-1 region;
2. filters: stop words, common words at the start of a sentence, demonyms, spans the caller asks to skip;
3. joint resolution: each candidate place is scored on how well the name matches, its population and
   rank, the countries of the document (given, named, or implied by unambiguous places) and its distance
   to the other places of the text; a place far from the document's countries must be large, or be
   introduced as a place ("in X", "near X").

Precision follows ACLED's: 1 the town itself, 2 "near X", "outskirts of X" or a district, 3 a region,
an admin-1 area or a country.
"""

from __future__ import annotations

import itertools
import logging
import math
import operator
import re
import sqlite3
import threading
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from watchfloor.analyze.doc import PlaceMatch
from watchfloor.errors import KnowledgeBaseError
from watchfloor.kb import gazetteer_build as build
from watchfloor.kb.textnorm import fold, loose, skeleton
from watchfloor.models import Place

log = logging.getLogger(__name__)

# Tokens: words (letters with inner apostrophes, as in Ma'arrat) and dotted acronyms (U.S., U.K.).
_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|[^\W\d_]+(?:['\u2019\u02bc][^\W\d_]+)*")
_POSSESSIVE = re.compile(r"['\u2019]s$")
# What may stand between two tokens of one name: a space, or a hyphen (Port-au-Prince, al-Hol).
_JOIN = re.compile(r"^(?: |\u00a0|-|\u2010|\u2011| - )$")
# The same as a set, for the hot loops (with the line break that ``$`` lets through at the end, as in a name
# hyphenated across lines).
_JOIN_GAPS = frozenset(g + nl for g in (" ", "\u00a0", "-", "\u2010", "\u2011", " - ") for nl in ("", "\n"))
_SENTENCE_END = frozenset(".!?\n\u2022|")
_OPENERS = frozenset(" \t\"'\u201c\u2018([\u00ab-\u2013\u2014")

# Lower-case words that belong inside a name.
_ARTICLES = frozenset({"al", "el", "ad", "ar", "as", "ash", "at", "az", "an", "ed", "er", "es", "et", "ez", "en"})
# The articles in every case they can be written in ("al", "Al", "AL"), to test a word without lowering it.
_ARTICLE_FORMS = frozenset(
    "".join(letters) for word in _ARTICLES for letters in itertools.product(*((c, c.upper()) for c in word))
)
_CONNECTORS = _ARTICLES | frozenset(
    {
        "de",
        "des",
        "du",
        "la",
        "le",
        "les",
        "au",
        "aux",
        "di",
        "da",
        "do",
        "dos",
        "das",
        "del",
        "of",
        "bin",
        "ibn",
        "um",
        "umm",
        "wa",
        "y",
        "sur",
        "en",
        "on",
        "upon",
        "am",
        "an",
        "der",
        "van",
        "von",
        "u",
    }
)
_TAILS = frozenset(
    {
        "camp",
        "camps",
        "crossing",
        "refugee",
        "displacement",
        "border",
        "valley",
        "corridor",
        "city",
        "strip",
        "heights",
        "mountains",
        "peninsula",
        "basin",
        "bridge",
        "gate",
        "route",
        "nuclear",
        "power",
        "plant",
    }
)
# After a name, these ask for the admin-1 region of that name.
_REGION_SUFFIXES = frozenset(
    {
        "oblast",
        "province",
        "governorate",
        "state",
        "region",
        "krai",
        "department",
        "prefecture",
        "county",
        "territory",
        "provinces",
        "regions",
        "governorates",
        "states",
        "oblasts",
    }
)
# After a name, these say the place is around it rather than in it.
_AREA_SUFFIXES = frozenset(
    {
        "area",
        "areas",
        "district",
        "countryside",
        "outskirts",
        "suburbs",
        "environs",
        "vicinity",
        "surroundings",
        "neighbourhood",
        "neighborhood",
        "axis",
        "front",
        "direction",
        "sector",
    }
)
# Words just before a name that say where it stands. Read word by word (not by regex): it runs per mention.
_NEAR_WORDS = frozenset({"near", "nearby", "outside", "around", "off", "outskirts", "suburbs", "environs"})
_NEAR_PAIRS = frozenset(
    {
        ("close", "to"),
        ("next", "to"),
        ("outskirts", "of"),
        ("suburbs", "of"),
        ("suburb", "of"),
        ("vicinity", "of"),
        ("edge", "of"),
        ("outside", "of"),
        ("km", "from"),
        ("kilometres", "from"),
        ("kilometers", "from"),
        ("miles", "from"),
    }
)
_COMPASS = (
    "north",
    "south",
    "east",
    "west",
    "northeast",
    "northwest",
    "southeast",
    "southwest",
    "north-east",
    "north-west",
    "south-east",
    "south-west",
)
_DIRECTIONS = frozenset(_COMPASS)
_DIRECTION_ADJECTIVES = frozenset({c + "ern" for c in _COMPASS} | {"rural"})
# Adjectives between a cue and a name, read past when looking for the cue: "in rural Tibu", "in northern
# Idlib", "struck central Sumy" ("central" asks for no region: central Sumy is the city's centre).
_PLACE_ADJECTIVES = _DIRECTION_ADJECTIVES | frozenset({"central", "downtown", "occupied", "besieged", "southernmost",
                                                       "northernmost", "eastern", "western"})
_DISTANCES = frozenset({"km", "kilometres", "kilometers", "kilometre", "kilometer", "miles"})
_KIND_WORDS = frozenset({"town", "city", "village", "camp", "area", "district", "port"})
_REGION_WORDS = frozenset({"province", "region", "governorate", "state", "oblast"})
# Before a name, these introduce it as a place: a small foreign town passes with them, not without.
_CUE_WORDS = frozenset(
    {
        "in",
        "near",
        "at",
        "on",
        "into",
        "outside",
        "around",
        "toward",
        "towards",
        "from",
        "across",
        "through",
        "inside",
        "within",
        "to",
        "reached",
        "entered",
        "captured",
        "seized",
        "retook",
        "shelled",
        "struck",
        "bombarded",
        "besieged",
        "encircled",
        "took",
        "over",
    }
)
_CUE_OF_HEADS = _KIND_WORDS | _REGION_WORDS | frozenset({"outskirts", "suburbs"})


def _upper_letters() -> str:
    """A regex class of the upper-case letters (of the Basic Multilingual Plane), as ranges."""
    letter = re.compile(r"[^\W\d_]")
    codes = [c for c in range(0x10000) if chr(c).isupper() and letter.match(chr(c))]
    ranges: list[str] = []
    first = prev = codes[0]
    for code in [*codes[1:], -1]:
        if code != prev + 1:
            ranges.append(re.escape(chr(first)) + ("-" + re.escape(chr(prev)) if prev > first else ""))
            first = code
        prev = code
    return "[" + "".join(ranges) + "]"


def _word_trie(words: frozenset[str]) -> str:
    """A regex matching exactly ``words`` written in lower case or in lower case first then any case ("al",
    "aL"), as a trie of alternatives so that the regex engine reads each letter once."""
    trie: dict[str, dict] = {}  # type: ignore[type-arg]
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}

    def emit(node: dict, first: bool) -> str:  # type: ignore[type-arg]
        alternatives = []
        for ch in sorted(k for k in node if k):
            letter = re.escape(ch) if first or ch.upper() == ch else f"[{ch}{ch.upper()}]"
            alternatives.append(letter + emit(node[ch], False))
        if not alternatives:
            return ""
        return "(?:" + "|".join(alternatives) + ")" + ("?" if "" in node else "")

    return emit(trie, True)


# The tokens of ``_TOKEN`` that can be part of a place name, found by one regex so that the lower-case words
# that make most of a text cost nothing: acronyms, capitalised words and, as whole words, the connectors and
# tails of names. A token starts where one of ``_TOKEN`` would: not after a letter, nor after a letter and an
# apostrophe.
_NAME_TOKEN = re.compile(
    r"(?<![^\W\d_])(?<![^\W\d_]['\u2019\u02bc])(?:"
    r"(?:[A-Z]\.){2,}"
    r"|" + _upper_letters() + r"[^\W\d_]*(?:['\u2019\u02bc][^\W\d_]+)*"
    r"|" + _word_trie(_CONNECTORS | _TAILS) + r"(?:['\u2019][sS])?(?![^\W\d_]|['\u2019\u02bc][^\W\d_]))"
)
# A region suffix right after a name, as ``_next_word`` would find it (a cheap test before building the word).
_REGION_SUFFIX_AT = re.compile(
    r"(?: - |[ \u00a0\-\u2010\u2011])\n?(?i:" + "|".join(sorted(_REGION_SUFFIXES, key=len, reverse=True)) + r")\b"
)
# The capitalised tokens of ``_NAME_TOKEN`` alone: the upper-case letter first, so that the engine skips to the
# next one quickly, then the same conditions on what stands before it (read past that letter).
_CAP_TOKEN = re.compile(
    _upper_letters() + r"(?<![^\W\d_].)(?<![^\W\d_]['\u2019\u02bc].)"
    r"(?:(?<=[A-Z])\.(?:[A-Z]\.)+|[^\W\d_]*(?:['\u2019\u02bc][^\W\d_]+)*)"
)
_JOIN_CHARS_NL = frozenset(" \u00a0-\u2010\u2011\n")
# Where a word opens a sentence (see ``_Token.initial``): the text's start or a sentence end, then openers.
_OPENER_CHARS = "".join(sorted(_OPENERS))
_INITIAL_AT = re.compile(r"[.!?\n\u2022|:][ \t\"'\u201c\u2018(\[\u00ab\-\u2013\u2014]*")
_CAP_SPLIT = re.compile(f"({_CAP_TOKEN.pattern})")
_MATCH_END = re.Match.end
_AL_EL = frozenset(w for w in _ARTICLE_FORMS if w.lower() in ("al", "el"))
_TOKEN_START = operator.attrgetter("start")
# The first three letters of the connectors and tails of three letters or more, and the connectors of two, as
# ``_NAME_TOKEN`` reads them (the first letter in lower case, the others in either).
_LINK_PREFIXES3 = frozenset(
    w[0] + "".join(rest)
    for w in _CONNECTORS | _TAILS
    if len(w) >= 3
    for rest in itertools.product(*((c, c.upper()) for c in w[1:3]))
)
_LINK_WORDS2 = frozenset(w[0] + c for w in _CONNECTORS | _TAILS if len(w) == 2 for c in (w[1], w[1].upper()))
_QUOTES = frozenset("'\"\u2018\u2019\u201c\u201d")
_JOIN_CHARS = frozenset(" \u00a0-\u2010\u2011")


def _left_context(before: str) -> tuple[bool, bool, bool]:
    """(near, direction, cued) from the words just before a mention.

    near: "near X", "outskirts of X", "10 km north of the town of X"; direction: "northern X", "the
    province of X"; cued: "in X", "captured X", "the village of X".
    """
    if not before or not before[-1].isspace():
        return False, False, False  # "(Idlib" or "Aleppo,Idlib": no word stands right before
    words = before.lower().rsplit(None, 6)[-6:]  # the last six words, without splitting the rest
    if not words:
        return False, False, False
    last = words[-1]
    direction = last in _DIRECTION_ADJECTIVES or (
        len(words) >= 3 and words[-3] == "the" and words[-2] in _REGION_WORDS and last == "of"
    )
    cued = len(words) >= 2 and last == "of" and words[-2] in _CUE_OF_HEADS
    w = words
    if w and w[-1] in _PLACE_ADJECTIVES:
        w = w[:-1]
    if w and w[-1] == "the":
        w = w[:-1]
    if len(w) >= 2 and w[-1] == "of" and w[-2] in _KIND_WORDS:
        w = w[:-2]
        if w and w[-1] == "the":
            w = w[:-1]
    if not w:
        return False, direction, cued
    near = (
        w[-1] in _NEAR_WORDS
        or w[-1] in _DISTANCES
        or (len(w) >= 2 and ((w[-2], w[-1]) in _NEAR_PAIRS or (w[-1] == "of" and w[-2] in _DIRECTIONS)))
    )
    cued = cued or near or w[-1] in _CUE_WORDS
    return near, direction, cued


# After a region's bare name, these make it an adjective of people, not a place ("Kachin fighters").
_PEOPLE_NOUNS = frozenset(
    {
        "fighters",
        "rebels",
        "militia",
        "militias",
        "militants",
        "insurgents",
        "forces",
        "troops",
        "army",
        "armed",
        "people",
        "civilians",
        "refugees",
        "leaders",
        "groups",
        "group",
        "community",
        "communities",
        "politicians",
        "activists",
        "man",
        "men",
        "woman",
        "women",
        "language",
        "elders",
        "youth",
        "soldiers",
        "gunmen",
    }
)
_TOWNS = frozenset({"city", "capital", "admin-seat"})

_BY_NAME_MAX = 65_536
_MAX_SPAN_TOKENS = 6
_MAX_SKIP_WINDOW = 48  # characters of left context read for cue words

# Scoring weights. A primary-name match, a large population and the document's countries dominate.
_QUALITY_SCORE = {
    build.KIND_PRIMARY: 3.0,
    build.KIND_ALTERNATE: 2.2,
    build.KIND_LOOSE_PRIMARY: 1.6,
    build.KIND_LOOSE_ALTERNATE: 1.0,
    build.KIND_SKELETON: 0.0,
}
_FEATURE_SCORE = {
    "capital": 1.5,
    "admin-seat": 1.0,
    "country": 3.0,
    "region": 0.3,
    "camp": 0.8,
    "crossing": 0.8,
    "district": 0.5,
    "city": 0.0,
}
_CALLER_COUNTRY_BONUS = 4.0
_CONTEXT_COUNTRY_BONUS = 3.0
_FOREIGN_MIN_POPULATION = 100_000
_FOREIGN_MIN_POPULATION_CUED = 15_000
_UNIQUE_MIN_POPULATION = 2_000


@dataclass(slots=True, frozen=True)
class _Cand:
    """A place a name may refer to, and how well the name matched it (a ``build.KIND_*``)."""

    pid: int
    name: str
    lat: float
    lon: float
    country: str | None
    admin1: str | None
    admin2: str | None
    population: int
    feature: str
    geonames_id: int | None
    curated: bool
    quality: int
    # The parts of ``_score`` that depend on the candidate alone, computed once: as a town (or a region asked
    # for as one) and as a region named bare ("Aleppo" is the town; the region of that name the fallback).
    plain: float = field(init=False, compare=False, repr=False, default=0.0)
    bare_region: float = field(init=False, compare=False, repr=False, default=0.0)
    # The cells around the candidate (its own and the eight next to it) in the two grids of ``_Anchors``,
    # computed once rather than per document.
    fine_cells: tuple[int, ...] = field(init=False, compare=False, repr=False, default=())
    coarse_cells: tuple[int, ...] = field(init=False, compare=False, repr=False, default=())
    pid_quality: tuple[int, int] = field(init=False, compare=False, repr=False, default=(0, 0))

    def __post_init__(self) -> None:
        quality = _QUALITY_SCORE[self.quality]
        feature = _FEATURE_SCORE.get(self.feature, 0.0)
        plain = quality + 0.6 * math.log10(self.population + 10)
        if self.curated:
            plain += 1.0
        object.__setattr__(self, "plain", plain + feature)
        object.__setattr__(self, "bare_region", quality + 0.6 * math.log10(min(self.population, 1000) + 10) + feature)
        fine, coarse = _grid_cell(self.lat, self.lon, _Anchors._FINE), _grid_cell(self.lat, self.lon, _Anchors._COARSE)
        object.__setattr__(self, "fine_cells", tuple(fine + offset for offset in _AROUND))
        object.__setattr__(self, "coarse_cells", tuple(coarse + offset for offset in _AROUND))
        object.__setattr__(self, "pid_quality", (self.pid, self.quality))


_PID_QUALITY = operator.attrgetter("pid_quality")


@dataclass(slots=True)
class _Token:
    start: int
    end: int
    text: str
    cap: bool
    initial: bool  # first word of a sentence or line


@dataclass(slots=True)
class _Mention:
    start: int
    end: int
    cands: list[_Cand]
    region_only: bool = False  # "X province": only regions (or X's region) will do
    near: bool = False
    cued: bool = False
    direction: bool = False
    long_name: bool = False  # six letters or more once loosened: a loose match of it is no accident
    unique: bool = False  # one candidate only, by its own name: no other place is called so
    choice: _Cand | None = None
    margin: float = 0.0  # how far the choice's score is ahead of the best rival's (8.0 when it has none)

    def signature(self) -> tuple[object, ...]:
        """What the choice of a place depends on besides the document: candidates and cues."""
        return (
            tuple(map(_PID_QUALITY, self.cands)),
            self.region_only,
            self.near,
            self.cued,
            self.direction,
            self.long_name,
            self.unique,
        )


class Gazetteer:
    """Place lookup over the SQLite index; safe to share between threads."""

    def __init__(self, con: sqlite3.Connection, path: Path, extra: dict[str, list[_Cand]] | None = None) -> None:
        self.path = path
        self._con = con
        self._lock = threading.Lock()
        self._extra = extra or {}
        words: dict[str, set[str]] = {}
        for word, kind in con.execute("SELECT word, kind FROM word"):
            words.setdefault(kind, set()).add(word)
        self._stop = frozenset(words.get("stop", ()))
        self._common = frozenset(words.get("common", ()))
        self._country_names: dict[str, tuple[str, bool]] = {
            key: (iso3, bool(demonym))
            for key, iso3, demonym in con.execute("SELECT key, iso3, demonym FROM country_name")
        }
        pairs: dict[str, set[str]] = {}
        for iso3, other in con.execute("SELECT iso3, other FROM neighbour"):
            pairs.setdefault(iso3, set()).add(other)
        self._neighbours = {k: frozenset(v) for k, v in pairs.items()}
        self._countries: dict[str, _Cand] = {}
        for row in con.execute(f"SELECT {_PLACE_COLUMNS} FROM place WHERE feature = 'country'"):
            cand = _cand(row, build.KIND_PRIMARY)
            if cand.country:
                self._countries[cand.country] = cand
        self._lookup = lru_cache(maxsize=65_536)(self._lookup_uncached)
        # The places of a name (not by skeleton), in a plain dict in front of the LRU cache: a dict look-up is
        # cheaper than a call of the cache, and the hot loop of ``_mentions`` asks for every capitalised word.
        self._by_name: dict[str, tuple[_Cand, ...]] = {}
        # What the spelling of a capitalised word decides when it stands alone (see ``_lone_verdict``).
        self._lone: dict[str, tuple[str, bool, bool, str | None, bool]] = {}

    # ------------------------------------------------------------------------------------ opening

    @classmethod
    def open(cls, path: Path | None = None, extra_files: Sequence[Path] = ()) -> Gazetteer:
        """Open the index at ``path`` (default ``config.gazetteer_path()``), building it first if missing.

        An index built from another version of the curated file is rebuilt, so edits to ``places.yaml``
        take effect. ``extra_files`` are more curated files in the ``places:`` format of ``places.yaml``,
        held in memory on top of the index.
        """
        if path is None:
            from watchfloor.config import gazetteer_path

            path = gazetteer_path()
        if not path.exists():
            log.info("gazetteer index %s is missing; building it from GeoNames (takes about 20 s)", path)
            build.build_gazetteer(path)
        con = _connect(path)
        meta = dict(con.execute("SELECT key, value FROM meta"))
        if meta.get("curated_digest") != build.curated_digest():
            con.close()
            log.info("gazetteer index %s is older than the curated places file; rebuilding", path)
            build.build_gazetteer(path, source=meta.get("source", "cities500"))
            con = _connect(path)
        extra: dict[str, list[_Cand]] = {}
        for i, file in enumerate(extra_files):
            _load_extra(Path(file), extra, first_id=-(i + 1) * 1_000_000)
        return cls(con, path, extra)

    def close(self) -> None:
        self._con.close()

    def __enter__(self) -> Gazetteer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ------------------------------------------------------------------------------------ public API

    def country_of(self, name: str) -> str | None:
        """ISO3 code of a country name, alias or demonym ("Syria", "Syrian", "DRC" -> "SYR", ..., "COD")."""
        hit = self._country_names.get(fold(_POSSESSIVE.sub("", name.strip())))
        return hit[0] if hit else None

    def resolve(self, name: str, countries: Sequence[str] = (), near: Sequence[Place] = ()) -> Place | None:
        """The most likely place for one name, given the countries and places it is known to be near."""
        key = fold(_POSSESSIVE.sub("", name.strip()))
        if not key:
            return None
        region_only = False
        cands = self._candidates(key, countries)
        words = key.split()
        if not cands and len(words) > 1 and words[-1] in _REGION_SUFFIXES:
            cands = [c for c in self._candidates(" ".join(words[:-1]), countries) if c.feature == "region"]
            region_only = True
        if not cands:
            return None
        mention = _Mention(0, len(name), cands, region_only=region_only, cued=True)
        context = Counter({c: _CALLER_COUNTRY_BONUS for c in countries})
        for place in near:
            if place.country:
                context[place.country] += 2.0
        anchors = _Anchors([(p.lat, p.lon) for p in near if p.lat is not None and p.lon is not None])
        self._choose(mention, context, anchors, None, strict=False)
        return self._place(mention) if mention.choice else None

    def find(
        self,
        text: str,
        countries: Sequence[str] = (),
        skip: Sequence[tuple[int, int]] = (),
        hints: Sequence[str] = (),
    ) -> list[PlaceMatch]:
        """Every place mention in ``text``, resolved jointly; offsets are into ``text`` as given.

        ``countries`` are the countries the caller knows the text is about; ``skip`` spans that hold no place
        (actor names); ``hints`` countries the text implies otherwise, each worth one demonym ("Syrian") at most:
        the caller passes the countries of the actors it found, since their names are skipped.
        """
        tokens = _tokenize(text)
        mentions, demonym_countries = self._mentions(text, tokens, countries, skip)
        if not mentions:
            return []
        caller = [c for c in countries if c]
        # Plain dicts rather than Counters: a few are copied per document, and a Counter's copy runs Python code.
        context: dict[str, float] = {}
        for c in caller:
            context[c] = context.get(c, 0) + _CALLER_COUNTRY_BONUS
        for c in demonym_countries:
            context[c] = context.get(c, 0) + 2.0
        # "Teuchitlan, Jalisco", "Khar, Bajaur": two names side by side that share a country vouch for it.
        hints = [*hints, *_paired_countries(text, mentions)]
        # A hint makes its country count as much as a demonym would, once, and adds nothing to stronger evidence:
        # the US envoys of a story about Gaza must not outweigh the Lebanese towns it names.
        hinted = _with_hints(context, hints)
        # Pass 1: the mentions that resolve on their own (countries, unique or dominant names) set the scene.
        # A name repeated with the same candidates and the same cues resolves the same way in either pass, so
        # each pass chooses once per such group (news repeats its places).
        found: list[tuple[float, float]] = []
        no_anchors = _Anchors([])
        groups: dict[tuple[object, ...], list[_Mention]] = {}
        for m in mentions:
            groups.setdefault(m.signature(), []).append(m)
        bordering: dict[str, bool] = {}  # per country, whether it borders one of ``hinted``'s
        for group in groups.values():
            first = group[0]
            self._choose(first, hinted, no_anchors, None, strict=True, bordering=bordering)
            for m in group[1:]:
                m.choice, m.margin = first.choice, first.margin
        for m in mentions:
            if m.choice is not None and (m.margin >= 2.0 or m.choice.feature == "country") and m.choice.country:
                country = m.choice.country
                context[country] = context.get(country, 0) + (2.0 if m.choice.feature != "country" else 2.5)
                if m.choice.feature != "country":
                    found.append((m.choice.lat, m.choice.lon))
        # Pass 2: everything again, now with the document's countries and places known.
        anchors = _Anchors(found)
        hinted_context = _with_hints(context, hints)
        # A mention's dampened context depends only on its first choice's country and kind: built once each.
        dampened: dict[tuple[str | None, bool], dict[str, float]] = {}
        # The bordering countries of each of those contexts (which all live until the loop ends: ids stay unique).
        borders: dict[int, dict[str, bool]] = {}
        for group in groups.values():
            first = group[0]
            own = (first.choice.lat, first.choice.lon) if first.choice is not None else None
            if first.choice is None or not first.choice.country or first.margin < 2.0:
                own_context = hinted_context
            else:
                dampen_key = (first.choice.country, first.choice.feature == "country")
                own_context = dampened.get(dampen_key)  # type: ignore[assignment]
                if own_context is None:
                    own_context = dampened[dampen_key] = _dampen(context, first, hinted_context, hints)
            self._choose(
                first, own_context, anchors, own, strict=True, bordering=borders.setdefault(id(own_context), {})
            )
            for m in group[1:]:
                m.choice, m.margin = first.choice, first.margin
        out: list[PlaceMatch] = []
        for m in mentions:
            if m.choice is None:
                continue
            out.append(
                PlaceMatch(
                    start=m.start,
                    end=m.end,
                    text=text[m.start : m.end],
                    place=self._place(m),
                    score=round(min(1.0, 0.55 + m.margin / 8.0), 3),
                )
            )
        return out

    # ------------------------------------------------------------------------------------ mentions

    def _mentions(
        self, text: str, tokens: list[_Token], countries: Sequence[str], skip: Sequence[tuple[int, int]]
    ) -> tuple[list[_Mention], list[str]]:
        mentions: list[_Mention] = []
        demonyms: list[str] = []
        # One byte per character, set inside the spans to skip: an overlap test is then a single find().
        skipped = bytearray(len(text) + 1)
        for s, e in skip:
            skipped[s:e] = b"\x01" * (e - s)
        n = len(tokens)
        stop, country_names, by_name, lone = self._stop, self._country_names, self._by_name, self._lone
        # Without countries or extra places, "no candidates" is one cached look-up (see _candidates).
        plain_lookup = not countries and not self._extra
        i = 0
        while i < n:
            tok = tokens[i]
            # _can_start, with its cheap refusals first: most tokens are capitalised words after no article, or
            # lower-case connectors ("of", "de") that are no article and so can open no name.
            if tok.cap:
                prev = tokens[i - 1] if i else None
                startable = prev is None or prev.text not in _ARTICLE_FORMS or self._can_start(tokens, i, text)
            else:
                startable = tok.text in _ARTICLE_FORMS and self._can_start(tokens, i, text)
            if skipped[tok.start] or not startable:
                # A name starting inside an actor's is skipped whatever its length.
                i += 1
                continue
            # Most tokens stand alone (the next token is no join away): their only span is the token itself.
            nxt_tok = tokens[i + 1] if i + 1 < n else None
            if nxt_tok is None or text[tok.end : nxt_tok.start] not in _JOIN_GAPS:
                ends = [i] if tok.cap else []
            else:
                ends = _span_ends(tokens, i, text)
            found = False
            start = tok.start
            for j in reversed(ends):
                end = tokens[j].end
                # A name of several words that starts before a skipped span and runs into it is kept: "Port Sudan's
                # authorities", "Ain al-Asad air base" are places, and the actor found inside them ("Sudan's
                # authorities", "al-Asad") the mistake. A single word touching a skipped span is not a place.
                if j == i:
                    if skipped.find(1, start, end) >= 0:
                        continue
                    # One word alone: what its spelling decides is looked up once per process (news reuses the same
                    # capitalised words, "The", "Monday", "Khartoum"), not worked out again at every occurrence.
                    verdict = lone.get(tok.text)
                    if verdict is None:
                        verdict = self._lone_verdict(tok.text)
                    key, never, common_word, demonym, unnamed = verdict
                    if never or (common_word and tok.initial):
                        continue
                    if demonym is not None:
                        demonyms.append(demonym)  # a demonym tells the document's country but is no place
                        found = True
                        i = j + 1
                        break
                    if plain_lookup and unnamed and not _REGION_SUFFIX_AT.match(text, end):
                        continue  # most capitalised words: no place of that name (what _mention_at would find first)
                else:
                    key = fold(text[start:end])
                    if key in stop:
                        continue
                    hit = country_names.get(key)
                    if hit is not None and hit[1]:
                        demonyms.append(hit[0])
                        found = True
                        i = j + 1
                        break
                    named = by_name.get(key)
                    if named is None:
                        named = self._named(key)
                    if plain_lookup and not named and not _REGION_SUFFIX_AT.match(text, end):
                        continue
                mention = self._mention_at(text, tokens, i, j, key, countries)
                if mention is None:
                    continue
                if j == i and skipped.find(1, start, mention.end) >= 0:  # as above, with the mention's own end
                    continue
                mentions.append(mention)
                found = True
                i = j + 1
                while i < n and tokens[i].start < mention.end:  # "Rukban camp": the tail is part of the mention
                    i += 1
                break
            if not found:
                i += 1
        return mentions, demonyms

    def _lone_verdict(self, word: str) -> tuple[str, bool, bool, str | None, bool]:
        """What the spelling of a capitalised word says when it stands alone, remembered in ``_lone``: (its key,
        never a place name alone (a stop word, too short, lower case), a common word (no place at the start of a
        sentence), the country of a demonym, no place of that name)."""
        key = fold(word)
        never = key in self._stop or (len(key) < 3 and key not in self._country_names) or word.islower()
        hit = self._country_names.get(key)
        demonym = hit[0] if hit is not None and hit[1] else None
        unnamed = True
        if not never and demonym is None:
            named = self._by_name.get(key)
            if named is None:
                named = self._named(key)
            unnamed = not named
        if len(self._lone) >= _BY_NAME_MAX:
            self._lone.clear()
        verdict = self._lone[word] = (key, never, key in self._common, demonym, unnamed)
        return verdict

    def _can_start(self, tokens: list[_Token], i: int, text: str) -> bool:
        tok = tokens[i]
        if tok.cap:
            # "al-Sham" in "Tahrir al-Sham": a word after a joined article belongs to the article's name.
            return i == 0 or not _article_joined(tokens[i - 1], text[tokens[i - 1].end : tok.start])
        # "al-Hol", "el-Fasher": a lower-case article joined to a capitalised word, unless it continues a
        # longer name that did not resolve ("Hayat Tahrir al-Sham" is no place called al-Sham). English
        # look-alikes ("at", "as", "an") count only when hyphenated.
        if i > 0 and self._inside_name(tokens[i - 1], text[tokens[i - 1].end : tok.start]):
            return False
        if i + 1 >= len(tokens) or not tokens[i + 1].cap:
            return False
        return _article_joined(tok, text[tok.end : tokens[i + 1].start])

    def _inside_name(self, prev: _Token, gap: str) -> bool:
        """Whether a token after ``prev`` continues a capitalised name that ``prev`` belongs to."""
        if not prev.cap or gap not in _JOIN_GAPS:
            return False
        key = fold(prev.text)
        return not (key in self._stop or (prev.initial and key in self._common))

    def _mention_at(
        self, text: str, tokens: list[_Token], i: int, j: int, key: str, countries: Sequence[str]
    ) -> _Mention | None:
        start, end = tokens[i].start, tokens[j].end
        region_only = False
        named = self._candidates(key, countries)  # looked up once: the lists below are filtered copies
        if not named and not _REGION_SUFFIX_AT.match(text, end):
            return None  # most capitalised words: no place of that name, and no "province" after it
        nxt = _next_word(text, end)
        suffix = nxt.text.lower() if nxt is not None else ""
        cands: list[_Cand] = []
        if suffix in _REGION_SUFFIXES:
            assert nxt is not None
            full = self._candidates(fold(text[start : nxt.end]), countries)
            # Only a region takes the suffix: "Sudan state media" is the country, then "state media".
            regions = [c for c in named if c.feature == "region"]
            if full or regions:
                cands = full or regions
                end = nxt.end
                region_only = not full
        if not cands:
            cands = list(named)
            if not cands:
                return None
            if suffix in ("camp", "crossing") and any(c.feature == suffix for c in cands):
                end = nxt.end  # type: ignore[union-attr]  # "Rukban camp", "Masnaa crossing"
            else:
                cands = self._names_a_place(text, start, end, suffix, cands)
                if not cands:
                    return None
        before = text[max(0, start - _MAX_SKIP_WINDOW) : start]
        if 0 < start and end < len(text) and text[start - 1] in _QUOTES and text[end] in _QUOTES and not (
            text[end + 1 : end + 2].isalpha()
        ):
            return None  # a name in quotes is a nickname or a title ('El Chapo'), not a place
        if j == i and len(key) <= 4 and tokens[i].text.isupper():
            # "JUI", "ELN": capitals are an acronym, not the alternate spelling of some town ("Jui" of Huy); only a
            # country, a region or a town of that very name stands ("US", "DRC", "GAO" in a dateline).
            cands = [c for c in cands if c.quality == build.KIND_PRIMARY or c.feature in ("country", "region")]
            if not cands:
                return None
        # A loose match of a long name is no accident ("Deir al-Balah" / "Deir el-Balah"), unless the name opens
        # with an article that the loose key drops ("al-Rashid" road is not Rashid, Egypt).
        long_name = _long_name(key)
        unique = len(cands) == 1 and cands[0].quality == build.KIND_PRIMARY
        near, direction, cued = _left_context(before)
        near = near or suffix in _AREA_SUFFIXES
        cued = cued or near
        if nxt is not None and nxt.cap and end == tokens[j].end:
            # "Jebel" of an unknown "Jebel Marra": part of a longer name, so no cue can vouch for it.
            cued = False
        # Positional: start, end, cands, region_only, near, cued, direction, long_name, unique.
        return _Mention(start, end, cands, region_only, near, cued, direction, long_name, unique)

    @staticmethod
    def _names_a_place(text: str, start: int, end: int, suffix: str, cands: list[_Cand]) -> list[_Cand]:
        """The candidates left once the river in "the Dnipro." and the people in "Kachin fighters" are out;
        "Sagaing town" asks for the town."""
        if suffix in _PEOPLE_NOUNS:
            cands = [c for c in cands if c.feature != "region"]
        elif suffix in ("town", "city", "village"):
            cands = [c for c in cands if c.feature != "region"] or cands
        if text[max(0, start - 4) : start].lower() == "the " and all(c.feature in _TOWNS for c in cands):
            after = text[end : end + 7].lower()
            if not after or after[0] in ".,;:)" or after.startswith(" river"):
                return []
        return cands

    # ------------------------------------------------------------------------------------ candidates

    def _candidates(self, key: str, countries: Sequence[str] = ()) -> list[_Cand]:
        """Places a folded name may refer to.

        The consonant skeleton is a last resort: tried only when the exact and loose keys find nothing, for
        names of five letters or more, and kept only inside ``countries``.
        """
        found = self._by_name.get(key)
        if found is None:
            found = self._named(key)
        if self._extra:
            found = found + self._extra_lookup(key, False)
        if found or not countries:
            return list(found)
        if not _skeleton_key(key):
            return []
        found = self._lookup(key, True)
        if self._extra:
            found = found + self._extra_lookup(key, True)
        return [c for c in found if c.country in countries]

    def _named(self, key: str) -> tuple[_Cand, ...]:
        """``_lookup(key, False)``, remembered in ``_by_name``."""
        if len(self._by_name) >= _BY_NAME_MAX:
            self._by_name.clear()
        found = self._by_name[key] = self._lookup(key, False)
        return found

    def _lookup_uncached(self, key: str, by_skeleton: bool) -> tuple[_Cand, ...]:
        probes = ["^" + _skeleton_key(key)] if by_skeleton else [key, "~" + loose(key)]
        sql = (
            f"SELECT n.key, n.kind, {_PLACE_COLUMNS_P} FROM name n JOIN place p ON p.id = n.place_id "
            f"WHERE n.key IN ({','.join('?' * len(probes))})"
        )
        with self._lock:
            rows = self._con.execute(sql, probes).fetchall()
        best: dict[int, _Cand] = {}
        for row in rows:
            quality = _quality(row[0], row[1], key)
            cand = _cand(row[2:], quality)
            old = best.get(cand.pid)
            if old is None or quality < old.quality:
                best[cand.pid] = cand
        return tuple(best.values())

    def _extra_lookup(self, key: str, by_skeleton: bool) -> tuple[_Cand, ...]:
        probes = ("^" + _skeleton_key(key),) if by_skeleton else (key, "~" + loose(key))
        out: dict[int, _Cand] = {}
        for probe in probes:
            for cand in self._extra.get(probe, ()):
                quality = _quality(probe, cand.quality, key)
                if cand.pid not in out or quality < out[cand.pid].quality:
                    out[cand.pid] = _with_quality(cand, quality)
        return tuple(out.values())

    # ------------------------------------------------------------------------------------ choosing

    def _choose(
        self,
        m: _Mention,
        context: Mapping[str, float],
        anchors: _Anchors,
        own: tuple[float, float] | None,
        *,
        strict: bool,
        bordering: dict[str, bool] | None = None,
    ) -> None:
        """Set ``m.choice`` and ``m.margin``. ``bordering``, when given, remembers for ``context`` which countries
        border one of its countries, across the mentions chosen in that context."""
        region_only, direction = m.region_only, m.direction
        # The candidates that may stand, with what scoring them needs: (candidate, is a region, in the context,
        # borders it). Scores only rank candidates, so a name with one plausible place (half of all mentions)
        # is settled here, without scoring it or measuring its distance to the anchors.
        kept: list[tuple[_Cand, bool, bool, bool]] = []
        for cand in m.cands:
            is_region = cand.feature == "region"
            if region_only and not is_region:
                continue
            country = cand.country
            in_context = country is not None and country in context
            # Whether the country borders one of the document's (news of a war crosses borders).
            if in_context or country is None:
                near_context = False
            else:
                near_context = bordering.get(country) if bordering is not None else None  # type: ignore[assignment]
                if near_context is None:
                    neighbours = self._neighbours.get(country)
                    near_context = neighbours is not None and not neighbours.isdisjoint(context)
                    if bordering is not None:
                        bordering[country] = near_context
            if strict and not self._plausible(cand, m, context, near_context):
                continue
            kept.append((cand, is_region, in_context, near_context))
        if not kept:
            m.choice, m.margin = None, 0.0
            return
        if len(kept) == 1:
            m.choice, m.margin = kept[0][0], 8.0
            return
        scored: list[tuple[float, _Cand]] = []
        # Without anchors the bonus is 0.0, and adding 0.0 changes no score: skip the call.
        bonus = anchors.bonus if anchors._fine else None
        for cand, is_region, in_context, near_context in kept:
            # _score, with the candidate's own part precomputed; the additions keep _score's order so that
            # scores, and so ties, come out exactly the same.
            score = cand.bare_region if is_region and not (region_only or direction) else cand.plain
            if in_context:
                score += min(context[cand.country], _CALLER_COUNTRY_BONUS + 2.0) * 0.75 + 1.0  # type: ignore[index]
            elif near_context:
                score += 0.75
            if is_region:
                if region_only:
                    score += 2.0
                if direction:
                    score += 4.0
            scored.append((score + bonus(cand, own), cand) if bonus is not None else (score, cand))
        scored.sort(key=lambda sc: (-sc[0], -sc[1].population, sc[1].pid))
        best_score, best = scored[0]
        # A second place of the same name within a few km is the same place twice, not a rival.
        rival = next((s for s, c in scored[1:] if _km(c.lat, c.lon, best.lat, best.lon) > 25), None)
        m.choice = best
        m.margin = best_score - rival if rival is not None else 8.0

    def _plausible(self, cand: _Cand, m: _Mention, context: Mapping[str, float], near_context: bool) -> bool:
        """Whether a candidate may stand at all: far-off villages that share a word need not apply."""
        if cand.feature in ("country", "region") or cand.curated:
            return cand.quality <= build.KIND_LOOSE_ALTERNATE or cand.country in context
        if cand.country in context:
            return True
        population = cand.population
        if cand.feature == "capital":
            population = max(population, _FOREIGN_MIN_POPULATION)
        quality = cand.quality
        if quality == build.KIND_LOOSE_ALTERNATE and m.long_name:
            # A long name that differs from a known spelling only by an article, doubled letters or a hyphen
            # ("Deir al-Balah" / "Deir el-Balah", "Mangaf" / "Al-Mangaf") is as good as that spelling.
            quality = build.KIND_LOOSE_PRIMARY
        if near_context:
            # A town across the border: cued, any size; otherwise a real town.
            return quality <= build.KIND_LOOSE_PRIMARY and (m.cued or population >= _FOREIGN_MIN_POPULATION_CUED)
        if m.cued:
            if m.unique and not context and quality == build.KIND_PRIMARY and population >= _UNIQUE_MIN_POPULATION:
                # "in Konduga", in a text that names no country: the only place so called, introduced as a place.
                return True
            return population >= _FOREIGN_MIN_POPULATION_CUED and quality <= build.KIND_LOOSE_PRIMARY
        return population >= _FOREIGN_MIN_POPULATION and quality <= build.KIND_ALTERNATE

    def _place(self, m: _Mention) -> Place:
        cand = m.choice
        assert cand is not None
        if cand.feature in ("country", "region"):
            precision = 3
        elif cand.feature == "district" or m.near or (m.direction and cand.feature != "camp"):
            precision = 2
        else:
            precision = 1
        admin1 = cand.admin1
        return Place(
            name=cand.name,
            lat=cand.lat,
            lon=cand.lon,
            country=cand.country,
            admin1=admin1,
            admin2=cand.admin2,
            geonames_id=cand.geonames_id,
            geo_precision=precision,
        )


# ---------------------------------------------------------------------------------------------- helpers

_PLACE_COLUMNS = "id, name, lat, lon, country3, admin1, admin2, population, feature, geonames_id, curated"
_PLACE_COLUMNS_P = ", ".join("p." + c.strip() for c in _PLACE_COLUMNS.split(","))


def _connect(path: Path) -> sqlite3.Connection:
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        con.execute("SELECT 1 FROM meta LIMIT 1")
        # Memory-mapped reads: lookups touch a few pages each, and mmap spares a system call per page.
        con.execute("PRAGMA mmap_size = 134217728")
        con.execute("PRAGMA cache_size = -8192")
    except sqlite3.DatabaseError as exc:
        raise KnowledgeBaseError(
            f"gazetteer index {path} is unreadable ({exc}); rebuild it with `watchfloor kb build`"
        ) from exc
    return con


def _cand(row: Sequence[Any], quality: int) -> _Cand:
    pid, name, lat, lon, country, admin1, admin2, population, feature, geonames_id, curated = row
    return _Cand(
        pid, name, lat, lon, country, admin1, admin2, population or 0, feature, geonames_id, bool(curated), quality
    )


def _with_quality(cand: _Cand, quality: int) -> _Cand:
    return _Cand(
        cand.pid,
        cand.name,
        cand.lat,
        cand.lon,
        cand.country,
        cand.admin1,
        cand.admin2,
        cand.population,
        cand.feature,
        cand.geonames_id,
        cand.curated,
        quality,
    )


def _quality(stored_key: str, stored_kind: int, query_key: str) -> int:
    """How the query matched a stored key: exactly (the stored kind), loosely, or by skeleton."""
    if stored_key.startswith("^"):
        return build.KIND_SKELETON
    if stored_key.startswith("~"):
        # A loose match of a primary name is as good as the exact alternate when the fold is equal too.
        return (
            build.KIND_LOOSE_PRIMARY
            if stored_kind in (build.KIND_PRIMARY, build.KIND_LOOSE_PRIMARY)
            else build.KIND_LOOSE_ALTERNATE
        )
    return stored_kind


def _score(cand: _Cand, m: _Mention, context: Mapping[str, float], near_context: bool) -> float:
    """How well ``cand`` fits a mention in a document (without the distance bonus); ``_choose`` inlines it."""
    is_region = cand.feature == "region"
    score = cand.bare_region if is_region and not (m.region_only or m.direction) else cand.plain
    if cand.country is not None and cand.country in context:
        score += min(context[cand.country], _CALLER_COUNTRY_BONUS + 2.0) * 0.75 + 1.0
    elif near_context:
        score += 0.75
    if m.region_only and is_region:
        score += 2.0
    if m.direction and is_region:
        score += 4.0  # "northern Idlib": the province, not the town
    return score


class _Anchors:
    """The places a document has settled on, and the bonus for being near one of them.

    Points are bucketed in grids of about 60 km and 300 km so that a candidate is measured only against the
    points that can earn it a bonus: those of its own cell and the eight around it (whose numbers each
    candidate carries, see ``_Cand``); results are cached per candidate.
    """

    __slots__ = ("_fine", "_coarse", "_cache")

    _FINE = 0.6  # degrees: a cell and its neighbours cover 60 km
    _COARSE = 2.8  # degrees: a cell and its neighbours cover 300 km

    def __init__(self, points: list[tuple[float, float]]) -> None:
        self._fine: dict[int, list[tuple[float, float]]] = {}
        self._coarse: dict[int, list[tuple[float, float]]] = {}
        for point in dict.fromkeys(points):
            self._fine.setdefault(_grid_cell(point[0], point[1], self._FINE), []).append(point)
            self._coarse.setdefault(_grid_cell(point[0], point[1], self._COARSE), []).append(point)
        # Per candidate: the points within 60 km and (once asked for) within 300 km of it.
        self._cache: dict[int, tuple[list[tuple[float, float]], list[tuple[float, float]] | None]] = {}

    @staticmethod
    def _near(
        grid: dict[int, list[tuple[float, float]]], cells: tuple[int, ...], cand: _Cand, km: float
    ) -> list[tuple[float, float]]:
        """The points of ``grid`` in ``cells`` (a candidate's and those around it) within ``km`` of it."""
        if grid.keys().isdisjoint(cells):
            return []  # no point in any of the nine cells: the common case, decided in C
        lat, lon = cand.lat, cand.lon
        points = itertools.chain.from_iterable(map(grid.get, cells, _NO_POINTS))
        # _km inlined, with the same operations in the same order (so the same floats): it runs per point.
        radians, cos, hypot = math.radians, math.cos, math.hypot
        return [
            point
            for point in points
            if 6371.0 * hypot(radians(point[1] - lon) * cos(radians((lat + point[0]) / 2)), radians(point[0] - lat))
            < km
        ]

    def bonus(self, cand: _Cand, own: tuple[float, float] | None) -> float:
        if not self._fine:
            return 0.0
        # A place cannot vouch for itself.
        near = self._cache.get(cand.pid)
        if near is None:
            near = self._cache[cand.pid] = (self._near(self._fine, cand.fine_cells, cand, 60.0), None)
        # The points are distinct, so a list of two or more always holds one that is not ``own``.
        close = near[0]
        if close and (len(close) > 1 or close[0] != own):
            return 2.0
        far = near[1]
        if far is None:  # the wider ring is read only for candidates with no anchor close by
            far = self._near(self._coarse, cand.coarse_cells, cand, 300.0)
            self._cache[cand.pid] = (close, far)
        if far and (len(far) > 1 or far[0] != own):
            return 1.0
        return 0.0


# A grid cell is numbered row * _ROW + column; columns stay well inside +-_ROW / 2 (|longitude| <= 180).
_ROW = 1 << 12
_AROUND = tuple(dr * _ROW + dc for dr in (-1, 0, 1) for dc in (-1, 0, 1))
_NO_POINTS = ((),) * len(_AROUND)


def _grid_cell(lat: float, lon: float, size: float) -> int:
    """The number of a point's cell in a grid of ``size`` degrees; longitude cells widen towards the poles so
    that a neighbour cell is never too narrow."""
    scale = max(0.2, math.cos(math.radians(lat)))
    return int(lat // size) * _ROW + int(lon * scale // size)


def _paired_countries(text: str, mentions: list[_Mention]) -> list[str]:
    """Countries shared by two mentions written "A, B": a town and its province, or two neighbouring towns.

    Only a pair whose candidates meet in one or two countries counts; two common names meet everywhere.
    """
    out: list[str] = []
    for first, second in zip(mentions, mentions[1:], strict=False):
        if text[first.end : second.start] not in (", ", ","):
            continue
        if any(c.feature == "country" for c in (*first.cands, *second.cands)):
            continue  # "Egypt, Turkey": a list of countries, which share only their namesake towns in Texas
        shared = {c.country for c in first.cands} & {c.country for c in second.cands}
        shared.discard(None)
        if 0 < len(shared) <= 2:
            out.extend(sorted(shared))  # type: ignore[arg-type]
    return out


def _with_hints(context: dict[str, float], hints: Sequence[str]) -> dict[str, float]:
    """``context`` with each hinted country worth at least one demonym."""
    if not hints:
        return context
    out = context.copy()
    for c in hints:
        if c and out.get(c, 0) < 2.0:
            out[c] = 2.0
    return out


def _dampen(
    context: dict[str, float], m: _Mention, hinted: dict[str, float], hints: Sequence[str]
) -> dict[str, float]:
    """The context (with its hints: ``hinted``) without this mention's own vote, so a place cannot confirm
    itself; a hint still stands for its country."""
    if m.choice is None or not m.choice.country or m.margin < 2.0:
        return hinted
    country = m.choice.country
    own = 2.5 if m.choice.feature == "country" else 2.0
    out = hinted.copy()
    rest = context.get(country, 0) - own
    if country in hints and rest < 2.0:
        rest = 2.0
    if rest <= 0:
        out.pop(country, None)
    else:
        out[country] = rest
    return out


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    # Equirectangular distance: exact enough at the few hundred km that matter here, and cheap.
    x = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    y = math.radians(lat2 - lat1)
    return 6371.0 * math.hypot(x, y)


def _tokenize(text: str) -> list[_Token]:
    """The words a place name can be made of: capitalised words, acronyms and the lower-case connectors and
    tails of names ("al", "de", "camp"). The other lower-case words, most of a text, are never read.

    Capitalised words are found by a pattern that opens with an upper-case letter, which the regex engine
    scans for quickly. A lower-case connector or tail matters only where it touches a name: right after a
    capitalised word or another such word, with only a join (a space, a hyphen) between ("Port-au-Prince",
    "Rukban camp", "Bab al-Hawa"), or as an article bound to the capitalised word after it ("al-Hol"); those
    are read there, and the others (the "of" of "the city of the dead") left out, which changes no mention.
    """
    # The capitalised words, built by ``map`` rather than one by one in Python (a text has a hundred): split
    # around them, [gap, word, ..., gap], the running sum of the lengths gives their offsets. A word opens a
    # sentence when only openers stand between it and the text's start or a sentence end (where ``_INITIAL_AT``
    # ends); a possessive 's is trimmed afterwards, where there is one.
    parts = _CAP_SPLIT.split(text)
    bounds = list(itertools.accumulate(map(len, parts)))
    starts = bounds[0:-1:2]
    initial_at = set(map(_MATCH_END, _INITIAL_AT.finditer(text)))
    initial_at.add(len(text) - len(text.lstrip(_OPENER_CHARS)))  # the text's first word
    tokens = list(
        map(
            _Token,
            starts,
            bounds[1::2],
            parts[1::2],
            itertools.repeat(True),
            map(initial_at.__contains__, starts),
        )
    )
    possessive_ends = _possessive_ends(text)
    if possessive_ends:
        for tok in tokens:
            if tok.end in possessive_ends and len(tok.text) > 3:
                tok.end -= 2
                tok.text = tok.text[:-2]
    size = len(text)
    linked: list[_Token] = []
    seen: set[int] = set()
    for tok in tokens:
        start = tok.start
        # An article bound to this word ("al-Hol", "el Fasher", "ash-Shaddadi"): only these make a lower-case
        # word before a capitalised one count (see _article_joined). Most capitalised words follow a plain
        # space and a word that is no "al" or "el", which the first test turns away.
        # An "al" or "el" that ends a longer word ("Israel", "general") is no article: no letter may stand before
        # it; and a join of two characters has its line break last, so a paragraph break ("\n\n") is none.
        gap_end = text[start - 1] if start >= 3 else ""
        if gap_end in _JOIN_CHARS_NL and (
            gap_end not in " \u00a0\n"
            or (text[start - 3 : start - 1] in _AL_EL and not text[start - 4 : start - 3].isalpha())
            or text[start - 2] in _JOIN_CHARS
        ):
            before = _joined_lower_before(text, start)
            if before is not None and before.start not in seen:
                seen.add(before.start)
                linked.append(before)
        after: _Token | None = tok
        while after is not None and after.end < size and text[after.end] in _JOIN_CHARS_NL:
            pos = after.end + 1
            # Most words after a name are no connector or tail: three characters tell ("de " or "des", not "den"),
            # two for "y" and "u" (then no letter).
            head = text[pos : pos + 3]
            if not (
                head in _LINK_PREFIXES3
                or (head[:2] in _LINK_WORDS2 and not head[2:].isalpha())
                or (head[:1] in ("y", "u") and not head[1:2].isalpha())
                or head[:1] in _JOIN_CHARS_NL
            ):
                break
            after = _joined_lower_after(text, after.end)
            if after is None or after.start in seen:
                break
            seen.add(after.start)
            linked.append(after)
    if linked:
        tokens.extend(linked)
        tokens.sort(key=_TOKEN_START)
    return tokens


@lru_cache(maxsize=65_536)
def _long_name(key: str) -> bool:
    """Six letters or more once loosened, not opening with an article that the loose key drops."""
    return len(loose(key)) >= 6 and key.split(" ", 1)[0] not in _ARTICLES


def _possessive_ends(text: str) -> set[int]:
    """The offsets right after each "'s" ("'S", "’s") of ``text``: apostrophes are rare, so str.find goes first."""
    ends: set[int] = set()
    for apostrophe in "'\u2019":
        pos = text.find(apostrophe)
        while pos >= 0:
            if text[pos + 1 : pos + 2] in ("s", "S"):
                ends.add(pos + 2)
            pos = text.find(apostrophe, pos + 1)
    return ends


def _lower_token(text: str, start: int) -> _Token | None:
    """The lower-case connector or tail of ``_NAME_TOKEN`` starting at ``start``, if any."""
    if not text[start].islower():
        return None
    match = _NAME_TOKEN.match(text, start)
    if match is None:
        return None
    word, end = _without_possessive(match.group(), match.end())
    return _Token(start, end, word, False, False)


def _without_possessive(word: str, end: int) -> tuple[str, int]:
    """``word`` (ending at ``end``) without a possessive 's, on words of more than three letters."""
    if word[-1] in "sS" and len(word) > 3 and word[-2] in "'\u2019":
        return word[:-2], end - 2
    return word, end


def _joined_lower_after(text: str, end: int) -> _Token | None:
    """The lower-case token right after ``end`` when only a join stands between."""
    pos = end
    limit = min(len(text), end + 4)
    while pos < limit and text[pos] in _JOIN_CHARS_NL:
        pos += 1
    if pos >= len(text) or text[end:pos] not in _JOIN_GAPS:
        return None
    return _lower_token(text, pos)


def _joined_lower_before(text: str, start: int) -> _Token | None:
    """The article right before ``start`` that binds to it: "al"/"el" across any join, others by a hyphen."""
    pos = start
    limit = max(0, start - 4)
    while pos > limit and text[pos - 1] in _JOIN_CHARS_NL:
        pos -= 1
    gap = text[pos:start]
    if gap not in _JOIN_GAPS:
        return None
    for first in (pos - 2, pos - 3):
        if first >= 0 and text[first:pos] in _ARTICLE_FORMS:
            tok = _lower_token(text, first)
            if tok is not None and tok.end == pos and _article_joined(tok, gap):
                return tok
    return None


def _next_word(text: str, end: int) -> _Token | None:
    """The word right after ``end`` when only a join (space, hyphen) stands between: "Idlib| province"."""
    if end >= len(text) or text[end] not in _JOIN_CHARS:
        return None
    start = end + 3 if text.startswith(" - ", end) else end + 1
    if text.startswith("\n", start):
        start += 1
    match = _TOKEN.match(text, start)
    if match is None:
        return None
    word, stop = _without_possessive(match.group(), match.end())
    return _Token(start, stop, word, word[0].isupper(), False)


def _span_ends(tokens: list[_Token], i: int, text: str) -> list[int]:
    """Indexes j such that tokens i..j may form one name (the caller tries the longest first)."""
    ends: list[int] = []
    last = i
    if tokens[i].cap:
        ends.append(i)
    j = i + 1
    while j < len(tokens) and j - i < _MAX_SPAN_TOKENS:
        if text[tokens[last].end : tokens[j].start] not in _JOIN_GAPS:
            break
        word = tokens[j].text
        lower = word.lower()
        if tokens[j].cap:
            if len(word) > 1:  # "DAKAR - A week after": a lone capital letter ends no name
                ends.append(j)
        elif lower in _TAILS:
            ends.append(j)
        elif lower not in _CONNECTORS:
            break
        last = j
        j += 1
    return ends


def _skeleton_key(key: str) -> str:
    """The consonant skeleton of a name long enough for one to mean anything, else ""."""
    if len(loose(key)) < build.MIN_SKELETON_LETTERS:
        return ""
    skel = skeleton(key)
    return skel if len(skel) >= build.MIN_SKELETON_CONSONANTS else ""


def _article_joined(tok: _Token, gap: str) -> bool:
    """An Arabic article bound to the next word: "al-Hol", "al Hol", "ash-Shaddadi" (not "at Adre")."""
    lower = tok.text.lower()
    return (lower in ("al", "el") and gap in _JOIN_GAPS) or (lower in _ARTICLES and gap == "-")


def _load_extra(path: Path, into: dict[str, list[_Cand]], first_id: int) -> None:
    try:
        spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeBaseError(f"cannot read places file {path}: {exc}") from exc
    if not isinstance(spec, dict):
        raise KnowledgeBaseError(f"{path}: expected a mapping with a 'places' list")
    for n, entry in enumerate(build.curated_place_entries(spec, str(path))):
        names = [str(entry["name"]), *(str(a) for a in entry.get("aliases") or ())]
        cand = _Cand(
            pid=first_id - n,
            name=str(entry["name"]),
            lat=float(entry["lat"]),
            lon=float(entry["lon"]),
            country=entry.get("country"),
            admin1=entry.get("admin1"),
            admin2=entry.get("admin2"),
            population=int(entry.get("population") or 0),
            feature=build.curated_feature(entry.get("kind", "city")),
            geonames_id=entry.get("geonames_id"),
            curated=True,
            quality=build.KIND_PRIMARY,
        )
        for key, kind in build.place_keys(names[:1], names[1:]).items():
            into.setdefault(key, []).append(_with_quality(cand, kind))
