"""Situation state: control of places, front lines in km, alignments, figures over time, activity baselines."""

from __future__ import annotations

import dataclasses
import re

import pytest
from assess_samples import PLACES, REPORTS, article, figure, sources, strike

from watchfloor.kb.actors import ActorKB
from watchfloor.models import ActorRef, Event, Evidence
from watchfloor.situation.sources import Sources, source_doc
from watchfloor.situation.state import build_situation, haversine_km


@pytest.fixture(scope="module")
def kb() -> ActorKB:
    return ActorKB.load()


def _situation(kb: ActorKB, keys: list[str], as_of: str, events: list[Event] | None = None, figures: list | None = None):
    return build_situation("SYR", events or [], figures or [], sources(keys, kb), kb=kb, as_of=as_of)


def test_haversine_matches_known_distances() -> None:
    aleppo, damascus = PLACES["Aleppo"], PLACES["Damascus"]
    assert haversine_km(aleppo.lat, aleppo.lon, damascus.lat, damascus.lon) == pytest.approx(309, abs=3)
    assert haversine_km(0.0, 0.0, 0.0, 1.0) == pytest.approx(111.2, abs=0.2)
    assert haversine_km(10.0, 20.0, 10.0, 20.0) == 0.0


def test_control_comes_from_capture_phrases_with_dates_and_verbatim_evidence(kb: ActorKB) -> None:
    sit = _situation(kb, ["a1", "a2"], "2024-12-05T23:00:00Z")
    held = {pc.place: pc for pc in sit.control.values()}
    assert set(held) == {"Aleppo", "Hama"}
    lead = sit.lead_side()
    assert lead == "hts" and sit.side_name(lead) == "HTS-led forces"
    assert held["Aleppo"].controller == lead and held["Aleppo"].since == "2024-11-30"
    assert held["Hama"].since == "2024-12-05"
    texts = {k: v[2] for k, v in REPORTS.items()}
    for change in sit.changes:
        assert change.loser == "gov:SYR"
        for ref in change.evidence:
            assert texts[ref.article_id][ref.start : ref.end] == ref.text


def test_plans_denials_and_later_reports_do_not_change_control(kb: ActorKB) -> None:
    # a3 says fighters "prepared to capture Homs" and the army "denied that troops had withdrawn from Damascus".
    sit = _situation(kb, ["a1", "a2", "a3", "a4"], "2024-12-06T23:00:00Z")
    places = {c.place for c in sit.changes}
    assert "Homs" not in places and "Damascus" not in places
    # The report of Homs taken counts once it exists.
    later = _situation(kb, ["a1", "a2", "a3", "a4"], "2024-12-08T00:00:00Z")
    homs = [c for c in later.changes if c.place == "Homs"]
    assert homs and homs[0].taker == "hts" and homs[0].full and homs[0].date == "2024-12-07"


def test_territory_event_with_a_named_actor_sets_control(kb: ActorKB) -> None:
    text = "Fighters of HTS were seen in Idlib on Sunday, residents said."
    art = article("a1")
    extra = type(art)(id="e1", text=text, date="2024-12-01T10:00:00Z", outlet="Wire E")
    src = Sources([source_doc(extra, kb=kb, places=list(PLACES.values()))])
    event = Event(
        "Battles", "Non-state actor overtakes territory", "Political violence", "ASSAULT",
        ActorRef("hts", "Hayat Tahrir al-Sham", "Rebel group", "SYR"), None, PLACES["Idlib"], "2024-12-01", 1, None,
        "asserted", Evidence(text, 0, len(text)), article_id="e1", id="e1-e0",
    )
    sit = build_situation("SYR", [event], [], src, kb=kb, as_of="2024-12-02")
    assert [(c.place, c.taker) for c in sit.changes] == [("Idlib", "hts")]
    hedged = dataclasses.replace(event, modality="hypothetical")
    assert build_situation("SYR", [hedged], [], src, kb=kb, as_of="2024-12-02").changes == []


