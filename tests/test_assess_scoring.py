"""Settling checkable judgments against later reports, Brier scores, the scorecard command, what changed."""

from __future__ import annotations

import json
from typing import Any

import pytest
import typer
from assess_samples import article, figure, sources, story
from typer.testing import CliRunner

from watchfloor.assess.changes import what_changed
from watchfloor.assess.engine import Assessment, assess
from watchfloor.assess.scoring import Scored, World, brier, evaluate, scorecard
from watchfloor.cli.assess_cmd import register
from watchfloor.kb.actors import ActorKB
from watchfloor.models import Brief
from watchfloor.situation.state import build_situation
from watchfloor.store import Store
from watchfloor.store import assess as sql

MADE = "2024-12-06T23:00:00Z"


@pytest.fixture(scope="module")
def kb() -> ActorKB:
    return ActorKB.load()


def world(kb: ActorKB, keys: list[str], now: str, figures: list | None = None) -> World:
    src = sources(keys, kb)
    sit = build_situation("SYR", [], figures or [], src, kb=kb, as_of=now)
    return World(sit, [], src, now, kb)


def homs_check(deadline: str = "2024-12-20") -> dict:
    return {"type": "control", "place": "Homs", "lat": 34.7324, "lon": 36.7137, "sides": ["hts", "generic:SYR"],
            "after": MADE, "deadline": deadline}


def test_control_claim_settles_true_on_a_later_report(kb: ActorKB) -> None:
    assert evaluate(homs_check(), world(kb, ["a1", "a2", "a3"], MADE)).status == "open"
    outcome = evaluate(homs_check(), world(kb, ["a1", "a2", "a3", "a4"], "2024-12-08T00:00:00Z"))
    assert outcome.status == "true" and outcome.at == "2024-12-07"
    assert outcome.refs and "Homs" in outcome.refs[0].text


def test_claim_not_met_by_its_deadline_is_false(kb: ActorKB) -> None:
    damascus = {**homs_check("2024-12-20"), "place": "Damascus", "lat": 33.5138, "lon": 36.2765}
    assert evaluate(damascus, world(kb, ["a1", "a2", "a3", "a4"], "2024-12-10T00:00:00Z")).status == "open"
    # Past the deadline, silence settles nothing until the store has later reports of the theatre ...
    assert evaluate(damascus, world(kb, ["a1", "a2", "a3", "a4"], "2024-12-21T00:00:00Z")).status == "open"
    # ... then the claim is false; with no later report at all it ends void, never false.
    assert evaluate(damascus, world(kb, ["a1", "a2", "a3", "a4", "a5"], "2025-01-02T00:00:00Z")).status == "false"
    assert evaluate(damascus, world(kb, ["a1", "a2", "a3", "a4"], "2025-03-01T00:00:00Z")).status == "void"


def test_facts_known_when_the_judgment_was_made_do_not_settle_it(kb: ActorKB) -> None:
    hama = {**homs_check(), "place": "Hama", "lat": 35.1318, "lon": 36.7578}
    assert evaluate(hama, world(kb, ["a1", "a2", "a3"], "2024-12-08T00:00:00Z")).status == "open"


def test_figures_conditionals_and_negative_claims(kb: ActorKB) -> None:
    figs = [figure("a2", 280000), figure("a3", 370000), figure("a4", 500000)]
    check = {"type": "figure_at_least", "kind": "displaced", "threshold": 500000, "after": MADE, "deadline": "2024-12-20"}
    assert evaluate(check, world(kb, ["a1", "a2", "a3", "a4"], "2024-12-08T00:00:00Z", figs)).status == "true"
    conditional = {
        "type": "conditional",
        "condition": {**homs_check(), "place": "Damascus", "lat": 33.5138, "lon": 36.2765, "deadline": "2024-12-31"},
        "outcome": {"type": "signal", "kinds": ["leader_exit"], "within_days": 30},
        "deadline": "2024-12-31",
    }
    assert evaluate(conditional, world(kb, ["a1", "a2", "a3", "a4", "a5"], "2025-01-02T00:00:00Z")).status == "void"
    stays = {"type": "no_alignment", "source": "state:IRN", "kind": "withdraws_support", "target": "gov:SYR",
             "after": "2024-12-01T00:00:00Z", "deadline": "2024-12-30"}
    assert evaluate(stays, world(kb, ["a1", "a2", "a3"], MADE)).status == "false"  # "Iran began evacuating"
    later = {**stays, "after": MADE}
    assert evaluate(later, world(kb, ["a1", "a2", "a3", "a5"], "2025-01-02T00:00:00Z")).status == "true"


