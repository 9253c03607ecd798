from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from watchfloor.errors import StoreError
from watchfloor.ingest.identity import article_id, canonical_url, content_hash
from watchfloor.models import Article
from watchfloor.store import Store, migrations


def make_article(text: str, url: str | None = None, title: str | None = None) -> Article:
    return Article(id=article_id(url=url, text=text), text=text, title=title, url=url, content_hash=content_hash(text))


def test_fresh_store_is_at_latest_schema_in_wal_mode(db_path: Path) -> None:
    with Store(db_path) as store:
        assert store.schema_version() == len(migrations())
        assert store.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert store.counts() == {"articles": 0, "events": 0, "stories": 0}


def test_migrations_apply_once_and_in_order(db_path: Path) -> None:
    with Store(db_path) as store:
        assert store.migrate() == 0
    numbers = [n for n, _, _ in migrations()]
    assert numbers == sorted(numbers) and numbers[0] == 1


def test_store_from_an_older_schema_is_migrated(db_path: Path) -> None:
    # A database made by a version that knew only the first migration.
    conn = sqlite3.connect(db_path)
    from watchfloor.store.db import _split_sql

    for statement in _split_sql(migrations()[0][2]):
        conn.execute(statement)
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    with Store(db_path) as store:
        assert store.schema_version() == len(migrations())


def test_newer_schema_is_refused(db_path: Path) -> None:
    Store(db_path).close()
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    with pytest.raises(StoreError, match="newer"):
        Store(db_path)


def test_read_only_store_needs_an_existing_file(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no database"):
        Store(tmp_path / "missing.db", read_only=True)


def test_adding_twice_stores_once(db_path: Path) -> None:
    a = make_article("Rebels entered Aleppo.", url="https://example.test/a")
    b = make_article("Floods hit Valencia.")
    with Store(db_path) as store:
        assert store.add_articles([a, b]) == [a.id, b.id]
        assert store.add_articles([a, b]) == []
        assert store.counts()["articles"] == 2
        assert store.get_article(a.id) == a


def test_full_text_search_finds_titles_and_text_and_survives_syntax(db_path: Path) -> None:
    with Store(db_path) as store:
        store.add_articles([make_article("Rebels entered Aleppo on Friday.", title="Aleppo falls")])
        store.add_articles([make_article("Floods hit Valencia.", title="Spain floods")])
        hits = store.search("aleppo")
        assert [a.title for a, _ in hits] == ["Aleppo falls"]
        assert "[Aleppo]" in hits[0][1]
        assert store.search('valencia" OR NEAR(') == []  # quoted, so not FTS syntax; no error either
        assert len(store.search("Valencia")) == 1


def test_canonical_url_strips_tracking_and_noise() -> None:
    assert canonical_url("HTTPS://WWW.Example.test:443/path/?utm_source=x&b=2&a=1#frag") == "https://example.test/path?a=1&b=2"
    assert canonical_url("http://example.test") == "http://example.test/"


def test_article_id_prefers_url_and_normalises_text() -> None:
    assert article_id(url="https://example.test/a?utm_medium=rss", text="x") == article_id(url="https://example.test/a", text="y")
    assert article_id(url=None, text="Rebels  entered\nAleppo") == article_id(url=None, text="rebels entered aleppo")
    assert article_id(url=None, text="a") != article_id(url=None, text="b")
