"""What the pages and the API share: request parameters, their checks, and the situation model."""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import HTTPException, Query, Request

from watchfloor.models import Story
from watchfloor.web import views
from watchfloor.web.app import WebContext
from watchfloor.web.queries import EventFilter, SituationRow, StoryRow, story_from_json

DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"


def web(request: Request) -> WebContext:
    return request.app.state.web  # type: ignore[no-any-return]


def bad_parameter(name: str, message: str) -> HTTPException:
    """A 422 shaped like FastAPI's own validation errors."""
    return HTTPException(status_code=422, detail=[{"loc": ["query", name], "msg": message, "type": "value_error"}])


def check_day(name: str, value: str | None) -> str | None:
    if not value:
        return None
    if not re.fullmatch(DATE_PATTERN, value):
        raise bad_parameter(name, "must be a date YYYY-MM-DD")
    try:
        dt.date.fromisoformat(value)
    except ValueError as exc:
        raise bad_parameter(name, "not a real date") from exc
    return value


def parse_bbox(value: str | None) -> tuple[float, float, float, float] | None:
    if not value:
        return None
    parts = value.split(",")
    try:
        numbers = [float(p) for p in parts]
    except ValueError as exc:
        raise bad_parameter("bbox", "must be four numbers: min_lon,min_lat,max_lon,max_lat") from exc
    if len(numbers) != 4 or any(n != n for n in numbers):
        raise bad_parameter("bbox", "must be four numbers: min_lon,min_lat,max_lon,max_lat")
    lon0, lat0, lon1, lat1 = numbers
    if not (-180 <= lon0 <= lon1 <= 180 and -90 <= lat0 <= lat1 <= 90):
        raise bad_parameter("bbox", "needs -180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90")
    return (lon0, lat0, lon1, lat1)


def event_filter(
    type: Annotated[str | None, Query(max_length=100, description="event_type or sub_event_type, exact (any case)")] = None,
    actor: Annotated[str | None, Query(max_length=100, description="actor id, or part of an actor's name")] = None,
    place: Annotated[str | None, Query(max_length=100, description="part of a place name, or an ISO 3166 alpha-3 code")] = None,
    since: Annotated[str | None, Query(description="first event date, YYYY-MM-DD")] = None,
    until: Annotated[str | None, Query(description="last event date, YYYY-MM-DD")] = None,
    bbox: Annotated[str | None, Query(description="min_lon,min_lat,max_lon,max_lat")] = None,
) -> EventFilter:
    since, until = check_day("since", since), check_day("until", until)
    if since and until and since > until:
        raise bad_parameter("until", "is before since")
    return EventFilter(
        type=type.strip() or None if type else None,
        actor=actor.strip() or None if actor else None,
        place=place.strip() or None if place else None,
        since=since,
        until=until,
        bbox=parse_bbox(bbox),
    )


# -- stories ---------------------------------------------------------------------------------------------------


def load_story(ctx: WebContext, story_id: str) -> tuple[str, Story]:
    text = ctx.queries.story_json(story_id)
    if text is None:
        raise HTTPException(status_code=404, detail=f"no story {story_id!r}")
    return text, story_from_json(text)


def story_summary(row: StoryRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "headline": row.headline,
        "updated": row.updated,
        "first_seen": row.first_seen,
        "reports": row.n_reports,
        "situation": row.situation,
        "situation_id": row.situation_id,
    }


# -- situations ------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class SituationModel:
    row: SituationRow
    date: str
    dates: list[str]  # the days on which control changed
    changes: list[views.Change]
    holdings: list[views.Holding]
    names: dict[str, str]
    source: str  # "assessment" (situation_state) or "events" (territory events only)
    stories: list[StoryRow] = field(default_factory=list)
    alignments: list[dict[str, Any]] = field(default_factory=list)
    sides: dict[str, Any] = field(default_factory=dict)
    linker: views.Linker = field(default_factory=lambda: views.Linker({}, {}))


def situation_model(ctx: WebContext, situation_id: str, date: str | None) -> SituationModel:
    q = ctx.queries
    row = q.situation(situation_id)
    if row is None:
        raise HTTPException(status_code=404, detail=f"no situation {situation_id!r}")
    date = check_day("date", date)
    state: dict[str, Any] = {}
    if row.theatre:
        rows = q.table_json_rows("situation_state", "theatre = ?", (row.theatre,))
        state = rows[0] if rows else {}
    sides = state.get("sides") or {}
    changes = views.changes_from_state(state)
    source = "assessment"
    if not changes:
        changes = views.changes_from_events(q.situation_events(situation_id, views.TERRITORY_SUBTYPES))
        source = "events"
    names = {k: views.side_name(sides, k) for k in {c.taker for c in changes} | {c.loser for c in changes if c.loser}}
    dates = views.change_dates(changes)
    if date is None:
        # The situation's last day: the theatre's history may run on past it, into later situations.
        date = row.last_seen or (dates[-1] if dates else dt.date.today().isoformat())
    alignments = q.table_json_rows("alignments", "theatre = ?", (row.theatre,)) if row.theatre else []
    cited = [aid for c in changes for aid, _, _, _ in c.evidence]
    cited += [e.get("article_id", "") for a in alignments for e in a.get("evidence", []) or []]
    linker = views.Linker({}, q.sources(cited))
    holdings = views.control_on(changes, date, names, linker)
    return SituationModel(row, date, dates, changes, holdings, names, source, q.stories_of_situation(situation_id),
                          alignments, sides, linker)


def situation_json(model: SituationModel) -> dict[str, Any]:
    row = model.row
    return {
        "id": row.id,
        "name": row.name,
        "theatre": row.theatre,
        "first_seen": row.first_seen,
        "last_seen": row.last_seen,
        "stories": [story_summary(s) for s in model.stories],
        "control": {
            "date": model.date,
            "source": model.source,
            "places": [
                {
                    "place": h.place,
                    "lat": h.lat,
                    "lon": h.lon,
                    "holder": h.holder,
                    "holder_name": h.holder_name,
                    "since": h.since,
                    "held": h.full,
                    "contested_by": h.contested_by,
                    "evidence": [link.href for link in h.links],
                }
                for h in model.holdings
            ],
        },
        "changes": [
            {
                "date": c.date,
                "place": c.place,
                "lat": c.lat,
                "lon": c.lon,
                "taker": c.taker,
                "taker_name": model.names.get(c.taker, c.taker),
                "loser": c.loser,
                "kind": c.kind,
                "full": c.full,
                "evidence": [
                    {"article_id": aid, "start": s, "end": e, "text": text, "href": views.evidence_href(aid, s, e)}
                    for aid, s, e, text in c.evidence
                ],
            }
            for c in model.changes
        ],
        "alignments": model.alignments,
        "sides": model.sides,
    }


def dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))
