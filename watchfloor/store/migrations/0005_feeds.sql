-- Feeds being watched: HTTP validators for conditional requests, and the schedule with its failure count.
CREATE TABLE feeds (
    url           TEXT PRIMARY KEY,
    name          TEXT,
    etag          TEXT,
    last_modified TEXT,
    last_polled   TEXT,
    next_poll     TEXT,
    failures      INTEGER NOT NULL DEFAULT 0,
    last_error    TEXT,
    last_status   TEXT
);

-- Entries already handled, per feed, so a poll fetches the pages of new entries only. article_id is NULL
-- when an entry gave no article (no text); the row still stops it being fetched again and again.
CREATE TABLE feed_entries (
    feed_url   TEXT NOT NULL REFERENCES feeds(url) ON DELETE CASCADE,
    entry_key  TEXT NOT NULL,
    article_id TEXT REFERENCES articles(id) ON DELETE SET NULL,
    first_seen TEXT NOT NULL,
    PRIMARY KEY (feed_url, entry_key)
) WITHOUT ROWID;
CREATE INDEX feed_entries_article ON feed_entries(article_id);
