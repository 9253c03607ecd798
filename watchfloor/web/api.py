"""The JSON API: read-only, described at /openapi.json and /docs. Unknown ids give 404, bad parameters 422."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from watchfloor import __version__
from watchfloor.report.json import story_dict
from watchfloor.web.app import WebContext
from watchfloor.web.params import event_filter, load_story, situation_json, situation_model, story_summary, web
from watchfloor.web.queries import HIT_END, HIT_START, EventFilter

router = APIRouter()
Ctx = Annotated[WebContext, Depends(web)]
Id = Annotated[str, Path(min_length=1, max_length=200)]


@router.get("/healthz", tags=["service"], summary="Liveness and what the store holds")
def healthz(ctx: Ctx) -> dict[str, Any]:
    return {"status": "ok", "version": __version__, "counts": ctx.queries.counts()}


@router.get("/api/stories", tags=["stories"], summary="Stories, most recently updated first")
def list_stories(
    ctx: Ctx,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    rows = ctx.queries.stories(limit, offset)
    return {"total": ctx.queries.story_count(), "stories": [story_summary(r) for r in rows]}


NOT_FOUND: dict[int | str, dict[str, Any]] = {404: {"description": "No such id"}}


@router.get("/api/stories/{story_id}", tags=["stories"], summary="One story, as `watchfloor brief --format json` writes it",
            responses=NOT_FOUND)
def get_story(ctx: Ctx, story_id: Id) -> dict[str, Any]:
    _, story = load_story(ctx, story_id)
    return story_dict(story)


@router.get("/api/events", tags=["events"], summary="Events matching the filters, newest first")
def list_events(
    ctx: Ctx,
    f: Annotated[EventFilter, Depends(event_filter)],
    limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    events = ctx.queries.events(f, limit, offset)
    return {"total": ctx.queries.event_count(f), "filter": f.params(), "events": [e.to_dict() for e in events]}


@router.get("/api/situations", tags=["situations"], summary="Situations, most recent first")
def list_situations(ctx: Ctx, limit: Annotated[int, Query(ge=1, le=1000)] = 100) -> dict[str, Any]:
    return {
        "situations": [
            {"id": s.id, "name": s.name, "theatre": s.theatre, "first_seen": s.first_seen, "last_seen": s.last_seen,
             "stories": s.n_stories}
            for s in ctx.queries.situations(limit)
        ]
    }


@router.get("/api/situations/{situation_id}", tags=["situations"], responses=NOT_FOUND,
            summary="A situation: its stories, and who held which place on a date")
def get_situation(
    ctx: Ctx,
    situation_id: Id,
    date: Annotated[str | None, Query(description="YYYY-MM-DD; default the situation's last day")] = None,
) -> dict[str, Any]:
    return situation_json(situation_model(ctx, situation_id, date))


@router.get("/api/search", tags=["search"], summary="Full-text search over reports")
def search(
    ctx: Ctx,
    q: Annotated[str, Query(min_length=1, max_length=200, description="words to find (all of them)")],
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> dict[str, Any]:
    if not q.strip():
        from watchfloor.web.params import bad_parameter

        raise bad_parameter("q", "needs at least one word")
    hits = []
    for hit in ctx.queries.search(q, limit):
        text, spans = split_snippet(hit.snippet)
        hits.append(
            {
                "article_id": hit.article_id,
                "title": hit.title,
                "outlet": hit.outlet,
                "date": hit.date,
                "snippet": text,
                "matches": spans,
                "story_id": hit.story_id,
                "story_headline": hit.story_headline,
            }
        )
    return {"query": q, "hits": hits}


def split_snippet(marked: str) -> tuple[str, list[list[int]]]:
    """Snippet text without markers, and the [start, end) of each match in it."""
    out: list[str] = []
    spans: list[list[int]] = []
    pos = 0
    start = None
    for ch in marked:
        if ch == HIT_START:
            start = pos
        elif ch == HIT_END and start is not None:
            spans.append([start, pos])
            start = None
        else:
            out.append(ch)
            pos += 1
    return "".join(out), spans
