"""State actors of every country, generated from pycountry rather than written by hand.

Each ISO 3166 country gets three actors: ``{iso3}-military`` ("Military Forces of Syria"), ``{iso3}-police``
("Police Forces of Syria") and ``{iso3}-government`` ("Government of Syria"). Their aliases combine the
demonyms and short names below with head nouns ("Syrian troops", "Syria's army", "Syrian authorities").
Hand-written YAML entries with the same id extend these (see ``watchfloor.kb.actors``).
"""

from __future__ import annotations

from functools import lru_cache

import pycountry

from watchfloor.models import Actor

# Adjectival forms the press uses for each country. Where two countries share one ("Congolese"), the
# actor knowledge base breaks the tie by the document's countries.
DEMONYMS: dict[str, tuple[str, ...]] = {
    "AFG": ("Afghan",), "AGO": ("Angolan",), "ALB": ("Albanian",), "ARE": ("Emirati", "UAE"),
    "ARG": ("Argentine", "Argentinian"), "ARM": ("Armenian",), "AUS": ("Australian",), "AUT": ("Austrian",),
    "AZE": ("Azerbaijani",), "BDI": ("Burundian",), "BEL": ("Belgian",), "BEN": ("Beninese",),
    "BFA": ("Burkinabe", "Burkinabè"), "BGD": ("Bangladeshi",), "BGR": ("Bulgarian",), "BHR": ("Bahraini",),
    "BIH": ("Bosnian",), "BLR": ("Belarusian",), "BOL": ("Bolivian",), "BRA": ("Brazilian",),
    "BWA": ("Botswanan",), "CAF": ("Central African",), "CAN": ("Canadian",), "CHE": ("Swiss",),
    "CHL": ("Chilean",), "CHN": ("Chinese",), "CIV": ("Ivorian",), "CMR": ("Cameroonian",),
    "COD": ("Congolese",), "COG": ("Congolese",), "COL": ("Colombian",), "COM": ("Comorian",),
    "CPV": ("Cape Verdean",), "CRI": ("Costa Rican",), "CUB": ("Cuban",), "CYP": ("Cypriot",),
    "CZE": ("Czech",), "DEU": ("German",), "DJI": ("Djiboutian",), "DNK": ("Danish",), "DOM": ("Dominican",),
    "DZA": ("Algerian",), "ECU": ("Ecuadorian",), "EGY": ("Egyptian",), "ERI": ("Eritrean",),
    "ESP": ("Spanish",), "EST": ("Estonian",), "ETH": ("Ethiopian",), "FIN": ("Finnish",), "FJI": ("Fijian",),
    "FRA": ("French",), "GAB": ("Gabonese",), "GBR": ("British", "UK", "U.K."), "GEO": ("Georgian",),
    "GHA": ("Ghanaian",), "GIN": ("Guinean",), "GMB": ("Gambian",), "GNB": ("Bissau-Guinean",),
    "GNQ": ("Equatorial Guinean", "Equatoguinean"), "GRC": ("Greek",), "GTM": ("Guatemalan",),
    "GUY": ("Guyanese",), "HND": ("Honduran",), "HRV": ("Croatian",), "HTI": ("Haitian",),
    "HUN": ("Hungarian",), "IDN": ("Indonesian",), "IND": ("Indian",), "IRL": ("Irish",), "IRN": ("Iranian",),
    "IRQ": ("Iraqi",), "ISL": ("Icelandic",), "ISR": ("Israeli",), "ITA": ("Italian",), "JAM": ("Jamaican",),
    "JOR": ("Jordanian",), "JPN": ("Japanese",), "KAZ": ("Kazakh",), "KEN": ("Kenyan",), "KGZ": ("Kyrgyz",),
    "KHM": ("Cambodian",), "KOR": ("South Korean",), "KWT": ("Kuwaiti",), "LAO": ("Lao", "Laotian"),
    "LBN": ("Lebanese",), "LBR": ("Liberian",), "LBY": ("Libyan",), "LKA": ("Sri Lankan",),
    "LSO": ("Basotho",), "LTU": ("Lithuanian",), "LVA": ("Latvian",), "MAR": ("Moroccan",),
    "MDA": ("Moldovan",), "MDG": ("Malagasy",), "MEX": ("Mexican",), "MKD": ("North Macedonian", "Macedonian"),
    "MLI": ("Malian",), "MMR": ("Myanmar", "Burmese"), "MNE": ("Montenegrin",), "MNG": ("Mongolian",),
    "MOZ": ("Mozambican",), "MRT": ("Mauritanian",), "MUS": ("Mauritian",), "MWI": ("Malawian",),
    "MYS": ("Malaysian",), "NAM": ("Namibian",), "NER": ("Nigerien",), "NGA": ("Nigerian",),
    "NIC": ("Nicaraguan",), "NLD": ("Dutch",), "NOR": ("Norwegian",), "NPL": ("Nepali", "Nepalese"),
    "NZL": ("New Zealand",), "OMN": ("Omani",), "PAK": ("Pakistani",), "PAN": ("Panamanian",),
    "PER": ("Peruvian",), "PHL": ("Philippine", "Filipino"), "PNG": ("Papua New Guinean",), "POL": ("Polish",),
    "PRK": ("North Korean",), "PRT": ("Portuguese",), "PRY": ("Paraguayan",), "PSE": ("Palestinian",),
    "QAT": ("Qatari",), "ROU": ("Romanian",), "RUS": ("Russian",), "RWA": ("Rwandan",),
    "SAU": ("Saudi", "Saudi Arabian"), "SDN": ("Sudanese",), "SEN": ("Senegalese",), "SGP": ("Singaporean",),
    "SLE": ("Sierra Leonean",), "SLV": ("Salvadoran",), "SOM": ("Somali", "Somalian"), "SRB": ("Serbian",),
    "SSD": ("South Sudanese",), "SVK": ("Slovak",), "SVN": ("Slovenian",), "SWE": ("Swedish",),
    "SWZ": ("Swazi",), "SYR": ("Syrian",), "TCD": ("Chadian",), "TGO": ("Togolese",), "THA": ("Thai",),
    "TJK": ("Tajik",), "TKM": ("Turkmen",), "TLS": ("Timorese",), "TTO": ("Trinidadian",),
    "TUN": ("Tunisian",), "TUR": ("Turkish",), "TWN": ("Taiwanese",), "TZA": ("Tanzanian",),
    "UGA": ("Ugandan",), "UKR": ("Ukrainian",), "URY": ("Uruguayan",), "USA": ("American", "US", "U.S."),
    "UZB": ("Uzbek",), "VEN": ("Venezuelan",), "VNM": ("Vietnamese",), "YEM": ("Yemeni",),
    "ZAF": ("South African",), "ZMB": ("Zambian",), "ZWE": ("Zimbabwean",),
}

