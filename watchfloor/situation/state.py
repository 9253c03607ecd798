"""Situation state of one theatre, built from events and report text over time.

What it holds, each fact dated and carrying the exact source sentences it rests on:

* **control**: who holds which place since when, from territory events ("Non-state actor overtakes
  territory", "Government regains territory", "Non-violent transfer of territory") and from phrases in the
  reports ("captured", "took control of", "entered", "withdrew from", "handed over to", "retook");
* **front lines**: places changing hands per day, and each advancing side's distance to the capital and to
  the objectives the reports name ("toward Homs", "the target is Damascus"), in km by haversine;
* **alignments**: who backs, arms, withdraws support from, allies with or condemns whom, from the text
  ("Turkish-backed", "pledged Tehran's continued backing", "Iran began evacuating") and from the actor
  knowledge base's dated relations;
* **figures over time**: displaced, killed, ... as reported, by date and source;
* **activity**: each side's violent events per day in the last days against its own earlier average;
* **signals**: dated cue sentences (forces collapsing or reinforcing, leaders leaving, ceasefires,
  international moves, border effects) that the implication patterns and the scorer read.

Sides: actors are grouped into the sides that hold ground. The theatre's state forces, government and head
of state are one side (``gov:SYR``); foreign states are ``state:RUS``; an umbrella actor ("Syrian armed
opposition") or a generic one ("rebels") is folded into the most active specific actor under it (HTS),
whose members then read "HTS-led forces".
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import chain
from typing import Any

from watchfloor.models import Event, EvidenceRef, Figure, Place, Record
from watchfloor.situation import lexicon
from watchfloor.situation.sources import SourceDoc, Sources, parse_day

TERRITORY_SUBTYPES = frozenset(
    {"Non-state actor overtakes territory", "Government regains territory", "Non-violent transfer of territory"}
)
VIOLENT_TYPES = frozenset({"Battles", "Explosions/Remote violence", "Violence against civilians", "Riots"})
FACT_MODALITIES = frozenset({"asserted", "reported"})
GOV_TYPES = frozenset({"State forces", "Head of state or government", "Government official"})
ARMED_TYPES = frozenset({"Rebel group", "Political militia", "Identity militia", "External/Other forces"})
GENERIC_FIGHTERS = re.compile(
    r"(?i)^(?:the )?(?:rebels?|opposition|insurgents?|militants?|armed (?:groups?|men|factions)|(?:local )?armed factions|"
    r"factions|fighters|gunmen|jihadists?)\b"
)
_GROUP_WORDS = re.compile(
    r"\b(?:Army|Forces|Front|Movement|Brigades?|Alliance|Party|Council|Group|Division|Corps|Guards?|Union|Resistance|"
    r"Organi[sz]ation|Tahrir|State|Militia|Command|Coalition|Axis|Network|Committee|Battalion|Regiment|Company)\b"
)
_PERSON_NAME = re.compile(r"[A-Z][a-z]+(?: (?:al-|el-|bin |ibn |ould |ag )?[A-Z][\w'-]+){1,3}")
UMBRELLA_NAME = re.compile(r"(?i)\b(?:opposition|rebels|rebel groups|armed groups|factions|insurgents|resistance forces)\b")
SAME_PLACE_KM = 12.0
ACTIVITY_WINDOW_DAYS = 3


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km on a sphere of radius 6371 km."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


_BACKED_PREFIX = re.compile(r"^[A-Z][\w]+-(?:backed|led|aligned) ")


def _bare_name(text: str) -> str:
    """An actor's name without a leading "Turkish-backed" or "HTS-led"."""
    return _BACKED_PREFIX.sub("", text)


def _mention_pairs(doc: SourceDoc) -> tuple[tuple[str, ...], tuple[tuple[str, str], ...]]:
    """The report's known actors as mentioned, in text order: their ids, and (id, surface text) pairs."""
    named = [m for m in doc.actors if m.actor_id]
    return tuple(m.actor_id for m in named), tuple((m.actor_id, m.text) for m in named)  # type: ignore[misc]


def _memo(doc: SourceDoc, what: str, sides: Sides, compute: Any) -> Any:
    """``compute()`` once per report, theatre and knowledge base: what it reads depends on nothing else.

    Kept on the report itself, so it lives exactly as long as the loaded report (see ``situation.load``).
    """
    return _cached(doc, (what, sides.theatre, id(sides.kb)), compute)


def _cached(doc: SourceDoc, key: tuple[Any, ...], compute: Any) -> Any:
    if key in doc.memo:
        return doc.memo[key]
    found = doc.memo[key] = compute()
    return found


# -- records ----------------------------------------------------------------------------------------------------


@dataclass(slots=True)
class ControlChange(Record):
    """A place passing to ``taker`` (full control) or being entered by it (partial), on ``date``."""

    place: str
    lat: float
    lon: float
    country: str | None
    date: str
    taker: str  # side id
    loser: str | None
    kind: str  # captured | entered | withdrawal | handover | regained
    full: bool
    evidence: list[EvidenceRef] = field(default_factory=list)
    first_reported: str | None = None  # timestamp of the earliest report that carries it


@dataclass(slots=True)
class PlaceControl(Record):
    place: str
    lat: float
    lon: float
    controller: str | None
    since: str | None
    contested_by: str | None = None
    evidence: list[EvidenceRef] = field(default_factory=list)


@dataclass(slots=True)
class Objective(Record):
    """A place the reports say a side is heading for."""

    side: str
    place: str
    lat: float
    lon: float
    date: str
    approach: bool  # the side is at its outskirts or gates, not only heading there
    evidence: list[EvidenceRef] = field(default_factory=list)


@dataclass(slots=True)
class Advance(Record):
    """How far a side has moved toward a target, from its gains' coordinates."""

    side: str
    target: str
    target_lat: float
    target_lon: float
    first_date: str
    last_date: str
    start_km: float
    now_km: float
    advanced_km: float
    km_per_day: float
    nearest_place: str


@dataclass(slots=True)
class Alignment(Record):
    source: str  # side or actor id ("state:TUR", "hts")
    kind: str  # backs | arms | withdraws_support | allies_with | condemns
    target: str
    date: str | None
    origin: str  # text | kb
    evidence: list[EvidenceRef] = field(default_factory=list)


@dataclass(slots=True)
class FigurePoint(Record):
    kind: str
    date: str
    value: int
    source: str | None
    approximate: bool
    evidence: EvidenceRef
    first_reported: str | None = None


@dataclass(slots=True)
class Signal(Record):
    kind: str
    date: str
    hedged: bool
    cue: str
    evidence: EvidenceRef
    actors: list[str] = field(default_factory=list)  # side ids of actors named in the sentence
    countries: list[str] = field(default_factory=list)
    reported: str | None = None  # report timestamp


@dataclass(slots=True)
class Activity(Record):
    side: str
    recent_per_day: float
    baseline_per_day: float | None
    ratio: float | None
    recent_events: int
    sub_types: dict[str, int] = field(default_factory=dict)


@dataclass(slots=True)
class Side(Record):
    id: str
    name: str  # how a statement names it: "HTS-led forces", "Syrian government forces", "Turkey"
    members: list[str] = field(default_factory=list)  # actor ids (and generic ids) counted as this side
    government: bool = False
    foreign: bool = False
    leader_name: str | None = None  # head of state or government, for a government side


# -- sides ------------------------------------------------------------------------------------------------------

# Knowledge base -> its affiliation tree (parent id -> member ids). The entry holds the knowledge base itself so
# its id cannot be reused by another object while the entry lives.
_CHILDREN: dict[int, tuple[Any, dict[str, list[str]]]] = {}


def _children_of(kb: Any) -> dict[str, list[str]]:
    """Member ids per parent actor, built once per knowledge base (it is large; a situation needs it often)."""
    if kb is None:
        return defaultdict(list)
    entry = _CHILDREN.get(id(kb))
    if entry is None or entry[0] is not kb:
        children: dict[str, list[str]] = defaultdict(list)
        for actor in kb:
            for parent in actor.affiliation:
                children[parent].append(actor.id)
        if len(_CHILDREN) >= 4:
            _CHILDREN.clear()
        entry = _CHILDREN[id(kb)] = (kb, children)
    return entry[1]


# (Knowledge base, theatre) -> actor id -> its raw side (``Sides.raw_side``). The entry holds the knowledge base
# so its id cannot be reused by another object while the entry lives.
_RAW_SIDES: dict[tuple[int, str | None], tuple[Any, dict[str, str | None]]] = {}


def _raw_sides(kb: Any, theatre: str | None) -> dict[str, str | None]:
    key = (id(kb), theatre)
    entry = _RAW_SIDES.get(key)
    if entry is None or entry[0] is not kb:
        if len(_RAW_SIDES) >= 256:
            _RAW_SIDES.clear()
        entry = _RAW_SIDES[key] = (kb, {})
    return entry[1]


# Knowledge base -> actor id -> the country it heads (None: not a head of state or government), read on demand.
_HEADS: dict[int, tuple[Any, dict[str, Any]]] = {}
_UNKNOWN = object()


def _head_countries(kb: Any) -> dict[str, Any]:
    entry = _HEADS.get(id(kb))
    if entry is None or entry[0] is not kb:
        if len(_HEADS) >= 4:
            _HEADS.clear()
        entry = _HEADS[id(kb)] = (kb, {})
    return entry[1]


