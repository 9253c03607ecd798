"""What patterns work with: the context they read and the draft judgment they return, plus the registry.

A pattern is a small function ``(Context) -> list[Draft]`` registered with its id, kind, base rate and the
rules for the evidence it needs (``@pattern(...)``). A Draft holds a statement template whose likelihood
phrase is filled in only after the estimate is known, so the wording always matches the number.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from watchfloor.assess.likelihood import Estimate, Factor, Term
from watchfloor.models import EvidenceRef, Story
from watchfloor.situation import lexicon
from watchfloor.situation.sources import SourceDoc, Sources, parse_day
from watchfloor.situation.state import Signal, Situation

# -- statements -------------------------------------------------------------------------------------------------


def lead_in(term: Term, capital: bool = True) -> str:
    """"It is likely that", "There is a roughly even chance that", "There is almost no chance that"."""
    if term.name in ("roughly even chance", "almost no chance"):
        text = f"there is {'a ' if term.name.startswith('roughly') else ''}{term.name} that"
    else:
        text = f"it is {term.name} that"
    return text[:1].upper() + text[1:] if capital else text


def fill(template: str, term: Term) -> str:
    """Replace ``{LIKELY}`` (sentence start) and ``{likely}`` (mid-sentence) by the term's lead-in."""
    return template.replace("{LIKELY}", lead_in(term, True)).replace("{likely}", lead_in(term, False))


def fmt_day(day: str | dt.date | None) -> str:
    d = parse_day(day) if isinstance(day, str) else day
    if d is None:
        return ""
    return f"{d.day} {d.strftime('%B')} {d.year}"


def join_names(names: Sequence[str], conj: str = "and") -> str:
    names = [n for n in names if n]
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + f" {conj} " + names[-1]


def nice_threshold(value: float) -> int:
    """The next round number at or above ``value``: 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5, 8 x 10^k."""
    if value <= 10:
        return int(max(1, round(value)))
    import math

    k = 10 ** math.floor(math.log10(value))
    for step in (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 7.5, 8, 10):
        if step * k >= value:
            return int(step * k)
    return int(10 * k)


def km_phrase(km: float) -> str:
    if km < 15:
        return f"about {max(5, round(km / 5) * 5)} km"
    if km < 100:
        return f"about {round(km / 5) * 5} km"
    return f"about {round(km / 10) * 10} km"


# -- drafts -----------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Draft:
    """A judgment before its likelihood is named: the pattern fills everything but the term."""

    pattern: str
    kind: str
    subject: str  # what the judgment is about, stable across briefs ("Homs", "state:TUR->hts")
    template: str  # with {LIKELY} / {likely}
    estimate: Estimate
    evidence: list[EvidenceRef]
    base_note: str = ""  # default: the pattern's documented base-rate note
    assumptions: list[str] = field(default_factory=list)
    alternatives: list[str] = field(default_factory=list)
    indicators: list[str] = field(default_factory=list)
    horizon_days: int | None = None
    criterion: str | None = None
    check: dict[str, Any] | None = None
    deadline: str | None = None
    weight: float = 1.0  # ranking among drafts of one kind


@dataclass(slots=True, frozen=True)
class PatternSpec:
    id: str
    kind: str
    base_rate: float
    base_note: str
    evidence_rule: str
    run: Callable[[Context], list[Draft]]


REGISTRY: dict[str, PatternSpec] = {}


def pattern(id: str, kind: str, base_rate: float, base_note: str, evidence_rule: str) -> Callable[[Callable[[Context], list[Draft]]], Callable[[Context], list[Draft]]]:
    def register(fn: Callable[[Context], list[Draft]]) -> Callable[[Context], list[Draft]]:
        REGISTRY[id] = PatternSpec(id, kind, base_rate, base_note, evidence_rule, fn)
        return fn

    return register


