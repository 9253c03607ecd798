"""The watch loop: schedules, conditional polls, bad sources, the pipeline hook, SIGTERM and SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import typer
from conftest import ROOT, run_cli
from httpserver import LocalServer, Reply, article_html, rss_feed, serving
from typer.testing import CliRunner

from watchfloor.errors import InputError
from watchfloor.ingest.watch import WatchConfig, config_from_dict, fetch_urls, load_config, run_watch
from watchfloor.store import Store
from watchfloor.store.feeds import feed_state, utc_now

FAST: dict[str, Any] = {
    "allow_private": True,
    "per_host_rate": 1000.0,
    "backoff_s": 0.001,
    "timeout_s": 2.0,
    "max_time_s": 5.0,
}


@pytest.fixture
def local_server() -> Iterator[LocalServer]:
    with serving() as server:
        yield server


def config(server: LocalServer, feeds: list[dict[str, Any]], **watch: Any) -> WatchConfig:
    for feed in feeds:
        feed["url"] = server.url(feed["url"]) if feed["url"].startswith("/") else feed["url"]
    return config_from_dict({"watch": {**FAST, **watch}, "feed": feeds}, "test")


class Recorder:
    """Stands in for watchfloor.process.process_articles and remembers what it was given."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []

    def __call__(self, store: Store, ids: list[str]) -> None:
        assert all(store.has_article(i) for i in ids), "the hook runs after the articles are committed"
        self.calls.append(list(ids))
        store.conn.execute(f"UPDATE articles SET analyzed = 1 WHERE id IN ({','.join('?' * len(ids))})", ids)


def watch(store: Store, cfg: WatchConfig, **kwargs: Any) -> tuple[list[str], Any, Recorder]:
    lines: list[str] = []
    recorder = Recorder()
    summary = run_watch(store, cfg, process=recorder, on_log=lines.append, **kwargs)
    return lines, summary, recorder


def line_for(lines: list[str], label: str) -> str:
    found = [line for line in lines if line.startswith(f"feed {label}:")]
    assert len(found) == 1, (label, lines)
    return found[0]


# -- configuration --------------------------------------------------------------------------------------


def test_example_config_is_valid() -> None:
    cfg = load_config(ROOT / "examples" / "feeds.toml")
    assert len(cfg.feeds) >= 4 and all(f.url.startswith("https://") for f in cfg.feeds)
    assert [f.enabled for f in cfg.feeds].count(False) == 1
    assert cfg.settings.allow_private is False and cfg.settings.max_body_mb == 10
    assert cfg.settings.policy().max_body_bytes == 10 * 1024 * 1024


@pytest.mark.parametrize(
    "data,message",
    [
        ({"feed": [{"url": "https://a.example/f", "intervall": 5}]}, "unknown key(s) intervall"),
        ({"feed": [{"url": "https://a.example/f", "interval": 0}]}, "interval must be a positive number"),
        ({"feed": [{"url": "file:///etc/passwd"}]}, "only http and https"),
        ({"feed": [{"name": "no url"}]}, "url is required"),
        ({"feed": [{"url": "https://a.example/f", "enabled": "yes"}]}, "enabled must be true or false"),
        ({"watch": {"concurrency": 2.5}}, "concurrency must be a whole number"),
        ({"watch": {"timeout_s": -1}}, "timeout_s must be a positive number"),
        ({"watch": {"allow_private": 1}}, "allow_private must be true or false"),
        ({"watch": {"proxy": "x"}}, "unknown key 'proxy'"),
        ({"feeds": []}, "unknown table(s) feeds"),
    ],
)
def test_config_errors_name_the_place_and_the_fix(data: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError) as info:
        config_from_dict(data, "feeds.toml")
    assert message in info.value.message and info.value.message.startswith("feeds.toml")


def test_config_with_opml_lists_and_bad_toml(tmp_path: Path) -> None:
    (tmp_path / "subs.opml").write_text(
        '<opml version="2.0"><body><outline text="A" xmlUrl="https://a.example/rss"/>'
        '<outline text="B" xmlUrl="https://b.example/rss"/></body></opml>',
        encoding="utf-8",
    )
    path = tmp_path / "feeds.toml"
    path.write_text(
        '[watch]\nopml = "subs.opml"\n[[feed]]\nurl = "https://a.example/rss"\nname = "Mine"\n', encoding="utf-8"
    )
    cfg = load_config(path)
    assert [(f.url, f.name) for f in cfg.feeds] == [("https://a.example/rss", "Mine"), ("https://b.example/rss", "B")]
    path.write_text("[[feed]\nurl=", encoding="utf-8")
    with pytest.raises(InputError, match="not valid TOML"):
        load_config(path)


