"""The story writer: a headline, a lede and 2-4 sections made only of cited source sentences.

Everything in the sections is a verbatim source sentence (or the sentence minus its dateline) with a citation
``(article_id, start, end)`` such that ``article.text[start:end]`` is exactly the sentence; a paragraph's text
is its sentences joined by single spaces. Attribution stays as the source wrote it ("the UN said"); a
sentence that needs a missing antecedent ("He said...") or is half a quotation is never picked.

How sentences are chosen: every candidate gets a TF-IDF vector over the story's own sentences; the story
centroid weighs each report equally; relevance is the cosine to the centroid plus small bonuses for the
top of a report (where news puts what matters), for carrying a figure or an event, and for recency. Maximal
marginal relevance then picks sentences that are relevant and unlike those already picked, and anything too
close to a picked sentence is dropped as redundant.

The headline and the lede's choice are the only judgments the writer adds: the headline is built from the
main development the events show (who, what, where); when events are too thin it falls back to the title of
the most central report. The lede is the most central sentence; it opens the first section, so it is cited
like every other sentence.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
from scipy.sparse import _sparsetools
from sklearn.utils import murmurhash3_32
from sklearn.utils.sparsefuncs_fast import inplace_csr_row_normalize_l2

from watchfloor.kb.textnorm import fold
from watchfloor.models import ActorRef, Citation, Event, Figure, Paragraph, Place, Quote, Section, Story, TimelineEntry
from watchfloor.stories.features import N_FEATURES, content_terms, iso, tokens
from watchfloor.stories.figures import reconcile

T = TypeVar("T")

MAX_SOURCE_REPORTS = 30  # the writer reads at most this many reports of a story (first and latest)
MAX_SENTENCES = 16
MMR_LAMBDA = 0.7
REDUNDANT = 0.55  # cosine above which a sentence repeats one already picked
MAX_QUOTES = 5
MAX_TIMELINE = 15
MAX_ACTORS = 12
MAX_PLACES = 12


@dataclass(slots=True)
class SourceReport:
    id: str
    title: str | None
    text: str
    date: str | None
    ts: float
    outlet: str | None = None
    url: str | None = None
    analysis: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class StoryInputs:
    story_id: str
    reports: list[SourceReport]  # canonical reports, oldest first
    duplicates: dict[str, str] = field(default_factory=dict)  # copy id -> canonical id
    copy_ts: list[float] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)  # from canonical reports, with ids
    figures: list[Figure] = field(default_factory=list)  # from canonical reports, with dates
    situation: str | None = None
    situation_id: str | None = None  # stored beside the article, not part of it
    theatre: str | None = None
    # All canonical reports and their times, when the story has more than the writer reads.
    article_ids: list[str] = field(default_factory=list)
    member_ts: list[float] = field(default_factory=list)


@dataclass(slots=True)
class Candidate:
    report: int  # index into the reports read
    article_id: str
    start: int
    end: int
    text: str
    position: int  # order among the report's usable sentences
    ts: float
    relevance: float = 0.0
    klass: str = "front"


# -- sentence candidates ----------------------------------------------------------------------------------

_NEEDS_ANTECEDENT = re.compile(
    r"^(?:He|She|It|They|This|That|These|Those|His|Her|Its|Their|Theirs|We|I|You|Our|Us|Him|Them|But|And|Or|Yet|So"
    r"|Also|Such|Both|Neither|Either|Another|Other)\b"
)
_BOILERPLATE = re.compile(
    r"contributed to this report|compiled from|this story (?:was|has been)|reporting by|editing by|writing by"
    r"|click here|sign up|subscribe|all rights reserved|copyright|read more|follow us|^\(?photo|^image:"
    r"|^(?:rolling|live) coverage|^updates from|^follow (?:our|the) live|^this is a developing story",
    re.IGNORECASE,
)
# Words each alternative of _BOILERPLATE needs (lower case): an ASCII sentence with none of them cannot match,
# which spares the regex, costly with its many case-blind alternatives, on nearly every sentence. Keep these in
# step with the pattern (a test checks each alternative).
_BOILERPLATE_HINTS = (
    "contributed to this report", "compiled from", "this story ", "reporting by", "editing by", "writing by",
    "click here", "sign up", "subscribe", "all rights reserved", "copyright", "read more", "follow ", "photo",
    "image:", " coverage", "updates from", "this is a developing story",
)  # fmt: skip
_WORD = re.compile(r"\w+")
_JOINT_DATELINE = re.compile(r"[A-Z][A-Z'.-]+(?:/[A-Z][A-Z'.-]+)+")


def _balanced_quotes(text: str) -> bool:
    return text.count('"') % 2 == 0 and text.count("\u201c") == text.count("\u201d")


def _is_boilerplate(sentence: str) -> bool:
    if sentence.isascii():
        low = sentence.lower()
        if not any(hint in low for hint in _BOILERPLATE_HINTS):
            return False
    return _BOILERPLATE.search(sentence) is not None


def _line_start(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t\u00a0":
        i -= 1
    return i < 0 or text[i] in "\n\r"


def sentence_spans(report: SourceReport) -> list[tuple[int, int]]:
    """Usable sentence spans of one report: datelines cut off, fragments and boilerplate left out."""
    return list(_read(report.text).spans)


def _usable_spans(text: str) -> list[tuple[int, int]]:
    from watchfloor.analyze.text import split_sentences

    out = []
    for start, end in split_sentences(text):
        if _line_start(text, start):
            start += strip_dateline(text[start:end])
        sentence = text[start:end]
        words = len(_WORD.findall(sentence))
        if words < 7 or words > 80 or not sentence[:1].isupper():
            continue
        if sentence.endswith(("?", ":", ",")) or not _balanced_quotes(sentence):
            continue
        if _NEEDS_ANTECEDENT.match(sentence) or _is_boilerplate(sentence):
            continue
        if sentence.isupper():
            continue
        out.append((start, end))
    return out


class _TermColumns(dict[str, int]):
    """A word's hashed column, exactly as ``features.term_counts`` (scikit-learn's FeatureHasher) computes it,
    cached: hashing the same words story after story through the vectoriser was a fifth of the writer's time."""

    def __missing__(self, word: str) -> int:
        if len(self) > 2_000_000:
            self.clear()
        h = murmurhash3_32(word, seed=0)
        # FeatureHasher's rule, including its special case for the one hash whose abs() overflows.
        column = (2147483647 - (N_FEATURES - 1)) % N_FEATURES if h == -2147483648 else abs(h) % N_FEATURES
        self[word] = column
        return column


