"""Generate a large benchmark corpus by varying the sample corpus.

Each generated report takes a sample report and swaps, consistently within the report: the dates (all shifted
by the same number of days, weekday names left as written), the place names of one theatre for other places of
the same theatre, the actor names for others of the same kind, and every figure scaled by one factor. The text
stays news-like, so extraction and clustering do the same kind of work they do on real input, while ids, URLs
and content differ so nothing deduplicates away.

    python benchmarks/gen_corpus.py --n 10000 --out /tmp/bench-10k.jsonl
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import sys
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "examples" / "corpus"

# Interchangeable names per theatre: a report mentioning one may get another in its place.
PLACE_POOLS: dict[str, list[str]] = {
    "syria": ["Aleppo", "Hama", "Homs", "Idlib", "Daraa", "Raqqa", "Latakia", "Tartus", "Deir ez-Zor", "Qamishli",
              "Manbij", "Saraqib", "Maarat al-Numan", "Atarib", "Tal Rifaat", "Palmyra", "Suwayda", "Jableh"],
    "sudan": ["El Fasher", "Omdurman", "Khartoum", "Nyala", "El Geneina", "Wad Madani", "Kadugli", "El Obeid",
              "Port Sudan", "Sennar", "Kassala", "Zalingei"],
    "drc": ["Goma", "Bukavu", "Sake", "Rutshuru", "Masisi", "Uvira", "Beni", "Butembo", "Kalehe", "Walikale"],
    "ukraine": ["Kharkiv", "Odesa", "Kyiv", "Dnipro", "Zaporizhzhia", "Sumy", "Pokrovsk", "Kramatorsk", "Kherson",
                "Chernihiv", "Lviv", "Poltava"],
    "myanmar": ["Lashio", "Myawaddy", "Sittwe", "Mandalay", "Sagaing", "Hpa-an", "Kyaukphyu", "Bhamo", "Muse"],
    "sahel": ["Bamako", "Ouagadougou", "Niamey", "Gao", "Timbuktu", "Mopti", "Djibo", "Kaya", "Tillaberi"],
    "haiti": ["Port-au-Prince", "Cite Soleil", "Petion-Ville", "Mirebalais", "Croix-des-Bouquets", "Gonaives"],
    "gaza_lebanon": ["Khan Younis", "Rafah", "Gaza City", "Jabalia", "Deir al-Balah", "Tyre", "Sidon", "Nabatieh"],
}
ACTOR_POOLS: list[list[str]] = [
    ["Hayat Tahrir al-Sham", "Syrian National Army", "Syrian Democratic Forces"],
    ["Rapid Support Forces", "Sudanese Armed Forces"],
    ["M23", "Wazalendo"],
    ["Arakan Army", "Myanmar National Democratic Alliance Army", "Ta'ang National Liberation Army"],
    ["JNIM", "Islamic State Sahel Province"],
    ["Viv Ansanm", "400 Mawozo", "Gran Grif"],
]

_NUMBER = re.compile(r"\b\d{1,3}(?:,\d{3})+\b|\b\d+\b")
_ISO_DATE = re.compile(r"\b(20\d\d)-(\d\d)-(\d\d)\b")
_MONTH_DAY = re.compile(
    r"\b(January|February|March|April|May|June|July|August|September|October|November|December) (\d{1,2})\b"
)


def load_corpus() -> list[tuple[str, dict[str, object]]]:
    out = []
    for path in sorted(CORPUS.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                out.append((path.stem, json.loads(line)))
    return out


def _swap_names(text: str, pool: list[str], rng: random.Random) -> str:
    present = [name for name in pool if name in text]
    if not present:
        return text
    targets = rng.sample(pool, len(pool))
    mapping = dict(zip(pool, targets, strict=True))
    pattern = re.compile("|".join(re.escape(n) for n in sorted(present, key=len, reverse=True)))
    return pattern.sub(lambda m: mapping[m.group(0)], text)


def _scale_numbers(text: str, factor: float) -> str:
    def scale(match: re.Match[str]) -> str:
        raw = match.group(0)
        value = int(raw.replace(",", ""))
        if 1900 <= value <= 2100 or value < 3:  # years and tiny counts read wrong when scaled
            return raw
        new = max(1, round(value * factor))
        return f"{new:,}" if "," in raw else str(new)

    return _NUMBER.sub(scale, text)


def _shift_dates(text: str, days: int, year: int) -> str:
    def iso(match: re.Match[str]) -> str:
        try:
            d = dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except ValueError:
            return match.group(0)
        return (d + dt.timedelta(days=days)).isoformat()

    def month_day(match: re.Match[str]) -> str:
        try:
            d = dt.datetime.strptime(f"{match.group(1)} {match.group(2)} {year}", "%B %d %Y").date()
        except ValueError:
            return match.group(0)
        shifted = d + dt.timedelta(days=days)
        return f"{shifted.strftime('%B')} {shifted.day}"

    return _MONTH_DAY.sub(month_day, _ISO_DATE.sub(iso, text))


def variants(n: int, seed: int = 7) -> Iterator[dict[str, object]]:
    base = load_corpus()
    if not base:
        raise SystemExit(f"no sample corpus under {CORPUS}")
    rng = random.Random(seed)
    for i in range(n):
        theatre, record = base[i % len(base)]
        days = rng.randint(-400, 400)
        factor = rng.uniform(0.5, 2.5)
        date = dt.datetime.fromisoformat(str(record["date"]).replace("Z", "+00:00")) + dt.timedelta(days=days)
        text = str(record["text"])
        title = str(record.get("title") or "")
        pool = PLACE_POOLS.get(theatre)
        local = random.Random(rng.random())
        for pool_names in ([pool] if pool else []) + ACTOR_POOLS:
            state = local.getstate()
            text = _swap_names(text, pool_names, local)
            local.setstate(state)  # the same mapping for the title as for the text
            title = _swap_names(title, pool_names, local)
        text = _shift_dates(_scale_numbers(text, factor), days, date.year)
        title = _shift_dates(_scale_numbers(title, factor), days, date.year)
        yield {
            "id": f"bench-{i:07d}",
            "title": title,
            "date": date.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "url": f"https://bench.example/{theatre}/{i:07d}",
            "outlet": f"Bench Wire {i % 37}",
            "text": text,
        }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    with args.out.open("w", encoding="utf-8") as handle:
        for record in variants(args.n, args.seed):
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"wrote {args.n} reports to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
