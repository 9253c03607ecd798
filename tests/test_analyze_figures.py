"""Humanitarian figures: kinds, values, bounds, periods and sources."""

from __future__ import annotations

import random
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from watchfloor.analyze.figures import find_figures
from watchfloor.analyze.text import split_sentences
from watchfloor.models import Figure


def figures_of(text: str) -> list[Figure]:
    figures = find_figures(text, split_sentences(text))
    for f in figures:
        assert text[f.start : f.end] == f.text
    return figures


def one(text: str) -> Figure:
    figures = figures_of(text)
    assert len(figures) == 1, figures
    return figures[0]


@pytest.mark.parametrize(
    ("text", "kind", "value", "figure_text"),
    [
        ("At least 20 people were killed in the attack.", "killed", 20, "At least 20 people were killed"),
        ("The strike killed 12 people on Monday.", "killed", 12, "killed 12 people"),
        ("Israeli strikes killed 33 Palestinians overnight.", "killed", 33, "killed 33 Palestinians"),
        ("The raids left 14 dead.", "killed", 14, "14 dead"),
        ("Five soldiers died in the ambush.", "killed", 5, "Five soldiers died"),
        ("The death toll rose to 45 on Monday.", "killed", 45, "death toll rose to 45"),
        ("The bodies of 11 men were found near the motorway.", "killed", 11, "bodies of 11 men"),
        ("Three men were beaten to death by a mob.", "killed", 3, "Three men were beaten to death"),
        ("Gunmen shot dead six people in a bar.", "killed", 6, "shot dead six people"),
        ("A crash killed all 62 people aboard.", "killed", 62, "killed all 62 people"),
        ("A man was killed in the blast.", "killed", 1, "A man was killed"),
        ("A car bomb killed a police officer.", "killed", 1, "killed a police officer"),
        ("Thirty people were wounded.", "injured", 30, "Thirty people were wounded"),
        ("Shelling injured 40 civilians.", "injured", 40, "injured 40 civilians"),
        (
            "More than 1.2 million people have fled to neighbouring countries.",
            "refugees",
            1_200_000,
            "More than 1.2 million people have fled",
        ),
        (
            "Some 6 million Syrians live as refugees abroad.",
            "refugees",
            6_000_000,
            "Some 6 million Syrians live as refugees",
        ),
        ("About 2,000 people fled their homes.", "displaced", 2000, "About 2,000 people fled"),
        ("Police arrested 200 protesters.", "detained", 200, "arrested 200 protesters"),
        ("Gunmen abducted 15 students from a school.", "detained", 15, "abducted 15 students"),
        ("The militants are holding 20 hostages.", "detained", 20, "20 hostages"),
        ("About 50 people remain missing after the flood.", "missing", 50, "About 50 people remain missing"),
        ("Some 2.3 million people are in need of aid.", "affected", 2_300_000, "Some 2.3 million people are in need"),
        (
            "Half a million people face acute food insecurity.",
            "food_insecure",
            500_000,
            "Half a million people face acute food insecurity",
        ),
        (
            "12.9 million Syrians were food insecure.",
            "food_insecure",
            12_900_000,
            "12.9 million Syrians were food insecure",
        ),
        (
            "More than 3,000 refugees have returned from Turkey.",
            "returned",
            3000,
            "More than 3,000 refugees have returned",
        ),
        (
            "Rescuers pulled 40 survivors out; 12 people were rescued from the rubble.",
            "other",
            12,
            "12 people were rescued",
        ),
        (
            "Two hundred and fifty refugees crossed into Lebanon.",
            "refugees",
            250,
            "Two hundred and fifty refugees crossed into",
        ),
        ("The army said 400k militants were killed.", "killed", 400_000, "400k militants were killed"),
        ("A dozen were arrested.", "detained", 12, "A dozen were arrested"),
        (
            "Twenty-five people, including five children, were killed.",
            "killed",
            25,
            "Twenty-five people, including five children, were killed",
        ),
    ],
)
def test_kinds_and_values(text: str, kind: str, value: int, figure_text: str) -> None:
    figure = one(text)
    assert (figure.kind, figure.value, figure.text) == (kind, value, figure_text)


def test_reference_story_figure() -> None:
    text = (
        "The rapid military actions have led to a humanitarian crisis, with the United Nations reporting nearly "
        "400,000 people displaced within a week due to the violence."
    )
    figure = one(text)
    assert figure.kind == "displaced"
    assert figure.value == 400_000
    assert figure.approximate is True
    assert figure.period == 7
    assert figure.source == "United Nations"
    assert figure.text == "nearly 400,000 people displaced within a week"


