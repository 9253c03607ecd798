"""The library of analytic patterns: each reads the situation and the story and drafts judgments.

Every pattern is one small function registered with ``@pattern`` and documents, in its registration:

* its **base rate**: what usually happens in situations of that kind, before this story's evidence (these are
  stated assumptions drawn from how conflicts and crises generally unfold, not rates measured on this data;
  ``watchfloor scorecard`` shows how well they do);
* its **evidence rule**: what must be in the sources for it to fire, and which facts move the estimate.

Factors move the estimate in log-odds (see ``likelihood.py``): independent sources and momentum raise it,
counter-evidence lowers it, and each factor's note says what it saw. Statements are built only from names
and numbers found in the situation and the sources; the linter refuses any that are not.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import lru_cache

from watchfloor.assess.base import (
    Context,
    Draft,
    add,
    dedupe_refs,
    fmt_day,
    join_names,
    km_phrase,
    nice_threshold,
    pattern,
)
from watchfloor.assess.likelihood import Estimate, corroboration, counter_evidence, factor, logit, momentum
from watchfloor.models import EvidenceRef
from watchfloor.situation import lexicon
from watchfloor.situation.sources import SourceDoc, parse_day
from watchfloor.situation.state import (
    VIOLENT_TYPES,
    ControlChange,
    FigurePoint,
    Signal,
    _elsewhere,
    _historical,
    haversine_km,
)

# -- shared readings ------------------------------------------------------------------------------------------


def _story_first(ctx: Context, refs: list[EvidenceRef], limit: int = 5) -> list[EvidenceRef]:
    ordered = sorted(refs, key=lambda r: (not ctx.in_story(r), ctx.sources.date_of(r.article_id) or "", r.start))
    return dedupe_refs(ordered, limit)


def _signal_refs(signals: list[Signal]) -> list[EvidenceRef]:
    return [s.evidence for s in signals]


def _articles(signals: list[Signal]) -> int:
    return len({s.evidence.article_id for s in signals})


def _lead(ctx: Context, days: int = 14) -> tuple[str, list[ControlChange]] | None:
    """The side making the running: the non-government side with gains in the last ``days``."""
    lead = ctx.situation.lead_side()
    if lead is None:
        return None
    gains = ctx.situation.gains(lead, since=ctx.days_ago(days), until=ctx.made_at)
    # Only ground taken in the theatre itself: a Moscow story does not put Syrian rebels at Moscow's gates.
    gains = [c for c in gains if not ctx.theatre or not c.country or c.country == ctx.theatre]
    return (lead, gains) if gains else None


def _places(gains: list[ControlChange], full_only: bool = True, limit: int = 4) -> list[str]:
    seen: list[str] = []
    for c in sorted(gains, key=lambda c: c.date):
        if (c.full or not full_only) and c.place not in seen:
            seen.append(c.place)
    return seen[-limit:]


def _members(ctx: Context, side: str) -> list[str]:
    info = ctx.situation.sides.get(side)
    return list(info.members) if info else [side]


def _story_relevant(ctx: Context, refs: list[EvidenceRef], sides: list[str]) -> bool:
    """The story itself speaks of these facts or these sides."""
    if any(ctx.in_story(r) for r in refs):
        return True
    for doc in ctx.story_docs():
        for m in doc.actors:
            if ctx.situation.resolve_side(ctx.situation.merged.get(m.actor_id or "", m.actor_id)) in sides:
                return True
    return False


def _gov_backers_pledging(ctx: Context, days: int = 7) -> list[str]:
    gov = ctx.situation.government()
    since = ctx.days_ago(days)
    return sorted({a.source for a in ctx.situation.alignments_of("backs", target=gov, origin="text") if (a.date or "") >= since})


def _withdrawing_backers(ctx: Context, target: str | None = None, days: int = 14) -> list[tuple[str, list[EvidenceRef]]]:
    since = ctx.days_ago(days)
    out = []
    for a in ctx.situation.alignments_of("withdraws_support", target=target):
        if (a.date or "") >= since and a.evidence:
            out.append((a.source, a.evidence))
    return out


def _country_adjective(side: str) -> str:
    if side.startswith("state:"):
        return lexicon.demonym(side[6:])
    return side


def _resistance_about(ctx: Context, place: str, days: int = 7) -> list[Signal]:
    return [s for s in ctx.signals("resistance", days=days) if place in s.evidence.text]


# -- balance of power -----------------------------------------------------------------------------------------


@pattern(
    "territorial-momentum",
    kind="balance-of-power",
    base_rate=0.5,
    base_note="an armed advance that took ground in the past two weeks takes at least one more town within the next "
    "two weeks about half the time; offensives often pause to consolidate",
    evidence_rule="needs at least one place taken by a non-government side in the last 14 days (a territory event or "
    "a capture phrase); raised by more places taken in the last 7 days, reports of government forces withdrawing or "
    "surrendering, foreign backers of the government withdrawing, and independent sources; lowered by government "
    "regains, reinforcements or counter-attacks, and fresh foreign pledges to the government",
)
def territorial_momentum(ctx: Context) -> list[Draft]:
    found = _lead(ctx)
    if found is None:
        return []
    lead, gains = found
    refs = [r for c in gains for r in c.evidence]
    if not _story_relevant(ctx, refs, [lead]):
        return []
    name = ctx.side_name(lead)
    places = _places(gains) or _places(gains, full_only=False)
    recent = {c.place for c in ctx.situation.gains(lead, since=ctx.days_ago(7), until=ctx.made_at)}
    factors = []
    add(factors, momentum(len(recent), f"{len(recent)} places passed to {name} in the last 7 days ({join_names(sorted(recent))})", 0.3, 1.2))
    collapse = ctx.signals("collapse", days=7)
    if collapse:
        add(factors, factor("momentum", min(0.75, 0.25 * _articles(collapse)), f"{_articles(collapse)} report(s) of government forces withdrawing, surrendering or collapsing"))
    gov = ctx.situation.government()
    since = ctx.days_ago(14)
    regains = [c for c in ctx.situation.changes if c.taker == gov and c.date >= since]
    add(factors, counter_evidence(len(regains), f"government forces retook {join_names(sorted({c.place for c in regains}))}", 0.6, 1.2))
    resistance = ctx.signals("resistance", days=7)
    add(factors, counter_evidence(_articles(resistance), f"{_articles(resistance)} report(s) of reinforcements, counter-attacks or attacks repelled", 0.3, 0.9))
    leaving = _withdrawing_backers(ctx, gov)
    if leaving:
        add(factors, factor("external", 0.3, f"foreign backers of the government pulling back ({join_names(sorted({_country_adjective(s) for s, _ in leaving}))})"))
    pledges = _gov_backers_pledging(ctx)
    if pledges:
        add(factors, factor("counter-evidence", -0.2 * min(2, len(pledges)), f"fresh pledges of support to the government ({join_names([ctx.side_name(p) for p in pledges])})"))
    add(factors, corroboration(ctx.independent(refs), "the captures"))
    deadline = ctx.deadline(14)
    held = sorted({pc.place for pc in ctx.situation.held_by(lead)})
    # One sentence for each place the statement names comes first, so every name is in the evidence.
    named = [next(c.evidence[0] for c in gains if c.place == p and c.evidence) for p in places]
    evidence = dedupe_refs(named + _story_first(ctx, refs + _signal_refs(collapse[:2])), 6)
    return [
        Draft(
            pattern="territorial-momentum",
            kind="balance-of-power",
            subject=f"momentum:{lead}",
            template=f"{{LIKELY}} the balance of power in {ctx.country} keeps shifting toward {name} over the next 14 days, "
            f"with at least one more town or city passing to them after {join_names(places)}.",
            estimate=Estimate(0.5, factors),
            evidence=evidence,
            assumptions=[
                f"The reports that {name} took {join_names(places)} are accurate and the places are held, not only entered.",
                "No outside intervention or negotiated pause freezes the front lines in the next two weeks.",
            ],
            alternatives=[
                f"{ctx.situation.side_name(gov) if gov else 'Government forces'} regroup and halt the advance along a new line.",
                "A truce brokered by outside powers freezes the front where it stands.",
            ],
            indicators=[
                "More reports of government units withdrawing, surrendering or abandoning positions.",
                f"Government reinforcements or counter-attacks near {places[-1]}.",
                "Foreign air support or fighters arriving to back government forces.",
            ],
            horizon_days=14,
            criterion=f"Control of at least one more town or city in {ctx.country}, beyond {join_names(held or places)}, passes to {name} by {deadline}.",
            check={"type": "control_any", "sides": _members(ctx, lead), "exclude": held, "after": ctx.made_at, "deadline": deadline},
            deadline=deadline,
            weight=len(places),
        )
    ]


@pattern(
    "next-objective",
    kind="balance-of-power",
    base_rate=0.3,
    base_note="a named city ahead of an advancing force falls to it within two weeks in a minority of cases; most "
    "offensives stall before their stated objectives",
    evidence_rule="needs an advancing non-government side (gains in the last 14 days) and a place the reports name as "
    "its objective (\"toward Homs\", \"the target is Damascus\", at the outskirts of) or the capital; raised when the "
    "front is close (haversine km from the nearest held place), when the pace of the advance covers the distance in "
    "the horizon, when fighters are at the outskirts, by momentum and by foreign backers withdrawing; lowered by "
    "reinforcements at the objective, denials and fresh pledges to the government",
)
def next_objective(ctx: Context) -> list[Draft]:
    found = _lead(ctx)
    if found is None:
        return []
    lead, gains = found
    sit = ctx.situation
    name = ctx.side_name(lead)
    held = [pc for pc in sit.held_by(lead)] or []
    positions = [(pc.place, pc.lat, pc.lon) for pc in held] or [(c.place, c.lat, c.lon) for c in gains]
    targets: dict[str, tuple[float, float, list[EvidenceRef], bool, bool]] = {}
    for obj in sit.objectives:
        if sit.resolve_side(obj.side) != lead:
            continue
        entry = targets.get(obj.place)
        refs = list(obj.evidence) + (entry[2] if entry else [])
        targets[obj.place] = (obj.lat, obj.lon, refs, obj.approach or bool(entry and entry[3]), False)
    capital = sit.capital
    if capital is not None and capital.lat is not None and capital.lon is not None and _capital_in_play(ctx, lead, positions):
        cap_name = next((n for n in targets if n == capital.name), capital.name)
        entry = targets.get(cap_name)
        targets[cap_name] = (capital.lat, capital.lon, entry[2] if entry else [], bool(entry and entry[3]), True)
    candidates = []
    for place, (lat, lon, refs, approach, is_capital) in targets.items():
        pc = sit.controller_at(lat, lon, place)
        if pc is not None and pc.controller == lead:
            continue
        dist, near = min(((haversine_km(p_lat, p_lon, lat, lon), p) for p, p_lat, p_lon in positions), key=lambda x: x[0])
        if dist < 3:
            continue
        if not refs and not is_capital:
            continue
        candidates.append((dist, place, lat, lon, refs, approach, is_capital, near))
    if not candidates:
        return []
    # The objective the reports name most often (then the nearest), and the capital.
    candidates.sort(key=lambda c: (-len({r.article_id for r in c[4]}), c[0]))
    named = [c for c in candidates if c[4] and not c[6]]
    chosen = named[:1] + [c for c in candidates if c[6]][:1]
    if not chosen:
        chosen = candidates[:1]
    recent = {c.place for c in sit.gains(lead, since=ctx.days_ago(7), until=ctx.made_at)}
    advance = next((a for a in sit.advances if a.side == lead and capital is not None and a.target == capital.name), None)
    leaving = _withdrawing_backers(ctx, sit.government())
    pledges = _gov_backers_pledging(ctx)
    gain_refs = [r for c in gains for r in c.evidence]
    drafts = []
    for dist, place, lat, lon, refs, approach, is_capital, near in chosen:
        factors = []
        if dist <= 50:
            add(factors, factor("distance", 0.7, f"their nearest held ground ({near}) is {km_phrase(dist)} away"))
        elif dist <= 120:
            add(factors, factor("distance", 0.3, f"their nearest held ground ({near}) is {km_phrase(dist)} away"))
        elif dist > 400:
            add(factors, factor("distance", -1.0, f"their nearest held ground ({near}) is {km_phrase(dist)} away"))
        elif dist > 250:
            add(factors, factor("distance", -0.5, f"their nearest held ground ({near}) is {km_phrase(dist)} away"))
        if advance is not None and advance.km_per_day > 0:
            reach = advance.km_per_day * 14
            if reach >= dist:
                add(factors, factor("pace", 0.5, f"at the pace since {fmt_day(advance.first_date)} (about {advance.km_per_day:.0f} km a day toward {advance.target}) {place} is within reach in 14 days"))
            elif reach >= dist / 2:
                add(factors, factor("pace", 0.2, f"the pace since {fmt_day(advance.first_date)} (about {advance.km_per_day:.0f} km a day) covers half the distance in 14 days"))
        if approach:
            add(factors, factor("momentum", 0.6, f"fighters are reported at the edge of {place}"))
        if refs:
            add(factors, factor("intent", 0.2, f"the reports name {place} as an objective"))
        add(factors, momentum(len(recent), f"{len(recent)} places taken in the last 7 days", 0.25, 1.0))
        collapse_here = [s for s in ctx.signals("collapse", days=7) if place in s.evidence.text]
        if collapse_here:
            add(factors, factor("momentum", 0.4, f"reports of government forces pulling out of {place}"))
        resist = _resistance_about(ctx, place)
        add(factors, counter_evidence(len(resist), f"reports of government reinforcements or resistance at {place}", 0.5, 1.0))
        denials = [s for s in ctx.signals("denial", days=7) if place in s.evidence.text]
        add(factors, counter_evidence(len(denials), f"the government denies losing ground around {place}", 0.3, 0.6))
        if leaving:
            add(factors, factor("external", 0.3, "foreign backers of the government are pulling back"))
        if pledges:
            add(factors, factor("counter-evidence", -0.2, "fresh foreign pledges to the government"))
        add(factors, corroboration(ctx.independent(gain_refs), "the advance"))
        deadline = ctx.deadline(14)
        label = f"the capital, {place}," if is_capital else place
        near_refs = [r for c in gains if c.place == near for r in c.evidence[:1]]
        near_refs += [r for pc in held if pc.place == near for r in pc.evidence[:1]]
        evidence = dedupe_refs(list(refs[:2]) + near_refs[:1] + _story_first(ctx, list(refs) + [s.evidence for s in collapse_here] + gain_refs), 6)
        drafts.append(
            Draft(
                pattern="next-objective",
                kind="balance-of-power",
                subject=f"take:{lead}:{place}",
                template=f"{{LIKELY}} {name} will take control of {label} by {fmt_day(deadline)}, {km_phrase(dist)} from their "
                f"positions at {near}.",
                estimate=Estimate(0.3, factors),
                evidence=evidence,
                assumptions=[
                    f"{name} keep their objective of {place} and the forces to press it.",
                    f"Government forces do not make a sustained stand at {place}.",
                ],
                alternatives=[
                    f"The advance stalls short of {place} while {name} consolidate what they hold.",
                    f"{place} changes hands through a negotiated handover later than {fmt_day(deadline)}.",
                ],
                indicators=[
                    f"Government units or officials leaving {place}.",
                    f"Fighting reported on the outskirts of {place}.",
                    f"Government reinforcements or air strikes concentrated around {place}.",
                ],
                horizon_days=14,
                criterion=f"Control of {place} passes to {name} by {deadline}.",
                check={"type": "control", "place": place, "lat": lat, "lon": lon, "sides": _members(ctx, lead),
                       "after": ctx.made_at, "deadline": deadline},
                deadline=deadline,
                weight=2.0 if is_capital else 1.5,
            )
        )
    return drafts


def _government_fallen(ctx: Context) -> bool:
    """The theatre's leader is reported gone (fled, toppled, resigned) or the capital is in other hands."""
    sit = ctx.situation
    gov = sit.government()
    info = sit.sides.get(gov or "")
    leader = info.leader_name if info else None
    if leader:
        surname = leader.split()[-1]
        for s in ctx.signals("leader_exit", days=30):
            if re.search(rf"\b{re.escape(surname)}\b", s.evidence.text) and _about_theatre(ctx, s):
                return True
    capital = sit.capital
    if capital is not None and capital.lat is not None and capital.lon is not None:
        pc = sit.controller_at(capital.lat, capital.lon, capital.name)
        if pc is not None and pc.controller and not pc.controller.startswith("gov:"):
            return True
    return False


