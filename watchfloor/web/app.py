"""The dashboard and JSON API: ``create_app(db_path)`` gives a FastAPI app over one read-only database.

Pages are rendered on the server with Jinja2 (autoescaping on, no ``|safe`` anywhere) and work without
JavaScript; ``static/app.js`` adds the interactive map when set-up has put Leaflet in ``static/vendor/``.
Heavy things are loaded once here (templates, the actor knowledge base, country outlines), never per request.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections import OrderedDict
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles

from watchfloor import __version__
from watchfloor.web import svg
from watchfloor.web.queries import Queries
from watchfloor.web.security import SecurityMiddleware, content_security_policy
from watchfloor.web.vendor import OUTLINES_FILE, STATIC_DIR, VENDOR_DIR

TEMPLATES_DIR = Path(__file__).resolve().parent / "templates"


class ResponseCache:
    """Whole GET responses keyed by (path, query, store generation): a repeat request costs a dict lookup.

    The generation changes whenever anything commits to the store (see ``Queries.generation``), so a page is
    never served stale. Only 200 answers are kept, within a byte budget (least recently used go first).
    Static files and /healthz pass through: they are cheap, and /healthz should answer live.
    """

    def __init__(self, app: Any, *, queries: Queries, max_bytes: int = 64 << 20, max_entry: int = 4 << 20) -> None:
        self.app = app
        self.queries = queries
        self.max_bytes = max_bytes
        self.max_entry = max_entry
        self._items: OrderedDict[tuple[str, bytes, int], tuple[int, list[tuple[bytes, bytes]], bytes]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._pending: dict[tuple[str, bytes, int], asyncio.Event] = {}

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        path = scope.get("path", "")
        if scope["type"] != "http" or scope["method"] != "GET" or path.startswith("/static/") or path == "/healthz":
            await self.app(scope, receive, send)
            return
        key = (path, scope.get("query_string", b""), self.queries.generation())
        if await self._serve_cached(key, send):
            return
        pending = self._pending.get(key)
        if pending is not None:
            # The same page is being built for another client: wait for it rather than build it twice.
            await pending.wait()
            if await self._serve_cached(key, send):
                return
        done = self._pending.setdefault(key, asyncio.Event())
        start: dict[str, Any] = {}
        chunks: list[bytes] = []

        async def capture(message: Any) -> None:
            if message["type"] == "http.response.start":
                start.update(message)
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False) and start.get("status") == 200:
                    self._keep(key, start, b"".join(chunks))
            await send(message)

        try:
            await self.app(scope, receive, capture)
        finally:
            if self._pending.get(key) is done:
                del self._pending[key]
            done.set()

    async def _serve_cached(self, key: tuple[str, bytes, int], send: Any) -> bool:
        with self._lock:
            hit = self._items.get(key)
            if hit is not None:
                self._items.move_to_end(key)
        if hit is None:
            return False
        status, headers, body = hit
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        return True

    def _keep(self, key: tuple[str, bytes, int], start: dict[str, Any], body: bytes) -> None:
        if len(body) > self.max_entry:
            return
        headers = [(bytes(k), bytes(v)) for k, v in start.get("headers", [])]
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= len(old[2])
            self._items[key] = (int(start["status"]), headers, body)
            self._bytes += len(body)
            while self._bytes > self.max_bytes and self._items:
                _, dropped = self._items.popitem(last=False)
                self._bytes -= len(dropped[2])


@dataclass(slots=True)
class Assets:
    leaflet: bool
    topojson: bool
    outlines_json: bool  # the world-atlas TopoJSON that the interactive map draws

    @property
    def interactive_map(self) -> bool:
        return self.leaflet and self.topojson


@dataclass(slots=True)
class WebContext:
    queries: Queries
    env: jinja2.Environment
    renderer: svg.OutlineRenderer
    assets: Assets
    tile_url: str | None
    kb: Any

    def render(self, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
        return HTMLResponse(self.render_text(template, **context), status_code=status_code)

    def render_text(self, template: str, **context: Any) -> str:
        return self.env.get_template(template).render(assets=self.assets, tile_url=self.tile_url, version=__version__, **context)


def template_environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=True,  # every template, whatever its name: source text is hostile input
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["static_version"] = __version__
    return env


@cache
def outline_renderer(path: Path) -> svg.OutlineRenderer:
    """Outlines parsed once per process, shared by every app, with the world view drawn ahead of time."""
    renderer = svg.OutlineRenderer(svg.Outlines.load(path))
    renderer.path(svg.view_for([]))
    return renderer


@cache
def load_actor_kb() -> Any:
    """The actor knowledge base, for the relations shown beside a story's actors; None if it cannot load."""
    try:
        from watchfloor.kb.actors import ActorKB

        return ActorKB.load()
    except Exception:  # the dashboard still works without it, only without knowledge-base relations
        return None


