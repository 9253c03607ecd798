"""Sentence splitting, datelines and language detection on news-like text, including hostile input."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from watchfloor.analyze.language import detect_language
from watchfloor.analyze.text import find_dateline, find_words, lowered, split_sentences, word_alternation


def sentences_of(text: str) -> list[str]:
    return [text[a:b] for a, b in split_sentences(text)]


# -- split_sentences ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Mr. Smith met Gen. Ali in the capital. They talked.",
            ["Mr. Smith met Gen. Ali in the capital.", "They talked."],
        ),
        (
            "Lt. Col. J. Smith said 1.5 million people, or 3,000 families, fled. Aid followed.",
            ["Lt. Col. J. Smith said 1.5 million people, or 3,000 families, fled.", "Aid followed."],
        ),
        (
            "The talks ended at 5 p.m. Sunday. A deal was signed.",
            ["The talks ended at 5 p.m. Sunday.", "A deal was signed."],
        ),
        (
            "The convoy reached the U.S. embassy. The guards let it in.",
            ["The convoy reached the U.S. embassy.", "The guards let it in."],
        ),
        ("Officials in the U.S. The next day they met.", ["Officials in the U.S.", "The next day they met."]),
        (
            "She addressed the U.N. Security Council on Friday.",
            ["She addressed the U.N. Security Council on Friday."],
        ),
        (
            "It was No. 5 on Jan. 27 in St. Petersburg. Then rain.",
            ["It was No. 5 on Jan. 27 in St. Petersburg.", "Then rain."],
        ),
        (
            '"We will not stop," he said. "Damascus is waiting for you." He left.',
            ['"We will not stop," he said.', '"Damascus is waiting for you."', "He left."],
        ),
        ('"Why?" Smith asked. Nobody answered.', ['"Why?" Smith asked.', "Nobody answered."]),
        ("“Enough.” The crowd cheered.", ["“Enough.”", "The crowd cheered."]),
        ("He paused... Then he spoke.", ["He paused...", "Then he spoke."]),
        ("He paused... and went on.", ["He paused... and went on."]),
        ("The war began in 2011. 400 people died that year.", ["The war began in 2011.", "400 people died that year."]),
        (
            "Rebels — backed by Turkey — advanced. Troops fled.",
            ["Rebels — backed by Turkey — advanced.", "Troops fled."],
        ),
        ("A paragraph without a full stop\nAnother line", ["A paragraph without a full stop", "Another line"]),
        ("First paragraph.\n\nSecond paragraph.", ["First paragraph.", "Second paragraph."]),
        ("• First bullet\n- Second bullet\n* Third", ["First bullet", "Second bullet", "Third"]),
        ("Photo: Rebels in Hama.\nThe city fell.", ["Photo: Rebels in Hama.", "The city fell."]),
        (
            "Smoke rises over Aleppo (Reuters/John Doe) The rebels advanced.",
            ["Smoke rises over Aleppo", "(Reuters/John Doe)", "The rebels advanced."],
        ),
        (
            "Damascus is free pic.twitter.com/abc123 — Rebel Media (@rebels) December 8, 2024",
            ["Damascus is free", "pic.twitter.com/abc123 — Rebel Media (@rebels) December 8, 2024"],
        ),
        ("Acme Inc. The firm denied it.", ["Acme Inc.", "The firm denied it."]),
        ("They met Acme Inc. officials.", ["They met Acme Inc. officials."]),
        ("1. The first point\n2. The second", ["1. The first point", "2. The second"]),
        ("Is it over? No! Not yet.", ["Is it over?", "No!", "Not yet."]),
        ("It was 7.62mm ammunition.", ["It was 7.62mm ammunition."]),
        (
            "Kyiv\u00a0said the strike hit at 3\u00a0a.m. Rescue teams arrived.",
            ["Kyiv\u00a0said the strike hit at 3\u00a0a.m.", "Rescue teams arrived."],
        ),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert sentences_of(text) == expected


def test_split_sentences_offsets_index_the_original_text() -> None:
    text = "  ALEPPO, Syria (AP) — Rebels advanced.\r\n\r\nThe army “redeployed.”  "
    spans = split_sentences(text)
    assert [text[a:b] for a, b in spans] == ["ALEPPO, Syria (AP) — Rebels advanced.", "The army “redeployed.”"]
    assert spans[0][0] == 2


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t", "...", "\u00a0"])
def test_split_sentences_empty_and_blank(text: str) -> None:
    spans = split_sentences(text)
    assert all(text[a:b].strip() for a, b in spans)
    if not text.strip(" \n\t\u00a0"):
        assert spans == []


def test_split_sentences_survives_hostile_input() -> None:
    rng = random.Random(7)
    noise = "".join(chr(rng.randint(1, 0x2FFFF)) for _ in range(200_000))
    surrogates = "\ud800 text. \udfff More. \udc80"
    garbage = bytes(rng.getrandbits(8) for _ in range(20_000)).decode("utf-8", errors="replace")
    for text in (noise, surrogates, garbage, "." * 10_000, '"' * 5000, "Mr. " * 3000):
        spans = split_sentences(text)
        _check_spans(text, spans)


def _check_spans(text: str, spans: list[tuple[int, int]]) -> None:
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        piece = text[start:end]
        assert piece == piece.strip() and piece
        previous_end = end


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab Z.?!\"“”'\n\u00a0-—(/)1,")) | st.characters(), max_size=400))
def test_sentence_spans_are_ordered_disjoint_and_trimmed(text: str) -> None:
    _check_spans(text, split_sentences(text))


# -- datelines ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "dateline"),
    [
        ("BEIRUT (AP) - Israeli strikes hit the city.", "BEIRUT (AP) -"),
        ("ALEPPO, Syria (Levant Wire) -- Rebels entered.", "ALEPPO, Syria (Levant Wire) --"),
        ("Kyiv, Ukraine — Russian missiles struck.", "Kyiv, Ukraine —"),
        (
            "GOMA, Democratic Republic of Congo, Jan 27 (Reuters) - M23 rebels entered.",
            "GOMA, Democratic Republic of Congo, Jan 27 (Reuters) -",
        ),
        ("KHARTOUM: The army said.", "KHARTOUM:"),
        ("DEIR EL-BALAH, Gaza Strip (AP) — Strikes.", "DEIR EL-BALAH, Gaza Strip (AP) —"),
        ("WASHINGTON, Nov. 27 — Officials said.", "WASHINGTON, Nov. 27 —"),
        ("  \nKYIV (Reuters) - Air raid.", "KYIV (Reuters) -"),
        # "NEW" opens copy as a label ("NEW: ..."), but also place names when another word follows.
        ("NEW YORK - The Security Council met.", "NEW YORK -"),
        ("NEW YORK, Nov 3 (Reuters) - The Security Council met.", "NEW YORK, Nov 3 (Reuters) -"),
        ("NEW DELHI, Nov. 3, 2025 (Reuters) - Talks resumed.", "NEW DELHI, Nov. 3, 2025 (Reuters) -"),
        # Joint datelines: several places, one slash apart.
        ("MOSCOW/IDLIB (MPA) - Russian jets struck.", "MOSCOW/IDLIB (MPA) -"),
        ("NEW DELHI/ISLAMABAD (Reuters) - Guns fell silent.", "NEW DELHI/ISLAMABAD (Reuters) -"),
        ("Moscow/Idlib (MPA) - Russian jets struck.", "Moscow/Idlib (MPA) -"),
    ],
)
def test_find_dateline(text: str, dateline: str) -> None:
    span = find_dateline(text)
    assert span is not None
    assert text[span[0] : span[1]] == dateline


@pytest.mark.parametrize(
    "text",
    [
        "The army said - no more talks.",
        "BREAKING: rebels enter Damascus",
        "HTS-led forces entered the city.",
        "Kyiv — the capital — was quiet.",
        "He said: we will return.",
        "",
        "   ",
        "UN - aid",
        "NEW: the army said it withdrew.",
        "NEW - the army said it withdrew.",
        "UPDATE/NEW YORK - the council met.",
        "BREAKING NEWS - rebels enter Damascus",
    ],
)
def test_no_dateline(text: str) -> None:
    assert find_dateline(text) is None


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("NEW YORK - The UN said on Monday that 40 people were killed in Khartoum.", ["NEW YORK"]),
        ("NEW YORK, Nov 3 (Reuters) - The UN said 12 people were killed in Khartoum.", ["NEW YORK"]),
        ("MOSCOW/IDLIB (MPA) - Russian jets struck a market, killing nine people, rescuers said.", ["MOSCOW", "IDLIB"]),
    ],
)
def test_dateline_is_no_sentence_content_and_its_places_are_dateline_places(text: str, places: list[str]) -> None:
    from watchfloor.analyze.pipeline import Analyzer
    from watchfloor.models import Article

    doc = Analyzer()(Article(id="d", text=text, date="2024-11-04"))
    dateline = find_dateline(text)
    assert dateline is not None and doc.body_start == dateline[1]
    # The places named before the body are the dateline's: the ones events fall back to.
    assert [p.text for p in doc.places if p.place is not None and p.start < doc.body_start] == places
    # Reported speech of the first sentence starts in the body, not at the dateline.
    assert doc.quotes and all(q.start >= doc.body_start for q in doc.quotes)
    assert not any(place in q.text for q in doc.quotes for place in places)


# -- language -------------------------------------------------------------------------------------------

ENGLISH = (
    "Rebels led by the jihadist group Hayat Tahrir al-Sham have launched a rapid offensive, capturing key "
    "cities including Aleppo and Hama. The surge began on November 27, the monitor said."
)


@pytest.mark.parametrize(
    ("text", "code"),
    [
        (ENGLISH, "en"),
        ("Le gouvernement syrien a annoncé jeudi que les rebelles avaient pris le contrôle de la ville d'Alep.", "fr"),
        ("Die Rebellen haben am Donnerstag die Stadt Aleppo eingenommen, teilte die Regierung in Damaskus mit.", "de"),
        ("Los rebeldes tomaron el control de la ciudad de Alepo el jueves, según informó el gobierno sirio.", "es"),
        ("سيطرت فصائل المعارضة المسلحة على مدينة حلب بعد هجوم واسع بدأ الأسبوع الماضي بحسب المرصد السوري.", "ar"),
        ("Повстанцы захватили город Алеппо после стремительного наступления, сообщает обсерватория.", "ru"),
        ("Російські війська завдали ракетного удару по Києву в четвер вранці, повідомили посадовці.", "uk"),
        ("叛军在周三发动攻势后占领了阿勒颇市，叙利亚人权观察组织称，数十万人流离失所。", "zh"),
    ],
)
def test_detect_language(text: str, code: str) -> None:
    assert detect_language(text) == code


def test_detect_language_uses_a_bounded_prefix() -> None:
    # Decided on the first thousand characters: a long tail in another language does not change it.
    assert detect_language(ENGLISH * 6 + " Le gouvernement a annoncé jeudi." * 6000) == "en"
    assert detect_language("Le gouvernement a annoncé jeudi que les rebelles avançaient. " * 20 + ENGLISH * 50) == "fr"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t ",
        "12345 678 90 -- 11/12/2024 !!!",
        "\ud800\udfff \udc80" * 50,
        "\ufffd" * 500,
        "ok",
    ],
)
def test_detect_language_garbage_is_none(text: str) -> None:
    assert detect_language(text) is None


def test_detect_language_random_unicode_and_binary() -> None:
    rng = random.Random(11)
    noise = "".join(chr(rng.randint(0x20, 0x2FFFF)) for _ in range(200_000))
    garbage = bytes(rng.getrandbits(8) for _ in range(5000)).decode("utf-8", errors="replace")
    assert detect_language(noise) is None
    assert detect_language(garbage) is None


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=300))
def test_detect_language_never_raises(text: str) -> None:
    result = detect_language(text)
    assert result is None or (isinstance(result, str) and 2 <= len(result) <= 3)


# -- shared helpers -------------------------------------------------------------------------------------


def test_word_alternation_matches_exactly_the_words() -> None:
    import re

    words = ["kill", "killed", "killing", "dead", "died", "a b"]
    pattern = re.compile(f"(?:{word_alternation(words)})\\Z")
    for word in words:
        assert pattern.match(word)
    for other in ["kil", "killer", "de", "a", "b"]:
        assert not pattern.match(other)


def test_lowered_keeps_offsets_and_finds_words() -> None:
    text = "İstanbul: Twenty-five KILLED, food-insecure."
    article = lowered(text)
    assert len(article.low) == len(text)
    assert {"twenty", "five", "killed", "food", "insecure"} <= article.words
    assert lowered(text) is article  # cached for the next extractor
    assert find_words(article.low, ["killed", "twenty"]) == [article.low.index("twenty"), article.low.index("killed")]
    assert find_words("skilled killed", ["killed"]) == [8]
    assert find_words("twenty-five", ["five"]) == []  # inside a compound, not a word of its own