@pytest.mark.parametrize(
    ("text", "value", "low", "high", "approximate"),
    [
        ("At least 20 people were killed.", 20, 20, None, False),
        ("More than 20 people were killed.", 20, 20, None, True),
        ("Over 20 people were killed.", 20, 20, None, True),
        ("Nearly 20 people were killed.", 20, None, 20, True),
        ("Up to 20 people were killed.", 20, None, 20, True),
        ("About 20 people were killed.", 20, None, None, True),
        ("20 people were killed.", 20, 20, 20, False),
        ("Between 20 and 30 soldiers died.", 20, 20, 30, False),
        ("20 to 30 soldiers died.", 20, 20, 30, False),
        ("20-30 soldiers died.", 20, 20, 30, False),
        ("Two or three people were hurt.", 2, 2, 3, False),
        ("Dozens of people were killed.", 12, 12, None, True),
        ("Tens of people were killed.", 10, 10, None, True),
        ("Scores of people were killed.", 20, 20, None, True),
        ("Hundreds of people were killed.", 100, 100, None, True),
        ("Thousands of people were killed.", 1000, 1000, None, True),
        ("Tens of thousands of people were displaced.", 10_000, 10_000, None, True),
        ("Hundreds of thousands of people were displaced.", 100_000, 100_000, None, True),
        ("Several people were killed.", 3, 3, None, True),
        ("Several hundred people were displaced.", 300, 300, None, True),
        ("An unknown number of civilians were killed.", None, None, None, False),
        ("Nobody was killed.", 0, 0, 0, False),
    ],
)
def test_values_bounds_and_approximation(
    text: str, value: int | None, low: int | None, high: int | None, approximate: bool
) -> None:
    figure = one(text)
    assert (figure.value, figure.low, figure.high, figure.approximate) == (value, low, high, approximate)


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("Nobody was killed, police said.", "killed"),
        ("No one was hurt in the blast.", "injured"),
        ("None of the passengers were injured.", "injured"),
        ("There were no deaths.", "killed"),
    ],
)
def test_zero(text: str, kind: str) -> None:
    figure = one(text)
    assert (figure.kind, figure.value) == (kind, 0)


@pytest.mark.parametrize(
    ("text", "period"),
    [
        ("Nearly 400,000 people were displaced within a week.", 7),
        ("At least 7 people were killed in 24 hours.", 1),
        ("At least 7 people were killed in the past 48 hours.", 2),
        ("Thousands of people were displaced over the past month.", 30),
        ("Some 3,000 families have returned in the last two weeks.", 14),
        ("In the past 48 hours, 60 people were killed in Khan Younis.", 2),
        ("60 people have been killed since Wednesday.", None),
        ("60 people were killed.", None),
    ],
)
def test_period(text: str, period: int | None) -> None:
    assert one(text).period == period


@pytest.mark.parametrize(
    ("text", "source"),
    [
        ("At least 20 people were killed, the health ministry said.", "health ministry"),
        ("The strike killed 12 people, according to OCHA.", "OCHA"),
        ("Dozens of civilians were killed, the U.N. said.", "United Nations"),
        ("The UN said 400,000 people were displaced.", "United Nations"),
        ("The death toll in Gaza has risen to 44,000, the Gaza health ministry said.", "Gaza health ministry"),
        (
            "The Syrian Observatory for Human Rights, a Britain-based monitor, said 826 people had been killed.",
            "Syrian Observatory for Human Rights",
        ),
        ("Hundreds were detained, rights groups said.", "rights groups"),
        ("Volker Turk said 30 people were killed.", "Volker Turk"),
        ("Thirty people were killed in the attack.", None),
    ],
)
def test_source(text: str, source: str | None) -> None:
    assert one(text).source == source


def test_source_carries_over_to_the_next_sentence_of_the_paragraph() -> None:
    text = "The attack killed 70 people, the UN said. At least 16 others were injured.\n\nNine more died."
    assert [(f.value, f.source) for f in figures_of(text)] == [
        (70, "United Nations"),
        (16, "United Nations"),
        (9, None),
    ]
    text = "A local official described the clashes. At least 20 more people were killed, he said."
    assert [(f.value, f.source) for f in figures_of(text)] == [(20, "local official")]


def test_several_figures_in_one_sentence() -> None:
    figures = figures_of("The strike killed 12 people and injured 30 others, according to OCHA.")
    assert [(f.kind, f.value, f.text) for f in figures] == [
        ("killed", 12, "killed 12 people"),
        ("injured", 30, "injured 30 others"),
    ]
    figures = figures_of("At least 20 people were killed and 30 wounded.")
    assert [(f.kind, f.value) for f in figures] == [("killed", 20), ("injured", 30)]
    figures = figures_of("The clash left three officers and two attackers dead.")
    assert sorted((f.kind, f.value) for f in figures) == [("killed", 2), ("killed", 3)]
    figures = figures_of("At least 70 people were killed, including three infants, and at least 16 were injured.")
    assert [(f.kind, f.value) for f in figures] == [("killed", 70), ("injured", 16)]


