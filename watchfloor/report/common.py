"""What the renderers of a story share: its sources, numbered, and its sentences with their citations."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from watchfloor.models import Citation, Paragraph, Story


@dataclass(slots=True)
class SourceInfo:
    id: str
    title: str | None = None
    outlet: str | None = None
    date: str | None = None
    url: str | None = None


@dataclass(slots=True)
class NumberedSource:
    number: int
    info: SourceInfo
    copies: list[SourceInfo] = field(default_factory=list)  # syndicated copies folded into this report


def load_sources(store: object, stories: Iterable[Story]) -> dict[str, SourceInfo]:
    """Title, outlet, date and URL of every report (canonical or copy) the stories cite."""
    from watchfloor.store import Store
    from watchfloor.store import stories as sql

    assert isinstance(store, Store)
    ids: set[str] = set()
    for story in stories:
        ids.update(story.article_ids)
        ids.update(story.duplicates)
    rows = sql.load_reports(store.conn, sorted(ids))
    return {i: SourceInfo(i, r.title, r.outlet, r.date, r.url) for i, r in rows.items()}


def numbered_sources(story: Story, sources: dict[str, SourceInfo]) -> list[NumberedSource]:
    """The story's canonical reports numbered 1.. in date order, each with its copies."""
    out = []
    for n, article_id in enumerate(story.article_ids, start=1):
        info = sources.get(article_id, SourceInfo(article_id))
        copies = [
            sources.get(c, SourceInfo(c)) for c, target in sorted(story.duplicates.items()) if target == article_id
        ]
        out.append(NumberedSource(n, info, copies))
    return out


def source_numbers(story: Story) -> dict[str, int]:
    return {article_id: n for n, article_id in enumerate(story.article_ids, start=1)}


def cited_sentences(paragraph: Paragraph) -> list[tuple[str, Citation]]:
    """A paragraph cut back into its sentences: the text is the cited sentences joined by single spaces."""
    out = []
    pos = 0
    for citation in paragraph.citations:
        length = citation.end - citation.start
        out.append((paragraph.text[pos : pos + length], citation))
        pos += length + 1
    if not paragraph.citations:
        out.append((paragraph.text, Citation("", 0, 0)))
    return out


def day(value: str | None) -> str:
    return (value or "")[:10]
