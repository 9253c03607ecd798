"""RSS, Atom and RDF feeds (feedparser) and OPML feed lists, parsed from bytes already fetched.

Nothing here touches the network: ``parse_feed`` gets the body the safe fetcher returned. feedparser is
always handed a stream, never a string, because it treats a string that looks like a URL or a path as
something to open.
"""

from __future__ import annotations

import calendar
import datetime as dt
import hashlib
import io
import re
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser

from watchfloor.errors import InputError
from watchfloor.ingest.files import _visible_text

DEFAULT_MAX_ENTRIES = 200
MAX_KEY_CHARS = 500
_FEED_MEDIA = {"application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/x-rss+xml"}
_XML_MEDIA = _FEED_MEDIA | {"application/xml", "text/xml"}
_FEED_ROOT = re.compile(rb"<(?:[a-z0-9_]+:)?(rss|feed|rdf)\b", re.IGNORECASE)
# An internal DTD subset declaring entities: no real feed or OPML file needs one, and nested entities turn a
# few hundred bytes into megabytes of text (expat only stops the worst of it).
_ENTITY_DECLARATION = re.compile(rb"<!DOCTYPE[^>\[]*\[[^\]]*<!ENTITY", re.IGNORECASE)
MAX_TITLE_CHARS = 1000


@dataclass(slots=True)
class FeedEntry:
    key: str  # what identifies the entry within its feed: guid, else link, else a hash of its content
    link: str | None  # absolute http(s) URL of the article
    title: str | None
    text: str  # plain text of the entry's content or summary; may be empty
    date: str | None  # ISO 8601, UTC
    author: str | None = None


@dataclass(slots=True)
class ParsedFeed:
    title: str | None
    entries: list[FeedEntry]
    total: int  # entries in the feed, before the cap
    warning: str | None = None  # the feed was malformed, but entries were recovered


@dataclass(slots=True)
class FeedSource:
    """A feed to watch, as a config file or an OPML list names it."""

    url: str
    name: str | None = None
    interval_min: float = 15.0
    enabled: bool = True
    pages: bool = True  # fetch each new entry's page for its full text


class NotAFeedError(InputError):
    """The body is not a feed (an HTML page, an empty body, broken XML with nothing recoverable)."""


def looks_like_feed(content: bytes, media_type: str | None) -> bool:
    """A cheap guess from the media type and the first bytes: is this a feed rather than a page?"""
    if media_type in _FEED_MEDIA:
        return True
    head = content[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:5].lower() == b"<html" or head[:14].lower() == b"<!doctype html":
        return False
    return bool(_FEED_ROOT.search(head))


def parse_feed(
    content: bytes,
    url: str,
    *,
    media_type: str | None = None,
    charset: str | None = None,
    max_entries: int = DEFAULT_MAX_ENTRIES,
) -> ParsedFeed:
    """Entries of an RSS/Atom/RDF feed, newest first as the feed lists them, at most ``max_entries``.

    Raises ``NotAFeedError`` with a one-line reason when nothing usable is there.
    """
    if not content.strip():
        raise NotAFeedError("not a feed: the body is empty")
    if _ENTITY_DECLARATION.search(content):
        raise NotAFeedError("not a feed: it declares XML entities, which are refused")
    declared = media_type if media_type in _XML_MEDIA else "application/xml"
    headers = {"content-location": url, "content-type": declared + (f"; charset={charset}" if charset else "")}
    try:
        parsed = feedparser.parse(io.BytesIO(content), response_headers=headers)
    except Exception as exc:  # feedparser's fallback parsers can raise on pathological input
        raise NotAFeedError(f"not a feed: parser failed ({type(exc).__name__})") from exc
    raw_entries = list(parsed.get("entries") or [])
    problem = _bozo_reason(parsed)
    if not parsed.get("version") and not raw_entries:
        if not looks_like_feed(content, media_type) and b"<html" in content[:4096].lower():
            links = feed_links(content.decode("utf-8", errors="replace"), url)
            hint = f"; the page links to the feed {links[0]}" if links else ""
            raise NotAFeedError(f"not a feed: got an HTML page{hint}")
        raise NotAFeedError(f"not a feed{': ' + problem if problem else ''}")
    entries = []
    for raw in raw_entries[:max_entries]:
        entry = _entry(raw, url)
        if entry is not None:
            entries.append(entry)
    feed_info = parsed.get("feed") or {}
    title = _plain(feed_info.get("title"))[:MAX_TITLE_CHARS] or None
    warning = f"malformed feed ({problem}); {len(entries)} entries recovered" if problem else None
    if problem and not entries:
        raise NotAFeedError(f"not a feed: {problem}")
    return ParsedFeed(title=title, entries=entries, total=len(raw_entries), warning=warning)