def test_front_line_moves_toward_the_capital_in_km(kb: ActorKB) -> None:
    sit = _situation(kb, ["a1", "a2", "a3", "a4"], "2024-12-08T00:00:00Z")
    assert sit.capital is not None and sit.capital.name == "Damascus"
    rows = sit.front_line()
    assert [r["date"] for r in rows] == ["2024-11-30", "2024-12-05", "2024-12-07"]
    km = [r["km_to_capital"] for r in rows]
    assert km[0] > km[1] > km[2]
    advance = sit.advance("hts", "Damascus")
    assert advance is not None
    expected = haversine_km(PLACES["Aleppo"].lat, PLACES["Aleppo"].lon, 33.5138, 36.2765) - haversine_km(
        PLACES["Homs"].lat, PLACES["Homs"].lon, 33.5138, 36.2765
    )
    assert advance.advanced_km == pytest.approx(expected, abs=1.0)
    assert advance.km_per_day == pytest.approx(expected / 7, abs=1.0)
    assert any(o.place == "Homs" and sit.resolve_side(o.side) == "hts" for o in sit.objectives)


def test_alignment_graph_reads_backing_withdrawal_and_compounds(kb: ActorKB) -> None:
    sit = _situation(kb, ["a1", "a2", "a3"], "2024-12-06T23:00:00Z")
    text_edges = {(a.source, a.kind, a.target) for a in sit.alignments if a.origin == "text"}
    assert ("state:TUR", "backs", "hts") in text_edges  # "hoped the advance of the opposition would continue"
    assert ("state:RUS", "backs", "gov:SYR") in text_edges  # "Russia continued to support Assad"
    assert ("state:IRN", "withdraws_support", "gov:SYR") in text_edges  # "Iran began evacuating ..."
    assert ("state:TUR", "backs", "syr-sna") in text_edges  # "Turkish-backed Syrian National Army"
    for a in sit.alignments:
        if a.origin == "text":
            assert a.date and a.evidence
    # The knowledge base's dated relations are there as background.
    assert any(a.origin == "kb" for a in sit.alignments)


def test_figures_over_time_are_dated_and_skip_historical_totals(kb: ActorKB) -> None:
    figures = [figure("a2", 280000), figure("a3", 370000), figure("a2", 600000)]
    sit = _situation(kb, ["a1", "a2", "a3"], "2024-12-06T23:00:00Z", figures=figures)
    series = sit.series("displaced")
    assert [(p.date, p.value) for p in series] == [("2024-12-05", 280000), ("2024-12-06", 370000)]
    assert all(p.evidence.text.startswith("The UN said") for p in series)


def test_activity_is_measured_against_the_sides_own_baseline(kb: ActorKB) -> None:
    days = ["2024-11-20", "2024-11-27", "2024-12-05", "2024-12-06", "2024-12-06", "2024-12-06"]
    events = [strike("a1", d, n) for n, d in enumerate(days)]
    sit = _situation(kb, ["a1"], "2024-12-06T23:00:00Z", events=events)
    act = sit.activity["state:RUS"]
    assert act.recent_events == 4
    assert act.baseline_per_day is not None and act.baseline_per_day < act.recent_per_day
    assert act.ratio is not None and act.ratio > 2
    quiet = _situation(kb, ["a1"], "2024-12-06T23:00:00Z", events=events[:2]).activity["state:RUS"]
    assert quiet.recent_events == 0 and quiet.ratio is not None and quiet.ratio < 1


# -- reading each report once ---------------------------------------------------------------------------------


def _facts(sit) -> dict:
    """Everything a situation holds that judgments read, as plain data."""
    data = sit.to_dict()
    data["signals"] = [s.to_dict() for s in sit.signals]
    data["merged"], data["mentions"] = dict(sit.merged), dict(sit.mentions)
    return data


