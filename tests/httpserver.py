"""A local HTTP server on 127.0.0.1 for tests that fetch: feeds, pages, redirects, slow and broken responses.

Use ``serving()`` (a context manager, easy to wrap in a fixture), or ``LocalServer`` directly. Routes are plain
functions of the request returning a ``Reply``; ``add_standard_routes`` installs the ones most tests need.
``FakeInternet`` stands in for DNS: it maps made-up public names to made-up public addresses and dials them
all to the local server, so tests can show what happens when a "public" site redirects inward.
"""

from __future__ import annotations

import gzip
import socket
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import format_datetime
from functools import cache
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]


@dataclass
class Reply:
    status: int = 200
    body: bytes | Iterable[bytes] = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0  # before the status line
    chunk_delay_s: float = 0.0  # between body chunks (a slow drip)
    content_length: bool = True  # send Content-Length for bytes bodies


Route = Callable[[Request], Reply]


class LocalServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.prefix_routes: dict[str, Route] = {}  # for generated paths: "/pages/" serves "/pages/1", "/pages/2", ...
        self.requests: list[Request] = []
        self.connections = 0
        self._lock = threading.Lock()
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.0"  # one request per connection: simple, and every request is counted

            def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
                request = Request("GET", self.path, {k.lower(): v for k, v in self.headers.items()})
                with server._lock:
                    server.requests.append(request)
                path = self.path.split("?", 1)[0]
                route = server.routes.get(self.path) or server.routes.get(path)
                if route is None:
                    route = next((r for p, r in server.prefix_routes.items() if path.startswith(p)), None)
                reply = route(request) if route else Reply(404, b"not found", {"Content-Type": "text/plain"})
                try:
                    self._send(reply)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up, as it should on a slow or huge reply

            def _send(self, reply: Reply) -> None:
                if reply.delay_s:
                    time.sleep(reply.delay_s)
                self.send_response(reply.status)
                for key, value in reply.headers.items():
                    self.send_header(key, value)
                if isinstance(reply.body, bytes) and reply.content_length:
                    self.send_header("Content-Length", str(len(reply.body)))
                self.end_headers()
                chunks = [reply.body] if isinstance(reply.body, bytes) else reply.body
                for chunk in chunks:
                    self.wfile.write(chunk)
                    self.wfile.flush()
                    if reply.chunk_delay_s:
                        time.sleep(reply.chunk_delay_s)

            def log_message(self, format: str, *args: Any) -> None:
                pass

        class Server(ThreadingHTTPServer):
            daemon_threads = True

            def verify_request(self, request: Any, client_address: Any) -> bool:
                with server._lock:
                    server.connections += 1
                return True

        self.httpd = Server(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.base = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)

    def url(self, path: str) -> str:
        return self.base + path

    def route(self, path: str, reply: Reply | Route) -> None:
        if isinstance(reply, Reply):
            fixed = reply
            self.routes[path] = lambda request: fixed
        else:
            self.routes[path] = reply

    def hits(self, path: str) -> int:
        with self._lock:
            return sum(1 for r in self.requests if r.path == path)

    def start(self) -> LocalServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@contextmanager
def serving(standard_routes: bool = True) -> Iterator[LocalServer]:
    """A started server, stopped on exit. In a test module::

    @pytest.fixture
    def local_server() -> Iterator[LocalServer]:
        with serving() as server:
            yield server
    """
    server = LocalServer().start()
    if standard_routes:
        add_standard_routes(server)
    try:
        yield server
    finally:
        server.stop()


# -- content ----------------------------------------------------------------------------------------------

PLACES = ["Goma", "Kharkiv", "El Fasher", "Aleppo", "Khan Younis", "Bamako", "Port-au-Prince", "Sittwe", "Mogadishu"]