class Sides:
    """Maps actors to the sides that hold ground in one theatre."""

    def __init__(self, kb: Any, theatre: str | None) -> None:
        self.kb = kb
        self.theatre = theatre
        self._children: dict[str, list[str]] = _children_of(kb)
        self._raw: dict[str, str | None] = _raw_sides(kb, theatre)
        self.merge: dict[str, str] = {}
        self.surface: Counter[tuple[str, str]] = Counter()
        self._surface_index: tuple[Counter[tuple[str, str]], dict[str, list[tuple[str, int]]]] | None = None

    def _actor(self, actor_id: str | None) -> Any:
        if actor_id is None or self.kb is None:
            return None
        return self.kb.get(actor_id)

    def raw_side(self, actor_id: str | None, name: str | None = None) -> str | None:
        """The side before folding umbrellas; None for civilians, protesters, media and the like."""
        if actor_id is None:
            if name and GENERIC_FIGHTERS.match(name):
                return f"generic:{self.theatre or ''}"
            return None
        # A known actor's side depends only on the knowledge base and the theatre: read once for both.
        try:
            return self._raw[actor_id]
        except KeyError:
            side = self._raw[actor_id] = self._raw_side(actor_id)
            return side

    def _raw_side(self, actor_id: str) -> str | None:
        actor = self._actor(actor_id)
        if actor is None:
            return actor_id
        if actor.type in {"Civilians", "Protesters", "Media", "NGO", "International organisation", "Rioters", "Political party"}:
            return None
        if actor.type in GOV_TYPES and actor.country:
            # A leader affiliated with an armed group (a rebel commander later in office) stands with the group.
            group = self._armed_parent(actor)
            if group is None:
                return f"gov:{actor.country}" if actor.country == self.theatre else f"state:{actor.country}"
            actor = group
        # Climb affiliations while the parent is a specific group, not an umbrella such as "Syrian opposition".
        current, seen = actor, {actor.id}
        while current.affiliation:
            parent = self._actor(current.affiliation[0])
            if parent is None or parent.id in seen or self.is_umbrella(parent.id) or parent.type not in ARMED_TYPES:
                break
            seen.add(parent.id)
            current = parent
        return current.id

    def _armed_parent(self, actor: Any) -> Any:
        for parent_id in actor.affiliation:
            parent = self._actor(parent_id)
            if parent is not None and parent.type in ARMED_TYPES:
                return parent
        return None

    def is_umbrella(self, actor_id: str) -> bool:
        """A catch-all such as "Syrian armed opposition": a root actor with a generic name and member groups."""
        actor = self._actor(actor_id)
        if actor is None or actor.affiliation or not self._children.get(actor_id):
            return False
        return bool(UMBRELLA_NAME.search(actor.name))

    def umbrella_of(self, actor_id: str) -> str | None:
        actor = self._actor(actor_id)
        seen = set()
        while actor is not None and actor.affiliation and actor.id not in seen:
            seen.add(actor.id)
            parent = self._actor(actor.affiliation[0])
            if parent is None:
                return None
            if self.is_umbrella(parent.id):
                return parent.id
            actor = parent
        return None

    def loose(self, side: str | None) -> bool:
        """Sides that stand for "whoever is advancing": generic rebels and umbrella actors."""
        return side is not None and (side.startswith("generic:") or self.is_umbrella(side))

    def fold(self, weights: Counter[str]) -> None:
        """Fold loose sides into the most active specific side under them (by ``weights``)."""
        specific = [s for s in weights if not self.loose(s) and not s.startswith(("gov:", "state:", "~"))]
        for loose in [s for s in weights if self.loose(s) and not s.startswith("~")]:
            if loose.startswith("generic:"):
                pool = specific
            else:
                pool = [s for s in specific if self.umbrella_of(s) == loose]
            if pool:
                self.merge[loose] = max(pool, key=lambda s: (weights[s], s))

    def side(self, actor_id: str | None, name: str | None = None) -> str | None:
        raw = self.raw_side(actor_id, name)
        return self.merge.get(raw, raw) if raw else None

    def resolve(self, side: str | None) -> str | None:
        return self.merge.get(side, side) if side else None

    def members(self, side: str) -> list[str]:
        out = {side}
        out.update(k for k, v in self.merge.items() if v == side)
        out.update(self._descendants(side))
        return sorted(out)

    def _descendants(self, actor_id: str) -> set[str]:
        out: set[str] = set()
        stack = [actor_id]
        while stack:
            for child in self._children.get(stack.pop(), ()):
                if child not in out and not self.is_umbrella(child):
                    out.add(child)
                    stack.append(child)
        return out

    def describe(self, side_id: str, mention_ids: Counter[str]) -> Side:
        if side_id.startswith("gov:"):
            iso3 = side_id[4:]
            return Side(side_id, f"{lexicon.demonym(iso3)} government forces", [side_id], government=True,
                        leader_name=self._leader(iso3, mention_ids))
        if side_id.startswith("state:"):
            iso3 = side_id[6:]
            return Side(side_id, lexicon.country_display(iso3), [side_id], foreign=True)
        if side_id.startswith("generic:"):
            return Side(side_id, "armed groups", [side_id])
        actor = self._actor(side_id)
        members = self.members(side_id)
        label = self._label(side_id, actor)
        # Name a coalition by its most-cited member ("M23" rather than "Congo River Alliance").
        cited: Counter[str] = Counter()
        wanted = set(members)
        for a, used in self._surface_of().items():
            if a in wanted and not self.loose(a) and (a == side_id or self._is_group(a)):
                cited[a] = sum(n for _, n in used)
        if cited:
            best = max(cited, key=lambda a: (cited[a], a == side_id))
            if best != side_id:
                label = self._label(best, self._actor(best))
        led = any(m != side_id for m in members if m in self.merge or m.startswith("generic:"))
        if led:
            name = f"{label}-led forces"
        elif actor is not None and re.search(r"(?i)\b(forces|army|front|movement|party|group|brigades?|council|command|alliance|coalition|division|corps|militia|guards?)$", label):
            name = f"the {label}"
        else:
            name = label
        foreign = bool(actor is not None and actor.country and self.theatre and actor.country != self.theatre)
        return Side(side_id, name, members, foreign=foreign)

    def _surface_of(self) -> dict[str, list[tuple[str, int]]]:
        """``surface`` by actor: (text, count) in ``surface`` order, actors in order of first appearance.

        Built on first use for the ``surface`` counter set then; ``surface`` is set whole, never changed in place
        once sides are described.
        """
        index = self._surface_index
        if index is None or index[0] is not self.surface:
            by_actor: dict[str, list[tuple[str, int]]] = defaultdict(list)
            for (a, text), n in self.surface.items():
                by_actor[a].append((text, n))
            index = self._surface_index = (self.surface, dict(by_actor))
        return index[1]

    def _is_group(self, actor_id: str) -> bool:
        """An armed group, not a person the knowledge base files under one ("Mazloum Abdi")."""
        actor = self._actor(actor_id)
        if actor is None or actor.type not in ARMED_TYPES:
            return False
        name = str(actor.name)
        if _GROUP_WORDS.search(name) or " " not in name:
            return True
        return not _PERSON_NAME.fullmatch(name)

    def _label(self, actor_id: str, actor: Any) -> str:
        """The shortest name the reports use for the actor if it is an acronym, else its knowledge-base name."""
        used = [(n, _bare_name(text)) for text, n in self._surface_of().get(actor_id, ())]
        acronyms = [t for n, t in used if re.fullmatch(r"[A-Z0-9][A-Z0-9-]{1,6}", t)]
        if acronyms:
            return max(acronyms, key=lambda t: (sum(n for n, x in used if x == t), -len(t)))
        if actor is not None:
            if used:
                # The knowledge-base name when the reports use it, else the form they use most.
                texts = {t for _, t in used}
                if actor.name in texts:
                    return str(actor.name)
                best = max(used)[1]
                if best[:1].isupper():
                    return best
            return str(actor.name)
        return actor_id

    def _leader(self, iso3: str, mention_ids: Counter[str]) -> str | None:
        if self.kb is None:
            return None
        # The most mentioned head of state or government of the country, the first mentioned among equals (the
        # order ``most_common`` gives), found without sorting every mention.
        heads = _head_countries(self.kb)
        best_id: str | None = None
        best_n = 0
        for actor_id, n in mention_ids.items():
            if best_id is not None and n <= best_n:
                continue
            country = heads.get(actor_id, _UNKNOWN)
            if country is _UNKNOWN:
                actor = self.kb.get(actor_id)
                head = actor is not None and actor.type == "Head of state or government"
                country = heads[actor_id] = actor.country if head else None
            if country is not None and country == iso3:
                best_id, best_n = actor_id, n
        if best_id is None:
            return None
        best = self.kb.get(best_id)
        used = [(n, t) for t, n in self._surface_of().get(best.id, ()) if len(t.split()) >= 2]
        return max(used)[1] if used else str(best.name)


# -- control phrases ----------------------------------------------------------------------------------------------

