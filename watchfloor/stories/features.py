"""What clustering knows about one report: a TF-IDF vector, entity keys, countries, a time.

Text is hashed (scikit-learn's ``HashingVectorizer``), so there is no vocabulary to fit or store and a new
report never forces a refit. Document frequencies are kept as a dense count array over the hashed space and
updated one report at a time, in date order, so that the weights a report gets depend only on the reports
before it: clustering in one pass or in many batches gives the same result.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import operator
import re
import unicodedata
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, HashingVectorizer
from sklearn.utils import murmurhash3_32

from watchfloor.kb.textnorm import fold

N_FEATURES = 2**20
TOP_TERMS = 20  # block keys taken from the highest-weighted terms of each report

# Words every news report uses; they say nothing about which development a report is about.
_NEWS_STOP_WORDS = frozenset(
    """said says saying told tell according added adding reported reports report reporting statement statements
    monday tuesday wednesday thursday friday saturday sunday today yesterday tonight morning evening night week
    weeks weekend day days month months year years time times people including new just like near late early
    january february march april may june july august september october november december jan feb mar apr jun
    jul aug sep sept oct nov dec also would could one two three four five six seven eight nine ten dozens
    hundreds thousands many several least around about more than since still last first second third""".split()
)
STOP_WORDS = frozenset(ENGLISH_STOP_WORDS) | _NEWS_STOP_WORDS

_TOKEN = re.compile(r"\w+")
# Combining marks (accents once NFKD has split them off): dropped by str.translate, at C speed.
_COMBINING = dict.fromkeys(range(0x0300, 0x0370))


def tokens(text: str) -> list[str]:
    """Lower-case word tokens with accents removed ("Cité" and "Cite" are one word). Shared by dedup and
    clustering so that a report is tokenised once."""
    low = text.lower()
    if not low.isascii():
        low = unicodedata.normalize("NFKD", low).translate(_COMBINING)
    return _TOKEN.findall(low)


class _ContentWords(dict[str, bool]):
    """Whether a word says what a report is about (alphabetic, two letters or more, not a stop word), cached."""

    def __missing__(self, word: str) -> bool:
        if len(self) > 2_000_000:
            self.clear()
        value = len(word) > 1 and word not in STOP_WORDS and word.isalpha()
        self[word] = value
        return value


_CONTENT_WORDS = _ContentWords()


def content_terms(words: Sequence[str]) -> list[str]:
    """The words that say what a report is about: alphabetic, two letters or more, not a stop word."""
    if len(words) < 2:
        return [w for w in words if _CONTENT_WORDS[w]]
    return list(itertools.compress(words, operator.itemgetter(*words)(_CONTENT_WORDS)))


def _given(terms: list[str]) -> list[str]:
    return terms


# Hashes lists of terms; the vectoriser itself does no tokenising (see tokens/content_terms).
_VECTORIZER = HashingVectorizer(
    n_features=N_FEATURES, alternate_sign=False, norm=None, analyzer=_given, dtype=np.float32
)


def term_counts(texts: Sequence[str]) -> Any:
    """A CSR matrix of hashed term counts, one row per text."""
    return term_matrix([content_terms(tokens(t)) for t in texts])


def term_matrix(term_lists: Sequence[list[str]]) -> Any:
    """A CSR matrix of hashed term counts, one row per list of terms."""
    return _VECTORIZER.transform(term_lists).tocsr()


@lru_cache(maxsize=500_000)
def entity_slot(key: str) -> int:
    """Where an entity key ("a:hts", "p:aleppo") counts in the entity document-frequency array."""
    return int(murmurhash3_32(key, seed=0, positive=True)) % N_FEATURES


def term_index(word: str) -> int:
    """The hashed column of one word, as the vectorizer computes it (for tests and debugging)."""
    row = _VECTORIZER.transform([[word]])
    return int(row.indices[0]) if row.nnz else -1


@dataclass(slots=True)
class DocumentFrequencies:
    """Document frequencies over the hashed term space, plus the number of reports counted."""

    df: np.ndarray = field(default_factory=lambda: np.zeros(N_FEATURES, dtype=np.int32))
    n_docs: int = 0

    def idf(self, indices: np.ndarray) -> np.ndarray:
        return (np.log((self.n_docs + 1.0) / (self.df[indices] + 1.0)) + 1.0).astype(np.float32)

    def add(self, indices: np.ndarray) -> None:
        self.df[indices] += 1
        self.n_docs += 1

    def to_bytes(self) -> bytes:
        return zlib.compress(self.df.tobytes(), 1)

    @classmethod
    def from_bytes(cls, blob: bytes, n_docs: int) -> DocumentFrequencies:
        df = np.frombuffer(zlib.decompress(blob), dtype=np.int32).copy()
        if df.shape[0] != N_FEATURES:
            df = np.zeros(N_FEATURES, dtype=np.int32)
            n_docs = 0
        return cls(df=df, n_docs=n_docs)


@dataclass(slots=True)
class ReportFeatures:
    """One canonical report as clustering sees it."""

    article_id: str
    ts: float  # seconds since the epoch
    counts_indices: np.ndarray  # hashed terms present (sorted, int32)
    counts_values: np.ndarray  # their counts (float32)
    entities: dict[str, float]  # "a:<actor id>", "p:<place>" -> weight (its IDF once weighed)
    countries: dict[str, float]  # ISO3 -> weight
    event_kinds: dict[str, float]  # "Battles/Armed clash" -> count
    actor_types: dict[str, float]  # "Rebel group" -> count, for naming situations
    towns: tuple[str, ...] = ()  # entity keys of the towns and sites named (precise places, not regions)
    lede_towns: tuple[str, ...] = ()  # those named in the lede: where the report's event happened
    # Filled in by weigh(), in date order:
    indices: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int32))
    weights: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.float32))
    top_terms: list[int] = field(default_factory=list)

    @property
    def country(self) -> str | None:
        return top_key(self.countries)

    def own_keys(self) -> list[str]:
        """Keys this report adds to its story: actors, places, event kinds by country and day bucket, rare terms."""
        keys = sorted(self.entities)
        bucket = event_bucket(self.ts)
        country = self.country or ""
        keys.extend(f"e:{kind}:{country}:{bucket}" for kind in sorted(self.event_kinds))
        keys.extend(f"t:{t}" for t in self.top_terms)
        return keys

    def query_keys(self) -> list[str]:
        """Keys to look up: the own keys, plus event keys of the bucket before (a story that ran yesterday)."""
        keys = self.own_keys()
        bucket = event_bucket(self.ts)
        country = self.country or ""
        keys.extend(f"e:{kind}:{country}:{bucket - 1}" for kind in sorted(self.event_kinds))
        return keys


EVENT_BUCKET_SECONDS = 3 * 86400


def event_bucket(ts: float) -> int:
    return int(ts // EVENT_BUCKET_SECONDS)


def weigh(features: ReportFeatures, terms: DocumentFrequencies, entities: DocumentFrequencies | None = None) -> None:
    """Weigh a report with the frequencies of the reports before it, then count it.

    Terms become a unit TF-IDF vector; each actor or place key gets its IDF, so that names every report of a
    theatre carries (the country, its president) count for little and specific ones (a town, a commander) for
    much.
    """
    idx = features.counts_indices
    if idx.size:
        tf = 1.0 + np.log(features.counts_values)
        w = (tf * terms.idf(idx)).astype(np.float32)
        norm = float(np.sqrt(np.dot(w, w)))
        if norm > 0:
            w /= norm
        features.indices = idx
        features.weights = w
        # Highest weights first; ties broken by index so the choice is stable.
        order = np.lexsort((idx, -w))[:TOP_TERMS]
        features.top_terms = [int(idx[i]) for i in order]
    terms.add(idx)
    if entities is not None:
        keys = sorted(features.entities)
        slots = np.array([entity_slot(k) for k in keys], dtype=np.int64)
        if keys:
            idf = entities.idf(slots)
            features.entities = {k: float(v) * features.entities[k] for k, v in zip(keys, idf, strict=True)}
        # Counted even when empty, so both frequency tables agree on the number of reports.
        entities.add(sorted_unique(slots))


# What clustering takes from one report's analysis: entities, countries, event kinds, actor types (as
# ``analysis_keys`` gives them), then towns and lede towns (as ``town_keys``). Small enough to send from the
# worker process that prepares half of a batch, which then also parses that half's analyses.
AnalysisKeys = tuple[
    dict[str, float], dict[str, float], dict[str, float], dict[str, float], tuple[str, ...], tuple[str, ...]
]


def analysis_features(analysis: dict[str, Any] | None) -> AnalysisKeys:
    """The keys clustering takes from one stored extract record (None: a report without analysis)."""
    return (*analysis_keys(analysis), *town_keys(analysis))


def report_features(
    article_id: str,
    ts: float,
    indices: np.ndarray,
    counts: np.ndarray,
    analysis: dict[str, Any] | None,
    keys: AnalysisKeys | None = None,
) -> ReportFeatures:
    """Features of one report from its hashed term counts (see ``watchfloor.stories.prepare``) and analysis,
    or from the keys ``analysis_features`` took from it already (``keys``; ``analysis`` is then ignored)."""
    entities, countries, kinds, actor_types, towns, lede_towns = analysis_features(analysis) if keys is None else keys
    return ReportFeatures(
        article_id=article_id,
        ts=ts,
        counts_indices=indices,
        counts_values=counts,
        entities=entities,
        countries=countries,
        event_kinds=kinds,
        actor_types=actor_types,
        towns=towns,
        lede_towns=lede_towns,
    )


def town_keys(record: dict[str, Any] | None) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Entity keys of the precise places (towns, sites) a report names, and of those named in its lede.

    Regions and countries are left out: two reports of one province can be about different events, while a
    report whose lede is in a town a story never named is usually about something else that happened there.
    """
    towns: set[str] = set()
    lede: set[str] = set()
    for place in (record or {}).get("places") or []:
        if place.get("lat") is None or not place.get("name") or place.get("geo_precision") != 1:
            continue
        key = f"p:{fold(place['name'])}"
        towns.add(key)
        if _position_weight(place.get("start")) > 1.0:
            lede.add(key)
    return tuple(sorted(towns)), tuple(sorted(lede))


