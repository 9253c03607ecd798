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
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from watchfloor.assess import patterns as _patterns  # noqa: F401 - registers the library
from watchfloor.assess.base import REGISTRY, Context, Draft, fill
from watchfloor.assess.likelihood import confidence, term_for
from watchfloor.assess.linter import NameIndex, Problem, fold, lint, stands_alone
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
    p = est.p
    term = term_for(p)
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
    return Judgment(imp, draft.pattern, draft.subject, p, draft.check, draft.deadline)


class _Texts(Mapping[str, str]):
    """Report id -> text, read through to the sources: ``Sources.texts()`` copies every report of the theatre,
    and a theatre's sources are shared by all its stories."""

    __slots__ = ("_docs",)

    def __init__(self, sources: Sources) -> None:
        self._docs = sources.docs

    def __getitem__(self, article_id: str) -> str:
        return self._docs[article_id].text

    def get(self, article_id: str, default: Any = None) -> Any:  # type: ignore[override]
        doc = self._docs.get(article_id)
        return default if doc is None else doc.text

    def __contains__(self, article_id: object) -> bool:
        return article_id in self._docs

    def __iter__(self) -> Iterator[str]:
        return iter(self._docs)

    def __len__(self) -> int:
        return len(self._docs)


class _StoryNames:
    """``NameIndex(story texts + texts the draft cites, kb).known`` for every draft of one story.

    The story's texts are folded and joined once, and each name is looked up once per story; a draft that
    cites reports outside the story only adds a search of those.
    """

    __slots__ = ("_story_texts", "_kb", "_index", "_known")

    def __init__(self, story_texts: list[str], kb: Any) -> None:
        self._story_texts = story_texts
        self._kb = kb
        self._index = NameIndex(story_texts, kb)
        self._known: dict[str, bool] = {}

    def for_draft(self, cited: list[str]) -> Callable[[str], bool]:
        if not cited:
            return self.known
        extra = [fold(t) for t in cited]

        def known(name: str) -> bool:
            if self.known(name):
                return True
            key = fold(name).strip()
            if "\n" in key:
                # Texts are joined with newlines: a key holding one could match across two of them.
                return NameIndex(self._story_texts + cited, self._kb).known(name)
            return any(stands_alone(text, key) for text in extra)

        return known

    def known(self, name: str) -> bool:
        found = self._known.get(name)
        if found is None:
            found = self._known[name] = self._index.known(name)
        return found


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
    texts = _Texts(sources)
    story_ids = ctx.story_ids
    story_names = None if names is not None else _StoryNames([texts[a] for a in story_ids if a in texts], kb)
    wanted = list(patterns) if patterns is not None else list(REGISTRY)
    candidates: list[tuple[Judgment, float]] = []
    for pid in wanted:
        if pid not in REGISTRY:
            raise KeyError(pid)  # an unknown pattern id is the caller's mistake, not a pattern failing
        try:
            drafts = ctx.drafts(pid)
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
            if story_names is None:
                index: NameIndex | Callable[[str], bool] = names  # type: ignore[assignment]
            else:
                cited = [texts[a] for a in {r.article_id for r in draft.evidence} if a in texts and a not in story_ids]
                index = story_names.for_draft(cited)
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
