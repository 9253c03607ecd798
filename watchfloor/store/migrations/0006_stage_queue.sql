-- Articles analysed but not yet through the later stages (stories, judgments). Rows are added in the same
-- transaction as the analysis and removed once every stage has run, so a crash in between leaves the ids
-- here for the next run to finish.
CREATE TABLE stage_queue (
    article_id TEXT PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE
);