def test_brier_and_scorecard() -> None:
    assert brier([(1.0, True), (0.0, False)]) == 0.0
    assert brier([(0.5, True), (0.5, False)]) == 0.25
    assert brier([(0.8, True), (0.3, False)]) == pytest.approx((0.04 + 0.09) / 2)
    rows = [
        Scored("next-objective", "take:hts:Homs", "SYR", "2024-12-05T10:00:00Z", 0.8, "true"),
        Scored("next-objective", "take:hts:Homs", "SYR", "2024-12-05T18:00:00Z", 0.8, "true"),  # same day: once
        Scored("next-objective", "take:hts:Damascus", "SYR", "2024-12-05T18:00:00Z", 0.6, "true"),
        Scored("toll-rise", "killed", "SYR", "2024-12-05T18:00:00Z", 0.7, "false"),
        Scored("toll-rise", "killed", "SYR", "2024-12-06T18:00:00Z", 0.7, "open"),
    ]
    lines, overall = scorecard(rows)
    by = {line.pattern: line for line in lines}
    assert by["next-objective"].n == 2 and by["next-objective"].brier == pytest.approx((0.04 + 0.16) / 2)
    assert by["toll-rise"].n == 1 and by["toll-rise"].brier == pytest.approx(0.49) and by["toll-rise"].open == 1
    assert overall.n == 3 and overall.brier == pytest.approx((0.04 + 0.16 + 0.49) / 3, abs=1e-4)


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Test entry point."""

    register(app)
    return app


def test_scorecard_command_reports_per_pattern_and_overall(tmp_path) -> None:
    db = tmp_path / "s.db"
    with Store(db) as store, store.transaction() as conn:
        for n, (pattern, p, status) in enumerate([("next-objective", 0.8, "true"), ("toll-rise", 0.3, "false"), ("toll-rise", 0.6, "true")]):
            sql.insert_judgment(conn, id=f"{pattern}-{n}", story_id="st-1", subject=f"s{n}", pattern=pattern, kind="k",
                                theatre="SYR", made_at=f"2024-12-0{n + 1}", p=p, status=status, deadline="2024-12-20",
                                check=None, data="{}")
    result = CliRunner().invoke(_app(), ["scorecard", "--db", str(db), "--format", "json", "--no-settle"])
    assert result.exit_code == 0, result.output
    card = json.loads(result.output)
    patterns = {line["pattern"]: line for line in card["patterns"]}
    assert patterns["next-objective"]["brier"] == pytest.approx(0.04)
    assert patterns["toll-rise"]["brier"] == pytest.approx((0.09 + 0.16) / 2)
    assert card["overall"]["settled"] == 3
    text = CliRunner().invoke(_app(), ["scorecard", "--db", str(db), "--no-settle"])
    assert text.exit_code == 0 and "overall" in text.output and "toll-rise" in text.output


def two_briefs(kb: ActorKB) -> tuple[Assessment, Brief, Assessment, Any, Any]:
    """The sample story judged on three reports (its brief kept) and again a day later on four: the first
    assessment, its brief, the second assessment, and the situation and sources of the second."""
    before_src = sources(["a1", "a2", "a3"], kb)
    before_sit = build_situation("SYR", [], [], before_src, kb=kb, as_of=MADE)
    first = assess(story(["a1", "a2", "a3"]), before_sit, before_src, kb=kb, made_at=MADE)
    previous = Brief(story_id="st-sample", created=MADE, story=story(["a1", "a2", "a3"]))
    previous.story.implications = first.implications
    src = sources(["a1", "a2", "a3", "a4"], kb)
    sit = build_situation("SYR", [], [], src, kb=kb, as_of="2024-12-08T00:00:00Z")
    second = assess(story(["a1", "a2", "a3", "a4"]), sit, src, kb=kb, made_at="2024-12-08T00:00:00Z")
    return first, previous, second, sit, src


def test_what_changed_names_new_reports_developments_and_moved_judgments(kb: ActorKB) -> None:
    first, previous, second, sit, src = two_briefs(kb)
    lines = what_changed(
        previous, story(["a1", "a2", "a3", "a4"]), second.implications, situation=sit, sources=src,
        p_now={j.implication.id: j.p for j in second.judgments}, p_before={j.implication.id: j.p for j in first.judgments},
    )
    assert lines[0].startswith("1 new report (Wire D")
    assert any(line.startswith("Homs: control passed to HTS-led forces") for line in lines)
    assert any(line.startswith("Dropped") and "Homs" in line for line in lines)  # Homs is taken: no more forecast
    assert what_changed(None, story(["a1"]), []) == ["First brief on this story."]
    assert article("a4").outlet == "Wire D"


def test_a_stored_brief_read_in_part_gives_the_same_changes_as_read_whole(kb: ActorKB) -> None:
    from watchfloor.assess.changes import brief_seen
    from watchfloor.assess.stage import brief_from_json

    first, previous, second, sit, src = two_briefs(kb)
    previous.story.duplicates = {"a3-copy": "a3"}
    text = previous.to_json()
    whole, seen = brief_from_json(text), brief_seen(text)
    assert seen.created == whole.created and seen.story.article_ids == whole.story.article_ids
    assert set(seen.story.duplicates) == set(whole.story.duplicates) == {"a3-copy"}
    assert [(i.id, i.statement, i.likelihood, i.probability[0]) for i in seen.story.implications] == [
        (i.id, i.statement, i.likelihood, i.probability[0]) for i in whole.story.implications
    ]
    assert seen.story.implications, "the sample story has judgments to compare"
    kwargs = dict(situation=sit, sources=src, p_now={j.implication.id: j.p for j in second.judgments},
                  p_before={j.implication.id: j.p for j in first.judgments})
    lines = what_changed(whole, story(["a1", "a2", "a3", "a4"]), second.implications, **kwargs)
    assert lines and lines == what_changed(seen, story(["a1", "a2", "a3", "a4"]), second.implications, **kwargs)
