-- Who wrote a report, as the input, the feed entry or the page gives it (a byline; several names joined with ", ").
ALTER TABLE articles ADD COLUMN author TEXT;