def _capital_in_play(ctx: Context, lead: str, positions: list[tuple[str, float, float]]) -> bool:
    """The capital is at stake: the reports name it as the side's objective, the side says it wants the
    government gone, or its ground is within 150 km of the capital."""
    capital = ctx.situation.capital
    if capital is None or capital.lat is None or capital.lon is None:
        return False
    if any(ctx.situation.resolve_side(o.side) == lead and o.place == capital.name for o in ctx.situation.objectives):
        return True
    if ctx.signals("overthrow", days=30, hedged=None):
        return True
    return any(haversine_km(lat, lon, capital.lat, capital.lon) <= 150 for _, lat, lon in positions)


# -- scenario ---------------------------------------------------------------------------------------------------


@pattern(
    "capital-falls",
    kind="scenario",
    base_rate=0.7,
    base_note="governments that lose their capital to an armed advance rarely keep power for long",
    evidence_rule="needs an advancing non-government side with gains in the last 14 days and a capital it does not "
    "hold; raised by a stated aim to overthrow the government, foreign backers withdrawing and reports of collapse; "
    "lowered by fresh foreign pledges and resistance",
)
def capital_falls(ctx: Context) -> list[Draft]:
    found = _lead(ctx)
    sit = ctx.situation
    capital = sit.capital
    if found is None or capital is None or capital.lat is None or capital.lon is None:
        return []
    lead, gains = found
    pc = sit.controller_at(capital.lat, capital.lon, capital.name)
    if pc is not None and pc.controller == lead:
        return []
    positions = [(c.place, c.lat, c.lon) for c in gains] + [(p.place, p.lat, p.lon) for p in sit.held_by(lead)]
    if not _capital_in_play(ctx, lead, positions):
        return []
    name = ctx.side_name(lead)
    gov = sit.government()
    leader = sit.sides[gov].leader_name if gov and gov in sit.sides else None
    who = f"{leader}'s government" if leader else f"the {lexicon.demonym(ctx.theatre or '')} government"
    factors = []
    aim = ctx.signals("overthrow", days=30, hedged=None)
    if aim:
        add(factors, factor("intent", 0.3, f"{name} state their aim of overthrowing the government"))
    leaving = _withdrawing_backers(ctx, gov)
    backers = sorted({s for s, _ in leaving})
    if backers:
        add(factors, factor("external", min(0.7, 0.35 * len(backers)), f"foreign backers pulling back ({join_names([_country_adjective(b) for b in backers])})"))
    collapse = ctx.signals("collapse", days=7)
    if collapse:
        add(factors, factor("momentum", min(0.6, 0.2 * _articles(collapse)), f"{_articles(collapse)} report(s) of government forces collapsing or withdrawing"))
    pledges = _gov_backers_pledging(ctx)
    add(factors, counter_evidence(len(pledges), "fresh foreign pledges of support to the government", 0.3, 0.6))
    resistance = ctx.signals("resistance", days=7)
    add(factors, counter_evidence(_articles(resistance), "reports of resistance or reinforcements", 0.2, 0.6))
    refs = _signal_refs(aim[:2]) + [r for _, rs in leaving for r in rs[:1]] + _signal_refs(collapse[:2]) + [r for c in gains for r in c.evidence]
    refs += [r for o in sit.objectives if o.place == capital.name for r in o.evidence]
    if not _story_relevant(ctx, refs, [lead, gov or ""]):
        return []
    condition_deadline = ctx.deadline(30)
    return [
        Draft(
            pattern="capital-falls",
            kind="scenario",
            subject=f"capital:{lead}:{capital.name}",
            template=f"If {name} take control of {capital.name}, {{likely}} {who} will lose power within 30 days of the capital's fall.",
            estimate=Estimate(0.7, factors),
            evidence=_story_first(ctx, refs),
            assumptions=[
                f"Taking {capital.name} means holding the seat of government, not only entering the city.",
                "No foreign power intervenes at scale to restore the government after the capital falls.",
            ],
            alternatives=[
                f"The government relocates and keeps a rump state outside {capital.name}.",
                "A negotiated power-sharing arrangement keeps parts of the old government in office.",
            ],
            indicators=[
                f"Senior officials or the head of state leaving {capital.name}.",
                "Foreign backers evacuating personnel or closing embassies.",
                "Talks on a handover of state institutions.",
            ],
            horizon_days=30,
            criterion=f"If control of {capital.name} passes to {name} by {condition_deadline}, {who} loses power within 30 days of that.",
            check={
                "type": "conditional",
                "condition": {"type": "control", "place": capital.name, "lat": capital.lat, "lon": capital.lon,
                              "sides": _members(ctx, lead), "after": ctx.made_at, "deadline": condition_deadline,
                              "entered_ok": True},
                "outcome": {"type": "signal", "kinds": ["leader_exit"], "names": [leader] if leader else [],
                            "sides": [gov] if gov else [], "within_days": 30},
                "deadline": condition_deadline,
            },
            deadline=condition_deadline,
            weight=2.0,
        )
    ]


