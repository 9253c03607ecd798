"""The analysis pipeline: named components run in order over a ``Doc``.

As in spaCy, each component is registered under a name by a factory; a pipeline is a list of names, so a
user can drop a component, reorder, or register their own (``@component("my-ner")``) without touching the
package. Factories receive the shared ``Resources`` (knowledge base, gazetteer) and are called once per
``Analyzer``, so loading happens once, not per article.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from watchfloor.analyze.doc import ActorMatch, Doc, PlaceMatch
from watchfloor.config import MAX_TEXT_CHARS
from watchfloor.errors import TextTooLongError, WatchfloorError
from watchfloor.models import Article

Component = Callable[[Doc], None]
Factory = Callable[["Resources"], Component]

_REGISTRY: dict[str, Factory] = {}

DEFAULT_PIPELINE = ("sentences", "language", "actors", "places", "context", "dates", "figures", "quotes", "events")


class UnknownComponentError(WatchfloorError):
    code = "W500"


def component(name: str) -> Callable[[Factory], Factory]:
    """Register a component factory under ``name``; a later registration replaces an earlier one."""

    def register(factory: Factory) -> Factory:
        _REGISTRY[name] = factory
        return factory

    return register


def registered() -> list[str]:
    return sorted(_REGISTRY)


@dataclass(slots=True)
class Resources:
    """What components share: loaded lazily, once per Analyzer."""

    kb_dirs: Sequence[Path] = ()
    gazetteer_path: Path | None = None
    _cache: dict[str, Any] = field(default_factory=dict)

    @property
    def actors(self) -> Any:
        if "actors" not in self._cache:
            from watchfloor.kb.actors import ActorKB

            self._cache["actors"] = ActorKB.load(extra_dirs=self.kb_dirs)
        return self._cache["actors"]

    @property
    def gazetteer(self) -> Any:
        if "gazetteer" not in self._cache:
            from watchfloor.kb.gazetteer import Gazetteer

            extra = [p for d in self.kb_dirs for p in sorted(Path(d).glob("places*.y*ml"))]
            self._cache["gazetteer"] = Gazetteer.open(self.gazetteer_path, extra_files=extra)
        return self._cache["gazetteer"]


class Analyzer:
    """Runs the pipeline over articles. Build one and reuse it: construction loads the resources."""

    def __init__(
        self,
        pipeline: Sequence[str] = DEFAULT_PIPELINE,
        *,
        kb_dirs: Sequence[Path] = (),
        gazetteer_path: Path | None = None,
    ) -> None:
        unknown = [name for name in pipeline if name not in _REGISTRY]
        if unknown:
            raise UnknownComponentError(f"unknown pipeline component(s) {unknown}; registered: {registered()}")
        self.resources = Resources(kb_dirs=kb_dirs, gazetteer_path=gazetteer_path)
        self.pipeline = list(pipeline)
        self.components = [(name, _REGISTRY[name](self.resources)) for name in self.pipeline]

    def __call__(self, article: Article) -> Doc:
        if len(article.text) > MAX_TEXT_CHARS:
            raise TextTooLongError(
                f"article {article.id} has {len(article.text):,} characters, over the limit of {MAX_TEXT_CHARS:,}"
            )
        doc = Doc(article_id=article.id, text=article.text, article_date=_article_date(article.date))
        doc.language = article.language
        for name, run in self.components:
            if name != "sentences" and name != "language" and doc.language not in (None, "en"):
                # Non-English text is kept and its language reported, but not analysed (English-only lexicons).
                break
            run(doc)
        return doc


def _article_date(value: str | None) -> dt.date | None:
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


# -- the default components ----------------------------------------------------------------------------


@component("sentences")
def _sentences(resources: Resources) -> Component:
    from watchfloor.analyze.text import find_dateline, split_sentences

    def run(doc: Doc) -> None:
        doc.sentences = split_sentences(doc.text)
        dateline = find_dateline(doc.text)
        doc.body_start = dateline[1] if dateline else 0

    return run


@component("language")
def _language(resources: Resources) -> Component:
    from watchfloor.analyze.language import detect_language

    def run(doc: Doc) -> None:
        if doc.language is None:
            doc.language = detect_language(doc.text)

    return run


def _last_scan(resources: Resources) -> threading.local:
    """Where "actors" leaves its scan of the text for "context" to resolve again (one per thread)."""
    return resources._cache.setdefault("actor_scan", threading.local())  # type: ignore[no-any-return]


@component("actors")
def _actors(resources: Resources) -> Component:
    kb = resources.actors
    last = _last_scan(resources)

    def run(doc: Doc) -> None:
        last.scan = scan = kb.scan(doc.text)
        last.doc = doc
        doc.actors = kb.matches(scan)

    return run


@component("places")
def _places(resources: Resources) -> Component:
    gazetteer = resources.gazetteer
    kb = resources.actors

    def run(doc: Doc) -> None:
        # Names inside actor names ("Syrian Democratic Forces", "Free Aleppo Brigade") are not places, but the
        # actors' countries say where the text is, as "Syrian" would have ("TNLA ... Mogok" is in Myanmar).
        skip: list[tuple[int, int]] = []
        hints: list[str] = []
        for match in doc.actors:
            if match.actor_id is not None:
                skip.append((match.start, match.end))
                actor = kb.get(match.actor_id)
                if actor is not None and actor.country:
                    hints.append(actor.country)
        doc.places = gazetteer.find(doc.text, skip=skip, hints=hints)
        doc.actors = _outside_places(doc.actors, doc.places, len(doc.text))

    return run


def _outside_places(actors: list[ActorMatch], places: list[PlaceMatch], size: int) -> list[ActorMatch]:
    """Actors without those found inside a longer place name ("Sudan's authorities" of "Port Sudan's
    authorities", "al-Asad" of "Ain al-Asad air base"): the gazetteer keeps such a name only when it starts
    before the actor's, so the place reading wins."""
    if not places or not actors:
        return actors
    inside = bytearray(size + 1)  # set after the first character of each place name
    for match in places:
        if match.place is not None and match.end > match.start + 1:
            inside[match.start + 1 : match.end] = b"\x01" * (match.end - match.start - 1)
    return [a for a in actors if not inside[a.start]]


@component("context")
def _context(resources: Resources) -> Component:
    """The countries the document is about, then actors again with that context ("regime forces" in Syria)."""
    kb = resources.actors
    last = _last_scan(resources)

    def run(doc: Doc) -> None:
        weights: dict[str, float] = {}
        for i, match in enumerate(doc.places):
            if match.place and match.place.country:
                # Early mentions (the dateline, the lede) say more about what the story is about.
                weights[match.place.country] = weights.get(match.place.country, 0.0) + 1.0 + (2.0 if i < 3 else 0.0)
        for match in doc.actors:
            actor = kb.get(match.actor_id) if match.actor_id else None
            if actor is not None and actor.country:
                weights[actor.country] = weights.get(actor.country, 0.0) + 0.5
        doc.countries = sorted(weights, key=lambda c: -weights[c])
        if doc.countries:
            # Resolve the scan "actors" made of this very text rather than reading the text again.
            scan = getattr(last, "scan", None)
            if scan is not None and getattr(last, "doc", None) is doc and scan.text is doc.text:
                # doc.actors holds what "actors" found in this scan, less the names inside places: unless the
                # countries change the choice for some name, resolving again would give that list once more.
                again = kb.rematch(scan, doc.countries)
                if again is not None:
                    doc.actors = _outside_places(again, doc.places, len(doc.text))
                return
            if scan is None or scan.text is not doc.text:
                scan = kb.scan(doc.text)
            doc.actors = _outside_places(kb.matches(scan, doc.countries), doc.places, len(doc.text))

    return run


@component("dates")
def _dates(resources: Resources) -> Component:
    from watchfloor.analyze.dates import find_dates

    def run(doc: Doc) -> None:
        doc.dates = find_dates(doc.text, doc.article_date, doc.sentences)

    return run


@component("figures")
def _figures(resources: Resources) -> Component:
    from watchfloor.analyze.figures import find_figures

    def run(doc: Doc) -> None:
        doc.figures = find_figures(doc.text, doc.sentences)
        for figure in doc.figures:
            figure.article_id = doc.article_id

    return run


@component("quotes")
def _quotes(resources: Resources) -> Component:
    """Quotes, with speakers resolved to knowledge-base actors in the document's country context: "the
    army" of a story about Syria is the Syrian military, "Tehran" the Iranian government, and "the group" the
    organisation named before it."""
    from watchfloor.analyze.quotes import find_quotes, state_speaker

    kb = resources.actors
    # Organisations that "the group" can refer back to (states, governments and UN bodies are not "groups").
    group_types = frozenset(
        {
            "Rebel group",
            "Political militia",
            "Identity militia",
            "Political party",
            "NGO",
            "External/Other forces",
            "Protesters",
        }
    )

    def _home_country(doc: Doc, kb: Any, role: str) -> str | None:
        """The country whose "army" or "government" a bare "the army said" means: the one whose state actor of that
        role the text names most, else the one its known actors belong to most, else the document's first country.
        (A story about Myanmar that names Thailand often still has Myanmar's junta speaking.)"""
        same_role: dict[str, int] = {}
        any_actor: dict[str, int] = {}
        for match in doc.actors:
            actor = kb.get(match.actor_id) if match.actor_id else None
            if actor is None or not actor.country:
                continue
            any_actor[actor.country] = any_actor.get(actor.country, 0) + 1
            if actor.id.endswith("-" + role):
                same_role[actor.country] = same_role.get(actor.country, 0) + 1
        order = {c: i for i, c in enumerate(doc.countries)}
        for counts in (same_role, any_actor):
            if counts:
                return min(counts, key=lambda c: (-counts[c], order.get(c, len(order))))
        return doc.countries[0] if doc.countries else None

    def run(doc: Doc) -> None:
        countries = doc.countries
        resolved: dict[str, str | None] = {}

        def resolve_speaker(name: str) -> str | None:
            if name not in resolved:
                actor = kb.resolve(name, countries)
                if actor is None:
                    state = state_speaker(name)
                    country = (state[1] or _home_country(doc, kb, state[0])) if state else None
                    actor = kb.get(f"{country.lower()}-{state[0]}") if state and country else None
                resolved[name] = actor.id if actor else None
            return resolved[name]

        antecedents = [
            (m.start, m.actor_id)
            for m in doc.actors
            if m.actor_id is not None and (actor := kb.get(m.actor_id)) is not None and actor.type in group_types
        ]
        doc.quotes = find_quotes(doc.text, doc.sentences, resolve_speaker, antecedents)
        for quote in doc.quotes:
            quote.article_id = doc.article_id

    return run


@component("events")
def _events(resources: Resources) -> Component:
    from watchfloor.analyze.events import EventExtractor

    extractor = EventExtractor(resources)

    def run(doc: Doc) -> None:
        doc.events = extractor(doc)

    return run
