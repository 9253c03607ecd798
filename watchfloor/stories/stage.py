"""The stories stage of the pipeline: dedup, clustering, situations, then the story articles.

``update_stories`` is what ``watchfloor.process`` runs after analysis. For each batch of new reports, in date
order, it decides copies, places canonical reports in stories (merging stories that converge), updates the
situations, and commits all of that in one transaction; then it (re)writes the article of every story the
batch touched, in transactions of its own. A story whose article is not yet written is marked dirty in the
store, so a crash between the two steps is repaired by the next run.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from watchfloor.models import Event, Figure, Story
from watchfloor.store import Store
from watchfloor.store import stories as sql
from watchfloor.stories.article import SourceReport, StoryInputs, reports_to_read, write_story
from watchfloor.stories.cluster import DEFAULT_PARAMS, Clusterer, ClusterParams, StoryState
from watchfloor.stories.dedup import WINDOW_SECONDS, DedupDoc, DuplicateFinder, shingle_hashes
from watchfloor.stories.features import DocumentFrequencies, parse_ts, report_features, weigh
from watchfloor.stories.figures import ReconciledFigure
from watchfloor.stories.prepare import prepare_batch
from watchfloor.stories.situations import Profile, update_situations

CLUSTER_BATCH = 5000  # reports clustered per transaction
WRITE_BATCH = 50  # stories written per transaction
_DF_KEY = "df"
_EDF_KEY = "edf"
_NDOCS_KEY = "n_docs"
_COHESION_KEY = "cohesion"  # the feed's joins so far: {"text": sum of their text similarities, "joins": count}


@dataclass(slots=True)
class StageStats:
    reports: int = 0
    copies: int = 0
    new_stories: int = 0
    merges: int = 0
    written: int = 0
    seconds_cluster: float = 0.0
    seconds_write: float = 0.0
    touched: list[str] = field(default_factory=list)
    phases: dict[str, float] = field(default_factory=dict)  # seconds per step of clustering


def report_ts(date: str | None, ingested_at: str | None) -> float:
    """When a report happened for clustering: its date, else when it was stored, else the epoch."""
    return parse_ts(date) or parse_ts(ingested_at) or 0.0


def _order(store: Store, ids: Sequence[str]) -> list[tuple[float, str]]:
    """(ts, id) of the given reports, in the order clustering takes them."""
    found = []
    unique = sorted(set(ids))
    for chunk in sql._chunks(unique):
        rows = store.conn.execute(
            f"SELECT id, date, ingested_at FROM articles WHERE id IN ({sql._marks(len(chunk))})", list(chunk)
        )
        found.extend((report_ts(r[1], r[2]), r[0]) for r in rows)
    found.sort()
    return found


def update_stories(
    store: Store,
    new_article_ids: list[str],
    touched_story_ids: list[str],
    *,
    params: ClusterParams = DEFAULT_PARAMS,
    write: bool = True,
    stats: StageStats | None = None,
) -> list[str]:
    """Place new reports in stories and rewrite the stories touched; returns the touched story ids."""
    stats = stats if stats is not None else StageStats()
    conn = store.conn
    placed = sql.already_placed(conn, new_article_ids)
    todo = [i for i in dict.fromkeys(new_article_ids) if i not in placed]
    ordered = _order(store, todo)
    touched: set[str] = set(touched_story_ids)
    started = time.perf_counter()
    if ordered:
        session = _resume_session(store, params)
        for offset in range(0, len(ordered), CLUSTER_BATCH):
            chunk = ordered[offset : offset + CLUSTER_BATCH]
            touched_now, absorbed = _cluster_batch(store, chunk, params, stats, session)
            touched |= touched_now
            touched -= absorbed
        _keep_session(store, session)
    stats.seconds_cluster += time.perf_counter() - started
    # Stories whose article a crash left unwritten are written now too. Without writing, they are left for the
    # next call that writes: a feed clustered without articles (the benchmark, evaluation) keeps every story
    # dirty, and listing them all on every call made each call cost as much as the whole history.
    dirty = sql.dirty_story_ids(conn) if write else []
    touched |= set(dirty)
    existing = sql.existing_stories(conn, sorted(touched))
    result = sorted(existing)
    if write:
        started = time.perf_counter()
        write_stories(store, sorted(set(dirty) | (touched & existing)), stats)
        stats.seconds_write += time.perf_counter() - started
    stats.touched = result
    return result


def rebuild_stories(store: Store, *, params: ClusterParams = DEFAULT_PARAMS, write: bool = True) -> list[str]:
    """Forget every story and copy, then place all stored reports again in date order."""
    with store.transaction() as conn:
        sql.clear_all(conn)
    ids = [r[0] for r in store.conn.execute("SELECT id FROM articles ORDER BY date, id")]
    return update_stories(store, ids, [], params=params, write=write)


def _load_df(store: Store, key: str) -> DocumentFrequencies:
    blob = sql.get_state_blob(store.conn, key)
    n = sql.get_state_blob(store.conn, _NDOCS_KEY)
    if blob is None or n is None:
        return DocumentFrequencies()
    return DocumentFrequencies.from_bytes(blob, int(n.decode()))


@dataclass(slots=True)
class _Session:
    """What clustering keeps in memory from one chunk of reports to the next, and from one call to the next.

    Everything here was also saved at the end of the previous chunk, so keeping it equals reading it back
    (stories are compared through order-independent sums); it only saves the reading.
    """

    clusterer: Clusterer | None = None
    terms: DocumentFrequencies | None = None
    entities: DocumentFrequencies | None = None
    token: bytes | None = None  # written with each commit; see _SESSIONS
    # Shingles of the reports of recent batches, within the dedup window (they are a function of the text
    # alone, so keeping them only saves reading and shingling them again).
    recent_docs: dict[str, DedupDoc] = field(default_factory=dict)


def _remember_docs(session: _Session, docs: list[DedupDoc], since: float) -> None:
    """Keep a batch's shingles for the next batches and drop those that have left the dedup window."""
    recent = session.recent_docs
    for doc in docs:
        recent[doc.article_id] = doc
    stale = [a for a, d in recent.items() if d.ts < since]
    for a in stale:
        del recent[a]


