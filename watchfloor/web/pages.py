"""The HTML pages: home, story, article (with the cited span highlighted), situation, search, events, scorecard."""

from __future__ import annotations

import csv
import io
import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request
from fastapi.responses import HTMLResponse, Response

from watchfloor.web import svg, views
from watchfloor.web.api import split_snippet
from watchfloor.web.app import WebContext
from watchfloor.web.params import (
    bad_parameter,
    event_filter,
    load_story,
    situation_model,
    web,
)
from watchfloor.web.queries import EventFilter, JudgmentQueries

router = APIRouter()
Ctx = Annotated[WebContext, Depends(web)]
Id = Annotated[str, Path(min_length=1, max_length=200)]
STORIES_PER_PAGE = 50
EVENTS_PER_PAGE = 100
MAX_DOWNLOAD = 100_000


# -- home ---------------------------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def home(ctx: Ctx, page: Annotated[int, Query(ge=1, le=100_000)] = 1) -> HTMLResponse:
    q = ctx.queries
    total = q.story_count()
    stories = q.stories(STORIES_PER_PAGE, (page - 1) * STORIES_PER_PAGE)
    chart = svg.day_chart(q.events_per_day(60))
    return ctx.render(
        "home.html",
        situations=q.situations(30) if page == 1 else [],
        stories=stories,
        page=page,
        pages=max(1, -(-total // STORIES_PER_PAGE)),
        total=total,
        counts=q.counts(),
        chart=chart,
        story_href=views.story_href,
        situation_href=views.situation_href,
        day=views.day,
    )


# -- story --------------------------------------------------------------------------------------------------


@router.get("/stories/{story_id}", response_class=HTMLResponse, include_in_schema=False)
def story_page(ctx: Ctx, story_id: Id) -> HTMLResponse:
    _, story = load_story(ctx, story_id)
    return HTMLResponse(_render_story(ctx, story_id, story))


def _render_story(ctx: WebContext, story_id: str, story: Any) -> str:
    q = ctx.queries
    theatre = q.story_theatre(story_id)
    alignments: list[dict[str, Any]] = []
    sides: dict[str, Any] = {}
    if theatre:
        alignments = q.table_json_rows("alignments", "theatre = ?", (theatre,))
        if alignments:
            state = q.table_json_rows("situation_state", "theatre = ?", (theatre,))
            sides = (state[0].get("sides") or {}) if state else {}
    # Judgments may rest on reports of other stories of the theatre: their outlets label those links.
    cited = [e.article_id for imp in story.implications for e in imp.evidence]
    cited += [e.article_id for imp in story.implications if imp.resolution for e in imp.resolution.resolved_by]
    cited += [e.get("article_id", "") for a in alignments for e in a.get("evidence", []) or []]
    sources = q.sources([*story.article_ids, *story.duplicates, *cited])
    view = views.build_story_view(story, sources, ctx.renderer, kb=ctx.kb, alignments=alignments, sides=sides)
    situation_id = _situation_id_of(ctx, story_id)
    if situation_id:
        view.situation_href = views.situation_href(situation_id)
    return ctx.render_text("story.html", v=view, story=story, title=story.headline)


def _situation_id_of(ctx: WebContext, story_id: str) -> str | None:
    if not ctx.queries.has_columns("stories", "situation_id"):
        return None
    row = ctx.queries.conn.execute("SELECT situation_id FROM stories WHERE id = ?", (story_id,)).fetchone()
    return row[0] if row and row[0] else None


# -- article (a source, with the cited span highlighted) -------------------------------------------------------


@router.get("/articles/{article_id}", response_class=HTMLResponse, include_in_schema=False)
def article_page(
    ctx: Ctx,
    article_id: Id,
    start: Annotated[int | None, Query(ge=0)] = None,
    end: Annotated[int | None, Query(ge=0)] = None,
) -> HTMLResponse:
    article = ctx.queries.article(article_id)
    if article is None:
        raise HTTPException(status_code=404, detail=f"no article {article_id!r}")
    if (start is None) != (end is None):
        raise bad_parameter("end" if end is None else "start", "start and end go together")
    if start is not None and end is not None and not (start <= end <= len(article.text)):
        raise bad_parameter("end", f"needs start <= end <= {len(article.text)} (the text's length)")
    events = ctx.queries.article_events(article_id)
    return ctx.render(
        "article.html",
        article=article,
        title=article.title or article.id,
        hl=views.highlight(article.text, start, end),
        link=article.url if views.is_web_url(article.url) else None,
        stories=ctx.queries.stories_citing(article_id),
        events=events,
        evidence_href=views.evidence_href,
        story_href=views.story_href,
        day=views.day,
    )


# -- situation ------------------------------------------------------------------------------------------------


@router.get("/situations/{situation_id}", response_class=HTMLResponse, include_in_schema=False)
def situation_page(ctx: Ctx, situation_id: Id, date: Annotated[str | None, Query()] = None) -> HTMLResponse:
    model = situation_model(ctx, situation_id, date)
    picture, colors = views.control_picture(ctx.renderer, model.holdings, model.changes)
    linker = model.linker
    changes = [
        (c, model.names.get(c.taker, c.taker), [x for aid, s, e, t in c.evidence if (x := linker.link(aid, s, e, t))])
        for c in model.changes
    ]
    map_data = json.dumps(
        {
            "points": [
                {"name": h.place, "lat": h.lat, "lon": h.lon, "count": 1, "color": colors.get(h.holder, "#c0392b"),
                 "full": h.full, "title": views.holding_title(h),
                 "links": [{"href": link.href, "label": f"source {i + 1}"} for i, link in enumerate(h.links[:3])]}
                for h in model.holdings
            ],
            # Every place that ever changed hands stays in view, so stepping through dates keeps the frame.
            "extent": [[c.lat, c.lon] for c in model.changes],
        },
        ensure_ascii=False,
    )
    return ctx.render(
        "situation.html",
        m=model,
        title=model.row.name,
        picture=picture,
        changes=changes,
        alignments=views.alignment_views(model.alignments, model.sides, linker, until=model.date, limit=40),
        map_data=map_data,
        story_href=views.story_href,
        situation_href=views.situation_href,
        day=views.day,
    )


# -- search ---------------------------------------------------------------------------------------------------


@router.get("/search", response_class=HTMLResponse, include_in_schema=False)
def search_page(ctx: Ctx, q: Annotated[str, Query(max_length=200)] = "") -> HTMLResponse:
    hits = []
    for hit in ctx.queries.search(q, 50) if q.strip() else []:
        text, spans = split_snippet(hit.snippet)
        pieces, pos = [], 0
        for a, b in spans:
            pieces.append((text[pos:a], False))
            pieces.append((text[a:b], True))
            pos = b
        pieces.append((text[pos:], False))
        hits.append((hit, [p for p in pieces if p[0]]))
    return ctx.render(
        "search.html", q=q, hits=hits, title=f"Search: {q}" if q else "Search",
        article_href=views.article_href, story_href=views.story_href, day=views.day,
    )


# -- events ---------------------------------------------------------------------------------------------------


@router.get("/events", response_class=HTMLResponse, include_in_schema=False)
def events_page(
    request: Request,
    ctx: Ctx,
    f: Annotated[EventFilter, Depends(event_filter)],
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> HTMLResponse:
    q = ctx.queries
    total = q.event_count(f)
    events = q.events(f, EVENTS_PER_PAGE, (page - 1) * EVENTS_PER_PAGE)
    points, data = views.map_points(events)
    params = f.params()
    return ctx.render(
        "events.html",
        title="Events",
        f=f,
        params=params,
        query=_query,
        types=q.event_types(),
        events=events,
        total=total,
        page=page,
        pages=max(1, -(-total // EVENTS_PER_PAGE)),
        picture=svg.map_picture(ctx.renderer, points) if points else None,
        map_data=json.dumps({"points": data}, ensure_ascii=False),
        evidence_href=views.evidence_href,
        day=views.day,
    )


def _query(params: dict[str, Any], **extra: Any) -> str:
    from urllib.parse import urlencode

    merged = {**params, **{k: v for k, v in extra.items() if v is not None}}
    return urlencode(merged)


CSV_COLUMNS = [
    "id", "date", "event_type", "sub_event_type", "disorder_type", "plover", "actor1", "actor1_id", "actor2", "actor2_id",
    "place", "country", "admin1", "lat", "lon", "geo_precision", "fatalities", "modality", "article_id",
    "evidence_start", "evidence_end", "evidence_text",
]


def _cell(value: Any) -> Any:
    """Text that a spreadsheet would read as a formula (=, +, -, @) is prefixed with a quote: source text is hostile."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def _event_row(e: Any) -> list[Any]:
    loc = e.location
    return [
        e.id, e.date, e.event_type, e.sub_event_type, e.disorder_type, e.plover,
        e.actor1.name if e.actor1 else None, e.actor1.id if e.actor1 else None,
        e.actor2.name if e.actor2 else None, e.actor2.id if e.actor2 else None,
        loc.name if loc else None, loc.country if loc else None, loc.admin1 if loc else None,
        loc.lat if loc else None, loc.lon if loc else None, loc.geo_precision if loc else None,
        e.fatalities, e.modality, e.article_id, e.evidence.start, e.evidence.end, e.evidence.text,
    ]


@router.get("/events.csv", tags=["events"], summary="Events matching the filters, as CSV", response_class=Response)
def events_csv(ctx: Ctx, f: Annotated[EventFilter, Depends(event_filter)]) -> Response:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for e in ctx.queries.events(f, MAX_DOWNLOAD, 0):
        writer.writerow([_cell(v) for v in _event_row(e)])
    return Response(
        buffer.getvalue(),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="watchfloor-events.csv"'},
    )


@router.get("/events.geojson", tags=["events"], summary="Located events matching the filters, as GeoJSON", response_class=Response)
def events_geojson(ctx: Ctx, f: Annotated[EventFilter, Depends(event_filter)]) -> Response:
    features = []
    for e in ctx.queries.events(f, MAX_DOWNLOAD, 0):
        loc = e.location
        if loc is None or loc.lat is None or loc.lon is None:
            continue
        props = dict(zip(CSV_COLUMNS, _event_row(e), strict=True))
        for key in ("lat", "lon"):
            props.pop(key)
        features.append({"type": "Feature", "id": e.id, "geometry": {"type": "Point", "coordinates": [loc.lon, loc.lat]}, "properties": props})
    body = json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)
    return Response(
        body,
        media_type="application/geo+json",
        headers={"content-disposition": 'attachment; filename="watchfloor-events.geojson"'},
    )


# -- scorecard ------------------------------------------------------------------------------------------------


@router.get("/scorecard", response_class=HTMLResponse, include_in_schema=False)
def scorecard_page(ctx: Ctx) -> HTMLResponse:
    judgments = JudgmentQueries(ctx.queries)

    def compute() -> tuple[views.Scorecard, dict[str, str]]:
        card = views.build_scorecard(judgments.scored())
        ids = [j.story_id for j in card.judgments + card.open_judgments]
        return card, judgments.story_headlines(ids)

    card, headlines = ctx.queries.cached("scorecard", compute)
    return ctx.render("scorecard.html", title="Scorecard", card=card, headlines=headlines, story_href=views.story_href)


# -- API reference (rendered here: Swagger UI would need a CDN and inline script) ------------------------------


@router.get("/docs", response_class=HTMLResponse, include_in_schema=False)
def api_docs(request: Request, ctx: Ctx) -> HTMLResponse:
    spec = request.app.openapi()
    operations = []
    for path, methods in spec.get("paths", {}).items():
        for method, op in methods.items():
            params = []
            for p in op.get("parameters", []):
                schema = p.get("schema", {})
                kind = schema.get("type") or "/".join(s.get("type", "") for s in schema.get("anyOf", []) if s.get("type") != "null")
                params.append(
                    {
                        "name": p.get("name", ""),
                        "in": p.get("in", ""),
                        "required": bool(p.get("required")),
                        "type": kind or "",
                        "description": p.get("description", "") or schema.get("description", ""),
                    }
                )
            operations.append(
                {"method": method.upper(), "path": path, "summary": op.get("summary", ""), "params": params,
                 "responses": sorted(op.get("responses", {}).keys())}
            )
    return ctx.render("docs.html", title="API", spec=spec, operations=operations)


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> Response:
    from fastapi.responses import RedirectResponse

    return RedirectResponse("/static/favicon.svg", status_code=301)
