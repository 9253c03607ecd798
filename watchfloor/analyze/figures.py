"""Humanitarian figures: how many people were killed, injured, displaced... and who says so.

A figure is a number phrase tied to a *kind word* in the same sentence, either before it ("at least 20 people
were killed", "400,000 people displaced") or after it ("killing 12 civilians", "the death toll rose to 45").
``Figure.text`` is the exact span from the one to the other, extended by an adjacent period phrase ("nearly
400,000 people displaced within a week").

Conventions (ACLED's where it has one):

- kinds: killed (also "lost 20 members of our family", "had lost thousands of soldiers"), injured, displaced,
  refugees (also "fled to Ethiopia": to a country), detained (arrests, abductions, hostages: "taking hundreds
  of passengers hostage"), missing (also people taken "who have not been seen since"), affected (including
  "in need"), food_insecure, returned, and other: rescued, released or freed, escaped, surrendered, trapped,
  besieged, "casualties" and "killed and wounded hundreds" (which mix dead and wounded), people aboard a craft
  ("carrying 181 people", "440 people on board"), and armed personnel that no other kind word counts ("the army
  sent 600 more soldiers", "1,000 troops crossed the border");
- vague quantities are approximate with a conventional value: "dozens" 12, "tens" 10, "scores" 20,
  "hundreds" 100, "thousands" 1,000, "tens of thousands" 10,000, "hundreds of thousands" 100,000, "millions"
  1,000,000; "several", "a few" and "a handful" 3 (the smallest number the word allows, in the spirit of
  ACLED's most-conservative rule), "a couple" 2;
- "at least 20": value 20, low 20, not approximate; "more than/over 20": value 20, low 20, approximate;
  "nearly/almost/up to/fewer than 20": value 20, high 20, approximate; "about/around/some/an estimated 20":
  value 20, approximate, no bounds; a plain "20": value, low and high all 20;
- ranges "between 20 and 30", "20 to 30", "20-30", "two or three": value = low = 20 (the conservative end),
  high = 30, not approximate (the bounds say it);
- "a man was killed", "killing a student": value 1 (an article counts when a person noun follows it);
  people listed one by one are counted ("killing a crew member and an army general": 2); "all 62 people
  aboard": 62; "killing all but two on board": the people aboard counted earlier in the paragraph less two
  (value None when the text gives no total); "freeing most of its 3,800 inmates": 3,800, approximate, high;
- a toll restated in the same sentence ("a UN estimate put it at 133") takes the kind of the one before it;
- "an unknown number of": value None (unknown is not zero); "nobody was killed", "no deaths": value 0, but
  "no deaths were reported" is, like "no reports of deaths", not a figure;
- a number inside an aside ("20 people, including five children, were killed") is part of the larger figure
  and not a figure of its own, so that figures can be summed; coordinated numbers ("three officers and two
  attackers dead") are one figure each;
- period: "within a week" 7, "in 24 hours" 1, "over the past month" 30; a period phrase elsewhere in the
  sentence ("In the past 48 hours, ...") sets the period without extending the text; "since Wednesday" None;
- source: the attributed speaker of the sentence ("the UN said", "according to OCHA"), see
  ``watchfloor.analyze.quotes.find_source``; a sentence without one (or with "he said") takes the source of
  the previous sentence in the same paragraph, as a report's figures run on ("..., the UN said. At least 16
  others were injured.");
- "need" counts people only when aid follows ("2 million need food aid"); a kind word used as a noun or an
  adjective after "the" ("the affected towns") takes no number; troops crossing a border are not refugees;
- not people counts, skipped: years, dates, times, ages ("aged 12", "12-year-old"), money ("a $71 million
  appeal"), percentages, measures ("2 km"), counted things ("30 raids", "200 homes", "81 missiles", "74
  vessels"), votes, numbered things ("Resolution 2254");
- a figure in a hypothetical clause ("hundreds of thousands more could flee") is skipped, and so is a
  projection ("warned that the number could reach 1.5 million").
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from watchfloor.analyze.quotes import source_and_pronoun
from watchfloor.analyze.text import find_words, lowered, split_sentences
from watchfloor.analyze.text import word_alternation as _trie
from watchfloor.models import Figure

# -- kind words -------------------------------------------------------------------------------------------

PRE, POST, BOTH = 1, 2, 3  # the number comes before the word, after it, or either
FORCE = 0  # a noun for armed personnel: linked last, to numbers no kind word took ("600 more soldiers")
_VERB, _NOMINAL, _TOLL = "verb", "nominal", "toll"
_SAME = "same"  # "put it at 133": the kind of the kind word before it in the sentence


@dataclass(frozen=True, slots=True)
class _Kind:
    kind: str
    mode: int
    noun: bool = False  # "refugees", "hostages": a noun that a later verb in the clause overrides
    post_style: str = _VERB


_K = _Kind
_ANCHORS: dict[str, _Kind] = {
    # killed
    "killed": _K("killed", BOTH), "killing": _K("killed", POST, post_style=_NOMINAL),
    "killings": _K("killed", PRE), "kills": _K("killed", POST), "dead": _K("killed", PRE),
    "died": _K("killed", PRE), "perished": _K("killed", PRE), "deaths": _K("killed", BOTH, post_style=_NOMINAL),
    "fatalities": _K("killed", PRE), "slain": _K("killed", PRE), "murdered": _K("killed", BOTH),
    "massacred": _K("killed", BOTH), "executed": _K("killed", BOTH), "lost their lives": _K("killed", PRE),
    "bodies": _K("killed", BOTH, noun=True, post_style=_NOMINAL), "to death": _K("killed", PRE),
    "shot dead": _K("killed", BOTH), "lynched": _K("killed", BOTH), "burned alive": _K("killed", BOTH),
    "burnt alive": _K("killed", BOTH), "death toll": _K("killed", POST, post_style=_TOLL),
    "toll": _K("killed", POST, post_style=_TOLL), "claimed the lives of": _K("killed", POST),
    "claiming the lives of": _K("killed", POST),
    # "lost 20 members of our family", "Russia had lost thousands of soldiers": only with a people noun after
    "lost": _K("killed", POST),
    # injured
    "injured": _K("injured", BOTH), "injuring": _K("injured", POST), "injuries": _K("injured", PRE),
    "wounded": _K("injured", BOTH), "wounding": _K("injured", POST), "hurt": _K("injured", PRE),
    # displaced
    "displaced": _K("displaced", BOTH), "displacing": _K("displaced", POST),
    "displacement": _K("displaced", POST, post_style=_NOMINAL), "fled": _K("displaced", PRE),
    "flee": _K("displaced", PRE), "fleeing": _K("displaced", PRE), "uprooted": _K("displaced", BOTH),
    "evacuated": _K("displaced", BOTH), "homeless": _K("displaced", PRE), "idps": _K("displaced", PRE, noun=True),
    "internally displaced": _K("displaced", PRE, noun=True),
    "forced from their homes": _K("displaced", PRE), "driven from their homes": _K("displaced", PRE),
    # refugees
    "refugees": _K("refugees", PRE, noun=True), "asylum seekers": _K("refugees", PRE, noun=True),
    "asylum-seekers": _K("refugees", PRE, noun=True), "crossed into": _K("refugees", PRE),
    "crossed the border": _K("refugees", PRE), "sought refuge": _K("refugees", PRE),
    "sought asylum": _K("refugees", PRE), "sought shelter": _K("displaced", PRE),
    # detained
    "detained": _K("detained", BOTH), "detaining": _K("detained", POST), "arrested": _K("detained", BOTH),
    "arresting": _K("detained", POST), "arrest": _K("detained", POST, post_style=_NOMINAL),
    "arrests": _K("detained", BOTH, post_style=_NOMINAL), "detention": _K("detained", POST, post_style=_NOMINAL),
    "abducted": _K("detained", BOTH), "abducting": _K("detained", POST),
    "abduction": _K("detained", POST, post_style=_NOMINAL), "kidnapped": _K("detained", BOTH),
    "kidnapping": _K("detained", POST, post_style=_NOMINAL), "captured": _K("detained", BOTH),
    "capturing": _K("detained", POST), "taken hostage": _K("detained", PRE), "taken prisoner": _K("detained", PRE),
    "taken captive": _K("detained", PRE), "held hostage": _K("detained", PRE),
    "hostages": _K("detained", PRE, noun=True), "detainees": _K("detained", PRE, noun=True),
    "jailed": _K("detained", BOTH), "imprisoned": _K("detained", BOTH), "rounded up": _K("detained", PRE),
    # "taking hundreds of passengers hostage": the number comes before "hostage"
    "hostage": _K("detained", PRE), "captive": _K("detained", PRE),
    # missing
    "missing": _K("missing", PRE), "unaccounted for": _K("missing", PRE), "disappeared": _K("missing", PRE),
    # affected
    "affected": _K("affected", PRE), "in need": _K("affected", PRE), "need": _K("affected", PRE),
    # food insecure
    "food insecure": _K("food_insecure", PRE), "food-insecure": _K("food_insecure", PRE),
    "food insecurity": _K("food_insecure", PRE), "hunger": _K("food_insecure", PRE),
    "famine": _K("food_insecure", PRE), "starvation": _K("food_insecure", PRE),
    "starving": _K("food_insecure", PRE),
    # returned
    "returned": _K("returned", PRE), "returnees": _K("returned", PRE, noun=True), "returning": _K("returned", PRE),
    # other
    "rescued": _K("other", BOTH), "released": _K("other", BOTH), "freed": _K("other", BOTH),
    "freeing": _K("other", POST), "escaped": _K("other", PRE), "surrendered": _K("other", PRE),
    "trapped": _K("other", BOTH), "trapping": _K("other", POST), "besieged": _K("other", PRE),
    "casualties": _K("other", PRE),
    # people aboard a craft that was hit, hijacked or sank ("carrying 181 people", "440 people on board")
    "carrying": _K("other", POST), "on board": _K("other", PRE), "aboard": _K("other", PRE),
    # "killed and wounded hundreds" mixes dead and wounded, as "casualties" does
    "killed and wounded": _K("other", BOTH), "killed or wounded": _K("other", BOTH),
    "killed or injured": _K("other", BOTH), "killed and injured": _K("other", BOTH),
    # a toll restated: "local sources said hundreds; a UN estimate put it at 133"
    "put it at": _K(_SAME, POST), "put the toll at": _K(_SAME, POST), "put the figure at": _K(_SAME, POST),
    "put the number at": _K(_SAME, POST), "puts it at": _K(_SAME, POST), "putting it at": _K(_SAME, POST),
    "estimated it at": _K(_SAME, POST), "put that figure at": _K(_SAME, POST),
    # armed personnel sent, deployed or fighting: counted when no other kind word takes the number
    "troops": _K("other", FORCE), "soldiers": _K("other", FORCE), "personnel": _K("other", FORCE),
    "peacekeepers": _K("other", FORCE), "police officers": _K("other", FORCE), "policemen": _K("other", FORCE),
    "servicemen": _K("other", FORCE), "marines": _K("other", FORCE), "reservists": _K("other", FORCE),
    "paratroopers": _K("other", FORCE), "mercenaries": _K("other", FORCE),
}  # fmt: skip
# Kind words that count only when a people noun follows the number ("lost 20 tanks" is not a toll).
_NEEDS_PERSON_AFTER = frozenset({"lost", "carrying"})
_ANCHOR_RE = re.compile(r"(?<![a-z0-9-])(?:" + _trie(_ANCHORS) + r")(?![a-z-])")
# "displaced people" and "internally displaced persons" are nouns: "20 displaced people were killed".
_NOUN_AFTER = re.compile(r"[ \u00a0]+(?:people|persons|families|civilians|syrians|palestinians|children)\b")
_NOT_ANCHOR_AFTER = {
    "hunger": re.compile(r"[ \u00a0-]+strike"),
    # "need" counts people only when what they need is aid: "2 million need food aid", not "need to leave".
    "need": re.compile(
        r"(?![ \u00a0]+(?:urgent[ \u00a0]+|immediate[ \u00a0]+|emergency[ \u00a0]+)?(?:humanitarian|aid|assistance|help|food|protection|shelter|medical|support|relief)\b)"
    ),
    "missing": re.compile(r"[ \u00a0]+(?:from|out)\b"),
}
_ABROAD = re.compile(r"[ \u00a0]+(?:across|into|abroad|to[ \u00a0]+neighbou?ring|over[ \u00a0]+the[ \u00a0]+border)\b")

# -- numbers ----------------------------------------------------------------------------------------------

_UNITS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90,
}  # fmt: skip
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000, "mln": 1_000_000,
           "bn": 1_000_000_000, "m": 1_000_000, "k": 1_000}  # fmt: skip
_VAGUE = {
    "tens of thousands": 10_000, "hundreds of thousands": 100_000, "tens of millions": 10_000_000,
    "dozens": 12, "scores": 20, "hundreds": 100, "thousands": 1_000, "millions": 1_000_000, "tens": 10,
    "several": 3, "a few": 3, "a handful": 3, "a couple": 2,
    "several dozen": 36, "a few dozen": 36, "several hundred": 300, "a few hundred": 300,
    "several thousand": 3_000, "a few thousand": 3_000, "many thousands": 1_000, "many hundreds": 100,
}  # fmt: skip
_UNKNOWN = ("an unknown number", "an undisclosed number", "an unspecified number", "an unconfirmed number",
            "an undetermined number", "an untold number", "a number")  # fmt: skip
_ZERO = ("no one", "nobody", "none", "no")
# qualifier -> (approximate, sets low, sets high)
_QUALIFIERS = {
    "at least": (False, True, False), "no fewer than": (False, True, False), "no less than": (False, True, False),
    "not less than": (False, True, False), "a minimum of": (False, True, False), "a total of": (False, True, True),
    "a further": (False, True, True), "another": (False, True, True), "an additional": (False, True, True),
    "at least another": (False, True, False), "all": (False, True, True),
    "more than": (True, True, False), "over": (True, True, False), "well over": (True, True, False),
    "just over": (True, True, False), "upwards of": (True, True, False), "in excess of": (True, True, False),
    "nearly": (True, False, True), "almost": (True, False, True), "close to": (True, False, True),
    "just under": (True, False, True), "under": (True, False, True), "up to": (True, False, True),
    "fewer than": (True, False, True), "less than": (True, False, True), "as many as": (True, False, True),
    "at most": (True, False, True), "a maximum of": (True, False, True),
    "about": (True, False, False), "around": (True, False, False), "approximately": (True, False, False),
    "roughly": (True, False, False), "some": (True, False, False), "an estimated": (True, False, False),
    "estimated": (True, False, False), "nearly another": (True, False, True),
}  # fmt: skip

_SP = r"[ \u00a0]"
_DIGITS = r"\d{1,3}(?:[,\u00a0\u202f\u2009]\d{3})+(?![\d])|\d+(?:\.\d+)?"
_SCALE = rf"(?:{_SP}?(?:million|billion|thousand|hundred|mln|bn)(?![a-z])|(?:m|k|bn)(?![a-z]))"
_UNIT_WORDS = _trie(_UNITS)
_SMALL = rf"(?:{_UNIT_WORDS})(?:[- ](?:{_trie(list(_UNITS)[:9])}))?"
_BIG = r"(?:thousand|million|billion)(?![a-z])"
_WORD_NUMBER = (
    rf"(?:(?:{_SMALL}|a|an){_SP}hundred(?:{_SP}(?:and{_SP})?{_SMALL})?|{_SMALL})(?:{_SP}{_BIG})?"
    rf"|(?:a|an|half{_SP}a){_SP}{_BIG}"
)
_N = rf"(?:(?:{_DIGITS}){_SCALE}?|(?:a|{_SMALL}){_SP}dozen|{_WORD_NUMBER})"
_NUMBER_RE = re.compile(
    rf"""
    (?<![\w.,$€£/-])
    (?:(?P<qual>{_trie(_QUALIFIERS)}){_SP}+)?
    (?:
        (?P<unknown>{_trie(_UNKNOWN)})(?![a-z])
      | between{_SP}+(?P<lo>{_N}){_SP}+and{_SP}+(?P<hi>{_N})(?![\w])
      | (?P<n>{_N})(?:{_SP}?(?:-|–|—|to|or){_SP}?(?P<n2>{_N}))?(?![\w])
      | (?P<vague>{_trie(_VAGUE)})(?![a-z])
      | (?P<zero>{_trie(_ZERO)})(?![a-z])
      | (?P<one>an?)(?![a-z])
    )
    """,
    re.VERBOSE,
)
_WORD_SPLIT = re.compile(r"[\s\u00a0-]+")
_DIGITS_AND_SCALE = re.compile(r"([\d,\u00a0\u202f\u2009.]+)[ \u00a0]?([a-z]*)")
_THOUSANDS_SEPARATORS = re.compile(r"[,\u00a0\u202f\u2009]")
_DIGIT_RUN = re.compile(r"\d+")  # no lookbehind: a pattern opening with a class is scanned much faster
# Everything a number phrase can open with; multi-word openers are looked up whole ("at least", not "at").
_NUMBER_OPENERS = [
    (phrase, frozenset(phrase.split()))
    for phrase in sorted(
        frozenset(
            list(_QUALIFIERS)
            + list(_UNITS)
            + list(_VAGUE)
            + list(_UNKNOWN)
            + list(_ZERO)
            + ["a dozen", "a hundred", "a thousand", "a million", "a billion", "an estimated", "half a", "between"]
        )
    )
]
_OPENER_FIRST_WORDS = frozenset(phrase.split(" ", 1)[0] for phrase, _ in _NUMBER_OPENERS)
# Words that are themselves a count ("600", "thousands", "dozen"), not a qualifier or an article.
_COUNT_WORDS = frozenset(
    list(_UNITS)
    + [w for phrase in _VAGUE for w in phrase.split() if w not in ("a", "of", "many")]
    + ["dozen", "hundred", "thousand", "million"]
)
# Each kind phrase with its words: a phrase is looked for only if the article has all of them.
_ANCHOR_PHRASES = [(phrase, frozenset(phrase.replace("-", " ").split())) for phrase in _ANCHORS]

# What a number counts when it is not people: the word after it, or the word before it.
# What a number counts when it is not people: the word right after it ("30 raids", "2 km", "5%").
_NON_PEOPLE_WORDS = frozenset(
    """% per percent km kms kilometre kilometres kilometer kilometers mile miles mi metre metres meter meters m ft
    feet kg kilo kilos kilogram kilograms tonne tonnes ton tons lb lbs litre litres liter liters hour hours hrs
    day days week weeks month months year years yr minute minutes min mins second seconds times a.m. p.m. am pm
    gmt utc o'clock dollar dollars euro euros pound pounds shekel shekels lira liras rocket rockets missile
    missiles shell shells drone drones bomb bombs airstrike airstrikes strike strikes raid raids attack attacks
    vehicle vehicles tank tanks truck trucks lorries car cars bus buses building buildings house houses home
    homes apartment apartments village villages town towns city cities hospital hospitals school schools site
    sites location locations position positions aircraft plane planes jet jets helicopter helicopters ship ships
    boat boats mosque mosques church churches shop shops tent tents acre acres hectare hectares calories degrees
    point points vote votes seat seats case cases dose doses meal meals container containers barrel barrels
    rounds bullets storey storeys floor floors inches sq square kilowatts megawatts bag bags boxes parcels
    packages crossing crossings checkpoint checkpoints camp camps shelter shelters district districts province
    provinces countries nations states resolution resolutions article articles page pages words pieces units
    batches convoy convoys flight flights tunnel tunnels well wells beds""".split()
)
_AFTER_NUMBER = re.compile(r"([ \u00a0]*)([-:°]?)([a-z%'’.]*)(?:[ \u00a0]+([a-z]+))?")
# Words before a number that make it a label, an age, money or a date: "aged 12", "Resolution 2254", "November 27".
_NOT_PEOPLE_BEFORE = frozenset(
    """us$ usd eur aged age ages resolution no. nos. number article route highway flight chapter page decree law
    item unit division brigade battalion regiment squadron platoon model version phase round stage level grade
    class category paragraph section act code room gate block building sector zone area region district camp
    kilometre kilometer km mile january february march april may june july august september october november
    december jan jan. feb feb. mar mar. apr apr. jun jun. jul jul. aug aug. sep sep. sept sept. oct oct. nov nov.
    dec dec. monday tuesday wednesday thursday friday saturday sunday""".split()
)
_YEAR_PREPOSITION = re.compile(r"(?:in|since|by|of|from|until|during|before|after|early|late)[ \u00a0]+\Z")
_MONTH_AFTER = re.compile(
    r"(?:st|nd|rd|th)?[ \u00a0]+(?:of[ \u00a0]+)?(?:january|february|march|april|may|june|july|august|"
    r"september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec)\b"
)
_PERSON_NOUNS = frozenset(
    """people persons civilians children kids minors babies infants women men girls boys soldiers troops
    servicemen fighters militants rebels insurgents jihadists gunmen attackers combatants police policemen
    officers members residents locals inhabitants protesters demonstrators migrants refugees workers
    journalists reporters staff patients individuals households families villagers students pilgrims
    worshippers personnel prisoners detainees hostages inmates others more passengers farmers fishermen
    miners doctors nurses medics paramedics volunteers teachers relatives guards militiamen recruits
    conscripts troopers marines sailors pilots crew employees officials supporters activists person civilian
    child baby man woman girl boy soldier fighter militant officer policeman member resident protester
    journalist worker student farmer doctor nurse teacher pilot candidate mayor leader trader tourist informant
    commander driver passenger policewoman gunman attacker militiaman rebel jihadist insurgent colonel general
    guard prisoner detainee hostage migrant refugee activist official employee volunteer villager teenager
    youth infant toddler father mother son daughter husband wife brother sister priest imam monk nun
    politician lawmaker judge lawyer businessman shepherd herder fisherman miner medic paramedic
    peacekeeper contractor aid crew crewman sailor marine tourist thief suspect assailant gangster smuggler
    bandit kidnapper robber settler truck driver motorist pedestrian bystander spectator fan voter
    worshipper pilgrim citizen national""".split()
)
# Plurals too: "tourists", "suspects".
_PERSON_NOUNS = _PERSON_NOUNS | frozenset(w + "s" for w in _PERSON_NOUNS if not w.endswith("s"))
# A clause boundary, or a modal: the number and the kind word are not one statement.
_GAP_BLOCKERS = frozenset(
    """after when while because but before until where said says told according those since if although
    though than whose could would may might will shall should must cannot can't won't whereas unless
    once said""".split()
)
# "three officers and two attackers": ", and" usually joins clauses instead, so it does not count.
_COORDINATED = re.compile(r"(?:[ \u00a0]+[a-z'’-]+){0,3}[ \u00a0]+and[ \u00a0]+")
_MILITARY = frozenset("troops soldiers fighters militants forces tanks rebels units army".split())
_GAP_BREAK = re.compile(r"[\d,;:()\[\]?!\"“”]")
# Words before a number that make it part of a larger one: "20 people, including five children, ...".
_SUBSET_LAST = frozenset({"including", "incl."})
_SUBSET_LAST_TWO = frozenset({("among", "them"), ("among", "whom"), ("of", "whom"), ("of", "them")})
_PARENTHETICAL = re.compile(
    r",[ \u00a0]*(?:including|among them|among whom|mostly|mainly|many of them|most of them|half of them|"
    r"some of them|all of them|nearly all of them|almost all of them|the majority of them)[^,;:]*,"
    # "About 24.6 million people, around half of the population, face ...": a share of a whole
    r"|,[ \u00a0]*(?:(?:around|about|nearly|almost|roughly|some|more[ \u00a0]+than|over|just[ \u00a0]+over|"
    r"just[ \u00a0]+under)[ \u00a0]+)?(?:half|a[ \u00a0]+third|a[ \u00a0]+quarter|two[ \u00a0-]+thirds|"
    r"three[ \u00a0-]+quarters|a[ \u00a0]+fifth|a[ \u00a0]+tenth|\d+(?:\.\d+)?[ \u00a0]?(?:%|per[ \u00a0]?cent))"
    r"[ \u00a0]+of[ \u00a0][^,;:]*,"
    r"|[ \u00a0]*[—–][^—–]*[—–]"
)
# Ages inside a gap ("a 10-year-old girl was injured") are not numbers that compete for the kind word.
_AGE = re.compile(r"\d+[ \u00a0]?-?[ \u00a0]?(?:year|month|week|day)s?-old")
# "the death toll from flash floods in eastern Spain rose to at least 158", "the toll was in the hundreds"
_TOLL_GAP = re.compile(
    r"(?:[ \u00a0]+[a-z'’-]+){0,9}?[ \u00a0]+(?:to|at|of|reached|hit|surpassed|exceeded|passed|topped|is|was|"
    r"stands|stood|neared|approached|now)(?:[ \u00a0]+in[ \u00a0]+the)?[ \u00a0]*\Z|[ \u00a0]*\Z"
)
# What may stand between a verb and its number: "a total of", "most of its" ("freeing most of its 3,800
# inmates") and an opening quote mark ('said it had killed "dozens of soldiers"').
_SHARE = (
    r"(?:[ \u00a0]+(?:most|all|nearly[ \u00a0]+all|almost[ \u00a0]+all)[ \u00a0]+of[ \u00a0]+(?:its|the|their|his|her))"
)
_VERB_GAP = re.compile(rf"(?:[ \u00a0]+a[ \u00a0]+total[ \u00a0]+of|{_SHARE})?[ \u00a0]*[\"“]?\Z")
_NOMINAL_GAP = re.compile(
    r"[ \u00a0]+of(?:[ \u00a0]+a[ \u00a0]+total[ \u00a0]+of)?[ \u00a0]*[\"“]?\Z|[ \u00a0]*[\"“]?\Z"
)
_REPORTED_AFTER = re.compile(
    r"[ \u00a0]+(?:were|was|have[ \u00a0]+been|had[ \u00a0]+been|has[ \u00a0]+been)[ \u00a0]+reported"
)
_MOST_OF = re.compile(r"(?:most|nearly all|almost all)[ \u00a0]+of\b")
# Between a number and the noun for armed personnel: a few words, no clause ("600 more soldiers", "thousands
# of Rwandan troops", "400 Kenyan police officers").
_FORCE_GAP = re.compile(r"(?:[ \u00a0]+[a-z'’-]+){0,3}?[ \u00a0]+")
# After the people a verb counts: they have disappeared since ("the abduction of 20 men who have not been seen
# since"), which is what the figure reports.
_UNSEEN = re.compile(
    r",?[ \u00a0]+(?:who|whom|that)[ \u00a0]+(?:have|has|had)[ \u00a0]+not[ \u00a0]+been[ \u00a0]+(?:seen|heard[ \u00a0]+from)"
    r"|,?[ \u00a0]+whose[ \u00a0]+whereabouts[ \u00a0]+(?:are|remain|were|remained)[ \u00a0]+unknown"
)
# "killing a crew member and an army general": people listed one by one are counted.
_ANOTHER_ONE = re.compile(r"(?:,[ \u00a0]*(?:and[ \u00a0]+)?|[ \u00a0]+and[ \u00a0]+)an?(?=[ \u00a0])")
_ALL_BUT = re.compile(rf"all[ \u00a0]+but[ \u00a0]+(?P<n>\d+|{_trie(list(_UNITS))})(?![\w])")
# Where "all but two" finds its total: "carrying 181 people", "181 people on board".
_ABOARD = re.compile(r"\b(?:carrying|on[ \u00a0]+board|aboard)\b")
_PERIOD_WORDS = (
    r"(?:\d{1,3}|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fourteen|twenty-four|"
    r"forty-eight|seventy-two|a[ \u00a0]+few|several|a[ \u00a0]+couple[ \u00a0]+of)"
)
_PERIOD_CORE = (
    rf"(?:within|in|over|during|for)[ \u00a0]+(?:just[ \u00a0]+|only[ \u00a0]+|the[ \u00a0]+space[ \u00a0]+of[ \u00a0]+)?"
    rf"(?:(?:the[ \u00a0]+)?(?P<mod>past|last|previous|first)[ \u00a0]+)?(?:(?P<n>{_PERIOD_WORDS})[ \u00a0]+)?"
    r"(?P<u>hours?|days?|weeks?|months?|years?|fortnight)(?![a-z])"
)
# A cheap test before the period pattern: its unit words all share these letters.
_PERIOD_UNIT = re.compile(r"hour|day|week|month|year|fortnight")
_PERIOD_AFTER = re.compile(rf"(?:[ \u00a0]+[a-z'’-]+){{0,4}}?[ \u00a0]+{_PERIOD_CORE}")
_PERIOD_ANYWHERE = re.compile(rf"(?<![a-z]){_PERIOD_CORE}")
# The noun after a number, possibly after one modifier: "12 people", "12 Syrian soldiers", "dozens of civilians".
_PERSON_NOUN_AFTER = re.compile(
    r"[ \u00a0]+(?:of[ \u00a0]+)?([A-Za-z'’-]+)(?:[ \u00a0]+([A-Za-z]+))?(?:[ \u00a0]+([A-Za-z]+))?"
)


# How far from a kind word its number can be: eight short words before it, a death-toll phrase after it.
_BEFORE_WINDOW = 130
_ARTICLE_BEFORE = 50  # "a man ... was killed": the person noun must be among the first three words anyway
_ARTICLE = re.compile(r"(?<![\w'’-])an?(?= )")
_MAX_GAP_WORDS = 10
_MAX_NOUN_GAP_WORDS = 3  # "3,000 Syrian refugees", not "hundreds of ... political bodies"
_AFTER_WINDOW = 70


@dataclass(slots=True)
class _Number:
    start: int
    end: int
    value: int | None
    low: int | None
    high: int | None
    approximate: bool
    zero_word: str | None = None  # "no" must sit right before its kind word
    article: bool = False  # "a man was killed": one, if the noun is a person
    all_but: int | None = None  # "killing all but two on board": the total aboard less this


@dataclass(slots=True)
class _Anchor:
    start: int
    end: int
    spec: _Kind
    word: str


# -- public API -------------------------------------------------------------------------------------------


def find_figures(text: str, sentences: Sequence[tuple[int, int]] | None = None) -> list[Figure]:
    """Figures about people in ``text``, in order of position."""
    if not text:
        return []
    article = lowered(text)
    low = article.low
    anchors = _anchors(low, article.words)
    if not anchors:
        return []
    sents = list(sentences) if sentences else split_sentences(text)
    out: list[Figure] = []
    by_sentence: dict[int, list[_Anchor]] = {}
    for anchor in anchors:
        i = bisect_right(sents, (anchor.start, len(text) + 1)) - 1
        if 0 <= i < len(sents) and sents[i][0] <= anchor.start < sents[i][1]:
            by_sentence.setdefault(i, []).append(anchor)
    starts = _number_starts(low, article.words)
    attributions: dict[int, str | None] = {}  # a sentence's own source, asked for again by the next sentence
    for i, sentence_anchors in by_sentence.items():
        lo, hi = sents[i]
        out.extend(
            _sentence_figures(
                text, low, lo, hi, sentence_anchors, starts, lambda i=i: _source(text, sents, i, attributions)
            )
        )
    out.sort(key=lambda f: f.start)
    for i, figure in enumerate(out):
        if figure.value is None and "all but" in figure.text.lower():
            _subtract_from_aboard(text, out[:i], figure)
    return out


def _subtract_from_aboard(text: str, earlier: list[Figure], figure: Figure) -> None:
    """ "killing all but two on board": the people aboard, counted earlier in the paragraph, less two."""
    but = _ALL_BUT.search(figure.text.lower())
    if but is None:
        return
    excepted = _value(but.group("n"))
    for previous in reversed(earlier):
        if "\n" in text[previous.end : figure.start]:
            return
        if previous.kind == "other" and previous.value and _ABOARD.search(previous.text.lower()):
            if excepted is not None and previous.value > excepted:
                figure.value = figure.low = figure.high = previous.value - excepted
                figure.approximate = previous.approximate
            return


def _anchors(low: str, words: frozenset[str]) -> list[_Anchor]:
    found: list[_Anchor] = []
    last = -1
    # Kind words do not open paragraphs, so only words after a space are looked for.
    for pos in find_words(low, [phrase for phrase, parts in _ANCHOR_PHRASES if parts <= words], line_starts=False):
        if pos == last:
            continue  # "lost" and "lost their lives" start at the same word: the pattern takes the longer
        last = pos
        m = _ANCHOR_RE.match(low, pos)
        if m is None:
            continue
        word = m.group()
        spec = _ANCHORS[word]
        # Common words that count only next to a number ("troops", "carrying") are dropped early when no
        # number can be there, which keeps their many sentences out of the linking below.
        if spec.mode == FORCE:
            if not _number_before(low, m.start()):
                continue
        elif word in _NEEDS_PERSON_AFTER and not _number_after(low, m.end()):
            continue
        guard = _NOT_ANCHOR_AFTER.get(word)
        if guard is not None and guard.match(low, m.end()):
            continue
        if word in ("displaced", "internally displaced") and _NOUN_AFTER.match(low, m.end()):
            spec = _Kind("displaced", PRE, noun=True)
        elif word in ("fled", "flee", "fleeing") and (_ABROAD.match(low, m.end()) or _to_country(low, m.end())):
            spec = _Kind("refugees", PRE)
        found.append(_Anchor(m.start(), m.end(), spec, word))
    return found


def _number_before(low: str, pos: int) -> bool:
    """A number word or digits among the four words before ``pos`` ("600 more soldiers", "thousands of troops")."""
    for word in low[max(0, pos - 40) : pos].split()[-4:]:
        if word[:1].isdigit() or word in _COUNT_WORDS:
            return True
    return False


def _number_after(low: str, pos: int) -> bool:
    """A number phrase may start at the word after ``pos`` ("lost 20", "carrying about 440", "taking a")."""
    word = low[pos : pos + 24].split(None, 1)[:1]
    return bool(word) and (word[0][:1].isdigit() or word[0] in _OPENER_FIRST_WORDS)


_TO_PLACE = re.compile(r"[ \u00a0]+to[ \u00a0]+(?:the[ \u00a0]+)?((?:[a-z.'’-]+[ \u00a0]?){1,4})")


def _to_country(low: str, pos: int) -> bool:
    """True when "to <a country>" follows ("fled to Ethiopia"): people who leave their country are refugees."""
    m = _TO_PLACE.match(low, pos)
    if m is None:
        return False
    words = m.group(1).split()
    names = _country_names()
    return any(" ".join(words[:n]).rstrip(".,") in names for n in range(len(words), 0, -1))


@lru_cache(maxsize=1)
def _country_names() -> frozenset[str]:
    """Lowercase short names of every country ("ethiopia", "dr congo"), from the knowledge base's country data."""
    from watchfloor.kb import countries

    # Two-letter forms ("US") are left out: lowercased they are ordinary words ("fled to us").
    return frozenset(name.lower() for iso3 in countries.all_iso3() for name in countries.names(iso3) if len(name) > 2)


