"""The quality gate: the real analyser over the labelled sets must not fall below the pinned floors.

``tests/data/events/baseline.json`` pins, per data set, the metrics measured when the floors were last raised.
A metric may drop by at most ``TOLERANCE`` below its floor. Floors only go up: when a change improves a metric,
raise its floor in the same commit; never lower one to make a change pass.

The sets: ``dev.jsonl`` and ``dev2.jsonl`` (labelled snippets, read while developing the rules), ``test.jsonl`` and
``test2.jsonl`` (held-out snippets by two other authors, never read or used for tuning) and ``articles.jsonl``
(whole labelled articles, which also score figures, dates and quotes).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from watchfloor.analyze.evaluate import EventEvalReport, evaluate_events, format_report

DATA = Path(__file__).resolve().parent / "data" / "events"
BASELINE = DATA / "baseline.json"
TOLERANCE = 0.01
SETS = {
    "dev": "dev.jsonl",
    "dev2": "dev2.jsonl",
    "test": "test.jsonl",
    "test2": "test2.jsonl",
    "articles": "articles.jsonl",
}


@pytest.fixture(scope="module")
def analyzer():  # type: ignore[no-untyped-def]
    from watchfloor.analyze.pipeline import Analyzer

    return Analyzer()


@pytest.fixture(scope="module")
def baseline() -> dict[str, dict[str, float]]:
    data = json.loads(BASELINE.read_text(encoding="utf-8"))
    return {name: floors for name, floors in data.items() if name in SETS}


_reports: dict[str, EventEvalReport] = {}


def _report(name: str, analyzer) -> EventEvalReport:  # type: ignore[no-untyped-def]
    if name not in _reports:
        _reports[name] = evaluate_events(DATA / SETS[name], analyzer)
    return _reports[name]


def test_baseline_file_is_well_formed(baseline: dict[str, dict[str, float]]) -> None:
    assert set(baseline) == set(SETS), f"baseline.json must pin floors for {sorted(SETS)}"
    for name, floors in baseline.items():
        assert floors, f"no floors for {name}"
        for metric, value in floors.items():
            assert isinstance(value, (int, float)) and 0.0 <= value <= 1.0, (name, metric, value)


@pytest.mark.slow
@pytest.mark.parametrize("name", sorted(SETS))
def test_metrics_stay_above_their_floors(name: str, analyzer, baseline: dict[str, dict[str, float]]) -> None:  # type: ignore[no-untyped-def]
    path = DATA / SETS[name]
    assert path.exists(), f"labelled data {path} is missing"
    report = _report(name, analyzer)
    measured = report.metrics()
    drops = []
    for metric, floor in baseline[name].items():
        if metric not in measured:
            drops.append(f"{metric}: not measured (floor {floor:.4f})")
        elif measured[metric] < floor - TOLERANCE:
            drops.append(f"{metric}: {measured[metric]:.4f} < floor {floor:.4f} - {TOLERANCE}")
    assert not drops, f"{name} fell below its floors:\n" + "\n".join(drops) + "\n\n" + format_report(report)


@pytest.mark.slow
def test_main_events_are_grounded_in_their_text(analyzer) -> None:  # type: ignore[no-untyped-def]
    """Every event's evidence is an exact span of its article, whatever else the metrics say."""
    from watchfloor.analyze.evaluate import read_records, to_article

    for index, record in enumerate(read_records(DATA / SETS["articles"])):
        article = to_article(record, index)
        for event in analyzer(article).events:
            ev = event.evidence
            assert article.text[ev.start : ev.end] == ev.text
