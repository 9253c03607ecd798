"""Modality of an event mention: did it happen (asserted), not happen, might it, will it, or does one side say so.

The cues are read in the clause around the trigger word, not the whole sentence, because news sentences pack
several statements together ("The (?:group|rebels|militants|spokesman|spokesperson|brigade) said|army|military|group|rebels|militants|spokesman|spokesperson) said denied the town had fallen, but residents said rebels took it").
Order of precedence: negated > hypothetical > future > reported > asserted; a denial or a condition changes
what the sentence says far more than an attribution does.
"""

from __future__ import annotations

import re

from watchfloor.models import Modality

# A clause ends at these marks; modality words beyond them belong to another statement.
_CLAUSE_BREAK = re.compile(r"[;:]|,\s+(?:but|while|whereas|although|though)\b|\s+-\s+|\s+\u2014\s*")
# The one _CLAUSE_BREAK branch left in a sentence without ";", ":", "-" or a dash: it opens with a literal, which
# the regex engine finds fast, where the branches opening with a space are tried at every space.
_COMMA_BREAK = re.compile(r",\s+(?:but|while|whereas|although|though)\b")

_NEGATED = re.compile(
    r"\b(?:denied|denies|deny|denying|did not|didn't|does not|doesn't|do not|don't|never|no longer|"
    r"was not|were not|wasn't|weren't|has not|have not|had not|hasn't|haven't|hadn't|is not|are not|isn't|"
    r"aren't|rejected (?:claims|reports)|dismissed (?:claims|reports)|false reports?|"
    r"no (?:one|casualties|injuries|deaths|fighting|clashes)|nobody|"
    r"no [a-z]+(?: [a-z]+)? (?:were|was|had been|have been|has been)|"
    r"failed to|without (?:any )?(?:casualties|injuries)|fake|untrue)\b",
)
# Negation words that only describe a consequence ("no casualties were reported") rather than the event.
_CONSEQUENCE_NEGATION = re.compile(
    r"\bno (?:one was|casualties|injuries|deaths|immediate|reports? of casualties)|without (?:any )?(?:casualties|"
    r"injuries)|nobody was|no one was|were not immediately|was not immediately|did not immediately|"
    r"not immediately|did not say|didn't say|did not give|declined to|did not specify|not (?:yet )?clear|"
    r"could not be (?:independently )?(?:verified|confirmed)|not be reached",
)
_HYPOTHETICAL = re.compile(
    r"\b(?:could|might|may|would|if|unless|possible|possibly|potential|potentially|risk of|risks|feared|"
    r"fears of|in case|should (?:the|they|it))\b",
)
_FUTURE = re.compile(
    r"\b(?:will|shall|threatened to|threatens to|threatening to|plans? to|planned|planning to|vowed to|vows to|"
    r"pledged to|pledges to|promised to|promises to|is expected to|are expected to|was expected to|"
    r"is set to|are set to|intends? to|intended to|is due to|are due to|is scheduled|are scheduled|"
    r"scheduled for|upcoming|about to|prepares? to|preparing to|prepared to|warned (?:it|they|that it) would|"
    r"announced (?:it|they) would|called for|calling for|urged|ultimatum|next week|next month|tomorrow)\b",
)
_REPORTED = re.compile(
    r"\b(?:claimed|claims|claiming|claim|said (?:it|they|its|their) (?:had|has|have|forces|fighters|units|troops)|"
    r"says (?:it|they) (?:had|has|have)|alleged|allegedly|purportedly|reportedly|"
    r"unverified|could not be (?:independently )?(?:verified|confirmed)|cannot be (?:independently )?verified|"
    r"independent verification|according to (?:the )?(?:group|militants|rebels|army|military|ministry|defence ministry)|"
    r"(?:group|rebels|militants|spokesman|spokesperson|brigade|unit) said)\b",
)
# "claimed responsibility" says who did it, not whether it happened.
_RESPONSIBILITY = re.compile(r"\bclaim(?:ed|s|ing)? (?:of )?responsibility\b|\bclaimed the (?:attack|bombing)")
# Modal words that are not about this event: "may" the month, "will" as a noun, "would later".
_MODAL_NOISE = re.compile(r"\b(?:[Ii]n|[Oo]f|[Ss]ince|[Ee]arly|[Ll]ate|[Mm]id|[Uu]ntil|[Bb]y) May\b|\bMay \d|\bwill of\b|"
                          r"\bwould later\b")