# -- polling --------------------------------------------------------------------------------------------


def test_once_stores_full_articles_logs_one_line_per_feed_and_runs_the_pipeline(
    local_server: LocalServer, db_path: Path
) -> None:
    cfg = config(
        local_server,
        [{"url": "/feed.xml", "name": "Wire"}, {"url": "/atom.xml", "name": "Atom"}, {"url": "/feed-gzip.xml"}],
    )
    with Store(db_path) as store:
        lines, summary, recorder = watch(store, cfg, once=True)
        assert line_for(lines, "Wire") == "feed Wire: 5 entries, 5 new"
        assert line_for(lines, "Atom") == "feed Atom: 3 entries, 3 new"
        assert line_for(lines, local_server.url("/feed-gzip.xml")).endswith(": 3 entries, 3 new")
        assert summary.polls == 3 and summary.new_articles == 11 and summary.errors == 0
        assert sorted(i for call in recorder.calls for i in call) == sorted(a.id for a in store.articles())
        article = next(a for a in store.articles() if a.source_id == "wire-2")
        # The page's full text, not the feed's one-line summary; the feed's date; a canonical URL.
        assert "aid convoys were waiting outside El Fasher" in article.text
        assert article.url == local_server.url("/articles/2").replace("127.0.0.1", "127.0.0.1")
        assert "utm_" not in article.url and article.date == "2025-01-01T14:00:00Z"
        assert article.outlet == "Test Wire" and article.language == "en"
        assert article.author == "Staff 2"  # the page's byline
        state = feed_state(store, local_server.url("/feed.xml"))
        assert state is not None and state.etag == '"v1"' and state.failures == 0 and state.next_poll
        assert store.conn.execute("SELECT count(*) FROM feed_entries").fetchone()[0] == 11


def test_later_polls_are_conditional_and_never_refetch_seen_pages(local_server: LocalServer, db_path: Path) -> None:
    with Store(db_path) as store:
        # One feed per run, so max_polls=3 means three polls of that feed.
        wire = config(local_server, [{"url": "/feed.xml", "name": "Wire", "interval": 0.0005}])
        lines, summary, _ = watch(store, wire, max_polls=3)
        assert lines == ["feed Wire: 5 entries, 5 new", "feed Wire: 304 not modified", "feed Wire: 304 not modified"]
        assert summary.polls == 3 and summary.not_modified == 2
        atom = config(local_server, [{"url": "/atom.xml", "name": "Atom", "interval": 0.0005}])  # no ETag served
        lines, _, _ = watch(store, atom, max_polls=3)
        assert lines == ["feed Atom: 3 entries, 3 new", "feed Atom: 3 entries, 0 new", "feed Atom: 3 entries, 0 new"]
    for n in range(1, 6):
        assert local_server.hits(f"/articles/{n}?utm_source=rss&utm_medium=feed") == 1
    assert local_server.hits("/articles/8") == 1
    assert local_server.hits("/robots.txt") == 2  # once per run: cached per site


def test_seen_entries_the_feed_no_longer_lists_are_dropped_after_the_retention(
    local_server: LocalServer, db_path: Path
) -> None:
    atom = config(local_server, [{"url": "/atom.xml", "name": "Atom", "interval": 0.0005}])  # no ETag: full polls
    feed_url = local_server.url("/atom.xml")
    with Store(db_path) as store:
        watch(store, atom, max_polls=1)
        keys = [r[0] for r in store.conn.execute("SELECT entry_key FROM feed_entries ORDER BY entry_key")]
        assert len(keys) == 3
        store.conn.execute("UPDATE feed_entries SET first_seen = '2020-01-01T00:00:00Z' WHERE entry_key = ?", (keys[0],))
        store.conn.executemany(
            "INSERT INTO feed_entries (feed_url, entry_key, article_id, first_seen) VALUES (?, ?, NULL, ?)",
            [(feed_url, "gone-long-ago", "2020-01-01T00:00:00Z"), (feed_url, "gone-yesterday", utc_now())],
        )
        lines, _, _ = watch(store, atom, max_polls=1)
        assert lines == ["feed Atom: 3 entries, 0 new"]  # the old but still listed entry is not fetched again
        left = {r[0] for r in store.conn.execute("SELECT entry_key FROM feed_entries")}
    assert left == {*keys, "gone-yesterday"}


