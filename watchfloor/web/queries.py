"""Read-only SQL over the store for the dashboard and the API.

Each worker thread opens its own read-only connection (``Store(read_only=True)``, SQLite ``mode=ro``), so
the server can never write and an ingest can go on beside it (WAL). Every query here is one indexed lookup or
one bounded scan; the few whole-store summaries (events per day, the scorecard) are cached for a few seconds.

Some tables arrive with later migrations (situations, implications, control, alignments); queries that need
one check that it exists and return nothing otherwise, so the dashboard works on any schema version.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from watchfloor.models import Article, Event, Figure, Story
from watchfloor.store import Store
from watchfloor.store.db import article_from_row

T = TypeVar("T")

# Snippet markers: control characters never survive ingest, so they cannot come from an article.
HIT_START = "\x02"
HIT_END = "\x03"
CHUNK = 500


@dataclass(slots=True)
class StoryRow:
    id: str
    headline: str
    situation: str | None
    situation_id: str | None
    first_seen: str | None
    updated: str | None
    n_reports: int


@dataclass(slots=True)
class SituationRow:
    id: str
    name: str
    theatre: str | None
    first_seen: str
    last_seen: str
    n_stories: int
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class SourceRow:
    id: str
    title: str | None
    outlet: str | None
    date: str | None
    url: str | None


@dataclass(slots=True)
class SearchHit:
    article_id: str
    title: str | None
    outlet: str | None
    date: str | None
    snippet: str  # with HIT_START / HIT_END around the matches
    story_id: str | None
    story_headline: str | None


@dataclass(slots=True)
class EventFilter:
    type: str | None = None
    actor: str | None = None
    place: str | None = None
    since: str | None = None
    until: str | None = None
    bbox: tuple[float, float, float, float] | None = None  # min lon, min lat, max lon, max lat

    def params(self) -> dict[str, str]:
        """The filter as query parameters, for links that keep it (downloads, next page)."""
        out = {}
        for name in ("type", "actor", "place", "since", "until"):
            value = getattr(self, name)
            if value:
                out[name] = value
        if self.bbox:
            out["bbox"] = ",".join(f"{v:g}" for v in self.bbox)
        return out


def ts_day(ts: float | None) -> str:
    if ts is None:
        return ""
    return dt.datetime.fromtimestamp(ts, dt.UTC).strftime("%Y-%m-%d")


def story_from_json(text: str) -> Story:
    """A stored story. Written stories carry reconciled figures; plain figures are accepted too."""
    data = json.loads(text)
    figures = data.pop("figures", []) or []
    story = Story.from_dict(data)
    story.figures = [_figure(f) for f in figures]  # type: ignore[misc]
    return story


def _figure(data: dict[str, Any]) -> Any:
    if "summary" in data:
        from watchfloor.stories.figures import ReconciledFigure

        return ReconciledFigure.from_dict(data)
    return Figure.from_dict(data)


class Queries:
    """The dashboard's window on one database, read-only, one connection per thread."""

    def __init__(self, db_path: Path | str, summary_ttl: float = 10.0) -> None:
        self.db_path = Path(db_path)
        self._local = threading.local()
        self._summary_ttl = summary_ttl
        self._summaries: dict[str, tuple[float, Any]] = {}
        self._lock = threading.Lock()
        self._tables: tuple[float, frozenset[str]] = (0.0, frozenset())
        self._generation = 0
        # Open once now so a missing or unmigrated database fails at start-up, not on the first request.
        self.conn  # noqa: B018

    # -- plumbing --------------------------------------------------------------------------------------------

    @property
    def conn(self) -> sqlite3.Connection:
        store = getattr(self._local, "store", None)
        if store is None:
            store = Store(self.db_path, read_only=True)
            self._local.store = store
        return store.conn  # type: ignore[no-any-return]

    def generation(self) -> int:
        """A number that changes whenever another connection (an ingest) has committed since we last looked.

        ``PRAGMA data_version`` is per connection and costs no I/O, so pages can be cached by
        (what, generation) and checked on every request without reading the stored record again.
        """
        version = int(self.conn.execute("PRAGMA data_version").fetchone()[0])
        # A connection seen for the first time cannot tell what changed before it opened: count that as a
        # change too. Servers look from one long-lived thread (the event loop), so this happens once.
        if getattr(self._local, "data_version", None) != version:
            with self._lock:
                self._generation += 1
            self._local.data_version = version
        return self._generation

    def tables(self) -> frozenset[str]:
        """Names of the tables present; re-read every few seconds since migrations may land while we run."""
        checked, names = self._tables
        if time.monotonic() - checked > 5.0:
            rows = self.conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")
            names = frozenset(r[0] for r in rows)
            self._tables = (time.monotonic(), names)
        return names

    def has_columns(self, table: str, *columns: str) -> bool:
        if table not in self.tables():
            return False
        present = {r[1] for r in self.conn.execute(f"PRAGMA table_info({table})")}
        return all(c in present for c in columns)

    def cached(self, key: str, compute: Callable[[], T]) -> T:
        """A whole-store summary, recomputed at most every ``summary_ttl`` seconds."""
        now = time.monotonic()
        with self._lock:
            hit = self._summaries.get(key)
        if hit is not None and now - hit[0] < self._summary_ttl:
            return hit[1]  # type: ignore[no-any-return]
        value = compute()
        with self._lock:
            self._summaries[key] = (now, value)
        return value

    # -- stories ---------------------------------------------------------------------------------------------

    def _story_row(self, r: sqlite3.Row) -> StoryRow:
        return StoryRow(r["id"], r["headline"], r["situation"], r["situation_id"], r["first_seen"], r["updated"], r["n_reports"])

    def _story_columns(self) -> str:
        sid = "situation_id" if self.has_columns("stories", "situation_id") else "NULL AS situation_id"
        return f"id, headline, situation, {sid}, first_seen, updated, n_reports"

    def stories(self, limit: int = 50, offset: int = 0) -> list[StoryRow]:
        rows = self.conn.execute(
            f"SELECT {self._story_columns()} FROM stories ORDER BY updated DESC, id LIMIT ? OFFSET ?", (limit, offset)
        )
        return [self._story_row(r) for r in rows]

    def story_count(self) -> int:
        return int(self.conn.execute("SELECT count(*) FROM stories").fetchone()[0])

    def story_json(self, story_id: str) -> str | None:
        row = self.conn.execute("SELECT json FROM stories WHERE id = ?", (story_id,)).fetchone()
        return row[0] if row else None

    def stories_of_situation(self, situation_id: str) -> list[StoryRow]:
        if not self.has_columns("stories", "situation_id"):
            return []
        rows = self.conn.execute(
            f"SELECT {self._story_columns()} FROM stories WHERE situation_id = ? ORDER BY updated DESC, id", (situation_id,)
        )
        return [self._story_row(r) for r in rows]

    def stories_citing(self, article_id: str) -> list[StoryRow]:
        """Stories an article belongs to, directly or as a syndicated copy."""
        if "story_articles" not in self.tables():
            return []
        canonical = article_id
        if "duplicates" in self.tables():
            row = self.conn.execute("SELECT canonical_id FROM duplicates WHERE article_id = ?", (article_id,)).fetchone()
            if row:
                canonical = row[0]
        rows = self.conn.execute(
            f"SELECT {self._story_columns()} FROM stories WHERE id IN"
            " (SELECT story_id FROM story_articles WHERE article_id = ?) ORDER BY updated DESC",
            (canonical,),
        )
        return [self._story_row(r) for r in rows]

    def story_theatre(self, story_id: str) -> str | None:
        if not self.has_columns("story_state", "theatre"):
            return None
        row = self.conn.execute("SELECT theatre FROM story_state WHERE story_id = ?", (story_id,)).fetchone()
        return row[0] if row else None

    def all_story_json(self) -> Iterator[tuple[str, str]]:
        for r in self.conn.execute("SELECT id, json FROM stories ORDER BY updated DESC, id"):
            yield r[0], r[1]

    # -- situations ------------------------------------------------------------------------------------------

    def _situation_row(self, r: sqlite3.Row) -> SituationRow:
        data = json.loads(r["json"]) if r["json"] else {}
        return SituationRow(
            r["id"], r["name"], r["theatre"], ts_day(r["first_ts"]), ts_day(r["last_ts"]), int(data.get("n_stories", 0)), data
        )

    def situations(self, limit: int = 50) -> list[SituationRow]:
        if "situations" not in self.tables():
            return []
        rows = self.conn.execute(
            "SELECT id, name, theatre, first_ts, last_ts, json FROM situations ORDER BY last_ts DESC, id LIMIT ?", (limit,)
        )
        return [self._situation_row(r) for r in rows]

    def situation(self, situation_id: str) -> SituationRow | None:
        if "situations" not in self.tables():
            return None
        row = self.conn.execute(
            "SELECT id, name, theatre, first_ts, last_ts, json FROM situations WHERE id = ?", (situation_id,)
        ).fetchone()
        return self._situation_row(row) if row else None

    def situation_events(self, situation_id: str, sub_types: frozenset[str] | None = None) -> list[Event]:
        """Events from the reports of a situation's stories (optionally of some sub-event types only)."""
        if not {"story_articles"} <= self.tables() or not self.has_columns("stories", "situation_id"):
            return []
        sql = (
            "SELECT e.json FROM events e JOIN story_articles sa ON sa.article_id = e.article_id"
            " JOIN stories s ON s.id = sa.story_id WHERE s.situation_id = ?"
        )
        params: list[Any] = [situation_id]
        if sub_types is not None:
            sql += f" AND e.sub_event_type IN ({','.join('?' * len(sub_types))})"
            params.extend(sorted(sub_types))
        sql += " ORDER BY e.date, e.id"
        return [Event.from_json(r[0]) for r in self.conn.execute(sql, params)]

    def table_json_rows(self, table: str, where: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
        """JSON records of a later-migration table (control, alignments, implications), if it exists."""
        if not self.has_columns(table, "json"):
            return []
        try:
            rows = self.conn.execute(f"SELECT json FROM {table} WHERE {where}", params).fetchall()
        except sqlite3.OperationalError:
            return []
        return [json.loads(r[0]) for r in rows]

    # -- articles --------------------------------------------------------------------------------------------

    def article(self, article_id: str) -> Article | None:
        row = self.conn.execute(
            "SELECT id, source_id, title, text, date, url, outlet, language, content_hash, author FROM articles"
            " WHERE id = ?",
            (article_id,),
        ).fetchone()
        return article_from_row(row) if row is not None else None

    def sources(self, article_ids: list[str]) -> dict[str, SourceRow]:
        out: dict[str, SourceRow] = {}
        unique = sorted(set(article_ids))
        for i in range(0, len(unique), CHUNK):
            chunk = unique[i : i + CHUNK]
            rows = self.conn.execute(
                f"SELECT id, title, outlet, date, url FROM articles WHERE id IN ({','.join('?' * len(chunk))})", chunk
            )
            for r in rows:
                out[r[0]] = SourceRow(r[0], r[1], r[2], r[3], r[4])
        return out

    def article_events(self, article_id: str) -> list[Event]:
        rows = self.conn.execute("SELECT json FROM events WHERE article_id = ? ORDER BY id", (article_id,))
        return [Event.from_json(r[0]) for r in rows]

    def search(self, query: str, limit: int = 50) -> list[SearchHit]:
        words = [w.replace('"', '""') for w in re.findall(r"[^\s\"]+", query)]
        if not words:
            return []
        fts = " ".join(f'"{w}"' for w in words)
        has_membership = "story_articles" in self.tables()
        story_cols = ", sa.story_id, s.headline" if has_membership else ", NULL, NULL"
        story_join = (
            " LEFT JOIN duplicates d ON d.article_id = a.id"
            " LEFT JOIN story_articles sa ON sa.article_id = coalesce(d.canonical_id, a.id)"
            " LEFT JOIN stories s ON s.id = sa.story_id"
            if has_membership and "duplicates" in self.tables()
            else ""
        )
        if has_membership and not story_join:
            story_cols = ", NULL, NULL"
        sql = (
            f"SELECT a.id, a.title, a.outlet, a.date,"
            f" snippet(articles_fts, 1, '{HIT_START}', '{HIT_END}', ' … ', 24){story_cols}"
            f" FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid{story_join}"
            " WHERE articles_fts MATCH ? ORDER BY rank LIMIT ?"
        )
        try:
            rows = self.conn.execute(sql, (fts, limit)).fetchall()
        except sqlite3.OperationalError:
            return []
        return [SearchHit(r[0], r[1], r[2], r[3], r[4] or "", r[5], r[6]) for r in rows]

    # -- events ----------------------------------------------------------------------------------------------

    def _event_where(self, f: EventFilter) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if f.type:
            clauses.append("(lower(event_type) = lower(?) OR lower(sub_event_type) = lower(?))")
            params += [f.type, f.type]
        if f.actor:
            like = f"%{_like_escape(f.actor)}%"
            clauses.append(
                "(actor1 = ? OR actor2 = ? OR json_extract(json, '$.actor1.name') LIKE ? ESCAPE '\\'"
                " OR json_extract(json, '$.actor2.name') LIKE ? ESCAPE '\\')"
            )
            params += [f.actor, f.actor, like, like]
        if f.place:
            clauses.append("(json_extract(json, '$.location.name') LIKE ? ESCAPE '\\' OR country = upper(?))")
            params += [f"%{_like_escape(f.place)}%", f.place]
        if f.since:
            clauses.append("date >= ?")
            params.append(f.since)
        if f.until:
            clauses.append("date <= ?")
            params.append(f.until)
        if f.bbox:
            clauses.append("lon BETWEEN ? AND ? AND lat BETWEEN ? AND ?")
            params += [f.bbox[0], f.bbox[2], f.bbox[1], f.bbox[3]]
        return (" WHERE " + " AND ".join(clauses) if clauses else ""), params

    def events(self, f: EventFilter, limit: int = 100, offset: int = 0) -> list[Event]:
        where, params = self._event_where(f)
        rows = self.conn.execute(
            f"SELECT json FROM events{where} ORDER BY date DESC, id LIMIT ? OFFSET ?", (*params, limit, offset)
        )
        return [Event.from_json(r[0]) for r in rows]

    def event_count(self, f: EventFilter) -> int:
        where, params = self._event_where(f)
        return int(self.conn.execute(f"SELECT count(*) FROM events{where}", params).fetchone()[0])

    def event_types(self) -> list[str]:
        return self.cached(
            "event_types",
            lambda: [r[0] for r in self.conn.execute("SELECT DISTINCT event_type FROM events ORDER BY event_type")],
        )

    def events_per_day(self, days: int = 60) -> list[tuple[str, int]]:
        """Events per day over the last ``days`` days that have any events (by event date)."""

        def compute() -> list[tuple[str, int]]:
            last = self.conn.execute("SELECT max(date) FROM events WHERE date GLOB '[0-9][0-9][0-9][0-9]-*'").fetchone()[0]
            if not last:
                return []
            try:
                start = (dt.date.fromisoformat(last[:10]) - dt.timedelta(days=days - 1)).isoformat()
            except ValueError:
                return []
            rows = self.conn.execute(
                "SELECT substr(date, 1, 10), count(*) FROM events WHERE date >= ? GROUP BY 1 ORDER BY 1", (start,)
            )
            return [(r[0], int(r[1])) for r in rows]

        return self.cached(f"events_per_day:{days}", compute)

    def counts(self) -> dict[str, int]:
        def compute() -> dict[str, int]:
            out = {}
            for table in ("articles", "events", "stories"):
                out[table] = int(self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
            return out

        return self.cached("counts", compute)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _judgment_columns() -> str:
    return "id, story_id, pattern, subject, theatre, p, made_at, status, deadline, resolved_at, json"


class JudgmentQueries:
    """Reads of the judgments table (migration 0004), kept apart from the rest since they feed one page."""

    def __init__(self, queries: Queries) -> None:
        self.q = queries

    def scored(self) -> list[sqlite3.Row]:
        if not self.q.has_columns("implications", "status", "p", "json"):
            return []
        return self.q.conn.execute(
            f"SELECT {_judgment_columns()} FROM implications"
            " WHERE status IN ('true', 'false', 'open', 'void') ORDER BY made_at, rowid"
        ).fetchall()

    def story_headlines(self, ids: list[str]) -> dict[str, str]:
        out: dict[str, str] = {}
        unique = sorted(set(ids))
        for i in range(0, len(unique), CHUNK):
            chunk = unique[i : i + CHUNK]
            for r in self.q.conn.execute(f"SELECT id, headline FROM stories WHERE id IN ({','.join('?' * len(chunk))})", chunk):
                out[r[0]] = r[1]
        return out
