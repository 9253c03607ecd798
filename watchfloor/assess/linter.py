"""The implication linter: what a judgment must satisfy before anyone reads it.

An implication is refused when:

* ``no-evidence``      it cites no evidence;
* ``not-verbatim``     an evidence span is not exactly the source text at that span (or the source is unknown);
* ``vague-modal``      the statement hedges with could / may / might (and the like) and states no ICD 203 term;
* ``no-likelihood``    the statement states no ICD 203 term, or one that differs from the record's likelihood;
* ``bad-probability``  the probability is not the range of the stated term;
* ``confidence-mixed`` the statement talks about confidence, or the confidence reason about likelihood (ICD 203
  keeps the two apart);
* ``unknown-name``     the statement names someone or somewhere found neither in the sources nor in the
  knowledge base;
* ``not-one-sentence`` the statement is not one sentence;
* ``incomplete``       it lacks a confidence level, an alternative, or 2-3 indicators.

``lint`` returns the problems (empty when the implication passes); ``check`` raises ``LintError``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from watchfloor.assess.likelihood import TERM_NAMES, term_named, terms_in
from watchfloor.errors import WatchfloorError
from watchfloor.models import Implication
from watchfloor.situation.lexicon import quick

# ``quick``: the same matches, with a first-character test before the alternatives are tried.
VAGUE_MODAL = quick(re.compile(r"\b(?:could|may|might|can|possibly|potentially|perhaps|conceivably|maybe)\b", re.I))
CONFIDENCE_TALK = quick(re.compile(r"\b(?:confidence|confident|confidently|high certainty|low certainty)\b", re.I))
LEVELS = frozenset({"high", "moderate", "low"})

# Capitalised words that are not names: sentence openers, calendar words, titles and common nouns that take
# a capital in news style.
NOT_NAMES = frozenset(
    """It If There With The A An As After Given Should Once Unless Any In On By Within Over Since While Both
    Either Neither Further More Most Some This That These Those Its Their His Her Our When Where Whether Until
    January February March April May June July August September October November December Monday Tuesday
    Wednesday Thursday Friday Saturday Sunday President Prime Minister Foreign Defence Defense Senior General
    Government Army Forces Regional State Supreme Leader King Queen Chief Commander Former Interim Caretaker
    Transitional National Federal UN""".split()
)


class LintError(WatchfloorError):
    code = "W600"


@dataclass(slots=True, frozen=True)
class Problem:
    code: str
    message: str

    def __str__(self) -> str:
        return f"{self.code}: {self.message}"


@lru_cache(maxsize=8192)
def fold(text: str) -> str:
    """Lowercase, accents off, curly quotes straight: how names are compared.

    Cached: every draft of a story folds the same report texts again.
    """
    if not text.isascii():  # ASCII has nothing to decompose and no accents to drop
        text = unicodedata.normalize("NFKD", text)
        text = "".join(c for c in text if not unicodedata.combining(c))
    return text.replace("\u2019", "'").replace("\u2018", "'").casefold()


class NameIndex:
    """Answers "is this name in the sources or in the knowledge base?"."""

    def __init__(self, texts: Iterable[str], kb: object | None = None, extra: Iterable[str] = ()) -> None:
        self._text = "\n".join(fold(t) for t in texts)
        self._kb = kb
        self._extra = {fold(e) for e in extra}

    def known(self, name: str) -> bool:
        key = fold(name).strip()
        if not key:
            return True
        if key in self._extra:
            return True
        if stands_alone(self._text, key):
            return True
        if self._kb is not None:
            resolve = getattr(self._kb, "resolve", None)
            if resolve is not None and resolve(name) is not None:
                return True
        return _is_country_word(name)


def stands_alone(text: str, key: str) -> bool:
    """``re.search(r"(?<![\\w-])" + re.escape(key) + r"(?![\\w])", text)``: ``key`` somewhere in ``text`` not
    inside a longer word (nor after a hyphen).

    A pattern that opens with a lookbehind is tried at every position of the text; finding the key first and
    testing its two neighbours gives the same answer at the speed of a substring search.
    """
    size, end = len(key), len(text)
    at = text.find(key)
    while at != -1:
        before = text[at - 1] if at else ""
        after = text[at + size] if at + size < end else ""
        if not (before and (before == "-" or _is_word_char(before))) and not (after and _is_word_char(after)):
            return True
        at = text.find(key, at + 1)
    return False


def _is_word_char(char: str) -> bool:
    """What ``\\w`` matches in a str pattern: a Unicode letter, digit or numeric character, or the underscore."""
    return char.isalnum() or char == "_"


def _is_country_word(name: str) -> bool:
    from watchfloor.situation.lexicon import _country_forms

    _, forms = _country_forms()
    return name in forms


_NAME_RUN = re.compile(
    r"(?:[A-Z][\w'\u2019.-]*|al-[A-Z][\w'-]*)"
    r"(?:\s+(?:(?:al|bin|ibn|de|del|da|van|von|el|ash|as|ad)[- ]|(?:of|of the|for|for the|and the)\s+)?(?:[A-Z][\w'\u2019.-]*|al-[A-Z][\w'-]*))*"
)


_POSSESSIVE = re.compile(r"['\u2019]s$")
_HYPHEN_SUFFIX = re.compile(r"-(?:led|backed|aligned|allied|held|controlled|run|based)$")


def names_in(statement: str) -> list[str]:
    """Capitalised runs that name someone or somewhere ("Recep Tayyip Erdogan", "HTS" of "HTS-led")."""
    out = []
    for m in _NAME_RUN.finditer(statement):
        run = m.group(0).rstrip(".")
        run = _POSSESSIVE.sub("", run)
        # "HTS-led", "Turkish-backed": the name is the part before the hyphen.
        run = _HYPHEN_SUFFIX.sub("", run)
        words = run.split()
        while words and words[0] in NOT_NAMES:
            words = words[1:]
        if not words or all(w in NOT_NAMES for w in words):
            continue
        name = " ".join(words)
        if name.lower() in TERM_NAMES:
            continue
        out.append(name)
    return out


def _without_trailing_titles(name: str) -> str:
    words = name.split()
    while len(words) > 1 and words[-1] in NOT_NAMES:
        words = words[:-1]
    return " ".join(words)


_SENTENCE_BREAK = re.compile(r"[.!?]\s+[A-Z\"]")
_ABBREVIATION = re.compile(r"(?:[A-Z]\.)+[A-Z]?|Mr|Mrs|Ms|Dr|Gen|Lt|Col|St|No|U\.S|U\.N")


def _one_sentence(statement: str) -> bool:
    body = statement.strip()
    if not body or body[-1] not in ".!?":
        return False
    inner = body[:-1]
    # A full stop followed by a capital inside the statement starts a second sentence (abbreviations aside).
    for m in _SENTENCE_BREAK.finditer(inner):
        before = inner[: m.start()].split()[-1] if inner[: m.start()].split() else ""
        if not _ABBREVIATION.fullmatch(before.rstrip(".")):
            return False
    return True


@lru_cache(maxsize=1024)
def _states_a_term(text: str) -> bool:
    """Confidence reasons come in a handful of wordings: each is read once."""
    return bool(terms_in(text))


def lint(
    imp: Implication,
    texts: Mapping[str, str],
    names: NameIndex | Callable[[str], bool] | None = None,
) -> list[Problem]:
    problems: list[Problem] = []
    statement = imp.statement or ""
    if not imp.evidence:
        problems.append(Problem("no-evidence", "the implication cites no evidence"))
    for ref in imp.evidence:
        text = texts.get(ref.article_id)
        if text is None:
            problems.append(Problem("not-verbatim", f"evidence cites unknown article {ref.article_id}"))
        elif not (0 <= ref.start <= ref.end <= len(text)) or text[ref.start : ref.end] != ref.text:
            problems.append(Problem("not-verbatim", f"evidence [{ref.start}:{ref.end}] of {ref.article_id} is not the source text"))
    stated = terms_in(statement)
    modal = VAGUE_MODAL.search(statement)
    if modal and not stated:
        problems.append(Problem("vague-modal", f"'{modal.group(0)}' without an ICD 203 likelihood term"))
    if not stated:
        problems.append(Problem("no-likelihood", "the statement states no ICD 203 likelihood term"))
    elif imp.likelihood.lower() not in stated:
        problems.append(Problem("no-likelihood", f"the statement says '{stated[0]}' but the likelihood is '{imp.likelihood}'"))
    term = term_named(imp.likelihood)
    if term is None:
        problems.append(Problem("no-likelihood", f"'{imp.likelihood}' is not an ICD 203 term"))
    elif tuple(round(x, 3) for x in imp.probability) != (round(term.low, 3), round(term.high, 3)):
        problems.append(Problem("bad-probability", f"probability {list(imp.probability)} is not the range of '{term.name}'"))
    if CONFIDENCE_TALK.search(statement):
        problems.append(Problem("confidence-mixed", "the statement mixes confidence into the likelihood sentence"))
    if _states_a_term(imp.confidence_reason or ""):
        problems.append(Problem("confidence-mixed", "the confidence reason states a likelihood term"))
    if not _one_sentence(statement):
        problems.append(Problem("not-one-sentence", "the statement must be exactly one sentence"))
    if imp.confidence not in LEVELS:
        problems.append(Problem("incomplete", f"confidence '{imp.confidence}' is not high, moderate or low"))
    if not imp.alternatives:
        problems.append(Problem("incomplete", "no alternative is stated"))
    if not 2 <= len(imp.indicators) <= 3:
        problems.append(Problem("incomplete", "2-3 indicators are needed"))
    if names is not None:
        known = names.known if isinstance(names, NameIndex) else names
        for name in names_in(statement):
            if not known(name) and not known(_without_trailing_titles(name)):
                problems.append(Problem("unknown-name", f"'{name}' is found neither in the sources nor in the knowledge base"))
    return problems


def check(imp: Implication, texts: Mapping[str, str], names: NameIndex | Callable[[str], bool] | None = None) -> None:
    problems = lint(imp, texts, names)
    if problems:
        raise LintError(f"implication {imp.id} refused: " + "; ".join(str(p) for p in problems))