def test_a_situation_built_again_from_reports_read_before_is_the_same(kb: ActorKB) -> None:
    keys = ["a1", "a2", "a3", "a4"]
    shared = sources(keys, kb)
    # Read first with fewer reports known (another folding of sides), then with all of them.
    early = build_situation("SYR", [], [], shared, kb=kb, as_of="2024-11-30T23:00:00Z")
    first = build_situation("SYR", [], [], shared, kb=kb, as_of="2024-12-08T23:00:00Z")
    # The same reports under another theatre: what is kept on a report is kept per theatre.
    build_situation("TUR", [], [], shared, kb=kb, as_of="2024-12-08T23:00:00Z")
    again = build_situation("SYR", [], [], shared, kb=kb, as_of="2024-12-08T23:00:00Z")
    earlier = build_situation("SYR", [], [], shared, kb=kb, as_of="2024-12-01T23:00:00Z")
    assert any(doc.memo for doc in shared)
    assert _facts(again) == _facts(first) == _facts(build_situation("SYR", [], [], sources(keys, kb), kb=kb, as_of="2024-12-08T23:00:00Z"))
    assert _facts(earlier) == _facts(build_situation("SYR", [], [], sources(keys, kb), kb=kb, as_of="2024-12-01T23:00:00Z"))
    assert _facts(early) == _facts(build_situation("SYR", [], [], sources(keys, kb), kb=kb, as_of="2024-11-30T23:00:00Z"))
    assert first.control and first.signals and _facts(earlier) != _facts(first) and _facts(early) != _facts(earlier)


def _sample_reports(*names: str) -> list:
    """The sample corpus's reports of these files, as Articles."""
    from conftest import CORPUS

    from watchfloor.ingest import read_paths
    from watchfloor.models import Article

    return [a for name in names for a in read_paths([str(CORPUS / name)]) if isinstance(a, Article)]


def _through_stories(path, items: list):
    """A fresh store at ``path`` holding ``items`` through analysis and stories (not judgments)."""
    from watchfloor.ingest import store_items
    from watchfloor.process import analyze_articles
    from watchfloor.store import Store
    from watchfloor.stories.stage import update_stories

    store = Store(path)
    new = store_items(store, iter(items)).new_ids
    analyze_articles(store, new)
    update_stories(store, new, [])
    return store


@pytest.fixture(scope="module")
def pipeline_store(tmp_path_factory: pytest.TempPathFactory):
    """The Syria sample reports through analysis and stories (not judgments) in a fresh store."""
    store = _through_stories(tmp_path_factory.mktemp("situation") / "s.db", _sample_reports("syria.jsonl"))
    yield store
    store.close()


def _inputs(store, until: str) -> tuple:
    from watchfloor.situation.load import load_theatre

    inputs = load_theatre(store, "SYR", until)
    docs = [(d.id, d.canonical_id, len(d.actors), len(d.places)) for d in inputs.sources]
    return docs, [e.to_json() for e in inputs.events], [f.to_json() for f in inputs.figures]


def test_theatre_inputs_read_from_the_process_cache_match_a_fresh_read(pipeline_store) -> None:
    from watchfloor.situation import load

    load._caches.pop(pipeline_store, None)
    cold = _inputs(pipeline_store, "2024-12-09")
    warm = _inputs(pipeline_store, "2024-12-09")
    assert cold == warm and cold[0] and cold[1] and cold[2]
    # An earlier cut-off, served entirely from the cache, equals a fresh read of the same cut-off.
    cached_early = _inputs(pipeline_store, "2024-12-02")
    load._caches.pop(pipeline_store, None)
    assert _inputs(pipeline_store, "2024-12-02") == cached_early
    assert len(cached_early[0]) < len(cold[0])


def test_a_report_analysed_again_is_read_again(pipeline_store) -> None:
    from watchfloor.process import AnalysisRow, write_analyses
    from watchfloor.situation import load
    from watchfloor.store.stories import load_analyses

    before = _inputs(pipeline_store, "2024-12-09")
    target = next(e for e in before[1] if '"article_id"' in e)
    article_id = Event.from_json(target).article_id
    record = load_analyses(pipeline_store.conn, [article_id])[article_id]
    # The same article analysed again, now with no events, no figures and no actors.
    write_analyses(pipeline_store, [AnalysisRow(article_id, "en", {**record, "actors": []}, [], [])])
    after = _inputs(pipeline_store, "2024-12-09")
    assert not any(Event.from_json(e).article_id == article_id for e in after[1])
    assert len(after[1]) < len(before[1])
    load._caches.pop(pipeline_store, None)
    assert _inputs(pipeline_store, "2024-12-09") == after


# -- faster cue patterns --------------------------------------------------------------------------------------

_LOOKAHEAD = re.compile(r"^(\(\?[aiLmsux]+\))?\(\?=\[(?:\\.|[^\]\\])*\]\)")


