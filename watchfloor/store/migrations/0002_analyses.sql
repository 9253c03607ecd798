-- What analysis found in each article: the full extract record (language, mentions, events, figures, quotes,
-- dates) as JSON, so later stages and the API read one row instead of re-running analysis.
CREATE TABLE analyses (
    article_id  TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    language    TEXT,
    version     TEXT NOT NULL,
    json        TEXT NOT NULL
);

CREATE TABLE figures (
    id          INTEGER PRIMARY KEY,
    article_id  TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    kind        TEXT NOT NULL,
    value       INTEGER,
    date        TEXT,
    json        TEXT NOT NULL
);
CREATE INDEX figures_article ON figures(article_id);
