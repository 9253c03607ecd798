"""Date mentions resolved against the article date."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from watchfloor.analyze.dates import find_dates
from watchfloor.analyze.text import split_sentences

SATURDAY = dt.date(2024, 12, 7)  # the reference story was written around 6-7 December 2024


def dates_of(text: str, article: dt.date | None = SATURDAY) -> list[tuple[str, str, int]]:
    mentions = find_dates(text, article, split_sentences(text))
    for m in mentions:
        assert text[m.start : m.end] == m.text
    return [(m.text, m.date, m.precision) for m in mentions]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # absolute
        ("The surge began on November 27.", [("on November 27", "2024-11-27", 1)]),
        ("It began on 27 November 2024.", [("on 27 November 2024", "2024-11-27", 1)]),
        ("It began on Nov. 27 near Aleppo.", [("on Nov. 27", "2024-11-27", 1)]),
        ("Filed 2024-11-27 in Geneva.", [("2024-11-27", "2024-11-27", 1)]),
        ("Signed on 27/11/2024.", [("on 27/11/2024", "2024-11-27", 1)]),
        ("Signed on 11/27/2024.", [("on 11/27/2024", "2024-11-27", 1)]),
        ("Signed on 05/06/2024.", []),  # day or month first? ambiguous, so skipped
        ("It fell on November 27th, 2024.", [("on November 27th, 2024", "2024-11-27", 1)]),
        ("It fell on the 27th of November.", [("27th of November", "2024-11-27", 1)]),
        ("Talks on Tuesday, November 26 failed.", [("on Tuesday, November 26", "2024-11-26", 1)]),
        ("GOMA, Democratic Republic of Congo, Jan 27 (Reuters) - Rebels entered.", [("Jan 27", "2025-01-27", 1)]),
        ("The 30 February meeting never happened.", []),
        # month and year precision
        ("It started in March.", [("in March", "2024-03-15", 3)]),
        ("It started in May 2023.", [("in May 2023", "2023-05-15", 3)]),
        ("The war began in 2011.", [("in 2011", "2011-07-01", 3)]),
        ("Fighting has raged since 2011.", [("since 2011", "2011-07-01", 3)]),
        ("Prices rose in mid-November.", [("in mid-November", "2024-11-15", 3)]),
        ("Elections are due in early 2025.", [("in early 2025", "2025-07-01", 3)]),
        ("It was quiet last month.", [("last month", "2024-11-15", 3)]),
        ("Aid fell this month.", [("this month", "2024-12-15", 3)]),
        ("Aid fell this year.", [("this year", "2024-07-01", 3)]),
        ("Aid fell last year.", [("last year", "2023-07-01", 3)]),
        # weekdays and days
        ("Rebels entered Hama on Thursday.", [("on Thursday", "2024-12-05", 1)]),
        ("Rebels entered Hama on Saturday.", [("on Saturday", "2024-12-07", 1)]),
        ("Rebels entered Hama last Saturday.", [("last Saturday", "2024-11-30", 1)]),
        ("Talks will be held on Monday.", [("on Monday", "2024-12-09", 1)]),
        ("The strike hit on Monday night.", [("on Monday night", "2024-12-02", 1)]),
        ("An airstrike next to the embassy on Monday killed seven.", [("on Monday", "2024-12-02", 1)]),
        ("The army withdrew yesterday.", [("yesterday", "2024-12-06", 1)]),
        ("Shelling resumed today.", [("today", "2024-12-07", 1)]),
        ("Shelling hit Homs last night.", [("last night", "2024-12-06", 1)]),
        ("Drones struck Kyiv overnight.", [("overnight", "2024-12-07", 1)]),
        ("It began early on Wednesday.", [("early on Wednesday", "2024-12-04", 1)]),
        ("Troops moved in at dawn on Tuesday.", [("at dawn on Tuesday", "2024-12-03", 1)]),
        ("Friday's attack killed two.", [("Friday's", "2024-12-06", 1)]),
        ("It happened the day before yesterday.", [("the day before yesterday", "2024-12-05", 1)]),
        ("It happened two days ago.", [("two days ago", "2024-12-05", 1)]),
        ("It happened a few days ago.", [("a few days ago", "2024-12-04", 2)]),
        # weeks
        ("The UN said earlier this week.", [("earlier this week", "2024-12-07", 2)]),
        ("The army withdrew last week.", [("last week", "2024-11-30", 2)]),
        ("Talks resume next week.", [("next week", "2024-12-14", 2)]),
        ("Fighting eased over the weekend.", [("over the weekend", "2024-12-07", 2)]),
        ("It happened a week ago.", [("a week ago", "2024-11-30", 2)]),
        ("Sixty died in the past 48 hours.", [("in the past 48 hours", "2024-12-05", 2)]),
        ("Sixty died in the past 24 hours.", [("in the past 24 hours", "2024-12-06", 1)]),
        ("Sixty died over the past month.", [("over the past month", "2024-11-07", 3)]),
    ],
)
def test_find_dates(text: str, expected: list[tuple[str, str, int]]) -> None:
    assert dates_of(text) == expected


def test_month_day_year_from_the_article_or_the_sentence() -> None:
    # Two months ahead at most; otherwise last year's.
    assert dates_of("It began on March 15.", dt.date(2024, 2, 1)) == [("on March 15", "2024-03-15", 1)]
    assert dates_of("It began on June 15.", dt.date(2024, 2, 1)) == [("on June 15", "2023-06-15", 1)]
    # Late in the year, early January is the coming one.
    assert dates_of("Elections on January 3.", dt.date(2024, 12, 29)) == [("on January 3", "2025-01-03", 1)]
    # A year written in the same sentence wins over the article's.
    assert dates_of("Between November 27 and December 8, 2023, the front moved.") == [
        ("November 27", "2023-11-27", 1),
        ("December 8, 2023", "2023-12-08", 1),
    ]


def test_weekends() -> None:
    monday = dt.date(2025, 4, 14)
    assert dates_of("Fighting eased over the weekend.", monday) == [("over the weekend", "2025-04-12", 2)]
    assert dates_of("Talks will resume at the weekend.", monday) == [("the weekend", "2025-04-19", 2)]
    assert dates_of("Talks are planned this weekend.", monday) == [("this weekend", "2025-04-19", 2)]


def test_future_tense_moves_a_month_forward() -> None:
    assert dates_of("The vote will be held by May.", dt.date(2024, 12, 24)) == [("by May", "2025-05-15", 3)]
    assert dates_of("The siege began in May.", dt.date(2024, 12, 24)) == [("in May", "2024-05-15", 3)]


def test_in_a_month_takes_the_most_recent_one_not_after_the_article() -> None:
    assert dates_of("It started in December.") == [("in December", "2024-12-15", 3)]
    assert dates_of("It started in December.", dt.date(2024, 3, 1)) == [("in December", "2023-12-15", 3)]


def test_relative_dates_need_an_article_date() -> None:
    text = "On Thursday, and on November 27. On 27 November 2024, and last week."
    assert dates_of(text, None) == [("On 27 November 2024", "2024-11-27", 1)]


@pytest.mark.parametrize(
    "text",
    [
        "The 12 may be released soon.",  # "may" is not May
        "A march down March Street.",  # neither is a bare "March"
        "Resolution 2254 was adopted unanimously.",
        "The 2011 uprising changed everything.",
        "The F-16 crashed; 3,000 fled; 1.5 km away; at 10:30.",
        "Nothing happened the previous day.",
    ],
)
def test_not_dates(text: str) -> None:
    assert dates_of(text) == []


def test_many_mentions_in_one_article_are_ordered() -> None:
    text = (
        "ALEPPO, Syria (Levant Wire) -- Rebels pushed into Hama on Thursday, a week after the offensive began "
        "on November 27. The army said on Wednesday it had redeployed. The conflict began in 2011."
    )
    mentions = find_dates(text, SATURDAY, split_sentences(text))
    assert [m.text for m in mentions] == ["on Thursday", "on November 27", "on Wednesday", "in 2011"]
    assert [m.start for m in mentions] == sorted(m.start for m in mentions)


def test_find_dates_hostile_input() -> None:
    rng = random.Random(3)
    noise = "".join(chr(rng.randint(1, 0x2FFFF)) for _ in range(200_000))
    garbage = bytes(rng.getrandbits(8) for _ in range(20_000)).decode("utf-8", errors="replace")
    for text in ("", "   ", noise, garbage, "\ud800 on Monday \udfff", "İİİ on Monday, November 27 İ" * 50):
        for mention in find_dates(text, SATURDAY):
            assert text[mention.start : mention.end] == mention.text
            dt.date.fromisoformat(mention.date)
    assert [m.text for m in find_dates("İ on Monday", SATURDAY)] == ["on Monday"]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "on",
                "Monday",
                "November",
                "27",
                "2024",
                "last",
                "week",
                "in",
                "March",
                "ago",
                "two",
                "days",
                "the",
                "past",
                "48",
                "hours",
                "/",
                "-",
                ",",
                ".",
                " ",
                "\n",
                "today",
                "mid-",
                "early",
                "May",
                "x",
            ]
        )
        | st.text(max_size=5),
        max_size=30,
    ),
    st.dates(min_value=dt.date(1990, 1, 1), max_value=dt.date(2090, 12, 31)) | st.none(),
)
def test_date_spans_match_their_text(parts: list[str], article: dt.date | None) -> None:
    text = " ".join(parts)
    for mention in find_dates(text, article):
        assert text[mention.start : mention.end] == mention.text
        assert mention.precision in (1, 2, 3)
        dt.date.fromisoformat(mention.date)
