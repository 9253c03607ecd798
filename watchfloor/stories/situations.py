"""Situations: the stories of one theatre, close in time, grouped so a user can follow the stream.

A story's theatre is its dominant country (from the places and actors of its reports). Stories of one theatre
whose spans come within ``GAP_DAYS`` of each other share a situation; a story that bridges two situations
merges them (the older id stays). The name says where, what kind of development dominates and when:
"Syria: rebel offensive, Nov-Dec 2024".

Each situation keeps the sums of its stories' event kinds and actor types. A batch passes the before and
after profile of every story it changed, so the sums are updated by differences and a large situation is
never reloaded story by story.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import sqlite3
from dataclasses import dataclass, field
from functools import lru_cache

from watchfloor.store import stories as sql
from watchfloor.stories.cluster import StoryState

GAP_DAYS = 21.0
_GAP = GAP_DAYS * 86400.0

# Short names the press uses, where ISO's differ.
_COUNTRY_NAMES = {
    "COD": "DR Congo",
    "COG": "Congo-Brazzaville",
    "RUS": "Russia",
    "PSE": "Palestinian territories",
    "TUR": "Turkey",
    "GBR": "United Kingdom",
    "USA": "United States",
    "CIV": "Ivory Coast",
    "MMR": "Myanmar",
}


@lru_cache(maxsize=512)
def country_name(iso3: str) -> str:
    if iso3 in _COUNTRY_NAMES:
        return _COUNTRY_NAMES[iso3]
    try:
        import pycountry

        country = pycountry.countries.get(alpha_3=iso3)
    except (ImportError, KeyError, LookupError):
        country = None
    if country is None:
        return iso3
    return str(getattr(country, "common_name", None) or country.name)


# Kinds of development, by the event kinds that make them up ("event_type/sub_event_type" prefixes).
# Kinds of development, by the event kinds that make them up ("event_type/sub_event_type" prefixes), and how
# much one event of the kind says about what a situation is: a town changing hands defines an offensive more
# than the strikes that come with it.
_KINDS: list[tuple[str, tuple[str, ...], float]] = [
    (
        "offensive",
        ("Battles/Non-state actor overtakes territory", "Strategic developments/Non-violent transfer of territory"),
        3.0,
    ),
    ("counteroffensive", ("Battles/Government regains territory",), 3.0),
    ("fighting", ("Battles/Armed clash",), 1.5),
    ("air and missile strikes", ("Explosions/Remote violence/",), 1.0),
    ("attacks on civilians", ("Violence against civilians/",), 1.5),
    ("protests", ("Protests/", "Riots/"), 2.0),
    ("ceasefire and talks", ("Strategic developments/Agreement", "Diplomacy/"), 2.0),
    ("arrests and crackdown", ("Strategic developments/Arrests",), 1.0),
    ("disaster", ("Disasters/",), 2.0),
    ("political developments", ("Strategic developments/",), 1.0),
]


def development_kind(event_kinds: dict[str, float], actor_types: dict[str, float]) -> str:
    """ "rebel offensive", "air and missile strikes", ...; "developments" when no event says more."""
    totals: dict[str, float] = {}
    for kind, count in event_kinds.items():
        for label, prefixes, salience in _KINDS:
            if any(kind.startswith(p) for p in prefixes):
                totals[label] = totals.get(label, 0.0) + count * salience
                break
    if not totals:
        return "developments"
    label = min(totals, key=lambda k: (-totals[k], k))
    if label == "offensive":
        rebels = actor_types.get("Rebel group", 0.0)
        militia = actor_types.get("Political militia", 0.0) + actor_types.get("Identity militia", 0.0)
        state = actor_types.get("State forces", 0.0) + actor_types.get("External/Other forces", 0.0)
        if rebels >= max(militia, state) and rebels > 0:
            return "rebel offensive"
        if militia > state:
            return "militia offensive"
        return "military offensive"
    if label == "counteroffensive":
        return "government counteroffensive"
    return label


def month_span(first_ts: float, last_ts: float) -> str:
    a = dt.datetime.fromtimestamp(first_ts, dt.UTC)
    b = dt.datetime.fromtimestamp(last_ts, dt.UTC)
    if (a.year, a.month) == (b.year, b.month):
        return a.strftime("%b %Y")
    if a.year == b.year:
        return f"{a.strftime('%b')}-{b.strftime('%b %Y')}"
    return f"{a.strftime('%b %Y')}-{b.strftime('%b %Y')}"


def situation_name(
    theatre: str, event_kinds: dict[str, float], actor_types: dict[str, float], first_ts: float, last_ts: float
) -> str:
    return f"{country_name(theatre)}: {development_kind(event_kinds, actor_types)}, {month_span(first_ts, last_ts)}"


def situation_id_for(theatre: str, story_id: str) -> str:
    return "sit-" + hashlib.sha256(f"{theatre}\x1f{story_id}".encode()).hexdigest()[:12]


@dataclass(slots=True)
class Profile:
    """What a story contributes to its situation."""

    situation_id: str | None
    theatre: str | None
    event_kinds: dict[str, float] = field(default_factory=dict)
    actor_types: dict[str, float] = field(default_factory=dict)

    @classmethod
    def of(cls, state: StoryState) -> Profile:
        return cls(state.situation_id, state.theatre, dict(state.event_kinds), dict(state.actor_types))


def _add(target: dict[str, float], source: dict[str, float], sign: float) -> None:
    for key, value in source.items():
        new = target.get(key, 0.0) + sign * value
        if abs(new) < 1e-9:
            target.pop(key, None)
        else:
            target[key] = new


def _rename(row: sql.SituationRow) -> None:
    if row.theatre:
        row.name = situation_name(
            row.theatre, row.data.get("event_kinds", {}), row.data.get("actor_types", {}), row.first_ts, row.last_ts
        )


def update_situations(
    conn: sqlite3.Connection,
    before: dict[str, Profile],
    after: dict[str, StoryState],
    absorbed: list[str],
    live: dict[str, StoryState] | None = None,
) -> dict[str, str | None]:
    """Place changed stories in situations; returns story id -> situation id for every story in ``after``.

    ``before`` holds the profile each changed story had when loaded (absent for new stories), ``after`` the
    stories as they are now, ``absorbed`` the ids merged away (their profile leaves their situation).
    Sets ``situation_id`` on the states in ``after``; the caller saves them. States in ``live`` (stories the
    caller keeps in memory) follow when their situation is merged into another, as the stored rows do.
    """
    loaded: dict[str, sql.SituationRow] = {}
    deleted: set[str] = set()
    redirect: dict[str, str] = {}  # merged-away situation -> the one it went into

    def get(sid: str) -> sql.SituationRow | None:
        while sid in redirect:
            sid = redirect[sid]
        if sid in deleted:
            return None
        if sid not in loaded:
            rows = sql.get_situations(conn, [sid])
            if sid not in rows:
                return None
            loaded[sid] = rows[sid]
        return loaded[sid]

    def withdraw(profile: Profile) -> None:
        if profile.situation_id is None:
            return
        row = get(profile.situation_id)
        if row is None:
            return
        _add(row.data.setdefault("event_kinds", {}), profile.event_kinds, -1.0)
        _add(row.data.setdefault("actor_types", {}), profile.actor_types, -1.0)
        row.data["n_stories"] = row.data.get("n_stories", 1) - 1

    for sid in absorbed:
        if sid in before:
            withdraw(before[sid])
    result: dict[str, str | None] = {}
    for story in sorted(after.values(), key=lambda s: (s.first_ts, s.story_id)):
        previous = before.get(story.story_id)
        if previous is not None:
            withdraw(previous)
        theatre = story.theatre
        if theatre is None:
            story.situation_id = None
            result[story.story_id] = None
            continue
        lo, hi = story.first_ts - _GAP, story.last_ts + _GAP
        near = [r for r in sql.situations_near(conn, theatre, lo, hi) if r.id not in deleted]
        for row in list(loaded.values()):
            if row.id not in deleted and row.theatre == theatre and row.last_ts >= lo and row.first_ts <= hi:
                if all(r.id != row.id for r in near):
                    near.append(row)
        near = [loaded.setdefault(r.id, r) for r in near]
        near.sort(key=lambda r: (r.first_ts, r.id))
        if near:
            target = near[0]
            for other in near[1:]:
                # The story bridges two situations of one theatre: they are one.
                _add(target.data.setdefault("event_kinds", {}), other.data.get("event_kinds", {}), 1.0)
                _add(target.data.setdefault("actor_types", {}), other.data.get("actor_types", {}), 1.0)
                target.data["n_stories"] = target.data.get("n_stories", 0) + other.data.get("n_stories", 0)
                target.first_ts = min(target.first_ts, other.first_ts)
                target.last_ts = max(target.last_ts, other.last_ts)
                conn.execute("UPDATE story_state SET situation_id = ? WHERE situation_id = ?", (target.id, other.id))
                conn.execute("UPDATE stories SET situation_id = ? WHERE situation_id = ?", (target.id, other.id))
                for sid, value in result.items():
                    if value == other.id:
                        result[sid] = target.id
                for state in itertools.chain(after.values(), (live or {}).values()):
                    if state.situation_id == other.id:
                        state.situation_id = target.id
                deleted.add(other.id)
                redirect[other.id] = target.id
                sql.delete_situation(conn, other.id)
        else:
            target = sql.SituationRow(
                situation_id_for(theatre, story.story_id), "", theatre, story.first_ts, story.last_ts, {}
            )
            loaded[target.id] = target
        _add(target.data.setdefault("event_kinds", {}), story.event_kinds, 1.0)
        _add(target.data.setdefault("actor_types", {}), story.actor_types, 1.0)
        target.data["n_stories"] = target.data.get("n_stories", 0) + 1
        target.first_ts = min(target.first_ts, story.first_ts)
        target.last_ts = max(target.last_ts, story.last_ts)
        story.situation_id = target.id
        result[story.story_id] = target.id
    for row in loaded.values():
        if row.id in deleted:
            continue
        if row.data.get("n_stories", 0) <= 0:
            sql.delete_situation(conn, row.id)
            continue
        _rename(row)
        sql.save_situation(conn, row)
    return result
