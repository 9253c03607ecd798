"""The reports a situation and its judgments rest on: text, sentences, actor and place mentions, copies.

Every piece of evidence the situation and the implications engine produce is an ``EvidenceRef`` cut from one
of these texts, so ``ref.text == article.text[ref.start:ref.end]`` holds by construction. Syndicated copies
are kept (their text can be cited) but never count as an independent source: ``independent`` counts distinct
canonical reports and, where outlets are known, distinct outlets.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from watchfloor.analyze.text import find_dateline, split_sentences
from watchfloor.models import Article, EvidenceRef, Place


@dataclass(slots=True)
class ActorMention:
    start: int
    end: int
    text: str
    actor_id: str | None


@dataclass(slots=True)
class PlaceMention:
    start: int
    end: int
    text: str
    place: Place | None


@dataclass(slots=True)
class SourceDoc:
    article: Article
    canonical_id: str
    sentences: list[tuple[int, int]]
    actors: list[ActorMention] = field(default_factory=list)
    places: list[PlaceMention] = field(default_factory=list)
    body_start: int = 0
    # What the situation builder read from this text (claims, cues, alignments) under a given theatre and
    # knowledge base: pure functions of the text and its mentions, kept so a theatre rebuilt batch after batch
    # reads each report once. Never part of equality or output.
    memo: dict[tuple[Any, ...], Any] = field(default_factory=dict, repr=False, compare=False)
    # The start offsets of ``actors`` and ``places`` for ``actors_in`` / ``places_in`` (see ``_starts``).
    _starts: dict[str, tuple[list[Any], int, list[int] | None]] = field(default_factory=dict, init=False, repr=False, compare=False)

    @property
    def id(self) -> str:
        return self.article.id

    @property
    def text(self) -> str:
        return self.article.text

    @property
    def day(self) -> str | None:
        return (self.article.date or "")[:10] or None

    def sentence_at(self, offset: int) -> tuple[int, int] | None:
        i = bisect.bisect_right(self.sentences, (offset, float("inf"))) - 1
        if 0 <= i < len(self.sentences) and self.sentences[i][0] <= offset < self.sentences[i][1]:
            return self.sentences[i]
        return None

    def clean_sentence(self, offset: int) -> tuple[int, int] | None:
        """The sentence at ``offset``, without a leading dateline."""
        span = self.sentence_at(offset)
        if span is None:
            return None
        start, end = span
        if start < self.body_start < end:
            start = self.body_start
            while start < end and self.text[start].isspace():
                start += 1
        return start, end

    def ref(self, start: int, end: int) -> EvidenceRef:
        return EvidenceRef(self.id, start, end, self.text[start:end])

    def sentence_ref(self, offset: int) -> EvidenceRef | None:
        span = self.clean_sentence(offset)
        return self.ref(*span) if span else None

    def iter_sentences(self) -> Iterator[tuple[int, int, str]]:
        for start, end in self.sentences:
            # A dateline ("HOMS, Syria (GDN) -") is not part of the claim; cut it off the first sentence.
            if start < self.body_start < end:
                start = self.body_start
                while start < end and self.text[start].isspace():
                    start += 1
            yield start, end, self.text[start:end]

    def actors_in(self, start: int, end: int) -> list[ActorMention]:
        """The actor mentions within [start, end), in list order."""
        return _within(self.actors, self._index("actors", self.actors), start, end)

    def places_in(self, start: int, end: int) -> list[PlaceMention]:
        """The place mentions within [start, end), in list order."""
        return _within(self.places, self._index("places", self.places), start, end)

    def _index(self, name: str, mentions: list[Any]) -> list[int] | None:
        """The mentions' start offsets when the list is sorted by start and no mention ends before it starts
        (as ``source_doc`` builds them), else None. Kept while the list is the same object of the same length."""
        kept = self._starts.get(name)
        if kept is not None and kept[0] is mentions and kept[1] == len(mentions):
            return kept[2]
        starts = [m.start for m in mentions]
        ordered = all(a <= b for a, b in zip(starts, starts[1:], strict=False)) and all(m.end >= m.start for m in mentions)
        self._starts[name] = (mentions, len(mentions), starts if ordered else None)
        return starts if ordered else None


def _within(mentions: list[Any], starts: list[int] | None, start: int, end: int) -> list[Any]:
    """``[m for m in mentions if m.start >= start and m.end <= end]``; with ``starts`` (sorted, see
    ``SourceDoc._index``) only the mentions starting in [start, end] are looked at: one starting later ends later."""
    if starts is None:
        return [m for m in mentions if m.start >= start and m.end <= end]
    lo = bisect.bisect_left(starts, start)
    hi = bisect.bisect_right(starts, end, lo)
    return [m for m in mentions[lo:hi] if m.end <= end]


class Sources:
    """The reports of a story or theatre, by id; copies point at their canonical report."""

    def __init__(self, docs: Iterable[SourceDoc] = ()) -> None:
        self.docs: dict[str, SourceDoc] = {}
        for doc in docs:
            self.docs[doc.id] = doc

    def __contains__(self, article_id: object) -> bool:
        return article_id in self.docs

    def __getitem__(self, article_id: str) -> SourceDoc:
        return self.docs[article_id]

    def __iter__(self) -> Iterator[SourceDoc]:
        return iter(self.docs.values())

    def __len__(self) -> int:
        return len(self.docs)

    def get(self, article_id: str) -> SourceDoc | None:
        return self.docs.get(article_id)

    def texts(self) -> dict[str, str]:
        return {i: d.text for i, d in self.docs.items()}

    def canonical(self) -> list[SourceDoc]:
        """Canonical reports, oldest first."""
        return sorted((d for d in self.docs.values() if d.canonical_id == d.id), key=lambda d: (d.article.date or "", d.id))

    def subset(self, ids: Iterable[str]) -> Sources:
        wanted = set(ids)
        return Sources(d for i, d in self.docs.items() if i in wanted or d.canonical_id in wanted)

    def until(self, when: str | None) -> Sources:
        """Only reports dated up to ``when`` (an ISO timestamp or day): what was known at that time."""
        if not when:
            return self
        return Sources(d for d in self.docs.values() if not d.article.date or d.article.date[: len(when)] <= when)

    def independent(self, refs: Iterable[EvidenceRef]) -> int:
        """How many independent sources the refs come from: copies fold into their canonical report, and
        reports of the same outlet count once."""
        keys = set()
        for ref in refs:
            doc = self.docs.get(ref.article_id)
            if doc is None:
                keys.add(("id", ref.article_id))
                continue
            canonical = self.docs.get(doc.canonical_id, doc)
            outlet = (canonical.article.outlet or "").strip().lower()
            keys.add(("outlet", outlet) if outlet else ("id", canonical.id))
        return len(keys)

    def date_of(self, article_id: str) -> str | None:
        doc = self.docs.get(article_id)
        return doc.article.date if doc else None

    def latest_date(self) -> str | None:
        dates = [d.article.date for d in self.docs.values() if d.article.date]
        return max(dates) if dates else None


def source_doc(
    article: Article,
    *,
    canonical_id: str | None = None,
    analysis: Mapping[str, Any] | None = None,
    kb: Any = None,
    places: Sequence[Place] = (),
) -> SourceDoc:
    """A SourceDoc from an article and what analysis stored for it (``analyses.json``).

    Without a stored analysis, actors come from the knowledge base's finder and places from the names of
    ``places`` (typically the event locations) found in the text, so hand-built stories work too.
    """
    text = article.text
    doc = SourceDoc(article=article, canonical_id=canonical_id or article.id, sentences=split_sentences(text))
    dateline = find_dateline(text)
    if dateline:
        doc.body_start = dateline[1]
    elif m := _DATELINE.match(text):
        doc.body_start = m.end()
    if analysis:
        for a in analysis.get("actors", []) or []:
            start, end = int(a["start"]), int(a["end"])
            if text[start:end] == a.get("text"):
                doc.actors.append(ActorMention(start, end, text[start:end], a.get("id")))
        for p in analysis.get("places", []) or []:
            start, end = int(p["start"]), int(p["end"])
            if text[start:end] != p.get("text"):
                continue
            place = None
            if p.get("lat") is not None and p.get("lon") is not None:
                place = Place(
                    name=p.get("name") or p["text"],
                    lat=float(p["lat"]),
                    lon=float(p["lon"]),
                    country=p.get("country"),
                    admin1=p.get("admin1"),
                    admin2=p.get("admin2"),
                    geo_precision=int(p.get("geo_precision") or 1),
                )
            doc.places.append(PlaceMention(start, end, text[start:end], place))
    else:
        if kb is not None:
            for m in kb.find(text):
                doc.actors.append(ActorMention(m.start, m.end, m.text, m.actor_id))
        doc.places = _find_known_places(text, places)
    doc.actors.sort(key=lambda m: m.start)
    doc.places.sort(key=lambda m: m.start)
    return doc


def _find_known_places(text: str, places: Sequence[Place]) -> list[PlaceMention]:
    import re

    out: list[PlaceMention] = []
    seen: set[tuple[int, int]] = set()
    by_name = {p.name: p for p in places if p.name}
    for name in sorted(by_name, key=len, reverse=True):
        for m in re.finditer(r"(?<![\w-])" + re.escape(name) + r"(?![\w-])", text):
            if any(s < m.end() and m.start() < e for s, e in seen):
                continue
            seen.add((m.start(), m.end()))
            out.append(PlaceMention(m.start(), m.end(), m.group(0), by_name[name]))
    return out


# "DAMASCUS/ANKARA (Levant Wire) - ", "MOSCOW (MPA) - ": a place in capitals, an optional agency, a dash.
_DATELINE = re.compile(r"^[A-Z][A-Z'./ -]{2,60}(?:, [A-Z][a-z]+)?(?: \([^)]{1,40}\))? [-\u2013\u2014] ")


@lru_cache(maxsize=1 << 16)
def parse_day(value: str | None) -> dt.date | None:
    # Cached: a situation reads the same few hundred dates over and over (dates are immutable).
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None
