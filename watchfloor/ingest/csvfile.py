"""CSV and TSV files of articles, with a map from article fields to column names.

Without a map, common column names are recognised (``body`` or ``content`` for the text, ``headline`` for
the title, ``link`` for the URL, ...). With one, e.g. ``--columns text=body,title=headline``, the named
columns are used and the rest of the row is ignored.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterator, Mapping
from pathlib import Path

from watchfloor.config import MAX_TEXT_CHARS
from watchfloor.errors import InputError
from watchfloor.ingest.files import Item, Problem, article_from_record

CSV_SUFFIXES = {".csv", ".tsv"}
FIELDS = ("text", "title", "url", "outlet", "date", "id", "author")
# Column names recognised without a map, in order of preference, compared case-insensitively.
DEFAULT_COLUMNS: dict[str, tuple[str, ...]] = {
    "text": ("text", "body", "content", "article", "story", "full_text", "fulltext"),
    "title": ("title", "headline", "heading"),
    "url": ("url", "link", "href", "source_url"),
    "outlet": ("outlet", "source", "publisher", "site", "source_name"),
    "date": ("date", "published", "published_at", "pubdate", "datetime", "timestamp"),
    "id": ("id", "guid", "article_id", "doc_id"),
    "author": ("author", "byline", "authors", "writer"),
}


def parse_column_map(spec: str | None) -> dict[str, str]:
    """``"text=body,title=headline"`` to ``{"text": "body", "title": "headline"}``; raises InputError."""
    mapping: dict[str, str] = {}
    if not spec or not spec.strip():
        return mapping
    for part in spec.split(","):
        if not part.strip():
            continue
        field, sep, column = part.partition("=")
        field, column = field.strip().lower(), column.strip()
        if not sep or not column:
            raise InputError(f"column map entry {part.strip()!r} should look like field=column")
        if field not in FIELDS:
            raise InputError(f"unknown article field {field!r} in the column map; use one of {', '.join(FIELDS)}")
        if field in mapping:
            raise InputError(f"article field {field!r} is mapped twice in the column map")
        mapping[field] = column
    return mapping


def read_csv(path: Path, columns: Mapping[str, str] | None = None) -> Iterator[Item]:
    """Articles and problems from a .csv (comma) or .tsv (tab) file with a header row."""
    _allow_long_fields()
    delimiter = "\t" if path.suffix.lower() == ".tsv" else ","
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        reader = csv.reader(handle, delimiter=delimiter)
        try:
            header = next(reader, None)
        except csv.Error as exc:
            yield Problem(f"{path}:1", f"unreadable CSV header ({exc})")
            return
        if not header:
            yield Problem(str(path), "empty CSV file (a header row is required)")
            return
        try:
            index = resolve_columns(header, columns or {})
        except InputError as exc:
            yield Problem(str(path), exc.message)
            return
        while True:
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                yield Problem(f"{path}:{reader.line_num}", f"unreadable CSV row ({exc})")
                continue
            if not any(cell.strip() for cell in row):
                continue
            record = {field: row[i] for field, i in index.items() if i < len(row) and row[i].strip()}
            yield from article_from_record(record, f"{path}:{reader.line_num}")


def resolve_columns(header: list[str], columns: Mapping[str, str]) -> dict[str, int]:
    """Field name to column index; explicit columns must exist, and some column must give the text."""
    positions: dict[str, int] = {}
    for i, name in enumerate(header):
        positions.setdefault(name.strip().lower(), i)
    index: dict[str, int] = {}
    for field, column in columns.items():
        found = positions.get(column.strip().lower())
        if found is None:
            raise InputError(f"no column {column!r} for {field}; the header has: {', '.join(header)[:300]}")
        index[field] = found
    for field, candidates in DEFAULT_COLUMNS.items():
        if field in index:
            continue
        for candidate in candidates:
            if candidate in positions and positions[candidate] not in index.values():
                index[field] = positions[candidate]
                break
    if "text" not in index:
        raise InputError(
            f"no text column (looked for {', '.join(DEFAULT_COLUMNS['text'])}); name it with --columns text=COLUMN"
        )
    return index


def _allow_long_fields() -> None:
    # The csv module refuses fields over 128 KB by default; articles can be longer. A margin over the text
    # limit lets a somewhat over-long text reach the validator, which refuses it with a clearer message.
    if csv.field_size_limit() < 4 * MAX_TEXT_CHARS:
        csv.field_size_limit(min(sys.maxsize, 4 * MAX_TEXT_CHARS))
