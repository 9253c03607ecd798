"""The implications engine: run the pattern library over a story and its situation, name the likelihood, lint.

``assess_story(story, situation, sources)`` returns the implications that pass the linter, ordered the way the
reference brief reads (balance of power, external actors, humanitarian impact, scenarios, international
response, withdrawal and fragmentation, then the rest). ``assess`` returns the full record: each judgment with
its pattern, subject, point probability and machine-checkable resolution, plus what the linter refused.
"""

from __future__ import annotations

import hashlib
import logging
import traceback
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from watchfloor.assess import patterns as _patterns  # noqa: F401 - registers the library
from watchfloor.assess.base import REGISTRY, Context, Draft, fill
from watchfloor.assess.likelihood import confidence
from watchfloor.assess.linter import NameIndex, Problem, lint
from watchfloor.models import Implication, Resolution, Story
from watchfloor.situation.sources import Sources
from watchfloor.situation.state import Situation

log = logging.getLogger(__name__)

KIND_ORDER = (
    "balance-of-power",
    "external-actor",
    "humanitarian",
    "scenario",
    "international-response",
    "withdrawal-fragmentation",
    "escalation",
    "political-transition",
    "ceasefire-durability",
    "regional-spillover",
    "economic",
)
MAX_PER_KIND = {"balance-of-power": 3}
DEFAULT_PER_KIND = 2
MAX_IMPLICATIONS = 10


@dataclass(slots=True)
class Judgment:
    implication: Implication
    pattern: str
    subject: str
    p: float
    check: dict[str, Any] | None
    deadline: str | None


@dataclass(slots=True)
class Assessment:
    story_id: str
    made_at: str
    judgments: list[Judgment] = field(default_factory=list)
    rejected: list[tuple[Implication, list[Problem]]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def implications(self) -> list[Implication]:
        return [j.implication for j in self.judgments]


def implication_id(story_id: str, pattern: str, subject: str) -> str:
    digest = hashlib.sha1(f"{story_id}|{pattern}|{subject}".encode()).hexdigest()[:10]
    return f"{pattern}-{digest}"


def _to_judgment(ctx: Context, draft: Draft) -> Judgment:
    est = draft.estimate
    term = est.term
    texts = [r.text for r in draft.evidence]
    level, reason = confidence(ctx.independent(draft.evidence), texts)
    resolution = None
    if draft.check is not None and draft.criterion:
        resolution = Resolution(criterion=draft.criterion, status="open", deadline=draft.deadline)
    imp = Implication(
        id=implication_id(ctx.story.id, draft.pattern, draft.subject),
        kind=draft.kind,
        statement=fill(draft.template, term),
        likelihood=term.name,
        probability=term.range,
        confidence=level,
        confidence_reason=reason,
        horizon_days=draft.horizon_days,
        evidence=list(draft.evidence),
        assumptions=list(draft.assumptions),
        alternatives=list(draft.alternatives),
        indicators=list(draft.indicators),
        why=est.why(draft.base_note or REGISTRY[draft.pattern].base_note),
        resolution=resolution,
    )
    return Judgment(imp, draft.pattern, draft.subject, est.p, draft.check, draft.deadline)


def assess(
    story: Story,
    situation: Situation,
    sources: Sources,
    *,
    kb: Any = None,
    made_at: str | None = None,
    patterns: Iterable[str] | None = None,
    names: NameIndex | None = None,
) -> Assessment:
    ctx = Context.build(story, situation, sources, kb=kb, made_at=made_at)
    result = Assessment(story.id, ctx.made_at)
    texts = sources.texts()
    story_texts = [texts[a] for a in ctx.story_ids if a in texts]
    wanted = list(patterns) if patterns is not None else list(REGISTRY)
    candidates: list[tuple[Judgment, float]] = []
    for pid in wanted:
        spec = REGISTRY[pid]
        try:
            drafts = spec.run(ctx)
        except Exception:  # noqa: BLE001 - one broken pattern must not stop the others or the ingest
            message = f"pattern {pid} failed on story {story.id}: {traceback.format_exc(limit=3)}"
            log.warning(message)
            result.errors.append(message)
            continue
        for draft in drafts:
            if not draft.evidence:
                continue
            judgment = _to_judgment(ctx, draft)
            # Names must come from the story's reports, the reports the judgment cites, or the knowledge base.
            cited = [texts[a] for a in {r.article_id for r in draft.evidence} if a in texts]
            index = names or NameIndex(story_texts + cited, kb)
            problems = lint(judgment.implication, texts, index)
            if problems:
                result.rejected.append((judgment.implication, problems))
                continue
            candidates.append((judgment, draft.weight))
    result.judgments = _select(candidates)
    return result


def _select(candidates: list[tuple[Judgment, float]]) -> list[Judgment]:
    order = {k: i for i, k in enumerate(KIND_ORDER)}
    candidates.sort(key=lambda jw: (order.get(jw[0].implication.kind, len(order)), -jw[1], jw[0].implication.id))
    out: list[Judgment] = []
    per_kind: dict[str, int] = {}
    seen: set[str] = set()
    for judgment, _ in candidates:
        kind = judgment.implication.kind
        if per_kind.get(kind, 0) >= MAX_PER_KIND.get(kind, DEFAULT_PER_KIND) or judgment.implication.statement in seen:
            continue
        per_kind[kind] = per_kind.get(kind, 0) + 1
        seen.add(judgment.implication.statement)
        out.append(judgment)
        if len(out) >= MAX_IMPLICATIONS:
            break
    return out


def assess_story(story: Story, situation: Situation, sources: Sources, **kwargs: Any) -> list[Implication]:
    """The implications of one story that pass the linter, in brief order."""
    return assess(story, situation, sources, **kwargs).implications