# (kind, full control?, regex, where the place is: "after" or "before", max gap in characters to the place)
_CONTROL_CUES: list[tuple[str, bool, re.Pattern[str], str, int]] = [
    ("captured", True, re.compile(r"\b(?:captur(?:ed|ing|es|e)|seiz(?:ed|ing|es)|overr[au]n|overtook|conquered|"
                                  r"(?:took|taken|take|takes|taking|gained|seized|assumed) (?:full |total |effective )?control of|"
                                  r"took over|taken over|swept (?:into|through)|liberat(?:ed|ing))\b", re.I), "after", 60),
    ("fall", True, re.compile(r"\b(?:the )?(?:capture|fall|seizure|takeover|loss) of\b", re.I), "after", 12),
    ("taken", True, re.compile(r"\b(?:took|taken|taking)\b", re.I), "after", 25),
    ("captured", True, re.compile(r"\b(?:fell|falls|fallen|slipped) (?:\w+ ){0,2}(?:to|from|out of)\b", re.I), "before", 40),
    ("entered", False, re.compile(r"\b(?:entered|enter|enters|entering|moved into|pushed into|advanced into|broke into|stormed|"
                                  r"(?:walked|rolled|marched|drove|swept) into)\b", re.I), "after", 40),
    ("withdrawal", True, re.compile(r"\b(?:withdr[ae]wn?|withdrawing|pull(?:ed|ing)? (?:\w+ ){0,2}out of|pulled back from|retreated from|abandoned)\b", re.I), "after", 40),
    ("handover", True, re.compile(r"\bhand(?:ed|s|ing)? (?:\w+ ){0,4}(?:over|back)\b", re.I), "after", 60),
    ("regained", True, re.compile(r"\b(?:retook|retake|retaken|recaptur\w+|regain\w*|back under (?:\w+ )?control|returned to)\b", re.I), "after", 40),
]
_APPROACH = re.compile(
    r"\b(?:(?:northern |southern |eastern |western )?outskirts of|gates of|edge of|closes? in on|closing in on|"
    r"within (?:about |some )?\d+ ?(?:km|kilometres|kilometers) of|approach(?:es|ing)? to|reached|"
    r"\d+ ?(?:km|kilometres|kilometers) (?:north|south|east|west|northeast|northwest|southeast|southwest) of)\b",
    re.I,
)
# The cue patterns are searched in every sentence of every report: see ``lexicon.quick``.
_CONTROL_CUES = [(kind, full, lexicon.quick(rx), where, gap) for kind, full, rx, where, gap in _CONTROL_CUES]
_APPROACH = lexicon.quick(_APPROACH)
_CLAUSE_END = re.compile(r"[;:]|\s(?:but|while|whereas|although)\s|,\s(?:which|who|where|as|when)\s")
_REGAIN_WORDS = re.compile(r"\b(?:retook|retake|retaken|recaptur\w+|regain\w*|returned to|back under)\b", re.I)
_PLACE_LIST_GLUE = re.compile(
    r"^(?:\s*(?:,|and|,\s*and|or|as well as|including|the|towns? of|cities of|city of|villages? of|key cities|"
    r"cities|towns)\s*)*$",
    re.I,
)
_GENERIC_TARGETS = re.compile(r"(?i)\b(?:rebels?|the opposition|opposition (?:fighters|forces|factions|groups)|(?:some of )?the factions|insurgents)\b")
_ARMED_WORDS = re.compile(
    r"(?i)\b(?:rebels?|fighters|forces|troops|army|militants|insurgents|militias?|gangs?|gunmen|soldiers|jihadists|"
    r"factions|opposition|offensive|junta|armed)\b"
)
_UNOPPOSED = re.compile(r"(?i)\b(?:no serious resistance|little resistance|no resistance|without resistance|without a fight|unopposed|taking control)\b")
_PREPOSITION_BEFORE = re.compile(r"(?i)\b(?:for|to|from|in|into|at|of|on|with|by|toward|towards|against|near)\s+(?:the\s+)?$")
_GENERIC_WORDS = re.compile(
    r"(?i)\b(?:rebels?|opposition (?:fighters|forces|factions|groups)|the opposition|insurgents|fighters|militants|"
    r"armed (?:groups|factions|men)|gunmen|factions|jihadists)\b"
)


@dataclass(slots=True)
class _Claim:
    place: Place
    surface: str
    date: str
    actor_side: str | None  # who acted (the subject); "~X" when X withdrew
    kind: str
    full: bool
    ref: EvidenceRef
    reported: str | None


def _usable(place: Place | None) -> bool:
    return place is not None and place.lat is not None and place.lon is not None and place.geo_precision < 3


def _whole_name(doc: SourceDoc, start: int, end: int) -> bool:
    """False for a place matched inside a longer name ("Khan" of "Khan al-Assal") or shouted in a dateline."""
    tail = doc.text[end : end + 4]
    if re.match(r"(?:-| al-| el-| ash-| as-| ad-| ar-)", tail):
        return False
    return not doc.text[start:end].isupper() or len(doc.text[start:end]) <= 3


_OBJECT_GAP = re.compile(
    r"^\s*(?:full |total )?(?:(?:control of|over)\s+)?(?:the\s+)?(?:(?:centre|center|heart|middle) of\s+)?"
    r"(?:(?:[a-z-]+ ){0,2}(?:towns?|city|cities|villages?|districts?|areas?|capital|port|crossing|base|"
    r"airport|region|province)\s+(?:of\s+)?)?$",
    re.I,
)


def _places_after(doc: SourceDoc, start: int, limit: int, max_gap: int, strict: bool = False) -> list[tuple[Place, str]]:
    """Places from ``start`` up to ``limit``: the first within ``max_gap``, then any joined to it by a list.

    ``strict`` asks for the place to be the verb's object ("took the town of X", not "taken to X").
    """
    out: list[tuple[Place, str]] = []
    last_end = start
    for m in doc.places_in(start, limit):
        if not _usable(m.place) or not _whole_name(doc, m.start, m.end):
            continue
        gap = doc.text[last_end : m.start]
        if not out:
            if m.start - start > max_gap or (strict and not _OBJECT_GAP.match(gap)):
                break
        elif not _PLACE_LIST_GLUE.match(gap):
            break
        out.append((m.place, m.text))  # type: ignore[arg-type]
        last_end = m.end
    return out


def _place_before(doc: SourceDoc, begin: int, cue_start: int, max_gap: int) -> tuple[Place, str] | None:
    best = None
    for m in doc.places_in(begin, cue_start):
        if _usable(m.place) and _whole_name(doc, m.start, m.end) and cue_start - m.end <= max_gap:
            best = (m.place, m.text)
    return best  # type: ignore[return-value]


