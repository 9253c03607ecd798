"""Storing what the readers produce: batched, idempotent, crash-safe."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from watchfloor.ingest.files import Item, Problem
from watchfloor.models import Article
from watchfloor.store import Store

DEFAULT_BATCH = 200


@dataclass(slots=True)
class IngestReport:
    valid: int = 0  # records that passed validation (new or already stored)
    new: int = 0
    rejected: int = 0
    warnings: int = 0
    new_ids: list[str] = field(default_factory=list)

    @property
    def known(self) -> int:
        return self.valid - self.new


def store_items(
    store: Store,
    items: Iterable[Item],
    *,
    batch_size: int = DEFAULT_BATCH,
    on_problem: Callable[[Problem], None] = lambda p: None,
    on_batch: Callable[[list[str]], None] = lambda ids: None,
) -> IngestReport:
    """Write articles in batches of ``batch_size``, one transaction each.

    A process killed mid-way leaves whole batches only; rerunning skips what is stored (ids are stable) and
    completes the rest, so every article ends up stored exactly once. ``on_batch`` gets the new ids of each
    committed batch, which is how later stages run incrementally.
    """
    report = IngestReport()
    batch: list[Article] = []
    seen_in_batch: set[str] = set()

    def flush() -> None:
        new_ids = store.add_articles(batch)
        report.new += len(new_ids)
        report.new_ids.extend(new_ids)
        batch.clear()
        seen_in_batch.clear()
        if new_ids:
            on_batch(new_ids)

    for item in items:
        if isinstance(item, Problem):
            if item.fatal:
                report.rejected += 1
            else:
                report.warnings += 1
            on_problem(item)
            continue
        report.valid += 1
        if item.id in seen_in_batch:
            continue
        seen_in_batch.add(item.id)
        batch.append(item)
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return report