# Cheap test for any negation word at all, before the full negation patterns run (see _might_negate).
_NEGATION_HINT = re.compile(r"n't|\b(?:no|not|never|nobody|without)\b|den[iy]|fake|untrue|fail|reject|dismiss|false")
_NEGATION_WORD = re.compile(r"\b(?:no|not|never|nobody|without)\b")
# Every _REPORTED match holds one of these ("could not be confirmed" holds "not be").
_REPORTED_HINTS = ("claim", "said", "says", "alleg", "purported", "reportedly", "verif", "not be", "according to")


def _might_negate(low: str) -> bool:
    """``_NEGATION_HINT.search(low)`` as a truth value, by substring tests: a regex that opens with an
    alternation is tried at every offset, and this runs on every event's clause."""
    if ("n't" in low or "deni" in low or "deny" in low or "fake" in low or "untrue" in low or "fail" in low
            or "reject" in low or "dismiss" in low or "false" in low):
        return True
    if "no" in low or "never" in low or "without" in low:
        return _NEGATION_WORD.search(low) is not None
    return False


def clause_around(text: str, start: int, end: int, trigger_start: int, trigger_end: int) -> tuple[int, int]:
    """The clause of ``text[start:end]`` that holds the trigger, as [start, end) offsets into ``text``."""
    clause_start, clause_end = start, end
    span = text[start:end]
    if ";" in span or ":" in span or "-" in span or "\u2014" in span:
        breaks = _CLAUSE_BREAK
    elif "," in span:
        breaks = _COMMA_BREAK
    else:
        return clause_start, clause_end
    for m in breaks.finditer(text, start, end):
        if m.end() <= trigger_start:
            clause_start = m.end()
        elif m.start() >= trigger_end:
            clause_end = m.start()
            break
    return clause_start, clause_end


def modality_of(
    text: str, start: int, end: int, trigger_start: int, trigger_end: int, low: str | None = None
) -> Modality:
    """The modality of the event whose trigger is ``text[trigger_start:trigger_end]`` in sentence [start, end).

    ``low`` is ``text`` lowercased with the same length (the patterns are lowercase, which is much faster than
    case-insensitive matching); it is computed when not given.
    """
    original = text
    if low is None:
        low = text.lower()
        if len(low) != len(text):
            low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    text = low
    c_start, c_end = clause_around(text, start, end, trigger_start, trigger_end)
    clause = text[c_start:c_end]
    # Cues after the trigger only count when close to it: "... killed 5, the army said it would investigate".
    window_end = min(c_end, trigger_end + 60) - c_start
    before_and_near = clause[:window_end]
    if _might_negate(before_and_near):
        cleaned = _CONSEQUENCE_NEGATION.sub(" ", before_and_near)
        if _NEGATED.search(cleaned):
            return "negated"
    # Modals only count before the trigger ("could kill" is hypothetical; "killed ..., which could" is not).
    head = clause[: max(0, trigger_start - c_start)] + text[trigger_start:trigger_end]
    if "may" in head or "will of" in head or "would later" in head:
        # The month "May" is told apart from the modal by its capital, so read the original text here.
        head = _MODAL_NOISE.sub(" ", original[c_start:max(c_start, trigger_start)] + original[trigger_start:trigger_end])
        head = head.lower()
    if _HYPOTHETICAL.search(head):
        return "hypothetical"
    if _FUTURE.search(head):
        return "future"
    sentence = text[start:end]
    if "responsib" in sentence or "claimed the" in sentence:
        sentence = _RESPONSIBILITY.sub(" ", sentence)
    if any(map(sentence.__contains__, _REPORTED_HINTS)) and _REPORTED.search(sentence):
        return "reported"
    return "asserted"