def find_assets(vendor_dir: Path = VENDOR_DIR) -> Assets:
    return Assets(
        leaflet=(vendor_dir / "leaflet" / "leaflet.js").is_file() and (vendor_dir / "leaflet" / "leaflet.css").is_file(),
        topojson=(vendor_dir / "topojson-client" / "topojson-client.min.js").is_file(),
        outlines_json=(vendor_dir / "world-atlas" / "countries-50m.json").is_file(),
    )


def create_app(db_path: Path | str, token: str | None = None, tile_url: str | None = None) -> FastAPI:
    """The dashboard over ``db_path`` (opened read-only). With ``token``, every route requires it."""
    from watchfloor.web import api, pages

    tile_url = tile_url or os.environ.get("WATCHFLOOR_TILE_URL") or None
    csp = content_security_policy(tile_url)  # validates the tile URL before anything starts
    queries = Queries(db_path)
    context = WebContext(
        queries=queries,
        env=template_environment(),
        renderer=outline_renderer(VENDOR_DIR / OUTLINES_FILE),
        assets=find_assets(),
        tile_url=tile_url,
        kb=load_actor_kb(),
    )
    app = FastAPI(
        title="watchfloor",
        version=__version__,
        description="Read-only API over a watchfloor store: stories, events, situations and full-text search.",
        docs_url=None,  # Swagger UI would load scripts from a CDN; /docs is rendered here instead
        redoc_url=None,
        openapi_url="/openapi.json",
    )
    app.state.web = context
    app.include_router(api.router)
    app.include_router(pages.router)
    app.mount("/static", StaticFiles(directory=str(STATIC_DIR), check_dir=False), name="static")
    _install_error_pages(app, context)
    # Added last runs first: the security checks wrap the cache, so cached answers get the headers too.
    app.add_middleware(ResponseCache, queries=queries)
    app.add_middleware(SecurityMiddleware, token=token, csp=csp)
    return app


def _wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path in ("/healthz", "/openapi.json")


def _install_error_pages(app: FastAPI, context: WebContext) -> None:
    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if _wants_json(request):
            return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)
        message = exc.detail if isinstance(exc.detail, str) else _describe(exc.detail)
        return context.render("error.html", status_code=exc.status_code, status=exc.status_code, message=message)

    @app.exception_handler(RequestValidationError)
    async def bad_parameters(request: Request, exc: RequestValidationError) -> Response:
        errors = [{"loc": list(e.get("loc", ())), "msg": str(e.get("msg", "")), "type": str(e.get("type", ""))} for e in exc.errors()]
        if _wants_json(request):
            return JSONResponse({"detail": errors}, status_code=422)
        return context.render("error.html", status_code=422, status=422, message=_describe(errors))

    # Starlette answers unknown paths with its own 404; route them through the same pages.
    from starlette.exceptions import HTTPException as StarletteHTTPException

    @app.exception_handler(StarletteHTTPException)
    async def not_found(request: Request, exc: StarletteHTTPException) -> Response:
        return await http_error(request, HTTPException(exc.status_code, exc.detail, getattr(exc, "headers", None)))


def _describe(detail: Any) -> str:
    if isinstance(detail, list):
        parts = []
        for e in detail:
            if isinstance(e, dict):
                where = ".".join(str(x) for x in e.get("loc", []) if x not in ("query", "path"))
                parts.append(f"{where}: {e.get('msg', '')}" if where else str(e.get("msg", "")))
        return "; ".join(parts) or "bad request"
    return str(detail)
