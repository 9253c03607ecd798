"""Stories as Markdown, in the layout of the reference page.

Implications first, then the headline, then the article under its subheadings (every sentence followed by the
number of its source), then figures, quotes, timeline, places and the numbered sources. Source text is
escaped so that a report cannot inject markup or links into the page.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from watchfloor.models import Story
from watchfloor.report.common import SourceInfo, cited_sentences, day, numbered_sources, source_numbers

_SPECIAL = re.compile(r"([\\`*_\[\]<>|#])")


def escape(text: str | None) -> str:
    """Backslash-escape Markdown syntax and fold line breaks, so source text stays plain text."""
    return _SPECIAL.sub(r"\\\1", " ".join((text or "").split()))


def _percent(value: float) -> str:
    return f"{value:.0%}"


def render_story(story: Story, sources: dict[str, SourceInfo]) -> str:
    numbers = source_numbers(story)
    lines: list[str] = []
    lines.append("## Implications")
    lines.append("")
    if story.implications:
        for imp in story.implications:
            low, high = imp.probability
            refs = sorted({numbers[e.article_id] for e in imp.evidence if e.article_id in numbers})
            cite = " " + "".join(f"[{n}]" for n in refs) if refs else ""
            lines.append(
                f"- {escape(imp.statement)} *({escape(imp.likelihood)}, {_percent(low)}-{_percent(high)};"
                f" confidence {escape(imp.confidence)})*{cite}"
            )
    else:
        lines.append("*No implications assessed yet.*")
    lines.append("")
    lines.append(f"# {escape(story.headline)}")
    lines.append("")
    meta = []
    if story.situation:
        meta.append(escape(story.situation))
    meta.append(f"{len(story.article_ids)} source{'s' if len(story.article_ids) != 1 else ''}")
    if story.duplicates:
        meta.append(f"{len(story.duplicates)} syndicated cop{'ies' if len(story.duplicates) != 1 else 'y'} folded")
    if story.first_seen:
        meta.append(f"first seen {day(story.first_seen)}")
    if story.updated:
        meta.append(f"updated {day(story.updated)}")
    lines.append("*" + " · ".join(meta) + "*")
    lines.append("")
    for section in story.sections:
        lines.append(f"## {escape(section.heading)}")
        lines.append("")
        for paragraph in section.paragraphs:
            parts = []
            for sentence, citation in cited_sentences(paragraph):
                n = numbers.get(citation.article_id)
                parts.append(f"{escape(sentence)} [{n}]" if n else escape(sentence))
            lines.append(" ".join(parts))
            lines.append("")
    if story.figures:
        lines.append("## Figures")
        lines.append("")
        for fig in story.figures:
            lines.append(f"- **{escape(getattr(fig, 'summary', fig.kind))}**")
            for src in getattr(fig, "sources", []):
                n = numbers.get(src.article_id or "")
                who = f"{escape(src.source)}, " if src.source else ""
                lines.append(f"  - {who}{day(src.date)}: \u201c{escape(src.text)}\u201d" + (f" [{n}]" if n else ""))
        lines.append("")
    if story.quotes:
        lines.append("## Quotes")
        lines.append("")
        for q in story.quotes:
            n = numbers.get(q.article_id or "")
            lines.append(
                f"> \u201c{escape(q.text)}\u201d \u2014 {escape(q.speaker) or 'unattributed'}"
                + (f" [{n}]" if n else "")
            )
            lines.append("")
    if story.timeline:
        lines.append("## Timeline")
        lines.append("")
        for entry in story.timeline:
            lines.append(f"- **{escape(entry.date)}**: {escape(entry.text)}")
        lines.append("")
    if story.places:
        lines.append("## Places")
        lines.append("")
        for place in story.places:
            where = ", ".join(escape(x) for x in (place.admin1, place.country) if x)
            coords = f" ({place.lat:.4f}, {place.lon:.4f})" if place.lat is not None and place.lon is not None else ""
            lines.append(f"- {escape(place.name)}{coords}" + (f", {where}" if where else ""))
        lines.append("")
    lines.append("## Sources")
    lines.append("")
    for src in numbered_sources(story, sources):
        info = src.info
        title = escape(info.title) or escape(info.id)
        label = f"{escape(info.outlet)}: " if info.outlet else ""
        link = f" <{escape_url(info.url)}>" if is_web_url(info.url) else ""
        line = f"{src.number}. {label}{title}, {day(info.date)}{link}"
        if src.copies:
            also = ", ".join(escape(c.outlet or c.id) for c in src.copies)
            line += f" (also carried by {also})"
        lines.append(line)
    lines.append("")
    return "\n".join(lines)


def is_web_url(url: str | None) -> bool:
    """Only http(s) links are emitted; anything else (javascript:, data:) stays out of the page."""
    return bool(url) and str(url).lower().startswith(("http://", "https://"))


def escape_url(url: str) -> str:
    """A URL inside <...>: spaces and angle brackets percent-encoded so it cannot close the link."""
    return url.replace(" ", "%20").replace("<", "%3C").replace(">", "%3E")


def render_markdown(stories: Iterable[Story], sources: dict[str, SourceInfo]) -> str:
    return "\n---\n\n".join(render_story(s, sources) for s in stories)
