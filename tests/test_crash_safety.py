"""A process killed with SIGKILL mid-ingest leaves a consistent database; a rerun stores every article once."""

from __future__ import annotations

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