class SituationBuilder:
    """Builds a ``Situation`` from events, figures and sources. One builder per theatre and time."""

    def __init__(self, kb: Any = None, gazetteer: Any = None) -> None:
        self.kb = kb
        self.gazetteer = gazetteer

    def build(
        self,
        theatre: str | None,
        events: Sequence[Event],
        figures: Sequence[Figure],
        sources: Sources,
        as_of: str | None = None,
    ) -> Situation:
        as_of = as_of or sources.latest_date() or max((e.date or "" for e in events), default="") or None
        known = sources.until(as_of)
        events = [e for e in events if not as_of or not e.date or e.date <= as_of[:10]]
        events = [e for e in events if e.article_id is None or e.article_id in known or not len(known)]
        sides = Sides(self.kb, theatre)
        # Counted in report order, mention by mention, as a loop over the reports' mentions would: the counters'
        # order (first mention first) decides ties further on.
        pairs = [_cached(doc, ("mention-pairs",), lambda doc=doc: _mention_pairs(doc)) for doc in known]
        mention_ids: Counter[str] = Counter(chain.from_iterable(ids for ids, _ in pairs))
        sides.surface = Counter(chain.from_iterable(texts for _, texts in pairs))

        phrase_claims, covered = self._phrase_claims(known, sides)
        claims = phrase_claims + self._event_claims(events, known, sides, covered)
        weights: Counter[str] = Counter()
        for c in claims:
            if c.actor_side and not c.actor_side.startswith("~"):
                weights[c.actor_side] += 3
        for actor_id, n in mention_ids.items():
            raw = sides.raw_side(actor_id)
            if raw:
                weights[raw] += n
        sides.fold(weights)
        lead = _lead_side(claims, sides)
        if lead and theatre:
            # Generic "rebels" and "factions" with no group named nearby stand for whoever leads the advance.
            sides.merge.setdefault(f"generic:{theatre}", lead)
        situation = Situation(theatre=theatre, as_of=as_of or "")
        situation.changes = self._changes(claims, sides, theatre)
        situation.control = _control_map(situation.changes)
        situation.objectives = self._objectives(known, sides)
        situation.capital = self._capital(theatre, known)
        situation.advances = _advances(situation)
        situation.alignments = self._alignments(known, sides, theatre, as_of)
        focused = Sources(d for d in known if _cached(d, ("focus", theatre), lambda d=d: _focus(d, theatre)) in (None, theatre))
        situation.figures = _figure_series(figures, focused, as_of, theatre)
        situation.activity = _activity(events, sides, as_of)
        situation.signals = self._signals(known, sides)
        ids = set(weights) | {c.taker for c in situation.changes} | {c.loser for c in situation.changes if c.loser}
        ids |= {a.source for a in situation.alignments} | {a.target for a in situation.alignments}
        ids = {sides.resolve(i) for i in ids if i}
        if theatre:
            ids.add(f"gov:{theatre}")
        situation.sides = {i: sides.describe(i, mention_ids) for i in sorted(x for x in ids if x)}
        situation.mentions = dict(mention_ids)
        situation.merged = dict(sides.merge)
        return situation

    # -- control ---------------------------------------------------------------------------------------------

    def _event_claims(self, events: Sequence[Event], sources: Sources, sides: Sides, covered: set[tuple[str, int]]) -> list[_Claim]:
        """Territory events whose sentence the phrase reading did not already cover."""
        out = []
        for e in events:
            if e.sub_event_type not in TERRITORY_SUBTYPES or e.modality not in FACT_MODALITIES:
                continue
            if e.sub_event_type == "Non-violent transfer of territory":
                continue  # too often an administrative handover; the phrase reading catches real ones
            loc = e.location
            doc = sources.get(e.article_id or "")
            if not _usable(loc) or doc is None:
                continue
            span = doc.clean_sentence(e.evidence.start)
            if span is None or (doc.id, span[0]) in covered:
                continue
            ref = doc.ref(*span)
            if lexicon.hedged(ref.text) and not re.search(r"(?i)\b(?:took|taken|captur|seiz|fell|entered|control)", ref.text):
                continue
            side = sides.raw_side(e.actor1.id, e.actor1.name) if e.actor1 else None
            kind, full = "captured", True
            if e.sub_event_type == "Government regains territory":
                if not _REGAIN_WORDS.search(ref.text):
                    continue  # an army statement about losing ground, not a regain
                kind = "regained"
                if side is None and loc.country:  # type: ignore[union-attr]
                    side = f"gov:{loc.country}"  # type: ignore[union-attr]
            surface = _surface(doc, span, loc)  # type: ignore[arg-type]
            out.append(_Claim(loc, surface, e.date or doc.day or "", side, kind, full, ref, doc.article.date))  # type: ignore[arg-type]
        return out

    def _phrase_claims(self, sources: Sources, sides: Sides) -> tuple[list[_Claim], set[tuple[str, int]]]:
        out: list[_Claim] = []
        covered: set[tuple[str, int]] = set()
        for doc in sources:
            claims, doc_covered = _memo(doc, "claims", sides, lambda doc=doc: _doc_phrase_claims(doc, sides))
            out.extend(claims)
            covered |= doc_covered
        return out, covered

    def _changes(self, claims: list[_Claim], sides: Sides, theatre: str | None) -> list[ControlChange]:
        lead = _lead_side(claims, sides)
        merged: dict[tuple[str, str, bool], ControlChange] = {}
        for c in sorted(claims, key=lambda c: (c.date, c.reported or "")):
            loser: str | None = None
            if c.actor_side and c.actor_side.startswith("~"):
                loser = sides.resolve(c.actor_side[1:])
                if loser and loser.startswith("gov:"):
                    taker = lead
                else:
                    taker = f"gov:{c.place.country or theatre}" if (c.place.country or theatre) else None
            else:
                taker = sides.resolve(c.actor_side) if c.actor_side else lead
            if taker is None or taker == loser:
                continue
            if loser is None and not taker.startswith("gov:") and (c.place.country or theatre):
                loser = f"gov:{c.place.country or theatre}"
            key = (_place_key(c.place), taker, c.full)
            existing = merged.get(key)
            if existing is None:
                merged[key] = ControlChange(
                    place=c.surface, lat=float(c.place.lat or 0.0), lon=float(c.place.lon or 0.0),
                    country=c.place.country, date=c.date, taker=taker, loser=loser, kind=c.kind, full=c.full,
                    evidence=[c.ref], first_reported=c.reported,
                )
            else:
                if all((r.article_id, r.start) != (c.ref.article_id, c.ref.start) for r in existing.evidence):
                    existing.evidence.append(c.ref)
                if c.date and c.date < existing.date:
                    existing.date = c.date
                if c.reported and (existing.first_reported is None or c.reported < existing.first_reported):
                    existing.first_reported = c.reported
        # A partial entry that a full capture of the same place by the same side follows adds nothing new.
        out = []
        for (pkey, taker, full), change in merged.items():
            if not full and (pkey, taker, True) in merged and merged[(pkey, taker, True)].date <= change.date:
                continue
            out.append(change)
        out.sort(key=lambda c: (c.date, c.place))
        return out

    # -- objectives and capital ----------------------------------------------------------------------------

    def _objectives(self, sources: Sources, sides: Sides) -> list[Objective]:
        """Places an armed side is said to head for, or to stand at the edge of."""
        found: dict[tuple[str, str], Objective] = {}
        for doc in sources:
            for side, key, surface, lat, lon, day, is_approach, ref in _memo(doc, "objectives", sides, lambda doc=doc: _doc_objectives(doc, sides)):
                obj = found.get((side, key))
                if obj is None:
                    found[(side, key)] = Objective(side, surface, lat, lon, day, is_approach, [ref])
                else:
                    obj.approach = obj.approach or is_approach
                    if len(obj.evidence) < 4 and all((r.article_id, r.start) != (ref.article_id, ref.start) for r in obj.evidence):
                        obj.evidence.append(ref)
        return list(found.values())

    def _capital(self, theatre: str | None, sources: Sources) -> Place | None:
        if not theatre:
            return None
        name = lexicon.capital_name(theatre)
        if not name:
            return None
        for doc in sources:
            place = _cached(doc, ("capital", name), lambda doc=doc: _named_place(doc, name))
            if place is not None:
                return place  # type: ignore[no-any-return]
        if self.gazetteer is not None:
            try:
                place = self.gazetteer.resolve(name, countries=[theatre])
            except Exception:  # noqa: BLE001 - a gazetteer problem must not stop the assessment
                place = None
            if place is not None and place.lat is not None:
                return place
        return None

    # -- alignments ---------------------------------------------------------------------------------------

    def _alignments(self, sources: Sources, sides: Sides, theatre: str | None, as_of: str | None) -> list[Alignment]:
        out: dict[tuple[str, str, str], Alignment] = {}

        def add(source: str | None, kind: str, target: str | None, date: str | None, origin: str, ref: EvidenceRef | None) -> None:
            source, target = sides.resolve(source), sides.resolve(target)
            if not source or not target or source == target:
                return
            key = (source, kind, target)
            item = out.get(key)
            if item is None:
                out[key] = Alignment(source, kind, target, date, origin, [ref] if ref else [])
            elif ref is not None and len(item.evidence) < 5 and all(
                (r.article_id, r.start) != (ref.article_id, ref.start) for r in item.evidence
            ):
                item.evidence.append(ref)
                if date and (item.date is None or date < item.date):
                    item.date = date

        lead: str | None = None
        for doc in sources:
            for kind, source, target, ref in _memo(doc, "alignments", sides, lambda doc=doc: _doc_alignments(doc, sides, theatre)):
                if target == "?advancing":
                    lead = lead or _lead_from_merge(sides)
                    target = lead
                elif target.startswith("?backed:"):
                    target = sides.side(target[len("?backed:") :]) or f"gov:{theatre}"
                add(source, kind, target, doc.day, "text", ref)
        # A "withdrawal" by an actor that never backed the target is movement, not withdrawn support, unless
        # the sentence itself speaks of support.
        backers = _backers(sides, theatre)
        for key in [k for k in out if k[1] == "withdraws_support"]:
            source, _, target = key
            backed = (source, "backs", target) in out or (source, "arms", target) in out or backers.get(source) == target
            if not backed and not any(_SUPPORT_TALK.search(r.text) for r in out[key].evidence):
                del out[key]
        # Knowledge-base relations of the theatre's actors, as dated background.
        if self.kb is not None and theatre:
            day = (as_of or "")[:10]
            for actor, rel in _theatre_relations(self.kb, theatre):
                if rel.kind not in ("backed_by", "allied_with"):
                    continue
                if rel.until and day and rel.until < day:
                    continue
                if rel.since and day and rel.since > day:
                    continue
                target = sides.side(actor.id)
                backer = sides.side(rel.target)
                if rel.kind == "backed_by":
                    add(backer, "backs", target, rel.since, "kb", None)
                else:
                    add(target, "allies_with", backer, rel.since, "kb", None)
        return sorted(out.values(), key=lambda a: (a.origin, a.date or "", a.source, a.kind, a.target))

    # -- signals --------------------------------------------------------------------------------------------

    def _signals(self, sources: Sources, sides: Sides) -> list[Signal]:
        # Signals sorted by (date, article, offset): a report's own signals are already in offset order and one
        # report has one date, so joining the reports in (date, id) order is that sort without sorting.
        merged = tuple(sorted(sides.merge.items()))
        out: list[Signal] = []
        for doc in sorted(sources, key=lambda d: (d.day or "", d.id)):
            out.extend(_doc_signals(doc, sides, merged))
        return out


def _doc_signals(doc: SourceDoc, sides: Sides, merged: tuple[tuple[str, str], ...]) -> list[Signal]:
    """One report's signals with actors as the situation's sides; kept on the report while the folding of
    sides (``merged``) stays the same, which it does from batch to batch unless the leading side changes.

    Signals are read, never changed, by whoever uses a situation, so situations can share them.
    """
    key = ("signal-list", sides.theatre, id(sides.kb))
    kept = doc.memo.get(key)
    if kept is not None and kept[0] == merged:
        return kept[1]  # type: ignore[no-any-return]
    out = []
    day, reported = doc.day or "", doc.article.date
    for ref, hedged, mentions, countries, hits, economic in _cached(doc, ("signals",), lambda: _doc_cues(doc)):
        if hits:
            actors = sorted({s for actor_id, text in mentions if (s := sides.side(actor_id, text))})
            for kind, cue in hits:
                out.append(Signal(kind, day, hedged, cue, ref, list(actors), list(countries), reported))
        if economic is not None:
            out.append(Signal(f"economic:{economic[0]}", day, False, economic[1], ref, [], [], reported))
    # Stable, so signals of one sentence keep the order the cues were read in.
    out.sort(key=lambda s: s.evidence.start)
    doc.memo[key] = (merged, out)
    return out


_Cues = tuple[EvidenceRef, bool, tuple[tuple[str | None, str], ...], tuple[str, ...], list[tuple[str, str]], tuple[str, str] | None]


