"""Reading a theatre's reports, events and figures from the store, as of a given time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from watchfloor.models import Event, Figure
from watchfloor.situation.sources import Sources, parse_day, source_doc
from watchfloor.situation.state import Situation, build_situation
from watchfloor.store import Store
from watchfloor.store import assess as sql
from watchfloor.store import stories as story_sql

# How far back a theatre's situation reads: long enough for baselines, short enough to stay cheap.
HISTORY_DAYS = 60


@dataclass(slots=True)
class TheatreInputs:
    theatre: str | None
    sources: Sources
    events: list[Event]
    figures: list[Figure]


def load_sources(store: Store, article_ids: Sequence[str], kb: Any = None) -> Sources:
    """Reports with their stored analyses; copies of them are loaded too, pointing at their canonical."""
    conn = store.conn
    ids = list(dict.fromkeys(article_ids))
    copies = sql.copies_of(conn, ids)
    rows = story_sql.load_reports(conn, ids + list(copies))
    analyses = story_sql.load_analyses(conn, ids + list(copies))
    docs = []
    from watchfloor.models import Article

    for aid, row in rows.items():
        article = Article(id=aid, text=row.text, title=row.title, date=row.date, url=row.url, outlet=row.outlet)
        docs.append(source_doc(article, canonical_id=copies.get(aid, aid), analysis=analyses.get(aid), kb=kb if aid not in analyses else None))
    return Sources(docs)


def load_theatre(store: Store, theatre: str | None, until: str | None, extra_ids: Sequence[str] = (), kb: Any = None) -> TheatreInputs:
    """The theatre's canonical reports up to ``until`` (and ``extra_ids``), their events and figures."""
    since = None
    end = parse_day(until)
    if end is not None:
        since = (end - dt.timedelta(days=HISTORY_DAYS)).isoformat()
    ids = sql.theatre_article_ids(store.conn, theatre, since, until) if theatre else []
    ids = list(dict.fromkeys([*ids, *extra_ids]))
    sources = load_sources(store, ids, kb)
    events = store.events(ids) if ids else []
    figures = [Figure.from_json(t) for t in sql.figures_json(store.conn, ids)]
    return TheatreInputs(theatre, sources, events, figures)


def situation_from_store(store: Store, theatre: str | None, until: str | None, *, kb: Any = None, gazetteer: Any = None,
                         extra_ids: Sequence[str] = ()) -> tuple[Situation, TheatreInputs]:
    inputs = load_theatre(store, theatre, until, extra_ids, kb)
    situation = build_situation(theatre, inputs.events, inputs.figures, inputs.sources, kb=kb, gazetteer=gazetteer, as_of=until)
    return situation, inputs
