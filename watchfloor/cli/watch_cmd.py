"""``watchfloor watch`` (poll feeds continuously) and ``watchfloor fetch`` (ingest pages or feeds once)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import typer

from watchfloor.errors import WatchfloorError

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="SQLite database file. Default: $WATCHFLOOR_DB, else watchfloor.db in the data dir."),
]
AllowPrivate = Annotated[
    bool,
    typer.Option(
        "--allow-private",
        help="Allow fetching from private, loopback and link-local addresses (refused by default).",
    ),
]
NoProcess = Annotated[
    bool, typer.Option("--no-process", help="Only store articles; do not run analysis, stories and implications.")
]


def register(app: typer.Typer) -> None:
    app.command("watch")(watch)
    app.command("fetch")(fetch)


def log_line(line: str) -> None:
    stamp = dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    typer.echo(f"{stamp} {line}", err=True)


def watch(
    config: Annotated[
        Path | None, typer.Option("--config", "-c", help="feeds.toml: [[feed]] entries and [watch] settings.")
    ] = None,
    opml: Annotated[list[Path] | None, typer.Option("--opml", help="An OPML feed list (repeatable).")] = None,
    db: DbOption = None,
    once: Annotated[bool, typer.Option("--once", help="Poll every enabled feed once, then exit.")] = False,
    max_polls: Annotated[
        int | None, typer.Option("--max-polls", min=1, help="Exit after this many feed polls in all.")
    ] = None,
    allow_private: AllowPrivate = False,
    no_process: NoProcess = False,
) -> None:
    """Poll feeds on their schedules and keep stories current. Stops cleanly on SIGTERM or Ctrl-C."""
    from watchfloor.cli.main import open_store
    from watchfloor.ingest.watch import (
        WatchConfig,
        WatchSettings,
        default_process_hook,
        load_config,
        read_opml,
        run_watch,
    )

    try:
        if config is not None:
            cfg = load_config(config, opml=opml or ())
        elif opml:
            cfg = WatchConfig(WatchSettings(), [])
            for path in opml:
                listed, skipped = read_opml(path)
                cfg.feeds.extend(f for f in listed if f.url not in {g.url for g in cfg.feeds})
                cfg.warnings.extend(skipped)
        else:
            raise typer.BadParameter("give --config feeds.toml or --opml FILE", param_hint="--config")
    except WatchfloorError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from exc
    if allow_private:
        cfg.settings.allow_private = True
    process = None if no_process else default_process_hook()
    enabled = sum(f.enabled for f in cfg.feeds)
    with open_store(db) as store:
        log_line(
            f"watch: {enabled} feed(s), {cfg.settings.concurrency} thread(s), store {store.path}"
            + ("; private addresses allowed" if cfg.settings.allow_private else "")
        )
        summary = run_watch(
            store, cfg, once=once, max_polls=max_polls, process=process, on_log=log_line, handle_signals=True
        )
    log_line(
        f"watch: {'stopped' if summary.stopped else 'done'}: {summary.polls} poll(s), "
        f"{summary.new_articles} new article(s), {summary.errors} error(s), {summary.not_modified} not modified"
    )
    if not summary.stopped and summary.polls and summary.errors == summary.polls:
        raise typer.Exit(1)


def fetch(
    urls: Annotated[list[str], typer.Argument(help="URLs of article pages or feeds.")],
    db: DbOption = None,
    config: Annotated[
        Path | None,
        typer.Option("--config", "-c", help="Take the [watch] limits (user agent, timeouts) from feeds.toml."),
    ] = None,
    pages: Annotated[
        bool, typer.Option("--pages/--no-pages", help="For feeds, fetch each new entry's page for its full text.")
    ] = True,
    allow_private: AllowPrivate = False,
    no_process: NoProcess = False,
) -> None:
    """Fetch pages or feeds once and store what they hold. Exit code 1 if any URL failed."""
    from watchfloor.cli.main import open_store
    from watchfloor.ingest.watch import WatchSettings, default_process_hook, fetch_urls, load_config

    try:
        settings = load_config(config).settings if config else WatchSettings()
    except WatchfloorError as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from exc
    if allow_private:
        settings.allow_private = True
    process = None if no_process else default_process_hook()
    with open_store(db) as store:
        summary = fetch_urls(store, urls, settings, pages=pages, process=process, on_log=log_line)
    typer.echo(f"{summary.new_articles} new article(s), {summary.errors} error(s)", err=True)
    if summary.errors:
        raise typer.Exit(1)
