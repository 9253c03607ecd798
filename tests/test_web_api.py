"""The JSON API: stories, events with filters, situations, search, downloads, 404 and 422."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_sample import HAMA, Sample

from watchfloor.report.json import render_json


def test_healthz_reports_counts(client: TestClient) -> None:
    r = client.get("/healthz")
    assert r.status_code == 200
    body = r.json()
    assert body["status"] == "ok"
    assert body["counts"] == {"articles": 3, "events": 4, "stories": 2}


def test_story_list_newest_first_with_report_counts(client: TestClient) -> None:
    body = client.get("/api/stories").json()
    assert body["total"] == 2
    assert [s["id"] for s in body["stories"]] == ["st-evil", "st-hama"]
    hama = body["stories"][1]
    assert hama["headline"] == "Rebels enter Hama as the army pulls out"
    assert hama["reports"] == 2
    assert hama["updated"] == "2024-12-06T10:30:00Z"
    assert client.get("/api/stories", params={"limit": 1, "offset": 1}).json()["stories"][0]["id"] == "st-hama"


def test_story_is_the_brief_json_story(client: TestClient, sample: Sample) -> None:
    got = client.get("/api/stories/st-hama").json()
    expected = json.loads(render_json([sample.stories["st-hama"]]))["stories"][0]
    assert got == expected
    assert list(got) == list(expected)  # the documented key order
    # Every evidence span in the answer is the exact text of its article.
    for imp in got["implications"]:
        for ev in imp["evidence"]:
            assert sample.text(ev["article_id"])[ev["start"] : ev["end"]] == ev["text"]


def test_unknown_ids_are_404(client: TestClient) -> None:
    for url in ("/api/stories/nope", "/api/situations/nope"):
        r = client.get(url)
        assert r.status_code == 404, url
        assert "nope" in r.json()["detail"]
    assert client.get("/api/nothing-here").status_code == 404


def test_event_filters(client: TestClient) -> None:
    def ids(**params: str) -> list[str]:
        r = client.get("/api/events", params=params)
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["total"] == len(body["events"])
        return sorted(e["id"] for e in body["events"])

    assert ids() == ["a1-e0", "a1-e1", "a2-e0", "a3-e0"]
    assert ids(type="Battles") == ["a1-e0"]
    assert ids(type="peaceful protest") == ["a2-e0"]  # sub-event type, any case
    assert ids(actor="hts") == ["a1-e0"]
    assert ids(actor="Military Forces") == ["a1-e0", "a1-e1"]  # part of a name, as actor 1 or 2
    assert ids(place="homs") == ["a2-e0"]
    assert ids(place="SYR") == ["a1-e0", "a1-e1", "a2-e0", "a3-e0"]
    assert ids(since="2024-12-06") == ["a2-e0", "a3-e0"]
    assert ids(until="2024-12-05") == ["a1-e0", "a1-e1"]
    assert ids(bbox="36.5,35.0,37.0,35.5") == ["a1-e0", "a1-e1"]  # around Hama only
    assert ids(type="Battles", place="Homs") == []
    assert ids(actor="100%_") == []  # LIKE wildcards are literal


def test_event_records_keep_their_evidence(client: TestClient, sample: Sample) -> None:
    events = client.get("/api/events", params={"type": "Battles"}).json()["events"]
    (event,) = events
    assert event["location"]["name"] == HAMA.name
    ev = event["evidence"]
    assert sample.text(event["article_id"])[ev["start"] : ev["end"]] == ev["text"]


@pytest.mark.parametrize(
    "params",
    [
        {"since": "2024-13-01"},
        {"since": "05/12/2024"},
        {"until": "2024-02-30"},
        {"since": "2024-12-07", "until": "2024-12-01"},
        {"bbox": "1,2,3"},
        {"bbox": "a,b,c,d"},
        {"bbox": "10,10,5,20"},
        {"bbox": "0,0,200,10"},
        {"limit": "0"},
        {"limit": "many"},
        {"offset": "-1"},
    ],
)
def test_bad_event_parameters_are_422(client: TestClient, params: dict[str, str]) -> None:
    r = client.get("/api/events", params=params)
    assert r.status_code == 422, (params, r.text)
    assert isinstance(r.json()["detail"], list)


def test_situation_control_on_a_date(client: TestClient) -> None:
    body = client.get("/api/situations/sit-syria", params={"date": "2024-12-04"}).json()
    assert body["name"] == "Syria: rebel offensive, Dec 2024"
    assert {s["id"] for s in body["stories"]} == {"st-hama", "st-evil"}
    places = {p["place"]: p for p in body["control"]["places"]}
    assert places["Homs"]["holder_name"] == "Syrian government forces"
    assert places["Hama"]["held"] is False  # entered on the 4th, not yet held
    assert places["Hama"]["holder_name"] == "HTS-led forces"

    later = client.get("/api/situations/sit-syria", params={"date": "2024-12-06"}).json()
    hama = {p["place"]: p for p in later["control"]["places"]}["Hama"]
    assert hama["held"] is True and hama["since"] == "2024-12-05"
    assert later["control"]["source"] == "assessment"

    before = client.get("/api/situations/sit-syria", params={"date": "2024-11-01"}).json()
    assert before["control"]["places"] == []
    assert client.get("/api/situations/sit-syria", params={"date": "2024-12-32"}).status_code == 422


def test_situation_default_date_is_its_last_day(client: TestClient) -> None:
    body = client.get("/api/situations/sit-syria").json()
    assert body["control"]["date"] == "2024-12-07"
    assert body["alignments"][0]["kind"] == "backs"


def test_search_finds_reports_and_marks_matches(client: TestClient) -> None:
    body = client.get("/api/search", params={"q": "queues fuel"}).json()
    assert [h["article_id"] for h in body["hits"]] == ["a2"]
    hit = body["hits"][0]
    assert hit["story_id"] == "st-hama"
    found = {hit["snippet"][a:b].lower() for a, b in hit["matches"]}
    assert found == {"queues", "fuel"}


@pytest.mark.parametrize("q", ['"NEAR(', "title:Hama", "*", "a AND OR", "')--"])
def test_search_never_reads_input_as_query_syntax(client: TestClient, q: str) -> None:
    assert client.get("/api/search", params={"q": q}).status_code == 200


def test_search_needs_words(client: TestClient) -> None:
    assert client.get("/api/search").status_code == 422
    assert client.get("/api/search", params={"q": ""}).status_code == 422
    assert client.get("/api/search", params={"q": "   "}).status_code == 422


def test_openapi_and_docs(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/healthz", "/api/stories", "/api/stories/{story_id}", "/api/events", "/api/situations/{situation_id}", "/api/search"):
        assert path in spec["paths"], path
    docs = client.get("/docs")
    assert docs.status_code == 200
    assert "/api/events" in docs.text and "bbox" in docs.text
    assert "cdn" not in docs.text.lower()


def test_csv_download_keeps_the_filter_and_defuses_formulas(client: TestClient) -> None:
    r = client.get("/events.csv", params={"place": "Idlib"})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [row["id"] for row in rows] == ["a3-e0"]
    all_rows = list(csv.DictReader(io.StringIO(client.get("/events.csv").text)))
    assert len(all_rows) == 4
    hama = next(row for row in all_rows if row["id"] == "a1-e0")
    assert hama["actor1"] == "Hayat Tahrir al-Sham" and hama["place"] == "Hama"
    assert float(hama["lat"]) == pytest.approx(HAMA.lat)


def test_csv_cells_starting_like_formulas_are_quoted(sample: Sample, tmp_path: Path) -> None:
    from watchfloor.web.pages import _cell

    assert _cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    assert _cell("-2+3") == "'-2+3"
    assert _cell("Hama") == "Hama"
    assert _cell(12) == 12


def test_geojson_download(client: TestClient) -> None:
    r = client.get("/events.geojson", params={"type": "Battles"})
    assert r.status_code == 200
    body = r.json()
    assert body["type"] == "FeatureCollection"
    (feature,) = body["features"]
    assert feature["geometry"] == {"type": "Point", "coordinates": [HAMA.lon, HAMA.lat]}
    assert feature["properties"]["sub_event_type"] == "Non-state actor overtakes territory"


def test_api_does_not_write(client: TestClient, sample: Sample) -> None:
    before = sample.db.stat().st_mtime_ns
    for method in ("post", "put", "patch", "delete"):
        r = getattr(client, method)("/api/stories")
        assert r.status_code == 405
    assert sample.db.stat().st_mtime_ns == before


def test_situation_list(client: TestClient) -> None:
    (situation,) = client.get("/api/situations").json()["situations"]
    assert situation == {"id": "sit-syria", "name": "Syria: rebel offensive, Dec 2024", "theatre": "SYR",
                         "first_seen": "2024-12-04", "last_seen": "2024-12-07", "stories": 2}
