"""Story clustering: quality on the team's gold set, determinism, incremental = rebuild, merges, windows."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from conftest import DATA

from watchfloor.ingest import read_paths
from watchfloor.models import Article
from watchfloor.store import Store
from watchfloor.stories import stage
from watchfloor.stories.cluster import Clusterer, ClusterParams, story_id_for
from watchfloor.stories.evaluate import evaluate_clusters, score
from watchfloor.stories.features import ReportFeatures
from watchfloor.stories.situations import development_kind, month_span, situation_name
from watchfloor.stories.stage import rebuild_stories, update_stories

GOLD = DATA / "clusters" / "reports.jsonl"
BASELINE = DATA / "clusters" / "baseline.json"


def _gold_articles() -> list[Article]:
    items = [i for i in read_paths([GOLD]) if isinstance(i, Article)]
    return sorted(items, key=lambda a: (a.date or "", a.id))


def _snapshot(store: Store) -> dict[str, object]:
    def rows(sql: str) -> list[tuple[object, ...]]:
        return sorted(tuple(r) for r in store.conn.execute(sql))

    return {
        "members": rows("SELECT article_id, story_id FROM story_articles"),
        "copies": rows("SELECT article_id, canonical_id FROM duplicates"),
        "stories": rows("SELECT id, situation, headline, n_reports, json FROM stories"),
        "situations": rows("SELECT id, name, theatre FROM situations"),
    }


# -- quality ------------------------------------------------------------------------------------------------


def _gate(mode: str, analysis: bool) -> None:
    result = evaluate_clusters(GOLD, analysis=analysis)
    print(f"clustering ({mode}): {result.summary()}")
    floors = json.loads(BASELINE.read_text(encoding="utf-8"))
    tolerance = floors["tolerance"]
    floor = floors[mode]
    assert result.reports >= 80 and result.gold_stories >= 15
    assert result.f1 >= floor["pairwise_f1"] - tolerance, (
        f"pairwise F1 fell to {result.f1:.3f} (pinned {floor['pairwise_f1']})"
    )
    assert result.purity >= floor["purity"] - tolerance, (
        f"purity fell to {result.purity:.3f} (pinned {floor['purity']})"
    )


def test_clustering_gate_text_only() -> None:
    """Text alone (no analysis): the floor that does not depend on the analysis components."""
    _gate("text_only", analysis=False)


def test_clustering_gate_full_pipeline() -> None:
    """The whole pipeline (analysis, then dedup and clustering) on the gold set; targets F1 >= 0.85, purity >= 0.95."""
    _gate("full_pipeline", analysis=True)


def test_score_counts_pairs_and_purity() -> None:
    gold = {"a": "x", "b": "x", "c": "y", "d": "y"}
    assert score(gold, {"a": "1", "b": "1", "c": "2", "d": "2"}).f1 == 1.0
    merged = score(gold, {"a": "1", "b": "1", "c": "1", "d": "1"})
    assert merged.recall == 1.0 and merged.precision == pytest.approx(2 / 6) and merged.purity == 0.5
    split = score(gold, {"a": "1", "b": "2", "c": "3", "d": "4"})
    assert split.precision == 1.0 and split.recall == 0.0 and split.purity == 1.0 and split.inverse_purity == 0.5


# -- determinism and incrementality -------------------------------------------------------------------------


def test_same_input_gives_same_stories_and_ids(tmp_path: Path) -> None:
    snapshots = []
    for n in range(2):
        store = Store(tmp_path / f"run{n}.db")
        articles = _gold_articles()
        store.add_articles(articles)
        update_stories(store, [a.id for a in articles], [], write=False)
        snapshots.append(_snapshot(store)["members"])
        store.close()
    assert snapshots[0] == snapshots[1]
    story_ids = {sid for _, sid in snapshots[0]}
    first = {}
    for article_id, sid in snapshots[0]:
        first.setdefault(sid, []).append(article_id)
    # Every story id is the hash of one of its reports (its first canonical report).
    assert all(any(story_id_for(a) == sid for a in first[sid]) for sid in story_ids)


@pytest.mark.parametrize("reload", [False, True], ids=["kept-in-memory", "read-back"])
def test_incremental_in_date_order_equals_rebuild(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, reload: bool
) -> None:
    store = Store(tmp_path / "inc.db")
    articles = _gold_articles()
    for offset in range(0, len(articles), 9):
        batch = articles[offset : offset + 9]
        store.add_articles(batch)
        if reload:
            stage._SESSIONS.clear()  # as another process would: live stories are read back from the store
        update_stories(store, [a.id for a in batch], [])
    incremental = _snapshot(store)
    rebuild_stories(store)
    rebuilt = _snapshot(store)
    assert incremental["members"] == rebuilt["members"]
    assert incremental["copies"] == rebuilt["copies"]
    assert incremental["situations"] == rebuilt["situations"]
    assert incremental["stories"] == rebuilt["stories"]
    assert len(incremental["stories"]) >= 15
    # One call in many chunks keeps the live stories in memory between chunks: same result as reading back.
    monkeypatch.setattr(stage, "CLUSTER_BATCH", 7)
    rebuild_stories(store)
    assert _snapshot(store) == rebuilt


def test_out_of_order_batches_place_every_report_once(tmp_path: Path) -> None:
    store = Store(tmp_path / "ooo.db")
    articles = _gold_articles()[::-1]
    for offset in range(0, len(articles), 13):
        batch = articles[offset : offset + 13]
        store.add_articles(batch)
        update_stories(store, [a.id for a in batch], [])
    placed = [r[0] for r in store.conn.execute("SELECT article_id FROM story_articles")]
    copies = [r[0] for r in store.conn.execute("SELECT article_id FROM duplicates")]
    assert sorted(placed + copies) == sorted(a.id for a in articles)
    live = {r[0] for r in store.conn.execute("SELECT DISTINCT story_id FROM story_articles")}
    assert live == {r[0] for r in store.conn.execute("SELECT id FROM stories")}
    assert live == {r[0] for r in store.conn.execute("SELECT story_id FROM story_state")}


# -- the clusterer itself -----------------------------------------------------------------------------------


def _report(article_id: str, hours: float, terms: dict[int, float], entities: tuple[str, ...] = ()) -> ReportFeatures:
    idx = np.array(sorted(terms), dtype=np.int32)
    val = np.array([terms[i] for i in sorted(terms)], dtype=np.float32)
    val /= np.linalg.norm(val)
    f = ReportFeatures(
        article_id=article_id,
        ts=1_700_000_000 + hours * 3600,
        counts_indices=idx,
        counts_values=np.ones_like(val),
        entities={e: 1.0 for e in entities},
        countries={},
        event_kinds={},
        actor_types={},
    )
    f.indices, f.weights = idx, val
    f.top_terms = [int(i) for i in idx]
    return f


def test_similar_report_joins_and_distant_one_opens_a_story() -> None:
    c = Clusterer(params=ClusterParams(join_threshold=0.3))
    s1 = c.add(_report("a", 0, {1: 1.0, 2: 1.0, 3: 1.0}))
    assert s1 == story_id_for("a")
    assert c.add(_report("b", 5, {1: 1.0, 2: 1.0, 4: 1.0})) == s1
    assert c.add(_report("c", 6, {7: 1.0, 8: 1.0})) != s1  # nothing in common: no candidate at all


def test_time_window_closes_a_story() -> None:
    c = Clusterer(params=ClusterParams(join_threshold=0.3, window_hours=72))
    s1 = c.add(_report("a", 0, {1: 1.0, 2: 1.0}))
    assert c.add(_report("b", 70, {1: 1.0, 2: 1.0})) == s1  # within 72 h of the last report
    assert c.add(_report("c", 70 + 73, {1: 1.0, 2: 1.0})) != s1  # 73 h after the last report


def test_converging_stories_merge_into_the_older_one() -> None:
    c = Clusterer(params=ClusterParams(join_threshold=0.3, merge_threshold=0.3))
    s1 = c.add(_report("a", 0, {1: 1.0, 2: 1.0}))
    s2 = c.add(_report("b", 1, {3: 1.0, 4: 1.0}))
    assert s1 != s2
    # Reports that mix both vocabularies pull the two stories together until they merge.
    final = s2
    for n in range(6):
        final = c.add(_report(f"m{n}", 2 + n, {1: 1.0, 2: 1.0, 3: 1.0, 4: 1.0}))
    assert final == s1
    assert [(m.absorbed, m.into) for m in c.merges] == [(s2, s1)]
    assert set(c.assignments.values()) == {s1}


def test_merge_repoints_story_articles_in_the_store(tmp_path: Path) -> None:
    store = Store(tmp_path / "m.db")
    base = "Protesters marched on the parliament in {city} demanding the repeal of the new tax law, organisers said."
    other = "Engineers restored power to the northern districts of {city} after the storm cut the main lines, officials said."
    mixed = (
        "Protesters marched on the parliament demanding the repeal of the new tax law while engineers restored power "
        "to the northern districts after the storm cut the main lines, officials said in {city}."
    )
    arts = [
        Article(
            id="p1",
            text=base.format(city="Exampleton"),
            title="Tax protest",
            date="2025-01-01T08:00:00Z",
            content_hash="p1",
        ),
        Article(
            id="q1",
            text=other.format(city="Exampleton"),
            title="Power restored",
            date="2025-01-01T09:00:00Z",
            content_hash="q1",
        ),
    ]
    store.add_articles(arts)
    params = ClusterParams(join_threshold=0.2, merge_threshold=0.2)
    update_stories(store, ["p1", "q1"], [], params=params)
    assert store.conn.execute("SELECT count(DISTINCT story_id) FROM story_articles").fetchone()[0] == 2
    more = [
        Article(
            id=f"x{n}",
            text=mixed.format(city=f"Exampleton district {n}"),
            title="Protest and power",
            date=f"2025-01-01T1{n}:00:00Z",
            content_hash=f"x{n}",
        )
        for n in range(4)
    ]
    store.add_articles(more)
    update_stories(store, [a.id for a in more], [], params=params)
    stories = {r[0] for r in store.conn.execute("SELECT DISTINCT story_id FROM story_articles")}
    assert stories == {story_id_for("p1")}
    assert {r[0] for r in store.conn.execute("SELECT id FROM stories")} == stories
    assert {r[0] for r in store.conn.execute("SELECT story_id FROM story_state")} == stories


def test_candidates_are_blocked_on_shared_keys() -> None:
    c = Clusterer(params=ClusterParams(join_threshold=0.0, min_text=0.0, score_min_text=0.0))
    s1 = c.add(_report("a", 0, {1: 1.0}, entities=("a:x",)))
    # Shares only an entity key, no term: still a candidate, and with threshold 0 it joins.
    assert c.add(_report("b", 1, {9: 1.0}, entities=("a:x",))) == s1
    # Shares nothing: never compared, so it opens its own story even with threshold 0.
    assert c.add(_report("c", 2, {20: 1.0})) != s1


def test_shared_actors_alone_never_join_a_story() -> None:
    """Reports of one theatre name the same actors; without shared wording they are other developments."""
    c = Clusterer()
    s1 = c.add(_report("a", 0, {1: 1.0, 2: 1.0}, entities=("a:army", "a:rebels", "p:capital")))
    assert c.add(_report("b", 1, {7: 1.0, 8: 1.0}, entities=("a:army", "a:rebels", "p:capital"))) != s1
    assert c.add(_report("c", 2, {1: 1.0, 2: 1.0, 3: 1.0}, entities=("a:army", "a:rebels", "p:capital"))) == s1


def test_a_story_stops_taking_reports_after_its_span() -> None:
    """A steady run of reports no longer slides a story's window forever."""
    c = Clusterer(params=ClusterParams(max_span_hours=100))
    s1 = c.add(_report("a", 0, {1: 1.0, 2: 1.0}))
    assert all(c.add(_report(f"r{h}", h, {1: 1.0, 2: 1.0})) == s1 for h in range(24, 97, 24))
    assert c.add(_report("late", 101, {1: 1.0, 2: 1.0})) != s1
    assert c.evict_before(_report("x", 102, {}).ts) and s1 not in c.stories