def test_bad_sources_each_get_one_reason_and_never_stop_the_others(local_server: LocalServer, db_path: Path) -> None:
    import socket

    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    dead = f"http://127.0.0.1:{closed.getsockname()[1]}/feed"
    closed.close()
    feeds = [
        {"url": "/feed.xml", "name": "good"},
        {"url": "/500", "name": "five-hundred"},
        {"url": "/404", "name": "missing"},
        {"url": "/garbage.xml", "name": "garbage"},
        {"url": "/malformed.xml", "name": "malformed"},
        {"url": "/homepage.html", "name": "homepage"},
        {"url": "/image.png", "name": "image"},
        {"url": "/huge", "name": "huge"},
        {"url": "/gzip-bomb", "name": "bomb"},
        {"url": "/slow", "name": "slow"},
        {"url": "/redirect-loop", "name": "loop"},
        {"url": "/private/feed.xml", "name": "robots"},
        {"url": dead, "name": "dead"},
    ]
    cfg = config(local_server, feeds, timeout_s=0.3, max_body_mb=1, retries=2, concurrency=6)
    with Store(db_path) as store:
        lines, summary, _ = watch(store, cfg, once=True)
        expected = {
            "good": "5 entries, 5 new",
            "five-hundred": "error: HTTP 500 Internal Server Error (after 3 tries); next try in",
            "missing": "error: HTTP 404 Not Found; next try in",
            "garbage": "error: not a feed: not well-formed",
            "malformed": "error: not a feed: mismatched tag",
            "homepage": f"error: not a feed: got an HTML page; the page links to the feed {local_server.url('/feed.xml')}",
            "image": "error: unexpected content type image/png",
            "huge": "error: body is over the 1.0 MB limit",
            "bomb": "error: body is over the 1.0 MB limit once decompressed",
            "slow": "error: timed out waiting for the server (limit 0.3s) (after 3 tries)",
            "loop": "error: too many redirects (more than 5)",
            "robots": "skipped: robots.txt disallows /private/feed.xml",
            "dead": "error: connection refused (after 3 tries); next try in",
        }
        for name, text in expected.items():
            assert text in line_for(lines, name), (name, line_for(lines, name))
        assert summary.errors == 11 and store.counts()["articles"] == 5
        state = feed_state(store, local_server.url("/500"))
        assert state is not None and state.failures == 1 and "HTTP 500" in (state.last_error or "")


def test_failing_feed_backs_off_and_recovers(local_server: LocalServer, db_path: Path) -> None:
    healthy = {"on": False}

    def sometimes(request: object) -> Reply:
        if healthy["on"]:
            return Reply(200, rss_feed(local_server.base, [1]), {"Content-Type": "application/rss+xml"})
        return Reply(503, b"down", {"Content-Type": "text/plain"})

    local_server.route("/sometimes.xml", sometimes)
    cfg = config(local_server, [{"url": "/sometimes.xml", "name": "s", "interval": 0.0005}], retries=0)
    url = local_server.url("/sometimes.xml")
    with Store(db_path) as store:
        lines, _, _ = watch(store, cfg, max_polls=2)
        assert all("error: HTTP 503" in line for line in lines)
        assert "next try in 60 ms" in lines[0] and "next try in 120 ms" in lines[1]  # 2x, then 4x the interval
        state = feed_state(store, url)
        assert state is not None and state.failures == 2
        healthy["on"] = True
        lines, _, _ = watch(store, cfg, max_polls=1)
        assert lines[-1] == "feed s: 1 entries, 1 new"
        state = feed_state(store, url)
        assert state is not None and state.failures == 0 and state.last_error is None


def test_private_addresses_refused_by_watch_unless_allowed(local_server: LocalServer, db_path: Path) -> None:
    cfg = config(local_server, [{"url": "/feed.xml", "name": "Wire"}], allow_private=False)
    with Store(db_path) as store:
        lines, _, _ = watch(store, cfg, once=True)
    assert "error: refused 127.0.0.1: a loopback address; not fetched without --allow-private" in line_for(
        lines, "Wire"
    )
    assert local_server.connections == 0


