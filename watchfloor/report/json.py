"""The JSON form of stories: ``{"stories": [...]}`` with exactly the keys of the brief format."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from watchfloor.models import Record, Story


def _plain(value: Any) -> Any:
    if isinstance(value, Record):
        return value.to_dict()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def story_dict(story: Story) -> dict[str, Any]:
    """One story in the brief format, keys in their documented order."""
    return {
        "id": story.id,
        "headline": story.headline,
        "lede": story.lede,
        "situation": story.situation,
        "article_ids": list(story.article_ids),
        "duplicates": dict(story.duplicates),
        "first_seen": story.first_seen,
        "updated": story.updated,
        "implications": _plain(story.implications),
        "sections": [
            {
                "heading": s.heading,
                "paragraphs": [
                    {
                        "text": p.text,
                        "citations": [
                            {"article_id": c.article_id, "start": c.start, "end": c.end} for c in p.citations
                        ],
                    }
                    for p in s.paragraphs
                ],
            }
            for s in story.sections
        ],
        "events": _plain(story.events),
        "figures": _plain(story.figures),
        "quotes": _plain(story.quotes),
        "timeline": [{"date": t.date, "text": t.text, "event_ids": list(t.event_ids)} for t in story.timeline],
        "actors": [{"id": a.id, "name": a.name, "type": a.type, "country": a.country} for a in story.actors],
        "places": [
            {"name": p.name, "lat": p.lat, "lon": p.lon, "country": p.country, "admin1": p.admin1} for p in story.places
        ],
    }


def render_json(stories: Iterable[Story], *, indent: int | None = 2) -> str:
    return json.dumps({"stories": [story_dict(s) for s in stories]}, ensure_ascii=False, indent=indent) + "\n"
