"""Stories as one self-contained HTML page (inline CSS, no scripts, no external assets).

Rendered with Jinja2 with autoescaping on and no ``|safe`` anywhere: every piece of source text reaches the
page escaped. Links are emitted only for http(s) source URLs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

import jinja2

from watchfloor.models import Story
from watchfloor.report.common import NumberedSource, SourceInfo, cited_sentences, numbered_sources, source_numbers
from watchfloor.report.markdown import is_web_url


@dataclass(slots=True)
class _Section:
    heading: str
    paragraphs: list[list[tuple[str, int | None]]] = field(default_factory=list)


@dataclass(slots=True)
class _Source:
    number: int
    info: SourceInfo
    copies: list[SourceInfo]
    link: str | None


@dataclass(slots=True)
class _View:
    anchor: str
    story: Story
    numbers: dict[str, int]
    sections: list[_Section]
    sources: list[_Source]
    implication_refs: list[list[int]]


@cache
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("watchfloor.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _source(src: NumberedSource) -> _Source:
    return _Source(src.number, src.info, src.copies, src.info.url if is_web_url(src.info.url) else None)


def _view(index: int, story: Story, sources: dict[str, SourceInfo]) -> _View:
    numbers = source_numbers(story)
    sections = []
    for section in story.sections:
        view = _Section(section.heading)
        for paragraph in section.paragraphs:
            view.paragraphs.append([(text, numbers.get(c.article_id)) for text, c in cited_sentences(paragraph)])
        sections.append(view)
    refs = [
        sorted({numbers[e.article_id] for e in imp.evidence if e.article_id in numbers}) for imp in story.implications
    ]
    return _View(
        anchor=f"story-{index + 1}",
        story=story,
        numbers=numbers,
        sections=sections,
        sources=[_source(s) for s in numbered_sources(story, sources)],
        implication_refs=refs,
    )


def render_html(stories: Iterable[Story], sources: dict[str, SourceInfo], title: str = "watchfloor brief") -> str:
    views = [_view(i, s, sources) for i, s in enumerate(stories)]
    return _environment().get_template("stories.html").render(stories=views, title=title)
