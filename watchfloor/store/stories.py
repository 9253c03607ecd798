"""SQL for stories: copies, story membership, clustering state, situations and the written stories.

Every function takes a connection (inside the caller's transaction when it writes) and works on whole
batches: lookups go through ``IN (...)`` lists in chunks, never one query per report inside a loop.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from watchfloor.stories.cluster import StoryState

CHUNK = 500  # ids per IN (...) list, well under SQLite's variable limit


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _marks(n: int) -> str:
    return ",".join("?" * n)


# -- reports --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class ReportRow:
    id: str
    title: str | None
    text: str
    date: str | None
    ingested_at: str | None
    outlet: str | None
    url: str | None


def load_reports(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, ReportRow]:
    out: dict[str, ReportRow] = {}
    unique = sorted(set(ids))
    for chunk in _chunks(unique):
        for r in conn.execute(
            f"SELECT id, title, text, date, ingested_at, outlet, url FROM articles WHERE id IN ({_marks(len(chunk))})",
            list(chunk),
        ):
            out[r[0]] = ReportRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6])
    return out


def load_analyses(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    unique = sorted(set(ids))
    for chunk in _chunks(unique):
        for article_id, text in conn.execute(
            f"SELECT article_id, json FROM analyses WHERE article_id IN ({_marks(len(chunk))})", list(chunk)
        ):
            out[article_id] = json.loads(text)
    return out


def already_placed(conn: sqlite3.Connection, ids: Sequence[str]) -> set[str]:
    """Reports already in a story or known as a copy."""
    found: set[str] = set()
    unique = sorted(set(ids))
    for chunk in _chunks(unique):
        marks = _marks(len(chunk))
        found.update(
            r[0]
            for r in conn.execute(f"SELECT article_id FROM story_articles WHERE article_id IN ({marks})", list(chunk))
        )
        found.update(
            r[0] for r in conn.execute(f"SELECT article_id FROM duplicates WHERE article_id IN ({marks})", list(chunk))
        )
    return found


def unplaced_ids(conn: sqlite3.Connection) -> list[str]:
    """Analysed reports in no story and not a copy: what an interrupted run left (a full scan; run it rarely)."""
    rows = conn.execute(
        "SELECT a.id FROM articles a WHERE a.analyzed = 1"
        " AND NOT EXISTS (SELECT 1 FROM story_articles s WHERE s.article_id = a.id)"
        " AND NOT EXISTS (SELECT 1 FROM duplicates d WHERE d.article_id = a.id)"
        " ORDER BY a.date, a.id"
    )
    return [r[0] for r in rows]


# -- duplicates -----------------------------------------------------------------------------------------


def band_matches(conn: sqlite3.Connection, bands: Iterable[int], ts_from: float, ts_to: float) -> dict[int, list[str]]:
    """Band key -> ids of stored reports dated in [ts_from, ts_to] that share it."""
    out: dict[int, list[str]] = {}
    unique = sorted(set(bands))
    for chunk in _chunks(unique):
        for band, article_id in conn.execute(
            f"SELECT band, article_id FROM minhash_bands WHERE band IN ({_marks(len(chunk))}) AND ts BETWEEN ? AND ?",
            [*chunk, ts_from, ts_to],
        ):
            out.setdefault(band, []).append(article_id)
    for ids in out.values():
        ids.sort()
    return out


def canonical_map(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, str]:
    """copy id -> canonical id, for those of ``ids`` that are copies."""
    out: dict[str, str] = {}
    unique = sorted(set(ids))
    for chunk in _chunks(unique):
        for a, c in conn.execute(
            f"SELECT article_id, canonical_id FROM duplicates WHERE article_id IN ({_marks(len(chunk))})", list(chunk)
        ):
            out[a] = c
    return out


def copies_of(conn: sqlite3.Connection, canonical_ids: Sequence[str]) -> dict[str, str]:
    """copy id -> canonical id, for every copy of the given canonical reports."""
    out: dict[str, str] = {}
    unique = sorted(set(canonical_ids))
    for chunk in _chunks(unique):
        for a, c in conn.execute(
            f"SELECT article_id, canonical_id FROM duplicates WHERE canonical_id IN ({_marks(len(chunk))})"
            " ORDER BY article_id",
            list(chunk),
        ):
            out[a] = c
    return out


def add_bands(conn: sqlite3.Connection, rows: Iterable[tuple[int, str, float]]) -> None:
    """(band key, article id, report time) rows."""
    conn.executemany("INSERT OR IGNORE INTO minhash_bands (band, article_id, ts) VALUES (?, ?, ?)", rows)


def prune_bands(conn: sqlite3.Connection, before: float) -> None:
    """Forget the band keys of reports dated before ``before``: no new report can be a copy of them."""
    conn.execute("DELETE FROM minhash_bands WHERE ts < ?", (before,))


def add_duplicates(conn: sqlite3.Connection, rows: Iterable[tuple[str, str, float]]) -> None:
    conn.executemany("INSERT OR REPLACE INTO duplicates (article_id, canonical_id, similarity) VALUES (?, ?, ?)", rows)


def repoint_canonical(conn: sqlite3.Connection, old: str, new: str, similarity: float) -> None:
    """A late, earlier report ``new`` displaces canonical ``old``: copies follow, ``old`` becomes a copy and
    leaves its story (the caller puts ``new`` in its place)."""
    conn.execute("UPDATE duplicates SET canonical_id = ? WHERE canonical_id = ?", (new, old))
    conn.execute(
        "INSERT OR REPLACE INTO duplicates (article_id, canonical_id, similarity) VALUES (?, ?, ?)",
        (old, new, similarity),
    )
    conn.execute("DELETE FROM story_articles WHERE article_id = ?", (old,))


# -- story membership and clustering state ----------------------------------------------------------------


def add_story_articles(conn: sqlite3.Connection, rows: Iterable[tuple[str, str, float]]) -> None:
    """(article id, story id, ts) rows."""
    conn.executemany("INSERT OR REPLACE INTO story_articles (article_id, story_id, ts) VALUES (?, ?, ?)", rows)


def merge_story_rows(conn: sqlite3.Connection, absorbed: str, into: str) -> None:
    conn.execute("UPDATE story_articles SET story_id = ? WHERE story_id = ?", (into, absorbed))
    conn.execute("DELETE FROM story_state WHERE story_id = ?", (absorbed,))
    conn.execute("DELETE FROM stories WHERE id = ?", (absorbed,))


def story_members(conn: sqlite3.Connection, story_ids: Sequence[str]) -> dict[str, list[tuple[str, float]]]:
    """story id -> (canonical report id, ts), oldest first."""
    out: dict[str, list[tuple[str, float]]] = {sid: [] for sid in story_ids}
    unique = sorted(set(story_ids))
    for chunk in _chunks(unique):
        for sid, aid, ts in conn.execute(
            f"SELECT story_id, article_id, ts FROM story_articles WHERE story_id IN ({_marks(len(chunk))})"
            " ORDER BY story_id, ts, article_id",
            list(chunk),
        ):
            out[sid].append((aid, ts))
    return out


def stories_of(conn: sqlite3.Connection, article_ids: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    unique = sorted(set(article_ids))
    for chunk in _chunks(unique):
        for aid, sid in conn.execute(
            f"SELECT article_id, story_id FROM story_articles WHERE article_id IN ({_marks(len(chunk))})", list(chunk)
        ):
            out[aid] = sid
    return out


_STATE_COLUMNS = (
    "story_id, first_article, first_ts, last_ts, n_reports, centroid, entities, terms, theatre, situation_id"
)


def _state(row: sqlite3.Row | tuple[Any, ...]) -> StoryState:
    c_idx, c_val = StoryState.centroid_from_bytes(row[5])
    ent = json.loads(row[6])
    return StoryState(
        story_id=row[0],
        first_article=row[1],
        first_ts=row[2],
        last_ts=row[3],
        n_reports=row[4],
        c_idx=c_idx,
        c_val=c_val,
        entities=ent.get("entities", {}),
        countries=ent.get("countries", {}),
        event_kinds=ent.get("event_kinds", {}),
        actor_types=ent.get("actor_types", {}),
        towns=ent.get("towns", {}),
        join_text=float(ent.get("join_text", 0.0)),
        joins=int(ent.get("joins", 0)),
        keys=json.loads(row[7]),
        situation_id=row[9],
    )


def live_story_ids(conn: sqlite3.Connection, ts_from: float, ts_to: float) -> list[str]:
    """Ids of the stories whose span meets [ts_from, ts_to] (the window already applied by the caller)."""
    # Sorted here, not by ORDER BY: with it, SQLite walked the whole table in story id order (every story ever
    # made, a few KB each) instead of seeking the recent ones through the last_ts index.
    rows = conn.execute("SELECT story_id FROM story_state WHERE last_ts >= ? AND first_ts <= ?", (ts_from, ts_to))
    return sorted(r[0] for r in rows)


def load_states(conn: sqlite3.Connection, story_ids: Sequence[str]) -> dict[str, StoryState]:
    out: dict[str, StoryState] = {}
    unique = sorted(set(story_ids))
    for chunk in _chunks(unique):
        for r in conn.execute(
            f"SELECT {_STATE_COLUMNS} FROM story_state WHERE story_id IN ({_marks(len(chunk))})", list(chunk)
        ):
            out[r[0]] = _state(r)
    return out


def save_states(conn: sqlite3.Connection, states: Iterable[StoryState], *, dirty: bool = True) -> None:
    rows = []
    for s in states:
        entities = {
            "entities": s.entities,
            "countries": s.countries,
            "event_kinds": s.event_kinds,
            "actor_types": s.actor_types,
            "towns": s.towns,
            "join_text": s.join_text,
            "joins": s.joins,
        }
        rows.append(
            (
                s.story_id,
                s.first_article,
                s.first_ts,
                s.last_ts,
                s.n_reports,
                s.centroid_bytes(),
                json.dumps(entities, sort_keys=True),
                json.dumps(s.keys, sort_keys=True),
                s.theatre,
                s.situation_id,
                1 if dirty else 0,
            )
        )
    conn.executemany(
        f"INSERT OR REPLACE INTO story_state ({_STATE_COLUMNS}, dirty) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", rows
    )


def set_situations(conn: sqlite3.Connection, pairs: Iterable[tuple[str | None, str]]) -> None:
    """(situation id, story id) pairs."""
    pairs = list(pairs)
    conn.executemany("UPDATE story_state SET situation_id = ? WHERE story_id = ?", pairs)
    conn.executemany("UPDATE stories SET situation_id = ? WHERE id = ?", pairs)


def mark_dirty(conn: sqlite3.Connection, story_ids: Sequence[str]) -> None:
    """Mark stories whose article must be rewritten."""
    conn.executemany("UPDATE story_state SET dirty = 1 WHERE story_id = ?", ((sid,) for sid in story_ids))


def existing_stories(conn: sqlite3.Connection, story_ids: Sequence[str]) -> set[str]:
    """Those of ``story_ids`` that are live stories (not merged away)."""
    found: set[str] = set()
    for chunk in _chunks(sorted(set(story_ids))):
        marks = _marks(len(chunk))
        found.update(
            r[0] for r in conn.execute(f"SELECT story_id FROM story_state WHERE story_id IN ({marks})", list(chunk))
        )
    return found


def dirty_story_ids(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT story_id FROM story_state WHERE dirty = 1 ORDER BY story_id")]


def get_state_blob(conn: sqlite3.Connection, key: str) -> bytes | None:
    row = conn.execute("SELECT value FROM cluster_state WHERE key = ?", (key,)).fetchone()
    return bytes(row[0]) if row else None


def set_state_blob(conn: sqlite3.Connection, key: str, value: bytes) -> None:
    conn.execute("INSERT OR REPLACE INTO cluster_state (key, value) VALUES (?, ?)", (key, value))


# -- situations -----------------------------------------------------------------------------------------


@dataclass(slots=True)
class SituationRow:
    id: str
    name: str
    theatre: str | None
    first_ts: float
    last_ts: float
    data: dict[str, Any]


def situations_near(conn: sqlite3.Connection, theatre: str, ts_from: float, ts_to: float) -> list[SituationRow]:
    rows = conn.execute(
        "SELECT id, name, theatre, first_ts, last_ts, json FROM situations"
        " WHERE theatre = ? AND last_ts >= ? AND first_ts <= ? ORDER BY first_ts, id",
        (theatre, ts_from, ts_to),
    )
    return [SituationRow(r[0], r[1], r[2], r[3], r[4], json.loads(r[5])) for r in rows]


def get_situations(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, SituationRow]:
    out: dict[str, SituationRow] = {}
    unique = sorted(set(ids))
    for chunk in _chunks(unique):
        for r in conn.execute(
            f"SELECT id, name, theatre, first_ts, last_ts, json FROM situations WHERE id IN ({_marks(len(chunk))})",
            list(chunk),
        ):
            out[r[0]] = SituationRow(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]))
    return out


def situation_member_states(conn: sqlite3.Connection, situation_id: str) -> list[StoryState]:
    rows = conn.execute(
        f"SELECT {_STATE_COLUMNS} FROM story_state WHERE situation_id = ? ORDER BY first_ts, story_id", (situation_id,)
    )
    return [_state(r) for r in rows]


def save_situation(conn: sqlite3.Connection, row: SituationRow) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO situations (id, name, theatre, first_ts, last_ts, json) VALUES (?, ?, ?, ?, ?, ?)",
        (row.id, row.name, row.theatre, row.first_ts, row.last_ts, json.dumps(row.data, sort_keys=True)),
    )


def delete_situation(conn: sqlite3.Connection, situation_id: str) -> None:
    conn.execute("DELETE FROM situations WHERE id = ?", (situation_id,))


def all_situations(conn: sqlite3.Connection) -> list[SituationRow]:
    rows = conn.execute("SELECT id, name, theatre, first_ts, last_ts, json FROM situations ORDER BY last_ts DESC, id")
    return [SituationRow(r[0], r[1], r[2], r[3], r[4], json.loads(r[5])) for r in rows]


# -- written stories ------------------------------------------------------------------------------------


def save_story_json(
    conn: sqlite3.Connection,
    story_id: str,
    *,
    situation: str | None,
    situation_id: str | None,
    headline: str,
    first_seen: str | None,
    updated: str | None,
    n_reports: int,
    data: str,
) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO stories (id, situation, headline, first_seen, updated, n_reports, json, situation_id)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (story_id, situation, headline, first_seen, updated, n_reports, data, situation_id),
    )
    conn.execute("UPDATE story_state SET dirty = 0 WHERE story_id = ?", (story_id,))


def story_json(conn: sqlite3.Connection, story_id: str) -> str | None:
    row = conn.execute("SELECT json FROM stories WHERE id = ?", (story_id,)).fetchone()
    return row[0] if row else None


def story_ids_by_size(conn: sqlite3.Connection, limit: int | None = None) -> list[str]:
    """Stories with the most sources first, then the most recently updated."""
    sql = "SELECT id FROM stories ORDER BY n_reports DESC, updated DESC, id"
    if limit:
        sql += f" LIMIT {int(limit)}"
    return [r[0] for r in conn.execute(sql)]


def clear_all(conn: sqlite3.Connection) -> None:
    """Forget every copy, story and situation (for a rebuild from scratch)."""
    for table in (
        "duplicates",
        "minhash_bands",
        "story_articles",
        "story_state",
        "cluster_state",
        "situations",
        "stories",
    ):
        conn.execute(f"DELETE FROM {table}")
