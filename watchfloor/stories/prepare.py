"""The per-report work before clustering, optionally shared with a second process.

Tokenising, shingling, MinHash band keys and hashed term counts depend on one report at a time, and they are
about half of what dedup and clustering cost. On a machine with two cores or more, a large batch is cut in
two: a worker process prepares the second half, reading the texts from the database itself, while this
process prepares the first; the results are the same numbers either way, so the split never changes a story.
"""

from __future__ import annotations

import multiprocessing
import os
import sqlite3
from collections.abc import Sequence
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from watchfloor.stories.dedup import band_keys_many, shingles_of
from watchfloor.stories.features import content_terms, term_matrix, tokens

PARALLEL_MIN = 2000  # reports in a batch before a worker process is worth its start and its pickling


@dataclass(slots=True)
class Prepared:
    """For each report, in order: shingle hashes, LSH band keys, hashed term indices and counts."""

    ids: list[str] = field(default_factory=list)
    shingles: list[np.ndarray] = field(default_factory=list)
    bands: list[list[int]] = field(default_factory=list)
    term_indices: list[np.ndarray] = field(default_factory=list)
    term_counts: list[np.ndarray] = field(default_factory=list)

    def extend(self, other: Prepared) -> None:
        self.ids.extend(other.ids)
        self.shingles.extend(other.shingles)
        self.bands.extend(other.bands)
        self.term_indices.extend(other.term_indices)
        self.term_counts.extend(other.term_counts)


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


def prepare_from_db(db_path: str, ids: list[str]) -> Prepared:
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
    finally:
        conn.close()
    return prepare([(i, *found[i]) for i in ids if i in found])


_pool: Executor | None = None
_failed = False  # a worker that could not start or died: this process prepares everything itself from then on


def _worker_pool() -> Executor | None:
    """One worker process, started on first use, when there is a second core and it is not switched off."""
    global _pool
    if _failed or os.environ.get("WATCHFLOOR_STORY_WORKERS", "1") == "0" or (os.cpu_count() or 1) < 2:
        return None
    if _pool is None:
        # forkserver: the worker starts from a clean interpreter, not from a copy of this process and its
        # open database connections.
        method = "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"
        _pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context(method))
    return _pool


def _give_up() -> None:
    global _pool, _failed
    _failed = True
    if _pool is not None:
        _pool.shutdown(wait=False, cancel_futures=True)
    _pool = None


def prepare_batch(db_path: Path, reports: Sequence[tuple[str, str | None, str]]) -> Prepared:
    """Prepare a batch, sharing it with the worker process when it is large enough."""
    pool = _worker_pool() if len(reports) >= PARALLEL_MIN else None
    if pool is None:
        return prepare(reports)
    half = len(reports) // 2
    try:
        future = pool.submit(prepare_from_db, str(db_path), [r[0] for r in reports[half:]])
    except (BrokenProcessPool, RuntimeError, OSError):
        _give_up()
        return prepare(reports)
    out = prepare(reports[:half])
    try:
        other = future.result()
    except (BrokenProcessPool, OSError):
        _give_up()
        other = prepare(reports[half:])
    if len(other.ids) != len(reports) - half:
        other = prepare(reports[half:])  # the worker could not read them all: do them here
    out.extend(other)
    return out