def article_html(n: int, *, title: str | None = None) -> bytes:
    place = PLACES[n % len(PLACES)]
    title = title or f"Fighting reported near {place}, report {n}"
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title} | Test Wire</title>
<meta property="og:site_name" content="Test Wire"><meta name="author" content="Staff {n}">
<meta property="article:published_time" content="2025-01-{(n % 27) + 1:02d}T08:00:00Z"></head>
<body><nav><a href="/">Home</a> <a href="/world">World</a></nav><article><h1>{title}</h1>
<p>Residents of {place} said on Monday that heavy fighting continued for a {n}th day, with shelling heard
across the northern districts of the city and several families leaving their homes before dawn.</p>
<p>Local officials counted {n + 3} people injured in report {n} and said aid convoys were waiting outside
{place} for the road to reopen. Humanitarian groups asked both sides to allow safe passage.</p>
<p>The situation in {place} remained tense late on Monday, according to witnesses reached by telephone.</p>
</article><footer>Copyright Test Wire</footer></body></html>""".encode()


def rss_feed(base: str, items: Iterable[int], *, title: str = "Test Wire: World") -> bytes:
    entries = "".join(
        f"""<item><title>Fighting reported near {PLACES[n % len(PLACES)]}, report {n}</title>
<link>{base}/articles/{n}?utm_source=rss&amp;utm_medium=feed</link><guid isPermaLink="false">wire-{n}</guid>
<description>&lt;p&gt;Short summary of report {n} about {PLACES[n % len(PLACES)]}.&lt;/p&gt;</description>
<pubDate>{format_datetime(_date(n), usegmt=True)}</pubDate></item>"""
        for n in items
    )
    return f"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>{title}</title>
<link>{base}/</link><description>Test feed</description>{entries}</channel></rss>""".encode()


def atom_feed(base: str, items: Iterable[int]) -> bytes:
    entries = "".join(
        f"""<entry><title>Atom report {n} from {PLACES[n % len(PLACES)]}</title><id>urn:test:atom:{n}</id>
<link rel="alternate" href="/articles/{n}"/><updated>2025-02-{(n % 27) + 1:02d}T10:00:00+02:00</updated>
<summary type="html">&lt;b&gt;Summary&lt;/b&gt; of atom report {n}.</summary></entry>"""
        for n in items
    )
    return f"""<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom" xml:base="{base}/">
<title>Atom Test</title><id>urn:test:atom</id><updated>2025-02-01T00:00:00Z</updated>{entries}</feed>""".encode()


def _date(n: int) -> Any:
    import datetime as dt

    return dt.datetime(2025, 1, 1, 12, 0, tzinfo=dt.UTC) + dt.timedelta(hours=n)