_TERM_COLUMNS = _TermColumns()


@dataclass(slots=True, frozen=True)
class _ReportReading:
    """What the writer takes from one report's text: its usable sentences and their hashed term counts (one
    CSR row a sentence, columns sorted). It depends on the text alone, so it is kept: a story is rewritten each
    time a report joins it, and the reports it already had are then read from here."""

    spans: tuple[tuple[int, int], ...]
    indptr: np.ndarray  # int64, one more than the sentences
    indices: np.ndarray  # int32 hashed columns
    counts: np.ndarray  # float32 term counts


_READINGS: dict[str, _ReportReading] = {}
_READINGS_KEPT = 4096  # reports; oldest first out


def _read(text: str) -> _ReportReading:
    reading = _READINGS.get(text)
    if reading is not None:
        return reading
    spans = _usable_spans(text)
    columns: list[int] = []
    lengths: list[int] = []
    for start, end in spans:
        terms = content_terms(tokens(text[start:end]))
        columns.extend(map(_TERM_COLUMNS.__getitem__, terms))
        lengths.append(len(terms))
    rows = np.repeat(np.arange(len(spans), dtype=np.int64), lengths)
    # One sort of (sentence, column) keys gives what FeatureHasher plus sum_duplicates gives row by row.
    keys, counts = np.unique(rows * N_FEATURES + np.asarray(columns, dtype=np.int64), return_counts=True)
    per_row = np.bincount(keys // N_FEATURES, minlength=len(spans))
    indptr = np.zeros(len(spans) + 1, dtype=np.int64)
    np.cumsum(per_row, out=indptr[1:])
    reading = _ReportReading(tuple(spans), indptr, (keys % N_FEATURES).astype(np.int32), counts.astype(np.float32))
    if len(_READINGS) >= _READINGS_KEPT:
        del _READINGS[next(iter(_READINGS))]
    _READINGS[text] = reading
    return reading


def reports_to_read(reports: Sequence[T]) -> list[T]:
    """The reports the writer reads of a long story (given oldest first): the first ones and the latest."""
    if len(reports) <= MAX_SOURCE_REPORTS:
        return list(reports)
    first = MAX_SOURCE_REPORTS // 3
    return list(reports[:first]) + list(reports[-(MAX_SOURCE_REPORTS - first) :])


# -- content classes --------------------------------------------------------------------------------------

_CLASS_WORDS: dict[str, list[str]] = {
    "front": """captured capture seized seize took control advance advanced advancing offensive fighters troops forces
        army front frontline clashes clashed fighting fought battle battles shelling shelled strikes struck airstrike
        airstrikes air strike drone drones missile missiles rocket rockets attack attacked attacks withdrew withdrawal
        retreated positions rebels militants insurgents artillery bombardment outskirts entered siege besieged
        militia militias stormed overran ambush checkpoint counteroffensive counter-offensive soldiers combatants
        warplanes jets gunfire explosion explosions blast raid raids""".split(),
    "humanitarian": """displaced displacement fled flee fleeing refugees refugee aid humanitarian food famine hunger
        hospital hospitals medical doctors civilians civilian shelter shelters camp camps water electricity
        evacuate evacuated evacuation cholera disease outbreak wounded injured children families homeless
        malnutrition relief ocha wfp unhcr unicef who icrc msf supplies convoy convoys crossing crossings bodies
        morgue casualties prisoners detainees prisons""".split(),
    "international": """foreign ministry minister ministers security council secretary-general washington moscow tehran
        ankara beijing brussels kremlin pentagon embassy envoy envoys diplomatic diplomats diplomacy sanctions
        condemned condemns urged urges called international nato eu european union allies ally backing backed
        support supported summit visit visited talks""".split(),
    "political": """government prime minister president parliament election elections caretaker transition
        transitional cabinet negotiations ceasefire truce agreement deal constitution amnesty regime leader
        leadership opposition power authority authorities decree appointed named resigned""".split(),
    "background": """since history historic previously earlier decade decades ago began first-ever once long-running
        civil war""".split(),
}
_CLASS_PATTERNS = {
    k: re.compile(
        r"\b(?:"
        + "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(set(v), key=len, reverse=True))
        + r")\b",
        re.I,
    )
    for k, v in _CLASS_WORDS.items()
}
# The same counts for ASCII sentences (nearly all), from one pass over the words instead of five alternations
# of a hundred words each tried at every word. A class's pattern matches, at the start of a word, its longest
# word that ends there at a word boundary, and its matches do not overlap: so a match is either the whole word
# or a hyphenated class word ("counter-offensive") that runs over the next words, which that class then skips.
# Beyond ASCII, case-insensitive matching has its own equivalences (the Kelvin sign is a "k"): the patterns
# decide there.
_CLASSES_OF_WORD: dict[str, tuple[str, ...]] = {}  # plain class word -> the classes that have it
_JOINED_OF_HEAD: dict[str, list[tuple[str, list[str]]]] = {}  # first part -> (class, its hyphenated words)
for _k, _words in _CLASS_WORDS.items():
    for _w in sorted({w.lower() for w in _words}):
        if "-" not in _w and " " not in _w:
            _CLASSES_OF_WORD[_w] = (*_CLASSES_OF_WORD.get(_w, ()), _k)
    _joined: dict[str, list[str]] = {}
    for _w in sorted({w.lower() for w in _words if "-" in w or " " in w}, key=len, reverse=True):
        if not re.fullmatch(r"\w+(?:-\w+)+", _w):
            raise ValueError(f"class word {_w!r}: only words and hyphenated words are counted word by word")
        _joined.setdefault(_w.split("-", 1)[0], []).append(_w)
    for _head, _list in _joined.items():
        _JOINED_OF_HEAD.setdefault(_head, []).append((_k, _list))
_ASCII_WORD = re.compile(r"[A-Za-z0-9_]+")


def _class_counts(sentence: str) -> dict[str, float]:
    """How many words of each class a sentence has: ``len(_CLASS_PATTERNS[k].findall(sentence))``."""
    if not sentence.isascii():
        return {k: float(len(p.findall(sentence))) for k, p in _CLASS_PATTERNS.items()}
    low = sentence.lower()
    counts = dict.fromkeys(_CLASS_PATTERNS, 0.0)
    if "-" not in low:  # no hyphenated word can match: every match is one whole word
        for word in _ASCII_WORD.findall(low):
            for k in _CLASSES_OF_WORD.get(word, ()):
                counts[k] += 1.0
        return counts
    skip_to: dict[str, int] = {}  # class -> end of its last hyphenated match
    for m in _ASCII_WORD.finditer(low):
        word = m.group()
        classes = _CLASSES_OF_WORD.get(word, ())
        joined = _JOINED_OF_HEAD.get(word)
        if not classes and not joined:
            continue
        start = m.start()
        # The longest word wins: a hyphenated match also makes its class skip the plain word here.
        for k, words in joined or ():
            if start >= skip_to.get(k, 0):
                end = _joined_match(low, start, words)
                if end:
                    counts[k] += 1.0
                    skip_to[k] = end
        for k in classes:
            if start >= skip_to.get(k, 0):
                counts[k] += 1.0
    return counts


def _joined_match(low: str, start: int, candidates: list[str]) -> int:
    """The end of the longest hyphenated word matched at ``start`` and ending at a word boundary, else 0."""
    for w in candidates:
        end = start + len(w)
        if low.startswith(w, start) and (end == len(low) or not (low[end].isalnum() or low[end] == "_")):
            return end
    return 0


_PAST_TENSE_HISTORY = re.compile(
    r"\b(?:in|since|until|from|by)\s+(?:(?:early|late|mid-)\s*)?(?:[A-Z][a-z]+\s+)?((?:19|20)\d\d)\b"
)
_HEADINGS = {
    "front": "On the front lines",
    "humanitarian": "Humanitarian situation",
    "international": "International reactions",
    "political": "Political developments",
    "background": "Background",
}
_SECTION_ORDER = ["front", "political", "humanitarian", "international", "background"]


def classify(sentence: str, story_year: int, foreign: float = 0.0) -> str:
    """The content class of a sentence: front, humanitarian, international, political or background.

    ``foreign`` counts actors (1 each) and places (0.5 each) of other countries than the story's theatre.
    """
    scores = _class_counts(sentence)
    scores["international"] += foreign
    years = [int(y) for y in _PAST_TENSE_HISTORY.findall(sentence)]
    if any(y < story_year for y in years):
        scores["background"] += 1.5
    best = max(scores.values())
    if best <= 0:
        return "front"
    # Ties go to the earlier class in this order: the front line is the default subject of a conflict story.
    return next(k for k in ("front", "humanitarian", "international", "political", "background") if scores[k] == best)


def _front_heading(inputs: StoryInputs) -> str:
    kinds = Counter(e.event_type for e in inputs.events)
    top = kinds.most_common(1)[0][0] if kinds else None
    if top in ("Protests", "Riots"):
        return "On the streets"
    if top == "Disasters":
        return "What happened"
    return _HEADINGS["front"]


# -- selection --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class _Rows:
    """Sentence vectors as bare CSR arrays. The arithmetic below is the arithmetic scipy and scikit-learn did
    on a ``csr_matrix`` (the same C routines, or sums in the same order), without their per-call checking and
    object building, which cost more than the sums on a story's few hundred sentences."""

    indptr: np.ndarray  # int32
    indices: np.ndarray  # int32, sorted within a row
    data: np.ndarray  # float64
    shape: tuple[int, int]


def _vectors(readings: list[_ReportReading]) -> _Rows:
    """Unit TF-IDF rows over the story's own sentences, in a space of only the terms they use."""
    ends = [0]
    for reading in readings:
        ends.extend((reading.indptr[1:] + ends[-1]).tolist())
    indptr = np.asarray(ends, dtype=np.int32)
    hashed = np.concatenate([reading.indices for reading in readings])
    counts = np.concatenate([reading.counts for reading in readings])
    used, columns = np.unique(hashed, return_inverse=True)
    n_terms = max(1, used.size)
    tf = 1.0 + np.log(counts)  # float32, as from the float32 counts of the hashed matrix
    df = np.bincount(columns, minlength=n_terms)
    n = indptr.size - 1
    rows = _Rows(indptr, columns.astype(np.int32), tf * (np.log((n + 1.0) / (df[columns] + 1.0)) + 1.0), (n, n_terms))
    inplace_csr_row_normalize_l2(rows)  # what sklearn's normalize(norm="l2") runs once it has checked its input
    return rows


def _span_has(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and e > start for s, e in spans)


def select_sentences(
    inputs: StoryInputs, reports: list[SourceReport]
) -> tuple[list[Candidate], _Rows | None, list[float]]:
    """Candidates with relevance, their vectors, and each report's centrality (cosine to the centroid)."""
    candidates: list[Candidate] = []
    readings = [_read(report.text) for report in reports]
    bounds: list[tuple[int, int, int]] = []  # (report, first row, end row) of reports with candidates
    for r, (report, reading) in enumerate(zip(reports, readings, strict=True)):
        first = len(candidates)
        for position, (start, end) in enumerate(reading.spans):
            candidates.append(Candidate(r, report.id, start, end, report.text[start:end], position, report.ts))
        if len(candidates) > first:
            bounds.append((r, first, len(candidates)))
    if not candidates:
        return [], None, [0.0] * len(reports)
    matrix = _vectors(readings)
    n_terms = matrix.shape[1]
    centroid = np.zeros(n_terms)
    report_means = {}
    for r, first, end in bounds:
        lo, hi = int(matrix.indptr[first]), int(matrix.indptr[end])
        # scipy's mean over rows: each value times 1/n, then summed column by column in row order (bincount
        # adds in that order too).
        mean = np.bincount(matrix.indices[lo:hi], weights=matrix.data[lo:hi] * (1.0 / (end - first)), minlength=n_terms)
        report_means[r] = mean
        centroid += mean
    norm = np.linalg.norm(centroid)
    if norm > 0:
        centroid /= norm
    relevance = np.zeros(matrix.shape[0])
    _sparsetools.csr_matvec(*matrix.shape, matrix.indptr, matrix.indices, matrix.data, centroid, relevance)
    centrality = []
    for r in range(len(reports)):
        mean = report_means.get(r)
        centrality.append(float(mean @ centroid / (np.linalg.norm(mean) or 1.0)) if mean is not None else 0.0)
    first_ts = min(r.ts for r in reports)
    span = max(r.ts for r in reports) - first_ts
    marked: dict[str, list[tuple[int, int]]] = {}
    for f in inputs.figures:
        if f.article_id:
            marked.setdefault(f.article_id, []).append((f.start, f.end))
    for e in inputs.events:
        if e.article_id:
            marked.setdefault(e.article_id, []).append((e.evidence.start, e.evidence.end))
    for i, c in enumerate(candidates):
        bonus = 0.15 / (1 + c.position)
        if _span_has(marked.get(c.article_id, []), c.start, c.end):
            bonus += 0.05
        if span > 0:
            bonus += 0.05 * (c.ts - first_ts) / span
        c.relevance = float(relevance[i]) + bonus
    return candidates, matrix, centrality


def _cosines(matrix: _Rows) -> np.ndarray:
    """All pairwise cosines of the (unit) rows, dense: scipy's ``(m @ m.T).toarray()``, routine for routine."""
    n, n_terms = matrix.shape
    nnz = matrix.data.size
    t_indptr = np.empty(n_terms + 1, dtype=np.int32)
    t_indices = np.empty(nnz, dtype=np.int32)
    t_data = np.empty(nnz, dtype=np.float64)
    _sparsetools.csr_tocsc(n, n_terms, matrix.indptr, matrix.indices, matrix.data, t_indptr, t_indices, t_data)
    out = np.zeros((n, n))
    size = _sparsetools.csr_matmat_maxnnz(n, n, matrix.indptr, matrix.indices, t_indptr, t_indices)
    if size == 0:
        return out
    p_indptr = np.empty(n + 1, dtype=np.int32)
    p_indices = np.empty(size, dtype=np.int32)
    p_data = np.empty(size, dtype=np.float64)
    _sparsetools.csr_matmat(
        n, n, matrix.indptr, matrix.indices, matrix.data, t_indptr, t_indices, t_data, p_indptr, p_indices, p_data
    )
    _sparsetools.csr_todense(n, n, p_indptr, p_indices, p_data, out)
    return out


def _mmr(candidates: list[Candidate], matrix: _Rows, budget: int, per_report: int) -> list[int]:
    """Maximal marginal relevance: relevant sentences unlike those already picked; near repeats are dropped."""
    order = np.array(
        sorted(
            range(len(candidates)),
            key=lambda i: (-candidates[i].relevance, candidates[i].article_id, candidates[i].start),
        ),
        dtype=np.int64,
    )
    chosen: list[int] = []
    if order.size == 0:
        return chosen
    # Everything below is in "order" order, so argmax picks the first of equal scores: the more relevant.
    # A cosine is a sum over the terms two rows share, in column order, whichever way the rows are ordered:
    # so the cosines of the rows in candidate order, then reordered, are the same numbers.
    sims = _cosines(matrix)[np.ix_(order, order)]
    relevance = np.array([candidates[i].relevance for i in order])
    report = np.array([candidates[i].report for i in order])
    weighted = MMR_LAMBDA * relevance
    redundancy = np.zeros(order.size)
    alive = np.ones(order.size, dtype=bool)
    per: Counter[int] = Counter()
    while len(chosen) < budget and alive.any():
        score = np.where(alive, weighted - (1 - MMR_LAMBDA) * redundancy, -np.inf)
        best = int(np.argmax(score))
        chosen.append(int(order[best]))
        per[int(report[best])] += 1
        alive[best] = False
        column = sims[:, best]
        np.maximum(redundancy, column, out=redundancy)
        alive &= column <= REDUNDANT
        if per[int(report[best])] >= per_report:
            alive &= report != report[best]
    return chosen


# -- headline ---------------------------------------------------------------------------------------------

# Headline verbs by sub-event type: (singular subject, plural subject, preposition before the place).
_VERBS: dict[str, tuple[str, str, str]] = {
    "Non-state actor overtakes territory": ("takes", "take", ""),
    "Government regains territory": ("retakes", "retake", ""),
    "Non-violent transfer of territory": ("takes over", "take over", ""),
    "Armed clash": ("fights", "fight", "in "),
    "Air/drone strike": ("strikes", "strike", ""),
    "Shelling/artillery/missile attack": ("shells", "shell", ""),
    "Suicide bomb": ("bombs", "bomb", ""),
    "Remote explosive/landmine/IED": ("bombs", "bomb", ""),
    "Attack": ("attacks civilians in", "attack civilians in", ""),
    "Abduction/forced disappearance": ("abducts civilians in", "abduct civilians in", ""),
    "Peaceful protest": ("rallies in", "rally in", ""),
    "Protest with intervention": ("rallies in", "rally in", ""),
    "Excessive force against protesters": ("fires on protesters in", "fire on protesters in", ""),
    "Violent demonstration": ("clashes with police in", "clash with police in", ""),
}
# Agreements, talks, arrests: who agreed what with whom does not fit "actor verb place"; their stories keep the
# title of the most central report.
_GENERIC_SUFFIX = re.compile(r"\s*\([^()]*\)$")  # "Protesters (Kenya)" -> "Protesters"


# Labels outlets put before a title, which a story headline does not need.
_TITLE_LABEL = re.compile(
    r"^(?:LIVE|Live|URGENT|FLASH|BREAKING|Breaking|UPDATE|ANALYSIS|Analysis|EXCLUSIVE|WATCH)\s*[-:\u2013\u2014|]\s*"
)
_PLURAL_HINT = re.compile(r"(?:s|Forces|forces|rebels|fighters|militias|troops|Brigades)$")


def _plural(name: str) -> bool:
    return bool(_PLURAL_HINT.search(name)) and not name.endswith("ss")


def _join_places(places: list[str]) -> str:
    if len(places) == 1:
        return places[0]
    return ", ".join(places[:-1]) + " and " + places[-1]


def build_headline(events: Sequence[Event], fallback: str) -> str:
    """Who did what where, from the development most reports describe; ``fallback`` when events are thin.

    Places are those of the main development that two reports or more describe (else the most described
    ones), at most three, in the order they happened: "M23 takes Goma and Bukavu".
    """
    groups: dict[tuple[str, str], dict[str, Any]] = {}
    for e in events:
        if e.modality in ("negated", "hypothetical", "future") or e.actor1 is None or e.location is None:
            continue
        if e.sub_event_type not in _VERBS or not e.location.name:
            continue
        key = (_GENERIC_SUFFIX.sub("", e.actor1.name) or e.actor1.name, e.sub_event_type)
        g = groups.setdefault(key, {"reports": set(), "places": {}, "first": e.date or ""})
        g["reports"].add(e.article_id)
        place = g["places"].setdefault(e.location.name, {"reports": set(), "first": e.date or "9999"})
        place["reports"].add(e.article_id)
        place["first"] = min(place["first"], e.date or "9999")
        g["first"] = min(g["first"], e.date or "")
    ranked = sorted(groups.items(), key=lambda kv: (-len(kv[1]["reports"]), kv[1]["first"], kv[0]))
    if not ranked or len(ranked[0][1]["reports"]) < 2:
        return fallback
    (actor, sub), main = ranked[0]
    singular, plural, prep = _VERBS[sub]
    verb = plural if _plural(actor) else singular
    places = _headline_places(main["places"], 3)
    headline = f"{actor} {verb} {prep}{_join_places(places)}"
    for (actor2, sub2), other in ranked[1:]:
        if actor2 != actor or sub2 == sub or len(other["reports"]) < 2:
            continue
        more = [p for p in _headline_places(other["places"], 3) if p not in places][:1]
        if more:
            s2, p2, prep2 = _VERBS[sub2]
            headline += f", {p2 if _plural(actor) else s2} {prep2}{more[0]}"
        break
    return headline[:1].upper() + headline[1:]


def _headline_places(places: dict[str, dict[str, Any]], limit: int) -> list[str]:
    # Places two reports agree on, when there are any; else each report's own.
    confirmed = [p for p, v in places.items() if len(v["reports"]) >= 2]
    pool = sorted(confirmed or places, key=lambda p: (-len(places[p]["reports"]), places[p]["first"], p))[:limit]
    return sorted(pool, key=lambda p: (places[p]["first"], p))


# -- the rest of the story --------------------------------------------------------------------------------


_QUOTE_MARKS = '"\u201c\u201d\u00ab\u00bb\u201e'


def _is_direct(quote: dict[str, Any], text: str) -> bool:
    """Key quotes are direct speech; reported speech ("the army said it had...") stays in the article."""
    if "direct" in quote:
        return bool(quote["direct"])
    i = quote["start"] - 1
    while i >= 0 and text[i].isspace():
        i -= 1
    return i >= 0 and text[i] in _QUOTE_MARKS


def _quotes(reports: list[SourceReport], relevance_of: dict[str, float]) -> list[Quote]:
    found = []
    for report in reports:
        for q in report.analysis.get("quotes") or []:
            start, end, text = q.get("start"), q.get("end"), q.get("text") or ""
            if start is None or end is None or report.text[start:end] != text:
                continue
            speaker = q.get("speaker") or ""
            # A key quote has a named speaker ("Fatima Abakar", "the WHO"), not "a resident" or "the group".
            if not any(c.isupper() for c in speaker) or not 30 <= len(text) <= 400 or not _is_direct(q, report.text):
                continue
            score = (1.0 if q.get("speaker_id") else 0.0) + relevance_of.get(report.id, 0.0)
            found.append((score, report.ts, report.id, start, q, text))
    found.sort(key=lambda t: (-t[0], t[1], t[2], t[3]))
    out: list[Quote] = []
    speakers: set[str] = set()
    places = {fold(p.get("name") or "") for r in reports for p in r.analysis.get("places") or []}
    for _, _, article_id, start, q, text in found:
        who = fold(q["speaker"])
        # A place named as the speaker is an attribution slip ("a teacher in New Aleppo told...").
        if who in speakers or who in places:
            continue
        speakers.add(who)
        out.append(
            Quote(q["speaker"], q.get("speaker_id"), text, start, q["end"], bool(q.get("direct", True)), article_id)
        )
        if len(out) >= MAX_QUOTES:
            break
    return out


# How much an event of a sub type marks a day in a story's timeline.
_TIMELINE_SALIENCE = {
    "Non-state actor overtakes territory": 3.0,
    "Government regains territory": 3.0,
    "Non-violent transfer of territory": 2.5,
    "Agreement": 2.5,
    "Suicide bomb": 2.0,
    "Armed clash": 1.5,
    "Air/drone strike": 1.5,
    "Shelling/artillery/missile attack": 1.5,
    "Attack": 1.5,
}


def strip_dateline(text: str) -> int:
    """Where the text starts after a leading dateline ("HOMS, Syria (GDN) - "), else 0."""
    from watchfloor.analyze.text import find_dateline

    head = text
    # "MOSCOW/IDLIB (MPA) -": joint datelines read as one place ("/" to "-" keeps every offset).
    slash = _JOINT_DATELINE.match(head)
    if slash:
        head = head[: slash.end()].replace("/", "-") + head[slash.end() :]
    dateline = find_dateline(head)
    if dateline is None:
        return 0
    start = dateline[1]
    while start < len(text) and text[start].isspace():
        start += 1
    return start


def _timeline(inputs: StoryInputs, reports: list[SourceReport], centrality: list[float]) -> list[TimelineEntry]:
    """One entry a day: the day's most salient development, in the words of the report that described it."""
    ids = inputs.article_ids or [r.id for r in inputs.reports]
    times = inputs.member_ts or [r.ts for r in inputs.reports]
    report_day = {a: iso(ts)[:10] for a, ts in zip(ids, times, strict=False)}
    by_date: dict[str, dict[tuple[str, str], list[Event]]] = {}
    for e in inputs.events:
        if e.modality in ("negated", "hypothetical", "future") or not e.date or not e.evidence.text:
            continue
        # An event dated days before the report that mentions it is usually background ("since November 27").
        day = report_day.get(e.article_id or "")
        if day is not None and _days_between(e.date, day) not in (0, 1):
            continue
        place = e.location.name if e.location else ""
        by_date.setdefault(e.date, {}).setdefault((e.sub_event_type, place), []).append(e)
    entries = []
    if by_date:
        for date in sorted(by_date):
            groups = by_date[date]

            key = min(
                groups,
                key=lambda k, g=groups: (-_TIMELINE_SALIENCE.get(k[0], 1.0) * len({e.article_id for e in g[k]}), k),
            )
            best = min(
                groups[key],
                key=lambda e: (
                    not 40 <= len(e.evidence.text) <= 300,
                    report_day.get(e.article_id or "", ""),
                    e.id or "",
                ),
            )
            text = best.evidence.text[strip_dateline(best.evidence.text) :]
            entries.append(TimelineEntry(date, text, sorted(e.id for e in groups[key] if e.id)))
    else:
        # No events yet: each day's most central report title marks the day.
        titles: dict[str, tuple[float, str]] = {}
        for r, report in enumerate(reports):
            day = (report.date or iso(report.ts))[:10]
            title = report.title or ""
            if title and (day not in titles or centrality[r] > titles[day][0]):
                titles[day] = (centrality[r], title)
        entries = [TimelineEntry(day, title, []) for day, (_, title) in sorted(titles.items())]
    if len(entries) > MAX_TIMELINE:
        entries = entries[:1] + entries[-(MAX_TIMELINE - 1) :]
    return entries


def _days_between(event_day: str, report_day: str) -> int | None:
    """Days from the event to the report that tells of it (None when a date does not parse)."""
    try:
        return (dt.date.fromisoformat(report_day[:10]) - dt.date.fromisoformat(event_day[:10])).days
    except ValueError:
        return None


def _actors(inputs: StoryInputs, reports: list[SourceReport]) -> list[ActorRef]:
    seen: dict[str, tuple[ActorRef, set[str]]] = {}
    for report in reports:
        for a in report.analysis.get("actors") or []:
            if a.get("id"):
                ref = ActorRef(a["id"], a.get("name") or a["id"], a.get("type"), a.get("country"))
                seen.setdefault(ref.id or ref.name, (ref, set()))[1].add(report.id)
    for e in inputs.events:
        for ref in (e.actor1, e.actor2):
            if ref is not None and ref.id:
                seen.setdefault(ref.id, (ref, set()))[1].add(e.article_id or "")
    ranked = sorted(seen.values(), key=lambda t: (-len(t[1]), t[0].name))
    return [ref for ref, _ in ranked[:MAX_ACTORS]]


def _places(inputs: StoryInputs, reports: list[SourceReport]) -> list[Place]:
    seen: dict[tuple[str, str], tuple[Place, set[str]]] = {}
    for report in reports:
        for p in report.analysis.get("places") or []:
            if p.get("lat") is None or p.get("lon") is None or not p.get("name"):
                continue
            key = (fold(p["name"]), p.get("country") or "")
            place = Place(p["name"], p["lat"], p["lon"], p.get("country"), p.get("admin1"))
            seen.setdefault(key, (place, set()))[1].add(report.id)
    for e in inputs.events:
        loc = e.location
        if loc is not None and loc.lat is not None and loc.lon is not None and loc.name:
            key = (fold(loc.name), loc.country or "")
            seen.setdefault(key, (Place(loc.name, loc.lat, loc.lon, loc.country, loc.admin1), set()))[1].add(
                e.article_id or ""
            )
    # Towns and regions first; whole countries (no first-level division) say least about where.
    ranked = sorted(seen.values(), key=lambda t: (t[0].admin1 is None, -len(t[1]), t[0].name))
    return [place for place, _ in ranked[:MAX_PLACES]]


def _foreign_spans(report: SourceReport, theatre: str | None) -> list[tuple[int, int, float]]:
    """Where a report names actors (weight 1) and places (0.5, geocoding is noisier) of another country than
    the story's theatre: (start, end, weight)."""
    if not theatre:
        return []
    out = []
    for weight, kind in ((1.0, "actors"), (0.5, "places")):
        for item in report.analysis.get(kind) or []:
            country = item.get("country")
            s, e = item.get("start"), item.get("end")
            if country and country != theatre and s is not None and e is not None:
                out.append((s, e, weight))
    return out


def _mentions_within(spans: list[tuple[int, int, float]], start: int, end: int) -> float:
    """The weight of the foreign mentions inside a sentence (whole and half units: exact in any order)."""
    return sum((w for s, e, w in spans if start <= s and e <= end), 0.0)


def _paragraphs(items: list[Candidate]) -> list[Paragraph]:
    """Two or three sentences a paragraph, as evenly as the count allows."""
    n = len(items)
    if n == 0:
        return []
    count = math.ceil(n / 3)
    sizes = [n // count + (1 if i < n % count else 0) for i in range(count)]
    out, i = [], 0
    for size in sizes:
        chunk = items[i : i + size]
        i += size
        out.append(Paragraph(" ".join(c.text for c in chunk), [Citation(c.article_id, c.start, c.end) for c in chunk]))
    return out


def write_story(inputs: StoryInputs) -> Story:
    """The story article for one cluster of canonical reports."""
    reports = reports_to_read(inputs.reports)
    candidates, matrix, centrality = select_sentences(inputs, reports)
    n_sources = len(inputs.article_ids or inputs.reports)
    budget = min(MAX_SENTENCES, 3 + 2 * n_sources)
    per_report = 4 if n_sources >= 3 else budget
    chosen = _mmr(candidates, matrix, budget, per_report) if candidates else []
    central_report = max(range(len(reports)), key=lambda r: (centrality[r], -r)) if reports else None
    fallback_title = ""
    if central_report is not None:
        fallback_title = reports[central_report].title or ""
    fallback_title = _TITLE_LABEL.sub("", fallback_title).strip()
    lede = candidates[chosen[0]] if chosen else None
    if not fallback_title:
        fallback_title = lede.text if lede else "Untitled story"
    headline = build_headline(inputs.events, fallback_title)

    article_ids = inputs.article_ids or [r.id for r in inputs.reports]
    member_ts = inputs.member_ts or [r.ts for r in inputs.reports]
    story_year = int(iso(min(member_ts))[:4]) if member_ts else 0
    foreign: dict[int, list[tuple[int, int, float]]] = {}
    for i in chosen:
        c = candidates[i]
        if c.report not in foreign:
            foreign[c.report] = _foreign_spans(reports[c.report], inputs.theatre)
        c.klass = classify(c.text, story_year, _mentions_within(foreign[c.report], c.start, c.end))
    sections = _sections(inputs, [candidates[i] for i in chosen])

    relevance_of = {reports[r].id: centrality[r] for r in range(len(reports))}
    all_ts = list(member_ts) + list(inputs.copy_ts)
    events = sorted(inputs.events, key=lambda e: (e.date or "", e.id or ""))
    return Story(
        id=inputs.story_id,
        headline=headline,
        lede=lede.text if lede else "",
        situation=inputs.situation,
        article_ids=article_ids,
        duplicates=dict(sorted(inputs.duplicates.items())),
        first_seen=iso(min(all_ts)) if all_ts else None,
        updated=iso(max(all_ts)) if all_ts else None,
        implications=[],
        sections=sections,
        events=events,
        figures=reconcile(inputs.figures),  # type: ignore[arg-type]  # see ReconciledFigure
        quotes=_quotes(reports, relevance_of),
        timeline=_timeline(inputs, reports, centrality),
        actors=_actors(inputs, reports),
        places=_places(inputs, reports),
    )


def _sections(inputs: StoryInputs, chosen: list[Candidate]) -> list[Section]:
    if not chosen:
        return []
    lede = chosen[0]
    counts = Counter(c.klass for c in chosen if c.klass != "background")
    # The lede opens the main section, whatever its own class: the section the story mostly is.
    main = min(counts, key=lambda k: (-counts[k], _SECTION_ORDER.index(k))) if counts else lede.klass
    lede.klass = main
    by_class: dict[str, list[Candidate]] = {}
    for c in chosen:
        by_class.setdefault(c.klass, []).append(c)
    # Classes with two sentences or more get their own section (at most four); a lone sentence joins the main one.
    kept = [
        k
        for k in sorted(by_class, key=lambda k: (-len(by_class[k]), _SECTION_ORDER.index(k)))
        if len(by_class[k]) >= 2 or k == main
    ]
    if len(kept) == 1 and len(chosen) >= 3:
        others = [k for k in sorted(by_class, key=lambda k: (-len(by_class[k]), _SECTION_ORDER.index(k))) if k != main]
        kept += others[:1]
    kept = [main] + [k for k in kept if k != main][:3]
    for k in list(by_class):
        if k not in kept:
            by_class[main].extend(by_class.pop(k))
    ordered = [main] + [k for k in _SECTION_ORDER if k in kept and k != main and k != "background"]
    if "background" in kept and main != "background":
        ordered.append("background")
    sections = []
    for k in ordered:
        items = by_class[k]
        rest = sorted((c for c in items if c is not lede), key=lambda c: (c.ts, c.article_id, c.start))
        items = ([lede] if k == main else []) + rest
        heading = _front_heading(inputs) if k == "front" else _HEADINGS[k]
        sections.append(Section(heading, _paragraphs(items)))
    return sections


def check_citations(story: Story, texts: dict[str, str]) -> list[str]:
    """Problems with a story's citations (empty when every sentence points at its exact source text)."""
    problems = []
    for section in story.sections:
        for paragraph in section.paragraphs:
            if not paragraph.citations:
                problems.append(f"uncited paragraph: {paragraph.text[:60]!r}")
                continue
            parts = []
            for c in paragraph.citations:
                text = texts.get(c.article_id)
                if text is None:
                    problems.append(f"citation to unknown report {c.article_id}")
                    continue
                parts.append(text[c.start : c.end])
            if " ".join(parts) != paragraph.text:
                problems.append(f"paragraph does not match its citations: {paragraph.text[:60]!r}")
    return problems
