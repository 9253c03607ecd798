"""The actor knowledge base: its data, the finder's accuracy on labelled sentences, loader errors, extension.

tests/data/actor_mentions.jsonl holds news-like sentences written for these tests, one JSON object a line:
{"text", "countries", "mentions": [{"text", "id"}]}. Mentions are listed in the order they appear; a mention's
text is the name as written, without a leading "the" or a trailing possessive 's; ``id`` null marks a
group-like name the knowledge base does not know. Generic words ("the army", "gunmen") are not mentions.
"""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pycountry
import pytest

from watchfloor.errors import KnowledgeBaseError
from watchfloor.kb import countries as country_data
from watchfloor.kb.actors import ACTOR_TYPES, DATA_DIR, RELATION_KINDS, ActorKB, default_kb

MENTIONS = Path(__file__).parent / "data" / "actor_mentions.jsonl"
THEATRES = [
    "syria", "iraq", "yemen_red_sea", "israel_palestine_lebanon", "iran", "ukraine_russia", "sudan", "south_sudan",
    "ethiopia", "somalia", "drc", "sahel", "nigeria_lake_chad", "libya", "myanmar", "afghanistan_pakistan", "haiti",
    "mexico_colombia",
]


@pytest.fixture(scope="module")
def kb() -> ActorKB:
    return default_kb()


def _rows() -> list[dict]:
    with MENTIONS.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def _gold(row: dict) -> set[tuple[int, int, str | None]]:
    spans: set[tuple[int, int, str | None]] = set()
    cursor = 0
    for mention in row["mentions"]:
        start = row["text"].find(mention["text"], cursor)
        assert start >= 0, f"{mention['text']!r} not in {row['text']!r} after offset {cursor}"
        end = start + len(mention["text"])
        spans.add((start, end, mention["id"]))
        cursor = end
    return spans


def _found(kb: ActorKB, text: str, countries: list[str] | tuple[str, ...] = ()) -> list[tuple[str, str | None]]:
    return [(m.text, m.actor_id) for m in kb.find(text, countries)]


# ------------------------------------------------------------------------------------------------ accuracy


def test_labelled_sentences_are_valid(kb: ActorKB) -> None:
    rows = _rows()
    assert len(rows) >= 170
    assert sum(1 for r in rows if not r["mentions"]) >= 5
    assert sum(1 for r in rows for m in r["mentions"] if m["id"] is None) >= 5
    for row in rows:
        for code in row["countries"]:
            assert country_data.is_country(code), code
        for mention in row["mentions"]:
            assert mention["id"] is None or mention["id"] in kb, mention
        _gold(row)


def test_mention_accuracy(kb: ActorKB) -> None:
    tp = fp = fn = 0
    misses: list[str] = []
    for row in _rows():
        text = row["text"]
        found = kb.find(text, row["countries"])
        for m in found:
            assert text[m.start:m.end] == m.text
        predicted = {(m.start, m.end, m.actor_id) for m in found}
        gold = _gold(row)
        tp += len(predicted & gold)
        fp += len(predicted - gold)
        fn += len(gold - predicted)
        if predicted != gold:
            misses.append(f"{text}\n  extra {sorted(predicted - gold)}\n  missed {sorted(gold - predicted)}")
    precision = tp / (tp + fp)
    recall = tp / (tp + fn)
    print(f"\nactor mentions: precision {precision:.3f} recall {recall:.3f} (tp {tp}, fp {fp}, fn {fn})")
    print("\n".join(misses))
    assert precision >= 0.95
    assert recall >= 0.95


# -------------------------------------------------------------------------------------------------- data


def test_every_theatre_has_a_file_with_enough_actors(kb: ActorKB) -> None:
    files = {p.stem for p in DATA_DIR.glob("*.yaml")}
    assert set(THEATRES) | {"global"} <= files
    by_theatre: dict[str, int] = {}
    for actor in kb.hand_written():
        by_theatre[actor.theatre or ""] = by_theatre.get(actor.theatre or "", 0) + 1
    for theatre in THEATRES + ["global"]:
        assert by_theatre.get(theatre, 0) >= 12, theatre


def test_at_least_400_hand_written_actors(kb: ActorKB) -> None:
    generated = 3 * len(country_data.all_iso3())
    assert len(kb) - generated >= 400


