"""Direct quotes, reported speech, speakers and sources."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from watchfloor.analyze.quotes import find_quotes, find_source, normalise_source, state_speaker
from watchfloor.analyze.text import split_sentences
from watchfloor.models import Quote


def quotes_of(text: str, resolve=lambda name: None) -> list[Quote]:  # type: ignore[no-untyped-def]
    quotes = find_quotes(text, split_sentences(text), resolve)
    for q in quotes:
        assert text[q.start : q.end] == q.text
    return quotes


def direct(text: str) -> list[tuple[str | None, str]]:
    return [(q.speaker, q.text) for q in quotes_of(text) if q.direct]


def reported(text: str) -> list[tuple[str | None, str]]:
    return [(q.speaker, q.text) for q in quotes_of(text) if not q.direct]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            '"The situation is catastrophic," said Volker Turk, the UN human rights chief.',
            [("Volker Turk", "The situation is catastrophic")],
        ),
        ("“We will not surrender,” the army said in a statement.", [("army", "We will not surrender")]),
        ('Jolani told CNN: "Our goal is to free Syria."', [("Jolani", "Our goal is to free Syria.")]),
        (
            '"We have lost everything," a resident of Goma told Reuters.',
            [("resident of Goma", "We have lost everything")],
        ),
        (
            '"There is no water left," according to Jan Egeland of the Norwegian Refugee Council.',
            [("Jan Egeland", "There is no water left")],
        ),
        ('"We are ready," Mr. Zelensky said, adding that Ukraine needed air defence.', [("Zelensky", "We are ready")]),
        (
            '"Idlib, Hama, Homs, and the target of course is Damascus," Turkish President Recep Tayyip Erdogan said.',
            [("Recep Tayyip Erdogan", "Idlib, Hama, Homs, and the target of course is Damascus")],
        ),
        (
            'The spokesman, Col. Ahmed al-Mismari, told reporters: "The army controls the airport."',
            [("Ahmed al-Mismari", "The army controls the airport.")],
        ),
        ("«Nous ne partirons pas», a déclaré le porte-parole.", [(None, "Nous ne partirons pas")]),
        ("\"Inner 'quoted' words are fine,\" said Ali.", [("Ali", "Inner 'quoted' words are fine")]),
        (
            "“He called it “a new phase” of the war,” the analyst said.",
            [("analyst", "He called it “a new phase” of the war")],
        ),
        ('UN chief Antonio Guterres said: "This must stop now."', [("Antonio Guterres", "This must stop now.")]),
    ],
)
def test_direct_quotes_and_speakers(text: str, expected: list[tuple[str | None, str]]) -> None:
    assert direct(text) == expected


def test_reference_story_pronoun_resolves_to_the_named_speaker() -> None:
    text = (
        "The group's leader, Abu Mohammad al-Jolani, has publicly stated the objective is to overthrow President "
        "Bashar al-Assad, with Damascus now firmly in their sights. In a recent statement, he urged his fighters "
        'to prepare for an assault on the capital, declaring, "Damascus is waiting for you."'
    )
    assert direct(text) == [("Abu Mohammad al-Jolani", "Damascus is waiting for you.")]


def test_pronoun_resolves_to_nearest_named_person_within_two_sentences() -> None:
    text = 'Sudan\'s army chief Abdel Fattah al-Burhan vowed to fight on. "We will not negotiate," he said.'
    assert direct(text) == [("Abdel Fattah al-Burhan", "We will not negotiate")]
    far = "Abdel Fattah al-Burhan spoke. It rained. The wind rose. Night fell. " + '"We will not negotiate," he said.'
    assert direct(far) == [(None, "We will not negotiate")]
    assert direct('"We are done," they said.') == [(None, "We are done")]


def test_quote_inside_a_reported_clause_takes_its_subject() -> None:
    assert direct('President William Ruto called the events "treasonous".') == [("William Ruto", "treasonous")]
    text = 'The army said it had redeployed its units "to preserve the lives of civilians", a phrase it used before.'
    assert direct(text) == [("army", "to preserve the lives of civilians")]
    assert [q.direct for q in quotes_of(text)] == [False, True]  # the reported clause is kept as well


def test_reported_clause_ends_where_the_next_predicate_starts() -> None:
    text = "Lee Jae-myung said the declaration was illegal and called on Yoon to resign."
    assert reported(text) == [("Lee Jae-myung", "the declaration was illegal")]
    text = "The ministry said the town had fallen, adding that troops had regrouped."
    assert reported(text) == [("ministry", "the town had fallen")]


def test_follow_on_quote_keeps_the_speaker() -> None:
    text = '"Why now?" Smith asked. "Nobody knows."'
    assert direct(text) == [("Smith", "Why now?"), ("Smith", "Nobody knows.")]


def test_multi_paragraph_quote() -> None:
    text = '"This is the first paragraph of a long statement.\n\n"And this is the second," Volker Turk said.'
    assert direct(text) == [
        ("Volker Turk", "This is the first paragraph of a long statement."),
        ("Volker Turk", "And this is the second"),
    ]


@pytest.mark.parametrize(
    "text",
    [
        'An unbalanced "quote that never closes.',
        'The "liberation" of the city took hours.',  # scare quotes
        'Fighters of the so-called "Islamic State" withdrew.',
        '" " "',
        '""',
    ],
)
def test_no_direct_quote(text: str) -> None:
    assert direct(text) == []


def test_speaker_id_comes_from_the_resolver() -> None:
    ids = {"Volker Turk": "P-TURK"}
    quotes = quotes_of('"It must stop," said Volker Turk.', ids.get)
    assert [(q.speaker, q.speaker_id) for q in quotes] == [("Volker Turk", "P-TURK")]
    quotes = quotes_of('"It must stop," said Jan Egeland.', ids.get)
    assert [(q.speaker, q.speaker_id) for q in quotes] == [("Jan Egeland", None)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "Prime Minister Benjamin Netanyahu said on Thursday that the operation would continue.",
            [("Benjamin Netanyahu", "the operation would continue")],
        ),
        (
            "The operation will continue until all hostages are freed, Netanyahu said.",
            [("Netanyahu", "The operation will continue until all hostages are freed")],
        ),
        (
            "According to the World Health Organization, 12 hospitals are no longer functioning.",
            [("World Health Organization", "12 hospitals are no longer functioning")],
        ),
        ("Only three hospitals remain open, according to the WHO.", [("WHO", "Only three hospitals remain open")]),
        (
            "The UN said nearly 400,000 people had been displaced within a week.",
            [("United Nations", "nearly 400,000 people had been displaced within a week")],
        ),
        ("Witnesses said gunmen opened fire on the crowd.", [("Witnesses", "gunmen opened fire on the crowd")]),
        (
            "The health ministry in Damascus said 20 people were injured.",
            [("health ministry in Damascus", "20 people were injured")],
        ),
        ("Turk told reporters in Geneva that the siege must end.", [("Turk", "the siege must end")]),
        (
            "The World Food Programme warned last month that 12.9 million Syrians were food insecure.",
            [("World Food Programme", "12.9 million Syrians were food insecure")],
        ),
    ],
)
def test_reported_speech(text: str, expected: list[tuple[str | None, str]]) -> None:
    assert reported(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "The army said.",
        "He was said to be in hiding.",
        "Turk told reporters.",
        "South Korea's president declared martial law in a televised address.",  # an object, not a clause
        "Rebels advanced on Homs.",
    ],
)
def test_no_reported_speech(text: str) -> None:
    assert reported(text) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "The provincial governor condemned the bombing and said those behind it would be found.",
            [("provincial governor", "those behind it would be found")],
        ),
        (
            "The militia admitted the loss of the town but said it had pulled back to protect residents.",
            [("militia", "it had pulled back to protect residents")],
        ),
        (
            "The army's spokesman denied that the base had fallen and said units had regrouped to the south.",
            [("army's spokesman", "the base had fallen"), ("army's spokesman", "units had regrouped to the south")],
        ),
        ("The defence minister called it a cowardly act.", [("defence minister", "it a cowardly act")]),
        (
            "The interim president promised to punish anyone who harmed civilians and announced an inquiry.",
            [("interim president", "to punish anyone who harmed civilians")],
        ),
    ],
)
def test_reported_speech_that_goes_on_or_names(text: str, expected: list[tuple[str | None, str]]) -> None:
    assert reported(text) == expected


@pytest.mark.parametrize(
    ("text", "speaker"),
    [
        ('"They shot at everyone," a survivor told a local radio station.', "survivor"),
        ('"The road is closed," said an elder who asked not to be named.', "elder"),
        ('"We ran out of shells," said a soldier who gave his name as Taras.', "Taras"),
        ('"Nobody came to help," said a woman from the camp who gave her name as Amina.', "Amina"),
    ],
)
def test_unnamed_and_self_named_speakers(text: str, speaker: str) -> None:
    assert [q.speaker for q in quotes_of(text) if q.direct] == [speaker]


def test_he_refers_to_a_role_or_to_the_person_heading_a_later_sentence() -> None:
    text = (
        'The governor said troops had been sent to the area. "We will bring them home," he said. '
        "A monitoring group, Rights Watchers, said police had fired live rounds. "
        'Opposition leader Samuel Okoro called for calm. "We will not give up," he said.'
    )
    assert [q.speaker for q in quotes_of(text) if q.direct] == ["governor", "Samuel Okoro"]


def test_the_group_takes_the_organisation_named_before_it() -> None:
    text = (
        "The Northern Front said it had seized two villages. Rival fighters of the Eastern Army withdrew. "
        'In a statement, the group said it would "keep advancing".'
    )
    group_at = text.index("The Northern Front")
    rival_at = text.index("Eastern Army")
    ids = {"Northern Front": "front", "Eastern Army": "east"}
    antecedents = [(group_at, "front"), (rival_at, "east")]
    quotes = find_quotes(text, split_sentences(text), ids.get, antecedents)
    assert [(q.speaker, q.speaker_id) for q in quotes if q.text == "keep advancing"] == [("group", "front")]
    # With no organisation that spoke, the latest one named is taken.
    quotes = find_quotes(text.replace(" said it had seized", " seized"), None, ids.get, antecedents)
    assert {q.speaker_id for q in quotes if q.speaker == "group"} == {"east"}


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("army", ("military", None)),
        ("military's spokesman", ("military", None)),
        ("federal government", ("government", None)),
        ("government in Port Sudan", ("government", None)),
        ("Tehran", ("government", "IRN")),
        ("police", ("police", None)),
        ("health ministry", None),
        ("Volker Turk", None),
    ],
)
def test_state_speaker(name: str, expected: tuple[str, str | None] | None) -> None:
    assert state_speaker(name) == expected


def test_fragment_inside_reported_speech_takes_its_speaker() -> None:
    text = 'Erdogan said on Friday that he hoped the advance would continue "without incident".'
    quotes = quotes_of(text)
    assert [(q.speaker, q.text, q.direct) for q in quotes] == [
        ("Erdogan", 'he hoped the advance would continue "without incident"', False),
        ("Erdogan", "without incident", True),
    ]


def test_quotes_in_an_article_are_ordered() -> None:
    text = (
        "BEIRUT (AP) - The UN said on Thursday that aid had stopped.\n\n"
        '"We are not fighting any sect," HTS leader Abu Mohammad al-Jolani told CNN. "Our goal is to free Syria."\n\n'
        '"We will not leave our people," he said.'
    )
    quotes = quotes_of(text)
    assert [(q.speaker, q.direct) for q in quotes] == [
        ("United Nations", False),
        ("Abu Mohammad al-Jolani", True),
        ("Abu Mohammad al-Jolani", True),
        ("Abu Mohammad al-Jolani", True),
    ]
    assert quotes[0].text == "aid had stopped"
    assert [q.start for q in quotes] == sorted(q.start for q in quotes)


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("At least 20 people were killed, the health ministry said.", "health ministry"),
        ("Dozens were killed, the U.N. said.", "United Nations"),
        ("Dozens were killed, according to the United Nations.", "United Nations"),
        ("The UN refugee agency said 3,000 families returned.", "UN refugee agency"),
        ("Palestinian health officials said 12 died.", "Palestinian health officials"),
        ("Twelve died, he said.", None),
        ("Twelve died in the attack.", None),
    ],
)
def test_find_source(text: str, source: str | None) -> None:
    assert find_source(text, 0, len(text)) == source


def test_normalise_source() -> None:
    assert normalise_source("the UN") == "United Nations"
    assert normalise_source("U.N.") == "United Nations"
    assert normalise_source("The United Nations") == "United Nations"
    assert normalise_source("the health ministry") == "health ministry"
    assert normalise_source("OCHA") == "OCHA"


def test_hostile_input() -> None:
    rng = random.Random(13)
    noise = "".join(chr(rng.randint(1, 0x2FFFF)) for _ in range(200_000))
    garbage = bytes(rng.getrandbits(8) for _ in range(50_000)).decode("utf-8", errors="replace")
    cases = [
        "",
        "   ",
        noise,
        garbage,
        '"' * 20_000,
        "“" * 3000 + "”" * 3000,
        '\ud800 "quote here now" he said \udfff',
        "he said, " * 20_000,  # one huge sentence with thousands of speech verbs
        '"Nested "inner" quote," he said.',
        '"Open\n\n"Still open\n\n"Closed," she said.',
    ]
    for text in cases:
        for quote in quotes_of(text):
            assert quote.start < quote.end


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                '"',
                "“",
                "”",
                "«",
                "»",
                "said",
                "he",
                "she",
                "told",
                "Reuters",
                "Volker Turk",
                "the ministry",
                "according to",
                "the UN",
                "that",
                ",",
                ".",
                ":",
                "\n",
                "\n\n",
                "We will fight",
                "adding",
                "İ",
            ]
        )
        | st.text(max_size=4),
        max_size=30,
    )
)
def test_quote_spans_match_their_text(parts: list[str]) -> None:
    text = " ".join(parts)
    for quote in find_quotes(text, split_sentences(text)):
        assert text[quote.start : quote.end] == quote.text
        assert quote.text == quote.text.strip()


def test_pipeline_resolves_speakers_in_the_document_context() -> None:
    from watchfloor.analyze.pipeline import Analyzer
    from watchfloor.models import Article

    text = (
        "Rebels entered Hama in central Syria on Thursday after a week of fighting. "
        "The army said it had withdrawn its units from the city to protect civilians. "
        "Tehran said it was following events closely."
    )
    doc = Analyzer()(Article(id="t1", text=text, language="en"))
    ids = {q.speaker: q.speaker_id for q in doc.quotes}
    assert ids["army"] == "syr-military"
    assert ids["Tehran"] == "irn-government"
