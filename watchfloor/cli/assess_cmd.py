"""``watchfloor scorecard``, ``watchfloor assess`` and ``watchfloor situation``: judgments, their scores, the state."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

DbOption = Annotated[
    Path | None,
    typer.Option("--db", help="SQLite database file. Default: $WATCHFLOOR_DB, else watchfloor.db in the data dir."),
]
FormatOption = Annotated[str, typer.Option("--format", help="text or json")]


def _check_format(value: str, allowed: tuple[str, ...]) -> None:
    if value not in allowed:
        raise typer.BadParameter(f"must be one of {', '.join(allowed)}", param_hint="--format")


def scorecard(
    db: DbOption = None,
    format: FormatOption = "text",
    settle: Annotated[bool, typer.Option(help="Settle open judgments against the stored reports first.")] = True,
) -> None:
    """Brier score of settled judgments, per pattern and overall (0 is perfect; always saying 50% earns 0.25)."""
    from watchfloor.assess.stage import settle_all, store_scorecard
    from watchfloor.cli.main import open_store, out

    _check_format(format, ("text", "json"))
    with open_store(db, read_only=not settle) as store:
        settled = settle_all(store) if settle else 0
        card = store_scorecard(store)
    if format == "json":
        typer.echo(json.dumps({**card, "newly_settled": settled}, indent=2))
        return
    from rich.table import Table

    table = Table("pattern", "settled", "true", "false", "open", "void", "Brier", "mean p", "observed", title="watchfloor scorecard")
    for line in [*card["patterns"], card["overall"]]:
        table.add_row(
            line["pattern"], str(line["settled"]), str(line["true"]), str(line["false"]), str(line["open"]),
            str(line["void"]), _num(line["brier"], 3), _num(line["mean_p"], 2), _num(line["observed"], 2),
        )
    out.print(table)
    if settled:
        typer.echo(f"{settled} judgment(s) settled now", err=True)


def _num(value: Any, digits: int) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def assess(
    story: Annotated[str | None, typer.Option("--story", help="Story id. Default: the story with the most sources.")] = None,
    db: DbOption = None,
    refresh: Annotated[bool, typer.Option(help="Re-assess every stored story before printing.")] = False,
    format: Annotated[str, typer.Option("--format", help="md, json or text")] = "md",
    llm_url: Annotated[
        str | None, typer.Option("--llm-url", help="OpenAI-compatible endpoint to reword the brief (default $WATCHFLOOR_LLM_URL).")
    ] = None,
    llm_model: Annotated[str | None, typer.Option("--llm-model", help="Model name for --llm-url.")] = None,
) -> None:
    """Print a story's brief: implications first, then the headline, then the article."""
    from watchfloor.cli.main import err, open_store

    _check_format(format, ("md", "json", "text"))
    with open_store(db) as store:
        if refresh:
            from watchfloor.assess.stage import assess_stories

            ids = [r[0] for r in store.conn.execute("SELECT id FROM stories")]
            assess_stories(store, [], ids)
        text = brief_text(store, story, format, llm_url=llm_url, llm_model=llm_model, warn=lambda m: err.print(m, highlight=False))
    typer.echo(text)


def brief_text(store: Any, story_id: str | None, fmt: str = "md", *, llm_url: str | None = None,
               llm_model: str | None = None, warn: Any = None) -> str:
    """The brief of one story (default: the one with the most sources) in the reference layout."""
    from watchfloor.store import stories as story_sql
    from watchfloor.stories.stage import load_story

    if story_id is None:
        top = story_sql.story_ids_by_size(store.conn, 1)
        if not top:
            raise typer.BadParameter("the store holds no story yet; run `watchfloor ingest` first")
        story_id = top[0]
    story = load_story(store, story_id)
    if story is None:
        raise typer.BadParameter(f"no story {story_id}", param_hint="--story")
    from watchfloor.assess.llm import config_from_env

    config = config_from_env(llm_url, llm_model)
    if config is not None and story.implications:
        from watchfloor.assess.llm import rephrase
        from watchfloor.assess.stage import default_kb

        ids = list(story.article_ids) + list(story.duplicates)
        texts = {r.id: r.text for r in story_sql.load_reports(store.conn, ids).values()}
        for imp in story.implications:
            for ref in imp.evidence:
                if ref.article_id not in texts:
                    row = store.get_article(ref.article_id)
                    if row is not None:
                        texts[row.id] = row.text
        rewrite = rephrase(config, story.headline, story.implications, texts, default_kb())
        story.implications, story.headline = rewrite.implications, rewrite.headline
        if warn is not None and rewrite.dropped:
            warn(f"writer: kept {rewrite.accepted} rewritten sentence(s), dropped {len(rewrite.dropped)}")
    if fmt == "json":
        from watchfloor.report.json import render_json

        return render_json([story])
    from watchfloor.report.common import load_sources
    from watchfloor.report.markdown import render_markdown

    text = render_markdown([story], load_sources(store, [story]))
    if fmt == "text":
        text = text.replace("\\", "")
    changes = _latest_changes(store, story.id)
    if changes:
        text += "\n## What changed since the previous brief\n\n" + "\n".join(f"- {c}" for c in changes) + "\n"
    return text


def _latest_changes(store: Any, story_id: str) -> list[str]:
    from watchfloor.store import assess as sql

    raw = sql.last_brief(store.conn, story_id)
    if not raw:
        return []
    return list(json.loads(raw).get("changes", []))


def situation(
    theatre: Annotated[str, typer.Argument(help="ISO 3166 alpha-3 code of the theatre, e.g. SYR.")],
    db: DbOption = None,
) -> None:
    """The situation of a theatre as last assessed: control, front line, alignments, figures, activity (JSON)."""
    from watchfloor.cli.main import open_store
    from watchfloor.store import assess as sql

    with open_store(db, read_only=True) as store:
        raw = sql.situation_json(store.conn, theatre.upper())
    if raw is None:
        raise typer.BadParameter(f"no situation for {theatre.upper()} yet", param_hint="THEATRE")
    typer.echo(json.dumps(json.loads(raw), indent=2, ensure_ascii=False))


def register(app: typer.Typer) -> None:
    app.command("scorecard")(scorecard)
    app.command("assess")(assess)
    app.command("situation")(situation)
