"""Reading articles from local files, folders and stdin.

Every input is hostile until checked: ``read_paths`` yields either an ``Article`` or a ``Problem`` (with the
file and line it came from) for each record, so one bad line never costs the good ones around it.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import re
import sys
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from watchfloor.config import MAX_TEXT_CHARS
from watchfloor.ingest.identity import article_id, content_hash
from watchfloor.models import Article

JSONL_SUFFIXES = {".jsonl", ".ndjson"}
TEXT_SUFFIXES = {".txt", ".text", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
CSV_SUFFIXES = {".csv", ".tsv"}
SUPPORTED_SUFFIXES = JSONL_SUFFIXES | TEXT_SUFFIXES | HTML_SUFFIXES | CSV_SUFFIXES | {".json"}


@dataclass(slots=True)
class Problem:
    """Why one input record was not stored (``fatal``) or was stored with something dropped."""

    where: str  # "file:line" or "file"
    message: str
    fatal: bool = True

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"


Item = Article | Problem


def read_paths(paths: Iterable[str | Path], columns: Mapping[str, str] | None = None) -> Iterator[Item]:
    """Articles and problems from files, folders (recursively, in name order) and ``-`` (stdin, JSONL).

    ``columns`` maps record fields to CSV column names (``{"text": "body"}``) for CSV and TSV files.
    """
    for raw in paths:
        if str(raw) == "-":
            yield from read_jsonl(stdin_text(), "<stdin>")
            continue
        path = Path(raw)
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_SUFFIXES)
            if not files:
                yield Problem(str(path), "folder holds no .jsonl, .json, .csv, .txt, .md or .html files")
            for file in files:
                yield from read_file(file, columns)
        elif path.is_file():
            yield from read_file(path, columns)
        else:
            yield Problem(str(path), "no such file or folder")


def read_file(path: Path, columns: Mapping[str, str] | None = None) -> Iterator[Item]:
    suffix = path.suffix.lower()
    try:
        if suffix in JSONL_SUFFIXES:
            with path.open(encoding="utf-8", errors="replace", newline="") as handle:
                yield from read_jsonl(handle, str(path))
        elif suffix == ".json":
            yield from _read_json(path)
        elif suffix in TEXT_SUFFIXES:
            yield _from_text_file(path)
        elif suffix in HTML_SUFFIXES:
            yield _from_html_file(path)
        elif suffix in CSV_SUFFIXES:
            from watchfloor.ingest.csvfile import read_csv  # imported here: csvfile builds on this module

            yield from read_csv(path, columns)
        else:
            yield Problem(
                str(path), f"unsupported file type {suffix or '(none)'}; use .jsonl, .json, .csv, .txt, .md or .html"
            )
    except OSError as exc:
        yield Problem(str(path), f"cannot read: {exc.strerror or exc}")


def read_jsonl(handle: TextIO, name: str) -> Iterator[Item]:
    for number, line in enumerate(handle, start=1):
        if not line.strip():
            continue
        where = f"{name}:{number}"
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            yield Problem(where, f"not valid JSON ({exc.msg} at column {exc.colno})")
            continue
        yield from article_from_record(obj, where)


def _read_json(path: Path) -> Iterator[Item]:
    try:
        data = json.loads(path.read_text(encoding="utf-8", errors="replace"))
    except json.JSONDecodeError as exc:
        yield Problem(f"{path}:{exc.lineno}", f"not valid JSON ({exc.msg})")
        return
    records = data if isinstance(data, list) else [data]
    for index, obj in enumerate(records):
        yield from article_from_record(obj, f"{path}[{index}]" if isinstance(data, list) else str(path))


def article_from_record(obj: Any, where: str) -> Iterator[Item]:
    """Validate one input object; yields the Article and any non-fatal problems, or one fatal Problem."""
    if not isinstance(obj, dict):
        yield Problem(where, f"expected a JSON object, got {type(obj).__name__}")
        return
    text = obj.get("text")
    if isinstance(text, str) and len(text) > MAX_TEXT_CHARS:
        yield Problem(where, f"text has {len(text):,} characters, over the limit of {MAX_TEXT_CHARS:,}; refused")
        return
    # Cleaned before the emptiness check, so a text of control characters only counts as empty.
    text = clean_text(text) if isinstance(text, str) else None
    if not text or not text.strip():
        yield Problem(where, 'missing or empty "text" (a non-empty string is required)')
        return
    fields: dict[str, str | None] = {}
    for key in ("id", "title", "url", "outlet", "date"):
        value = obj.get(key)
        if value is not None and not isinstance(value, (str, int)):
            yield Problem(where, f'"{key}" should be a string; ignored', fatal=False)
            value = None
        fields[key] = str(value) if value is not None else None
    date = None
    if fields["date"]:
        date = normalise_date(fields["date"])
        if date is None:
            yield Problem(where, f'unparseable date {fields["date"]!r} dropped; article kept', fatal=False)
    url = fields["url"] if fields["url"] and re.match(r"^https?://", fields["url"], re.I) else None
    author, problem = _author(obj.get("author", obj.get("authors")))
    if problem:
        yield Problem(where, problem, fatal=False)
    yield Article(
        id=article_id(url=url, text=text),
        text=text,
        title=clean_text(fields["title"]) if fields["title"] else None,
        date=date,
        url=url,
        outlet=fields["outlet"],
        source_id=fields["id"],
        content_hash=content_hash(text),
        author=author,
    )


MAX_AUTHOR_CHARS = 300


def _author(value: Any) -> tuple[str | None, str | None]:
    """The byline an input gives ("author": a name, or "authors": a list of names), and a warning if unusable."""
    if value is None:
        return None, None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        value = ", ".join(v.strip() for v in value if v.strip())
    if not isinstance(value, str):
        return None, '"author" should be a string or a list of strings; ignored'
    value = " ".join(clean_text(value).split())
    if len(value) > MAX_AUTHOR_CHARS:
        return None, f'"author" is over {MAX_AUTHOR_CHARS} characters; ignored'
    return value or None, None


def normalise_date(value: str) -> str | None:
    """ISO 8601 date or date-time; returns it in a sortable form (UTC when a zone is given), else None."""
    value = value.strip()
    try:
        if len(value) == 10:
            return dt.date.fromisoformat(value).isoformat()
        parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00") if value.endswith("Z") else value)
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(dt.UTC).replace(tzinfo=None)
        return parsed.isoformat(timespec="seconds") + "Z"
    return parsed.isoformat(timespec="seconds")


_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]")


def clean_text(text: str) -> str:
    """Drop control characters and lone surrogates, which break JSON output and SQLite's text handling."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))