# -- context ----------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Context:
    story: Story
    situation: Situation
    sources: Sources
    kb: Any = None
    made_at: str = ""  # ISO timestamp: when the judgment is made (the newest report it could know)
    story_ids: set[str] = field(default_factory=set)
    _sides: Any = None
    _story_docs: list[SourceDoc] | None = None
    _drafts: dict[str, list[Draft]] = field(default_factory=dict)
    _signals: dict[tuple[str, int | None, bool | None, bool], list[Signal]] = field(default_factory=dict)
    _days: dict[int, str] = field(default_factory=dict)
    memo: dict[str, Any] = field(default_factory=dict)  # what several patterns read of the story, worked out once

    def raw_side(self, actor_id: str | None, name: str | None) -> str | None:
        """An actor's side before folding (built once per context: the knowledge base is large)."""
        if self._sides is None:
            from watchfloor.situation.state import Sides

            self._sides = Sides(self.kb, self.theatre)
        return self._sides.raw_side(actor_id, name)

    @classmethod
    def build(cls, story: Story, situation: Situation, sources: Sources, kb: Any = None, made_at: str | None = None) -> Context:
        ids = set(story.article_ids) | set(story.duplicates)
        made = made_at or situation.as_of or max((sources.date_of(i) or "" for i in ids), default="")
        return cls(story, situation, sources, kb, made, ids)

    def drafts(self, pattern_id: str) -> list[Draft]:
        """What a registered pattern drafts for this context, worked out once: some patterns read the drafts of
        others (the leader forecast is kept coherent with the capital forecasts)."""
        found = self._drafts.get(pattern_id)
        if found is None:
            found = self._drafts[pattern_id] = REGISTRY[pattern_id].run(self)
        return found

    # -- time

    @property
    def today(self) -> dt.date:
        return parse_day(self.made_at) or dt.date.today()

    def days_ago(self, n: int) -> str:
        # Asked thousands of times per story (every signal and change is compared with a cut-off).
        found = self._days.get(n)
        if found is None:
            day = parse_day(self.made_at)
            if day is None:
                return (dt.date.today() - dt.timedelta(days=n)).isoformat()
            found = self._days[n] = (day - dt.timedelta(days=n)).isoformat()
        return found

    def deadline(self, days: int) -> str:
        return self.days_ago(-days)

    # -- places and names

    @property
    def theatre(self) -> str | None:
        return self.situation.theatre

    @property
    def country(self) -> str:
        return lexicon.country_phrase(self.theatre) if self.theatre else "the area"

    def side_name(self, side: str) -> str:
        return self.situation.side_name(side)

    # -- evidence

    def story_docs(self) -> list[SourceDoc]:
        # Several patterns ask; the theatre's sources can be many times the story's own.
        if self._story_docs is None:
            # Keyed by report id, in the sources' order (what iterating them and asking each its id gives).
            ids = self.story_ids
            self._story_docs = [d for i, d in self.sources.docs.items() if i in ids]
        return list(self._story_docs)

    def in_story(self, ref: EvidenceRef) -> bool:
        return ref.article_id in self.story_ids

    def signals(self, kind: str, *, days: int | None = 14, hedged: bool | None = False, story_only: bool = False) -> list[Signal]:
        # Patterns ask for the same cues over and over (collapse, resistance, ceasefire in the last week).
        key = (kind, days, hedged, story_only)
        found = self._signals.get(key)
        if found is None:
            since = self.days_ago(days) if days is not None else None
            ids = self.story_ids if story_only else None
            found = self._signals[key] = self.situation.signals_of(kind, since=since, until=self.made_at, hedged=hedged, article_ids=ids)
        return list(found)

    def sentences(self, rx: re.Pattern[str], *, story_only: bool = True, hedged_ok: bool = False) -> list[EvidenceRef]:
        out = []
        docs = self.story_docs() if story_only else list(self.sources)
        key = ("sentences", rx.pattern, rx.flags, hedged_ok)
        for doc in docs:
            # Kept on the report: the same reports are searched for the same cues story after story.
            found = doc.memo.get(key)
            if found is None:
                found = doc.memo[key] = _sentences_matching(doc, rx, hedged_ok)
            out.extend(found)
        return out

    def independent(self, refs: Iterable[EvidenceRef]) -> int:
        return self.sources.independent(refs)

    def place_in(self, ref: EvidenceRef, exclude: Iterable[str] = ()) -> str | None:
        """The first town-level place the sentence names, as the text spells it."""
        doc = self.sources.get(ref.article_id)
        if doc is None:
            return None
        skip = set(exclude)
        for m in doc.places_in(ref.start, ref.end):
            if m.place is not None and m.place.geo_precision < 3 and m.text not in skip and not m.text.isupper():
                if self.theatre and m.place.country and m.place.country != self.theatre:
                    continue
                return m.text
        return None

    def country_mentions(self, ref: EvidenceRef) -> list[lexicon.CountryMention]:
        doc = self.sources.get(ref.article_id)
        if doc is None:
            return []
        # Kept on the report: the same evidence sentences are read story after story.
        key = ("assess-countries", ref.start, ref.end)
        found = doc.memo.get(key)
        if found is None:
            found = doc.memo[key] = lexicon.find_countries(doc.text, ref.start, ref.end)
        return list(found)


@lru_cache(maxsize=512)
def _searcher(rx: re.Pattern[str]) -> tuple[re.Pattern[str], frozenset[str] | None]:
    """``rx`` with its first-character lookahead (same matches, found faster) and the word heads a match
    starts with (see ``lexicon.word_heads``)."""
    return lexicon.quick(rx), lexicon.word_heads(rx)


def _sentences_matching(doc: SourceDoc, rx: re.Pattern[str], hedged_ok: bool) -> list[EvidenceRef]:
    """The report's sentences ``rx`` finds (not hedged unless ``hedged_ok``), as evidence."""
    fast, need = _searcher(rx)
    # The situation builder keeps each sentence's word heads on the report: a sentence none of whose words
    # starts like a match is not searched.
    heads = doc.memo.get(("heads",)) if need is not None else None
    out = []
    for n, (start, end, text) in enumerate(doc.iter_sentences()):
        if heads is not None and heads[n] is not None and need.isdisjoint(heads[n]):  # type: ignore[union-attr]
            continue
        if fast.search(text) and (hedged_ok or not lexicon.hedged(text)):
            out.append(doc.ref(start, end))
    return out


def dedupe_refs(refs: Iterable[EvidenceRef], limit: int = 6) -> list[EvidenceRef]:
    out: list[EvidenceRef] = []
    seen: set[tuple[str, int]] = set()
    for r in refs:
        key = (r.article_id, r.start)
        if key in seen:
            continue
        seen.add(key)
        out.append(r)
        if len(out) >= limit:
            break
    return out


def add(factors: list[Factor], item: Factor | None) -> None:
    if item is not None:
        factors.append(item)