def _with_towns(f: ReportFeatures, lede: tuple[str, ...]) -> ReportFeatures:
    f.towns = f.lede_towns = lede
    return f


def test_same_wording_in_another_town_is_another_story() -> None:
    shared = {n: 1.0 for n in range(1, 21)}
    here, there = shared | {n: 1.0 for n in range(100, 121)}, shared | {n: 1.0 for n in range(200, 221)}
    c = Clusterer(params=ClusterParams(cohesion_slack=0.0))  # the place rule alone
    s1 = c.add(_with_towns(_report("a", 0, here, entities=("p:alpha",)), ("p:alpha",)))
    # Half the wording in common, in the same town: the same development (it opens no story of its own).
    assert c.add(_with_towns(_report("b", 2, there, entities=("p:alpha",)), ("p:alpha",))) == s1
    c = Clusterer(params=ClusterParams(cohesion_slack=0.0))
    s1 = c.add(_with_towns(_report("a", 0, here, entities=("p:alpha",)), ("p:alpha",)))
    # The same half, but the lede is in a town the story never named: the same kind of event elsewhere.
    assert c.add(_with_towns(_report("c", 3, there, entities=("p:beta",)), ("p:beta",))) != s1


def test_a_tight_story_does_not_take_a_report_that_only_shares_a_template() -> None:
    template = {n: 1.0 for n in range(1, 11)}
    own = {n: 1.0 for n in range(100, 111)}
    c = Clusterer(params=ClusterParams(cohesion_prior_joins=0))
    s1 = c.add(_report("a", 0, template | own))
    assert c.add(_report("b", 1, template | own)) == s1
    assert c.add(_report("c", 2, template | own)) == s1
    # Half the wording in common would clear the join threshold, but the story's reports share all of theirs.
    other = template | {n: 1.0 for n in range(200, 211)}
    assert c.add(_report("d", 3, other)) != s1
    # A loose story (reports in their own words) keeps taking reports from the plain threshold up.
    loose = Clusterer(params=ClusterParams(cohesion_prior_joins=0))
    s2 = loose.add(_report("e", 0, template | own))
    assert loose.add(_report("f", 1, other)) == s2


