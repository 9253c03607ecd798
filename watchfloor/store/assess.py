"""SQL for situations and judgments: theatre inputs, control, alignments, implications, briefs.

Functions take a connection (inside the caller's transaction when they write) and work on whole batches.
"""

from __future__ import annotations

import bisect
import json
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

CHUNK = 500


def _chunks(items: Sequence[Any], size: int = CHUNK) -> Iterator[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _marks(n: int) -> str:
    return ",".join("?" * n)


# -- inputs -----------------------------------------------------------------------------------------------------


def theatre_of_stories(conn: sqlite3.Connection, story_ids: Sequence[str]) -> dict[str, str | None]:
    out: dict[str, str | None] = {}
    for chunk in _chunks(sorted(set(story_ids))):
        for sid, theatre in conn.execute(
            f"SELECT story_id, theatre FROM story_state WHERE story_id IN ({_marks(len(chunk))})", list(chunk)
        ):
            out[sid] = theatre
    return out


def theatre_article_ids(conn: sqlite3.Connection, theatre: str, since: str | None, until: str | None) -> list[str]:
    """Canonical reports of every story of a theatre, dated within [since, until] (ISO strings, inclusive)."""
    sql = (
        "SELECT sa.article_id FROM story_articles sa JOIN story_state ss ON ss.story_id = sa.story_id"
        " JOIN articles a ON a.id = sa.article_id WHERE ss.theatre = ?"
    )
    args: list[Any] = [theatre]
    if since:
        sql += " AND (a.date IS NULL OR a.date >= ?)"
        args.append(since)
    if until:
        sql += " AND (a.date IS NULL OR substr(a.date, 1, ?) <= ?)"
        args.extend([len(until), until])
    sql += " ORDER BY a.date, a.id"
    ids = [r[0] for r in conn.execute(sql, args)]
    # Reports filed under another theatre (a Moscow story on Assad's asylum) still count when their events are here.
    extra_sql = (
        "SELECT DISTINCT e.article_id, a.date FROM events e JOIN articles a ON a.id = e.article_id"
        " WHERE e.country = ? AND e.event_type != 'Diplomacy' AND e.modality IN ('asserted', 'reported')"
    )
    extra_args: list[Any] = [theatre]
    if since:
        extra_sql += " AND (a.date IS NULL OR a.date >= ?)"
        extra_args.append(since)
    if until:
        extra_sql += " AND (a.date IS NULL OR substr(a.date, 1, ?) <= ?)"
        extra_args.extend([len(until), until])
    known = set(ids)
    extra = [r[0] for r in conn.execute(extra_sql + " ORDER BY a.date, e.article_id", extra_args) if r[0] not in known]
    # A digest naming events in many countries (an index page, a round-up) is no theatre's report.
    if extra:
        spread = {
            r[0]: r[1]
            for r in conn.execute(
                f"SELECT article_id, count(DISTINCT country) FROM events WHERE article_id IN ({_marks(len(extra))})"
                " GROUP BY article_id", extra,
            )
        } if len(extra) < 900 else {}
        extra = [a for a in extra if spread.get(a, 1) <= 2]
    # Copies are reached through their canonical report; keep only canonical extras.
    if extra:
        copies = {r[0] for r in conn.execute(
            f"SELECT article_id FROM duplicates WHERE article_id IN ({_marks(len(extra))})", extra)} if len(extra) < 900 else set()
        extra = [a for a in extra if a not in copies]
    return ids + extra


@dataclass(slots=True)
class TheatreReports:
    """A theatre's candidate reports dated from a day on, read once and cut per cut-off.

    ``article_ids(since, until)`` returns exactly what ``theatre_article_ids(conn, theatre, since, until)``
    returns for any ``since`` not before the day it was read from, while the store's stories, reports and
    events stay as they were (the assessment of one theatre changes none of them).
    """

    stories: list[tuple[str, str | None]]  # (article id, date) of the theatre's stories' reports, in SQL order
    events: list[tuple[str, str | None]]  # (article id, date) of reports with fact events in the theatre
    spread: dict[str, int]  # report -> how many countries its events name
    copies: set[str]  # reports among ``events`` that are copies of another
    # Read while the theatre is read at one cut-off after another, and kept for the next: as above, nothing
    # they come from changes meanwhile.
    copies_by_canonical: dict[str, list[str]] = field(default_factory=dict)
    stamps: dict[str, tuple[Any, ...] | None] = field(default_factory=dict)
    not_stored: set[str] = field(default_factory=set)
    # ``_date_index`` of ``stories`` and ``events``, made on first use.
    date_index: tuple[tuple[int, list[str] | None], tuple[int, list[str] | None]] | None = None

    def copies_of(self, conn: sqlite3.Connection, canonical_ids: Sequence[str]) -> dict[str, str]:
        """``copies_of(conn, canonical_ids)``, each canonical report looked up once."""
        missing = sorted({c for c in canonical_ids if c not in self.copies_by_canonical})
        if missing:
            for c in missing:
                self.copies_by_canonical[c] = []
            for copy, canonical in copies_of(conn, missing).items():
                self.copies_by_canonical[canonical].append(copy)
        return {copy: c for c in dict.fromkeys(canonical_ids) for copy in self.copies_by_canonical[c]}

    def analysis_stamps(self, conn: sqlite3.Connection, article_ids: Sequence[str]) -> dict[str, tuple[Any, ...] | None]:
        """``analysis_stamps(conn, article_ids)``, each report looked up once."""
        wanted = set(article_ids)
        missing = [a for a in wanted if a not in self.stamps and a not in self.not_stored]
        if missing:
            found = analysis_stamps(conn, missing)
            self.stamps.update(found)
            self.not_stored.update(a for a in missing if a not in found)
        return {a: self.stamps[a] for a in sorted(wanted) if a in self.stamps}

    def article_ids(self, since: str | None, until: str | None) -> list[str]:
        if self.date_index is None:
            self.date_index = (_date_index(self.stories), _date_index(self.events))
        ids = [a for a, _ in _dated_within(self.stories, self.date_index[0], since, until)]
        known = set(ids)
        extra = [a for a, _ in _dated_within(self.events, self.date_index[1], since, until) if a not in known]
        # The same size limits as the per-query path, so both give the same answer.
        if extra:
            spread = self.spread if len(extra) < 900 else {}
            extra = [a for a in extra if spread.get(a, 1) <= 2]
        if extra:
            copies = self.copies if len(extra) < 900 else set()
            extra = [a for a in extra if a not in copies]
        return ids + extra


def _within(date: str | None, since: str | None, until: str | None) -> bool:
    """What ``theatre_article_ids`` asks of a report's date (undated reports always count)."""
    if date is None:
        return True
    return (not since or date >= since) and (not until or date[: len(until)] <= until)


def _date_index(rows: list[tuple[str, str | None]]) -> tuple[int, list[str] | None]:
    """How many rows come first undated, and the dates of the rest when they are text in order (else None)."""
    undated = 0
    while undated < len(rows) and rows[undated][1] is None:
        undated += 1
    dates = [r[1] for r in rows[undated:]]
    if not all(isinstance(d, str) for d in dates) or any(a > b for a, b in zip(dates, dates[1:], strict=False)):  # type: ignore[operator]
        return undated, None
    return undated, dates  # type: ignore[return-value]


def _dated_within(rows: list[tuple[str, str | None]], index: tuple[int, list[str] | None], since: str | None,
                  until: str | None) -> list[tuple[str, str | None]]:
    """``[r for r in rows if _within(r[1], since, until)]``, ``index`` being ``_date_index(rows)``.

    Rows as SQL orders them by date (undated first, then dates as text) are cut with two binary searches: the
    dates from ``since`` on form a tail, and the dates whose first ``len(until)`` characters are not after
    ``until`` a head (cutting strings to a length keeps their order). Other rows are filtered one by one.
    """
    undated, dates = index
    if dates is None:
        return [r for r in rows if _within(r[1], since, until)]
    lo = undated + (bisect.bisect_left(dates, since) if since else 0)
    hi = len(rows)
    if until:
        size = len(until)
        hi = undated + bisect.bisect_right(dates, until, key=lambda d: d[:size])  # type: ignore[arg-type,index]
    return rows[:undated] + rows[lo:max(lo, hi)]


def theatre_reports(conn: sqlite3.Connection, theatre: str, since: str | None) -> TheatreReports:
    """What ``theatre_article_ids`` reads, for every cut-off from ``since`` on, in one pass."""
    sql = (
        "SELECT sa.article_id, a.date FROM story_articles sa JOIN story_state ss ON ss.story_id = sa.story_id"
        " JOIN articles a ON a.id = sa.article_id WHERE ss.theatre = ?"
    )
    extra_sql = (
        "SELECT DISTINCT e.article_id, a.date FROM events e JOIN articles a ON a.id = e.article_id"
        " WHERE e.country = ? AND e.event_type != 'Diplomacy' AND e.modality IN ('asserted', 'reported')"
    )
    args: list[Any] = [theatre]
    if since:
        sql += " AND (a.date IS NULL OR a.date >= ?)"
        extra_sql += " AND (a.date IS NULL OR a.date >= ?)"
        args.append(since)
    stories = [(r[0], r[1]) for r in conn.execute(sql + " ORDER BY a.date, a.id", args)]
    events = [(r[0], r[1]) for r in conn.execute(extra_sql + " ORDER BY a.date, e.article_id", args)]
    candidates = sorted({a for a, _ in events})
    spread: dict[str, int] = {}
    copies: set[str] = set()
    for chunk in _chunks(candidates):
        marks = _marks(len(chunk))
        spread.update(conn.execute(
            f"SELECT article_id, count(DISTINCT country) FROM events WHERE article_id IN ({marks}) GROUP BY article_id", list(chunk)
        ))
        copies.update(r[0] for r in conn.execute(f"SELECT article_id FROM duplicates WHERE article_id IN ({marks})", list(chunk)))
    return TheatreReports(stories, events, spread, copies)


def copies_of(conn: sqlite3.Connection, canonical_ids: Sequence[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for chunk in _chunks(sorted(set(canonical_ids))):
        for a, c in conn.execute(
            f"SELECT article_id, canonical_id FROM duplicates WHERE canonical_id IN ({_marks(len(chunk))})", list(chunk)
        ):
            out[a] = c
    return out


def figures_json(conn: sqlite3.Connection, article_ids: Sequence[str]) -> list[str]:
    out: list[str] = []
    for chunk in _chunks(sorted(set(article_ids))):
        out.extend(
            r[0]
            for r in conn.execute(
                f"SELECT json FROM figures WHERE article_id IN ({_marks(len(chunk))}) ORDER BY id", list(chunk)
            )
        )
    return out


def latest_report_date(conn: sqlite3.Connection) -> str | None:
    row = conn.execute("SELECT max(date) FROM articles").fetchone()
    return row[0] if row else None


# -- situation tables -----------------------------------------------------------------------------------------


def replace_control(conn: sqlite3.Connection, theatre: str, rows: Iterable[tuple[str, float, float, str | None, str | None, str | None, str]]) -> None:
    """(place, lat, lon, controller, since, contested_by, json) rows for one theatre."""
    conn.execute("DELETE FROM control WHERE theatre = ?", (theatre,))
    conn.executemany(
        "INSERT OR REPLACE INTO control (theatre, place, lat, lon, controller, since, contested_by, json)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        ((theatre, *r) for r in rows),
    )


def replace_alignments(conn: sqlite3.Connection, theatre: str, rows: Iterable[tuple[str, str, str, str | None, str, str]]) -> None:
    """(source, kind, target, date, origin, json) rows for one theatre."""
    conn.execute("DELETE FROM alignments WHERE theatre = ?", (theatre,))
    conn.executemany(
        "INSERT INTO alignments (theatre, source, kind, target, date, origin, json) VALUES (?, ?, ?, ?, ?, ?, ?)",
        ((theatre, *r) for r in rows),
    )


def save_situation_json(conn: sqlite3.Connection, theatre: str, as_of: str, data: str) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO situation_state (theatre, as_of, json) VALUES (?, ?, ?)", (theatre, as_of, data)
    )


def situation_json(conn: sqlite3.Connection, theatre: str) -> str | None:
    row = conn.execute("SELECT json FROM situation_state WHERE theatre = ?", (theatre,)).fetchone()
    return row[0] if row else None


def control_rows(conn: sqlite3.Connection, theatre: str) -> list[dict[str, Any]]:
    return [json.loads(r[0]) for r in conn.execute("SELECT json FROM control WHERE theatre = ? ORDER BY since, place", (theatre,))]


def alignment_rows(conn: sqlite3.Connection, theatre: str) -> list[dict[str, Any]]:
    return [json.loads(r[0]) for r in conn.execute("SELECT json FROM alignments WHERE theatre = ? ORDER BY date, id", (theatre,))]


# -- implications -------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class JudgmentRow:
    """One issued version of a judgment."""

    rowid: int
    id: str
    story_id: str
    subject: str
    pattern: str
    kind: str
    theatre: str | None
    made_at: str
    p: float
    current: bool
    status: str
    deadline: str | None
    resolved_at: str | None
    check: dict[str, Any] | None
    data: dict[str, Any]


_J_COLUMNS = "rowid, id, story_id, subject, pattern, kind, theatre, made_at, p, current, status, deadline, resolved_at, check_json, json"


def _judgment(row: Sequence[Any]) -> JudgmentRow:
    return JudgmentRow(
        rowid=row[0], id=row[1], story_id=row[2], subject=row[3], pattern=row[4], kind=row[5], theatre=row[6],
        made_at=row[7], p=row[8], current=bool(row[9]), status=row[10], deadline=row[11], resolved_at=row[12],
        check=json.loads(row[13]) if row[13] else None, data=json.loads(row[14]),
    )


def current_judgments(conn: sqlite3.Connection, story_id: str) -> list[JudgmentRow]:
    rows = conn.execute(f"SELECT {_J_COLUMNS} FROM implications WHERE story_id = ? AND current = 1 ORDER BY rowid", (story_id,))
    return [_judgment(r) for r in rows]


def insert_judgment(
    conn: sqlite3.Connection,
    *,
    id: str,
    story_id: str,
    subject: str,
    pattern: str,
    kind: str,
    theatre: str | None,
    made_at: str,
    p: float,
    status: str,
    deadline: str | None,
    check: dict[str, Any] | None,
    data: str,
) -> None:
    conn.execute(
        "INSERT OR REPLACE INTO implications (id, story_id, subject, pattern, kind, theatre, made_at, p, current, status,"
        " deadline, check_json, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?)",
        (id, story_id, subject, pattern, kind, theatre, made_at, p, status, deadline,
         json.dumps(check, sort_keys=True) if check else None, data),
    )


def retire(conn: sqlite3.Connection, rowids: Iterable[int]) -> None:
    conn.executemany("UPDATE implications SET current = 0 WHERE rowid = ?", ((r,) for r in rowids))


def open_judgments(conn: sqlite3.Connection, theatres: Sequence[str | None] | None = None) -> list[JudgmentRow]:
    sql = f"SELECT {_J_COLUMNS} FROM implications WHERE status = 'open'"
    args: list[Any] = []
    if theatres is not None:
        named = [t for t in theatres if t]
        if not named:
            return []
        sql += f" AND theatre IN ({_marks(len(named))})"
        args.extend(named)
    return [_judgment(r) for r in conn.execute(sql + " ORDER BY made_at, rowid", args)]


@dataclass(slots=True)
class OpenCheck:
    """An open judgment as settling reads it: its stored JSON is parsed only when it is settled."""

    rowid: int
    story_id: str
    check: dict[str, Any]
    data_json: str


def open_checks(conn: sqlite3.Connection, theatre: str) -> list[OpenCheck]:
    """The theatre's open judgments that carry a check, in ``open_judgments`` order.

    Settling runs after every batch over every open judgment of a theatre and settles few of them, so the
    stored judgment (the larger part of a row) is left as text here.
    """
    rows = conn.execute(
        "SELECT rowid, story_id, check_json, json FROM implications WHERE status = 'open' AND theatre = ?"
        " ORDER BY made_at, rowid",
        (theatre,),
    )
    out: list[OpenCheck] = []
    for rowid, story_id, check_json, data_json in rows:
        if not check_json:
            continue
        check = _parsed_checks.get(check_json)
        if check is None:
            if len(_parsed_checks) >= CHECKS_KEPT:
                _parsed_checks.clear()
            check = _parsed_checks[check_json] = json.loads(check_json)
        if check:
            out.append(OpenCheck(rowid, story_id, check, data_json))
    return out


# The same open checks are read after every batch until they settle: each stored text is parsed once per
# process. The parsed checks are shared, so whoever reads them must not change them (``scoring.evaluate``
# copies what it adjusts).
CHECKS_KEPT = 50_000
_parsed_checks: dict[str, dict[str, Any]] = {}


def open_theatres_due(conn: sqlite3.Connection, day: str) -> set[str | None]:
    """Theatres with an open judgment whose deadline (a non-empty ISO day) is before ``day``."""
    rows = conn.execute(
        "SELECT DISTINCT theatre FROM implications WHERE status = 'open' AND deadline IS NOT NULL AND deadline != ''"
        " AND deadline < ?",
        (day,),
    )
    return {r[0] for r in rows}


def settle(conn: sqlite3.Connection, rowid: int, status: str, resolved_at: str | None, data: str) -> None:
    conn.execute(
        "UPDATE implications SET status = ?, resolved_at = ?, json = ? WHERE rowid = ?", (status, resolved_at, data, rowid)
    )


def scored_judgments(conn: sqlite3.Connection) -> list[JudgmentRow]:
    rows = conn.execute(f"SELECT {_J_COLUMNS} FROM implications WHERE status IN ('true', 'false', 'open', 'void') ORDER BY made_at, rowid")
    return [_judgment(r) for r in rows]


def all_judgments(conn: sqlite3.Connection, story_id: str | None = None) -> list[JudgmentRow]:
    if story_id:
        rows = conn.execute(f"SELECT {_J_COLUMNS} FROM implications WHERE story_id = ? ORDER BY made_at, rowid", (story_id,))
    else:
        rows = conn.execute(f"SELECT {_J_COLUMNS} FROM implications ORDER BY made_at, rowid")
    return [_judgment(r) for r in rows]


# -- briefs -------------------------------------------------------------------------------------------------------


def save_brief(conn: sqlite3.Connection, story_id: str, created: str, data: str) -> None:
    conn.execute("INSERT OR REPLACE INTO briefs (story_id, created, json) VALUES (?, ?, ?)", (story_id, created, data))


def last_brief(conn: sqlite3.Connection, story_id: str) -> str | None:
    row = conn.execute(
        "SELECT json FROM briefs WHERE story_id = ? ORDER BY created DESC, rowid DESC LIMIT 1", (story_id,)
    ).fetchone()
    return row[0] if row else None


def briefs_of(conn: sqlite3.Connection, story_id: str) -> list[str]:
    return [r[0] for r in conn.execute("SELECT json FROM briefs WHERE story_id = ? ORDER BY created, rowid", (story_id,))]


def update_story_json(conn: sqlite3.Connection, story_id: str, data: str) -> None:
    conn.execute("UPDATE stories SET json = ? WHERE id = ?", (data, story_id))


# -- cached theatre inputs ----------------------------------------------------------------------------------------


def analysis_stamps(conn: sqlite3.Connection, article_ids: Sequence[str]) -> dict[str, tuple[Any, ...] | None]:
    """Stored article id -> a stamp of its analysis (None when not analysed), in id order.

    A cached reading of a report is checked against the stamp: analysis, events and figures of an article are
    written in one transaction, and rewriting the analysis row (INSERT OR REPLACE) gives it a new rowid.
    """
    out: dict[str, tuple[Any, ...] | None] = {}
    for chunk in _chunks(sorted(set(article_ids))):
        rows = conn.execute(
            f"SELECT a.id, n.rowid, n.version, length(n.json) FROM articles a LEFT JOIN analyses n ON n.article_id = a.id"
            f" WHERE a.id IN ({_marks(len(chunk))}) ORDER BY a.id",
            list(chunk),
        )
        out.update((r[0], None if r[1] is None else (r[1], r[2], r[3])) for r in rows)
    return out


def event_rows(conn: sqlite3.Connection, article_ids: Sequence[str]) -> list[tuple[str, str, str | None, str]]:
    """(article id, event id, date, json) of the articles' events."""
    out: list[tuple[str, str, str | None, str]] = []
    for chunk in _chunks(sorted(set(article_ids))):
        out.extend(conn.execute(
            f"SELECT article_id, id, date, json FROM events WHERE article_id IN ({_marks(len(chunk))})", list(chunk)
        ))
    return out


def figure_rows(conn: sqlite3.Connection, article_ids: Sequence[str]) -> list[tuple[str, int, str]]:
    """(article id, figure id, json) of the articles' figures."""
    out: list[tuple[str, int, str]] = []
    for chunk in _chunks(sorted(set(article_ids))):
        out.extend(conn.execute(
            f"SELECT article_id, id, json FROM figures WHERE article_id IN ({_marks(len(chunk))})", list(chunk)
        ))
    return out
