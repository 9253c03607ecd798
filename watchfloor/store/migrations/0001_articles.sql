-- Articles as received, keyed by a stable id (see watchfloor.ingest.identity).
CREATE TABLE articles (
    id           TEXT PRIMARY KEY,
    source_id    TEXT,
    title        TEXT,
    text         TEXT NOT NULL,
    date         TEXT,
    url          TEXT,
    outlet       TEXT,
    language     TEXT,
    content_hash TEXT NOT NULL,
    ingested_at  TEXT NOT NULL,
    analyzed     INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX articles_date ON articles(date);
CREATE INDEX articles_hash ON articles(content_hash);
CREATE INDEX articles_pending ON articles(analyzed) WHERE analyzed = 0;

-- Full-text index over titles and text, kept in step by triggers so no writer can forget it.
CREATE VIRTUAL TABLE articles_fts USING fts5(title, text, content='articles', content_rowid='rowid');
CREATE TRIGGER articles_ai AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
END;
CREATE TRIGGER articles_ad AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
END;
CREATE TRIGGER articles_au AFTER UPDATE OF title, text ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, text) VALUES ('delete', old.rowid, old.title, old.text);
    INSERT INTO articles_fts(rowid, title, text) VALUES (new.rowid, new.title, new.text);
END;

-- Derived records. Each row keeps the full JSON form of the record, plus the columns we filter on.
CREATE TABLE events (
    id             TEXT PRIMARY KEY,
    article_id     TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    event_type     TEXT NOT NULL,
    sub_event_type TEXT NOT NULL,
    date           TEXT,
    country        TEXT,
    lat            REAL,
    lon            REAL,
    actor1         TEXT,
    actor2         TEXT,
    modality       TEXT NOT NULL,
    json           TEXT NOT NULL
);
CREATE INDEX events_article ON events(article_id);
CREATE INDEX events_type_date ON events(event_type, date);

CREATE TABLE stories (
    id          TEXT PRIMARY KEY,
    situation   TEXT,
    headline    TEXT NOT NULL,
    first_seen  TEXT,
    updated     TEXT,
    n_reports   INTEGER NOT NULL DEFAULT 0,
    json        TEXT NOT NULL
);
CREATE INDEX stories_updated ON stories(updated);
