"""The incremental pipeline: what happens to newly stored articles.

``process_articles`` is called after each committed ingest batch (files, feeds, the demo). Each stage reads
what the previous one stored and writes its own results in its own transactions, so a crash at any point
leaves a store that a rerun of ``process_pending`` completes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Executor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from watchfloor.analyze.output import ANALYSIS_VERSION, extract_record
from watchfloor.analyze.pipeline import Analyzer
from watchfloor.models import Article, Event, Figure
from watchfloor.store import Store
from watchfloor.workers import SecondProcess

ANALYSIS_BATCH = 200
ANALYSIS_PARALLEL_MIN = 50  # articles in a batch before sharing it with the worker process is worth the pickling


@dataclass(slots=True)
class ProcessReport:
    analyzed: int = 0
    events: int = 0
    stories: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)


_default_analyzer: Analyzer | None = None


def default_analyzer() -> Analyzer:
    """One Analyzer per process: loading the knowledge base and gazetteer is the expensive part.

    Where analysis can share a second core, the worker process starts here too, so that it loads its own
    analyzer while this one loads."""
    global _default_analyzer
    if _default_analyzer is None:
        _start_analysis_worker()
        _default_analyzer = Analyzer()
    return _default_analyzer


# -- a second process for analysis ------------------------------------------------------------------------------
# An article's analysis depends on that article alone and comes out the same in any process, so on a machine with
# a second core a batch is cut in two: a worker process, with its own analyzer, analyses the second half while
# this process analyses the first, and this process writes both, in input order. The CLI's ingest and demo
# turn it on; library callers opt in with ``share_analysis_with_a_worker()``, because a worker
# process re-imports the caller's main module, which a script must guard with ``if __name__ == "__main__"``.
# It is used only with the default analyzer (a custom one, with its own knowledge files, stays in this process)
# and can be switched off with WATCHFLOOR_ANALYSIS_WORKERS=0. A worker that fails to start or dies is given up,
# and this process does all the work from then on.

_analysis_worker_enabled = False
_in_analysis_worker = False


def _analysis_worker_init() -> None:
    global _in_analysis_worker
    _in_analysis_worker = True
    default_analyzer()


_analysis_worker = SecondProcess("WATCHFLOOR_ANALYSIS_WORKERS", _analysis_worker_init)


def share_analysis_with_a_worker() -> None:
    """Share the default analyzer's batches with a worker process when there is a second core."""
    global _analysis_worker_enabled
    _analysis_worker_enabled = True
    if _default_analyzer is not None:
        _start_analysis_worker()


def _analysis_worker_wanted() -> bool:
    return _analysis_worker_enabled and not _in_analysis_worker and _analysis_worker.available()


def _start_analysis_worker() -> Executor | None:
    if not _analysis_worker_wanted():
        return None
    fresh = _analysis_worker.started is None
    pool = _analysis_worker.pool()
    if pool is not None and fresh:
        try:
            pool.submit(bool)  # start the worker (and its analyzer) now, not with the first batch
        except (BrokenProcessPool, RuntimeError, OSError):
            _analysis_worker.give_up()
            return None
    return pool


def _analyze_in_worker(articles: list[dict[str, Any]]) -> list[dict[str, Any]]:
    analyzer = default_analyzer()
    return [analysis_row(Article.from_dict(a), analyzer).to_json_dict() for a in articles]


def _analyze_batch(articles: list[Article], analyzer: Analyzer, share: bool) -> list[AnalysisRow]:
    wanted = share and len(articles) >= ANALYSIS_PARALLEL_MIN and _analysis_worker_wanted()
    pool = _analysis_worker.started if wanted else None
    if pool is None:
        return [analysis_row(a, analyzer) for a in articles]
    half = len(articles) // 2
    try:
        future = pool.submit(_analyze_in_worker, [a.to_dict() for a in articles[half:]])
    except (BrokenProcessPool, RuntimeError, OSError):
        _analysis_worker.give_up()
        return [analysis_row(a, analyzer) for a in articles]
    rows = [analysis_row(a, analyzer) for a in articles[:half]]
    try:
        rows += [AnalysisRow.from_json_dict(d) for d in future.result()]
    except (BrokenProcessPool, OSError):
        _analysis_worker.give_up()
        rows += [analysis_row(a, analyzer) for a in articles[half:]]
    except Exception:  # noqa: BLE001 - an article the worker could not analyse: redo the half here, so that
        # the error (or its absence) is exactly what this process gives
        rows += [analysis_row(a, analyzer) for a in articles[half:]]
    return rows


@dataclass(slots=True)
class AnalysisRow:
    """One article's analysis, ready to store: computed here or on a Dask worker, written by one writer."""

    article_id: str
    language: str | None
    record: dict[str, Any]
    events: list[Event]
    figures: list[Figure]

    def to_json_dict(self) -> dict[str, Any]:
        """A plain form that crosses process boundaries (Dask workers) without pickling our classes' state."""
        return {
            "article_id": self.article_id,
            "language": self.language,
            "record": self.record,
            "events": [e.to_dict() for e in self.events],
            "figures": [f.to_dict() for f in self.figures],
        }

    @classmethod
    def from_json_dict(cls, data: dict[str, Any]) -> AnalysisRow:
        return cls(
            data["article_id"],
            data["language"],
            data["record"],
            [Event.from_dict(e) for e in data["events"]],
            [Figure.from_dict(f) for f in data["figures"]],
        )


def analysis_row(article: Article, analyzer: Analyzer) -> AnalysisRow:
    doc = analyzer(article)
    for n, event in enumerate(doc.events):
        event.article_id = article.id
        event.id = f"{article.id}-e{n}"
    for figure in doc.figures:
        figure.date = figure.date or (article.date or "")[:10] or None
    record = extract_record(doc, analyzer.resources.actors, source_id=article.id)
    return AnalysisRow(article.id, doc.language, record, doc.events, doc.figures)


