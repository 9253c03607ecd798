"""Reading a theatre's reports, events and figures from the store, as of a given time."""

from __future__ import annotations

import dataclasses
import datetime as dt
import weakref
from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

from watchfloor.models import Article, Event, Figure
from watchfloor.situation.sources import SourceDoc, Sources, parse_day, source_doc
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
    ids = list(dict.fromkeys(article_ids))
    copies = sql.copies_of(store.conn, ids)
    return Sources(entry.doc for entry in _reports(store, ids + list(copies), copies, kb))


def history_start(until: str | None) -> str | None:
    """The first day a situation as of ``until`` reads (None: from the beginning)."""
    end = parse_day(until)
    return (end - dt.timedelta(days=HISTORY_DAYS)).isoformat() if end is not None else None


def load_theatre(store: Store, theatre: str | None, until: str | None, extra_ids: Sequence[str] = (), kb: Any = None,
                 reports: sql.TheatreReports | None = None) -> TheatreInputs:
    """The theatre's canonical reports up to ``until`` (and ``extra_ids``), their events and figures.

    ``reports``, read with ``sql.theatre_reports`` from a day no later than this cut-off's history start,
    spares the query when one theatre is read at several cut-offs in a row.
    """
    since = history_start(until)
    if not theatre:
        ids: list[str] = []
    elif reports is not None:
        ids = reports.article_ids(since, until)
    else:
        ids = sql.theatre_article_ids(store.conn, theatre, since, until)
    ids = list(dict.fromkeys([*ids, *extra_ids]))
    copies = sql.copies_of(store.conn, ids) if reports is None else reports.copies_of(store.conn, ids)
    entries = _reports(store, ids + list(copies), copies, kb, reports)
    sources = Sources(entry.doc for entry in entries)
    wanted = set(ids)
    mine = [entry for entry in entries if entry.doc.id in wanted]
    # The order the store returns them in: events by date (undated first) and id; figures by id within each
    # chunk of sorted article ids (see ``store.events`` and ``sql.figures_json``).
    dated = sorted((e for entry in mine for e in entry.events), key=itemgetter(0))
    events = [e[1] for e in dated]
    figures: list[Figure] = []
    by_id = {entry.doc.id: entry for entry in mine}
    asked = sorted(wanted)
    for offset in range(0, len(asked), sql.CHUNK):
        chunk = [f for aid in asked[offset : offset + sql.CHUNK] if aid in by_id for f in by_id[aid].figures]
        figures.extend(f for _, f in sorted(chunk, key=lambda f: f[0]))
    return TheatreInputs(theatre, sources, events, figures)


# -- reports read once per process ---------------------------------------------------------------------------------

# A theatre is rebuilt after every batch from the same reports; reading them (JSON, sentences, mentions) and
# what the situation builder derives from their text (kept on each SourceDoc) is done once per report and
# reused while the report's stored analysis is unchanged. Bounded: the least recently used reports go first.
CACHE_REPORTS = 10_000


@dataclass(slots=True)
class _Report:
    stamp: tuple[Any, ...] | None
    kb_id: int
    doc: SourceDoc
    # ((dated, date, id), event) as stored: the key events are sorted by (undated first), made once per report.
    events: list[tuple[tuple[bool, str, str], Event]]
    figures: list[tuple[int, Figure]]  # (id, figure) as stored


_caches: weakref.WeakKeyDictionary[Store, OrderedDict[str, _Report]] = weakref.WeakKeyDictionary()


def _reports(store: Store, article_ids: Sequence[str], copies: dict[str, str], kb: Any,
             theatre_reports: sql.TheatreReports | None = None) -> list[_Report]:
    """The stored reports among ``article_ids``, in id order, read from the cache where still current.

    ``theatre_reports`` keeps the stamps read at a theatre's earlier cut-offs in the same pass.
    """
    conn = store.conn
    cache = _caches.get(store)
    if cache is None:
        cache = _caches[store] = OrderedDict()
    if theatre_reports is None:
        stamps = sql.analysis_stamps(conn, article_ids)
    else:
        stamps = theatre_reports.analysis_stamps(conn, article_ids)
    out: dict[str, _Report] = {}
    missing: list[str] = []
    for aid, stamp in stamps.items():
        entry = cache.get(aid)
        if entry is not None and entry.stamp == stamp and (stamp is not None or entry.kb_id == id(kb)):
            canonical = copies.get(aid, aid)
            if entry.doc.canonical_id != canonical:
                # Read as a copy here and as its own report elsewhere (its canonical outside the window): the
                # same reading under another canonical id; what is kept on the report does not depend on it.
                entry = dataclasses.replace(entry, doc=dataclasses.replace(entry.doc, canonical_id=canonical))
                cache[aid] = entry
            cache.move_to_end(aid)
            out[aid] = entry
        else:
            missing.append(aid)
    if missing:
        rows = story_sql.load_reports(conn, missing)
        analyses = story_sql.load_analyses(conn, missing)
        events: dict[str, list[tuple[tuple[bool, str, str], Event]]] = defaultdict(list)
        for aid, eid, date, text in sql.event_rows(conn, missing):
            events[aid].append(((date is not None, date or "", eid), Event.from_json(text)))
        figures: dict[str, list[tuple[int, Figure]]] = defaultdict(list)
        for aid, fid, text in sql.figure_rows(conn, missing):
            figures[aid].append((fid, Figure.from_json(text)))
        for aid, row in rows.items():
            article = Article(id=aid, text=row.text, title=row.title, date=row.date, url=row.url, outlet=row.outlet)
            doc = source_doc(article, canonical_id=copies.get(aid, aid), analysis=analyses.get(aid),
                             kb=kb if aid not in analyses else None)
            entry = _Report(stamps.get(aid), id(kb), doc, events.get(aid, []), figures.get(aid, []))
            cache[aid] = out[aid] = entry
        while len(cache) > CACHE_REPORTS:
            cache.popitem(last=False)
    return [out[aid] for aid in stamps if aid in out]


class TheatreSeries:
    """One theatre's situations at several cut-offs in a row: the as-of groups of one batch.

    Each ``situation(until, extra_ids)`` is exactly ``situation_from_store(store, theatre, until, kb=kb,
    gazetteer=gazetteer, extra_ids=extra_ids)``, as long as nothing a situation is built from (stories,
    reports, analyses, events, figures) changes between the calls; the assessment of one theatre changes
    none of them. ``since``: no cut-off's history starts before it (None: any may).
    """

    def __init__(self, store: Store, theatre: str | None, *, kb: Any = None, gazetteer: Any = None,
                 since: str | None = None) -> None:
        self.store = store
        self.theatre = theatre
        self.kb = kb
        self.gazetteer = gazetteer
        self.reports = sql.theatre_reports(store.conn, theatre, since) if theatre else None

    def situation(self, until: str | None, extra_ids: Sequence[str] = ()) -> tuple[Situation, TheatreInputs]:
        return situation_from_store(self.store, self.theatre, until, kb=self.kb, gazetteer=self.gazetteer,
                                    extra_ids=extra_ids, reports=self.reports)


def situation_from_store(store: Store, theatre: str | None, until: str | None, *, kb: Any = None, gazetteer: Any = None,
                         extra_ids: Sequence[str] = (), reports: sql.TheatreReports | None = None) -> tuple[Situation, TheatreInputs]:
    inputs = load_theatre(store, theatre, until, extra_ids, kb, reports)
    situation = build_situation(theatre, inputs.events, inputs.figures, inputs.sources, kb=kb, gazetteer=gazetteer, as_of=until)
    return situation, inputs