def _cue_patterns() -> list[re.Pattern[str]]:
    from watchfloor.situation import lexicon, state

    out = [*lexicon.SIGNALS.values(), lexicon.HEDGE, lexicon.NEGATION, lexicon.DISRUPTION, lexicon.FORCES]
    out += [rx for _, _, rx in lexicon.ECONOMIC_CHANNELS] + [rx for _, rx in lexicon.DISASTER_NOUNS]
    out += [rx for _, _, rx, _, _ in state._CONTROL_CUES] + [rx for _, rx in state._ALIGN_VERBS]
    return out


def test_cue_patterns_with_a_first_character_lookahead_match_exactly_what_the_plain_ones_match() -> None:
    import json

    from conftest import CORPUS

    from watchfloor.situation.lexicon import quick

    texts = [json.loads(line)["text"] for path in sorted(CORPUS.glob("*.jsonl")) for line in path.read_text().splitlines() if line.strip()]
    # Case folding beyond ASCII: the long s and the Kelvin sign match "s" and "k" under IGNORECASE.
    texts += ["The army \u017fwept into the city and ba\u212aed the rebels.", "WITHDREW FROM Homs; Iran Backs Damascus.", ""]
    patched = 0
    for rx in _cue_patterns():
        head = _LOOKAHEAD.match(rx.pattern)
        plain = re.compile(_LOOKAHEAD.sub(lambda m: m.group(1) or "", rx.pattern, count=1), rx.flags) if head else rx
        patched += head is not None
        for text in texts:
            assert [(m.span(), m.groups()) for m in rx.finditer(text)] == [(m.span(), m.groups()) for m in plain.finditer(text)], rx.pattern[:60]
            for start in range(0, len(text), 97):
                a, b = rx.search(text, start), plain.search(text, start)
                assert (a and a.span()) == (b and b.span())
    assert patched >= 20
    # Left alone when the first character cannot be known exactly: a leading optional part, a category.
    for source in (r"(?:the )?fall of", r"\w+ took", r"(?i)x?y"):
        assert quick(re.compile(source)).pattern == source
    assert quick(re.compile(r"(?i)\b(?:took|seized)\b")).pattern == r"(?i)(?=[st])\b(?:took|seized)\b"


def test_theatre_reports_read_once_give_each_cut_off_what_its_own_query_gives(pipeline_store) -> None:
    from watchfloor.situation.load import history_start
    from watchfloor.store import assess as sql

    conn = pipeline_store.conn
    cut_offs = ["2024-11-28", "2024-12-01T12:00:00Z", "2024-12-05", "2024-12-08T23:59:59Z", "2025-03-01", None]
    for start in ("2024-09-01", None):
        reports = sql.theatre_reports(conn, "SYR", start)
        for until in cut_offs:
            since = history_start(until)
            if start and (since is None or since < start):
                continue
            expected = sql.theatre_article_ids(conn, "SYR", since, until)
            assert reports.article_ids(since, until) == expected, until
    assert sql.theatre_article_ids(conn, "SYR", None, "2024-12-01") != sql.theatre_article_ids(conn, "SYR", None, "2024-12-09")


def _named_cue_patterns() -> list[tuple[str, re.Pattern[str]]]:
    from watchfloor.situation import lexicon, state

    out = [(f"signal:{k}", rx) for k, rx in lexicon.SIGNALS.items()]
    out += [("disruption", lexicon.DISRUPTION), ("forces", lexicon.FORCES), ("approach", state._APPROACH)]
    out += [(f"economic:{name}", rx) for name, _, rx in lexicon.ECONOMIC_CHANNELS]
    out += [(f"align:{kind}", rx) for kind, rx in state._ALIGN_VERBS]
    out += [(f"control:{kind}", rx) for kind, _, rx, _, _ in state._CONTROL_CUES]
    return out


_TRICKY = [
    "Rebels were 12 km north of Hama and within 5km of the airport.",
    "Forces reached the northern outskirts of Homs; the target is Damascus.",
    "The army WITHDREW from the town, a CEASE-FIRE collapsed and troops pulled back.",
    "He was toppled, fled the country and is now in exile.",
    "Turkish-backed factions took control of Manbij after the fall of Tal Rifaat.",
    "Iran's envoy met Assad; Russia pledged continued backing.",
    "no serious resistance was met at the gates of the city",
    "Displaced families began to return home as the truce held.",
    "\u00abThe army withdrew\u00bb, said the \u00e9lite unit.",  # not ASCII: every pattern is searched
    "The army \u017fwept into the city and ba\u212aed the rebels.",  # long s and Kelvin sign fold to s and k
]


