"""The HTML pages: every claim links to its exact source words; maps and charts are drawn on the server."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_sample import Sample, build_sample

from watchfloor.web import svg, views
from watchfloor.web.app import create_app
from watchfloor.web.vendor import convert_outlines, unwrap_ring


def hrefs(page: str, css_class: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(rf'<a class="{css_class}" href="([^"]+)"', page)]


def marked(page: str) -> str:
    m = re.search(r'<mark id="hl">(.*?)</mark>', page, re.S)
    assert m, "no highlighted passage"
    return html.unescape(m.group(1))


def test_home_lists_situations_and_stories_newest_first(client: TestClient) -> None:
    page = client.get("/").text
    assert "Syria: rebel offensive, Dec 2024" in page
    assert page.index("/stories/st-evil") < page.index("/stories/st-hama")
    assert "2 reports" in page
    assert '<svg class="chart"' in page and page.count('class="bar"') == 2  # 5 and 6 December


def test_story_page_follows_the_reference_layout(client: TestClient) -> None:
    page = client.get("/stories/st-hama").text
    order = ['id="implications-title"', "<h1>Rebels enter Hama", "<h2>Hama changes hands", "<h2>Eyes on Homs",
             "<h3>Figures", "<h3>Quotes", "<h3>Timeline", "<h3>Where", "<h3>Actors and alignments", "<h3>Sources"]
    positions = [page.index(marker) for marker in order]
    assert positions == sorted(positions)
    assert "Rebel forces will probably push on toward Homs within two weeks." in page
    assert "likely (55–80%)" in page and "moderate confidence" in page
    assert "very likely (80–95%)" in page and "low confidence" in page
    assert "Turkey" in page and "backs" in page  # the theatre's alignment, with its evidence


def test_every_implication_link_opens_its_exact_evidence(client: TestClient, sample: Sample) -> None:
    page = client.get("/stories/st-hama").text
    links = hrefs(page, "evidence-link")
    expected = [e for imp in sample.stories["st-hama"].implications for e in imp.evidence]
    assert len(links) == len(expected) == 3
    for link, ev in zip(links, expected, strict=True):
        assert link == f"/articles/{ev.article_id}?start={ev.start}&end={ev.end}#hl"
        source = client.get(link.split("#")[0])
        assert source.status_code == 200
        assert marked(source.text) == ev.text


def test_every_sentence_of_the_article_links_to_its_source(client: TestClient, sample: Sample) -> None:
    page = client.get("/stories/st-hama").text
    links = hrefs(page, "cite")
    story = sample.stories["st-hama"]
    cited = [c for s in story.sections for p in s.paragraphs for c in p.citations]
    for c in cited:
        assert f"/articles/{c.article_id}?start={c.start}&end={c.end}#hl" in links
    for link in links:
        m = re.fullmatch(r"/articles/(\w+)\?start=(\d+)&end=(\d+)#hl", link)
        assert m, link
        article_id, start, end = m.group(1), int(m.group(2)), int(m.group(3))
        assert marked(client.get(link.split("#")[0]).text) == sample.text(article_id)[start:end]


def test_story_map_marks_each_located_place(client: TestClient, sample: Sample) -> None:
    page = client.get("/stories/st-hama").text
    svg_part = page[page.index('<svg class="map-svg"') : page.index("</svg>", page.index('<svg class="map-svg"'))]
    assert svg_part.count("<circle") == sample.places_in_story["st-hama"]
    assert ">Hama</title>" not in svg_part  # titles say more than the name
    assert "Hama: 2 events" in svg_part
    data = json.loads(html.unescape(re.search(r'data-map="([^"]*)"', page).group(1)))
    assert {p["name"]: p["count"] for p in data["points"]} == {"Hama": 2, "Homs": 1}
    assert all(link["href"].startswith("/articles/") for p in data["points"] for link in p["links"])


def test_article_page_highlights_and_checks_the_span(client: TestClient, sample: Sample) -> None:
    text = sample.text("a1")
    start = text.index("The army")
    r = client.get("/articles/a1", params={"start": start, "end": start + 8})
    assert marked(r.text) == "The army"
    assert "Rebels enter Hama" in r.text  # the story it belongs to
    plain = client.get("/articles/a1")
    assert plain.status_code == 200 and "<mark" not in plain.text
    assert client.get("/articles/a1", params={"start": 5, "end": len(text) + 1}).status_code == 422
    assert client.get("/articles/a1", params={"start": 9, "end": 3}).status_code == 422
    assert client.get("/articles/a1", params={"start": 3}).status_code == 422
    assert client.get("/articles/a1", params={"start": -1, "end": 3}).status_code == 422
    missing = client.get("/articles/zzz")
    assert missing.status_code == 404 and "text/html" in missing.headers["content-type"]


def test_situation_page_shows_control_on_the_chosen_date(client: TestClient) -> None:
    page = client.get("/situations/sit-syria", params={"date": "2024-12-04"}).text
    assert "Who held which place on <time>2024-12-04</time>" in page
    assert "HTS-led forces (entered)" in page
    assert 'name="date" type="date" value="2024-12-04"' in page  # the no-JS date picker
    assert page.count("<circle") >= 2 and 'class="legend"' in page
    later = client.get("/situations/sit-syria", params={"date": "2024-12-06"}).text
    assert "HTS-led forces (entered)" not in later and "HTS-led forces" in later
    assert client.get("/situations/sit-syria", params={"date": "yesterday"}).status_code == 422
    assert client.get("/situations/none").status_code == 404


def test_search_page_marks_hits_and_links_stories(client: TestClient) -> None:
    page = client.get("/search", params={"q": "Homs"}).text
    assert "<mark>Homs</mark>" in page
    assert "/articles/a2" in page and "/stories/st-hama" in page
    assert client.get("/search").status_code == 200


def test_event_table_filters_and_download_links(client: TestClient) -> None:
    page = client.get("/events", params={"place": "Hama"}).text
    rows = re.findall(r"<tr>\s*<td><time>", page)
    assert len(rows) == 2
    assert 'href="/events.csv?place=Hama"' in page and 'href="/events.geojson?place=Hama"' in page
    assert client.get("/events", params={"since": "junk"}).status_code == 422


def test_scorecard_scores_resolved_judgments(client: TestClient) -> None:
    page = client.get("/scorecard").text
    # (0.7 - 1)^2 and (0.9 - 0)^2 averaged
    assert "Brier score: <strong>0.450</strong>" in page
    assert "1 true, 1 false" in page  # the Homs claim, made twice on one day, counts once
    assert "<td>escalation</td><td>1</td><td>1</td>" in page  # its pattern's line
    assert "Rebel forces will probably push on toward Homs" in page
    assert "Aid access will likely hold." in page  # the open one


def test_pages_need_no_javascript(client: TestClient) -> None:
    for url in ("/", "/stories/st-hama", "/situations/sit-syria", "/events", "/search?q=Hama", "/scorecard", "/docs"):
        page = client.get(url).text
        assert "<noscript" not in page
        # Scripts are external files only: nothing inline for a CSP to allow.
        assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page) == [], url


def test_svg_view_and_outline_path() -> None:
    outlines = svg.Outlines([svg.Ring((35.0, 32.0, 42.0, 37.0), [35.0, 32.0, 42.0, 32.0, 42.0, 37.0, 35.0, 37.0, 35.0, 32.0])])
    renderer = svg.OutlineRenderer(outlines)
    view = svg.view_for([(36.75, 35.13), (36.72, 34.73)])
    assert view.lon0 < 36.72 and view.lon1 > 36.75 and view.lat0 < 34.73 and view.lat1 > 35.13
    x, y = view.project(36.75, 35.13)
    assert 0 < x < view.width and 0 < y < view.height
    path = renderer.path(view)
    assert path.startswith("M") and path.endswith("z")
    assert renderer.path(view) is path  # cached per view
    # A view far away draws nothing of it.
    assert renderer.path(svg.view_for([(-70.0, -30.0)])) == ""
    world = svg.view_for([])
    assert (world.lon0, world.lon1) == (-180.0, 180.0)


def test_map_without_outlines_still_draws_markers() -> None:
    pic = svg.map_picture(svg.OutlineRenderer(None), [svg.MapPoint(36.7, 35.1, "Hama", weight=3)])
    assert pic.outline == "" and not pic.has_outlines
    assert pic.graticule.startswith("M")
    (marker,) = pic.markers
    assert marker.show_label and marker.r > 4


def test_labels_do_not_overlap() -> None:
    points = [svg.MapPoint(36.70 + i * 0.001, 35.1, f"Place {i}") for i in range(5)]
    pic = svg.map_picture(svg.OutlineRenderer(None), points)
    assert sum(m.show_label for m in pic.markers) == 1


def test_day_chart_fills_gaps() -> None:
    chart = svg.day_chart([("2024-12-01", 2), ("2024-12-04", 4)])
    assert chart is not None
    assert len(chart.bars) == 4 and chart.peak == 4
    assert [b.h > 0 for b in chart.bars] == [True, False, False, True]
    assert chart.bars[0].title == "2024-12-01: 2 events"
    assert svg.day_chart([]) is None


def test_topojson_conversion_and_antimeridian() -> None:
    topology = {
        "type": "Topology",
        "transform": {"scale": [1.0, 1.0], "translate": [0.0, 0.0]},
        "arcs": [[[0, 0], [2, 0], [0, 2], [-2, 0], [0, -2]]],
        "objects": {"countries": {"type": "GeometryCollection", "geometries": [
            {"type": "Polygon", "arcs": [[0]], "id": "999", "properties": {"name": "Square"}}
        ]}},
    }
    out = convert_outlines(topology)
    (country,) = out["countries"]
    assert country["name"] == "Square" and country["bbox"] == [0.0, 0.0, 2.0, 2.0]
    assert country["rings"] == [[0.0, 0.0, 2.0, 0.0, 2.0, 2.0, 0.0, 2.0, 0.0, 0.0]]
    assert "Natural Earth" in out["source"]
    crossing = [(179.0, 60.0), (-179.0, 60.0), (-179.0, 62.0), (179.0, 62.0), (179.0, 60.0)]
    unwrapped = unwrap_ring(crossing)
    assert max(abs(a[0] - b[0]) for a, b in zip(unwrapped, unwrapped[1:], strict=False)) < 180
    assert unwrapped[1][0] == pytest.approx(181.0)


def test_control_on_replays_changes() -> None:
    linker = views.Linker({}, {})
    changes = [
        views.Change("2024-12-01", "A", 1.0, 1.0, "x", None, "captured", True, []),
        views.Change("2024-12-03", "A", 1.0, 1.0, "y", "x", "entered", False, []),
        views.Change("2024-12-05", "A", 1.0, 1.0, "y", "x", "captured", True, []),
    ]
    names = {"x": "X", "y": "Y"}
    (d2,) = views.control_on(changes, "2024-12-02", names, linker)
    assert (d2.holder_name, d2.full, d2.contested_by) == ("X", True, None)
    (d4,) = views.control_on(changes, "2024-12-04", names, linker)
    assert (d4.holder_name, d4.contested_by) == ("X", "Y")
    (d6,) = views.control_on(changes, "2024-12-06", names, linker)
    assert (d6.holder_name, d6.since, d6.contested_by) == ("Y", "2024-12-05", None)


def test_situation_falls_back_to_territory_events(tmp_path: Path) -> None:
    sample = build_sample(tmp_path / "fallback.db")
    import sqlite3

    conn = sqlite3.connect(sample.db)
    conn.execute("DELETE FROM situation_state")
    conn.commit()
    conn.close()
    body = TestClient(create_app(sample.db)).get("/api/situations/sit-syria").json()
    assert body["control"]["source"] == "events"
    holders = {p["place"]: p["holder_name"] for p in body["control"]["places"]}
    # Hama is the only place with territory events (Homs had a protest, Idlib no transfer).
    assert set(holders) == {"Hama"}
    assert [c["place"] for c in body["changes"]] == ["Hama", "Hama"]


def test_cached_pages_follow_changes_to_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from watchfloor.store import Store
    from watchfloor.web import pages

    renders: list[str] = []
    render = pages._render_story
    monkeypatch.setattr(pages, "_render_story", lambda ctx, sid, story: renders.append(sid) or render(ctx, sid, story))
    sample = build_sample(tmp_path / "live.db")
    with TestClient(create_app(sample.db)) as client:  # one event-loop thread, as under uvicorn
        for _ in range(3):
            assert "Rebels enter Hama as the army pulls out" in client.get("/stories/st-hama").text
        assert renders == ["st-hama"]  # rendered once, then served from the cache
        story = sample.stories["st-hama"]
        story.headline = "Rebels hold Hama"
        with Store(sample.db) as store, store.transaction() as conn:  # an ingest, beside the running server
            conn.execute("UPDATE stories SET json = ?, headline = ? WHERE id = 'st-hama'", (story.to_json(), story.headline))
        page = client.get("/stories/st-hama").text
        assert "Rebels hold Hama" in page and "pulls out" not in page
        assert renders == ["st-hama", "st-hama"]
        assert client.get("/api/stories").json()["stories"][1]["headline"] == "Rebels hold Hama"
