"""The extract record: what ``watchfloor extract`` writes per input line, and what the store keeps per article."""

from __future__ import annotations

import dataclasses
from typing import Any

from watchfloor.analyze.doc import Doc
from watchfloor.models import Record

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
        data = _as_dict(event)
        data.pop("article_id", None)
        data.pop("id", None)
        if data["location"] is not None:
            data["location"].pop("geonames_id", None)
        events.append(data)
    figures = []
    for figure in doc.figures:
        data = _as_dict(figure)
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
        "dates": [_as_dict(d) for d in doc.dates],
    }


# -- the JSON form of records, as ``Record.to_dict`` gives it, without reading the dataclass fields per record --

_SCALARS = (str, int, float)  # bool is an int
# Per record class: its field names, the fields omitted when None, and whether it keeps Record's own to_dict.
_SHAPES: dict[type, tuple[tuple[str, ...], frozenset[str], bool]] = {}


def _as_dict(record: Record) -> dict[str, Any]:
    """``record.to_dict()``, faster: an extract record holds dozens of records, each read field by field."""
    cls = type(record)
    shape = _SHAPES.get(cls)
    if shape is None:
        names = tuple(f.name for f in dataclasses.fields(cls))  # type: ignore[arg-type]
        shape = _SHAPES[cls] = (names, cls.omit_none, getattr(cls, "to_dict", None) is Record.to_dict)  # type: ignore[attr-defined]
    names, omit_none, plain = shape
    if not plain:
        return record.to_dict()  # type: ignore[attr-defined, no-any-return]  # a class with a form of its own
    out: dict[str, Any] = {}
    for name in names:
        value = getattr(record, name)
        if value is None:
            if name in omit_none:
                continue
        elif not isinstance(value, _SCALARS):
            value = _encode(value)
        out[name] = value
    return out


def _encode(value: Any) -> Any:
    if isinstance(value, Record):
        return _as_dict(value)
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        return {k: _encode(v) for k, v in value.items()}
    return value
