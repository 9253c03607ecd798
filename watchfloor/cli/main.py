"""The ``watchfloor`` command line."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from watchfloor import __version__
from watchfloor.config import default_db_path
from watchfloor.errors import WatchfloorError
from watchfloor.ingest import Problem, read_paths, store_items
from watchfloor.store import Store

app = typer.Typer(
    name="watchfloor",
    help="Read news about conflicts and crises; write grounded stories, events and judgments.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
err = Console(stderr=True)
out = Console()

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="SQLite database file. Default: $WATCHFLOOR_DB, else watchfloor.db in the data dir."),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"watchfloor {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version.")] = False,
) -> None:
    """watchfloor: one story per real development, every claim traceable to its source."""


@contextmanager
def open_store(db: Path | None, *, read_only: bool = False) -> Iterator[Store]:
    try:
        store = Store(db or default_db_path(), read_only=read_only)
    except WatchfloorError as exc:
        err.print(f"[red]error:[/red] {exc.message}", highlight=False)
        raise typer.Exit(2) from exc
    try:
        yield store
    finally:
        store.close()


def progress_bar() -> Progress:
    """A progress display on stderr; rich draws it only on a terminal, so pipes and logs stay clean."""
    return Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not err.is_terminal,
    )


def report_problem(problem: Problem) -> None:
    label = "error" if problem.fatal else "warning"
    typer.echo(f"{label}: {problem}", err=True)


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help="Files or folders (.jsonl .json .txt .md .html); - for stdin.")],
    db: DbOption = None,
    batch_size: Annotated[int, typer.Option(min=1, max=100_000, help="Articles per transaction.")] = 200,
) -> None:
    """Store articles from files, folders or stdin. Re-ingesting what is stored adds nothing."""
    with open_store(db) as store, progress_bar() as progress:
        task = progress.add_task("ingesting", total=None)

        def advance(ids: list[str]) -> None:
            progress.advance(task, len(ids))

        result = store_items(store, read_paths(paths), batch_size=batch_size, on_problem=report_problem, on_batch=advance)
    typer.echo(
        f"{result.new} new, {result.known} already stored, {result.rejected} rejected, {result.warnings} warnings",
        err=True,
    )
    if result.valid == 0:
        typer.echo("error: no valid article in the input", err=True)
        raise typer.Exit(1)


@app.command()
def stats(
    db: DbOption = None,
    format: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Counts of what the store holds."""
    if format not in {"text", "json"}:
        raise typer.BadParameter("must be text or json", param_hint="--format")
    with open_store(db) as store:
        counts = store.counts()
    if format == "json":
        typer.echo(json.dumps(counts))
        return
    table = Table("what", "count", title=f"watchfloor store {db or default_db_path()}")
    for key, value in counts.items():
        table.add_row(key, f"{value:,}")
    out.print(table)


def find_corpus() -> Path | None:
    """The bundled sample corpus: ./examples/corpus, else the one beside the source checkout."""
    for candidate in (Path("examples/corpus"), Path(__file__).resolve().parents[2] / "examples" / "corpus"):
        if candidate.is_dir():
            return candidate
    return None


@app.command()
def demo(
    db: Annotated[
        Path | None, typer.Option("--db", help="Where to build the demo database. Default: demo.db in the data dir.")
    ] = None,
    corpus: Annotated[Path | None, typer.Option(help="Folder of reports. Default: the bundled examples/corpus.")] = None,
) -> None:
    """Ingest the sample corpus into a fresh database and show what the pipeline made of it."""
    from watchfloor.config import data_dir

    corpus = corpus or find_corpus()
    if corpus is None or not corpus.is_dir():
        err.print("[red]error:[/red] sample corpus not found; pass --corpus DIR")
        raise typer.Exit(2)
    path = db or data_dir() / "demo.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    with open_store(path) as store, progress_bar() as progress:
        task = progress.add_task("ingesting the sample corpus", total=None)
        result = store_items(
            store, read_paths([corpus]), on_problem=report_problem, on_batch=lambda ids: progress.advance(task, len(ids))
        )
        counts = store.counts()
        articles = list(store.articles())
    out.rule(f"watchfloor demo: {corpus}")
    out.print(f"Stored {result.new} reports in {path}")
    table = Table("date", "outlet", "title", title="Reports", expand=False)
    for a in articles:
        table.add_row((a.date or "")[:10], a.outlet or "", a.title or a.text[:60])
    width = shutil.get_terminal_size((120, 40)).columns
    out.print(table, width=max(width, 100))
    out.print(json.dumps(counts))


def run() -> None:
    """Console-script entry point: errors we raise on purpose print one line, not a traceback."""
    try:
        app()
    except WatchfloorError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        sys.exit(2)
