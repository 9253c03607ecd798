"""The Dask engine: analysis on dask.distributed workers, results gathered in input order by one reader.

Dask is an optional extra (``pip install 'watchfloor[dask]'``). Each worker builds its own ``Analyzer`` once and
keeps it for every partition it receives, so the knowledge base loads once per worker process, not per task.
Outputs are identical to the local engine because the workers run the very same ``extract_lines`` code.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from itertools import islice
from pathlib import Path
from typing import Any

from watchfloor.errors import WatchfloorError

PARTITION_LINES = 500
# Partitions in flight at once: enough to keep every worker busy, few enough to bound memory on huge inputs.
IN_FLIGHT_PER_WORKER = 3


class DaskUnavailableError(WatchfloorError):
    code = "W501"


def _require_dask() -> Any:
    try:
        import distributed
    except ImportError as exc:
        raise DaskUnavailableError(
            "the dask engine needs the optional extra: pip install 'watchfloor[dask]'"
        ) from exc
    return distributed


_worker_analyzers: dict[tuple[str, ...], Any] = {}


def _worker_analyzer(kb_dirs: tuple[str, ...]) -> Any:
    from watchfloor.analyze.pipeline import Analyzer

    if kb_dirs not in _worker_analyzers:
        _worker_analyzers[kb_dirs] = Analyzer(kb_dirs=[Path(d) for d in kb_dirs])
    return _worker_analyzers[kb_dirs]


def _extract_partition(lines: list[tuple[int, str]], kb_dirs: tuple[str, ...], name: str) -> list[dict[str, Any]]:
    from watchfloor.analyze.extract import extract_lines

    analyzer = _worker_analyzer(kb_dirs)
    out: list[dict[str, Any]] = []
    for number, line in lines:
        # Keep the caller's line numbers in error messages: analyse each line as itself.
        for record in extract_lines([line], analyzer, name=name):
            if "error" in record:
                record["error"] = record["error"].replace(f"{name}:1:", f"{name}:{number}:", 1)
            out.append(record)
    return out


def _analyze_partition(articles: list[dict[str, Any]], kb_dirs: tuple[str, ...]) -> list[dict[str, Any]]:
    """Analysis rows for stored articles, in the plain form the single writer stores."""
    from watchfloor.models import Article
    from watchfloor.process import analysis_row

    analyzer = _worker_analyzer(kb_dirs)
    return [analysis_row(Article.from_dict(data), analyzer).to_json_dict() for data in articles]


@contextmanager
def dask_client(scheduler: str | None) -> Iterator[Any]:
    """A client to an existing cluster, or to a LocalCluster of one process per core for this run only."""
    distributed = _require_dask()
    if scheduler:
        client = distributed.Client(scheduler)
        try:
            yield client
        finally:
            client.close()
        return
    import os

    cluster = distributed.LocalCluster(
        n_workers=os.cpu_count() or 1, threads_per_worker=1, processes=True, dashboard_address=None
    )
    client = distributed.Client(cluster)
    try:
        yield client
    finally:
        client.close()
        cluster.close()


def _ordered_map(client: Any, func: Any, partitions: Iterable[Any], *args: Any) -> Iterator[Any]:
    """Submit partitions with bounded look-ahead and yield results in submission order."""
    workers = max(1, len(client.scheduler_info().get("workers", {})))
    window: deque[Any] = deque()
    iterator = iter(partitions)
    for part in islice(iterator, workers * IN_FLIGHT_PER_WORKER):
        window.append(client.submit(func, part, *args, pure=False))
    while window:
        future = window.popleft()
        result = future.result()
        future.release()
        nxt = next(iterator, None)
        if nxt is not None:
            window.append(client.submit(func, nxt, *args, pure=False))
        yield result


def _partitions(lines: Iterable[str], size: int) -> Iterator[list[tuple[int, str]]]:
    numbered = ((n, line) for n, line in enumerate(lines, start=1) if line.strip())
    while chunk := list(islice(numbered, size)):
        yield chunk


def extract_lines_dask(
    lines: Iterable[str],
    *,
    scheduler: str | None = None,
    kb_dirs: Sequence[Path] = (),
    name: str = "<input>",
    partition_lines: int = PARTITION_LINES,
) -> Iterator[dict[str, Any]]:
    """Like ``analyze.extract.extract_lines`` but on Dask workers; same records, same order."""
    dirs = tuple(str(Path(d).resolve()) for d in kb_dirs)
    with dask_client(scheduler) as client:
        for records in _ordered_map(client, _extract_partition, _partitions(lines, partition_lines), dirs, name):
            yield from records


def analyze_articles_dask(
    articles: Iterable[Any], *, scheduler: str | None = None, kb_dirs: Sequence[Path] = (), partition: int = PARTITION_LINES
) -> Iterator[list[dict[str, Any]]]:
    """Analysis results per partition of stored articles, in order, for one writer to store."""
    dirs = tuple(str(Path(d).resolve()) for d in kb_dirs)

    def parts() -> Iterator[list[dict[str, Any]]]:
        iterator = iter(articles)
        while chunk := list(islice(iterator, partition)):
            yield [a.to_dict() for a in chunk]

    with dask_client(scheduler) as client:
        yield from _ordered_map(client, _analyze_partition, parts(), dirs)
