-- Situations and judgments: who controls what, who backs whom, implications with their resolution, briefs.

-- Control of places per theatre, as the latest assessment of the theatre left it.
CREATE TABLE control (
    theatre      TEXT NOT NULL,
    place        TEXT NOT NULL,
    lat          REAL NOT NULL,
    lon          REAL NOT NULL,
    controller   TEXT,
    since        TEXT,
    contested_by TEXT,
    json         TEXT NOT NULL,
    PRIMARY KEY (theatre, place)
);

-- The alignment graph per theatre: backs, arms, withdraws_support, allies_with, condemns; dated, with evidence.
CREATE TABLE alignments (
    id      INTEGER PRIMARY KEY,
    theatre TEXT NOT NULL,
    source  TEXT NOT NULL,
    kind    TEXT NOT NULL,
    target  TEXT NOT NULL,
    date    TEXT,
    origin  TEXT NOT NULL,
    json    TEXT NOT NULL
);
CREATE INDEX alignments_theatre ON alignments(theatre, kind);

-- The whole situation of a theatre (front lines, figures over time, activity), for readers and the API.
CREATE TABLE situation_state (
    theatre TEXT PRIMARY KEY,
    as_of   TEXT NOT NULL,
    json    TEXT NOT NULL
);

-- Every issued version of every judgment. ``id`` names the judgment (story, pattern and subject) and stays the
-- same across briefs; a new version is a new row. ``current`` marks the versions in the latest brief. Every
-- version with a checkable claim is scored on its own.
CREATE TABLE implications (
    id          TEXT NOT NULL,
    story_id    TEXT NOT NULL,
    subject     TEXT NOT NULL,
    pattern     TEXT NOT NULL,
    kind        TEXT NOT NULL,
    theatre     TEXT,
    made_at     TEXT NOT NULL,
    p           REAL NOT NULL,
    current     INTEGER NOT NULL DEFAULT 1,
    status      TEXT NOT NULL DEFAULT 'none',
    deadline    TEXT,
    resolved_at TEXT,
    check_json  TEXT,
    json        TEXT NOT NULL,
    UNIQUE (id, made_at)
);
CREATE INDEX implications_story ON implications(story_id, current);
CREATE INDEX implications_open ON implications(status, theatre) WHERE status = 'open';
CREATE INDEX implications_pattern ON implications(pattern, status);

-- Dated snapshots of a story as briefed, so the next brief can say what changed.
CREATE TABLE briefs (
    story_id TEXT NOT NULL,
    created  TEXT NOT NULL,
    json     TEXT NOT NULL,
    PRIMARY KEY (story_id, created)
);