# -- external actors ----------------------------------------------------------------------------------------------


@pattern(
    "external-backer",
    kind="external-actor",
    base_rate=0.75,
    base_note="a state that openly backs a side in a civil war rarely drops it within a month",
    evidence_rule="needs a sentence in which a foreign state or actor backs or arms a side of the theatre (\"Turkish-"
    "backed\", \"pledged continued backing\", \"openly supported their advance\"); raised by several independent "
    "sources and by backing voiced at head-of-state level; lowered by denials; not drafted when the backer is "
    "already reported withdrawing",
)
def external_backer(ctx: Context) -> list[Draft]:
    sit = ctx.situation
    withdrawn = {(a.source, a.target) for a in sit.alignments_of("withdraws_support")}
    pairs: dict[tuple[str, str], list[EvidenceRef]] = {}
    gov = sit.government()
    fallen: bool | None = None
    for a in sit.alignments:
        if a.kind not in ("backs", "arms") or a.origin != "text" or not a.evidence:
            continue
        if (a.source, a.target) in withdrawn or not a.source.startswith("state:"):
            continue
        if a.target.startswith("state:") or a.target not in sit.sides:
            continue
        if a.target == gov:
            if fallen is None:
                fallen = _government_fallen(ctx)  # asked once, not for every alignment with the government
            if fallen:
                continue  # backing a government that has fallen is history, not a forecast
        pairs.setdefault((a.source, a.target), []).extend(a.evidence)
    if not pairs:
        return []
    ranked = sorted(pairs.items(), key=lambda kv: (-sum(ctx.in_story(r) for r in kv[1]), -len(kv[1]), kv[0]))
    lead = sit.lead_side()
    week_ago = ctx.days_ago(7)
    drafts = []
    for (source, target), refs in ranked[:2]:
        if not any(ctx.in_story(r) for r in refs):
            continue
        backer = ctx.side_name(source)
        backed = ctx.side_name(target)
        factors = []
        add(factors, corroboration(ctx.independent(refs), f"{backer}'s backing"))
        if any(re.search(r"\b(?:President|Prime Minister|Foreign Minister|Kremlin|spokesman)\b", r.text) for r in refs):
            add(factors, factor("directness", 0.2, "the backing is voiced by the government itself"))
        denials = [s for s in ctx.signals("denial", days=14) if source[6:] in s.countries]
        add(factors, counter_evidence(len(denials), f"{backer} denies a role", 0.3, 0.6))
        if target == lead:
            add(factors, factor("momentum", 0.15, f"the side {backer} backs is gaining ground"))
        lost = {c.place for c in sit.changes if c.loser == target and c.full and c.date >= week_ago}
        if len(lost) >= 2:
            add(factors, factor("counter-evidence", -0.5, f"the side {backer} backs lost {len(lost)} places in the last 7 days, and backers hedge when a client collapses"))
        deadline = ctx.deadline(30)
        role = "the advance of " + backed if target == lead else backed
        drafts.append(
            Draft(
                pattern="external-backer",
                kind="external-actor",
                subject=f"backs:{source}:{target}",
                template=f"{{LIKELY}} {backer} will keep backing {role} in {ctx.country} over the next 30 days, giving it a direct "
                f"stake in how the conflict ends.",
                estimate=Estimate(0.75, factors),
                evidence=_story_first(ctx, refs),
                assumptions=[
                    f"{backer}'s statements and actions reflect a settled policy, not a passing signal.",
                    f"No deal with other outside powers leads {backer} to step back.",
                ],
                alternatives=[
                    f"{backer} distances itself from {backed} to protect its ties with other powers.",
                    f"{backer} trades its backing for guarantees in a negotiated settlement.",
                ],
                indicators=[
                    f"New statements of support by {backer}'s leaders.",
                    f"Reports of {backer} supplying weapons, advisers or air cover.",
                    f"{backer} meeting rival powers on {ctx.country}.",
                ],
                horizon_days=30,
                criterion=f"No report by {deadline} that {backer} withdraws its support for {backed}.",
                check={"type": "no_alignment", "source": source, "kind": "withdraws_support", "target": target,
                       "after": ctx.made_at, "deadline": deadline},
                deadline=deadline,
                weight=len(refs),
            )
        )
    return drafts