# -- situations -----------------------------------------------------------------------------------------------


def test_situation_names() -> None:
    kinds = {"Battles/Non-state actor overtakes territory": 5.0, "Explosions/Remote violence/Air/drone strike": 2.0}
    assert development_kind(kinds, {"Rebel group": 4.0, "State forces": 2.0}) == "rebel offensive"
    assert development_kind({"Protests/Peaceful protest": 3.0}, {}) == "protests"
    assert development_kind({}, {}) == "developments"
    nov27, dec13, jan2 = 1732700000.0, 1734080000.0, 1735800000.0
    assert month_span(nov27, dec13) == "Nov-Dec 2024"
    assert month_span(dec13, jan2) == "Dec 2024-Jan 2025"
    assert month_span(nov27, nov27) == "Nov 2024"
    assert situation_name("SYR", kinds, {"Rebel group": 4.0}, nov27, dec13) == "Syria: rebel offensive, Nov-Dec 2024"


def _put_analysis(store: Store, article_id: str, countries: list[str], kinds: list[tuple[str, str]]) -> None:
    record = {
        "id": article_id,
        "language": "en",
        "events": [
            {
                "event_type": t,
                "sub_event_type": s,
                "modality": "asserted",
                "actor1": {"id": "reb", "name": "Rebels", "type": "Rebel group"},
            }
            for t, s in kinds
        ],
        "actors": [
            {
                "id": "reb",
                "name": "Rebels",
                "type": "Rebel group",
                "country": countries[0],
                "start": 0,
                "end": 1,
                "text": "R",
            }
        ],
        "places": [
            {
                "name": f"Town {c}",
                "lat": 1.0,
                "lon": 2.0,
                "country": c,
                "admin1": None,
                "admin2": None,
                "geo_precision": 1,
                "start": 0,
                "end": 1,
                "text": "T",
            }
            for c in countries
        ],
        "figures": [],
        "quotes": [],
        "dates": [],
    }
    store.conn.execute(
        "INSERT OR REPLACE INTO analyses (article_id, language, version, json) VALUES (?, 'en', '1', ?)",
        (article_id, json.dumps(record)),
    )


