"""Hand-written reports (our own words) and helpers for the situation and assessment tests.

The reports follow a made-up advance from Aleppo to Homs, dated like the late-2024 offensive; places carry real
coordinates so distances can be checked. No gazetteer is needed: place mentions come from the names below.
"""

from __future__ import annotations

from collections.abc import Sequence

from watchfloor.models import ActorRef, Article, Event, Evidence, Figure, Place, Story
from watchfloor.situation.sources import Sources, source_doc

PLACES = {
    "Aleppo": Place("Aleppo", 36.2021, 37.1343, "SYR", "Aleppo"),
    "Hama": Place("Hama", 35.1318, 36.7578, "SYR", "Hama"),
    "Homs": Place("Homs", 34.7324, 36.7137, "SYR", "Homs"),
    "Rastan": Place("Rastan", 34.9267, 36.7324, "SYR", "Homs"),
    "Damascus": Place("Damascus", 33.5138, 36.2765, "SYR", "Damascus"),
    "Idlib": Place("Idlib", 35.9306, 36.6339, "SYR", "Idlib"),
}

REPORTS = {
    "a1": ("2024-11-30T12:00:00Z", "Wire A",
           "ALEPPO (Wire A) - Rebel fighters led by Hayat Tahrir al-Sham took control of Aleppo on Saturday. "
           "The Syrian army said its units had withdrawn from the city to prepare a counter-attack. "
           "President Recep Tayyip Erdogan said he hoped the advance of the opposition would continue. "
           "Russia continued to support Assad, the Kremlin said."),
    "a2": ("2024-12-05T12:00:00Z", "Wire B",
           "HAMA (Wire B) - Opposition fighters captured Hama on Thursday after the army pulled out of the city. "
           "The UN said 280,000 people had been displaced since the offensive began. "
           "HTS commanders said their fighters would now move south toward Homs. "
           "More than 600,000 people have been displaced since 2011, an older survey found."),
    "a3": ("2024-12-06T12:00:00Z", "Wire C",
           "Iran began evacuating its military commanders from Syria, officials said, as its support for the government waned. "
           "The UN said 370,000 people had now been displaced since the offensive began. "
           "Factions of the Turkish-backed Syrian National Army said they were holding their positions. "
           "HTS fighters prepared to capture Homs, a commander said. "
           "The army denied that troops had withdrawn from Damascus."),
    "a4": ("2024-12-07T22:00:00Z", "Wire D",
           "HOMS (Wire D) - Opposition fighters said they had taken full control of Homs after government forces withdrew. "
           "The UN said 500,000 people had been displaced since the offensive began."),
    "a5": ("2025-01-01T10:00:00Z", "Wire E", "Residents of Aleppo said shops had opened again after the holiday."),
}


def article(key: str) -> Article:
    date, outlet, text = REPORTS[key]
    return Article(id=key, text=text, date=date, outlet=outlet, title=f"Report {key}")


def sources(keys: Sequence[str], kb: object, extra: Sequence[Article] = ()) -> Sources:
    arts = [article(k) for k in keys] + list(extra)
    return Sources(source_doc(a, kb=kb, places=list(PLACES.values())) for a in arts)


def figure(article_id: str, value: int, kind: str = "displaced", source: str = "UN") -> Figure:
    text = REPORTS[article_id][2]
    needle = f"{value:,}"
    start = text.index(needle)
    return Figure(kind, value, None, None, False, None, source, start, start + len(needle), needle,
                  article_id=article_id, date=REPORTS[article_id][0][:10])


def strike(article_id: str, day: str, n: int = 0, side_id: str = "rus-military") -> Event:
    """A made-up air strike event, pointing at the first sentence of a report."""
    text = REPORTS[article_id][2]
    end = text.index(".") + 1
    return Event(
        "Explosions/Remote violence", "Air/drone strike", "Political violence", "ASSAULT",
        ActorRef(side_id, "Military Forces of Russia", "State forces", "RUS"), None, PLACES["Idlib"], day, 1, None,
        "asserted", Evidence(text[:end], 0, end), article_id=article_id, id=f"{article_id}-s{n}",
    )


def story(keys: Sequence[str], events: Sequence[Event] = (), story_id: str = "st-sample") -> Story:
    return Story(id=story_id, headline="Rebels advance", lede="", situation=None, article_ids=list(keys), events=list(events))
