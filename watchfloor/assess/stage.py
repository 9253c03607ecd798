"""The assessment stage of the pipeline: situations, implications, scoring and briefs, kept current on ingest.

``assess_stories(store, new_article_ids, touched_story_ids)`` runs after the stories stage. For every theatre
the batch touched it builds the situation as of the theatre's newest report, settles the open judgments the
new reports can decide, assesses every touched story, and writes, in one transaction per batch with a
savepoint per theatre: control, alignments and situation state; the new versions of judgments; the story's
stored JSON with its implications; and a brief with what changed since the previous one. A theatre that
fails leaves nothing behind; a crash leaves the whole batch's judgments unwritten, and the rerun of the
queued batch writes them.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import traceback
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from watchfloor.assess.changes import brief_seen, what_changed
from watchfloor.assess.engine import Assessment, Judgment, assess
from watchfloor.assess.scoring import Outcome, Scored, World, evaluate, scorecard
from watchfloor.models import Brief, EvidenceRef, Implication, Resolution, Story
from watchfloor.situation.load import TheatreSeries, history_start, situation_from_store
from watchfloor.situation.state import Situation
from watchfloor.store import Store
from watchfloor.store import assess as sql

log = logging.getLogger(__name__)

_kb: Any = None


def default_kb() -> Any:
    """The actor knowledge base, loaded once per process."""
    global _kb
    if _kb is None:
        from watchfloor.kb.actors import ActorKB

        _kb = ActorKB.load()
    return _kb


_gazetteers: dict[str, Any] = {}


def _gazetteer() -> Any:
    """The place index when it is already built (used only to place a capital the reports never name).

    Opened once per process and index file: opening it checks the index against the curated places.
    """
    from watchfloor.config import gazetteer_path

    path = gazetteer_path()
    if not path.exists():
        return None
    key = str(path)
    if key not in _gazetteers:
        try:
            from watchfloor.kb.gazetteer import Gazetteer

            _gazetteers[key] = Gazetteer.open(path)
        except Exception:  # noqa: BLE001 - the capital is a refinement; do without it
            return None
    return _gazetteers[key]


@dataclass(slots=True)
class AssessStats:
    stories: int = 0
    implications: int = 0
    rejected: int = 0
    settled: int = 0
    errors: list[str] = field(default_factory=list)


def _story_dates(store: Store, story: Story) -> str | None:
    ids = list(story.article_ids) + list(story.duplicates)
    if not ids:
        return None
    marks = ",".join("?" * len(ids))
    row = store.conn.execute(f"SELECT max(date) FROM articles WHERE id IN ({marks})", ids).fetchone()
    return row[0] if row else None


MAX_GROUPS = 8  # situation builds per theatre and batch: stories are grouped by the day of their newest report


def _stories_dates(store: Store, stories: Sequence[Story]) -> dict[str, str | None]:
    """``_story_dates`` of every story, read in one query where the stored dates are all text."""
    ids = sorted({a for s in stories for a in list(s.article_ids) + list(s.duplicates)})
    dates: dict[str, Any] = {}
    for offset in range(0, len(ids), sql.CHUNK):
        chunk = ids[offset : offset + sql.CHUNK]
        marks = ",".join("?" * len(chunk))
        dates.update(store.conn.execute(f"SELECT id, date FROM articles WHERE id IN ({marks}) AND date IS NOT NULL", chunk))
    if not all(isinstance(d, str) for d in dates.values()):
        # SQL's max orders other types apart from text; let it decide.
        return {s.id: _story_dates(store, s) for s in stories}
    out: dict[str, str | None] = {}
    for s in stories:
        # Text compares in SQL (binary UTF-8) as in Python (code points).
        out[s.id] = max((d for a in list(s.article_ids) + list(s.duplicates) if (d := dates.get(a)) is not None), default=None)
    return out


def _as_of_groups(store: Store, stories: Sequence[Story]) -> list[tuple[str | None, list[Story]]]:
    """Stories grouped so that each is judged as of (about) its own newest report.

    Each story is assessed with what was known when its newest report came in, so a story from months ago
    is not judged with a deadline counted from today. When a batch spans many days, days are bucketed into at
    most ``MAX_GROUPS`` groups, each judged as of its newest report.
    """
    story_dates = _stories_dates(store, stories)
    dated = sorted(((story_dates[s.id] or "", s) for s in stories), key=lambda x: (x[0], x[1].id))
    if not dated:
        return []
    days = sorted({d[:10] for d, _ in dated})
    bucket_of = {day: (i * MAX_GROUPS) // len(days) for i, day in enumerate(days)}
    buckets: dict[int, list[tuple[str, Story]]] = defaultdict(list)
    for date, story in dated:
        buckets[bucket_of[date[:10]]].append((date, story))
    return [(max(d for d, _ in items) or None, [s for _, s in items]) for _, items in sorted(buckets.items())]


def assess_stories(
    store: Store,
    new_article_ids: list[str],
    touched_story_ids: list[str],
    *,
    kb: Any = None,
    stats: AssessStats | None = None,
) -> list[str]:
    """Assess the touched stories and settle what the new reports decide; returns the touched story ids."""
    stats = stats if stats is not None else AssessStats()
    kb = kb if kb is not None else default_kb()
    theatres = sql.theatre_of_stories(store.conn, touched_story_ids)
    by_theatre: dict[str | None, list[str]] = defaultdict(list)
    for sid in touched_story_ids:
        by_theatre[theatres.get(sid)].append(sid)
    # Open judgments of other theatres whose deadline may have passed are settled too.
    now = sql.latest_report_date(store.conn) or ""
    for theatre in sql.open_theatres_due(store.conn, now[:10]):
        by_theatre.setdefault(theatre, [])
    # One transaction for the batch (one commit instead of one per theatre), a savepoint per theatre: a theatre
    # that fails leaves nothing behind and the others are written. Nothing a situation is built from is written
    # here, and what one theatre writes is read back on the same connection.
    places = _Once(_gazetteer)  # looked up for the first theatre that needs it, then kept for the batch
    with store.transaction() as conn:
        for theatre in sorted(by_theatre, key=lambda t: t or ""):
            conn.execute("SAVEPOINT assess_theatre")
            try:
                _assess_theatre(store, theatre, by_theatre[theatre], now, kb, stats, places)
            except Exception:  # noqa: BLE001 - judgments are a layer on top: a failure must not stop ingestion
                conn.execute("ROLLBACK TO assess_theatre")
                message = f"assessing theatre {theatre} failed: {traceback.format_exc(limit=4)}"
                log.warning(message)
                stats.errors.append(message)
            conn.execute("RELEASE assess_theatre")
    return touched_story_ids


class _Once:
    """``compute()``, called on first use and kept."""

    def __init__(self, compute: Any) -> None:
        self._compute = compute
        self._done = False
        self._value: Any = None

    def __call__(self) -> Any:
        if not self._done:
            self._value, self._done = self._compute(), True
        return self._value


def _assess_theatre(store: Store, theatre: str | None, story_ids: list[str], now: str, kb: Any, stats: AssessStats,
                    places: Any = _gazetteer) -> None:
    """Settle and assess one theatre inside the caller's transaction (``places``: returns the gazetteer)."""
    from watchfloor.stories.stage import story_from_dict

    # As ``load_story`` reads them; the stored form is kept for writing the story back with its implications.
    stored = _stored_stories(store, story_ids)
    stories = [story_from_dict(stored[sid]) for sid in story_ids if sid in stored]
    groups = _as_of_groups(store, stories)
    if not groups:
        # No story to assess here: only settle the theatre's open judgments as of now.
        situation, inputs = situation_from_store(store, theatre, now or None, kb=kb)
        _, updates = _settlements(store, theatre, World(situation, inputs.events, inputs.sources, now, kb))
        _save_settlements(store.conn, updates, stats)
        return
    # The gazetteer only places a capital the reports never name, so passing it from the start builds the same
    # situation as building without it and again with it when the capital is missing.
    gazetteer = places() if theatre else None
    # The groups' situations are built in one series: the theatre's reports are read once for every cut-off, as
    # nothing written here changes what a situation is built from.
    starts = [history_start(as_of) for as_of, _ in groups]
    series = TheatreSeries(store, theatre, kb=kb, gazetteer=gazetteer, since=None if None in starts else min(starts))  # type: ignore[type-var]
    for n, (as_of, members) in enumerate(groups, start=1):
        extra = [a for s in members for a in list(s.article_ids) + list(s.duplicates)]
        situation, inputs = series.situation(as_of, extra)
        world = World(situation, inputs.events, inputs.sources, as_of or now, kb)
        settled, updates = _settlements(store, theatre, world)
        _save_settlements(store.conn, updates, stats)
        results = []
        for story in members:
            result = assess(story, situation, inputs.sources, kb=kb, made_at=as_of)
            stats.errors.extend(result.errors)
            stats.rejected += len(result.rejected)
            results.append((story, result))
        _write(store.conn, theatre, situation, inputs.sources, results, settled, last=n == len(groups), stored=stored)
        stats.stories += len(results)
        stats.implications += sum(len(r.judgments) for _, r in results)