def test_stories_of_one_theatre_share_a_situation(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.db")
    texts = {
        "a": (
            "2024-11-27T10:00:00Z",
            "SYR",
            "Rebel fighters seized villages west of Aleppo in a dawn offensive, a war monitor said.",
        ),
        "b": (
            "2024-12-01T10:00:00Z",
            "SYR",
            "Turkish-backed factions captured Tal Rifaat from Kurdish-led forces north of the city.",
        ),
        "c": (
            "2024-12-02T10:00:00Z",
            "UKR",
            "A glide bomb hit an apartment block in Kharkiv overnight, killing seven residents.",
        ),
    }
    for aid, (date, _, text) in texts.items():
        store.add_articles([Article(id=aid, text=text, title=text[:30], date=date, content_hash=aid)])
        _put_analysis(store, aid, [texts[aid][1]], [("Battles", "Non-state actor overtakes territory")])
    update_stories(store, list(texts), [])
    rows = dict(store.conn.execute("SELECT story_id, situation_id FROM story_state").fetchall())
    sit_of = {
        aid: rows[store.conn.execute("SELECT story_id FROM story_articles WHERE article_id = ?", (aid,)).fetchone()[0]]
        for aid in texts
    }
    assert sit_of["a"] == sit_of["b"] != sit_of["c"]
    names = dict(store.conn.execute("SELECT id, name FROM situations").fetchall())
    assert names[sit_of["a"]] == "Syria: rebel offensive, Nov-Dec 2024"
    assert names[sit_of["c"]].startswith("Ukraine: ")
    stored = dict(store.conn.execute("SELECT id, situation FROM stories").fetchall())
    assert set(stored.values()) == {names[sit_of["a"]], names[sit_of["c"]]}


def test_unwritten_stories_are_written_by_the_next_run(tmp_path: Path) -> None:
    """Clustering commits first and marks stories dirty; a run that stops before writing is completed later."""
    store = Store(tmp_path / "dirty.db")
    articles = _gold_articles()[:20]
    store.add_articles(articles)
    update_stories(store, [a.id for a in articles], [], write=False)
    live = store.conn.execute("SELECT count(*) FROM story_state").fetchone()[0]
    assert live > 0 and store.conn.execute("SELECT count(*) FROM stories").fetchone()[0] == 0
    update_stories(store, [], [])
    assert store.conn.execute("SELECT count(*) FROM stories").fetchone()[0] == live
    assert store.conn.execute("SELECT count(*) FROM story_state WHERE dirty = 1").fetchone()[0] == 0


def test_a_foreign_force_arriving_is_filed_under_the_place_it_arrives_in(tmp_path: Path) -> None:
    """Kenyan police landing in Port-au-Prince is Haiti's story, even beside Kenya's own protests of that month
    (a demo store once filed it under "Kenya: protests")."""
    from conftest import CORPUS, run_cli

    db = tmp_path / "corpus.db"
    done = run_cli("ingest", str(CORPUS), "--db", str(db))
    assert done.returncode == 0, done.stderr
    with Store(db) as store:
        (situation,) = store.conn.execute(
            "SELECT s.situation FROM stories s JOIN story_articles m ON m.story_id = s.id WHERE m.article_id = "
            "(SELECT id FROM articles WHERE title LIKE 'First Kenyan police land%')"
        ).fetchone()
        kenya = [n for (n,) in store.conn.execute("SELECT name FROM situations WHERE theatre = 'KEN'")]
    assert situation.startswith("Haiti: "), situation
    assert kenya, "the corpus's Kenyan protests should give a Kenya situation for this test to mean anything"


# -- the fast paths give the numbers of the plain ones ---------------------------------------------------------


def _reference_sparse_sum(
    ai: np.ndarray, av: np.ndarray, bi: np.ndarray, bv: np.ndarray, keep: int
) -> tuple[np.ndarray, np.ndarray]:
    """The sum as first written: np.unique with an inverse and an unbuffered add."""
    idx = np.concatenate([ai, bi])
    val = np.concatenate([av, bv]).astype(np.float32)
    uniq, inverse = np.unique(idx, return_inverse=True)
    summed = np.zeros(uniq.size, dtype=np.float32)
    np.add.at(summed, inverse, val)
    if uniq.size > keep:
        chosen = np.sort(np.lexsort((uniq, -summed))[:keep])
        uniq, summed = uniq[chosen], summed[chosen]
    return uniq.astype(np.int32), summed


def _sparse(rng: np.random.Generator, size: int) -> tuple[np.ndarray, np.ndarray]:
    idx = np.unique(rng.integers(0, 5000, size)).astype(np.int32)
    return idx, rng.random(idx.size, dtype=np.float32)


def test_sorted_unique_equals_numpy_unique() -> None:
    from watchfloor.stories.features import sorted_unique

    rng = np.random.default_rng(3)
    for values in (
        np.zeros(0, dtype=np.uint64),
        np.array([7], dtype=np.int64),
        rng.integers(0, 50, 400).astype(np.int32),
        rng.integers(0, 2**32, 700, dtype=np.uint64),
    ):
        got = sorted_unique(values)
        assert got.dtype == values.dtype
        assert np.array_equal(got, np.unique(values))


def test_sparse_sum_with_scratch_equals_the_reference() -> None:
    from watchfloor.stories.cluster import _sparse_sum

    rng = np.random.default_rng(5)
    scratch = np.zeros(5000, dtype=np.float32)
    for n in range(40):
        ai, av = _sparse(rng, int(rng.integers(0, 400)))
        bi, bv = _sparse(rng, int(rng.integers(1, 200)))
        keep = 300 if n % 2 else 50
        got_i, got_v = _sparse_sum(ai, av * np.float32(0.7), bi, bv, keep, scratch)
        want_i, want_v = _reference_sparse_sum(ai, av * np.float32(0.7), bi, bv, keep)
        assert np.array_equal(got_i, want_i) and got_i.dtype == np.int32
        assert np.array_equal(got_v, want_v)  # bit for bit, not approximately
        assert not scratch.any()  # the scratch is left clean for the next call


def test_story_dot_equals_sparse_dot() -> None:
    from watchfloor.stories.cluster import StoryState
    from watchfloor.stories.features import sparse_dot

    rng = np.random.default_rng(11)
    c = Clusterer()

    def state(sid: str, size: int) -> StoryState:
        idx, val = _sparse(rng, size)
        return StoryState(sid, sid, 0.0, 0.0, 1, idx, val)

    for _ in range(30):
        a, b = state("a", int(rng.integers(0, 300))), state("b", int(rng.integers(0, 300)))
        assert c._story_dot(a, b) == sparse_dot(a.c_idx, a.c_val, b.c_idx, b.c_val)
    assert (c._position == -1).all()


def test_the_key_index_stays_that_of_the_live_stories() -> None:
    """Stories are reindexed by the keys they gain and lose only; the index must still list exactly the live
    stories under each key they hold, after joins, pruning, merges and evictions."""
    params = ClusterParams(join_threshold=0.3, merge_threshold=0.3, max_keys=6, window_hours=10, max_span_hours=30)
    c = Clusterer(params=params)
    rng = np.random.default_rng(2)
    for n in range(120):
        terms = {int(t): 1.0 for t in rng.choice(12, size=4, replace=False)}
        entities = tuple(f"a:{int(e)}" for e in rng.choice(9, size=2, replace=False))
        c.add(_report(f"r{n:03d}", n * 0.5, terms, entities))
        if n % 17 == 0:
            c.evict_before(1_700_000_000 + n * 0.5 * 3600)
    assert c.merges  # the stream exercised merges, not only joins
    assert any(len(s.keys) == params.max_keys for s in c.stories.values())  # and pruning
    want: dict[str, set[str]] = {}
    for sid, story in c.stories.items():
        for key in story.keys:
            want.setdefault(key, set()).add(sid)
    assert {k: v for k, v in c.index.items() if v} == want


def test_live_stories_are_found_through_the_time_index(tmp_path: Path) -> None:
    """The live-story query must seek the recent stories, not walk every story ever made."""
    from watchfloor.store.stories import live_story_ids

    store = Store(tmp_path / "live.db")
    with store.transaction() as tx:
        tx.executemany(
            "INSERT INTO story_state (story_id, first_article, first_ts, last_ts, n_reports, centroid, entities, terms)"
            " VALUES (?, ?, ?, ?, 1, x'', '{}', '{}')",
            [(f"st-{n:03d}", f"a{n}", float(n), float(n) + 5.0) for n in range(200, 0, -1)],
        )
    seen: list[str] = []
    store.conn.set_trace_callback(seen.append)
    assert live_story_ids(store.conn, 150.0, 160.0) == [f"st-{n:03d}" for n in range(145, 161)]
    store.conn.set_trace_callback(None)
    # The statement it ran, with its bound values, planned again: a seek on the time index, not a walk.
    (statement,) = [q for q in seen if "story_state" in q]
    plan = " ".join(str(r[3]) for r in store.conn.execute(f"EXPLAIN QUERY PLAN {statement}"))
    assert "story_state_last" in plan
    store.close()


def test_clustering_without_writing_lists_only_the_stories_it_touched(tmp_path: Path) -> None:
    """Without writing, every story stays dirty; a later call must not list (nor scan) all of them again."""
    store = Store(tmp_path / "nowrite.db")
    articles = _gold_articles()[:30]
    store.add_articles(articles[:20])
    first = update_stories(store, [a.id for a in articles[:20]], [], write=False)
    store.add_articles(articles[20:])
    second = update_stories(store, [a.id for a in articles[20:]], [], write=False)
    placed = dict(store.conn.execute("SELECT article_id, story_id FROM story_articles"))
    assert {placed[a.id] for a in articles[20:] if a.id in placed} <= set(second)
    assert set(first) - set(second)  # stories of the first call that the second did not touch are not listed
    store.close()
