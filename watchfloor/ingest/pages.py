"""Article pages: main text, title, date, author and site name out of fetched HTML (trafilatura)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from watchfloor.ingest.fetch import FetchResult, decode_body
from watchfloor.ingest.files import Item, Problem, _visible_text, article_from_record
from watchfloor.ingest.identity import canonical_url
from watchfloor.models import Article

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.IGNORECASE)
# Pages with less main text than this are navigation, paywalls or errors rather than articles.
MIN_PAGE_CHARS = 80


@dataclass(slots=True)
class PageContent:
    text: str
    title: str | None = None
    date: str | None = None
    author: str | None = None
    sitename: str | None = None


def decode_html(content: bytes, charset: str | None) -> str:
    """HTML bytes to text: the HTTP charset, else a <meta charset> near the top, else UTF-8 / cp1252."""
    if not charset:
        found = _META_CHARSET.search(content[:4096])
        if found:
            charset = found.group(1).decode("ascii", errors="ignore")
    return decode_body(content, charset)


def extract_page(html: str, url: str | None = None) -> PageContent:
    """Main text and metadata of a web page; falls back to the page's visible text when extraction finds none."""
    import trafilatura

    data: dict[str, Any] = {}
    try:
        doc = trafilatura.bare_extraction(html, url=url, with_metadata=True, include_comments=False)
    except Exception:  # trafilatura raises many kinds on broken markup; a page must never stop a poll
        doc = None
    if doc is not None:
        data = doc.as_dict() if hasattr(doc, "as_dict") else dict(doc)
    text = data.get("text") or ""
    title = _str(data.get("title"))
    if not text.strip():
        try:
            text = _visible_text(html)
        except Exception:
            text = ""
    if title and text.startswith(title + "\n"):
        text = text[len(title) + 1 :]  # trafilatura repeats the headline as the first line
    return PageContent(
        text=text,
        title=title,
        date=_str(data.get("date")),
        author=_str(data.get("author")),
        sitename=_str(data.get("sitename")),
    )


def page_article(
    result: FetchResult,
    *,
    outlet_fallback: str | None = None,
    title: str | None = None,
    date: str | None = None,
    source_id: str | None = None,
    fallback_text: str | None = None,
    author: str | None = None,
) -> list[Item]:
    """The article a fetched page holds, identified by the canonical form of the URL it ended at.

    ``title``, ``date``, ``author`` and ``fallback_text`` come from a feed entry when there is one: a feed's date is
    more reliable than a guess from the page, and its summary stands in when the page has too little text.
    The outlet is the site's own name when the page gives one, else ``outlet_fallback``, else the host.
    Returns the Article with any warnings, or one fatal Problem.
    """
    url = canonical_url(result.final_url)
    if result.media_type == "text/plain":
        page = PageContent(text=result.text())
    else:
        page = extract_page(decode_html(result.content, result.charset), result.final_url)
    text = page.text
    if len(text.strip()) < MIN_PAGE_CHARS and fallback_text and len(fallback_text) > len(text.strip()):
        text = fallback_text
    if not text.strip():
        return [Problem(result.final_url, "no article text on the page")]
    record = {
        "text": text,
        "title": title or page.title,
        "url": url,
        "outlet": page.sitename or outlet_fallback or _host(url),
        "date": date or _iso_date(page.date),
        "id": source_id,
        "author": author or page.author,
    }
    items = list(article_from_record(record, result.final_url))
    for item in items:
        if isinstance(item, Article):
            set_language(item)
    return items


def set_language(article: Article) -> Article:
    """Record the language: non-English articles are kept and shown, but not analysed."""
    from watchfloor.analyze.language import detect_language

    if article.language is None:
        article.language = detect_language(article.text)
    return article


def _str(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


def _iso_date(value: str | None) -> str | None:
    return value if value and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value) else None


def _host(url: str) -> str | None:
    host = urlsplit(url).hostname
    return host[4:] if host and host.startswith("www.") else host
