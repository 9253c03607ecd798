"""Situation state: control of places, front lines in km, alignments, figures over time, activity baselines."""

from __future__ import annotations

import dataclasses

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