def _source(text: str, sents: Sequence[tuple[int, int]], i: int, memo: dict[int, str | None]) -> str | None:
    """The sentence's source; without one (or with "he said"), that of the previous sentence in the paragraph,
    since news reports run a source's figures over several sentences ("..., the UN said. At least 16 were
    injured.")."""
    source = _own_source(text, sents, i, memo)
    if source is not None:
        return source
    if i > 0 and "\n" not in text[sents[i - 1][1] : sents[i][0]]:
        return _own_source(text, sents, i - 1, memo)
    return None


def _own_source(text: str, sents: Sequence[tuple[int, int]], i: int, memo: dict[int, str | None]) -> str | None:
    if i not in memo:
        memo[i] = source_and_pronoun(text, *sents[i])[0]
    return memo[i]


def _sentence_figures(
    text: str,
    low: str,
    lo: int,
    hi: int,
    anchors: list[_Anchor],
    starts: list[int],
    sentence_source: Callable[[], str | None],
) -> list[Figure]:
    if any(a.spec.kind == _SAME for a in anchors):
        anchors = _restatements(anchors)
    numbers = _numbers(text, low, lo, hi, anchors, starts)
    if not numbers:
        return []
    # Everything below looks things up by bisection, so that a pathological 200 KB sentence stays linear.
    number_starts = [n.start for n in numbers]
    anchor_starts = [a.start for a in anchors]
    used_numbers: set[int] = set()
    used_anchors: set[int] = set()
    links: list[tuple[_Number, _Anchor, bool]] = []  # (number, anchor, number comes after the anchor)
    # First the kind words a number follows ("killing 12", "the death toll rose to 45").
    for ai, anchor in enumerate(anchors):
        if not anchor.spec.mode & POST:
            continue
        ni = bisect_right(number_starts, anchor.end - 1)
        while ni < len(numbers) and ni in used_numbers:
            ni += 1
        if (
            ni < len(numbers)
            and numbers[ni].start - anchor.end < _AFTER_WINDOW
            and _post_gap_ok(low, anchor, numbers[ni])
        ):
            used_numbers.add(ni)
            used_anchors.add(ai)
            links.append((numbers[ni], anchor, True))
    # Then numbers that come before their kind word ("20 people were killed").
    for ni, number in enumerate(numbers):
        if ni in used_numbers or _is_subset(low, lo, number.start):
            continue
        choice: int | None = None
        for ai in range(bisect_right(anchor_starts, number.end - 1), len(anchors)):
            anchor = anchors[ai]
            if anchor.start - number.end > _BEFORE_WINDOW:
                break
            if ai in used_anchors or not anchor.spec.mode & PRE:
                continue
            if not _pre_gap_ok(low, number, anchor, numbers, number_starts):
                break
            if choice is None:
                choice = ai
                if not anchor.spec.noun:
                    break
            else:
                choice = ai  # "3,000 refugees have returned": the verb says what happened to them
                break
        if choice is not None:
            used_numbers.add(ni)
            used_anchors.add(choice)
            links.append((number, anchors[choice], False))
    # "three officers and two attackers dead": a number coordinated with a linked one shares its kind word.
    before_links = sorted((n.start, i) for i, (n, _, after) in enumerate(links) if not after)
    before_starts = [start for start, _ in before_links]
    for ni, number in enumerate(numbers):
        if ni in used_numbers or number.article or number.zero_word or _is_subset(low, lo, number.start):
            continue
        k = bisect_right(before_starts, number.end - 1)
        if k >= len(before_links):
            continue
        target, anchor, _ = links[before_links[k][1]]
        if target.start - number.end < 60 and _COORDINATED.fullmatch(low, number.end, target.start):
            words = low[number.end : target.start].split()
            if not any(w.strip(",") in _GAP_BLOCKERS for w in words):
                used_numbers.add(ni)
                links.append((number, anchor, False))
    # Last, armed personnel that no kind word took: "the army sent 600 more soldiers".
    forces = [a for a in anchors if a.spec.mode == FORCE]
    for ni, number in enumerate(numbers if forces and len(used_numbers) < len(numbers) else ()):
        if ni in used_numbers or number.article or number.zero_word or _is_subset(low, lo, number.start):
            continue
        ai = bisect_right(anchor_starts, number.end - 1)
        if (
            ai < len(anchors)
            and anchors[ai].spec.mode == FORCE
            and _FORCE_GAP.fullmatch(low, number.end, anchors[ai].start)
            and not any(
                w in _NON_PEOPLE_WORDS or w in ("and", "or") for w in low[number.end : anchors[ai].start].split()
            )
        ):
            used_numbers.add(ni)
            links.append((number, anchors[ai], False))
    if not links:
        return []
    source = sentence_source()
    period_anywhere = _PERIOD_ANYWHERE.search(low, lo, hi) if _PERIOD_UNIT.search(low, lo, hi) else None
    sentence_period = (
        _days(period_anywhere)
        if period_anywhere and (period_anywhere.group("n") or period_anywhere.group("mod"))
        else None
    )
    return [_figure(text, low, hi, number, anchor, after, source, sentence_period) for number, anchor, after in links]