def _from_text_file(path: Path) -> Item:
    text = path.read_text(encoding="utf-8", errors="replace")
    title = None
    first, _, rest = text.lstrip().partition("\n")
    if path.suffix.lower() in {".md", ".markdown"} and first.startswith("#"):
        title, text = first.lstrip("#").strip(), rest
    items = list(article_from_record({"text": text, "title": title, "id": path.name}, str(path)))
    return items[0]


def _from_html_file(path: Path) -> Item:
    html = path.read_text(encoding="utf-8", errors="replace")
    text, title, date = extract_html(html)
    record: dict[str, Any] = {"text": text or "", "title": title, "id": path.name, "date": date}
    items = [i for i in article_from_record(record, str(path)) if isinstance(i, Article) or i.fatal]
    return items[0]


def extract_html(html: str) -> tuple[str | None, str | None, str | None]:
    """Main text, title and date of a web page (trafilatura), falling back to the page's visible text."""
    import trafilatura

    try:
        doc = trafilatura.bare_extraction(html, with_metadata=True, include_comments=False)
    except Exception:  # trafilatura raises many kinds on broken markup; a page must never stop an ingest
        doc = None
    if doc is not None:
        data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
        if data.get("text"):
            return data.get("text"), data.get("title"), data.get("date")
    return _visible_text(html), None, None


def _visible_text(html: str) -> str:
    from html.parser import HTMLParser

    class _Text(HTMLParser):
        def __init__(self) -> None:
            super().__init__(convert_charrefs=True)
            self.parts: list[str] = []
            self.skip = 0

        def handle_starttag(self, tag: str, attrs: Any) -> None:
            if tag in {"script", "style", "noscript", "template"}:
                self.skip += 1
            elif tag in {"p", "br", "div", "li", "h1", "h2", "h3", "tr"}:
                self.parts.append("\n")

        def handle_endtag(self, tag: str) -> None:
            if tag in {"script", "style", "noscript", "template"} and self.skip:
                self.skip -= 1

        def handle_data(self, data: str) -> None:
            if not self.skip:
                self.parts.append(data)

    parser = _Text()
    parser.feed(html)
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def stdin_text() -> TextIO:
    """stdin decoded as UTF-8 with replacement, whatever the locale says."""
    return io.TextIOWrapper(sys.stdin.buffer, encoding="utf-8", errors="replace")
