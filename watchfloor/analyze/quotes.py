"""Direct quotes, reported speech, and who said them.

Direct quotes are text between double quotes: straight ``"``, curly ``“ ”`` (also ``„``) or guillemets
``« »``. Marks are paired per paragraph; a quote left open at the end of a paragraph counts only when the next
paragraph opens with a quote mark (the news convention for a quote running over several paragraphs), otherwise
it is unbalanced and skipped. ``Quote.text`` is the quoted words without the marks, without surrounding
whitespace and without the comma that news style puts before the closing mark ("We will win," he said).

The speaker comes from the attribution next to the quote, in this order:

1. after it: ``"...," said Volker Turk, the UN human rights chief.`` / ``"...," he said.`` /
   ``"...," HTS leader Abu Mohammad al-Jolani told CNN.`` / ``"...," according to the ministry.``
2. before it: ``Jolani told CNN: "..."`` / ``He said, "..."`` / ``..., declaring, "..."`` (the clause subject);
3. a quote with no attribution that opens the sentence after a quote inherits that quote's speaker;
4. a quote inside a reported clause takes the clause's speaker: ``The army said it had redeployed "to
   preserve the lives of civilians"``, ``Ruto called the events "treasonous"`` (describing verbs such as
   "called", "described", "accused" count as speech here).

A quote of fewer than four words with no attribution at all is taken for scare quotes or a name ('the
so-called "Islamic State"') and skipped.

Pronouns ("he", "she") resolve, within the current and previous two sentences, to whichever comes later: the
latest speaker who is one person (a name, or a role such as "the governor", "a survivor") or the latest
person named at the head of a sentence ("Opposition candidate Venancio Mondlane called for ..."); failing
both, to the nearest preceding named person. "it"/"they" resolve to the latest organisation-like speaker
there. Unresolved pronouns give speaker None. An unnamed speaker who "gave his name as Andriy" is Andriy.
``speaker`` is the name as written (titles such as "President" or "Gen." dropped, a leading "the" dropped,
and UN / U.N. spelled "United Nations" as in figure sources); ``speaker_id`` is ``resolve_speaker(speaker)``,
and for "the group" / "the group's spokesman" the organisation it refers back to (see ``find_quotes``).
``state_speaker`` tells a caller which state institution a bare "the army" or "Tehran" stands for, so that it
can resolve it with the document's country.

Reported speech (``direct=False``) is a sentence, not itself a quote with its attribution, where a speaker
says something: ``X said (that) ...``, ``X said on Thursday the ...``, ``..., X said.``, ``According to X,
...`` and ``..., according to X.``; its text is the reported clause, which ends where the speaker's next
predicate starts ("... and called on Y to resign", ", adding that ..."). Verbs that usually take a noun
object ("told", "announced", "confirmed", "declared") report speech only with "that". A subject that goes on
to report ("X condemned the attack and said ...", "X denied that ... but said ...") gives a second reported
clause; "X called it a cowardly act" / "X described ... as ..." report what X called it, and "X promised /
pledged / vowed to ..." what X committed to.

``find_source`` is shared with ``figures``: the attributed source of a sentence ("the UN said" ->
"United Nations").
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import islice

from watchfloor.analyze.text import find_dateline, find_words, lowered, split_sentences, word_alternation
from watchfloor.models import Quote

# -- vocabulary --------------------------------------------------------------------------------------------

_SPEECH_VERBS = (
    "said|says|say|told|tells|added|adds|asked|asks|stated|states|declared|declares|wrote|writes|posted|tweeted|"
    "warned|warns|urged|urges|insisted|insists|explained|noted|continued|recalled|replied|responded|announced|"
    "announces|claimed|claims|stressed|admitted|acknowledged|argued|shouted|cried|vowed|pledged|promised|"
    "demanded|commented|concluded|reported|reports|confirmed|confirms|denied|denies|alleged|estimated|"
    "estimates|predicted|cautioned|threatened|boasted|called|described|dubbed|termed|branded|labelled|labeled|"
    "denounced|condemned|accused|saying|adding|declaring|stating|warning|telling|calling|describing|"
    "insisting|noting|writing|explaining|urging|claiming|stressing|reporting|vowing|according"
)
_SPEECH_VERB_SET = frozenset(_SPEECH_VERBS.split("|"))
_VERB_RE = re.compile(rf"(?<![\w-])(?:{word_alternation(_SPEECH_VERBS.split('|') + ['According'])})(?![\w-])")
_PARTICIPLES = frozenset(
    "saying adding declaring stating warning telling insisting noting writing explaining urging claiming "
    "stressing reporting vowing".split()
)
# Verbs that introduce reported speech (a clause follows); the -ing forms and "according" are handled apart.
_REPORTING = frozenset(
    "said says say told tells added stated declared wrote warned insisted explained noted announced claimed "
    "stressed admitted acknowledged argued reported confirmed denied alleged estimated predicted cautioned "
    "threatened".split()
)
_MAX_VERBS_PER_SENTENCE = 6
_PRONOUNS = frozenset("he she they it we i".split())
_PERSON_PRONOUNS = frozenset({"he", "she"})
# Words allowed between a subject and its speech verb ("Turk has also said", "he later told").
_SKIPPABLE = frozenset(
    "has have had also later earlier previously publicly reportedly repeatedly again then separately further "
    "once recently had would will may might would've already privately openly subsequently".split()
)
_CONNECTORS = frozenset("of for the and on de du al el bin ibn van von der la le da di dos del in".split())
_TITLES = frozenset(
    """president prime minister foreign defence defense interior finance secretary-general secretary general gen
    gen. lt lt. col col. maj maj. capt capt. sgt sgt. mr mr. mrs mrs. ms ms. dr dr. prof prof. pope chancellor
    governor gov gov. senator sen sen. rep rep. ambassador commander spokesman spokeswoman spokesperson chief
    leader envoy special representative high commissioner vice deputy chairman chairwoman director
    director-general lieutenant colonel major brigadier admiral marshal field judge justice mayor emir king queen
    prince crown sheikh speaker premier minister-president adm adm. brig brig. cmdr cmdr. insp insp. supt
    supt. rev rev. pastor bishop archbishop cardinal imam rabbi cleric reverend""".split()
)
# Nouns that make a phrase a speaker ("the ministry", "a UN spokesman", "Palestinian health officials").
_SPEAKER_NOUNS = frozenset(
    """ministry army military police government authorities authority official officials spokesman spokeswoman
    spokesperson agency office monitor observatory group organisation organization council committee
    commission source sources medics doctors doctor witnesses witness residents resident activists activist
    rescuers statement report mission force forces command department service services body team coalition
    movement militia rebels fighters commander chief head minister president leader envoy diplomat diplomats
    analyst analysts hospital paramedics workers media outlet channel broadcaster television radio website
    newspaper daily ngo charity unit administration presidency cabinet parliament court prosecutor
    prosecutors investigators experts expert observers agencies officer officers representative
    representatives network groups organisations organizations ministries monitors councils committees ngos
    charities unions officers governor governors mayor prosecutor ambassador general colonel premier junta
    regime centre center worker doctors nurses medic rescuer coroner hospitals directorate
    chancellor senator lawmaker lawmakers mp mps negotiator negotiators delegation presidency secretary
    secretary-general coordinator rapporteur commissioner spokespeople sheriff prefect survivor survivors elder
    elders journalist journalists soldier soldiers passenger passengers teacher student woman man mother father
    pensioner shopkeeper trader farmer villager villagers neighbour neighbor relative relatives volunteer
    volunteers refugee refugees nun priest imam pastor lawyer""".split()
)
# Speaker nouns for one person: "the governor said ... "...," he said" - the pronoun can refer back to them.
_PERSON_ROLES = frozenset(
    """spokesman spokeswoman spokesperson official commander chief head minister president leader envoy diplomat
    analyst officer representative governor mayor prosecutor ambassador general colonel premier chancellor
    senator lawmaker mp negotiator secretary secretary-general coordinator rapporteur commissioner sheriff
    prefect doctor nurse medic witness resident activist worker rescuer coroner expert survivor elder journalist
    soldier passenger teacher student woman man mother father pensioner shopkeeper trader farmer villager
    neighbour neighbor relative volunteer refugee nun priest imam pastor lawyer""".split()
)
_ORG_WORDS = frozenset(
    """ministry army forces force front council nations union organisation organization agency office
    observatory committee commission movement party brigade brigades battalion corps guard guards police
    government authority authorities state republic watch international institute network news times post
    press agency group coalition alliance department service services court bank fund programme program
    mission unit command administration hospital university centre center tv radio television reuters afp ap
    un u.n. who unicef unhcr ocha wfp icrc msf hts sdf idf isis""".split()
)
_NOT_NAMES = frozenset(
    """the a an in on at after before but and or as when while meanwhile however this that these those there
    his her its their our my your he she it they we i you some many most other one two according speaking
    asked earlier later last next if since although though despite still yet so now then for with by from
    to no what why how who where also both each all monday tuesday wednesday thursday friday saturday sunday
    january february march april may june july august september october november december""".split()
)
_UN_NAMES = frozenset({"un", "u.n.", "u.n", "united nations", "the un", "the u.n.", "the united nations"})

_TOKEN = re.compile(r"[^\s\"“”„«»]+")
# (start, end) of a match, mapped over ``finditer`` in C rather than read match by match in Python.
_SPAN = re.Match.span
_QUOTE_MARK = re.compile(r"[\"“”„«»]")
_LINE = re.compile(r"[^\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]+")
_OPENING_CONTEXT = " \t\u00a0([{—–-/\u2018'"
_CLOSING_PUNCT = ".,;:!?)]}—–-…'’\u2019"

# A name: capitalised words with the particles of Arabic and European names ("Abu Mohammad al-Jolani").
_NAME = (
    r"(?:al-|el-)?[A-Z][\w'’.-]*(?:[ \u00a0]+(?:(?:of|for|the|and|on|de|du|al|el|bin|ibn|van|von|der|la|le|da)"
    r"[ \u00a0]+){0,2}(?:al-|el-)?[A-Z][\w'’.-]*){0,6}"
)
_SPEAKER_NOUN_RE = "|".join(sorted(_SPEAKER_NOUNS, key=len, reverse=True))
# A speaker phrase read forwards (after "said" or "according to").
_FORWARD_SPEAKER = re.compile(
    rf"[ \u00a0]+(?:(?P<np>(?:the|a|an)[ \u00a0]+(?:[\w'’.-]+[ \u00a0]+){{0,4}}?(?:{_SPEAKER_NOUN_RE})\b)"
    rf"|(?P<name>(?:the[ \u00a0]+)?{_NAME})|(?P<pronoun>he|she|they|it|we|I)\b)"
)
# "a woman from Baniyas who gave her name as Rasha", "a soldier, identified only as Andriy": the name given.
_GAVE_NAME = re.compile(
    r"(?:[ \u00a0]+[\w'’-]+){0,4}?,?[ \u00a0]+(?:who[ \u00a0]+gave[ \u00a0]+(?:only[ \u00a0]+)?(?:his|her|their)"
    r"[ \u00a0]+(?:first[ \u00a0]+)?name[ \u00a0]+as|identified[ \u00a0]+only[ \u00a0]+as|named[ \u00a0]+only[ \u00a0]+as)"
    r"[ \u00a0]+(?P<name>[A-Z][\w'’-]+(?:[ \u00a0]+[A-Z][\w'’-]+)?)"
)
_AFTER_QUOTE_VERB = re.compile(rf"\s*,?\s*(?P<verb>{_SPEECH_VERBS})\b")
# What may sit between "told"/"said" and the quote or clause: "told CNN:", "said in a statement,", "said on Friday".
_VERB_TAIL = re.compile(
    r"(?:[ \u00a0]+(?:in|on|at|to|during|late|early|after|before|via|through|a|an|the|his|her|its|their|"
    r"statement|interview|post|posted|video|message|speech|news|conference|briefing|press|televised|broadcast|"
    r"address|remarks|comments|reporters|journalists|Reuters|CNN|AFP|AP|BBC|[A-Z][\w'’.-]*|"
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|morning|evening|night|afternoon|"
    r"[a-z]+day|week|earlier|later|separately|also|again|publicly|briefly|this|last|that|online|X|Telegram|"
    r"social|media|platform|televised|remarks))*?[ \u00a0]*[:,]?[ \u00a0]*\Z"
)
_BETWEEN_THAT = frozenset(
    """on in at late early a an the statement interview news conference briefing earlier later also again
    publicly previously last this week month year morning evening night afternoon reporters journalists
    television state media post video speech message to parliament lawmakers told separately repeatedly
    privately recently then""".split()
)
# Verbs that usually take a noun object: they report speech only with "that" ("confirmed that ...").
_NEEDS_THAT = frozenset(
    "told tells declared announced confirmed denied reported estimated claimed acknowledged admitted alleged "
    "threatened predicted".split()
)
_CLAUSE_END = re.compile(
    r",?[ \u00a0]+(?:and|but)[ \u00a0]+(?:also[ \u00a0]+)?(?:said|says|added|called|urged|warned|demanded|insisted|"
    r"denied|vowed|accused|blamed|promised|pledged|asked|told|appealed|stressed|announced|ordered|declared|"
    r"launched|condemned|rejected)\b"
    r"|,[ \u00a0]*(?:adding|saying|calling|accusing|urging|warning|noting|stressing)\b|;"
)
_TO = re.compile(r"[ \u00a0]+to\b")
# "... and said ...", "... but said ...": the sentence's subject reports a second clause.
_CONTINUING = frozenset("said says added insisted stressed warned argued claimed noted".split())
_AND_BEFORE = re.compile(r"[ \u00a0,](?:and|but)[ \u00a0]+(?:(?:also|later)[ \u00a0]+)?\Z")
# Verbs that name what something is ("called it a cowardly act", "described the attack as barbaric") and
# words after them that make them mean something else ("called on", "called for").
_NAMING = frozenset("called described termed branded labelled labeled dubbed".split())
_NAMING_PARTICLES = frozenset("on upon for off up in out back".split())
_COMMITTING = frozenset("promised pledged vowed threatened".split())
_OPENING_ADVERBIAL = frozenset(
    "in on at after before during speaking meanwhile however later earlier separately also".split()
)
# Finite verbs that end a subject without "-ed": "The federal government says ...".
_FINITE = frozenset("says said has have had is was were are will would told tells".split())
_THAT_CLAUSE = re.compile(r"[ \u00a0]+that[ \u00a0]+")
_TIME_AFTER_VERB = re.compile(
    r"[ \u00a0]+(?:(?:late|early)[ \u00a0]+)?(?:on[ \u00a0]+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|"
    r"Saturday|Sunday|today|yesterday|earlier|later|last[ \u00a0]+\w+|this[ \u00a0]+\w+|in[ \u00a0]+a[ \u00a0]+"
    r"statement|in[ \u00a0]+a[ \u00a0]+post(?:[ \u00a0]+on[ \u00a0]+\w+)?)\b,?"
)
_PERSON_NAME = re.compile(
    r"(?<![\w'’-])(?:al-|el-)?[A-Z][a-z'’-]+(?:[ \u00a0]+(?:(?:bin|ibn|de|van|von|al|el|abu|Abu)[ \u00a0]+)?"
    r"(?:al-|el-)?[A-Z][a-z'’-]+){1,6}"
)


@dataclass(slots=True)
class _Speaker:
    name: str
    is_person: bool
    start: int  # where it was found, for "nearest preceding"


# -- public API -------------------------------------------------------------------------------------------


def find_quotes(
    text: str,
    sentences: Sequence[tuple[int, int]] | None = None,
    resolve_speaker: Callable[[str], str | None] = lambda name: None,
    antecedents: Sequence[tuple[int, str]] = (),
) -> list[Quote]:
    """Direct quotes and reported speech in ``text``, in order of position.

    ``antecedents`` are (offset, actor id) of the organisations the text names, in order: a speaker that only
    says "the group" ("the group said", "the group's spokesman") takes the id of the one it refers back to.
    """
    if not text:
        return []
    sents = list(sentences) if sentences else split_sentences(text)
    if not sents:
        return []
    # Sentences are walked in order so that a pronoun can resolve to a speaker named just before it.
    by_sentence: dict[int, list[tuple[int, int, bool, int]]] = {}
    for open_at, close_at, continued in _quote_spans(text):
        si_open = _sentence_index(sents, open_at)
        si_close = _sentence_index(sents, max(open_at, close_at - 1))
        by_sentence.setdefault(si_open, []).append((open_at, close_at, continued, si_close))
    dateline = find_dateline(text)
    quoted: set[int] = set()
    out: list[Quote] = []
    speakers: list[_Speaker] = []
    previous: tuple[int, str | None] | None = None  # (sentence index where the last quote ended, its speaker)
    open_paragraphs: list[Quote] = []  # parts of a multi-paragraph quote waiting for its closing paragraph
    for si, (lo, hi) in enumerate(sents):
        fragments: list[Quote] = []  # short unattributed quotes: kept only if the sentence reports a speaker
        for open_at, close_at, continued, si_close in by_sentence.get(si, ()):
            start, end = _trim_quote(text, open_at + 1, close_at)
            if start >= end:
                continue
            quote = Quote(speaker=None, speaker_id=None, text=text[start:end], start=start, end=end, direct=True)
            if continued:
                open_paragraphs.append(quote)
                quoted.update(range(si, si_close + 1))
                out.append(quote)
                continue
            speaker, attributed, adjacent = _attribute(text, sents, si, si_close, open_at, close_at, speakers)
            if not attributed and previous is not None and previous[0] >= si - 1 and not text[lo:open_at].strip():
                speaker, attributed, adjacent = previous[1], True, True  # a follow-on quote opening the sentence
            if not attributed and not open_paragraphs and text.count(" ", start, end) < 3:
                # Scare quotes and names ('the so-called "Islamic State"') are not speech, but a fragment
                # inside reported speech ('X said the advance would continue "without incident"') is.
                fragments.append(quote)
                continue
            quote.speaker = speaker
            for part in open_paragraphs:
                part.speaker = speaker
            open_paragraphs.clear()
            previous = (si_close, speaker)
            if adjacent:
                # A sentence that is a quote plus its attribution is not also reported speech; a quote inside
                # a reported clause ('X said it would continue "without incident"') leaves the clause be.
                quoted.update(range(si, si_close + 1))
            out.append(quote)
        if si not in quoted:
            if dateline and lo <= dateline[0] < hi:
                lo = max(lo, dateline[1])
            for reported in _reported_in_sentence(text, sents, si, lo, hi, speakers):
                out.append(reported)
                if reported.speaker is not None:
                    for fragment in fragments:
                        if fragment.start >= reported.start and fragment.speaker is None:
                            fragment.speaker = reported.speaker
                            out.append(fragment)
    out.sort(key=lambda q: q.start)
    for quote in out:
        if quote.speaker is not None:
            quote.speaker_id = resolve_speaker(quote.speaker)
            if quote.speaker_id is None and antecedents and _ANAPHOR.fullmatch(quote.speaker.lower()):
                quote.speaker_id = _antecedent(quote.start, antecedents, speakers, resolve_speaker)
    return out


# "the group", "the group's spokesman", "the movement": an organisation named earlier.
_ANAPHOR = re.compile(
    r"(?:group|movement|militia|organi[sz]ation|rebels|insurgents|militants|jihadists|faction|outfit)"
    r"(?:['’]s?[ \u00a0]+[\w-]+(?:[ \u00a0]+[\w-]+)?)?"
)


def _antecedent(
    pos: int,
    antecedents: Sequence[tuple[int, str]],
    speakers: list[_Speaker],
    resolve_speaker: Callable[[str], str | None],
) -> str | None:
    """The organisation "the group" at ``pos`` refers to: the latest that spoke before it, else the latest named."""
    known = {actor_id for _, actor_id in antecedents}
    for speaker in reversed(speakers):
        if speaker.start < pos and not _ANAPHOR.fullmatch(speaker.name.lower()):
            actor_id = resolve_speaker(speaker.name)
            if actor_id in known:
                return actor_id
    earlier = [actor_id for start, actor_id in antecedents if start < pos]
    return earlier[-1] if earlier else None


# Capitals that stand for their government ("Tehran said", "Moscow denied"): ISO 3166 alpha-3.
_CAPITALS = {
    "tehran": "IRN", "moscow": "RUS", "kyiv": "UKR", "kiev": "UKR", "washington": "USA", "beijing": "CHN",
    "damascus": "SYR", "ankara": "TUR", "riyadh": "SAU", "cairo": "EGY", "baghdad": "IRQ", "beirut": "LBN",
    "kabul": "AFG", "islamabad": "PAK", "new delhi": "IND", "london": "GBR", "paris": "FRA", "berlin": "DEU",
    "pyongyang": "PRK", "seoul": "KOR", "tokyo": "JPN", "khartoum": "SDN", "kinshasa": "COD", "kigali": "RWA",
    "addis ababa": "ETH", "nairobi": "KEN", "abuja": "NGA", "bamako": "MLI", "niamey": "NER",
    "ouagadougou": "BFA", "caracas": "VEN", "havana": "CUB", "minsk": "BLR", "tbilisi": "GEO", "baku": "AZE",
    "yerevan": "ARM", "doha": "QAT", "abu dhabi": "ARE", "naypyitaw": "MMR", "naypyidaw": "MMR",
    "bangkok": "THA", "juba": "SSD", "mogadishu": "SOM", "amman": "JOR", "rabat": "MAR", "algiers": "DZA",
    "tunis": "TUN", "warsaw": "POL", "rome": "ITA", "madrid": "ESP", "ottawa": "CAN", "hanoi": "VNM",
    "jakarta": "IDN", "dhaka": "BGD", "kathmandu": "NPL", "muscat": "OMN", "manila": "PHL", "tripoli": "LBY",
    "sanaa": "YEM", "n'djamena": "TCD", "bangui": "CAF", "bujumbura": "BDI", "kampala": "UGA",
    "asmara": "ERI", "dakar": "SEN", "port-au-prince": "HTI", "managua": "NIC", "bogota": "COL",
}  # fmt: skip
# Bare names for a state's institutions ("the army said", "the federal government says"), by which of the
# knowledge base's generated state actors they stand for.
_STATE_HEADS = {
    "army": "military", "military": "military", "armed forces": "military", "troops": "military",
    "soldiers": "military", "security forces": "military", "defence forces": "military",
    "defense forces": "military", "police": "police", "police force": "police", "government": "government",
    "authorities": "government", "cabinet": "government", "presidency": "government",
}  # fmt: skip
_STATE_MODIFIERS = frozenset("federal national central interim transitional military-led new".split())
_ROLE_OF = re.compile(
    r"['’]s?[ \u00a0]+(?:spokesman|spokeswoman|spokesperson|spokespeople|statement|chief|head|press office)$"
)
_IN_PLACE = re.compile(r"[ \u00a0]+(?:in|of)[ \u00a0]+[A-Z][\w'’ -]*$")


def state_speaker(name: str) -> tuple[str, str | None] | None:
    """(military | police | government, ISO3 or None) when a speaker names a state institution without its
    country ("the army", "the military's spokesman", "the government in Port Sudan"), or a capital standing
    for a government ("Tehran"); the caller supplies the country from the document when it is None."""
    capital = _CAPITALS.get(name.strip().lower())
    if capital is not None:
        return "government", capital
    phrase = _IN_PLACE.sub("", name.strip())
    phrase = _ROLE_OF.sub("", phrase.lower())
    words = [w for w in phrase.split() if w not in _STATE_MODIFIERS and w not in ("the", "its", "their")]
    role = _STATE_HEADS.get(" ".join(words))
    return (role, None) if role is not None else None


def find_source(text: str, start: int, end: int) -> str | None:
    """Who a sentence attributes its content to ("..., the UN said" -> "United Nations"), or None.

    Pronouns are not resolved here. Names are kept as written except that a leading "the" is dropped and
    UN / U.N. / United Nations become "United Nations".
    """
    name, _ = source_and_pronoun(text, start, end)
    return name


def source_and_pronoun(text: str, start: int, end: int) -> tuple[str | None, bool]:
    """(source, False) as ``find_source``; (None, True) when the attribution is a pronoun ("..., he said"),
    so that a caller can carry over the source of the previous sentence."""
    verbs = _verbs_between(text, start, end)
    pronoun = False
    for v in verbs:
        if v.group().lower() == "according":
            found = _according_speaker(text, v.end(), end)
            if found and found[1] != "pronoun":
                return normalise_source(found[0]), False
    for v in verbs:
        if v.group().lower() == "according" or _passive(text, start, v.start()):
            continue
        found = _speaker_before(text, start, v.start())
        if found is None or found[1] == "pronoun":
            # "..., said the ministry": the speaker follows the verb (looked for only when none precedes it)
            pronoun = pronoun or found is not None
            found = _forward_speaker(text, v.end(), end)
            if found is None:
                continue
            if found[1] == "pronoun":
                pronoun = True
                continue
        return normalise_source(found[0]), False
    return None, pronoun


_verb_cache: tuple[str, list[int], list[re.Match[str]]] | None = None


def _verbs_between(text: str, lo: int, hi: int) -> list[re.Match[str]]:
    """Speech verbs in ``text[lo:hi]``, from an index built once per article (they are looked up often)."""
    global _verb_cache
    cache = _verb_cache
    if cache is None or cache[0] is not text:
        article = lowered(text)
        matches = []
        for pos in find_words(article.low, _SPEECH_VERB_SET & article.words):
            m = _VERB_RE.match(text, pos)
            if m is not None:
                matches.append(m)
        cache = (text, [m.start() for m in matches], matches)
        _verb_cache = cache
    _, starts, matches = cache
    return matches[bisect_right(starts, lo - 1) : bisect_right(starts, hi - 1)]


def normalise_source(name: str) -> str:
    """Drop a leading article and spell the United Nations one way."""
    name = name.strip(" ,.")
    if name.lower() in _UN_NAMES:
        return "United Nations"
    for article in ("the ", "The ", "a ", "A ", "an ", "An "):
        if name.startswith(article):
            name = name[len(article) :]
            break
    return "United Nations" if name.lower() in _UN_NAMES else name


# -- pairing quote marks ------------------------------------------------------------------------------------


def _quote_spans(text: str) -> list[tuple[int, int, bool]]:
    """(opening mark offset, closing mark offset, continued) for every balanced quote, in order.

    ``continued`` marks the part of a multi-paragraph quote that runs to the end of its paragraph without a
    closing mark; its speaker is taken from the paragraph that closes the quote.
    """
    spans: list[tuple[int, int, bool]] = []
    if '"' not in text and "“" not in text and "«" not in text and "„" not in text and "”" not in text:
        return spans
    lines = list(map(_SPAN, _LINE.finditer(text)))
    for index, (lo, hi) in enumerate(lines):
        open_at: int | None = None
        opener = ""
        depth = 0
        for m in _QUOTE_MARK.finditer(text, lo, hi):
            pos = m.start()
            mark = m.group()
            before = text[pos - 1] if pos > lo else " "
            after = text[pos + 1] if pos + 1 < hi else " "
            can_open = (before.isspace() or before in _OPENING_CONTEXT) and not after.isspace()
            can_close = not before.isspace() and (after.isspace() or after in _CLOSING_PUNCT or pos + 1 >= hi)
            if open_at is None:
                if mark in "“„«" or (mark in '"”' and can_open) or (mark == '"' and not can_close):
                    open_at, opener, depth = pos, mark, 1
                continue
            # Inside a quote: only marks of the same family matter; curly and guillemet quotes nest.
            if opener in "“„":
                if mark in "“„":
                    depth += 1
                elif mark == "”" or (mark == '"' and can_close and depth == 1):
                    depth -= 1
            elif opener == "«":
                if mark == "«":
                    depth += 1
                elif mark == "»":
                    depth -= 1
            elif mark in '"”':
                if can_open and not can_close:
                    # Another opener before a closer: the first one was stray; start again here.
                    open_at = pos
                    continue
                depth = 0
            if depth == 0:
                spans.append((open_at, pos, False))
                open_at = None
        # A quote still open at the end of its paragraph continues in the next one only if it opened the
        # paragraph or followed a lead-in ('he said: "'), and the next paragraph opens with a quote mark.
        lead_in = open_at is not None and (
            text[lo:open_at].strip() == "" or text[lo:open_at].rstrip().endswith((":", ","))
        )
        if open_at is not None and lead_in and index + 1 < len(lines):
            nxt_lo, nxt_hi = lines[index + 1]
            first = _first_non_space(text, nxt_lo, nxt_hi)
            if first is not None and text[first] in '"“„«':
                spans.append((open_at, hi, True))
    return spans


def _first_non_space(text: str, lo: int, hi: int) -> int | None:
    for i in range(lo, min(hi, lo + 8)):
        if not text[i].isspace():
            return i
    return None


def _trim_quote(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and (text[end - 1].isspace() or text[end - 1] == ","):
        end -= 1
    return start, end


# -- attribution ------------------------------------------------------------------------------------------


def _sentence_index(sents: Sequence[tuple[int, int]], pos: int) -> int:
    i = bisect_right(sents, (pos, float("inf"))) - 1
    return max(i, 0)


def _attribute(
    text: str,
    sents: Sequence[tuple[int, int]],
    si_open: int,
    si_close: int,
    open_at: int,
    close_at: int,
    speakers: list[_Speaker],
) -> tuple[str | None, bool, bool]:
    """(speaker, whether an attribution was found at all - "they said" is one even if unresolved - and
    whether it is next to the quote rather than the subject of a clause the quote sits in)."""
    sent_lo = sents[si_open][0] if sents else 0
    sent_hi = sents[si_close][1] if sents else len(text)
    if sent_hi <= close_at:
        sent_hi = min(len(text), close_at + 1)
    found = _speaker_after(text, close_at + 1, sent_hi)
    if found is None:
        found = _speaker_before_quote(text, sent_lo, open_at)
    adjacent = found is not None
    if found is None:
        found = _speaker_before_quote(text, sent_lo, open_at, inside_clause=True)
    if found is None:
        return None, False, False
    name, kind, where = found
    if kind == "pronoun":
        return _resolve_pronoun(text, sents, si_open, name, where, speakers), True, adjacent
    name = normalise_source(name)
    speakers.append(_Speaker(name, kind == "person", where))
    return name, True, adjacent


_ABBREVIATION_DOT = re.compile(
    r"(?:\b[A-Z]|\b(?:Mr|Mrs|Ms|Dr|Gen|Lt|Col|Maj|Capt|Sgt|Sen|Rep|Gov|Prof|Rev|St|Jr|Sr)|\.[A-Za-z])\.\Z"
)


def _has_break(span: str) -> bool:
    """True if ``span`` holds a sentence break or a quote mark; abbreviations ("Mr.", "U.S.") do not count."""
    if any(c in span for c in '!?;"“”'):
        return True
    pos = span.find(".")
    while pos >= 0:
        if not _ABBREVIATION_DOT.search(span, 0, pos + 1):
            return True
        pos = span.find(".", pos + 1)
    return False


def _according_speaker(text: str, pos: int, hi: int) -> tuple[str, str, int] | None:
    """The source after "according" (``pos`` is right after the word): skips " to"."""
    m = _TO.match(text, pos, hi)
    return _forward_speaker(text, m.end() if m else pos, hi)


def _speaker_after(text: str, pos: int, hi: int) -> tuple[str, str, int] | None:
    """The attribution right after a closing quote mark: ', said X' / ', X said' / ', according to X'."""
    if pos >= hi:
        return None
    m = _AFTER_QUOTE_VERB.match(text, pos, hi)
    if m:
        if m.group("verb") == "according":
            return _according_speaker(text, m.end(), hi)
        return _forward_speaker(text, m.end(), hi)
    # ", HTS leader Abu Mohammad al-Jolani told CNN" / ", he said": the verb comes within a few words.
    window_end = min(hi, pos + 120)
    for v in _verbs_between(text, pos, window_end):
        between = text[pos : v.start()]
        if _has_break(between) or between.count(" ") > 9:
            return None
        if v.group().lower() == "according":
            return _according_speaker(text, v.end(), hi)
        return _speaker_before(text, pos, v.start())
    return None


def _speaker_before_quote(text: str, lo: int, open_at: int, inside_clause: bool = False) -> tuple[str, str, int] | None:
    """The attribution right before an opening quote mark: 'Jolani told CNN: "' / ', declaring, "'.

    With ``inside_clause``, also the subject of a speech verb earlier in the sentence, for a quote inside
    reported speech ('The army said it had redeployed "to preserve the lives of civilians"', 'Ruto called
    the events "treasonous"').
    """
    verbs = _verbs_between(text, lo, open_at)
    if not verbs:
        return None
    v = verbs[-1]
    if v.group().lower() == "according":
        return _according_speaker(text, v.end(), open_at)
    adjacent = _VERB_TAIL.match(text, v.end(), open_at) is not None
    if v.group() in _PARTICIPLES:
        return _clause_subject(text, lo, v.start()) if adjacent else None
    if not adjacent and not inside_clause:
        return None
    return _speaker_before(text, lo, v.start())


_speaker_memo: tuple[str, dict[tuple[int, int], tuple[str, str, int] | None]] | None = None


def _speaker_before(text: str, lo: int, verb_at: int) -> tuple[str, str, int] | None:
    """The subject right before a speech verb, read backwards: (name, person|org|pronoun, offset).

    Remembered per article: figures (through ``source_and_pronoun``) and quotes ask for the same verbs' speakers.
    """
    global _speaker_memo
    memo = _speaker_memo
    if memo is None or memo[0] is not text:
        memo = _speaker_memo = (text, {})
    key = (lo, verb_at)
    found = memo[1].get(key, _MISSING)
    if found is _MISSING:
        found = memo[1][key] = _read_speaker_before(text, lo, verb_at)
    return found  # type: ignore[return-value]


_MISSING = object()


def _read_speaker_before(text: str, lo: int, verb_at: int) -> tuple[str, str, int] | None:
    window_lo = max(lo, verb_at - 120)
    tokens = list(map(_SPAN, _TOKEN.finditer(text, window_lo, verb_at)))
    i = len(tokens) - 1
    while i >= 0 and text[tokens[i][0] : tokens[i][1]].lower() in _SKIPPABLE:
        i -= 1
    if i < 0:
        return None
    s, e = tokens[i]
    word = text[s:e]
    if word.lower() in _PRONOUNS:
        return word.lower(), "pronoun", s
    if word.endswith(","):
        # "Volker Turk, the UN human rights chief, said" / "The group's leader, Abu Mohammad al-Jolani, has said"
        j = i - 1
        while j >= 0 and i - j <= 14 and not text[tokens[j][0] : tokens[j][1]].endswith(","):
            j -= 1
        if j < 0 or i - j > 14:
            return None
        inner_first = text[tokens[j + 1][0] : tokens[j + 1][1]]
        if inner_first[:1].isupper() and inner_first.lower() not in _NOT_NAMES:
            name = _collect_name(text, tokens, j + 1, i, strip_comma=True)
            if name:
                return name
        k = j
        s, e = tokens[k]
        if not (text[s].isupper() or text[s : s + 3] in ("al-", "el-")):
            return _collect_phrase(text, tokens, k, strip_comma=True)
        return _collect_name_back(text, tokens, k, strip_comma=True)
    if word[:1].isupper() or word.startswith(("al-", "el-")):
        found = _collect_name_back(text, tokens, i)
        if found is not None:
            k = next((n for n, (s, _) in enumerate(tokens) if s == found[2]), 0)
            if k >= 2 and text[tokens[k - 1][0] : tokens[k - 1][1]] in ("in", "at", "from", "of"):
                # "The health ministry in Damascus said", "a resident of Goma told": a nominal subject.
                phrase = _collect_phrase(text, tokens, k - 2)
                if phrase is not None:
                    start = phrase[2]
                    return normalise_source(text[start : tokens[i][1]]), "org", start
        return found
    if word.lower().rstrip(".") in _SPEAKER_NOUNS or word.lower().endswith(("'s", "’s")):
        return _collect_phrase(text, tokens, i)
    return None


def _collect_name_back(
    text: str, tokens: list[tuple[int, int]], i: int, strip_comma: bool = False
) -> tuple[str, str, int] | None:
    """A capitalised name ending at token ``i``, extended backwards over capitalised words and particles."""
    j = i
    while j - 1 >= 0:
        s, e = tokens[j - 1]
        word = text[s:e]
        if word.endswith((",", ";", ":", ".")) and not _is_abbreviation(word):
            break
        if word[:1].isupper() or word.startswith(("al-", "el-")) or word in _CONNECTORS:
            j -= 1
            continue
        break
    while j < i and text[tokens[j][0] : tokens[j][1]] in _CONNECTORS:
        j += 1
    return _collect_name(text, tokens, j, i, strip_comma=strip_comma)


def _collect_name(
    text: str, tokens: list[tuple[int, int]], j: int, i: int, strip_comma: bool = False
) -> tuple[str, str, int] | None:
    words = [text[s:e] for s, e in tokens[j : i + 1]]
    if strip_comma:
        words[-1] = words[-1].rstrip(",")
    # An opening "The" belongs to an organisation's name only when it is not the sentence's own article.
    while words and words[0].lower() in _NOT_NAMES and words[0] != "The" and not words[0].isupper():
        words.pop(0)
        j += 1
    if words and words[0] == "The":
        words.pop(0)
        j += 1
    if not words or not words[0][:1].isupper() and not words[0].startswith(("al-", "el-")):
        return None
    if len(words) == 1 and words[0].lower().rstrip(".,") in _NOT_NAMES and not words[0].isupper():
        return None
    # Drop titles and possessors: "South Korea's President Yoon Suk Yeol" -> "Yoon Suk Yeol".
    last_title = -1
    for k, w in enumerate(words[:-1]):
        if w.lower() in _TITLES or w.endswith(("'s", "’s")):
            last_title = k
    had_title = last_title >= 0
    if had_title:
        words = words[last_title + 1 :]
        j += last_title + 1
    words = [w.rstrip(",.;:") if w.endswith((",", ";", ":")) else w for w in words]
    name = " ".join(words).rstrip(",")
    if name.endswith(".") and not _is_abbreviation(name.rsplit(" ", 1)[-1]):
        name = name[:-1]
    if not name:
        return None
    is_org = any(w.lower().strip(".,") in _ORG_WORDS for w in words) or name.isupper()
    is_person = not is_org and (had_title or len(words) >= 2 or name.istitle())
    return name, "person" if is_person else "org", tokens[j][0]


def _collect_phrase(
    text: str, tokens: list[tuple[int, int]], i: int, strip_comma: bool = False
) -> tuple[str, str, int] | None:
    """A nominal speaker ending at token ``i``: 'the health ministry', 'Palestinian health officials'."""
    head = text[tokens[i][0] : tokens[i][1]].rstrip(",").lower()
    if head not in _SPEAKER_NOUNS:
        return None
    j = i
    while j - 1 >= 0 and i - j < 5:
        s, e = tokens[j - 1]
        word = text[s:e]
        low = word.lower()
        if word.endswith((",", ";", ":", ".")) and not _is_abbreviation(word):
            break
        if low in ("the", "a", "an", "its", "their", "his", "her"):
            j -= 1
            break
        if low in _NOT_NAMES or low in _SKIPPABLE or low in _REPORTING:
            break
        j -= 1
    phrase = text[tokens[j][0] : tokens[i][1]].rstrip(",")
    # "the ministry" -> "ministry", but "his office" stays: the possessive is what identifies it.
    return normalise_source(phrase), "person" if head in _PERSON_ROLES else "org", tokens[j][0]


def _is_abbreviation(word: str) -> bool:
    return word.count(".") >= 2 or word.lower() in ("gen.", "lt.", "col.", "mr.", "dr.", "mrs.", "ms.", "st.")


def _forward_speaker(text: str, pos: int, hi: int) -> tuple[str, str, int] | None:
    """A speaker phrase starting right after ``pos`` ("said Volker Turk, ...", "according to the UN")."""
    m = _FORWARD_SPEAKER.match(text, pos, hi)
    if m is None:
        return None
    if m.group("pronoun"):
        return m.group("pronoun").lower(), "pronoun", m.start("pronoun")
    if m.group("np"):
        given = _GAVE_NAME.match(text, m.end("np"), hi)
        if given is not None:
            return given.group("name"), "person", given.start("name")  # "a soldier who gave his name as Andriy"
        head = m.group("np").rsplit(None, 1)[-1].lower()
        return normalise_source(m.group("np")), "person" if head in _PERSON_ROLES else "org", m.start("np")
    raw = m.group("name")
    start = m.start("name")
    tokens = list(map(_SPAN, _TOKEN.finditer(text, start, m.end("name"))))
    if not tokens:
        return None
    # The name runs until a comma ("said Volker Turk, the UN ..."); a trailing period ends the sentence.
    cut = len(tokens) - 1
    for k, (s, e) in enumerate(tokens):
        if text[e - 1] == "," or (text[e - 1] == "." and not _is_abbreviation(text[s:e])):
            cut = k
            break
    # "Jan Egeland of the Norwegian Refugee Council": a person's name ends before "of".
    for k in range(1, cut):
        if text[tokens[k][0] : tokens[k][1]] == "of":
            head = [text[s:e] for s, e in tokens[:k]]
            if len(head) >= 2 and not any(w.lower().strip(",.") in _ORG_WORDS for w in head):
                cut = k - 1
            break
    found = _collect_name(text, tokens, 0, cut, strip_comma=True)
    if found is None and raw.lower() in _UN_NAMES:
        return "United Nations", "org", start
    return found


def _clause_subject(text: str, lo: int, hi: int) -> tuple[str, str, int] | None:
    """The subject of the clause a participle hangs on: 'In a statement, he urged ..., declaring, "..."'."""
    tokens = list(map(_SPAN, _TOKEN.finditer(text, lo, hi)))
    k = 0
    first = text[tokens[0][0] : tokens[0][1]].lower() if tokens else ""
    if first in ("in", "on", "at", "after", "before", "during", "speaking", "meanwhile", "however", "later", "earlier"):
        # Skip an opening adverbial phrase up to its comma.
        while k < len(tokens) and not text[tokens[k][0] : tokens[k][1]].endswith(","):
            k += 1
        k += 1
    if k >= len(tokens):
        return None
    s, e = tokens[k]
    word = text[s:e].rstrip(",")
    if word.lower() in _PRONOUNS:
        return word.lower(), "pronoun", s
    if word[:1].isupper():
        j = k
        while j + 1 < len(tokens):
            nxt = text[tokens[j + 1][0] : tokens[j + 1][1]]
            if (nxt[:1].isupper() or nxt in _CONNECTORS) and text[tokens[j][1] - 1] not in ",.;:":
                j += 1
            else:
                break
        return _collect_name(text, tokens, k, j, strip_comma=True)
    return None


def _resolve_pronoun(
    text: str, sents: Sequence[tuple[int, int]], si: int, pronoun: str, where: int, speakers: list[_Speaker]
) -> str | None:
    window_lo = sents[max(0, si - 2)][0] if sents else max(0, where - 600)
    wants_person = pronoun in _PERSON_PRONOUNS
    if pronoun in ("i", "we"):
        return None
    latest: _Speaker | None = None
    for speaker in reversed(speakers):
        if speaker.start < window_lo:
            break
        if speaker.start < where and speaker.is_person == wants_person:
            latest = speaker
            break
    if not wants_person:
        return latest.name if latest else None
    # A person named as the subject of a later sentence is nearer than an earlier speaker: "A monitoring
    # group said ... Opposition candidate Venancio Mondlane called for ... "...," he said."
    subject = _latest_subject(text, sents, max(0, si - 2), si, where)
    if subject is not None and (latest is None or subject[0] > latest.start):
        return subject[1]
    if latest is not None:
        return latest.name
    best: str | None = None
    for m in _PERSON_NAME.finditer(text, window_lo, where):
        words = m.group().split()
        if any(w.lower() in _ORG_WORDS or w.lower() in _NOT_NAMES for w in words):
            continue
        found = _collect_name(text, list(map(_SPAN, _TOKEN.finditer(text, m.start(), m.end()))), 0, len(words) - 1)
        if found and found[1] == "person":
            best = found[0]
    return best


def _latest_subject(
    text: str, sents: Sequence[tuple[int, int]], first: int, last: int, where: int
) -> tuple[int, str] | None:
    """The last person named at the head of a sentence (after at most a short title) before ``where``."""
    found: tuple[int, str] | None = None
    for lo, hi in sents[first : last + 1]:
        m = _PERSON_NAME.search(text, lo, min(hi, where, lo + 60))
        if m is None or m.end() > where:
            continue
        before = text[lo : m.start()].split()
        if len(before) > 3 or any(w.lower() in _NOT_SUBJECT_BEFORE for w in before):
            continue
        words = m.group().split()
        if any(w.lower() in _ORG_WORDS or w.lower() in _NOT_NAMES for w in words):
            continue
        name = _collect_name(text, list(map(_SPAN, _TOKEN.finditer(text, m.start(), m.end()))), 0, len(words) - 1)
        if name and name[1] == "person":
            found = (m.start(), name[0])
    return found


_NOT_SUBJECT_BEFORE = frozenset("of to by with from against for about on at in after before than as".split())


# -- reported speech ------------------------------------------------------------------------------------


def _passive(text: str, lo: int, verb_at: int) -> bool:
    before = text[max(lo, verb_at - 8) : verb_at].split()
    return bool(before) and before[-1].lower() in ("was", "were", "been", "being", "is", "are", "be")


def _reported_in_sentence(
    text: str, sents: Sequence[tuple[int, int]], si: int, lo: int, hi: int, speakers: list[_Speaker]
) -> list[Quote]:
    """The sentence's reported speech: the first clause a speaker reports, then any clause the same subject
    goes on to report ("X denied that ... and said ...", "X condemned the attack and said ...")."""
    end = hi
    while end > lo and text[end - 1] in ".!?…":
        end -= 1
    verbs = _verbs_between(text, lo, end)
    if not verbs:
        return []
    out: list[Quote] = []
    first = _first_reported(text, sents, si, lo, end, speakers, verbs)
    if first is not None:
        out.append(first)
    after = first.end if first is not None else lo
    for v in islice(verbs, _MAX_VERBS_PER_SENTENCE):
        verb = v.group()
        if verb not in _CONTINUING or v.start() < after:
            continue
        joined = _AND_BEFORE.search(text, max(lo, v.start() - 14), v.start())
        if joined is None or _passive(text, lo, v.start()):
            continue
        found = _sentence_subject(text, lo, joined.start())
        clause_start = _clause_start(text, v.end(), end, verb) if found else None
        if found is None or clause_start is None:
            continue
        quote = _make_reported(text, sents, si, found, (clause_start, end), speakers)
        if quote is not None:
            out.append(quote)
            after = quote.end
    return out


def _sentence_subject(text: str, lo: int, hi: int) -> tuple[str, str, int] | None:
    """The speaker phrase before the sentence's first verb ("Balochistan's chief minister condemned ...")."""
    tokens = list(map(_SPAN, islice(_TOKEN.finditer(text, lo, hi), 16)))
    k = 0
    if tokens and text[tokens[0][0] : tokens[0][1]].lower() in _OPENING_ADVERBIAL:
        while k < len(tokens) and not text[tokens[k][0] : tokens[k][1]].endswith(","):
            k += 1
        k += 1
    for j in range(k + 1, len(tokens)):
        word = text[tokens[j][0] : tokens[j][1]]
        if word.isalpha() and word.islower() and (word.endswith("ed") or word in _FINITE):
            return _speaker_before(text, tokens[k][0] if k < len(tokens) else lo, tokens[j][0])
    return None


def _first_reported(
    text: str,
    sents: Sequence[tuple[int, int]],
    si: int,
    lo: int,
    end: int,
    speakers: list[_Speaker],
    verbs: list[re.Match[str]] | None = None,
) -> Quote | None:
    """The first clause a speaker reports in ``text[lo:end]``; ``verbs`` are its speech verbs when the caller
    has them already."""
    if verbs is None:
        verbs = _verbs_between(text, lo, end)
    # A handful of verbs per sentence is plenty, and keeps a pathological sentence from costing O(n^2).
    for v in islice(verbs, _MAX_VERBS_PER_SENTENCE):
        verb = v.group()
        if verb in _NAMING or verb in _COMMITTING:
            clause = _named_or_committed(text, lo, end, v)
            if clause is None:
                continue
            found = _speaker_before(text, lo, v.start())
            if found is None:
                continue
            return _make_reported(text, sents, si, found, (clause, end), speakers)
        if verb in ("according", "According"):
            found = _according_speaker(text, v.end(), end)
            if found is None:
                continue
            if not text[lo : v.start()].strip():
                # "According to X, clause."
                comma = text.find(",", v.end(), end)
                if comma < 0:
                    continue
                clause = (comma + 1, end)
            else:
                # "clause, according to X."
                comma = text.rfind(",", lo, v.start())
                if comma < 0 or text[comma : v.start()].strip(", "):
                    continue
                clause = (lo, comma)
            return _make_reported(text, sents, si, found, clause, speakers)
        if verb not in _REPORTING or _passive(text, lo, v.start()):
            continue
        comma = text.rfind(",", max(lo, v.start() - 90), v.start())
        if comma >= 0 and end - v.end() <= 80 and _is_trailing_adverbial(text[v.end() : end].strip()):
            # "Clause, X said." / "Clause, said the ministry."
            found = _speaker_before(text, comma + 1, v.start()) or _forward_speaker(text, v.end(), end)
            if found is None:
                continue
            return _make_reported(text, sents, si, found, (lo, comma), speakers)
        found = _speaker_before(text, lo, v.start())
        if found is None:
            continue
        clause_start = _clause_start(text, v.end(), end, verb)
        if clause_start is None:
            continue
        return _make_reported(text, sents, si, found, (clause_start, end), speakers)
    return None


def _named_or_committed(text: str, lo: int, end: int, v: re.Match[str]) -> int | None:
    """Where the reported words start after "called"/"described" ("called it a cowardly act") or after
    "promised"/"vowed" ("promised to hold accountable ..."); None when the verb reports nothing here."""
    if _passive(text, lo, v.start()):
        return None
    nxt = text[v.end() : v.end() + 12].split(None, 1)
    if not nxt:
        return None
    if v.group() in _COMMITTING:
        return v.end() + 1 if nxt[0] == "to" else None
    if nxt[0] in _NAMING_PARTICLES or _QUOTE_MARK.search(text, lo, end):
        return None  # "called on X to", "called for talks"; a sentence with a quote has it attributed already
    start = v.end() + 1
    return start if end - start >= 8 else None


def _is_trailing_adverbial(tail: str) -> bool:
    """What may follow a sentence-final "X said": nothing, or a short phrase ("on Friday", "in a statement")."""
    words = tail.split()
    return not words or (len(words) <= 6 and words[0].lower() not in ("that", "the"))


def _clause_start(text: str, pos: int, end: int, verb: str) -> int | None:
    """Where the reported clause starts after 'said' / 'told Reuters' (skipping 'that' and time phrases)."""
    that = _THAT_CLAUSE.search(text, pos, min(end, pos + 100))
    if that and all(_between_verb_and_that(w) for w in text[pos : that.start()].split()):
        start = that.end()
    elif verb in _NEEDS_THAT:
        return None  # "told X", "declared martial law": without "that" the object is not a clause
    else:
        start = pos
        t = _TIME_AFTER_VERB.match(text, start, end)
        if t:
            start = t.end()
    while start < end and text[start].isspace():
        start += 1
    if end - start < 12 or text.count(" ", start, end) < 2:
        return None
    first = text[start]
    if not (first.isalpha() or first.isdigit()):
        return None
    return start


def _between_verb_and_that(word: str) -> bool:
    """Words that may stand between 'said' and 'that': 'told Reuters on Friday that', 'said in a statement that'."""
    word = word.strip(",")
    return word[:1].isupper() or word.lower() in _BETWEEN_THAT


def _make_reported(
    text: str,
    sents: Sequence[tuple[int, int]],
    si: int,
    found: tuple[str, str, int],
    clause: tuple[int, int],
    speakers: list[_Speaker],
) -> Quote | None:
    start, end = clause
    while start < end and (text[start].isspace() or text[start] in ",:"):
        start += 1
    # The clause ends where the speaker's next predicate begins: "X said the vote was illegal and called on
    # Y to resign", "..., adding that ...", "...; ...".
    cut = _CLAUSE_END.search(text, start, end)
    if cut is not None:
        end = cut.start()
    while end > start and (text[end - 1].isspace() or text[end - 1] in ",.;:"):
        end -= 1
    if end - start < 8:
        return None
    name, kind, where = found
    if kind == "pronoun":
        speaker = _resolve_pronoun(text, sents, si, name, where, speakers)
    else:
        speaker = normalise_source(name)
        speakers.append(_Speaker(speaker, kind == "person", where))
    return Quote(speaker=speaker, speaker_id=None, text=text[start:end], start=start, end=end, direct=False)