# The last sessions of this process, by database file: (the token the store held after the session's last
# commit, the session). A later call reuses a session only while the store still holds that token, that is
# while nothing else has written clustering state since (another process, a rebuild).
_SESSIONS: dict[str, tuple[bytes, _Session]] = {}
_SESSION_KEY = "session"
_MAX_SESSIONS = 2


def _resume_session(store: Store, params: ClusterParams) -> _Session:
    key = str(store.path.resolve())
    cached = _SESSIONS.pop(key, None)
    token = sql.get_state_blob(store.conn, _SESSION_KEY)
    if cached is not None and token is not None and cached[0] == token:
        session = cached[1]
        if session.clusterer is None or session.clusterer.params == params:
            return session
    return _Session()


def _keep_session(store: Store, session: _Session) -> None:
    if session.token is None:
        return
    while len(_SESSIONS) >= _MAX_SESSIONS:
        del _SESSIONS[next(iter(_SESSIONS))]
    _SESSIONS[str(store.path.resolve())] = (session.token, session)


def _cluster_batch(
    store: Store, ordered: list[tuple[float, str]], params: ClusterParams, stats: StageStats, session: _Session
) -> tuple[set[str], set[str]]:
    conn = store.conn
    ids = [i for _, i in ordered]
    ts_of = {i: ts for ts, i in ordered}
    rows = sql.load_reports(conn, ids)
    ids = [i for i in ids if i in rows]

    # 1. copies
    clock = time.process_time()
    # The analysis keys come with the rest (half of them parsed by the worker process, when there is one).
    prepared = prepare_batch(
        store.path, [(i, rows[i].title, rows[i].text) for i in ids], lambda wanted: sql.load_analyses(conn, wanted)
    )
    terms = {i: (prepared.term_indices[n], prepared.term_counts[n]) for n, i in enumerate(prepared.ids)}
    docs = [
        DedupDoc(i, ts_of[i], shingles, bands)
        for i, shingles, bands in zip(prepared.ids, prepared.shingles, prepared.bands, strict=True)
    ]
    stats.phases["shingles"] = stats.phases.get("shingles", 0.0) + time.process_time() - clock
    clock = time.process_time()
    # Only reports within the dedup window of the batch can be copies (or originals) of its reports.
    first_ts, last_ts = ordered[0][0], ordered[-1][0]
    stored_bands = sql.band_matches(
        conn, (b for d in docs for b in d.bands), first_ts - WINDOW_SECONDS, last_ts + WINDOW_SECONDS
    )
    stored_ids = sorted({a for v in stored_bands.values() for a in v})
    canonical_of = sql.canonical_map(conn, stored_ids)
    recent = session.recent_docs

    def load_docs(wanted: list[str]) -> dict[str, DedupDoc]:
        # Reports of the previous batches are still in memory; only older ones are read and shingled again.
        out = {a: recent[a] for a in wanted if a in recent}
        found = sql.load_reports(conn, [a for a in wanted if a not in out])
        out.update({a: DedupDoc(a, report_ts(r.date, r.ingested_at), shingle_hashes(r.text)) for a, r in found.items()})
        return out

    finder = DuplicateFinder(stored_bands, load_docs, canonical_of)
    finder.prefetch(docs)
    decisions = [finder.add(d) for d in docs]
    _remember_docs(session, docs, first_ts - WINDOW_SECONDS)
    copies = [(d.article_id, d.canonical_id, d.similarity) for d in decisions if d.canonical_id is not None]
    stats.copies += len(copies)
    # A late report earlier than a stored canonical takes its place in its story; if that canonical has no
    # story (it should), the report is clustered like any other.
    replacing = [d for d in decisions if d.replaces is not None]
    story_of_replaced = sql.stories_of(conn, [d.replaces for d in replacing if d.replaces])
    takeovers = [(d, story_of_replaced[d.replaces]) for d in replacing if d.replaces in story_of_replaced]
    taken = {d.article_id for d, _ in takeovers}
    canonical_ids = [d.article_id for d in decisions if d.canonical_id is None and d.article_id not in taken]
    stats.phases["dedup"] = stats.phases.get("dedup", 0.0) + time.process_time() - clock

    # 2. stories
    clock = time.process_time()
    keys_of = prepared.analysis_keys
    features = [report_features(i, ts_of[i], terms[i][0], terms[i][1], None, keys_of.get(i)) for i in canonical_ids]
    if session.terms is None or session.entities is None:
        session.terms, session.entities = _load_df(store, _DF_KEY), _load_df(store, _EDF_KEY)
    frequencies, entity_frequencies = session.terms, session.entities
    window = params.window_hours * 3600.0
    if session.clusterer is None:
        session.clusterer = Clusterer((), params)
        cohesion = sql.get_state_blob(conn, _COHESION_KEY)
        if cohesion is not None:
            seen = json.loads(cohesion)
            session.clusterer.join_text_seen, session.clusterer.joins_seen = float(seen["text"]), int(seen["joins"])
    clusterer = session.clusterer
    clusterer.start_batch()
    if features:
        clusterer.evict_before(features[0].ts)  # saved already: nothing of this chunk touched them
        live_ids = sql.live_story_ids(conn, features[0].ts - window, features[-1].ts + window)
        clusterer.add_states(sql.load_states(conn, [i for i in live_ids if i not in clusterer.stories]).values())
    before = {sid: Profile.of(s) for sid, s in clusterer.stories.items()}
    stats.phases["load"] = stats.phases.get("load", 0.0) + time.process_time() - clock
    clock = time.process_time()
    evicted: dict[str, StoryState] = {}
    for n, f in enumerate(features):
        if n and n % 2000 == 0:
            for s in clusterer.evict_before(f.ts):
                if s.story_id in clusterer.touched:
                    evicted[s.story_id] = s
        weigh(f, frequencies, entity_frequencies)
        clusterer.add(f)
    stats.reports += len(features)
    stats.merges += len(clusterer.merges)
    absorbed = {m.absorbed for m in clusterer.merges}
    after = {sid: clusterer.stories[sid] for sid in clusterer.touched if sid in clusterer.stories}
    after.update({sid: s for sid, s in evicted.items() if sid not in absorbed})
    stats.new_stories += sum(1 for sid in after if sid not in before)
    stats.phases["cluster"] = stats.phases.get("cluster", 0.0) + time.process_time() - clock
    clock = time.process_time()

    with store.transaction() as tx:
        sql.add_bands(tx, ((b, d.article_id, d.ts) for d in docs for b in d.bands))
        # Band keys that no report of this batch or a later one (in date order) can match any more.
        sql.prune_bands(tx, first_ts - WINDOW_SECONDS)
        sql.add_duplicates(tx, copies)
        touched: set[str] = set()
        for d, story_id in takeovers:
            assert d.replaces is not None
            sql.repoint_canonical(tx, d.replaces, d.article_id, d.similarity)
            sql.add_story_articles(tx, [(d.article_id, story_id, ts_of[d.article_id])])
            tx.execute("UPDATE story_state SET dirty = 1 WHERE story_id = ?", (story_id,))
            touched.add(story_id)
        for merge in clusterer.merges:
            sql.merge_story_rows(tx, merge.absorbed, merge.into)
        sql.add_story_articles(tx, ((f.article_id, clusterer.assignments[f.article_id], f.ts) for f in features))
        update_situations(tx, before, after, sorted(absorbed), live=clusterer.stories)
        sql.save_states(tx, after.values())
        sql.set_situations(tx, ((s.situation_id, s.story_id) for s in after.values()))
        sql.set_state_blob(tx, _DF_KEY, frequencies.to_bytes())
        sql.set_state_blob(tx, _EDF_KEY, entity_frequencies.to_bytes())
        sql.set_state_blob(tx, _NDOCS_KEY, str(frequencies.n_docs).encode())
        cohesion = {"text": clusterer.join_text_seen, "joins": clusterer.joins_seen}
        sql.set_state_blob(tx, _COHESION_KEY, json.dumps(cohesion).encode())
        session.token = os.urandom(12)
        sql.set_state_blob(tx, _SESSION_KEY, session.token)
        # A copy changes its canonical's story (its duplicates, its "updated"): that story is rewritten too.
        copy_stories = set(sql.stories_of(tx, [c for _, c, _ in copies]).values())
        sql.mark_dirty(tx, sorted(copy_stories))
    stats.phases["write"] = stats.phases.get("write", 0.0) + time.process_time() - clock
    return touched | set(after) | copy_stories, absorbed