def _restatements(anchors: list[_Anchor]) -> list[_Anchor]:
    """ "put it at 133" takes the kind of the kind word before it in the sentence; without one it is dropped."""
    out: list[_Anchor] = []
    previous: _Kind | None = None
    for anchor in anchors:
        if anchor.spec.kind == _SAME:
            if previous is not None:
                out.append(_Anchor(anchor.start, anchor.end, _Kind(previous.kind, POST), anchor.word))
            continue
        if anchor.spec.mode != FORCE:
            previous = anchor.spec
        out.append(anchor)
    return out


def _number_starts(low: str, words: frozenset[str]) -> list[int]:
    """Offsets where a number phrase may start with a word ("at least", "dozens"); digits are found per sentence."""
    starts = find_words(low, [phrase for phrase, parts in _NUMBER_OPENERS if parts <= words], line_starts=False)
    # A paragraph opening with a number word ("Dozens were killed"): checked once per line, not per phrase.
    pos = low.find("\n")
    while pos >= 0:
        start = pos + 1
        while start < len(low) and low[start] in " \t\n\r\u00a0":
            start += 1
        if low[start : start + 24].split(" ", 1)[0] in _OPENER_FIRST_WORDS:
            starts.append(start)
        pos = low.find("\n", start)
    if low.split(" ", 1)[0] in _OPENER_FIRST_WORDS:
        starts.append(0)
    starts.sort()
    return starts


