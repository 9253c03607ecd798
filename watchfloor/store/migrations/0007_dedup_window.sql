-- Dedup compares a report only with reports dated within a few days of it (watchfloor.stories.dedup.WINDOW_DAYS):
-- band rows carry the report's time, so a lookup can keep to the window and rows that have left it can be
-- pruned, which keeps the table, and the cost of a lookup, the size of the window rather than of the history.
CREATE TABLE minhash_window (
    band       INTEGER NOT NULL,
    article_id TEXT NOT NULL,
    ts         REAL NOT NULL,
    PRIMARY KEY (band, article_id)
) WITHOUT ROWID;

-- Existing rows get their report's date (else when it was stored); a band whose report is gone gets 0 and is
-- pruned by the next batch.
INSERT OR IGNORE INTO minhash_window (band, article_id, ts)
SELECT b.band, b.article_id,
       COALESCE(CAST(strftime('%s', a.date) AS REAL), CAST(strftime('%s', a.ingested_at) AS REAL), 0.0)
FROM minhash_bands b LEFT JOIN articles a ON a.id = b.article_id;

DROP TABLE minhash_bands;
ALTER TABLE minhash_window RENAME TO minhash_bands;
CREATE INDEX minhash_bands_ts ON minhash_bands(ts);