def test_hand_written_entries_are_complete(kb: ActorKB) -> None:
    risky = {"army", "forces", "force", "police", "government", "military", "troops", "rebels", "militia", "regime"}
    for actor in kb.hand_written():
        assert actor.type in ACTOR_TYPES, actor.id
        assert actor.description, actor.id
        assert actor.country is None or country_data.is_country(actor.country), actor.id
        for alias in actor.aliases:
            assert alias.lower() not in risky, (actor.id, alias)
        for relation in kb.relations(actor.id):
            assert relation.kind in RELATION_KINDS
            assert relation.target in kb


def test_every_country_has_generated_state_actors(kb: ActorKB) -> None:
    for country in pycountry.countries:
        low = country.alpha_3.lower()
        for suffix, kind in (("military", "State forces"), ("police", "State forces"),
                             ("government", "Government official")):
            actor = kb.get(f"{low}-{suffix}")
            assert actor is not None, f"{low}-{suffix}"
            assert actor.country == country.alpha_3
            assert actor.type == kind
    assert kb.get("syr-military") is not None
    assert kb.get("syr-government").name == "Government of Syria"  # type: ignore[union-attr]
    assert kb.get("cod-police").name == "Police Forces of the Democratic Republic of the Congo"  # type: ignore[union-attr]
    for code in country_data.DEMONYMS:
        assert country_data.is_country(code), code


def test_yaml_entries_extend_generated_state_actors(kb: ActorKB) -> None:
    army = kb.get("syr-military")
    assert army is not None
    assert army.name == "Military Forces of Syria (2000-2024)"
    assert {"Syrian Arab Army", "SAA", "Syrian troops", "Syria army"} <= set(army.aliases)
    assert kb.period("syr-military") == (None, "2024-12-08")
    assert "regime forces" in kb.context_aliases("syr-military")["SYR"]
    assert "FARDC" in kb.get("cod-military").aliases  # type: ignore[union-attr]
    assert "syria.yaml" in (kb.source("syr-military") or "")


# ------------------------------------------------------------------------------------------------ finding


@pytest.mark.parametrize(
    ("text", "countries", "surface", "actor_id"),
    [
        ("HTS fighters advanced.", [], "HTS", "hts"),
        ("Hayat Tahrir al-Sham said so.", [], "Hayat Tahrir al-Sham", "hts"),
        ("Hay'at Tahrir al-Sham said so.", [], "Hay'at Tahrir al-Sham", "hts"),
        ("Tahrir al-Sham said so.", [], "Tahrir al-Sham", "hts"),
        ("Jabhat al-Nusra said so.", [], "Jabhat al-Nusra", "hts"),
        ("The Nusra Front said so.", [], "Nusra Front", "hts"),
        ("Jabhat Fateh al-Sham said so.", [], "Jabhat Fateh al-Sham", "hts"),
        ("Abu Mohammad al-Jolani spoke.", [], "Abu Mohammad al-Jolani", "ahmed-al-sharaa"),
        ("al-Julani spoke.", [], "al-Julani", "ahmed-al-sharaa"),
        ("Ahmed al-Sharaa spoke.", [], "Ahmed al-Sharaa", "ahmed-al-sharaa"),
        ("Jolani spoke.", [], "Jolani", "ahmed-al-sharaa"),
        ("Viv Ansanm attacked.", [], "Viv Ansanm", "viv-ansanm"),
        ("400 Mawozo attacked.", [], "400 Mawozo", "400-mawozo"),
        ("The G9 attacked.", [], "G9", "g9"),
        ('Jimmy "Barbecue" Cherizier spoke.', [], 'Jimmy "Barbecue" Cherizier', "jimmy-cherizier"),
        ("MONUSCO withdrew.", [], "MONUSCO", "monusco"),
        ("UNIFIL reported.", [], "UNIFIL", "unifil"),
        ("MINUSMA left.", [], "MINUSMA", "minusma"),
        ("The MSS deployed.", ["HTI"], "MSS", "mss"),
        ("The FARDC advanced.", [], "FARDC", "cod-military"),
        ("The Popular Mobilization Forces said so.", [], "Popular Mobilization Forces", "pmf"),
        ("Hamas said so.", [], "Hamas", "hamas"),
        ("Nusra said so.", [], "Nusra", "hts"),
        ("The Syrian Arab Army withdrew.", [], "Syrian Arab Army", "syr-military"),
        ("Sudanese troops withdrew.", [], "Sudanese troops", "sdn-military"),
        ("The RSF advanced.", [], "RSF", "rsf"),
        ("The SDF advanced.", [], "SDF", "sdf"),
        ("The M23 advanced.", [], "M23", "m23"),
        ("The AA advanced.", ["MMR"], "AA", "arakan-army"),
    ],
)
def test_brief_aliases(kb: ActorKB, text: str, countries: list[str], surface: str, actor_id: str) -> None:
    assert (surface, actor_id) in _found(kb, text, countries)


