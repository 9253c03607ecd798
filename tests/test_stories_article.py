"""The story writer: every sentence cited to its exact source text; headline, sections, figures, quotes, timeline."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import CORPUS

from watchfloor.analyze.text import find_dateline
from watchfloor.ingest import read_paths, store_items
from watchfloor.models import ActorRef, Event, Evidence, Figure, Place
from watchfloor.report.common import cited_sentences
from watchfloor.store import Store
from watchfloor.stories.article import SourceReport, StoryInputs, build_headline, check_citations, classify, write_story
from watchfloor.stories.features import parse_ts
from watchfloor.stories.figures import reconcile
from watchfloor.stories.stage import top_stories, update_stories


@pytest.fixture(scope="module")
def corpus_stories(tmp_path_factory: pytest.TempPathFactory) -> tuple[list, dict[str, str]]:
    store = Store(tmp_path_factory.mktemp("corpus") / "c.db")
    result = store_items(store, read_paths(sorted(str(p) for p in CORPUS.glob("*.jsonl"))))
    update_stories(store, result.new_ids, [])
    texts = {r[0]: r[1] for r in store.conn.execute("SELECT id, text FROM articles")}
    stories = top_stories(store)
    store.close()
    return stories, texts


def test_every_sentence_cites_its_exact_source_text(corpus_stories: tuple[list, dict[str, str]]) -> None:
    stories, texts = corpus_stories
    assert stories
    sentences = 0
    for story in stories:
        assert check_citations(story, texts) == [], story.headline
        for section in story.sections:
            for paragraph in section.paragraphs:
                for sentence, citation in cited_sentences(paragraph):
                    assert texts[citation.article_id][citation.start : citation.end] == sentence
                    assert citation.article_id in story.article_ids  # canonical reports only
                    sentences += 1
    assert sentences > 100


def test_no_orphan_sentences(corpus_stories: tuple[list, dict[str, str]]) -> None:
    """No sentence that needs a missing antecedent, is half a quotation, or still carries its dateline."""
    stories, _ = corpus_stories
    for story in stories:
        for section in story.sections:
            for paragraph in section.paragraphs:
                for sentence, _ in cited_sentences(paragraph):
                    assert not re.match(r"(?:He|She|They|It|This|But|And)\b", sentence), sentence
                    assert sentence.count('"') % 2 == 0, sentence
                    assert find_dateline(sentence.replace("/", "-", 1)) is None, sentence


def test_story_shape(corpus_stories: tuple[list, dict[str, str]]) -> None:
    stories, _ = corpus_stories
    for story in stories:
        assert story.headline and story.lede
        assert story.sections and 1 <= len(story.sections) <= 4
        # The lede opens the article, so it is cited like every other sentence.
        assert story.sections[0].paragraphs[0].text.startswith(story.lede)
        assert len(set(s.heading for s in story.sections)) == len(story.sections)
        assert story.first_seen and story.updated and story.first_seen <= story.updated
        assert story.implications == []
    big = [s for s in stories if len(s.article_ids) >= 4]
    assert big and all(2 <= len(s.sections) <= 4 for s in big)
    for story in big:
        sentences = [t for sec in story.sections for p in sec.paragraphs for t, _ in cited_sentences(p)]
        assert len(sentences) == len(set(sentences))  # nothing said twice


def test_classes_follow_content() -> None:
    assert classify("Rebel fighters captured the town after heavy clashes with army troops.", 2024) == "front"
    assert (
        classify("Some 280,000 people have been displaced and aid agencies warn of food shortages.", 2024)
        == "humanitarian"
    )
    assert classify("The foreign ministry in Moscow condemned the attack and urged restraint.", 2024) == "international"
    assert classify("The country has been divided since 2011, when protests were crushed.", 2024) == "background"


# -- figures --------------------------------------------------------------------------------------------------


def _fig(
    kind: str, value: int | None, article_id: str, date: str, low: int | None = None, high: int | None = None
) -> Figure:
    text = f"{value or low} people"
    return Figure(kind, value, low, high, False, None, "the UN", 0, len(text), text, article_id, date)


def test_figures_that_agree_become_one() -> None:
    out = reconcile([_fig("killed", 100, "a", "2025-04-13"), _fig("killed", 103, "b", "2025-04-14")])
    assert len(out) == 1
    assert out[0].agree and out[0].value in (100, 103) and (out[0].low, out[0].high) == (100, 103)
    assert [s.article_id for s in out[0].sources] == ["a", "b"]


def test_figures_that_differ_become_a_range_with_each_source_and_date() -> None:
    out = reconcile(
        [
            _fig("killed", 400, "gov", "2025-04-15"),
            _fig("killed", 100, "un", "2025-04-13"),
            _fig("displaced", None, "iom", "2025-04-15", low=300_000, high=400_000),
        ]
    )
    killed, displaced = out
    assert killed.kind == "killed" and not killed.agree and (killed.low, killed.high) == (100, 400)
    assert [(s.article_id, s.date) for s in killed.sources] == [("un", "2025-04-13"), ("gov", "2025-04-15")]
    assert "100 to 400 killed" in killed.summary
    assert displaced.kind == "displaced" and (displaced.low, displaced.high) == (300_000, 400_000)


# -- a hand-made story ------------------------------------------------------------------------------------------

A = (
    "GOMA, Congo - M23 rebels took control of Goma on Monday after a night of fighting, residents said. "
    "Thousands of inmates escaped from the central prison as fire swept through it, witnesses said. "
    '"We are asking everyone to stay at home," said Lawrence Kanyuka, a spokesman for the rebel alliance.'
)
B = (
    "BUKAVU, Congo - M23 fighters took Bukavu on Sunday without meeting resistance, local officials said. "
    "The United Nations said about 350,000 people had fled camps around Goma in the past week. "
    '"The humanitarian situation is catastrophic," said Bintou Keita, the head of the UN mission.'
)
C = (
    "KINSHASA - Congo's government said on Tuesday it was cutting diplomatic ties with Rwanda over its support "
    "for the rebels. Protesters attacked several foreign embassies in Kinshasa, accusing Western governments of "
    "failing to press Rwanda, police said."
)


def _span(text: str, part: str) -> tuple[int, int]:
    start = text.index(part)
    return start, start + len(part)


def _event(eid: str, article_id: str, text: str, sentence: str, date: str, place: str, lat: float, lon: float) -> Event:
    start, end = _span(text, sentence)
    return Event(
        event_type="Battles",
        sub_event_type="Non-state actor overtakes territory",
        disorder_type="Political violence",
        plover="ASSAULT",
        actor1=ActorRef("m23", "M23", "Rebel group", "COD"),
        actor2=ActorRef("fardc", "Congolese army", "State forces", "COD"),
        location=Place(place, lat, lon, "COD", "North Kivu"),
        date=date,
        date_precision=1,
        fatalities=None,
        modality="asserted",
        evidence=Evidence(sentence, start, end),
        article_id=article_id,
        id=eid,
    )


def _quote(text: str, quoted: str, speaker: str) -> dict[str, object]:
    start, end = _span(text, quoted)
    return {"speaker": speaker, "speaker_id": None, "text": quoted, "start": start, "end": end}


def _place(text: str, name: str, lat: float, lon: float) -> dict[str, object]:
    start, end = _span(text, name)
    return {
        "name": name,
        "lat": lat,
        "lon": lon,
        "country": "COD",
        "admin1": "North Kivu",
        "admin2": None,
        "geo_precision": 1,
        "start": start,
        "end": end,
        "text": name,
    }


def _inputs() -> StoryInputs:
    reports = [
        SourceReport(
            "a",
            "M23 takes Goma",
            A,
            "2025-01-27",
            parse_ts("2025-01-27T10:00:00Z") or 0,
            "Lakes Wire",
            analysis={
                "quotes": [_quote(A, "We are asking everyone to stay at home,", "Lawrence Kanyuka")],
                "places": [_place(A, "Goma", -1.68, 29.22)],
            },
        ),
        SourceReport(
            "b",
            "M23 enters Bukavu",
            B,
            "2025-02-16",
            parse_ts("2025-02-16T10:00:00Z") or 0,
            "Kivu Post",
            analysis={
                "quotes": [_quote(B, "The humanitarian situation is catastrophic,", "Bintou Keita")],
                "places": [_place(B, "Bukavu", -2.51, 28.86), _place(B, "Goma", -1.68, 29.22)],
            },
        ),
        SourceReport(
            "c", "Congo cuts ties with Rwanda", C, "2025-01-28", parse_ts("2025-01-28T10:00:00Z") or 0, "Capital Times"
        ),
    ]
    reports.sort(key=lambda r: r.ts)
    events = [
        _event(
            "a-e0",
            "a",
            A,
            "M23 rebels took control of Goma on Monday after a night of fighting, residents said.",
            "2025-01-27",
            "Goma",
            -1.68,
            29.22,
        ),
        _event(
            "b-e0",
            "b",
            B,
            "M23 fighters took Bukavu on Sunday without meeting resistance, local officials said.",
            "2025-02-16",
            "Bukavu",
            -2.51,
            28.86,
        ),
    ]
    figures = [
        Figure(
            "displaced",
            350_000,
            None,
            None,
            True,
            7,
            "The United Nations",
            *_span(B, "about 350,000 people"),
            "about 350,000 people",
            "b",
            "2025-02-16",
        ),
    ]
    return StoryInputs(
        "st-test",
        reports,
        {"a2": "a"},
        [parse_ts("2025-01-27T12:00:00Z") or 0],
        events,
        figures,
        "DR Congo: rebel offensive, Jan-Feb 2025",
        "COD",
    )


def test_hand_made_story_is_fully_cited_and_complete() -> None:
    inputs = _inputs()
    story = write_story(inputs)
    texts = {"a": A, "b": B, "c": C}
    assert check_citations(story, texts) == []
    assert story.article_ids == ["a", "c", "b"]
    assert story.duplicates == {"a2": "a"}
    assert story.situation == "DR Congo: rebel offensive, Jan-Feb 2025"
    assert story.first_seen == "2025-01-27T10:00:00Z" and story.updated == "2025-02-16T10:00:00Z"
    # The dateline is cut off: the citation starts after "GOMA, Congo - ".
    all_citations = [c for s in story.sections for p in s.paragraphs for c in p.citations]
    assert all(A[c.start : c.start + 4] != "GOMA" for c in all_citations if c.article_id == "a")
    # Headline from the events: who, what, where.
    assert story.headline == "M23 takes Goma and Bukavu"
    assert {q.speaker for q in story.quotes} == {"Lawrence Kanyuka", "Bintou Keita"}
    for q in story.quotes:
        assert texts[q.article_id][q.start : q.end] == q.text
    assert [(t.date, t.event_ids) for t in story.timeline] == [("2025-01-27", ["a-e0"]), ("2025-02-16", ["b-e0"])]
    assert story.places[0].name == "Goma" and story.places[0].lat == -1.68
    assert {a.id for a in story.actors} == {"m23", "fardc"}
    assert len(story.figures) == 1 and story.figures[0].sources[0].article_id == "b"  # type: ignore[attr-defined]
    assert [e.id for e in story.events] == ["a-e0", "b-e0"]


def test_headline_falls_back_to_central_title_when_events_are_thin() -> None:
    inputs = _inputs()
    inputs.events = inputs.events[:1]
    story = write_story(inputs)
    assert story.headline in {"M23 takes Goma", "M23 enters Bukavu", "Congo cuts ties with Rwanda"}


def test_headline_from_events() -> None:
    events = _inputs().events
    assert build_headline(events, "fallback") == "M23 takes Goma and Bukavu"
    assert build_headline([], "fallback") == "fallback"
    plural = [e for e in events]
    for e in plural:
        assert e.actor1 is not None
        e.actor1 = ActorRef("rsf", "Rapid Support Forces", "Rebel group", "SDN")
    assert build_headline(plural, "x").startswith("Rapid Support Forces take ")


def test_writer_handles_a_report_without_usable_sentences(tmp_path: Path) -> None:
    inputs = StoryInputs("st-x", [SourceReport("z", "Short", "Too short.", None, 0.0)])
    story = write_story(inputs)
    assert story.sections == [] and story.lede == "" and story.headline == "Short"


# -- the fast paths give the reference numbers -----------------------------------------------------------------
# The writer computes with bare arrays, one word pass and cached readings; these pin each shortcut to the plain
# computation it replaces (scipy/scikit-learn on a csr_matrix, the class regexes), number for number.


def _corpus_texts(limit: int = 40) -> list[str]:
    import json

    texts = []
    for path in sorted(CORPUS.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                texts.append(json.loads(line)["text"])
    return texts[:limit]


def test_sentence_vectors_are_the_scipy_and_sklearn_numbers() -> None:
    import numpy as np
    from scipy.sparse import csr_matrix
    from sklearn.preprocessing import normalize

    from watchfloor.stories import article
    from watchfloor.stories.features import term_counts

    texts = _corpus_texts(12)
    reports = [SourceReport(f"r{i}", None, t, None, float(i)) for i, t in enumerate(texts)]
    candidates, rows, centrality = article.select_sentences(StoryInputs("s", reports), reports)
    assert rows is not None and len(candidates) > 50
    # The reference: hashed counts through the vectoriser, TF-IDF on a csr_matrix, sklearn's normalize.
    hashed = term_counts([c.text for c in candidates])
    used, columns = np.unique(hashed.indices, return_inverse=True)
    counts = csr_matrix((1.0 + np.log(hashed.data), columns, hashed.indptr), shape=(hashed.shape[0], used.size))
    df = np.bincount(columns, minlength=counts.shape[1])
    counts.data = counts.data * (np.log((counts.shape[0] + 1.0) / (df[columns] + 1.0)) + 1.0)
    matrix = normalize(counts, norm="l2", copy=False)
    assert np.array_equal(rows.indptr, matrix.indptr) and np.array_equal(rows.indices, matrix.indices)
    assert rows.data.tobytes() == matrix.data.tobytes()  # bit for bit
    sims = (matrix @ matrix.T).toarray()
    assert article._cosines(rows).tobytes() == sims.tobytes()
    # Report means and the centroid, as scipy's mean computes them.
    centroid = np.zeros(matrix.shape[1])
    means = {}
    for r in range(len(reports)):
        picked = [i for i, c in enumerate(candidates) if c.report == r]
        if picked:
            means[r] = np.asarray(matrix[picked].mean(axis=0)).ravel()
            centroid += means[r]
    centroid /= np.linalg.norm(centroid)
    expected = [float(means[r] @ centroid / np.linalg.norm(means[r])) if r in means else 0.0 for r in range(len(texts))]
    assert centrality == expected
    relevance = matrix @ centroid
    span = float(len(texts) - 1)
    for v, c in zip(relevance, candidates, strict=True):
        bonus = 0.15 / (1 + c.position)
        bonus += 0.05 * (c.ts - 0.0) / span  # no figures or events here, so no bonus for them
        assert c.relevance == float(v) + bonus


def test_cached_reading_is_the_same_reading() -> None:
    from watchfloor.stories import article

    text = _corpus_texts(1)[0]
    first = article.sentence_spans(SourceReport("a", None, text, None, 0.0))
    article._READINGS.clear()
    again = article.sentence_spans(SourceReport("b", None, text, None, 0.0))
    assert first == again and first
    assert article._read(text) is article._read(text)


@pytest.mark.parametrize(
    "sentence",
    [
        "A counter-offensive by the army, then counter-offensives and an offensive near the front.",
        "The UN Secretary-General condemned the SECRETARY-GENERAL's critics; secretary-generals met.",
        "A first-ever long-running first-ever-style truce in a long-running civil war since 2011.",
        "Troops_2 and troops2 and troops fought; air strike, airstrikes and drone-strike reports.",
        "Displaced, DISPLACED and displaced-persons camps; aid-aid convoy convoys--crossings.",
        "Réfugiés and refugees fled the Kremlin; the café's doctors treated the wounded.",
        "The \u212aremlin (Kelvin sign) and the ſiege (long s) are matched by the case-blind regex.",
        "Nothing here belongs to a class at all, in any way.",
        "counter-offensive",
        "-offensive- -counter-offensive-",
    ],
)
def test_class_counts_match_the_class_patterns(sentence: str) -> None:
    from watchfloor.stories import article

    expected = {k: float(len(p.findall(sentence))) for k, p in article._CLASS_PATTERNS.items()}
    assert article._class_counts(sentence) == expected


def test_boilerplate_hints_cover_every_alternative() -> None:
    from watchfloor.stories import article

    samples = [
        "Staff in Nairobi contributed to this report for the desk.",
        "This account was compiled from wire reports and local radio.",
        "This story was updated with the latest figures from the ministry.",
        "This story has been corrected to show the right date of the raid.",
        "Reporting by A. Writer; Editing by B. Editor; Writing by C. Scribe",
        "Click here to read the full statement from the ministry today.",
        "Sign up for our daily briefing on the conflict and the response.",
        "Readers can subscribe to the newsletter for updates every morning.",
        "All rights reserved by the publisher of this wire service today.",
        "Copyright 2025 the wire service, which owns every image used here.",
        "Read more about the offensive in our explainer on the front line.",
        "Follow us on the usual channels for live updates on the fighting.",
        "(Photo by a staff photographer of the wire service at the scene.)",
        "Photo: smoke rises over the city after the strikes on Tuesday night.",
        "Image: displaced families queue for water at a camp near the town.",
        "Rolling coverage of the offensive continues here through the night.",
        "Live coverage of the summit continues here with reactions from allies.",
        "Updates from the front line will follow as the day goes on here.",
        "Follow our live coverage of the fighting around the city tonight.",
        "Follow the live blog for the latest on the talks in the capital.",
        "This is a developing story and will be updated as news comes in.",
        "PHOTO credits go to the agency that shot the pictures at the scene.",
        "The army said it had retaken the town after three days of fighting.",
        "Rebels shelled the airport, killing at least twelve people, officials said.",
    ]
    for sentence in samples:
        assert article._is_boilerplate(sentence) == bool(article._BOILERPLATE.search(sentence)), sentence
    assert sum(article._is_boilerplate(s) for s in samples) == len(samples) - 2