@pattern(
    "backer-withdrawal",
    kind="withdrawal-fragmentation",
    base_rate=0.5,
    base_note="a side whose foreign backers pull back loses more ground within two weeks about half the time",
    evidence_rule="needs a report of a foreign backer withdrawing forces, personnel or support (\"withdrawal of pro-"
    "Iranian forces\", \"Iran began evacuating\", \"backing wanes\"); raised by more backers pulling back, by places "
    "changing hands in the last 7 days and by more than one armed group gaining; lowered by fresh pledges and "
    "resistance",
)
def backer_withdrawal(ctx: Context) -> list[Draft]:
    sit = ctx.situation
    by_target: dict[str, list[tuple[str, list[EvidenceRef]]]] = {}
    for source, refs in _withdrawing_backers(ctx):
        for a in sit.alignments_of("withdraws_support", source=source):
            by_target.setdefault(a.target, []).append((source, refs))
    if not by_target:
        return []
    target, items = max(by_target.items(), key=lambda kv: (len({s for s, _ in kv[1]}), kv[0]))
    if target == sit.government() and _government_fallen(ctx):
        return []  # nothing left to fragment: the government has gone
    backers = sorted({s for s, _ in items})
    refs = [r for _, rs in items for r in rs]
    who = sit.sides[target].name if target in sit.sides else ctx.side_name(target)
    leader = sit.sides[target].leader_name if target in sit.sides else None
    adjectives = join_names([_country_adjective(b) for b in backers])
    factors = []
    if len(backers) > 1:
        add(factors, factor("momentum", 0.4 * (len(backers) - 1), f"{len(backers)} backers pulling back ({adjectives})"))
    add(factors, corroboration(ctx.independent(refs), "the withdrawals"))
    week_ago = ctx.days_ago(7)
    recent = [c for c in sit.changes if c.loser == target and c.date >= week_ago]
    add(factors, momentum(len({c.place for c in recent}), f"{len({c.place for c in recent})} places lost in the last 7 days", 0.25, 1.0))
    takers = {c.taker for c in recent}
    if len(takers) >= 2:
        add(factors, factor("fragmentation", 0.4, f"{len(takers)} different armed groups took ground in the last 7 days"))
    first_withdrawal = min((a.date or "" for a in sit.alignments_of("withdraws_support", target=target)), default="")
    later_pledges = [
        a for a in sit.alignments_of("backs", target=target, origin="text")
        if a.source in backers and any((ctx.sources.date_of(r.article_id) or "")[:10] > first_withdrawal for r in a.evidence)
    ]
    add(factors, counter_evidence(len(later_pledges), "the same backers pledged support again", 0.4, 0.8))
    resistance = ctx.signals("resistance", days=7)
    add(factors, counter_evidence(_articles(resistance), "reports of resistance or reinforcements", 0.2, 0.6))
    lead = sit.lead_side()
    to_whom = f"{ctx.side_name(lead)} or other armed groups" if lead else "armed groups"
    held = sorted({pc.place for pc in sit.control.values() if pc.controller and pc.controller != target})
    deadline = ctx.deadline(14)
    control_of = f"{leader}'s control" if leader else f"the control of {who}"
    evidence = _story_first(ctx, refs + [r for c in recent for r in c.evidence[:1]])
    if not _story_relevant(ctx, evidence, [target]):
        return []
    return [
        Draft(
            pattern="backer-withdrawal",
            kind="withdrawal-fragmentation",
            subject=f"withdrawal:{target}",
            template=f"With {adjectives} support for {who} waning, {{likely}} {control_of} in {ctx.country} will fragment further "
            f"within 14 days, with more towns passing to {to_whom}.",
            estimate=Estimate(0.5, factors),
            evidence=evidence,
            assumptions=[
                f"The {adjectives} pullback is real and not a short repositioning.",
                f"{who} cannot replace the lost support from elsewhere within two weeks.",
            ],
            alternatives=[
                f"{who} fall back to defensible core areas and hold them.",
                "The backers return in force once they judge the risk acceptable.",
            ],
            indicators=[
                "More reports of foreign advisers, fighters or ships leaving.",
                f"Armed groups other than {ctx.side_name(lead) if lead else 'the strongest one'} taking towns.",
                "Local commanders switching sides or negotiating their departure.",
            ],
            horizon_days=14,
            criterion=f"At least one more town or city in {ctx.country} passes from {who} to any armed group by {deadline}.",
            check={"type": "control_any", "sides": [], "any_against": target, "exclude": held, "after": ctx.made_at,
                   "deadline": deadline},
            deadline=deadline,
            weight=len(backers),
        )
    ]


# -- humanitarian --------------------------------------------------------------------------------------------------


def _latest(points: list[FigurePoint], ctx: Context, days: int = 21) -> FigurePoint | None:
    since = ctx.days_ago(days)
    recent = [p for p in points if p.date >= since and p.date <= ctx.made_at[:10]]
    return max(recent, key=lambda p: (p.value, p.date)) if recent else None


def _rising(points: list[FigurePoint], latest: FigurePoint) -> FigurePoint | None:
    """An earlier, smaller figure of the same kind: the total is growing."""
    earlier = [p for p in points if p.date < latest.date and p.value * 1.05 < latest.value and p.value >= latest.value * 0.2]
    return max(earlier, key=lambda p: p.date) if earlier else None


def _disaster(ctx: Context) -> str | None:
    """The disaster the story's reports are about, if any (asked by several patterns: worked out once)."""
    if "disaster" not in ctx.memo:
        ctx.memo["disaster"] = _story_disaster(ctx)
    return ctx.memo["disaster"]  # type: ignore[no-any-return]


def _story_disaster(ctx: Context) -> str | None:
    counts: Counter[str] = Counter()
    for doc in ctx.story_docs():
        for noun, n in _disaster_counts(doc.text):
            counts[noun] += n
    if not counts or counts.most_common(1)[0][1] < 2:
        return None
    return counts.most_common(1)[0][0]


@lru_cache(maxsize=8192)
def _disaster_counts(text: str) -> tuple[tuple[str, int], ...]:
    """How often each disaster noun occurs in a report (every noun, in lexicon order, so ties break the same)."""
    return tuple((noun, len(rx.findall(text))) for noun, rx in lexicon.DISASTER_NOUNS)


def _source_phrase(point: FigurePoint) -> str:
    src = (point.source or "").strip()
    if not src or not src[:1].isupper() or len(src) > 80 or re.search(r"['\u2019]s?$", src):
        return ""
    article = "the " if re.match(r"(?:United|UN\b|World|International|Syrian Observatory|Kenya|Office|European)", src) and not src.lower().startswith("the ") else ""
    return f" reported by {article}{src}"


def _violence_recent(ctx: Context, days: int = 3) -> int:
    sit = ctx.situation
    since = ctx.days_ago(days)
    gains = [c for c in sit.changes if c.date >= since]
    active = sum(a.recent_events for a in sit.activity.values())
    return len(gains) + active


@pattern(
    "displacement-rise",
    kind="humanitarian",
    base_rate=0.45,
    base_note="displacement totals keep rising while fighting goes on, but a further 30% within two weeks is not the norm",
    evidence_rule="needs a reported figure of people displaced in the theatre in the last 3 weeks; raised when an "
    "earlier smaller figure shows the total rising, when fighting or captures continue in the last 3 days, and by "
    "independent sources; lowered by reports of people returning and by ceasefires",
)
def displacement_rise(ctx: Context) -> list[Draft]:
    points = ctx.situation.series("displaced")
    latest = _latest(points, ctx)
    if latest is None or latest.value < 1000:
        return []
    threshold = nice_threshold(latest.value * 1.3)
    factors = []
    earlier = _rising(points, latest)
    if earlier is not None:
        add(factors, factor("momentum", 0.5, f"the reported total rose from {earlier.value:,} ({fmt_day(earlier.date)}) to {latest.value:,} ({fmt_day(latest.date)})"))
    violence = _violence_recent(ctx)
    if violence:
        add(factors, factor("momentum", min(0.6, 0.2 + 0.1 * violence), "fighting or captures reported in the last 3 days"))
    returns = ctx.signals("return", days=7)
    add(factors, counter_evidence(_articles(returns), "some displaced people are reported returning", 0.3, 0.6))
    truce = ctx.signals("ceasefire", days=7)
    add(factors, counter_evidence(min(1, len(truce)), "a ceasefire or truce is reported", 0.4, 0.4))
    refs = [p.evidence for p in points if p.date >= ctx.days_ago(21)]
    add(factors, corroboration(ctx.independent(refs), "displacement figures"))
    deadline = ctx.deadline(14)
    evidence = _story_first(ctx, [latest.evidence] + ([earlier.evidence] if earlier else []) + refs)
    return [
        Draft(
            pattern="displacement-rise",
            kind="humanitarian",
            subject="displaced",
            template=f"{{LIKELY}} the number of people displaced in {ctx.country} will pass {threshold:,} by {fmt_day(deadline)}, "
            f"up from {latest.value:,}{_source_phrase(latest)}.",
            estimate=Estimate(0.45, factors),
            evidence=evidence,
            assumptions=[
                "Agencies keep counting and publishing displacement figures for the same area.",
                "Fighting continues near populated areas.",
            ],
            alternatives=[
                "Displacement levels off as front lines settle and some people return.",
                "Movements continue but go unrecorded because access is cut.",
            ],
            indicators=[
                "New UN or agency displacement updates.",
                "Fighting reaching cities not yet affected.",
                "Reports of crowded camps, closed crossings or blocked roads out of the area.",
            ],
            horizon_days=14,
            criterion=f"A figure of at least {threshold:,} people displaced in {ctx.country} is reported by {deadline}.",
            check={"type": "figure_at_least", "kind": "displaced", "threshold": threshold, "after": ctx.made_at, "deadline": deadline},
            deadline=deadline,
            weight=2.0,
        )
    ]


_CUMULATIVE = re.compile(r"(?i)\b(?:since|death toll|toll|in total|so far|altogether|overall|rose to|risen to|has risen|climbed)\b")


@lru_cache(maxsize=8192)
def _cumulative(sentence: str) -> bool:
    """The figure is a running total ("the death toll rose to"); the theatre's figures are read story after story."""
    return _CUMULATIVE.search(sentence) is not None


