"""The implication linter refuses what an analyst must not publish, and ICD 203 terms map to their ranges."""

from __future__ import annotations

import dataclasses
import re

import pytest

from watchfloor.assess.likelihood import TERMS, Estimate, Factor, confidence, term_for, terms_in
from watchfloor.assess.linter import LintError, NameIndex, check, lint, names_in
from watchfloor.models import EvidenceRef, Implication

TEXT = (
    "Rebel fighters led by Hayat Tahrir al-Sham (HTS) took control of Aleppo on Saturday. "
    "Turkish President Recep Tayyip Erdogan said he hoped the advance would continue."
)
TEXTS = {"r1": TEXT}


def _ref(sentence: str) -> EvidenceRef:
    start = TEXT.index(sentence)
    return EvidenceRef("r1", start, start + len(sentence), sentence)


def good() -> Implication:
    return Implication(
        id="x-1",
        kind="balance-of-power",
        statement="It is likely that HTS-led forces will take control of Hama by 20 December 2024, after Aleppo.",
        likelihood="likely",
        probability=(0.55, 0.80),
        confidence="moderate",
        confidence_reason="Moderate confidence: 2 independent sources; direct reporting or named officials.",
        horizon_days=14,
        evidence=[_ref("Rebel fighters led by Hayat Tahrir al-Sham (HTS) took control of Aleppo on Saturday.")],
        assumptions=["The reports are accurate."],
        alternatives=["The advance stalls."],
        indicators=["Units leaving Hama.", "Fighting at the outskirts."],
        why="Base rate 30%.",
    )


NAMES = NameIndex(TEXTS.values(), extra=["Hama"])


def codes(imp: Implication) -> set[str]:
    return {p.code for p in lint(imp, TEXTS, NAMES)}


def test_a_well_formed_implication_passes() -> None:
    assert lint(good(), TEXTS, NAMES) == []
    check(good(), TEXTS, NAMES)


def test_refuses_no_evidence_and_non_verbatim_evidence() -> None:
    assert "no-evidence" in codes(dataclasses.replace(good(), evidence=[]))
    moved = EvidenceRef("r1", 1, 20, TEXT[0:19])
    assert "not-verbatim" in codes(dataclasses.replace(good(), evidence=[moved]))
    assert "not-verbatim" in codes(dataclasses.replace(good(), evidence=[EvidenceRef("nope", 0, 5, "Rebel")]))
    with pytest.raises(LintError):
        check(dataclasses.replace(good(), evidence=[]), TEXTS, NAMES)


def test_refuses_vague_modals_without_a_likelihood_term() -> None:
    vague = dataclasses.replace(good(), statement="HTS-led forces could take control of Hama by 20 December 2024.")
    assert {"vague-modal", "no-likelihood"} <= codes(vague)
    wrong = dataclasses.replace(good(), statement="It is very likely that HTS-led forces will take Hama by 20 December 2024.")
    assert "no-likelihood" in codes(wrong)  # says very likely, record says likely
    assert "bad-probability" in codes(dataclasses.replace(good(), probability=(0.2, 0.45)))


def test_refuses_confidence_and_likelihood_in_one_sentence() -> None:
    mixed = dataclasses.replace(
        good(), statement="We assess with moderate confidence that it is likely that HTS-led forces will take Hama by 20 December 2024."
    )
    assert "confidence-mixed" in codes(mixed)
    assert "confidence-mixed" in codes(dataclasses.replace(good(), confidence_reason="Likely, from two sources."))


def test_refuses_names_found_neither_in_sources_nor_knowledge_base() -> None:
    invented = dataclasses.replace(good(), statement="It is likely that Zorgan Brigades will take control of Hama by 20 December 2024.")
    problems = [p for p in lint(invented, TEXTS, NAMES) if p.code == "unknown-name"]
    assert problems and "Zorgan Brigades" in problems[0].message
    # A name only the knowledge base knows is accepted when the index has the knowledge base.
    from watchfloor.kb.actors import ActorKB

    with_kb = NameIndex(TEXTS.values(), ActorKB.load(), extra=["Hama"])
    kb_name = dataclasses.replace(good(), statement="It is likely that the Syrian Democratic Forces will take control of Hama by 20 December 2024.")
    assert lint(kb_name, TEXTS, with_kb) == []


def test_refuses_two_sentences_and_missing_parts() -> None:
    two = dataclasses.replace(good(), statement="It is likely that HTS-led forces will take Hama. Aleppo fell first.")
    assert "not-one-sentence" in codes(two)
    assert "incomplete" in codes(dataclasses.replace(good(), alternatives=[]))
    assert "incomplete" in codes(dataclasses.replace(good(), indicators=["only one"]))
    assert "incomplete" in codes(dataclasses.replace(good(), confidence="certain"))


def test_names_are_found_in_statements() -> None:
    found = names_in("If HTS-led forces take Damascus, it is very likely that Bashar al-Assad's government falls, as the Democratic Republic of the Congo saw.")
    assert found == ["HTS", "Damascus", "Bashar al-Assad", "Democratic Republic of the Congo"]


def test_terms_and_ranges() -> None:
    assert [t for t, _, _ in TERMS][0] == "almost no chance"
    assert term_for(0.03).name == "almost no chance"
    assert term_for(0.5).name == "roughly even chance"
    assert term_for(0.55).name == "likely" and term_for(0.55).range == (0.55, 0.80)
    assert term_for(0.999).name == "almost certain"
    assert terms_in("It is very unlikely, not unlikely, that") == ["very unlikely", "unlikely"]


def test_estimate_moves_with_factors() -> None:
    base = Estimate(0.5, [])
    up = Estimate(0.5, [Factor("momentum", 0.8, "three towns in a week")])
    down = Estimate(0.5, [Factor("counter-evidence", -0.8, "reinforcements")])
    assert down.p < base.p == 0.5 < up.p
    assert "three towns in a week (+0.80 log-odds)" in up.why("a base")


def test_confidence_rests_on_independent_direct_sources() -> None:
    assert confidence(3, ["a", "b", "c"])[0] == "high"
    assert confidence(2, ["a", "b"])[0] == "moderate"
    assert confidence(1, ["The claim could not be independently verified."])[0] == "low"
    level, reason = confidence(1, ["a"])
    assert level == "low" and "1 independent source" in reason and not terms_in(reason)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("hts fighters entered", "hts"),
        ("pro-hts fighters", "hts"),  # after a hyphen: part of a longer name
        ("the htsx group", "hts"),
        ("hts_unit and hts", "hts"),  # the second occurrence stands alone
        ("xhts", "hts"),
        ("aaa", "aa"),  # overlapping occurrences
        ("a aa", "aa"),
        ("hts\nnext", "hts"),
        ("\u0661hts", "hts"),  # an Arabic-Indic digit is a word character
        ("hts\u00b2", "hts"),  # so is a superscript digit (numeric)
        ("dr. smith", "dr. smith"),
        ("", "x"),
    ],
)
def test_a_name_standing_alone_is_found_as_the_pattern_finds_it(text: str, key: str) -> None:
    from watchfloor.assess.linter import stands_alone

    expected = re.search(r"(?<![\w-])" + re.escape(key) + r"(?![\w])", text) is not None
    assert stands_alone(text, key) is expected