def test_failed_or_disallowed_pages_fall_back_to_the_feed_text(local_server: LocalServer, db_path: Path) -> None:
    base = local_server.base
    body = rss_feed(base, [1]).replace(
        f"{base}/articles/1?utm_source=rss&amp;utm_medium=feed".encode(), f"{base}/404".encode()
    )
    body = body.replace(
        b"</channel>",
        f"<item><title>Hidden</title><link>{base}/private/a</link><guid>p1</guid><description>Summary of a page robots.txt keeps out.</description></item></channel>".encode(),
    )
    local_server.route("/mixed.xml", Reply(200, body, {"Content-Type": "application/rss+xml"}))
    cfg = config(local_server, [{"url": "/mixed.xml", "name": "mixed"}])
    with Store(db_path) as store:
        lines, _, _ = watch(store, cfg, once=True)
        assert (
            line_for(lines, "mixed")
            == f"feed mixed: 2 entries, 2 new (1 page(s) failed, first: {base}/404: HTTP 404 Not Found)"
        )
        texts = sorted(a.text for a in store.articles())
        assert texts == ["Short summary of report 1 about Kharkiv.", "Summary of a page robots.txt keeps out."]
    assert local_server.hits("/private/a") == 0


def test_robots_txt_errors_follow_rfc_9309(local_server: LocalServer, db_path: Path) -> None:
    cfg = config(local_server, [{"url": "/feed.xml", "name": "Wire"}], retries=0)
    local_server.route("/robots.txt", Reply(503, b"down", {"Content-Type": "text/plain"}))
    with Store(db_path) as store:
        lines, _, _ = watch(store, cfg, once=True)
        assert line_for(lines, "Wire") == (
            "feed Wire: skipped: robots.txt unavailable (HTTP 503 Service Unavailable); not fetching for now"
        )
        local_server.route("/robots.txt", Reply(404, b"none", {"Content-Type": "text/plain"}))  # no rules at all
        lines, _, _ = watch(store, cfg, once=True)
        assert line_for(lines, "Wire") == "feed Wire: 5 entries, 5 new"


def test_pages_false_stores_feed_text_without_fetching_pages(local_server: LocalServer, db_path: Path) -> None:
    cfg = config(local_server, [{"url": "/feed.xml", "name": "Wire", "pages": False}])
    with Store(db_path) as store:
        watch(store, cfg, once=True)
        assert {a.text for a in store.articles()} == {
            f"Short summary of report {n} about {p}."
            for n, p in zip(range(1, 6), ["Kharkiv", "El Fasher", "Aleppo", "Khan Younis", "Bamako"], strict=True)
        }
    assert not any(r.path.startswith("/articles/") for r in local_server.requests)


def test_an_article_in_two_feeds_is_stored_once(local_server: LocalServer, db_path: Path) -> None:
    local_server.route(
        "/copy.xml",
        Reply(200, rss_feed(local_server.base, [2, 3], title="Copy"), {"Content-Type": "application/rss+xml"}),
    )
    cfg = config(
        local_server, [{"url": "/feed.xml", "name": "Wire"}, {"url": "/copy.xml", "name": "Copy"}], concurrency=1
    )
    with Store(db_path) as store:
        lines, summary, _ = watch(store, cfg, once=True)
        assert summary.new_articles == 5 and store.counts()["articles"] == 5
        assert line_for(lines, "Copy") == "feed Copy: 2 entries, 0 new"


def test_catch_up_processes_what_a_killed_run_stored(local_server: LocalServer, db_path: Path) -> None:
    cfg = config(local_server, [{"url": "/feed.xml", "name": "Wire"}])
    with Store(db_path) as store:
        run_watch(store, cfg, once=True, process=None, on_log=lambda line: None)  # stored, never processed
        lines, _, recorder = watch(store, cfg, once=True)
        assert lines[0] == "catching up: 5 stored article(s) not yet processed"
        assert sorted(recorder.calls[0]) == sorted(a.id for a in store.articles())
        assert line_for(lines, "Wire") == "feed Wire: 304 not modified"