# -- writing story articles ---------------------------------------------------------------------------------


def _figures(store: Store, ids: Sequence[str]) -> list[Figure]:
    out = []
    for chunk in sql._chunks(sorted(set(ids))):
        for (text,) in store.conn.execute(
            f"SELECT json FROM figures WHERE article_id IN ({sql._marks(len(chunk))}) ORDER BY id", list(chunk)
        ):
            out.append(Figure.from_json(text))
    return out


def _events(store: Store, ids: Sequence[str]) -> list[Event]:
    out: list[Event] = []
    for chunk in sql._chunks(sorted(set(ids))):
        out.extend(store.events(chunk))
    return out


def story_inputs(store: Store, story_ids: Sequence[str]) -> list[StoryInputs]:
    """Everything the writer needs for a few stories, in a handful of batched queries."""
    conn = store.conn
    states = sql.load_states(conn, story_ids)
    members = sql.story_members(conn, list(states))
    canonical = [a for sid in states for a, _ in members.get(sid, [])]
    copies = sql.copies_of(conn, canonical)
    # Members come oldest first; the writer reads the first and the latest ones of a long story.
    to_read = {sid: [a for a, _ in reports_to_read(members.get(sid, []))] for sid in states}
    read_ids = [a for v in to_read.values() for a in v]
    rows = sql.load_reports(conn, read_ids + list(copies))
    analyses = sql.load_analyses(conn, read_ids)
    events_by: dict[str, list[Event]] = {}
    for e in _events(store, canonical):
        events_by.setdefault(e.article_id or "", []).append(e)
    figures_by: dict[str, list[Figure]] = {}
    for f in _figures(store, canonical):
        figures_by.setdefault(f.article_id or "", []).append(f)
    copies_by: dict[str, dict[str, str]] = {}
    for copy, target in copies.items():
        copies_by.setdefault(target, {})[copy] = target
    situations = sql.get_situations(conn, [s.situation_id for s in states.values() if s.situation_id])
    out = []
    for sid in sorted(states):
        state = states[sid]
        ids = [a for a, _ in members.get(sid, [])]
        reports = [
            SourceReport(
                a, r.title, r.text, r.date, report_ts(r.date, r.ingested_at), r.outlet, r.url, analyses.get(a, {})
            )
            for a in to_read[sid]
            if (r := rows.get(a)) is not None
        ]
        duplicates: dict[str, str] = {}
        for a in ids:
            duplicates.update(copies_by.get(a, {}))
        situation = situations.get(state.situation_id or "")
        out.append(
            StoryInputs(
                story_id=sid,
                reports=reports,
                duplicates=duplicates,
                copy_ts=[report_ts(rows[c].date, rows[c].ingested_at) for c in sorted(duplicates) if c in rows],
                events=[e for a in ids for e in events_by.get(a, [])],
                figures=[f for a in ids for f in figures_by.get(a, [])],
                situation=situation.name if situation else None,
                situation_id=state.situation_id,
                theatre=state.theatre,
                article_ids=ids,
                member_ts=[ts for _, ts in members.get(sid, [])],
            )
        )
    return out