def test_bare_army_is_not_an_actor(kb: ActorKB) -> None:
    assert _found(kb, "The army said the police and the government had agreed.") == []
    assert _found(kb, "Army units moved in.") == []


def test_short_acronyms_are_case_sensitive(kb: ActorKB) -> None:
    assert _found(kb, "Who knows what the hts file holds?") == []
    assert _found(kb, "The WHO said so.") == [("WHO", "who")]
    assert _found(kb, "Let them go.") == []
    assert _found(kb, "LeT claimed it.") == [("LeT", "lashkar-e-taiba")]
    assert _found(kb, "the aa battery", ["MMR"]) == []
    assert _found(kb, "m23 and rsf") == []
    # Longer acronyms are also written in title case; ordinary names need their capital.
    assert _found(kb, "Unicef and Monusco said so.") == [("Unicef", "unicef"), ("Monusco", "monusco")]
    assert _found(kb, "they will trump it") == []


def test_offsets_point_into_the_original_text(kb: ActorKB) -> None:
    text = "🙂 Caf\u00e9 e\u0301l\u00e8ve — Jimmy \u201cBarbecue\u201d Ch\u00e9rizier\u2019s G-P\u00e8p and  Hay\u2019at  Tahrir   al\u2011Sham."
    found = kb.find(text)
    for m in found:
        assert text[m.start:m.end] == m.text
    assert [(m.text, m.actor_id) for m in found] == [
        ("Jimmy \u201cBarbecue\u201d Ch\u00e9rizier", "jimmy-cherizier"),
        ("G-P\u00e8p", "g-pep"),
        ("Hay\u2019at  Tahrir   al\u2011Sham", "hts"),
    ]


def test_possessives_and_hyphens(kb: ActorKB) -> None:
    assert _found(kb, "HTS's leader and the Houthis' missiles") == [("HTS", "hts"), ("Houthis", "houthis")]
    assert _found(kb, "Sudan's army and Syria's military") == [("Sudan's army", "sdn-military"),
                                                                ("Syria's military", "syr-military")]
    assert _found(kb, "Ben-Gvir and Ben Gvir") == [("Ben-Gvir", "itamar-ben-gvir"), ("Ben Gvir", "itamar-ben-gvir")]
    assert _found(kb, "AL-SHABAAB and al Shabaab") == [("AL-SHABAAB", "al-shabaab"), ("al Shabaab", "al-shabaab")]


def test_leftmost_longest(kb: ActorKB) -> None:
    assert _found(kb, "the UN Security Council") == [("UN Security Council", "unsc")]
    assert _found(kb, "South Sudanese soldiers") == [("South Sudanese soldiers", "ssd-military")]
    assert _found(kb, "the Islamic State West Africa Province") == [
        ("Islamic State West Africa Province", "iswap")]


def test_context_aliases_need_their_country(kb: ActorKB) -> None:
    text = "regime forces shelled the town"
    assert _found(kb, text) == []
    assert _found(kb, text, ["SYR"]) == [("regime forces", "syr-military")]
    assert _found(kb, "The junta said so.", ["MMR"]) == [("junta", "mmr-military")]
    assert _found(kb, "The junta said so.", ["MLI"]) == [("junta", "mli-government")]


def test_pro_and_anti_prefixes_are_not_the_actor(kb: ActorKB) -> None:
    assert _found(kb, "pro-Russian forces and anti-Houthi fighters") == []
    assert _found(kb, "pro-government forces", ["SYR"]) == []


