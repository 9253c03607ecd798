"""Watching feeds: poll each on its schedule, store new articles, run them through the pipeline.

Work is split by what may run in parallel. Worker threads do everything that waits on the network (robots.txt,
the feed, the pages of its new entries) and read the store through their own read-only connections. The main
thread does every write: one poll's articles in one transaction, then the feed's state and seen entries in a
second, then the pipeline over the new ids. A kill between any two of these leaves a store that a rerun
completes: articles are keyed by stable ids and stored once, a feed whose state was not saved is polled again,
and articles stored but not processed are picked up at the next start.

SIGTERM or Ctrl-C stop the loop: no new poll starts, polls in flight stop between requests, what they have
fetched is committed, and the process exits 0. A second signal exits at once (as safe as a kill, no more).
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import queue
import signal
import threading
import time
import tomllib
import urllib.robotparser
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from watchfloor.errors import FetchError, InputError, WatchfloorError
from watchfloor.ingest.feeds import DEFAULT_MAX_ENTRIES, FeedEntry, FeedSource, looks_like_feed, parse_feed, parse_opml
from watchfloor.ingest.fetch import (
    DEFAULT_USER_AGENT,
    FEED_TYPES,
    MB,
    PAGE_TYPES,
    TEXT_TYPES,
    Dialer,
    FetchPolicy,
    FetchResult,
    Resolver,
    RetryableFetchError,
    SafeFetcher,
    StoppedError,
    check_url,
)
from watchfloor.ingest.files import Problem, article_from_record
from watchfloor.ingest.identity import article_id, canonical_url
from watchfloor.ingest.pages import page_article, set_language
from watchfloor.models import Article
from watchfloor.store import Store
from watchfloor.store.feeds import (
    FeedState,
    feed_state,
    feed_states,
    known_article_ids,
    save_entries,
    save_poll,
    seen_entry_keys,
    unprocessed_article_ids,
)

log = logging.getLogger("watchfloor.watch")

ProcessHook = Callable[[Store, list[str]], object]
Status = Literal["ok", "not_modified", "error", "skipped", "stopped"]

ROBOTS_MAX_BYTES = 512 * 1024
PROCESS_CHUNK = 200
# A long poll (a feed with many new entries, a slow site) hands its articles over in batches of this many,
# so they are stored and processed while the rest are fetched.
COMMIT_EVERY = 20


# -- configuration --------------------------------------------------------------------------------------


@dataclass(slots=True)
class WatchSettings:
    """The [watch] table of feeds.toml; every limit has a safe default."""

    user_agent: str = DEFAULT_USER_AGENT
    max_body_mb: float = 10.0
    timeout_s: float = 20.0
    max_time_s: float = 60.0
    per_host_rate: float = 1.0
    allow_private: bool = False
    concurrency: int = 4
    retries: int = 2
    backoff_s: float = 1.0
    respect_robots: bool = True
    robots_ttl_min: float = 24 * 60
    max_entries: int = DEFAULT_MAX_ENTRIES
    max_backoff_min: float = 6 * 60
    opml: list[str] = field(default_factory=list)

    def policy(self) -> FetchPolicy:
        return FetchPolicy(
            user_agent=self.user_agent,
            max_body_bytes=int(self.max_body_mb * MB),
            timeout_s=self.timeout_s,
            max_time_s=self.max_time_s,
            retries=self.retries,
            backoff_s=self.backoff_s,
            per_host_rate=self.per_host_rate,
            allow_private=self.allow_private,
        )


@dataclass(slots=True)
class WatchConfig:
    settings: WatchSettings
    feeds: list[FeedSource]
    warnings: list[str] = field(default_factory=list)  # OPML outlines skipped, and the like


_FEED_KEYS = {"url", "name", "interval", "enabled", "pages"}
_MAY_BE_ZERO = {"retries", "backoff_s"}


def load_config(path: Path, *, opml: Sequence[Path] = ()) -> WatchConfig:
    """Read feeds.toml (and any OPML lists it or the caller names); raises InputError with the place and reason."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: not valid TOML ({exc})") from exc
    return config_from_dict(data, str(path), base=path.parent, opml=opml)


