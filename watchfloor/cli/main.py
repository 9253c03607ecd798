"""The ``watchfloor`` command line."""

from __future__ import annotations

import io
import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

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


EngineOption = Annotated[str, typer.Option(help="Where analysis runs: local (this process) or dask.")]
SchedulerOption = Annotated[
    str | None, typer.Option(help="Dask scheduler address for --engine dask; default a LocalCluster.")
]


def check_engine(engine: str) -> None:
    if engine not in {"local", "dask"}:
        raise typer.BadParameter("must be local or dask", param_hint="--engine")


@app.command()
def ingest(
    paths: Annotated[list[str], typer.Argument(help="Files or folders (.jsonl .json .txt .md .html); - for stdin.")],
    db: DbOption = None,
    batch_size: Annotated[int, typer.Option(min=1, max=100_000, help="Articles per transaction.")] = 200,
    analyze: Annotated[
        bool, typer.Option("--analyze/--no-analyze", help="Run analysis, stories and judgments on what is stored.")
    ] = True,
    engine: EngineOption = "local",
    scheduler: SchedulerOption = None,
    columns: Annotated[
        str | None, typer.Option("--columns", help="CSV column map, e.g. text=body,title=headline,date=published.")
    ] = None,
) -> None:
    """Store articles from files, folders or stdin, then bring events, stories and judgments up to date.

    Re-ingesting what is stored adds nothing; work an interrupted run left undone is completed.
    """
    from watchfloor.ingest.csvfile import parse_column_map
    from watchfloor.process import process_articles, process_pending, share_analysis_with_a_worker

    check_engine(engine)
    if analyze and engine == "local":
        share_analysis_with_a_worker()
    try:
        column_map = parse_column_map(columns)
    except WatchfloorError as exc:
        raise typer.BadParameter(exc.message, param_hint="--columns") from exc
    with open_store(db) as store, progress_bar() as progress:
        task = progress.add_task("ingesting", total=None)
        # Locally each committed batch is processed at once, so stories stay current during long ingests;
        # Dask gains from large partitions, so it processes everything new after the last batch.
        process_each_batch = analyze and engine == "local"

        def on_batch(ids: list[str]) -> None:
            progress.advance(task, len(ids))
            if process_each_batch:
                process_articles(store, ids)

        result = store_items(
            store, read_paths(paths, columns=column_map), batch_size=batch_size, on_problem=report_problem, on_batch=on_batch
        )
        if analyze:
            progress.update(task, description="analysing")
            done = process_pending(store, engine=engine, scheduler=scheduler)
    typer.echo(
        f"{result.new} new, {result.known} already stored, {result.rejected} rejected, {result.warnings} warnings",
        err=True,
    )
    if analyze and done.analyzed:
        typer.echo(f"analysed {done.analyzed} article(s) left over or queued", err=True)
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


KbOption = Annotated[
    list[Path] | None,
    typer.Option("--kb", help="Extra knowledge-base folder(s) with your own actors/*.yaml and places*.yaml."),
]


@contextmanager
def open_text(path: str, mode: str) -> Iterator[Any]:
    """A file, or stdin / stdout for ``-``; UTF-8 whatever the locale."""
    if path == "-":
        stream = sys.stdin if mode == "r" else sys.stdout
        yield io.TextIOWrapper(stream.buffer, encoding="utf-8", errors="replace", newline="" if mode == "r" else None, write_through=True)
        return
    try:
        handle = open(path, mode, encoding="utf-8", errors="replace", newline="" if mode == "r" else None)
    except OSError as exc:
        err.print(f"[red]error:[/red] cannot open {path}: {exc.strerror}", highlight=False)
        raise typer.Exit(2) from exc
    with handle:
        yield handle


@app.command()
def extract(
    input: Annotated[str, typer.Option("--input", "-i", help="JSONL articles; - for stdin.")],
    output: Annotated[str, typer.Option("--output", "-o", help="JSONL extraction records; - for stdout.")] = "-",
    engine: Annotated[str, typer.Option(help="local (this process) or dask.")] = "local",
    scheduler: Annotated[str | None, typer.Option(help="Dask scheduler address (engine dask); default a LocalCluster.")] = None,
    kb: KbOption = None,
) -> None:
    """Extract events, actors, places, figures, quotes and dates: one output line per input line, in order."""
    from watchfloor.analyze.extract import extract_lines
    from watchfloor.analyze.pipeline import Analyzer

    if engine not in {"local", "dask"}:
        raise typer.BadParameter("must be local or dask", param_hint="--engine")
    errors = 0
    with open_text(input, "r") as source, open_text(output, "w") as sink, progress_bar() as progress:
        task = progress.add_task("extracting", total=None)
        if engine == "dask":
            from watchfloor.scale.dask_engine import extract_lines_dask

            records = extract_lines_dask(source, scheduler=scheduler, kb_dirs=kb or [], name=input)
        else:
            records = extract_lines(source, Analyzer(kb_dirs=kb or []), name=input)
        for record in records:
            if "error" in record:
                errors += 1
                typer.echo(f"error: {record['error']}", err=True)
            sink.write(json.dumps(record, ensure_ascii=False) + "\n")
            progress.advance(task)
    if errors:
        typer.echo(f"{errors} line(s) could not be analysed; each has an error record in the output", err=True)


