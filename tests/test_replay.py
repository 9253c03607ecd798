"""Replay: the sample corpus fed day by day in date order through the real pipeline.

Judgments made after Aleppo and Hama fell are settled by the later Homs and Damascus reports; the scorecard
reports Brier per pattern; every story with two or more reports gets at least three grounded implications of
three kinds; the brief reads implications first, then the headline, then the article.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import typer
from conftest import CORPUS
from typer.testing import CliRunner

from watchfloor.assess.linter import NameIndex, lint
from watchfloor.assess.stage import AssessStats, assess_stories, store_scorecard
from watchfloor.cli.assess_cmd import register
from watchfloor.ingest import read_paths, store_items
from watchfloor.models import Article
from watchfloor.process import analyze_articles
from watchfloor.store import Store
from watchfloor.store import assess as sql
from watchfloor.stories.stage import load_story, update_stories

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def replay(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, AssessStats]:
    from watchfloor.analyze.pipeline import Analyzer

    db = tmp_path_factory.mktemp("replay") / "replay.db"
    items = [a for a in read_paths(sorted(str(p) for p in CORPUS.glob("*.jsonl"))) if isinstance(a, Article)]
    by_day: dict[str, list[Article]] = defaultdict(list)
    for a in sorted(items, key=lambda a: (a.date or "", a.id)):
        by_day[(a.date or "")[:10]].append(a)
    analyzer = Analyzer()
    stats = AssessStats()
    with Store(db) as store:
        for day in sorted(by_day):
            new = store_items(store, iter(by_day[day])).new_ids
            analyze_articles(store, new, analyzer)
            touched = update_stories(store, new, [])
            assess_stories(store, new, touched, stats=stats)
    return db, stats


def _rows(db: Path) -> list[sql.JudgmentRow]:
    with Store(db) as store:
        return sql.all_judgments(store.conn)


def test_judgments_after_aleppo_and_hama_are_settled_by_homs_and_damascus(replay: tuple[Path, AssessStats]) -> None:
    db, stats = replay
    assert stats.errors == []
    rows = [r for r in _rows(db) if r.theatre == "SYR"]
    homs = [r for r in rows if r.pattern == "next-objective" and r.subject.endswith(":Homs")]
    damascus = [r for r in rows if r.pattern == "next-objective" and r.subject.endswith(":Damascus") and r.made_at < "2024-12-08"]
    assert homs and damascus
    # Made after Hama fell (5 December), before the reports of Homs (7 December) and Damascus (8 December) came in.
    assert any("2024-12-05" <= r.made_at[:10] <= "2024-12-06" for r in homs)
    for r in homs:
        assert r.status == "true" and r.resolved_at == "2024-12-07", r
        assert r.data["resolution"]["status"] == "true" and r.data["resolution"]["resolved_by"]
        assert "Homs" in r.data["resolution"]["resolved_by"][0]["text"]
    for r in damascus:
        assert r.status == "true" and r.resolved_at in ("2024-12-08", "2024-12-09"), r
    # Judgments made right after Aleppo (30 November) were settled by later captures too.
    after_aleppo = [r for r in rows if "2024-11-30" <= r.made_at[:10] < "2024-12-05" and r.pattern == "territorial-momentum"]
    assert after_aleppo and all(r.status == "true" for r in after_aleppo)
    scenario = [r for r in rows if r.pattern == "capital-falls" and r.status in ("true", "false")]
    assert scenario and all(r.status == "true" for r in scenario)


def test_scorecard_reports_brier_per_pattern_and_overall(replay: tuple[Path, AssessStats]) -> None:
    db, _ = replay
    with Store(db) as store:
        card = store_scorecard(store)
    overall = card["overall"]
    assert overall["settled"] >= 50 and overall["brier"] is not None
    assert 0.0 <= overall["brier"] < 0.35
    lines = {line["pattern"]: line for line in card["patterns"]}
    assert lines["next-objective"]["settled"] >= 4 and lines["next-objective"]["brier"] < 0.15
    for line in lines.values():
        if line["settled"]:
            assert 0.0 <= line["brier"] <= 1.0


def test_every_story_with_two_reports_gets_three_grounded_implications_of_three_kinds(replay: tuple[Path, AssessStats]) -> None:
    db, _ = replay
    from watchfloor.assess.stage import default_kb

    kb = default_kb()
    checked = 0
    with Store(db) as store:
        ids = [r[0] for r in store.conn.execute("SELECT id FROM stories")]
        for sid in ids:
            story = load_story(store, sid)
            assert story is not None
            reports = len(story.article_ids) + len(story.duplicates)
            cited = {r.article_id for imp in story.implications for r in imp.evidence} | set(story.article_ids)
            texts = {a: store.get_article(a).text for a in cited if store.get_article(a)}  # type: ignore[union-attr]
            names = NameIndex(texts.values(), kb)
            for imp in story.implications:
                assert lint(imp, texts, names) == [], (sid, imp.statement)
            if reports >= 2:
                kinds = Counter(i.kind for i in story.implications)
                assert len(story.implications) >= 3 and len(kinds) >= 3, (sid, story.headline, dict(kinds))
                checked += 1
    assert checked >= 8


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Test entry point."""

    register(app)
    return app


def test_brief_reads_implications_first_then_headline_then_article(replay: tuple[Path, AssessStats]) -> None:
    db, _ = replay
    result = CliRunner().invoke(_app(), ["assess", "--db", str(db), "--format", "md"])
    assert result.exit_code == 0, result.output
    text = result.output
    with Store(db) as store:
        from watchfloor.store import stories as story_sql

        top = load_story(store, story_sql.story_ids_by_size(store.conn, 1)[0])
        briefs = sql.briefs_of(store.conn, top.id)  # type: ignore[union-attr]
    assert top is not None and top.implications
    assert text.index("## Implications") < text.index(top.headline.split()[0]) < text.index(top.sections[0].heading)
    assert top.implications[0].statement.split(",")[0][:30] in text.replace("\\", "")
    assert len(briefs) >= 3
    latest = json.loads(briefs[-1])
    assert latest["changes"] and "What changed since the previous brief" in text
    situation = CliRunner().invoke(_app(), ["situation", "SYR", "--db", str(db)])
    state = json.loads(situation.output)
    assert {"Aleppo", "Hama", "Homs"} <= {c["place"] for c in state["control"]}
    assert state["front_line"] and state["alignments"]