def write_analyses(store: Store, rows: Sequence[AnalysisRow]) -> int:
    """Store analyses, events and figures of a batch in one transaction; returns the number of events."""
    n_events = 0
    with store.transaction() as conn:
        for row in rows:
            conn.execute("DELETE FROM events WHERE article_id = ?", (row.article_id,))
            conn.execute("DELETE FROM figures WHERE article_id = ?", (row.article_id,))
            conn.execute(
                "INSERT OR REPLACE INTO analyses (article_id, language, version, json) VALUES (?, ?, ?, ?)",
                (row.article_id, row.language, ANALYSIS_VERSION, json.dumps(row.record, ensure_ascii=False)),
            )
            for event in row.events:
                loc = event.location
                conn.execute(
                    "INSERT INTO events (id, article_id, event_type, sub_event_type, date, country, lat, lon,"
                    " actor1, actor2, modality, json) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        event.id,
                        row.article_id,
                        event.event_type,
                        event.sub_event_type,
                        event.date,
                        loc.country if loc else None,
                        loc.lat if loc else None,
                        loc.lon if loc else None,
                        event.actor1.id if event.actor1 else None,
                        event.actor2.id if event.actor2 else None,
                        event.modality,
                        event.to_json(),
                    ),
                )
            for figure in row.figures:
                conn.execute(
                    "INSERT INTO figures (article_id, kind, value, date, json) VALUES (?, ?, ?, ?, ?)",
                    (row.article_id, figure.kind, figure.value, figure.date, figure.to_json()),
                )
            conn.execute("UPDATE articles SET analyzed = 1, language = ? WHERE id = ?", (row.language, row.article_id))
            conn.execute("INSERT OR IGNORE INTO stage_queue (article_id) VALUES (?)", (row.article_id,))
            n_events += len(row.events)
    return n_events


def analyze_articles(
    store: Store,
    article_ids: Sequence[str],
    analyzer: Analyzer | None = None,
    on_progress: Callable[[int], None] = lambda n: None,
    *,
    engine: str = "local",
    scheduler: str | None = None,
) -> ProcessReport:
    """Analyse the given articles and store analyses, events and figures, one transaction per batch.

    With ``engine="dask"`` the analysis runs on Dask workers and this process is the single writer.
    """
    report = ProcessReport()
    articles = (a for i in article_ids if (a := store.get_article(i)) is not None)
    if engine == "dask":
        from watchfloor.scale.dask_engine import analyze_articles_dask

        batches: Iterable[list[AnalysisRow]] = (
            [AnalysisRow.from_json_dict(d) for d in part]
            for part in analyze_articles_dask(articles, scheduler=scheduler, partition=ANALYSIS_BATCH)
        )
    else:
        share = analyzer is None
        analyzer = analyzer or default_analyzer()
        batches = (_analyze_batch(chunk, analyzer, share) for chunk in _chunks(articles, ANALYSIS_BATCH))
    for rows in batches:
        report.events += write_analyses(store, rows)
        report.analyzed += len(rows)
        on_progress(len(rows))
    return report


def _chunks(items: Iterable[Article], size: int) -> Iterator[list[Article]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def process_articles(
    store: Store,
    article_ids: Sequence[str],
    analyzer: Analyzer | None = None,
    on_progress: Callable[[int], None] = lambda n: None,
    *,
    engine: str = "local",
    scheduler: str | None = None,
) -> ProcessReport:
    """Run every stage over newly stored articles: analysis, then stories and judgments.

    Work an earlier run left between stages (ids still in ``stage_queue``) is finished along the way.
    """
    report = analyze_articles(store, article_ids, analyzer, on_progress, engine=engine, scheduler=scheduler)
    queued = [r[0] for r in store.conn.execute("SELECT article_id FROM stage_queue ORDER BY article_id")]
    if not queued:
        return report
    # Reports a crashed run had already placed in stories still need their stories judged.
    report.stories = _stories_of(store, queued)
    for stage in _later_stages():
        report.stories = stage(store, queued, report.stories)
    with store.transaction() as conn:
        conn.executemany("DELETE FROM stage_queue WHERE article_id = ?", [(i,) for i in queued])
    return report


def _stories_of(store: Store, article_ids: Sequence[str]) -> list[str]:
    found: set[str] = set()
    for offset in range(0, len(article_ids), 500):
        chunk = list(article_ids[offset : offset + 500])
        marks = ",".join("?" * len(chunk))
        rows = store.conn.execute(
            f"SELECT story_id FROM story_articles WHERE article_id IN ({marks})"
            f" UNION SELECT s.story_id FROM duplicates d JOIN story_articles s ON s.article_id = d.canonical_id"
            f" WHERE d.article_id IN ({marks})",
            chunk + chunk,
        )
        found.update(r[0] for r in rows)
    return sorted(found)


def process_pending(
    store: Store,
    analyzer: Analyzer | None = None,
    on_progress: Callable[[int], None] = lambda n: None,
    *,
    engine: str = "local",
    scheduler: str | None = None,
) -> ProcessReport:
    """Complete whatever an interrupted run left: articles not yet analysed, or analysed but not yet in stories."""
    return process_articles(store, store.pending_ids(), analyzer, on_progress, engine=engine, scheduler=scheduler)


StoryStage = Callable[[Store, list[str], list[str]], list[str]]


def _later_stages() -> list[StoryStage]:
    """Stages after analysis; each takes the new article ids and the story ids touched so far."""
    from watchfloor.assess.stage import assess_stories
    from watchfloor.stories.stage import update_stories

    return [update_stories, assess_stories]
