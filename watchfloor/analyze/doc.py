"""The working object of analysis: one article's text, its sentences and what the components found in it.

Components (see ``watchfloor.analyze.pipeline``) read and fill a ``Doc`` in order; the result is turned
into the records of ``watchfloor.models``. Offsets are always into ``Doc.text``, the article text exactly as
stored, so that every span found here is a valid provenance span.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from watchfloor.models import DateMention, Event, Figure, Place, Quote


@dataclass(slots=True)
class ActorMatch:
    """An actor name found in the text; ``actor_id`` is None for a name the knowledge base does not know."""

    start: int
    end: int
    text: str
    actor_id: str | None
    score: float = 1.0


@dataclass(slots=True)
class PlaceMatch:
    """A place name found in the text and what it resolved to (None when unresolved)."""

    start: int
    end: int
    text: str
    place: Place | None
    score: float = 1.0


@dataclass(slots=True)
class Doc:
    article_id: str
    text: str
    article_date: dt.date | None = None
    language: str | None = None
    sentences: list[tuple[int, int]] = field(default_factory=list)  # [start, end) of each sentence
    body_start: int = 0  # offset after a dateline such as "BEIRUT (AP) -"
    actors: list[ActorMatch] = field(default_factory=list)
    places: list[PlaceMatch] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)  # ISO3 codes the document is about, most likely first
    dates: list[DateMention] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)

    def sentence_at(self, offset: int) -> tuple[int, int] | None:
        """The sentence containing ``offset``, found by bisection since sentences are sorted."""
        import bisect

        i = bisect.bisect_right(self.sentences, (offset, float("inf"))) - 1
        if 0 <= i < len(self.sentences) and self.sentences[i][0] <= offset < self.sentences[i][1]:
            return self.sentences[i]
        return None
