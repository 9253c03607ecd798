from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import run_cli, write_jsonl

from watchfloor.config import MAX_TEXT_CHARS
from watchfloor.ingest import Problem, read_paths
from watchfloor.ingest.files import normalise_date
from watchfloor.models import Article
from watchfloor.store import Store

GOOD = {"id": "g1", "text": "Rebels entered Aleppo on Friday.", "title": "Aleppo", "date": "2024-11-29T10:00:00Z"}


def items(*paths: Path) -> tuple[list[Article], list[Problem]]:
    got = list(read_paths(paths))
    return [i for i in got if isinstance(i, Article)], [i for i in got if isinstance(i, Problem)]


def test_bad_lines_are_reported_with_file_and_line_and_good_ones_kept(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text(
        "\n".join(
            [
                json.dumps(GOOD),
                "{not json",
                json.dumps({"id": "e", "text": "   "}),
                json.dumps({"id": "n", "text": 42}),
                json.dumps(["a", "list"]),
                json.dumps({"id": "g2", "text": "Second good report.", "date": "last Thursday"}),
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    articles, problems = items(path)
    assert [a.source_id for a in articles] == ["g1", "g2"]
    fatal = [p for p in problems if p.fatal]
    assert [p.where for p in fatal] == [f"{path}:2", f"{path}:3", f"{path}:4", f"{path}:5"]
    warning = [p for p in problems if not p.fatal]
    assert warning[0].where == f"{path}:6" and "unparseable date" in warning[0].message
    assert articles[1].date is None


def test_bylines_are_kept_and_stored(tmp_path: Path, db_path: Path) -> None:
    path = write_jsonl(tmp_path / "in.jsonl", [
        {**GOOD, "id": "a1", "author": "  Amina  Yusuf "},
        {"id": "a2", "text": "Second report.", "authors": ["Lena Brandt", "Omar Haddad", " "]},
        {"id": "a3", "text": "Third report.", "author": {"name": "x"}},
        {"id": "a4", "text": "Fourth report.", "author": "x" * 400},
    ])
    articles, problems = items(path)
    assert [a.author for a in articles] == ["Amina Yusuf", "Lena Brandt, Omar Haddad", None, None]
    assert [p.where for p in problems] == [f"{path}:3", f"{path}:4"] and not any(p.fatal for p in problems)
    assert "string or a list of strings" in problems[0].message

    csv_path = tmp_path / "in.csv"
    csv_path.write_text("body,byline\nFifth report.,Sam Okoro\n", encoding="utf-8")
    (from_csv,), _ = items(csv_path)
    assert from_csv.author == "Sam Okoro"

    with Store(db_path) as store:
        store.add_articles(articles + [from_csv])
        stored = {a.source_id: a.author for a in store.articles()}
    assert stored["a1"] == "Amina Yusuf" and stored["a2"] == "Lena Brandt, Omar Haddad" and stored["a3"] is None
    assert stored[None] == "Sam Okoro"


def test_oversized_text_is_refused_with_a_message(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "big.jsonl", [{"id": "big", "text": "x" * (MAX_TEXT_CHARS + 1)}, GOOD])
    articles, problems = items(path)
    assert len(articles) == 1
    assert "over the limit" in problems[0].message and problems[0].where.endswith(":1")


def test_dates_are_normalised() -> None:
    assert normalise_date("2024-11-29") == "2024-11-29"
    assert normalise_date("2024-11-29T12:00:00+02:00") == "2024-11-29T10:00:00Z"
    assert normalise_date("2024-11-29T12:00:00") == "2024-11-29T12:00:00"
    assert normalise_date("29/11/2024") is None


def test_text_markdown_html_and_json_files(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("# Floods in Valencia\n\nHeavy rain flooded towns near Valencia.\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("Protesters marched in Tbilisi on Thursday.", encoding="utf-8")
    (tmp_path / "c.html").write_text(
        "<html><head><title>T</title><script>evil()</script></head><body><article><h1>Goma</h1>"
        "<p>M23 fighters entered Goma on Monday, residents said, after days of fighting near the airport.</p>"
        "</article></body></html>",
        encoding="utf-8",
    )
    (tmp_path / "d.json").write_text(json.dumps([GOOD, {"text": "Another report."}]), encoding="utf-8")
    (tmp_path / "ignored.bin").write_bytes(b"\x00\x01")
    articles, problems = items(tmp_path)
    assert problems == []
    by_source = {a.source_id: a for a in articles}
    assert by_source["a.md"].title == "Floods in Valencia"
    assert "Valencia" in by_source["a.md"].text
    assert "Goma" in by_source["c.html"].text and "evil" not in by_source["c.html"].text
    assert len(articles) == 5


def test_missing_path_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    _, problems = items(tmp_path / "nope.jsonl")
    assert "no such file" in problems[0].message


def test_binary_garbage_and_broken_unicode_do_not_crash(tmp_path: Path) -> None:
    path = tmp_path / "garbage.jsonl"
    path.write_bytes(b"\xff\xfe\x00garbage\n" + json.dumps({"text": "ok \ud800 text"}).encode() + b"\n")
    articles, problems = items(path)
    assert len(problems) == 1 and len(articles) == 1
    assert "\ud800" not in articles[0].text


def test_cli_ingest_reports_and_exit_codes(tmp_path: Path, db_path: Path) -> None:
    good = write_jsonl(tmp_path / "good.jsonl", [GOOD, {"text": "broken"}, "string line"])
    result = run_cli("ingest", str(good), "--db", str(db_path))
    assert result.returncode == 0, result.stderr
    assert f"{good}:3" in result.stderr and "expected a JSON object" in result.stderr
    again = run_cli("ingest", str(good), "--db", str(db_path))
    assert again.returncode == 0  # re-ingesting what is stored is a success
    assert "0 new, 2 already stored" in again.stderr
    bad = write_jsonl(tmp_path / "bad.jsonl", [{"text": ""}, 5])
    failed = run_cli("ingest", str(bad), "--db", str(db_path))
    assert failed.returncode == 1 and "no valid article" in failed.stderr
    stats = run_cli("stats", "--format", "json", "--db", str(db_path))
    assert json.loads(stats.stdout)["articles"] == 2


def test_cli_reads_stdin(db_path: Path) -> None:
    result = run_cli("ingest", "-", "--db", str(db_path), input=json.dumps(GOOD) + "\n")
    assert result.returncode == 0, result.stderr
    with Store(db_path) as store:
        assert store.counts()["articles"] == 1


def test_db_defaults_to_environment(tmp_path: Path) -> None:
    env_db = tmp_path / "env.db"
    path = write_jsonl(tmp_path / "in.jsonl", [GOOD])
    assert run_cli("ingest", str(path), env={"WATCHFLOOR_DB": str(env_db)}).returncode == 0
    assert env_db.exists()


@pytest.mark.parametrize("fmt", ["yaml", "xml"])
def test_stats_rejects_unknown_format(db_path: Path, fmt: str) -> None:
    result = run_cli("stats", "--format", fmt, "--db", str(db_path))
    assert result.returncode == 2