def test_word_heads_never_skip_a_sentence_a_cue_matches(kb: ActorKB) -> None:
    # ``lexicon.search`` skips a pattern when no word of the sentence starts like a match of it; that must be
    # a necessary condition for every cue, on the sample reports and on sentences built to test its edges.
    import json

    from conftest import CORPUS

    from watchfloor.situation import lexicon

    sentences = list(_TRICKY)
    for path in sorted(CORPUS.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                text = str(json.loads(line).get("text") or "")
                sentences += [s for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s]
    patterns = _named_cue_patterns()
    known = [name for name, rx in patterns if lexicon.word_heads(rx) is not None]
    assert len(known) >= len(patterns) - 2, "heads are worked out for nearly every cue"
    matched = 0
    for sentence in sentences:
        heads = lexicon.sentence_heads(sentence)
        for name, rx in patterns:
            found = rx.search(sentence)
            assert (lexicon.search(rx, sentence, heads) is None) is (found is None), (name, sentence)
            if found is not None:
                matched += 1
                assert lexicon.can_match(rx, heads), (name, sentence)
    assert matched > 500


def test_word_heads_of_digits_and_optional_words() -> None:
    from watchfloor.situation import lexicon, state

    heads = lexicon.word_heads(state._APPROACH)
    assert heads is not None and lexicon.DIGIT_HEAD in heads and "outski" in heads and "northe" in heads
    assert lexicon.can_match(state._APPROACH, lexicon.sentence_heads("They were 30 km south of the city."))
    assert not lexicon.can_match(state._APPROACH, lexicon.sentence_heads("They were far south of the city."))
    assert lexicon.sentence_heads("\u00e9lite") is None  # not ASCII: no skipping


def test_signals_by_kind_follow_the_signal_list(kb: ActorKB) -> None:
    sit = _situation(kb, ["a1", "a2", "a3", "a4"], "2024-12-08T00:00:00Z")
    kinds = {s.kind for s in sit.signals}
    assert kinds
    for kind in kinds:
        assert sit.signals_of(kind, hedged=None) == [s for s in sit.signals if s.kind == kind]
    # Replaced or extended after a first use: read again.
    sit.signals = [s for s in sit.signals if s.kind != min(kinds)]
    assert sit.signals_of(min(kinds), hedged=None) == []
    sit.signals.append(dataclasses.replace(sit.signals[0], kind="extra"))
    assert len(sit.signals_of("extra", hedged=None)) == 1


# -- one theatre at several cut-offs in a row ---------------------------------------------------------------------


def _built(situation, inputs) -> dict:
    """A situation and what it was built from, as plain data, orders included."""
    data = _facts(situation)
    data["mentions"] = list(situation.mentions.items())
    data["merged"] = list(situation.merged.items())
    data["sides"] = [(k, v.to_dict()) for k, v in situation.sides.items()]
    data["inputs"] = (
        [(d.id, d.canonical_id) for d in inputs.sources],
        [e.to_json() for e in inputs.events],
        [f.to_json() for f in inputs.figures],
    )
    return data


def _series_matches_fresh_builds(store, theatre: str, cut_offs: list[str | None], kb: ActorKB) -> int:
    """Builds the cut-offs as one series and each on its own from a cold cache; returns how many differ."""
    from watchfloor.situation import load

    story_ids = [r[0] for r in store.conn.execute("SELECT story_id FROM story_state WHERE theatre = ? ORDER BY story_id", (theatre,))]
    members = [
        [r[0] for r in store.conn.execute("SELECT article_id FROM story_articles WHERE story_id = ?", (sid,))]
        for sid in story_ids
    ]
    # Each cut-off with the reports of a few stories as extra ids, as the assessment passes a group's stories.
    groups = [(until, [a for ids in members[i::len(cut_offs)] for a in ids]) for i, until in enumerate(cut_offs)]
    starts = [load.history_start(until) for until, _ in groups]
    since = None if None in starts else min(starts)  # type: ignore[type-var]
    series = load.TheatreSeries(store, theatre, kb=kb, since=since)
    in_series = [_built(*series.situation(until, extra)) for until, extra in groups]
    assert any(built["signals"] for built in in_series) and any(built["inputs"][1] for built in in_series)
    differ = 0
    for (until, extra), built in zip(groups, in_series, strict=True):
        load._caches.pop(store, None)
        fresh = _built(*load.situation_from_store(store, theatre, until, kb=kb, extra_ids=extra))
        differ += fresh != built
    # Served again from what the series kept: still the same.
    again = [_built(*series.situation(until, extra)) for until, extra in groups]
    differ += sum(a != b for a, b in zip(again, in_series, strict=True))
    return differ


def test_a_series_of_cut_offs_builds_what_each_cut_off_builds_alone(pipeline_store, kb: ActorKB) -> None:
    cut_offs = ["2024-11-28", "2024-12-01T12:00:00Z", "2024-12-05", "2024-12-08T23:59:59Z", "2024-12-10"]
    assert _series_matches_fresh_builds(pipeline_store, "SYR", cut_offs, kb) == 0


@pytest.fixture(scope="module")
def spread_store(tmp_path_factory: pytest.TempPathFactory):
    """Sample reports of two theatres re-dated four days apart (about 5 months), through analysis and stories."""
    import datetime as dt

    items = _sample_reports("syria.jsonl", "sudan.jsonl")
    items.sort(key=lambda a: (a.date or "", a.id))
    start = dt.datetime(2024, 3, 1, 8, 0, tzinfo=dt.UTC)
    for i, a in enumerate(items):
        a.date = (start + dt.timedelta(days=4 * i, hours=i % 7)).strftime("%Y-%m-%dT%H:%M:%SZ")
    store = _through_stories(tmp_path_factory.mktemp("spread") / "s.db", items)
    yield store
    store.close()


def test_a_series_over_months_builds_what_each_cut_off_builds_alone(spread_store, kb: ActorKB) -> None:
    days = [r[0][:10] for r in spread_store.conn.execute("SELECT date FROM articles ORDER BY date")]
    assert len(days) > 20
    # Cut-offs whose 60-day histories overlap, and a last one with the whole span.
    cut_offs: list[str | None] = [days[i] for i in range(3, len(days), max(1, len(days) // 7))] + [days[-1] + "T23:59:59Z"]
    theatres = [r[0] for r in spread_store.conn.execute("SELECT DISTINCT theatre FROM story_state WHERE theatre IS NOT NULL ORDER BY 1")]
    assert {"SYR", "SDN"} <= set(theatres)
    for theatre in theatres:
        assert _series_matches_fresh_builds(spread_store, theatre, cut_offs, kb) == 0, theatre
    assert _series_matches_fresh_builds(spread_store, "SYR", [None], kb) == 0


def test_reports_cut_by_date_with_binary_searches_are_those_a_filter_keeps() -> None:
    import random

    from watchfloor.store.assess import _date_index, _dated_within, _within

    rng = random.Random(7)
    days = [f"2024-{m:02d}-{d:02d}" for m in (1, 2, 3) for d in (1, 9, 10, 28)]
    stamps = [day + t for day in days for t in ("", "T00:00:00Z", "T12:30:00Z")]
    cut_offs = [None, "2024", "2024-02", *days, "2024-02-09T12:00:00Z", "2024-02-09T12:30:00Z", "2023-12-31", "2024-04-01"]
    for trial in range(60):
        dated = sorted(rng.sample(stamps, rng.randint(0, 12)))
        rows = [(f"u{i}", None) for i in range(rng.randint(0, 2))] + [(f"a{i}", d) for i, d in enumerate(dated)]
        if trial % 5 == 4:
            rng.shuffle(rows)  # not in SQL order: filtered one by one, same answer
        index = _date_index(rows)
        for until in cut_offs:
            for since in (None, "2024-01-09", "2024-02-10", "2024-02-09T12:30:00Z"):
                assert _dated_within(rows, index, since, until) == [r for r in rows if _within(r[1], since, until)], (rows, since, until)
