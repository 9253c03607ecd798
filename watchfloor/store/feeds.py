"""Feed state in the store: validators for conditional requests, the poll schedule, entries already seen."""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from watchfloor.store.db import Store

_CHUNK = 500  # ids per IN (...) query, well under SQLite's variable limit


@dataclass(slots=True)
class FeedState:
    url: str
    name: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    last_polled: str | None = None  # ISO 8601 UTC
    next_poll: str | None = None  # ISO 8601 UTC
    failures: int = 0  # consecutive failed polls
    last_error: str | None = None
    last_status: str | None = None  # the last poll's one-line outcome


_COLUMNS = ("url", "name", "etag", "last_modified", "last_polled", "next_poll", "failures", "last_error", "last_status")


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


def feed_states(store: Store) -> dict[str, FeedState]:
    rows = store.conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM feeds ORDER BY url")
    return {row["url"]: FeedState(**{c: row[c] for c in _COLUMNS}) for row in rows}


def feed_state(store: Store, url: str) -> FeedState | None:
    row = store.conn.execute(f"SELECT {', '.join(_COLUMNS)} FROM feeds WHERE url = ?", (url,)).fetchone()
    return FeedState(**{c: row[c] for c in _COLUMNS}) if row else None


# Seen-entry rows are kept this long after the feed stops listing them. Feeds list recent entries only, so a
# key gone from the listing for this long will not come back; if it did, the page is fetched once more and the
# article's stable id keeps it from being stored twice.
ENTRY_RETENTION_DAYS = 30


def save_poll(
    store: Store,
    state: FeedState,
    seen: Sequence[tuple[str, str | None]] = (),
    listed: Sequence[str] | None = None,
) -> None:
    """Store a feed's state and the entries this poll handled, in one transaction.

    ``listed`` is every entry key the feed document holds now. When given, seen-entry rows the feed no longer
    lists and first saw more than ``ENTRY_RETENTION_DAYS`` ago are dropped, so the table does not grow forever.
    """
    with store.transaction() as conn:
        conn.execute(
            f"INSERT INTO feeds ({', '.join(_COLUMNS)}) VALUES ({', '.join('?' * len(_COLUMNS))})"
            " ON CONFLICT(url) DO UPDATE SET " + ", ".join(f"{c} = excluded.{c}" for c in _COLUMNS[1:]),
            tuple(getattr(state, c) for c in _COLUMNS),
        )
        _insert_entries(conn, state.url, seen)
        if listed is not None:
            _prune_entries(conn, state.url, listed)


def _prune_entries(conn: sqlite3.Connection, feed_url: str, listed: Sequence[str]) -> int:
    cutoff = (dt.datetime.now(dt.UTC) - dt.timedelta(days=ENTRY_RETENTION_DAYS)).replace(tzinfo=None)
    stale = [
        key
        for (key,) in conn.execute(
            "SELECT entry_key FROM feed_entries WHERE feed_url = ? AND first_seen < ?",
            (feed_url, cutoff.isoformat(timespec="seconds") + "Z"),
        )
    ]
    keep = set(listed)
    gone = [(feed_url, key) for key in stale if key not in keep]
    conn.executemany("DELETE FROM feed_entries WHERE feed_url = ? AND entry_key = ?", gone)
    return len(gone)


def save_entries(store: Store, feed_url: str, seen: Sequence[tuple[str, str | None]]) -> None:
    """Record entries a poll in progress has handled, leaving the feed's validators and schedule alone."""
    if not seen:
        return
    with store.transaction() as conn:
        conn.execute("INSERT OR IGNORE INTO feeds (url) VALUES (?)", (feed_url,))
        _insert_entries(conn, feed_url, seen)


def _insert_entries(conn: sqlite3.Connection, feed_url: str, seen: Sequence[tuple[str, str | None]]) -> None:
    now = utc_now()
    conn.executemany(
        "INSERT OR IGNORE INTO feed_entries (feed_url, entry_key, article_id, first_seen) VALUES (?, ?, ?, ?)",
        # An entry's article may have been refused or deleted meanwhile; the key still counts as seen.
        [
            (feed_url, key, article_id if article_id and _exists(conn, article_id) else None, now)
            for key, article_id in seen
        ],
    )


def _exists(conn: sqlite3.Connection, article_id: str) -> bool:
    return conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is not None


def seen_entry_keys(store: Store, feed_url: str, keys: Iterable[str]) -> set[str]:
    """Which of these entry keys the feed has already handled."""
    found: set[str] = set()
    wanted = list(dict.fromkeys(keys))
    for i in range(0, len(wanted), _CHUNK):
        chunk = wanted[i : i + _CHUNK]
        rows = store.conn.execute(
            f"SELECT entry_key FROM feed_entries WHERE feed_url = ? AND entry_key IN ({','.join('?' * len(chunk))})",
            [feed_url, *chunk],
        )
        found.update(r[0] for r in rows)
    return found


def known_article_ids(store: Store, ids: Iterable[str]) -> set[str]:
    """Which of these article ids are stored."""
    found: set[str] = set()
    wanted = list(dict.fromkeys(ids))
    for i in range(0, len(wanted), _CHUNK):
        chunk = wanted[i : i + _CHUNK]
        rows = store.conn.execute(f"SELECT id FROM articles WHERE id IN ({','.join('?' * len(chunk))})", chunk)
        found.update(r[0] for r in rows)
    return found


def unprocessed_article_ids(store: Store) -> list[str]:
    """Ids of stored articles the pipeline has not processed yet (a run stopped between storing and processing)."""
    return [r[0] for r in store.conn.execute("SELECT id FROM articles WHERE analyzed = 0 ORDER BY date, rowid")]
