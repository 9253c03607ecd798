"""Event extraction: sub-type rules, actor roles, modality, place/date/fatalities, merging and ranking.

Docs are built by hand here (sentences, actor and place matches, dates, figures) so that these tests check the
extractor alone, whatever the other components find.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from watchfloor.analyze.doc import ActorMatch, Doc, PlaceMatch
from watchfloor.analyze.evaluate import (
    evaluate_events,
    format_report,
    haversine_km,
    per_class_scores,
    quote_matches,
)
from watchfloor.analyze.events import TAXONOMY_PATH, EventExtractor, country_name, load_taxonomy
from watchfloor.analyze.modality import modality_of
from watchfloor.models import Actor, DateMention, Figure, Place


@dataclass
class StubKB:
    actors: dict[str, Actor]

    def get(self, actor_id: str) -> Actor | None:
        return self.actors.get(actor_id)


@dataclass
class StubResources:
    actors: StubKB


KB = StubKB(
    {
        "rsf": Actor(id="rsf", name="Rapid Support Forces", type="Rebel group", country="SDN"),
        "saf": Actor(id="saf", name="Military Forces of Sudan", type="State forces", country="SDN"),
        "hts": Actor(id="hts", name="Hayat Tahrir al-Sham", type="Rebel group", country="SYR"),
        "syr-military": Actor(id="syr-military", name="Military Forces of Syria", type="State forces", country="SYR"),
        "rus-military": Actor(id="rus-military", name="Military Forces of Russia", type="State forces", country="RUS"),
    }
)
PLACES = {
    "El Fasher": Place("El Fasher", 13.63, 25.35, "SDN", "North Darfur"),
    "Omdurman": Place("Omdurman", 15.64, 32.48, "SDN", "Khartoum"),
    "Hama": Place("Hama", 35.13, 36.75, "SYR", "Hama"),
    "Aleppo": Place("Aleppo", 36.20, 37.16, "SYR", "Aleppo"),
    "Kharkiv": Place("Kharkiv", 49.99, 36.23, "UKR", "Kharkiv"),
    "Belgorod": Place("Belgorod", 50.60, 36.59, "RUS", "Belgorod"),
    "Sudan": Place("Sudan", 15.0, 30.0, "SDN", None, geo_precision=3),
    "Nairobi": Place("Nairobi", -1.29, 36.82, "KEN", "Nairobi"),
}
ALIASES = {
    "RSF": "rsf",
    "Rapid Support Forces": "rsf",
    "Sudanese army": "saf",
    "army": None,
    "Hayat Tahrir al-Sham": "hts",
    "HTS": "hts",
    "Syrian army": "syr-military",
    "Russian forces": "rus-military",
}


@pytest.fixture(scope="module")
def extractor() -> EventExtractor:
    return EventExtractor(StubResources(KB))


def make_doc(
    text: str,
    article_date: str | None = "2024-11-28",
    countries: tuple[str, ...] = ("SDN",),
    dates: list[DateMention] | None = None,
    figures: list[Figure] | None = None,
    body_start: int = 0,
) -> Doc:
    """A Doc as the pipeline would leave it, with sentences split on ". " and names found by exact lookup."""
    sentences = [(m.start(), m.end()) for m in re.finditer(r"[^.!?]+[.!?]?", text) if m.group().strip()]
    sentences = [(s + (len(text[s:e]) - len(text[s:e].lstrip())), e) for s, e in sentences]
    actors = []
    for name, actor_id in ALIASES.items():
        if actor_id is None:
            continue
        for m in re.finditer(re.escape(name), text):
            actors.append(ActorMatch(m.start(), m.end(), name, actor_id))
    actors = [
        a
        for a in actors
        if not any(
            b is not a and b.start <= a.start and a.end <= b.end and (b.end - b.start) > (a.end - a.start)
            for b in actors
        )
    ]
    places = []
    for name, place in PLACES.items():
        for m in re.finditer(re.escape(name), text):
            places.append(PlaceMatch(m.start(), m.end(), name, place))
    return Doc(
        article_id="a1",
        text=text,
        article_date=dt.date.fromisoformat(article_date) if article_date else None,
        sentences=sentences,
        body_start=body_start,
        actors=sorted(actors, key=lambda a: a.start),
        places=sorted(places, key=lambda p: p.start),
        countries=list(countries),
        dates=dates or [],
        figures=figures or [],
    )


def date_at(text: str, phrase: str, date: str, precision: int = 1) -> DateMention:
    start = text.index(phrase)
    return DateMention(date=date, precision=precision, start=start, end=start + len(phrase), text=phrase)


def killed_at(text: str, phrase: str, value: int, kind: str = "killed") -> Figure:
    start = text.index(phrase)
    return Figure(
        kind=kind,
        value=value,
        low=None,
        high=None,
        approximate=False,
        period=None,
        source=None,
        start=start,
        end=start + len(phrase),
        text=phrase,
    )


# -- taxonomy ---------------------------------------------------------------------------------------------


def test_taxonomy_has_all_acled_sub_types_and_crisis_types() -> None:
    sub_types, cues = load_taxonomy()
    acled = {
        "Armed clash",
        "Government regains territory",
        "Non-state actor overtakes territory",
        "Chemical weapon",
        "Air/drone strike",
        "Suicide bomb",
        "Shelling/artillery/missile attack",
        "Remote explosive/landmine/IED",
        "Grenade",
        "Sexual violence",
        "Attack",
        "Abduction/forced disappearance",
        "Peaceful protest",
        "Protest with intervention",
        "Excessive force against protesters",
        "Violent demonstration",
        "Mob violence",
        "Agreement",
        "Arrests",
        "Change to group/activity",
        "Disrupted weapons use",
        "Headquarters or base established",
        "Looting/property destruction",
        "Non-violent transfer of territory",
        "Other",
    }
    assert acled <= set(sub_types)
    assert sub_types["Air/drone strike"].event_type == "Explosions/Remote violence"
    assert sub_types["Mob violence"].disorder_type == "Demonstrations; Political violence"
    assert all(cues[name] for name in acled)


def test_every_taxonomy_example_sentence_gets_its_sub_type(extractor: EventExtractor) -> None:
    data = yaml.safe_load(TAXONOMY_PATH.read_text(encoding="utf-8"))
    wrong = []
    total = 0
    for event_type in data["event_types"]:
        for sub in event_type["sub_event_types"]:
            for example in sub.get("examples", []):
                total += 1
                got = extractor.classify_sentence(example)
                if got != sub["name"]:
                    wrong.append((sub["name"], got, example))
    assert total >= 50
    assert not wrong, wrong


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Russian warplanes bombed the market in Ariha, killing 11 people.", "Air/drone strike"),
        ("A drone dropped a grenade on a checkpoint near Bakhmut.", "Air/drone strike"),
        ("Artillery and mortar fire hit residential districts of Omdurman.", "Shelling/artillery/missile attack"),
        ("A car bomb exploded outside a police station in Mogadishu.", "Remote explosive/landmine/IED"),
        ("A suicide car bomb struck a checkpoint outside Mogadishu.", "Suicide bomb"),
        ("Police fired tear gas at students marching on parliament.", "Protest with intervention"),
        ("Protesters hurled stones at police and torched a bus in Dhaka.", "Violent demonstration"),
        ("Air defences intercepted all eight drones over the capital, the ministry said.", "Disrupted weapons use"),
        ("Gunmen kidnapped 20 passengers from a bus in Benue state.", "Abduction/forced disappearance"),
        ("The two sides signed a ceasefire agreement in Doha.", "Agreement"),
        ("Flash floods swept through villages in the north, killing 30 people.", "Natural disaster"),
        ("A passenger train derailed near Balasore, killing 280 people.", "Man-made disaster"),
        ("The weather was mild and markets were busy.", None),
    ],
)
def test_classify_sentence(extractor: EventExtractor, sentence: str, expected: str | None) -> None:
    assert extractor.classify_sentence(sentence) == expected


# -- full events ------------------------------------------------------------------------------------------


def test_event_fields_from_an_active_sentence(extractor: EventExtractor) -> None:
    text = "RSF fighters shelled El Fasher on Tuesday, killing 12 civilians. Aid groups called for calm."
    doc = make_doc(text, dates=[date_at(text, "Tuesday", "2024-11-26")], figures=[killed_at(text, "12 civilians", 12)])
    events = extractor(doc)
    assert events, "expected an event"
    main = events[0]
    assert main.event_type == "Explosions/Remote violence"
    assert main.sub_event_type == "Shelling/artillery/missile attack"
    assert main.disorder_type == "Political violence"
    assert main.plover == "ASSAULT"
    assert main.actor1 is not None and main.actor1.id == "rsf" and main.actor1.type == "Rebel group"
    assert main.location is not None and main.location.name == "El Fasher"
    assert (main.date, main.date_precision) == ("2024-11-26", 1)
    assert main.fatalities == 12
    assert main.modality == "asserted"
    assert main.evidence.text == text[main.evidence.start : main.evidence.end]
    assert main.evidence.text.startswith("RSF fighters shelled")
    assert main.article_id == "a1"


def test_passive_voice_puts_the_agent_first(extractor: EventExtractor) -> None:
    text = "Kharkiv was shelled by Russian forces overnight, officials said."
    doc = make_doc(text, countries=("UKR",))
    main = extractor(doc)[0]
    assert main.sub_event_type == "Shelling/artillery/missile attack"
    assert main.actor1 is not None and main.actor1.id == "rus-military"
    assert main.location is not None and main.location.name == "Kharkiv"


def test_capture_by_rebels_and_by_the_state(extractor: EventExtractor) -> None:
    text = "HTS fighters captured Hama on Thursday."
    main = extractor(make_doc(text, countries=("SYR",)))[0]
    assert main.sub_event_type == "Non-state actor overtakes territory"
    assert main.event_type == "Battles"
    assert main.actor1 is not None and main.actor1.id == "hts"

    text = "The Syrian army captured Aleppo after a week of fighting."
    main = extractor(make_doc(text, countries=("SYR",)))[0]
    assert main.sub_event_type == "Government regains territory"
    assert main.actor1 is not None and main.actor1.id == "syr-military"

    text = "Aleppo fell to Hayat Tahrir al-Sham on Saturday."
    main = extractor(make_doc(text, countries=("SYR",)))[0]
    assert main.sub_event_type == "Non-state actor overtakes territory"
    assert main.actor1 is not None and main.actor1.id == "hts"


def test_seizing_goods_is_not_taking_territory(extractor: EventExtractor) -> None:
    text = "Police seized 2 tonnes of cocaine at the port of Guayaquil."
    events = extractor(make_doc(text, countries=("ECU",)))
    assert events and events[0].sub_event_type == "Organized crime"


def test_violence_against_civilians_gets_a_civilian_target(extractor: EventExtractor) -> None:
    text = "Gunmen killed 14 villagers in an attack on a village in Sudan on Sunday."
    doc = make_doc(text, figures=[killed_at(text, "14 villagers", 14)])
    main = extractor(doc)[0]
    assert main.sub_event_type == "Attack"
    assert main.event_type == "Violence against civilians"
    assert main.actor2 is not None and main.actor2.name == "Civilians (Sudan)" and main.actor2.type == "Civilians"
    assert main.actor2.id is None
    assert main.actor1 is not None and main.actor1.type == "Political militia"
    assert main.fatalities == 14


def test_protest_actors(extractor: EventExtractor) -> None:
    text = "Police fired tear gas to disperse protesters in Nairobi on Tuesday."
    main = extractor(make_doc(text, countries=("KEN",)))[0]
    assert main.sub_event_type == "Protest with intervention"
    assert main.actor1 is not None and main.actor1.name == "Protesters (Kenya)"
    assert main.actor2 is not None and main.actor2.type == "State forces"
    assert main.location is not None and main.location.name == "Nairobi"


@pytest.mark.parametrize(
    ("text", "modality"),
    [
        ("RSF fighters attacked El Fasher on Monday.", "asserted"),
        ("The RSF denied that its fighters attacked El Fasher.", "negated"),
        ("The RSF did not attack El Fasher, its spokesman said.", "negated"),
        ("The RSF could attack El Fasher within days.", "hypothetical"),
        ("The RSF threatened to attack El Fasher.", "future"),
        ("The RSF said it had captured El Fasher.", "reported"),
        ("The RSF claimed to have shot down a drone over Omdurman.", "reported"),
    ],
)
def test_modality(text: str, modality: str) -> None:
    trigger = re.search(r"attack|captured|shot down", text)
    assert trigger is not None
    assert modality_of(text, 0, len(text), trigger.start(), trigger.end()) == modality


def test_location_prefers_the_target_to_the_launch_site(extractor: EventExtractor) -> None:
    text = "Missiles fired from Belgorod struck Kharkiv on Friday."
    main = extractor(make_doc(text, countries=("UKR",)))[0]
    assert main.location is not None and main.location.name == "Kharkiv"


def test_location_falls_back_to_the_dateline(extractor: EventExtractor) -> None:
    text = "OMDURMAN - Artillery fire hit a crowded market on Monday."
    doc = make_doc(text.replace("OMDURMAN", "Omdurman"), body_start=len("Omdurman - "))
    doc.sentences = [(len("Omdurman - "), len(text))]
    main = extractor(doc)[0]
    assert main.location is not None and main.location.name == "Omdurman"


def test_date_falls_back_to_the_article_date(extractor: EventExtractor) -> None:
    text = "Artillery fire hit a crowded market in Omdurman."
    main = extractor(make_doc(text, article_date="2024-05-02"))[0]
    assert main.date == "2024-05-02"
    assert main.date_precision == 2
    main = extractor(make_doc(text, article_date=None))[0]
    assert main.date is None


def test_fatalities_in_the_next_sentence(extractor: EventExtractor) -> None:
    text = "Artillery fire hit a crowded market in Omdurman. At least 7 people were killed, medics said."
    doc = make_doc(text, figures=[killed_at(text, "At least 7 people", 7)])
    assert extractor(doc)[0].fatalities == 7


def test_duplicates_merge_and_main_event_is_violent_lede(extractor: EventExtractor) -> None:
    text = (
        "RSF fighters shelled El Fasher on Tuesday, killing 12 people. "
        "The shelling of El Fasher on Tuesday also damaged a hospital. "
        "Sudan's government and the RSF held talks in Jeddah."
    )
    day = "2024-11-26"
    doc = make_doc(
        text,
        dates=[
            date_at(text, "Tuesday", day),
            DateMention(day, 1, text.index("Tuesday also"), text.index("Tuesday also") + 7, "Tuesday"),
        ],
        figures=[killed_at(text, "12 people", 12)],
    )
    events = extractor(doc)
    shelling = [e for e in events if e.sub_event_type == "Shelling/artillery/missile attack"]
    assert len(shelling) == 1
    assert events[0].sub_event_type == "Shelling/artillery/missile attack"
    assert events[0].fatalities == 12
    assert any(e.sub_event_type == "Diplomatic event" for e in events)


def test_no_event_in_plain_background(extractor: EventExtractor) -> None:
    text = "Sudan is a large country in northeast Africa. Its capital is Khartoum."
    assert extractor(make_doc(text)) == []
    assert extractor(make_doc("")) == []


def test_every_event_is_serialisable(extractor: EventExtractor) -> None:
    text = "RSF fighters shelled El Fasher on Tuesday, killing 12 civilians."
    for event in extractor(make_doc(text, figures=[killed_at(text, "12 civilians", 12)])):
        data = json.loads(event.to_json())
        assert data["sub_event_type"] == event.sub_event_type


def test_country_names_follow_acled() -> None:
    assert country_name("COD") == "Democratic Republic of Congo"
    assert country_name("SDN") == "Sudan"
    assert country_name(None) == "Unknown"


# -- evaluation helpers -----------------------------------------------------------------------------------


def test_per_class_scores_and_weighted_f1() -> None:
    gold = ["A", "A", "B", "none"]
    predicted = ["A", "B", "B", "A"]
    scores, weighted = per_class_scores(gold, predicted)
    assert scores["A"].precision == pytest.approx(0.5)
    assert scores["A"].recall == pytest.approx(0.5)
    assert scores["B"].precision == pytest.approx(0.5)
    assert scores["B"].recall == pytest.approx(1.0)
    assert weighted == pytest.approx((0.5 * 2 + (2 / 3) * 1) / 3)


def test_haversine_and_quote_match() -> None:
    assert haversine_km(15.64, 32.48, 15.55, 32.53) == pytest.approx(11.3, abs=0.5)
    assert quote_matches(
        {"speaker": "John Smith", "text": "We had no warning at all"}, "Smith", "We had no warning at all."
    )
    assert not quote_matches({"speaker": "John Smith", "text": "We had no warning"}, "Jane Doe", "We had no warning")


def test_evaluate_events_on_a_small_file(tmp_path: Path, extractor: EventExtractor) -> None:
    records = [
        {
            "id": "1",
            "text": "RSF fighters shelled El Fasher on Tuesday.",
            "date": "2024-11-28",
            "events": [
                {
                    "event_type": "Explosions/Remote violence",
                    "sub_event_type": "Shelling/artillery/missile attack",
                    "location": {"name": "El Fasher", "lat": 13.6, "lon": 25.3},
                    "modality": "asserted",
                    "fatalities": None,
                }
            ],
        },
        {"id": "2", "text": "Sudan is a large country.", "date": "2024-11-28", "events": []},
    ]
    path = tmp_path / "mini.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")

    def analyzer(article):  # type: ignore[no-untyped-def]
        doc = make_doc(article.text)
        doc.events = extractor(doc)
        return doc

    report = evaluate_events(path, analyzer)
    assert report.records == 2
    assert report.sub_event_weighted_f1 == pytest.approx(1.0)
    assert report.event_type_accuracy == pytest.approx(1.0)
    assert report.no_event_accuracy == pytest.approx(1.0)
    assert report.place_within_25km == pytest.approx(1.0)
    assert report.modality_accuracy == pytest.approx(1.0)
    table = format_report(report)
    assert "Shelling/artillery/missile attack" in table and "event type accuracy" in table


def test_eval_command_writes_json(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from watchfloor.cli.main import app

    path = tmp_path / "mini.jsonl"
    records = [
        {"id": "1", "text": "Police fired tear gas at protesters in Nairobi on Tuesday.", "date": "2024-06-25",
         "events": [{"event_type": "Protests", "sub_event_type": "Protest with intervention"}]},
        {"id": "2", "text": "Kenya is a country in East Africa.", "date": "2024-06-25", "events": []},
    ]
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    result = CliRunner().invoke(app, ["eval", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)[str(path)]
    assert report["records"] == 2
    assert report["no_event_accuracy"] == pytest.approx(1.0)
    assert report["per_sub_type"]["Protest with intervention"]["support"] == 1


# -- context rules learnt from the development data --------------------------------------------------------


def test_a_foreign_army_taking_a_town_is_coded_like_a_non_state_capture(extractor: EventExtractor) -> None:
    text = "Russian forces captured Kharkiv on Saturday."
    main = extractor(make_doc(text, countries=("UKR",)))[0]
    assert main.sub_event_type == "Non-state actor overtakes territory"
    assert main.actor1 is not None and main.actor1.id == "rus-military"
    text = "Russian forces recaptured Belgorod on Saturday."
    assert extractor(make_doc(text, countries=("RUS",)))[0].sub_event_type == "Government regains territory"


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Cartel gunmen threw a grenade into a bar in Culiacan, wounding six customers.", "Grenade"),
        ("Gunmen from rival cartels killed five people in a turf war in Culiacan.", "Organized crime"),
        ("A bomb exploded at a market in Omdurman; officials blamed the RSF.", "Remote explosive/landmine/IED"),
        ("Sudan accused the RSF of shelling El Fasher.", "Accusation or claim of responsibility"),
        ("Drones dropped grenades filled with CS gas on Ukrainian trenches near Bakhmut.", "Chemical weapon"),
        ("Thousands demonstrated in Baghdad against Israeli airstrikes on Lebanon.", "Peaceful protest"),
        ("Villagers lynched a man suspected of stealing a goat.", "Mob violence"),
        ("The Houthis detained 13 UN staff members in Sanaa.", "Abduction/forced disappearance"),
        ("Police arrested an opposition leader who had led protests, on sedition charges.", "Arrests"),
        ("Who is the new leader of the rebels?", None),
    ],
)
def test_context_rules(extractor: EventExtractor, sentence: str, expected: str | None) -> None:
    assert extractor.classify_sentence(sentence) == expected


def test_the_death_toll_given_further_down_belongs_to_the_main_event(extractor: EventExtractor) -> None:
    text = ("RSF fighters overran El Fasher on Sunday. Residents fled toward Tawila. "
            "At least 20 soldiers and 15 civilians were killed in the assault.")
    figures = [killed_at(text, "20 soldiers", 20), killed_at(text, "15 civilians", 15)]
    main = extractor(make_doc(text, figures=figures))[0]
    assert main.sub_event_type == "Non-state actor overtakes territory"
    assert main.fatalities == 35


def test_a_part_of_a_toll_is_not_added_to_it(extractor: EventExtractor) -> None:
    text = "Shelling killed 12 people, including 5 children, in Omdurman on Monday."
    figures = [killed_at(text, "12 people", 12), killed_at(text, "5 children", 5)]
    assert extractor(make_doc(text, figures=figures))[0].fatalities == 12


def test_region_level_events_are_placed_at_the_capital() -> None:
    khartoum = Place("Khartoum", 15.55, 32.53, "SDN", "Khartoum", geo_precision=1)

    class StubGazetteer:
        def resolve(self, name: str, countries: list[str] = ()) -> Place | None:  # noqa: B006
            return khartoum if name == "Khartoum" else None

    @dataclass
    class Resources:
        actors: StubKB
        gazetteer: StubGazetteer

    extractor = EventExtractor(Resources(KB, StubGazetteer()))
    text = "Artillery fire hit several towns in Sudan on Monday."
    main = extractor(make_doc(text))[0]
    assert main.location is not None
    assert (main.location.name, main.location.geo_precision) == ("Khartoum", 3)


# -- the backup classifier --------------------------------------------------------------------------------


def test_training_snippets_cover_every_type_forty_times() -> None:
    from collections import Counter

    from watchfloor.analyze.events import read_training

    _, labels = read_training()
    counts = Counter(labels)
    sub_types, _ = load_taxonomy()
    assert set(sub_types) | {"none"} == set(counts)
    assert min(counts.values()) >= 40


def test_shipped_model_loads_and_predicts() -> None:
    from watchfloor.analyze.events import SentenceModel

    model = SentenceModel.load()
    assert model is not None
    label, probability = model.predict("Gunmen abducted twenty pupils from a boarding school overnight.")
    assert label == "Abduction/forced disappearance" and 0.3 < probability <= 1.0


def test_model_version_is_checked() -> None:
    from watchfloor.analyze.events import SentenceModel
    from watchfloor.errors import KnowledgeBaseError

    with pytest.raises(KnowledgeBaseError, match="version"):
        SentenceModel({"version": 999, "classes": [], "intercept": [], "features": {}})


def test_training_round_trip(tmp_path: Path) -> None:
    from watchfloor.analyze.events import SentenceModel, train_sentence_model

    lines = ["# test", *[f"AB|Gunmen kidnapped {n} villagers at night." for n in range(5)],
             *[f"PP|Crowds marched peacefully for {n} hours." for n in range(5)]]
    path = tmp_path / "train.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    model = SentenceModel(json.loads(json.dumps(train_sentence_model(path))))
    assert model.predict("Gunmen kidnapped villagers")[0] == "Abduction/forced disappearance"
    assert model.predict("Crowds marched peacefully")[0] == "Peaceful protest"


def test_model_backs_up_the_rules_when_they_find_nothing_and_leaves_clear_decisions_alone() -> None:
    class StubModel:
        def predict(self, text: str) -> tuple[str, float]:
            return "Peaceful protest", 0.9

    extractor = EventExtractor(StubResources(KB))
    extractor._model = StubModel()  # type: ignore[assignment]
    quiet = "Hundreds of people filled the square in Omdurman on Friday."
    events = extractor(make_doc(quiet))
    assert [e.sub_event_type for e in events] == ["Peaceful protest"]
    assert events[0].evidence.text == quiet
    extractor._model = FixedModel("Armed clash", 0.99)  # type: ignore[assignment]
    # Two protest cues and a dispersal: the rules score this well above OVERRIDE_MAX_RULE_SCORE.
    loud = "Protesters gathered outside the ministry in Omdurman and police dispersed them."
    assert extractor(make_doc(loud))[0].sub_event_type == "Peaceful protest"


def test_an_unsure_backup_model_gives_no_event() -> None:
    extractor = EventExtractor(StubResources(KB))
    extractor._model = FixedModel("Peaceful protest", 0.4)  # type: ignore[assignment]
    assert extractor(make_doc("Hundreds of people filled the square in Omdurman on Friday.")) == []


def test_speaker_matching_is_lenient_about_possessives() -> None:
    from watchfloor.analyze.evaluate import speaker_matches

    assert speaker_matches("junta spokesman", ["junta's spokesman"])
    assert speaker_matches("Rapid Support Forces", ["RSF", "Rapid Support Forces"])
    assert not speaker_matches("Omar Haddad", ["Aisha Musa"])


# -- broader phrasing, non-events and the classifier as arbiter ---------------------------------------------


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Teachers downed tools across Omdurman to demand unpaid salaries.", "Peaceful protest"),
        ("Students formed a human chain around the campus to oppose the fee rise.", "Peaceful protest"),
        ("Gunmen seized 40 pupils from a boarding school near Omdurman.", "Abduction/forced disappearance"),
        ("Bomb disposal experts made safe a rusting wartime shell found near a school.", "Disrupted weapons use"),
        ("Both sides inked a three-month truce in Jeddah.", "Agreement"),
        ("Rebels traded gunfire with soldiers outside Omdurman.", "Armed clash"),
        ("Peacekeepers handed the camp to the army, which took possession of it on Monday.",
         "Non-violent transfer of territory"),
        ("The army withdrew from the town overnight and the rebels walked in at dawn.",
         "Non-violent transfer of territory"),
        ("An explosive charge hidden in a rubbish bin went off near the bus station.", "Remote explosive/landmine/IED"),
        ("Relatives say the activist was taken by plainclothes agents and his whereabouts remain unknown.",
         "Abduction/forced disappearance"),
    ],
)
def test_broader_phrasing(extractor: EventExtractor, sentence: str, expected: str) -> None:
    assert extractor.classify_sentence(sentence) == expected


@pytest.mark.parametrize(
    "sentence",
    [
        "Film review: a documentary follows a family that fled the shelling of Omdurman.",
        "Interview: a surgeon on two years of treating victims of air strikes.",
        "In 2011, government troops shelled the town for weeks.",
        "The central bank raised its key rate to 20 percent, citing inflation.",
        "Rwandans began a week of mourning to mark 30 years since the genocide.",
    ],
)
def test_features_history_anniversaries_and_markets_are_not_events(extractor: EventExtractor, sentence: str) -> None:
    assert extractor.classify_sentence(sentence) is None


def test_an_anniversary_protest_is_still_a_protest(extractor: EventExtractor) -> None:
    sentence = "Police fired tear gas at crowds marking the anniversary of the uprising in Omdurman."
    assert extractor.classify_sentence(sentence) == "Protest with intervention"


class FixedModel:
    """A stand-in classifier that always gives the same answer."""

    def __init__(self, label: str, probability: float) -> None:
        self.label = label
        self.probability = probability

    def predict(self, text: str) -> tuple[str, float]:
        return self.label, self.probability


@pytest.mark.parametrize(
    ("sentence", "label", "probability", "expected"),
    [
        # One weak cue (the rules score Violent demonstration 1.6, Peaceful protest 1.2): a sure classifier wins,
        # whether or not the rules scored its choice at all.
        ("Soldiers and protesters clashed in Omdurman.", "Peaceful protest", 0.9, "Peaceful protest"),
        ("Soldiers and protesters clashed in Omdurman.", "Armed clash", 0.9, "Armed clash"),
        # Not sure enough: the rules stand.
        ("Soldiers and protesters clashed in Omdurman.", "Peaceful protest", 0.2, "Violent demonstration"),
        # Who took the ground decides between these; the classifier cannot see actors, so the rules stand.
        ("Rebels seized the town of Omdurman.", "Government regains territory", 0.9,
         "Non-state actor overtakes territory"),
        ("Rebels seized the town of Omdurman.", "Air/drone strike", 0.9, "Air/drone strike"),
        # The weapon word decides within remote violence, and shelling that kills civilians is still shelling.
        ("The army shelled a crowded market in Omdurman.", "Air/drone strike", 0.9, "Shelling/artillery/missile attack"),
        ("The army shelled a crowded market in Omdurman.", "Attack", 0.9, "Shelling/artillery/missile attack"),
        ("The army shelled a crowded market in Omdurman.", "Arrests", 0.9, "Arrests"),
    ],
)
def test_the_classifier_overrides_a_weak_lede_decision(
    sentence: str, label: str, probability: float, expected: str
) -> None:
    extractor = EventExtractor(StubResources(KB))
    extractor._model = FixedModel(label, probability)  # type: ignore[assignment]
    assert extractor(make_doc(sentence))[0].sub_event_type == expected


@pytest.mark.parametrize(("probability", "kept"), [(0.9, False), (0.4, True)])
def test_a_weak_lede_decision_the_classifier_reads_as_no_event_is_dropped(probability: float, kept: bool) -> None:
    extractor = EventExtractor(StubResources(KB))
    extractor._model = FixedModel("none", probability)  # type: ignore[assignment]
    events = extractor(make_doc("Soldiers and protesters clashed in Omdurman."))
    assert bool(events) is kept


def test_the_classifier_does_not_overrule_a_clear_decision() -> None:
    extractor = EventExtractor(StubResources(KB))
    extractor._model = FixedModel("Protest with intervention", 0.99)  # type: ignore[assignment]
    # Peaceful protest scores about twice Protest with intervention here: not a near tie.
    events = extractor(make_doc("Protesters gathered outside the ministry in Omdurman and police dispersed them."))
    assert events[0].sub_event_type == "Peaceful protest"


def test_a_later_sentence_of_the_same_type_does_not_displace_the_lede(extractor: EventExtractor) -> None:
    text = (
        "Floods in Sudan have killed 40 people since August, officials said. "
        "Torrential rain made the Nile burst its banks and floodwaters inundated homes in Omdurman."
    )
    doc = make_doc(text, figures=[killed_at(text, "40 people", 40)])
    events = extractor(doc)
    assert events[0].sub_event_type == "Natural disaster"
    assert events[0].evidence.text.startswith("Floods in Sudan")
    assert events[0].fatalities == 40


# -- the fast paths give what the plain tests they replace give ----------------------------------------------

_SPEED_SENTENCES = (
    "After the war began in 2011, troops withdrew; crowds of protesters gathered, and analysts say the town is one "
    "of the worst hit. Gunmen, suspected bandits, set up a base, if reports are right. The army drove them out of "
    "Tawila while tear gas hung over the trenches. Nobody was killed, the ministry said. Drones were shot down over "
    "Kherson since Monday night, as soldiers pulled back. A quiet sentence with no hint words in it."
)


def test_sentence_hint_words_are_the_ones_each_sentence_holds(extractor: EventExtractor) -> None:
    from watchfloor.analyze.events import _HINT_WORDS

    doc = make_doc(_SPEED_SENTENCES)
    views = extractor._scan(doc.text, doc.sentences)
    assert len(views) == len(doc.sentences) > 4
    for view in views:
        assert view.hints == {word for word in _HINT_WORDS if word in view.low}
    assert {"after", "withdr", "crowd", "protesters", "is one of", "began in", "the war", "analysts"} <= views[0].hints
    assert {"set", "suspect", "if"} <= views[1].hints
    assert views[-1].hints == set()
    # Overlapping spans (no splitter gives them) are tested sentence by sentence and give the same sets.
    text = "Troops withdrew after the war. Crowds gathered since then."
    overlapping = extractor._scan(text, [(0, 30), (20, len(text))])
    assert [v.hints for v in overlapping] == [{w for w in _HINT_WORDS if w in v.low} for v in overlapping]
    assert "the war" in overlapping[1].hints


def test_negation_hint_and_clause_breaks_match_their_patterns() -> None:
    from watchfloor.analyze import modality

    clauses = [
        "no one was hurt", "the army did not say", "rebels denied it", "nobody", "a knot of snow", "north of town",
        "it never happened", "without warning", "the report was fake", "annotated", "", "they failed to", "untrue",
        "no-fly zone", "casino", "non-state", "innocent bystanders",
    ]
    for clause in clauses:
        assert modality._might_negate(clause) == bool(modality._NEGATION_HINT.search(clause)), clause

    def plain(text: str, start: int, end: int, t_start: int, t_end: int) -> tuple[int, int]:
        c_start, c_end = start, end
        for m in modality._CLAUSE_BREAK.finditer(text, start, end):
            if m.end() <= t_start:
                c_start = m.end()
            elif m.start() >= t_end:
                c_end = m.start()
                break
        return c_start, c_end

    texts = ["rebels attacked, but the army held", "a strike - the army said - hit it", "x; y: z", "plain words only",
             "one,  while two \u2014three", "rebels attacked,but nobody fled"]
    for text in texts:
        for t_start in range(0, len(text), 3):
            t_end = min(len(text), t_start + 4)
            assert modality.clause_around(text, 0, len(text), t_start, t_end) == plain(text, 0, len(text), t_start, t_end)


def test_model_predictions_match_the_plain_feature_sum() -> None:
    import math

    from watchfloor.analyze.events import SentenceModel, sentence_features

    model = SentenceModel.load()
    assert model is not None
    for text in ("Gunmen abducted twenty pupils from a boarding school overnight.",
                 "Protesters marched through the capital demanding the release of detained activists.",
                 "The weather was mild."):
        counts: dict[str, int] = {}
        for feature in sentence_features(text):
            if feature in model.features:
                counts[feature] = counts.get(feature, 0) + 1
        if not counts:
            assert model.predict(text) == ("none", 1.0)
            continue
        values = {f: (1.0 + math.log(n)) * model.features[f][0] for f, n in counts.items()}
        norm = math.sqrt(sum(v * v for v in values.values())) or 1.0
        logits = list(model.intercept)
        for feature, value in values.items():
            for k, w in model.features[feature][1]:
                logits[k] += w * (value / norm)
        exps = [math.exp(v - max(logits)) for v in logits]
        best = max(range(len(exps)), key=exps.__getitem__)
        assert model.predict(text) == (model.classes[best], exps[best] / sum(exps))


# -- the split subordinate-clause search gives the combined pattern's offset ----------------------------------


@pytest.mark.parametrize(
    "sentence",
    [
        "troops shelled the town after rebels attacked a checkpoint.",
        "two days after the raid, police arrested five men.",
        "the army said; no one was hurt.",
        "gunmen opened fire, with witnesses saying dozens fled.",
        "the clashes broke out as government soldiers entered the market.",
        "the strike hit the base while it was empty, as residents slept.",
        "the has people and was forces words do not open a clause.",
        "a different specific aftermath is not a subordinate clause.",
        "police fired tear gas.",
        "",
    ],
)
def test_subordinate_start_matches_the_combined_pattern(sentence: str) -> None:
    from watchfloor.analyze.events import _HINT_WORDS, _SUBORDINATE, _subordinate_start

    hints = {word for word in _HINT_WORDS if word in sentence}
    combined = _SUBORDINATE.search(sentence)
    assert _subordinate_start(sentence, hints) == (combined.start() if combined else None)
