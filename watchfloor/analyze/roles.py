"""Who did what to whom: actor1 (the doer) and actor2 (the target) of an event from the clause around its trigger.

The rules read surface order, which is what English news prose gives reliably:
- active voice: the nearest actor before the trigger is the doer, the first after it the target
  ("RSF fighters attacked El Fasher");
- passive voice: a form of "be" before the trigger flips that, and "by X" names the doer
  ("the town was shelled by Russian forces");
- "fell to X" / "captured by X" / "at the hands of X" name the doer after the trigger;
- "between X and Y", "X clashed with Y": both sides, in order of mention.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from watchfloor.models import ActorRef

_PASSIVE_BEFORE = re.compile(r"\b(?:was|were|been|being|is|are|got|get)\s+(?:\w+ly\s+)?$", re.IGNORECASE)
_AGENT_AFTER = re.compile(
    r"^[\s,]*(?:(?:on \w+day|overnight|late|early|again)\s+)?(?:by|to|at the hands of|into the hands of|"
    r"fell to|from)\s+(?:the\s+|a\s+|an\s+)?(?:[\w-]+\s+){0,3}?$",
    re.IGNORECASE,
)
_BETWEEN = re.compile(r"\bbetween\s+$", re.IGNORECASE)
# Doers name themselves in subject position; stop looking back past a clause boundary.
_BOUNDARY = re.compile(r"[;:.]|,\s+(?:but|while|and|as|after|before|when|which|who)\b|\bsaid\b|\bafter\b|\bbefore\b")


@dataclass(slots=True)
class Candidate:
    """An actor mention in a sentence: a knowledge-base match or a generic word such as "gunmen"."""

    start: int
    end: int
    ref: ActorRef
    generic: bool = False

    @property
    def kind(self) -> str:
        return self.ref.type or ""


def assign_roles(
    text: str,
    sent_start: int,
    sent_end: int,
    trigger_start: int,
    trigger_end: int,
    candidates: Sequence[Candidate],
) -> tuple[Candidate | None, Candidate | None]:
    """(doer, target) for the trigger; either may be None when the clause does not say."""
    # A candidate inside a cue that starts with it ("gunmen killed") is the subject of that cue.
    before = [c for c in candidates if c.end <= trigger_start or (c.start == trigger_start and c.end < trigger_end)]
    after = [c for c in candidates if c.start >= trigger_end]
    # Only look back within the trigger's clause. The clause search is the costliest step here, and its result
    # only filters the candidates before the trigger, so it is skipped when there are none.
    in_clause_before: list[Candidate] = []
    if before:
        clause_start = sent_start
        for m in _BOUNDARY.finditer(text, sent_start, trigger_start):
            clause_start = m.end()
        in_clause_before = [c for c in before if c.start >= clause_start] or before[-1:]

    doer: Candidate | None = None
    target: Candidate | None = None

    agent_after = None
    trigger_text = text[trigger_start:trigger_end].lower()
    # "fell to X", "into the hands of X": the trigger itself ends with the preposition that introduces the doer.
    trigger_has_prep = trigger_text.endswith((" to", " of", " by"))
    for c in after:
        gap = text[trigger_end:c.start]
        if len(gap) < 60 and (_AGENT_AFTER.match(gap) or (trigger_has_prep and len(gap) < 25)):
            agent_after = c
            break
    passive = bool(_PASSIVE_BEFORE.search(text[max(sent_start, trigger_start - 30):trigger_start]))
    trigger_word = trigger_text
    if trigger_word.startswith(("fell", "fall")) or trigger_word in {"fallen to", "fell into the hands of"}:
        passive = True

    if passive or agent_after is not None:
        doer = agent_after
        target = in_clause_before[-1] if in_clause_before else None
        if doer is None and after:
            # "was recaptured from X" names the loser, not the doer.
            target = target or after[0]
        return doer, (target if target is not doer else None)

    # "between X and Y"
    for c in in_clause_before:
        if _BETWEEN.search(text[max(sent_start, c.start - 12):c.start]):
            rest = [d for d in candidates if d.start > c.end and d.ref.name != c.ref.name]
            return c, (rest[0] if rest else None)
    if in_clause_before:
        doer = in_clause_before[-1]
        # "X and Y clashed": two subjects joined by "and".
        if len(in_clause_before) >= 2:
            prev = in_clause_before[-2]
            if re.fullmatch(r"\s*(?:forces\s+|fighters\s+)?and\s+(?:the\s+)?", text[prev.end:doer.start], re.IGNORECASE):
                doer, target = prev, doer
                return doer, target
    for c in after:
        if c.ref.name == (doer.ref.name if doer else None):
            continue
        gap = text[trigger_end:c.start]
        if len(gap) < 80:
            target = c
            break
    return doer, target