def config_from_dict(
    data: dict[str, Any], where: str, *, base: Path = Path("."), opml: Sequence[Path] = ()
) -> WatchConfig:
    unknown = set(data) - {"watch", "feed"}
    if unknown:
        raise InputError(f"{where}: unknown table(s) {', '.join(sorted(unknown))}; expected [watch] and [[feed]]")
    settings = _settings(data.get("watch", {}), where)
    raw_feeds = data.get("feed", [])
    if not isinstance(raw_feeds, list):
        raise InputError(f"{where}: feeds are written as [[feed]] tables")
    feeds: list[FeedSource] = []
    seen: set[str] = set()
    for number, raw in enumerate(raw_feeds, start=1):
        feed = _feed(raw, f"{where}: [[feed]] #{number}")
        if feed.url not in seen:
            seen.add(feed.url)
            feeds.append(feed)
    warnings: list[str] = []
    for opml_path in [*(base / p for p in settings.opml), *opml]:
        listed, skipped = read_opml(opml_path)
        warnings.extend(skipped)
        for feed in listed:
            if feed.url not in seen:
                seen.add(feed.url)
                feeds.append(feed)
    return WatchConfig(settings=settings, feeds=feeds, warnings=warnings)


def read_opml(path: Path) -> tuple[list[FeedSource], list[str]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read OPML file {path}: {exc.strerror or exc}") from exc
    return parse_opml(data, str(path))


def _settings(raw: Any, where: str) -> WatchSettings:
    if not isinstance(raw, dict):
        raise InputError(f"{where}: [watch] must be a table")
    settings = WatchSettings()
    known = {f.name: f for f in fields(WatchSettings)}
    for key, value in raw.items():
        if key not in known:
            raise InputError(f"{where}: [watch] has an unknown key {key!r}; known keys: {', '.join(known)}")
        default = getattr(settings, key)
        if key == "opml":
            value = [value] if isinstance(value, str) else value
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise InputError(f"{where}: [watch] opml must be a path or a list of paths")
        elif isinstance(default, bool):
            if not isinstance(value, bool):
                raise InputError(f"{where}: [watch] {key} must be true or false")
        elif isinstance(default, (int, float)):
            floor_ok = key in _MAY_BE_ZERO and value == 0
            if isinstance(value, bool) or not isinstance(value, (int, float)) or (value <= 0 and not floor_ok):
                raise InputError(
                    f"{where}: [watch] {key} must be a positive number{' or 0' if key in _MAY_BE_ZERO else ''}"
                )
            if isinstance(default, int) and not isinstance(value, int):
                raise InputError(f"{where}: [watch] {key} must be a whole number")
            value = type(default)(value)
        elif isinstance(default, str) and (not isinstance(value, str) or not value.strip()):
            raise InputError(f"{where}: [watch] {key} must be a non-empty string")
        setattr(settings, key, value)
    if settings.retries > 10:
        raise InputError(f"{where}: [watch] retries is at most 10")
    return settings


def _feed(raw: Any, where: str) -> FeedSource:
    if not isinstance(raw, dict):
        raise InputError(f"{where}: must be a table")
    unknown = set(raw) - _FEED_KEYS
    if unknown:
        raise InputError(
            f"{where}: unknown key(s) {', '.join(sorted(unknown))}; known keys: {', '.join(sorted(_FEED_KEYS))}"
        )
    url = raw.get("url")
    if not isinstance(url, str) or not url.strip():
        raise InputError(f"{where}: url is required")
    try:
        check_url(url.strip())
    except FetchError as exc:
        raise InputError(f"{where}: {exc.message}") from exc
    name = raw.get("name")
    if name is not None and not isinstance(name, str):
        raise InputError(f"{where}: name must be a string")
    interval = raw.get("interval", 15)
    if isinstance(interval, bool) or not isinstance(interval, (int, float)) or interval <= 0:
        raise InputError(f"{where}: interval must be a positive number of minutes")
    for key in ("enabled", "pages"):
        if key in raw and not isinstance(raw[key], bool):
            raise InputError(f"{where}: {key} must be true or false")
    return FeedSource(
        url=url.strip(),
        name=name.strip() if name and name.strip() else None,
        interval_min=float(interval),
        enabled=raw.get("enabled", True),
        pages=raw.get("pages", True),
    )


# -- robots.txt -----------------------------------------------------------------------------------------


class RobotsCache:
    """robots.txt per origin, fetched through the safe fetcher and kept for a while.

    Following RFC 9309: a missing robots.txt (4xx) allows everything; a server error (5xx) disallows
    everything until it is asked again. A network failure allows, so the real request reports it.
    """

    def __init__(self, fetcher: SafeFetcher, user_agent: str, ttl_s: float, error_ttl_s: float = 600.0) -> None:
        self.fetcher = fetcher
        self.agent = user_agent.split("/", 1)[0].strip() or "*"
        self.ttl_s = ttl_s
        self.error_ttl_s = error_ttl_s
        self._cache: dict[str, tuple[float, urllib.robotparser.RobotFileParser | None, str]] = {}
        self._locks: dict[str, threading.Lock] = {}
        self._lock = threading.Lock()

    def refusal(self, url: str) -> str | None:
        """Why robots.txt forbids this URL, or None if it may be fetched."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        with self._lock:
            lock = self._locks.setdefault(origin, threading.Lock())
        with lock:  # one fetch of robots.txt per origin, however many threads ask
            cached = self._cache.get(origin)
            if cached is None or cached[0] < time.monotonic():
                cached = self._load(origin)
                self._cache[origin] = cached
        _, parser, reason = cached
        if parser is None:
            return reason or None
        if parser.can_fetch(self.agent, url):
            return None
        return f"robots.txt disallows {parts.path or '/'}"

    def _load(self, origin: str) -> tuple[float, urllib.robotparser.RobotFileParser | None, str]:
        now = time.monotonic()
        try:
            result = self.fetcher.fetch(
                f"{origin}/robots.txt", accept=TEXT_TYPES, max_bytes=ROBOTS_MAX_BYTES, retries=0
            )
        except RetryableFetchError as exc:
            if exc.status is not None:  # a 5xx or 429 answer: RFC 9309 says assume everything is forbidden
                return now + self.error_ttl_s, None, f"robots.txt unavailable ({exc.message}); not fetching for now"
            return now, None, ""  # the network failed: allow, and ask again next time
        except StoppedError:
            raise
        except FetchError:
            return now + self.ttl_s, None, ""  # 404, refused content type, too large: no rules apply
        parser = urllib.robotparser.RobotFileParser()
        parser.parse(result.text().splitlines())
        delay = parser.crawl_delay(self.agent)
        if delay:
            host = urlsplit(origin).hostname or ""
            self.fetcher.pacer.set_min_interval(host, min(float(delay), 60.0))
        return now + self.ttl_s, parser, ""


# -- one poll -------------------------------------------------------------------------------------------


@dataclass(slots=True)
class PollOutcome:
    url: str
    label: str
    kind: Literal["feed", "page", "url"] = "feed"  # "url" until a fetched body shows which it is
    status: Status = "ok"
    message: str = ""  # the reason for an error or skip; a warning for an ok poll
    entries: int = 0
    articles: list[Article] = field(default_factory=list)
    seen: list[tuple[str, str | None]] = field(default_factory=list)  # (entry key, article id)
    listed: list[str] | None = None  # every entry key of the feed document, once it was parsed
    page_failures: list[str] = field(default_factory=list)
    etag: str | None = None
    last_modified: str | None = None
    retry_after: float | None = None
    new_ids: list[str] = field(default_factory=list)  # filled in when committed


class ReadStores:
    """One read-only connection per worker thread: workers read, only the main thread writes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._local = threading.local()
        self._all: list[Store] = []
        self._lock = threading.Lock()

    def get(self) -> Store:
        store = getattr(self._local, "store", None)
        if store is None:
            store = Store(self.path, read_only=True)
            self._local.store = store
            with self._lock:
                self._all.append(store)
        return store

    def close(self) -> None:
        with self._lock:
            for store in self._all:
                store.close()
            self._all.clear()


@dataclass(slots=True)
class Batch:
    """Articles a poll in progress hands to the writer; ``outcome`` is the poll they belong to."""

    outcome: PollOutcome
    articles: list[Article]
    seen: list[tuple[str, str | None]]


class Poller:
    """Fetches one source (a feed with its new entries' pages, or a single page); writes nothing.

    Articles come back in the outcome, or, for long polls, earlier through ``emit`` in batches.
    """

    def __init__(
        self,
        settings: WatchSettings,
        fetcher: SafeFetcher,
        reads: ReadStores,
        emit: Callable[[Batch], None] | None = None,
    ) -> None:
        self.settings = settings
        self.fetcher = fetcher
        self.reads = reads
        self.emit = emit
        self.commit_every = COMMIT_EVERY
        self.robots = (
            RobotsCache(fetcher, settings.user_agent, settings.robots_ttl_min * 60) if settings.respect_robots else None
        )

    @property
    def stop(self) -> threading.Event:
        return self.fetcher.stop

    def poll(self, feed: FeedSource, state: FeedState | None, *, auto: bool = False) -> PollOutcome:
        """Never raises: every failure becomes an outcome with a one-line reason."""
        outcome = PollOutcome(url=feed.url, label=feed.name or feed.url, kind="url" if auto else "feed")
        try:
            self._poll(feed, state, outcome, auto)
        except StoppedError:
            outcome.status = "stopped"
        except WatchfloorError as exc:
            outcome.status = "error"
            outcome.message = exc.message
            outcome.retry_after = getattr(exc, "retry_after", None)
        except Exception as exc:  # a bug or a library failing on odd input must not end the watch
            log.debug("poll of %s failed", feed.url, exc_info=True)
            outcome.status = "error"
            outcome.message = f"internal error: {type(exc).__name__}: {exc}"[:300]
        return outcome

    def _poll(self, feed: FeedSource, state: FeedState | None, outcome: PollOutcome, auto: bool) -> None:
        if self._refused(feed.url, outcome):
            return
        accept = FEED_TYPES if not auto else (*FEED_TYPES, *PAGE_TYPES)
        result = self.fetcher.fetch(
            feed.url,
            accept=accept,
            etag=state.etag if state else None,
            last_modified=state.last_modified if state else None,
        )
        outcome.etag, outcome.last_modified = result.etag, result.last_modified
        if result.not_modified:
            outcome.status, outcome.kind = "not_modified", "feed"  # only feeds carry validators
            # A 304 may omit the validators; keep the ones that earned it.
            outcome.etag = result.etag or (state.etag if state else None)
            outcome.last_modified = result.last_modified or (state.last_modified if state else None)
            return
        if auto and not looks_like_feed(result.content, result.media_type):
            outcome.kind = "page"
            self._single_page(result, outcome)
            return
        outcome.kind = "feed"
        parsed = parse_feed(
            result.content,
            result.final_url,
            media_type=result.media_type,
            charset=result.charset,
            max_entries=self.settings.max_entries,
        )
        outcome.entries = parsed.total
        if parsed.warning:
            outcome.message = parsed.warning
        outlet = feed.name or parsed.title
        self._entries(feed, parsed.entries, outlet, outcome)

    def _refused(self, url: str, outcome: PollOutcome) -> bool:
        if self.robots is None:
            return False
        reason = self.robots.refusal(url)
        if reason:
            outcome.status = "skipped"
            outcome.message = reason
        return bool(reason)

    def _entries(self, feed: FeedSource, entries: list[FeedEntry], outlet: str | None, outcome: PollOutcome) -> None:
        store = self.reads.get()
        outcome.listed = [e.key for e in entries]
        seen = seen_entry_keys(store, feed.url, outcome.listed)
        fresh = [e for e in entries if e.key not in seen]
        by_link = {e.key: article_id(url=e.link, text="") for e in fresh if e.link}
        known = known_article_ids(store, by_link.values())
        for entry in fresh:
            if self.stop.is_set():
                outcome.status = "stopped"
                return
            known_id = by_link.get(entry.key)
            if known_id in known:
                outcome.seen.append((entry.key, known_id))  # another feed brought it already
                continue
            article = self._entry_article(feed, entry, outlet, outcome)
            outcome.seen.append((entry.key, article.id if article else None))
            if article is not None:
                outcome.articles.append(article)
                if self.emit is not None and len(outcome.articles) >= self.commit_every:
                    self.emit(Batch(outcome, outcome.articles, outcome.seen))
                    # New lists, not cleared ones: the writer owns the batch's lists now.
                    outcome.articles, outcome.seen = [], []

    def _entry_article(
        self, feed: FeedSource, entry: FeedEntry, outlet: str | None, outcome: PollOutcome
    ) -> Article | None:
        if feed.pages and entry.link:
            reason = self.robots.refusal(entry.link) if self.robots else None
            if reason is None:
                try:
                    result = self.fetcher.fetch(entry.link, accept=PAGE_TYPES)
                except StoppedError:
                    raise
                except FetchError as exc:
                    outcome.page_failures.append(f"{entry.link}: {exc.message}")
                else:
                    items = page_article(
                        result,
                        outlet_fallback=outlet,
                        title=entry.title,
                        date=entry.date,
                        source_id=entry.key,
                        fallback_text=entry.text or None,
                        author=entry.author,
                    )
                    found = _first_article(items)
                    if found is not None:
                        return found
                    problem = next((i for i in items if isinstance(i, Problem)), None)
                    outcome.page_failures.append(f"{entry.link}: {problem.message if problem else 'no article'}")
        # No page, or none to be had: the feed's own text stands in.
        text = entry.text or entry.title or ""
        record = {
            "text": text,
            "title": entry.title,
            "url": canonical_url(entry.link) if entry.link else None,
            "outlet": outlet or (urlsplit(entry.link).hostname if entry.link else None),
            "date": entry.date,
            "id": entry.key,
            "author": entry.author,
        }
        found = _first_article(list(article_from_record(record, entry.link or feed.url)))
        return set_language(found) if found else None

    def _single_page(self, result: FetchResult, outcome: PollOutcome) -> None:
        if result.media_type and result.media_type not in PAGE_TYPES:
            raise FetchError(f"unexpected content type {result.media_type}")
        items = page_article(result)
        found = _first_article(items)
        if found is None:
            problem = next((i for i in items if isinstance(i, Problem)), None)
            raise InputError(problem.message if problem else "no article on the page")
        outcome.articles.append(found)
        outcome.entries = 1


def _first_article(items: Sequence[Article | Problem]) -> Article | None:
    return next((i for i in items if isinstance(i, Article)), None)


# -- the loop -------------------------------------------------------------------------------------------


@dataclass(slots=True)
class WatchSummary:
    polls: int = 0
    new_articles: int = 0
    errors: int = 0
    not_modified: int = 0
    stopped: bool = False
    outcomes: list[PollOutcome] = field(default_factory=list)


def default_process_hook() -> ProcessHook:
    from watchfloor.process import process_articles

    return process_articles


class Watcher:
    """The scheduler: owns the store (the only writer) and hands polls to a pool of worker threads."""

    def __init__(
        self,
        store: Store,
        config: WatchConfig,
        *,
        process: ProcessHook | None = None,
        on_log: Callable[[str], None] | None = None,
        stop: threading.Event | None = None,
        resolver: Resolver | None = None,
        dialer: Dialer | None = None,
    ) -> None:
        self.store = store
        self.config = config
        self.settings = config.settings
        self.process = process
        self.say = on_log or log.info
        self.stop = stop or threading.Event()
        self.fetcher = SafeFetcher(self.settings.policy(), resolver=resolver, dialer=dialer, stop=self.stop)
        self.reads = ReadStores(store.path)
        self.batches: queue.Queue[Batch] = queue.Queue()
        self.poller = Poller(self.settings, self.fetcher, self.reads, emit=self.batches.put)

    def close(self) -> None:
        self.reads.close()
        self.fetcher.close()

    # The loop ---------------------------------------------------------------------------------------

    def run(self, *, once: bool = False, max_polls: int | None = None) -> WatchSummary:
        """Poll until stopped; ``once`` polls every enabled feed one time, ``max_polls`` caps the total."""
        summary = WatchSummary()
        feeds = [f for f in self.config.feeds if f.enabled]
        for warning in self.config.warnings:
            self.say(f"config: {warning}")
        if not feeds:
            self.say("watch: no enabled feeds to poll")
            return summary
        self.catch_up()
        due = self._initial_schedule(feeds, once)
        polled: set[str] = set()
        inflight: dict[Future[PollOutcome], FeedSource] = {}
        limit = len(feeds) if once else max_polls
        with ThreadPoolExecutor(max_workers=self.settings.concurrency, thread_name_prefix="watch") as pool:
            while not self.stop.is_set():
                now = time.monotonic()
                for feed in sorted(feeds, key=lambda f: due[f.url]):
                    if len(inflight) >= self.settings.concurrency or (limit is not None and summary.polls >= limit):
                        break
                    if due[feed.url] > now or feed.url in {f.url for f in inflight.values()}:
                        continue
                    if once and feed.url in polled:
                        continue
                    polled.add(feed.url)
                    state = feed_state(self.store, feed.url)
                    inflight[pool.submit(self.poller.poll, feed, state)] = feed
                    summary.polls += 1
                if not inflight and limit is not None and summary.polls >= limit:
                    break
                pending_due = [due[f.url] for f in feeds if f.url not in {g.url for g in inflight.values()}]
                timeout = max(0.005, min([0.2, *(d - time.monotonic() for d in pending_due)]))
                if inflight:
                    done, _ = wait(inflight, timeout=timeout, return_when=FIRST_COMPLETED)
                else:
                    self.stop.wait(timeout)
                    done = set()
                self.drain()  # batches first: a poll's batches land before its final outcome
                for future in done:
                    feed = inflight.pop(future)
                    outcome = future.result()
                    due[feed.url] = time.monotonic() + self.handle(feed, outcome, summary)
            if inflight:
                self.say(f"stopping: waiting for {len(inflight)} poll(s) in progress")
                wait(inflight)
                self.drain()
                for future, feed in list(inflight.items()):
                    self.handle(feed, future.result(), summary)
        if self.stop.is_set():
            summary.stopped = True
        return summary

    def _initial_schedule(self, feeds: list[FeedSource], once: bool) -> dict[str, float]:
        now_mono, now_wall = time.monotonic(), dt.datetime.now(dt.UTC)
        states = feed_states(self.store)
        due: dict[str, float] = {}
        for feed in feeds:
            state = states.get(feed.url)
            delay = 0.0
            if not once and state and state.next_poll:
                try:
                    when = dt.datetime.fromisoformat(state.next_poll.replace("Z", "+00:00"))
                    delay = (when - now_wall).total_seconds()
                except ValueError:
                    delay = 0.0
                delay = min(max(delay, 0.0), max(feed.interval_min, self.settings.max_backoff_min) * 60)
            due[feed.url] = now_mono + delay
        return due

    def catch_up(self) -> None:
        """Process articles a previous run stored but was stopped before processing."""
        if self.process is None:
            return
        ids = unprocessed_article_ids(self.store)
        if not ids:
            return
        self.say(f"catching up: {len(ids)} stored article(s) not yet processed")
        for i in range(0, len(ids), PROCESS_CHUNK):
            if self.stop.is_set():
                return
            self.run_process(ids[i : i + PROCESS_CHUNK])

    # Committing ---------------------------------------------------------------------------------------

    def drain(self) -> None:
        """Store and process the batches polls in progress have handed over."""
        while True:
            try:
                batch = self.batches.get_nowait()
            except queue.Empty:
                return
            try:
                new_ids = self.store.add_articles(batch.articles)
                save_entries(self.store, batch.outcome.url, batch.seen)
            except Exception as exc:  # the store is locked or broken: the final commit will report it too
                self.say(one_line(f"{batch.outcome.kind} {batch.outcome.label}: could not store a batch: {exc}"))
                continue
            batch.outcome.new_ids.extend(new_ids)
            self.run_process(new_ids)

    def handle(self, feed: FeedSource, outcome: PollOutcome, summary: WatchSummary) -> float:
        """Write what a poll found, log one line, run the pipeline; returns seconds until the next poll."""
        summary.outcomes.append(outcome)
        fresh: list[str] = []
        try:
            delay, fresh = self.commit(feed, outcome)
        except WatchfloorError as exc:  # the store is locked or broken: say so, keep watching
            outcome.status, outcome.message = "error", f"could not store: {exc.message}"
            delay = feed.interval_min * 60
        except Exception as exc:  # sqlite3 errors and the like
            outcome.status, outcome.message = "error", f"could not store: {type(exc).__name__}: {exc}"
            delay = feed.interval_min * 60
        summary.new_articles += len(outcome.new_ids)
        summary.errors += outcome.status == "error"
        summary.not_modified += outcome.status == "not_modified"
        self.say(describe(outcome, delay if outcome.status == "error" else None))
        self.run_process(fresh)  # earlier batches of this poll were processed as they landed
        return delay

    def handle_once(self, outcome: PollOutcome, summary: WatchSummary) -> None:
        """A page, or a URL that failed before it was known to be a feed: nothing to schedule, no state to keep."""
        summary.outcomes.append(outcome)
        fresh = self.store.add_articles(outcome.articles) if outcome.articles else []
        outcome.new_ids.extend(fresh)
        summary.new_articles += len(outcome.new_ids)
        summary.errors += outcome.status == "error"
        self.say(describe(outcome))
        self.run_process(fresh)

    def commit(self, feed: FeedSource, outcome: PollOutcome) -> tuple[float, list[str]]:
        """Store a finished poll: its last articles, then the feed's state. Returns (delay, new ids)."""
        fresh = self.store.add_articles(outcome.articles) if outcome.articles else []
        outcome.new_ids.extend(fresh)
        if outcome.status == "stopped":
            # Keep the entries handled so far; leave validators and schedule so the next run polls again.
            save_entries(self.store, feed.url, outcome.seen)
            return 0.0, fresh
        state = feed_state(self.store, feed.url) or FeedState(url=feed.url)
        state.name = feed.name
        state.last_polled = _utc_now()
        if outcome.status == "error":
            state.failures += 1
            state.last_error = outcome.message
            delay = self._failure_delay(feed, state.failures, outcome.retry_after)
        else:
            state.failures = 0
            state.last_error = None
            if outcome.status in ("ok", "not_modified"):
                state.etag, state.last_modified = outcome.etag, outcome.last_modified
            delay = feed.interval_min * 60
        state.last_status = describe(outcome)[:500]
        state.next_poll = _utc_in(delay)
        save_poll(self.store, state, outcome.seen, outcome.listed if outcome.status == "ok" else None)
        return delay, fresh

    def _failure_delay(self, feed: FeedSource, failures: int, retry_after: float | None) -> float:
        interval = feed.interval_min * 60
        delay = min(interval * (1 << min(failures, 20)), max(interval, self.settings.max_backoff_min * 60))
        return max(delay, retry_after or 0.0)

    def run_process(self, ids: list[str]) -> None:
        if self.process is None or not ids:
            return
        try:
            self.process(self.store, ids)
        except Exception as exc:  # stored is stored: processing resumes at the next start (catch_up)
            log.debug("processing failed", exc_info=True)
            self.say(one_line(f"pipeline: error processing {len(ids)} article(s): {type(exc).__name__}: {exc}", 500))


def describe(outcome: PollOutcome, retry_in: float | None = None) -> str:
    """The one log line for a poll."""
    return one_line(_describe(outcome, retry_in))


def one_line(text: str, limit: int = 1000) -> str:
    """Whatever a server or a library put in a message, the log gets one line of printable text."""
    return " ".join("".join(c if c.isprintable() else " " for c in text).split())[:limit]


def _describe(outcome: PollOutcome, retry_in: float | None) -> str:
    head = f"{outcome.kind} {outcome.label}"
    if outcome.status == "not_modified":
        return f"{head}: 304 not modified"
    if outcome.status == "error":
        tail = f"; next try in {_human(retry_in)}" if retry_in is not None else ""
        return f"{head}: error: {outcome.message}{tail}"
    if outcome.status == "skipped":
        return f"{head}: skipped: {outcome.message}"
    new = len(outcome.new_ids)
    if outcome.kind == "page":
        line = f"{head}: {'stored' if new else 'already stored'}"
    else:
        line = f"{head}: {outcome.entries} entries, {new} new"
    if outcome.status == "stopped":
        line += " (stopped early)"
    notes = []
    if outcome.message:
        notes.append(outcome.message)
    if outcome.page_failures:
        notes.append(f"{len(outcome.page_failures)} page(s) failed, first: {outcome.page_failures[0]}")
    return line + (f" ({'; '.join(notes)})" if notes else "")


def _human(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def _utc_now() -> str:
    return _utc_in(0)


def _utc_in(seconds: float) -> str:
    when = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=seconds)
    return when.replace(tzinfo=None).isoformat(timespec="seconds") + "Z"


# -- entry points ---------------------------------------------------------------------------------------


@contextmanager
def stop_on_signals(stop: threading.Event, on_log: Callable[[str], None]) -> Iterator[None]:
    """SIGTERM and SIGINT set ``stop``; a second one exits at once, which the store survives like a kill."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def handler(signum: int, frame: object) -> None:
        if stop.is_set():
            os._exit(128 + signum)
        stop.set()
        on_log(f"{signal.Signals(signum).name}: stopping after the polls in progress (again to exit now)")

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGTERM, signal.SIGINT)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def run_watch(
    store: Store,
    config: WatchConfig,
    *,
    once: bool = False,
    max_polls: int | None = None,
    process: ProcessHook | None = None,
    on_log: Callable[[str], None] | None = None,
    stop: threading.Event | None = None,
    resolver: Resolver | None = None,
    dialer: Dialer | None = None,
    handle_signals: bool = False,
) -> WatchSummary:
    watcher = Watcher(store, config, process=process, on_log=on_log, stop=stop, resolver=resolver, dialer=dialer)
    try:
        if handle_signals:
            with stop_on_signals(watcher.stop, watcher.say):
                return watcher.run(once=once, max_polls=max_polls)
        return watcher.run(once=once, max_polls=max_polls)
    finally:
        watcher.close()


def fetch_urls(
    store: Store,
    urls: Sequence[str],
    settings: WatchSettings,
    *,
    pages: bool = True,
    process: ProcessHook | None = None,
    on_log: Callable[[str], None] | None = None,
    resolver: Resolver | None = None,
    dialer: Dialer | None = None,
) -> WatchSummary:
    """Fetch each URL once: a feed stores its new entries, a page stores itself."""
    sources = [FeedSource(url=u, name=None, pages=pages) for u in urls]
    watcher = Watcher(
        store, WatchConfig(settings, sources), process=process, on_log=on_log, resolver=resolver, dialer=dialer
    )
    summary = WatchSummary()
    try:
        for source in sources:
            summary.polls += 1
            outcome = watcher.poller.poll(source, feed_state(store, source.url), auto=True)
            watcher.drain()
            if outcome.kind == "feed" and outcome.status in ("ok", "not_modified", "stopped"):
                watcher.handle(source, outcome, summary)  # a feed: keep its state for the next fetch
            else:
                watcher.handle_once(outcome, summary)
    finally:
        watcher.close()
    return summary
