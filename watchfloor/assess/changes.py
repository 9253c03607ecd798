"""What changed since the previous brief of the same story.

ICD 203 asks analysts to explain changes in their judgments. A brief lists:

* new reports since the previous brief (outlet and date);
* new developments the situation shows since then: places changing hands, new figures, new alignments;
* judgments raised or lowered (a different ICD 203 term, or the same term with the estimate moved by five
  points or more), new judgments, judgments dropped, and judgments settled true or false meanwhile.

Every line is built from the situation and the judgments, never from free text.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from watchfloor.assess.base import fmt_day
from watchfloor.models import Brief, Implication, Story
from watchfloor.situation.sources import Sources
from watchfloor.situation.state import Situation

MOVE = 0.05  # a change of estimate worth reporting within one term


def _short(statement: str, limit: int = 140) -> str:
    return statement if len(statement) <= limit else statement[: limit - 3].rstrip() + "..."


@dataclass(slots=True)
class ImplicationSeen:
    """What the next brief compares of a judgment in a previous brief."""

    id: str
    statement: str
    likelihood: str
    probability: Sequence[float]


@dataclass(slots=True)
class StorySeen:
    article_ids: list[str]
    duplicates: dict[str, str] = field(default_factory=dict)
    implications: list[ImplicationSeen] = field(default_factory=list)


@dataclass(slots=True)
class BriefSeen:
    """The parts of a stored brief ``what_changed`` reads: parsing the whole story (sections, events, quotes,
    evidence of every judgment) for these was most of the cost of reading a previous brief."""

    created: str
    story: StorySeen


def brief_seen(text: str) -> BriefSeen:
    """What ``what_changed`` reads of a stored brief (the JSON of ``Brief.to_json``), as ``Brief.from_json``
    would give it."""
    data = json.loads(text)
    story: dict[str, Any] = data["story"]
    implications = story.get("implications")
    return BriefSeen(
        created=data["created"],
        story=StorySeen(
            article_ids=story["article_ids"],
            duplicates=story.get("duplicates", {}),
            implications=[] if implications is None else [
                ImplicationSeen(i["id"], i["statement"], i["likelihood"], i["probability"]) for i in implications
            ],
        ),
    )


def what_changed(
    previous: Brief | BriefSeen | None,
    story: Story,
    implications: Sequence[Implication],
    *,
    situation: Situation | None = None,
    sources: Sources | None = None,
    p_now: Mapping[str, float] | None = None,
    p_before: Mapping[str, float] | None = None,
    settled: Sequence[tuple[Implication, str]] = (),
) -> list[str]:
    """Lines for the brief's "what changed" section; empty when nothing did."""
    if previous is None:
        return ["First brief on this story."]
    since = previous.created
    lines: list[str] = []
    before_ids = set(previous.story.article_ids) | set(previous.story.duplicates)
    new_reports = [a for a in list(story.article_ids) + list(story.duplicates) if a not in before_ids]
    if new_reports:
        described = []
        for a in new_reports[:5]:
            doc = sources.get(a) if sources is not None else None
            if doc is not None:
                outlet = doc.article.outlet or "a report"
                described.append(f"{outlet}, {fmt_day(doc.article.date)}" if doc.article.date else outlet)
        more = f" and {len(new_reports) - 5} more" if len(new_reports) > 5 else ""
        detail = f" ({'; '.join(described)}{more})" if described else ""
        lines.append(f"{len(new_reports)} new report{'s' if len(new_reports) != 1 else ''}{detail}.")
    if situation is not None:
        lines.extend(_developments(situation, since))
    old = {i.id: i for i in previous.story.implications}
    p_now = p_now or {}
    p_before = p_before or {}
    for imp in implications:
        before = old.get(imp.id)
        if before is None:
            lines.append(f"New judgment: {_short(imp.statement)}")
            continue
        now_p, then_p = p_now.get(imp.id), p_before.get(imp.id)
        if before.likelihood != imp.likelihood:
            direction = "Raised" if (imp.probability[0] > before.probability[0]) else "Lowered"
            lines.append(f"{direction} from {before.likelihood} to {imp.likelihood}: {_short(imp.statement)}")
        elif now_p is not None and then_p is not None and abs(now_p - then_p) >= MOVE:
            direction = "Raised" if now_p > then_p else "Lowered"
            lines.append(f"{direction} within '{imp.likelihood}' ({then_p:.0%} to {now_p:.0%}): {_short(imp.statement)}")
    current = {i.id for i in implications}
    for imp_id, imp in old.items():
        if imp_id not in current:
            lines.append(f"Dropped (no longer supported by the latest reports): {_short(imp.statement)}")
    for imp, status in settled:
        lines.append(f"Settled {status}: {_short(imp.statement)}")
    return lines


def _developments(situation: Situation, since: str) -> list[str]:
    out = []
    for c in situation.changes:
        if c.first_reported and c.first_reported > since and c.full:
            out.append(f"{c.place}: control passed to {situation.side_name(c.taker)} ({fmt_day(c.date)}).")
        elif c.first_reported and c.first_reported > since:
            out.append(f"{c.place}: entered by {situation.side_name(c.taker)} ({fmt_day(c.date)}).")
    for kind, points in situation.figures.items():
        fresh = [p for p in points if p.first_reported and p.first_reported > since]
        if fresh:
            top = max(fresh, key=lambda p: p.value)
            source = f", {top.source}" if top.source else ""
            out.append(f"New {kind} figure: {top.value:,}{source} ({fmt_day(top.date)}).")
    verbs = {"backs": "backs", "arms": "arms", "withdraws_support": "pulls back support from", "allies_with": "allies with",
             "condemns": "condemns"}
    for a in situation.alignments:
        if a.origin != "text" or not a.evidence:
            continue
        if a.date and a.date > since[:10]:
            out.append(f"{situation.side_name(a.source)} {verbs.get(a.kind, a.kind)} {situation.side_name(a.target)} ({fmt_day(a.date)}).")
    return out[:12]