@pattern(
    "toll-rise",
    kind="humanitarian",
    base_rate=0.45,
    base_note="early death tolls are usually revised upward, in disasters especially, but not always by a quarter",
    evidence_rule="needs a reported death toll in the last 2 weeks; for disasters raised by people still missing or "
    "trapped and by officials expecting a rise, lowered once the event is more than 10 days old; for fighting raised "
    "by a rising count and continuing violence; lowered by ceasefires",
)
def toll_rise(ctx: Context) -> list[Draft]:
    points = [p for p in ctx.situation.series("killed") if _cumulative(p.evidence.text) or p.value >= 50]
    latest = _latest(points, ctx, days=14)
    if latest is None or latest.value < 5:
        return []
    disaster = _disaster(ctx)
    threshold = nice_threshold(max(latest.value * 1.25, latest.value + 10))
    factors = []
    if disaster:
        missing = ctx.signals("missing", days=10, hedged=None)
        if missing:
            add(factors, factor("momentum", 0.6, "people are still missing or trapped"))
        rising = ctx.signals("toll_rising", days=10, hedged=None)
        if rising:
            add(factors, factor("momentum", 0.5, "officials or reports say the toll is rising"))
        first = min((p.date for p in points), default=latest.date)
        age = (ctx.today - (parse_day(first) or ctx.today)).days
        if age <= 3:
            add(factors, factor("timing", 0.3, "the disaster is only days old"))
        elif age > 10:
            add(factors, factor("timing", -0.6, f"the first toll is {age} days old"))
    else:
        earlier = _rising(points, latest)
        if earlier is not None:
            add(factors, factor("momentum", 0.4, f"the count rose from {earlier.value:,} to {latest.value:,}"))
        violence = _violence_recent(ctx)
        if violence:
            add(factors, factor("momentum", min(0.6, 0.2 + 0.1 * violence), "violence reported in the last 3 days"))
    truce = ctx.signals("ceasefire", days=7)
    add(factors, counter_evidence(min(1, len(truce)), "a ceasefire or truce is reported", 0.4, 0.4))
    refs = [p.evidence for p in points if p.date >= ctx.days_ago(14)]
    add(factors, corroboration(ctx.independent(refs), "the toll"))
    deadline = ctx.deadline(14 if not disaster else 7)
    if disaster:
        place = ctx.place_in(latest.evidence) or ctx.country
        scope = f"the {disaster} in {place}"
        what = f"the death toll from {scope}"
    else:
        scope = f"the violence in {ctx.country}"
        what = f"the reported death toll of {scope}"
    evidence = _story_first(ctx, [latest.evidence] + refs)
    return [
        Draft(
            pattern="toll-rise",
            kind="humanitarian",
            subject="killed",
            template=f"{{LIKELY}} {what} will pass {threshold:,} by {fmt_day(deadline)}, up from {latest.value:,}{_source_phrase(latest)}.",
            estimate=Estimate(0.45, factors),
            evidence=evidence,
            assumptions=["The authorities or monitors keep publishing a running toll.", "The counts cover the same event and area."],
            alternatives=["The toll stays near its current level as searches end.", "Counting stops or slows because of lost access."],
            indicators=["Updated official or monitor tolls.", "Reports of bodies recovered or people still missing.", "New attacks or aftershocks in the same area."],
            horizon_days=14 if not disaster else 7,
            criterion=f"A death toll of at least {threshold:,} for {scope} is reported by {deadline}.",
            check={"type": "figure_at_least", "kind": "killed", "threshold": threshold, "after": ctx.made_at, "deadline": deadline},
            deadline=deadline,
            weight=1.5,
        )
    ]


# -- international response, escalation ---------------------------------------------------------------------------

_INTL_ORG = re.compile(
    r"\b(?:United Nations|UN|U\.N\.|Security Council|World Health Organization|World Food Programme|OCHA|UNHCR|"
    r"UNICEF|International Monetary Fund|IMF|European Union|EU|African Union|Red Cross|Red Crescent|NATO|"
    r"international community|aid agencies)\b"
)


@pattern(
    "international-response",
    kind="international-response",
    base_rate=0.6,
    base_note="a crisis with large losses draws new international statements, meetings, appeals or aid within two "
    "weeks in most cases",
    evidence_rule="needs a story sentence in which an international body or foreign government speaks, meets, "
    "appeals, pledges or sends aid; raised by the humanitarian scale (100,000 displaced, 100 killed), by several "
    "international actors already engaged and by escalation in the last week",
)
def international_response(ctx: Context) -> list[Draft]:
    # A hedge elsewhere in the sentence ("the potential for further escalations ... while the international
    # community watches closely") does not make the engagement itself hypothetical.
    intl = ctx.signals("international", days=14, story_only=True, hedged=None)
    intl = [s for s in intl if _INTL_ORG.search(s.evidence.text) or any(c != ctx.theatre for c in s.countries)]
    if not any(not s.hedged for s in intl) and not any(_INTL_ORG.search(s.evidence.text) for s in intl):
        return []
    if not intl:
        return []
    orgs: Counter[str] = Counter()
    for s in intl:
        for m in _INTL_ORG.finditer(s.evidence.text):
            orgs[m.group(0)] += 1
    named = [o for o, _ in orgs.most_common() if o not in ("international community", "aid agencies")]
    lead_org = None
    if named:
        top = named[0]
        lead_org = ("the " if top in ("United Nations", "UN", "U.N.", "Security Council", "World Health Organization", "World Food Programme", "International Monetary Fund", "IMF", "European Union", "EU", "African Union", "Red Cross", "Red Crescent") else "") + top
    actors = f"{lead_org} and foreign governments" if lead_org else "foreign governments and aid agencies"
    factors = []
    displaced = _latest(ctx.situation.series("displaced"), ctx)
    killed = _latest(ctx.situation.series("killed"), ctx, days=14)
    if displaced and displaced.value >= 100_000:
        add(factors, factor("scale", 0.4, f"{displaced.value:,} people displaced"))
    if killed and killed.value >= 100:
        add(factors, factor("scale", 0.3, f"a reported toll of {killed.value:,}"))
    engaged = len(set(named)) + len({c for s in intl for c in s.countries if c != ctx.theatre})
    add(factors, momentum(engaged, f"{engaged} international actors already engaged", 0.15, 0.6))
    lead = _lead(ctx, days=7)
    if lead and len({c.place for c in lead[1]}) >= 2:
        add(factors, factor("escalation", 0.3, "places changing hands in the last week"))
    add(factors, corroboration(ctx.independent(_signal_refs(intl)), "international engagement"))
    deadline = ctx.deadline(14)
    return [
        Draft(
            pattern="international-response",
            kind="international-response",
            subject="international",
            template=f"{{LIKELY}} {actors} will step up diplomatic or humanitarian action on {ctx.country} within 14 days, with at "
            f"least one new meeting, appeal, aid pledge or formal statement reported.",
            estimate=Estimate(0.6, factors),
            evidence=_story_first(ctx, _signal_refs(intl)),
            assumptions=[f"{ctx.country} stays high on the international agenda over the next two weeks.", "Access and funding allow agencies to act."],
            alternatives=["Attention shifts elsewhere and outside powers limit themselves to statements already made.", "Rival powers block joint action."],
            indicators=["Emergency meetings or calls between foreign ministers.", "New UN or agency appeals and funding pledges.", "Aid convoys or rescue teams sent."],
            horizon_days=14,
            criterion=f"A new international meeting, appeal, aid pledge or statement on {ctx.country} is reported by {deadline}.",
            check={"type": "signal", "kinds": ["international"], "international": True, "after": ctx.made_at, "deadline": deadline},
            deadline=deadline,
            weight=1.0,
        )
    ]


_FAMILIES: list[tuple[str, str, tuple[str, ...]]] = [
    ("air", "air and drone strikes", ("Air/drone strike",)),
    ("shelling", "shelling and missile attacks", ("Shelling/artillery/missile attack",)),
    ("clashes", "armed clashes", ("Armed clash",)),
    ("civilians", "attacks on civilians", ("Attack", "Abduction/forced disappearance", "Sexual violence")),
    ("bombs", "bombings", ("Suicide bomb", "Remote explosive/landmine/IED", "Grenade")),
    ("gangs", "gang violence", ("Organized crime",)),
    ("protests", "protests", ("Peaceful protest", "Protest with intervention", "Excessive force against protesters", "Violent demonstration", "Mob violence")),
]


