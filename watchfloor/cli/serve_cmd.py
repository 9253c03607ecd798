"""``watchfloor serve``: the web dashboard and JSON API over one database (read-only)."""

from __future__ import annotations

import ipaddress
import os
import secrets
from pathlib import Path
from typing import Annotated
from urllib.parse import quote

import typer

from watchfloor.errors import WatchfloorError

TOKEN_ENV = "WATCHFLOOR_TOKEN"


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def default_serve_db() -> Path:
    """--db, else $WATCHFLOOR_DB, else watchfloor.db in the data dir, else the demo database if only that exists."""
    from watchfloor.config import data_dir, default_db_path

    path = default_db_path()
    if path.exists() or os.environ.get("WATCHFLOOR_DB"):
        return path
    demo = data_dir() / "demo.db"
    return demo if demo.exists() else path


def address(host: str, port: int, token: str | None) -> str:
    shown = f"[{host}]" if ":" in host and not host.startswith("[") else host
    base = f"http://{shown}:{port}/"
    return f"{base}?token={quote(token, safe='')}" if token else base


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        db: Annotated[
            Path | None,
            typer.Option("--db", help="Database to show. Default: $WATCHFLOOR_DB, else watchfloor.db (or demo.db) in the data dir."),
        ] = None,
        host: Annotated[str, typer.Option(help="Address to listen on. Anything but loopback needs a token.")] = "127.0.0.1",
        port: Annotated[int, typer.Option(min=0, max=65535, help="Port to listen on.")] = 8000,
        token: Annotated[
            str | None, typer.Option(help=f"Require this token on every request (also ${TOKEN_ENV}). 'generate' makes one.")
        ] = None,
        tile_url: Annotated[
            str | None,
            typer.Option(help="Map tile URL template for online use, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png "
                              "(also $WATCHFLOOR_TILE_URL). Default: no tiles, country outlines only."),
        ] = None,
        workers: Annotated[int, typer.Option(min=1, max=64, help="Server processes.")] = 1,
    ) -> None:
        """Serve the dashboard (stories, sources, maps, events, search, scorecard) and the JSON API."""
        import uvicorn

        from watchfloor.web.app import create_app

        token = token or os.environ.get(TOKEN_ENV) or None
        if token == "generate":
            token = secrets.token_urlsafe(24)
        if not is_loopback(host) and not token:
            typer.echo(
                f"error: refusing to listen on {host} without a token: pass --token TOKEN (or --token generate), "
                f"or set ${TOKEN_ENV}",
                err=True,
            )
            raise typer.Exit(2)
        path = db or default_serve_db()
        tile_url = tile_url or os.environ.get("WATCHFLOOR_TILE_URL") or None
        try:
            if path.exists():
                migrate_if_needed(path)
            application = create_app(path, token=token, tile_url=tile_url)
        except WatchfloorError as exc:
            typer.echo(f"error: {exc.message}", err=True)
            raise typer.Exit(2) from exc
        typer.echo(f"watchfloor dashboard for {path}", err=True)
        typer.echo(f"open {address(host, port, token)}")
        if workers > 1:
            # Each worker process builds its own app from these settings.
            os.environ["WATCHFLOOR_SERVE_DB"] = str(path)
            if token:
                os.environ["WATCHFLOOR_SERVE_TOKEN"] = token
            if tile_url:
                os.environ["WATCHFLOOR_TILE_URL"] = tile_url
            uvicorn.run("watchfloor.cli.serve_cmd:app_from_env", factory=True, host=host, port=port, workers=workers,
                        log_level="warning", proxy_headers=False, server_header=False)
            return
        uvicorn.run(application, host=host, port=port, log_level="warning", proxy_headers=False, server_header=False)


def migrate_if_needed(path: Path) -> None:
    """Bring an older database to the current schema, once, before serving; the server itself only reads."""
    import sqlite3

    from watchfloor.store.db import Store, migrations

    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        finally:
            conn.close()
    except sqlite3.Error:
        return  # not readable as a database: create_app reports it
    if version < len(migrations()):
        Store(path).close()


def app_from_env() -> object:
    """Factory for multi-process serving (uvicorn imports it in each worker)."""
    from watchfloor.web.app import create_app

    return create_app(
        os.environ["WATCHFLOOR_SERVE_DB"],
        token=os.environ.get("WATCHFLOOR_SERVE_TOKEN") or None,
        tile_url=os.environ.get("WATCHFLOOR_TILE_URL") or None,
    )
