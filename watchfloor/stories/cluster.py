"""Story clustering: each new canonical report joins the most similar live story or opens a new one.

A single pass in date order (then id). A report is compared only with stories that share a block key with
it (an actor, a place, an event kind in the same country and 3-day bucket, one of its rarest terms) and whose
time span it falls in (from 72 h before the first report to 72 h after the last), so the work per report
depends on how many stories are live, not on how many were ever seen.

Similarity is the cosine of the report's TF-IDF vector with the story centroid, mixed with the cosine of
their actor and place keys when both have some; a report about another country than everything in the
story loses a little. When a report is close enough to two stories and the stories are close to each other,
they have converged and are merged: the younger story folds into the older one, whose id stays.

The state of each live story (centroid, key counts, span) lives in the store (``story_state``); a batch loads
the stories live in its time range, works in memory and writes back what it touched.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from watchfloor.stories.features import N_FEATURES, ReportFeatures, add_counts, dict_cosine, sparse_dot, top_key


@dataclass(slots=True, frozen=True)
class ClusterParams:
    window_hours: float = 72.0
    join_threshold: float = 0.20
    merge_threshold: float = 0.22
    merge_reach: float = 0.5  # stories scoring this share of the join threshold with a report are checked for merging
    text_join_threshold: float = 0.18  # when the report or the story has no actor or place to compare
    text_merge_threshold: float = 0.18
    text_weight: float = 0.65  # the rest goes to actor/place overlap when both sides have some
    country_penalty: float = 0.10
    country_evidence: float = 4.0  # weight a report's main country needs before the penalty applies
    centroid_terms: int = 300
    decay_hours: float = 48.0  # e-folding time of what a story said (0: never fades)
    max_keys: int = 200
    max_posting: int = 1000  # block keys shared by more live stories are skipped
    max_candidates: int = 50  # stories scored per report, those sharing the most keys


DEFAULT_PARAMS = ClusterParams()


def story_id_for(article_id: str) -> str:
    """A story's id: a stable hash of its first canonical report."""
    return "st-" + hashlib.sha256(article_id.encode("utf-8")).hexdigest()[:16]


@dataclass(slots=True)
class StoryState:
    story_id: str
    first_article: str
    first_ts: float
    last_ts: float
    n_reports: int
    c_idx: np.ndarray  # centroid: sorted int32 term indices
    c_val: np.ndarray  # float32 weights (a sum of unit report vectors, pruned)
    entities: dict[str, float] = field(default_factory=dict)
    countries: dict[str, float] = field(default_factory=dict)
    event_kinds: dict[str, float] = field(default_factory=dict)
    actor_types: dict[str, float] = field(default_factory=dict)
    keys: dict[str, float] = field(default_factory=dict)
    situation_id: str | None = None
    norm: float = 0.0

    @property
    def theatre(self) -> str | None:
        return top_key(self.countries)

    def refresh_norm(self) -> None:
        values = self.c_val.astype(np.float64)
        self.norm = float(np.sqrt(np.dot(values, values)))

    def centroid_bytes(self) -> bytes:
        return self.c_idx.astype(np.int32).tobytes() + self.c_val.astype(np.float32).tobytes()

    @staticmethod
    def centroid_from_bytes(blob: bytes) -> tuple[np.ndarray, np.ndarray]:
        n = len(blob) // 8
        return (
            np.frombuffer(blob[: 4 * n], dtype=np.int32).copy(),
            np.frombuffer(blob[4 * n :], dtype=np.float32).copy(),
        )


def _sparse_sum(
    ai: np.ndarray, av: np.ndarray, bi: np.ndarray, bv: np.ndarray, keep: int
) -> tuple[np.ndarray, np.ndarray]:
    """Sum of two sparse vectors, pruned to the ``keep`` largest weights (ties by index), float32."""
    idx = np.concatenate([ai, bi])
    val = np.concatenate([av, bv]).astype(np.float32)
    uniq, inverse = np.unique(idx, return_inverse=True)
    summed = np.zeros(uniq.size, dtype=np.float32)
    np.add.at(summed, inverse, val)
    if uniq.size > keep:
        chosen = np.sort(np.lexsort((uniq, -summed))[:keep])
        uniq, summed = uniq[chosen], summed[chosen]
    return uniq.astype(np.int32), summed


def _faded(values: dict[str, float], factor: float) -> dict[str, float]:
    """Weights scaled by ``factor``; those that have faded to almost nothing are dropped to keep states small."""
    if factor == 1.0:
        return values
    return {k: v * factor for k, v in values.items() if v * factor >= 1e-3}


