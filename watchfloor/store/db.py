"""The SQLite store: the only state shared between stages.

WAL mode lets the web server read while an ingest writes. Schema changes are numbered SQL files in
``migrations/``, applied in order inside one transaction each, and recorded in ``PRAGMA user_version``,
so a database is always at exactly one known version.
"""

from __future__ import annotations

import datetime as dt
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from importlib import resources
from pathlib import Path

from watchfloor.errors import StoreError
from watchfloor.models import Article, Event

_MIGRATIONS_PACKAGE = "watchfloor.store.migrations"


def migrations() -> list[tuple[int, str, str]]:
    """(number, file name, SQL) of every migration shipped with the package, in order."""
    found = []
    for entry in resources.files(_MIGRATIONS_PACKAGE).iterdir():
        name = entry.name
        if name.endswith(".sql") and name[:4].isdigit():
            found.append((int(name[:4]), name, entry.read_text(encoding="utf-8")))
    found.sort()
    numbers = [n for n, _, _ in found]
    if numbers != list(range(1, len(found) + 1)):
        raise StoreError(f"migrations must be numbered 0001.. without gaps, found {numbers}")
    return found


class Store:
    """A connection to one watchfloor database, migrated to the current schema on open."""

    def __init__(self, path: Path | str, *, read_only: bool = False) -> None:
        self.path = Path(path)
        self.read_only = read_only
        if read_only:
            if not self.path.exists():
                raise StoreError(f"no database at {self.path}; run `watchfloor ingest` or `watchfloor demo` first")
            uri = f"{self.path.resolve().as_uri()}?mode=ro"
            self.conn = sqlite3.connect(uri, uri=True, check_same_thread=False)
        else:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.conn = sqlite3.connect(self.path, check_same_thread=False)
        # We manage transactions ourselves: BEGIN ... COMMIT around each batch.
        self.conn.isolation_level = None
        self.conn.row_factory = sqlite3.Row
        self.conn.execute("PRAGMA foreign_keys = ON")
        self.conn.execute("PRAGMA busy_timeout = 10000")
        if not read_only:
            self.conn.execute("PRAGMA journal_mode = WAL")
            # NORMAL is durable across process crashes in WAL mode; only a power cut can lose the last commit.
            self.conn.execute("PRAGMA synchronous = NORMAL")
            # 256 MB of page cache: clustering's index lookups at 100k+ reports spend far less time in I/O.
            self.conn.execute("PRAGMA cache_size = -262144")
            self.migrate()
        elif self.schema_version() < len(migrations()):
            raise StoreError(f"database {self.path} is at schema {self.schema_version()}; open it read-write to migrate")

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- schema -------------------------------------------------------------------------------------

    def schema_version(self) -> int:
        return int(self.conn.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> int:
        """Apply pending migrations; returns the number applied."""
        current = self.schema_version()
        available = migrations()
        if current > len(available):
            raise StoreError(
                f"database {self.path} has schema {current}, newer than this watchfloor knows ({len(available)})"
            )
        applied = 0
        for number, name, sql in available[current:]:
            try:
                self.conn.execute("BEGIN IMMEDIATE")
                # executescript would commit first; run statement by statement inside our transaction.
                for statement in _split_sql(sql):
                    self.conn.execute(statement)
                self.conn.execute(f"PRAGMA user_version = {number}")
                self.conn.execute("COMMIT")
            except sqlite3.Error as exc:
                self.conn.execute("ROLLBACK")
                raise StoreError(f"migration {name} failed: {exc}") from exc
            applied += 1
        return applied

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One atomic write: all of it lands, or (on error or a kill) none of it."""
        self.conn.execute("BEGIN IMMEDIATE")
        try:
            yield self.conn
        except BaseException:
            self.conn.execute("ROLLBACK")
            raise
        self.conn.execute("COMMIT")

    # -- articles -----------------------------------------------------------------------------------

    def add_articles(self, articles: Sequence[Article]) -> list[str]:
        """Store a batch in one transaction; returns the ids that were new. Known ids are left as they are."""
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        new_ids = []
        with self.transaction() as conn:
            for a in articles:
                cur = conn.execute(
                    "INSERT OR IGNORE INTO articles"
                    " (id, source_id, title, text, date, url, outlet, language, content_hash, ingested_at, author)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (a.id, a.source_id, a.title, a.text, a.date, a.url, a.outlet, a.language, a.content_hash, now, a.author),
                )
                if cur.rowcount:
                    new_ids.append(a.id)
        return new_ids

    def has_article(self, article_id: str) -> bool:
        return self.conn.execute("SELECT 1 FROM articles WHERE id = ?", (article_id,)).fetchone() is not None

    def get_article(self, article_id: str) -> Article | None:
        row = self.conn.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()
        return article_from_row(row) if row else None

    def articles(self, *, order: str = "date") -> Iterator[Article]:
        column = {"date": "date, id", "ingested": "rowid"}[order]
        for row in self.conn.execute(f"SELECT * FROM articles ORDER BY {column}"):
            yield article_from_row(row)

    def pending_articles(self, limit: int | None = None) -> list[Article]:
        """Articles stored but not yet analysed, oldest first."""
        sql = "SELECT * FROM articles WHERE analyzed = 0 ORDER BY date, rowid"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [article_from_row(r) for r in self.conn.execute(sql)]

    def pending_ids(self) -> list[str]:
        """Ids of articles stored but not yet analysed, oldest first."""
        return [r[0] for r in self.conn.execute("SELECT id FROM articles WHERE analyzed = 0 ORDER BY date, rowid")]

    def search(self, query: str, limit: int = 50) -> list[tuple[Article, str]]:
        """Full-text search; returns articles with a highlighted snippet (brackets mark the hits)."""
        try:
            rows = self.conn.execute(
                "SELECT a.*, snippet(articles_fts, 1, '[', ']', ' ... ', 12) AS snip"
                " FROM articles_fts JOIN articles a ON a.rowid = articles_fts.rowid"
                " WHERE articles_fts MATCH ? ORDER BY rank LIMIT ?",
                (_fts_query(query), limit),
            ).fetchall()
        except sqlite3.OperationalError as exc:
            raise StoreError(f"cannot search for {query!r}: {exc}") from exc
        return [(article_from_row(r), r["snip"]) for r in rows]

    # -- derived records ----------------------------------------------------------------------------

    def events(self, article_ids: Iterable[str] | None = None) -> list[Event]:
        if article_ids is None:
            rows = self.conn.execute("SELECT json FROM events ORDER BY date, id")
        else:
            ids = list(article_ids)
            marks = ",".join("?" * len(ids))
            rows = self.conn.execute(f"SELECT json FROM events WHERE article_id IN ({marks}) ORDER BY date, id", ids)
        return [Event.from_json(r[0]) for r in rows]

    def counts(self) -> dict[str, int]:
        out = {}
        for table in ("articles", "events", "stories"):
            out[table] = int(self.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        return out

    def integrity_ok(self) -> bool:
        return self.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


def article_from_row(row: sqlite3.Row) -> Article:
    """An Article from a row of ``articles`` (any query selecting its columns by name)."""
    return Article(
        id=row["id"],
        text=row["text"],
        title=row["title"],
        date=row["date"],
        url=row["url"],
        outlet=row["outlet"],
        language=row["language"],
        source_id=row["source_id"],
        content_hash=row["content_hash"],
        author=row["author"],
    )


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements; sqlite3.complete_statement knows about BEGIN...END in triggers."""
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        if not buffer and line.lstrip().startswith("--"):
            continue
        buffer += line
        if sqlite3.complete_statement(buffer):
            statements.append(buffer.strip())
            buffer = ""
    if buffer.strip():
        statements.append(buffer.strip())
    return statements


def _fts_query(query: str) -> str:
    """Quote each word so that user input is never read as FTS5 syntax (NEAR, *, column filters)."""
    words = [w.replace('"', '""') for w in query.split()]
    return " ".join(f'"{w}"' for w in words if w)
