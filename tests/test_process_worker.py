"""Analysis shared with a worker process stores exactly what one process stores."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import CORPUS

import watchfloor.process as process
from watchfloor.ingest.files import read_paths
from watchfloor.ingest.run import store_items
from watchfloor.store import Store


def analysed(db: Path) -> dict[str, list[tuple[object, ...]]]:
    """Every stored analysis, event and figure, in a stable order."""
    with Store(db) as store:
        store_items(store, read_paths(sorted(CORPUS.glob("*.jsonl"))), on_batch=lambda ids: process.analyze_articles(store, ids))
        conn = store.conn
        return {
            "analyses": list(conn.execute("SELECT article_id, language, json FROM analyses ORDER BY article_id")),
            "events": list(conn.execute("SELECT id, article_id, json FROM events ORDER BY id")),
            "figures": list(conn.execute("SELECT article_id, kind, value, json FROM figures ORDER BY article_id, json")),
        }


@pytest.mark.skipif((os.cpu_count() or 1) < 2, reason="the analysis worker needs a second core")
def test_a_batch_shared_with_the_worker_is_stored_as_one_process_stores_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(process, "ANALYSIS_PARALLEL_MIN", 2)
    monkeypatch.setenv("WATCHFLOOR_ANALYSIS_WORKERS", "0")
    alone = analysed(tmp_path / "alone.db")

    monkeypatch.setenv("WATCHFLOOR_ANALYSIS_WORKERS", "1")
    monkeypatch.setattr(process, "_analysis_worker_enabled", False)
    assert process._start_analysis_worker() is None, "library callers share only when they ask"
    process.share_analysis_with_a_worker()
    assert process._start_analysis_worker() is not None
    submitted: list[int] = []
    pool = process._analysis_worker.started
    assert pool is not None
    submit = pool.submit

    def spy(fn, *args):  # type: ignore[no-untyped-def]
        if fn is process._analyze_in_worker:
            submitted.append(len(args[0]))
        return submit(fn, *args)

    monkeypatch.setattr(pool, "submit", spy)
    shared = analysed(tmp_path / "shared.db")

    assert submitted and sum(submitted) > 20, "the worker was given no articles"
    assert process._analysis_worker.started is pool and not process._analysis_worker.failed, "the worker failed"
    assert alone["events"] and len(alone["analyses"]) > 50
    assert shared == alone


def test_a_custom_analyzer_is_not_shared_with_the_worker(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The worker loads the default analyzer; articles given a custom one stay in this process."""
    monkeypatch.setattr(process, "ANALYSIS_PARALLEL_MIN", 2)
    monkeypatch.setattr(process, "_analysis_worker_enabled", True)

    def refuse(*args: object) -> None:
        raise AssertionError("a custom analyzer's articles went to the worker")

    refusing = type("Pool", (), {"submit": staticmethod(refuse)})()
    monkeypatch.setattr(process._analysis_worker, "_pool", refusing)
    analyzer = process.Analyzer()
    with Store(tmp_path / "custom.db") as store:
        report = store_items(
            store, read_paths([CORPUS / "syria.jsonl"]), on_batch=lambda ids: process.analyze_articles(store, ids, analyzer)
        )
        assert report.new > 2
        assert store.conn.execute("SELECT count(*) FROM analyses").fetchone()[0] == report.new