def test_shared_alias_is_settled_by_countries(kb: ActorKB) -> None:
    syria = kb.find("The SNA shelled the town.", ["SYR"])
    somalia = kb.find("The SNA shelled the town.", ["SOM", "SYR"])
    assert [(m.actor_id, m.score) for m in syria] == [("syr-sna", 0.9)]
    assert [(m.actor_id, m.score) for m in somalia] == [("som-military", 0.9)]
    # Without countries, the other names in the text decide; failing that the score says it was a guess.
    near = kb.find("The SDF said the SNA shelled Manbij.")
    assert [(m.text, m.actor_id) for m in near] == [("SDF", "sdf"), ("SNA", "syr-sna")]
    assert near[1].score < 0.9
    alone = kb.find("The SNA shelled the town.")
    assert alone[0].actor_id in ("syr-sna", "som-military") and alone[0].score < 0.9
    assert _found(kb, "General Security arrested him.", ["LBN"]) == [("General Security", "lbn-general-security")]
    assert _found(kb, "General Security arrested him.", ["SYR"]) == [("General Security", "syr-military-2024")]
    assert _found(kb, "Congolese troops advanced.", ["COG"]) == [("Congolese troops", "cog-military")]
    assert _found(kb, "Congolese troops advanced.") == [("Congolese troops", "cod-military")]


def test_unknown_group_names_are_kept_unresolved(kb: ActorKB) -> None:
    found = _found(kb, "On Monday the Free Sham Brigade and the Syrian Democratic Forces met.")
    assert found == [("Free Sham Brigade", None), ("Syrian Democratic Forces", "sdf")]
    assert _found(kb, "The Tigray Peace Movement and the Army of the Free North announced talks.") == [
        ("Tigray Peace Movement", None), ("Army of the Free North", None)]
    assert _found(kb, "Fighters of the Nile Front crossed.") == [("Nile Front", None)]
    # One capitalised word, or a head noun alone, is not a name.
    assert _found(kb, "The Brigade moved. Army officers left. The Front held.") == []


def test_text_without_words(kb: ActorKB) -> None:
    assert kb.find("") == []
    assert kb.find(" -- ... 123 ") == []


# ------------------------------------------------------------------------------------------- resolve etc.


@pytest.mark.parametrize(
    ("name", "countries", "actor_id"),
    [
        ("Jolani", (), "ahmed-al-sharaa"),
        ("the Houthis", (), "houthis"),
        ("Hayat Tahrir al Sham", (), "hts"),
        ("Hayat Tahrir ash-Sham", (), "hts"),
        ("hts", (), "hts"),
        ("Sudanese army", (), "sdn-military"),
        ("regime forces", ("SYR",), "syr-military"),
        ("SNA", ("SOM",), "som-military"),
        ("Viv Ansanm gang", (), "viv-ansanm"),
    ],
)
def test_resolve(kb: ActorKB, name: str, countries: tuple[str, ...], actor_id: str) -> None:
    actor = kb.resolve(name, countries)
    assert actor is not None and actor.id == actor_id


def test_resolve_unknown(kb: ActorKB) -> None:
    assert kb.resolve("Zorblax Liberation Army") is None
    assert kb.resolve("regime forces") is None  # only in a Syrian or Burmese context
    assert kb.resolve("") is None
    assert kb.resolve("the brother of Yahya Sinwar") is None


def test_relations(kb: ActorKB) -> None:
    hts = {(r.kind, r.target): r for r in kb.relations("hts")}
    assert ("backed_by", "tur-government") in hts
    assert hts[("opposed_to", "syr-military")].until == "2024-12-08"
    # opposed_to holds both ways, so the army's relations include HTS although only HTS declares it.
    assert ("opposed_to", "hts") in {(r.kind, r.target) for r in kb.relations("syr-military")}
    assert kb.relations("no-such-actor") == []
    assert kb.get("hts").affiliation == ["syrian-opposition"]  # type: ignore[union-attr]


# --------------------------------------------------------------------------------------------- validation


def _write(folder: Path, name: str, body: str) -> Path:
    path = folder / name
    path.write_text(textwrap.dedent(body).lstrip("\n"), encoding="utf-8")
    return path


def _load_error(folder: Path) -> str:
    with pytest.raises(KnowledgeBaseError) as info:
        ActorKB.load(extra_dirs=[folder])
    return str(info.value)


