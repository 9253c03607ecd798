"""Near-duplicate detection: syndicated copies fold into one canonical report and never count twice."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import CORPUS

from watchfloor.ingest import read_paths, store_items
from watchfloor.models import Article
from watchfloor.store import Store
from watchfloor.stories.dedup import (
    DedupDoc,
    DuplicateFinder,
    band_keys,
    band_keys_many,
    is_copy,
    minhash,
    shingle_hashes,
    signatures,
    similarity,
)
from watchfloor.stories.stage import load_story, update_stories

# The syndicated copies of the sample corpus (examples/corpus/README.md, "Hard cases").
CORPUS_COPIES = {
    "syr-005b": "syr-005",
    "syr-005c": "syr-005",
    "sdn-002b": "sdn-002",
    "sdn-002c": "sdn-002",
    "drc-002b": "drc-002",
    "drc-002c": "drc-002",
    "dis-001b": "dis-001",
    "dis-001c": "dis-001",
}

WIRE = (
    "Fighters of an armed group seized the river town of Example Crossing on Tuesday after a two-day battle with "
    "army units, the regional governor said, adding that at least 40 people had been killed and hundreds of "
    "families had fled toward the provincial capital. The army said its forces had withdrawn to new defensive "
    "lines south of the town to protect civilians and would launch a counter-attack once reinforcements arrived. "
    "Aid groups said roads out of the area were jammed with cars, carts and people on foot, and that a camp on the "
    "edge of the capital was already full. The group's spokesman said in a video message that its fighters would "
    "keep advancing until the government agreed to talks."
)


def _corpus_store(tmp_path: Path) -> tuple[Store, dict[str, str]]:
    store = Store(tmp_path / "corpus.db")
    result = store_items(store, read_paths(sorted(str(p) for p in CORPUS.glob("*.jsonl"))))
    update_stories(store, result.new_ids, [], write=False)
    source = {r[0]: r[1] for r in store.conn.execute("SELECT id, source_id FROM articles")}
    return store, source


def test_shingles_ignore_case_and_punctuation() -> None:
    a = shingle_hashes("Rebels took the town on Tuesday, officials said.")
    b = shingle_hashes("REBELS took the town -- on Tuesday; officials said")
    assert a.size > 0 and list(a) == list(b)
    assert similarity(a, b) == (1.0, 1.0)


def test_light_edits_are_copies_and_other_reports_are_not() -> None:
    edited = WIRE.replace("Tuesday", "Tuesday morning").replace("hundreds of families", "hundreds of households")
    edited = "A town that changed hands twice last year is again on the front line.\n\n" + edited
    jaccard, containment = similarity(shingle_hashes(WIRE), shingle_hashes(edited))
    assert is_copy(jaccard, containment)
    other = (
        "The army said on Tuesday that it had pushed the armed group back from the outskirts of the provincial "
        "capital, while aid groups described crowded camps and roads jammed with families leaving the river valley."
    )
    jaccard, containment = similarity(shingle_hashes(WIRE), shingle_hashes(other))
    assert not is_copy(jaccard, containment)
    assert jaccard < 0.1


def test_lsh_bands_are_shared_by_copies() -> None:
    edited = WIRE.replace("at least 40", "at least 41")
    assert set(band_keys(shingle_hashes(WIRE))) & set(band_keys(shingle_hashes(edited)))
    assert band_keys(shingle_hashes("")) == []


def test_corpus_copies_found_with_full_precision_and_recall(tmp_path: Path) -> None:
    store, source = _corpus_store(tmp_path)
    found = {source[a]: source[c] for a, c in store.conn.execute("SELECT article_id, canonical_id FROM duplicates")}
    true_positives = {k for k, v in found.items() if CORPUS_COPIES.get(k) == v}
    precision = len(true_positives) / len(found) if found else 0.0
    recall = len(true_positives) / len(CORPUS_COPIES)
    print(f"dedup on the sample corpus: precision {precision:.3f}, recall {recall:.3f} ({len(found)} copies found)")
    assert found == CORPUS_COPIES


def test_copies_are_listed_as_duplicates_not_sources(tmp_path: Path) -> None:
    store, source = _corpus_store(tmp_path)
    update_stories(store, [], [])  # write the story articles
    by_source = {v: k for k, v in source.items()}
    story_id = store.conn.execute(
        "SELECT story_id FROM story_articles WHERE article_id = ?", (by_source["syr-005"],)
    ).fetchone()[0]
    story = load_story(store, story_id)
    assert story is not None
    assert by_source["syr-005"] in story.article_ids
    assert by_source["syr-005b"] not in story.article_ids and by_source["syr-005c"] not in story.article_ids
    assert story.duplicates[by_source["syr-005b"]] == by_source["syr-005"]
    assert story.duplicates[by_source["syr-005c"]] == by_source["syr-005"]
    # A copy is never in any story as a report of its own.
    copies = [by_source[c] for c in CORPUS_COPIES]
    marks = ",".join("?" * len(copies))
    assert (
        store.conn.execute(f"SELECT count(*) FROM story_articles WHERE article_id IN ({marks})", copies).fetchone()[0]
        == 0
    )


def _article(article_id: str, date: str, text: str) -> Article:
    return Article(id=article_id, text=text, title=f"Report {article_id}", date=date, content_hash=article_id)


def test_copies_found_across_batches_and_canonical_is_earliest(tmp_path: Path) -> None:
    store = Store(tmp_path / "x.db")
    copy = WIRE.replace("regional governor", "provincial governor") + " Another outlet contributed to this report."
    # The copy arrives first (its date is later); the original comes in a later batch.
    store.add_articles([_article("copy", "2025-03-02T09:00:00Z", copy)])
    update_stories(store, ["copy"], [])
    assert store.conn.execute("SELECT count(*) FROM duplicates").fetchone()[0] == 0
    story_before = store.conn.execute("SELECT story_id FROM story_articles WHERE article_id = 'copy'").fetchone()[0]
    store.add_articles([_article("orig", "2025-03-01T09:00:00Z", WIRE)])
    touched = update_stories(store, ["orig"], [])
    rows = dict(store.conn.execute("SELECT article_id, canonical_id FROM duplicates").fetchall())
    assert rows == {"copy": "orig"}
    members = [
        r[0] for r in store.conn.execute("SELECT article_id FROM story_articles WHERE story_id = ?", (story_before,))
    ]
    assert members == ["orig"]
    assert story_before in touched
    story = load_story(store, story_before)
    assert story is not None and story.article_ids == ["orig"] and story.duplicates == {"copy": "orig"}


def test_rerun_adds_nothing(tmp_path: Path) -> None:
    store = Store(tmp_path / "x.db")
    store.add_articles(
        [_article("a", "2025-03-01T09:00:00Z", WIRE), _article("b", "2025-03-01T10:00:00Z", WIRE + " Extra line.")]
    )
    update_stories(store, ["a", "b"], [])
    counts = [
        store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("duplicates", "story_articles", "minhash_bands")
    ]
    update_stories(store, ["a", "b"], [])
    assert counts == [
        store.conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
        for t in ("duplicates", "story_articles", "minhash_bands")
    ]
    assert counts[:2] == [1, 1]


def test_finder_prefers_the_most_similar_candidate() -> None:
    base = shingle_hashes(WIRE)
    near = shingle_hashes(WIRE.replace("40", "41"))
    far = shingle_hashes(WIRE[: len(WIRE) * 2 // 3])
    docs = {
        "near": DedupDoc("near", 1.0, near, band_keys(near)),
        "far": DedupDoc("far", 2.0, far, band_keys(far)),
    }
    bands: dict[int, list[str]] = {}
    for d in docs.values():
        for b in d.bands:
            bands.setdefault(b, []).append(d.article_id)
    finder = DuplicateFinder(bands, lambda ids: {i: docs[i] for i in ids}, {})
    new = DedupDoc("new", 3.0, base, band_keys(base))
    finder.prefetch([new])
    decision = finder.add(new)
    assert decision.canonical_id == "near"
    assert decision.similarity == pytest.approx(similarity(base, near)[0])


def test_copies_never_add_figures(tmp_path: Path) -> None:
    store = Store(tmp_path / "x.db")
    copy = WIRE + " Another outlet contributed to this report."
    store.add_articles([_article("orig", "2025-03-01T09:00:00Z", WIRE), _article("copy", "2025-03-01T12:00:00Z", copy)])
    start = WIRE.index("at least 40")
    for article_id in ("orig", "copy"):
        figure = {
            "kind": "killed",
            "value": 40,
            "low": None,
            "high": None,
            "approximate": False,
            "period": None,
            "source": "the regional governor",
            "start": start,
            "end": start + 11,
            "text": "at least 40",
            "article_id": article_id,
            "date": "2025-03-01",
        }
        store.conn.execute(
            "INSERT INTO figures (article_id, kind, value, date, json) VALUES (?, 'killed', 40, '2025-03-01', ?)",
            (article_id, json.dumps(figure)),
        )
    update_stories(store, ["orig", "copy"], [])
    sid = store.conn.execute("SELECT story_id FROM story_articles WHERE article_id = 'orig'").fetchone()[0]
    story = load_story(store, sid)
    assert story is not None
    assert len(story.figures) == 1
    assert [s.article_id for s in story.figures[0].sources] == ["orig"]  # type: ignore[attr-defined]


def test_bulk_signatures_equal_datasketch_minhash() -> None:
    texts = [WIRE, WIRE.replace("40", "41"), "Too short", ""]
    sets = [shingle_hashes(t) for t in texts]
    bulk = signatures(sets)
    for row, shingles in zip(bulk, sets, strict=True):
        if shingles.size:
            assert (row == minhash(shingles).hashvalues).all()
    assert band_keys_many(sets) == [band_keys(s) for s in sets]


def test_a_reprint_after_the_window_is_a_new_report(tmp_path: Path) -> None:
    """Copies are looked for within WINDOW_DAYS of a report: an old text put out again later is news again."""
    store = Store(tmp_path / "x.db")
    copy = WIRE + " Another outlet contributed to this report."
    store.add_articles(
        [
            _article("orig", "2025-03-01T09:00:00Z", WIRE),
            _article("soon", "2025-03-06T09:00:00Z", copy),  # five days on: a copy
            _article("later", "2025-03-20T09:00:00Z", copy),  # nineteen days on: a new report
        ]
    )
    update_stories(store, ["orig", "soon", "later"], [], write=False)
    assert dict(store.conn.execute("SELECT article_id, canonical_id FROM duplicates").fetchall()) == {"soon": "orig"}
    placed = {r[0] for r in store.conn.execute("SELECT article_id FROM story_articles")}
    assert placed == {"orig", "later"}


def test_band_table_holds_only_the_window(tmp_path: Path) -> None:
    """Band keys of reports that left the dedup window are pruned, so lookups cost the same as the store grows."""
    from watchfloor.stories.dedup import WINDOW_DAYS

    store = Store(tmp_path / "x.db")
    texts = [WIRE.replace("Example Crossing", f"Example Crossing {n}") + f" Day {n} of the fighting." for n in range(3)]
    days = [1, 2, 1 + WINDOW_DAYS + 3]
    for n, (day, text) in enumerate(zip(days, texts, strict=True)):
        store.add_articles([_article(f"r{n}", f"2025-03-{day:02d}T09:00:00Z", text)])
        update_stories(store, [f"r{n}"], [], write=False)
    held = {r[0] for r in store.conn.execute("SELECT DISTINCT article_id FROM minhash_bands")}
    assert held == {"r2"}
    # r0 and r1 are copies of each other (same wire text, one name changed); r2 came after the window: new.
    assert dict(store.conn.execute("SELECT article_id, canonical_id FROM duplicates").fetchall()) == {"r1": "r0"}