def _bozo_reason(parsed: Any) -> str | None:
    if not parsed.get("bozo"):
        return None
    exc = parsed.get("bozo_exception")
    if isinstance(exc, (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)):
        return None  # harmless: the parser coped
    message = getattr(exc, "getMessage", lambda: str(exc))()
    line = getattr(exc, "getLineNumber", lambda: None)()
    return f"{message} at line {line}" if line else str(message or type(exc).__name__)


def _entry(raw: Any, feed_url: str) -> FeedEntry | None:
    link = _http_url(raw.get("link"), feed_url)
    if link is None:
        for candidate in raw.get("links") or []:
            if candidate.get("rel", "alternate") == "alternate":
                link = _http_url(candidate.get("href"), feed_url)
                if link:
                    break
    title = _plain(raw.get("title"))[:MAX_TITLE_CHARS] or None
    text = ""
    for content in raw.get("content") or []:
        value = _plain(content.get("value"))
        if len(value) > len(text):
            text = value
    summary = _plain(raw.get("summary"))
    if len(summary) > len(text):
        text = summary
    if not (link or title or text):
        return None
    guid = str(raw.get("id") or "").strip()
    key = guid or link or "sha:" + hashlib.sha256(f"{title}\n{text}".encode()).hexdigest()[:32]
    author = _plain(raw.get("author")) or None
    return FeedEntry(key=key[:MAX_KEY_CHARS], link=link, title=title, text=text, date=_entry_date(raw), author=author)


def _plain(value: Any) -> str:
    """Text without markup: feed fields are often HTML, sometimes escaped twice."""
    if not isinstance(value, str) or not value.strip():
        return ""
    if "<" in value or "&" in value:
        value = _visible_text(value)
    return " ".join(value.split()) if "\n" not in value else value.strip()


def _http_url(value: Any, base: str) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        absolute = urljoin(base, value.strip())
        parts = urlsplit(absolute)
    except ValueError:
        return None
    return absolute if parts.scheme in {"http", "https"} and parts.hostname else None


def _entry_date(raw: Any) -> str | None:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = raw.get(key)
        if isinstance(value, time.struct_time):
            try:
                when = dt.datetime.fromtimestamp(calendar.timegm(value), tz=dt.UTC)
            except (OverflowError, ValueError, OSError):
                continue
            if 1900 <= when.year <= 2200:
                return when.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"
    return None


# -- feed discovery in HTML pages -------------------------------------------------------------------------


class _FeedLinks(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag != "link":
            return
        found = {k.lower(): (v or "") for k, v in attrs}
        rel = found.get("rel", "").lower().split()
        if "alternate" in rel and found.get("type", "").lower() in _FEED_MEDIA and found.get("href"):
            self.hrefs.append(found["href"])


def feed_links(html: str, base: str) -> list[str]:
    """Feeds an HTML page advertises with <link rel="alternate" type="application/rss+xml">."""
    parser = _FeedLinks()
    try:
        parser.feed(html[:500_000])
    except Exception:  # HTMLParser is lenient, but a discovery hint must never fail a poll
        return []
    return [u for u in (_http_url(h, base) for h in parser.hrefs) if u]


# -- OPML -----------------------------------------------------------------------------------------------


def parse_opml(data: bytes, where: str) -> tuple[list[FeedSource], list[str]]:
    """Feeds listed in an OPML file, and one message for each outline that was skipped.

    Raises ``InputError`` when the file is not OPML at all.
    """
    if _ENTITY_DECLARATION.search(data):
        raise InputError(f"{where}: declares XML entities, which are refused")
    try:
        root = ET.fromstring(data)
    except ET.ParseError as exc:
        raise InputError(f"{where}: not valid OPML ({exc})") from exc
    except ValueError as exc:  # e.g. a document the XML parser refuses outright
        raise InputError(f"{where}: not valid OPML ({exc})") from exc
    if _local(root.tag) != "opml":
        raise InputError(f"{where}: not OPML (the root element is <{_local(root.tag)}>)")
    feeds: list[FeedSource] = []
    skipped: list[str] = []
    seen: set[str] = set()
    for number, outline in enumerate(root.iter(), start=1):
        if _local(outline.tag) != "outline":
            continue
        attrs = {_local(k).lower(): v for k, v in outline.attrib.items()}
        raw = attrs.get("xmlurl")
        if raw is None:
            continue  # a folder of outlines, not a feed
        url = _http_url(raw, "")
        name = (attrs.get("title") or attrs.get("text") or "").strip() or None
        if url is None:
            skipped.append(f"{where}: outline {name or number!s}: not an http(s) feed URL: {raw[:200]!r}")
            continue
        if url in seen:
            continue
        seen.add(url)
        feeds.append(FeedSource(url=url, name=name))
    return feeds, skipped


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1] if isinstance(tag, str) else ""
