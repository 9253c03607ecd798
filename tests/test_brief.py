"""``watchfloor brief``: the whole pipeline over an input file, written as JSON, Markdown or HTML."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import typer
from conftest import CORPUS, write_jsonl
from typer.testing import CliRunner

from watchfloor.cli.brief_cmd import register
from watchfloor.ingest import read_paths
from watchfloor.models import Article
from watchfloor.report.common import cited_sentences
from watchfloor.report.json import story_dict
from watchfloor.store import Store
from watchfloor.stories.stage import load_story

STORY_KEYS = [
    "id", "headline", "lede", "situation", "article_ids", "duplicates", "first_seen", "updated", "implications",
    "sections", "events", "figures", "quotes", "timeline", "actors", "places",
]  # fmt: skip

runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """Test entry point."""

    register(app)
    return app


def _brief(*args: str) -> tuple[int, str]:
    result = runner.invoke(_app(), ["brief", *args])
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def syria_input(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return CORPUS / "syria.jsonl"


@pytest.fixture(scope="module")
def syria_json(syria_input: Path, tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    out = tmp_path_factory.mktemp("brief") / "brief.json"
    code, output = _brief("--input", str(syria_input), "--output", str(out), "--format", "json")
    assert code == 0, output
    return json.loads(out.read_text(encoding="utf-8"))


def test_json_has_exactly_the_brief_format(syria_json: dict[str, object], syria_input: Path) -> None:
    assert list(syria_json) == ["stories"]
    stories = syria_json["stories"]
    assert isinstance(stories, list) and stories
    texts = {a.id: a.text for a in read_paths([syria_input]) if isinstance(a, Article)}
    seen: set[str] = set()
    for story in stories:
        assert list(story) == STORY_KEYS
        wanted = {"id", "kind", "statement", "likelihood", "probability", "confidence", "evidence"}
        for implication in story["implications"]:
            assert wanted <= set(implication)
        assert not set(story["article_ids"]) & set(story["duplicates"])
        seen.update(story["article_ids"])
        seen.update(story["duplicates"])
        for section in story["sections"]:
            assert list(section) == ["heading", "paragraphs"]
            for paragraph in section["paragraphs"]:
                assert list(paragraph) == ["text", "citations"]
                parts = []
                for c in paragraph["citations"]:
                    assert list(c) == ["article_id", "start", "end"]
                    parts.append(texts[c["article_id"]][c["start"] : c["end"]])
                assert " ".join(parts) == paragraph["text"]
        for entry in story["timeline"]:
            assert list(entry) == ["date", "text", "event_ids"]
        for actor in story["actors"]:
            assert list(actor) == ["id", "name", "type", "country"]
        for place in story["places"]:
            assert list(place) == ["name", "lat", "lon", "country", "admin1"]
        for event in story["events"]:
            assert event["article_id"] in story["article_ids"]
    # Every input report is in exactly one story, as a source or as a copy.
    assert seen == set(texts)


def test_syndicated_copies_are_folded(syria_json: dict[str, object]) -> None:
    folded = {k: v for s in syria_json["stories"] for k, v in s["duplicates"].items()}  # type: ignore[union-attr]
    assert len(folded) == 2 and len(set(folded.values())) == 1


def test_markdown_follows_the_reference_layout(syria_input: Path, tmp_path: Path) -> None:
    out = tmp_path / "brief.md"
    code, output = _brief("--input", str(syria_input), "--output", str(out), "--format", "md")
    assert code == 0, output
    text = out.read_text(encoding="utf-8")
    first = text.split("\n---\n")[0]
    order = [
        first.index("## Implications"),
        first.index("\n# "),
        first.index("\n## ", first.index("\n# ")),
        first.index("## Sources"),
    ]
    assert order == sorted(order)
    if "## Timeline" in first:
        assert first.index("## Timeline") < first.index("## Sources")
    # Every article sentence ends with the number of its source.
    body = first[order[2] : first.index("## Figures") if "## Figures" in first else first.index("## Sources")]
    assert re.search(r"\[\d+\]", body)


def test_html_is_escaped_and_self_contained(tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.jsonl"
    evil = "<script>alert('x')</script>"
    write_jsonl(
        hostile,
        [
            {
                "id": "h1",
                "title": f"Officials deny {evil} report",
                "date": "2025-02-01T10:00:00Z",
                "url": "javascript:alert(1)",
                "outlet": "<b>Bad Outlet</b>",
                "text": (
                    f"Officials in the capital said on Monday that a page showing {evil} had been removed from the "
                    "ministry website after a complaint from readers. The ministry said the page was online for "
                    "several hours before engineers noticed and took it down on Monday evening."
                ),
            }
        ],
    )
    out = tmp_path / "brief.html"
    code, output = _brief("--input", str(hostile), "--output", str(out), "--format", "html")
    assert code == 0, output
    html = out.read_text(encoding="utf-8")
    assert "<script" not in html.lower() and "&lt;script&gt;" in html
    assert "<b>Bad Outlet</b>" not in html and "&lt;b&gt;Bad Outlet&lt;/b&gt;" in html
    assert "javascript:" not in html
    assert not re.search(r"<(?:link|img|iframe|object|embed)\b", html, re.I)
    assert "@import" not in html and " src=" not in html


def test_html_renders_the_corpus(syria_input: Path, tmp_path: Path) -> None:
    out = tmp_path / "brief.html"
    code, output = _brief("--input", str(syria_input), "--output", str(out), "--format", "html", "--limit", "2")
    assert code == 0, output
    html = out.read_text(encoding="utf-8")
    assert html.count("<article") == 2
    assert html.index("Implications") < html.index("<h1>") < html.index("Sources")
    assert re.search(r'<sup><a href="#story-1-src\d+">\[\d+\]</a></sup>', html)


def test_db_option_keeps_the_store(syria_input: Path, tmp_path: Path) -> None:
    db = tmp_path / "kept.db"
    code, output = _brief("--input", str(syria_input), "--output", str(tmp_path / "b.json"), "--db", str(db))
    assert code == 0, output
    with Store(db) as store:
        assert store.counts()["stories"] >= 1
        sid = store.conn.execute("SELECT id FROM stories ORDER BY n_reports DESC LIMIT 1").fetchone()[0]
        story = load_story(store, sid)
        assert story is not None
        assert list(story_dict(story)) == STORY_KEYS
        for section in story.sections:
            for paragraph in section.paragraphs:
                assert len(cited_sentences(paragraph)) == len(paragraph.citations)
    # Running again on the same store adds nothing and gives the same stories.
    first = json.loads((tmp_path / "b.json").read_text(encoding="utf-8"))
    code, output = _brief("--input", str(syria_input), "--output", str(tmp_path / "c.json"), "--db", str(db))
    assert code == 0, output
    assert json.loads((tmp_path / "c.json").read_text(encoding="utf-8")) == first


def test_bad_arguments(tmp_path: Path) -> None:
    code, _ = _brief("--input", str(tmp_path / "missing.jsonl"), "--output", str(tmp_path / "x.json"))
    assert code != 0
    code, _ = _brief("--input", str(CORPUS / "syria.jsonl"), "--output", str(tmp_path / "x.pdf"), "--format", "pdf")
    assert code != 0


def test_real_command_line(tmp_path: Path) -> None:
    """Through the installed entry point, once the lead has registered the command in cli/main.py."""
    from conftest import run_cli

    from watchfloor.cli.main import app

    if "brief" not in {c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands}:
        pytest.skip("brief is not registered in watchfloor.cli.main yet")
    out = tmp_path / "b.json"
    result = run_cli("brief", "--input", str(CORPUS / "drc.jsonl"), "--output", str(out))
    assert result.returncode == 0, result.stderr
    assert json.loads(out.read_text(encoding="utf-8"))["stories"]
