"""Security of the dashboard: hostile text stays inert, strict headers, read-only, the access token."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
import typer
from fastapi.testclient import TestClient
from typer.testing import CliRunner
from web_sample import Sample

from watchfloor.cli import serve_cmd
from watchfloor.errors import InputError
from watchfloor.web.app import create_app
from watchfloor.web.queries import Queries
from watchfloor.web.security import content_security_policy

WEB = Path(__file__).resolve().parents[1] / "watchfloor" / "web"
HOSTILE_PAGES = ["/stories/st-evil", "/articles/a3", "/articles/a3?start=0&end=60", "/", "/events", "/search?q=convoy",
                 "/situations/sit-syria", "/scorecard"]


def live_markup(page: str) -> list[str]:
    """Tags and attributes that would run script, if any reached the page unescaped."""
    found = re.findall(r"<script(?![^>]*\bsrc=\"/static/)[^>]*>", page)
    found += re.findall(r"<(?:img|svg|iframe|object|embed)\b[^>]*\bon\w+\s*=", page, re.I)
    found += re.findall(r"\s on(?:error|load|click|mouseover)\s*=", page, re.I)
    found += re.findall(r"href=\"\s*javascript:", page, re.I)
    return found


@pytest.mark.parametrize("url", HOSTILE_PAGES)
def test_hostile_text_is_escaped_everywhere(client: TestClient, url: str) -> None:
    r = client.get(url)
    assert r.status_code == 200
    assert live_markup(r.text) == []


def test_hostile_text_is_shown_as_text(client: TestClient) -> None:
    story = client.get("/stories/st-evil").text
    assert "&lt;script&gt;window.__pwned = 5&lt;/script&gt;Convoy" in story  # headline
    assert "&lt;svg onload=window.__pwned=4&gt;" in story  # quote
    assert "&lt;script&gt;window.__pwned = 8&lt;/script&gt; Aid access" in story  # implication
    article = client.get("/articles/a3").text
    assert "&lt;script&gt;window.__pwned = 1&lt;/script&gt;Convoy report" in article  # title
    assert "&lt;img src=x onerror=" in article  # text
    assert "javascript:alert" not in article  # a non-web URL is never a link
    assert "&lt;b&gt;Evil&lt;/b&gt; Outlet" in article


def test_hostile_map_data_is_escaped_in_its_attribute(client: TestClient) -> None:
    story = client.get("/stories/st-evil").text
    attribute = re.search(r'data-map="([^"]*)"', story).group(1)
    assert "<" not in attribute and '"' not in attribute


def test_templates_and_code_never_mark_source_text_safe() -> None:
    for path in (WEB / "templates").glob("*.html"):
        text = path.read_text(encoding="utf-8").replace(" ", "")
        assert "|safe" not in text and "autoescapefalse" not in text, path
    for path in WEB.glob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "Markup" not in text and "autoescape=False" not in text, path
    js = (WEB / "static" / "app.js").read_text(encoding="utf-8")
    assert "innerHTML" not in js and "insertAdjacentHTML" not in js and "eval(" not in js


@pytest.mark.parametrize("url", ["/", "/stories/st-hama", "/api/stories", "/healthz", "/static/app.css", "/no-such-page",
                                 "/api/stories/none", "/docs"])
def test_every_response_carries_the_security_headers(client: TestClient, url: str) -> None:
    r = client.get(url)
    csp = r.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"


def test_tile_server_is_allowed_for_images_only() -> None:
    csp = content_security_policy("https://{s}.tile.example.org/{z}/{x}/{y}.png")
    assert "img-src 'self' data: https://*.tile.example.org;" in csp
    assert "script-src 'self';" in csp
    for bad in ("javascript:alert(1)", "ftp://x/{z}", "https://a b/{z}", "https://x'; script-src *"):
        with pytest.raises(InputError):
            content_security_policy(bad)


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS"])
def test_only_reads_are_allowed(client: TestClient, method: str) -> None:
    r = client.request(method, "/stories/st-hama")
    assert r.status_code == 405
    assert r.headers["allow"] == "GET, HEAD"


def test_head_answers_like_get_without_a_body(client: TestClient) -> None:
    r = client.head("/stories/st-hama")
    assert r.status_code == 200 and r.content == b""


def test_the_database_is_opened_read_only(sample: Sample) -> None:
    q = Queries(sample.db)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        q.conn.execute("DELETE FROM stories")


def test_token_is_required_on_every_route(sample: Sample) -> None:
    client = TestClient(create_app(sample.db, token="s3cret token"))
    for url in ("/", "/stories/st-hama", "/api/stories", "/healthz", "/static/app.css", "/docs", "/openapi.json", "/nope"):
        r = client.get(url)
        assert r.status_code == 401, url
        assert "content-security-policy" in r.headers
    assert client.get("/api/stories", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/api/stories", headers={"Authorization": "Bearer s3cret token"}).status_code == 200
    assert client.get("/", params={"token": "s3cret"}).status_code == 401


def test_token_in_the_address_sets_a_cookie_for_the_browser(sample: Sample) -> None:
    client = TestClient(create_app(sample.db, token="s3cret token"))
    first = client.get("/", params={"token": "s3cret token"})
    assert first.status_code == 200
    cookie = first.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    # The client keeps the cookie: following links works without the token in them.
    assert client.get("/stories/st-hama").status_code == 200
    assert client.get("/static/app.js").status_code == 200
    client.cookies.clear()
    assert client.get("/stories/st-hama").status_code == 401


def test_missing_database_fails_at_start(tmp_path: Path) -> None:
    from watchfloor.errors import StoreError

    with pytest.raises(StoreError):
        create_app(tmp_path / "absent.db")


# -- the serve command --------------------------------------------------------------------------------------


@pytest.fixture
def serve_app() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """watchfloor."""

    serve_cmd.register(app)
    return app


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[dict[str, object]]:
    """Record what uvicorn would have been asked to serve, instead of serving."""
    import uvicorn

    calls: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: calls.append({"app": app, **kw}))
    return calls


def test_serve_refuses_a_public_address_without_a_token(serve_app: typer.Typer, sample: Sample, started: list[dict[str, object]],
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WATCHFLOOR_TOKEN", raising=False)
    result = CliRunner().invoke(serve_app, ["serve", "--db", str(sample.db), "--host", "0.0.0.0"])
    assert result.exit_code == 2
    assert "token" in result.output
    assert started == []


def test_serve_on_a_public_address_with_a_token(serve_app: typer.Typer, sample: Sample, started: list[dict[str, object]],
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WATCHFLOOR_TOKEN", "from-env")
    result = CliRunner().invoke(serve_app, ["serve", "--db", str(sample.db), "--host", "0.0.0.0", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert "http://0.0.0.0:8123/?token=from-env" in result.output
    (call,) = started
    assert call["host"] == "0.0.0.0" and call["port"] == 8123
    assert TestClient(call["app"]).get("/healthz").status_code == 401  # type: ignore[arg-type]


def test_serve_on_loopback_prints_the_address(serve_app: typer.Typer, sample: Sample, started: list[dict[str, object]],
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("WATCHFLOOR_TOKEN", raising=False)
    result = CliRunner().invoke(serve_app, ["serve", "--db", str(sample.db)])
    assert result.exit_code == 0, result.output
    assert "http://127.0.0.1:8000/" in result.output
    assert TestClient(started[0]["app"]).get("/healthz").status_code == 200  # type: ignore[arg-type]


def test_serve_reports_a_missing_database(serve_app: typer.Typer, tmp_path: Path, started: list[dict[str, object]]) -> None:
    result = CliRunner().invoke(serve_app, ["serve", "--db", str(tmp_path / "none.db")])
    assert result.exit_code == 2
    assert "no database" in result.output
    assert not (tmp_path / "none.db").exists()


@pytest.mark.parametrize(("host", "loopback"), [("127.0.0.1", True), ("localhost", True), ("::1", True), ("127.8.0.1", True),
                                                ("0.0.0.0", False), ("192.168.1.4", False), ("example.org", False), ("::", False)])
def test_loopback_detection(host: str, loopback: bool) -> None:
    assert serve_cmd.is_loopback(host) is loopback


def test_serve_migrates_an_older_database_once(serve_app: typer.Typer, tmp_path: Path, started: list[dict[str, object]]) -> None:
    from watchfloor.store.db import migrations

    db = tmp_path / "old.db"
    conn = sqlite3.connect(db)
    conn.executescript(migrations()[0][2])
    conn.execute("PRAGMA user_version = 1")
    conn.commit()
    conn.close()
    result = CliRunner().invoke(serve_app, ["serve", "--db", str(db)])
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == len(migrations())
    conn.close()
