"""``watchfloor brief``: run the whole pipeline over an input file and write its stories."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Annotated

import typer

from watchfloor.errors import WatchfloorError
from watchfloor.ingest import Problem, read_paths, store_items
from watchfloor.ingest.files import Item
from watchfloor.models import Story
from watchfloor.store import Store

FORMATS = ("json", "md", "html")


def build_brief(store: Store, input_path: Path) -> tuple[list[Story], dict[str, object], list[str]]:
    """Ingest, analyse, cluster; returns the stories holding the input's reports, their sources and warnings."""
    from watchfloor.report.common import load_sources
    from watchfloor.store import stories as sql
    from watchfloor.stories.stage import load_story, update_stories

    warnings: list[str] = []
    input_ids: list[str] = []

    def items() -> Iterator[Item]:
        for item in read_paths([str(input_path)]):
            if isinstance(item, Problem):
                warnings.append(f"{'error' if item.fatal else 'warning'}: {item}")
            else:
                input_ids.append(item.id)
            yield item

    result = store_items(store, items())
    if result.valid == 0:
        raise typer.BadParameter(f"no valid report in {input_path}", param_hint="--input")
    from watchfloor.process import process_articles

    # Analysis, then the later stages (stories, implications). Reports already in a --db store keep theirs.
    process_articles(store, result.new_ids)
    ids = list(dict.fromkeys(input_ids))
    # Input reports a --db store holds from before it had stories get placed now (a no-op otherwise).
    update_stories(store, ids, [])
    canonical = sql.canonical_map(store.conn, ids)
    story_ids = set(sql.stories_of(store.conn, [canonical.get(i, i) for i in ids]).values())
    ranked = [sid for sid in sql.story_ids_by_size(store.conn) if sid in story_ids]
    stories = [s for sid in ranked if (s := load_story(store, sid)) is not None]
    return stories, dict(load_sources(store, stories)), warnings


def render(stories: list[Story], sources: dict[str, object], fmt: str) -> str:
    if fmt == "json":
        from watchfloor.report.json import render_json

        return render_json(stories)
    if fmt == "md":
        from watchfloor.report.markdown import render_markdown

        return render_markdown(stories, sources)  # type: ignore[arg-type]
    from watchfloor.report.html import render_html

    return render_html(stories, sources)  # type: ignore[arg-type]


def register(app: typer.Typer) -> None:
    @app.command()
    def brief(
        input: Annotated[
            Path, typer.Option("--input", "-i", help="Reports to brief (.jsonl, .json, .txt, .md, .html or a folder).")
        ],
        output: Annotated[str, typer.Option("--output", "-o", help="File to write; - for standard output.")],
        format: Annotated[str, typer.Option("--format", "-f", help="json, md or html.")] = "json",
        db: Annotated[
            Path | None,
            typer.Option("--db", help="Keep the results in this database (default: a temporary one, deleted after)."),
        ] = None,
        limit: Annotated[int | None, typer.Option(min=1, help="At most this many stories, biggest first.")] = None,
    ) -> None:
        """Run the whole pipeline over INPUT and write its stories: headline, cited article, figures, timeline."""
        if format not in FORMATS:
            raise typer.BadParameter(f"must be one of {', '.join(FORMATS)}", param_hint="--format")
        if not input.exists():
            raise typer.BadParameter(f"{input} does not exist", param_hint="--input")
        with tempfile.TemporaryDirectory(prefix="watchfloor-brief-") as tmp:
            try:
                store = Store(db or Path(tmp) / "brief.db")
            except WatchfloorError as exc:
                typer.echo(f"error: {exc.message}", err=True)
                raise typer.Exit(2) from exc
            try:
                stories, sources, warnings = build_brief(store, input)
            finally:
                store.close()
        for line in warnings:
            typer.echo(line, err=True)
        if limit:
            stories = stories[:limit]
        text = render(stories, sources, format)
        if output == "-":
            sys.stdout.write(text)
        else:
            Path(output).parent.mkdir(parents=True, exist_ok=True)
            Path(output).write_text(text, encoding="utf-8")
            typer.echo(f"{len(stories)} stories written to {output}", err=True)
