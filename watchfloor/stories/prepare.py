"""The per-report work before clustering, optionally shared with a second process.

Tokenising, shingling, MinHash band keys and hashed term counts depend on one report at a time, and they are
about half of what dedup and clustering cost. On a machine with two cores or more, a large batch is cut in
two: a worker process prepares the second half, reading the texts from the database itself, while this
process prepares the first; the results are the same numbers either way, so the split never changes a story.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from watchfloor.stories.dedup import band_keys_many, shingles_of
from watchfloor.stories.features import AnalysisKeys, analysis_features, content_terms, term_matrix, tokens
from watchfloor.workers import SecondProcess

PARALLEL_MIN = 2000  # reports in a batch before a worker process is worth its start and its pickling


@dataclass(slots=True)
class Prepared:
    """For each report, in order: shingle hashes, LSH band keys, hashed term indices and counts, and (when
    asked for) the keys clustering takes from its analysis."""

    ids: list[str] = field(default_factory=list)
    shingles: list[np.ndarray] = field(default_factory=list)
    bands: list[list[int]] = field(default_factory=list)
    term_indices: list[np.ndarray] = field(default_factory=list)
    term_counts: list[np.ndarray] = field(default_factory=list)
    analysis_keys: dict[str, AnalysisKeys] = field(default_factory=dict)  # by report id

    def extend(self, other: Prepared) -> None:
        self.ids.extend(other.ids)
        self.shingles.extend(other.shingles)
        self.bands.extend(other.bands)
        self.term_indices.extend(other.term_indices)
        self.term_counts.extend(other.term_counts)
        self.analysis_keys.update(other.analysis_keys)


# The stored analyses of some reports: id -> extract record (as ``watchfloor.store.stories.load_analyses``).
AnalysisLoader = Callable[[Sequence[str]], dict[str, dict[str, Any]]]


def _keys_of(ids: Sequence[str], load: AnalysisLoader) -> dict[str, AnalysisKeys]:
    """Analysis keys of every report (those without a stored analysis get empty ones, as clustering expects)."""
    records = load(ids)
    return {i: analysis_features(records.get(i)) for i in ids}


def prepare(reports: Sequence[tuple[str, str | None, str]]) -> Prepared:
    """Prepare (id, title, text) reports."""
    out = Prepared()
    if not reports:
        return out
    words = [tokens(text) for _, _, text in reports]
    out.ids = [r[0] for r in reports]
    out.shingles = [shingles_of(w) for w in words]
    out.bands = band_keys_many(out.shingles)
    # The title counts twice: it is the outlet's own summary of what the report is about.
    matrix = term_matrix(
        [
            content_terms(tokens(title or "")) * 2 + content_terms(w)
            for (_, title, _), w in zip(reports, words, strict=True)
        ]
    )
    matrix.sort_indices()
    for i in range(len(reports)):
        lo, hi = matrix.indptr[i], matrix.indptr[i + 1]
        out.term_indices.append(matrix.indices[lo:hi].astype(np.int32))
        out.term_counts.append(matrix.data[lo:hi].astype(np.float32))
    return out


def _read_analyses(conn: sqlite3.Connection, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        marks = ",".join("?" * len(chunk))
        for article_id, text in conn.execute(
            f"SELECT article_id, json FROM analyses WHERE article_id IN ({marks})", chunk
        ):
            out[article_id] = json.loads(text)
    return out


def prepare_from_db(db_path: str, ids: list[str], with_analyses: bool = False) -> Prepared:
    """Prepare reports read from a database (what the worker process runs; read-only access)."""
    conn = sqlite3.connect(f"{Path(db_path).resolve().as_uri()}?mode=ro", uri=True)
    try:
        found: dict[str, tuple[str | None, str]] = {}
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            for article_id, title, text in conn.execute(
                f"SELECT id, title, text FROM articles WHERE id IN ({marks})", chunk
            ):
                found[article_id] = (title, text)
        out = prepare([(i, *found[i]) for i in ids if i in found])
        if with_analyses:
            # Only the reports whose analysis it found: the caller reads the others itself (one written in a
            # transaction it has not committed yet is visible to it, not to this process).
            records = _read_analyses(conn, out.ids)
            out.analysis_keys = {i: analysis_features(r) for i, r in records.items()}
    finally:
        conn.close()
    return out


_worker = SecondProcess("WATCHFLOOR_STORY_WORKERS")


def prepare_batch(
    db_path: Path, reports: Sequence[tuple[str, str | None, str]], analyses: AnalysisLoader | None = None
) -> Prepared:
    """Prepare a batch, sharing it with the worker process when it is large enough.

    With ``analyses`` (how this process reads stored analyses), the analysis keys of every report are taken
    too: the worker reads and parses those of its half itself, which takes that work off this process (parsing
    the JSON records was most of what loading a batch for clustering cost)."""
    pool = _worker.pool() if len(reports) >= PARALLEL_MIN else None
    if pool is None:
        return _prepare_here(reports, analyses)
    half = len(reports) // 2
    try:
        future = pool.submit(prepare_from_db, str(db_path), [r[0] for r in reports[half:]], analyses is not None)
    except (BrokenProcessPool, RuntimeError, OSError):
        _worker.give_up()
        return _prepare_here(reports, analyses)
    out = _prepare_here(reports[:half], analyses)
    try:
        other = future.result()
    except (BrokenProcessPool, OSError):
        _worker.give_up()
        other = _prepare_here(reports[half:], analyses)
    if len(other.ids) != len(reports) - half:
        other = _prepare_here(reports[half:], analyses)  # the worker could not read them all: do them here
    out.extend(other)
    if analyses is not None:
        missing = [i for i in out.ids if i not in out.analysis_keys]
        if missing:
            out.analysis_keys.update(_keys_of(missing, analyses))
    return out


def _prepare_here(reports: Sequence[tuple[str, str | None, str]], analyses: AnalysisLoader | None) -> Prepared:
    out = prepare(reports)
    if analyses is not None:
        out.analysis_keys = _keys_of(out.ids, analyses)
    return out