# Short names where pycountry's is the formal one ("Syrian Arab Republic"); the first is the display name.
# Names that take "the" in running text are listed in _WITH_ARTICLE.
NAMES: dict[str, tuple[str, ...]] = {
    "ARE": ("United Arab Emirates", "UAE"), "BES": ("Caribbean Netherlands",), "BOL": ("Bolivia",),
    "BRN": ("Brunei",), "CAF": ("Central African Republic", "CAR"), "CCK": ("Cocos Islands",),
    "COD": ("Democratic Republic of the Congo", "DR Congo", "DRC", "Congo", "Congo-Kinshasa",
            "Democratic Republic of Congo"),
    "COG": ("Republic of the Congo", "Congo-Brazzaville", "Congo Republic", "Republic of Congo"),
    "CIV": ("Ivory Coast", "Côte d'Ivoire"), "CPV": ("Cape Verde", "Cabo Verde"), "CZE": ("Czech Republic", "Czechia"),
    "FLK": ("Falkland Islands",), "FSM": ("Micronesia",), "GBR": ("United Kingdom", "UK", "U.K.", "Britain"),
    "IRN": ("Iran",), "KOR": ("South Korea",), "LAO": ("Laos",), "MAF": ("Saint Martin",), "MDA": ("Moldova",),
    "MKD": ("North Macedonia",), "MMR": ("Myanmar", "Burma"), "NLD": ("Netherlands",), "PRK": ("North Korea",),
    "PSE": ("Palestine", "State of Palestine"), "RUS": ("Russia",), "SHN": ("Saint Helena",),
    "SWZ": ("Eswatini", "Swaziland"), "SXM": ("Sint Maarten",), "SYR": ("Syria",),
    "TLS": ("Timor-Leste", "East Timor"), "TUR": ("Turkey", "Türkiye"), "TWN": ("Taiwan",),
    "TZA": ("Tanzania",), "USA": ("United States", "US", "U.S.", "USA", "America"),
    "VAT": ("Vatican",), "VEN": ("Venezuela",), "VGB": ("British Virgin Islands",),
    "VIR": ("US Virgin Islands",), "VNM": ("Vietnam",),
}