def test_missing_field_names_file_line_and_field(tmp_path: Path) -> None:
    _write(tmp_path, "bad.yaml", """
        theatre: test
        actors:
          - id: good-one
            name: Good One
            type: Rebel group
          - id: no-name
            type: Rebel group
        """)
    message = _load_error(tmp_path)
    assert "bad.yaml" in message and "line 6" in message and "'name'" in message
    assert message.startswith("[W300]")


def test_unknown_type_names_the_line(tmp_path: Path) -> None:
    _write(tmp_path, "bad.yaml", """
        actors:
          - id: x-group
            name: X Group
            type: Terrorists
        """)
    message = _load_error(tmp_path)
    assert "line 4" in message and "'type'" in message and "Terrorists" in message


def test_bad_country_code(tmp_path: Path) -> None:
    _write(tmp_path, "bad.yaml", """
        country: XXY
        actors: []
        """)
    message = _load_error(tmp_path)
    assert "line 1" in message and "'country'" in message and "XXY" in message


def test_relation_to_unknown_id(tmp_path: Path) -> None:
    _write(tmp_path, "bad.yaml", """
        actors:
          - id: x-group
            name: X Group
            type: Rebel group
            relations:
              - {kind: backed_by, target: tur-government}
              - {kind: opposed_to, target: nobody-at-all}
        """)
    message = _load_error(tmp_path)
    assert "line 7" in message and "relations.target" in message and "nobody-at-all" in message


def test_unknown_relation_kind_and_field(tmp_path: Path) -> None:
    _write(tmp_path, "bad.yaml", """
        actors:
          - id: x-group
            name: X Group
            type: Rebel group
            relations: [{kind: friends_with, target: hts}]
        """)
    assert "relations.kind" in _load_error(tmp_path)
    _write(tmp_path, "bad.yaml", """
        actors:
          - id: x-group
            name: X Group
            type: Rebel group
            alias: [X]
        """)
    message = _load_error(tmp_path)
    assert "line 5" in message and "'alias'" in message and "unknown field" in message


def test_duplicate_id_reports_both_places(tmp_path: Path) -> None:
    _write(tmp_path, "a.yaml", """
        actors:
          - id: twin
            name: Twin A
            type: Rebel group
        """)
    _write(tmp_path, "b.yaml", """
        actors:
          - id: other
            name: Other
            type: Rebel group
          - id: twin
            name: Twin B
            type: Rebel group
        """)
    message = _load_error(tmp_path)
    assert "b.yaml, line 5" in message and "a.yaml, line 2" in message and "twin" in message


def test_alias_clash_in_one_country(tmp_path: Path) -> None:
    _write(tmp_path, "clash.yaml", """
        country: SDN
        actors:
          - id: group-one
            name: Group One
            type: Rebel group
            aliases: [Desert Lions]
          - id: group-two
            name: Group Two
            type: Rebel group
            aliases: [Other Name, desert lions]
        """)
    message = _load_error(tmp_path)
    assert "clash.yaml, line 10" in message and "clash.yaml, line 6" in message and "SDN" in message


def test_same_alias_in_two_countries_is_allowed(tmp_path: Path) -> None:
    _write(tmp_path, "ok.yaml", """
        actors:
          - {id: lions-sdn, name: Desert Lions, type: Rebel group, country: SDN, aliases: [Desert Lions]}
          - {id: lions-tcd, name: Desert Lions, type: Rebel group, country: TCD, aliases: [Desert Lions]}
        """)
    kb = ActorKB.load(extra_dirs=[tmp_path])
    assert _found(kb, "The Desert Lions attacked.", ["TCD"]) == [("Desert Lions", "lions-tcd")]
    assert _found(kb, "The Desert Lions attacked.", ["SDN"]) == [("Desert Lions", "lions-sdn")]


def test_malformed_yaml_and_missing_folder(tmp_path: Path) -> None:
    _write(tmp_path, "broken.yaml", """
        actors:
          - id: x
            name: [unclosed
        """)
    message = _load_error(tmp_path)
    assert "broken.yaml" in message and "line" in message and "not valid YAML" in message
    with pytest.raises(KnowledgeBaseError):
        ActorKB.load(extra_dirs=[tmp_path / "missing"])


