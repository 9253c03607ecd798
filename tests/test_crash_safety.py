"""A process killed with SIGKILL mid-ingest leaves a consistent database; a rerun stores every article once."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import write_jsonl

from watchfloor.store import Store

N = 20000


def test_sigkill_midway_then_rerun_stores_each_article_exactly_once(tmp_path: Path, db_path: Path) -> None:
    records = [{"id": f"r{i}", "text": f"Report number {i} about shelling near Kharkiv. " * 20} for i in range(N)]
    path = write_jsonl(tmp_path / "many.jsonl", records)
    command = [sys.executable, "-m", "watchfloor", "ingest", str(path), "--db", str(db_path), "--batch-size", "50", "--no-analyze"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    # Wait until some batches are committed, then kill without warning.
    deadline = time.monotonic() + 120
    stored = 0
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
        if db_path.exists():
            try:
                with Store(db_path, read_only=True) as store:
                    stored = store.counts()["articles"]
            except Exception:
                continue
            if stored >= 200:
                break
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with Store(db_path) as store:
        assert store.integrity_ok()
        partial = store.counts()["articles"]
        print(f"killed after {partial} of {N} articles")
        # Only whole batches land.
        assert 0 < partial < N, "the kill must land mid-way for this test to mean anything"
        assert partial % 50 == 0
    rerun = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr
    with Store(db_path) as store:
        assert store.integrity_ok()
        assert store.counts()["articles"] == N
        ids = [r[0] for r in store.conn.execute("SELECT source_id FROM articles")]
        assert len(ids) == len(set(ids)) == N
        assert store.conn.execute("SELECT count(*) FROM articles_fts").fetchone()[0] == N


def test_sigkill_during_analysis_and_stories_then_rerun_leaves_every_story_consistent(tmp_path: Path, db_path: Path) -> None:
    from conftest import CORPUS

    base = [json.loads(line) for p in sorted(CORPUS.glob("*.jsonl")) for line in p.read_text(encoding="utf-8").splitlines()]
    records = []
    for copy in range(3):  # distinct texts (and ids) so nothing folds away as a copy of another round
        for r in base:
            records.append({**r, "id": f"{r['id']}-{copy}", "url": None, "text": f"(Edition {copy}.) {r['text']}"})
    path = write_jsonl(tmp_path / "corpus3.jsonl", records)
    command = [sys.executable, "-m", "watchfloor", "ingest", str(path), "--db", str(db_path), "--batch-size", "10"]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.1)
        try:
            with Store(db_path, read_only=True) as store:
                if store.counts()["stories"] >= 5:
                    break
        except Exception:
            continue
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    with Store(db_path) as store:
        stored = store.counts()["articles"]
        assert 0 < stored < len(records), "the kill must land mid-way for this test to mean anything"
    rerun = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert rerun.returncode == 0, rerun.stderr
    with Store(db_path) as store:
        conn = store.conn
        assert store.integrity_ok()
        n = store.counts()["articles"]
        assert n == len(records)
        assert conn.execute("SELECT count(*) FROM articles WHERE analyzed = 0").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM analyses").fetchone()[0] == n
        assert conn.execute("SELECT count(*) FROM stage_queue").fetchone()[0] == 0
        placed = conn.execute(
            "SELECT count(*) FROM articles a WHERE"
            " (SELECT count(*) FROM story_articles s WHERE s.article_id = a.id)"
            " + (SELECT count(*) FROM duplicates d WHERE d.article_id = a.id) = 1"
        ).fetchone()[0]
        assert placed == n, "every report is in exactly one story, or a copy of one that is"
        orphans = conn.execute(
            "SELECT count(*) FROM story_articles s WHERE NOT EXISTS (SELECT 1 FROM stories t WHERE t.id = s.story_id)"
        ).fetchone()[0]
        assert orphans == 0
        mismatched = conn.execute(
            "SELECT count(*) FROM stories t WHERE t.n_reports !="
            " (SELECT count(*) FROM story_articles s WHERE s.story_id = t.id)"
        ).fetchone()[0]
        assert mismatched == 0
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