@pattern(
    "escalation",
    kind="escalation",
    base_rate=0.55,
    base_note="violence of a kind already under way in a place usually recurs there within a week",
    evidence_rule="needs violent events or protests in the story in the last 7 days; raised by several such events, "
    "by the acting side's recent activity above its own daily average, by deaths and by calls to continue; lowered by "
    "ceasefires and by concessions",
)
def escalation(ctx: Context) -> list[Draft]:
    if _disaster(ctx):
        return []  # what a flood or an earthquake "does next" is not escalation
    events = [
        e for e in ctx.story.events
        if e.modality in ("asserted", "reported") and (e.date or "") >= ctx.days_ago(7) and (e.article_id in ctx.story_ids)
        and (e.location is None or not ctx.theatre or e.location.country in (None, ctx.theatre))
    ]
    # Violence needs a perpetrator, named or at least described ("members of a gang"); protests do not.
    events = [e for e in events if e.event_type in ("Protests", "Riots") or e.actor1 is not None or _PERPETRATOR.search(e.evidence.text)]
    counts: Counter[str] = Counter()
    by_family: dict[str, list] = {}
    for e in events:
        for fam, _, subs in _FAMILIES:
            if e.sub_event_type in subs and (e.event_type in VIOLENT_TYPES or fam in ("protests", "gangs") or e.event_type == "Battles"):
                counts[fam] += 1
                by_family.setdefault(fam, []).append(e)
                break
    if not counts:
        return []
    fam, _ = counts.most_common(1)[0]
    label = next(name for f, name, _ in _FAMILIES if f == fam)
    sit = ctx.situation
    # Who does it where: the most frequent (side, place) pair among the family's events.
    groups: dict[tuple[str | None, str | None], list[tuple[object, EvidenceRef]]] = {}
    for e in by_family[fam]:
        doc = ctx.sources.get(e.article_id or "")
        span = doc.clean_sentence(e.evidence.start) if doc else None
        if doc is None or span is None:
            continue
        ref = doc.ref(*span)
        side = sit.resolve_side(_side_of_ref(ctx, e.actor1.id, e.actor1.name)) if e.actor1 is not None else None
        if side is not None and side.startswith("generic:"):
            side = sit.resolve_side(side)
        if fam in ("air", "shelling", "bombs") and side == sit.government():
            # A government striking its own capital is more often a foreign attack its air force reported.
            foreign = [c.iso3 for c in ctx.country_mentions(ref) if c.iso3 != ctx.theatre]
            side = f"state:{foreign[0]}" if foreign else None
        if fam == "gangs" or (e.actor1 is not None and (e.actor1.type or "") in ("International organisation", "NGO")):
            side = None
        where = e.location.name if e.location is not None and e.location.geo_precision < 3 and e.location.name in ref.text else ctx.place_in(ref)
        groups.setdefault((side, where), []).append((e, ref))
    if not groups:
        return []
    (actor_side, place_name), pairs = max(groups.items(), key=lambda kv: (len(kv[1]), kv[0][0] is not None, kv[0][1] is not None, str(kv[0])))
    items = [e for e, _ in pairs]
    refs = [r for _, r in pairs]
    n = len(items)
    place = place_name or ""
    by = f" by {ctx.side_name(actor_side)}" if actor_side and actor_side in sit.sides and fam != "protests" else ""
    factors = []
    add(factors, momentum(n, f"{n} such events in the story in the last 7 days", 0.2, 0.8))
    if actor_side and actor_side in sit.activity:
        act = sit.activity[actor_side]
        if act.ratio is not None and act.ratio >= 1.5 and act.recent_events >= 2:
            add(factors, factor("activity", 0.4, f"{ctx.side_name(actor_side)} are at {act.ratio:.1f} times their own earlier daily average"))
        elif act.ratio is not None and act.ratio < 0.7 and act.baseline_per_day:
            add(factors, factor("activity", -0.4, f"{ctx.side_name(actor_side)} are below their own earlier daily average"))
    deaths = sum(getattr(e, "fatalities", 0) or 0 for e in items)
    if deaths >= 10:
        add(factors, factor("severity", 0.2, f"at least {deaths} deaths reported in these events"))
    cont = ctx.signals("protest_continues", days=7, hedged=None, story_only=True) if fam == "protests" else []
    if cont:
        add(factors, factor("intent", 0.5, "participants say they will continue"))
    truce = ctx.signals("ceasefire", days=7, story_only=True)
    add(factors, counter_evidence(min(1, len(truce)), "a ceasefire or truce is reported", 0.5, 0.5))
    concessions = ctx.signals("concession", days=7, story_only=True)
    add(factors, counter_evidence(_articles(concessions), "the authorities made concessions", 0.3, 0.6))
    add(factors, corroboration(ctx.independent(refs), "the events"))
    deadline = ctx.deadline(7)
    subs = sorted({s for f, _, ss in _FAMILIES if f == fam for s in ss})
    return [
        Draft(
            pattern="escalation",
            kind="escalation",
            subject=f"{fam}:{place or ctx.theatre}",
            template=f"{{LIKELY}} {label}{by} {'in and around ' + place if place else 'in ' + ctx.country} will continue over the next 7 days, with at least one more reported.",
            estimate=Estimate(0.55, factors),
            evidence=_story_first(ctx, refs),
            assumptions=["The actors keep the means and the motive they showed in the last week.", "Reporting from the area continues."],
            alternatives=["A lull follows as the sides regroup or negotiate.", "The violence shifts to another area."],
            indicators=[f"New {label} reported in {place or ctx.country}.", "Statements threatening or promising further action.", "Calls for a truce or talks."],
            horizon_days=7,
            criterion=f"At least one more instance of {label} in {ctx.country} is reported by {deadline}.",
            check={"type": "event", "sub_types": subs, "after": ctx.made_at, "deadline": deadline},
            deadline=deadline,
            weight=n,
        )
    ]


def _about_theatre(ctx: Context, s: Signal) -> bool:
    """Not history ("a truce froze the front lines in March 2020") and not another country's affair
    ("a ceasefire ... took effect in Lebanon" in a Syria story).

    Kept on the report: a story's cues are judged again every time the story is assessed.
    """
    doc = ctx.sources.get(s.evidence.article_id)
    if doc is None:
        return _judge_about_theatre(ctx, s)
    ev = s.evidence
    key = ("assess-about-theatre", ev.start, ev.end, ev.text, ctx.theatre, ctx.made_at[:4], tuple(s.countries))
    found = doc.memo.get(key)
    if found is None:
        found = doc.memo[key] = _judge_about_theatre(ctx, s)
    return found  # type: ignore[no-any-return]


def _judge_about_theatre(ctx: Context, s: Signal) -> bool:
    if _historical(s.evidence.text, ctx.made_at[:4]):
        return False
    if not ctx.theatre:
        return True
    doc = ctx.sources[s.evidence.article_id]
    located = {c.iso3 for c in ctx.country_mentions(s.evidence) if re.search(r"\b(?:in|into|across|throughout)\s+(?:the\s+)?$", doc.text[max(0, c.start - 12) : c.start])}
    if located and ctx.theatre not in located and ctx.theatre not in s.countries:
        return False
    return not _elsewhere(doc, s.evidence, ctx.theatre)


_CEASEFIRE_ASKED = re.compile(r"(?i)\b(?:call\w* for|propos\w*|urg\w*|demand\w*|push\w* for|seek\w*)\b(?:\W+\w+){0,4}\W+(?:a |an )?(?:\d+-day )?(?:cease-?fire|truce)")
_CEASEFIRE_FACT = re.compile(r"(?i)\b(?:agreed|declared|announced|took effect|takes effect|began|begins|brokered|signed|holding|held|in force|extended|violat\w+|collapsed|ended)\b")


_PERPETRATOR = re.compile(
    r"(?i)\b(?:gangs?|gunmen|militants|fighters|soldiers|troops|police|forces|rebels|jihadists|attackers|army|militias?|"
    r"drones?|missiles?|air ?strikes?|shelling|bombs?|warplanes|jets)\b"
)


def _side_of_ref(ctx: Context, actor_id: str | None, name: str | None) -> str | None:
    return ctx.raw_side(actor_id, name)


# -- ceasefires, politics, spillover, economy -------------------------------------------------------------------


@pattern(
    "ceasefire-durability",
    kind="ceasefire-durability",
    base_rate=0.6,
    base_note="ceasefires hold in their main terms through their first month more often than not, though violations "
    "are common",
    evidence_rule="needs a story sentence reporting a ceasefire or truce; lowered by each report of violations or "
    "resumed fighting; raised when outside mediators or monitors are named",
)
def ceasefire_durability(ctx: Context) -> list[Draft]:
    truce = [
        s for s in ctx.signals("ceasefire", days=30, story_only=True)
        if _about_theatre(ctx, s) and (s.actors or _CEASEFIRE_FACT.search(s.evidence.text))
        and not _CEASEFIRE_ASKED.search(s.evidence.text)
    ]
    if not truce:
        return []
    sit = ctx.situation
    parties: Counter[str] = Counter()
    mediators: set[str] = set()
    for s in truce:
        for side in s.actors:
            if not side.startswith("state:") or side[6:] == ctx.theatre:
                parties[side] += 1
        for c in s.countries:
            if c != ctx.theatre:
                mediators.add(c)
    named = [p for p, _ in parties.most_common(2)]
    if len(named) == 2:
        between = f" between {ctx.side_name(named[0])} and {ctx.side_name(named[1])}"
    elif named:
        between = f" declared by {ctx.side_name(named[0])}"
    else:
        between = ""
    breaches = ctx.signals("ceasefire_breach", days=30, story_only=False)
    factors = []
    add(factors, counter_evidence(_articles(breaches), f"{_articles(breaches)} report(s) of violations or resumed attacks", 0.5, 1.5))
    if mediators:
        add(factors, factor("guarantors", 0.3, f"outside powers involved ({join_names(sorted(lexicon.country_display(m) for m in mediators))})"))
    if any(re.search(r"(?i)\b(?:temporary|until)\b", s.evidence.text) for s in truce):
        add(factors, factor("design", -0.2, "the truce is temporary by design"))
    add(factors, corroboration(ctx.independent(_signal_refs(truce)), "the ceasefire"))
    deadline = ctx.deadline(30)
    sides = sorted({m for p in named for m in (sit.sides[p].members if p in sit.sides else [p])})
    return [
        Draft(
            pattern="ceasefire-durability",
            kind="ceasefire-durability",
            subject=f"ceasefire:{'|'.join(named)}",
            template=f"{{LIKELY}} the ceasefire{between} in {ctx.country} will hold in its main terms through {fmt_day(deadline)}.",
            estimate=Estimate(0.6, factors),
            evidence=_story_first(ctx, _signal_refs(truce) + _signal_refs(breaches)),
            assumptions=["Both sides' leaders keep control over their fighters.", "The terms reported are the terms agreed."],
            alternatives=["Violations escalate into a return to full fighting.", "The truce lapses at its end date without renewal."],
            indicators=["Reports of strikes or clashes between the parties.", "Accusations of violations by either side.", "Talks on extending or monitoring the truce."],
            horizon_days=30,
            criterion=f"No resumption of strikes or clashes between the parties in {ctx.country} is reported by {deadline}.",
            check={"type": "no_event", "event_types": ["Battles", "Explosions/Remote violence"], "sides": sides,
                   "after": ctx.made_at, "deadline": deadline},
            deadline=deadline,
            weight=len(truce),
        )
    ]