def _numbers(text: str, low: str, lo: int, hi: int, anchors: list[_Anchor], starts: list[int]) -> list[_Number]:
    """Number phrases near the sentence's kind words (the only ones that can become figures)."""
    out: list[_Number] = []
    covered = lo
    candidates = starts[bisect_right(starts, lo - 1) : bisect_right(starts, hi - 1)]
    # "a man was killed", "killing a student": an article counts as one only right next to a kind word, so
    # look for it there rather than at each of the article's many "a"s.
    for anchor in anchors:
        candidates.extend(
            m.start() for m in _ARTICLE.finditer(low, max(lo, anchor.start - _ARTICLE_BEFORE), min(hi, anchor.end + 4))
        )
    candidates.extend(
        m.start() for m in _DIGIT_RUN.finditer(low, lo, hi) if m.start() == 0 or low[m.start() - 1] not in ".,:"
    )
    # A number opening a quotation right after its verb ('said it had killed "dozens of soldiers"') does not
    # follow a space, so the openers missed it.
    for anchor in anchors:
        if anchor.spec.mode & POST and low.startswith((' "', " “"), anchor.end):
            candidates.append(anchor.end + 2)
    candidates.sort()
    anchor_starts = [a.start for a in anchors]
    for pos in candidates:
        if pos < covered:
            continue
        # Near a kind word: the next one starts within the window, or the previous one ended just before.
        k = bisect_right(anchor_starts, pos)
        near = (k < len(anchors) and anchors[k].start - pos <= _BEFORE_WINDOW) or (
            k > 0 and pos - anchors[k - 1].end <= _AFTER_WINDOW
        )
        if not near:
            continue
        but = _ALL_BUT.match(low, pos, hi) if low.startswith("all", pos) else None
        if but is not None:
            covered = but.end()
            out.append(_Number(pos, but.end(), None, None, None, False, all_but=_value(but.group("n"))))
            continue
        m = _NUMBER_RE.match(low, pos, hi)
        if m is None or m.start() == m.end():
            continue
        parsed = _parse(m)
        if parsed is None or not _counts_people(text, low, m, lo, hi):
            continue
        covered = m.end()
        out.append(parsed)
    return out