def analysis_keys(
    record: dict[str, Any] | None,
) -> tuple[dict[str, float], dict[str, float], dict[str, float], dict[str, float]]:
    """Entity keys, country weights, event kinds and actor types from one stored extract record."""
    entities: dict[str, float] = {}
    countries: dict[str, float] = {}
    kinds: dict[str, float] = {}
    actor_types: dict[str, float] = {}
    if not record:
        return entities, countries, kinds, actor_types
    for i, place in enumerate(record.get("places") or []):
        if place.get("lat") is None or not place.get("name"):
            continue
        key = f"p:{fold(place['name'])}"
        entities[key] = max(entities.get(key, 0.0), _position_weight(place.get("start")))
        country = place.get("country")
        if country:
            # Early mentions (dateline, lede) say more about where the report is.
            countries[country] = countries.get(country, 0.0) + 1.0 + (2.0 if i < 3 else 0.0)
    for actor in record.get("actors") or []:
        actor_id = actor.get("id")
        if not actor_id:
            continue
        key = f"a:{actor_id}"
        entities[key] = max(entities.get(key, 0.0), _position_weight(actor.get("start")))
        if actor.get("country"):
            countries[actor["country"]] = countries.get(actor["country"], 0.0) + 0.5
        if actor.get("type"):
            actor_types[actor["type"]] = actor_types.get(actor["type"], 0.0) + 1.0
    for event in record.get("events") or []:
        if event.get("modality") in ("negated", "hypothetical"):
            continue
        kind = f"{event.get('event_type')}/{event.get('sub_event_type')}"
        kinds[kind] = kinds.get(kind, 0.0) + 1.0
        for side in ("actor1", "actor2"):
            actor = event.get(side) or {}
            if actor.get("type"):
                actor_types[actor["type"]] = actor_types.get(actor["type"], 0.0) + 0.5
    return entities, countries, kinds, actor_types