def _prune_keys(keys: dict[str, float], limit: int) -> dict[str, float]:
    if len(keys) <= limit:
        return keys
    kept = sorted(keys.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return dict(kept)


@dataclass(slots=True)
class Merge:
    absorbed: str  # story id that disappears
    into: str


class Clusterer:
    """Assigns reports to stories in memory; the caller loads live stories first and saves what changed."""

    def __init__(self, stories: Iterable[StoryState] = (), params: ClusterParams = DEFAULT_PARAMS) -> None:
        self.params = params
        self.window = params.window_hours * 3600.0
        self.stories: dict[str, StoryState] = {}
        self.index: dict[str, set[str]] = {}
        self.touched: set[str] = set()
        self.merges: list[Merge] = []
        self.assignments: dict[str, str] = {}
        self._dense = np.zeros(N_FEATURES, dtype=np.float32)
        self.add_states(stories)

    def add_states(self, stories: Iterable[StoryState]) -> None:
        """Make stored stories live (they can take reports again)."""
        for story in stories:
            story.refresh_norm()
            self.stories[story.story_id] = story
            for key in story.keys:
                self.index.setdefault(key, set()).add(story.story_id)

    def start_batch(self) -> None:
        """Forget what the previous batch changed (it has been saved); the live stories stay."""
        self.touched = set()
        self.merges = []
        self.assignments = {}

    # -- scoring ---------------------------------------------------------------------------------------

    def score(self, report: ReportFeatures, story: StoryState, text: float | None = None) -> float:
        """Similarity of a report to a story; ``text`` is the cosine of their term vectors when known."""
        p = self.params
        if text is None:
            text = (
                sparse_dot(report.indices, report.weights, story.c_idx, story.c_val) / story.norm if story.norm else 0.0
            )
        value = self._mix(text, report.entities, story.entities)
        country = report.country
        # Only a well-attested country counts against a story: one stray place name is often a geocoding slip.
        if (
            country
            and story.countries
            and country not in story.countries
            and report.countries[country] >= p.country_evidence
        ):
            value -= p.country_penalty
        return value

    def _mix(self, text: float, mine: dict[str, float], theirs: dict[str, float]) -> float:
        """Text cosine mixed with entity cosine; the entity share grows with the entities the report names."""
        if not mine or not theirs:
            return text
        share = (1.0 - self.params.text_weight) * min(1.0, len(mine) / 3.0)
        return (1.0 - share) * text + share * dict_cosine(mine, theirs)

    def story_similarity(self, a: StoryState, b: StoryState) -> float:
        if not a.norm or not b.norm:
            return 0.0
        text = sparse_dot(a.c_idx, a.c_val, b.c_idx, b.c_val) / (a.norm * b.norm)
        small, large = (a, b) if len(a.entities) <= len(b.entities) else (b, a)
        return self._mix(text, small.entities, large.entities)

    def _threshold(self, mine: dict[str, float], theirs: dict[str, float]) -> float:
        return self.params.join_threshold if mine and theirs else self.params.text_join_threshold

    def in_window(self, ts: float, story: StoryState) -> bool:
        return story.first_ts - self.window <= ts <= story.last_ts + self.window

    def candidates(self, report: ReportFeatures) -> list[StoryState]:
        """Live stories sharing block keys with the report, those sharing the most keys first (bounded)."""
        shared: dict[str, int] = {}
        for key in report.query_keys():
            ids = self.index.get(key)
            # A key held by very many live stories (a country's capital in a busy week) selects nothing.
            if not ids or len(ids) > self.params.max_posting:
                continue
            for sid in ids:
                shared[sid] = shared.get(sid, 0) + 1
        ranked = sorted(shared, key=lambda sid: (-shared[sid], sid))
        out = []
        for sid in ranked:
            story = self.stories[sid]
            if self.in_window(report.ts, story):
                out.append(story)
                if len(out) >= self.params.max_candidates:
                    break
        return out

    # -- updates ---------------------------------------------------------------------------------------

    def add(self, report: ReportFeatures) -> str:
        """Place one report (reports must come in date order, then id); returns its story id."""
        candidates = self.candidates(report)
        # The report's vector is spread over a dense scratch array once, so that each candidate costs one
        # gather of its (at most centroid_terms) weights instead of a sorted-array intersection.
        dense = self._dense
        dense[report.indices] = report.weights
        texts = [float(np.dot(dense[s.c_idx], s.c_val)) / s.norm if s.norm else 0.0 for s in candidates]
        dense[report.indices] = 0.0
        # Scores are compared with the threshold of their kind: text-only similarity runs lower than the mix.
        scored = [
            (self.score(report, s, text) - self._threshold(report.entities, s.entities), s)
            for s, text in zip(candidates, texts, strict=True)
        ]
        # Best score first; ties to the older story, then the smaller id, so the choice never depends on order.
        scored.sort(key=lambda item: (-item[0], item[1].first_ts, item[1].story_id))
        joinable = [s for margin, s in scored if margin >= 0.0]
        if joinable:
            story = joinable[0]
            self._absorb_report(story, report)
        else:
            story = self._open(report)
        self.assignments[report.article_id] = story.story_id
        self.touched.add(story.story_id)
        # Stories this report is close to may now be one development seen twice: merge those whose centroids
        # and entities have converged. Only near candidates are checked, so the cost stays per report.
        reach = self.params.join_threshold * (1.0 - self.params.merge_reach)
        near = [s for margin, s in scored if margin >= -reach]
        for other in near:
            if other.story_id not in self.stories or other.story_id == story.story_id:
                continue
            mixed = bool(story.entities and other.entities)
            threshold = self.params.merge_threshold if mixed else self.params.text_merge_threshold
            if self.story_similarity(story, other) >= threshold:
                story = self._merge(story, other)
        return story.story_id

    def _open(self, report: ReportFeatures) -> StoryState:
        story = StoryState(
            story_id=story_id_for(report.article_id),
            first_article=report.article_id,
            first_ts=report.ts,
            last_ts=report.ts,
            n_reports=0,
            c_idx=np.zeros(0, dtype=np.int32),
            c_val=np.zeros(0, dtype=np.float32),
        )
        self.stories[story.story_id] = story
        self._absorb_report(story, report)
        return story

    def _decay(self, hours: float) -> float:
        if self.params.decay_hours <= 0 or hours <= 0:
            return 1.0
        return math.exp(-hours / self.params.decay_hours)

    def _absorb_report(self, story: StoryState, report: ReportFeatures) -> None:
        p = self.params
        # What the story said days ago fades, so a long run of reports does not chain into one story forever:
        # the story is compared by what it is about now. A late report of an earlier time counts faded instead.
        old = self._decay((report.ts - story.last_ts) / 3600.0)
        new = self._decay((story.last_ts - report.ts) / 3600.0)
        c_val = story.c_val * np.float32(old) if old != 1.0 else story.c_val
        weights = report.weights * np.float32(new) if new != 1.0 else report.weights
        story.c_idx, story.c_val = _sparse_sum(story.c_idx, c_val, report.indices, weights, p.centroid_terms)
        story.refresh_norm()
        if old != 1.0:
            story.entities = _faded(story.entities, old)
        add_counts(story.entities, ((k, v * new) for k, v in report.entities.items()))
        add_counts(story.countries, report.countries.items())
        add_counts(story.event_kinds, report.event_kinds.items())
        add_counts(story.actor_types, report.actor_types.items())
        add_counts(story.keys, ((k, 1.0) for k in report.own_keys()))
        if report.ts < story.first_ts:
            story.first_ts = report.ts
        story.last_ts = max(story.last_ts, report.ts)
        story.n_reports += 1
        self._reindex(story)

    def _reindex(self, story: StoryState) -> None:
        old = set(story.keys)
        story.keys = _prune_keys(story.keys, self.params.max_keys)
        for key in old - set(story.keys):
            ids = self.index.get(key)
            if ids is not None:
                ids.discard(story.story_id)
        for key in story.keys:
            self.index.setdefault(key, set()).add(story.story_id)

    def _merge(self, a: StoryState, b: StoryState) -> StoryState:
        """Fold the younger story into the older; returns the survivor."""
        keep, gone = (a, b) if (a.first_ts, a.first_article) <= (b.first_ts, b.first_article) else (b, a)
        # Both sides are brought to the later of their last reports before they are added.
        last = max(keep.last_ts, gone.last_ts)
        fade_keep = self._decay((last - keep.last_ts) / 3600.0)
        fade_gone = self._decay((last - gone.last_ts) / 3600.0)
        keep.c_idx, keep.c_val = _sparse_sum(
            keep.c_idx,
            keep.c_val * np.float32(fade_keep),
            gone.c_idx,
            gone.c_val * np.float32(fade_gone),
            self.params.centroid_terms,
        )
        keep.refresh_norm()
        keep.entities = _faded(keep.entities, fade_keep)
        add_counts(keep.entities, sorted(_faded(gone.entities, fade_gone).items()))
        for mine, theirs in (
            (keep.countries, gone.countries),
            (keep.event_kinds, gone.event_kinds),
            (keep.actor_types, gone.actor_types),
            (keep.keys, gone.keys),
        ):
            add_counts(mine, sorted(theirs.items()))
        keep.first_ts = min(keep.first_ts, gone.first_ts)
        keep.last_ts = max(keep.last_ts, gone.last_ts)
        keep.n_reports += gone.n_reports
        for key in gone.keys:
            ids = self.index.get(key)
            if ids is not None:
                ids.discard(gone.story_id)
        del self.stories[gone.story_id]
        self._reindex(keep)
        for article, sid in self.assignments.items():
            if sid == gone.story_id:
                self.assignments[article] = keep.story_id
        self.touched.discard(gone.story_id)
        self.touched.add(keep.story_id)
        self.merges.append(Merge(absorbed=gone.story_id, into=keep.story_id))
        return keep

    def evict_before(self, ts: float) -> list[StoryState]:
        """Drop stories no report at ``ts`` or later can join; returns those so the caller can save them."""
        old = [s for s in self.stories.values() if s.last_ts + self.window < ts]
        for story in old:
            for key in story.keys:
                ids = self.index.get(key)
                if ids is not None:
                    ids.discard(story.story_id)
                    if not ids:
                        del self.index[key]
            del self.stories[story.story_id]
        return old