def write_stories(store: Store, story_ids: Iterable[str], stats: StageStats | None = None) -> int:
    ids = sorted(set(story_ids))
    written = 0
    for offset in range(0, len(ids), WRITE_BATCH):
        batch = ids[offset : offset + WRITE_BATCH]
        # story_inputs has read each story's state already: its situation id comes with the inputs.
        written_now = [(inputs.situation_id, write_story(inputs)) for inputs in story_inputs(store, batch)]
        with store.transaction() as tx:
            for situation_id, story in written_now:
                sql.save_story_json(
                    tx,
                    story.id,
                    situation=story.situation,
                    situation_id=situation_id,
                    headline=story.headline,
                    first_seen=story.first_seen,
                    updated=story.updated,
                    n_reports=len(story.article_ids),
                    data=story.to_json(),
                )
        written += len(written_now)
    if stats is not None:
        stats.written += written
    return written


# -- reading stories back -------------------------------------------------------------------------------------


def story_from_dict(data: dict[str, object]) -> Story:
    """A stored story; figures are reconciled figures, not single-source ones."""
    data = dict(data)
    figures = data.pop("figures", []) or []
    story = Story.from_dict(data)
    story.figures = [ReconciledFigure.from_dict(f) for f in figures]  # type: ignore[misc, union-attr]
    return story


def load_story(store: Store, story_id: str) -> Story | None:
    text = sql.story_json(store.conn, story_id)
    return story_from_dict(json.loads(text)) if text else None


def top_stories(store: Store, limit: int | None = None) -> list[Story]:
    """Stories with the most sources first."""
    out = []
    for sid in sql.story_ids_by_size(store.conn, limit):
        story = load_story(store, sid)
        if story is not None:
            out.append(story)
    return out


def unplaced_ids(store: Store) -> list[str]:
    """Analysed reports that no story holds and that are not copies (left by an interrupted run)."""
    return sql.unplaced_ids(store.conn)