_WITH_ARTICLE = frozenset({
    "ARE", "BHS", "CAF", "COD", "COG", "CYM", "CZE", "DOM", "FLK", "GMB", "MDV", "MHL", "NLD", "PHL", "SLB",
    "USA", "GBR", "VGB", "VIR", "COM", "TCA", "CCK", "MNP", "UMI",
})

MILITARY_HEADS = (
    "army", "troops", "forces", "soldiers", "military", "armed forces", "navy", "air force", "security forces",
    "special forces", "warplanes", "marines", "defence forces", "defense forces", "border guards",
)
POLICE_HEADS = ("police", "police force", "police forces", "riot police")
GOVERNMENT_HEADS = ("government", "authorities")

# A country name longer than this is not said before a head noun ("Saint Vincent and the Grenadines army").
_MAX_NAME_WORDS = 3


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    """ISO3 -> display name, for every country pycountry knows."""
    out: dict[str, str] = {}
    for country in pycountry.countries:
        iso3 = country.alpha_3
        if iso3 in NAMES:
            out[iso3] = NAMES[iso3][0]
        else:
            out[iso3] = getattr(country, "common_name", None) or country.name
    return out


def all_iso3() -> list[str]:
    return list(_countries())


def is_country(code: str) -> bool:
    return code in _countries()


def country_name(iso3: str) -> str:
    """Display name ("Syria", "Democratic Republic of the Congo"); the code itself when unknown."""
    return _countries().get(iso3, iso3)


def _in_phrase(iso3: str) -> str:
    name = country_name(iso3)
    return f"the {name}" if iso3 in _WITH_ARTICLE else name


def names(iso3: str) -> tuple[str, ...]:
    """Every short name of a country, display name first."""
    return NAMES.get(iso3, (country_name(iso3),))


def demonyms(iso3: str) -> tuple[str, ...]:
    return DEMONYMS.get(iso3, ())


def _qualifiers(iso3: str) -> list[str]:
    """Words put before a head noun: demonyms, then short names ("Syria army", said as "Syria's army")."""
    out = list(demonyms(iso3))
    for name in names(iso3):
        if len(name.split()) <= _MAX_NAME_WORDS and name not in out:
            out.append(name)
    return out


def _combine(qualifiers: list[str], heads: tuple[str, ...]) -> list[str]:
    return [f"{q} {h}" for q in qualifiers for h in heads]


def state_actors() -> list[Actor]:
    """Military, police and government of every country, with generated aliases."""
    actors: list[Actor] = []
    for iso3 in all_iso3():
        quals = _qualifiers(iso3)
        place = _in_phrase(iso3)
        low = iso3.lower()
        actors.append(Actor(
            id=f"{low}-military", name=f"Military Forces of {place}", type="State forces", country=iso3,
            aliases=_combine(quals, MILITARY_HEADS),
            description=f"The armed forces of {place}.",
        ))
        actors.append(Actor(
            id=f"{low}-police", name=f"Police Forces of {place}", type="State forces", country=iso3,
            aliases=_combine(quals, POLICE_HEADS),
            description=f"The police of {place}.",
        ))
        actors.append(Actor(
            id=f"{low}-government", name=f"Government of {place}", type="Government official", country=iso3,
            aliases=_combine(quals, GOVERNMENT_HEADS),
            description=f"The national government of {place}.",
        ))
    return actors