_CRITICISM = re.compile(
    r"(?i)\b(?:faced questions|criticis\w+|criticiz\w+|anger\w*|angry|blamed each other|slow and disorganised|"
    r"murderers|resign(?:ation)? demands|calls? for (?:his|her|their) resignation|accountability)\b"
)
_PROPOSAL = re.compile(r"(?i)\b(?:will|would|to lead|called for|calls for|calling for|proposed|demand\w*|should)\b")
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December")


def _current(ctx: Context, s: Signal) -> bool:
    """A recent development in the theatre, not background ("Prime Minister X resigned in January")."""
    if not _about_theatre(ctx, s):
        return False
    month = (parse_day(s.reported or s.date) or ctx.today).month
    for m in re.finditer(r"\bin (" + "|".join(_MONTHS) + r")\b", s.evidence.text):
        if _MONTHS.index(m.group(1)) + 1 != month:
            return False
    return True


_TITLES = re.compile(r"\b(?:President|Prime Minister|Senior General)\s+((?:[A-Z][\w'-]+\s?){1,4})")


def _capital_route(ctx: Context, leader: str) -> tuple[float, str, list[EvidenceRef]] | None:
    """Keep the leader forecast coherent with the capital forecasts: P(out) >= P(capital falls in 14 days) x
    P(the government loses power | capital falls)."""
    gov = ctx.situation.government()
    info = ctx.situation.sides.get(gov or "")
    if info is None or info.leader_name != leader:
        return None
    take = [d for d in ctx.drafts("next-objective") if d.weight >= 2.0]  # the capital draft
    fall = ctx.drafts("capital-falls")
    if not take or not fall:
        return None
    p_take, p_fall = take[0].estimate.p, fall[0].estimate.p
    floor = round(p_take * p_fall, 3)
    note = (f"coherence with the capital forecasts: {p_take:.0%} that {take[0].check['place'] if take[0].check else 'the capital'} "
            f"falls within 14 days times {p_fall:.0%} that the government then loses power")
    return floor, note, take[0].evidence[:2]


def _incumbent(ctx: Context) -> str | None:
    gov = ctx.situation.government()
    info = ctx.situation.sides.get(gov or "")
    if info is not None and info.leader_name:
        return info.leader_name
    counts: Counter[str] = Counter()
    for doc in ctx.story_docs():
        for m in _TITLES.finditer(doc.text):
            span = doc.sentence_at(m.start())
            if span is None:
                continue
            # "Thai Prime Minister ..." in a Myanmar story is not Myanmar's leader.
            foreign = [c for c in lexicon.find_countries(doc.text, span[0], m.start()) if c.iso3 != ctx.theatre]
            if foreign and foreign[-1].end >= m.start() - 15:
                continue
            counts[m.group(1).strip()] += 1
    return counts.most_common(1)[0][0] if counts else None


@pattern(
    "political-transition",
    kind="political-transition",
    base_rate=0.1,
    base_note="incumbent leaders rarely leave office within a month, even under heavy pressure; once a leader has gone, "
    "an interim authority is usually named within weeks (base rate 0.7 for that case)",
    evidence_rule="needs a story sentence about a leader leaving or an interim authority (then forecasts the interim "
    "authority), or pressure on an incumbent: an armed advance toward the capital, a stated aim to overthrow, mass "
    "protests; raised by the advance's distance to the capital, foreign backers withdrawing and collapse reports; "
    "lowered by the leader's refusal to go and by concessions",
)
def political_transition(ctx: Context) -> list[Draft]:
    exits = [x for x in ctx.signals("leader_exit", days=14, story_only=True) if _current(ctx, x)]
    transition = [x for x in ctx.signals("transition", days=14, story_only=True) if _current(ctx, x)]
    done = [x for x in transition if not _PROPOSAL.search(x.evidence.text)]
    proposals = [x for x in transition if _PROPOSAL.search(x.evidence.text)]
    proposals += ctx.signals("transition", days=14, hedged=True, story_only=True)
    if exits and not done:
        factors = []
        add(factors, corroboration(ctx.independent(_signal_refs(exits)), "the departure"))
        if proposals:
            add(factors, factor("intent", 0.5, "an interim authority is already being discussed"))
        deadline = ctx.deadline(30)
        return [
            Draft(
                pattern="political-transition",
                kind="political-transition",
                subject="interim",
                template=f"{{LIKELY}} an interim or transitional government will take office in {ctx.country} by {fmt_day(deadline)}.",
                estimate=Estimate(0.7, factors),
                base_note="once a leader has gone, an interim authority is usually named within weeks",
                evidence=_story_first(ctx, _signal_refs(exits) + _signal_refs(proposals)),
                assumptions=["The army and the main political forces accept a civilian or joint interim authority.", "The departed leader does not return."],
                alternatives=["The military rules directly for an extended period.", "Rival factions contest the succession and no authority is agreed."],
                indicators=["Names put forward for an interim leader.", "Talks between the army, parties and protest leaders.", "A swearing-in or formal announcement."],
                horizon_days=30,
                criterion=f"An interim or transitional government is named or sworn in in {ctx.country} by {deadline}.",
                check={"type": "signal", "kinds": ["transition"], "after": ctx.made_at, "deadline": deadline},
                deadline=deadline,
                weight=2.0,
            )
        ]
    if exits or transition:
        return []
    leader = _incumbent(ctx)
    if not leader:
        return []
    sit = ctx.situation
    factors = []
    refs: list[EvidenceRef] = []
    capital = sit.capital
    lead = sit.lead_side()
    adv = next((a for a in sit.advances if a.side == lead and capital is not None and a.target == capital.name), None)
    if adv is not None and adv.last_date >= ctx.days_ago(14):
        if adv.now_km <= 100:
            add(factors, factor("pressure", 1.5, f"{ctx.side_name(lead)} hold ground {km_phrase(adv.now_km)} from {adv.target}"))  # type: ignore[arg-type]
        elif adv.now_km <= 200:
            add(factors, factor("pressure", 1.0, f"{ctx.side_name(lead)} hold ground {km_phrase(adv.now_km)} from {adv.target}"))  # type: ignore[arg-type]
        refs += [r for c in sit.gains(lead, since=ctx.days_ago(14)) for r in c.evidence[:1]]  # type: ignore[arg-type]
    aim = ctx.signals("overthrow", days=30, hedged=None, story_only=True)
    if aim:
        add(factors, factor("intent", 0.2, "an armed group states its aim of overthrowing the government"))
        refs += _signal_refs(aim[:2])
    leaving = _withdrawing_backers(ctx, sit.government())
    if leaving:
        add(factors, factor("external", min(1.2, 0.6 * len({s for s, _ in leaving})), "foreign backers of the government pulling back"))
        refs += [r for _, rs in leaving for r in rs[:1]]
    collapse = ctx.signals("collapse", days=7, story_only=True)
    if collapse and lead:
        add(factors, factor("momentum", min(0.6, 0.2 * _articles(collapse)), "reports of government forces collapsing or withdrawing"))
    protests = [e for e in ctx.story.events if e.event_type in ("Protests", "Riots")]
    deaths = sum(e.fatalities or 0 for e in protests)
    if protests:
        add(factors, factor("pressure", 0.3 + (0.3 if deaths >= 5 else 0.0), f"{len(protests)} protest event(s) in the story" + (f", with {deaths} deaths" if deaths else "")))
        for e in protests[:2]:
            doc = ctx.sources.get(e.article_id or "")
            span = doc.clean_sentence(e.evidence.start) if doc else None
            if doc and span:
                refs.append(doc.ref(*span))
    criticism = ctx.sentences(_CRITICISM)
    if criticism:
        add(factors, factor("pressure", 0.3, "the authorities face public criticism or anger over their response"))
        refs += criticism[:2]
    defiance = ctx.sentences(re.compile(r"(?i)\b(?:will not step down|would not step down|not (?:resign|step down)|would not call early elections|will not call early elections|refused to resign)\b"), hedged_ok=True)
    add(factors, counter_evidence(len(defiance), "the leader refuses to go", 0.3, 0.6))
    concessions = ctx.signals("concession", days=14, story_only=True)
    add(factors, counter_evidence(_articles(concessions), "the authorities made concessions", 0.2, 0.4))
    refs += defiance[:1]
    coherence = _capital_route(ctx, leader)
    if coherence is not None:
        floor, note, cap_refs = coherence
        current = Estimate(0.1, factors)
        if current.p < floor:
            add(factors, factor("coherence", logit(floor) - current.log_odds, note))
            refs += cap_refs
    if not factors or not refs:
        return []
    deadline = ctx.deadline(30)
    surname = leader.split()[-1]
    return [
        Draft(
            pattern="political-transition",
            kind="political-transition",
            subject=f"leader:{leader}",
            template=f"{{LIKELY}} {leader} will be out of office in {ctx.country} by {fmt_day(deadline)}.",
            estimate=Estimate(0.1, factors),
            evidence=_story_first(ctx, refs),
            assumptions=[f"{leader}'s hold on office depends on the army and the security services staying loyal.", "No outside power steps in to prop up the government."],
            alternatives=[f"{leader} rides out the pressure with concessions or force.", f"{leader} stays nominally in office while real power shifts elsewhere."],
            indicators=[f"Senior officials or army commanders distancing themselves from {surname}.", "Talks on a handover or early elections.", f"{surname}'s foreign allies signalling a change of course."],
            horizon_days=30,
            criterion=f"{leader} resigns, flees or is removed by {deadline}.",
            check={"type": "signal", "kinds": ["leader_exit"], "names": [leader], "after": ctx.made_at, "deadline": deadline},
            deadline=deadline,
            weight=1.0,
        )
    ]