kb_app = typer.Typer(help="The knowledge base: actors, places, event types.", no_args_is_help=True)
app.add_typer(kb_app, name="kb")


@kb_app.command("build")
def kb_build(
    force: Annotated[bool, typer.Option(help="Rebuild even if the gazetteer is current.")] = False,
) -> None:
    """Build the offline gazetteer index from GeoNames data (once, at set-up; again when places.yaml changes)."""
    import time

    from watchfloor.config import gazetteer_path
    from watchfloor.kb.gazetteer import Gazetteer
    from watchfloor.kb.gazetteer_build import build_gazetteer

    path = gazetteer_path()
    started = time.perf_counter()
    with err.status("checking the gazetteer (a build from GeoNames data takes about 20 s)..."):
        if force:
            build_gazetteer(path)
        else:
            Gazetteer.open(path).close()  # builds it when missing or older than the curated places file
    typer.echo(f"gazetteer ready at {path} ({time.perf_counter() - started:.1f} s)", err=True)


@kb_app.command("check")
def kb_check(kb: KbOption = None) -> None:
    """Load and validate the knowledge base (package files plus --kb folders); print what it holds."""
    from watchfloor.kb.actors import ActorKB

    actors = ActorKB.load(extra_dirs=kb or [])
    typer.echo(f"{len(actors)} actors loaded; knowledge base valid")


@app.command("eval")
def evaluate(
    dataset: Annotated[
        list[Path] | None, typer.Argument(help="Labelled JSONL files. Default: the team's development sets.")
    ] = None,
    format: Annotated[str, typer.Option("--format", help="text or json")] = "text",
) -> None:
    """Score extraction against labelled data: per-type precision / recall / F1 and a summary."""
    from watchfloor.analyze.evaluate import evaluate_events, format_report
    from watchfloor.analyze.pipeline import Analyzer

    paths = dataset or default_eval_sets()
    if not paths:
        err.print("[red]error:[/red] no labelled data found; pass JSONL files")
        raise typer.Exit(2)
    analyzer = Analyzer()
    results = {}
    for path in paths:
        report = evaluate_events(path, analyzer)
        results[str(path)] = report
        if format == "text":
            out.rule(str(path))
            typer.echo(format_report(report))
    if format == "json":
        typer.echo(json.dumps({k: v.to_dict() for k, v in results.items()}, indent=2))


def default_eval_sets() -> list[Path]:
    root = Path(__file__).resolve().parents[2] / "tests" / "data" / "events"
    return [p for p in (root / "dev.jsonl", root / "articles.jsonl") if p.exists()]


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
    """Ingest the sample corpus into a fresh database and print the top story's brief."""
    from watchfloor.cli.assess_cmd import brief_text
    from watchfloor.config import data_dir
    from watchfloor.process import process_articles, share_analysis_with_a_worker

    share_analysis_with_a_worker()
    corpus = corpus or find_corpus()
    if corpus is None or not corpus.is_dir():
        err.print("[red]error:[/red] sample corpus not found; pass --corpus DIR")
        raise typer.Exit(2)
    path = db or data_dir() / "demo.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    # The reports only: the corpus folder also holds its README.
    files = sorted(corpus.glob("*.jsonl"))
    with open_store(path) as store, progress_bar() as progress:
        task = progress.add_task("ingesting and analysing the sample corpus", total=None)

        def on_batch(ids: list[str]) -> None:
            process_articles(store, ids)
            progress.advance(task, len(ids))

        result = store_items(store, read_paths(files), on_problem=report_problem, on_batch=on_batch)
        counts = store.counts()
        brief = brief_text(store, None, "md")
    out.rule(f"watchfloor demo: {result.new} reports from {corpus}")
    typer.echo(brief)
    out.rule("store")
    typer.echo(json.dumps(counts))
    typer.echo(f"Database: {path}\nBrowse it: watchfloor serve --db {path}", err=True)


def _register_command_modules() -> None:
    """Commands that live in their own modules, one per concern."""
    from watchfloor.cli.assess_cmd import register as register_assess
    from watchfloor.cli.brief_cmd import register as register_brief
    from watchfloor.cli.serve_cmd import register as register_serve
    from watchfloor.cli.watch_cmd import register as register_watch

    register_brief(app)
    register_assess(app)
    register_watch(app)
    register_serve(app)


_register_command_modules()


def run() -> None:
    """Console-script entry point: errors we raise on purpose print one line, not a traceback."""
    try:
        app()
    except WatchfloorError as exc:
        err.print(f"[red]error:[/red] {exc}", highlight=False)
        sys.exit(2)