def _parse(m: re.Match[str]) -> _Number | None:
    qual = m.group("qual")
    start, end = m.span()
    last = m.lastgroup  # which alternative matched, in one look-up
    if last == "unknown":
        return _Number(start, end, None, None, None, False)
    if last == "one":
        return None if qual else _Number(start, end, 1, 1, 1, False, article=True)
    if last == "zero":
        return None if qual else _Number(start, end, 0, 0, 0, False, zero_word=m.group("zero"))
    approximate, sets_low, sets_high = _QUALIFIERS[qual] if qual else (False, True, True)
    if last == "vague":
        value = _VAGUE[m.group("vague")]
        return _Number(start, end, value, value if sets_low else None, None, True)
    if last == "hi":
        low_value, high_value = _value(m.group("lo")), _value(m.group("hi"))
        if low_value is None or high_value is None or high_value <= low_value:
            return None
        return _Number(start, end, low_value, low_value, high_value, approximate)
    value = _value(m.group("n"))
    if value is None:
        return None
    if last == "n2":
        second = _value(m.group("n2"))
        if second is not None and second > value:
            scale = _trailing_scale(m.group("n2"))
            if scale > 1 and _trailing_scale(m.group("n")) == 1 and value * scale < second * 10:
                value *= scale  # "20 to 30 thousand"
            if second > value:
                return _Number(start, end, value, value, second, approximate)
        # "20-30" is a range only when it goes up; otherwise keep just the first number.
        end = m.end("n")
    return _Number(start, end, value, value if sets_low else None, value if sets_high else None, approximate)


