"""Story clustering: each new canonical report joins the most similar live story or opens a new one.

A single pass in date order (then id). A report is compared only with stories that share a block key with
it (an actor, a place, an event kind in the same country and 3-day bucket, one of its rarest terms) and whose
time span it falls in (from 72 h before the first report to 72 h after the last, and at most ``max_span_hours``
after the first), so the work per report depends on how many stories are live, not on how many were ever seen.

Similarity is the cosine of the report's TF-IDF vector with the story centroid, mixed with the cosine of
their actor and place keys (weighted by their IDF) when both have some; a report about another country than
everything in the story loses a little. When a report is close enough to two stories and the stories are
close to each other, they have converged and are merged: the younger story folds into the older one, whose
id stays.

Over-merging. On a large feed, stories of one theatre used to chain into one: actor and place overlap alone
cleared the join threshold, a story's centroid drifted as it absorbed reports, its window slid with it, and
merges chained. Four rules stop that, each measured on the generated benchmark stream and on the gold set:

- real text similarity: a report joins only a story whose text it shares (cosine >= ``min_text``);
- a story ends: it takes no report more than ``max_span_hours`` after its first one;
- places: when a report's wording is close to a story's (>= ``conflict_text``, where wording alone would
  decide), but the towns of its lede are all unknown to a story that names towns, the report is about the
  same kind of event somewhere else (a retelling, a recurring bulletin): it loses ``place_penalty``;
- cohesion: a report must be about as alike to a story as the story's own reports were when they joined
  (their mean text cosine less ``cohesion_slack``). A story of one report is held to the feed's usual
  cohesion. A tight story, whose reports share most of their wording, then does not take a report that
  merely shares a template with it; a loose one (reports by different outlets in their own words, the usual
  case) keeps taking reports from ``min_text`` up. Two stories merge only when each would take the other.

The state of each live story (centroid, key counts, span, cohesion) lives in the store (``story_state``); a
batch loads the stories live in its time range, works in memory and writes back what it touched.
"""

from __future__ import annotations

