"""The Dask engine gives exactly the local engine's output (skipped when the optional extra is missing)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CORPUS, run_cli

pytest.importorskip("distributed")


def corpus_lines(limit: int = 40) -> list[str]:
    lines = [line for path in sorted(CORPUS.glob("*.jsonl")) for line in path.read_text(encoding="utf-8").splitlines()]
    return [line for line in lines if line.strip()][:limit] + ["not json", json.dumps({"id": "empty", "text": "  "})]


@pytest.mark.slow
def test_extract_with_dask_equals_local(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(corpus_lines()) + "\n", encoding="utf-8")
    local, dask = tmp_path / "local.jsonl", tmp_path / "dask.jsonl"
    first = run_cli("extract", "--input", str(source), "--output", str(local))
    assert first.returncode == 0, first.stderr
    second = run_cli("extract", "--input", str(source), "--output", str(dask), "--engine", "dask")
    assert second.returncode == 0, second.stderr
    local_records = [json.loads(line) for line in local.read_text(encoding="utf-8").splitlines()]
    dask_records = [json.loads(line) for line in dask.read_text(encoding="utf-8").splitlines()]
    assert len(local_records) == 42
    assert sum(len(r.get("events", [])) for r in local_records) > 40
    assert dask_records == local_records


@pytest.mark.slow
def test_ingest_with_dask_stores_the_same_events(tmp_path: Path) -> None:
    files = sorted(CORPUS.glob("syria.jsonl"))
    local_db, dask_db = tmp_path / "local.db", tmp_path / "dask.db"
    assert run_cli("ingest", *map(str, files), "--db", str(local_db)).returncode == 0
    result = run_cli("ingest", *map(str, files), "--db", str(dask_db), "--engine", "dask")
    assert result.returncode == 0, result.stderr

    from watchfloor.store import Store

    def events(path: Path) -> list[str]:
        with Store(path) as store:
            return [r[0] for r in store.conn.execute("SELECT json FROM events ORDER BY id")]

    local_events = events(local_db)
    assert local_events and events(dask_db) == local_events
