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
from scipy.sparse import csr_matrix
from sklearn.preprocessing import normalize

from watchfloor.kb.textnorm import fold
from watchfloor.models import ActorRef, Citation, Event, Figure, Paragraph, Place, Quote, Section, Story, TimelineEntry
from watchfloor.stories.features import iso, term_counts
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
_WORD = re.compile(r"\w+")
_JOINT_DATELINE = re.compile(r"[A-Z][A-Z'.-]+(?:/[A-Z][A-Z'.-]+)+")


def _balanced_quotes(text: str) -> bool:
    return text.count('"') % 2 == 0 and text.count("\u201c") == text.count("\u201d")


def _line_start(text: str, start: int) -> bool:
    i = start - 1
    while i >= 0 and text[i] in " \t\u00a0":
        i -= 1
    return i < 0 or text[i] in "\n\r"


def sentence_spans(report: SourceReport) -> list[tuple[int, int]]:
    """Usable sentence spans of one report: datelines cut off, fragments and boilerplate left out."""
    from watchfloor.analyze.text import split_sentences

    text = report.text
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
        if _NEEDS_ANTECEDENT.match(sentence) or _BOILERPLATE.search(sentence):
            continue
        if sentence.isupper():
            continue
        out.append((start, end))
    return out


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
    scores = {k: float(len(p.findall(sentence))) for k, p in _CLASS_PATTERNS.items()}
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


def _vectors(texts: list[str]) -> Any:
    """Unit TF-IDF rows over the story's own sentences, in a space of only the terms they use."""
    hashed = term_counts(texts)
    used, columns = np.unique(hashed.indices, return_inverse=True)
    counts = csr_matrix((1.0 + np.log(hashed.data), columns, hashed.indptr), shape=(hashed.shape[0], max(1, used.size)))
    df = np.bincount(columns, minlength=counts.shape[1])
    n = counts.shape[0]
    counts.data = counts.data * (np.log((n + 1.0) / (df[columns] + 1.0)) + 1.0)
    return normalize(counts, norm="l2", copy=False)


def _span_has(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    return any(s < end and e > start for s, e in spans)


def select_sentences(inputs: StoryInputs, reports: list[SourceReport]) -> tuple[list[Candidate], Any, list[float]]:
    """Candidates with relevance, their vectors, and each report's centrality (cosine to the centroid)."""
    candidates: list[Candidate] = []
    for r, report in enumerate(reports):
        for position, (start, end) in enumerate(sentence_spans(report)):
            candidates.append(Candidate(r, report.id, start, end, report.text[start:end], position, report.ts))
    if not candidates:
        return [], None, [0.0] * len(reports)
    matrix = _vectors([c.text for c in candidates])
    centroid = np.zeros(matrix.shape[1])
    report_rows: dict[int, list[int]] = {}
    for i, c in enumerate(candidates):
        report_rows.setdefault(c.report, []).append(i)
    report_means = {}
    for r, rows in report_rows.items():
        mean = np.asarray(matrix[rows].mean(axis=0)).ravel()
        report_means[r] = mean
        centroid += mean
    norm = np.linalg.norm(centroid)
    if norm > 0:
        centroid /= norm
    relevance = matrix @ centroid
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


def _mmr(candidates: list[Candidate], matrix: Any, budget: int, per_report: int) -> list[int]:
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
    sims = (matrix[order] @ matrix[order].T).toarray()
    relevance = np.array([candidates[i].relevance for i in order])
    report = np.array([candidates[i].report for i in order])
    redundancy = np.zeros(order.size)
    alive = np.ones(order.size, dtype=bool)
    per: Counter[int] = Counter()
    while alive.any() and len(chosen) < budget:
        score = np.where(alive, MMR_LAMBDA * relevance - (1 - MMR_LAMBDA) * redundancy, -np.inf)
        best = int(np.argmax(score))
        chosen.append(int(order[best]))
        per[int(report[best])] += 1
        alive[best] = False
        redundancy = np.maximum(redundancy, sims[:, best])
        alive &= sims[:, best] <= REDUNDANT
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


def _foreign_mentions(report: SourceReport, theatre: str | None, start: int, end: int) -> float:
    """Actors (1 each) and places (0.5 each, geocoding is noisier) of another country inside a sentence."""
    if not theatre:
        return 0.0
    n = 0.0
    for weight, kind in ((1.0, "actors"), (0.5, "places")):
        for item in report.analysis.get(kind) or []:
            country = item.get("country")
            s, e = item.get("start"), item.get("end")
            if country and country != theatre and s is not None and e is not None and start <= s and e <= end:
                n += weight
    return n


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
    for i in chosen:
        c = candidates[i]
        c.klass = classify(c.text, story_year, _foreign_mentions(reports[c.report], inputs.theatre, c.start, c.end))
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