import hashlib
import itertools
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from watchfloor.stories.features import (
    N_FEATURES,
    ReportFeatures,
    add_counts,
    dict_cosine,
    event_bucket,
    sorted_unique,
    sparse_dot,
    top_key,
)


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
    max_posting: int = 200  # block keys shared by more live stories are skipped (they select nothing)
    max_candidates: int = 10  # stories scored per report, those sharing the most keys (20 found the same stories
    # at 10k and 100k generated reports and on the gold set, with 30% more clustering time)
    # Against over-merging (see the module docstring):
    min_text: float = 0.12  # the least text cosine to join: actor and place overlap alone never join a report
    max_span_hours: float = 168.0  # a story takes no report more than this after its first (0: no limit)
    place_penalty: float = 0.5  # near-identical wording, but the report's lede is in towns the story never named
    conflict_text: float = 0.3  # text cosine from which wording alone would join, so places must agree
    cohesion_slack: float = 0.12  # a report may be this much less alike to a story than its reports were
    cohesion_min_joins: int = 2  # joins before a story's own cohesion counts (before: the feed's)
    cohesion_prior_joins: int = 20  # joins seen in the feed before its average cohesion is trusted (0: never)
    merge_min_text: float = 0.10  # merges too need shared wording, not only shared names
    score_min_text: float = 0.05  # candidates sharing less wording with the report are not scored at all


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
    towns: dict[str, float] = field(default_factory=dict)  # towns and sites its reports named, with counts
    join_text: float = 0.0  # sum of the text similarities its reports had with it when they joined
    joins: int = 0  # reports that joined it (all but the first)
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
    ai: np.ndarray, av: np.ndarray, bi: np.ndarray, bv: np.ndarray, keep: int, scratch: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Sum of two sparse vectors, pruned to the ``keep`` largest weights (ties by index), float32.

    ``scratch`` is an all-zero float32 array over the whole term space (left all zero on return): the sum is
    made in it by two scatters and one gather instead of a sort with an inverse and an unbuffered ``add.at``.
    The values are the same either way: each weight is ``a``, ``b`` or the float32 sum ``a + b``.
    """
    if scratch is None:
        scratch = np.zeros(int(max(ai.max(initial=0), bi.max(initial=0))) + 1, dtype=np.float32)
    uniq = sorted_unique(np.concatenate([ai, bi]))
    scratch[ai] = av
    scratch[bi] += bv.astype(np.float32, copy=False)
    summed = scratch[uniq]
    scratch[uniq] = 0.0
    if uniq.size > keep:
        chosen = np.sort(np.lexsort((uniq, -summed))[:keep])
        uniq, summed = uniq[chosen], summed[chosen]
    return uniq.astype(np.int32, copy=False), summed


def _norm(values: dict[str, float]) -> float:
    """Euclidean norm, summed exactly (as ``dict_cosine`` does) so that key order never changes it."""
    return math.sqrt(math.fsum(v * v for v in values.values()))


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
        self._batch_members: dict[str, list[str]] = {}  # story id -> its reports in assignments
        self._dense = np.zeros(N_FEATURES, dtype=np.float32)
        self._sum = np.zeros(N_FEATURES, dtype=np.float32)  # scratch of _sparse_sum, all zero between calls
        self._position = np.full(N_FEATURES, -1, dtype=np.int32)  # scratch of _story_dot, all -1 between calls
        self.join_text_seen = 0.0  # over every join so far (the feed's usual cohesion)
        self.joins_seen = 0
        self._entity_norms: dict[str, float] = {}  # story id -> norm of its entity weights, while unchanged
        self._norm_report = ""
        self._country_report = ""  # the report whose main country _report_country holds
        self._report_country: str | None = None
        self._report_norm = 0.0
        self.add_states(stories)

    def add_states(self, stories: Iterable[StoryState]) -> None:
        """Make stored stories live (they can take reports again)."""
        for story in stories:
            story.refresh_norm()
            self.stories[story.story_id] = story
            self._entity_norms.pop(story.story_id, None)
            for key in story.keys:
                self.index.setdefault(key, set()).add(story.story_id)

    def start_batch(self) -> None:
        """Forget what the previous batch changed (it has been saved); the live stories stay."""
        self.touched = set()
        self.merges = []
        self.assignments = {}
        self._batch_members = {}

    # -- scoring ---------------------------------------------------------------------------------------

    def score(self, report: ReportFeatures, story: StoryState, text: float | None = None) -> float:
        """Similarity of a report to a story; ``text`` is the cosine of their term vectors when known."""
        p = self.params
        if text is None:
            text = (
                sparse_dot(report.indices, report.weights, story.c_idx, story.c_val) / story.norm if story.norm else 0.0
            )
        value = self._mix_report(text, report, story)
        if self._country_report != report.article_id:
            self._country_report, self._report_country = report.article_id, report.country
        country = self._report_country
        # Only a well-attested country counts against a story: one stray place name is often a geocoding slip.
        if (
            country
            and story.countries
            and country not in story.countries
            and report.countries[country] >= p.country_evidence
        ):
            value -= p.country_penalty
        if p.place_penalty and self.places_conflict(report, story, text):
            value -= p.place_penalty
        return value

    def places_conflict(self, report: ReportFeatures, story: StoryState, text: float) -> bool:
        """The report's lede is in towns the story never named, while the story names towns of its own."""
        if text < self.params.conflict_text or not report.lede_towns or not story.towns:
            return False
        return not any(t in story.towns for t in report.lede_towns)

    def _mix_report(self, text: float, report: ReportFeatures, story: StoryState) -> float:
        """``_mix`` of a report and a story, with both entity norms cached (the same value, computed once)."""
        mine, theirs = report.entities, story.entities
        if not mine or not theirs:
            return text
        share = (1.0 - self.params.text_weight) * min(1.0, len(mine) / 3.0)
        # fsum is exact, so the dot product is the same whatever the order of the terms: only the shared keys
        # (found by a C-level set intersection) are visited.
        common = mine.keys() & theirs.keys()
        dot = math.fsum([mine[k] * theirs[k] for k in common]) if common else 0.0
        if dot == 0.0:
            return (1.0 - share) * text
        if self._norm_report != report.article_id:
            self._norm_report = report.article_id
            self._report_norm = _norm(mine)
        story_norm = self._entity_norms.get(story.story_id)
        if story_norm is None:
            story_norm = self._entity_norms[story.story_id] = _norm(theirs)
        return (1.0 - share) * text + share * (dot / (self._report_norm * story_norm))

    def _mix(self, text: float, mine: dict[str, float], theirs: dict[str, float]) -> float:
        """Text cosine mixed with entity cosine; the entity share grows with the entities the report names."""
        if not mine or not theirs:
            return text
        share = (1.0 - self.params.text_weight) * min(1.0, len(mine) / 3.0)
        return (1.0 - share) * text + share * dict_cosine(mine, theirs)

    def story_similarity(self, a: StoryState, b: StoryState) -> float:
        if not a.norm or not b.norm:
            return 0.0
        text = self._story_dot(a, b) / (a.norm * b.norm)
        p = self.params
        # Two stories are one only if each would take the other's reports: as alike as each story's own reports.
        if text < max(p.merge_min_text, self._cohesion_floor(a), self._cohesion_floor(b)):
            return 0.0
        small, large = (a, b) if len(a.entities) <= len(b.entities) else (b, a)
        value = self._mix(text, small.entities, large.entities)
        if (
            p.place_penalty
            and text >= p.conflict_text
            and a.towns
            and b.towns
            and not (a.towns.keys() & b.towns.keys())
        ):
            value -= p.place_penalty
        return value

    def _story_dot(self, a: StoryState, b: StoryState) -> float:
        """``sparse_dot`` of two centroids, with the common terms found through a position scratch array rather
        than ``intersect1d``: the same products summed in the same order (ascending term index), so the same
        float."""
        if a.c_idx.size == 0 or b.c_idx.size == 0:
            return 0.0
        position = self._position
        position[a.c_idx] = np.arange(a.c_idx.size, dtype=np.int32)
        found = position[b.c_idx]
        position[a.c_idx] = -1
        ib = np.flatnonzero(found >= 0)
        if ib.size == 0:
            return 0.0
        ia = found[ib]
        return float(np.dot(a.c_val[ia].astype(np.float64), b.c_val[ib].astype(np.float64)))

    def _threshold(self, mine: dict[str, float], theirs: dict[str, float]) -> float:
        return self.params.join_threshold if mine and theirs else self.params.text_join_threshold

    def _min_text(self, story: StoryState) -> float:
        """The least text similarity a report needs to join: a floor, raised for a story whose reports are all
        close to it (a report far less alike than the story's own reports are is about something else)."""
        return max(self.params.min_text, self._cohesion_floor(story))

    def _cohesion_floor(self, story: StoryState) -> float:
        p = self.params
        if p.cohesion_slack <= 0:
            return 0.0
        if story.joins >= p.cohesion_min_joins:
            return story.join_text / story.joins - p.cohesion_slack
        # A story of one report has no cohesion of its own yet: it is expected to be as tight as the feed's
        # stories have been so far.
        if p.cohesion_prior_joins > 0 and self.joins_seen >= p.cohesion_prior_joins:
            return self.join_text_seen / self.joins_seen - p.cohesion_slack
        return 0.0

    def in_window(self, ts: float, story: StoryState) -> bool:
        if self.params.max_span_hours > 0 and ts > story.first_ts + self.params.max_span_hours * 3600.0:
            return False
        return story.first_ts - self.window <= ts <= story.last_ts + self.window

    def candidates(self, report: ReportFeatures, keys: list[str] | None = None) -> list[StoryState]:
        """Live stories sharing block keys with the report, those sharing the most keys first (bounded).

        ``keys`` are the report's ``query_keys()`` when the caller has them already."""
        index, max_posting = self.index, self.params.max_posting
        postings = []
        for key in report.query_keys() if keys is None else keys:
            ids = index.get(key)
            # A key held by very many live stories (a country's capital in a busy week) selects nothing.
            if ids and len(ids) <= max_posting:
                postings.append(ids)
        shared: Counter[str] = Counter(itertools.chain.from_iterable(postings))
        # Most shared keys first, then by id: sorted by id, then stably by count (reverse keeps the id order of
        # equal counts), two C-level sorts with no tuple built per story.
        ranked = sorted(shared)
        ranked.sort(key=shared.__getitem__, reverse=True)
        out = []
        ts, stories, limit = report.ts, self.stories, self.params.max_candidates
        # in_window, inlined: this loop runs for every story sharing a key with every report.
        span = self.params.max_span_hours * 3600.0 if self.params.max_span_hours > 0 else None
        window = self.window
        for sid in ranked:
            story = stories[sid]
            if span is not None and ts > story.first_ts + span:
                continue
            if story.first_ts - window <= ts <= story.last_ts + window:
                out.append(story)
                if len(out) >= limit:
                    break
        return out

    # -- updates ---------------------------------------------------------------------------------------

    def add(self, report: ReportFeatures) -> str:
        """Place one report (reports must come in date order, then id); returns its story id."""
        own = report.own_keys()
        country = report.country or ""
        bucket = event_bucket(report.ts)
        query = own + [f"e:{kind}:{country}:{bucket - 1}" for kind in sorted(report.event_kinds)]
        candidates = self.candidates(report, query)
        # The report's vector is spread over a dense scratch array once, so that each candidate costs one
        # gather of its (at most centroid_terms) weights instead of a sorted-array intersection.
        dense = self._dense
        dense[report.indices] = report.weights
        texts = [float(dense.take(s.c_idx).dot(s.c_val)) / s.norm if s.norm else 0.0 for s in candidates]
        dense[report.indices] = 0.0
        # A story that shares almost no wording with the report can be neither joined nor merged through it, so
        # it is not scored (entity overlap is the costly part of a score).
        floor = self.params.score_min_text
        kept = [(s, t) for s, t in zip(candidates, texts, strict=True) if t >= floor]
        candidates, texts = [s for s, _ in kept], [t for _, t in kept]
        # Scores are compared with the threshold of their kind: text-only similarity runs lower than the mix.
        scored = [
            (self.score(report, s, text) - self._threshold(report.entities, s.entities), s)
            for s, text in zip(candidates, texts, strict=True)
        ]
        # Best score first; ties to the older story, then the smaller id, so the choice never depends on order.
        scored.sort(key=lambda item: (-item[0], item[1].first_ts, item[1].story_id))
        text_of = {s.story_id: t for s, t in zip(candidates, texts, strict=True)}
        joinable = [s for margin, s in scored if margin >= 0.0 and text_of[s.story_id] >= self._min_text(s)]
        if joinable:
            story = joinable[0]
            story.join_text += text_of[story.story_id]
            story.joins += 1
            self.join_text_seen += text_of[story.story_id]
            self.joins_seen += 1
            self._absorb_report(story, report, own)
        else:
            story = self._open(report, own)
        self.assignments[report.article_id] = story.story_id
        self._batch_members.setdefault(story.story_id, []).append(report.article_id)
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

    def _open(self, report: ReportFeatures, own: list[str] | None = None) -> StoryState:
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
        self._absorb_report(story, report, own)
        return story

    def _decay(self, hours: float) -> float:
        if self.params.decay_hours <= 0 or hours <= 0:
            return 1.0
        return math.exp(-hours / self.params.decay_hours)

    def _absorb_report(self, story: StoryState, report: ReportFeatures, own: list[str] | None = None) -> None:
        """Add a report to a story; ``own`` are the report's ``own_keys()`` when the caller has them already."""
        p = self.params
        own = report.own_keys() if own is None else own
        # What the story said days ago fades, so a long run of reports does not chain into one story forever:
        # the story is compared by what it is about now. A late report of an earlier time counts faded instead.
        old = self._decay((report.ts - story.last_ts) / 3600.0)
        new = self._decay((story.last_ts - report.ts) / 3600.0)
        c_val = story.c_val * np.float32(old) if old != 1.0 else story.c_val
        weights = report.weights * np.float32(new) if new != 1.0 else report.weights
        story.c_idx, story.c_val = _sparse_sum(story.c_idx, c_val, report.indices, weights, p.centroid_terms, self._sum)
        story.refresh_norm()
        if old != 1.0:
            story.entities = _faded(story.entities, old)
        add_counts(story.entities, ((k, v * new) for k, v in report.entities.items()))
        add_counts(story.countries, report.countries.items())
        add_counts(story.event_kinds, report.event_kinds.items())
        add_counts(story.actor_types, report.actor_types.items())
        add_counts(story.keys, ((k, 1.0) for k in own))
        add_counts(story.towns, ((k, 1.0) for k in report.towns))
        if report.ts < story.first_ts:
            story.first_ts = report.ts
        story.last_ts = max(story.last_ts, report.ts)
        story.n_reports += 1
        self._entity_norms.pop(story.story_id, None)
        self._reindex(story, own)

    def _reindex(self, story: StoryState, added: Iterable[str]) -> None:
        """Index a story's keys after ``added`` keys were counted in (and the keys pruned).

        Every other key the story holds is indexed already (a live story is always indexed under all its
        keys), so only the added ones and the pruned ones are touched, not all of a long story's keys."""
        index, sid = self.index, story.story_id
        if len(story.keys) > self.params.max_keys:
            old = story.keys
            story.keys = _prune_keys(old, self.params.max_keys)
            for key in old.keys() - story.keys.keys():
                ids = index.get(key)
                if ids is not None:
                    ids.discard(sid)
        keys = story.keys
        for key in added:
            if key in keys:
                index.setdefault(key, set()).add(sid)

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
            self._sum,
        )
        keep.refresh_norm()
        keep.entities = _faded(keep.entities, fade_keep)
        add_counts(keep.entities, sorted(_faded(gone.entities, fade_gone).items()))
        for mine, theirs in (
            (keep.countries, gone.countries),
            (keep.event_kinds, gone.event_kinds),
            (keep.actor_types, gone.actor_types),
            (keep.keys, gone.keys),
            (keep.towns, gone.towns),
        ):
            add_counts(mine, sorted(theirs.items()))
        keep.first_ts = min(keep.first_ts, gone.first_ts)
        keep.last_ts = max(keep.last_ts, gone.last_ts)
        keep.n_reports += gone.n_reports
        keep.join_text += gone.join_text
        keep.joins += gone.joins
        for key in gone.keys:
            ids = self.index.get(key)
            if ids is not None:
                ids.discard(gone.story_id)
        del self.stories[gone.story_id]
        self._entity_norms.pop(gone.story_id, None)
        self._entity_norms.pop(keep.story_id, None)
        self._reindex(keep, gone.keys)
        # Only this batch's reports of the absorbed story change story (assignments hold only this batch's).
        moved = self._batch_members.pop(gone.story_id, [])
        for article in moved:
            self.assignments[article] = keep.story_id
        self._batch_members.setdefault(keep.story_id, []).extend(moved)
        self.touched.discard(gone.story_id)
        self.touched.add(keep.story_id)
        self.merges.append(Merge(absorbed=gone.story_id, into=keep.story_id))
        return keep

    def evict_before(self, ts: float) -> list[StoryState]:
        """Drop stories no report at ``ts`` or later can join; returns those so the caller can save them."""
        span = self.params.max_span_hours * 3600.0
        old = [
            s for s in self.stories.values() if s.last_ts + self.window < ts or (span > 0 and s.first_ts + span < ts)
        ]
        for story in old:
            for key in story.keys:
                ids = self.index.get(key)
                if ids is not None:
                    ids.discard(story.story_id)
                    if not ids:
                        del self.index[key]
            del self.stories[story.story_id]
            self._entity_norms.pop(story.story_id, None)
        return old