@pytest.mark.parametrize(
    "text",
    [
        "A 12-year-old boy was among those hurt.",  # an age is not a count... and no count is given
        "Resolution 2254 was adopted in 2015 after many were killed.",
        "Aid worth $5 million reached the town, 2 km from where fighting displaced families.",
        "Israel launched 30 strikes on the area, which was evacuated.",
        "The hunger strike by 20 prisoners entered its tenth day.",
        "On November 27, rebels were killed in the fighting.",
        "Hundreds of thousands more could flee if fighting reaches Homs.",
        "There were no immediate reports of casualties.",
        "A car bomb killed.",
        "The fighting, which began at 3 a.m., killed no one known to the ministry for 12 hours.",
        "In 2023 rebels were killed.",
        "Thousands of volunteers walked to the affected towns.",
        "Thousands of people in the city need to leave.",
        "The plane crashed, killing all but two on board.",
    ],
)
def test_not_figures(text: str) -> None:
    assert [f for f in figures_of(text) if f.value not in (None, 0)] == []


@pytest.mark.parametrize(
    ("text", "kind", "value", "figure_text"),
    [
        ("The collapse of the mall trapped dozens of workers.", "other", 12, "trapped dozens of workers"),
        ("The river flooded the jail, from which 140 inmates escaped.", "other", 140, "140 inmates escaped"),
        ("A ferry carrying 60 passengers capsized on the lake.", "other", 60, "carrying 60 passengers"),
        ("The families said they had lost 12 relatives in the shelling.", "killed", 12, "lost 12 relatives"),
        ("Gunmen stopped the bus, taking 30 travellers hostage.", "detained", 30, "30 travellers hostage"),
        ("Some 9,000 people have fled to Chad since May.", "refugees", 9000, "Some 9,000 people have fled"),
        ("The ministry sent 800 more police officers to the port.", "other", 800, "800 more police officers"),
        ("About 1,000 troops backed by tanks crossed the border.", "other", 1000, "About 1,000 troops"),
        ("Witnesses described the arrest of 15 men who have not been seen since.", "missing", 15, "arrest of 15 men"),
        ("The shell hit a checkpoint, killing a soldier and a nurse.", "killed", 2, "killing a soldier and a nurse"),
        ("A 7-year-old girl was wounded by shrapnel.", "injured", 1, "A 7-year-old girl was wounded"),
        (
            'The rebels said they had killed "dozens of enemy fighters".',
            "killed",
            12,
            'killed "dozens of enemy fighters',
        ),
        (
            "The toll from the landslide in the northern hills rose to at least 41.",
            "killed",
            41,
            "toll from the landslide in the northern hills rose to at least 41",
        ),
        ("Officials said the death toll was in the dozens.", "killed", 12, "death toll was in the dozens"),
        (
            "About 3.1 million people, around a fifth of the population, face acute food insecurity.",
            "food_insecure",
            3_100_000,
            "About 3.1 million people, around a fifth of the population, face acute food insecurity",
        ),
        ("The mob killed and wounded dozens of villagers.", "other", 12, "killed and wounded dozens of villagers"),
    ],
)
def test_more_kinds_and_shapes(text: str, kind: str, value: int, figure_text: str) -> None:
    figure = one(text)
    assert (figure.kind, figure.value, figure.text) == (kind, value, figure_text)


def test_share_of_a_number_is_at_most_that_number() -> None:
    figure = one("The gunmen freed most of its 500 inmates.")
    assert (figure.kind, figure.value, figure.low, figure.high, figure.approximate) == ("other", 500, None, 500, True)


def test_a_restated_toll_takes_the_kind_before_it() -> None:
    figures = figures_of("Local medics put the toll at 30; a UN estimate put it at 52.")
    assert [(f.kind, f.value, f.text) for f in figures] == [
        ("killed", 30, "toll at 30"),
        ("killed", 52, "put it at 52"),
    ]


def test_all_but_counts_from_the_people_aboard() -> None:
    figures = figures_of("A plane carrying 120 people crashed in the hills, killing all but three on board.")
    assert [(f.kind, f.value) for f in figures] == [("other", 120), ("killed", 117)]


@pytest.mark.parametrize(
    "text",
    [
        "Air defences shot down 40 drones and 12 missiles overnight.",
        "The UN launched a $20 million appeal for the survivors.",
        "No deaths were reported after the blast.",
        "A teacher who escaped said the children were taken north.",
        "The officers said they lost track of the convoy.",
        "Several shops and police stations were set on fire.",
        "Trucks carrying 20 tonnes of flour reached the camp.",
    ],
)
def test_not_people_figures(text: str) -> None:
    assert [f for f in figures_of(text) if f.value not in (None, 0)] == []