@cache
def gzip_bomb(size: int) -> bytes:
    """A gzip body of ``size`` zero bytes: tens of KB on the wire."""
    compressor = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    block = b"\0" * (1024 * 1024)
    out = [compressor.compress(block) for _ in range(size // len(block))]
    out.append(compressor.flush())
    return b"".join(out)


def conditional(etag: str, body: bytes, content_type: str) -> Route:
    """A route honouring If-None-Match, as a well-behaved feed server does."""

    def route(request: Request) -> Reply:
        if request.headers.get("if-none-match") == etag:
            return Reply(304, b"", {"ETag": etag})
        return Reply(
            200, body, {"Content-Type": content_type, "ETag": etag, "Last-Modified": "Wed, 01 Jan 2025 00:00:00 GMT"}
        )

    return route


def add_standard_routes(server: LocalServer) -> None:
    base = server.base
    html = {"Content-Type": "text/html; charset=utf-8"}
    for n in range(1, 31):
        server.route(f"/articles/{n}", Reply(200, article_html(n), html))
    server.route("/robots.txt", Reply(200, b"User-agent: *\nDisallow: /private/\n", {"Content-Type": "text/plain"}))
    server.route("/feed.xml", conditional('"v1"', rss_feed(base, range(1, 6)), "application/rss+xml"))
    server.route("/atom.xml", Reply(200, atom_feed(base, range(7, 10)), {"Content-Type": "application/atom+xml"}))
    server.route(
        "/feed-gzip.xml",
        Reply(
            200,
            gzip.compress(rss_feed(base, range(11, 14))),
            {"Content-Type": "application/rss+xml", "Content-Encoding": "gzip"},
        ),
    )
    server.route(
        "/private/feed.xml", Reply(200, rss_feed(base, range(20, 22)), {"Content-Type": "application/rss+xml"})
    )
    server.route("/redirect", Reply(302, b"", {"Location": "/articles/1?utm_campaign=x&fbclid=y"}))
    server.route("/redirect-loop", Reply(302, b"", {"Location": "/redirect-loop"}))
    server.route("/redirect-file", Reply(302, b"", {"Location": "file:///etc/passwd"}))
    server.route("/slow", Reply(200, b"late", {"Content-Type": "text/plain"}, delay_s=3.0))
    server.route(
        "/drip", Reply(200, (b"x" * 100 for _ in range(200)), {"Content-Type": "text/plain"}, chunk_delay_s=0.05)
    )
    server.route("/404", Reply(404, b"gone", {"Content-Type": "text/plain"}))
    server.route("/500", Reply(500, b"boom", {"Content-Type": "text/plain"}))
    server.route("/huge", Reply(200, (b"y" * 65536 for _ in range(400)), {"Content-Type": "text/plain"}))
    server.route("/huge-declared", Reply(200, b"z" * (11 * 1024 * 1024), {"Content-Type": "text/plain"}))
    bomb = gzip_bomb(64 * 1024 * 1024)
    server.route("/gzip-bomb", Reply(200, bomb, {"Content-Type": "text/html", "Content-Encoding": "gzip"}))
    server.route(
        "/brotli", Reply(200, b"\x0b\x02\x80hello\x03", {"Content-Type": "text/html", "Content-Encoding": "br"})
    )
    server.route("/image.png", Reply(200, b"\x89PNG\r\n\x1a\n" + b"\0" * 100, {"Content-Type": "image/png"}))
    server.route(
        "/malformed.xml",
        Reply(
            200,
            b"<?xml version='1.0'?><rss><channel><title>Bad</title><item><title>x</item></rss",
            {"Content-Type": "application/rss+xml"},
        ),
    )
    server.route("/garbage.xml", Reply(200, b"\x00\xff\xfe not xml at all <<<>>>", {"Content-Type": "application/xml"}))
    server.route(
        "/broken.html",
        Reply(200, b"<html><body><p>Unclosed <b>tags <div><table><tr><td>Goma</p></body", html),
    )
    server.route(
        "/homepage.html",
        Reply(
            200,
            b'<html><head><link rel="alternate" type="application/rss+xml" href="/feed.xml"></head><body>Hi</body></html>',
            html,
        ),
    )
    server.route("/to-loopback", Reply(302, b"", {"Location": f"{base}/articles/2"}))
    server.route("/to-intranet", Reply(302, b"", {"Location": "http://intranet.example/admin"}))
    server.route("/secret", Reply(200, b"secret", {"Content-Type": "text/plain"}))


# -- a stand-in for DNS -----------------------------------------------------------------------------------


class FakeInternet:
    """Resolves made-up names to made-up addresses and dials every address to the local server.

    ``names`` maps host names to addresses ("news.example" -> ["93.184.216.34"]). IP literals resolve to
    themselves. ``dialled`` lists every address a connection was opened to, so a test can show that a refused
    address was never dialled.
    """

    def __init__(self, server: LocalServer, names: dict[str, list[str]]) -> None:
        self.server = server
        self.names = names
        self.dialled: list[str] = []

    def resolve(self, host: str, port: int) -> list[str]:
        if host in self.names:
            return list(self.names[host])
        try:
            socket.inet_pton(socket.AF_INET6 if ":" in host else socket.AF_INET, host)
        except OSError:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known") from None
        return [host]

    def dial(self, address: str, port: int, timeout: float | None) -> socket.socket:
        self.dialled.append(address)
        return socket.create_connection(("127.0.0.1", self.server.port), timeout)
