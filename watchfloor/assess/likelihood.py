"""ICD 203 likelihood terms, and how evidence moves a pattern's base rate to a probability.

The estimate is a log-odds sum: each pattern starts from a base rate written into the pattern (what usually
happens in situations of that kind), and each factor the evidence supplies adds or subtracts log-odds with a
note saying why. The result is clamped to [1%, 99%] and named by the ICD 203 term whose range holds it; the
record's ``probability`` is that term's range, and ``why`` lists the base rate and every factor.

Confidence is a separate judgment about the evidence, never about the event: how many independent sources
carry the core facts (copies of one wire report count once, reports from one outlet count once) and how
direct they are (a reporter or a named official on the spot versus an unverified claim).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

# ICD 203 terms, one row per range (the first column of the directive's table, used consistently).
TERMS: tuple[tuple[str, float, float], ...] = (
    ("almost no chance", 0.01, 0.05),
    ("very unlikely", 0.05, 0.20),
    ("unlikely", 0.20, 0.45),
    ("roughly even chance", 0.45, 0.55),
    ("likely", 0.55, 0.80),
    ("very likely", 0.80, 0.95),
    ("almost certain", 0.95, 0.99),
)
TERM_NAMES = tuple(t for t, _, _ in TERMS)
# Longest first so "very unlikely" is found before "unlikely" and "likely".
_TERM_RX = re.compile(r"\b(" + "|".join(sorted((re.escape(t) for t in TERM_NAMES), key=len, reverse=True)) + r")\b", re.I)

P_MIN, P_MAX = 0.01, 0.99


@dataclass(slots=True, frozen=True)
class Term:
    name: str
    low: float
    high: float

    @property
    def range(self) -> tuple[float, float]:
        return (self.low, self.high)


def term_for(p: float) -> Term:
    """The ICD 203 term whose range holds ``p`` (a boundary belongs to the upper term)."""
    p = min(P_MAX, max(P_MIN, p))
    for name, low, high in reversed(TERMS):
        if p >= low:
            return Term(name, low, high)
    name, low, high = TERMS[0]
    return Term(name, low, high)


def term_named(name: str) -> Term | None:
    for t, low, high in TERMS:
        if t == name.lower():
            return Term(t, low, high)
    return None


def terms_in(text: str) -> list[str]:
    return [m.group(1).lower() for m in _TERM_RX.finditer(text)]


@dataclass(slots=True, frozen=True)
class Factor:
    """One piece of evidence moving the estimate: ``weight`` in log-odds (+ raises, - lowers)."""

    name: str
    weight: float
    note: str


@dataclass(slots=True)
class Estimate:
    base_rate: float
    factors: list[Factor] = field(default_factory=list)

    @property
    def log_odds(self) -> float:
        return logit(self.base_rate) + sum(f.weight for f in self.factors)

    @property
    def p(self) -> float:
        return round(min(P_MAX, max(P_MIN, sigmoid(self.log_odds))), 3)

    @property
    def term(self) -> Term:
        return term_for(self.p)

    def why(self, base_note: str) -> str:
        parts = [f"Base rate {self.base_rate:.0%}: {base_note}."]
        for f in self.factors:
            sign = "+" if f.weight >= 0 else "-"
            parts.append(f"{f.note} ({sign}{abs(f.weight):.2f} log-odds).")
        p = self.p
        term = term_for(p)
        parts.append(f"Estimate {p:.0%}, in the '{term.name}' range ({term.low:.0%}-{term.high:.0%}).")
        return " ".join(parts)


def logit(p: float) -> float:
    p = min(P_MAX, max(P_MIN, p))
    return math.log(p / (1.0 - p))


def sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


# -- common factors --------------------------------------------------------------------------------------------


def corroboration(n_independent: int, what: str = "the core facts") -> Factor | None:
    """Each independent source beyond the first makes the facts behind a forecast more solid (capped at 4)."""
    if n_independent <= 1:
        return None
    extra = min(n_independent, 4) - 1
    return Factor("corroboration", round(0.25 * extra, 2), f"{n_independent} independent sources report {what}")


def counter_evidence(n: int, what: str, per_item: float = 0.45, cap: float = 1.35) -> Factor | None:
    if n <= 0:
        return None
    return Factor("counter-evidence", -round(min(cap, per_item * n), 2), f"counter-evidence: {what}")


def momentum(n: int, what: str, per_item: float = 0.35, cap: float = 1.4, free: int = 1) -> Factor | None:
    """Recent developments pointing the same way, beyond the ``free`` first one the base rate assumes."""
    extra = n - free
    if extra <= 0:
        return None
    return Factor("momentum", round(min(cap, per_item * extra), 2), f"momentum: {what}")


def factor(name: str, weight: float, note: str) -> Factor:
    return Factor(name, round(weight, 2), note)


# -- confidence -----------------------------------------------------------------------------------------------


_INDIRECT = re.compile(
    r"\b(?:could not (?:be )?(?:independently )?verif\w*|unverified|not (?:immediately )?verified|reportedly|"
    r"rumou?rs?|claimed|claims|according to (?:one|a) source|sources close to|asked not to be named|"
    r"on condition of anonymity|which we could not)\b",
    re.I,
)


@lru_cache(maxsize=16384)
def _indirect(sentence: str) -> bool:
    """The sentence flags its claim as unverified or attributed (cached: stories cite the same sentences)."""
    return _INDIRECT.search(sentence) is not None


def confidence(n_independent: int, texts: list[str]) -> tuple[str, str]:
    """(level, reason): high needs three or more independent sources with direct reporting; low is one
    source, or evidence that the sources themselves flag as unverified."""
    indirect = sum(1 for t in texts if _indirect(t))
    direct = len(texts) - indirect
    if n_independent >= 3 and direct >= 2:
        level = "high"
    elif n_independent >= 2 and direct >= 1 or n_independent >= 1 and direct >= 3:
        level = "moderate"
    else:
        level = "low"
    sources = f"{n_independent} independent source{'s' if n_independent != 1 else ''}"
    if indirect and direct:
        how = f"{direct} direct and {indirect} unverified or attributed claim{'s' if indirect != 1 else ''}"
    elif indirect:
        how = "only claims the sources themselves could not verify"
    else:
        how = "direct reporting or named officials"
    return level, f"{level.capitalize()} confidence: {sources}; {how}."