def _trailing_scale(phrase: str) -> int:
    last = phrase.rsplit(None, 1)[-1] if phrase.strip() else ""
    return {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}.get(last, 1)


def _value(phrase: str) -> int | None:
    """The integer a number phrase says: "3,000", "1.2 million", "400k", "twenty-five", "a dozen"."""
    if phrase.isdigit():
        return int(phrase) or None  # the common case: plain digits
    phrase = phrase.strip()
    if not phrase:
        return None
    if phrase[0].isdigit():
        m = _DIGITS_AND_SCALE.match(phrase)
        if m is None:
            return None
        digits = _THOUSANDS_SEPARATORS.sub("", m.group(1))
        try:
            number = float(digits)
        except ValueError:
            return None
        scale = _SCALES.get(m.group(2), 1) if m.group(2) else 1
        if scale == 1 and "." in digits:
            return None  # "1.5" people is not a count
        return int(round(number * scale))
    total, current = 0, 0
    for word in _WORD_SPLIT.split(phrase):
        if word in ("and", ""):
            continue
        if word in ("a", "an"):
            current = current or 1
        elif word == "half":
            current = 0.5  # type: ignore[assignment]
        elif word in _UNITS:
            current += _UNITS[word]
        elif word == "dozen":
            current = (current or 1) * 12
        elif word == "hundred":
            current = (current or 1) * 100
        elif word in ("thousand", "million", "billion"):
            total += (current or 1) * _SCALES[word]
            current = 0
        else:
            return None
    value = int(total + current)
    return value if value > 0 else None


