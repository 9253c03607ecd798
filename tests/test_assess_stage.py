"""The assessment stage reads each report once per process: a warm run writes what a cold one writes.

Reports and what the situation builder derives from their text are kept between batches (``situation.load``);
these tests feed the same reports day by day into two stores, one with everything kept and one with the
process cache emptied before every batch, and compare every row the stage wrote.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from pathlib import Path

import pytest
from conftest import CORPUS

from watchfloor.analyze.pipeline import Analyzer
from watchfloor.assess.stage import AssessStats, assess_stories
from watchfloor.ingest import read_paths, store_items
from watchfloor.models import Article
from watchfloor.process import analyze_articles
from watchfloor.situation import load
from watchfloor.store import Store
from watchfloor.stories.stage import update_stories

# Clock times the story writer stamps; they differ between two runs by design.
_CLOCK = re.compile(r'"(first_seen|updated)":\s*"[^"]*"')


def _replay(db: Path, *, cold: bool, analyzer: Analyzer) -> tuple[list[str], AssessStats]:
    items = [a for f in ("syria.jsonl", "sudan.jsonl") for a in read_paths([str(CORPUS / f)]) if isinstance(a, Article)]
    by_day: dict[str, list[Article]] = defaultdict(list)
    for a in sorted(items, key=lambda a: (a.date or "", a.id)):
        by_day[(a.date or "")[:10]].append(a)
    stats = AssessStats()
    with Store(db) as store:
        for day in sorted(by_day):
            if cold:
                load._caches.pop(store, None)
            new = store_items(store, iter(by_day[day])).new_ids
            analyze_articles(store, new, analyzer)
            touched = update_stories(store, new, [])
            assess_stories(store, new, touched, stats=stats)
        rows = []
        for table, columns in (
            ("implications", "id, story_id, subject, pattern, kind, theatre, made_at, p, current, status, deadline, resolved_at, check_json, json"),
            ("briefs", "story_id, created, json"),
            ("control", "theatre, place, lat, lon, controller, since, contested_by, json"),
            ("alignments", "theatre, source, kind, target, date, origin, json"),
            ("situation_state", "theatre, as_of, json"),
            ("stories", "id, json"),
        ):
            for row in store.conn.execute(f"SELECT {columns} FROM {table}"):
                rows.append(table + "\t" + _CLOCK.sub(r'"\1": ""', json.dumps(list(row), ensure_ascii=False)))
    return sorted(rows), stats


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[tuple[list[str], AssessStats], tuple[list[str], AssessStats]]:
    analyzer = Analyzer()
    base = tmp_path_factory.mktemp("stage")
    return _replay(base / "warm.db", cold=False, analyzer=analyzer), _replay(base / "cold.db", cold=True, analyzer=analyzer)


def test_a_warm_run_writes_exactly_what_a_cold_run_writes(runs) -> None:
    (warm, warm_stats), (cold, cold_stats) = runs
    assert warm_stats.errors == [] and cold_stats.errors == []
    kinds = {row.split("\t", 1)[0] for row in warm}
    assert {"implications", "briefs", "control", "alignments", "situation_state"} <= kinds
    assert warm_stats.implications > 0 and warm_stats.implications == cold_stats.implications
    assert warm == cold


def test_reports_are_kept_once_per_store(runs, tmp_path: Path) -> None:
    # A store of its own never sees another store's reports.
    with Store(tmp_path / "empty.db") as store:
        assert load.load_theatre(store, "SYR", "2024-12-09").sources.docs == {}


def test_a_failing_theatre_leaves_nothing_behind_and_the_others_are_written(tmp_path: Path, monkeypatch) -> None:
    # One transaction per batch, a savepoint per theatre.
    from watchfloor.assess import stage

    items = [a for f in ("syria.jsonl", "sudan.jsonl") for a in read_paths([str(CORPUS / f)]) if isinstance(a, Article)]
    real_write = stage._write

    def failing_write(conn, theatre, *args, **kwargs):
        real_write(conn, theatre, *args, **kwargs)
        if theatre == "SDN":
            raise RuntimeError("disk on fire")

    monkeypatch.setattr(stage, "_write", failing_write)
    stats = AssessStats()
    with Store(tmp_path / "fail.db") as store:
        new = store_items(store, iter(items)).new_ids
        analyze_articles(store, new, Analyzer())
        touched = update_stories(store, new, [])
        assess_stories(store, new, touched, stats=stats)
        assert not store.conn.in_transaction
        theatres = dict(store.conn.execute("SELECT theatre, count(*) FROM implications GROUP BY theatre").fetchall())
        briefed = {r[0] for r in store.conn.execute(
            "SELECT ss.theatre FROM briefs b JOIN story_state ss ON ss.story_id = b.story_id")}
        states = {r[0] for r in store.conn.execute("SELECT theatre FROM situation_state")}
    assert any("SDN" in e and "disk on fire" in e for e in stats.errors)
    assert theatres.get("SYR", 0) > 0 and "SDN" not in theatres
    assert "SYR" in briefed and "SDN" not in briefed
    assert "SYR" in states and "SDN" not in states