LEDE_CHARS = 400  # about the dateline and the first sentence or two
LEDE_WEIGHT = 2.0


def _position_weight(start: int | None) -> float:
    """Names in the lede say what the report is about; names further down are often background."""
    return LEDE_WEIGHT if start is not None and start < LEDE_CHARS else 1.0


def top_key(weights: dict[str, float]) -> str | None:
    """The heaviest key; ties go to the alphabetically first so the answer is stable."""
    if not weights:
        return None
    return min(weights, key=lambda k: (-weights[k], k))


def parse_ts(value: str | None) -> float | None:
    """Seconds since the epoch of an ISO date or date-time (naive times are taken as UTC)."""
    if not value:
        return None
    text = value.strip()
    try:
        if len(text) == 10:
            moment = dt.datetime.fromisoformat(text).replace(tzinfo=dt.UTC)
        else:
            moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=dt.UTC)
    except ValueError:
        return None
    return moment.timestamp()


def iso(ts: float) -> str:
    return dt.datetime.fromtimestamp(ts, dt.UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values of a 1-D integer array, as ``np.unique`` gives them.

    numpy 2's ``np.unique`` goes through a hash table before it sorts; for the few hundred values of one report
    that cost about ten times a plain sort and a comparison of neighbours, once or more per report."""
    if values.size < 2:
        return values.copy()
    ordered = np.sort(values)
    keep = np.empty(ordered.size, dtype=bool)
    keep[0] = True
    np.not_equal(ordered[1:], ordered[:-1], out=keep[1:])
    return ordered[keep]


def sparse_dot(ai: np.ndarray, av: np.ndarray, bi: np.ndarray, bv: np.ndarray) -> float:
    """Dot product of two sparse vectors given as sorted index arrays and values."""
    if ai.size == 0 or bi.size == 0:
        return 0.0
    _, ia, ib = np.intersect1d(ai, bi, assume_unique=True, return_indices=True)
    if ia.size == 0:
        return 0.0
    return float(np.dot(av[ia].astype(np.float64), bv[ib].astype(np.float64)))


def dict_cosine(a: dict[str, float], b: dict[str, float]) -> float:
    """Cosine of two sparse vectors held as dicts.

    Sums use math.fsum, which is exact and so independent of the order of the items: a story's dicts have
    one key order in memory and another once stored and read back, and the result must not differ.
    """
    if not a or not b:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    dot = math.fsum(v * b[k] for k, v in a.items() if k in b)
    if dot == 0.0:
        return 0.0
    return dot / (math.sqrt(math.fsum(v * v for v in a.values())) * math.sqrt(math.fsum(v * v for v in b.values())))


def add_counts(target: dict[str, float], source: Iterable[tuple[str, float]]) -> None:
    for key, value in source:
        target[key] = target.get(key, 0.0) + value