def _counts_people(text: str, low: str, m: re.Match[str], lo: int, hi: int) -> bool:
    """False for numbers that count something other than people, or are dates, ages, money, labels."""
    if m.group("zero") or m.group("unknown") or m.group("one"):
        return True
    if m.start() > lo and text[m.start() - 1] in "$€£":
        return False
    end = m.end()
    after = _AFTER_NUMBER.match(low, end, hi)
    if after is not None:
        space, mark, word, second = after.groups()
        if mark and not space:
            # "12-year-old", "10:30", "45°": a compound, a time or a measure.
            if mark != "-" or word:
                return False
        word = word.rstrip(".") if word not in ("a.m.", "p.m.") else word
        if word in _NON_PEOPLE_WORDS or (word == "air" and (second or "").startswith(("strike", "raid"))):
            return False
        if word == "member" and second == "states":
            return False
    number = m.group("n")
    if not number or m.group("qual"):
        return True
    previous = low[max(lo, m.start() - 16) : m.start()].split()
    if previous and previous[-1] in _NOT_PEOPLE_BEFORE:
        return False  # "aged 12", "Resolution 2254", "November 27", "$5 million"
    if _MONTH_AFTER.match(low, end, hi):
        return False  # "27 November"
    if len(number) == 4 and number.isdigit() and number[:2] in ("19", "20"):
        # A year, unless people follow it ("2000 people"); "in 2023 rebels ..." is still a year.
        return not _YEAR_PREPOSITION.search(low, max(lo, m.start() - 8), m.start()) and (
            _person_noun_end(text, end, hi) is not None
        )
    return True


