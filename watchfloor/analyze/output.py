"""The extract record: what ``watchfloor extract`` writes per input line, and what the store keeps per article."""

from __future__ import annotations

from typing import Any

from watchfloor.analyze.doc import Doc

# Bumped when analysis changes in a way that makes stored analyses stale.
ANALYSIS_VERSION = "1"


def extract_record(doc: Doc, actor_lookup: Any, source_id: str | None = None) -> dict[str, Any]:
    """The JSON object of the extraction contract, in its key order. Offsets index the article text."""
    actors = []
    for match in doc.actors:
        actor = actor_lookup.get(match.actor_id) if match.actor_id else None
        actors.append(
            {
                "id": match.actor_id,
                "name": actor.name if actor else match.text,
                "type": actor.type if actor else None,
                "country": actor.country if actor else None,
                "start": match.start,
                "end": match.end,
                "text": match.text,
            }
        )
    places = []
    for match in doc.places:
        place = match.place
        places.append(
            {
                "name": place.name if place else match.text,
                "lat": place.lat if place else None,
                "lon": place.lon if place else None,
                "country": place.country if place else None,
                "admin1": place.admin1 if place else None,
                "admin2": place.admin2 if place else None,
                "geo_precision": place.geo_precision if place else None,
                "start": match.start,
                "end": match.end,
                "text": match.text,
            }
        )
    events = []
    for event in doc.events:
        data = event.to_dict()
        data.pop("article_id", None)
        data.pop("id", None)
        if data["location"] is not None:
            data["location"].pop("geonames_id", None)
        events.append(data)
    figures = []
    for figure in doc.figures:
        data = figure.to_dict()
        data.pop("article_id", None)
        data.pop("date", None)
        figures.append(data)
    quotes = [
        {"speaker": q.speaker, "speaker_id": q.speaker_id, "text": q.text, "start": q.start, "end": q.end}
        for q in doc.quotes
    ]
    return {
        "id": source_id if source_id is not None else doc.article_id,
        "language": doc.language,
        "events": events,
        "actors": actors,
        "places": places,
        "figures": figures,
        "quotes": quotes,
        "dates": [d.to_dict() for d in doc.dates],
    }

