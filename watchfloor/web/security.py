"""Security for the dashboard: read-only methods, an optional access token, and strict response headers.

A plain ASGI middleware (not Starlette's BaseHTTPMiddleware) so that it costs next to nothing per request.

* Only GET and HEAD reach the app: it never changes anything, so every other method is refused with 405.
* With a token, every route (pages, API, static files, /healthz) needs it: an ``Authorization: Bearer``
  header, a ``token`` query parameter, or the cookie that a valid query parameter sets, so a browser opened
  on the printed address keeps working as the user clicks through.
* Every response carries a Content-Security-Policy that allows scripts, styles and images from this origin
  only (plus the tile server, when one is configured): even if hostile text slipped through escaping, it
  could not run inline script or load anything from elsewhere.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable, MutableMapping
from http.cookies import SimpleCookie
from typing import Any
from urllib.parse import parse_qs, quote, unquote, urlsplit

from watchfloor.errors import InputError

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

COOKIE = "watchfloor_token"
SAFE_METHODS = frozenset({"GET", "HEAD"})


def tile_source(tile_url: str | None) -> str | None:
    """The CSP source for a tile URL template ("https://{s}.tile.example.org/{z}/{x}/{y}.png")."""
    if not tile_url:
        return None
    parts = urlsplit(tile_url.replace("{s}.", "sub."))
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(f"tile URL must be http(s)://host/...{{z}}/{{x}}/{{y}}...: {tile_url!r}")
    host = parts.netloc
    if tile_url.split("://", 1)[1].startswith("{s}."):
        host = "*." + host.split(".", 1)[1]
    if any(ch in host for ch in " ;,'\""):
        raise InputError(f"tile URL has an invalid host: {tile_url!r}")
    return f"{parts.scheme}://{host}"


def content_security_policy(tile_url: str | None = None) -> str:
    tiles = tile_source(tile_url)
    img = "'self' data:" + (f" {tiles}" if tiles else "")
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; "
        f"img-src {img}; connect-src 'self'; font-src 'self'; "
        "base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


class SecurityMiddleware:
    def __init__(self, app: ASGIApp, *, token: str | None, csp: str) -> None:
        self.app = app
        self.token = token.encode() if token else None
        self.headers = [
            (b"content-security-policy", csp.encode()),
            (b"x-content-type-options", b"nosniff"),
            (b"referrer-policy", b"no-referrer"),
            (b"x-frame-options", b"DENY"),
            (b"cross-origin-opener-policy", b"same-origin"),
            (b"permissions-policy", b"geolocation=(), camera=(), microphone=()"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] not in SAFE_METHODS:
            await self._refuse(scope, send, 405, "this server is read-only: only GET and HEAD", [(b"allow", b"GET, HEAD")])
            return
        set_cookie = None
        if self.token is not None:
            presented, from_query = self._presented(scope)
            if presented is None or not hmac.compare_digest(presented, self.token):
                await self._refuse(scope, send, 401, "a token is required: open the address the server printed, "
                                   "or send 'Authorization: Bearer TOKEN'", [(b"www-authenticate", b"Bearer")])
                return
            if from_query:
                value = quote(presented.decode("utf-8", "replace"), safe="")
                set_cookie = f"{COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict".encode()
        extra = list(self.headers)
        if set_cookie:
            extra.append((b"set-cookie", set_cookie))
        if self.token is not None:
            extra.append((b"vary", b"Cookie, Authorization"))

        head = scope["method"] == "HEAD"
        if head:
            # Answer HEAD as GET without the body, for every route.
            scope = dict(scope)
            scope["method"] = "GET"

        async def send_with_headers(message: Message) -> None:
            if head and message["type"] == "http.response.body":
                message = {**message, "body": b""}
            if message["type"] == "http.response.start":
                headers = [h for h in message.get("headers", []) if h[0].lower() not in {k for k, _ in extra}]
                if self.token is not None and not any(h[0].lower() == b"cache-control" for h in headers):
                    headers.append((b"cache-control", b"private, no-cache"))
                message["headers"] = headers + extra
            await send(message)

        await self.app(scope, receive, send_with_headers)

    def _presented(self, scope: Scope) -> tuple[bytes | None, bool]:
        for name, value in scope.get("headers", []):
            if name == b"authorization" and value[:7].lower() == b"bearer ":
                return value[7:].strip(), False
        query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
        if "token" in query:
            return query["token"][-1].encode("utf-8", "replace"), True
        for name, value in scope.get("headers", []):
            if name == b"cookie":
                cookie: SimpleCookie = SimpleCookie()
                try:
                    cookie.load(value.decode("latin-1"))
                except Exception:  # a malformed cookie header is simply no token
                    continue
                if COOKIE in cookie:
                    return unquote(cookie[COOKIE].value).encode("utf-8", "replace"), False
        return None, False

    async def _refuse(self, scope: Scope, send: Send, status: int, message: str, headers: list[tuple[bytes, bytes]]) -> None:
        path = scope.get("path", "")
        if path.startswith("/api") or path == "/healthz" or path == "/openapi.json":
            body = json.dumps({"detail": message}).encode()
            kind = b"application/json"
        else:
            body = (
                "<!doctype html><html lang=en><meta charset=utf-8><title>watchfloor</title>"
                f"<h1>{status}</h1><p>{message}</p></html>"
            ).encode()
            kind = b"text/html; charset=utf-8"
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode()), *headers, *self.headers],
            }
        )
        await send({"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body})