def test_user_folder_adds_and_amends_actors(tmp_path: Path, kb: ActorKB) -> None:
    _write(tmp_path, "mine.yaml", """
        theatre: syria
        country: SYR
        actors:
          - id: free-sham-brigade
            name: Free Sham Brigade
            type: Rebel group
            aliases: [Free Sham Brigade, FSB-Sham]
            affiliation: [syrian-opposition]
            relations:
              - {kind: opposed_to, target: hts, since: 2025-03, note: "local reporting"}
            description: A local faction.
          - id: hts
            aliases: [Hayat Tahrir al-Sham al-Jadida]
            context_aliases: {SYR: [the Organisation]}
        """)
    extended = ActorKB.load(extra_dirs=[tmp_path])
    assert len(extended) == len(kb) + 1
    assert _found(extended, "The Free Sham Brigade clashed with HTS.") == [
        ("Free Sham Brigade", "free-sham-brigade"), ("HTS", "hts")]
    assert "Hayat Tahrir al-Sham al-Jadida" in extended.get("hts").aliases  # type: ignore[union-attr]
    assert extended.get("hts").name == "Hayat Tahrir al-Sham"  # type: ignore[union-attr]
    assert ("opposed_to", "free-sham-brigade") in {(r.kind, r.target) for r in extended.relations("hts")}
    assert _found(extended, "the Organisation said", ["SYR"]) == [("the Organisation", "hts")]
    # The shared default knowledge base is untouched.
    assert kb.get("free-sham-brigade") is None
    assert _found(kb, "The Free Sham Brigade clashed.") == [("Free Sham Brigade", None)]


def test_find_holds_its_invariants_on_arbitrary_text(kb: ActorKB) -> None:
    from hypothesis import given, settings
    from hypothesis import strategies as st

    pieces = st.sampled_from(
        ["HTS", "al-", "Sham", "'s", " ", "-", "Hay'at", "Tahrir", "\u2019", "Brigade", "Free", "the", "of", "é",
         "e\u0301", "\n", "Syrian", "troops", "pro-", "SNA", "🙂", "Al ", "Jimmy", "\u201c", "Barbecue", ".", "G9"]
    )

    @settings(max_examples=200, deadline=None)
    @given(st.lists(st.one_of(pieces, st.text(max_size=4)), max_size=30), st.sampled_from([(), ("SYR",), ("SOM",)]))
    def check(parts: list[str], countries: tuple[str, ...]) -> None:
        text = "".join(parts)
        found = kb.find(text, countries)
        last_end = 0
        for m in found:
            assert text[m.start:m.end] == m.text
            assert m.start >= last_end and m.end > m.start
            last_end = m.end

    check()


def test_a_scan_resolved_again_in_another_context_is_as_if_fresh(kb: ActorKB) -> None:
    """The pipeline resolves one scan twice (without, then with the document's countries): each context must get
    what a fresh scan would give, and the first resolution must leave the scan unchanged."""
    text = (
        "The SNA and the Syrian Democratic Forces clashed near Manbij, while HTS fighters and the army of the "
        "regime held Aleppo. Al-Shabaab said the SNA had withdrawn."
    )
    scan = kb.scan(text)
    first = kb.matches(scan)
    for countries in (["SYR"], ["SOM"], ["SOM", "SYR"], []):
        again = kb.matches(scan, countries)
        fresh = kb.matches(kb.scan(text), countries)
        assert [(m.start, m.end, m.actor_id, m.score) for m in again] == [
            (m.start, m.end, m.actor_id, m.score) for m in fresh
        ]
    assert [(m.start, m.actor_id) for m in kb.matches(scan)] == [(m.start, m.actor_id) for m in first]
    # The SNA is Syrian or Somali by context: the remembered choices must not fix it.
    sna = {c: {m.actor_id for m in kb.matches(scan, [c]) if m.text == "SNA"} for c in ("SYR", "SOM")}
    assert sna["SYR"] != sna["SOM"]


