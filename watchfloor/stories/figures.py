"""Reconciling figures across the sources of one story.

Figures are grouped by kind (killed, displaced, ...). When every source gives the same number, give or take
5%, the story shows one figure carried by all of them; when they differ it shows the range, and each source
keeps its own number, wording and date so a reader sees who said what, when. Only canonical reports are
passed in, so a syndicated copy never adds a second voice to the same number.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from watchfloor.models import Figure, Record

AGREEMENT = 0.05  # relative spread under which sources agree

_KIND_ORDER = ["killed", "injured", "displaced", "refugees", "missing", "detained", "affected"]


@dataclass(slots=True)
class ReconciledFigure(Record):
    """One kind of figure across sources: a single number where they agree, else a range."""

    kind: str
    agree: bool
    value: int | None  # the number the most sources give (set when they agree)
    low: int | None
    high: int | None
    approximate: bool
    summary: str  # "about 300 killed", "280,000 to 400,000 displaced"
    sources: list[Figure] = field(default_factory=list)  # each with article_id, date, text and span


def _bounds(figure: Figure) -> tuple[int, int] | None:
    low = figure.low if figure.low is not None else figure.value
    high = figure.high if figure.high is not None else figure.value
    if low is None and high is None:
        return None
    low = low if low is not None else high
    high = high if high is not None else low
    assert low is not None and high is not None
    return (min(low, high), max(low, high))


def _number(n: int) -> str:
    return f"{n:,}"


_CIVILIANS = re.compile(
    r"\b(?:civilians?|children|child|women|residents?|patients?|worshippers|villagers|aid workers?|journalists?)\b",
    re.I,
)
_COMBATANTS = re.compile(
    r"\b(?:fighters?|soldiers?|troops|combatants?|militants?|rebels?|gunmen|militiamen|members|officers?|personnel|police(?:men)?)\b",
    re.I,
)
_DIGIT = re.compile(r"\d")


_COUNTED = re.compile(r"\d[\d,.]*(?:\s+(?:million|thousand|hundred))?\s+((?:[\w'-]+\s+){0,2}[\w'-]+)")


def scope(figure: Figure) -> str:
    """Who a figure counts, from the words right after its number: civilians, combatants or people at large."""
    counted = _COUNTED.search(figure.text)
    words = counted.group(1) if counted else figure.text
    if _CIVILIANS.search(words):
        return "civilians"
    if _COMBATANTS.search(words):
        return "combatants"
    return ""


def reconcile(figures: Iterable[Figure]) -> list[ReconciledFigure]:
    """Reconciled figures, in a fixed kind order (deaths first), each source listed by date.

    Figures are compared within a kind and a scope (civilians killed are not compared with fighters killed).
    Figures without digits ("dozens", "thousands") are left out: they are orders of magnitude, not counts.
    """
    by_kind: dict[tuple[str, str], list[tuple[Figure, tuple[int, int]]]] = {}
    for figure in figures:
        bounds = _bounds(figure)
        if bounds is None or bounds[1] <= 0 or figure.kind == "other" or not _DIGIT.search(figure.text):
            continue
        by_kind.setdefault((figure.kind, scope(figure)), []).append((figure, bounds))
    out = []
    for kind, who in sorted(
        by_kind, key=lambda k: (_KIND_ORDER.index(k[0]) if k[0] in _KIND_ORDER else len(_KIND_ORDER), k)
    ):
        items = sorted(by_kind[(kind, who)], key=lambda fb: (fb[0].date or "", fb[0].article_id or "", fb[0].start))
        low = min(b[0] for _, b in items)
        high = max(b[1] for _, b in items)
        approximate = any(f.approximate for f, _ in items)
        agree = (high - low) <= AGREEMENT * high
        if agree:
            votes = Counter(f.value for f, _ in items if f.value is not None)
            value = max(votes, key=lambda v: (votes[v], v)) if votes else high
            prefix = "about " if approximate else ""
            summary = f"{prefix}{_number(value)} {who + ' ' if who else ''}{kind}"
            out.append(ReconciledFigure(kind, True, value, low, high, approximate, summary, [f for f, _ in items]))
        else:
            summary = f"{_number(low)} to {_number(high)} {who + ' ' if who else ''}{kind} (sources differ)"
            out.append(ReconciledFigure(kind, False, None, low, high, approximate, summary, [f for f, _ in items]))
    return out