def test_a_failing_pipeline_is_logged_and_watching_goes_on(local_server: LocalServer, db_path: Path) -> None:
    def broken(store: Store, ids: list[str]) -> None:
        raise RuntimeError("model\nexploded")

    cfg = config(
        local_server, [{"url": "/feed.xml", "name": "Wire"}, {"url": "/atom.xml", "name": "Atom"}], concurrency=1
    )
    lines: list[str] = []
    with Store(db_path) as store:
        summary = run_watch(store, cfg, once=True, process=broken, on_log=lines.append)
        assert summary.new_articles == 8 and store.counts()["articles"] == 8
    assert lines.count("pipeline: error processing 5 article(s): RuntimeError: model exploded") == 1


def test_stop_event_ends_the_loop_cleanly(local_server: LocalServer, db_path: Path) -> None:
    cfg = config(local_server, [{"url": "/feed.xml", "name": "Wire", "interval": 60}])
    stop = threading.Event()
    lines: list[str] = []

    def on_log(line: str) -> None:
        lines.append(line)
        stop.set()  # as a SIGTERM handler would, once the first poll is logged

    with Store(db_path) as store:
        summary = run_watch(store, cfg, process=None, on_log=on_log, stop=stop)
        assert summary.stopped and summary.polls == 1 and store.counts()["articles"] == 5


def test_fetch_urls_pages_and_feeds_once(local_server: LocalServer, db_path: Path) -> None:
    from watchfloor.ingest.watch import WatchSettings

    settings = WatchSettings(**FAST)
    urls = [local_server.url("/redirect"), local_server.url("/atom.xml"), local_server.url("/404"), "ftp://x.example/"]
    lines: list[str] = []
    with Store(db_path) as store:
        summary = fetch_urls(store, urls, settings, on_log=lines.append)
        assert lines[0] == f"page {local_server.url('/redirect')}: stored"
        assert lines[1] == f"feed {local_server.url('/atom.xml')}: 3 entries, 3 new"
        assert lines[2] == f"url {local_server.url('/404')}: error: HTTP 404 Not Found"
        assert lines[3].startswith("url ftp://x.example/: error: only http and https")
        assert summary.errors == 2 and store.counts()["articles"] == 4
        page = next(a for a in store.articles() if a.url == local_server.url("/articles/1"))
        assert page.title == "Fighting reported near Kharkiv, report 1"
        again: list[str] = []
        fetch_urls(store, urls[:2], settings, on_log=again.append)
        assert again == [
            f"page {local_server.url('/redirect')}: already stored",
            f"feed {local_server.url('/atom.xml')}: 3 entries, 0 new",
        ]


# -- the command line -----------------------------------------------------------------------------------


def cli_app() -> typer.Typer:
    from watchfloor.cli.watch_cmd import register

    app = typer.Typer()
    register(app)
    return app


def test_cli_commands_exit_codes(local_server: LocalServer, tmp_path: Path, db_path: Path) -> None:
    runner = CliRunner()
    app = cli_app()
    cfg = tmp_path / "feeds.toml"
    cfg.write_text(
        f'[watch]\nper_host_rate = 1000\nbackoff_s = 0.001\n[[feed]]\nurl = "{local_server.url("/feed.xml")}"\nname = "Wire"\n',
        encoding="utf-8",
    )
    result = runner.invoke(
        app, ["watch", "--config", str(cfg), "--db", str(db_path), "--once", "--allow-private", "--no-process"]
    )
    assert result.exit_code == 0, result.output
    assert (
        "feed Wire: 5 entries, 5 new" in result.output and "watch: done: 1 poll(s), 5 new article(s)" in result.output
    )
    # Without --allow-private every poll fails, and --once says so with exit code 1.
    result = runner.invoke(app, ["watch", "--config", str(cfg), "--db", str(db_path), "--once", "--no-process"])
    assert result.exit_code == 1 and "refused 127.0.0.1" in result.output
    cfg.write_text("[[feed]]\nurl = 'gopher://x'\n", encoding="utf-8")
    result = runner.invoke(app, ["watch", "--config", str(cfg), "--db", str(db_path)])
    assert result.exit_code == 2 and "only http and https" in result.output
    result = runner.invoke(
        app,
        [
            "fetch",
            local_server.url("/articles/9"),
            local_server.url("/404"),
            "--db",
            str(db_path),
            "--allow-private",
            "--no-process",
        ],
    )
    assert result.exit_code == 1 and ": stored" in result.output and "HTTP 404" in result.output