_Update = tuple[int, str, str | None, str]  # (rowid, status, resolved at, stored judgment)


def _settle(store: Store, theatre: str | None, world: World, stats: AssessStats) -> dict[str, list[tuple[Implication, str]]]:
    """Settle the theatre's open judgments in a transaction of their own; returns, per story, what was settled."""
    out, updates = _settlements(store, theatre, world)
    if updates:
        with store.transaction() as conn:
            _save_settlements(conn, updates, stats)
    return out


def _settlements(store: Store, theatre: str | None, world: World) -> tuple[dict[str, list[tuple[Implication, str]]], list[_Update]]:
    """What the world settles among the theatre's open judgments: per story, and as rows to write."""
    out: dict[str, list[tuple[Implication, str]]] = defaultdict(list)
    rows = sql.open_checks(store.conn, theatre) if theatre else []
    updates: list[_Update] = []
    for row in rows:
        outcome = evaluate(row.check, world)
        if outcome.status == "open":
            continue
        imp = Implication.from_dict(json.loads(row.data_json))
        imp.resolution = _resolved(imp.resolution, outcome)
        updates.append((row.rowid, outcome.status, outcome.at, imp.to_json()))
        out[row.story_id].append((imp, outcome.status))
    return out, updates


def _save_settlements(conn: Any, updates: list[_Update], stats: AssessStats) -> None:
    for rowid, status, at, data in updates:
        sql.settle(conn, rowid, status, at, data)
    stats.settled += len(updates)