@pattern(
    "regional-spillover",
    kind="regional-spillover",
    base_rate=0.45,
    base_note="a crisis that already touches a neighbour's border, refugees or security usually keeps doing so for weeks",
    evidence_rule="needs a story sentence linking a neighbouring country to the crisis through its border, crossings, "
    "refugees or cross-border military action; raised by several neighbours, by large displacement and by foreign "
    "military action; lowered when borders reopen",
)
def regional_spillover(ctx: Context) -> list[Draft]:
    if not ctx.theatre:
        return []
    near = lexicon.neighbours(ctx.theatre)
    hits = []
    countries: Counter[str] = Counter()
    channels: set[str] = set()
    disaster = _disaster(ctx)
    for s in ctx.signals("spillover", days=14, story_only=True, hedged=None):
        foreign = [c for c in s.countries if c != ctx.theatre and c in near]
        if not foreign:
            continue
        if disaster and not re.search(r"(?i)\b(?:killed|dead|collapsed|damaged|destroyed|injured)\b", s.evidence.text):
            continue  # tremors felt across a border are not a spillover
        hits.append(s)
        for c in foreign:
            countries[c] += 1
        text = s.evidence.text
        if re.search(r"(?i)\b(?:clos\w+|shut|not allow)\b", text):
            channels.add("border closures")
        if re.search(r"(?i)\brefugees?|fled|fleeing|displaced\b", text):
            channels.add("refugee movements")
        if re.search(r"(?i)\b(?:strikes?|troops|buffer zone|fighters|forces|military)\b", text):
            channels.add("cross-border military moves")
        if re.search(r"(?i)\b(?:felt|collapse\w*|damage\w*)\b", text):
            channels.add("damage across the border")
    if not hits:
        return []
    named = [lexicon.country_phrase(c) for c, _ in countries.most_common(3)]
    channel_text = join_names(sorted(channels)) or "border effects"
    crisis = f"the {disaster}" if disaster else "the crisis"
    factors = []
    if len(countries) > 1:
        add(factors, factor("breadth", min(0.9, 0.3 * (len(countries) - 1)), f"{len(countries)} neighbouring countries affected"))
    displaced = _latest(ctx.situation.series("displaced"), ctx)
    if displaced and displaced.value >= 100_000:
        add(factors, factor("scale", 0.3, f"{displaced.value:,} displaced"))
    if "cross-border military moves" in channels:
        add(factors, factor("security", 0.3, "neighbours' forces or strikes are involved"))
    if disaster:
        add(factors, factor("nature", -0.6, "a disaster's effects across borders fade faster than a war's"))
    reopen = ctx.sentences(re.compile(r"(?i)\breopen\w*\b"))
    add(factors, counter_evidence(len(reopen), "borders or crossings reopening", 0.3, 0.6))
    add(factors, corroboration(ctx.independent(_signal_refs(hits)), "the cross-border effects"))
    deadline = ctx.deadline(30)
    return [
        Draft(
            pattern="regional-spillover",
            kind="regional-spillover",
            subject=f"spillover:{'|'.join(sorted(countries))}",
            template=f"{{LIKELY}} {crisis} in {ctx.country} will keep spilling into neighbouring {join_names(named)} over the next 30 days "
            f"through {channel_text}.",
            estimate=Estimate(0.45, factors),
            evidence=_story_first(ctx, _signal_refs(hits)),
            assumptions=[f"{join_names(named)} keep their current border and security posture.", "The crisis itself does not end within the month."],
            alternatives=["Borders are sealed and the effects stay inside the country.", "Neighbours reach arrangements that contain the effects."],
            indicators=["Border closures or reopenings.", "Refugee arrivals in neighbouring countries.", "Cross-border strikes, deployments or incidents."],
            horizon_days=30,
            criterion=f"A new border closure, refugee movement or cross-border military move involving {join_names(named)} is reported by {deadline}.",
            check={"type": "signal", "kinds": ["spillover"], "countries": sorted(countries), "after": ctx.made_at, "deadline": deadline},
            deadline=deadline,
            weight=len(hits),
        )
    ]


def _disruptions(doc: SourceDoc) -> list[tuple[str, str, EvidenceRef]]:
    """(channel, what is disrupted, sentence) for each sentence of a report describing economic disruption.

    Kept on the report: a story's reports are read again every time the story is assessed.
    """
    key = ("disruptions",)
    if key not in doc.memo:
        out = []
        # Word heads of each sentence, when the situation builder kept them: a sentence none of whose words
        # starts like a disruption cue is not searched.
        need = lexicon.word_heads(lexicon.DISRUPTION)
        heads = doc.memo.get(("heads",)) if need is not None else None
        for n, (start, end, text) in enumerate(doc.iter_sentences()):
            if heads is not None and heads[n] is not None and need.isdisjoint(heads[n]):  # type: ignore[union-attr]
                continue
            if not lexicon.DISRUPTION.search(text):
                continue
            for name, obj, rx in lexicon.ECONOMIC_CHANNELS:
                if rx.search(text):
                    out.append((name, obj, doc.ref(start, end)))
                    break
        doc.memo[key] = out
    return doc.memo[key]  # type: ignore[no-any-return]


@pattern(
    "economic-disruption",
    kind="economic",
    base_rate=0.55,
    base_note="economic disruption from fighting or a disaster (fuel, food, trade, transport, shipping, prices) usually "
    "outlasts the first two weeks",
    evidence_rule="needs a story sentence describing disruption to fuel, food, shipping, energy, trade, finances, "
    "commerce, transport, tourism or housing; raised by several channels, by continuing violence or a severe "
    "disaster and by independent sources; lowered by ceasefires and reopenings",
)
def economic_disruption(ctx: Context) -> list[Draft]:
    hits: dict[str, list[EvidenceRef]] = {}
    objects: dict[str, str] = {}
    for doc in ctx.story_docs():
        for name, obj, ref in _disruptions(doc):
            hits.setdefault(name, []).append(ref)
            objects[name] = obj
    if not hits:
        return []
    ranked = sorted(hits, key=lambda n: (-ctx.independent(hits[n]), -len(hits[n]), n))[:2]
    refs = [r for n in ranked for r in hits[n]]
    places: Counter[str] = Counter()
    for r in refs:
        p = ctx.place_in(r)
        if p:
            places[p] += 1
    where = places.most_common(1)[0][0] if places else ctx.country
    if where != ctx.country and ctx.theatre:
        where = f"{where}, {ctx.country}" if ctx.country not in where else where
    factors = []
    if len(hits) > 1:
        add(factors, factor("breadth", min(0.6, 0.2 * (len(hits) - 1)), f"{len(hits)} kinds of disruption reported"))
    if _violence_recent(ctx, 7) and not _disaster(ctx):
        add(factors, factor("cause", 0.3, "violence continues"))
    killed = _latest(ctx.situation.series("killed"), ctx, days=14)
    if _disaster(ctx) and killed and killed.value >= 100:
        add(factors, factor("cause", 0.3, f"a severe disaster ({killed.value:,} dead)"))
    truce = ctx.signals("ceasefire", days=7)
    add(factors, counter_evidence(min(1, len(truce)), "a ceasefire or truce is reported", 0.3, 0.3))
    reopen = ctx.sentences(re.compile(r"(?i)\b(?:reopen\w*|resum\w+ (?:flights|trade|services)|restored)\b"))
    add(factors, counter_evidence(len(reopen), "services or routes reopening", 0.3, 0.6))
    add(factors, corroboration(ctx.independent(refs), "the disruption"))
    what = join_names([objects[n] for n in ranked])
    deadline = ctx.deadline(14)
    return [
        Draft(
            pattern="economic-disruption",
            kind="economic",
            subject=f"economy:{'|'.join(ranked)}",
            template=f"{{LIKELY}} disruption to {what} in {where} will persist over the next 14 days.",
            estimate=Estimate(0.55, factors),
            evidence=_story_first(ctx, refs),
            assumptions=["The cause of the disruption (fighting, damage, closures) is not removed within two weeks.", "No large emergency supply effort fills the gap."],
            alternatives=["Supplies and routes recover quickly once the acute phase passes.", "Authorities or aid agencies bridge the shortfall."],
            indicators=["Reports of queues, shortages or price rises.", "Closures or reopenings of roads, crossings, ports or airports.", "Emergency economic measures by the authorities."],
            horizon_days=14,
            criterion=f"A report of continued disruption to {what} in {ctx.country} by {deadline}.",
            check={"type": "signal", "kinds": [f"economic:{n}" for n in ranked], "after": ctx.made_at, "deadline": deadline},
            deadline=deadline,
            weight=len(refs),
        )
    ]
