"""Clustering quality against a gold set: pairwise precision/recall/F1, purity and inverse purity.

The gold file is JSONL in the corpus format with a ``"story"`` label per report. The reports go through the
whole pipeline in a temporary store (analysis, then dedup and clustering), or through dedup and clustering
alone on the text; a copy is counted in the story of its canonical report.
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from itertools import combinations
from pathlib import Path

from watchfloor.store import Store


@dataclass(slots=True)
class ClusterEval:
    reports: int
    gold_stories: int
    predicted_stories: int
    precision: float  # pairwise
    recall: float
    f1: float
    purity: float
    inverse_purity: float
    copies: int = 0
    analysed: bool = False

    def as_dict(self) -> dict[str, object]:
        return asdict(self)

    def summary(self) -> str:
        return (
            f"{self.reports} reports, {self.gold_stories} gold / {self.predicted_stories} predicted stories;"
            f" pairwise P {self.precision:.3f} R {self.recall:.3f} F1 {self.f1:.3f};"
            f" purity {self.purity:.3f}, inverse purity {self.inverse_purity:.3f}"
            f" ({'with' if self.analysed else 'without'} analysis)"
        )


def score(gold: Mapping[str, str], predicted: Mapping[str, str]) -> ClusterEval:
    """Compare two labelings of the same items (item -> label)."""
    items = sorted(set(gold) & set(predicted))
    pairs_gold = {p for p in combinations(items, 2) if gold[p[0]] == gold[p[1]]}
    pairs_pred = {p for p in combinations(items, 2) if predicted[p[0]] == predicted[p[1]]}
    both = len(pairs_gold & pairs_pred)
    precision = both / len(pairs_pred) if pairs_pred else 1.0
    recall = both / len(pairs_gold) if pairs_gold else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return ClusterEval(
        reports=len(items),
        gold_stories=len({gold[i] for i in items}),
        predicted_stories=len({predicted[i] for i in items}),
        precision=precision,
        recall=recall,
        f1=f1,
        purity=_purity(items, predicted, gold),
        inverse_purity=_purity(items, gold, predicted),
    )


def _purity(items: list[str], clusters: Mapping[str, str], classes: Mapping[str, str]) -> float:
    """Share of items that belong to the majority class of their cluster."""
    if not items:
        return 1.0
    groups: dict[str, Counter[str]] = {}
    for i in items:
        groups.setdefault(clusters[i], Counter())[classes[i]] += 1
    return sum(c.most_common(1)[0][1] for c in groups.values()) / len(items)


def predicted_labels(store: Store) -> dict[str, str]:
    """source id (or id) -> story id for every stored report; copies take their canonical's story."""
    source = {r[0]: (r[1] or r[0]) for r in store.conn.execute("SELECT id, source_id FROM articles")}
    story = {r[0]: r[1] for r in store.conn.execute("SELECT article_id, story_id FROM story_articles")}
    for copy, canonical in store.conn.execute("SELECT article_id, canonical_id FROM duplicates"):
        if canonical in story:
            story[copy] = story[canonical]
    return {source[a]: s for a, s in story.items() if a in source}


def run_pipeline(store: Store, paths: list[Path], analysis: bool = True) -> bool:
    """Ingest ``paths`` and place them in stories, after analysis unless ``analysis`` is False (text alone:
    the gate that does not depend on the analysis components). Returns whether analysis ran."""
    from watchfloor.ingest import read_paths, store_items
    from watchfloor.process import process_articles
    from watchfloor.stories.stage import update_stories

    result = store_items(store, read_paths([str(p) for p in paths]))
    if analysis:
        process_articles(store, result.new_ids)
    else:
        update_stories(store, result.new_ids, [], write=False)
    return analysis


def evaluate_clusters(path: Path | str, db: Path | None = None, *, analysis: bool = True) -> ClusterEval:
    """Cluster the gold file's reports and score them against its ``story`` labels."""
    path = Path(path)
    gold = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            record = json.loads(line)
            gold[record["id"]] = record["story"]
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(db or Path(tmp) / "eval.db")
        try:
            analysed = run_pipeline(store, [path], analysis)
            predicted = predicted_labels(store)
            copies = int(store.conn.execute("SELECT count(*) FROM duplicates").fetchone()[0])
        finally:
            store.close()
    result = score(gold, predicted)
    result.copies = copies
    result.analysed = analysed
    return result
