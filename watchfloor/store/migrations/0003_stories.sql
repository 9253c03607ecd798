-- Stories: near-duplicate copies, story membership, clustering state and situations.

-- A syndicated copy points at its canonical report (the earliest by date, then id). Copies never count as sources.
CREATE TABLE duplicates (
    article_id   TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    canonical_id TEXT NOT NULL,
    similarity   REAL NOT NULL
);
CREATE INDEX duplicates_canonical ON duplicates(canonical_id);

-- MinHash LSH band keys of every report dedup has seen: one row per (band, report), looked up in batches.
-- No foreign key: the rows are many, and a dangling band only costs one failed text comparison.
CREATE TABLE minhash_bands (
    band       INTEGER NOT NULL,
    article_id TEXT NOT NULL,
    PRIMARY KEY (band, article_id)
) WITHOUT ROWID;

-- Which story each canonical report belongs to. Copies are not listed here (see duplicates).
CREATE TABLE story_articles (
    article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    story_id   TEXT NOT NULL,
    ts         REAL NOT NULL
);
CREATE INDEX story_articles_story ON story_articles(story_id, ts);

-- What a new report is compared with: one row per live story. centroid is a pruned sparse TF-IDF sum
-- (int32 indices then float32 values); entities holds counts of actor, place, country and event keys.
CREATE TABLE story_state (
    story_id      TEXT PRIMARY KEY,
    first_article TEXT NOT NULL,
    first_ts      REAL NOT NULL,
    last_ts       REAL NOT NULL,
    n_reports     INTEGER NOT NULL,
    centroid      BLOB NOT NULL,
    entities      TEXT NOT NULL,
    terms         TEXT NOT NULL,
    theatre       TEXT,
    situation_id  TEXT,
    dirty         INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX story_state_last ON story_state(last_ts);
CREATE INDEX story_state_situation ON story_state(situation_id);
CREATE INDEX story_state_dirty ON story_state(dirty) WHERE dirty = 1;

-- Corpus-wide clustering state (document frequencies of hashed terms, report count).
CREATE TABLE cluster_state (
    key   TEXT PRIMARY KEY,
    value BLOB NOT NULL
);

-- Stories of one theatre close in time, grouped so a user can follow the stream.
CREATE TABLE situations (
    id       TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    theatre  TEXT,
    first_ts REAL NOT NULL,
    last_ts  REAL NOT NULL,
    json     TEXT NOT NULL
);
CREATE INDEX situations_theatre ON situations(theatre, last_ts);

ALTER TABLE stories ADD COLUMN situation_id TEXT;
CREATE INDEX stories_situation ON stories(situation_id);
