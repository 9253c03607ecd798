"""A small store for the dashboard tests, built by hand: no analysis pipeline involved.

Two Syria reports feed one story with implications, events, a figure, a quote and a timeline; a third report
is hostile (script tags and event-handler attributes in its title and text) and feeds a second story that
repeats the payloads in its headline, article, quote and implication. Every span is computed from the text,
so ``article.text[start:end]`` is always exactly the cited words.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

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
from watchfloor.store import Store

A1_TEXT = (
    "Rebel fighters entered the city of Hama on Thursday after two days of fighting on its northern edge. "
    "The army said it had moved its units out of the city to spare civilians. "
    "Aid groups said about 50,000 people had fled south toward Homs since Monday."
)
A2_TEXT = (
    "Opposition commanders said their next target was Homs, the third largest city in the country. "
    "Residents of Homs described long queues at fuel stations as families prepared to leave. "
    '"We will be in Homs within days," a rebel commander told reporters by telephone.'
)
PAYLOAD_TITLE = '<script>window.__pwned = 1</script>Convoy report'
A3_TEXT = (
    'Officials said <img src=x onerror="window.__pwned = 2"> the aid convoy reached Idlib on Friday. '
    "<script>window.__pwned = 3</script> Drivers said the road was clear. "
    '"<svg onload=window.__pwned=4>" was written on a wall, a driver said.'
)
HOSTILE_HEADLINE = '<script>window.__pwned = 5</script>Convoy <img src=x onerror="window.__pwned = 6"> reaches Idlib'

HAMA = Place("Hama", 35.1318, 36.7578, "SYR", "Hama Governorate", geonames_id=170017)
HOMS = Place("Homs", 34.7268, 36.7234, "SYR", "Homs Governorate", geonames_id=169577)
IDLIB = Place("Idlib", 35.9306, 36.6339, "SYR", "Idlib Governorate", geonames_id=169389)

HTS = ActorRef("hts", "Hayat Tahrir al-Sham", "Rebel group", "SYR")
SYR_ARMY = ActorRef("syr-military", "Military Forces of Syria", "State forces", "SYR")


def span(text: str, words: str) -> tuple[int, int]:
    start = text.index(words)
    return start, start + len(words)


def ref(article_id: str, text: str, words: str) -> EvidenceRef:
    s, e = span(text, words)
    return EvidenceRef(article_id, s, e, words)


def cited(pairs: list[tuple[str, str, str]]) -> Paragraph:
    """A paragraph of whole cited sentences: (article id, article text, sentence) each."""
    citations = []
    for article_id, text, sentence in pairs:
        s, e = span(text, sentence)
        citations.append(Citation(article_id, s, e))
    return Paragraph(" ".join(sentence for _, _, sentence in pairs), citations)


@dataclass
class Sample:
    db: Path
    articles: dict[str, Article]
    stories: dict[str, Story]
    situation_id: str = "sit-syria"
    places_in_story: dict[str, int] = field(default_factory=dict)  # located places per story

    def text(self, article_id: str) -> str:
        return self.articles[article_id].text


def _event(eid: str, article_id: str, text: str, words: str, *, event_type: str, sub: str, place: Place,
           date: str, actor1: ActorRef | None, actor2: ActorRef | None = None, fatalities: int | None = None) -> Event:
    s, e = span(text, words)
    return Event(event_type, sub, "Political violence", "ASSAULT", actor1, actor2, place, date, 1, fatalities, "asserted",
                 Evidence(words, s, e), article_id=article_id, id=eid)


def build_sample(db: Path) -> Sample:
    articles = {
        "a1": Article("a1", A1_TEXT, "Rebels enter Hama", "2024-12-05T09:00:00Z", "https://example.org/hama", "Wire One", "en", content_hash="h1"),
        "a2": Article("a2", A2_TEXT, "Homs braces for the advance", "2024-12-06T10:30:00Z", "https://example.org/homs", "Daily Two", "en", content_hash="h2"),
        "a3": Article("a3", A3_TEXT, PAYLOAD_TITLE, "2024-12-06T12:00:00Z", "javascript:alert(1)", "<b>Evil</b> Outlet", "en", content_hash="h3"),
    }
    a1, a2, a3 = A1_TEXT, A2_TEXT, A3_TEXT
    s1 = "Rebel fighters entered the city of Hama on Thursday after two days of fighting on its northern edge."
    s2 = "The army said it had moved its units out of the city to spare civilians."
    s3 = "Aid groups said about 50,000 people had fled south toward Homs since Monday."
    t1 = "Opposition commanders said their next target was Homs, the third largest city in the country."
    t2 = "Residents of Homs described long queues at fuel stations as families prepared to leave."
    events = [
        _event("a1-e0", "a1", a1, s1, event_type="Battles", sub="Non-state actor overtakes territory", place=HAMA,
               date="2024-12-05", actor1=HTS, actor2=SYR_ARMY),
        _event("a1-e1", "a1", a1, s2, event_type="Strategic developments", sub="Non-violent transfer of territory", place=HAMA,
               date="2024-12-05", actor1=SYR_ARMY),
        _event("a2-e0", "a2", a2, t2, event_type="Protests", sub="Peaceful protest", place=HOMS, date="2024-12-06", actor1=None),
    ]
    fs, fe = span(a1, "about 50,000 people had fled")
    quote_words = "We will be in Homs within days,"
    qs, qe = span(a2, quote_words)
    story1 = Story(
        id="st-hama",
        headline="Rebels enter Hama as the army pulls out",
        lede=s1,
        situation="Syria: rebel offensive, Dec 2024",
        article_ids=["a1", "a2"],
        first_seen="2024-12-05T09:00:00Z",
        updated="2024-12-06T10:30:00Z",
        implications=[
            Implication(
                id="imp-homs-next", kind="escalation",
                statement="Rebel forces will probably push on toward Homs within two weeks.",
                likelihood="likely", probability=(0.55, 0.80), confidence="moderate",
                confidence_reason="two independent outlets, one of them citing the commanders themselves",
                horizon_days=14, evidence=[ref("a2", a2, t1), ref("a1", a1, s1)],
                assumptions=["the army keeps withdrawing rather than counter-attacking"],
                alternatives=["a negotiated pause north of Homs"], indicators=["fighting reported at Rastan"],
                why="base rate for a stated next objective after a fast capture, raised by the army's withdrawal",
                resolution=Resolution("rebels report fighting inside Homs city limits", deadline="2024-12-20"),
            ),
            Implication(
                id="imp-displacement", kind="humanitarian",
                statement="Displacement toward Homs is very likely to grow over the next week.",
                likelihood="very likely", probability=(0.80, 0.95), confidence="low",
                confidence_reason="a single aid-group estimate", horizon_days=7, evidence=[ref("a1", a1, s3)],
            ),
        ],
        sections=[
            Section("Hama changes hands", [cited([("a1", a1, s1), ("a1", a1, s2)])]),
            Section("Eyes on Homs", [cited([("a2", a2, t1), ("a2", a2, t2)]), cited([("a1", a1, s3)])]),
        ],
        events=events,
        figures=[Figure("displaced", 50000, None, None, True, None, "Aid groups", fs, fe, a1[fs:fe], article_id="a1", date="2024-12-05")],
        quotes=[Quote("a rebel commander", None, quote_words, qs, qe, True, article_id="a2")],
        timeline=[
            TimelineEntry("2024-12-05", "Rebels enter Hama; the army withdraws.", ["a1-e0", "a1-e1"]),
            TimelineEntry("2024-12-06", "Homs residents queue for fuel.", ["a2-e0"]),
        ],
        actors=[HTS, SYR_ARMY],
        places=[HAMA, HOMS],
    )
    h1 = 'Officials said <img src=x onerror="window.__pwned = 2"> the aid convoy reached Idlib on Friday.'
    h2 = "<script>window.__pwned = 3</script> Drivers said the road was clear."
    h3 = '"<svg onload=window.__pwned=4>" was written on a wall, a driver said.'
    hq = "<svg onload=window.__pwned=4>"
    hqs, hqe = span(a3, hq)
    hostile_event = _event("a3-e0", "a3", a3, h1, event_type="Strategic developments", sub="Other", place=IDLIB,
                           date="2024-12-06", actor1=ActorRef(None, '<img src=x onerror="window.__pwned = 7">'))
    story2 = Story(
        id="st-evil",
        headline=HOSTILE_HEADLINE,
        lede=h1,
        situation="Syria: rebel offensive, Dec 2024",
        article_ids=["a3"],
        first_seen="2024-12-06T12:00:00Z",
        updated="2024-12-06T12:00:00Z",
        implications=[
            Implication(
                id="imp-evil", kind="access", statement='<script>window.__pwned = 8</script> Aid access will likely hold.',
                likelihood="likely", probability=(0.55, 0.80), confidence="low", confidence_reason="<b>one</b> source",
                horizon_days=7, evidence=[ref("a3", a3, h2)],
            )
        ],
        sections=[Section("<i>Convoy</i>", [cited([("a3", a3, h1), ("a3", a3, h2), ("a3", a3, h3)])])],
        events=[hostile_event],
        quotes=[Quote('<img src=x onerror="window.__pwned = 9">', None, hq, hqs, hqe, True, article_id="a3")],
        timeline=[TimelineEntry("2024-12-06", "<script>window.__pwned = 10</script>", ["a3-e0"])],
        actors=[ActorRef(None, '<img src=x onerror="window.__pwned = 7">')],
        places=[IDLIB],
    )
    stories = {"st-hama": story1, "st-evil": story2}

    store = Store(db)
    try:
        store.add_articles(list(articles.values()))
        with store.transaction() as conn:
            for story in stories.values():
                conn.execute(
                    "INSERT INTO stories (id, situation, headline, first_seen, updated, n_reports, json, situation_id)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    (story.id, story.situation, story.headline, story.first_seen, story.updated, len(story.article_ids),
                     story.to_json(), "sit-syria"),
                )
                for aid in story.article_ids:
                    conn.execute("INSERT INTO story_articles (article_id, story_id, ts) VALUES (?, ?, 0)", (aid, story.id))
                conn.execute(
                    "INSERT INTO story_state (story_id, first_article, first_ts, last_ts, n_reports, centroid, entities, terms,"
                    " theatre, situation_id) VALUES (?, ?, 0, 0, ?, x'', '{}', '[]', 'SYR', 'sit-syria')",
                    (story.id, story.article_ids[0], len(story.article_ids)),
                )
                for e in story.events:
                    loc = e.location
                    conn.execute(
                        "INSERT INTO events (id, article_id, event_type, sub_event_type, date, country, lat, lon, actor1,"
                        " actor2, modality, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        (e.id, e.article_id, e.event_type, e.sub_event_type, e.date, loc.country if loc else None,
                         loc.lat if loc else None, loc.lon if loc else None, e.actor1.id if e.actor1 else None,
                         e.actor2.id if e.actor2 else None, e.modality, e.to_json()),
                    )
            # 2024-12-04 .. 2024-12-07 as UTC timestamps
            conn.execute(
                "INSERT INTO situations (id, name, theatre, first_ts, last_ts, json) VALUES (?, ?, ?, ?, ?, ?)",
                ("sit-syria", "Syria: rebel offensive, Dec 2024", "SYR", 1733270400.0, 1733529600.0, json.dumps({"n_stories": 2})),
            )
            entered = ref("a1", a1, s1)
            state = {
                "theatre": "SYR",
                "as_of": "2024-12-07",
                "sides": {
                    "hts": {"id": "hts", "name": "HTS-led forces", "members": ["hts"]},
                    "gov:SYR": {"id": "gov:SYR", "name": "Syrian government forces", "members": ["gov:SYR"], "government": True},
                    "state:TUR": {"id": "state:TUR", "name": "Turkey", "members": ["state:TUR"], "foreign": True},
                },
                "changes": [
                    {"place": "Hama", "lat": HAMA.lat, "lon": HAMA.lon, "country": "SYR", "date": "2024-12-04", "taker": "hts",
                     "loser": "gov:SYR", "kind": "entered", "full": False, "evidence": [entered.to_dict()]},
                    {"place": "Hama", "lat": HAMA.lat, "lon": HAMA.lon, "country": "SYR", "date": "2024-12-05", "taker": "hts",
                     "loser": "gov:SYR", "kind": "captured", "full": True, "evidence": [ref("a1", a1, s2).to_dict()]},
                    {"place": "Homs", "lat": HOMS.lat, "lon": HOMS.lon, "country": "SYR", "date": "2024-12-01", "taker": "gov:SYR",
                     "loser": None, "kind": "regained", "full": True, "evidence": [ref("a2", a2, t2).to_dict()]},
                ],
            }
            conn.execute("INSERT INTO situation_state (theatre, as_of, json) VALUES ('SYR', '2024-12-07', ?)", (json.dumps(state),))
            backing = {"source": "state:TUR", "kind": "backs", "target": "hts", "date": "2024-12-05", "origin": "text",
                       "evidence": [ref("a2", a2, t1).to_dict()]}
            conn.execute(
                "INSERT INTO alignments (theatre, source, kind, target, date, origin, json) VALUES ('SYR', ?, ?, ?, ?, ?, ?)",
                ("state:TUR", "backs", "hts", "2024-12-05", "text", json.dumps(backing)),
            )
            judgments = [
                ("j-true", "homs", "st-hama", 0.7, "true", "2024-12-09T00:00:00Z", story1.implications[0]),
                ("j-false", "displaced", "st-hama", 0.9, "false", "2024-12-12T00:00:00Z", story1.implications[1]),
                ("j-open", "access", "st-evil", 0.6, "open", None, story2.implications[0]),
                # The same claim again on the same day, from another story: scored once.
                ("j-true-again", "homs", "st-evil", 0.7, "true", "2024-12-09T00:00:00Z", story1.implications[0]),
            ]
            for jid, subject, sid, p, status, resolved_at, imp in judgments:
                conn.execute(
                    "INSERT INTO implications (id, story_id, subject, pattern, kind, theatre, made_at, p, current, status,"
                    " deadline, resolved_at, json) VALUES (?, ?, ?, ?, ?, 'SYR', '2024-12-06T12:00:00Z', ?, 1, ?,"
                    " '2024-12-20', ?, ?)",
                    (jid, sid, f"SYR:{subject}", imp.kind, imp.kind, p, status, resolved_at, imp.to_json()),
                )
    finally:
        store.close()
    return Sample(db, articles, stories, places_in_story={"st-hama": 2, "st-evil": 1})
