from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from watchfloor.models import (
    ActorRef,
    Article,
    Citation,
    Event,
    Evidence,
    EvidenceRef,
    Figure,
    Implication,
    Paragraph,
    Place,
    Quote,
    Resolution,
    Section,
    Story,
    TimelineEntry,
)


def sample_event() -> Event:
    return Event(
        event_type="Battles",
        sub_event_type="Non-state actor overtakes territory",
        disorder_type="Political violence",
        plover="ASSAULT",
        actor1=ActorRef(id="hts", name="Hayat Tahrir al-Sham", type="Rebel group", country="SYR"),
        actor2=None,
        location=Place(name="Hama", lat=35.13, lon=36.75, country="SYR", admin1="Hama", geo_precision=1),
        date="2024-12-05",
        date_precision=1,
        fatalities=None,
        modality="asserted",
        evidence=Evidence(text="Rebels captured Hama.", start=0, end=21),
        article_id="abc",
    )


def sample_story() -> Story:
    evidence = EvidenceRef(article_id="abc", start=0, end=21, text="Rebels captured Hama.")
    return Story(
        id="s1",
        headline="Rebels take Hama",
        lede="Rebels captured Hama.",
        situation="syria",
        article_ids=["abc", "def"],
        duplicates={"def": "abc"},
        implications=[
            Implication(
                id="i1",
                kind="balance-of-power",
                statement="HTS-led forces are likely to take Homs within 14 days.",
                likelihood="likely",
                probability=(0.55, 0.8),
                confidence="moderate",
                confidence_reason="two independent sources",
                horizon_days=14,
                evidence=[evidence],
                resolution=Resolution(criterion="HTS takes Homs by 2024-12-19", deadline="2024-12-19"),
            )
        ],
        sections=[Section(heading="On the front lines", paragraphs=[Paragraph("Rebels captured Hama.", [Citation("abc", 0, 21)])])],
        events=[sample_event()],
        figures=[Figure("displaced", 400000, None, None, True, 7, "United Nations", 0, 10, "nearly 400,000", article_id="abc")],
        quotes=[Quote("Abu Mohammad al-Jolani", "jolani", "Damascus is waiting for you", 5, 32)],
        timeline=[TimelineEntry("2024-12-05", "Rebels captured Hama.", ["e1"])],
        actors=[ActorRef(id="hts", name="Hayat Tahrir al-Sham")],
        places=[Place(name="Hama", lat=35.13, lon=36.75, country="SYR")],
    )


def test_story_round_trips_through_json() -> None:
    story = sample_story()
    again = Story.from_json(story.to_json())
    assert again == story
    assert isinstance(again.implications[0].probability, tuple)
    assert isinstance(again.events[0].location, Place)


def test_json_form_is_stable_and_ordered() -> None:
    data = json.loads(sample_event().to_json())
    assert list(data) == [
        "event_type", "sub_event_type", "disorder_type", "plover", "actor1", "actor2", "location", "date",
        "date_precision", "fatalities", "modality", "evidence", "article_id",
    ]
    assert data["evidence"] == {"text": "Rebels captured Hama.", "start": 0, "end": 21}
    assert data["actor2"] is None


def test_unknown_keys_are_ignored_and_missing_optionals_default() -> None:
    article = Article.from_dict({"id": "a", "text": "t", "extra": 1})
    assert article == Article(id="a", text="t")


@given(
    id=st.text(min_size=1, max_size=20),
    text=st.text(min_size=1, max_size=200),
    title=st.one_of(st.none(), st.text(max_size=50)),
)
def test_article_round_trip_any_text(id: str, text: str, title: str | None) -> None:
    article = Article(id=id, text=text, title=title)
    assert Article.from_json(article.to_json()) == article


def _plain_json(record: object) -> str:
    """The JSON form spelled out the slow, obvious way: every field in declaration order, None dropped only
    where the class says so, records and containers encoded recursively."""
    import dataclasses

    def encode(value: object) -> object:
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            omit = type(value).omit_none  # type: ignore[attr-defined]
            return {
                f.name: encode(getattr(value, f.name))
                for f in dataclasses.fields(value)
                if not (getattr(value, f.name) is None and f.name in omit)
            }
        if isinstance(value, (list, tuple)):
            return [encode(v) for v in value]
        if isinstance(value, dict):
            return {k: encode(v) for k, v in value.items()}
        return value

    return json.dumps(encode(record), ensure_ascii=False, separators=(",", ":"))


def test_json_form_is_the_plain_encoding_of_every_field() -> None:
    story = sample_story()
    # Odd values the codec must pass through as they are: non-ASCII text, a tuple, nested dicts, a lone None.
    story.headline = "Rebels take Hama \u2014 \u062d\u0645\u0627\u0629"
    story.duplicates = {"def": "abc", "ghi": "abc"}
    story.events.append(dataclasses_replace(sample_event(), article_id=None, location=None, fatalities=3))
    story.figures.append(Figure("killed", None, 10, 20, False, None, None, 0, 5, "10-20", date="2024-12-05"))
    for record in [story, *story.events, *story.figures, *story.implications, story.implications[0].resolution]:
        assert record.to_json() == _plain_json(record)
    assert '"article_id"' not in story.events[-1].to_json()
    assert '"location":null' in story.events[-1].to_json()


def dataclasses_replace(record: Event, **changes: object) -> Event:
    import dataclasses

    return dataclasses.replace(record, **changes)