def test_rematch_says_when_the_countries_change_nothing(kb: ActorKB) -> None:
    """``rematch`` gives None when the new countries change no choice (the last ``matches`` stands), else what a
    fresh ``matches`` gives."""
    text = "The SNA and HTS fighters held Aleppo, the SNA said. Hamas denied it."
    scan = kb.scan(text)
    kb.matches(scan, ["SOM"])
    assert kb.rematch(scan, ["SOM"]) is None
    again = kb.rematch(scan, ["SYR"])
    assert again is not None
    fresh = kb.matches(kb.scan(text), ["SYR"])
    assert [(m.start, m.end, m.actor_id, m.score) for m in again] == [
        (m.start, m.end, m.actor_id, m.score) for m in fresh
    ]
    assert kb.rematch(scan, ["SYR"]) is None
    plain = kb.scan("Hamas and Hezbollah traded fire.")
    kb.matches(plain)
    assert kb.rematch(plain, ["LBN", "ISR"]) is None


def test_a_scan_finds_every_group_noun(kb: ActorKB) -> None:
    """The group nouns where unknown group names may stand are found in the automaton's pass over the text, also
    where the noun is an alias of its own ("army") and in any case."""
    from watchfloor.kb import actors

    text = "The army, the Army of Islam, the Free Sham Brigade and two brigades; al-Quds Brigades. Forces, FORCES."
    scan = kb.scan(text)
    words = [text[s:e] for s, e in zip(scan.tokens.word_starts, scan.tokens.ends, strict=True)]
    expected = [k for k, key in enumerate(scan.tokens.keys) if key in actors._HEAD_KEYS]
    assert scan.heads == expected
    assert [words[k] for k in scan.heads] == ["army", "Army", "Brigade", "brigades", "Brigades", "Forces", "FORCES"]


# -- the word table against the rules written out word by word -------------------------------------------------


def _words_one_by_one(text: str) -> list[tuple[int, int, int, str]]:
    """(start, word start, end, key) of each word, by the rules of ``actors._words`` applied in a plain loop: a
    possessive 's leaves the end, an Arabic article glued by a hyphen (or "al" by a space) becomes the start of
    the word after it, and words without a key are left out."""
    from watchfloor.kb import actors
    from watchfloor.kb.textnorm import loose

    out: list[tuple[int, int, int, str]] = []
    glued = glued_end = -1
    for m in actors._WORD_RE.finditer(text):
        raw = m.group()
        trim = 2 if len(raw) > 2 and raw[-1] == "s" and raw[-2] in "'\u2019\u02bc" else 0
        key = loose(raw[:-trim] if trim else raw)
        article = len(raw) <= 3 and raw.lower() in actors._ARTICLES
        start, end = m.span()
        word_start = start
        if glued >= 0:
            if start == glued_end + 1:
                start = glued
                key = loose(text[start : end - trim])
            glued = -1
        elif article and end + 1 < len(text):
            sep = text[end]
            if (sep in "-\u2010\u2011" or (raw.lower() == "al" and sep == " ")) and text[end + 1].isalnum():
                glued, glued_end = start, end
                continue
        if key:
            out.append((start, word_start, end - trim, key))
    return out


@pytest.mark.parametrize(
    "text",
    [
        "Hayat Tahrir al-Sham's fighters took al Bab; ash-Shaddadi and an-Nusra's men fled.",
        "They met at Adre as an envoy arrived, en route to El Fasher and el-Geneina.",
        "al-",
        "Fighters of al- al-Sham and al al-Qaeda's wing",
        "the al-al-Sham Front at al\nSham, Al-Shabaab's attack in AL SHABAAB land",
        "Assad's and Hezbollah’s forces, Hamasʼs men, 's alone and X's",
        "Ma'arrat al-Nu'man, Cité-Soleil's gangs, M23's rebels and the FDLR.",
        "",
        "   ",
        "al",
        "at-Tanf al-",
    ],
)
def test_word_table_follows_the_word_by_word_rules(text: str) -> None:
    from watchfloor.kb import actors

    tokens = actors._words(text)
    got = list(zip(tokens.starts, tokens.word_starts, tokens.ends, tokens.keys, strict=True))
    assert got == _words_one_by_one(text)


def test_word_table_survives_a_full_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    from watchfloor.kb import actors

    monkeypatch.setattr(actors, "_CACHE_MAX", 3)
    text = "The al-Sham Front and Hezbollah's allies met in Idlib and Aleppo on Monday."
    for _ in range(2):
        tokens = actors._words(text)
        assert list(zip(tokens.starts, tokens.word_starts, tokens.ends, tokens.keys, strict=True)) == (
            _words_one_by_one(text)
        )