def test_article_length_text_with_figures_in_order() -> None:
    text = (
        "ALEPPO, Syria (Levant Wire) -- Rebels pushed into Hama on Thursday.\n\n"
        "The Syrian Observatory for Human Rights said at least 826 people had been killed since November 27. "
        "The United Nations said nearly 400,000 people had been displaced within a week.\n\n"
        "An air strike on a market killed at least 12 people and wounded dozens, according to the White Helmets."
    )
    figures = figures_of(text)
    assert [(f.kind, f.value, f.source) for f in figures] == [
        ("killed", 826, "Syrian Observatory for Human Rights"),
        ("displaced", 400_000, "United Nations"),
        ("killed", 12, "White Helmets"),
        ("injured", 12, "White Helmets"),
    ]
    assert [f.start for f in figures] == sorted(f.start for f in figures)


def test_sentences_may_be_omitted() -> None:
    assert [f.value for f in find_figures("Nearly 20 people were killed.")] == [20]
    assert find_figures("Nearly 20 people were killed.", []) == find_figures("Nearly 20 people were killed.")


def test_hostile_input() -> None:
    rng = random.Random(9)
    noise = "".join(chr(rng.randint(1, 0x2FFFF)) for _ in range(200_000))
    garbage = bytes(rng.getrandbits(8) for _ in range(50_000)).decode("utf-8", errors="replace")
    long_sentence = "killed 12 " * 5000  # one sentence, thousands of figures: must stay linear
    for text in ("", "   ", noise, garbage, "\ud800 12 killed \udfff", long_sentence, "İ 20 people were killed İ"):
        for figure in figures_of(text):
            assert figure.value is None or figure.value >= 0
    assert len(figures_of(long_sentence)) == 5000
    assert [f.text for f in figures_of("İ 20 people were killed İ")] == ["20 people were killed"]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "at least",
                "20",
                "1,200",
                "1.5 million",
                "dozens of",
                "people",
                "were",
                "killed",
                "killing",
                "wounded",
                "displaced",
                "refugees",
                "nobody",
                "was",
                "the UN said",
                "according to",
                "OCHA",
                "within a week",
                "between",
                "and",
                "-",
                ",",
                ".",
                "\n",
                '"',
                "a",
                "man",
                "no",
                "deaths",
                "İ",
            ]
        )
        | st.text(max_size=4),
        max_size=30,
    )
)
def test_figure_spans_match_their_text(parts: list[str]) -> None:
    text = " ".join(parts)
    for figure in find_figures(text, split_sentences(text)):
        assert text[figure.start : figure.end] == figure.text
        assert figure.kind in {
            "killed",
            "injured",
            "displaced",
            "refugees",
            "detained",
            "missing",
            "affected",
            "food_insecure",
            "returned",
            "other",
        }


def _reference_dict(record: Any) -> dict[str, Any]:
    """The JSON form spelled out from the dataclass fields, field by field, in declaration order."""
    import dataclasses

    from watchfloor.models import Record

    def encode(value: Any) -> Any:
        if isinstance(value, Record):
            return _reference_dict(value)
        if isinstance(value, (list, tuple)):
            return [encode(v) for v in value]
        return value

    return {
        f.name: encode(getattr(record, f.name))
        for f in dataclasses.fields(record)
        if not (getattr(record, f.name) is None and f.name in record.omit_none)
    }


def test_extract_records_are_written_in_their_declared_json_form() -> None:
    """``Record.to_dict`` works from per-class field lists worked out once (it runs for dozens of records per
    extract record); it must stay exactly the declared form, key order included."""
    from watchfloor.models import ActorRef, DateMention, Event, Evidence, Place

    text = "At least 12 people were killed and about 3,000 displaced, the UN said on Friday."
    figures = figures_of(text)
    assert len(figures) == 2
    figures[0].article_id = "a1"
    event = Event(
        event_type="Violence against civilians",
        sub_event_type="Attack",
        disorder_type=None,
        plover="ASSAULT",
        actor1=ActorRef(id="x", name="X", type="Rebel group", country="SYR"),
        actor2=None,
        location=Place(name="Aleppo", lat=36.2, lon=37.16, country="SYR", geo_precision=1),
        date="2024-11-29",
        date_precision=1,
        fatalities=12,
        modality="reported",
        evidence=Evidence(text=text, start=0, end=len(text)),
    )
    records = [*figures, DateMention(date="2024-11-29", precision=1, start=72, end=81, text="on Friday"), event]
    for record in records:
        assert record.to_dict() == _reference_dict(record)
        assert list(record.to_dict()) == list(_reference_dict(record))  # the same key order
