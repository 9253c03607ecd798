-- The assessment stage reads a theatre's reports after every batch: its stories' reports (story_state by
-- theatre) and the reports whose events happen in it (events by country). Without these indexes both reads
-- scan every article and every event of the store, so each batch cost grew with the whole history.
CREATE INDEX story_state_theatre ON story_state(theatre);
CREATE INDEX events_country ON events(country);