_SIGNAL_HEADS = [(kind, rx, lexicon.word_heads(rx)) for kind, rx in lexicon.SIGNALS.items()]
# The same test turned around: which cues (by position in ``_SIGNAL_HEADS``) a word head can start; cues with no
# known heads are tried on every sentence.
_SIGNALS_ALWAYS = frozenset(i for i, (_, _, need) in enumerate(_SIGNAL_HEADS) if need is None)
_SIGNALS_BY_HEAD: dict[str, frozenset[int]] = {
    head: frozenset(i for i, (_, _, need) in enumerate(_SIGNAL_HEADS) if need is not None and head in need)
    for head in {h for _, _, need in _SIGNAL_HEADS if need is not None for h in need}
}
_SIGNAL_HEAD_WORDS = frozenset(_SIGNALS_BY_HEAD)
_ALL_SIGNALS = tuple(range(len(_SIGNAL_HEADS)))


def _signal_candidates(heads: frozenset[str] | None) -> Sequence[int]:
    """The cues, in ``_SIGNAL_HEADS`` order, that a sentence with these ``sentence_heads`` may match: those
    whose needed heads it shares (``need.isdisjoint(heads)`` false), and those with none known."""
    if heads is None:
        return _ALL_SIGNALS
    found = set(_SIGNALS_ALWAYS)
    for head in heads & _SIGNAL_HEAD_WORDS:
        found |= _SIGNALS_BY_HEAD[head]
    return sorted(found)


def _doc_cues(doc: SourceDoc) -> list[_Cues]:
    """Per sentence with a cue: (sentence, hedged, actor mentions, countries, [(signal kind, cue)], economic
    (channel, cue) or None). Which side an actor stands on is decided per situation, so mentions stay raw."""
    out: list[_Cues] = []
    search = lexicon.search
    # Most cue patterns cannot match most sentences: none of the sentence's words starts like any of them.
    for (s_start, s_end, sentence), heads in zip(doc.iter_sentences(), _sentence_heads(doc), strict=True):
        hits: list[tuple[str, str]] = []
        for i in _signal_candidates(heads):
            kind, rx, _ = _SIGNAL_HEADS[i]
            m = rx.search(sentence)
            if not m:
                continue
            if kind in lexicon.NEEDS_FORCES and not search(lexicon.FORCES, sentence, heads):
                continue
            if lexicon.negated_before(sentence, m.start(), 25) and kind not in ("denial",):
                continue
            hits.append((kind, m.group(0)))
        # Hedging is read only where it matters: a sentence with a signal, or one describing disruption.
        hedged: bool | None = None
        economic = None
        if search(lexicon.DISRUPTION, sentence, heads):
            hedged = lexicon.hedged(sentence)
            if not hedged:
                for name, _, rx in lexicon.ECONOMIC_CHANNELS:
                    m = search(rx, sentence, heads)
                    if m:
                        economic = (name, m.group(0))
                        break
        if hits or economic is not None:
            mentions: tuple[tuple[str | None, str], ...] = ()
            countries: tuple[str, ...] = ()
            if hits:
                mentions = tuple((a.actor_id, a.text) for a in doc.actors_in(s_start, s_end))
                countries = tuple(sorted({c.iso3 for c in _countries_in(doc, s_start, s_end)}))
            if hedged is None:
                hedged = lexicon.hedged(sentence)
            out.append((doc.ref(s_start, s_end), hedged, mentions, countries, hits, economic))
    return out


def _sentence_heads(doc: SourceDoc) -> list[frozenset[str] | None]:
    """``lexicon.sentence_heads`` of each of the report's sentences, in ``iter_sentences`` order."""
    return _cached(doc, ("heads",), lambda: [lexicon.sentence_heads(sentence) for _, _, sentence in doc.iter_sentences()])  # type: ignore[no-any-return]


def _may_align(sentence: str, heads: frozenset[str] | None) -> bool:
    """False when ``_sentence_alignments`` finds nothing for certain: no "X-backed" compound and no verb."""
    return "-" in sentence or any(lexicon.search(rx, sentence, heads) for _, rx in _ALIGN_VERBS)


def _doc_alignments(doc: SourceDoc, sides: Sides, theatre: str | None) -> list[tuple[str, str, str, EvidenceRef]]:
    """(kind, source, target, sentence) for every alignment one report's sentences state, sides raw."""
    out = []
    for (s_start, s_end, sentence), heads in zip(doc.iter_sentences(), _sentence_heads(doc), strict=True):
        if not _may_align(sentence, heads):
            continue  # spares reading the sentence's actors and countries
        found = _sentence_alignments(doc, s_start, s_end, sentence, sides, theatre)
        if found:
            ref = doc.ref(s_start, s_end)
            out.extend((kind, source, target, ref) for kind, source, target in found)
    return out


def _doc_phrase_claims(doc: SourceDoc, sides: Sides) -> tuple[list[_Claim], set[tuple[str, int]]]:
    """Control claims one report's sentences make, and the sentences they came from (actors as raw sides)."""
    out: list[_Claim] = []
    covered: set[tuple[str, int]] = set()
    for (s_start, s_end, sentence), heads in zip(doc.iter_sentences(), _sentence_heads(doc), strict=True):
        if not doc.places_in(s_start, s_end):
            continue
        cues = []
        for kind, full, rx, where, gap in _CONTROL_CUES:
            if not lexicon.can_match(rx, heads):
                continue
            for m in rx.finditer(sentence):
                cues.append((m.start(), -m.end(), kind, full, where, gap))
        if not cues:
            continue
        cues.sort()
        # Keep the longest cue at each position ("took control of" over "took").
        kept: list[tuple[int, int, str, bool, str, int]] = []
        for c_start, neg_end, kind, full, where, gap in cues:
            if kept and c_start < kept[-1][1]:
                continue
            kept.append((c_start, -neg_end, kind, full, where, gap))
        ref = doc.ref(s_start, s_end)
        for i, (c_start, c_end, kind, full, where, gap) in enumerate(kept):
            prefix = sentence[:c_start]
            if lexicon.hedged(prefix) or lexicon.negated_before(sentence, c_start, 45):
                continue
            abs_start, abs_end = s_start + c_start, s_start + c_end
            limit = s_start + (kept[i + 1][0] if i + 1 < len(kept) else len(sentence))
            clause = _CLAUSE_END.search(sentence, c_end)
            if clause:
                limit = min(limit, s_start + clause.start())
            if where == "after":
                places = _places_after(doc, abs_end, limit, gap, strict=kind in ("taken", "entered", "withdrawal"))
                if kind == "taken":
                    kind = "captured"
            else:
                found = _place_before(doc, s_start, abs_start, gap)
                places = [found] if found else []
            if not places:
                continue
            covered.add((doc.id, ref.start))
            if where == "before":
                actor = _first_side_after(doc, abs_end, s_end, sides)
            elif kind == "handover":
                actor = _first_side_after(doc, abs_end, s_end, sides, after_word="to")
            elif kind == "fall":
                actor, kind = None, "captured"  # "the fall of Hama": taken by whoever is advancing
            elif sentence[c_start:c_end].lower().endswith("ing") or re.match(r"(?i)taking|capturing|seizing", sentence[c_start:c_end]):
                actor = _subject_side(doc, s_start, abs_start, sides, first=True)
            else:
                actor = _subject_side(doc, s_start, abs_start, sides)
            if kind == "withdrawal":
                # The subject lost the place; who gained it is settled when sides are known.
                loser = actor if actor and actor.startswith("gov:") else _gov_if_forces(prefix, sides)
                if loser is None:
                    continue
                for place, surface in places:
                    out.append(_Claim(place, surface, doc.day or "", f"~{loser}", kind, True, ref, doc.article.date))
                continue
            if kind == "handover" and actor is None:
                continue
            if actor is None and where == "after" and kind in ("captured", "entered") and not _ARMED_WORDS.search(sentence):
                continue  # "600 trucks of aid entered the territory": no fighters, no change of control
            if not full and _UNOPPOSED.search(sentence):
                full = True  # "entered Damascus ... meeting no serious resistance"
            for place, surface in places:
                out.append(_Claim(place, surface, doc.day or "", actor, kind, full, ref, doc.article.date))
    return out, covered


def _doc_objectives(doc: SourceDoc, sides: Sides) -> list[tuple[str, str, str, float, float, str, bool, EvidenceRef]]:
    """(side, place key, surface, lat, lon, day, approach, sentence) for every objective one report names."""
    out: list[tuple[str, str, str, float, float, str, bool, EvidenceRef]] = []
    objective = lexicon.SIGNALS["objective"]
    for (s_start, s_end, sentence), heads in zip(doc.iter_sentences(), _sentence_heads(doc), strict=True):
        marks = [(m, False) for m in objective.finditer(sentence)] if lexicon.can_match(objective, heads) else []
        if lexicon.can_match(_APPROACH, heads):
            marks += [(m, True) for m in _APPROACH.finditer(sentence)]
        if not marks:
            continue
        places = [m for m in doc.places_in(s_start, s_end) if _usable(m.place)]
        if not places:
            continue
        chosen: list[tuple[Place, str, bool, int]] = []
        for i, pm in enumerate(places):
            rel = pm.start - s_start
            for mark, is_approach in marks:
                explicit = bool(re.match(r"(?i)target is|waiting for you|last step|sights on|march on", mark.group(0)))
                after = 0 <= rel - mark.end() <= 45
                before = mark.group(0).lower().startswith("waiting") and 0 <= mark.start() - (pm.end - s_start) <= 25
                if (after or before) and not lexicon.negated_before(sentence, mark.start(), 25):
                    chosen.append((pm.place, pm.text, is_approach or "km of" in mark.group(0), mark.start() if not explicit else -1))  # type: ignore[arg-type]
                    break
            else:
                # "toward Rastan and Homs": the second of a listed pair.
                if chosen and i and _PLACE_LIST_GLUE.match(doc.text[places[i - 1].end : pm.start]) and chosen[-1][0] is places[i - 1].place:
                    chosen.append((pm.place, pm.text, chosen[-1][2], chosen[-1][3]))  # type: ignore[arg-type]
        if not chosen:
            continue
        ref = doc.ref(s_start, s_end)
        for place, surface, is_approach, mark_start in chosen:
            if mark_start >= 0:
                # "toward X" says nothing about fighters unless an armed side is its subject.
                side = _subject_side(doc, s_start, s_start + mark_start, sides)
                if side is None or side.startswith(("gov:", "state:")):
                    continue
            else:
                side = "?lead"
            out.append((side, _place_key(place), surface, float(place.lat or 0), float(place.lon or 0), doc.day or "", is_approach, ref))
    return out


