"""The dashboard in a real browser: headless Chromium (Debian's) driven by Playwright for Python.

Skipped cleanly when Playwright or Chromium is missing (``.ci/run`` installs Chromium).
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web_sample import Sample

pytestmark = pytest.mark.browser

playwright_api = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")
CHROMIUM = next((p for p in ("/usr/bin/chromium", shutil.which("chromium") or "", shutil.which("chromium-browser") or "") if p and Path(p).exists()), None)
if CHROMIUM is None:
    pytest.skip("Chromium is not installed", allow_module_level=True)

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def server(sample: Sample) -> Iterator[tuple[str, Any]]:
    import uvicorn

    from watchfloor.web.app import create_app

    app = create_app(sample.db)
    port = free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    srv = uvicorn.Server(config)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not srv.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("the test server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}", app
    srv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with playwright_api.sync_playwright() as p:
        try:
            b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        except Exception as exc:  # a broken browser install is an environment problem, not a test failure
            pytest.skip(f"Chromium does not start: {exc}")
        yield b
        b.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1100, "height": 800})
    pg = context.new_page()
    pg.problems = []  # type: ignore[attr-defined]
    pg.on("console", lambda m: pg.problems.append(m.text) if m.type == "error" else None)  # type: ignore[attr-defined]
    pg.on("pageerror", lambda e: pg.problems.append(str(e)))  # type: ignore[attr-defined]
    pg.on("dialog", lambda d: (pg.problems.append(f"dialog: {d.message}"), d.dismiss()))  # type: ignore[attr-defined]
    yield pg
    context.close()


def test_story_implication_evidence_opens_the_highlighted_sentence(server: tuple[str, Any], page: Any, sample: Sample) -> None:
    base, _ = server
    page.goto(f"{base}/stories/st-hama")
    implications = page.locator("li.implication")
    assert implications.count() == 2
    assert implications.first.locator(".statement").inner_text() == "Rebel forces will probably push on toward Homs within two weeks."
    assert "likely" in implications.first.locator(".likelihood").inner_text()
    assert "moderate confidence" in implications.first.locator(".confidence").inner_text()

    evidence = sample.stories["st-hama"].implications[0].evidence[0]
    implications.first.locator("a.evidence-link").first.click()
    page.wait_for_url(f"**/articles/{evidence.article_id}?start={evidence.start}&end={evidence.end}#hl")
    mark = page.locator("mark#hl")
    assert mark.inner_text() == evidence.text
    assert mark.is_visible()
    # The highlight is scrolled into view, not just present somewhere on the page.
    box = mark.bounding_box()
    assert box is not None and 0 <= box["y"] < 800
    assert page.problems == []  # type: ignore[attr-defined]


def test_story_map_draws_a_marker_per_place(server: tuple[str, Any], page: Any, sample: Sample) -> None:
    base, app = server
    page.goto(f"{base}/stories/st-hama")
    expected = sample.places_in_story["st-hama"]
    if app.state.web.assets.interactive_map:
        page.wait_for_selector("figure.map[data-map-ready]", timeout=10_000)
        markers = page.locator(".leaflet-overlay-pane path.wf-marker")
        assert markers.count() == expected
        assert all(markers.nth(i).is_visible() for i in range(expected))
        assert page.locator("figure.map svg.map-svg").is_hidden()  # the SVG fallback gave way
        # Country outlines come from the local world-atlas copy, not a tile server.
        page.wait_for_function("document.querySelectorAll('.leaflet-overlay-pane path:not(.wf-marker)').length > 10", timeout=10_000)
    else:
        circles = page.locator("svg.map-svg circle")
        assert circles.count() == expected
        assert circles.first.is_visible()
    assert page.problems == []  # type: ignore[attr-defined]


def test_without_javascript_the_svg_map_shows_the_markers(server: tuple[str, Any], browser: Any, sample: Sample) -> None:
    base, _ = server
    context = browser.new_context(java_script_enabled=False)
    pg = context.new_page()
    pg.goto(f"{base}/stories/st-hama")
    circles = pg.locator("svg.map-svg circle")
    assert circles.count() == sample.places_in_story["st-hama"]
    assert circles.first.is_visible()
    assert pg.locator("li.implication").count() == 2
    context.close()


@pytest.mark.parametrize("path", ["/stories/st-evil", "/articles/a3", "/articles/a3?start=0&end=80#hl", "/search?q=convoy", "/events"])
def test_hostile_article_renders_inert(server: tuple[str, Any], page: Any, path: str) -> None:
    base, _ = server
    page.goto(f"{base}{path}")
    page.wait_for_load_state("load")
    assert page.evaluate("typeof window.__pwned") == "undefined"
    # The payloads are on the page as visible text, not as elements.
    text = page.locator("main").inner_text()
    assert "<script>" in text or "<img" in text or "<svg" in text
    assert page.locator("main img, main script, main iframe").count() == 0
    assert [p for p in page.problems if "dialog" in p] == []  # type: ignore[attr-defined]


def test_story_page_reads_on_a_phone(server: tuple[str, Any], browser: Any) -> None:
    base, _ = server
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    pg = context.new_page()
    pg.goto(f"{base}/stories/st-hama")
    # Nothing pushes the page wider than the screen.
    assert pg.evaluate("document.documentElement.scrollWidth") <= 375
    assert pg.locator("h1").is_visible()
    context.close()
