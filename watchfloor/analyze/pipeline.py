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

from watchfloor.analyze.doc import Doc
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
        doc.actors = kb.matches(scan)

    return run


@component("places")
def _places(resources: Resources) -> Component:
    gazetteer = resources.gazetteer

    def run(doc: Doc) -> None:
        # Names inside actor names ("Syrian Democratic Forces", "Free Aleppo Brigade") are not places.
        skip = [(a.start, a.end) for a in doc.actors if a.actor_id is not None]
        doc.places = gazetteer.find(doc.text, skip=skip)

    return run


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
            if scan is None or scan.text is not doc.text:
                scan = kb.scan(doc.text)
            doc.actors = kb.matches(scan, doc.countries)

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
    from watchfloor.analyze.quotes import find_quotes

    kb = resources.actors

    def resolve_speaker(name: str) -> str | None:
        actor = kb.resolve(name)
        return actor.id if actor else None

    def run(doc: Doc) -> None:
        doc.quotes = find_quotes(doc.text, doc.sentences, resolve_speaker)
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