# -- helpers for sentences ------------------------------------------------------------------------------------


def _subject_side(doc: SourceDoc, begin: int, cue_start: int, sides: Sides, first: bool = False) -> str | None:
    """The side of the actor named before the cue: the nearest, or with ``first`` the clause's main subject.

    Generic fighters ("rebels", "its fighters") take the side of the last armed group the report named
    before them, else stay generic (folded into the leading side later). Civilians and media are skipped.
    """
    found: list[tuple[int, str]] = []
    for m in doc.actors_in(begin, cue_start):
        side = sides.raw_side(m.actor_id, m.text)
        if side and not _PREPOSITION_BEFORE.search(doc.text[max(0, m.start - 12) : m.start]):
            found.append((m.start, side))
    for m in _GENERIC_WORDS.finditer(doc.text, begin, cue_start):
        if not any(s <= m.start() < e for s, e in ((a.start, a.end) for a in doc.actors_in(begin, cue_start))):
            found.append((m.start(), _antecedent(doc, m.start(), sides) or f"generic:{sides.theatre or ''}"))
    if not found:
        return None
    found.sort()
    return found[0][1] if first else found[-1][1]


def _antecedent(doc: SourceDoc, offset: int, sides: Sides) -> str | None:
    """The last specific armed group named shortly before ``offset`` ("... the SNA said. Its fighters ...")."""
    for m in reversed(doc.actors_in(max(0, offset - 400), offset)):
        side = sides.raw_side(m.actor_id, m.text)
        if side and not side.startswith(("gov:", "state:", "generic:")) and not sides.loose(side):
            return side
    return None


def _surface(doc: SourceDoc, span: tuple[int, int], place: Place) -> str:
    names = [m for m in doc.places_in(*span) if m.place is not None and m.place.name == place.name]
    names.sort(key=lambda m: (not _whole_name(doc, m.start, m.end), m.start))
    return names[0].text if names else place.name


def _first_side_after(doc: SourceDoc, start: int, end: int, sides: Sides, after_word: str | None = None) -> str | None:
    if after_word:
        m = re.search(rf"\b{after_word}\b", doc.text[start:end])
        if not m:
            return None
        start += m.end()
    for m in doc.actors_in(start, end):
        side = sides.raw_side(m.actor_id, m.text)
        if side:
            return side
    return None


def _gov_if_forces(prefix: str, sides: Sides) -> str | None:
    if sides.theatre and re.search(r"(?i)\b(army|troops|government forces|soldiers|regime|military)\b", prefix):
        return f"gov:{sides.theatre}"
    return None


def _countries_in(doc: SourceDoc, start: int, end: int) -> list[lexicon.CountryMention]:
    """``lexicon.find_countries`` over a span of the report, read once per span (cues and alignments read the
    same sentences). The list is shared: read it, never change it."""
    key = ("countries", start, end)
    found = doc.memo.get(key)
    if found is None:
        found = doc.memo[key] = lexicon.find_countries(doc.text, start, end)
    return found  # type: ignore[no-any-return]


def _named_place(doc: SourceDoc, name: str) -> Place | None:
    """The first place of the report with coordinates and this name."""
    for m in doc.places:
        if m.place is not None and m.place.lat is not None and m.place.name == name:
            return m.place
    return None


def _place_key(place: Place) -> str:
    return f"{(place.name or '').lower()}|{place.country or ''}"


def _lead_side(claims: list[_Claim], sides: Sides) -> str | None:
    counts: Counter[str] = Counter()
    for c in claims:
        side = sides.resolve(c.actor_side) if c.actor_side and not c.actor_side.startswith("~") else None
        if side and not side.startswith(("gov:", "state:")):
            counts[side] += 1
    if not counts:
        return _lead_from_merge(sides)
    return max(counts, key=lambda s: (counts[s], s))


def _lead_from_merge(sides: Sides) -> str | None:
    targets = Counter(sides.merge.values())
    return max(targets, key=lambda s: (targets[s], s)) if targets else None


_ALIGN_VERBS: list[tuple[str, re.Pattern[str]]] = [
    ("backs", re.compile(r"\b(?:back(?:s|ed|ing)?|support(?:s|ed|ing)?|pledg\w+ (?:[\w']+ ){0,3}(?:support|backing)|"
                         r"(?:stand|stood|standing) by|continued (?:\w+ )?backing|endors\w+|sided with|"
                         r"hope[sd]? (?:\w+ ){0,6}(?:march|advance|offensive))\b", re.I)),
    ("arms", re.compile(r"\b(?:arm(?:s|ed|ing) (?:the )?|suppl(?:y|ies|ied|ying) (?:\w+ ){0,2}(?:weapons|arms|drones)|"
                        r"sen[dt]s? (?:\w+ ){0,2}(?:weapons|arms))\b", re.I)),
    ("withdraws_support", re.compile(r"\b(?:withdr[ae]w\w*|withdrawal of|pull(?:s|ed|ing)? (?:\w+ ){0,3}(?:out|back)|"
                                     r"moved (?:\w+ ){0,4}out of|disengag\w+|evacuat\w+|wan(?:es|ing|ed)|"
                                     r"cut (?:off )?(?:support|aid)|left (?:\w+ ){0,2}for|hedg\w+)\b", re.I)),
    ("allies_with", re.compile(r"\b(?:allied with|alliance with|joined forces with|(?:fighting|fought) alongside|ally of)\b", re.I)),
    ("condemns", re.compile(r"\b(?:condemn\w*|denounc\w*|criticis\w+|criticiz\w+)\b", re.I)),
]
_ALIGN_VERBS = [(kind, lexicon.quick(rx)) for kind, rx in _ALIGN_VERBS]
_SUPPORT_TALK = re.compile(r"(?i)\b(?:support|backing|backers?|patrons?|allies)\b")
_COMPOUND = re.compile(r"\b([A-Z][A-Za-z]+)-(backed|supported|aligned|allied|armed)\b")
_SUPPORT_WORDS = re.compile(r"(?i)\b(?:support|backing|backers?|allies|ally|advisers|bases?|forces|commanders|personnel|fighters|troops)\b")


def _mentions_as_sides(doc: SourceDoc, start: int, end: int, sides: Sides, theatre: str | None,
                       with_generic: bool = False) -> list[tuple[int, int, str]]:
    """(start, end, side) of every actor or country named in the span; a country stands for its government."""
    out: list[tuple[int, int, str]] = []
    covered: list[tuple[int, int]] = []
    for m in doc.actors_in(start, end):
        side = sides.raw_side(m.actor_id, m.text)
        if side:
            out.append((m.start, m.end, side))
            covered.append((m.start, m.end))
    for c in _countries_in(doc, start, end):
        if any(s <= c.start < e or s < c.end <= e for s, e in covered) or doc.text[c.end : c.end + 1] == "-":
            continue
        side = f"gov:{c.iso3}" if c.iso3 == theatre else f"state:{c.iso3}"
        out.append((c.start, c.end, side))
    if with_generic:
        for m in _GENERIC_TARGETS.finditer(doc.text, start, end):
            if not any(s <= m.start() < e for s, e, _ in out):
                out.append((m.start(), m.end(), f"generic:{theatre or ''}"))
    out.sort()
    return out