def _person_noun_end(text: str, pos: int, hi: int) -> int | None:
    """End of a people noun right after ``pos`` ("people", "Syrian soldiers", "Palestinians"), if any."""
    m = _PERSON_NOUN_AFTER.match(text, pos, hi)
    if m is None:
        return None
    found: int | None = None
    for group in (1, 2, 3):
        word = m.group(group)
        if word and (word.lower() in _PERSON_NOUNS or (word[:1].isupper() and word.endswith(("ns", "is", "ts")))):
            found = m.end(group)  # keep going: "a police officer" ends at "officer"
        elif found is not None:
            break
    return found


def _is_subset(low: str, lo: int, pos: int) -> bool:
    words = low[max(lo, pos - 16) : pos].split()
    return bool(words) and (words[-1] in _SUBSET_LAST or tuple(words[-2:]) in _SUBSET_LAST_TWO)


def _pre_gap_ok(low: str, number: _Number, anchor: _Anchor, numbers: list[_Number], number_starts: list[int]) -> bool:
    gap = low[number.end : anchor.start]
    if number.zero_word == "no":
        # "no deaths", not "no reports of deaths" nor "no deaths were reported" (which says the same)
        return gap.strip() == "" and _REPORTED_AFTER.match(low, anchor.end) is None
    if number.zero_word and any(w in gap for w in ("report", "word", "information", "immediate")):
        return False
    asides = [(m.start() + number.end, m.end() + number.end) for m in _PARENTHETICAL.finditer(gap)]
    first = bisect_right(number_starts, number.end - 1)
    for other in numbers[first : bisect_right(number_starts, anchor.start - 1)]:
        # A nearer number takes the kind word, unless it sits in an aside ("20, including five children,").
        if not other.article and other.zero_word != "no" and not any(a <= other.start < b for a, b in asides):
            return False
    gap = _PARENTHETICAL.sub(" ", gap) if asides else gap
    if "-old" in gap:
        gap = _AGE.sub(" ", gap)
    if _GAP_BREAK.search(gap):
        return False
    words = gap.split()
    if len(words) > (_MAX_NOUN_GAP_WORDS if anchor.spec.noun else _MAX_GAP_WORDS):
        return False
    if number.article and not any(w in _PERSON_NOUNS for w in words[:3]):
        return False  # "a man was killed" is one; "a car bomb killed" is not a count
    if number.article and "who" in words:
        return False  # "a teacher who escaped said ...": a person described, not a count
    if words and words[-1] in ("the", "a", "an"):
        return False  # "walked to the affected towns": the kind word is an adjective or a noun of its own
    if anchor.word.startswith("crossed") and any(w in _MILITARY for w in words):
        return False  # troops crossing a border are not refugees
    return not any(w.strip(".'’") in _GAP_BLOCKERS for w in words)


def _post_gap_ok(low: str, anchor: _Anchor, number: _Number) -> bool:
    if number.zero_word:
        return False
    if number.article and _person_noun_end(low, number.end, min(len(low), number.end + 40)) is None:
        return False
    if anchor.word in _NEEDS_PERSON_AFTER:
        noun_end = _person_noun_end(low, number.end, min(len(low), number.end + 60))
        if noun_end is None:
            return False  # "lost 20 tanks", "trucks carrying 20 tonnes"
    gap_end = number.start
    style = anchor.spec.post_style
    if style == _TOLL:
        return bool(_TOLL_GAP.fullmatch(low, anchor.end, gap_end)) and not any(
            c in low[anchor.end : gap_end] for c in ",;:()"
        )
    if style == _NOMINAL:
        return bool(_NOMINAL_GAP.fullmatch(low, anchor.end, gap_end))
    return bool(_VERB_GAP.fullmatch(low, anchor.end, gap_end))


def _figure(
    text: str,
    low: str,
    hi: int,
    number: _Number,
    anchor: _Anchor,
    after: bool,
    source: str | None,
    sentence_period: int | None,
) -> Figure:
    kind = anchor.spec.kind
    value, low_value, high_value, approximate = number.value, number.low, number.high, number.approximate
    if number.article:
        # "killing a crew member and an army general": two people, counted one by one.
        value = low_value = high_value = 1 + _more_listed(text, low, number.end, hi)[0]
    if after:
        start = anchor.start
        end = number.end
        noun_end = _person_noun_end(text, end, hi)
        if noun_end is not None:
            end = noun_end
            if number.article:
                end = _more_listed(text, low, number.end, hi)[1]
            if _UNSEEN.match(low, end, hi):
                kind = "missing"  # abducted or arrested, and not seen since
        if _MOST_OF.search(low, anchor.end, number.start):
            low_value, approximate = None, True  # "freeing most of its 3,800 inmates": fewer, not more
    else:
        start = number.start
        end = anchor.end
    period = sentence_period  # "In the past 48 hours, 60 people were killed": the period is elsewhere
    adjacent = _PERIOD_AFTER.match(low, end, hi)
    if adjacent is not None and (adjacent.group("n") or adjacent.group("mod")):
        period = _days(adjacent)
        end = adjacent.end()
    return Figure(
        kind=kind,
        value=value,
        low=low_value,
        high=high_value,
        approximate=approximate,
        period=period,
        source=source,
        start=start,
        end=end,
        text=text[start:end],
    )


def _more_listed(text: str, low: str, pos: int, hi: int) -> tuple[int, int]:
    """People listed after "a <person>" at ``pos``: (how many more, where the list ends)."""
    end = _person_noun_end(text, pos, hi)
    if end is None:
        return 0, pos
    more = 0
    while True:
        m = _ANOTHER_ONE.match(low, end, hi)
        following = _person_noun_end(text, m.end(), hi) if m else None
        if following is None:
            return more, end
        more += 1
        end = following


def _days(m: re.Match[str]) -> int | None:
    word = m.group("n") or "1"
    unit = m.group("u").rstrip("s")
    if word.isdigit():
        n = int(word)
    else:
        n = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
             "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fourteen": 14, "twenty-four": 24,
             "forty-eight": 48, "seventy-two": 72}.get(word.replace("\u00a0", " "), 3)  # fmt: skip
    if unit == "hour":
        return max(1, -(-n // 24))
    return n * {"day": 1, "week": 7, "fortnight": 14, "month": 30, "year": 365}[unit]