def _resolved(resolution: Resolution | None, outcome: Outcome) -> Resolution:
    res = resolution or Resolution(criterion="")
    res.status = outcome.status
    res.resolved_at = outcome.at
    res.resolved_by = [EvidenceRef(r.article_id, r.start, r.end, r.text) for r in outcome.refs]
    return res


def _write(
    conn: Any,
    theatre: str | None,
    situation: Situation,
    sources: Any,
    results: Sequence[tuple[Story, Assessment]],
    settled: dict[str, list[tuple[Implication, str]]],
    *,
    last: bool = True,
    stored: dict[str, dict[str, Any]] | None = None,
) -> None:
    """Writes inside the theatre's transaction (``conn`` is in it)."""
    # Control, alignments and the situation are replaced whole per theatre: only the newest group's last.
    # An earlier group's would be overwritten in the same batch (a crash before the last group leaves the
    # batch queued, and the rerun writes them).
    if theatre and last:
        sql.replace_control(
            conn,
            theatre,
            ((pc.place, pc.lat, pc.lon, pc.controller, pc.since, pc.contested_by, pc.to_json()) for pc in situation.control.values()),
        )
        sql.replace_alignments(
            conn, theatre, ((a.source, a.kind, a.target, a.date, a.origin, a.to_json()) for a in situation.alignments)
        )
        sql.save_situation_json(conn, theatre, situation.as_of, json.dumps(situation.to_dict(), ensure_ascii=False))
    for story, result in results:
        current = {row.id: row for row in sql.current_judgments(conn, story.id)}
        p_before = {i: r.p for i, r in current.items()}
        keep: set[int] = set()
        for j in result.judgments:
            old = current.get(j.implication.id)
            if old is not None and abs(old.p - j.p) < 0.005 and old.data.get("statement") == j.implication.statement:
                keep.add(old.rowid)
                if old.status != "open" and j.implication.resolution is not None:
                    # The stored version is settled; the brief shows it as settled.
                    j.implication.resolution = Implication.from_dict(old.data).resolution
                continue
            _insert(conn, story.id, theatre, result.made_at or situation.as_of, j)
        sql.retire(conn, [r.rowid for r in current.values() if r.rowid not in keep])
        implications = result.implications
        previous_json = sql.last_brief(conn, story.id)
        previous = brief_seen(previous_json) if previous_json else None
        changes = what_changed(
            previous, story, implications, situation=situation, sources=sources,
            p_now={j.implication.id: j.p for j in result.judgments}, p_before=p_before,
            settled=settled.get(story.id, []),
        )
        story.implications = list(implications)
        data = _story_json(conn, story, (stored or {}).get(story.id))
        sql.update_story_json(conn, story.id, data)
        if previous is None or changes:
            created = result.made_at or situation.as_of or dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            brief = Brief(story_id=story.id, created=created, story=story, changes=changes)
            sql.save_brief(conn, story.id, created, brief.to_json())