def _subject(doc: SourceDoc, before: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The mentions before a verb that can be its subject: the nearest one not governed by a preposition,
    with any mention joined to it by "and"."""
    i = len(before) - 1
    while i >= 0:
        start = before[i][0]
        j = i
        # Walk back over a coordination ("Iranian and Russian"); the preposition test applies to its head.
        while j > 0 and re.fullmatch(r"\s*(?:and|,|, and)\s*", doc.text[before[j - 1][1] : before[j][0]]):
            j -= 1
        head_start = before[j][0]
        if not _PREPOSITION_BEFORE.search(doc.text[max(0, head_start - 14) : head_start]):
            return before[j : i + 1]
        i = j - 1
        del start
    return []


def _sentence_alignments(
    doc: SourceDoc, s_start: int, s_end: int, sentence: str, sides: Sides, theatre: str | None
) -> list[tuple[str, str, str]]:
    mentions = _mentions_as_sides(doc, s_start, s_end, sides, theatre, with_generic=True)
    if not mentions:
        return []
    out: list[tuple[str, str, str]] = []
    # "Turkish-backed Syrian National Army": only when the compound is part of, or right before, an actor's name.
    for m in _COMPOUND.finditer(sentence):
        backer = lexicon.find_countries(m.group(1))
        source = f"state:{backer[0].iso3}" if backer else sides.side(None, None)
        if not source:
            continue
        c_start, c_end = s_start + m.start(), s_start + m.end()
        target = [x for x in mentions if x[2] != source and (x[0] <= c_start < x[1] or 0 <= x[0] - c_end <= 2)]
        kind = {"backed": "backs", "supported": "backs", "armed": "arms"}.get(m.group(2), "allies_with")
        if target:
            out.append((kind, source, target[0][2]))
    for kind, rx in _ALIGN_VERBS:
        for m in rx.finditer(sentence):
            word = m.group(0).lower()
            if re.match(r"[a-z]+-$", sentence[max(0, m.start() - 12) : m.start()][-12:] or "") or sentence[max(0, m.start() - 1) : m.start()] == "-":
                continue  # the compound form, read above
            if lexicon.negated_before(sentence, m.start(), 20):
                continue
            if lexicon.hedged(sentence[: m.start()]) and not word.startswith("hope"):
                continue
            v_start, v_end = s_start + m.start(), s_start + m.end()
            before = [x for x in mentions if x[1] <= v_start]
            after = [x for x in mentions if x[0] >= v_end]
            if kind == "withdraws_support":
                if not _SUPPORT_WORDS.search(sentence):
                    continue
                for source in _withdrawing(doc, word, v_end, before, after):
                    if _foreign(source, sides, theatre):
                        # Whom it backed is a side of this situation's folding: named here by the actor and
                        # turned into a side when the situation is built (``_alignments``).
                        backed = _backed_actor(source, sides, theatre)
                        out.append((kind, source, f"?backed:{backed}" if backed else (f"gov:{theatre}" if theatre else "gov:")))
                continue
            passive = re.search(r"(?i)\bby\s+$", doc.text[v_end : v_end + 4]) or sentence[m.end() : m.end() + 4].lower().startswith(" by")
            if passive:
                # "government troops, backed by Russian air power": the backed side stands right before.
                if after and before and v_start - before[-1][1] <= 20 and not before[-1][2].startswith("state:"):
                    out.append((kind, after[0][2], before[-1][2]))
                continue
            if word.startswith("pledg"):
                # "Araghchi met Assad in Damascus and pledged Tehran's continued backing": the first named is the giver.
                giver = before[0][2] if before else None
                receiver = next((x[2] for x in before[1:] + after if x[2] != giver and x[2].startswith("gov:")), None)
                if giver and receiver:
                    out.append((kind, giver, receiver))
                continue
            if kind == "backs" and word in ("backing", "support") and re.search(
                r"(?:['\u2019]s|\b(?:continued|military|foreign|[A-Z][a-z]+(?:ian|ish|ese|i|an)))\s+$", sentence[: m.start()]
            ):
                continue  # "Russian backing wanes": a noun, not someone backing someone
            subj = _subject(doc, before)
            if not subj:
                continue
            source = subj[-1][2]
            target: str | None = None
            rest = sentence[m.end() :]
            if kind == "backs" and word.startswith("hope"):
                target = "?advancing"
            elif re.match(r"(?i)\s+(?:their|the rebels'|the opposition's|its|the) (?:advance|offensive|march)\b", rest):
                target = "?advancing"
            elif after and after[0][0] - v_end <= 40:
                cand = after[0][2]
                # A bare country as the object is its government only in the theatre itself ("Moscow backs Damascus").
                if not cand.startswith("state:"):
                    target = cand
            if target is None or source == target or (source.startswith("gov:") and target.startswith("gov:")):
                continue
            out.append((kind, source, target))
    return out


def _withdrawing(doc: SourceDoc, word: str, v_end: int, before: list[tuple[int, int, str]],
                 after: list[tuple[int, int, str]]) -> list[str]:
    if word.startswith(("withdrawal of", "disengag")) and after and after[0][0] - v_end <= 30:
        # "the withdrawal of pro-Iranian forces", "the disengagement of Russian support"
        out = [after[0][2]]
        nxt = after[1:2]
        if nxt and re.fullmatch(r"\s*(?:and|,)\s*", doc.text[after[0][1] : nxt[0][0]]):
            out.append(nxt[0][2])
        return out
    return [x[2] for x in _subject(doc, before)]


def _foreign(side: str, sides: Sides, theatre: str | None) -> bool:
    if side.startswith("state:"):
        return True
    actor = sides._actor(side)
    return bool(actor is not None and actor.country and theatre and actor.country != theatre)


def _backers(sides: Sides, theatre: str | None) -> dict[str, str]:
    """Foreign side -> the theatre side it backs, from the knowledge base's relations."""
    kb = sides.kb
    out: dict[str, str] = {}
    if kb is None or not theatre:
        return out
    for actor, rel in _theatre_relations(kb, theatre):
        if rel.kind == "backed_by":
            backer = sides.side(rel.target)
            if backer:
                out.setdefault(backer, sides.side(actor.id) or f"gov:{theatre}")
    return out


_RELATIONS: dict[tuple[int, str], tuple[Any, list[tuple[Any, Any]]]] = {}


def _theatre_relations(kb: Any, theatre: str) -> list[tuple[Any, Any]]:
    """(actor, relation) for every relation of the theatre's own actors, in knowledge-base order.

    Read once per knowledge base and theatre (every situation needs them; the knowledge base is large). The
    entry holds the knowledge base so its id is not reused while the entry lives.
    """
    key = (id(kb), theatre)
    entry = _RELATIONS.get(key)
    if entry is None or entry[0] is not kb:
        if len(_RELATIONS) >= 256:
            _RELATIONS.clear()
        entry = _RELATIONS[key] = (kb, [(actor, rel) for actor in kb if actor.country == theatre for rel in actor.relations])
    return entry[1]


def _backed_actor(source: str, sides: Sides, theatre: str | None) -> str | None:
    """The theatre actor the knowledge base says a foreign state backs (the first), if any."""
    kb = sides.kb
    if kb is not None and theatre and source.startswith("state:"):
        iso3 = source[6:]
        for actor, rel in _theatre_relations(kb, theatre):
            if rel.kind == "backed_by":
                backer = kb.get(rel.target)
                if backer is not None and backer.country == iso3:
                    return str(actor.id)
    return None


# -- derived views ------------------------------------------------------------------------------------------


def _control_map(changes: Sequence[ControlChange]) -> dict[str, PlaceControl]:
    out: dict[str, PlaceControl] = {}
    for c in sorted(changes, key=lambda c: (c.date, not c.full)):
        key = f"{c.place.lower()}|{c.country or ''}"
        pc = out.get(key)
        if pc is None:
            pc = out[key] = PlaceControl(c.place, c.lat, c.lon, None, None)
        if c.full:
            if pc.controller != c.taker:
                pc.controller, pc.since, pc.evidence = c.taker, c.date, list(c.evidence)
            pc.contested_by = None if pc.contested_by == c.taker else pc.contested_by
        elif pc.controller != c.taker:
            pc.contested_by = c.taker
            if pc.controller is None:
                pc.evidence = list(c.evidence)
    return out


def _advances(situation: Situation) -> list[Advance]:
    out = []
    targets: list[tuple[str, float, float]] = []
    if situation.capital is not None and situation.capital.lat is not None and situation.capital.lon is not None:
        targets.append((situation.capital.name, situation.capital.lat, situation.capital.lon))
    by_side: dict[str, list[ControlChange]] = defaultdict(list)
    for c in situation.changes:
        if not c.taker.startswith(("gov:", "state:")):
            by_side[c.taker].append(c)
    for side, changes in by_side.items():
        side_targets = list(targets)
        for obj in situation.objectives:
            if situation.resolve_side(obj.side) == side and all(t[0] != obj.place for t in side_targets):
                side_targets.append((obj.place, obj.lat, obj.lon))
        changes.sort(key=lambda c: c.date)
        for name, lat, lon in side_targets:
            dists = [(haversine_km(c.lat, c.lon, lat, lon), c) for c in changes]
            start_km = dists[0][0]
            now_km, nearest = min(dists, key=lambda d: d[0])
            first, last = changes[0].date, max(c.date for c in changes)
            days = max(1, (parse_day(last) - parse_day(first)).days) if parse_day(last) and parse_day(first) else 1  # type: ignore[operator]
            advanced = max(0.0, start_km - now_km)
            out.append(Advance(side, name, lat, lon, first, last, round(start_km, 1), round(now_km, 1),
                               round(advanced, 1), round(advanced / days, 1), nearest.place))
    return out


def _focus(doc: SourceDoc, theatre: str | None) -> str | None:
    """The country a report is mostly about: its dateline's, else by its place names (the theatre wins a tie)."""
    if doc.body_start:
        head = re.split(r"\s+\(|\s+[-\u2013\u2014]\s", doc.text[: doc.body_start])[0]
        names = {n.strip().lower() for n in re.split(r"[/,]", head) if n.strip()}
        for m in doc.places:
            if m.place is not None and m.place.country and m.text.lower() in names:
                return m.place.country
    counts: Counter[str] = Counter()
    for m in doc.places:
        if m.place is not None and m.place.country:
            counts[m.place.country] += 1
    if not counts:
        return None
    top = max(counts.values())
    if theatre and counts.get(theatre, 0) * 4 >= top * 3:
        return theatre
    return max(counts, key=lambda c: (counts[c], c))


def _elsewhere(doc: SourceDoc, ref: EvidenceRef, theatre: str | None) -> bool:
    """The sentence is about another country: it names places or countries abroad and none in the theatre."""
    if not theatre:
        return False
    countries = {m.place.country for m in doc.places_in(ref.start, ref.end) if m.place is not None and m.place.country}
    countries |= {c.iso3 for c in _countries_in(doc, ref.start, ref.end) if c.form != "demonym"}
    return bool(countries) and theatre not in countries


def _figure_series(figures: Sequence[Figure], sources: Sources, as_of: str | None, theatre: str | None = None) -> dict[str, list[FigurePoint]]:
    out: dict[str, list[FigurePoint]] = defaultdict(list)
    for f in figures:
        value = f.value if f.value is not None else (f.high if f.high is not None else f.low)
        if value is None or value <= 0:
            continue
        doc = sources.get(f.article_id or "")
        if doc is None:
            continue
        if f.date and as_of and f.date > as_of[:10]:
            continue
        year = (as_of or f.date or "")[:4]
        key = ("figure", f.start, f.end, year, theatre)
        found = doc.memo.get(key)
        if found is None:
            found = doc.memo[key] = _figure_reading(doc, f, year, theatre)
        ref, skip = found
        if skip:
            continue
        out[f.kind].append(FigurePoint(f.kind, f.date or doc.day or "", int(value), f.source, f.approximate, ref, doc.article.date))
    for points in out.values():
        points.sort(key=lambda p: (p.date, p.value))
    return dict(out)


def _figure_reading(doc: SourceDoc, f: Figure, year: str, theatre: str | None) -> tuple[EvidenceRef, bool]:
    """The figure's sentence, and whether it is left out of the series (as of a day in ``year``)."""
    # The sentence and the tests on it depend only on the report's text: kept on the report.
    ref: EvidenceRef = _cached(doc, ("figure-ref", f.start, f.end), lambda: doc.sentence_ref(f.start) or doc.ref(f.start, f.end))
    # Historical totals ("since 2011", "the 1982 massacre") are background, not the current crisis.
    skip = _cached(doc, ("historical", ref.start, ref.end, year), lambda: _historical(ref.text, year)) or _cached(
        doc, ("elsewhere", theatre, ref.start, ref.end), lambda: _elsewhere(doc, ref, theatre)
    )
    return ref, bool(skip)


def _historical(text: str, year: str) -> bool:
    if re.search(r"(?i)\b(?:during the (?:\w+ )?war|years of (?:war|conflict)|over the past decade)\b", text):
        return True
    if not year.isdigit():
        return False
    return any(int(y) < int(year) - 1 for y in re.findall(r"\b(19\d\d|20\d\d)\b", text))


def _activity(events: Sequence[Event], sides: Sides, as_of: str | None) -> dict[str, Activity]:
    end = parse_day(as_of) if as_of else None
    violent = [e for e in events if e.event_type in VIOLENT_TYPES and e.modality in FACT_MODALITIES and parse_day(e.date)]
    if not violent:
        return {}
    end = end or max(parse_day(e.date) for e in violent)  # type: ignore[type-var]
    assert end is not None
    recent_from = end - dt.timedelta(days=ACTIVITY_WINDOW_DAYS - 1)
    per_side: dict[str, list[Event]] = defaultdict(list)
    for e in violent:
        side = sides.side(e.actor1.id, e.actor1.name) if e.actor1 else None
        per_side[side or "unattributed"].append(e)
    out = {}
    for side, items in per_side.items():
        days = [parse_day(e.date) for e in items]
        recent = [e for e, d in zip(items, days, strict=True) if d and recent_from <= d <= end]
        earlier = [d for d in days if d and d < recent_from]
        baseline = None
        if earlier:
            span = max(1, (recent_from - min(earlier)).days)
            baseline = len(earlier) / span
        recent_rate = len(recent) / ACTIVITY_WINDOW_DAYS
        ratio = (recent_rate + 0.1) / (baseline + 0.1) if baseline is not None else None
        subs = Counter(e.sub_event_type for e in recent)
        out[side] = Activity(side, round(recent_rate, 2), round(baseline, 2) if baseline is not None else None,
                             round(ratio, 2) if ratio is not None else None, len(recent), dict(subs))
    return out


# -- the situation --------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Situation:
    theatre: str | None
    as_of: str
    changes: list[ControlChange] = field(default_factory=list)
    control: dict[str, PlaceControl] = field(default_factory=dict)
    objectives: list[Objective] = field(default_factory=list)
    capital: Place | None = None
    advances: list[Advance] = field(default_factory=list)
    alignments: list[Alignment] = field(default_factory=list)
    figures: dict[str, list[FigurePoint]] = field(default_factory=dict)
    activity: dict[str, Activity] = field(default_factory=dict)
    signals: list[Signal] = field(default_factory=list)
    sides: dict[str, Side] = field(default_factory=dict)
    mentions: dict[str, int] = field(default_factory=dict)
    merged: dict[str, str] = field(default_factory=dict)
    # ``signals`` by kind, in order, for ``signals_of`` (asked dozens of times per story): built on first use,
    # again if ``signals`` is replaced or grows. Not part of the situation's JSON.
    _signal_index: tuple[list[Signal], int, dict[str, list[Signal]]] | None = field(default=None, init=False, repr=False, compare=False)

    # -- sides

    def resolve_side(self, side: str | None) -> str | None:
        if side == "?lead":
            return self.lead_side()
        return self.merged.get(side, side) if side else None

    def side_name(self, side: str) -> str:
        info = self.sides.get(side)
        return info.name if info else side

    def government(self) -> str | None:
        return f"gov:{self.theatre}" if self.theatre else None

    def lead_side(self) -> str | None:
        """The non-government side with the most gains (then the latest), if any."""
        counts: Counter[str] = Counter()
        last: dict[str, str] = {}
        for c in self.changes:
            if not c.taker.startswith(("gov:", "state:")):
                counts[c.taker] += 1 if c.full else 0.5  # type: ignore[assignment]
                last[c.taker] = max(last.get(c.taker, ""), c.date)
        if not counts:
            return None
        return max(counts, key=lambda s: (counts[s], last[s], s))

    # -- control

    def gains(self, side: str, since: str | None = None, until: str | None = None, full_only: bool = False) -> list[ControlChange]:
        out = []
        for c in self.changes:
            if c.taker != side or (full_only and not c.full):
                continue
            if since and c.date < since[:10]:
                continue
            if until and c.date > until[:10]:
                continue
            out.append(c)
        return out

    def held_by(self, side: str) -> list[PlaceControl]:
        return [pc for pc in self.control.values() if pc.controller == side]

    def controller_at(self, lat: float, lon: float, name: str | None = None) -> PlaceControl | None:
        for pc in self.control.values():
            if (name and pc.place == name) or haversine_km(pc.lat, pc.lon, lat, lon) <= SAME_PLACE_KM:
                return pc
        return None

    def advance(self, side: str, target: str) -> Advance | None:
        for a in self.advances:
            if a.side == side and a.target == target:
                return a
        return None

    # -- other facts

    def signals_of(self, kind: str, *, since: str | None = None, until: str | None = None, hedged: bool | None = False,
                   article_ids: set[str] | None = None) -> list[Signal]:
        index = self._signal_index
        if index is None or index[0] is not self.signals or index[1] != len(self.signals):
            by_kind: dict[str, list[Signal]] = defaultdict(list)
            for s in self.signals:
                by_kind[s.kind].append(s)
            index = self._signal_index = (self.signals, len(self.signals), dict(by_kind))
        out = []
        for s in index[2].get(kind, ()):
            if hedged is not None and s.hedged != hedged:
                continue
            if since and s.date < since[:10]:
                continue
            if until and s.date > until[:10]:
                continue
            if article_ids is not None and s.evidence.article_id not in article_ids:
                continue
            out.append(s)
        return out

    def alignments_of(self, kind: str | None = None, *, source: str | None = None, target: str | None = None,
                      origin: str | None = None) -> list[Alignment]:
        return [
            a for a in self.alignments
            if (kind is None or a.kind == kind) and (source is None or a.source == source)
            and (target is None or a.target == target) and (origin is None or a.origin == origin)
        ]

    def series(self, kind: str) -> list[FigurePoint]:
        return list(self.figures.get(kind, []))

    def to_dict(self) -> dict[str, Any]:
        return {
            "theatre": self.theatre,
            "as_of": self.as_of,
            "capital": self.capital.to_dict() if self.capital else None,
            "sides": {k: v.to_dict() for k, v in self.sides.items()},
            "control": [pc.to_dict() for pc in self.control.values()],
            "changes": [c.to_dict() for c in self.changes],
            "front_line": self.front_line(),
            "objectives": [o.to_dict() for o in self.objectives],
            "advances": [a.to_dict() for a in self.advances],
            "alignments": [a.to_dict() for a in self.alignments],
            "figures": {k: [p.to_dict() for p in v] for k, v in self.figures.items()},
            "activity": {k: v.to_dict() for k, v in self.activity.items()},
        }

    def front_line(self) -> list[dict[str, Any]]:
        """Places changing hands per day: [{date, side, places, km_to_capital}]."""
        by_day: dict[tuple[str, str], list[ControlChange]] = defaultdict(list)
        for c in self.changes:
            by_day[(c.date, c.taker)].append(c)
        rows = []
        for (date, side), items in sorted(by_day.items()):
            row: dict[str, Any] = {"date": date, "side": side, "places": sorted({c.place for c in items})}
            if self.capital is not None and self.capital.lat is not None and self.capital.lon is not None:
                row["km_to_capital"] = round(min(haversine_km(c.lat, c.lon, self.capital.lat, self.capital.lon) for c in items), 1)
            rows.append(row)
        return rows


def build_situation(
    theatre: str | None,
    events: Sequence[Event],
    figures: Sequence[Figure],
    sources: Sources,
    *,
    kb: Any = None,
    gazetteer: Any = None,
    as_of: str | None = None,
) -> Situation:
    return SituationBuilder(kb, gazetteer).build(theatre, events, figures, sources, as_of)
