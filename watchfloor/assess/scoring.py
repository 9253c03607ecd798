"""Settling checkable judgments against later reports, and the Brier score.

A judgment with a checkable claim carries a machine-readable ``check`` next to its human criterion:

* ``control``         the place passes to one of the sides (a control change at the place, within 12 km) by the deadline;
* ``control_any``     any further place (not in ``exclude``) passes to the sides, or from ``any_against``;
* ``figure_at_least`` a figure of that kind of at least ``threshold`` is reported;
* ``signal``          a later sentence carries the cue (a leader leaving, an interim government, an international
  move, a border effect, economic disruption), optionally naming given people, sides or countries;
* ``event``           a later event of the given sub types;
* ``no_event`` / ``no_alignment``  nothing of the kind by the deadline (false as soon as it happens);
* ``conditional``     if the condition comes true, the outcome must follow within ``within_days``; if the
  condition never comes true by its deadline, the judgment is void (not scored).

Only evidence first reported after the judgment was made can settle it. A positive claim not met by its
deadline is false, and a negative one true, but only when the store holds reports of the theatre from after
the deadline: silence in a theatre nobody reported on proves nothing, and such a judgment becomes void
(unscored) 60 days after its deadline. "Now" is the newest report in the store, so replaying old reports
settles judgments as they would have been settled at the time.

Brier score: the mean of (p - outcome)^2 over settled judgments, with p the engine's point estimate; 0 is
perfect, 0.25 is what always saying 50% earns.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from watchfloor.models import Event, EvidenceRef
from watchfloor.situation.sources import Sources, parse_day
from watchfloor.situation.state import SAME_PLACE_KM, Situation, haversine_km

_INTL = re.compile(
    r"\b(?:United Nations|UN|U\.N\.|Security Council|World Health Organization|World Food Programme|OCHA|UNHCR|"
    r"UNICEF|International Monetary Fund|IMF|European Union|EU|African Union|Red Cross|Red Crescent|NATO)\b"
)


@dataclass(slots=True)
class Outcome:
    status: str  # true | false | open | void
    at: str | None = None
    refs: list[EvidenceRef] = field(default_factory=list)


@dataclass(slots=True)
class World:
    """What is known now about a theatre, to settle judgments against."""

    situation: Situation
    events: list[Event]
    sources: Sources
    now: str  # ISO timestamp of the newest report
    kb: Any = None

    @property
    def coverage_until(self) -> str | None:
        """The newest report of the theatre itself: how far the store can speak for it."""
        return self.sources.latest_date()


def _is_new(reported: str | None, date: str | None, after: str) -> bool:
    """First reported after the judgment was made (falling back to the fact's own date)."""
    if reported:
        return reported > after
    return bool(date) and str(date) > after[:10]


def _in_time(date: str | None, deadline: str | None) -> bool:
    return not deadline or not date or date[:10] <= deadline[:10]


def _past(now: str, deadline: str | None) -> bool:
    return bool(deadline) and now[:10] > str(deadline)[:10]


def _accepted(world: World, sides: Sequence[str]) -> set[str]:
    out = set(sides)
    out.update(s for x in sides if (s := world.situation.resolve_side(x)))
    return out


def evaluate(check: dict[str, Any], world: World) -> Outcome:
    kind = check.get("type")
    after = str(check.get("after") or "")
    deadline = check.get("deadline")
    handler = _HANDLERS.get(str(kind))
    if handler is None:
        return Outcome("open")
    hit = handler(check, world, after, deadline)
    if hit is not None:
        return hit
    if not _past(world.now, deadline):
        return Outcome("open")
    # Silence proves nothing without coverage: a claim is settled by absence only when the store holds reports
    # of the theatre from after the deadline; with none for a long while it is void (unscorable), not false.
    if _past(world.coverage_until or "", deadline):
        return Outcome("true" if kind in ("no_event", "no_alignment") else "false", str(deadline))
    if _past(world.now, _plus(deadline, VOID_AFTER_DAYS)):
        return Outcome("void", str(deadline))
    return Outcome("open")


VOID_AFTER_DAYS = 60


def _plus(day: str | None, days: int) -> str | None:
    d = parse_day(day)
    return (d + dt.timedelta(days=days)).isoformat() if d else day


def _control(check: dict[str, Any], world: World, after: str, deadline: str | None) -> Outcome | None:
    sides = _accepted(world, check.get("sides") or [])
    lat, lon, place = check.get("lat"), check.get("lon"), check.get("place")
    for c in sorted(world.situation.changes, key=lambda c: c.date):
        if c.taker not in sides or not (c.full or check.get("entered_ok")):
            continue
        same = c.place == place or (lat is not None and lon is not None and haversine_km(c.lat, c.lon, lat, lon) <= SAME_PLACE_KM)
        if same and _is_new(c.first_reported, c.date, after) and _in_time(c.date, deadline):
            return Outcome("true", c.date, list(c.evidence[:3]))
    return None


def _control_any(check: dict[str, Any], world: World, after: str, deadline: str | None) -> Outcome | None:
    sides = _accepted(world, check.get("sides") or [])
    against = check.get("any_against")
    exclude = set(check.get("exclude") or [])
    for c in sorted(world.situation.changes, key=lambda c: c.date):
        if not c.full or c.place in exclude:
            continue
        if sides and c.taker not in sides:
            continue
        if against and not (c.loser == against or (c.taker != against and not c.taker.startswith(("gov:", "state:")))):
            continue
        if _is_new(c.first_reported, c.date, after) and _in_time(c.date, deadline):
            return Outcome("true", c.date, list(c.evidence[:3]))
    return None


def _figure(check: dict[str, Any], world: World, after: str, deadline: str | None) -> Outcome | None:
    threshold = int(check.get("threshold") or 0)
    for p in sorted(world.situation.series(str(check.get("kind"))), key=lambda p: (p.date, -p.value)):
        if p.value >= threshold and _is_new(p.first_reported, p.date, after) and _in_time(p.date, deadline):
            return Outcome("true", p.date, [p.evidence])
    return None


def _signal(check: dict[str, Any], world: World, after: str, deadline: str | None) -> Outcome | None:
    kinds = set(check.get("kinds") or [])
    names = [n for n in check.get("names") or [] if n]
    surnames = {n.split()[-1] for n in names}
    sides = _accepted(world, check.get("sides") or [])
    countries = set(check.get("countries") or [])
    theatre = world.situation.theatre
    for s in world.situation.signals:
        if s.kind not in kinds or s.hedged:
            continue
        if not _is_new(s.reported, s.date, after) or not _in_time(s.date, deadline):
            continue
        text = s.evidence.text
        if names or sides:
            by_name = any(re.search(rf"\b{re.escape(n)}\b", text) for n in surnames)
            by_side = bool(sides & {world.situation.resolve_side(a) or a for a in s.actors})
            if not (by_name or by_side):
                continue
        if countries and not countries & set(s.countries):
            continue
        if check.get("international") and not (_INTL.search(text) or any(c != theatre for c in s.countries)):
            continue
        return Outcome("true", s.date, [s.evidence])
    return None


def _event_date(world: World, e: Event) -> str | None:
    return world.sources.date_of(e.article_id or "")


def _event(check: dict[str, Any], world: World, after: str, deadline: str | None) -> Outcome | None:
    subs = set(check.get("sub_types") or [])
    for e in sorted(world.events, key=lambda e: e.date or ""):
        if e.sub_event_type not in subs or e.modality not in ("asserted", "reported"):
            continue
        if _is_new(_event_date(world, e), e.date, after) and _in_time(e.date, deadline):
            return Outcome("true", e.date, [_event_ref(world, e)])
    return None


def _event_ref(world: World, e: Event) -> EvidenceRef:
    doc = world.sources.get(e.article_id or "")
    if doc is not None:
        span = doc.clean_sentence(e.evidence.start)
        if span:
            return doc.ref(*span)
    return EvidenceRef(e.article_id or "", e.evidence.start, e.evidence.end, e.evidence.text)


def _no_event(check: dict[str, Any], world: World, after: str, deadline: str | None) -> Outcome | None:
    types = set(check.get("event_types") or [])
    sides = _accepted(world, check.get("sides") or [])
    from watchfloor.situation.state import Sides

    resolver = Sides(world.kb, world.situation.theatre)
    for e in sorted(world.events, key=lambda e: e.date or ""):
        if e.event_type not in types or e.modality not in ("asserted", "reported"):
            continue
        involved = set()
        for ref in (e.actor1, e.actor2):
            if ref is not None:
                raw = resolver.raw_side(ref.id, ref.name)
                involved.add(world.situation.resolve_side(raw) or raw or "")
                involved.add(ref.id or "")
        if sides and not sides & involved:
            continue
        if _is_new(_event_date(world, e), e.date, after) and _in_time(e.date, deadline):
            return Outcome("false", e.date, [_event_ref(world, e)])
    return None


def _no_alignment(check: dict[str, Any], world: World, after: str, deadline: str | None) -> Outcome | None:
    source, kind, target = check.get("source"), check.get("kind"), world.situation.resolve_side(check.get("target"))
    for a in world.situation.alignments_of(kind):
        if a.source != source or (target and a.target != target):
            continue
        for ref in a.evidence:
            reported = world.sources.date_of(ref.article_id)
            if _is_new(reported, a.date, after) and _in_time((reported or a.date or "")[:10], deadline):
                return Outcome("false", (reported or a.date or "")[:10], [ref])
    return None


def _conditional(check: dict[str, Any], world: World, after: str, deadline: str | None) -> Outcome | None:
    condition = dict(check.get("condition") or {})
    cond = evaluate(condition, world)
    if cond.status == "false":
        return Outcome("void", cond.at)
    if cond.status != "true":
        return Outcome("open")
    outcome = dict(check.get("outcome") or {})
    start = parse_day(cond.at) or parse_day(after) or dt.date.today()
    outcome.setdefault("after", condition.get("after") or after)
    outcome["deadline"] = (start + dt.timedelta(days=int(outcome.pop("within_days", 30)))).isoformat()
    result = evaluate(outcome, world)
    if result.status in ("true", "false"):
        return Outcome(result.status, result.at, cond.refs[:1] + result.refs)
    return Outcome("open")


_HANDLERS = {
    "control": _control,
    "control_any": _control_any,
    "figure_at_least": _figure,
    "signal": _signal,
    "event": _event,
    "no_event": _no_event,
    "no_alignment": _no_alignment,
    "conditional": _conditional,
}


# -- Brier ------------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class ScoreLine:
    pattern: str
    n: int = 0
    true: int = 0
    false: int = 0
    open: int = 0
    void: int = 0
    brier: float | None = None
    mean_p: float | None = None
    base_rate: float | None = None  # how often the pattern's claims came true

    def to_dict(self) -> dict[str, Any]:
        return {
            "pattern": self.pattern, "settled": self.n, "true": self.true, "false": self.false, "open": self.open,
            "void": self.void, "brier": self.brier, "mean_p": self.mean_p, "observed": self.base_rate,
        }


def brier(pairs: Iterable[tuple[float, bool]]) -> float | None:
    items = list(pairs)
    if not items:
        return None
    return round(sum((p - (1.0 if o else 0.0)) ** 2 for p, o in items) / len(items), 4)


@dataclass(slots=True)
class Scored:
    pattern: str
    subject: str
    theatre: str | None
    made_at: str
    p: float
    status: str


def scorecard(rows: Sequence[Scored]) -> tuple[list[ScoreLine], ScoreLine]:
    """Per pattern and overall. The same claim made twice on one day (by two stories of one theatre) counts once."""
    unique: dict[tuple[str, str, str | None, str], Scored] = {}
    for r in rows:
        unique[(r.pattern, r.subject, r.theatre, r.made_at[:10])] = r
    by_pattern: dict[str, list[Scored]] = defaultdict(list)
    for r in unique.values():
        by_pattern[r.pattern].append(r)
    lines = [_line(p, items) for p, items in sorted(by_pattern.items())]
    overall = _line("overall", list(unique.values()))
    return lines, overall


def _line(name: str, items: list[Scored]) -> ScoreLine:
    line = ScoreLine(name)
    settled = [(r.p, r.status == "true") for r in items if r.status in ("true", "false")]
    line.n = len(settled)
    line.true = sum(1 for _, o in settled if o)
    line.false = line.n - line.true
    line.open = sum(1 for r in items if r.status == "open")
    line.void = sum(1 for r in items if r.status == "void")
    line.brier = brier(settled)
    if settled:
        line.mean_p = round(sum(p for p, _ in settled) / len(settled), 3)
        line.base_rate = round(line.true / line.n, 3)
    return line