def _stored_stories(store: Store, story_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Story id -> its stored JSON, parsed (stories not stored are left out)."""
    out: dict[str, dict[str, Any]] = {}
    for sid in dict.fromkeys(story_ids):
        row = store.conn.execute("SELECT json FROM stories WHERE id = ?", (sid,)).fetchone()
        if row and row[0]:
            out[sid] = json.loads(row[0])
    return out


def _story_json(conn: Any, story: Story, stored: dict[str, Any] | None = None) -> str:
    """The stored story with its implications filled; other fields stay as the story writer stored them.

    ``stored``: the stored story as read at the start of the theatre (the story writer does not run meanwhile,
    and of what the theatre writes to a story only the implications, replaced here, differ).
    """
    if stored is not None:
        data = dict(stored)
    else:
        row = conn.execute("SELECT json FROM stories WHERE id = ?", (story.id,)).fetchone()
        data = json.loads(row[0]) if row else story.to_dict()
    data["implications"] = [i.to_dict() for i in story.implications]
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _insert(conn: Any, story_id: str, theatre: str | None, made_at: str, j: Judgment) -> None:
    sql.insert_judgment(
        conn,
        id=j.implication.id,
        story_id=story_id,
        subject=j.subject,
        pattern=j.pattern,
        kind=j.implication.kind,
        theatre=theatre,
        made_at=made_at,
        p=j.p,
        status="open" if j.check else "none",
        deadline=j.deadline if j.check else None,
        check=j.check,
        data=j.implication.to_json(),
    )


# -- reading ------------------------------------------------------------------------------------------------------


def brief_from_json(text: str) -> Brief:
    """A stored brief; its story is read the way the story writer stores stories (reconciled figures)."""
    from watchfloor.stories.stage import story_from_dict

    data = json.loads(text)
    return Brief(story_id=data["story_id"], created=data["created"], story=story_from_dict(data["story"]),
                 changes=list(data.get("changes", [])))


def settle_all(store: Store, *, kb: Any = None, now: str | None = None) -> int:
    """Settle every open judgment against what the store holds (``watchfloor scorecard`` runs this first)."""
    kb = kb if kb is not None else default_kb()
    stats = AssessStats()
    theatres = sorted({r.theatre for r in sql.open_judgments(store.conn) if r.theatre})
    latest = now or sql.latest_report_date(store.conn) or ""
    for theatre in theatres:
        situation, inputs = situation_from_store(store, theatre, latest, kb=kb)
        _settle(store, theatre, World(situation, inputs.events, inputs.sources, latest, kb), stats)
    return stats.settled


def store_scorecard(store: Store) -> dict[str, Any]:
    rows = [Scored(r.pattern, r.subject, r.theatre, r.made_at, r.p, r.status) for r in sql.scored_judgments(store.conn)]
    lines, overall = scorecard(rows)
    return {"patterns": [line.to_dict() for line in lines], "overall": overall.to_dict()}
