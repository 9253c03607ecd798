"""Line-by-line extraction: the engine behind ``watchfloor extract``.

One output object per input line, in input order, so outputs can be zipped with inputs. A line that cannot be
analysed gives ``{"id": ..., "error": "..."}`` in its place rather than shifting every later line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import Any

from watchfloor.analyze.output import extract_record
from watchfloor.analyze.pipeline import Analyzer
from watchfloor.config import MAX_TEXT_CHARS
from watchfloor.ingest.files import normalise_date
from watchfloor.models import Article


def parse_line(line: str, where: str) -> tuple[Article | None, dict[str, Any] | None]:
    """An article to analyse, or the error record to write instead."""
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as exc:
        return None, {"id": None, "error": f"{where}: not valid JSON ({exc.msg} at column {exc.colno})"}
    if not isinstance(obj, dict):
        return None, {"id": None, "error": f"{where}: expected a JSON object, got {type(obj).__name__}"}
    source_id = obj.get("id")
    source_id = str(source_id) if isinstance(source_id, (str, int)) else None
    text = obj.get("text")
    if not isinstance(text, str):
        return None, {"id": source_id, "error": f'{where}: "text" must be a string'}
    if len(text) > MAX_TEXT_CHARS:
        return None, {
            "id": source_id,
            "error": f"{where}: text has {len(text):,} characters, over the limit of {MAX_TEXT_CHARS:,}; refused",
        }
    date = obj.get("date")
    article = Article(
        id=source_id if source_id is not None else where,
        # Unchanged, so that output offsets index the caller's own text.
        text=text,
        title=obj.get("title") if isinstance(obj.get("title"), str) else None,
        date=normalise_date(date) if isinstance(date, str) else None,
        language=obj.get("language") if isinstance(obj.get("language"), str) else None,
        source_id=source_id,
    )
    return article, None


def extract_lines(lines: Iterable[str], analyzer: Analyzer, name: str = "<input>") -> Iterator[dict[str, Any]]:
    """Extraction records for JSONL lines; blank lines are skipped, everything else gives exactly one record."""
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        article, error = parse_line(line, f"{name}:{number}")
        if article is None:
            assert error is not None
            yield error
            continue
        doc = analyzer(article)
        yield extract_record(doc, analyzer.resources.actors, source_id=article.source_id)