def _consistent(db_path: Path) -> int:
    """Checks that hold after any stop or kill; returns the number of articles."""
    with Store(db_path) as store:
        assert store.integrity_ok()
        assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
        n = store.counts()["articles"]
        assert store.conn.execute("SELECT count(*) FROM articles_fts").fetchone()[0] == n
        sources = [r[0] for r in store.conn.execute("SELECT source_id FROM articles")]
        assert len(sources) == len(set(sources)), "an entry was stored twice"
        handled = store.conn.execute("SELECT count(*) FROM feed_entries WHERE article_id IS NOT NULL").fetchone()[0]
        assert handled <= n
        return n


def _stored(db_path: Path) -> int:
    if not db_path.exists():
        return 0
    try:
        with Store(db_path, read_only=True) as store:
            return store.counts()["articles"]
    except Exception:  # not created or not migrated yet
        return 0


def slow_site(server: LocalServer, n: int, delay_s: float) -> None:
    items = range(100, 100 + n)
    server.route(
        "/big.xml",
        Reply(
            200, rss_feed(server.base, items).replace(b"/articles/", b"/slow/"), {"Content-Type": "application/rss+xml"}
        ),
    )
    for i in items:
        server.route(f"/slow/{i}", Reply(200, article_html(i), {"Content-Type": "text/html"}, delay_s=delay_s))


def write_config(tmp_path: Path, server: LocalServer) -> Path:
    path = tmp_path / "feeds.toml"
    path.write_text(
        "[watch]\nper_host_rate = 1000\nbackoff_s = 0.001\ntimeout_s = 5\n"
        f'[[feed]]\nurl = "{server.url("/big.xml")}"\nname = "Big"\ninterval = 0.01\n',
        encoding="utf-8",
    )
    return path


def wait_for(condition: Any, proc: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline, "timed out waiting for the watcher"
        time.sleep(0.02)


def test_sigterm_stops_cleanly_and_keeps_what_was_fetched(
    local_server: LocalServer, tmp_path: Path, db_path: Path
) -> None:
    n = 30
    slow_site(local_server, n, delay_s=0.1)
    cfg = write_config(tmp_path, local_server)
    # --no-process: the pipeline's own crash safety is tested with the pipeline; this is about the watcher.
    command = [sys.executable, "-m", "watchfloor", "watch", "--config", str(cfg), "--db", str(db_path)]
    command += ["--allow-private", "--no-process"]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    wait_for(
        lambda: sum(local_server.hits(f"/slow/{i}?utm_source=rss&utm_medium=feed") for i in range(100, 100 + n)) >= 5,
        proc,
    )
    proc.send_signal(signal.SIGTERM)
    _, stderr = proc.communicate(timeout=30)
    assert proc.returncode == 0, stderr
    assert "SIGTERM: stopping" in stderr and "(stopped early)" in stderr and "watch: stopped" in stderr
    kept = _consistent(db_path)
    assert 0 < kept < n
    rerun = run_cli("watch", "--config", str(cfg), "--db", str(db_path), "--allow-private", "--once", "--no-process")
    assert rerun.returncode == 0, rerun.stderr
    assert f"feed Big: {n} entries, {n - kept} new" in rerun.stderr
    assert _consistent(db_path) == n
    # Nothing fetched before the stop was fetched again.
    assert all(local_server.hits(f"/slow/{i}?utm_source=rss&utm_medium=feed") == 1 for i in range(100, 100 + n))


def test_sigkill_then_rerun_stores_every_article_exactly_once(
    local_server: LocalServer, tmp_path: Path, db_path: Path
) -> None:
    n = 60
    slow_site(local_server, n, delay_s=0.03)
    cfg = write_config(tmp_path, local_server)
    command = [
        sys.executable,
        "-m",
        "watchfloor",
        "watch",
        "--config",
        str(cfg),
        "--db",
        str(db_path),
        "--allow-private",
        "--no-process",
    ]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    # Long polls commit in batches of 20: kill once the first batch is in, well before the poll ends.
    wait_for(lambda: _stored(db_path) >= 20, proc)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert 20 <= _consistent(db_path) < n
    rerun = run_cli("watch", "--config", str(cfg), "--db", str(db_path), "--allow-private", "--once", "--no-process")
    assert rerun.returncode == 0, rerun.stderr
    assert _consistent(db_path) == n
